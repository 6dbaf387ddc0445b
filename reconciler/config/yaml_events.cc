#include "reconciler/config/yaml_events.h"

#include <algorithm>
#include <exception>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reconciler/config/yaml_reader.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/parser.h"

namespace podform {
namespace {

// The alias's name as written ("*base" gives "base").
std::string AliasName(const std::string& text, const YAML::Mark& mark) {
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size() ||
      text[mark.pos] != '*') {
    return "";
  }
  size_t end = mark.pos + 1;
  while (end < text.size() &&
         std::string_view(" \t\r\n,[]{}").find(text[end]) ==
             std::string_view::npos) {
    ++end;
  }
  return text.substr(mark.pos + 1, end - mark.pos - 1);
}

class Checker : public YAML::EventHandler {
 public:
  Checker(const std::string& text, Diagnostics& diagnostics)
      : text_(text), diagnostics_(diagnostics) {}

  bool failed() const { return failed_; }

  void OnDocumentStart(const YAML::Mark&) override {
    sizes_.clear();
    open_.clear();
    stack_.clear();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override {
    Leaf(anchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&,
                YAML::anchor_t anchor, const std::string&) override {
    Leaf(anchor);
    if (failed_ || mark.pos < 0 ||
        static_cast<size_t>(mark.pos) >= text_.size()) {
      return;
    }
    const char first = text_[mark.pos];
    if ((first == '"' || first == '\'') && !QuotedScalarIsClosed(text_, mark.pos)) {
      Fail(mark, "YAML syntax error: unterminated quoted string");
    }
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (failed_) return;
    if (open_.count(anchor) > 0) {
      Fail(mark, absl::StrCat("alias *", AliasName(text_, mark),
                              " refers to a node that contains it"));
      return;
    }
    auto it = sizes_.find(anchor);
    const int64_t size = it == sizes_.end() ? 1 : it->second;
    expanded_ += size;
    if (expanded_ > kMaxAliasExpansion) {
      Fail(mark,
           absl::StrCat("YAML aliases expand to more than ",
                        kMaxAliasExpansion,
                        " nodes; podform does not expand them (write the "
                        "values out, or use fewer levels of aliases)"));
      return;
    }
    Add(size);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&,
                       YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    YAML::anchor_t anchor;
    int64_t size;  // the node itself and its children, aliases expanded
  };

  void Fail(const YAML::Mark& mark, std::string message) {
    failed_ = true;
    diagnostics_.Error(LocationOf(mark), std::move(message));
  }
  // Sizes saturate at the limit: beyond it, the first alias fails.
  void Add(int64_t size) {
    if (!stack_.empty()) {
      stack_.back().size =
          std::min(stack_.back().size + size, kMaxAliasExpansion + 1);
    }
  }
  void Leaf(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) sizes_[anchor] = 1;
    Add(1);
  }
  void Open(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) open_.insert(anchor);
    stack_.push_back(Frame{anchor, 1});
  }
  void Close() {
    if (stack_.empty()) return;
    const Frame frame = stack_.back();
    stack_.pop_back();
    if (frame.anchor != YAML::NullAnchor) {
      open_.erase(frame.anchor);
      sizes_[frame.anchor] = frame.size;
    }
    Add(frame.size);
  }

  const std::string& text_;
  Diagnostics& diagnostics_;
  bool failed_ = false;
  int64_t expanded_ = 0;  // nodes added by aliases, over all documents
  std::map<YAML::anchor_t, int64_t> sizes_;
  std::set<YAML::anchor_t> open_;  // anchors of nodes not yet closed
  std::vector<Frame> stack_;
};

}  // namespace

bool QuotedScalarIsClosed(const std::string& text, size_t pos) {
  const char quote = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (quote == '\'' && text[i] == '\'' && i + 1 < text.size() &&
               text[i + 1] == '\'') {
      ++i;
    } else if (text[i] == quote) {
      return true;
    }
  }
  return false;
}

bool CheckYamlEvents(const std::string& text, int max_documents,
                     Diagnostics& diagnostics) {
  Checker checker(text, diagnostics);
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    for (int documents = 0; documents < max_documents && !checker.failed();
         ++documents) {
      if (!parser.HandleNextDocument(checker)) break;
    }
  } catch (const std::exception&) {
    // The caller parsed the same text without error; nothing to add.
  }
  return !checker.failed();
}

}  // namespace podform

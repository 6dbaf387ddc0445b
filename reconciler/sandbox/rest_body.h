#ifndef PODFORM_RECONCILER_SANDBOX_REST_BODY_H_
#define PODFORM_RECONCILER_SANDBOX_REST_BODY_H_

// Reading REST v2 request bodies as RunPod's schema validator does: strict
// objects (a member the schema does not name is refused), exact types,
// ranges, enums and required members. Every violation is collected, in the
// form of RunPod's `errors[]` ("$: additional properties 'bogus' not
// allowed", "$.size: must be >= 10"); the caller answers 422 with all of
// them when there is any.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "reconciler/util/json_reader.h"

namespace podform::sandbox {

class BodyReader {
 public:
  // Reads `value`, found at `path` ("$" for the body; "$.mounts" ...).
  // `errors` collects the violations and must outlive the reader.
  BodyReader(const nlohmann::json& value, std::string path,
             std::vector<std::string>* errors);

  // Whether the value is an object; records "PATH: expected object" if not.
  // The readers below find nothing in a non-object. Called first.
  bool IsObject();

  // Each reader marks `key` as known; nullopt when absent, null or
  // invalid (then an error is recorded, or "missing property" when
  // `required`).
  std::optional<std::string> String(const std::string& key,
                                    bool required = false,
                                    bool non_empty = false);
  // One of `values`.
  std::optional<std::string> Enum(const std::string& key,
                                  const std::vector<std::string>& values,
                                  bool required = false);
  std::optional<int64_t> Integer(const std::string& key, bool required,
                                 int64_t min, int64_t max = INT64_MAX);
  // A JSON number (integer or not) >= `min`.
  std::optional<double> Number(const std::string& key, bool required,
                               double min);
  std::optional<bool> Bool(const std::string& key);
  std::optional<std::vector<std::string>> Strings(const std::string& key);
  // map<string,string> (an object of strings).
  std::optional<std::map<std::string, std::string>> StringMap(
      const std::string& key);
  // The member itself when it is an object (an array) , else nullptr.
  const nlohmann::json* Object(const std::string& key, bool required = false);
  const nlohmann::json* Array(const std::string& key, bool required = false);
  // Marks `key` as known without reading it.
  void Known(const std::string& key) { reader_.MarkRead(key); }
  // Whether the member is present (null included).
  bool Has(const std::string& key) const;

  // Records the members no reader asked about:
  // "PATH: additional properties 'a', 'b' not allowed".
  void Finish();

  std::string Path(const std::string& key) const { return path_ + "." + key; }
  void Error(const std::string& path, const std::string& message) {
    errors_->push_back(path + ": " + message);
  }

 private:
  const nlohmann::json* value_;
  std::string path_;
  std::vector<std::string>* errors_;
  // Collects every violation, in RunPod's words, into `errors_`.
  JsonReader reader_;
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_REST_BODY_H_

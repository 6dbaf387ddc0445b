#ifndef PODFORM_RECONCILER_CONFIG_DIAGNOSTICS_H_
#define PODFORM_RECONCILER_CONFIG_DIAGNOSTICS_H_

// Collects the problems found while loading one config file.

#include <string>
#include <vector>

#include "reconciler/config/config.h"

namespace podform {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void Error(SourceLocation location, std::string message);
  void Warning(SourceLocation location, std::string message);

  bool has_errors() const { return errors_ > 0; }
  int error_count() const { return errors_; }

  // Every diagnostic, ordered by position (line, then column); those at the
  // same position keep the order in which they were reported.
  std::vector<Diagnostic> Sorted() const;

 private:
  std::string file_;
  std::vector<Diagnostic> list_;
  int errors_ = 0;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_DIAGNOSTICS_H_

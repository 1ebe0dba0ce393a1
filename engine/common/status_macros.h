// Early-return helpers for absl::Status / absl::StatusOr. The Abseil on Debian 12 (20220623)
// predates its own status macros, so the project carries these two.
#ifndef FORECASTLE_ENGINE_COMMON_STATUS_MACROS_H_
#define FORECASTLE_ENGINE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FORECASTLE_CONCAT_INNER_(a, b) a##b
#define FORECASTLE_CONCAT_(a, b) FORECASTLE_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                       \
  do {                                              \
    ::absl::Status forecastle_status_ = (expr);     \
    if (!forecastle_status_.ok()) return forecastle_status_; \
  } while (0)

// Declares `lhs` from a StatusOr expression, or returns its status when not OK.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(FORECASTLE_CONCAT_(forecastle_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // FORECASTLE_ENGINE_COMMON_STATUS_MACROS_H_

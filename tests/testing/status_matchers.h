// GoogleTest matchers for absl::Status and absl::StatusOr (Debian's Abseil predates its own).
#ifndef FORECASTLE_TESTS_TESTING_STATUS_MATCHERS_H_
#define FORECASTLE_TESTS_TESTING_STATUS_MATCHERS_H_

#include <gmock/gmock.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/common/field_error.h"

namespace forecastle::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) { return s.status(); }

// StatusIs(code) / StatusIs(code, message_matcher).
MATCHER_P2(StatusIs, code, message_matcher,
           "status " + ::testing::PrintToString(code) + " with message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(s.message()), result_listener);
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a value that " +
                                           ::testing::DescribeMatcher<decltype(value_matcher)>(value_matcher, false)) {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

// FieldErrorIs(code, field, reason_matcher): a status about `field` (as FieldOf reads it, not
// from its message) whose reason matches, and whose message says "field: reason" for people.
MATCHER_P3(FieldErrorIs, code, field, reason_matcher,
           "status " + ::testing::PrintToString(code) + " about field " + ::testing::PrintToString(field) +
               " with a reason that " + ::testing::DescribeMatcher<std::string>(reason_matcher)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  const FieldOfStatus about = FieldAndReason(s);
  if (about.field != field) *result_listener << ", about field \"" << about.field << "\"";
  return s.code() == code && about.field == field &&
         s.message() == std::string(field) + ": " + about.reason &&
         ::testing::ExplainMatchResult(reason_matcher, about.reason, result_listener);
}

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_STATUS_MATCHERS_H_

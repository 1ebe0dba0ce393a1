// Errors about one named field of a record or request carry the field as data beside their
// message (an absl::Status payload, so it survives RETURN_IF_ERROR). The message reads as
// forecastle's errors always have, field first ("paths must be in [1, 1000000], got 0",
// "amount: has more than 2 decimals"), naming the field and the value for people; whoever shows
// the field apart (a CSV refusal's column, an import's RecordError.field, a fuzz check) reads it
// with FieldOf or FieldAndReason instead of splitting the message.
#ifndef FORECASTLE_ENGINE_COMMON_FIELD_ERROR_H_
#define FORECASTLE_ENGINE_COMMON_FIELD_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace forecastle {

// An error about `field`, its message `field` followed by `rest` (which starts with its own
// separator: " must be in [0, 1], got 2" or ": required"). The message is built here, once.
absl::Status FieldError(absl::StatusCode code, absl::string_view field, absl::string_view rest);
// FieldError with INVALID_ARGUMENT, the code of a request that names a bad value.
absl::Status InvalidField(absl::string_view field, absl::string_view rest);

// An error about `field` for `reason` (no separator): message "field: reason", and the reason as
// data too, for FieldAndReason. What a record's column refuses.
absl::Status FieldReasonError(absl::StatusCode code, absl::string_view field, absl::string_view reason);
// FieldReasonError with INVALID_ARGUMENT: the most common refusal, a malformed value.
absl::Status InvalidFieldError(absl::string_view field, absl::string_view reason);

// The field an error names; "" when it names none (or is OK).
std::string FieldOf(const absl::Status& status);

// What a status says about a field: the field ("" when it names none) and the reason (the
// message after the field and its separator; the whole message when it names no field).
struct FieldOfStatus {
  std::string field;
  std::string reason;
};
FieldOfStatus FieldAndReason(const absl::Status& status);

// `status` with `field` as its field, its code and message as they were (OK stays OK). For an
// error whose message already starts with the field, e.g. one from a parser that takes the
// field's name.
absl::Status NamingField(absl::Status status, absl::string_view field);

// `status` (not OK) about `field` unless it already names one, its message then "field:
// message": for a check that knows why but not which field it is checking (a table-driven loop
// names the column).
absl::Status NameField(absl::Status status, absl::string_view field);

// `status` as part of something larger: its message `context` followed by the inner message, its
// field `field` ("" for none), its code as it was (OK stays OK). E.g. a variant of a comparison:
// Within(status, "variants[1]", "variants: \"hire5\": ").
absl::Status Within(const absl::Status& status, absl::string_view field, absl::string_view context);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_COMMON_FIELD_ERROR_H_

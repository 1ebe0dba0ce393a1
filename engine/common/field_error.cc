#include "engine/common/field_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace forecastle {
namespace {

constexpr absl::string_view kFieldPayload = "type.forecastle.dev/field";
constexpr absl::string_view kReasonPayload = "type.forecastle.dev/reason";

}  // namespace

absl::Status FieldError(absl::StatusCode code, absl::string_view field, absl::string_view rest) {
  return NamingField(absl::Status(code, absl::StrCat(field, rest)), field);
}

absl::Status InvalidField(absl::string_view field, absl::string_view rest) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, rest);
}

absl::Status FieldReasonError(absl::StatusCode code, absl::string_view field, absl::string_view reason) {
  // Both payloads, even for a field without a name (a CSV header's empty cell): FieldAndReason
  // then gives back exactly this field and reason.
  absl::Status status(code, absl::StrCat(field, ": ", reason));
  status.SetPayload(kFieldPayload, absl::Cord(field));
  status.SetPayload(kReasonPayload, absl::Cord(reason));
  return status;
}

absl::Status InvalidFieldError(absl::string_view field, absl::string_view reason) {
  return FieldReasonError(absl::StatusCode::kInvalidArgument, field, reason);
}

std::string FieldOf(const absl::Status& status) {
  const auto field = status.GetPayload(kFieldPayload);
  return field ? std::string(*field) : std::string();
}

FieldOfStatus FieldAndReason(const absl::Status& status) {
  FieldOfStatus out{FieldOf(status), std::string(status.message())};
  if (const auto reason = status.GetPayload(kReasonPayload)) {
    out.reason = std::string(*reason);
  } else if (!out.field.empty()) {
    absl::string_view rest = status.message();
    if (absl::ConsumePrefix(&rest, out.field)) {
      if (!absl::ConsumePrefix(&rest, ": ")) absl::ConsumePrefix(&rest, " ");
      out.reason = std::string(rest);
    }
  }
  return out;
}

absl::Status NamingField(absl::Status status, absl::string_view field) {
  if (status.ok()) return status;
  status.ErasePayload(kReasonPayload);
  if (field.empty()) {
    status.ErasePayload(kFieldPayload);
  } else {
    status.SetPayload(kFieldPayload, absl::Cord(field));
  }
  return status;
}

absl::Status NameField(absl::Status status, absl::string_view field) {
  if (status.ok() || status.GetPayload(kFieldPayload)) return status;
  return FieldReasonError(status.code(), field, status.message());
}

absl::Status Within(const absl::Status& status, absl::string_view field, absl::string_view context) {
  if (status.ok()) return status;
  return NamingField(absl::Status(status.code(), absl::StrCat(context, status.message())), field);
}

}  // namespace forecastle

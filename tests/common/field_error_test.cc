// Errors about a field carry it as data (engine/common/field_error.h).
#include "engine/common/field_error.h"

#include <gtest/gtest.h>

#include "engine/actuals/calendar.h"
#include "engine/actuals/money.h"
#include "engine/common/quote.h"
#include "engine/common/utf8.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using ::forecastle::testing::FieldErrorIs;

TEST(FieldError, CarriesTheFieldAndTheReasonBesideTheMessage) {
  const absl::Status status = FieldReasonError(absl::StatusCode::kFailedPrecondition, "invoice_id", "no invoice \"I: 7\"");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "invoice_id: no invoice \"I: 7\"");
  EXPECT_EQ(FieldAndReason(status).field, "invoice_id");
  EXPECT_EQ(FieldAndReason(status).reason, "no invoice \"I: 7\"");
}

// Found by the records fuzz target: a CSV header's empty cell is an unknown column without a
// name; its refusal still gives back that (empty) field and its reason.
TEST(FieldError, AFieldWithoutANameKeepsItsReason) {
  const absl::Status status = InvalidFieldError("", "unknown column for progress records");
  EXPECT_EQ(status.message(), ": unknown column for progress records");
  EXPECT_EQ(FieldAndReason(status).field, "");
  EXPECT_EQ(FieldAndReason(status).reason, "unknown column for progress records");
}

TEST(FieldError, AStatusAboutNoFieldIsAllReason) {
  // A message that merely looks like "field: reason" is not taken apart.
  const absl::Status status = absl::InvalidArgumentError("amount: looks like a field");
  EXPECT_EQ(FieldAndReason(status).field, "");
  EXPECT_EQ(FieldAndReason(status).reason, "amount: looks like a field");
  EXPECT_EQ(FieldAndReason(absl::OkStatus()).field, "");
}

// An error built as field + rest (a request's range check) gives its reason as the rest after
// the field and its separator; Within keeps the inner reason's field as the outer one names it.
TEST(FieldError, FieldAndRestGiveTheReasonAfterTheField) {
  const absl::Status range = InvalidField("paths", " must be in [1, 1000000], got 0");
  EXPECT_EQ(range.message(), "paths must be in [1, 1000000], got 0");
  EXPECT_EQ(FieldOf(range), "paths");
  EXPECT_EQ(FieldAndReason(range).reason, "must be in [1, 1000000], got 0");
  const absl::Status required = InvalidField("kind", ": required");
  EXPECT_EQ(FieldAndReason(required).reason, "required");
  const absl::Status within = Within(range, "variants[1]", "variants: \"hire5\": ");
  EXPECT_EQ(within.message(), "variants: \"hire5\": paths must be in [1, 1000000], got 0");
  EXPECT_EQ(FieldOf(within), "variants[1]");
  EXPECT_EQ(FieldAndReason(within).reason, "variants: \"hire5\": paths must be in [1, 1000000], got 0");
}

TEST(FieldError, NameFieldNamesOnlyAStatusThatNamesNone) {
  EXPECT_THAT(NameField(absl::InvalidArgumentError("must be positive, got 0"), "units"),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "units", "must be positive, got 0"));
  EXPECT_THAT(NameField(InvalidFieldError("hours", "bad"), "units"),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "hours", "bad"));
  EXPECT_TRUE(NameField(absl::OkStatus(), "units").ok());
}

TEST(FieldError, TheParsersOfTextNameTheirField) {
  EXPECT_THAT(ParseCents("1.234", "amount").status(),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "amount", "has more than 2 decimals, got \"1.234\""));
  EXPECT_THAT(ParseDate("2026-02-30", "issued_on").status(),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "issued_on",
                           "no such day (years 1900..2999), got \"2026-02-30\""));
  EXPECT_THAT(ParseMonth("26-01", "from").status(),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "from",
                           "expected a month YYYY-MM (years 1900..2999), got \"26-01\""));
  EXPECT_THAT(CheckLength("abc", 2, "name"),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "name", "3 bytes, more than the limit of 2"));
  EXPECT_THAT(CheckUtf8("Caf\xE9", "name"),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "name", "not valid UTF-8: byte 0xE9 after \"Caf\""));
}

}  // namespace
}  // namespace forecastle

#include "proto/wire/convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/sample/sample_company.h"
#include "proto/wire/forecast_convert.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using namespace ::forecastle::testing;  // NOLINT
using ::testing::HasSubstr;

TEST(Convert, EveryGeneratedRecordRoundTripsThroughTheApi) {
  SampleOptions options;
  options.contracts = 300;
  auto records = GenerateSampleCompany(options);
  ASSERT_TRUE(records.ok());
  int kinds_seen[kRecordKindCount] = {};
  for (const Record& record : *records) {
    const v1::Record message = RecordToProto(record);
    auto back = RecordFromProto(message);
    ASSERT_TRUE(back.ok()) << RecordKey(record) << ": " << back.status();
    ASSERT_EQ(*back, record) << message.DebugString();
    ++kinds_seen[static_cast<int>(KindOf(record))];
  }
  for (int k = 0; k < kRecordKindCount; ++k) EXPECT_GT(kinds_seen[k], 0) << KindName(static_cast<RecordKind>(k));
}

TEST(Convert, EnumsMapToTheirNames) {
  v1::Record message = RecordToProto(Ratable("C", "L", "1.00", "2026-01-01", "2026-01-31", RatableConvention::kDaily));
  EXPECT_EQ(message.line().kind(), v1::LINE_KIND_RATABLE);
  EXPECT_EQ(message.line().convention(), v1::RATABLE_CONVENTION_DAILY);
  v1::Line line = message.line();
  line.set_kind(v1::LINE_KIND_UNSPECIFIED);
  EXPECT_THAT(RecordFromProto(RecordKind::kLine, line),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind: required")));
  line.set_kind(static_cast<v1::LineKind>(7));  // from a newer client
  EXPECT_THAT(RecordFromProto(RecordKind::kLine, line),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind: expected ratable, delivery or effort, got \"unknown value 7\"")));
}

TEST(Convert, FieldErrorsNameTheProtoField) {
  v1::Invoice invoice;
  invoice.set_invoice_id("I");
  invoice.set_contract_id("C");
  invoice.set_issued_on("2026-01-01");
  invoice.set_amount("1.001");
  EXPECT_THAT(RecordFromProto(RecordKind::kInvoice, invoice),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount: has more than 2 decimals")));
  EXPECT_THAT(RecordFromProto(v1::Record()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("record:")));
}

// Protobuf refuses such a message when it parses it; this holds for any way a message is built.
TEST(Convert, ATextFieldThatIsNotUtf8IsRefusedNamingIt) {
  v1::Record message = RecordToProto(Cust("C1"));
  message.mutable_customer()->set_name("Caf\xE9");
  EXPECT_THAT(RecordFromProto(message),
              StatusIs(absl::StatusCode::kInvalidArgument, "name: not valid UTF-8: byte 0xE9 after \"Caf\""));
}

TEST(Convert, MetricsRequestValidation) {
  const Date today = D("2026-11-27");
  v1::MetricsRequest request;
  request.set_from("2026-01");
  request.set_to("2026-03");
  auto query = MetricsQueryFromProto(request, today);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->as_of, today);
  EXPECT_EQ(query->calendar.fiscal_year_start_month, 1);
  request.set_fiscal_year_start_month(13);
  EXPECT_THAT(MetricsQueryFromProto(request, today),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fiscal_year_start_month")));
  request.set_fiscal_year_start_month(0);
  request.set_from("2026-13");
  EXPECT_THAT(MetricsQueryFromProto(request, today),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from: expected a month")));
  request.set_from("");
  EXPECT_THAT(MetricsQueryFromProto(request, today),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from: required")));
  request.set_from("2026-01");
  request.set_as_of("31/01/2026");
  EXPECT_THAT(MetricsQueryFromProto(request, today),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("as_of")));
}

TEST(Convert, StatusCodesMapOneToOne) {
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(absl::AlreadyExistsError("x")).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

// Found by the services fuzz target: a correlation row shorter than the rows before it was read
// out of bounds (engine/forecast/scenario.cc Validate reads rho[j][i] before row j's length is
// checked). The conversion checks every row's length first, with the engine's own message.
void SetRow(v1::CorrelationRow* row, std::initializer_list<double> values) {
  row->clear_values();
  for (double v : values) row->add_values(v);
}

TEST(ForecastConvert, ACorrelationRowOfTheWrongLengthIsRefusedByName) {
  v1::Scenario message;
  message.set_name("correlated");  // the default scenario's three segments
  SetRow(message.add_segment_correlation(), {1, 0, 0});
  message.add_segment_correlation();  // empty
  SetRow(message.add_segment_correlation(), {0, 0, 1});
  EXPECT_THAT(ScenarioFromProto(message).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "segment_correlation[1] must have 3 entries, got 0"));
  SetRow(message.mutable_segment_correlation(1), {0, 1, 0, 0});
  EXPECT_THAT(ScenarioFromProto(message).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "segment_correlation[1] must have 3 entries, got 4"));
  SetRow(message.mutable_segment_correlation(1), {0, 1, 0});
  EXPECT_TRUE(ScenarioFromProto(message).ok()) << ScenarioFromProto(message).status();
}

}  // namespace
}  // namespace forecastle

#include "proto/wire/convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "engine/actuals/csv.h"
#include "engine/actuals/record_table.h"
#include "engine/sample/sample_company.h"
#include "proto/wire/forecast_convert.h"
#include "tests/testing/every_column.h"
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

// Each kind's message has one field per column of its table, named as the column, of the type
// the column's type travels as (record_table.h), and no other field.
TEST(Convert, EveryColumnIsAFieldOfItsKindsMessage) {
  using google::protobuf::FieldDescriptor;
  for (int k = 0; k < kRecordKindCount; ++k) {
    const RecordTable& table = TableOf(static_cast<RecordKind>(k));
    const google::protobuf::Descriptor* message = RecordMessageType(table.kind);
    ASSERT_NE(message, nullptr);
    EXPECT_EQ(absl::AsciiStrToLower(message->name()), table.name);
    EXPECT_EQ(message->field_count(), static_cast<int>(table.columns.size())) << message->name();
    for (const Column& column : table.columns) {
      const FieldDescriptor* field = message->FindFieldByName(std::string(column.name));
      ASSERT_NE(field, nullptr) << message->name() << " has no field " << column.name;
      EXPECT_FALSE(field->is_repeated());
      switch (column.type) {
        case ColumnType::kCount:
          EXPECT_EQ(field->cpp_type(), FieldDescriptor::CPPTYPE_INT64) << column.name;
          EXPECT_TRUE(field->has_presence()) << column.name << ": absent is not 0";
          break;
        case ColumnType::kFlag:
          EXPECT_EQ(field->cpp_type(), FieldDescriptor::CPPTYPE_BOOL) << column.name;
          break;
        case ColumnType::kChoice: {
          ASSERT_EQ(field->cpp_type(), FieldDescriptor::CPPTYPE_ENUM) << column.name;
          const google::protobuf::EnumDescriptor* type = field->enum_type();
          ASSERT_EQ(type->value_count(), static_cast<int>(column.choices.size()) + 1) << type->name();
          EXPECT_EQ(type->value(0)->number(), 0);
          EXPECT_TRUE(absl::EndsWith(type->value(0)->name(), "_UNSPECIFIED"));
          for (size_t i = 0; i < column.choices.size(); ++i) {
            const auto* value = type->FindValueByNumber(static_cast<int>(i) + 1);
            ASSERT_NE(value, nullptr);
            EXPECT_TRUE(absl::EndsWith(value->name(), absl::StrCat("_", absl::AsciiStrToUpper(column.choices[i]))))
                << value->name() << " is not " << column.choices[i];
          }
          break;
        }
        default:
          EXPECT_EQ(field->cpp_type(), FieldDescriptor::CPPTYPE_STRING) << column.name;
      }
    }
  }
}

// CSV -> engine record -> proto (through its bytes) -> engine record -> CSV, every column of
// every kind, and the typed fields hold typed values.
TEST(Convert, EveryKindRoundTripsFromCsvThroughTheApiBackToCsv) {
  for (const EveryColumn& every : RecordsWithEveryColumn()) {
    const RecordKind kind = KindOf(every.record);
    CsvFolder folder;
    const std::string file(KindFileName(kind));
    ASSERT_TRUE(ParseCsvFile(kind, file, absl::StrCat(absl::StrJoin(KindColumns(kind), ","), "\n", every.row, "\n"),
                             folder).ok());
    ASSERT_TRUE(folder.errors.empty()) << folder.errors[0].ToString();
    ASSERT_EQ(folder.records.size(), 1u);
    ASSERT_EQ(folder.records[0].record, every.record) << file;
    v1::Record sent;
    ASSERT_TRUE(sent.ParseFromString(RecordToProto(folder.records[0].record).SerializeAsString()));
    absl::StatusOr<Record> received = RecordFromProto(sent);
    ASSERT_TRUE(received.ok()) << received.status();
    EXPECT_EQ(*received, every.record) << sent.DebugString();
    std::vector<std::string> cells;
    for (const std::string& cell : FormatRecord(*received)) cells.push_back(CsvCell(cell));
    EXPECT_EQ(absl::StrJoin(cells, ","), every.row);
  }
  const auto records = RecordsWithEveryColumn();
  const v1::Line line = RecordToProto(records[static_cast<int>(RecordKind::kLine)].record).line();
  EXPECT_EQ(line.kind(), v1::LINE_KIND_RATABLE);
  EXPECT_EQ(line.convention(), v1::RATABLE_CONVENTION_DAILY);
  EXPECT_EQ(line.total_units(), 12);
  EXPECT_EQ(line.ssp(), "1200.50");
  const v1::Progress progress = RecordToProto(records[static_cast<int>(RecordKind::kProgress)].record).progress();
  EXPECT_EQ(progress.units(), 4);
  EXPECT_TRUE(progress.complete());
  EXPECT_EQ(RecordToProto(records[static_cast<int>(RecordKind::kOpportunity)].record).opportunity().status(),
            v1::OPPORTUNITY_STATUS_WON);
}

// What a column leaves absent stays absent on the wire: no "0.00", no 0 units, no enum value.
TEST(Convert, AbsentColumnsAreAbsentFields) {
  const v1::Line line = RecordToProto(Delivery("C", "L", "1.00", 3)).line();
  EXPECT_EQ(line.start_on(), "");
  EXPECT_EQ(line.total_units(), 3);
  EXPECT_EQ(line.estimated_hours(), "");
  EXPECT_EQ(line.convention(), v1::RATABLE_CONVENTION_UNSPECIFIED);  // a delivery line has none
  v1::Progress progress;
  progress.set_contract_id("C");
  progress.set_line_id("L");
  progress.set_on("2026-01-05");
  progress.set_hours("1.5");
  absl::StatusOr<Record> record = RecordFromProto(RecordKind::kProgress, progress);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_FALSE(std::get<Progress>(*record).units.has_value());
  EXPECT_EQ(RecordToProto(*record).progress().has_units(), false);
}

TEST(Convert, FieldErrorsNameTheFieldAndTheValue) {
  v1::Opportunity opportunity = RecordToProto(RecordsWithEveryColumn()[static_cast<int>(RecordKind::kOpportunity)].record)
                                    .opportunity();
  opportunity.set_closed_on("2026-1-12");
  EXPECT_THAT(RecordFromProto(RecordKind::kOpportunity, opportunity),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "closed_on",
                           "expected a date YYYY-MM-DD, got \"2026-1-12\""));
  opportunity.set_closed_on("");
  EXPECT_THAT(RecordFromProto(RecordKind::kOpportunity, opportunity),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "closed_on", "required when status is won"));
  opportunity.set_status(static_cast<v1::OpportunityStatus>(9));
  EXPECT_THAT(RecordFromProto(RecordKind::kOpportunity, opportunity),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "status",
                           "expected open, won or lost, got the unknown enum value 9"));
  v1::Line line = RecordToProto(Delivery("C", "L", "1.00", 3)).line();
  line.set_total_units(-2);
  EXPECT_THAT(RecordFromProto(RecordKind::kLine, line),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "total_units", "must be positive, got -2"));
  line.set_total_units(2);
  line.set_convention(v1::RATABLE_CONVENTION_MONTHLY);
  EXPECT_THAT(RecordFromProto(RecordKind::kLine, line),
              FieldErrorIs(absl::StatusCode::kInvalidArgument, "convention",
                           "only ratable lines have one, this line is delivery"));
  EXPECT_THAT(RecordFromProto(v1::Record()), FieldErrorIs(absl::StatusCode::kInvalidArgument, "record",
                                                          "no record kind is set"));
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
              StatusIs(absl::StatusCode::kInvalidArgument, "kind: expected ratable, delivery or effort, got the unknown enum value 7"));
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

// A product's term mix travels both ways, so a calibrated scenario saved through the server
// keeps the terms it learnt; a mix the engine refuses is refused by name.
TEST(ForecastConvert, TermMixRoundTrips) {
  forecast::Scenario scenario = forecast::DefaultScenario();
  scenario.products[0].term_mix = {{12, 0.25}, {36, 0.75}};
  const v1::Scenario message = ScenarioToProto(scenario);
  ASSERT_EQ(message.products(0).term_mix_size(), 2);
  EXPECT_EQ(message.products(0).term_mix(1).months(), 36);
  auto back = ScenarioFromProto(message);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->products[0].term_mix.size(), 2u);
  EXPECT_EQ(back->products[0].term_mix[0].months, 12);
  EXPECT_EQ(back->products[0].term_mix[1].share, 0.75);
  v1::Scenario wrong = message;
  wrong.mutable_products(0)->mutable_term_mix(1)->set_share(0.5);
  EXPECT_THAT(ScenarioFromProto(wrong).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("products[0].term_mix shares must sum to 1")));
}

}  // namespace
}  // namespace forecastle

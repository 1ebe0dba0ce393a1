// The API through a real gRPC client against an in-process server on loopback: every bad-input
// class of SPEC §3.3 answers its code and names the field, and leaves the store unchanged;
// imports are idempotent and order-independent; a restart gives the same answers.
#include <random>

#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "engine/sample/sample_company.h"
#include "proto/wire/convert.h"
#include "tests/testing/import_stream.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/raw_call.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using namespace ::forecastle::testing;  // NOLINT
using ::testing::HasSubstr;

std::vector<Record> Sample(int contracts) {
  SampleOptions options;
  options.contracts = contracts;
  options.seed = 11;
  return *GenerateSampleCompany(options);
}

// What an import answered; each error's index is its record's position among all records sent.
struct Imported {
  v1::ImportSummary summary;
  std::vector<v1::RecordError> errors;
};

// Streams `records` in one Import call, `per_batch` records a batch, with batch ids of their own.
Imported Import(TestServer& server, const std::vector<Record>& records, size_t per_batch = 250) {
  static int runs = 0;
  StreamedImport streamed = StreamImport(server.server().address(),
                                         ImportMessages(records, per_batch, "run" + std::to_string(++runs)));
  EXPECT_TRUE(streamed.status.ok()) << streamed.status.error_message();
  Imported out;
  EXPECT_EQ(streamed.summaries.size(), 1u);
  if (!streamed.summaries.empty()) out.summary = streamed.summaries[0];
  for (size_t b = 0; b < streamed.acks.size(); ++b) {
    for (v1::RecordError error : streamed.acks[b].errors()) {
      error.set_index(static_cast<int64_t>(b * per_batch) + error.index());
      out.errors.push_back(error);
    }
  }
  return out;
}

// A record whose text field is not UTF-8, as a client that does not check would send it: `bytes`
// of a serialized message with `marker` replaced by one 0xE9 byte.
std::string WithByteE9(std::string bytes, const std::string& marker) {
  const size_t at = bytes.find(marker);
  EXPECT_NE(at, std::string::npos);
  bytes.replace(at, marker.size(), "\xE9");
  return bytes;
}

v1::MetricsReply Metrics(TestServer& server, v1::GroupBy by = v1::GROUP_BY_COMPANY) {
  v1::MetricsRequest request;
  request.set_from("2023-01");
  request.set_to("2026-12");
  request.set_as_of("2026-10-31");
  request.set_group_by(by);
  grpc::ClientContext context;
  v1::MetricsReply reply;
  grpc::Status status = server.actuals().GetMetrics(&context, request, &reply);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return reply;
}

v1::SummaryReply Summary(TestServer& server) {
  grpc::ClientContext context;
  v1::SummaryReply reply;
  EXPECT_TRUE(server.ledger().Summary(&context, {}, &reply).ok());
  return reply;
}

class LedgerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(FreshDatabasePath("ledger.db"));
    Imported imported = Import(*server_, {Cust("A"), Con("C", "A", "2026-01-01"),
                                          Ratable("C", "L", "1200.00", "2026-01-01", "2026-12-31"),
                                          Inv("I", "C", "2026-01-01", "1200.00"),
                                          Pay("P", "I", "2026-01-20", "200.00")});
    ASSERT_EQ(imported.summary.created(), 5);
  }

  // Puts one record through its unary RPC.
  grpc::Status Put(const Record& record, v1::WriteReply* reply) {
    grpc::ClientContext context;
    const v1::Record m = RecordToProto(record);
    auto& stub = server_->ledger();
    switch (KindOf(record)) {
      case RecordKind::kCustomer: return stub.PutCustomer(&context, m.customer(), reply);
      case RecordKind::kContract: return stub.PutContract(&context, m.contract(), reply);
      case RecordKind::kLine: return stub.PutLine(&context, m.line(), reply);
      case RecordKind::kProgress: return stub.PutProgress(&context, m.progress(), reply);
      case RecordKind::kCancellation: return stub.PutCancellation(&context, m.cancellation(), reply);
      case RecordKind::kInvoice: return stub.PutInvoice(&context, m.invoice(), reply);
      case RecordKind::kPayment: return stub.PutPayment(&context, m.payment(), reply);
      case RecordKind::kOpportunity: return stub.PutOpportunity(&context, m.opportunity(), reply);
      case RecordKind::kHeadcount: return stub.PutHeadcount(&context, m.headcount(), reply);
    }
    return grpc::Status::CANCELLED;
  }

  // Expects the write to be refused with `code` and a message containing `text`, and the stored
  // ledger (and its answers) to be unchanged, also after a restart.
  void ExpectRefused(grpc::StatusCode code, const std::string& text,
                     const std::function<grpc::Status()>& write) {
    const std::string summary = Summary(*server_).SerializeAsString();
    const std::string metrics = Metrics(*server_).SerializeAsString();
    grpc::Status status = write();
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(text));
    EXPECT_EQ(Summary(*server_).SerializeAsString(), summary);
    EXPECT_EQ(Metrics(*server_).SerializeAsString(), metrics);
    server_->Restart();
    EXPECT_EQ(Summary(*server_).SerializeAsString(), summary);
    EXPECT_EQ(Metrics(*server_).SerializeAsString(), metrics);
  }

  std::unique_ptr<TestServer> server_;
};

TEST_F(LedgerServiceTest, PaymentAboveTheOpenAmount) {
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::FAILED_PRECONDITION, "amount: 1000.01 exceeds the open amount 1000.00",
                [&] { return Put(Pay("P2", "I", "2026-02-01", "1000.01"), &reply); });
}

TEST_F(LedgerServiceTest, InvoiceForAnUnknownContract) {
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::FAILED_PRECONDITION, "contract_id: no contract \"NOPE\"",
                [&] { return Put(Inv("I2", "NOPE", "2026-02-01", "10.00"), &reply); });
}

TEST_F(LedgerServiceTest, EndBeforeStart) {
  v1::Line line = RecordToProto(Ratable("C", "L2", "10.00", "2026-01-01", "2026-12-31")).line();
  line.set_end_on("2025-12-31");
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::INVALID_ARGUMENT, "end_on: 2025-12-31 is before start_on 2026-01-01", [&] {
    grpc::ClientContext context;
    return server_->ledger().PutLine(&context, line, &reply);
  });
}

// SPEC §3.5: a contract's or a line's other content is a modification, refused; another kind's
// is a new version (LedgerServiceTest.KnownAt...).
TEST_F(LedgerServiceTest, DuplicateIdWithDifferentContent) {
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::ALREADY_EXISTS, "contract_id: contract C is already recorded",
                [&] { return Put(Con("C", "A", "2026-01-02"), &reply); });
  ExpectRefused(grpc::StatusCode::FAILED_PRECONDITION, "amount: 100.00 is less than the 200.00 already collected",
                [&] { return Put(Inv("I", "C", "2026-01-01", "100.00"), &reply); });
}

std::string Moment(int64_t unix_us) {
  return absl::FormatTime(absl::RFC3339_full, absl::FromUnixMicros(unix_us), absl::UTCTimeZone());
}

v1::MetricsReply MetricsKnownAt(TestServer& server, const std::string& known_at) {
  v1::MetricsRequest request;
  request.set_from("2025-01");
  request.set_to("2026-12");
  request.set_as_of("2026-10-31");
  request.set_known_at(known_at);
  grpc::ClientContext context;
  v1::MetricsReply reply;
  grpc::Status status = server.actuals().GetMetrics(&context, request, &reply);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return reply;
}

std::string ForecastKnownAt(TestServer& server, const std::string& known_at) {
  v1::ForecastRequest request;
  request.set_as_of("2026-06-30");
  request.set_horizon_months(6);
  request.set_paths(200);
  request.set_seed(7);
  request.set_known_at(known_at);
  grpc::ClientContext context;
  v1::ForecastReply reply;
  grpc::Status status = server.forecasts().Forecast(&context, request, &reply);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return reply.SerializeAsString();
}

Opportunity Opp(const std::string& stage, const std::string& amount, const std::string& close) {
  return std::get<Opportunity>(*ParseRecord(RecordKind::kOpportunity,
                                            {{"opportunity_id", "O"}, {"segment", "smb"}, {"amount", amount},
                                             {"created_on", "2026-03-01"}, {"status", "open"}, {"stage", stage},
                                             {"expected_close_on", close}}));
}

// The answer as known at K is the one the server gave at K (SPEC §3.5): answers recorded, records
// corrected and voided, and asked again with known_at = K, before and after a restart.
TEST_F(LedgerServiceTest, KnownAtAnswersByteForByteWhatTheServerAnsweredThen) {
  v1::WriteReply reply;
  ASSERT_TRUE(Put(Opp("develop", "50000.00", "2026-08-31"), &reply).ok());
  ASSERT_TRUE(reply.created());
  const std::string metrics = MetricsKnownAt(*server_, "").SerializeAsString();
  const std::string forecast = ForecastKnownAt(*server_, "");
  const int64_t then = absl::ToUnixMicros(absl::Now());
  absl::SleepFor(absl::Milliseconds(2));

  ASSERT_TRUE(Put(Opp("propose", "60000.00", "2026-09-30"), &reply).ok());
  EXPECT_TRUE(reply.revised());
  ASSERT_TRUE(Put(Opp("propose", "60000.00", "2026-09-30"), &reply).ok());
  EXPECT_FALSE(reply.created() || reply.revised());  // identical: no new version
  ASSERT_TRUE(Put(Inv("I", "C", "2026-01-10", "1100.00"), &reply).ok());
  EXPECT_TRUE(reply.revised());
  {
    v1::VoidRequest request;
    request.set_kind("payment");
    request.add_key("P");
    v1::VoidReply voided;
    grpc::ClientContext context;
    ASSERT_TRUE(server_->ledger().VoidRecord(&context, request, &voided).ok());
    EXPECT_EQ(voided.voided().payment().amount(), "200.00");
    grpc::ClientContext again;
    EXPECT_EQ(server_->ledger().VoidRecord(&again, request, &voided).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  const std::string corrected_metrics = MetricsKnownAt(*server_, "").SerializeAsString();
  const std::string corrected_forecast = ForecastKnownAt(*server_, "");
  EXPECT_NE(corrected_metrics, metrics);
  EXPECT_NE(corrected_forecast, forecast);
  EXPECT_EQ(MetricsKnownAt(*server_, Moment(then)).SerializeAsString(), metrics);
  EXPECT_EQ(ForecastKnownAt(*server_, Moment(then)), forecast);
  EXPECT_EQ(MetricsKnownAt(*server_, Moment(absl::ToUnixMicros(absl::Now()))).SerializeAsString(), corrected_metrics);

  server_->Restart();  // the versions replay to the same ledgers
  EXPECT_EQ(MetricsKnownAt(*server_, "").SerializeAsString(), corrected_metrics);
  EXPECT_EQ(ForecastKnownAt(*server_, ""), corrected_forecast);
  EXPECT_EQ(MetricsKnownAt(*server_, Moment(then)).SerializeAsString(), metrics);
  EXPECT_EQ(ForecastKnownAt(*server_, Moment(then)), forecast);
  // Before anything was recorded: an empty ledger.
  EXPECT_EQ(MetricsKnownAt(*server_, "2000-01-01").tables(0).periods(0).bookings(), "0.00");
}

TEST_F(LedgerServiceTest, KnownAtThatIsNotAMomentIsRefusedNamingIt) {
  v1::MetricsRequest request;
  request.set_from("2026-01");
  request.set_to("2026-02");
  request.set_known_at("yesterday");
  grpc::ClientContext context;
  v1::MetricsReply reply;
  grpc::Status status = server_->actuals().GetMetrics(&context, request, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("known_at: expected an RFC 3339 timestamp"));
}

TEST_F(LedgerServiceTest, SameIdSameContentIsANoOp) {
  const std::string summary = Summary(*server_).SerializeAsString();
  v1::WriteReply reply;
  ASSERT_TRUE(Put(Inv("I", "C", "2026-01-01", "1200.00"), &reply).ok());
  EXPECT_FALSE(reply.created());
  EXPECT_EQ(Summary(*server_).SerializeAsString(), summary);
  ASSERT_TRUE(Put(Inv("I3", "C", "2026-03-01", "5.00"), &reply).ok());
  EXPECT_TRUE(reply.created());
}

TEST_F(LedgerServiceTest, MoreThanTwoDecimals) {
  v1::Invoice invoice = RecordToProto(Inv("I2", "C", "2026-02-01", "1.00")).invoice();
  invoice.set_amount("10.005");
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::INVALID_ARGUMENT, "amount: has more than 2 decimals, got \"10.005\"", [&] {
    grpc::ClientContext context;
    return server_->ledger().PutInvoice(&context, invoice, &reply);
  });
}

TEST_F(LedgerServiceTest, Overflow) {
  v1::Contract contract = RecordToProto(Con("C9", "A", "2026-02-01")).contract();
  contract.set_transaction_price("92233720368547758.07");
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::INVALID_ARGUMENT, "transaction_price: overflows", [&] {
    grpc::ClientContext context;
    return server_->ledger().PutContract(&context, contract, &reply);
  });
}

TEST_F(LedgerServiceTest, HeadcountIsPutImportedAndCountedWithoutMovingAMetric) {
  const std::string metrics = Metrics(*server_).SerializeAsString();
  v1::WriteReply reply;
  ASSERT_TRUE(Put(Heads("delivery", "2026-01", "12.5"), &reply).ok());
  EXPECT_TRUE(reply.created());
  ASSERT_TRUE(Put(Heads("delivery", "2026-01", "12.50"), &reply).ok());
  EXPECT_FALSE(reply.created());
  Imported imported = Import(*server_, {Heads("delivery", "2026-02", "13"), Heads("delivery", "2026-01", "12.5")});
  EXPECT_EQ(imported.summary.created(), 1);
  EXPECT_EQ(imported.summary.unchanged(), 1);
  const v1::SummaryReply summary = Summary(*server_);
  EXPECT_EQ(summary.headcount(), 2);
  EXPECT_EQ(summary.records(), 7);
  EXPECT_EQ(Metrics(*server_).SerializeAsString(), metrics);
  server_->Restart();
  EXPECT_EQ(Summary(*server_).headcount(), 2);
  EXPECT_EQ(server_->server().book().Read([](const Ledger& l) { return l.headcount(); }),
            (std::vector<Headcount>{Heads("delivery", "2026-01", "12.5"), Heads("delivery", "2026-02", "13")}));
}

TEST_F(LedgerServiceTest, HeadcountWithAnotherFteForTheSameMonth) {
  v1::WriteReply reply;
  ASSERT_TRUE(Put(Heads("delivery", "2026-01", "12.5"), &reply).ok());
  ASSERT_TRUE(Put(Heads("delivery", "2026-01", "12.75"), &reply).ok());
  EXPECT_TRUE(reply.revised());  // a corrected count is a new version
}

TEST_F(LedgerServiceTest, HeadcountWithThreeDecimals) {
  v1::Headcount headcount;
  headcount.set_team("delivery");
  headcount.set_month("2026-01");
  headcount.set_fte("12.255");
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::INVALID_ARGUMENT, "fte: has more than 2 decimals, got \"12.255\"", [&] {
    grpc::ClientContext context;
    return server_->ledger().PutHeadcount(&context, headcount, &reply);
  });
  headcount.set_fte("12");
  headcount.set_month("2026-1");
  ExpectRefused(grpc::StatusCode::INVALID_ARGUMENT, "month: expected a month YYYY-MM (years 1900..2999), got \"2026-1\"",
                [&] {
                  grpc::ClientContext context;
                  return server_->ledger().PutHeadcount(&context, headcount, &reply);
                });
}

TEST_F(LedgerServiceTest, ImportReportsEachRefusedRecordAndAppliesTheRest) {
  const std::string metrics_before = Metrics(*server_).SerializeAsString();
  v1::ImportRequest first, second;
  first.mutable_batch()->set_batch_id("mixed-1");
  *first.mutable_batch()->add_records() = RecordToProto(Con("C2", "A", "2026-02-01"));  // 0: created
  v1::Invoice* bad = first.mutable_batch()->add_records()->mutable_invoice();            // 1: bad decimals
  *bad = RecordToProto(Inv("I9", "C", "2026-02-01", "1.00")).invoice();
  bad->set_amount("1.234");
  second.mutable_batch()->set_batch_id("mixed-2");
  *second.mutable_batch()->add_records() = RecordToProto(Pay("P9", "I", "2026-02-01", "5000.00"));  // 0: over-payment
  *second.mutable_batch()->add_records() = RecordToProto(Con("C", "A", "2026-01-01"));  // 1: unchanged
  second.mutable_batch()->add_records();                                                // 2: empty
  StreamedImport streamed = StreamImport(server_->server().address(),
                                         {first.SerializeAsString(), second.SerializeAsString(), EndMessage(2, 5)});
  ASSERT_TRUE(streamed.status.ok()) << streamed.status.error_message();
  ASSERT_EQ(streamed.acks.size(), 2u);
  const v1::ImportBatchAck& a = streamed.acks[0];
  const v1::ImportBatchAck& b = streamed.acks[1];
  EXPECT_EQ(a.batch_id(), "mixed-1");
  EXPECT_EQ(a.message(), 1);
  EXPECT_EQ(std::tuple(a.received(), a.created(), a.unchanged(), a.errors_size()), std::tuple(2, 1, 0, 1));
  EXPECT_EQ(a.errors(0).index(), 1);
  EXPECT_EQ(a.errors(0).field(), "amount");
  EXPECT_EQ(a.errors(0).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(b.message(), 2);
  EXPECT_EQ(std::tuple(b.received(), b.created(), b.unchanged(), b.errors_size()), std::tuple(3, 0, 1, 2));
  EXPECT_EQ(b.errors(0).index(), 0);
  EXPECT_EQ(b.errors(0).key(), "payment P9");
  EXPECT_EQ(b.errors(0).code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(b.errors(1).index(), 2);
  EXPECT_EQ(b.errors(1).field(), "record");
  ASSERT_EQ(streamed.summaries.size(), 1u);
  const v1::ImportSummary& summary = streamed.summaries[0];
  EXPECT_EQ(std::tuple(summary.batches(), summary.received(), summary.created(), summary.unchanged(),
                       summary.refused(), summary.replayed_batches()),
            std::tuple(2, 5, 1, 1, 3, 0));
  // The refused payment left AR as it was; only the empty contract C2 was added.
  EXPECT_EQ(Metrics(*server_).SerializeAsString(), metrics_before);
  EXPECT_EQ(Summary(*server_).contracts(), 2);
}

TEST_F(LedgerServiceTest, ABatchListsEveryRefusedRecordAndHoldsAtMostTenThousand) {
  std::vector<Record> orphans;
  for (int i = 0; i < 10001; ++i) orphans.push_back(Inv("X" + std::to_string(i), "NOPE", "2026-01-01", "1.00"));
  Imported imported = Import(*server_, std::vector<Record>(orphans.begin(), orphans.end() - 1), 10000);
  EXPECT_EQ(imported.errors.size(), 10000u);
  EXPECT_EQ(imported.summary.refused(), 10000);
  EXPECT_EQ(imported.summary.created(), 0);
  StreamedImport over = StreamImport(server_->server().address(), {BatchMessage("big-1", orphans), EndMessage(1, 10001)});
  EXPECT_EQ(over.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(over.status.error_message(),
              HasSubstr("import stream: message 1: records: at most 10000 records a batch, got 10001"));
}

// The bug this stream design fixes: the server took a message that does not parse for the end of
// the stream, answered OK, and the records of it and of every later message were neither stored
// nor reported.
TEST_F(LedgerServiceTest, AMessageThatDoesNotParseEndsTheStreamNamingIt) {
  const std::string not_utf8 = WithByteE9(BatchMessage("bad-2", {Cust("B2", "Caf_")}), "Caf_");
  for (const std::string& second : {not_utf8, std::string("\xFF\xFF\xFF\xFF", 4)}) {
    const std::string summary_before = Summary(*server_).SerializeAsString();
    StreamedImport streamed = StreamImport(
        server_->server().address(),
        {BatchMessage("bad-1", {Cust("B1")}), second, BatchMessage("bad-3", {Cust("B3")}), EndMessage(3, 3)});
    EXPECT_EQ(streamed.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(streamed.status.error_message(), HasSubstr("import stream: message 2: not received"));
    EXPECT_THAT(streamed.status.error_message(), HasSubstr("the 1 batches acknowledged before it are stored"));
    ASSERT_EQ(streamed.acks.size(), 1u);  // message 1 only: nothing of later messages is reported stored
    EXPECT_EQ(streamed.acks[0].batch_id(), "bad-1");
    EXPECT_TRUE(streamed.summaries.empty());
    const v1::SummaryReply after = Summary(*server_);
    v1::SummaryReply before;
    ASSERT_TRUE(before.ParseFromString(summary_before));
    // B1 (first time round) is stored; B2 and B3 never are.
    EXPECT_EQ(after.customers(), 2);
    EXPECT_EQ(after.records(), before.records() + (before.customers() == 1 ? 1 : 0));
  }
}

TEST_F(LedgerServiceTest, AStreamWithoutItsEndMessageIsAnError) {
  StreamedImport streamed = StreamImport(server_->server().address(),
                                         {BatchMessage("noend-1", {Cust("N1")}), BatchMessage("noend-2", {Cust("N2")})});
  EXPECT_EQ(streamed.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(streamed.status.error_message(), HasSubstr("import stream: message 3: not received"));
  EXPECT_EQ(streamed.acks.size(), 2u);
  EXPECT_EQ(Summary(*server_).customers(), 3);  // both acknowledged batches are stored

  StreamedImport miscounted = StreamImport(server_->server().address(),
                                           {BatchMessage("count-1", {Cust("N3")}), EndMessage(2, 2)});
  EXPECT_EQ(miscounted.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(miscounted.status.error_message(),
              HasSubstr("message 2: end: the client sent 2 batches of 2 records, the server received 1 "
                        "batches of 1 records"));

  v1::ImportRequest old_client;  // `repeated Record records = 1`, as before batch ids
  old_client.GetReflection()->MutableUnknownFields(&old_client)->AddLengthDelimited(1, "");
  StreamedImport old = StreamImport(server_->server().address(), {old_client.SerializeAsString()});
  EXPECT_EQ(old.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(old.status.error_message(), HasSubstr("message 1: neither a batch nor the end"));

  StreamedImport no_id = StreamImport(server_->server().address(), {BatchMessage("", {Cust("N4")}), EndMessage(1, 1)});
  EXPECT_EQ(no_id.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_id.status.error_message(), HasSubstr("message 1: batch_id: required"));
  EXPECT_EQ(Summary(*server_).customers(), 4);  // N3 only
}

TEST_F(LedgerServiceTest, ARetriedBatchIdAppliesNothingAndAnswersTheSameAcknowledgement) {
  const std::vector<Record> batch = {Con("R1", "A", "2026-02-01"), Inv("R-I", "NOPE", "2026-02-01", "1.00"),
                                     Con("C", "A", "2026-01-01")};
  StreamedImport first = StreamImport(server_->server().address(), {BatchMessage("retry-1", batch), EndMessage(1, 3)});
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_EQ(first.acks.size(), 1u);
  EXPECT_FALSE(first.acks[0].replayed());
  EXPECT_EQ(std::tuple(first.acks[0].created(), first.acks[0].unchanged(), first.acks[0].errors_size()),
            std::tuple(1, 1, 1));
  const std::string summary = Summary(*server_).SerializeAsString();

  // The client never saw that acknowledgement, say, and sends the batch again, after a restart
  // too: nothing is applied twice (R1 would now count as unchanged), the first answer comes back.
  for (bool restart : {false, true}) {
    if (restart) server_->Restart();
    StreamedImport again = StreamImport(server_->server().address(),
                                        {BatchMessage(restart ? "other-2" : "other-1", {}), BatchMessage("retry-1", batch),
                                         EndMessage(2, 3)});
    ASSERT_TRUE(again.status.ok()) << again.status.error_message();
    ASSERT_EQ(again.acks.size(), 2u);
    v1::ImportBatchAck replayed = again.acks[1];
    EXPECT_TRUE(replayed.replayed());
    EXPECT_EQ(replayed.message(), 2);
    replayed.set_replayed(false);
    replayed.set_message(1);
    EXPECT_EQ(replayed.SerializeAsString(), first.acks[0].SerializeAsString()) << replayed.DebugString();
    ASSERT_EQ(again.summaries.size(), 1u);
    EXPECT_EQ(again.summaries[0].replayed_batches(), 1);
    EXPECT_EQ(again.summaries[0].created(), 1);  // as first acknowledged
    EXPECT_EQ(Summary(*server_).SerializeAsString(), summary);
  }

  // The same id with other records is refused: ids may be reused only to retry.
  StreamedImport reused = StreamImport(server_->server().address(),
                                       {BatchMessage("retry-1", {Cust("R2")}), EndMessage(1, 1)});
  EXPECT_EQ(reused.status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(reused.status.error_message(), HasSubstr("message 1: batch_id: \"retry-1\" was applied before"));
  EXPECT_EQ(Summary(*server_).SerializeAsString(), summary);
}

TEST_F(LedgerServiceTest, EachBatchIsAcknowledgedInTheStreamBeforeTheNextIsSent) {
  grpc::ClientContext context;
  auto stream = server_->ledger().Import(&context);
  v1::ImportRequest request;
  v1::ImportReply reply;
  int64_t records = 0;
  for (int b = 1; b <= 3; ++b) {
    request.Clear();
    request.mutable_batch()->set_batch_id("step-" + std::to_string(b));
    for (int i = 0; i < b; ++i) {
      *request.mutable_batch()->add_records() = RecordToProto(Cust("S" + std::to_string(b) + "-" + std::to_string(i)));
    }
    records += b;
    ASSERT_TRUE(stream->Write(request));
    ASSERT_TRUE(stream->Read(&reply));  // answered while the stream is open
    ASSERT_TRUE(reply.has_batch());
    EXPECT_EQ(reply.batch().message(), b);
    EXPECT_EQ(reply.batch().created(), b);
    EXPECT_EQ(Summary(*server_).customers(), 1 + records);  // durable and visible once acknowledged
  }
  request.Clear();
  request.mutable_end()->set_batches(3);
  request.mutable_end()->set_records(records);
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&reply));
  ASSERT_TRUE(reply.has_summary());
  EXPECT_EQ(reply.summary().created(), 6);
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&reply));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(LedgerServiceTest, PipelinedBatchesAreEachAcknowledgedInOrder) {
  std::vector<Record> customers;
  for (int i = 0; i < 2000; ++i) customers.push_back(Cust("Q" + std::to_string(i)));
  StreamedImport streamed = StreamImport(server_->server().address(), ImportMessages(customers, 50, "pipe"));
  ASSERT_TRUE(streamed.status.ok()) << streamed.status.error_message();
  ASSERT_EQ(streamed.acks.size(), 40u);
  int64_t created = 0;
  for (size_t b = 0; b < streamed.acks.size(); ++b) {
    EXPECT_EQ(streamed.acks[b].batch_id(), "pipe-" + std::to_string(b + 1));
    EXPECT_EQ(streamed.acks[b].message(), static_cast<int64_t>(b + 1));
    created += streamed.acks[b].created();
  }
  EXPECT_EQ(created, 2000);
  ASSERT_EQ(streamed.summaries.size(), 1u);
  EXPECT_EQ(streamed.summaries[0].batches(), 40);
  EXPECT_EQ(streamed.summaries[0].created(), 2000);
}

TEST_F(LedgerServiceTest, QueriesValidateTheirInput) {
  grpc::ClientContext c1;
  v1::MetricsRequest request;
  request.set_from("2026-01");
  request.set_to("2025-01");
  v1::MetricsReply metrics;
  grpc::Status status = server_->actuals().GetMetrics(&c1, request, &metrics);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("from must not be after to"));

  grpc::ClientContext c2;
  v1::ScheduleRequest schedule_request;
  schedule_request.set_contract_id("NOPE");
  v1::ScheduleReply schedule;
  status = server_->actuals().GetSchedule(&c2, schedule_request, &schedule);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext c3;
  v1::BacklogRequest backlog_request;
  backlog_request.set_as_of("2026-02-30");
  v1::BacklogReply backlog;
  status = server_->actuals().GetBacklog(&c3, backlog_request, &backlog);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("as_of: no such day"));
}

TEST_F(LedgerServiceTest, ScheduleAndBacklogOverTheWire) {
  grpc::ClientContext c1;
  v1::ScheduleRequest request;
  request.set_contract_id("C");
  request.set_as_of("2026-01-31");
  v1::ScheduleReply schedule;
  ASSERT_TRUE(server_->actuals().GetSchedule(&c1, request, &schedule).ok());
  ASSERT_EQ(schedule.lines_size(), 1);
  EXPECT_EQ(schedule.lines(0).months(0).revenue(), "100.00");
  EXPECT_EQ(schedule.lines(0).months(0).backlog(), "1100.00");
  EXPECT_TRUE(schedule.lines(0).months(1).scheduled());

  grpc::ClientContext c2;
  v1::BacklogRequest backlog_request;
  backlog_request.set_as_of("2026-01-31");
  v1::BacklogReply backlog;
  ASSERT_TRUE(server_->actuals().GetBacklog(&c2, backlog_request, &backlog).ok());
  EXPECT_EQ(backlog.reports(0).backlog(), "1100.00");
  EXPECT_EQ(backlog.reports(0).crpo(), "1100.00");
  EXPECT_EQ(backlog.reports(0).aging(0).label(), "0-90");
}

TEST(LedgerServiceImport, OneStreamManyStreamsAndShuffledGiveTheSameAnswers) {
  const std::vector<Record> records = Sample(2000);
  TestServer one(FreshDatabasePath("one.db"));
  Imported imported = Import(one, records, 1000);
  ASSERT_EQ(imported.errors.size(), 0u) << imported.errors[0].DebugString();
  ASSERT_EQ(imported.summary.created(), static_cast<int64_t>(records.size()));

  TestServer many(FreshDatabasePath("many.db"));
  for (size_t i = 0; i < records.size(); i += 777) {
    std::vector<Record> part(records.begin() + i, records.begin() + std::min(records.size(), i + 777));
    ASSERT_EQ(Import(many, part, 100).errors.size(), 0u);
  }

  // Shuffled: records whose reference has not arrived are refused; send those again.
  TestServer shuffled(FreshDatabasePath("shuffled.db"));
  std::vector<Record> pending = records;
  std::shuffle(pending.begin(), pending.end(), std::mt19937_64(5));
  for (int round = 0; !pending.empty(); ++round) {
    ASSERT_LT(round, 20);
    std::vector<Record> again;
    for (size_t begin = 0; begin < pending.size(); begin += 5000) {
      std::vector<Record> call(pending.begin() + begin, pending.begin() + std::min(pending.size(), begin + 5000));
      Imported r = Import(shuffled, call, 500);
      for (const v1::RecordError& e : r.errors) {
        ASSERT_EQ(e.code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION)) << e.DebugString();
        again.push_back(call[static_cast<size_t>(e.index())]);
      }
    }
    pending = std::move(again);
  }

  // Importing everything again is a no-op.
  Imported again = Import(one, records);
  EXPECT_EQ(again.summary.unchanged(), static_cast<int64_t>(records.size()));
  EXPECT_EQ(again.summary.created(), 0);

  for (v1::GroupBy by : {v1::GROUP_BY_COMPANY, v1::GROUP_BY_SEGMENT}) {
    const std::string expected = Metrics(one, by).SerializeAsString();
    EXPECT_EQ(Metrics(many, by).SerializeAsString(), expected);
    EXPECT_EQ(Metrics(shuffled, by).SerializeAsString(), expected);
  }
  EXPECT_EQ(Summary(shuffled).SerializeAsString(), Summary(one).SerializeAsString());

  // A restart on the same database replays the same ledger.
  const std::string before = Metrics(shuffled, v1::GROUP_BY_CUSTOMER).SerializeAsString();
  shuffled.Restart();
  EXPECT_EQ(Metrics(shuffled, v1::GROUP_BY_CUSTOMER).SerializeAsString(), before);
}

TEST(LedgerServiceHealth, HealthCheckAnswersServing) {
  TestServer server(FreshDatabasePath("health.db"));
  // HealthCheckRequest{service: ""} is zero bytes on the wire.
  std::string bytes;
  const grpc::Status status = RawUnaryCall(grpc::CreateChannel(server.server().address(), grpc::InsecureChannelCredentials()),
                                           "/grpc.health.v1.Health/Check", "", &bytes);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING

  // Each service by name: SERVING; a service the server does not have: NOT_FOUND.
  const auto channel = grpc::CreateChannel(server.server().address(), grpc::InsecureChannelCredentials());
  for (const std::string service : {"forecastle.v1.LedgerService", "forecastle.v1.ActualsService",
                                    "forecastle.v1.ForecastService", "forecastle.v1.AdminService"}) {
    const std::string request = std::string("\x0a", 1) + static_cast<char>(service.size()) + service;
    ASSERT_TRUE(RawUnaryCall(channel, "/grpc.health.v1.Health/Check", request, &bytes).ok()) << service;
    EXPECT_EQ(bytes, std::string("\x08\x01", 2)) << service;
  }
  const std::string unknown = std::string("\x0a\x04", 2) + "nope";
  EXPECT_EQ(RawUnaryCall(channel, "/grpc.health.v1.Health/Check", unknown).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace forecastle

// The API through a real gRPC client against an in-process server on loopback: every bad-input
// class of SPEC §3.3 answers its code and names the field, and leaves the store unchanged;
// imports are idempotent and order-independent; a restart gives the same answers.
#include <random>

#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "engine/sample/sample_company.h"
#include "server/convert.h"
#include "tests/testing/ledger_builder.h"
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

// Streams `records` in one Import call, `per_message` records a message.
v1::ImportReply Import(TestServer& server, const std::vector<Record>& records, size_t per_message = 250) {
  grpc::ClientContext context;
  v1::ImportReply reply;
  auto writer = server.ledger().Import(&context, &reply);
  for (size_t i = 0; i < records.size(); i += per_message) {
    v1::ImportRequest request;
    for (size_t j = i; j < std::min(records.size(), i + per_message); ++j) {
      *request.add_records() = RecordToProto(records[j]);
    }
    EXPECT_TRUE(writer->Write(request));
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return reply;
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
    v1::ImportReply reply = Import(*server_, {Cust("A"), Con("C", "A", "2026-01-01"),
                                              Ratable("C", "L", "1200.00", "2026-01-01", "2026-12-31"),
                                              Inv("I", "C", "2026-01-01", "1200.00"),
                                              Pay("P", "I", "2026-01-20", "200.00")});
    ASSERT_EQ(reply.created(), 5);
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

TEST_F(LedgerServiceTest, DuplicateIdWithDifferentContent) {
  v1::WriteReply reply;
  ExpectRefused(grpc::StatusCode::ALREADY_EXISTS, "invoice_id: invoice I is already recorded",
                [&] { return Put(Inv("I", "C", "2026-01-01", "1300.00"), &reply); });
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

TEST_F(LedgerServiceTest, ImportReportsEachRefusedRecordAndAppliesTheRest) {
  const std::string metrics_before = Metrics(*server_).SerializeAsString();
  v1::Invoice bad = RecordToProto(Inv("I9", "C", "2026-02-01", "1.00")).invoice();
  bad.set_amount("1.234");
  grpc::ClientContext context;
  v1::ImportReply reply;
  auto writer = server_->ledger().Import(&context, &reply);
  v1::ImportRequest first, second;
  *first.add_records() = RecordToProto(Con("C2", "A", "2026-02-01"));           // 0: created
  *first.add_records()->mutable_invoice() = bad;                                // 1: bad decimals
  *second.add_records() = RecordToProto(Pay("P9", "I", "2026-02-01", "5000.00"));  // 2: over-payment
  *second.add_records() = RecordToProto(Con("C", "A", "2026-01-01"));           // 3: unchanged
  second.add_records();                                                         // 4: empty
  ASSERT_TRUE(writer->Write(first));
  ASSERT_TRUE(writer->Write(second));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(reply.received(), 5);
  EXPECT_EQ(reply.created(), 1);
  EXPECT_EQ(reply.unchanged(), 1);
  ASSERT_EQ(reply.errors_size(), 3);
  EXPECT_EQ(reply.errors(0).index(), 1);
  EXPECT_EQ(reply.errors(0).field(), "amount");
  EXPECT_EQ(reply.errors(0).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(reply.errors(1).index(), 2);
  EXPECT_EQ(reply.errors(1).key(), "payment P9");
  EXPECT_EQ(reply.errors(1).code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(reply.errors(2).index(), 4);
  EXPECT_EQ(reply.errors(2).field(), "record");
  // The refused payment left AR as it was; only the empty contract C2 was added.
  EXPECT_EQ(Metrics(*server_).SerializeAsString(), metrics_before);
  EXPECT_EQ(Summary(*server_).contracts(), 2);
}

TEST_F(LedgerServiceTest, ImportListsAtMostTenThousandErrorsAndCountsTheRest) {
  std::vector<Record> orphans;
  for (int i = 0; i < 10500; ++i) orphans.push_back(Inv("X" + std::to_string(i), "NOPE", "2026-01-01", "1.00"));
  v1::ImportReply reply = Import(*server_, orphans, 1000);
  EXPECT_EQ(reply.errors_size(), 10000);
  EXPECT_EQ(reply.errors_omitted(), 500);
  EXPECT_EQ(reply.received(), 10500);
  EXPECT_EQ(reply.created(), 0);
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
  v1::ImportReply reply = Import(one, records, 1000);
  ASSERT_EQ(reply.errors_size(), 0) << reply.errors(0).DebugString();
  ASSERT_EQ(reply.created(), static_cast<int64_t>(records.size()));

  TestServer many(FreshDatabasePath("many.db"));
  for (size_t i = 0; i < records.size(); i += 777) {
    std::vector<Record> part(records.begin() + i, records.begin() + std::min(records.size(), i + 777));
    ASSERT_EQ(Import(many, part, 100).errors_size(), 0);
  }

  // Shuffled: records whose reference has not arrived are refused; send those again.
  TestServer shuffled(FreshDatabasePath("shuffled.db"));
  std::vector<Record> pending = records;
  std::shuffle(pending.begin(), pending.end(), std::mt19937_64(5));
  for (int round = 0; !pending.empty(); ++round) {
    ASSERT_LT(round, 20);
    std::vector<Record> again;
    // Calls of 5,000 records, so every refusal is listed (a reply lists at most 10,000).
    for (size_t begin = 0; begin < pending.size(); begin += 5000) {
      std::vector<Record> call(pending.begin() + begin, pending.begin() + std::min(pending.size(), begin + 5000));
      v1::ImportReply r = Import(shuffled, call, 500);
      ASSERT_EQ(r.errors_omitted(), 0);
      for (const v1::RecordError& e : r.errors()) {
        ASSERT_EQ(e.code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION)) << e.DebugString();
        again.push_back(call[static_cast<size_t>(e.index())]);
      }
    }
    pending = std::move(again);
  }

  // Importing everything again is a no-op.
  v1::ImportReply again = Import(one, records);
  EXPECT_EQ(again.unchanged(), static_cast<int64_t>(records.size()));
  EXPECT_EQ(again.created(), 0);

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
  grpc::GenericStub generic(grpc::CreateChannel(server.server().address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::Slice empty("");  // HealthCheckRequest{service: ""} is zero bytes on the wire
  grpc::ByteBuffer request(&empty, 1), response;
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard lock(mu);
                      status = s;
                      done = true;
                      done_cv.notify_one();
                    });
  std::unique_lock lock(mu);
  done_cv.wait(lock, [&] { return done; });
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

}  // namespace
}  // namespace forecastle

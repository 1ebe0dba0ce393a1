// The audit trail through the API (SPEC §5, Trust): every kind of write leaves exactly one entry
// naming the caller's token, the request id (the client's x-request-id, or one the server makes
// and answers) and the method; a refused or failed write leaves none; ListAudit filters and pages.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "forecastle/v1/admin.grpc.pb.h"
#include "forecastle/v1/forecast.grpc.pb.h"
#include "forecastle/v1/ledger.grpc.pb.h"
#include "server/calls.h"
#include "server/server.h"
#include "server/tokens.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using ::forecastle::testing::FreshDatabasePath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kUuid[] = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

// A server on a fresh database, with tokens required (an admin token made as the server binary's
// --create_token makes it) or not.
class AuditedServer {
 public:
  explicit AuditedServer(bool require_tokens) : database_(FreshDatabasePath("audit.db")) {
    if (require_tokens) {
      auto store = Store::Open({database_});
      if (!store.ok()) throw std::runtime_error(store.status().ToString());
      auto minted = MintToken(**store, "root", Role::kAdmin, absl::Now(),
                              AuditContext{kLocalActor, 0, "bootstrap", "forecastle-server --create_token"});
      if (!minted.ok()) throw std::runtime_error(minted.status().ToString());
      admin_ = minted->secret;
      admin_id_ = minted->token.id;
    }
    ForecastleServer::Options options;
    options.listen = "127.0.0.1:0";
    options.database = database_;
    options.require_tokens = require_tokens;
    options.request_log = ForecastleServer::Options::RequestLogTo::kOff;
    auto server = ForecastleServer::Create(options);
    if (!server.ok()) throw std::runtime_error(server.status().ToString());
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    ledger_ = v1::LedgerService::NewStub(channel_);
    forecasts_ = v1::ForecastService::NewStub(channel_);
    admin_stub_ = v1::AdminService::NewStub(channel_);
  }

  // A context with the token (if any) and the request id (if any).
  static void Prepare(grpc::ClientContext* context, const std::string& token, const std::string& request_id = "") {
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    if (!request_id.empty()) context->AddMetadata("x-request-id", request_id);
  }

  v1::CreateTokenReply CreateToken(const std::string& name, v1::Role role) {
    grpc::ClientContext context;
    Prepare(&context, admin_);
    v1::CreateTokenRequest request;
    request.set_name(name);
    request.set_role(role);
    v1::CreateTokenReply reply;
    EXPECT_TRUE(admin_stub_->CreateToken(&context, request, &reply).ok());
    return reply;
  }

  // Every entry, newest first, as ListAudit pages through them (with the admin's token).
  std::vector<v1::AuditEntry> Trail(v1::ListAuditRequest request = {}) {
    std::vector<v1::AuditEntry> out;
    request.set_page_size(2);  // several pages, to page
    do {
      grpc::ClientContext context;
      Prepare(&context, admin_);
      v1::ListAuditReply reply;
      const grpc::Status status = admin_stub_->ListAudit(&context, request, &reply);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      out.insert(out.end(), reply.entries().begin(), reply.entries().end());
      request.set_page_token(reply.next_page_token());
    } while (!request.page_token().empty());
    return out;
  }

  v1::LedgerService::Stub& ledger() { return *ledger_; }
  v1::ForecastService::Stub& forecasts() { return *forecasts_; }
  v1::AdminService::Stub& admin_stub() { return *admin_stub_; }
  const std::string& admin() const { return admin_; }
  int64_t admin_id() const { return admin_id_; }

 private:
  std::string database_;
  std::string admin_;
  int64_t admin_id_ = 0;
  std::unique_ptr<ForecastleServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::ForecastService::Stub> forecasts_;
  std::unique_ptr<v1::AdminService::Stub> admin_stub_;
};

std::vector<std::string> Subjects(const v1::AuditEntry& entry) {
  std::vector<std::string> out;
  for (const v1::AuditSubject& subject : entry.subjects()) out.push_back(subject.kind() + " " + subject.id());
  return out;
}

// Runs `write` and returns the entries it added to the trail (newest first).
template <typename Write>
std::vector<v1::AuditEntry> Added(AuditedServer& server, Write&& write) {
  const size_t before = server.Trail().size();
  write();
  std::vector<v1::AuditEntry> after = server.Trail();
  after.resize(after.size() >= before ? after.size() - before : 0);
  return after;
}

TEST(Audit, EachKindOfWriteLeavesOneEntryNamingItsToken) {
  AuditedServer server(/*require_tokens=*/true);
  // The bootstrap token was made by the server binary, in the database: "local".
  std::vector<v1::AuditEntry> trail = server.Trail();
  ASSERT_EQ(trail.size(), 1u);
  EXPECT_EQ(trail[0].actor(), "local");
  EXPECT_EQ(trail[0].method(), "forecastle-server --create_token");
  EXPECT_THAT(Subjects(trail[0]), ElementsAre(absl::StrCat("token ", server.admin_id())));

  v1::CreateTokenReply loader, planner;
  auto created = Added(server, [&] {
    loader = server.CreateToken("loader", v1::ROLE_WRITER);
    planner = server.CreateToken("planner", v1::ROLE_PLANNER);
  });
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[1].actor(), "root");
  EXPECT_EQ(created[1].token_id(), server.admin_id());
  EXPECT_EQ(created[1].method(), "/forecastle.v1.AdminService/CreateToken");
  EXPECT_THAT(Subjects(created[1]), ElementsAre(absl::StrCat("token ", loader.token().id())));

  // A record put, with the client's request id; a forged actor in the metadata changes nothing.
  auto put = Added(server, [&] {
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, loader.secret(), "put-customer-1");
    context.AddMetadata("forecastle-caller-actor", "mallory");
    v1::Customer customer;
    customer.set_customer_id("A");
    v1::WriteReply reply;
    ASSERT_TRUE(server.ledger().PutCustomer(&context, customer, &reply).ok());
    const auto& answered = context.GetServerInitialMetadata();
    ASSERT_EQ(answered.count("x-request-id"), 1u);
    const grpc::string_ref id = answered.find("x-request-id")->second;
    EXPECT_EQ(std::string(id.data(), id.size()), "put-customer-1");
  });
  ASSERT_EQ(put.size(), 1u);
  EXPECT_EQ(put[0].actor(), "loader");
  EXPECT_EQ(put[0].token_id(), loader.token().id());
  EXPECT_EQ(put[0].request_id(), "put-customer-1");
  EXPECT_EQ(put[0].method(), "/forecastle.v1.LedgerService/PutCustomer");
  EXPECT_THAT(put[0].at(), MatchesRegex("20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"));
  EXPECT_THAT(Subjects(put[0]), ElementsAre("customer A"));

  // An import batch: one entry with every record it stored and its batch id. Without an
  // x-request-id the server makes one and answers it.
  std::string answered_id;
  auto imported = Added(server, [&] {
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, loader.secret());
    auto stream = server.ledger().Import(&context);
    v1::ImportRequest request;
    v1::ImportBatch& batch = *request.mutable_batch();
    batch.set_batch_id("run-1");
    batch.add_records()->mutable_customer()->set_customer_id("B");
    v1::Contract& contract = *batch.add_records()->mutable_contract();
    contract.set_contract_id("C-1");
    contract.set_customer_id("B");
    contract.set_signed_on("2026-01-05");
    contract.set_transaction_price("100.00");
    ASSERT_TRUE(stream->Write(request));
    v1::ImportReply reply;
    ASSERT_TRUE(stream->Read(&reply));
    EXPECT_EQ(reply.batch().created(), 2);
    request.mutable_end()->set_batches(1);
    request.mutable_end()->set_records(2);
    ASSERT_TRUE(stream->Write(request));
    ASSERT_TRUE(stream->Read(&reply));
    stream->WritesDone();
    ASSERT_TRUE(stream->Finish().ok());
    const auto& metadata = context.GetServerInitialMetadata();
    ASSERT_EQ(metadata.count("x-request-id"), 1u);
    const grpc::string_ref id = metadata.find("x-request-id")->second;
    answered_id = std::string(id.data(), id.size());
  });
  ASSERT_EQ(imported.size(), 1u);
  EXPECT_THAT(answered_id, MatchesRegex(kUuid));
  EXPECT_EQ(imported[0].request_id(), answered_id);
  EXPECT_EQ(imported[0].actor(), "loader");
  EXPECT_EQ(imported[0].method(), "/forecastle.v1.LedgerService/Import");
  EXPECT_EQ(imported[0].subject_count(), 3);
  EXPECT_THAT(Subjects(imported[0]), ElementsAre("customer B", "contract C-1", "import_batch run-1"));

  // Scenarios: created, updated, saved by a calibration, deleted; one entry each, by the planner.
  struct Step {
    std::string request_id;
    std::string method;
    std::function<grpc::Status(grpc::ClientContext*)> call;
  };
  v1::Scenario plan;
  plan.set_name("plan");
  v1::Scenario changed = plan;
  changed.set_description("changed");
  v1::CalibrateRequest calibrate;
  calibrate.set_as_of("2026-01-31");
  calibrate.set_save_as("fitted");
  v1::DeleteScenarioRequest remove;
  remove.set_name("plan");
  v1::ForecastService::Stub& stub = server.forecasts();
  v1::Scenario scenario_reply;
  v1::CalibrateReply calibrate_reply;
  v1::DeleteScenarioReply delete_reply;
  // The second calibration saves over the first (an update).
  const std::vector<Step> steps = {
      {"s1", "CreateScenario", [&](grpc::ClientContext* c) { return stub.CreateScenario(c, plan, &scenario_reply); }},
      {"s2", "UpdateScenario",
       [&](grpc::ClientContext* c) { return stub.UpdateScenario(c, changed, &scenario_reply); }},
      {"s3", "Calibrate", [&](grpc::ClientContext* c) { return stub.Calibrate(c, calibrate, &calibrate_reply); }},
      {"s4", "Calibrate", [&](grpc::ClientContext* c) { return stub.Calibrate(c, calibrate, &calibrate_reply); }},
      {"s5", "DeleteScenario", [&](grpc::ClientContext* c) { return stub.DeleteScenario(c, remove, &delete_reply); }},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.request_id);
    auto added = Added(server, [&] {
      grpc::ClientContext context;
      AuditedServer::Prepare(&context, planner.secret(), step.request_id);
      const grpc::Status status = step.call(&context);
      ASSERT_TRUE(status.ok()) << status.error_message();
    });
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added[0].actor(), "planner");
    EXPECT_EQ(added[0].request_id(), step.request_id);
    EXPECT_EQ(added[0].method(), "/forecastle.v1.ForecastService/" + step.method);
    EXPECT_THAT(Subjects(added[0]), ElementsAre(step.method == "Calibrate" ? "scenario fitted" : "scenario plan"));
  }

  // A token revoked: one entry; revoked again: none (nothing changed).
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto revoked = Added(server, [&] {
      grpc::ClientContext context;
      AuditedServer::Prepare(&context, server.admin());
      v1::RevokeTokenRequest request;
      request.set_id(planner.token().id());
      v1::RevokeTokenReply reply;
      ASSERT_TRUE(server.admin_stub().RevokeToken(&context, request, &reply).ok());
    });
    ASSERT_EQ(revoked.size(), attempt == 0 ? 1u : 0u);
    if (attempt == 0) {
      EXPECT_EQ(revoked[0].method(), "/forecastle.v1.AdminService/RevokeToken");
      EXPECT_THAT(Subjects(revoked[0]), ElementsAre(absl::StrCat("token ", planner.token().id())));
    }
  }
}

TEST(Audit, ARefusedOrFailedWriteLeavesNoEntry) {
  AuditedServer server(/*require_tokens=*/true);
  const v1::CreateTokenReply writer = server.CreateToken("writer", v1::ROLE_WRITER);
  const v1::CreateTokenReply reader = server.CreateToken("reader", v1::ROLE_READER);
  const size_t before = server.Trail().size();
  auto put = [&](const std::string& token, const v1::Invoice& invoice) {
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, token);
    v1::WriteReply reply;
    return server.ledger().PutInvoice(&context, invoice, &reply);
  };
  v1::Invoice invoice;
  invoice.set_invoice_id("I-1");
  invoice.set_contract_id("nope");
  invoice.set_issued_on("2026-01-01");
  invoice.set_amount("10.00");
  EXPECT_EQ(put(writer.secret(), invoice).error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // unknown contract
  EXPECT_EQ(put(reader.secret(), invoice).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(put("", invoice).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  invoice.set_amount("10.001");
  EXPECT_EQ(put(writer.secret(), invoice).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  {
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, server.admin());
    v1::DeleteScenarioRequest request;
    request.set_name("missing");
    v1::DeleteScenarioReply reply;
    EXPECT_EQ(server.forecasts().DeleteScenario(&context, request, &reply).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, server.admin());
    v1::RevokeTokenRequest request;
    request.set_id(999);
    v1::RevokeTokenReply reply;
    EXPECT_EQ(server.admin_stub().RevokeToken(&context, request, &reply).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(server.Trail().size(), before);
  // A record sent again as it is stored changes nothing, and has no entry either.
  v1::Customer customer;
  customer.set_customer_id("A");
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, writer.secret());
    v1::WriteReply reply;
    ASSERT_TRUE(server.ledger().PutCustomer(&context, customer, &reply).ok());
  }
  EXPECT_EQ(server.Trail().size(), before + 1);
}

TEST(Audit, WithoutTokensTheActorIsLocalAndUnusableRequestIdsAreReplaced) {
  AuditedServer server(/*require_tokens=*/false);
  for (const std::string& sent :
       {std::string("has space"), std::string(129, 'x'), std::string("ok-id_1.2:3/4+5=6@7~")}) {
    SCOPED_TRACE(sent);
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, "", sent);
    v1::Customer customer;
    customer.set_customer_id("C" + std::to_string(sent.size()));
    v1::WriteReply reply;
    ASSERT_TRUE(server.ledger().PutCustomer(&context, customer, &reply).ok());
    const auto& metadata = context.GetServerInitialMetadata();
    ASSERT_EQ(metadata.count("x-request-id"), 1u);
    const std::string answered(metadata.find("x-request-id")->second.data(),
                               metadata.find("x-request-id")->second.size());
    const std::vector<v1::AuditEntry> trail = server.Trail();
    ASSERT_FALSE(trail.empty());
    EXPECT_EQ(trail[0].actor(), "local");
    EXPECT_EQ(trail[0].token_id(), 0);
    EXPECT_EQ(trail[0].request_id(), answered);
    if (IsUsableRequestId(sent)) {
      EXPECT_EQ(answered, sent);
    } else {
      EXPECT_THAT(answered, MatchesRegex(kUuid));
    }
  }
}

TEST(Audit, ListAuditFiltersAndRefusesBadFilters) {
  AuditedServer server(/*require_tokens=*/false);
  for (const char* id : {"A", "B"}) {
    grpc::ClientContext context;
    AuditedServer::Prepare(&context, "", std::string("put-") + id);
    v1::Customer customer;
    customer.set_customer_id(id);
    v1::WriteReply reply;
    ASSERT_TRUE(server.ledger().PutCustomer(&context, customer, &reply).ok());
  }
  v1::ListAuditRequest request;
  request.set_subject_kind("record");
  request.set_subject_id("B");
  std::vector<v1::AuditEntry> found = server.Trail(request);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].request_id(), "put-B");
  request.Clear();
  request.set_actor("local");
  request.set_since("2000-01-01");
  request.set_until("2999-01-01T00:00:00+01:00");
  EXPECT_EQ(server.Trail(request).size(), 2u);
  request.set_actor("someone");
  EXPECT_EQ(server.Trail(request).size(), 0u);

  auto refused = [&](const std::function<void(v1::ListAuditRequest&)>& set, const std::string& message) {
    v1::ListAuditRequest bad;
    set(bad);
    grpc::ClientContext context;
    v1::ListAuditReply reply;
    const grpc::Status status = server.admin_stub().ListAudit(&context, bad, &reply);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << message;
    EXPECT_THAT(status.error_message(), HasSubstr(message));
  };
  refused([](auto& r) { r.set_subject_kind("invoices"); }, "subject_kind: must be one of record, customer");
  refused([](auto& r) { r.set_since("yesterday"); }, "since: must be RFC 3339");
  refused([](auto& r) { r.set_since("2026-03-02"); r.set_until("2026-03-01"); }, "until: must be after since");
  refused([](auto& r) { r.set_page_size(1001); }, "page_size: must be in [0, 1000], got 1001");
  refused([](auto& r) { r.set_page_token("x"); }, "page_token: not one this server answered");
  refused([](auto& r) { r.set_actor(std::string(101, 'a')); }, "actor: 101 bytes");
}

}  // namespace
}  // namespace forecastle

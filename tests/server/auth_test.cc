// Bearer tokens and roles (SPEC §5, Trust): the access table covers every RPC, and a server with
// --auth refuses every RPC without a token, with an unknown or revoked one (UNAUTHENTICATED), or
// with too small a role (PERMISSION_DENIED naming the role needed); a refused call changes
// nothing and answers nothing. Token secrets are never stored or listed.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "forecastle/v1/admin.grpc.pb.h"
#include "server/access.h"
#include "server/server.h"
#include "server/store.h"
#include "server/tokens.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/raw_call.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using ::forecastle::testing::FreshDatabasePath;
using ::forecastle::testing::RawUnaryCall;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kProtoFiles[] = {"forecastle/v1/ledger.proto", "forecastle/v1/actuals.proto",
                                       "forecastle/v1/forecast.proto", "forecastle/v1/admin.proto"};

// Every RPC of every forecastle.v1 service, as "/package.Service/Method".
std::vector<const google::protobuf::MethodDescriptor*> AllMethods() {
  std::vector<const google::protobuf::MethodDescriptor*> out;
  for (const char* name : kProtoFiles) {
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    EXPECT_NE(file, nullptr) << name;
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) out.push_back(file->service(s)->method(m));
    }
  }
  return out;
}

std::string FullName(const google::protobuf::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

TEST(Access, EveryRpcHasARoleAndEveryEntryIsAnRpc) {
  std::set<std::string> methods;
  for (const auto* method : AllMethods()) {
    methods.insert(FullName(*method));
    EXPECT_NE(FindMethodAccess(FullName(*method)), nullptr)
        << FullName(*method) << " has no entry in server/access.cc's table: say which role it needs";
  }
  EXPECT_GE(methods.size(), 27u);
  for (const std::string& entry : TableMethods()) {
    if (entry.rfind("/grpc.reflection.", 0) == 0) continue;
    EXPECT_TRUE(methods.count(entry)) << entry << " is in the table but is no forecastle RPC";
  }
}

TEST(Access, RolesAreOrderedAndNamed) {
  EXPECT_LT(Role::kReader, Role::kPlanner);
  EXPECT_LT(Role::kPlanner, Role::kWriter);
  EXPECT_LT(Role::kWriter, Role::kAdmin);
  for (Role role : {Role::kReader, Role::kPlanner, Role::kWriter, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_TRUE(IsOpenMethod("/grpc.health.v1.Health/Check"));
  EXPECT_FALSE(IsOpenMethod("/forecastle.v1.LedgerService/Summary"));
}

TEST(Access, CalibrateNeedsAPlannerOnlyToSave) {
  const MethodAccess* calibrate = FindMethodAccess("/forecastle.v1.ForecastService/Calibrate");
  ASSERT_NE(calibrate, nullptr);
  v1::CalibrateRequest request;
  EXPECT_EQ(NeededRole(*calibrate, &request), Role::kReader);
  EXPECT_EQ(NeededRole(*calibrate, nullptr), Role::kReader);
  request.set_save_as("fitted");
  EXPECT_EQ(NeededRole(*calibrate, &request), Role::kPlanner);
}

TEST(Tokens, SecretsAreRandomAndHashedWithSha256) {
  const std::string a = NewTokenSecret().value(), b = NewTokenSecret().value();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 67u);
  EXPECT_TRUE(LooksLikeTokenSecret(a));
  EXPECT_FALSE(LooksLikeTokenSecret("fc_" + std::string(64, 'G')));
  EXPECT_FALSE(LooksLikeTokenSecret(a.substr(1)));
  EXPECT_EQ(absl::BytesToHexString(TokenSecretSha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(CheckTokenName("planning-tool").ok());
  EXPECT_THAT(CheckTokenName(""), testing::StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name:")));
  EXPECT_THAT(CheckTokenName(" x"), testing::StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("space")));
  EXPECT_THAT(CheckTokenName("a\nb"), testing::StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("printable")));
}

// What a raw call answered.
struct Outcome {
  grpc::Status status;
  int replies = 0;
};

// Calls `method` with one request of `request` bytes (for any kind of RPC: the wire is the same),
// reading every reply, with `token` as the bearer token when not empty.
Outcome CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method, const std::string& request,
                const std::string& token) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(&context, method, &queue);
  void* tag = nullptr;
  bool ok = false;
  auto wait = [&] { return queue.Next(&tag, &ok) && ok; };
  call->StartCall(reinterpret_cast<void*>(1));
  wait();
  grpc::Slice slice(request);
  grpc::ByteBuffer buffer(&slice, 1);
  call->Write(buffer, reinterpret_cast<void*>(2));
  wait();
  call->WritesDone(reinterpret_cast<void*>(3));
  wait();
  Outcome outcome;
  for (;;) {
    grpc::ByteBuffer reply;
    call->Read(&reply, reinterpret_cast<void*>(4));
    if (!wait()) break;
    ++outcome.replies;
  }
  call->Finish(&outcome.status, reinterpret_cast<void*>(5));
  wait();
  return outcome;
}

// A server with --auth on a fresh database whose first admin token was made as
// forecastle-server --create_token makes it: in the database, before the server starts.
class AuthServer {
 public:
  AuthServer() : database_(FreshDatabasePath("auth.db")) {
    {
      auto store = Store::Open({database_});
      if (!store.ok()) throw std::runtime_error(store.status().ToString());
      auto minted = MintToken(**store, "bootstrap", Role::kAdmin, absl::Now(),
                              AuditContext{"local", 0, "bootstrap", "auth_test"});
      if (!minted.ok()) throw std::runtime_error(minted.status().ToString());
      admin_ = minted->secret;
    }
    ForecastleServer::Options options;
    options.listen = "127.0.0.1:0";
    options.database = database_;
    options.require_tokens = true;
    auto server = ForecastleServer::Create(options);
    if (!server.ok()) throw std::runtime_error(server.status().ToString());
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& admin() const { return admin_; }
  const std::string& database() const { return database_; }

  // A new token of `role`, made by the admin over the API.
  v1::CreateTokenReply Create(const std::string& name, v1::Role role) {
    v1::CreateTokenRequest request;
    request.set_name(name);
    request.set_role(role);
    v1::CreateTokenReply reply;
    const Outcome outcome =
        CallRaw(channel_, "/forecastle.v1.AdminService/CreateToken", request.SerializeAsString(), admin_);
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.error_message();
    auto stub = v1::AdminService::NewStub(channel_);
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + admin_);
    // The raw call above proves the generic path; the typed one returns the reply.
    v1::CreateTokenReply typed;
    request.set_name(name + "-typed");
    EXPECT_TRUE(stub->CreateToken(&context, request, &typed).ok());
    return typed;
  }

  // The ledger's counts, the stored scenarios, the tokens and the audit trail, as the admin sees them.
  std::string State() {
    std::string state;
    for (const char* method : {"/forecastle.v1.LedgerService/Summary", "/forecastle.v1.ForecastService/ListScenarios",
                               "/forecastle.v1.AdminService/ListTokens",
                               "/forecastle.v1.AdminService/ListAudit"}) {
      std::string reply;
      const grpc::Status status = RawUnaryCall(channel_, method, "", &reply, {{"authorization", "Bearer " + admin_}});
      EXPECT_TRUE(status.ok()) << method << ": " << status.error_message();
      state += reply;
      state += "|";
    }
    return state;
  }

 private:
  std::string database_;
  std::string admin_;
  std::unique_ptr<ForecastleServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// For each RPC, a request that would change something if it were allowed (for the writes), or a
// cheap one (for the reads); "" is the default message.
std::map<std::string, std::string> Requests(int64_t revocable_id) {
  std::map<std::string, std::string> out;
  const std::string ledger = "/forecastle.v1.LedgerService/";
  v1::Customer customer;
  customer.set_customer_id("refused-customer");
  out[ledger + "PutCustomer"] = customer.SerializeAsString();
  v1::ImportRequest import;
  import.mutable_batch()->set_batch_id("refused-batch");
  *import.mutable_batch()->add_records()->mutable_customer() = customer;
  out[ledger + "Import"] = import.SerializeAsString();
  const std::string forecasts = "/forecastle.v1.ForecastService/";
  v1::Scenario scenario;
  scenario.set_name("refused-scenario");
  out[forecasts + "CreateScenario"] = scenario.SerializeAsString();
  scenario.set_name("base");
  scenario.set_description("changed");
  out[forecasts + "UpdateScenario"] = scenario.SerializeAsString();
  v1::DeleteScenarioRequest remove;
  remove.set_name("base");
  out[forecasts + "DeleteScenario"] = remove.SerializeAsString();
  v1::CalibrateRequest calibrate;
  calibrate.set_as_of("2026-01-31");
  calibrate.set_save_as("refused-calibration");
  out[forecasts + "Calibrate"] = calibrate.SerializeAsString();
  v1::ForecastRequest forecast;
  forecast.set_as_of("2026-01-31");
  forecast.set_paths(10);
  forecast.set_horizon_months(1);
  out[forecasts + "Forecast"] = forecast.SerializeAsString();
  out[forecasts + "StreamForecast"] = forecast.SerializeAsString();
  v1::CompareRequest compare;
  *compare.mutable_base() = forecast;
  compare.add_variants("base");
  out[forecasts + "Compare"] = compare.SerializeAsString();
  v1::GetScenarioRequest get;
  get.set_name("base");
  out[forecasts + "GetScenario"] = get.SerializeAsString();
  const std::string admin = "/forecastle.v1.AdminService/";
  v1::CreateTokenRequest token;
  token.set_name("refused-token");
  token.set_role(v1::ROLE_ADMIN);
  out[admin + "CreateToken"] = token.SerializeAsString();
  v1::RevokeTokenRequest revoke;
  revoke.set_id(revocable_id);
  out[admin + "RevokeToken"] = revoke.SerializeAsString();
  return out;
}

Role NeededFor(const std::string& method, const std::string& request) {
  const MethodAccess* access = FindMethodAccess(method);
  if (access == nullptr) return Role::kAdmin;
  v1::CalibrateRequest calibrate;  // the one request whose content raises the role
  if (access->write_field != nullptr && calibrate.ParseFromString(request)) return NeededRole(*access, &calibrate);
  return access->role;
}

TEST(Auth, EveryRpcRefusesNoTokenABadOneARevokedOneAndTooSmallARoleChangingNothing) {
  AuthServer server;
  const v1::CreateTokenReply reader = server.Create("reader", v1::ROLE_READER);
  const v1::CreateTokenReply planner = server.Create("planner", v1::ROLE_PLANNER);
  const v1::CreateTokenReply writer = server.Create("writer", v1::ROLE_WRITER);
  const v1::CreateTokenReply revoked = server.Create("revoked", v1::ROLE_ADMIN);
  const v1::CreateTokenReply spare = server.Create("spare", v1::ROLE_READER);
  {
    v1::Scenario base;
    base.set_name("base");
    ASSERT_TRUE(CallRaw(server.channel(), "/forecastle.v1.ForecastService/CreateScenario", base.SerializeAsString(),
                        server.admin()).status.ok());
    v1::RevokeTokenRequest revoke;
    revoke.set_id(revoked.token().id());
    ASSERT_TRUE(CallRaw(server.channel(), "/forecastle.v1.AdminService/RevokeToken", revoke.SerializeAsString(),
                        server.admin()).status.ok());
  }
  const std::map<std::string, std::string> requests = Requests(spare.token().id());
  const std::string before = server.State();

  for (const auto* descriptor : AllMethods()) {
    const std::string method = FullName(*descriptor);
    const std::string request = requests.count(method) ? requests.at(method) : "";
    SCOPED_TRACE(method);
    // No token, a malformed one, an unknown one, a revoked one.
    for (const std::string& token : {std::string(), std::string("not-a-token"), NewTokenSecret().value(),
                                     revoked.secret()}) {
      const Outcome outcome = CallRaw(server.channel(), method, request, token);
      EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << outcome.status.error_message();
      EXPECT_EQ(outcome.replies, 0);
      EXPECT_THAT(outcome.status.error_message(), Not(HasSubstr("base")));
    }
    // Each role: refused exactly where the table says.
    const Role needed = NeededFor(method, request);
    for (const auto& [token, role] : {std::pair{reader.secret(), Role::kReader},
                                      std::pair{planner.secret(), Role::kPlanner},
                                      std::pair{writer.secret(), Role::kWriter}}) {
      if (role >= needed) continue;  // allowed: run below, after the refusals are checked
      const Outcome outcome = CallRaw(server.channel(), method, request, token);
      EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << RoleName(role);
      EXPECT_THAT(outcome.status.error_message(),
                  HasSubstr(absl::StrCat("needs the ", RoleName(needed), " role; this token has the ",
                                         RoleName(role), " role")));
      EXPECT_EQ(outcome.replies, 0);
    }
  }
  // Every refusal above left the ledger, the scenarios and the tokens as they were.
  EXPECT_EQ(server.State(), before);

  // Where the role suffices the call goes through (answered by the method itself, rightly or not).
  for (const auto* descriptor : AllMethods()) {
    const std::string method = FullName(*descriptor);
    if (method == "/forecastle.v1.AdminService/RevokeToken") continue;  // it would revoke `spare`, checked below
    const std::string request = requests.count(method) ? requests.at(method) : "";
    const Role needed = NeededFor(method, request);
    for (const auto& [token, role] : {std::pair{reader.secret(), Role::kReader},
                                      std::pair{planner.secret(), Role::kPlanner},
                                      std::pair{writer.secret(), Role::kWriter},
                                      std::pair{server.admin(), Role::kAdmin}}) {
      if (role < needed) continue;
      const Outcome outcome = CallRaw(server.channel(), method, request, token);
      EXPECT_NE(outcome.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method << " as " << RoleName(role);
      EXPECT_NE(outcome.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method << " as " << RoleName(role) << ": " << outcome.status.error_message();
    }
  }
  // Those writes did happen: the refused requests were real ones.
  EXPECT_NE(server.State(), before);
}

TEST(Auth, HealthIsOpenAndReflectionNeedsAToken) {
  AuthServer server;
  const Outcome health = CallRaw(server.channel(), "/grpc.health.v1.Health/Check", "", "");
  EXPECT_TRUE(health.status.ok()) << health.status.error_message();
  EXPECT_EQ(health.replies, 1);
  // ServerReflectionRequest{list_services: ""}.
  const std::string list_services("\x3a\x00", 2);
  const std::string reflection = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  for (const std::string& token : {std::string(), NewTokenSecret().value()}) {
    const Outcome refused = CallRaw(server.channel(), reflection, list_services, token);
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << refused.status.error_message();
    EXPECT_EQ(refused.replies, 0);
  }
  const v1::CreateTokenReply reader = server.Create("reader", v1::ROLE_READER);
  const Outcome listed = CallRaw(server.channel(), reflection, list_services, reader.secret());
  EXPECT_TRUE(listed.status.ok()) << listed.status.error_message();
  EXPECT_EQ(listed.replies, 1);
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

TEST(Auth, OnlyTheHashIsStoredAndListsShowNoSecret) {
  AuthServer server;
  const v1::CreateTokenReply made = server.Create("planning-tool", v1::ROLE_PLANNER);
  ASSERT_TRUE(LooksLikeTokenSecret(made.secret()));
  EXPECT_EQ(made.token().name(), "planning-tool-typed");
  EXPECT_EQ(made.token().role(), v1::ROLE_PLANNER);
  EXPECT_EQ(made.token().revoked_at(), "");
  EXPECT_THAT(made.token().created_at(), ::testing::MatchesRegex("20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T.*Z"));

  auto stub = v1::AdminService::NewStub(server.channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + server.admin());
  v1::ListTokensReply listed;
  ASSERT_TRUE(stub->ListTokens(&context, v1::ListTokensRequest(), &listed).ok());
  ASSERT_EQ(listed.tokens_size(), 3);  // bootstrap, planning-tool and planning-tool-typed
  EXPECT_EQ(listed.tokens(0).name(), "bootstrap");
  EXPECT_EQ(listed.tokens(0).role(), v1::ROLE_ADMIN);
  const std::string wire = listed.SerializeAsString();
  for (const std::string& secret : {made.secret(), server.admin()}) {
    EXPECT_THAT(wire, Not(HasSubstr(secret)));
    EXPECT_THAT(wire, Not(HasSubstr(TokenSecretSha256(secret))));
  }
  // The database (and its write-ahead log) holds each token's hash, never its secret.
  const std::string stored = FileBytes(server.database()) + FileBytes(server.database() + "-wal");
  for (const std::string& secret : {made.secret(), server.admin()}) {
    EXPECT_THAT(stored, Not(HasSubstr(secret)));
    EXPECT_THAT(stored, Not(HasSubstr(secret.substr(3))));
    EXPECT_THAT(stored, HasSubstr(TokenSecretSha256(secret)));
  }
}

TEST(Auth, ARevocationTakesEffectOnTheNextCall) {
  AuthServer server;
  const v1::CreateTokenReply reader = server.Create("reader", v1::ROLE_READER);
  const std::string summary = "/forecastle.v1.LedgerService/Summary";
  EXPECT_TRUE(CallRaw(server.channel(), summary, "", reader.secret()).status.ok());  // now cached
  auto stub = v1::AdminService::NewStub(server.channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + server.admin());
  v1::RevokeTokenRequest request;
  request.set_id(reader.token().id());
  v1::RevokeTokenReply reply;
  ASSERT_TRUE(stub->RevokeToken(&context, request, &reply).ok());
  EXPECT_NE(reply.token().revoked_at(), "");
  EXPECT_EQ(CallRaw(server.channel(), summary, "", reader.secret()).status.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // An unknown id is NOT_FOUND; a token, even an admin's, can be given as lower case "bearer".
  grpc::ClientContext again;
  again.AddMetadata("authorization", "bearer " + server.admin());
  request.set_id(12345);
  EXPECT_EQ(stub->RevokeToken(&again, request, &reply).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(Auth, WithoutAuthEverythingIsOpenOnLoopbackAsBefore) {
  testing::TestServer server(FreshDatabasePath("open.db"));
  grpc::ClientContext context;
  v1::SummaryReply reply;
  EXPECT_TRUE(server.ledger().Summary(&context, v1::SummaryRequest(), &reply).ok());
}

}  // namespace
}  // namespace forecastle

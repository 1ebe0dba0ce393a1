// Operations: the request log's lines are JSON with every field and never stall a call; the
// Prometheus endpoint answers text whose counters move with the calls; reflection v1 lists what
// v1alpha lists and describes the API, behind a token when tokens are required.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <set>

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "server/metrics.h"
#include "server/request_log.h"
#include "server/server.h"
#include "server/tokens.h"
#include "tests/testing/http_get.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using ::forecastle::testing::FreshDatabasePath;
using ::forecastle::testing::HttpGet;
using ::testing::HasSubstr;
using ::testing::Not;
namespace reflection = grpc::reflection::v1;

// A line of the request log as JSON, parsed by protobuf's JSON parser (a JSON object of any shape
// parses into a google.protobuf.Struct).
google::protobuf::Struct ParseJson(const std::string& line) {
  google::protobuf::Struct out;
  const auto status = google::protobuf::util::JsonStringToMessage(line, &out);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << line;
  return out;
}

TEST(RequestLog, ALineIsJsonWithEveryField) {
  FinishedCall call;
  call.method = "/forecastle.v1.LedgerService/PutCustomer";
  call.actor = "loader \"the\" \\ tool";  // quotes and backslashes escaped
  call.request_id = "req-1";
  call.peer = "ipv4:127.0.0.1:5000";
  call.code = grpc::StatusCode::INVALID_ARGUMENT;
  call.duration_ms = 12.3456;
  call.request_bytes = 42;
  call.reply_bytes = 7;
  const std::string line =
      RequestLog::JsonLine(call, absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 30, 0), absl::UTCTimeZone()));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const google::protobuf::Struct json = ParseJson(line);
  const auto& f = json.fields();
  EXPECT_EQ(f.at("time").string_value(), "2026-03-01T09:30:00.000000Z");
  EXPECT_EQ(f.at("method").string_value(), "/forecastle.v1.LedgerService/PutCustomer");
  EXPECT_EQ(f.at("tenant").string_value(), "");
  EXPECT_EQ(f.at("actor").string_value(), "loader \"the\" \\ tool");
  EXPECT_EQ(f.at("code").string_value(), "INVALID_ARGUMENT");
  EXPECT_DOUBLE_EQ(f.at("duration_ms").number_value(), 12.346);
  EXPECT_EQ(f.at("request_bytes").number_value(), 42);
  EXPECT_EQ(f.at("reply_bytes").number_value(), 7);
  EXPECT_EQ(f.at("request_id").string_value(), "req-1");
  EXPECT_EQ(f.at("peer").string_value(), "ipv4:127.0.0.1:5000");
  // Whatever bytes a client puts in a method name, the line stays one line of JSON.
  call.method = std::string("/x\n\xff\x01y");
  EXPECT_EQ(ParseJson(RequestLog::JsonLine(call, absl::Now())).fields().at("method").string_value(),
            "/x\n\u00ff\u0001y");
}

// A pipe nobody reads: recording never blocks, the lines past the limit are dropped and counted,
// and the log stops within its grace instead of waiting for a reader forever.
TEST(RequestLog, APipeNobodyReadsCostsLinesNotCalls) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  FinishedCall call;
  call.method = "/forecastle.v1.LedgerService/Summary";
  const auto start = std::chrono::steady_clock::now();
  {
    RequestLog log(fds[1], /*max_pending=*/1000);
    for (int i = 0; i < 20000; ++i) log.Record(call);  // ~5 MB: far more than a pipe holds
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_GT(log.dropped(), 10000);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(6));
  // What did get through is whole lines of JSON.
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::string text(1 << 16, '\0');
  const ssize_t n = read(fds[0], text.data(), text.size());
  ASSERT_GT(n, 0);
  text.resize(static_cast<size_t>(n));
  ParseJson(text.substr(0, text.find('\n')));
  close(fds[0]);
  close(fds[1]);
}

// The value of the sample `name{labels}` in a text exposition; -1 when absent.
double Sample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(Metrics, TheEndpointAnswersTextAndTheCountersMove) {
  ForecastleServer::Options options;
  options.metrics_listen = "127.0.0.1:0";
  testing::TestServer server(FreshDatabasePath("metrics.db"), options);
  const int port = server.server().metrics_port();
  ASSERT_GT(port, 0);

  const std::string summary = "forecastle_requests_total{code=\"OK\",method=\"/forecastle.v1.LedgerService/Summary\"}";
  const std::string before = HttpGet(port, "/metrics");
  EXPECT_THAT(before, HasSubstr(" 200 OK"));
  EXPECT_THAT(before, HasSubstr("text/plain"));
  EXPECT_EQ(Sample(before, summary), -1);
  EXPECT_EQ(Sample(before, "forecastle_records_written_total{via=\"put\"}"), 0);

  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    v1::SummaryReply reply;
    ASSERT_TRUE(server.ledger().Summary(&context, v1::SummaryRequest(), &reply).ok());
  }
  {
    grpc::ClientContext context;
    v1::Customer customer;
    customer.set_customer_id("A");
    v1::WriteReply reply;
    ASSERT_TRUE(server.ledger().PutCustomer(&context, customer, &reply).ok());
    grpc::ClientContext refused;
    customer.set_customer_id("");
    ASSERT_FALSE(server.ledger().PutCustomer(&refused, customer, &reply).ok());
  }
  const std::string after = HttpGet(port, "/metrics");
  EXPECT_EQ(Sample(after, summary), 3);
  EXPECT_EQ(Sample(after, "forecastle_request_duration_seconds_count{code=\"OK\",method=\"/forecastle.v1."
                          "LedgerService/Summary\"}"),
            3);
  EXPECT_EQ(Sample(after, "forecastle_requests_total{code=\"INVALID_ARGUMENT\",method=\"/forecastle.v1."
                          "LedgerService/PutCustomer\"}"),
            1);
  EXPECT_GT(Sample(after, "forecastle_request_bytes_total{method=\"/forecastle.v1.LedgerService/PutCustomer\"}"), 0);
  // An empty ledger's summary is an empty message: 0 bytes. PutCustomer answered created = true.
  EXPECT_EQ(Sample(after, "forecastle_reply_bytes_total{method=\"/forecastle.v1.LedgerService/Summary\"}"), 0);
  EXPECT_EQ(Sample(after, "forecastle_reply_bytes_total{method=\"/forecastle.v1.LedgerService/PutCustomer\"}"), 2);
  EXPECT_EQ(Sample(after, "forecastle_records_written_total{via=\"put\"}"), 1);
  EXPECT_EQ(Sample(after, "forecastle_records_written_total{via=\"import\"}"), 0);
  EXPECT_EQ(Sample(after, "forecastle_ledger_records"), 1);
  EXPECT_EQ(Sample(after, "forecastle_forecasts_running"), 0);
  EXPECT_EQ(Sample(after, "forecastle_forecasts_queued"), 0);
  EXPECT_GT(Sample(after, "forecastle_store_bytes"), 0);
  EXPECT_EQ(Sample(after, "forecastle_request_log_dropped_total"), 0);
  EXPECT_THAT(after, HasSubstr("# TYPE forecastle_request_duration_seconds histogram"));
}

TEST(Metrics, AMethodNoServiceHasIsLabelledOther) {
  EXPECT_EQ(ServerMetrics::MethodLabel("/forecastle.v1.LedgerService/Import"), "/forecastle.v1.LedgerService/Import");
  EXPECT_EQ(ServerMetrics::MethodLabel("/grpc.health.v1.Health/Check"), "/grpc.health.v1.Health/Check");
  EXPECT_EQ(ServerMetrics::MethodLabel("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"),
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
  EXPECT_EQ(ServerMetrics::MethodLabel("/made.up/Method123"), "other");
  EXPECT_EQ(ServerMetrics::MethodLabel(""), "other");
}

TEST(Metrics, APortInUseIsRefusedNamingIt) {
  ForecastleServer::Options options;
  options.metrics_listen = "127.0.0.1:0";
  testing::TestServer first(FreshDatabasePath("first.db"), options);
  options.metrics_listen = absl::StrCat("127.0.0.1:", first.server().metrics_port());
  options.listen = "127.0.0.1:0";
  options.database = FreshDatabasePath("second.db");
  auto second = ForecastleServer::Create(options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("cannot serve metrics on " + options.metrics_listen));
}

// Sends reflection requests on one stream of `method` (v1 or v1alpha: the same bytes) and returns
// the replies, parsed as v1 messages.
struct ReflectionOutcome {
  grpc::Status status;
  std::vector<reflection::ServerReflectionResponse> replies;
};
ReflectionOutcome Reflect(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::vector<reflection::ServerReflectionRequest>& requests,
                          const std::string& token = "") {
  const grpc::internal::RpcMethod rpc(method.c_str(), grpc::internal::RpcMethod::BIDI_STREAMING, channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel.get(), rpc,
                                                                                          &context));
  ReflectionOutcome out;
  for (const auto& request : requests) {
    grpc::Slice slice(request.SerializeAsString());
    grpc::ByteBuffer buffer(&slice, 1);
    if (!stream->Write(buffer)) break;
    grpc::ByteBuffer reply;
    if (!stream->Read(&reply)) break;
    std::vector<grpc::Slice> slices;
    (void)reply.Dump(&slices);
    std::string bytes;
    for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    out.replies.emplace_back().ParseFromString(bytes);
  }
  stream->WritesDone();
  out.status = stream->Finish();
  return out;
}

reflection::ServerReflectionRequest ListServices() {
  reflection::ServerReflectionRequest request;
  request.set_list_services("");
  return request;
}

std::set<std::string> Listed(const reflection::ServerReflectionResponse& reply) {
  std::set<std::string> out;
  for (const auto& service : reply.list_services_response().service()) out.insert(service.name());
  return out;
}

constexpr char kV1[] = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
constexpr char kV1alpha[] = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

TEST(Reflection, V1ListsWhatV1alphaListsAndDescribesTheApi) {
  testing::TestServer server(FreshDatabasePath("reflection.db"));
  auto channel = grpc::CreateChannel(server.server().address(), grpc::InsecureChannelCredentials());
  reflection::ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("forecastle.v1.LedgerService");
  reflection::ServerReflectionRequest missing;
  missing.set_file_containing_symbol("no.such.Symbol");
  reflection::ServerReflectionRequest file;
  file.set_file_by_filename("grpc/reflection/v1/reflection.proto");

  const ReflectionOutcome v1 = Reflect(channel, kV1, {ListServices(), symbol, missing, file});
  ASSERT_TRUE(v1.status.ok()) << v1.status.error_message();
  ASSERT_EQ(v1.replies.size(), 4u);
  const ReflectionOutcome v1alpha = Reflect(channel, kV1alpha, {ListServices()});
  ASSERT_TRUE(v1alpha.status.ok()) << v1alpha.status.error_message();
  ASSERT_EQ(v1alpha.replies.size(), 1u);

  const std::set<std::string> listed = Listed(v1.replies[0]);
  EXPECT_EQ(listed, Listed(v1alpha.replies[0]));
  for (const char* name : {"forecastle.v1.LedgerService", "forecastle.v1.ActualsService",
                           "forecastle.v1.ForecastService", "forecastle.v1.AdminService", "grpc.health.v1.Health",
                           "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_TRUE(listed.count(name)) << name;
  }
  // The file that declares the service, with its imports.
  std::set<std::string> files;
  for (const std::string& bytes : v1.replies[1].file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto proto;
    ASSERT_TRUE(proto.ParseFromString(bytes));
    files.insert(proto.name());
  }
  EXPECT_TRUE(files.count("forecastle/v1/ledger.proto"));
  EXPECT_EQ(v1.replies[1].original_request().file_containing_symbol(), "forecastle.v1.LedgerService");
  EXPECT_EQ(v1.replies[2].error_response().error_code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));
  ASSERT_EQ(v1.replies[3].file_descriptor_response().file_descriptor_proto_size(), 1);
}

TEST(Reflection, V1NeedsATokenWhenTokensAreRequired) {
  const std::string database = FreshDatabasePath("reflection_auth.db");
  std::string reader;
  {
    auto store = Store::Open({database});
    ASSERT_TRUE(store.ok());
    auto minted = MintToken(**store, "viewer", Role::kReader, absl::Now(), AuditContext{"local", 0, "t", "test"});
    ASSERT_TRUE(minted.ok());
    reader = minted->secret;
  }
  ForecastleServer::Options options;
  options.require_tokens = true;
  testing::TestServer server(database, options);
  auto channel = grpc::CreateChannel(server.server().address(), grpc::InsecureChannelCredentials());
  for (const char* method : {kV1, kV1alpha}) {
    SCOPED_TRACE(method);
    const ReflectionOutcome refused = Reflect(channel, method, {ListServices()});
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_TRUE(refused.replies.empty());
    const ReflectionOutcome allowed = Reflect(channel, method, {ListServices()}, reader);
    ASSERT_TRUE(allowed.status.ok()) << allowed.status.error_message();
    ASSERT_EQ(allowed.replies.size(), 1u);
    EXPECT_TRUE(Listed(allowed.replies[0]).count("forecastle.v1.LedgerService"));
  }
}

}  // namespace
}  // namespace forecastle

// Fuzzes every request of the three services (server/ledger_service.*, actuals_service.*,
// forecast_service.*): validation, conversion and the engine behind them. The input is a
// forecastle.fuzz.Session in proto binary (fuzz_session.proto): calls run in order on a fresh
// in-memory ledger holding a small sample company. Unary calls go straight to the service
// objects; the two streaming ones (Import, StreamForecast) through an in-process gRPC channel.
// Forecast work is bounded so each input runs fast: at most 16 paths, 24 months, and scenario
// rates inside their valid ranges lowered to a few arrivals a month (out-of-range values are
// kept, so their refusals are still exercised). Beyond "no crash" it asserts:
// - a refusal is one of the codes the API documents (never INTERNAL, UNKNOWN, DATA_LOSS, ...)
//   and says why;
// - a refused write leaves the ledger unchanged; an accepted new one counts once and repeating
//   it is a no-op; an import accounts for every record it received;
// - a stored scenario reads back as written (less fields unknown to this build);
// - a forecast has every metric for every month, replays bit for bit, and a stream (without an
//   early stop) ends on the same reply.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include <google/protobuf/stubs/logging.h>
#include <grpcpp/grpcpp.h>
#include <tbb/global_control.h>

#include "engine/sample/sample_company.h"
#include "fuzz_session.pb.h"
#include "server/actuals_service.h"
#include "server/forecast_service.h"
#include "server/ledger_book.h"
#include "server/ledger_service.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/message_differences.h"

namespace forecastle {
namespace {

constexpr int kMostCalls = 16;
// Requests without an as_of get this one, not today: an input then replays the same any day.
constexpr char kAsOf[] = "2026-10-31";

ForecastServiceImpl::Options Limits() {
  ForecastServiceImpl::Options limits;
  limits.max_paths = 16;
  limits.max_variants = 2;
  limits.max_horizon_months = 24;
  limits.max_path_values = 16 * 24 * 13;
  return limits;
}

// The ledger every input starts from: a sample company of a few contracts.
const std::vector<Record>& SampleLedger() {
  static const std::vector<Record>* records = [] {
    SampleOptions options;
    options.contracts = 8;
    options.seed = 7;
    absl::StatusOr<std::vector<Record>> generated = GenerateSampleCompany(options);
    FUZZ_CHECK(generated.ok(), generated.status());
    return new std::vector<Record>(*std::move(generated));
  }();
  return *records;
}

// One input's services, on a fresh in-memory ledger.
struct Services {
  Services() {
    Store::Options store;
    store.path = ":memory:";
    store.fsync_on_commit = false;
    absl::StatusOr<std::unique_ptr<LedgerBook>> opened = LedgerBook::Open(store);
    FUZZ_CHECK(opened.ok(), opened.status());
    book = *std::move(opened);
    auto written = book->Write(SampleLedger(), AuditContext{"local", 0, "fuzz", "services_fuzz"});
    FUZZ_CHECK(written.ok(), written.status());
    ledger = std::make_unique<LedgerServiceImpl>(book.get());
    actuals = std::make_unique<ActualsServiceImpl>(book.get());
    forecasts = std::make_unique<ForecastServiceImpl>(book.get(), Limits());
  }
  std::unique_ptr<LedgerBook> book;
  std::unique_ptr<LedgerServiceImpl> ledger;
  std::unique_ptr<ActualsServiceImpl> actuals;
  std::unique_ptr<ForecastServiceImpl> forecasts;
};

// Only gRPC makes a ServerReader or ServerWriter: the streaming calls go through an in-process
// channel to these relays, which hand them to the current input's services.
class LedgerRelay final : public v1::LedgerService::Service {
 public:
  grpc::Status Import(grpc::ServerContext* context,
                      grpc::ServerReaderWriter<v1::ImportReply, v1::ImportRequest>* stream) override {
    return target.load()->Import(context, stream);
  }
  std::atomic<LedgerServiceImpl*> target{nullptr};
};

class ForecastRelay final : public v1::ForecastService::Service {
 public:
  grpc::Status StreamForecast(grpc::ServerContext* context, const v1::ForecastRequest* request,
                              grpc::ServerWriter<v1::ForecastProgress>* writer) override {
    return target.load()->StreamForecast(context, request, writer);
  }
  std::atomic<ForecastServiceImpl*> target{nullptr};
};

struct InProcess {
  LedgerRelay ledger;
  ForecastRelay forecasts;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<v1::LedgerService::Stub> ledger_stub;
  std::unique_ptr<v1::ForecastService::Stub> forecast_stub;
};

InProcess& Channel() {
  static InProcess* in_process = [] {
    auto* p = new InProcess;
    grpc::ServerBuilder builder;
    // Calls come one at a time: one thread polls while another serves, and neither ever exits.
    // (A gRPC thread that exits after a forecast left its thread_local buffers behind as leaks
    // in LeakSanitizer's eyes, clang 14 with glibc 2.36.)
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 1);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
    builder.RegisterService(&p->ledger);
    builder.RegisterService(&p->forecasts);
    p->server = builder.BuildAndStart();
    FUZZ_CHECK(p->server != nullptr, "the in-process server did not start");
    std::shared_ptr<grpc::Channel> channel = p->server->InProcessChannel(grpc::ChannelArguments());
    p->ledger_stub = v1::LedgerService::NewStub(channel);
    p->forecast_stub = v1::ForecastService::NewStub(channel);
    return p;
  }();
  return *in_process;
}

// A refusal must be one the API documents, with a reason. FORECASTLE_FUZZ_VERBOSE=1 prints every
// call's outcome (to see what a seed does).
void CheckStatus(const grpc::Status& status, absl::string_view call) {
  static const bool verbose = std::getenv("FORECASTLE_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%.*s: %d %s\n", static_cast<int>(call.size()), call.data(), status.error_code(),
                            status.error_message().c_str());
  if (status.ok()) return;
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      break;
    default:
      FUZZ_CHECK(false, call, " answered code ", status.error_code(), ": ", status.error_message());
  }
  FUZZ_CHECK(!status.error_message().empty(), call, " refused without a reason");
}

// Lowers `value` to `most` when it is valid but above it; out-of-range values stay as they are.
void Lower(double& value, double most, double valid_high) {
  if (value > most && value <= valid_high) value = most;
}

void BoundDirect(v1::DirectBookings* direct) {
  if (direct->has_per_month()) {
    double v = direct->per_month();
    Lower(v, 2, 10000);
    direct->set_per_month(v);
  }
  if (direct->has_growth_per_year()) {
    double v = direct->growth_per_year();
    Lower(v, 0.5, 10);
    direct->set_growth_per_year(v);
  }
  if (direct->has_volatility()) {
    double v = direct->volatility();
    Lower(v, 0.5, 3);
    direct->set_volatility(v);
  }
}

// Keeps the work a scenario asks of a forecast small (see the opening comment).
void Bound(v1::Scenario* scenario) {
  for (v1::SegmentAssumptions& segment : *scenario->mutable_segments()) {
    if (segment.has_arrivals_per_month()) {
      double v = segment.arrivals_per_month();
      Lower(v, 5, 10000);
      segment.set_arrivals_per_month(v);
    }
    if (segment.has_new_customers()) BoundDirect(segment.mutable_new_customers());
    if (segment.has_expansions()) BoundDirect(segment.mutable_expansions());
  }
  if (scenario->has_demand_volatility()) {
    double v = scenario->demand_volatility();
    Lower(v, 0.5, 3);
    scenario->set_demand_volatility(v);
  }
}

void Bound(v1::ForecastRequest* request) {
  if (request->as_of().empty()) request->set_as_of(kAsOf);
  if (request->has_inline_scenario()) Bound(request->mutable_inline_scenario());
}

v1::SummaryReply Summary(Services& s) {
  grpc::ServerContext context;
  v1::SummaryReply reply;
  const v1::SummaryRequest request;
  const grpc::Status status = s.ledger->Summary(&context, &request, &reply);
  FUZZ_CHECK(status.ok(), status.error_message());
  return reply;
}

std::string Bytes(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

// Put*: a refusal changes nothing, a new record counts once, a repeat is a no-op.
template <typename Message>
void Put(Services& s, grpc::Status (LedgerServiceImpl::*put)(grpc::ServerContext*, const Message*, v1::WriteReply*),
         const Message& record) {
  const v1::SummaryReply before = Summary(s);
  grpc::ServerContext context;
  v1::WriteReply reply;
  const grpc::Status status = (s.ledger.get()->*put)(&context, &record, &reply);
  CheckStatus(status, Message::descriptor()->name());
  const v1::SummaryReply after = Summary(s);
  if (!status.ok() || !reply.created()) {
    FUZZ_CHECK(Bytes(after) == Bytes(before), "a refused or repeated write changed the ledger: ",
               status.error_message(), " ", record.ShortDebugString());
    return;
  }
  FUZZ_CHECK(after.records() == before.records() + 1, after.records());
  grpc::ServerContext again_context;
  v1::WriteReply again;
  const grpc::Status repeated = (s.ledger.get()->*put)(&again_context, &record, &again);
  FUZZ_CHECK(repeated.ok() && !again.created(), "a repeated write: ", repeated.error_message());
}

// An import stream (bidirectional: batches, then the end) answers each batch it stores with an
// acknowledgement whose counts add up, and the ledger grows by exactly what was acknowledged as
// created; a stream the server refuses still leaves every acknowledged batch stored.
void Import(Services& s, const fuzz::ImportStream& stream) {
  const v1::SummaryReply before = Summary(s);
  InProcess& channel = Channel();
  channel.ledger.target = s.ledger.get();
  grpc::ClientContext context;
  auto call = channel.ledger_stub->Import(&context);
  // Acknowledgements are read while batches are written, as a client must: the server's writes
  // wait for ours to be read.
  int64_t batches = 0;
  std::thread writer([&] {
    for (const v1::ImportRequest& message : stream.messages()) {
      if (!call->Write(message)) break;
      batches += message.has_batch();
    }
    call->WritesDone();
  });
  int64_t acks = 0, created = 0;
  bool summary = false;
  v1::ImportReply reply;
  while (call->Read(&reply)) {
    if (reply.has_summary()) {
      summary = true;
      continue;
    }
    FUZZ_CHECK(reply.has_batch() && !summary, "an import reply that is neither an ack nor the summary, or after it");
    const v1::ImportBatchAck& ack = reply.batch();
    ++acks;
    if (!ack.replayed()) created += ack.created();
    FUZZ_CHECK(ack.created() + ack.revised() + ack.unchanged() + ack.errors_size() == ack.received(),
               "an import ack loses records: ", ack.ShortDebugString());
    for (int i = 1; i < ack.errors_size(); ++i) {
      FUZZ_CHECK(ack.errors(i - 1).index() < ack.errors(i).index(), "import errors out of order");
    }
    for (const v1::RecordError& error : ack.errors()) {
      FUZZ_CHECK(error.index() >= 0 && error.index() < ack.received() && !error.message().empty(),
                 error.ShortDebugString());
    }
  }
  writer.join();
  const grpc::Status status = call->Finish();
  CheckStatus(status, "Import");
  FUZZ_CHECK(acks <= batches, acks, " acks for ", batches, " batches");
  FUZZ_CHECK(!status.ok() || summary, "an import answered OK without its summary");
  const v1::SummaryReply after = Summary(s);
  FUZZ_CHECK(after.records() == before.records() + created, after.records(), " records after an import that created ",
             created, " on ", before.records());
}

void PutScenario(Services& s, v1::Scenario scenario, bool update) {
  Bound(&scenario);
  grpc::ServerContext context;
  v1::Scenario reply;
  const grpc::Status status = update ? s.forecasts->UpdateScenario(&context, &scenario, &reply)
                                     : s.forecasts->CreateScenario(&context, &scenario, &reply);
  CheckStatus(status, update ? "UpdateScenario" : "CreateScenario");
  if (!status.ok()) return;
  grpc::ServerContext get_context;
  v1::GetScenarioRequest get;
  get.set_name(scenario.name());
  v1::Scenario stored;
  const grpc::Status got = s.forecasts->GetScenario(&get_context, &get, &stored);
  FUZZ_CHECK(got.ok(), "a stored scenario cannot be read: ", got.error_message());
  // Fields this build does not know (a newer client's) are not stored: JSON has no room for them.
  scenario.DiscardUnknownFields();
  const std::string differences = fuzz::MessageDifferences(scenario, stored);
  FUZZ_CHECK(differences.empty(), "a stored scenario reads back otherwise: ", differences);
}

// A forecast's reply has every metric for every month.
void CheckReply(const v1::ForecastRequest& request, const v1::ForecastReply& reply) {
  const int horizon = request.horizon_months() == 0 ? 36 : request.horizon_months();
  FUZZ_CHECK(reply.metrics_size() == forecast::kMetricCount, reply.metrics_size());
  for (const v1::MetricForecast& metric : reply.metrics()) {
    FUZZ_CHECK(metric.months_size() == horizon, metric.metric_name(), " has ", metric.months_size(), " months");
  }
  FUZZ_CHECK(reply.paths() >= 1 && reply.paths() <= (request.paths() == 0 ? 10000 : request.paths()), reply.paths());
}

void Forecast(Services& s, v1::ForecastRequest request) {
  Bound(&request);
  grpc::ServerContext context;
  v1::ForecastReply reply;
  const grpc::Status status = s.forecasts->Forecast(&context, &request, &reply);
  CheckStatus(status, "Forecast");
  if (!status.ok()) return;
  CheckReply(request, reply);
  grpc::ServerContext again_context;
  v1::ForecastReply again;
  const grpc::Status replayed = s.forecasts->Forecast(&again_context, &request, &again);
  FUZZ_CHECK(replayed.ok() && Bytes(again) == Bytes(reply), "a forecast does not replay: ", replayed.error_message());
}

void StreamForecast(Services& s, v1::ForecastRequest request) {
  Bound(&request);
  InProcess& channel = Channel();
  channel.forecasts.target = s.forecasts.get();
  grpc::ClientContext context;
  auto reader = channel.forecast_stub->StreamForecast(&context, request);
  v1::ForecastProgress progress, last;
  bool done = false;
  while (reader->Read(&progress)) {
    FUZZ_CHECK(!done, "a message after the last one");
    done = progress.done();
    last = progress;
  }
  const grpc::Status status = reader->Finish();
  CheckStatus(status, "StreamForecast");
  if (!status.ok()) return;
  FUZZ_CHECK(done, "a stream that ends without its last message");
  CheckReply(request, last.partial());
  if (request.target_relative_error() > 0) return;  // may stop early: fewer paths than the unary
  grpc::ServerContext unary_context;
  v1::ForecastReply unary;
  const grpc::Status unary_status = s.forecasts->Forecast(&unary_context, &request, &unary);
  FUZZ_CHECK(unary_status.ok() && Bytes(unary) == Bytes(last.partial()),
             "a stream ends otherwise than the unary forecast: ", unary_status.error_message());
}

void Run(Services& s, const fuzz::Call& call) {
  grpc::ServerContext context;
  switch (call.call_case()) {
    case fuzz::Call::kPutCustomer: return Put(s, &LedgerServiceImpl::PutCustomer, call.put_customer());
    case fuzz::Call::kPutContract: return Put(s, &LedgerServiceImpl::PutContract, call.put_contract());
    case fuzz::Call::kPutLine: return Put(s, &LedgerServiceImpl::PutLine, call.put_line());
    case fuzz::Call::kPutProgress: return Put(s, &LedgerServiceImpl::PutProgress, call.put_progress());
    case fuzz::Call::kPutCancellation: return Put(s, &LedgerServiceImpl::PutCancellation, call.put_cancellation());
    case fuzz::Call::kPutInvoice: return Put(s, &LedgerServiceImpl::PutInvoice, call.put_invoice());
    case fuzz::Call::kPutPayment: return Put(s, &LedgerServiceImpl::PutPayment, call.put_payment());
    case fuzz::Call::kPutOpportunity: return Put(s, &LedgerServiceImpl::PutOpportunity, call.put_opportunity());
    case fuzz::Call::kPutHeadcount: return Put(s, &LedgerServiceImpl::PutHeadcount, call.put_headcount());
    case fuzz::Call::kImport: return Import(s, call.import());
    case fuzz::Call::kSummary: {
      Summary(s);
      return;
    }
    case fuzz::Call::kGetMetrics: {
      v1::MetricsRequest request = call.get_metrics();
      if (request.as_of().empty()) request.set_as_of(kAsOf);
      v1::MetricsReply reply;
      CheckStatus(s.actuals->GetMetrics(&context, &request, &reply), "GetMetrics");
      return;
    }
    case fuzz::Call::kGetBacklog: {
      v1::BacklogRequest request = call.get_backlog();
      if (request.as_of().empty()) request.set_as_of(kAsOf);
      v1::BacklogReply reply;
      CheckStatus(s.actuals->GetBacklog(&context, &request, &reply), "GetBacklog");
      return;
    }
    case fuzz::Call::kGetSchedule: {
      v1::ScheduleRequest request = call.get_schedule();
      if (request.as_of().empty()) request.set_as_of(kAsOf);
      v1::ScheduleReply reply;
      CheckStatus(s.actuals->GetSchedule(&context, &request, &reply), "GetSchedule");
      return;
    }
    case fuzz::Call::kCreateScenario: return PutScenario(s, call.create_scenario(), false);
    case fuzz::Call::kUpdateScenario: return PutScenario(s, call.update_scenario(), true);
    case fuzz::Call::kGetScenario: {
      v1::Scenario reply;
      CheckStatus(s.forecasts->GetScenario(&context, &call.get_scenario(), &reply), "GetScenario");
      return;
    }
    case fuzz::Call::kListScenarios: {
      v1::ListScenariosReply reply;
      CheckStatus(s.forecasts->ListScenarios(&context, &call.list_scenarios(), &reply), "ListScenarios");
      return;
    }
    case fuzz::Call::kDeleteScenario: {
      v1::DeleteScenarioReply reply;
      CheckStatus(s.forecasts->DeleteScenario(&context, &call.delete_scenario(), &reply), "DeleteScenario");
      return;
    }
    case fuzz::Call::kForecast: return Forecast(s, call.forecast());
    case fuzz::Call::kStreamForecast: return StreamForecast(s, call.stream_forecast());
    case fuzz::Call::kCompare: {
      v1::CompareRequest request = call.compare();
      Bound(request.mutable_base());
      v1::CompareReply reply;
      CheckStatus(s.forecasts->Compare(&context, &request, &reply), "Compare");
      return;
    }
    case fuzz::Call::kCalibrate: {
      v1::CalibrateRequest request = call.calibrate();
      if (request.as_of().empty()) request.set_as_of(kAsOf);
      v1::CalibrateReply reply;
      CheckStatus(s.forecasts->Calibrate(&context, &request, &reply), "Calibrate");
      return;
    }
    case fuzz::Call::kBacktest: {
      v1::BacktestReply reply;
      CheckStatus(s.forecasts->Backtest(&context, &call.backtest(), &reply), "Backtest");
      return;
    }
    case fuzz::Call::CALL_NOT_SET:
      return;
  }
}

}  // namespace
}  // namespace forecastle

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace forecastle;
  // One worker: forecasts are the same at any thread count, and the fuzzer is the parallelism.
  static tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  // Inputs with strings that are not UTF-8 fail to parse, each with a log line: noise here.
  [[maybe_unused]] static auto* quiet = google::protobuf::SetLogHandler([](auto...) {});
  fuzz::Session session;
  if (!session.ParseFromArray(data, static_cast<int>(size))) return 0;
  Services services;
  int calls = 0;
  for (const fuzz::Call& call : session.calls()) {
    if (++calls > kMostCalls) break;
    Run(services, call);
  }
  return 0;
}

#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <unistd.h>

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "server/calls.h"
#include "server/malformed_requests.h"

namespace forecastle {

absl::StatusOr<std::unique_ptr<ForecastleServer>> ForecastleServer::Create(const Options& options) {
  if (options.max_message_bytes < (1 << 20) || options.max_message_bytes > (1 << 30)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_message_bytes must be in [1048576, 1073741824], got ", options.max_message_bytes));
  }
  if (options.forecasts.max_paths < 1 || options.forecasts.max_paths > 10'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_paths must be in [1, 10000000], got ", options.forecasts.max_paths));
  }
  if (options.forecasts.max_concurrent_forecasts < 1 || options.forecasts.max_concurrent_forecasts > 64) {
    return absl::InvalidArgumentError(absl::StrCat("max_concurrent_forecasts must be in [1, 64], got ",
                                                   options.forecasts.max_concurrent_forecasts));
  }
  if (options.forecasts.max_variants < 1 || options.forecasts.max_variants > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_variants must be in [1, 64], got ", options.forecasts.max_variants));
  }
  if (options.forecasts.max_horizon_months < 1 || options.forecasts.max_horizon_months > 120) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_horizon_months must be in [1, 120], got ", options.forecasts.max_horizon_months));
  }
  if (options.forecasts.max_path_values < 1000 || options.forecasts.max_path_values > 2'000'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_path_values must be in [1000, 2000000000], got ", options.forecasts.max_path_values));
  }
  if (options.forecasts.forecast_queue < 0 || options.forecasts.forecast_queue > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("forecast_queue must be in [0, 10000], got ", options.forecasts.forecast_queue));
  }
  if (options.default_deadline.count() < 1 || options.default_deadline.count() > 86400) {
    return absl::InvalidArgumentError(
        absl::StrCat("default_deadline_s must be in [1, 86400], got ", options.default_deadline.count()));
  }
  if (options.max_write_records_per_s < 1 || options.max_write_records_per_s > 1'000'000'000) {
    return absl::InvalidArgumentError(absl::StrCat("max_write_records_per_s must be in [1, 1000000000], got ",
                                                   options.max_write_records_per_s));
  }
  if (options.listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen must be host:port, got ", Quoted(options.listen)));
  }
  // Before the database: a refused listener should not have to wait for a replay to say so.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   ListenerCredentials(options.listen, options.tls, options.insecure));
  if (!options.require_tokens && !options.insecure && !IsLoopbackHost(ListenHost(options.listen))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to serve ", options.listen, ", which is not a loopback address, without tokens: anyone who "
        "can reach it could read and change the ledger. Add --auth (the first admin token comes from "
        "--create_token NAME --role admin), or --insecure if something in front of the server checks callers"));
  }
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<ForecastleServer> server(new ForecastleServer());
  server->options_ = options;
  ASSIGN_OR_RETURN(server->book_,
                   LedgerBook::Open(Store::Options{options.database, options.fsync_on_commit}));
  const CallLimits limits{options.max_message_bytes, options.default_deadline};
  server->write_rate_ = std::make_unique<WriteRate>(options.max_write_records_per_s);
  server->ledger_service_ = std::make_unique<LedgerServiceImpl>(server->book_.get(), server->write_rate_.get());
  server->actuals_service_ = std::make_unique<ActualsServiceImpl>(server->book_.get(), limits);
  server->forecast_service_ = std::make_unique<ForecastServiceImpl>(server->book_.get(), options.forecasts, limits);
  server->tokens_ = std::make_unique<TokenBook>(server->book_.get());
  server->admin_service_ = std::make_unique<AdminServiceImpl>(server->tokens_.get(), server->book_.get());

  // Each call's end goes to the request log and the metrics.
  std::vector<CallObserver> observers;
  if (options.request_log == Options::RequestLogTo::kStderr) {
    server->request_log_ = std::make_unique<RequestLog>(STDERR_FILENO);
    observers.push_back([log = server->request_log_.get()](const FinishedCall& call) { log->Record(call); });
  }
  if (!options.metrics_listen.empty()) {
    ServerMetrics::Sources sources;
    const ForecastServiceImpl* forecasts = server->forecast_service_.get();
    sources.forecasts_running = [forecasts] { return forecasts->queue().running(); };
    sources.forecasts_queued = [forecasts] { return forecasts->queue().waiting(); };
    sources.book = server->book_.get();
    sources.database_path = options.database;
    sources.request_log = server->request_log_.get();
    ASSIGN_OR_RETURN(server->metrics_, ServerMetrics::Create(options.metrics_listen, std::move(sources)));
    observers.push_back([metrics = server->metrics_.get()](const FinishedCall& call) { metrics->Observe(call); });
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  const std::pair<grpc::Service*, const char*> services[] = {
      {server->ledger_service_.get(), v1::LedgerService::service_full_name()},
      {server->actuals_service_.get(), v1::ActualsService::service_full_name()},
      {server->forecast_service_.get(), v1::ForecastService::service_full_name()},
      {server->admin_service_.get(), v1::AdminService::service_full_name()},
  };
  // Reflection v1 lists what v1alpha lists: every service the server registers.
  std::vector<std::string> listed;
  for (const auto& [service, name] : services) listed.emplace_back(name);
  for (const char* name : {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection",
                           "grpc.reflection.v1.ServerReflection"}) {
    listed.emplace_back(name);
  }
  server->reflection_v1_ = std::make_unique<ReflectionV1Service>(std::move(listed));
  // Guarded, when tokens are required, by the guard's interceptor, as v1alpha is.
  builder.RegisterService(server->reflection_v1_.get());
  // One list of interceptors: a second SetInterceptorCreators would replace the first.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(MalformedRequestInterceptorFactory());
  interceptors.push_back(std::make_unique<CallInterceptorFactory>(
      options.require_tokens ? server->tokens_.get() : nullptr, std::move(observers)));
  if (options.require_tokens) {
    server->gate_ = std::make_unique<Gate>(server->tokens_.get());
    for (auto [service, name] : services) {
      const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      builder.RegisterService(
          server->guarded_services_.emplace_back(new GuardedService(service, descriptor, server->gate_.get())).get());
    }
    interceptors.push_back(std::make_unique<GuardInterceptorFactory>(server->gate_.get()));
  } else {
    for (auto [service, descriptor] : services) builder.RegisterService(service);
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  // Health per service as well as the server's (""): a probe may ask for the one it needs.
  if (grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService()) {
    for (const auto& [service, name] : services) health->SetServingStatus(name, true);
  }
  server->startup_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return server;
}

ForecastleServer::~ForecastleServer() {
  if (server_) {
    Shutdown(std::chrono::milliseconds(0));
    server_->Wait();
  }
}

std::string ForecastleServer::address() const {
  const std::string& listen = options_.listen;
  return absl::StrCat(listen.substr(0, listen.rfind(':')), ":", port_);
}

void ForecastleServer::Shutdown(std::chrono::milliseconds grace) {
  // Probes see NOT_SERVING while in-flight calls finish.
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) health->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + grace);
}

void ForecastleServer::Wait() { server_->Wait(); }

}  // namespace forecastle

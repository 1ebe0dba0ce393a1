// Assembles the forecastle gRPC server: the ledger book on its SQLite store, the services,
// health checking, reflection (v1alpha and v1), and the call interceptor that names each call's
// caller and request id and feeds the request log and the Prometheus metrics.
#ifndef FORECASTLE_SERVER_SERVER_H_
#define FORECASTLE_SERVER_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"
#include "server/actuals_service.h"
#include "server/admin_service.h"
#include "server/forecast_service.h"
#include "server/ledger_book.h"
#include "server/guard.h"
#include "server/ledger_service.h"
#include "server/metrics.h"
#include "server/reflection_v1.h"
#include "server/request_log.h"
#include "server/tls.h"
#include "server/write_rate.h"

namespace forecastle {

class ForecastleServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:50051";  // host:port; port 0 picks a free one
    TlsOptions tls;                           // none: plaintext, which only loopback may have
    bool insecure = false;                    // allow plaintext, or no tokens, on a non-loopback `listen`
    // Every call but health checking needs a bearer token whose role access.h's table allows
    // (--auth). Off, anyone who reaches the port may do anything: loopback only, or `insecure`.
    bool require_tokens = false;
    std::string database = "forecastle.db";
    int max_message_bytes = 64 << 20;         // both directions; in [1 MiB, 1 GiB]; a reply that would
                                              // pass it is refused before it is computed
    std::chrono::seconds default_deadline{300};  // for calls that set none, in [1 s, 1 day]
    int64_t max_write_records_per_s = 1'000'000;   // ledger records written a second, server-wide
    bool fsync_on_commit = true;
    ForecastServiceImpl::Options forecasts;
    // One JSON line per call on stderr (server/request_log.h), or none (--request_log).
    enum class RequestLogTo { kOff, kStderr };
    RequestLogTo request_log = RequestLogTo::kStderr;
    // Prometheus metrics (server/metrics.h) at http://metrics_listen/metrics: "" serves none;
    // "host:port", port 0 picking a free one (--metrics_port serves on the host of `listen`).
    std::string metrics_listen;
  };

  // Opens the database, replays the ledger and starts serving. Fails when the address cannot be
  // bound, the database cannot be opened, or an option is out of range or inconsistent
  // (INVALID_ARGUMENT: a TLS file that cannot be read, plaintext off loopback, see tls.h; no
  // tokens required off loopback without `insecure`).
  static absl::StatusOr<std::unique_ptr<ForecastleServer>> Create(const Options& options);
  ~ForecastleServer();

  int port() const { return port_; }
  // The metrics' port; 0 when none are served.
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  std::string address() const;
  // "plaintext", "TLS" or "mutual TLS".
  const char* transport() const { return TransportName(options_.tls); }
  double startup_seconds() const { return startup_seconds_; }
  // Stops accepting calls; in-flight calls get until `grace` to finish, then are cancelled.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(10));
  void Wait();
  LedgerBook& book() { return *book_; }

 private:
  ForecastleServer() = default;

  Options options_;
  int port_ = 0;
  double startup_seconds_ = 0;
  std::unique_ptr<LedgerBook> book_;
  std::unique_ptr<WriteRate> write_rate_;
  std::unique_ptr<LedgerServiceImpl> ledger_service_;
  std::unique_ptr<ActualsServiceImpl> actuals_service_;
  std::unique_ptr<ForecastServiceImpl> forecast_service_;
  std::unique_ptr<TokenBook> tokens_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<ReflectionV1Service> reflection_v1_;
  std::unique_ptr<Gate> gate_;                                   // with require_tokens
  std::vector<std::unique_ptr<GuardedService>> guarded_services_;  // the services, behind gate_
  // The call interceptor's observers: they outlive the server's calls, and the metrics read the
  // services and the book, which outlive them.
  std::unique_ptr<RequestLog> request_log_;
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_SERVER_H_

// Prometheus metrics (operations), from Debian's prometheus-cpp, served as text at
// http://HOST:PORT/metrics on a port of their own (--metrics_port):
//   forecastle_requests_total{method,code}             calls ended, by method and status code
//   forecastle_request_duration_seconds{method,code}   their latency, a histogram
//   forecastle_request_bytes_total{method}             request messages received, serialized bytes
//   forecastle_reply_bytes_total{method}               reply messages sent, serialized bytes
//   forecastle_forecasts_running                       forecasts (comparisons, backtests) running now
//   forecastle_forecasts_queued                        forecasts waiting for a turn now
//   forecastle_records_written_total{via}              ledger records stored since start: "import", "put"
//   forecastle_ledger_records                          records the ledger holds now
//   forecastle_store_bytes                             the database file and its WAL on disk, now
//   forecastle_request_log_dropped_total               request log lines dropped (request_log.h)
// `method` is the RPC's full name for the server's own methods, health and reflection, and
// "other" for anything else a client may name, so that no client can grow the label set.
#ifndef FORECASTLE_SERVER_METRICS_H_
#define FORECASTLE_SERVER_METRICS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/calls.h"
#include "server/ledger_book.h"
#include "server/request_log.h"

namespace prometheus {
class Exposer;
class Registry;
template <typename T> class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace forecastle {

class LiveMetrics;  // what a scrape reads as it happens

class ServerMetrics {
 public:
  // What a scrape reads as it happens.
  struct Sources {
    std::function<int()> forecasts_running = [] { return 0; };
    std::function<int()> forecasts_queued = [] { return 0; };
    const LedgerBook* book = nullptr;
    std::string database_path;                // its size, and its -wal file's
    const RequestLog* request_log = nullptr;  // null when the log is off
  };

  // Serves the metrics on `listen` ("host:port"; port 0 picks a free one). UNAVAILABLE when it
  // cannot listen there.
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Create(const std::string& listen, Sources sources);
  ~ServerMetrics();

  // Counts a call that ended. Thread-safe.
  void Observe(const FinishedCall& call);
  int port() const { return port_; }
  // The text a scrape gets now (Prometheus text format 0.0.4).
  std::string Text() const;

  // The `method` label of a method name (see above).
  static std::string MethodLabel(const std::string& method);

 private:
  ServerMetrics() = default;

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<LiveMetrics> live_;
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Family<prometheus::Histogram>* durations_ = nullptr;
  prometheus::Family<prometheus::Counter>* request_bytes_ = nullptr;
  prometheus::Family<prometheus::Counter>* reply_bytes_ = nullptr;
  std::unique_ptr<prometheus::Exposer> exposer_;  // last: stops serving before the rest goes
  int port_ = 0;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_METRICS_H_

#include "server/metrics.h"

#include <sys/stat.h>

#include <exception>

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"
#include "server/access.h"

namespace forecastle {
namespace {

int64_t FileBytes(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : 0;
}

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  return family;
}

prometheus::ClientMetric Value(prometheus::MetricType type, double value,
                               std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return metric;
}

}  // namespace

// The metrics read from the server's parts at each scrape, rather than counted as calls end.
class LiveMetrics final : public prometheus::Collectable {
 public:
  explicit LiveMetrics(ServerMetrics::Sources sources) : sources_(std::move(sources)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    using prometheus::MetricType;
    std::vector<prometheus::MetricFamily> out;
    auto add = [&](const char* name, const char* help, MetricType type, std::vector<prometheus::ClientMetric> values) {
      prometheus::MetricFamily family = Family(name, help, type);
      family.metric = std::move(values);
      out.push_back(std::move(family));
    };
    add("forecastle_forecasts_running", "Forecasts, comparisons and backtests running now.", MetricType::Gauge,
        {Value(MetricType::Gauge, sources_.forecasts_running())});
    add("forecastle_forecasts_queued", "Forecasts waiting for a turn now (--forecast_queue).", MetricType::Gauge,
        {Value(MetricType::Gauge, sources_.forecasts_queued())});
    if (sources_.book != nullptr) {
      add("forecastle_records_written_total", "Ledger records stored since the server started, by how they came.",
          MetricType::Counter,
          {Value(MetricType::Counter, static_cast<double>(sources_.book->records_imported()), {{"via", "import"}}),
           Value(MetricType::Counter, static_cast<double>(sources_.book->records_put()), {{"via", "put"}})});
      const int64_t records =
          sources_.book->Read([](const Ledger& ledger) { return static_cast<int64_t>(ledger.record_count()); });
      add("forecastle_ledger_records", "Records the ledger holds.", MetricType::Gauge,
          {Value(MetricType::Gauge, static_cast<double>(records))});
    }
    if (!sources_.database_path.empty()) {
      const int64_t bytes = FileBytes(sources_.database_path) + FileBytes(sources_.database_path + "-wal");
      add("forecastle_store_bytes", "Bytes of the SQLite database and its write-ahead log on disk.",
          MetricType::Gauge, {Value(MetricType::Gauge, static_cast<double>(bytes))});
    }
    add("forecastle_request_log_dropped_total",
        "Request log lines dropped: too many waiting for a slow reader, or stderr refused them.",
        MetricType::Counter,
        {Value(MetricType::Counter,
               sources_.request_log != nullptr ? static_cast<double>(sources_.request_log->dropped()) : 0.0)});
    return out;
  }

 private:
  ServerMetrics::Sources sources_;
};

std::string ServerMetrics::MethodLabel(const std::string& method) {
  if (FindMethodAccess(method) != nullptr || method == "/grpc.health.v1.Health/Check" ||
      method == "/grpc.health.v1.Health/Watch") {
    return method;
  }
  return "other";
}

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Create(const std::string& listen, Sources sources) {
  std::unique_ptr<ServerMetrics> metrics(new ServerMetrics());
  metrics->registry_ = std::make_shared<prometheus::Registry>();
  prometheus::Registry& registry = *metrics->registry_;
  metrics->requests_ = &prometheus::BuildCounter()
                            .Name("forecastle_requests_total")
                            .Help("Calls ended, by method and status code.")
                            .Register(registry);
  metrics->durations_ = &prometheus::BuildHistogram()
                             .Name("forecastle_request_duration_seconds")
                             .Help("Call latency from the call's start to its status, by method and status code.")
                             .Register(registry);
  metrics->request_bytes_ = &prometheus::BuildCounter()
                                 .Name("forecastle_request_bytes_total")
                                 .Help("Serialized request messages received, by method.")
                                 .Register(registry);
  metrics->reply_bytes_ = &prometheus::BuildCounter()
                               .Name("forecastle_reply_bytes_total")
                               .Help("Serialized reply messages sent, by method.")
                               .Register(registry);
  metrics->live_ = std::make_shared<LiveMetrics>(std::move(sources));
  try {
    // One thread serves scrapes: a scrape is a few microseconds of work.
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  metrics->exposer_->RegisterCollectable(metrics->live_);
  const std::vector<int> ports = metrics->exposer_->GetListeningPorts();
  if (ports.empty()) return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen));
  metrics->port_ = ports.front();
  return metrics;
}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::Observe(const FinishedCall& call) {
  static const prometheus::Histogram::BucketBoundaries kSeconds = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  const std::string method = MethodLabel(call.method);
  const std::map<std::string, std::string> labels = {{"method", method}, {"code", StatusCodeName(call.code)}};
  requests_->Add(labels).Increment();
  durations_->Add(labels, kSeconds).Observe(call.duration_ms / 1000.0);
  request_bytes_->Add({{"method", method}}).Increment(static_cast<double>(call.request_bytes));
  reply_bytes_->Add({{"method", method}}).Increment(static_cast<double>(call.reply_bytes));
}

std::string ServerMetrics::Text() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  std::vector<prometheus::MetricFamily> live = live_->Collect();
  families.insert(families.end(), live.begin(), live.end());
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace forecastle

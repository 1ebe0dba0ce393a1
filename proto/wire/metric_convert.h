// Metrics on the wire: v1::Metric holds one value per forecast::Metric, in the same order
// (number = metric + 1), and messages carry the metric's name beside it for clients older than the
// enum. The names themselves are engine/forecast/metric.h's: one table for every client.
#ifndef FORECASTLE_PROTO_WIRE_METRIC_CONVERT_H_
#define FORECASTLE_PROTO_WIRE_METRIC_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/forecast/metric.h"
#include "forecastle/v1/forecast.pb.h"

namespace forecastle {

v1::Metric MetricToProto(forecast::Metric metric);

// The metric a request names by `value` or, from a client older than the enum, by `name`; when
// both are given they must agree. Errors are INVALID_ARGUMENT about `field` (the enum's field;
// `field`_name for the name).
absl::StatusOr<forecast::Metric> MetricFromProto(v1::Metric value, absl::string_view name, absl::string_view field);

// Sets a message's metric and its name (MetricForecast, Target, BacktestScore).
template <typename M>
void SetMetric(forecast::Metric metric, M* message) {
  message->set_metric(MetricToProto(metric));
  message->set_metric_name(std::string(forecast::MetricName(metric)));
}

// The name of a reply's metric: its enum's, or from a server older than the enum its
// metric_name; "metric 99" for a value this build does not know.
std::string MetricNameOf(v1::Metric value, absl::string_view name);
template <typename M>
std::string MetricNameOf(const M& message) {
  return MetricNameOf(message.metric(), message.metric_name());
}

}  // namespace forecastle

#endif  // FORECASTLE_PROTO_WIRE_METRIC_CONVERT_H_

#include "proto/wire/metric_convert.h"

#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

bool Known(v1::Metric value) { return value > v1::METRIC_UNSPECIFIED && value <= forecast::kMetricCount; }

forecast::Metric FromKnown(v1::Metric value) { return static_cast<forecast::Metric>(value - 1); }

}  // namespace

v1::Metric MetricToProto(forecast::Metric metric) { return static_cast<v1::Metric>(metric + 1); }

absl::StatusOr<forecast::Metric> MetricFromProto(v1::Metric value, absl::string_view name, absl::string_view field) {
  const std::string name_field = absl::StrCat(field, "_name");
  if (value == v1::METRIC_UNSPECIFIED) {
    if (name.empty()) return InvalidFieldError(field, "required");
    return forecast::ParseMetric(name, name_field);
  }
  if (!Known(value)) return InvalidFieldError(field, absl::StrCat("no metric has the enum value ", value));
  const forecast::Metric metric = FromKnown(value);
  if (!name.empty()) {
    ASSIGN_OR_RETURN(const forecast::Metric named, forecast::ParseMetric(name, name_field));
    if (named != metric) {
      return InvalidFieldError(name_field, absl::StrCat("\"", name, "\" is not the metric ", field, " names, ",
                                                        std::string(forecast::MetricName(metric))));
    }
  }
  return metric;
}

std::string MetricNameOf(v1::Metric value, absl::string_view name) {
  if (Known(value)) return std::string(forecast::MetricName(FromKnown(value)));
  if (value != v1::METRIC_UNSPECIFIED) return absl::StrCat("metric ", static_cast<int>(value));
  return std::string(name);
}

}  // namespace forecastle

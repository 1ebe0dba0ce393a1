#include "engine/forecast/metric.h"

#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"

namespace forecastle::forecast {
namespace {

constexpr std::string_view kMetricNames[kMetricCount] = {
    "bookings", "revenue", "billings", "collections", "backlog", "unbilled_backlog",
    "deferred_revenue", "accounts_receivable", "work_backlog_hours", "capacity_hours",
    "utilization", "headcount", "delivery_cost"};

}  // namespace

std::string_view MetricName(Metric metric) { return kMetricNames[metric]; }

absl::StatusOr<Metric> ParseMetric(absl::string_view name, absl::string_view field) {
  for (int metric = 0; metric < kMetricCount; ++metric) {
    if (MetricName(static_cast<Metric>(metric)) == std::string_view(name.data(), name.size())) {
      return static_cast<Metric>(metric);
    }
  }
  std::string names;
  for (std::string_view known : kMetricNames) (names += names.empty() ? "" : ", ") += known;
  return InvalidFieldError(field, absl::StrCat("no metric ", Quoted(name), "; one of ", names));
}

}  // namespace forecastle::forecast

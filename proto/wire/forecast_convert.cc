#include "proto/wire/forecast_convert.h"

#include <cmath>
#include <type_traits>
#include <variant>

#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"
#include "engine/common/status_macros.h"
#include "proto/wire/convert.h"
#include "proto/wire/metric_convert.h"

namespace forecastle {
namespace {

using forecast::FieldMarks;
using forecast::Fields;
using forecast::TableRecord;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

template <typename V>
inline constexpr bool kIsRecordList = false;
template <TableRecord U>
inline constexpr bool kIsRecordList<std::vector<U>> = true;

std::string Join(const std::string& path, absl::string_view name) {
  return path.empty() ? std::string(name) : absl::StrCat(path, ".", name);
}

// The message's field of that name (the tables of scenario_fields.h use forecast.proto's names; a
// test checks every one has its field).
const FieldDescriptor* FieldNamed(const Message& message, absl::string_view name) {
  return message.GetDescriptor()->FindFieldByName(std::string(name));
}

// Whether a message sets a field: a list with elements, a field with presence that is present, a
// string or enum without presence that is not empty or 0.
bool Present(const Message& message, const FieldDescriptor* field) {
  const auto* reflection = message.GetReflection();
  return field->is_repeated() ? reflection->FieldSize(message, field) > 0 : reflection->HasField(message, field);
}

absl::StatusOr<LineKind> KindFromProto(int kind, const std::string& field) {
  switch (kind) {
    case v1::LINE_KIND_RATABLE: return LineKind::kRatable;
    case v1::LINE_KIND_EFFORT: return LineKind::kEffort;
    case v1::LINE_KIND_DELIVERY: return LineKind::kDelivery;
    default: return InvalidField(field, absl::StrCat(" must be ratable, effort or delivery, got ", kind));
  }
}

v1::LineKind KindToProto(LineKind kind) {
  switch (kind) {
    case LineKind::kRatable: return v1::LINE_KIND_RATABLE;
    case LineKind::kEffort: return v1::LINE_KIND_EFFORT;
    case LineKind::kDelivery: return v1::LINE_KIND_DELIVERY;
  }
  return v1::LINE_KIND_UNSPECIFIED;
}

absl::StatusOr<forecast::BillingTerms> BillingFromProto(int terms, const std::string& field) {
  switch (terms) {
    case v1::BILLING_TERMS_UNSPECIFIED:
    case v1::BILLING_TERMS_ANNUAL_UPFRONT: return forecast::BillingTerms::kAnnualUpfront;
    case v1::BILLING_TERMS_QUARTERLY_UPFRONT: return forecast::BillingTerms::kQuarterlyUpfront;
    case v1::BILLING_TERMS_MONTHLY_UPFRONT: return forecast::BillingTerms::kMonthlyUpfront;
    case v1::BILLING_TERMS_MONTHLY_IN_ARREARS: return forecast::BillingTerms::kMonthlyInArrears;
    case v1::BILLING_TERMS_ON_DELIVERY: return forecast::BillingTerms::kOnDelivery;
    default: return InvalidField(field, absl::StrCat(": unknown billing terms ", terms));
  }
}

// Reading one set field of `message` into the engine's value, by the kind of value; `path` names
// the field in errors ("segments[1].seasonality").
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string&, double& out) {
  out = m.GetReflection()->GetDouble(m, f);
  return absl::OkStatus();
}
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string&, int& out) {
  out = m.GetReflection()->GetInt32(m, f);
  return absl::OkStatus();
}
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string&, std::string& out) {
  out = m.GetReflection()->GetString(m, f);
  return absl::OkStatus();
}
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string& path, LineKind& out) {
  ASSIGN_OR_RETURN(out, KindFromProto(m.GetReflection()->GetEnumValue(m, f), path));
  return absl::OkStatus();
}
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string& path, forecast::BillingTerms& out) {
  ASSIGN_OR_RETURN(out, BillingFromProto(m.GetReflection()->GetEnumValue(m, f), path));
  return absl::OkStatus();
}
template <size_t N>
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string& path, std::array<double, N>& out) {
  const int n = m.GetReflection()->FieldSize(m, f);
  if (n != static_cast<int>(N)) return InvalidField(path, absl::StrCat(" must have ", N, " values, got ", n));
  for (int k = 0; k < n; ++k) out[static_cast<size_t>(k)] = m.GetReflection()->GetRepeatedDouble(m, f, k);
  return absl::OkStatus();
}
// (key, value) pairs: messages whose first field is the key (a product, a stage, days) and whose
// second is the double (a share, a probability).
template <typename Key>
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string&, std::vector<std::pair<Key, double>>& out) {
  out.clear();
  for (int k = 0; k < m.GetReflection()->FieldSize(m, f); ++k) {
    const Message& pair = m.GetReflection()->GetRepeatedMessage(m, f, k);
    const auto* fields = pair.GetDescriptor();
    const auto* reflection = pair.GetReflection();
    if constexpr (std::is_same_v<Key, std::string>) {
      out.emplace_back(reflection->GetString(pair, fields->field(0)), reflection->GetDouble(pair, fields->field(1)));
    } else {
      out.emplace_back(reflection->GetInt32(pair, fields->field(0)), reflection->GetDouble(pair, fields->field(1)));
    }
  }
  return absl::OkStatus();
}
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string& path, std::vector<forecast::Hire>& out) {
  out.clear();
  for (int k = 0; k < m.GetReflection()->FieldSize(m, f); ++k) {
    const auto& hire = static_cast<const v1::Hire&>(m.GetReflection()->GetRepeatedMessage(m, f, k));
    const std::string month_field = absl::StrCat(path, "[", k, "].month");
    auto month = ParseMonth(hire.month(), month_field);
    if (!month.ok()) return NamingField(month.status(), month_field);
    out.push_back(forecast::Hire{hire.team(), *month, hire.count()});
  }
  return absl::OkStatus();
}
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string&, std::vector<forecast::TermShare>& out) {
  out.clear();
  for (int k = 0; k < m.GetReflection()->FieldSize(m, f); ++k) {
    const auto& term = static_cast<const v1::TermShare&>(m.GetReflection()->GetRepeatedMessage(m, f, k));
    out.push_back(forecast::TermShare{term.months(), term.share()});
  }
  return absl::OkStatus();
}
absl::Status Read(const Message& m, const FieldDescriptor* f, const std::string&, std::vector<std::vector<double>>& out) {
  out.clear();
  for (int k = 0; k < m.GetReflection()->FieldSize(m, f); ++k) {
    const auto& row = static_cast<const v1::CorrelationRow&>(m.GetReflection()->GetRepeatedMessage(m, f, k));
    out.emplace_back(row.values().begin(), row.values().end());
  }
  return absl::OkStatus();
}

// Every field of R's table that `message` sets, read into `out` and marked in `marks`.
template <TableRecord R>
absl::Status RecordFromMessage(const Message& message, const std::string& path, R& out, FieldMarks& marks) {
  const auto& fields = Fields<R>::kAll;
  for (size_t i = 0; i < std::size(fields); ++i) {
    const FieldDescriptor* f = FieldNamed(message, fields[i].name);
    if (f == nullptr) return absl::InternalError(absl::StrCat(message.GetTypeName(), " has no field ", fields[i].name));
    if (!Present(message, f)) continue;
    marks.Set(i);
    const std::string at = Join(path, fields[i].name);
    const auto* reflection = message.GetReflection();
    RETURN_IF_ERROR(std::visit(
        [&](auto member) -> absl::Status {
          auto& value = out.*member;
          using V = std::remove_cvref_t<decltype(value)>;
          if constexpr (TableRecord<V>) {
            return RecordFromMessage(reflection->GetMessage(message, f), at, value, marks.Inner(i));
          } else if constexpr (kIsRecordList<V>) {
            value.clear();
            for (int k = 0; k < reflection->FieldSize(message, f); ++k) {
              RETURN_IF_ERROR(RecordFromMessage(reflection->GetRepeatedMessage(message, f, k), absl::StrCat(at, "[", k, "]"),
                                                value.emplace_back(), marks.Inner(i, static_cast<size_t>(k))));
            }
            return absl::OkStatus();
          } else {
            return Read(message, f, at, value);
          }
        },
        fields[i].member));
  }
  return absl::OkStatus();
}

// Writing one engine value into its field of `m`, by the kind of value.
void Write(double value, Message* m, const FieldDescriptor* f) { m->GetReflection()->SetDouble(m, f, value); }
void Write(int value, Message* m, const FieldDescriptor* f) { m->GetReflection()->SetInt32(m, f, value); }
void Write(const std::string& value, Message* m, const FieldDescriptor* f) { m->GetReflection()->SetString(m, f, value); }
void Write(LineKind value, Message* m, const FieldDescriptor* f) { m->GetReflection()->SetEnumValue(m, f, KindToProto(value)); }
void Write(forecast::BillingTerms value, Message* m, const FieldDescriptor* f) {
  m->GetReflection()->SetEnumValue(m, f, static_cast<int>(value) + 1);  // BILLING_TERMS_ANNUAL_UPFRONT is 1
}
template <size_t N>
void Write(const std::array<double, N>& values, Message* m, const FieldDescriptor* f) {
  m->GetReflection()->ClearField(m, f);
  for (double v : values) m->GetReflection()->AddDouble(m, f, v);
}
template <typename Key>
void Write(const std::vector<std::pair<Key, double>>& pairs, Message* m, const FieldDescriptor* f) {
  m->GetReflection()->ClearField(m, f);
  for (const auto& [key, value] : pairs) {
    Message* pair = m->GetReflection()->AddMessage(m, f);
    const auto* fields = pair->GetDescriptor();
    if constexpr (std::is_same_v<Key, std::string>) {
      pair->GetReflection()->SetString(pair, fields->field(0), key);
    } else {
      pair->GetReflection()->SetInt32(pair, fields->field(0), key);
    }
    pair->GetReflection()->SetDouble(pair, fields->field(1), value);
  }
}
void Write(const std::vector<forecast::Hire>& hires, Message* m, const FieldDescriptor* f) {
  m->GetReflection()->ClearField(m, f);
  for (const forecast::Hire& hire : hires) {
    auto* out = static_cast<v1::Hire*>(m->GetReflection()->AddMessage(m, f));
    out->set_team(hire.team);
    out->set_month(FormatMonth(hire.month));
    out->set_count(hire.count);
  }
}
void Write(const std::vector<forecast::TermShare>& terms, Message* m, const FieldDescriptor* f) {
  m->GetReflection()->ClearField(m, f);
  for (const forecast::TermShare& term : terms) {
    auto* out = static_cast<v1::TermShare*>(m->GetReflection()->AddMessage(m, f));
    out->set_months(term.months);
    out->set_share(term.share);
  }
}
void Write(const std::vector<std::vector<double>>& rows, Message* m, const FieldDescriptor* f) {
  m->GetReflection()->ClearField(m, f);
  for (const std::vector<double>& row : rows) {
    auto* out = static_cast<v1::CorrelationRow*>(m->GetReflection()->AddMessage(m, f));
    for (double v : row) out->add_values(v);
  }
}

// Every field of R's table that `marks` sets, written into `message`.
template <TableRecord R>
void RecordToMessage(const R& in, const FieldMarks& marks, Message* message) {
  const auto& fields = Fields<R>::kAll;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (!marks.Has(i)) continue;
    const FieldDescriptor* f = FieldNamed(*message, fields[i].name);
    const auto* reflection = message->GetReflection();
    std::visit(
        [&](auto member) {
          const auto& value = in.*member;
          using V = std::remove_cvref_t<decltype(value)>;
          if constexpr (TableRecord<V>) {
            RecordToMessage(value, marks.Inner(i), reflection->MutableMessage(message, f));
          } else if constexpr (kIsRecordList<V>) {
            reflection->ClearField(message, f);
            for (size_t k = 0; k < value.size(); ++k) RecordToMessage(value[k], marks.Inner(i, k), reflection->AddMessage(message, f));
          } else {
            Write(value, message, f);
          }
        },
        fields[i].member);
  }
}

void SummaryToProto(const forecast::Summary& s, const std::string& month, v1::MonthSummary* out) {
  out->set_month(month);
  out->set_mean(s.mean);
  out->set_std(s.std);
  out->set_standard_error(s.standard_error);
  for (double q : s.quantiles) out->add_quantiles(q);
}

}  // namespace

absl::StatusOr<forecast::PartialScenario> PartialScenarioFromProto(const v1::Scenario& message) {
  forecast::PartialScenario scenario;
  scenario.values.name = message.name();
  scenario.values.base = message.base();
  scenario.values.description = message.description();
  RETURN_IF_ERROR(RecordFromMessage(message, "", scenario.values, scenario.marks));
  return scenario;
}

v1::Scenario PartialScenarioToProto(const forecast::PartialScenario& scenario) {
  v1::Scenario message;
  message.set_name(scenario.values.name);
  message.set_base(scenario.values.base);
  message.set_description(scenario.values.description);
  RecordToMessage(scenario.values, scenario.marks, &message);
  return message;
}

absl::StatusOr<forecast::Scenario> ScenarioFromProto(const v1::Scenario& message) {
  ASSIGN_OR_RETURN(const forecast::PartialScenario root, PartialScenarioFromProto(message));
  ASSIGN_OR_RETURN(forecast::Scenario scenario, forecast::OverDefaults(root));
  RETURN_IF_ERROR(forecast::Validate(scenario));
  return scenario;
}

v1::Scenario ScenarioToProto(const forecast::Scenario& scenario) { return PartialScenarioToProto(forecast::Whole(scenario)); }

int64_t ForecastReplyBytes(int horizon, int quantiles, int targets, int variants) {
  v1::MonthSummary summary;
  summary.set_month("2026-01");
  summary.set_mean(1);
  summary.set_std(1);
  summary.set_standard_error(1);
  for (int q = 0; q < quantiles; ++q) summary.add_quantiles(1);
  v1::MonthSummary share;  // probability_higher: a month and a mean
  share.set_month("2026-01");
  share.set_mean(1);
  const int64_t months = horizon, one = EmbeddedBytes(summary);
  constexpr int64_t kRest = 16384;  // actuals, the resolved scenario, names and counts: a bound
  const int64_t forecast = forecast::kMetricCount * (months * one + 24) + (months * 8 + 4) +
                           targets * (months * 8 + 48) + one + kRest;
  const int64_t comparison = forecast::kMetricCount * 2 * 24 + forecast::kMetricCount * months * (one + EmbeddedBytes(share));
  return (1 + int64_t{variants}) * forecast + int64_t{variants} * comparison;
}

absl::StatusOr<forecast::ForecastQuery> ForecastQueryFromProto(const v1::ForecastRequest& request) {
  forecast::ForecastQuery query;
  query.scenario = request.scenario();
  if (request.has_inline_scenario()) {
    ASSIGN_OR_RETURN(query.inline_scenario, PartialScenarioFromProto(request.inline_scenario()));
  }
  if (!request.as_of().empty()) {
    ASSIGN_OR_RETURN(query.as_of, ParseAsOf(request.as_of(), Date{}));
  }
  if (request.horizon_months() != 0) query.horizon_months = request.horizon_months();
  if (request.paths() != 0) query.paths = request.paths();
  query.seed = request.seed();
  if (request.quantiles_size() > 0) query.quantiles.assign(request.quantiles().begin(), request.quantiles().end());
  if (request.strain_months() != 0) query.strain_months = request.strain_months();  // NaN too: the engine refuses it
  for (int t = 0; t < request.targets_size() && static_cast<size_t>(t) <= forecast::kMaxTargets; ++t) {  // one past: the engine refuses the count
    const v1::Target& target = request.targets(t);
    ASSIGN_OR_RETURN(forecast::Metric metric, MetricFromProto(target.metric(), target.metric_name(),
                                                              absl::StrCat("targets[", t, "].metric")));
    query.targets.push_back({std::string(forecast::MetricName(metric)), target.value()});
  }
  query.target_relative_error = request.target_relative_error();
  return query;
}

absl::StatusOr<forecast::CompareQuery> CompareQueryFromProto(const v1::CompareRequest& request) {
  forecast::CompareQuery query;
  ASSIGN_OR_RETURN(query.base, ForecastQueryFromProto(request.base()));
  query.variants.assign(request.variants().begin(), request.variants().end());
  return query;
}

absl::StatusOr<forecast::CalibrateQuery> CalibrateQueryFromProto(const v1::CalibrateRequest& request) {
  forecast::CalibrateQuery query;
  if (!request.as_of().empty()) {
    ASSIGN_OR_RETURN(query.as_of, ParseAsOf(request.as_of(), Date{}));
  }
  query.base = request.base();
  query.save_as = request.save_as();
  return query;
}

namespace {

void DeliveryMonthToProto(const forecast::DeliveryMonth& month, v1::DeliveryMonth* out) {
  out->set_month(FormatMonth(month.month));
  out->set_worked_hours(month.worked_hours);
  if (month.headcount) out->set_headcount(*month.headcount);
  if (month.capacity_hours) out->set_capacity_hours(*month.capacity_hours);
  if (month.utilization) out->set_utilization(*month.utilization);
}

void ResultToProto(const forecast::ForecastResult& result, const forecast::ForecastOptions& options,
                   v1::ForecastReply* reply) {
  reply->set_paths(result.paths);
  reply->set_seed(options.seed);
  for (double q : options.quantiles) reply->add_quantiles(q);
  for (int metric = 0; metric < forecast::kMetricCount; ++metric) {
    v1::MetricForecast* out = reply->add_metrics();
    SetMetric(static_cast<forecast::Metric>(metric), out);
    for (int m = 0; m < result.horizon; ++m) {
      SummaryToProto(result.summaries[static_cast<size_t>(metric)][static_cast<size_t>(m)],
                     FormatMonth(result.first_month + m), out->add_months());
    }
  }
  for (double p : result.strain_probability) reply->add_strain_probability(p);
  for (size_t t = 0; t < result.target_probability.size(); ++t) {
    v1::TargetProbability* out = reply->add_target_probabilities();
    SetMetric(options.targets[t].metric, out->mutable_target());
    out->mutable_target()->set_value(options.targets[t].value);
    for (double p : result.target_probability[t]) out->add_probability(p);
  }
  SummaryToProto(result.months_to_clear, "", reply->mutable_months_to_clear());
  reply->set_clear_probability(result.clear_probability);
}

}  // namespace

void ForecastToProto(const forecast::ForecastSetup& setup, const forecast::ForecastResult& result,
                     v1::ForecastReply* reply) {
  reply->set_scenario(setup.scenario.name);
  reply->set_as_of(FormatDate(setup.as_of));
  ResultToProto(result, setup.options, reply);
  MetricsToProto(setup.actuals, setup.as_of, reply->mutable_actuals());
  *reply->mutable_resolved_scenario() = ScenarioToProto(setup.scenario);
  reply->set_open_opportunities(setup.open_opportunities);
  reply->set_opportunities_without_segment(setup.opportunities_without_segment);
  for (const std::string& warning : setup.warnings) reply->add_warnings(warning);
  for (const forecast::DeliveryMonth& d : setup.delivery_history) DeliveryMonthToProto(d, reply->add_delivery_history());
}

void ComparisonToProto(const forecast::Comparison& comparison, MonthIndex first_month, v1::VariantComparison* out) {
  for (int metric = 0; metric < forecast::kMetricCount; ++metric) {
    v1::MetricForecast* diff = out->add_difference();
    v1::MetricForecast* higher = out->add_probability_higher();
    SetMetric(static_cast<forecast::Metric>(metric), diff);
    SetMetric(static_cast<forecast::Metric>(metric), higher);
    const auto& differences = comparison.difference[static_cast<size_t>(metric)];
    for (size_t m = 0; m < differences.size(); ++m) {
      const std::string month = FormatMonth(first_month + static_cast<int>(m));
      SummaryToProto(differences[m], month, diff->add_months());
      v1::MonthSummary* probability = higher->add_months();
      probability->set_month(month);
      probability->set_mean(comparison.probability_higher[static_cast<size_t>(metric)][m]);
    }
  }
}

void ComparisonRunToProto(const forecast::ComparisonRun& run, v1::CompareReply* reply) {
  ForecastToProto(run.base.setup, run.base.result, reply->mutable_base());
  for (const forecast::VariantRun& variant : run.variants) {
    v1::VariantComparison* out = reply->add_variants();
    ForecastToProto(variant.run.setup, variant.run.result, out->mutable_forecast());
    ComparisonToProto(variant.comparison, run.base.setup.first_month, out);
  }
}

void CalibrationToProto(const forecast::Calibration& calibration, v1::CalibrateReply* reply) {
  *reply->mutable_scenario() = ScenarioToProto(calibration.scenario);
  for (const forecast::FittedValue& v : calibration.values) {
    v1::FittedValue* out = reply->add_values();
    out->set_field(v.field);
    out->set_value(v.value);
    out->set_sample_size(v.sample_size);
    out->set_fitted(v.fitted);
  }
}

absl::StatusOr<forecast::BacktestOptions> BacktestOptionsFromProto(const v1::BacktestRequest& request) {
  forecast::BacktestOptions o;
  if (request.from().empty()) return absl::InvalidArgumentError("from: required (the first as-of month, YYYY-MM)");
  ASSIGN_OR_RETURN(const MonthIndex from, ParseMonth(request.from(), "from"));
  MonthIndex to = from;
  if (!request.to().empty()) {
    ASSIGN_OR_RETURN(to, ParseMonth(request.to(), "to"));
  }
  if (to < from) {
    return absl::InvalidArgumentError(absl::StrCat("to must not be before from, got ", request.to(), " < ", request.from()));
  }
  const int step = request.step_months() == 0 ? 3 : request.step_months();
  if (step < 1 || step > 12) return absl::InvalidArgumentError(absl::StrCat("step_months must be in [1, 12], got ", step));
  if ((to - from) / step + 1 > 120) {
    return absl::InvalidArgumentError(
        absl::StrCat("from..to by step_months gives ", (to - from) / step + 1, " as-of dates; at most 120"));
  }
  for (MonthIndex m = from; m <= to; m += step) o.as_of.push_back(LastDayOfMonth(m));
  if (request.horizon_months() != 0) o.horizon = request.horizon_months();
  if (request.paths() != 0) o.paths = request.paths();
  if (request.seed() != 0) o.seed = request.seed();
  o.calibrate = !request.no_calibration();
  return o;
}

namespace {

void ScoreToProto(const forecast::BacktestCell& c, v1::BacktestScore* out) {
  SetMetric(c.metric, out);
  out->set_horizon_month(c.horizon);
  out->set_forecasts(c.forecasts);
  out->set_coverage_80(c.coverage_80);
  out->set_coverage_50(c.coverage_50);
  for (int64_t n : c.pit) out->add_pit(n);
  out->set_bias(c.bias);
  out->set_crps(c.crps);
  for (int k = 0; k < forecast::kPeerCount; ++k) {
    v1::PeerScore* peer = out->add_peers();
    peer->set_peer(std::string(forecast::PeerName(static_cast<forecast::Peer>(k))));
    if (std::isfinite(c.peer_crps[static_cast<size_t>(k)])) peer->set_crps(c.peer_crps[static_cast<size_t>(k)]);
  }
  out->set_best_peer(std::string(forecast::PeerName(c.best_peer)));
  if (std::isfinite(c.skill)) out->set_skill(c.skill);
}

}  // namespace

void BacktestToProto(const forecast::BacktestReport& report, v1::BacktestReply* reply) {
  for (Date d : report.as_of) reply->add_as_of(FormatDate(d));
  for (const forecast::BacktestCell& c : report.overall) ScoreToProto(c, reply->add_overall());
  for (const forecast::BacktestCell& c : report.cells) ScoreToProto(c, reply->add_cells());
}

}  // namespace forecastle

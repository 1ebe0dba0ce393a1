#include "proto/wire/forecast_convert.h"

#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "proto/wire/convert.h"

namespace forecastle {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Messages whose lists merge by a key field (their first field).
bool IsKeyed(const google::protobuf::Descriptor* type) {
  static const absl::flat_hash_set<std::string> kKeyed = {
      "forecastle.v1.SegmentAssumptions", "forecastle.v1.Product", "forecastle.v1.Team",
      "forecastle.v1.StageProbability"};
  return kKeyed.contains(type->full_name());
}

void MergeInto(Message* target, const Message& overlay) {
  const auto* descriptor = overlay.GetDescriptor();
  const auto* reflection = overlay.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated()) {
      const int n = reflection->FieldSize(overlay, field);
      if (n == 0) continue;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && IsKeyed(field->message_type())) {
        const FieldDescriptor* key = field->message_type()->field(0);
        for (int k = 0; k < n; ++k) {
          const Message& item = reflection->GetRepeatedMessage(overlay, field, k);
          const std::string name = item.GetReflection()->GetString(item, key);
          Message* match = nullptr;
          for (int t = 0; t < reflection->FieldSize(*target, field); ++t) {
            Message* candidate = reflection->MutableRepeatedMessage(target, field, t);
            if (candidate->GetReflection()->GetString(*candidate, key) == name) match = candidate;
          }
          if (match) {
            MergeInto(match, item);
          } else {
            reflection->AddMessage(target, field)->CopyFrom(item);
          }
        }
      } else {
        // Other lists replace.
        reflection->ClearField(target, field);
        for (int k = 0; k < n; ++k) {
          switch (field->cpp_type()) {
            case FieldDescriptor::CPPTYPE_MESSAGE:
              reflection->AddMessage(target, field)->CopyFrom(reflection->GetRepeatedMessage(overlay, field, k));
              break;
            case FieldDescriptor::CPPTYPE_DOUBLE:
              reflection->AddDouble(target, field, reflection->GetRepeatedDouble(overlay, field, k));
              break;
            default:
              break;  // the scenario has no other repeated types
          }
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (reflection->HasField(overlay, field)) {
        MergeInto(reflection->MutableMessage(target, field), reflection->GetMessage(overlay, field));
      }
    } else if (field->has_presence() ? reflection->HasField(overlay, field)
                                     : field->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                                           ? !reflection->GetString(overlay, field).empty()
                                           : field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM
                                                 ? reflection->GetEnumValue(overlay, field) != 0
                                                 : true) {
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          reflection->SetString(target, field, reflection->GetString(overlay, field));
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          reflection->SetEnumValue(target, field, reflection->GetEnumValue(overlay, field));
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          reflection->SetDouble(target, field, reflection->GetDouble(overlay, field));
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          reflection->SetInt32(target, field, reflection->GetInt32(overlay, field));
          break;
        default:
          break;
      }
    }
  }
}

absl::StatusOr<LineKind> KindFromProto(v1::LineKind kind, const std::string& field) {
  switch (kind) {
    case v1::LINE_KIND_RATABLE: return LineKind::kRatable;
    case v1::LINE_KIND_EFFORT: return LineKind::kEffort;
    case v1::LINE_KIND_DELIVERY: return LineKind::kDelivery;
    default: return absl::InvalidArgumentError(absl::StrCat(field, " must be ratable, effort or delivery, got ", kind));
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

absl::StatusOr<forecast::BillingTerms> BillingFromProto(v1::BillingTerms terms, const std::string& field) {
  switch (terms) {
    case v1::BILLING_TERMS_UNSPECIFIED:
    case v1::BILLING_TERMS_ANNUAL_UPFRONT: return forecast::BillingTerms::kAnnualUpfront;
    case v1::BILLING_TERMS_QUARTERLY_UPFRONT: return forecast::BillingTerms::kQuarterlyUpfront;
    case v1::BILLING_TERMS_MONTHLY_UPFRONT: return forecast::BillingTerms::kMonthlyUpfront;
    case v1::BILLING_TERMS_MONTHLY_IN_ARREARS: return forecast::BillingTerms::kMonthlyInArrears;
    case v1::BILLING_TERMS_ON_DELIVERY: return forecast::BillingTerms::kOnDelivery;
    default: return absl::InvalidArgumentError(absl::StrCat(field, ": unknown billing terms ", terms));
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

v1::Scenario MergeScenario(const v1::Scenario& base, const v1::Scenario& overlay) {
  v1::Scenario merged = base;
  MergeInto(&merged, overlay);
  merged.set_name(overlay.name());
  merged.set_base(overlay.base());
  merged.set_description(overlay.description());
  return merged;
}

namespace {

// 12 calendar months' multipliers, when given (none: the default stays).
absl::Status SeasonalityFromProto(const google::protobuf::RepeatedField<double>& values, const std::string& f,
                                  std::array<double, 12>& out) {
  if (values.empty()) return absl::OkStatus();
  if (values.size() != 12) {
    return absl::InvalidArgumentError(absl::StrCat(f, ".seasonality must have 12 values, got ", values.size()));
  }
  for (int k = 0; k < 12; ++k) out[static_cast<size_t>(k)] = values[k];
  return absl::OkStatus();
}

absl::Status DirectFromProto(const v1::DirectBookings& p, const std::string& f, forecast::DirectBookings& d) {
  if (p.has_per_month()) d.per_month = p.per_month();
  RETURN_IF_ERROR(SeasonalityFromProto(p.seasonality(), f, d.seasonality));
  if (p.has_growth_per_year()) d.growth_per_year = p.growth_per_year();
  if (p.has_growth_sigma()) d.growth_sigma = p.growth_sigma();
  if (p.has_size()) d.size = p.size();
  if (p.has_size_sigma()) d.size_sigma = p.size_sigma();
  if (p.has_volatility()) d.volatility = p.volatility();
  return absl::OkStatus();
}

void DirectToProto(const forecast::DirectBookings& d, v1::DirectBookings* p) {
  p->set_per_month(d.per_month);
  for (double v : d.seasonality) p->add_seasonality(v);
  p->set_growth_per_year(d.growth_per_year);
  p->set_growth_sigma(d.growth_sigma);
  p->set_size(d.size);
  p->set_size_sigma(d.size_sigma);
  p->set_volatility(d.volatility);
}

}  // namespace

absl::StatusOr<forecast::Scenario> ScenarioFromProto(const v1::Scenario& m) {
  forecast::Scenario s = forecast::DefaultScenario();
  s.name = m.name();
  s.base = m.base();
  s.description = m.description();
  if (m.segments_size() > 0) {
    s.segments.clear();
    for (int i = 0; i < m.segments_size(); ++i) {
      const v1::SegmentAssumptions& p = m.segments(i);
      const std::string f = absl::StrCat("segments[", i, "]");
      forecast::SegmentAssumptions a;
      a.name = p.name();
      if (p.has_arrivals_per_month()) a.arrivals_per_month = p.arrivals_per_month();
      if (p.has_arrivals_growth_per_year()) a.arrivals_growth_per_year = p.arrivals_growth_per_year();
      if (p.has_arrivals_growth_sigma()) a.arrivals_growth_sigma = p.arrivals_growth_sigma();
      RETURN_IF_ERROR(SeasonalityFromProto(p.seasonality(), f, a.seasonality));
      if (p.has_win_rate()) a.win_rate = p.win_rate();
      if (p.has_sales_cycle_months()) a.sales_cycle_months = p.sales_cycle_months();
      if (p.has_sales_cycle_sigma()) a.sales_cycle_sigma = p.sales_cycle_sigma();
      if (p.has_slip_probability()) a.slip_probability = p.slip_probability();
      if (p.has_slip_months()) a.slip_months = p.slip_months();
      if (p.has_deal_size()) a.deal_size = p.deal_size();
      if (p.has_deal_size_sigma()) a.deal_size_sigma = p.deal_size_sigma();
      if (p.has_open_deal_size_sigma()) a.open_deal_size_sigma = p.open_deal_size_sigma();
      if (p.product_mix_size() > 0) {
        a.product_mix.clear();
        for (const auto& share : p.product_mix()) a.product_mix.emplace_back(share.product(), share.share());
      }
      RETURN_IF_ERROR(DirectFromProto(p.new_customers(), f + ".new_customers", a.new_customers));
      RETURN_IF_ERROR(DirectFromProto(p.expansions(), f + ".expansions", a.expansions));
      s.segments.push_back(std::move(a));
    }
  }
  if (m.stage_win_probability_size() > 0) {
    s.stage_win_probability.clear();
    for (const auto& stage : m.stage_win_probability()) s.stage_win_probability.emplace_back(stage.stage(), stage.probability());
  }
  if (m.has_win_rate_multiplier()) s.win_rate_multiplier = m.win_rate_multiplier();
  if (m.has_price_multiplier()) s.price_multiplier = m.price_multiplier();
  if (m.products_size() > 0) {
    s.products.clear();
    for (int i = 0; i < m.products_size(); ++i) {
      const v1::Product& p = m.products(i);
      const std::string f = absl::StrCat("products[", i, "]");
      forecast::Product product;
      product.name = p.name();
      ASSIGN_OR_RETURN(product.kind, KindFromProto(p.kind(), f + ".kind"));
      if (p.has_term_months()) product.term_months = p.term_months();
      ASSIGN_OR_RETURN(product.billing, BillingFromProto(p.billing(), f + ".billing"));
      if (p.has_hours_per_unit_value()) product.hours_per_unit_value = p.hours_per_unit_value();
      if (p.has_lead_time_months()) product.lead_time_months = p.lead_time_months();
      product.team = p.team();
      s.products.push_back(std::move(product));
    }
  }
  if (m.has_renewals()) {
    if (m.renewals().has_probability()) s.renewals.probability = m.renewals().probability();
    if (m.renewals().has_uplift()) s.renewals.uplift = m.renewals().uplift();
  }
  if (m.teams_size() > 0) {
    s.teams.clear();
    for (const v1::Team& p : m.teams()) {
      forecast::Team team;
      team.name = p.name();
      if (p.has_fte()) team.fte = p.fte();
      if (p.has_hours_per_fte_month()) team.hours_per_fte_month = p.hours_per_fte_month();
      if (p.has_utilization()) team.utilization = p.utilization();
      if (p.has_ramp_up_months()) team.ramp_up_months = p.ramp_up_months();
      if (p.has_monthly_attrition()) team.monthly_attrition = p.monthly_attrition();
      if (p.has_cost_per_fte_month()) team.cost_per_fte_month = p.cost_per_fte_month();
      s.teams.push_back(std::move(team));
    }
  }
  if (m.hiring_plan_size() > 0) {
    s.hiring_plan.clear();
    for (int i = 0; i < m.hiring_plan_size(); ++i) {
      const v1::Hire& p = m.hiring_plan(i);
      ASSIGN_OR_RETURN(MonthIndex month, ParseMonth(p.month(), absl::StrCat("hiring_plan[", i, "].month")));
      s.hiring_plan.push_back(forecast::Hire{p.team(), month, p.count()});
    }
  }
  if (m.has_time_to_fill_months()) s.time_to_fill_months = m.time_to_fill_months();
  if (m.has_effort_overrun()) s.effort_overrun = m.effort_overrun();
  if (m.has_effort_overrun_sigma()) s.effort_overrun_sigma = m.effort_overrun_sigma();
  if (m.has_payment()) {
    if (m.payment().delay_days_mix_size() > 0) {
      s.payment.delay_days_mix.clear();
      for (const auto& d : m.payment().delay_days_mix()) s.payment.delay_days_mix.emplace_back(d.days(), d.probability());
    }
    if (m.payment().has_bad_debt_rate()) s.payment.bad_debt_rate = m.payment().bad_debt_rate();
    if (m.payment().collection_by_age_size() > 0) {
      if (m.payment().collection_by_age_size() != forecast::kAgeBuckets) {
        return absl::InvalidArgumentError(absl::StrCat("payment.collection_by_age must have ", forecast::kAgeBuckets,
                                                       " values, got ", m.payment().collection_by_age_size()));
      }
      for (int b = 0; b < forecast::kAgeBuckets; ++b) {
        s.payment.collection_by_age[static_cast<size_t>(b)] = m.payment().collection_by_age(b);
      }
    }
  }
  if (m.segment_correlation_size() > 0) {
    s.segment_correlation.clear();
    for (const auto& row : m.segment_correlation()) s.segment_correlation.emplace_back(row.values().begin(), row.values().end());
    // forecast::Validate compares each entry with its mirror before it has checked the mirror's
    // row is long enough: a short row later on was read out of bounds. Every row's length is
    // checked here first, with Validate's message.
    const size_t n = s.segments.size();
    if (s.segment_correlation.size() == n) {
      for (size_t i = 0; i < n; ++i) {
        if (s.segment_correlation[i].size() != n) {
          return absl::InvalidArgumentError(absl::StrCat("segment_correlation[", i, "] must have ", n,
                                                         " entries, got ", s.segment_correlation[i].size()));
        }
      }
    }
  }
  if (m.has_demand_volatility()) s.demand_volatility = m.demand_volatility();
  RETURN_IF_ERROR(forecast::Validate(s));
  return s;
}

v1::Scenario ScenarioToProto(const forecast::Scenario& s) {
  v1::Scenario m;
  m.set_name(s.name);
  m.set_base(s.base);
  m.set_description(s.description);
  for (const auto& a : s.segments) {
    v1::SegmentAssumptions* p = m.add_segments();
    p->set_name(a.name);
    p->set_arrivals_per_month(a.arrivals_per_month);
    p->set_arrivals_growth_per_year(a.arrivals_growth_per_year);
    p->set_arrivals_growth_sigma(a.arrivals_growth_sigma);
    for (double v : a.seasonality) p->add_seasonality(v);
    p->set_win_rate(a.win_rate);
    p->set_sales_cycle_months(a.sales_cycle_months);
    p->set_sales_cycle_sigma(a.sales_cycle_sigma);
    p->set_slip_probability(a.slip_probability);
    p->set_slip_months(a.slip_months);
    p->set_deal_size(a.deal_size);
    p->set_deal_size_sigma(a.deal_size_sigma);
    p->set_open_deal_size_sigma(a.open_deal_size_sigma);
    for (const auto& [product, share] : a.product_mix) {
      v1::ProductShare* ps = p->add_product_mix();
      ps->set_product(product);
      ps->set_share(share);
    }
    DirectToProto(a.new_customers, p->mutable_new_customers());
    DirectToProto(a.expansions, p->mutable_expansions());
  }
  for (const auto& [stage, probability] : s.stage_win_probability) {
    v1::StageProbability* p = m.add_stage_win_probability();
    p->set_stage(stage);
    p->set_probability(probability);
  }
  m.set_win_rate_multiplier(s.win_rate_multiplier);
  m.set_price_multiplier(s.price_multiplier);
  for (const auto& product : s.products) {
    v1::Product* p = m.add_products();
    p->set_name(product.name);
    p->set_kind(KindToProto(product.kind));
    p->set_term_months(product.term_months);
    p->set_billing(static_cast<v1::BillingTerms>(static_cast<int>(product.billing) + 1));
    p->set_hours_per_unit_value(product.hours_per_unit_value);
    p->set_lead_time_months(product.lead_time_months);
    p->set_team(product.team);
  }
  m.mutable_renewals()->set_probability(s.renewals.probability);
  m.mutable_renewals()->set_uplift(s.renewals.uplift);
  for (const auto& team : s.teams) {
    v1::Team* p = m.add_teams();
    p->set_name(team.name);
    p->set_fte(team.fte);
    p->set_hours_per_fte_month(team.hours_per_fte_month);
    p->set_utilization(team.utilization);
    p->set_ramp_up_months(team.ramp_up_months);
    p->set_monthly_attrition(team.monthly_attrition);
    p->set_cost_per_fte_month(team.cost_per_fte_month);
  }
  for (const auto& hire : s.hiring_plan) {
    v1::Hire* p = m.add_hiring_plan();
    p->set_team(hire.team);
    p->set_month(FormatMonth(hire.month));
    p->set_count(hire.count);
  }
  m.set_time_to_fill_months(s.time_to_fill_months);
  m.set_effort_overrun(s.effort_overrun);
  m.set_effort_overrun_sigma(s.effort_overrun_sigma);
  for (const auto& [days, probability] : s.payment.delay_days_mix) {
    v1::PaymentDelay* d = m.mutable_payment()->add_delay_days_mix();
    d->set_days(days);
    d->set_probability(probability);
  }
  m.mutable_payment()->set_bad_debt_rate(s.payment.bad_debt_rate);
  for (double share : s.payment.collection_by_age) m.mutable_payment()->add_collection_by_age(share);
  for (const auto& row : s.segment_correlation) {
    v1::CorrelationRow* r = m.add_segment_correlation();
    for (double v : row) r->add_values(v);
  }
  m.set_demand_volatility(s.demand_volatility);
  return m;
}

absl::Status CheckScenarioMessage(const v1::Scenario& message) {
  if (!message.base().empty()) {
    // Fields are checked once merged over the base (PutScenario resolves it); the name now.
    forecast::Scenario probe = forecast::DefaultScenario();
    probe.name = message.name();
    probe.base = message.base();
    return forecast::Validate(probe);
  }
  return ScenarioFromProto(message).status();
}

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

void ForecastToProto(const forecast::ForecastResult& result, const forecast::ForecastOptions& options,
                     v1::ForecastReply* reply) {
  reply->set_paths(result.paths);
  reply->set_seed(options.seed);
  for (double q : options.quantiles) reply->add_quantiles(q);
  for (int metric = 0; metric < forecast::kMetricCount; ++metric) {
    v1::MetricForecast* out = reply->add_metrics();
    out->set_metric(std::string(forecast::MetricName(static_cast<forecast::Metric>(metric))));
    for (int m = 0; m < result.horizon; ++m) {
      SummaryToProto(result.summaries[static_cast<size_t>(metric)][static_cast<size_t>(m)],
                     FormatMonth(result.first_month + m), out->add_months());
    }
  }
  for (double p : result.strain_probability) reply->add_strain_probability(p);
  for (size_t t = 0; t < result.target_probability.size(); ++t) {
    v1::TargetProbability* out = reply->add_target_probabilities();
    out->mutable_target()->set_metric(std::string(forecast::MetricName(options.targets[t].metric)));
    out->mutable_target()->set_value(options.targets[t].value);
    for (double p : result.target_probability[t]) out->add_probability(p);
  }
  SummaryToProto(result.months_to_clear, "", reply->mutable_months_to_clear());
  reply->set_clear_probability(result.clear_probability);
}

void ComparisonToProto(const forecast::PathValues& base, const forecast::PathValues& variant,
                       const forecast::ForecastOptions& options, MonthIndex first_month,
                       v1::VariantComparison* out) {
  const forecast::Comparison comparison = forecast::ComparePaths(base, variant, options.quantiles);
  for (int metric = 0; metric < forecast::kMetricCount; ++metric) {
    v1::MetricForecast* diff = out->add_difference();
    v1::MetricForecast* higher = out->add_probability_higher();
    const std::string name(forecast::MetricName(static_cast<forecast::Metric>(metric)));
    diff->set_metric(name);
    higher->set_metric(name);
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
  o.horizon = request.horizon_months() == 0 ? 12 : request.horizon_months();
  o.paths = request.paths() == 0 ? 1000 : request.paths();
  o.seed = request.seed() == 0 ? 1 : request.seed();
  o.calibrate = !request.no_calibration();
  return o;
}

namespace {

void ScoreToProto(const forecast::BacktestCell& c, v1::BacktestScore* out) {
  out->set_metric(std::string(forecast::MetricName(c.metric)));
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

void DeliveryMonthToProto(const forecast::DeliveryMonth& month, v1::DeliveryMonth* out) {
  out->set_month(FormatMonth(month.month));
  out->set_worked_hours(month.worked_hours);
  if (month.headcount) out->set_headcount(*month.headcount);
  if (month.capacity_hours) out->set_capacity_hours(*month.capacity_hours);
  if (month.utilization) out->set_utilization(*month.utilization);
}

}  // namespace forecastle

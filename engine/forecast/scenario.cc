#include "engine/forecast/scenario.h"

#include <cmath>

#include <Eigen/Eigenvalues>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"

namespace forecastle::forecast {
namespace {

absl::Status InRange(const std::string& field, double value, double low, double high) {
  if (!(value >= low && value <= high)) {  // also refuses NaN
    return InvalidField(field, absl::StrCat(" must be in [", low, ", ", high, "], got ", value));
  }
  return absl::OkStatus();
}

absl::Status Positive(const std::string& field, double value, double high) {
  if (!(value > 0 && value <= high)) {
    return InvalidField(field, absl::StrCat(" must be in (0, ", high, "], got ", value));
  }
  return absl::OkStatus();
}

absl::Status Name(const std::string& field, const std::string& name) {
  if (name.empty() || name.size() > kMaxScenarioNameBytes) {
    return InvalidField(field, absl::StrCat(" must have 1 to ", kMaxScenarioNameBytes, " characters, got ", Quoted(name)));
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return InvalidField(field, absl::StrCat(" may hold only letters, digits, '_', '-' and '.', got ", Quoted(name)));
    }
  }
  return absl::OkStatus();
}

absl::Status SumsToOne(const std::string& field, double sum) {
  if (std::fabs(sum - 1.0) > 1e-9) {
    return InvalidField(field, absl::StrCat(" must sum to 1, got ", sum));
  }
  return absl::OkStatus();
}

}  // namespace

int UpfrontInvoiceMonths(BillingTerms billing) {
  switch (billing) {
    case BillingTerms::kAnnualUpfront: return 12;
    case BillingTerms::kQuarterlyUpfront: return 3;
    case BillingTerms::kMonthlyUpfront: return 1;
    case BillingTerms::kMonthlyInArrears:
    case BillingTerms::kOnDelivery: return 0;
  }
  return 0;
}

int AgeBucket(int days_past_issue) {
  if (days_past_issue <= 30) return 0;
  if (days_past_issue <= 60) return 1;
  if (days_past_issue <= 90) return 2;
  if (days_past_issue <= 180) return 3;
  return 4;
}

std::string_view AgeBucketName(int bucket) {
  static constexpr std::string_view kNames[kAgeBuckets] = {"0-30", "31-60", "61-90", "91-180", "180+"};
  return kNames[bucket];
}

const Product* ProductOfKind(const Scenario& scenario, LineKind kind) {
  for (const Product& product : scenario.products) {
    if (product.kind == kind) return &product;
  }
  return nullptr;
}

int TeamOfKind(const Scenario& scenario, LineKind kind) {
  const Product* product = ProductOfKind(scenario, kind);
  if (product == nullptr) return -1;
  for (size_t t = 0; t < scenario.teams.size(); ++t) {
    if (scenario.teams[t].name == product->team) return static_cast<int>(t);
  }
  return -1;
}

Scenario DefaultScenario() {
  Scenario s;
  s.name = "default";
  s.description = "forecastle's defaults: three segments, subscription/services/goods, one team";
  SegmentAssumptions enterprise;
  enterprise.name = "enterprise";
  enterprise.arrivals_per_month = 6;
  enterprise.win_rate = 0.3;
  enterprise.sales_cycle_months = 5;
  enterprise.deal_size = 180000;
  SegmentAssumptions mid;
  mid.name = "mid-market";
  mid.arrivals_per_month = 12;
  mid.deal_size = 60000;
  SegmentAssumptions smb;
  smb.name = "smb";
  smb.arrivals_per_month = 30;
  smb.win_rate = 0.2;
  smb.sales_cycle_months = 1.5;
  smb.deal_size = 12000;
  s.segments = {enterprise, mid, smb};
  s.products = {
      Product{"subscription", LineKind::kRatable, 12, BillingTerms::kAnnualUpfront, 0, 0, ""},
      Product{"services", LineKind::kEffort, 6, BillingTerms::kMonthlyInArrears, 1.0 / 150, 1, "delivery"},
      Product{"goods", LineKind::kDelivery, 2, BillingTerms::kOnDelivery, 1.0 / 1000, 1, "delivery"},
  };
  s.teams = {Team{"delivery", 40, 140, 0.75, 3, 0.01, 12000}};
  return s;
}

namespace {

// One segment's fields, named `f` ("segments[1]"); its product mix against `products`.
absl::Status ValidateSegment(const SegmentAssumptions& seg, const std::string& f,
                             const absl::flat_hash_set<std::string>& products) {
  RETURN_IF_ERROR(Name(f + ".name", seg.name));
  RETURN_IF_ERROR(InRange(f + ".arrivals_per_month", seg.arrivals_per_month, 0, 10000));
  RETURN_IF_ERROR(InRange(f + ".arrivals_growth_per_year", seg.arrivals_growth_per_year, -0.9, 10));
  RETURN_IF_ERROR(InRange(f + ".arrivals_growth_sigma", seg.arrivals_growth_sigma, 0, 3));
  for (size_t m = 0; m < 12; ++m) {
    RETURN_IF_ERROR(InRange(absl::StrCat(f, ".seasonality[", m, "]"), seg.seasonality[m], 0, 10));
  }
  for (const auto& [name, direct] : {std::pair{"new_customers", &seg.new_customers}, std::pair{"expansions", &seg.expansions}}) {
    const std::string d = absl::StrCat(f, ".", name);
    RETURN_IF_ERROR(InRange(d + ".per_month", direct->per_month, 0, 10000));
    for (size_t m = 0; m < 12; ++m) {
      RETURN_IF_ERROR(InRange(absl::StrCat(d, ".seasonality[", m, "]"), direct->seasonality[m], 0, 10));
    }
    RETURN_IF_ERROR(InRange(d + ".growth_per_year", direct->growth_per_year, -0.9, 10));
    RETURN_IF_ERROR(InRange(d + ".growth_sigma", direct->growth_sigma, 0, 3));
    RETURN_IF_ERROR(InRange(d + ".volatility", direct->volatility, 0, 3));
    RETURN_IF_ERROR(InRange(d + ".size", direct->size, 0, 1e12));
    RETURN_IF_ERROR(InRange(d + ".size_sigma", direct->size_sigma, 0, 3));
  }
  RETURN_IF_ERROR(InRange(f + ".win_rate", seg.win_rate, 0, 1));
  RETURN_IF_ERROR(InRange(f + ".sales_cycle_months", seg.sales_cycle_months, 0, 60));
  RETURN_IF_ERROR(InRange(f + ".sales_cycle_sigma", seg.sales_cycle_sigma, 0, 3));
  RETURN_IF_ERROR(InRange(f + ".slip_probability", seg.slip_probability, 0, 1));
  RETURN_IF_ERROR(InRange(f + ".slip_months", seg.slip_months, 1, 36));
  RETURN_IF_ERROR(InRange(f + ".deal_size", seg.deal_size, 0, 1e12));
  RETURN_IF_ERROR(InRange(f + ".deal_size_sigma", seg.deal_size_sigma, 0, 3));
  RETURN_IF_ERROR(InRange(f + ".open_deal_size_sigma", seg.open_deal_size_sigma, 0, 3));
  double shares = 0;
  for (size_t k = 0; k < seg.product_mix.size(); ++k) {
    const auto& [product, share] = seg.product_mix[k];
    const std::string pf = absl::StrCat(f, ".product_mix[", k, "]");
    if (!products.contains(product)) {
      return InvalidField(pf + ".product", absl::StrCat(" ", Quoted(product), " is not one of products"));
    }
    RETURN_IF_ERROR(InRange(pf + ".share", share, 0, 1));
    shares += share;
  }
  RETURN_IF_ERROR(SumsToOne(f + ".product_mix shares", shares));
  return absl::OkStatus();
}

absl::Status ValidateTermMix(const Product& product, const std::string& f) {
  if (product.term_mix.empty()) return absl::OkStatus();
  if (product.kind != LineKind::kRatable) {
    return absl::InvalidArgumentError(absl::StrCat(f, ".term_mix is for ratable products only, got ",
                                                   product.term_mix.size(), " terms for a product of another kind"));
  }
  if (product.term_mix.size() > kMaxTerms) {
    return absl::InvalidArgumentError(
        absl::StrCat(f, ".term_mix must have at most ", kMaxTerms, " terms, got ", product.term_mix.size()));
  }
  double shares = 0;
  for (size_t k = 0; k < product.term_mix.size(); ++k) {
    const std::string tf = absl::StrCat(f, ".term_mix[", k, "]");
    RETURN_IF_ERROR(InRange(tf + ".months", product.term_mix[k].months, 1, 120));
    RETURN_IF_ERROR(InRange(tf + ".share", product.term_mix[k].share, 0, 1));
    shares += product.term_mix[k].share;
  }
  return SumsToOne(f + ".term_mix shares", shares);
}

}  // namespace

absl::Status Validate(const Scenario& s) {
  RETURN_IF_ERROR(Name("name", s.name));
  if (!s.base.empty()) RETURN_IF_ERROR(Name("base", s.base));
  if (s.base == s.name) return InvalidField("base", " must name another scenario, got its own name");
  if (s.description.size() > kMaxDescriptionBytes) {
    return InvalidField("description", absl::StrCat(" must have at most ", kMaxDescriptionBytes, " characters, got ",
                                                    s.description.size(), " bytes"));
  }

  absl::flat_hash_set<std::string> products, teams, segments;
  for (size_t t = 0; t < s.teams.size(); ++t) {
    const Team& team = s.teams[t];
    const std::string f = absl::StrCat("teams[", t, "]");
    RETURN_IF_ERROR(Name(f + ".name", team.name));
    if (!teams.insert(team.name).second) return InvalidField(f + ".name", absl::StrCat(" ", Quoted(team.name), " appears twice"));
    RETURN_IF_ERROR(InRange(f + ".fte", team.fte, 0, 100000));
    RETURN_IF_ERROR(Positive(f + ".hours_per_fte_month", team.hours_per_fte_month, 744));
    RETURN_IF_ERROR(InRange(f + ".utilization", team.utilization, 0, 1));
    RETURN_IF_ERROR(InRange(f + ".ramp_up_months", team.ramp_up_months, 0, 24));
    RETURN_IF_ERROR(InRange(f + ".monthly_attrition", team.monthly_attrition, 0, 1));
    RETURN_IF_ERROR(InRange(f + ".cost_per_fte_month", team.cost_per_fte_month, 0, 1e9));
  }
  for (size_t p = 0; p < s.products.size(); ++p) {
    const Product& product = s.products[p];
    const std::string f = absl::StrCat("products[", p, "]");
    RETURN_IF_ERROR(Name(f + ".name", product.name));
    if (!products.insert(product.name).second) {
      return InvalidField(f + ".name", absl::StrCat(" ", Quoted(product.name), " appears twice"));
    }
    RETURN_IF_ERROR(InRange(f + ".term_months", product.term_months, 1, 120));
    RETURN_IF_ERROR(InRange(f + ".hours_per_unit_value", product.hours_per_unit_value, 0, 1));
    RETURN_IF_ERROR(InRange(f + ".lead_time_months", product.lead_time_months, 0, 24));  // refuses NaN
    RETURN_IF_ERROR(ValidateTermMix(product, f));
    if (product.kind != LineKind::kRatable && !teams.contains(product.team)) {
      return InvalidField(f + ".team", absl::StrCat(" ", Quoted(product.team), " is not one of teams"));
    }
  }
  for (size_t g = 0; g < s.segments.size(); ++g) {
    const std::string f = absl::StrCat("segments[", g, "]");
    if (!segments.insert(s.segments[g].name).second) {
      return InvalidField(f + ".name", absl::StrCat(" ", Quoted(s.segments[g].name), " appears twice"));
    }
    RETURN_IF_ERROR(ValidateSegment(s.segments[g], f, products));
  }
  for (size_t k = 0; k < s.stage_win_probability.size(); ++k) {
    const std::string f = absl::StrCat("stage_win_probability[", k, "]");
    RETURN_IF_ERROR(Name(f + ".stage", s.stage_win_probability[k].first));
    RETURN_IF_ERROR(InRange(f + ".probability", s.stage_win_probability[k].second, 0, 1));
  }
  RETURN_IF_ERROR(InRange("win_rate_multiplier", s.win_rate_multiplier, 0, 10));
  RETURN_IF_ERROR(InRange("price_multiplier", s.price_multiplier, 0, 10));
  RETURN_IF_ERROR(InRange("renewals.probability", s.renewals.probability, 0, 1));
  RETURN_IF_ERROR(InRange("renewals.uplift", s.renewals.uplift, -0.9, 10));
  for (size_t h = 0; h < s.hiring_plan.size(); ++h) {
    const Hire& hire = s.hiring_plan[h];
    const std::string f = absl::StrCat("hiring_plan[", h, "]");
    if (!teams.contains(hire.team)) {
      return InvalidField(f + ".team", absl::StrCat(" ", Quoted(hire.team), " is not one of teams"));
    }
    RETURN_IF_ERROR(InRange(f + ".count", hire.count, 0, 100000));
  }
  RETURN_IF_ERROR(InRange("time_to_fill_months", s.time_to_fill_months, 0, 24));
  RETURN_IF_ERROR(InRange("effort_overrun", s.effort_overrun, 0.1, 10));
  RETURN_IF_ERROR(InRange("effort_overrun_sigma", s.effort_overrun_sigma, 0, 3));
  double delay_share = 0;
  if (s.payment.delay_days_mix.empty()) return InvalidField("payment.delay_days_mix", " must not be empty");
  for (size_t k = 0; k < s.payment.delay_days_mix.size(); ++k) {
    const auto& [days, share] = s.payment.delay_days_mix[k];
    const std::string f = absl::StrCat("payment.delay_days_mix[", k, "]");
    RETURN_IF_ERROR(InRange(f + ".days", days, 0, 730));
    RETURN_IF_ERROR(InRange(f + ".probability", share, 0, 1));
    delay_share += share;
  }
  RETURN_IF_ERROR(SumsToOne("payment.delay_days_mix probabilities", delay_share));
  RETURN_IF_ERROR(InRange("payment.bad_debt_rate", s.payment.bad_debt_rate, 0, 1));
  for (int b = 0; b < kAgeBuckets; ++b) {
    RETURN_IF_ERROR(InRange(absl::StrCat("payment.collection_by_age[", std::string(AgeBucketName(b)), "]"),
                            s.payment.collection_by_age[static_cast<size_t>(b)], 0, 1));
  }
  RETURN_IF_ERROR(InRange("demand_volatility", s.demand_volatility, 0, 3));
  RETURN_IF_ERROR(InRange("payment.arrears_lag_months", s.payment.arrears_lag_months, 0, 3));

  const auto& rho = s.segment_correlation;
  if (!rho.empty()) {
    const size_t n = s.segments.size();
    if (rho.size() != n) {
      return InvalidField("segment_correlation", absl::StrCat(" must have ", n, " rows (one per segment), got ", rho.size()));
    }
    // Every row's length first: the symmetry check below reads rho[j][i] of later rows.
    for (size_t i = 0; i < n; ++i) {
      if (rho[i].size() != n) {
        return InvalidField(absl::StrCat("segment_correlation[", i, "]"), absl::StrCat(" must have ", n, " entries, got ", rho[i].size()));
      }
    }
    Eigen::MatrixXd matrix(n, n);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) {
        const std::string f = absl::StrCat("segment_correlation[", i, "][", j, "]");
        RETURN_IF_ERROR(InRange(f, rho[i][j], -1, 1));
        if (i == j && rho[i][j] != 1) return InvalidField(f, absl::StrCat(" must be 1 (the diagonal), got ", rho[i][j]));
        if (std::fabs(rho[i][j] - rho[j][i]) > 1e-12) {
          return InvalidField(f, absl::StrCat(" must equal segment_correlation[", j, "][", i, "] (symmetric), got ",
                                              rho[i][j], " and ", rho[j][i]));
        }
        matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rho[i][j];
      }
    }
    const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(matrix).eigenvalues().minCoeff();
    if (smallest < -1e-9) {
      return InvalidField("segment_correlation",
                          absl::StrCat(" must be positive semi-definite, its smallest eigenvalue is ", smallest));
    }
  }
  return absl::OkStatus();
}

double TrendFactor(double log_growth, double deviation, int month) {
  const double middle = month + 0.5;
  return std::exp((log_growth * middle + deviation * (middle + kTrendLevelMonths)) / 12);
}

}  // namespace forecastle::forecast

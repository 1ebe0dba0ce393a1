// The inputs of the standard scenario (bench/README.md) as JSON for tests/reference/peer_numpy.py, which
// runs the same model in vectorised numpy, and forecastle's own run of them on one core: the
// time (median of --runs) and every metric's monthly mean and standard error, so the peer can
// check that both agree within 4 standard errors before comparing speeds.
//
//   build/bench/forecast_peer /tmp/peer.json --paths 20000 --runs 3
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <Eigen/Eigenvalues>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_join.h"
#include "bench/standard_scenario.h"
#include "tbb/global_control.h"

namespace forecastle::forecast {
namespace {

std::string Array(const std::vector<double>& values) {
  return absl::StrCat("[", absl::StrJoin(values, ",", [](std::string* out, double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    out->append(buffer);
  }), "]");
}

std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

int IndexOf(const std::vector<Team>& teams, const std::string& name) {
  for (size_t t = 0; t < teams.size(); ++t) {
    if (teams[t].name == name) return static_cast<int>(t);
  }
  return -1;
}

// Everything PathModel reads, resolved to numbers: indices instead of names, months relative to
// the first forecast month, the payment delays in whole months.
std::string Inputs(const StartingState& state, const Scenario& s) {
  std::string json = absl::StrCat("{\"horizon\":", state.horizon, ",\"first_calendar_month\":", state.first_month % 12,
                                  ",\"backlog\":", Num(state.backlog), ",\"unbilled_backlog\":", Num(state.unbilled_backlog),
                                  ",\"net_contract_liability\":", Num(state.net_contract_liability),
                                  ",\"accounts_receivable\":", Num(state.accounts_receivable),
                                  ",\"receivables_by_age\":", Array({state.receivables_by_age.begin(), state.receivables_by_age.end()}),
                                  ",\"scheduled_revenue\":", Array(state.scheduled_revenue),
                                  ",\"scheduled_billing\":", Array(state.scheduled_billing),
                                  ",\"team_work_amount\":", Array(state.team_work_amount),
                                  ",\"team_work_hours\":", Array(state.team_work_hours),
                                  ",\"team_prepaid\":", Array(state.team_prepaid));
  {
    std::vector<std::string> planned;
    for (const std::vector<double>& team : state.team_work_planned) planned.push_back(Array(team));
    absl::StrAppend(&json, ",\"team_work_planned\":[", absl::StrJoin(planned, ","), "]");
  }
  std::vector<double> amount, squared, term, start_fraction;
  for (const ExpiringSubscriptions& e : state.expiring) {
    amount.push_back(e.amount);
    squared.push_back(e.amount_squared);
    term.push_back(e.term_months);
    start_fraction.push_back(e.start_fraction);
  }
  absl::StrAppend(&json, ",\"expiring\":{\"amount\":", Array(amount), ",\"amount_squared\":", Array(squared),
                  ",\"term_months\":", Array(term), ",\"start_fraction\":", Array(start_fraction), "}");
  std::vector<double> segment, product, deal_amount, month, close_fraction, probability;
  for (const OpenDeal& d : state.open_deals) {
    segment.push_back(d.segment);
    product.push_back(d.product);
    deal_amount.push_back(d.amount);
    month.push_back(d.expected_month);
    close_fraction.push_back(d.close_fraction);
    probability.push_back(std::min(1.0, d.win_probability * s.win_rate_multiplier));
  }
  absl::StrAppend(&json, ",\"open_deals\":{\"segment\":", Array(segment), ",\"product\":", Array(product),
                  ",\"amount\":", Array(deal_amount), ",\"expected_month\":", Array(month),
                  ",\"close_fraction\":", Array(close_fraction),
                  ",\"win_probability\":", Array(probability), "}");
  absl::StrAppend(&json, ",\"segments\":[");
  for (size_t g = 0; g < s.segments.size(); ++g) {
    const SegmentAssumptions& a = s.segments[g];
    std::vector<double> mix;
    for (const Product& p : s.products) {
      double share = 0;
      for (const auto& [name, value] : a.product_mix) share += name == p.name ? value : 0;
      mix.push_back(share);
    }
    absl::StrAppend(&json, g ? "," : "", "{\"arrivals_per_month\":", Num(a.arrivals_per_month),
                    ",\"arrivals_growth_per_year\":", Num(a.arrivals_growth_per_year),
                    ",\"arrivals_growth_sigma\":", Num(a.arrivals_growth_sigma),
                    ",\"seasonality\":", Array({a.seasonality.begin(), a.seasonality.end()}),
                    ",\"win_rate\":", Num(std::min(1.0, a.win_rate * s.win_rate_multiplier)),
                    ",\"sales_cycle_months\":", Num(a.sales_cycle_months), ",\"sales_cycle_sigma\":", Num(a.sales_cycle_sigma),
                    ",\"slip_probability\":", Num(a.slip_probability), ",\"slip_months\":", Num(a.slip_months),
                    ",\"deal_size\":", Num(a.deal_size), ",\"deal_size_sigma\":", Num(a.deal_size_sigma),
                    ",\"open_deal_size_sigma\":", Num(a.open_deal_size_sigma), ",\"product_mix\":", Array(mix), "}");
  }
  absl::StrAppend(&json, "],\"products\":[");
  for (size_t p = 0; p < s.products.size(); ++p) {
    const Product& product = s.products[p];
    absl::StrAppend(&json, p ? "," : "", "{\"kind\":\"",
                    product.kind == LineKind::kRatable ? "ratable" : product.kind == LineKind::kEffort ? "effort" : "delivery",
                    "\",\"term_months\":", product.term_months, ",\"billing\":", static_cast<int>(product.billing),
                    ",\"hours_per_unit_value\":", Num(product.hours_per_unit_value),
                    ",\"lead_time_months\":", Num(product.lead_time_months), ",\"team\":", IndexOf(s.teams, product.team), "}");
  }
  absl::StrAppend(&json, "],\"teams\":[");
  for (size_t t = 0; t < s.teams.size(); ++t) {
    const Team& team = s.teams[t];
    absl::StrAppend(&json, t ? "," : "", "{\"fte\":", Num(team.fte), ",\"hours_per_fte_month\":", Num(team.hours_per_fte_month),
                    ",\"utilization\":", Num(team.utilization), ",\"ramp_up_months\":", team.ramp_up_months,
                    ",\"monthly_attrition\":", Num(team.monthly_attrition),
                    ",\"cost_per_fte_month\":", Num(team.cost_per_fte_month), "}");
  }
  absl::StrAppend(&json, "],\"hires\":[");
  for (size_t h = 0; h < s.hiring_plan.size(); ++h) {
    const Hire& hire = s.hiring_plan[h];
    absl::StrAppend(&json, h ? "," : "", "{\"team\":", IndexOf(s.teams, hire.team),
                    ",\"join\":", std::max(0, hire.month - state.first_month + s.time_to_fill_months),
                    ",\"count\":", std::llround(hire.count), "}");
  }
  std::vector<double> delay_months, delay_shares;
  for (const auto& [days, share] : s.payment.delay_days_mix) {
    delay_months.push_back(static_cast<double>(std::lround(days / 30.4375)));
    delay_shares.push_back(share);
  }
  // The segments' correlation factor F (F F^T = correlation), as PathModel builds it.
  const auto n = static_cast<Eigen::Index>(s.segments.size());
  Eigen::MatrixXd factor = Eigen::MatrixXd::Identity(n, n);
  if (!s.segment_correlation.empty()) {
    Eigen::MatrixXd rho(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < n; ++j) rho(i, j) = s.segment_correlation[static_cast<size_t>(i)][static_cast<size_t>(j)];
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(rho);
    factor = eigen.eigenvectors() * eigen.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
  }
  std::vector<double> factor_rows;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) factor_rows.push_back(factor(i, j));
  }
  absl::StrAppend(&json, "],\"price_multiplier\":", Num(s.price_multiplier), ",\"renewal_probability\":", Num(s.renewals.probability),
                  ",\"renewal_uplift\":", Num(s.renewals.uplift), ",\"effort_overrun\":", Num(s.effort_overrun),
                  ",\"effort_overrun_sigma\":", Num(s.effort_overrun_sigma), ",\"delay_months\":", Array(delay_months),
                  ",\"delay_shares\":", Array(delay_shares), ",\"bad_debt_rate\":", Num(s.payment.bad_debt_rate),
                  ",\"collection_by_age\":", Array({s.payment.collection_by_age.begin(), s.payment.collection_by_age.end()}),
                  ",\"demand_volatility\":", Num(s.demand_volatility), ",\"correlation_factor\":", Array(factor_rows), "}");
  return json;
}

int Main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]).rfind("--", 0) == 0) {
    std::cerr << "usage: forecast_peer OUT.json [--paths 20000] [--runs 3]\n";
    return 2;
  }
  int64_t paths = 20000;
  int runs = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--paths") {
      paths = std::stoll(argv[i + 1]);
    } else if (flag == "--runs") {
      runs = std::stoi(argv[i + 1]);
    } else {
      std::cerr << "forecast_peer: unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (paths < 2 || runs < 1) {
    std::cerr << "forecast_peer: --paths must be >= 2 and --runs >= 1\n";
    return 2;
  }
  const Scenario scenario = StandardScenario();
  std::cerr << "forecast_peer: building the standard scenario's starting state...\n";
  const StartingState& state = StandardState();
  tbb::global_control one_core(tbb::global_control::max_allowed_parallelism, 1);
  ForecastOptions options;
  options.paths = paths;
  std::vector<double> seconds;
  ForecastResult result;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    result = *RunForecast(state, scenario, options);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    std::cerr << "forecast_peer: run " << r + 1 << ": " << seconds.back() << " s\n";
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::vector<std::string> means, errors;
  for (int m = 0; m < kMetricCount; ++m) {
    std::vector<double> mean, se;
    for (const Summary& s : result.summaries[static_cast<size_t>(m)]) {
      mean.push_back(s.mean);
      se.push_back(s.standard_error);
    }
    means.push_back(absl::StrCat("\"", std::string(MetricName(static_cast<Metric>(m))), "\":", Array(mean)));
    errors.push_back(absl::StrCat("\"", std::string(MetricName(static_cast<Metric>(m))), "\":", Array(se)));
  }
  std::ofstream out(argv[1]);
  out << "{\"inputs\":" << Inputs(state, scenario) << ",\"forecastle\":{\"paths\":" << paths
      << ",\"seconds_median\":" << median << ",\"ns_per_path_month\":" << 1e9 * median / (static_cast<double>(paths) * state.horizon)
      << ",\"mean\":{" << absl::StrJoin(means, ",") << "},\"standard_error\":{" << absl::StrJoin(errors, ",") << "}}}\n";
  if (!out.flush()) {
    std::cerr << "forecast_peer: cannot write " << argv[1] << "\n";
    return 1;
  }
  std::cerr << "forecast_peer: wrote " << argv[1] << " (" << 1e9 * median / (static_cast<double>(paths) * state.horizon)
            << " ns per path-month on one core)\n";
  return 0;
}

}  // namespace
}  // namespace forecastle::forecast

int main(int argc, char** argv) { return forecastle::forecast::Main(argc, argv); }

#include "engine/forecast/calibration.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/actuals/recognition.h"
#include "engine/common/status_macros.h"
#include "engine/forecast/delivered.h"
#include "engine/forecast/renewal_links.h"

namespace forecastle::forecast {
namespace {

constexpr int kDirectMonths = 24;  // bookings without an opportunity: the months calibration reads

constexpr double kDaysPerMonth = 30.4375;


// Whether a contract was signed in the two years to as_of: the lines products and work are
// fitted from.
bool SignedInTwoYearsTo(const ContractState& c, Date as_of) {
  return c.contract.signed_on <= as_of && c.contract.signed_on >= as_of - 730;
}

// Records a fit: sets `target` when the sample is large enough.
void Fit(Calibration& out, const std::string& field, double* target, double value, int64_t n) {
  const bool fitted = n >= kMinSample && std::isfinite(value);
  if (fitted) *target = value;
  out.values.push_back(FittedValue{field, *target, n, fitted});
}

// Sizes: their arithmetic mean (what the scenario's mean sizes are: the lognormal's mean from the
// logs overshoots where the right tail is lighter than lognormal), and the sigma of their logs.
struct LogMoments {
  double mean = 0, sigma = 0;
  int64_t n = 0;
};
LogMoments OfLogs(const std::vector<double>& values) {
  LogMoments m;
  m.n = static_cast<int64_t>(values.size());
  if (values.empty()) return m;
  double sum = 0, squares = 0;
  for (double v : values) sum += std::log(v);
  const double mu = sum / static_cast<double>(values.size());
  double total = 0;
  for (double v : values) {
    squares += (std::log(v) - mu) * (std::log(v) - mu);
    total += v;
  }
  m.sigma = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0;
  m.mean = total / static_cast<double>(values.size());
  return m;
}

// The scenario's segment `name`, added (with default fields, its product mix spread evenly over
// the scenario's products) when it has none.
SegmentAssumptions& SegmentNamed(Scenario& s, const std::string& name) {
  for (SegmentAssumptions& segment : s.segments) {
    if (segment.name == name) return segment;
  }
  SegmentAssumptions& added = s.segments.emplace_back();
  added.name = name;
  added.product_mix.clear();
  for (const Product& p : s.products) added.product_mix.emplace_back(p.name, 1.0 / static_cast<double>(s.products.size()));
  return added;
}

// Trends of several sources of counts (the last 12 whole months against the 12 before each):
// each source's log growth l = ln(recent / earlier), variance 1/recent + 1/earlier (Poisson
// counts), shrunk toward the pooled log growth L of all of them as a normal prior N(L, tau² +
// var L) would, tau² the spread of the sources' true growths by moments, mean((l - L)² - var),
// at least 0. A source with fewer than kMinSample in either year takes the pooled trend; with
// too few pooled as well, its fit is NaN (the default stays). With one source of its own there is
// nothing to pool: it keeps its own estimate and variance. (A segment's +90% on 17 contracts
// is mostly noise; the company's is not.)
struct TrendFit {
  double growth = NAN, sigma = NAN;  // growth per year, sigma of its log
  int64_t n = 0;                     // the sample: the smaller year's count
};
std::vector<TrendFit> ShrunkTrends(const std::vector<std::pair<int64_t, int64_t>>& recent_earlier) {
  int64_t recent_all = 0, earlier_all = 0;
  for (const auto& [recent, earlier] : recent_earlier) {
    recent_all += recent;
    earlier_all += earlier;
  }
  auto own = [](int64_t recent, int64_t earlier) { return recent >= kMinSample && earlier >= kMinSample; };
  const bool pooled = own(recent_all, earlier_all);
  const double pooled_log = pooled ? std::log(static_cast<double>(recent_all) / static_cast<double>(earlier_all)) : 0;
  double spread = 0;
  int owned = 0;
  for (const auto& [recent, earlier] : recent_earlier) {
    if (!own(recent, earlier)) continue;
    const double l = std::log(static_cast<double>(recent) / static_cast<double>(earlier));
    spread += (l - pooled_log) * (l - pooled_log) - (1.0 / static_cast<double>(recent) + 1.0 / static_cast<double>(earlier));
    ++owned;
  }
  const double prior = (owned > 0 ? std::max(0.0, spread / owned) : 0) +
                       (pooled ? 1.0 / static_cast<double>(recent_all) + 1.0 / static_cast<double>(earlier_all) : 0);
  std::vector<TrendFit> fits;
  for (const auto& [recent, earlier] : recent_earlier) {
    TrendFit& fit = fits.emplace_back();
    if (own(recent, earlier)) {
      const double l = std::log(static_cast<double>(recent) / static_cast<double>(earlier));
      const double variance = 1.0 / static_cast<double>(recent) + 1.0 / static_cast<double>(earlier);
      if (owned == 1) {
        fit.growth = std::exp(l) - 1;
        fit.sigma = std::sqrt(variance);
      } else if (prior > 0) {
        const double precision = 1 / variance + 1 / prior;
        fit.growth = std::exp((l / variance + pooled_log / prior) / precision) - 1;
        fit.sigma = std::sqrt(1 / precision);
      } else {  // the sources' growths agree beyond their noise: the pooled one, exactly
        fit.growth = std::exp(pooled_log) - 1;
        fit.sigma = 0;
      }
      fit.n = std::min(recent, earlier);
    } else if (pooled) {
      fit.growth = std::exp(pooled_log) - 1;
      fit.sigma = std::sqrt(prior);
      fit.n = std::min(recent_all, earlier_all);
    }
  }
  return fits;
}

// A rate of counts with its trend (bookings without an opportunity, new opportunities):
// `prefix`growth_per_year and `prefix`growth_sigma from `fit`, and `prefix`per_month, the rate at
// as_of: the last 12 months' mean (`recent` / 12) moved half a year along the trend, its sample
// the 24 months' count. Returns where growth_sigma's FittedValue is in out.values.
size_t FitRateOnTrend(Calibration& out, const std::string& prefix, const TrendFit& fit, int64_t recent, int64_t counted,
                      double* growth, double* sigma, double* per_month) {
  Fit(out, prefix + "growth_per_year", growth, std::clamp(fit.growth, -0.9, 10.0), fit.n);
  const size_t sigma_index = out.values.size();
  Fit(out, prefix + "growth_sigma", sigma, std::min(3.0, fit.sigma), fit.n);
  Fit(out, prefix + "per_month", per_month, std::min(10000.0, static_cast<double>(recent) / 12 * std::pow(1 + *growth, 0.5)),
      counted);
  return sigma_index;
}

// One source of bookings without an opportunity (a segment's new customers or expansions): its
// contracts a month over the kDirectMonths to as_of, oldest first, and their sizes.
struct DirectSource {
  std::string field;  // "segments[smb].new_customers."
  DirectBookings* fit;
  std::vector<int64_t> per_month;
  std::vector<double> sizes;
};

// The sources' trends, seasonality, rates, volatility and sizes (FitDirectBookings).
// - Trend and rate: FitRateOnTrend of ShrunkTrends (a segment's growth of +90% on 17 contracts
//   is mostly noise; the company's is not).
// - Seasonality: one profile for every source, from all their counts by calendar month against
//   each source's trend (a calendar month of one source has 3-30 contracts: its own factors
//   would be noise); once there are 120 contracts.
// - Volatility: dispersion beyond Poisson around trend x seasonality: with N ~ Poisson(e D),
//   E D = 1, Var D = s², s² = Σ ((n - e)² - e) / Σ e², volatility = sqrt(log(1 + s²)) (D
//   lognormal). The trend's sigma grows by that volatility (a year's count varies more than
//   Poisson's).
void FitDirectSources(std::vector<DirectSource>& sources, MonthIndex first, Calibration& out) {
  std::vector<std::pair<int64_t, int64_t>> counts;  // per source: the last 12 months', the 12 before
  int64_t total = 0;
  for (const DirectSource& source : sources) {
    auto& [recent, earlier] = counts.emplace_back(0, 0);
    for (int m = 0; m < kDirectMonths; ++m) (m < 12 ? earlier : recent) += source.per_month[static_cast<size_t>(m)];
    total += recent + earlier;
  }
  const std::vector<TrendFit> fits = ShrunkTrends(counts);
  // Each month's expected count of a source on its trend (the 24 months' total spread along it).
  std::vector<std::array<double, kDirectMonths>> expected(sources.size());
  std::vector<size_t> sigma_index(sources.size());  // each source's growth_sigma in out.values
  for (size_t i = 0; i < sources.size(); ++i) {
    DirectBookings& d = *sources[i].fit;
    const auto [recent, earlier] = counts[i];
    sigma_index[i] = FitRateOnTrend(out, sources[i].field, fits[i], recent, recent + earlier, &d.growth_per_year,
                                    &d.growth_sigma, &d.per_month);
    const LogMoments sizes = OfLogs(sources[i].sizes);
    Fit(out, sources[i].field + "size", &d.size, std::min(1e12, sizes.mean), sizes.n);
    Fit(out, sources[i].field + "size_sigma", &d.size_sigma, std::min(3.0, sizes.sigma), sizes.n);
    double weights = 0;
    for (int m = 0; m < kDirectMonths; ++m) weights += expected[i][static_cast<size_t>(m)] = std::pow(1 + d.growth_per_year, m / 12.0);
    for (double& e : expected[i]) e *= static_cast<double>(recent + earlier) / weights;
  }
  std::array<double, 12> actual{}, trend{}, season;
  season.fill(1);
  for (size_t i = 0; i < sources.size(); ++i) {
    for (int m = 0; m < kDirectMonths; ++m) {
      const auto calendar = static_cast<size_t>((first + m) % 12);
      actual[calendar] += static_cast<double>(sources[i].per_month[static_cast<size_t>(m)]);
      trend[calendar] += expected[i][static_cast<size_t>(m)];
    }
  }
  const bool seasonal = total >= 120;
  if (seasonal) {
    double mean = 0;
    for (size_t k = 0; k < 12; ++k) mean += trend[k] > 0 ? actual[k] / trend[k] / 12 : 1.0 / 12;
    for (size_t k = 0; k < 12; ++k) season[k] = trend[k] > 0 && mean > 0 ? std::min(10.0, actual[k] / trend[k] / mean) : 1.0;
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    DirectBookings& d = *sources[i].fit;
    const std::string& f = sources[i].field;
    if (seasonal) {
      for (size_t k = 0; k < 12; ++k) {
        Fit(out, absl::StrCat(f, "seasonality[", k, "]"), &d.seasonality[k], season[k], static_cast<int64_t>(actual[k]));
      }
    }
    double excess = 0, scale = 0;
    for (int m = 0; m < kDirectMonths; ++m) {
      const double e = expected[i][static_cast<size_t>(m)] * season[static_cast<size_t>((first + m) % 12)];
      const double n = static_cast<double>(sources[i].per_month[static_cast<size_t>(m)]);
      excess += (n - e) * (n - e) - e;
      scale += e * e;
    }
    const double overdispersion = scale > 0 ? std::max(0.0, excess / scale) : 0;  // s²
    Fit(out, f + "volatility", &d.volatility, std::min(3.0, std::sqrt(std::log1p(overdispersion))),
        counts[i].first + counts[i].second);
    // The trend's own uncertainty beyond Poisson counts: each year's count is 12 months of
    // rates with a factor of variance s² each, so the log of a year's count varies by about
    // 1/count + s²/12, and the log growth of one year on the other by 1/recent + 1/earlier +
    // s²/6. ShrunkTrends gave the first two; a volatile source's trend is that much less sure.
    if (out.values[sigma_index[i]].fitted && out.values.back().fitted) {
      d.growth_sigma = std::min(3.0, std::sqrt(d.growth_sigma * d.growth_sigma + overdispersion / 6));
      out.values[sigma_index[i]].value = d.growth_sigma;
    }
  }
}

// Bookings without an opportunity (SPEC §4.1 source 3), per segment, of new customers and of
// existing customers: the contracts signed in the last 24 whole months by as_of that no won
// opportunity (of the same customer, closed within 30 days of the signing, nearest first, one
// each) and no renewal (LinkRenewals) is behind. Their count a month now (the last 12 months'
// mean, moved half a year along the trend), the trend from the last 12 months against the 12
// before, seasonality and volatility (FitDirectSources), and their sizes (lognormal). Also each
// segment's product mix: the shares of the kinds of lines booked in those 24 months.

void FitDirectBookings(const Ledger& ledger, Date as_of, const std::vector<Subscription>& subscriptions,
                       Calibration& out) {
  Scenario& s = out.scenario;
  const MonthIndex last = LastWholeMonth(as_of);
  const MonthIndex first = last - kDirectMonths + 1;
  // Contracts with a won opportunity or a renewal behind them.
  absl::flat_hash_set<const ContractState*> sourced;
  for (const Subscription& sub : subscriptions) {
    if (sub.renews >= 0) sourced.insert(sub.contract);
  }
  for (uint32_t index : ledger.OpportunitiesInIdOrder()) {
    const Opportunity& o = ledger.opportunities()[index];
    if (o.status != OpportunityStatus::kWon || !o.closed_on || *o.closed_on > as_of || o.customer_id.empty()) continue;
    const std::optional<uint32_t> customer = ledger.FindCustomer(o.customer_id);
    if (!customer) continue;
    const ContractState* nearest = nullptr;
    for (uint32_t c : ledger.customers()[*customer].contracts) {
      const ContractState& contract = ledger.contracts()[c];
      const int distance = std::abs(contract.contract.signed_on - *o.closed_on);
      if (contract.contract.signed_on > as_of || distance > 30 || sourced.contains(&contract)) continue;
      if (nearest == nullptr || distance < std::abs(nearest->contract.signed_on - *o.closed_on) ||
          (distance == std::abs(nearest->contract.signed_on - *o.closed_on) &&
           contract.contract.contract_id < nearest->contract.contract_id)) {
        nearest = &contract;
      }
    }
    if (nearest) sourced.insert(nearest);
  }
  struct Source {
    std::vector<int64_t> per_month = std::vector<int64_t>(kDirectMonths, 0);
    std::vector<double> sizes;
  };
  std::map<std::string, std::array<Source, 2>> by_segment;  // [0] new customers, [1] expansions
  std::map<std::string, std::map<LineKind, Cents>> booked_by_kind;
  std::map<std::string, int64_t> contracts_by_segment;
  for (uint32_t index : ledger.ContractsInIdOrder()) {
    const ContractState& c = ledger.contracts()[index];
    const MonthIndex month = MonthOf(c.contract.signed_on);
    if (c.contract.signed_on > as_of || month < first || month > last) continue;
    const std::string& segment = ledger.customers()[c.customer].customer.segment;
    if (segment.empty()) continue;
    for (const LineState& line : c.lines) booked_by_kind[segment][line.line.kind] += line.amount;
    ++contracts_by_segment[segment];
    if (sourced.contains(&c) || c.booked <= 0) continue;
    Source& source = by_segment[segment][c.new_business ? 0 : 1];
    ++source.per_month[static_cast<size_t>(month - first)];
    source.sizes.push_back(Units(c.booked));
  }
  std::vector<DirectSource> all;
  // Every segment first: adding one may move the others, and the sources point into them.
  for (const auto& entry : by_segment) SegmentNamed(s, entry.first);
  for (auto& [name, sources] : by_segment) {
    SegmentAssumptions& segment = SegmentNamed(s, name);
    for (int kind = 0; kind < 2; ++kind) {
      all.push_back(DirectSource{absl::StrCat("segments[", name, "].", kind == 0 ? "new_customers" : "expansions", "."),
                                 &(kind == 0 ? segment.new_customers : segment.expansions),
                                 std::move(sources[static_cast<size_t>(kind)].per_month),
                                 std::move(sources[static_cast<size_t>(kind)].sizes)});
    }
  }
  FitDirectSources(all, first, out);
  for (auto& [name, kinds] : booked_by_kind) {
    Cents total = 0;
    for (const auto& [kind, amount] : kinds) total += std::max<Cents>(0, amount);
    const int64_t contracts = contracts_by_segment[name];
    if (total <= 0 || contracts < kMinSample) continue;
    SegmentAssumptions& segment = SegmentNamed(s, name);
    std::vector<std::pair<std::string, double>> mix;
    for (const auto& [kind, amount] : kinds) {
      const Product* product = ProductOfKind(s, kind);
      if (product != nullptr && amount > 0) mix.emplace_back(product->name, static_cast<double>(amount) / static_cast<double>(total));
    }
    double sum = 0;
    for (const auto& entry : mix) sum += entry.second;
    if (mix.empty() || sum <= 0) continue;
    for (auto& entry : mix) entry.second /= sum;
    segment.product_mix = mix;
    for (const auto& [product, share] : mix) {
      out.values.push_back(FittedValue{absl::StrCat("segments[", name, "].product_mix[", product, "]"), share, contracts, true});
    }
  }
}

// Receivables by age (SPEC §4.4): at each of the last 12 month ends E whose next month is over
// by as_of, every invoice open at E by its age then, and what was paid of it in the month after
// E; a bucket's share is Σ paid / Σ open (in cents), its sample the invoice-months observed.
void FitCollectionByAge(const Ledger& ledger, Date as_of, Calibration& out) {
  std::vector<std::vector<const Payment*>> payments(ledger.invoices().size());
  for (const Payment& p : ledger.payments()) {
    if (p.received_on > as_of) continue;
    if (const std::optional<uint32_t> invoice = ledger.FindInvoice(p.invoice_id)) payments[*invoice].push_back(&p);
  }
  std::array<Cents, kAgeBuckets> open{}, paid{};
  std::array<int64_t, kAgeBuckets> observed{};
  const MonthIndex last = LastWholeMonth(as_of) - 1;  // its next month is over by as_of
  for (MonthIndex month = last - 11; month <= last; ++month) {
    const Date end = LastDayOfMonth(month), next_end = LastDayOfMonth(month + 1);
    for (size_t i = 0; i < ledger.invoices().size(); ++i) {
      const Invoice& invoice = ledger.invoices()[i].invoice;
      if (invoice.issued_on > end || invoice.amount <= 0) continue;
      Cents paid_by_end = 0, paid_next = 0;
      for (const Payment* p : payments[i]) {
        if (p->received_on <= end) {
          paid_by_end += p->amount;
        } else if (p->received_on <= next_end) {
          paid_next += p->amount;
        }
      }
      const Cents still_open = invoice.amount - paid_by_end;
      if (still_open <= 0) continue;
      const auto bucket = static_cast<size_t>(AgeBucket(end - invoice.issued_on));
      open[bucket] += still_open;
      paid[bucket] += std::min(paid_next, still_open);
      ++observed[bucket];
    }
  }
  for (int b = 0; b < kAgeBuckets; ++b) {
    const auto k = static_cast<size_t>(b);
    Fit(out, absl::StrCat("payment.collection_by_age[", std::string(AgeBucketName(b)), "]"),
        &out.scenario.payment.collection_by_age[k],
        open[k] > 0 ? static_cast<double>(paid[k]) / static_cast<double>(open[k]) : 0, observed[k]);
  }
}

// Work (SPEC §4.3): services' hours per currency unit from the estimates of effort lines signed
// in the two years to as_of, and each team's capacity from the hours it delivered (effort lines'
// hours from their progress, goods' units as hours at the goods product's hours per unit). A
// team's FTE is what delivers, at its hours per FTE and utilisation, the most hours it delivered
// in a month of the last kPeakMonths, carried to as_of by its growth (BusiestMonthNow): what it
// has shown it can do. Not the mean: a team whose work comes unevenly would be short in every
// busy month. A whole year, not the last 6 months: a seasonal company staffs for its busy
// season, and 6 months can miss it (README, Decisions). Its hours' growth over the last 12 months
// against the 12 before continues as a hiring plan of kTrendHireMonths months (hires that grow
// the team at that rate and replace who leaves), unless the starting scenario plans the team's
// hiring itself or the team shrank. With a headcount history (headcount.csv, at least
// kMinSample of the last kPeakMonths months), the team's FTE is its latest headcount by as_of
// and its hours per FTE what one FTE delivered in the busiest month of the year, per its
// utilisation (MostHoursPerFte): capacity then follows the people, not only the hours.
constexpr int kTrendHireMonths = 36;

// Team t's headcount (SPEC §3.4, HeadcountByMonth): in each of the `months` whole months to the
// last by as_of (oldest first, 0 where none was recorded), the latest recorded in them or in
// as_of's month (`now`), and how many of the last kPeakMonths whole months have one (`months`).
struct Staffing {
  std::vector<double> by_month;
  double now = 0;
  int64_t months = 0;
};
Staffing StaffingOf(const Ledger& ledger, Date as_of, const Scenario& s, size_t t, size_t months) {
  const MonthIndex last = LastWholeMonth(as_of);
  // Through as_of's month: it is later than the last whole month when as_of is not a month end.
  const std::vector<std::optional<double>> fte =
      HeadcountByMonth(ledger, s, last - static_cast<MonthIndex>(months) + 1, MonthOf(as_of))[t];
  Staffing out;
  for (size_t m = 0; m < fte.size(); ++m) {
    if (fte[m].has_value()) out.now = *fte[m];
    if (m >= months) continue;
    out.by_month.push_back(fte[m].value_or(0));
    out.months += m + kPeakMonths >= months && fte[m].value_or(0) > 0;
  }
  return out;
}

}  // namespace

double MostHoursPerFte(const std::vector<double>& hours, const std::vector<double>& fte) {
  double most = 0;
  const size_t months = std::min({hours.size(), fte.size(), static_cast<size_t>(kPeakMonths)});
  for (size_t k = 1; k <= months; ++k) {
    const double people = fte[fte.size() - k];
    if (people > 0) most = std::max(most, hours[hours.size() - k] / people);
  }
  return most;
}

double BusiestMonthNow(const std::vector<double>& hours, double monthly_growth) {
  double busiest = 0, carried = 1;
  const size_t months = std::min<size_t>(hours.size(), kPeakMonths);
  for (size_t k = 1; k <= months; ++k) {
    carried *= monthly_growth;  // month as_of - k + 1 is k - 1 months before the last, k before now
    busiest = std::max(busiest, hours[hours.size() - k] * carried);
  }
  return busiest;
}

namespace {

void FitWork(const Ledger& ledger, Date as_of, Calibration& out) {
  Scenario& s = out.scenario;
  // Effort lines signed in the two years: hours per unit from their estimates as signed (later
  // revisions are overruns); the overrun from those completed by as_of, their hours against that
  // estimate (the mean as a ratio of sums, the sigma of the ratios' logs).
  CentiHours hours = 0, estimated = 0, spent = 0;
  Cents amount = 0;
  int64_t lines = 0;
  std::vector<double> ratios;
  for (uint32_t index : ledger.ContractsInIdOrder()) {
    const ContractState& c = ledger.contracts()[index];
    if (!SignedInTwoYearsTo(c, as_of)) continue;
    for (const LineState& line : c.lines) {
      if (line.line.kind != LineKind::kEffort) continue;
      const CentiHours estimate = line.line.estimated_hours.value_or(0);
      if (line.amount > 0) {
        hours += estimate;
        amount += line.amount;
        ++lines;
      }
      const ProgressPoint* last = line.ProgressThrough(as_of);
      if (estimate <= 0 || last == nullptr || !last->complete || last->hours_to_date <= 0) continue;
      estimated += estimate;
      spent += last->hours_to_date;
      ratios.push_back(static_cast<double>(last->hours_to_date) / static_cast<double>(estimate));
    }
  }
  if (const Product* services = ProductOfKind(s, LineKind::kEffort)) {
    const size_t p = static_cast<size_t>(services - s.products.data());
    Fit(out, absl::StrCat("products[", services->name, "].hours_per_unit_value"), &s.products[p].hours_per_unit_value,
        amount > 0 ? std::min(1.0, static_cast<double>(hours) / static_cast<double>(amount)) : 0, lines);
  }
  const LogMoments overrun = OfLogs(ratios);
  Fit(out, "effort_overrun", &s.effort_overrun,
      estimated > 0 ? std::clamp(static_cast<double>(spent) / static_cast<double>(estimated), 0.1, 10.0) : NAN, overrun.n);
  Fit(out, "effort_overrun_sigma", &s.effort_overrun_sigma, std::min(3.0, overrun.sigma), overrun.n);
  const DeliveredHours delivered = DeliveredHoursPerMonth(ledger, as_of, s);
  const MonthIndex first_month = MonthOf(as_of) + 1;
  for (size_t t = 0; t < s.teams.size(); ++t) {
    Team& team = s.teams[t];
    const double per_fte = team.hours_per_fte_month * team.utilization;
    const std::vector<double>& hours = delivered.by_month[t];
    // The trend: the last 12 months' hours against the 12 before, as a monthly rate.
    double recent = 0, earlier = 0;
    for (size_t m = 0; m < hours.size(); ++m) (m < hours.size() - 12 ? earlier : recent) += hours[m];
    double growth = 0;
    Fit(out, absl::StrCat("hiring_plan[", team.name, "].growth_per_year"), &growth,
        earlier > 0 ? std::clamp(recent / earlier - 1, -0.5, 2.0) : NAN, delivered.records[t]);
    const double monthly = growth > 0 ? std::pow(1 + growth, 1.0 / 12) : 1.0;
    const Staffing staffed = StaffingOf(ledger, as_of, s, t, hours.size());
    if (staffed.months >= kMinSample && team.utilization > 0) {
      // With headcount.csv: today's people, each able to deliver what one delivered in the
      // busiest month of the year (hours per FTE at the team's utilisation).
      Fit(out, absl::StrCat("teams[", team.name, "].fte"), &team.fte, staffed.now, staffed.months);
      Fit(out, absl::StrCat("teams[", team.name, "].hours_per_fte_month"), &team.hours_per_fte_month,
          std::min(744.0, MostHoursPerFte(hours, staffed.by_month) / team.utilization), staffed.months);
    } else {  // hours per FTE stay as they were (the reply lists them with their few months)
      Fit(out, absl::StrCat("teams[", team.name, "].hours_per_fte_month"), &team.hours_per_fte_month, NAN,
          staffed.months);
      Fit(out, absl::StrCat("teams[", team.name, "].fte"), &team.fte,
          per_fte > 0 ? std::min(100000.0, BusiestMonthNow(hours, monthly) / per_fte) : NAN, delivered.records[t]);
    }
    bool planned = false;  // the starting scenario's own plan for the team is kept as it is
    for (const Hire& hire : s.hiring_plan) planned |= hire.team == team.name;
    if (planned || growth <= 0 || !out.values.back().fitted) continue;
    const double rate = monthly - 1;
    double fte = team.fte;
    for (int m = 0; m < kTrendHireMonths; ++m) {
      // Hires that grow the team by the trend and replace who leaves, joining in month m.
      const double hires = fte * (rate + team.monthly_attrition * (1 + rate));
      fte *= 1 + rate;
      s.hiring_plan.push_back(Hire{team.name, first_month + m - s.time_to_fill_months, std::round(hires * 100) / 100});
    }
  }
}

// Products (SPEC §4.3): each kind's template from the lines signed in the last two years to
// as_of. A subscription's term is the one that earns as fast as they did: Σ amount ÷ Σ (amount ÷
// term), so a 36-month deal earns a third of what a 12-month one of the same amount earns a month
// (and bills a third of it a year upfront). A service's planned duration (its expected end from
// the start of its work) the same way. Lead times are the amount-weighted mean of the months from
// signing to the start of service (subscriptions), to the first delivery (goods), or to the start
// of the period the first hours reported cover (services: those hours at the planned pace).
// A subscription product's term_mix: the shares of the amount sold at each term (whole months),
// the kMaxTerms largest, renormalised. Drawn per sale, it bills upfront and renews as the company's
// mix does, where one mean term would bill a 3-month deal's year upfront (SPEC §4 step 1). The
// starting scenario's mix stays with fewer than kMinSample lines.
void FitTermMix(const std::map<int, double>& amount_by_term, int64_t lines, Product& product, Calibration& out) {
  std::vector<TermShare> mix;
  for (const auto& [months, amount] : amount_by_term) mix.push_back(TermShare{months, amount});
  std::stable_sort(mix.begin(), mix.end(), [](const TermShare& a, const TermShare& b) { return a.share > b.share; });
  if (mix.size() > kMaxTerms) mix.resize(kMaxTerms);
  std::sort(mix.begin(), mix.end(), [](const TermShare& a, const TermShare& b) { return a.months < b.months; });
  double total = 0;
  for (const TermShare& term : mix) total += term.share;
  const bool fitted = lines >= kMinSample && total > 0;
  if (fitted) {
    for (TermShare& term : mix) term.share /= total;
    // Shares that sum to 1 to the last bit, as validation asks: the last takes what is left.
    double before_last = 0;
    for (size_t k = 0; k + 1 < mix.size(); ++k) before_last += mix[k].share;
    mix.back().share = std::max(0.0, 1.0 - before_last);
    product.term_mix = std::move(mix);
  }
  for (const TermShare& term : product.term_mix) {
    out.values.push_back(FittedValue{absl::StrCat("products[", product.name, "].term_mix[", term.months, " months]"),
                                     term.share, lines, fitted});
  }
}

void FitProducts(const Ledger& ledger, Date as_of, Calibration& out) {
  Scenario& s = out.scenario;
  struct Sums {
    double amount = 0, per_month = 0;  // Σ amount, Σ amount / months: the duration
    double lead_amount = 0, lead = 0;  // Σ amount, Σ amount x lead months: the lead time
    int64_t lines = 0, leads = 0;
  };
  std::array<Sums, 3> kinds{};  // by LineKind
  std::map<int, double> amount_by_term;  // subscriptions: Σ amount by term in whole months
  for (uint32_t index : ledger.ContractsInIdOrder()) {
    const ContractState& c = ledger.contracts()[index];
    if (!SignedInTwoYearsTo(c, as_of)) continue;
    const Date signed_on = c.contract.signed_on;
    for (const LineState& line : c.lines) {
      const Line& l = line.line;
      const double amount = Units(line.amount);
      if (amount <= 0) continue;
      Sums& k = kinds[static_cast<size_t>(l.kind)];
      std::optional<double> started;  // days from signing to the start of service or work
      std::optional<double> months;   // the term or planned duration
      const Progress* first = !line.progress.empty() && line.progress.front().on <= as_of ? &line.progress.front() : nullptr;
      if (l.kind == LineKind::kRatable) {
        if (l.start_on) started = *l.start_on - signed_on;
        if (l.start_on && l.end_on) {
          months = (*l.end_on - *l.start_on + 1) / kDaysPerMonth;
          amount_by_term[static_cast<int>(std::clamp(std::round(*months), 1.0, 120.0))] += amount;
        }
      } else if (l.kind == LineKind::kDelivery) {
        if (first) started = first->on - signed_on;  // goods: the first delivery
      } else {
        // Services: the first hours reported cover a period that ended on that day, at the
        // planned pace: the estimate over the days from the work's start to its expected end.
        // The start s (days from signing) is where both meet: the first report on day F of h
        // hours of an estimate H ending on day E took F - s = (h / H) (E - s) days, so
        // s = (F - r E) / (1 - r) with r = h / H; the planned duration then runs from s, not
        // from the signing (which would fold the lead into it). At most a month and a half.
        double from = l.start_on ? *l.start_on - signed_on : 0;  // days from signing to the start
        const double estimate = static_cast<double>(l.estimated_hours.value_or(0));
        if (first && first->hours && estimate > 0) {
          const double f = first->on - signed_on, r = static_cast<double>(*first->hours) / estimate;
          const double e = l.expected_end_on ? *l.expected_end_on - signed_on + 1 : 0;
          double start = f - 0.5 * kDaysPerMonth;  // without an expected end: half a month
          if (l.expected_end_on && r < 1 && e > f) {
            start = (f - r * e) / (1 - r);
          } else if (l.expected_end_on) {  // all at once, or late already: the pace from signing
            start = f - std::min(1.5, r * std::max(1.0, e / kDaysPerMonth)) * kDaysPerMonth;
          }
          from = std::max(start, f - 1.5 * kDaysPerMonth);
          started = from;
        }
        if (l.expected_end_on) months = (*l.expected_end_on - signed_on + 1 - from) / kDaysPerMonth;
      }
      if (months) {
        k.amount += amount;
        k.per_month += amount / std::max(1.0, *months);
        ++k.lines;
      }
      if (started) {
        k.lead_amount += amount;
        k.lead += amount * std::max(0.0, *started) / kDaysPerMonth;
        ++k.leads;
      }
    }
  }
  for (Product& product : s.products) {
    const Sums& k = kinds[static_cast<size_t>(product.kind)];
    if (product.kind != LineKind::kDelivery) {
      double term = product.term_months;  // whole months
      Fit(out, absl::StrCat("products[", product.name, "].term_months"), &term,
          k.per_month > 0 ? std::clamp(std::round(k.amount / k.per_month), 1.0, 120.0) : NAN, k.lines);
      product.term_months = static_cast<int>(term);
    }
    if (product.kind == LineKind::kRatable) FitTermMix(amount_by_term, k.lines, product, out);
    Fit(out, absl::StrCat("products[", product.name, "].lead_time_months"), &product.lead_time_months,
        k.lead_amount > 0 ? std::clamp(k.lead / k.lead_amount, 0.0, 24.0) : NAN, k.leads);
  }
}

}  // namespace

DeliveredHours DeliveredHoursPerMonth(const Ledger& ledger, Date as_of, const Scenario& s) {
  // The last whole months by as_of; the capacity's are its last kCapacityMonths.
  const MonthIndex last = LastWholeMonth(as_of);
  HoursByMonth delivered = HoursDelivered(ledger, as_of, s, last - kTrendMonths + 1, last);
  DeliveredHours out;
  out.per_month.assign(s.teams.size(), 0);
  out.records.assign(s.teams.size(), 0);
  for (size_t t = 0; t < s.teams.size(); ++t) {
    for (size_t m = kTrendMonths - kCapacityMonths; m < kTrendMonths; ++m) {
      out.per_month[t] += delivered.hours[t][m] / kCapacityMonths;
      out.records[t] += delivered.records[t][m];
    }
  }
  out.by_month = std::move(delivered.hours);
  return out;
}

std::vector<std::string> CapacityWarnings(const Ledger& ledger, Date as_of, const Scenario& scenario) {
  std::vector<std::string> warnings;
  const DeliveredHours delivered = DeliveredHoursPerMonth(ledger, as_of, scenario);
  for (size_t t = 0; t < scenario.teams.size(); ++t) {
    const Team& team = scenario.teams[t];
    const double capacity = team.fte * team.hours_per_fte_month * team.utilization;
    const double hours = delivered.per_month[t];
    if (delivered.records[t] < kMinSample || hours <= 0) continue;
    if (capacity < 0.5 * hours || capacity > 2 * hours) {
      warnings.push_back(absl::StrFormat(
          "teams[%s]: capacity %.0f hours a month (%.4g FTE x %.4g hours x %.4g utilization) is %.2gx the %.0f hours a "
          "month the ledger shows delivered over the last %d months; calibrate, or set teams[%s].fte",
          team.name, capacity, team.fte, team.hours_per_fte_month, team.utilization, capacity / hours, hours,
          kCapacityMonths, team.name));
    }
  }
  return warnings;
}

PaymentDelays FitPaymentDelays(const Ledger& ledger, Date as_of) {
  constexpr int kBuckets[] = {0, 30, 60, 90, 120};
  // Sums in cents: exact, so the mix does not depend on the order payments were recorded in.
  std::array<Cents, 5> paid_by_bucket{};
  Cents paid_total = 0;
  PaymentDelays out;
  for (const Payment& p : ledger.payments()) {
    if (p.received_on > as_of) continue;
    const std::optional<uint32_t> invoice = ledger.FindInvoice(p.invoice_id);
    if (!invoice) continue;  // the ledger refuses such payments
    const int days = p.received_on - ledger.invoices()[*invoice].invoice.issued_on;
    size_t bucket = 0;
    for (size_t b = 1; b < 5; ++b) {
      if (std::abs(days - kBuckets[b]) < std::abs(days - kBuckets[bucket])) bucket = b;
    }
    paid_by_bucket[bucket] += p.amount;
    paid_total += p.amount;
    ++out.payments;
  }
  if (out.payments < kMinSample || paid_total <= 0) return out;
  for (size_t b = 0; b < 5; ++b) {
    if (paid_by_bucket[b] > 0) {
      out.mix.emplace_back(kBuckets[b], static_cast<double>(paid_by_bucket[b]) / static_cast<double>(paid_total));
    }
  }
  double sum = 0;
  for (const auto& entry : out.mix) sum += entry.second;
  for (auto& entry : out.mix) entry.second /= sum;  // exactly 1 despite rounding
  return out;
}

namespace {

// Opportunities, by segment (SPEC §4.3): win rates, sizes, cycles, slips, arrivals and
// seasonality; and each stage's win probability.
void FitOpportunities(const Ledger& ledger, Date as_of, Calibration& out) {
  Scenario& s = out.scenario;
  struct SegmentData {
    int64_t won = 0, closed = 0, slipped = 0, with_expected = 0;
    double slip_months = 0;
    std::vector<double> won_sizes, cycles;
    std::map<MonthIndex, int64_t> created_per_month;
  };
  std::map<std::string, SegmentData> by_segment;
  struct ArrivalTrend {
    std::string segment;  // its name: a segment added later may move the others
    std::string field;
    int64_t recent, earlier;
  };
  std::vector<ArrivalTrend> arrival_trends;
  absl::flat_hash_map<std::string, int> stage_rank;
  for (size_t k = 0; k < s.stage_win_probability.size(); ++k) stage_rank[s.stage_win_probability[k].first] = static_cast<int>(k);
  std::vector<int64_t> reached_won(s.stage_win_probability.size()), reached_closed(s.stage_win_probability.size());
  MonthIndex first_created = MonthOf(as_of);
  for (uint32_t index : ledger.OpportunitiesInIdOrder()) {
    const Opportunity& o = ledger.opportunities()[index];
    if (o.created_on > as_of) continue;
    SegmentData& d = by_segment[o.segment];
    ++d.created_per_month[MonthOf(o.created_on)];
    first_created = std::min(first_created, MonthOf(o.created_on));
    const bool closed = o.status != OpportunityStatus::kOpen && o.closed_on && *o.closed_on <= as_of;
    if (!closed) continue;
    const bool won = o.status == OpportunityStatus::kWon;
    ++d.closed;
    d.won += won;
    if (won && o.amount > 0) {
      d.won_sizes.push_back(Units(o.amount));
      d.cycles.push_back(std::max(0.25, (*o.closed_on - o.created_on) / kDaysPerMonth));
    }
    if (o.expected_close_on) {
      ++d.with_expected;
      const int late = MonthOf(*o.closed_on) - MonthOf(*o.expected_close_on);
      if (late > 0) {
        ++d.slipped;
        d.slip_months += late;
      }
    }
    // A closed opportunity's stage is the last it reached: it reached every earlier stage too.
    if (auto it = stage_rank.find(o.stage); it != stage_rank.end()) {
      for (int k = 0; k <= it->second; ++k) {
        ++reached_closed[static_cast<size_t>(k)];
        reached_won[static_cast<size_t>(k)] += won;
      }
    }
  }
  for (auto& [name, d] : by_segment) {
    SegmentAssumptions* segment = &SegmentNamed(s, name);
    const std::string f = absl::StrCat("segments[", name, "].");
    Fit(out, f + "win_rate", &segment->win_rate, static_cast<double>(d.won) / std::max<int64_t>(1, d.closed), d.closed);
    const LogMoments sizes = OfLogs(d.won_sizes);
    Fit(out, f + "deal_size", &segment->deal_size, sizes.mean, sizes.n);
    Fit(out, f + "deal_size_sigma", &segment->deal_size_sigma, std::min(3.0, sizes.sigma), sizes.n);
    const LogMoments cycles = OfLogs(d.cycles);
    Fit(out, f + "sales_cycle_months", &segment->sales_cycle_months, std::min(60.0, cycles.mean), cycles.n);
    Fit(out, f + "sales_cycle_sigma", &segment->sales_cycle_sigma, std::min(3.0, cycles.sigma), cycles.n);
    Fit(out, f + "slip_probability", &segment->slip_probability,
        static_cast<double>(d.slipped) / std::max<int64_t>(1, d.with_expected), d.with_expected);
    Fit(out, f + "slip_months", &segment->slip_months,
        std::clamp(d.slip_months / std::max<int64_t>(1, d.slipped), 1.0, 36.0), d.slipped);
    // Arrivals: the least-squares fit of count(month) = rate x seasonality(calendar month) over the
    // whole months observed, with seasonality averaging 1 over the year.
    const MonthIndex last_full = LastWholeMonth(as_of);
    const int64_t months = std::max<int64_t>(0, last_full - first_created + 1);
    std::array<double, 12> sum{}, count{};
    double total = 0;
    for (MonthIndex m = first_created; m <= last_full; ++m) {
      auto it = d.created_per_month.find(m);
      const double n = it == d.created_per_month.end() ? 0 : static_cast<double>(it->second);
      sum[static_cast<size_t>(m % 12)] += n;
      count[static_cast<size_t>(m % 12)] += 1;
      total += n;
    }
    const double rate = months > 0 ? total / static_cast<double>(months) : 0;
    // With two whole years, the rate at as-of comes from the trend (below); else it is the mean.
    int64_t recent = 0, earlier = 0;
    for (MonthIndex m = last_full - 23; m <= last_full; ++m) {
      auto it = d.created_per_month.find(m);
      (m > last_full - 12 ? recent : earlier) += it == d.created_per_month.end() ? 0 : it->second;
    }
    if (months < 24) {
      Fit(out, f + "arrivals_per_month", &segment->arrivals_per_month, rate, months);
      continue;
    }
    arrival_trends.push_back(ArrivalTrend{name, f, recent, earlier});
    if (rate > 0) {
      double mean_factor = 0;
      std::array<double, 12> factor{};
      for (size_t k = 0; k < 12; ++k) {
        factor[k] = count[k] > 0 ? sum[k] / count[k] / rate : 1.0;
        mean_factor += factor[k] / 12;
      }
      for (size_t k = 0; k < 12; ++k) {
        // Its sample: the opportunities created in that calendar month.
        Fit(out, absl::StrCat(f, "seasonality[", k, "]"), &segment->seasonality[k],
            std::min(10.0, factor[k] / mean_factor), static_cast<int64_t>(sum[k]));
      }
    }
  }
  // New opportunities' trends (SPEC §4.1 source 2), shrunk toward the company's (ShrunkTrends);
  // the rate at as-of is the last 12 months' mean moved half a year along the trend.
  std::vector<std::pair<int64_t, int64_t>> counts;
  for (const ArrivalTrend& t : arrival_trends) counts.emplace_back(t.recent, t.earlier);
  const std::vector<TrendFit> trends = ShrunkTrends(counts);
  for (size_t i = 0; i < arrival_trends.size(); ++i) {
    const ArrivalTrend& t = arrival_trends[i];
    SegmentAssumptions& segment = SegmentNamed(s, t.segment);
    FitRateOnTrend(out, t.field + "arrivals_", trends[i], t.recent, 24, &segment.arrivals_growth_per_year,
                   &segment.arrivals_growth_sigma, &segment.arrivals_per_month);
  }
  for (size_t k = 0; k < s.stage_win_probability.size(); ++k) {
    auto& [stage, probability] = s.stage_win_probability[k];
    Fit(out, absl::StrCat("stage_win_probability[", stage, "]"), &probability,
        static_cast<double>(reached_won[k]) / std::max<int64_t>(1, reached_closed[k]), reached_closed[k]);
  }
}

// Terms in arrears: how late a month's work is invoiced (payment.arrears_lag_months). Over the
// contracts signed in the two years to as_of whose lines are all services (their invoices are
// for work alone), each invoice issued by as_of after a progress report: the months from the
// latest report on or before it to the invoice (0: the same month; at most 3), the mean weighted
// by amount. kMinSample invoices, or the default stays.
void FitArrearsLag(const Ledger& ledger, Date as_of, Calibration& out) {
  double weighted = 0, amount = 0;
  int64_t invoices = 0;
  for (uint32_t index : ledger.ContractsInIdOrder()) {
    const ContractState& c = ledger.contracts()[index];
    if (!SignedInTwoYearsTo(c, as_of) || c.lines.empty()) continue;
    std::vector<Date> reports;
    bool services = true;
    for (const LineState& line : c.lines) {
      services &= line.line.kind == LineKind::kEffort;
      for (const Progress& p : line.progress) {
        if (p.on <= as_of) reports.push_back(p.on);
      }
    }
    if (!services || reports.empty()) continue;
    std::sort(reports.begin(), reports.end());
    for (const DatedAmount& bill : c.billings) {
      if (bill.on > as_of || bill.amount <= 0) continue;
      const auto after = std::upper_bound(reports.begin(), reports.end(), bill.on);
      if (after == reports.begin()) continue;  // billed before any work was reported
      const int lag = MonthOf(bill.on) - MonthOf(*(after - 1));
      if (lag > 3) continue;
      weighted += Units(bill.amount) * lag;
      amount += Units(bill.amount);
      ++invoices;
    }
  }
  Fit(out, "payment.arrears_lag_months", &out.scenario.payment.arrears_lag_months,
      amount > 0 ? weighted / amount : NAN, invoices);
}

// Payments: the delay mix (FitPaymentDelays) and the share of invoices over 180 days old still
// unpaid (bad debt).
void FitPayments(const Ledger& ledger, Date as_of, Calibration& out) {
  Scenario& s = out.scenario;
  const PaymentDelays delays = FitPaymentDelays(ledger, as_of);
  out.payment_delays_fitted = !delays.mix.empty();
  if (out.payment_delays_fitted) s.payment.delay_days_mix = delays.mix;
  for (const auto& [days, share] : s.payment.delay_days_mix) {
    out.values.push_back(FittedValue{absl::StrCat("payment.delay_days_mix[", days, " days]"), share,
                                     delays.payments, out.payment_delays_fitted});
  }
  const std::vector<Cents> paid = ledger.PaidThrough(as_of);
  Cents old_billed = 0, old_unpaid = 0;
  int64_t old_invoices = 0;
  for (size_t k = 0; k < ledger.invoices().size(); ++k) {
    const Invoice& invoice = ledger.invoices()[k].invoice;
    if (invoice.amount <= 0 || invoice.issued_on > as_of - 180) continue;
    ++old_invoices;
    old_billed += invoice.amount;
    old_unpaid += std::max<Cents>(0, invoice.amount - paid[k]);
  }
  Fit(out, "payment.bad_debt_rate", &s.payment.bad_debt_rate,
      old_billed > 0 ? static_cast<double>(old_unpaid) / static_cast<double>(old_billed) : 0, old_invoices);

}

// Renewals (SPEC §4.2): of the subscriptions that ran to their end within the last two
// years and whose renewal window has closed, the share renewed, and the renewals' amounts
// against theirs (a ratio of sums). Only contracts signed by as_of count.
void FitRenewals(const std::vector<Subscription>& subscriptions, Date as_of, Calibration& out) {
  Scenario& s = out.scenario;
  int64_t expired = 0, renewed = 0;
  Cents renewed_from = 0, renewed_to = 0;
  for (const Subscription& sub : subscriptions) {
    if (sub.cancelled || !sub.WindowClosedBy(as_of) || sub.end < as_of - 730) continue;
    ++expired;
    if (sub.renewed_by < 0) continue;
    ++renewed;
    renewed_from += sub.line->amount;
    renewed_to += subscriptions[static_cast<size_t>(sub.renewed_by)].line->amount;
  }
  Fit(out, "renewals.probability", &s.renewals.probability, static_cast<double>(renewed) / std::max<int64_t>(1, expired), expired);
  Fit(out, "renewals.uplift", &s.renewals.uplift,
      renewed_from > 0 ? std::clamp(static_cast<double>(renewed_to) / static_cast<double>(renewed_from) - 1, -0.9, 10.0) : 0,
      renewed);
}

}  // namespace

absl::StatusOr<Calibration> Calibrate(const Ledger& ledger, Date as_of, const Scenario& start) {
  RETURN_IF_ERROR(Validate(start));
  Calibration out;
  out.scenario = start;
  // Opportunities and contracts in id order, and money summed in cents: no fit depends on the
  // order records were imported in.
  FitOpportunities(ledger, as_of, out);
  FitPayments(ledger, as_of, out);
  FitArrearsLag(ledger, as_of, out);
  FitProducts(ledger, as_of, out);
  FitWork(ledger, as_of, out);
  FitCollectionByAge(ledger, as_of, out);
  const std::vector<Subscription> subscriptions = LinkRenewals(ledger, as_of);
  FitDirectBookings(ledger, as_of, subscriptions, out);
  FitRenewals(subscriptions, as_of, out);
  RETURN_IF_ERROR(Validate(out.scenario));
  return out;
}

}  // namespace forecastle::forecast

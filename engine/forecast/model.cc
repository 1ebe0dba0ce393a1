#include "engine/forecast/model.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include "engine/forecast/random.h"

namespace forecastle::forecast {
namespace {

constexpr int kMaxSlipMonths = 120;  // a slipping deal slips at most this many months

constexpr std::string_view kMetricNames[kMetricCount] = {
    "bookings", "revenue", "billings", "collections", "backlog", "unbilled_backlog",
    "deferred_revenue", "accounts_receivable", "work_backlog_hours", "capacity_hours",
    "utilization", "headcount", "delivery_cost"};

// Work on one team's queue: capacity-bound revenue follows the hours actually delivered.
struct WorkItem {
  int team = 0;
  int booked = -1;           // month the work was sold (-1: before the forecast: the backlog at as-of)
  int start = 0;             // first month work may be done
  double amount = 0;
  double hours = 0;
  double done = 0;
  BillingTerms billing = BillingTerms::kMonthlyInArrears;
  uint32_t delivery_draw = 0;  // billed on delivery: its invoice's word, drawn when it was sold
  uint64_t key = 0;          // what the work is for: monthly invoices draw from (key, month)
  double prepaid = 0;        // already billed: earned revenue uses it up before it is invoiced
  double unbilled = 0;       // billed on delivery: revenue earned so far, invoiced when it is done
};

// Month-by-month flows of one path.
struct Flows {
  std::vector<double> bookings, revenue, billings, collections, write_offs;
  // Ratable revenue as steps: a line adding r a month from month a to month b - 1 adds r at a and
  // subtracts it at b (one write per line instead of one per month); summed month by month.
  std::vector<double> ratable_step;
  // Every vector has a slot past the horizon's last month, which no month reads: what falls beyond
  // the horizon is added there rather than tested for (invoices' months are random: a test would be
  // a branch the predictor misses).
  void Reset(int horizon) {
    for (auto* v : {&bookings, &revenue, &billings, &collections, &write_offs, &ratable_step}) {
      v->assign(static_cast<size_t>(horizon) + 1, 0);
    }
  }
};

// A month's totals over the teams, kept for its metrics until every invoice is billed.
struct TeamMonth {
  double capacity = 0, worked = 0, headcount = 0, cost = 0, work_left = 0;
  // Contract assets: revenue of work earned and not yet invoiced (deferred revenue is the net
  // contract liability plus them, as each deal is a contract of its own). Work billed in arrears
  // holds the month's earnings until next month's invoice; work billed on delivery all it has
  // earned until it is done.
  double arrears_unbilled = 0, delivery_unbilled = 0;
};

// An invoice the team months send: billed in `month` for `amount`, its `word` known already
// (billed on delivery) or the first word of batch block `draw` (in arrears; -1 otherwise).
struct Invoice {
  int month;
  int draw;
  double amount;
  uint32_t word;
};

// Binomial inverts while n p (1 - p) is at most this; beyond it, the normal approximation.
constexpr double kBinomialInversionVariance = 25;

// Binomial(n, p) from one uniform: by inversion (exact) when n p (1 - p) is small, else by the
// normal approximation with continuity correction (inversion's (1 - p)^n underflows for large n).
// `log_stay` is log(1 - p), computed once per team; stay_all[n] = exp(n log_stay) where tabulated.
int64_t Binomial(int64_t n, double p, double log_stay, double u, const std::vector<double>& stay_all) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const double variance = static_cast<double>(n) * p * (1 - p);
  if (variance > kBinomialInversionVariance) {
    const double k = std::floor(static_cast<double>(n) * p + std::sqrt(variance) * InverseNormal(u) + 0.5);
    return static_cast<int64_t>(std::clamp(k, 0.0, static_cast<double>(n)));
  }
  double probability = static_cast<size_t>(n) < stay_all.size() ? stay_all[static_cast<size_t>(n)]
                                                                 : std::exp(static_cast<double>(n) * log_stay);
  double cumulative = probability;
  int64_t k = 0;
  const double ratio = p / (1 - p);
  while (u > cumulative && k < n) {
    probability *= ratio * static_cast<double>(n - k) / static_cast<double>(k + 1);
    ++k;
    cumulative += probability;
  }
  return k;
}

}  // namespace

std::string_view MetricName(Metric metric) { return kMetricNames[metric]; }

PathModel::PathModel(const StartingState& state, const Scenario& scenario, uint64_t seed)
    : state_(state), scenario_(scenario), seed_(seed) {
  const auto segments = static_cast<Eigen::Index>(scenario.segments.size());
  Eigen::MatrixXd correlation_factor = Eigen::MatrixXd::Identity(segments, segments);
  if (!scenario.segment_correlation.empty()) {
    Eigen::MatrixXd rho(segments, segments);
    for (Eigen::Index i = 0; i < segments; ++i) {
      for (Eigen::Index j = 0; j < segments; ++j) rho(i, j) = scenario.segment_correlation[i][j];
    }
    // The Cholesky factor L (L Lᵀ = ρ) where ρ is positive definite. Validate also lets through
    // semi-definite matrices (eigenvalues down to -1e-9), which may have none: for them, the factor
    // V sqrt(max(Λ, 0)) of the eigendecomposition, for which F Fᵀ = ρ as well.
    Eigen::LLT<Eigen::MatrixXd> cholesky(rho);
    if (cholesky.info() == Eigen::Success && (cholesky.matrixLLT().diagonal().array() > 1e-6).all()) {
      correlation_factor = cholesky.matrixL();
    } else {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(rho);
      correlation_factor = eigen.eigenvectors() * eigen.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
    }
  }
  for (Eigen::Index i = 0; i < segments; ++i) {
    for (Eigen::Index j = 0; j < segments; ++j) correlation_factor_.push_back(correlation_factor(i, j));
  }
  for (const SegmentAssumptions& segment : scenario.segments) {
    std::vector<uint64_t> bounds;
    double sum = 0;
    for (const Product& product : scenario.products) {
      for (const auto& [name, share] : segment.product_mix) {
        if (name == product.name) sum += share;
      }
      bounds.push_back(RandomStream::WordsBelow(sum));
    }
    product_mix_words_.push_back(std::move(bounds));
  }
  for (const Product& product : scenario.products) {
    int team = -1;
    for (size_t t = 0; t < scenario.teams.size(); ++t) {
      if (scenario.teams[t].name == product.team) team = static_cast<int>(t);
    }
    team_of_product_.push_back(team);
    upfront_months_.push_back(UpfrontInvoiceMonths(product.billing));
    if (renewal_product_ < 0 && product.kind == LineKind::kRatable) {
      renewal_product_ = static_cast<int>(team_of_product_.size()) - 1;
    }
  }
  for (const SegmentAssumptions& g : scenario.segments) {
    const double cycle_mu = std::log(std::max(g.sales_cycle_months, 1e-9)) - g.sales_cycle_sigma * g.sales_cycle_sigma / 2;
    const double size_mu = std::log(std::max(g.deal_size, 1e-9)) - g.deal_size_sigma * g.deal_size_sigma / 2;
    segment_draws_.push_back(SegmentDraws{
        &TableFor(g.open_deal_size_sigma), std::exp(-g.open_deal_size_sigma * g.open_deal_size_sigma / 2),
        &TableFor(g.sales_cycle_sigma), std::exp(cycle_mu), &TableFor(g.deal_size_sigma), std::exp(size_mu),
        {}, RandomStream::WordsBelow(g.slip_probability)});
    // q^k for k < kMaxSlipMonths, q = 1 - 1 / slip_months (0 when slip_months is 1: always k = 1).
    // std::pow, correctly rounded, so a uniform equal to q^k gives k, as ceil(log u / log q) does
    // (exp(k log q) can round above q^k).
    const double q = std::max(0.0, 1 - 1 / g.slip_months);
    std::vector<double>& powers = segment_draws_.back().slip_powers;
    for (int k = 0; k < kMaxSlipMonths; ++k) powers.push_back(std::pow(q, k));
  }
  overrun_ = &TableFor(scenario.effort_overrun_sigma);
  for (const OpenDeal& deal : state.open_deals) {
    win_words_below_.push_back(RandomStream::WordsBelow(std::min(1.0, deal.win_probability * scenario.win_rate_multiplier)));
  }
  for (const Hire& hire : scenario.hiring_plan) {
    int team = 0;
    while (scenario.teams[static_cast<size_t>(team)].name != hire.team) ++team;  // Validate checked it exists
    hire_team_.push_back(team);
  }
  overrun_scale_ = scenario.effort_overrun * std::exp(-scenario.effort_overrun_sigma * scenario.effort_overrun_sigma / 2);
  for (const Team& team : scenario.teams) team_log_stay_.push_back(std::log1p(-std::min(team.monthly_attrition, 1.0)));
  {
    // P(no one leaves) for every headcount a cohort can have: at most its size when it joins.
    std::vector<int64_t> largest(scenario.teams.size(), 0);
    for (size_t t = 0; t < scenario.teams.size(); ++t) largest[t] = static_cast<int64_t>(std::llround(scenario.teams[t].fte));
    for (size_t h = 0; h < scenario.hiring_plan.size(); ++h) {
      int64_t& most = largest[static_cast<size_t>(hire_team_[h])];
      most = std::max<int64_t>(most, std::llround(scenario.hiring_plan[h].count));
    }
    for (size_t t = 0; t < scenario.teams.size(); ++t) {
      // Only headcounts Binomial inverts (larger ones take the normal approximation).
      const double p = std::clamp(scenario.teams[t].monthly_attrition, 0.0, 1.0);
      // Compared in double: for a tiny p, the largest such n exceeds every int64_t.
      const double inverted = p > 0 && p < 1 ? std::floor(kBinomialInversionVariance / (p * (1 - p))) : 0.0;
      const auto entries = static_cast<size_t>(std::min(static_cast<double>(largest[t]), inverted)) + 1;
      std::vector<double>& stay_all = team_stay_all_.emplace_back(entries);
      for (size_t n = 0; n < stay_all.size(); ++n) stay_all[n] = std::exp(static_cast<double>(n) * team_log_stay_[t]);
    }
  }
  for (const auto& [days, share] : scenario.payment.delay_days_mix) {
    delay_months_.emplace_back(static_cast<int>(std::lround(days / 30.4375)), share);
  }
  {
    const double rate = scenario.payment.bad_debt_rate;
    bad_debt_words_ = RandomStream::WordsBelow(rate);
    double cumulative = 0;
    for (const auto& [months, share] : delay_months_) {
      cumulative += share;
      delay_bad_words_.push_back(RandomStream::WordsBelow(rate * cumulative));
      delay_good_words_.push_back(RandomStream::WordsBelow(rate + (1 - rate) * cumulative));
    }
  }
  renewal_words_ = RandomStream::WordsBelow(scenario.renewals.probability);
  const int horizon = state.horizon;
  existing_collections_.assign(static_cast<size_t>(horizon), 0);
  existing_write_offs_.assign(static_cast<size_t>(horizon), 0);
  const double bad = scenario.payment.bad_debt_rate;
  auto collect = [&](int billed_month, double amount) {
    for (const auto& [delay, share] : delay_months_) {
      const int month = std::max(0, billed_month + delay);
      if (month >= horizon) continue;
      existing_collections_[static_cast<size_t>(month)] += amount * share * (1 - bad);
      existing_write_offs_[static_cast<size_t>(month)] += amount * share * bad;
    }
  };
  collect(-1, state.accounts_receivable);  // open at as_of: as if billed in the as-of month
  for (int m = 0; m < horizon; ++m) collect(m, state.scheduled_billing[static_cast<size_t>(m)]);
}

const LogNormalTable& PathModel::TableFor(double sigma) {
  for (const auto& table : tables_) {
    if (table->sigma() == sigma) return *table;
  }
  return *tables_.emplace_back(std::make_unique<LogNormalTable>(sigma));
}

void PathModel::Run(uint64_t path, PathOutput& out) const {
  const Scenario& sc = scenario_;
  const int horizon = state_.horizon;
  // Every buffer a path needs, reused by the paths one thread runs (found once per path: a
  // thread_local with a constructor costs a call on each use).
  struct Scratch {
    Flows flows;
    std::vector<WorkItem> work;
    std::vector<PhiloxCounter> counters;
    std::vector<uint32_t> win_words, first_blocks, won, queue, offsets;
    std::vector<int64_t> arrivals;
    std::vector<size_t> queue_next, queue_end;
    std::vector<double> hours_left, hours_booked;
    std::vector<double> z, factor, cell_mean, cell_exp;
    std::vector<TeamMonth> team_months;
    std::vector<Invoice> invoices;
  };
  thread_local Scratch scratch_storage;
  Scratch& scratch = scratch_storage;
  Flows& flows = scratch.flows;
  std::vector<WorkItem>& work = scratch.work;
  flows.Reset(horizon);
  work.clear();
  for (int m = 0; m < horizon; ++m) {
    flows.revenue[static_cast<size_t>(m)] = state_.scheduled_revenue[static_cast<size_t>(m)];
    flows.billings[static_cast<size_t>(m)] = state_.scheduled_billing[static_cast<size_t>(m)];
    flows.collections[static_cast<size_t>(m)] = existing_collections_[static_cast<size_t>(m)];
    flows.write_offs[static_cast<size_t>(m)] = existing_write_offs_[static_cast<size_t>(m)];
  }

  // An invoice: billed in `month`, paid after a delay from the mix, or written off as bad debt.
  // Callers draw `word` from the invoice's stream whether or not the invoice falls within the
  // horizon, so the draws after it stay the same in every scenario.
  const size_t delay_picks = delay_months_.size() - 1;
  auto bill = [&](int month, double amount, uint32_t word) {
    // One uniform decides both: below the bad-debt rate the invoice goes bad, and where it falls
    // within the bad (or the good) share picks the delay, by thresholds precomputed from the mix
    // (all compared as words). No branches: the pick is random, and months past the horizon go
    // to the flows' spare slot.
    const bool bad = word < bad_debt_words_;
    const uint64_t* thresholds = bad ? delay_bad_words_.data() : delay_good_words_.data();
    size_t k = 0;  // thresholds at or below the invoice's uniform
    for (size_t j = 0; j < delay_picks; ++j) k += word >= thresholds[j];
    const int paid = month + delay_months_[k].first;
    flows.billings[static_cast<size_t>(std::min(month, horizon))] += amount;
    (bad ? flows.write_offs : flows.collections)[static_cast<size_t>(std::min(paid, horizon))] += amount;
  };

  // A won deal (or a renewal) of `size`, booked in `month`, becomes a line of `product`.
  // `term` overrides the product's term (renewals of existing subscriptions).
  // `key` names the deal for its invoices' streams; `cohort_squared` > 0 marks a cohort of
  // existing subscriptions (Σ amount²), renewed by the normal approximation instead of all or
  // nothing.
  auto add_deal = [&](int month, double size, int product_index, RandomStream& stream, int term, uint64_t key,
                      double cohort_squared) {
    const Product& product = sc.products[static_cast<size_t>(product_index)];
    if (month >= horizon) return;
    flows.bookings[static_cast<size_t>(month)] += size;
    const int start = month + product.lead_time_months;
    if (product.kind == LineKind::kRatable) {
      int first = start;
      double amount = size;
      // The subscription and, while within the horizon, its renewals.
      while (first < horizon) {
        const double per_month = amount / term;
        flows.ratable_step[static_cast<size_t>(first)] += per_month;
        flows.ratable_step[static_cast<size_t>(std::min(horizon, first + term))] -= per_month;
        if (const int months = upfront_months_[static_cast<size_t>(product_index)]; months > 0) {
          for (int k = 0; k < term; k += months) bill(first + k, per_month * std::min(months, term - k), stream.Word());
        } else if (product.billing == BillingTerms::kMonthlyInArrears) {
          for (int k = 0; k < term; ++k) bill(first + k + 1, per_month, stream.Word());
        } else {
          bill(first, amount, stream.Word());  // on delivery: the whole term at its start
        }
        first += term;
        if (first >= horizon) break;  // a renewal past the horizon is not drawn
        const double p = sc.renewals.probability;
        double renewed;
        if (cohort_squared > 0) {
          const double z = stream.Normal();
          renewed = std::clamp(p * amount + std::sqrt(p * (1 - p) * cohort_squared) * z, 0.0, amount);
          cohort_squared *= (renewed / amount) * (1 + sc.renewals.uplift) * (1 + sc.renewals.uplift);
        } else {
          renewed = stream.Word() < renewal_words_ ? amount : 0;  // Bernoulli(p), compared as a word
        }
        if (renewed <= 0) break;
        amount = renewed * (1 + sc.renewals.uplift);
        flows.bookings[static_cast<size_t>(first)] += amount;
      }
      return;
    }
    const double overrun = overrun_scale_ * overrun_->FromWord(stream.Word());
    const double hours = size * product.hours_per_unit_value * overrun;
    const int team = team_of_product_[static_cast<size_t>(product_index)];
    if (hours <= 0 || team < 0) {  // no work to do: satisfied at the start
      if (start < horizon) flows.revenue[static_cast<size_t>(start)] += size;
      bill(start, size, stream.Word());
      return;
    }
    if (upfront_months_[static_cast<size_t>(product_index)] > 0) bill(start, size, stream.Word());  // upfront in full
    const uint32_t delivery_draw = product.billing == BillingTerms::kOnDelivery ? stream.Word() : 0;
    work.emplace_back(team, month, start, size, hours, 0.0, product.billing, delivery_draw, key, 0.0);
  };

  // The first product whose cumulative share exceeds the uniform of `word` (the last if rounding
  // leaves it above all): the shares at or below it counted without branches, as the pick is
  // random.
  auto pick_product = [&](int segment, uint32_t word) {
    const std::vector<uint64_t>& bounds = product_mix_words_[static_cast<size_t>(segment)];
    int below = 0;
    for (size_t p = 0; p + 1 < bounds.size(); ++p) below += word >= bounds[p];
    return below;
  };
  // Months from a uniform: geometric with mean 1 / (1 - q) by inversion, the least k >= 1 with
  // q^k <= u (that is, ceil(log u / log q)), at most kMaxSlipMonths; no log per draw. The first
  // four powers are compared without branches (they settle most draws: q^4 is 1/16 for a mean
  // slip of 2 months); the rest, one by one, only for a deal that does slip (`slips`), so long
  // mean slips cost nothing to the deals that keep their month. 0 when it does not slip.
  auto slip_months = [](const std::vector<double>& powers, bool slips, double u) {
    // powers[i] > u as the sign of u - powers[i] (exact: the difference of unequal doubles is never
    // 0), which the compiler cannot turn back into a branch.
    int k = 1 + std::signbit(u - powers[1]) + std::signbit(u - powers[2]) + std::signbit(u - powers[3]) +
            std::signbit(u - powers[4]);
    if (k == 5 && slips) {
      while (k < kMaxSlipMonths && powers[static_cast<size_t>(k)] > u) ++k;
    }
    return slips * k;
  };

  // 0. Existing effort and delivery work, one item per team, first in its team's queue.
  for (size_t t = 0; t < sc.teams.size(); ++t) {
    if (state_.team_work_hours[t] <= 0 && state_.team_work_amount[t] <= 0) continue;
    RandomStream s(seed_, EntityKind::kLine, t, path);
    const double hours = state_.team_work_hours[t] * overrun_scale_ * overrun_->FromWord(s.Word());
    if (hours <= 0) {
      flows.revenue[0] += state_.team_work_amount[t];
      bill(0, std::max(0.0, state_.team_work_amount[t] - state_.team_prepaid[t]), s.Word());
      continue;
    }
    work.push_back(WorkItem{static_cast<int>(t), -1, 0, state_.team_work_amount[t], hours, 0,
                            BillingTerms::kMonthlyInArrears, 0, (uint64_t{1} << 56) | t, state_.team_prepaid[t]});
  }
  // 1. The open pipeline. Whether each deal wins is the deal's word of one shared stream (every
  // deal draws exactly one, in ledger order, so deal i always gets word i); a won deal then draws
  // the rest from its own stream. Four win draws per Philox block, the blocks in one batch, and
  // each word compared with its deal's bound without converting it to a uniform.
  const PhiloxKey key = RandomStream::KeyOf(seed_);
  auto& win_words = scratch.win_words;
  {
    const int blocks = static_cast<int>((state_.open_deals.size() + 3) / 4);
    if (win_words.size() < 4 * static_cast<size_t>(blocks)) win_words.resize(4 * static_cast<size_t>(blocks));
    PhiloxBlocks(RandomStream::FirstCounter(EntityKind::kOpportunity, uint64_t{1} << 59, path), key, blocks, win_words.data());
    RandomStream::BlocksOnThisThread() += static_cast<uint64_t>(blocks);
  }
  // The streams' first blocks come in batches (PhiloxBatch): the same draws, computed eight
  // streams at a time.
  auto& counters = scratch.counters;
  auto& first_blocks = scratch.first_blocks;
  // counters[0, n) -> first_blocks. The buffers only grow: resizing them down and up again on
  // every path would clear kilobytes each time.
  auto batch = [&](size_t n) {
    if (first_blocks.size() < 4 * n) first_blocks.resize(4 * n);
    PhiloxBatch(counters.data(), static_cast<int>(n), key, first_blocks.data());
    RandomStream::BlocksOnThisThread() += n;
  };
  auto reserve = [&](size_t n) {
    if (counters.size() < n) counters.resize(n);
  };
  auto& won = scratch.won;
  // Sized for the most there can be, filled by index (cheaper than growing them).
  if (won.size() < state_.open_deals.size()) won.resize(state_.open_deals.size());
  reserve(3 * state_.open_deals.size());
  // The won deals, compacted without branches (a win is a coin flip the predictor cannot learn).
  size_t wins_count = 0;
  for (size_t d = 0; d < state_.open_deals.size(); ++d) {
    won[wins_count] = static_cast<uint32_t>(d);
    wins_count += win_words[d] < win_words_below_[d];
  }
  for (size_t w = 0; w < wins_count; ++w) {
    // A won deal draws four words (slip, its length, size, product), then its invoices' and
    // renewals': a subscription sold early in the horizon bills three terms and renews twice,
    // nine words in all. Three blocks each, so that they need no Philox rounds of their own.
    PhiloxCounter c = RandomStream::FirstCounter(EntityKind::kOpportunity, state_.open_deals[won[w]].entity, path);
    for (size_t b = 0; b < 3; ++b, ++c[0]) counters[3 * w + b] = c;
  }
  batch(3 * wins_count);
  for (size_t w = 0; w < wins_count; ++w) {
    const OpenDeal& deal = state_.open_deals[won[w]];
    RandomStream s(key, counters[3 * w], &first_blocks[12 * w], 3);
    const SegmentDraws& draws = segment_draws_[static_cast<size_t>(deal.segment)];
    const uint32_t slip = s.Word();
    const double slip_length = s.Uniform();
    const uint32_t size_noise = s.Word(), product_pick = s.Word();
    const int close = deal.expected_month + slip_months(draws.slip_powers, slip < draws.slip_words, slip_length);
    const double size = deal.amount * sc.price_multiplier * draws.open_size_scale * draws.open_size->FromWord(size_noise);
    const int product = deal.product >= 0 ? deal.product : pick_product(deal.segment, product_pick);
    add_deal(close, size, product, s, sc.products[static_cast<size_t>(product)].term_months,
             (uint64_t{1} << 57) | deal.entity, 0);
  }

  // 2. New opportunities: Poisson arrivals per segment and month, with seasonality and a
  // correlated demand factor. First every month's demand and count of won arrivals (each month's
  // shared factors, then each cell's count, from batched first blocks), then the won deals.
  const size_t segments = sc.segments.size();
  const size_t cells = static_cast<size_t>(horizon) * segments;
  auto cell_id = [](size_t g, int m) { return (static_cast<uint64_t>(g) << 12) | static_cast<uint64_t>(m); };
  reserve(static_cast<size_t>(horizon) * (1 + segments));
  for (int m = 0; m < horizon; ++m) {
    counters[static_cast<size_t>(m)] = RandomStream::FirstCounter(EntityKind::kCorrelation, static_cast<uint64_t>(m), path);
  }
  for (int m = 0; m < horizon; ++m) {
    for (size_t g = 0; g < segments; ++g) {
      counters[static_cast<size_t>(horizon) + static_cast<size_t>(m) * segments + g] =
          RandomStream::FirstCounter(EntityKind::kArrivals, cell_id(g, m) << 20, path);
    }
  }
  batch(static_cast<size_t>(horizon) * (1 + segments));
  auto& arrivals = scratch.arrivals;  // won arrivals per cell, month-major
  arrivals.assign(cells, 0);
  auto& z = scratch.z;
  auto& factor = scratch.factor;
  auto& cell_mean = scratch.cell_mean;  // won arrivals expected per cell
  auto& cell_exp = scratch.cell_exp;    // exp(-its last chunk)
  z.resize(segments);
  factor.resize(segments);
  cell_mean.resize(cells);
  cell_exp.resize(cells);
  for (int m = 0; m < horizon; ++m) {
    RandomStream common(key, counters[static_cast<size_t>(m)], &first_blocks[4 * static_cast<size_t>(m)]);
    for (size_t g = 0; g < segments; ++g) z[g] = common.Normal();
    // factor = F z, the segments' correlated demand shocks (a few segments: a plain loop is
    // cheaper than a dynamically sized matrix product).
    for (size_t g = 0; g < segments; ++g) {
      double sum = 0;
      for (size_t j = 0; j < segments; ++j) sum += correlation_factor_[g * segments + j] * z[j];
      factor[g] = sum;
    }
    const int calendar_month = (state_.first_month + m) % 12;
    for (size_t g = 0; g < segments; ++g) {
      const SegmentAssumptions& segment = sc.segments[g];
      const double v = sc.demand_volatility;
      const double demand = std::exp(v * factor[g] - v * v / 2);
      // Won arrivals directly: a Poisson stream thinned by the win rate is Poisson.
      const double win = std::min(1.0, segment.win_rate * sc.win_rate_multiplier);
      cell_mean[static_cast<size_t>(m) * segments + g] =
          std::min(1e5, segment.arrivals_per_month * segment.seasonality[calendar_month] * demand * win);
    }
  }
  // The cells' exps together, then their counts (each count's loop ends at a random step).
  for (size_t cell = 0; cell < cells; ++cell) cell_exp[cell] = std::exp(-RandomStream::PoissonLastChunk(cell_mean[cell]));
  // Each count is its cell stream's Poisson draw: those of one chunk four at a time, the others
  // (a mean above 16, or none) from the stream itself.
  PoissonInversions(cells, cell_mean.data(), cell_exp.data(), first_blocks.data() + 4 * static_cast<size_t>(horizon), 4,
                    arrivals.data());
  for (size_t cell = 0; cell < cells; ++cell) {
    if (arrivals[cell] < 0) {
      RandomStream count_stream(key, counters[static_cast<size_t>(horizon) + cell],
                                &first_blocks[4 * (static_cast<size_t>(horizon) + cell)]);
      arrivals[cell] = count_stream.Poisson(cell_mean[cell], cell_exp[cell]);
    }
    // Bounded so a path's work stays bounded (and won arrivals fit their 20-bit stream ids).
    arrivals[cell] = std::min<int64_t>((int64_t{1} << 20) - 2, arrivals[cell]);
  }
  int64_t total_arrivals = 0;
  for (int64_t count : arrivals) total_arrivals += count;
  reserve(2 * static_cast<size_t>(total_arrivals));
  size_t filled = 0;
  for (int m = 0; m < horizon; ++m) {
    for (size_t g = 0; g < segments; ++g) {
      const int64_t count = arrivals[static_cast<size_t>(m) * segments + g];
      for (int64_t i = 0; i < count; ++i) {
        PhiloxCounter c = RandomStream::FirstCounter(EntityKind::kArrivals, (cell_id(g, m) << 20) | static_cast<uint64_t>(i + 1), path);
        counters[filled++] = c;
        ++c[0];
        counters[filled++] = c;
      }
    }
  }
  batch(filled);
  size_t next_block = 0;
  for (int m = 0; m < horizon; ++m) {
    for (size_t g = 0; g < segments; ++g) {
      const SegmentAssumptions& segment = sc.segments[g];
      const SegmentDraws& draws = segment_draws_[g];
      const uint64_t cell = cell_id(g, m);
      const int64_t count = arrivals[static_cast<size_t>(m) * segments + g];
      for (int64_t i = 0; i < count; ++i) {
        RandomStream s(key, counters[next_block], &first_blocks[4 * next_block], 2);
        next_block += 2;
        const uint32_t cycle = s.Word(), size_noise = s.Word(), product_pick = s.Word();
        const double months = segment.sales_cycle_months > 0 ? draws.cycle_scale * draws.cycle->FromWord(cycle) : 0;
        const int close = m + static_cast<int>(std::min(months, 1e6) + 0.5);  // months >= 0: rounds like lround
        if (close >= horizon) continue;  // sold after the horizon: nothing of it is forecast
        const double size = segment.deal_size > 0 ? sc.price_multiplier * draws.size_scale * draws.size->FromWord(size_noise) : 0;
        const int product = pick_product(static_cast<int>(g), product_pick);
        add_deal(close, size, product, s, sc.products[static_cast<size_t>(product)].term_months,
                 (uint64_t{1} << 58) | (cell << 20) | static_cast<uint64_t>(i + 1), 0);
      }
    }
  }

  // 3. Renewals of existing subscriptions, a cohort per month: the renewed total of many lines
  // each renewing with probability p is drawn from its normal approximation, within [0, total].
  if (renewal_product_ >= 0) {
    const double p = sc.renewals.probability;
    reserve(static_cast<size_t>(horizon));
    for (int m = 0; m < horizon; ++m) {
      counters[static_cast<size_t>(m)] = RandomStream::FirstCounter(EntityKind::kRenewal, static_cast<uint64_t>(m), path);
    }
    batch(static_cast<size_t>(horizon));
    for (int m = 0; m < horizon; ++m) {
      const ExpiringSubscriptions& e = state_.expiring[static_cast<size_t>(m)];
      RandomStream s(key, counters[static_cast<size_t>(m)], &first_blocks[4 * static_cast<size_t>(m)]);
      const double z_renew = s.Normal();
      if (e.amount <= 0) continue;
      const double renewed = std::clamp(p * e.amount + std::sqrt(p * (1 - p) * e.amount_squared) * z_renew, 0.0, e.amount);
      const double size = renewed * (1 + sc.renewals.uplift) * sc.price_multiplier;
      const double scale = renewed > 0 ? size / renewed : 0;
      add_deal(m, size, renewal_product_, s, std::max(1, static_cast<int>(std::lround(e.term_months))),
               (uint64_t{1} << 59) | static_cast<uint64_t>(m), e.amount_squared * (renewed / e.amount) * scale * scale);
    }
  }

  auto& queue = scratch.queue;  // indices into work, in service order
  // Each team's queue in service order: by team, then start month, then arrival (the backlog at
  // as-of first: it was queued first). A stable counting sort on (team, start).
  {
    const size_t starts = static_cast<size_t>(horizon) + 1;  // work starting at or after the horizon shares the last
  auto& offsets = scratch.offsets;
    offsets.assign(sc.teams.size() * starts + 1, 0);
    auto key = [&](const WorkItem& w) {
      return static_cast<size_t>(w.team) * starts + std::min(static_cast<size_t>(w.start), starts - 1);
    };
    for (const WorkItem& w : work) ++offsets[key(w) + 1];
    for (size_t k = 1; k < offsets.size(); ++k) offsets[k] += offsets[k - 1];
    queue.resize(work.size());
    for (uint32_t i = 0; i < work.size(); ++i) queue[offsets[key(work[i])]++] = i;
  }
  // Per team: [first unfinished item, end of the team's items), the hours sold and not yet
  // delivered (the work backlog: only work booked by the month counts), and the hours each
  // month's bookings add to it.
  auto& queue_next = scratch.queue_next;
  auto& queue_end = scratch.queue_end;
  auto& hours_left = scratch.hours_left;
  auto& hours_booked = scratch.hours_booked;
  const size_t teams = sc.teams.size();
  queue_next.assign(teams, work.size());
  queue_end.assign(teams, work.size());
  hours_left.assign(teams, 0);
  hours_booked.assign(teams * static_cast<size_t>(horizon), 0);
  int backlog_items = 0;  // items of the work backlog at as-of not yet delivered
  for (size_t i = work.size(); i-- > 0;) {
    const WorkItem& item = work[queue[i]];
    const auto t = static_cast<size_t>(item.team);
    queue_next[t] = i;
    if (queue_end[t] == work.size() && (i + 1 == work.size() || work[queue[i + 1]].team != item.team)) queue_end[t] = i + 1;
    if (item.booked < 0) {
      hours_left[t] += item.hours;
      ++backlog_items;
    } else {
      hours_booked[t * static_cast<size_t>(horizon) + static_cast<size_t>(item.booked)] += item.hours;
    }
  }

  // 5. Teams month by month: attrition by cohort, hires after time to fill with a linear
  // ramp-up, capacity spent first come first served.
  // A cohort draws one word a month, its stream's next, from the month it joins; all of them come
  // from one batch (the words a stream of its own would give).
  struct Cohort {
    int join;
    int64_t count;
    uint64_t entity;
    size_t first_block = 0;  // of its words in first_blocks
    int drawn = 0;
  };
  thread_local std::vector<std::vector<Cohort>> cohorts_storage;
  auto& cohorts = cohorts_storage;
  cohorts.resize(sc.teams.size());
  for (size_t t = 0; t < sc.teams.size(); ++t) {
    cohorts[t].clear();
    cohorts[t].push_back(Cohort{-1000, std::llround(sc.teams[t].fte), t << 20});
  }
  for (size_t h = 0; h < sc.hiring_plan.size(); ++h) {
    const Hire& hire = sc.hiring_plan[h];
    const auto t = static_cast<size_t>(hire_team_[h]);
    const int join = std::max(0, hire.month - state_.first_month + sc.time_to_fill_months);
    cohorts[t].push_back(Cohort{join, std::llround(hire.count), (t << 20) | (h + 1)});
  }
  {
    size_t blocks = 0;
    for (auto& team_cohorts : cohorts) {
      for (Cohort& c : team_cohorts) {
        const int months = std::max(0, horizon - std::max(0, c.join));
        const int cohort_blocks = (months + 3) / 4;  // a word a month, four to a block
        c.first_block = blocks;
        reserve(blocks + static_cast<size_t>(cohort_blocks));
        PhiloxCounter counter = RandomStream::FirstCounter(EntityKind::kTeam, c.entity, path);
        for (int b = 0; b < cohort_blocks; ++b, ++counter[0]) counters[blocks++] = counter;
      }
    }
    batch(blocks);
  }
  auto& team_months = scratch.team_months;
  team_months.assign(static_cast<size_t>(horizon), TeamMonth{});
  // The invoices the team months send, billed after them in the order they were sent (so every
  // flow sums in the same order as billing each at once would). An invoice in arrears draws its
  // uniform from a stream of its own: the first word of a block that all of them compute in one
  // batch once the cohorts' words are used.
  auto& invoices = scratch.invoices;
  invoices.clear();
  int invoice_draws = 0;  // counters of invoices in arrears, in counters[0, invoice_draws)
  out.months_to_clear = horizon + 1;
  double delivery_unbilled = 0;
  for (int m = 0; m < horizon; ++m) {
    TeamMonth& month = team_months[static_cast<size_t>(m)];
    for (size_t t = 0; t < sc.teams.size(); ++t) {
      const Team& team = sc.teams[t];
      hours_left[t] += hours_booked[t * static_cast<size_t>(horizon) + static_cast<size_t>(m)];
      double capacity = 0, headcount = 0;
      for (Cohort& c : cohorts[t]) {
        if (m < c.join) continue;
        const double u = RandomStream::WordToUniform(first_blocks[4 * c.first_block + static_cast<size_t>(c.drawn++)]);
        c.count -= Binomial(c.count, team.monthly_attrition, team_log_stay_[t], u, team_stay_all_[t]);
        const int tenure = m - c.join;
        const double productivity = team.ramp_up_months == 0 ? 1.0 : std::min(1.0, (tenure + 1.0) / (team.ramp_up_months + 1.0));
        capacity += static_cast<double>(c.count) * productivity * team.hours_per_fte_month * team.utilization;
        headcount += static_cast<double>(c.count);
      }
      double left = capacity;
      // First come, first served among the items that may start; finished ones are skipped for good.
      for (size_t i = queue_next[t]; i < queue_end[t] && left > 0; ++i) {
        WorkItem& item = work[queue[i]];
        if (item.start > m) break;  // sorted by start: nothing later may start either
        const double remaining = item.hours - item.done;
        if (remaining <= 0) continue;
        const double take = std::min(left, remaining);
        left -= take;
        item.done = take == remaining ? item.hours : item.done + take;
        hours_left[t] -= take;
        if (item.booked < 0 && item.done >= item.hours) --backlog_items;
        const double earned = item.amount * take / item.hours;
        flows.revenue[static_cast<size_t>(m)] += earned;
        if (item.billing == BillingTerms::kMonthlyInArrears) {
          const double prepaid = std::min(item.prepaid, earned);
          item.prepaid -= prepaid;
          // Each month's invoice has its own stream, so scenarios that move the work to other
          // months still share the draws of the invoices they have in common.
          invoices.push_back(Invoice{m + 1, invoice_draws, earned - prepaid, 0});
          reserve(static_cast<size_t>(invoice_draws) + 1);
          counters[static_cast<size_t>(invoice_draws++)] = RandomStream::FirstCounter(
              EntityKind::kInvoice, (item.key * 131 + static_cast<uint64_t>(m)) & ((uint64_t{1} << 60) - 1), path);
          month.arrears_unbilled += earned - prepaid;
        } else if (item.billing == BillingTerms::kOnDelivery) {
          if (item.done >= item.hours) {
            delivery_unbilled -= item.unbilled;
            invoices.push_back(Invoice{m, -1, item.amount, item.delivery_draw});
          } else {
            item.unbilled += earned;
            delivery_unbilled += earned;
          }
        }
      }
      while (queue_next[t] < queue_end[t] && work[queue[queue_next[t]]].done >= work[queue[queue_next[t]]].hours) {
        ++queue_next[t];
      }
      if (queue_next[t] == queue_end[t]) hours_left[t] = 0;  // exactly, whatever rounding gathered
      month.work_left += std::max(0.0, hours_left[t]);
      month.worked += capacity - left;
      month.capacity += capacity;
      month.headcount += headcount;
      month.cost += headcount * team.cost_per_fte_month;
    }
    month.delivery_unbilled = delivery_unbilled;
    if (backlog_items == 0 && out.months_to_clear > horizon) out.months_to_clear = m + 1;
  }
  batch(static_cast<size_t>(invoice_draws));
  for (const Invoice& invoice : invoices) {
    bill(invoice.month, invoice.amount, invoice.draw < 0 ? invoice.word : first_blocks[4 * static_cast<size_t>(invoice.draw)]);
  }

  // 6. Every flow is in: the balances and metrics month by month.
  double backlog = state_.backlog, unbilled = state_.unbilled_backlog, net_liability = state_.net_contract_liability,
         receivable = state_.accounts_receivable;
  double ratable = 0;  // ratable revenue of the month, from flows.ratable_step
  for (int m = 0; m < horizon; ++m) {
    const TeamMonth& month = team_months[static_cast<size_t>(m)];
    const size_t i = static_cast<size_t>(m);
    ratable += flows.ratable_step[i];
    flows.revenue[i] += ratable;
    backlog += flows.bookings[i] - flows.revenue[i];
    unbilled += flows.bookings[i] - flows.billings[i];
    net_liability += flows.billings[i] - flows.revenue[i];
    receivable += flows.billings[i] - flows.collections[i] - flows.write_offs[i];
    const double values[kMetricCount] = {
        flows.bookings[i], flows.revenue[i], flows.billings[i], flows.collections[i], backlog, unbilled,
        std::max(0.0, net_liability + month.arrears_unbilled + std::max(0.0, month.delivery_unbilled)), receivable,
        month.work_left, month.capacity, month.capacity > 0 ? month.worked / month.capacity : 0.0, month.headcount,
        month.cost};
    for (int k = 0; k < kMetricCount; ++k) {
      out.values[(static_cast<size_t>(k) * static_cast<size_t>(horizon) + i) * out.stride] = static_cast<float>(values[k]);
    }
  }
}

}  // namespace forecastle::forecast

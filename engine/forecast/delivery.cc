#include "engine/forecast/delivery.h"

#include <algorithm>
#include <cmath>

#include "engine/forecast/cash.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {
namespace {

// A cohort of `fte` full-time equivalents is ceil(fte) people of fte / ceil(fte) each, so 2.5 FTE
// give 2.5 FTE of capacity and attrition still takes whole people.
int64_t People(double fte) { return static_cast<int64_t>(std::ceil(fte)); }
double FtePerPerson(double fte) { return fte > 0 ? fte / std::ceil(fte) : 0.0; }

// Binomial inverts while n p (1 - p) is at most this; beyond it, the normal approximation.
constexpr double kBinomialInversionVariance = 25;

// Binomial(n, p) from one uniform: by inversion (exact) when n p (1 - p) is small, else by the
// normal approximation with continuity correction (inversion's (1 - p)^n underflows for large n).
// `log_stay` is log(1 - p); stay_all[n] = exp(n log_stay) where tabulated.
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

Delivery::Delivery(const StartingState& state, const Scenario& scenario, LogNormalTables& tables, const Cash& cash)
    : state_(state), teams_(scenario.teams), scenario_(scenario), cash_(cash) {
  overrun_ = &tables.For(scenario.effort_overrun_sigma);
  overrun_scale_ = scenario.effort_overrun * std::exp(-scenario.effort_overrun_sigma * scenario.effort_overrun_sigma / 2);
  for (const Hire& hire : scenario.hiring_plan) {
    int team = 0;
    while (scenario.teams[static_cast<size_t>(team)].name != hire.team) ++team;  // Validate checked it exists
    hire_team_.push_back(team);
  }
  for (const Team& team : scenario.teams) log_stay_.push_back(std::log1p(-std::min(team.monthly_attrition, 1.0)));
  for (const Team& team : scenario.teams) {
    team_entity_.push_back(Identity::Of("team", team.name));
    team_cohort_entity_.push_back(Identity::Of(team_entity_.back(), 0));
  }
  for (size_t h = 0; h < scenario.hiring_plan.size(); ++h) {
    const Hire& hire = scenario.hiring_plan[h];
    uint64_t rank = 0;  // earlier hires of the same team and month
    for (size_t k = 0; k < h; ++k) {
      rank += scenario.hiring_plan[k].team == hire.team && scenario.hiring_plan[k].month == hire.month;
    }
    hire_cohort_entity_.push_back(
        Identity::Of(team_entity_[static_cast<size_t>(hire_team_[h])], static_cast<uint64_t>(hire.month), rank + 1));
  }
  // P(no one leaves) for every headcount a cohort can have: at most its size when it joins.
  std::vector<int64_t> largest(scenario.teams.size(), 0);
  for (size_t t = 0; t < scenario.teams.size(); ++t) largest[t] = People(scenario.teams[t].fte);
  for (size_t h = 0; h < scenario.hiring_plan.size(); ++h) {
    int64_t& most = largest[static_cast<size_t>(hire_team_[h])];
    most = std::max<int64_t>(most, People(scenario.hiring_plan[h].count));
  }
  for (size_t t = 0; t < scenario.teams.size(); ++t) {
    // Only headcounts Binomial inverts (larger ones take the normal approximation).
    const double p = std::clamp(scenario.teams[t].monthly_attrition, 0.0, 1.0);
    // Compared in double: for a tiny p, the largest such n exceeds every int64_t.
    const double inverted = p > 0 && p < 1 ? std::floor(kBinomialInversionVariance / (p * (1 - p))) : 0.0;
    const auto entries = static_cast<size_t>(std::min(static_cast<double>(largest[t]), inverted)) + 1;
    std::vector<double>& stay_all = stay_all_.emplace_back(entries);
    for (size_t n = 0; n < stay_all.size(); ++n) stay_all[n] = std::exp(static_cast<double>(n) * log_stay_[t]);
  }
}

int64_t Delivery::Leavers(size_t team, int64_t n, double u) const {
  return Binomial(n, teams_[team].monthly_attrition, log_stay_[team], u, stay_all_[team]);
}

void Delivery::QueueBacklog(PathContext& path) const {
  for (size_t t = 0; t < teams_.size(); ++t) {
    if (state_.team_work_hours[t] <= 0 && state_.team_work_amount[t] <= 0) continue;
    RandomStream stream(path.key, Streams::BacklogOverrun(team_entity_[t], path.path));
    // (hours x scale) x factor: the order the golden digests pin.
    const double hours = state_.team_work_hours[t] * overrun_scale_ * overrun_->FromWord(stream.Word());
    if (hours <= 0) {
      path.flows.revenue[0] += state_.team_work_amount[t];
      cash_.Bill(path, 0, std::max(0.0, state_.team_work_amount[t] - state_.team_prepaid[t]), stream.Word());
      continue;
    }
    WorkItem& item = path.work.emplace_back(WorkItem{static_cast<int>(t), -1, 0, state_.team_work_amount[t], hours, 0,
                                                     BillingTerms::kMonthlyInArrears, 0, SaleKey::Backlog(team_entity_[t]),
                                                     state_.team_prepaid[t]});
    item.planned = state_.team_work_planned[t].data();
    item.planned_months = static_cast<int>(state_.team_work_planned[t].size());
    item.plan_scale = hours / state_.team_work_hours[t];
  }
}

void Delivery::OrderQueues(PathContext& path, int& backlog_items) const {
  const std::vector<WorkItem>& work = path.work;
  const int horizon = path.horizon;
  // Each team's queue in service order: by team, then start month, then arrival (the backlog at
  // as-of first: it was queued first). A stable counting sort on (team, start).
  const size_t starts = static_cast<size_t>(horizon) + 1;  // work starting at or after the horizon shares the last
  std::vector<uint32_t>& offsets = path.queue_offsets;
  offsets.assign(teams_.size() * starts + 1, 0);
  auto key = [&](const WorkItem& w) {
    return static_cast<size_t>(w.team) * starts + std::min(static_cast<size_t>(w.start), starts - 1);
  };
  for (const WorkItem& w : work) ++offsets[key(w) + 1];
  for (size_t k = 1; k < offsets.size(); ++k) offsets[k] += offsets[k - 1];
  std::vector<uint32_t>& queue = path.queue;
  queue.resize(work.size());
  for (uint32_t i = 0; i < work.size(); ++i) queue[offsets[key(work[i])]++] = i;
  // Per team: [first unfinished item, end of the team's items), the hours sold and not yet
  // delivered (the work backlog: only work booked by the month counts), and the hours each
  // month's bookings add to it.
  const size_t teams = teams_.size();
  path.queue_next.assign(teams, work.size());
  path.queue_end.assign(teams, work.size());
  path.hours_left.assign(teams, 0);
  path.hours_booked.assign(teams * static_cast<size_t>(horizon), 0);
  backlog_items = 0;
  for (size_t i = work.size(); i-- > 0;) {
    const WorkItem& item = work[queue[i]];
    const auto t = static_cast<size_t>(item.team);
    path.queue_next[t] = i;
    if (path.queue_end[t] == work.size() && (i + 1 == work.size() || work[queue[i + 1]].team != item.team)) {
      path.queue_end[t] = i + 1;
    }
    if (item.booked < 0) {
      path.hours_left[t] += item.hours;
      ++backlog_items;
    } else {
      path.hours_booked[t * static_cast<size_t>(horizon) + static_cast<size_t>(item.booked)] += item.hours;
    }
  }
}

void Delivery::OpenCohorts(PathContext& path) const {
  std::vector<std::vector<Cohort>>& cohorts = path.cohorts;
  cohorts.resize(teams_.size());
  for (size_t t = 0; t < teams_.size(); ++t) {
    cohorts[t].clear();
    cohorts[t].push_back(
        Cohort{-1000, People(teams_[t].fte), FtePerPerson(teams_[t].fte), team_cohort_entity_[t]});
  }
  for (size_t h = 0; h < scenario_.hiring_plan.size(); ++h) {
    const Hire& hire = scenario_.hiring_plan[h];
    const auto t = static_cast<size_t>(hire_team_[h]);
    const int join = std::max(0, hire.month - state_.first_month + scenario_.time_to_fill_months);
    cohorts[t].push_back(Cohort{join, People(hire.count), FtePerPerson(hire.count), hire_cohort_entity_[h]});
  }
  // A cohort draws one word a month, its stream's next, from the month it joins: all of them
  // come from one batch (the words a stream of its own would give).
  OpeningDraws& draws = path.draws;
  size_t blocks = 0;
  for (std::vector<Cohort>& team_cohorts : cohorts) {
    for (Cohort& c : team_cohorts) {
      const int months = std::max(0, path.horizon - std::max(0, c.join));
      const int cohort_blocks = (months + 3) / 4;  // a word a month, four to a block
      c.first_block = blocks;
      draws.Reserve(blocks + static_cast<size_t>(cohort_blocks));
      PhiloxCounter counter = Streams::Cohort(c.entity, path.path);
      for (int b = 0; b < cohort_blocks; ++b, ++counter[0]) draws.counter(blocks++) = counter;
    }
  }
  draws.Compute(blocks, path.key);
}

void Delivery::Simulate(PathContext& path) const {
  const int horizon = path.horizon;
  std::vector<WorkItem>& work = path.work;
  int backlog_items = 0;  // items of the work backlog at as-of not yet delivered
  OrderQueues(path, backlog_items);
  OpenCohorts(path);
  OpeningDraws& draws = path.draws;
  path.team_months.assign(static_cast<size_t>(horizon), TeamMonth{});
  // The invoices of the work, billed after the months in the order they were sent (so every flow
  // sums in the same order as billing each at once would). An invoice in arrears draws from a
  // stream of its own: the first word of a block that all of them compute in one batch once the
  // cohorts' words are used.
  std::vector<WorkInvoice>& invoices = path.work_invoices;
  invoices.clear();
  int invoice_streams = 0;  // their first counters, in draws.counter(0 .. invoice_streams - 1)
  path.months_to_clear = horizon + 1;
  double delivery_unbilled = 0;
  for (int m = 0; m < horizon; ++m) {
    TeamMonth& month = path.team_months[static_cast<size_t>(m)];
    for (size_t t = 0; t < teams_.size(); ++t) {
      const Team& team = teams_[t];
      double& hours_left = path.hours_left[t];
      hours_left += path.hours_booked[t * static_cast<size_t>(horizon) + static_cast<size_t>(m)];
      // Attrition by cohort, hires ramping up linearly from the month they join.
      double capacity = 0, headcount = 0;
      for (Cohort& c : path.cohorts[t]) {
        if (m < c.join) continue;
        const double u = RandomStream::WordToUniform(draws.words(c.first_block)[c.drawn++]);
        c.count -= Leavers(t, c.count, u);
        const int tenure = m - c.join;
        const double productivity = team.ramp_up_months == 0 ? 1.0 : std::min(1.0, (tenure + 1.0) / (team.ramp_up_months + 1.0));
        const double fte = static_cast<double>(c.count) * c.fte_per_person;
        capacity += fte * productivity * team.hours_per_fte_month * team.utilization;
        headcount += fte;
      }
      double left = capacity;
      // First come, first served among the items that may start, each as far as its plan allows;
      // finished ones are skipped for good.
      size_t& next = path.queue_next[t];
      const size_t end = path.queue_end[t];
      for (size_t i = next; i < end && left > 0; ++i) {
        WorkItem& item = work[path.queue[i]];
        if (item.start > m) break;  // sorted by start: nothing later may start either
        const double remaining = item.hours - item.done;
        const double allowed = item.Allowed(m) - item.done;  // at most `remaining`
        if (allowed <= 0) continue;
        const double take = std::min(left, allowed);
        left -= take;
        item.done = take == remaining ? item.hours : item.done + take;
        hours_left -= take;
        if (item.booked < 0 && item.done >= item.hours) --backlog_items;
        const double earned = item.amount * take / item.hours;
        path.flows.revenue[static_cast<size_t>(m)] += earned;
        if (item.billing == BillingTerms::kMonthlyInArrears) {
          const double prepaid = std::min(item.prepaid, earned);
          item.prepaid -= prepaid;
          // Each month's invoice has its own stream, so scenarios that move the work to other
          // months still share the draws of the invoices they have in common.
          invoices.push_back(WorkInvoice{m, invoice_streams, earned - prepaid, 0});
          draws.Reserve(static_cast<size_t>(invoice_streams) + 1);
          draws.counter(static_cast<size_t>(invoice_streams++)) = Streams::WorkInvoice(item.sale, path.first_month + m, path.path);
          month.arrears_unbilled += (earned - prepaid) * cash_.ArrearsUnbilledShare();
        } else if (item.billing == BillingTerms::kOnDelivery) {
          if (item.done >= item.hours) {
            delivery_unbilled -= item.unbilled;
            invoices.push_back(WorkInvoice{m, -1, item.amount, item.delivery_word});
          } else {
            item.unbilled += earned;
            delivery_unbilled += earned;
          }
        }
      }
      while (next < end && work[path.queue[next]].done >= work[path.queue[next]].hours) ++next;
      if (next == end) hours_left = 0;  // exactly, whatever rounding gathered
      month.work_left_hours += std::max(0.0, hours_left);
      month.worked_hours += capacity - left;
      month.capacity_hours += capacity;
      month.headcount += headcount;
      month.cost += headcount * team.cost_per_fte_month;
    }
    month.delivery_unbilled = delivery_unbilled;
    if (backlog_items == 0 && path.months_to_clear > horizon) path.months_to_clear = m + 1;
  }
  draws.Compute(static_cast<size_t>(invoice_streams), path.key);
  for (const WorkInvoice& invoice : invoices) {
    if (invoice.stream < 0) {
      cash_.Bill(path, invoice.month, invoice.amount, invoice.word);  // on delivery
    } else {
      cash_.BillInArrears(path, invoice.month, invoice.amount, draws.words(static_cast<size_t>(invoice.stream))[0]);
    }
  }
}

}  // namespace forecastle::forecast

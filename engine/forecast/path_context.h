// What the drivers of one Monte Carlo path share while it runs (STYLE 11): the month-by-month
// flows they add to, the work they queue for the teams, the invoices the teams send, and buffers
// for batched random draws. One per thread, reused by the paths it runs: buffers only grow, so
// a path allocates nothing once the first few have run.
#ifndef FORECASTLE_ENGINE_FORECAST_PATH_CONTEXT_H_
#define FORECASTLE_ENGINE_FORECAST_PATH_CONTEXT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/forecast/random.h"
#include "engine/forecast/scenario.h"

namespace forecastle::forecast {

// Month-by-month flows of one path, in currency units.
struct Flows {
  std::vector<double> bookings, revenue, billings, collections;
  // Ratable revenue as steps: a line adding r a month from month a to month b - 1 adds r at a and
  // subtracts it at b (one write per line instead of one per month); summed month by month.
  std::vector<double> ratable_step;
  // Every vector has a slot past the horizon's last month, which no month reads: what falls beyond
  // the horizon is added there rather than tested for (invoices' months are random: a test would be
  // a branch the predictor misses).
  void Reset(int horizon) {
    for (auto* v : {&bookings, &revenue, &billings, &collections, &ratable_step}) {
      v->assign(static_cast<size_t>(horizon) + 1, 0);
    }
  }
};

// Work on one team's queue (effort and delivery lines): capacity-bound revenue follows the hours
// actually delivered.
struct WorkItem {
  int team = 0;
  int booked = -1;           // month the work was sold (-1: the backlog at as-of)
  int start = 0;             // first month work may be done
  double amount = 0;
  double hours = 0;
  double done = 0;           // hours delivered so far
  BillingTerms billing = BillingTerms::kMonthlyInArrears;
  uint32_t delivery_word = 0;  // billed on delivery: its invoice's word, drawn when it was sold
  uint64_t sale = 0;         // SaleKey of what the work is for: monthly invoices draw from (sale, month)
  double prepaid = 0;        // already billed: earned revenue uses it up before it is invoiced
  double unbilled = 0;       // billed on delivery: revenue earned so far, invoiced when it is done
  // How fast its plan lets the work go: a sale's estimated hours spread evenly over its planned
  // duration from `start_fraction` of month `start` (`pace` hours a month; 0: all at once), or
  // the backlog's plan (`planned`: cumulative hours by the end of each of `planned_months` months
  // at the estimates). An overrun lengthens the work at the plan's pace rather than speeding it
  // up: the backlog's plan runs `plan_scale` (its overrun) times as long, and a sale's pace comes
  // from its estimate while its hours carry the overrun. Work behind its plan catches up as
  // capacity allows; it never runs ahead of it.
  double pace = 0;
  double start_fraction = 0;
  const double* planned = nullptr;
  int planned_months = 0;
  double plan_scale = 1;

  // The hours the plan allows done by the end of month m.
  double Allowed(int m) const {
    if (planned != nullptr) return std::min(hours, plan_scale * PlannedBy((m + 1) / plan_scale));
    if (pace > 0) return std::min(hours, pace * (m - start + 1 - start_fraction));
    return hours;
  }
  // The backlog's plan after `months` (fractional) months: linear within a month, its last value
  // from its last month on.
  double PlannedBy(double months) const {
    if (months >= planned_months) return planned[planned_months - 1];
    const int whole = static_cast<int>(months);
    const double before = whole == 0 ? 0.0 : planned[whole - 1];
    return before + (months - whole) * (planned[whole] - before);
  }
};

// A month's totals over the teams, kept for its metrics.
struct TeamMonth {
  double capacity_hours = 0, worked_hours = 0, headcount = 0, cost = 0, work_left_hours = 0;
  // Contract assets: revenue of work earned and not yet invoiced (deferred revenue is the net
  // contract liability plus them, as each deal is a contract of its own). Work billed in arrears
  // holds the month's earnings until next month's invoice; work billed on delivery all it has
  // earned until it is done.
  double arrears_unbilled = 0, delivery_unbilled = 0;
};

// An invoice for delivered work, billed once the teams' months are done, for `amount`: on
// delivery in `month`, its word known already (`word`, stream -1); or in arrears of the work of
// `month` (Cash::BillInArrears), its word the first of stream `stream` of the batch that Delivery
// computes for them.
struct WorkInvoice {
  int month;
  int stream;
  double amount;
  uint32_t word;
};

// The first blocks of many streams, computed in one batch (PhiloxBatch): set their first
// counters, Compute, then open each stream on its blocks (RandomStream's batched constructor).
class OpeningDraws {
 public:
  // Room for the counters of n streams' blocks.
  void Reserve(size_t n) {
    if (counters_.size() < n) counters_.resize(n);
  }
  PhiloxCounter& counter(size_t i) { return counters_[i]; }
  const PhiloxCounter& counter(size_t i) const { return counters_[i]; }
  // The blocks of counters [0, n), counted in RandomStream::BlocksOnThisThread.
  void Compute(size_t n, PhiloxKey key) {
    if (words_.size() < 4 * n) words_.resize(4 * n);
    PhiloxBatch(counters_.data(), static_cast<int>(n), key, words_.data());
    RandomStream::BlocksOnThisThread() += n;
  }
  // The four words of block i.
  const uint32_t* words(size_t i) const { return words_.data() + 4 * i; }

 private:
  // Both only grow: resizing them down and up again on every path would clear kilobytes each time.
  std::vector<PhiloxCounter> counters_;
  std::vector<uint32_t> words_;
};

// A team cohort: people who joined together and leave by attrition, drawing a word a month.
struct Cohort {
  int join;          // forecast month they start work (negative: before the forecast)
  int64_t count;         // people
  double fte_per_person;  // each person's full-time equivalent (a cohort of 2.5 FTE: 3 of 5/6)
  uint64_t entity;   // its stream (Streams::Cohort)
  size_t first_block = 0;  // of its words in the batch
  int drawn = 0;
};

struct PathContext {
  uint64_t path = 0;
  int horizon = 0;
  MonthIndex first_month = 0;               // the calendar month of forecast month 0
  PhiloxKey key{};
  Flows flows;
  std::vector<WorkItem> work;               // in the order sold: the backlog at as-of first
  std::vector<WorkInvoice> work_invoices;   // in the order the teams send them
  std::vector<TeamMonth> team_months;
  int months_to_clear = 0;
  OpeningDraws draws;

  // Drivers' own buffers.
  std::vector<uint32_t> won, won_words;                                    // pipeline
  std::vector<int64_t> arrival_counts;                                     // arrivals
  std::vector<double> shocks, demand_factors, cell_means, cell_exps;       // arrivals
  std::vector<double> arrival_trends;                                      // arrivals
  std::vector<uint32_t> queue, queue_offsets;                              // delivery
  std::vector<size_t> queue_next, queue_end;                               // delivery
  std::vector<double> hours_left, hours_booked;                            // delivery
  std::vector<std::vector<Cohort>> cohorts;                                // delivery
  std::vector<double> receivables_left;                                    // cash
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_PATH_CONTEXT_H_

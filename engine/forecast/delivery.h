// The delivery driver (SPEC §4 step 2): teams burn the work backlog down. A team's capacity a
// month is its people (cohorts thinned by attrition; hires join after the time to fill and ramp
// up linearly) x hours per FTE x utilisation; its queue is served first come, first served, and
// capacity-bound revenue follows the hours delivered. Effort estimates overrun randomly. Work
// bills in arrears (an invoice a month for what was earned), on delivery, or upfront (booked).
#ifndef FORECASTLE_ENGINE_FORECAST_DELIVERY_H_
#define FORECASTLE_ENGINE_FORECAST_DELIVERY_H_

#include <cstdint>
#include <vector>

#include "engine/forecast/path_context.h"
#include "engine/forecast/random.h"
#include "engine/forecast/scenario.h"
#include "engine/forecast/starting_state.h"

namespace forecastle::forecast {

class Cash;

class Delivery {
 public:
  // `state`, `scenario` and `cash` must outlive the driver; `scenario` must validate.
  Delivery(const StartingState& state, const Scenario& scenario, LogNormalTables& tables, const Cash& cash);

  // The overrun factor of estimated hours (mean effort_overrun, lognormal) for a draw's word.
  double Overrun(uint32_t word) const { return overrun_scale_ * overrun_->FromWord(word); }

  // Queues each team's work backlog at as-of (first in its queue), with its overrun; a team's
  // backlog without hours is recognised and billed in the first month.
  void QueueBacklog(PathContext& path) const;
  // Once every source has booked: the teams month by month, then the invoices of their work.
  // Fills path.team_months and path.months_to_clear.
  void Simulate(PathContext& path) const;

 private:
  // Each team's queue in service order (path.queue), its bounds, and the hours sold per month.
  void OrderQueues(PathContext& path, int& backlog_items) const;
  // The team cohorts at as-of and hired, and their attrition words in one batch.
  void OpenCohorts(PathContext& path) const;
  // How many of a team's cohort of n leave this month, from the uniform u.
  int64_t Leavers(size_t team, int64_t n, double u) const;

  const StartingState& state_;
  const std::vector<Team>& teams_;
  const Scenario& scenario_;
  const Cash& cash_;
  const LogNormalTable* overrun_ = nullptr;
  double overrun_scale_ = 1;
  std::vector<double> log_stay_;               // per team, log(1 - monthly_attrition)
  std::vector<std::vector<double>> stay_all_;  // per team, (1 - monthly_attrition)^n by headcount n
  std::vector<int> hire_team_;                 // the team of each hire, by index
  std::vector<uint64_t> team_entity_;          // per team, Identity::Of("team", name)
  // Each cohort's stream: the team at as-of, and each hire by its team, month and its rank among
  // the hires of that team and month (so adding a hire elsewhere in the plan moves no draw).
  std::vector<uint64_t> team_cohort_entity_, hire_cohort_entity_;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_DELIVERY_H_

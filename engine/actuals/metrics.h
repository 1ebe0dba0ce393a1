// The metrics of SPEC §3.3, computed exactly from the ledger: per period flows (bookings, revenue,
// billings, collections, cancellations), balances at period ends (backlog, unbilled backlog,
// deferred revenue, contract assets, AR) and ratios; backlog aging and cRPO; and one contract's
// recognition schedule. Each formula lives here once.
#ifndef FORECASTLE_ENGINE_ACTUALS_METRICS_H_
#define FORECASTLE_ENGINE_ACTUALS_METRICS_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/calendar.h"
#include "engine/actuals/ledger.h"

namespace forecastle {

enum class GroupBy { kCompany, kSegment, kCustomer };

// Which contracts a query covers and how it groups them. Empty filters select everything.
struct Selection {
  GroupBy group_by = GroupBy::kCompany;
  std::string segment;      // only customers of this segment
  std::string customer_id;  // only this customer
};

// How large a query's answer may be: at most `max_rows` rows and, where a server sets a byte
// budget, at most `max_bytes` bytes of rows that take at least `bytes_per_row` each (so the
// answer is refused before it is computed, not after). `bytes_limit` names what sets the budget.
struct ReplyLimit {
  int64_t max_rows = 1'000'000;
  int64_t bytes_per_row = 0;  // 0: no byte budget
  int64_t max_bytes = 0;
  std::string bytes_limit = "max_message_bytes";
};

// OK when `rows` fit `limit`; else RESOURCE_EXHAUSTED naming the rows (`shape` says what they
// are, e.g. "1622 groups x 616 periods"), the estimated bytes, the limit and `advice`.
absl::Status CheckReplySize(int64_t rows, absl::string_view shape, const ReplyLimit& limit,
                            absl::string_view advice);

struct MetricsQuery {
  MonthIndex from = 0;
  MonthIndex to = 0;
  PeriodCalendar calendar;
  Date as_of;  // only events dated on or before as_of count
  Selection selection;
  // Bounds the work and the reply: groups x periods rows (RESOURCE_EXHAUSTED).
  ReplyLimit limit;
};

struct PeriodMetrics {
  Period period;
  bool partial = false;  // the period ends after as_of: reported through as_of
  Cents bookings = 0;
  Cents bookings_new = 0;
  Cents bookings_existing = 0;
  Cents revenue = 0;
  Cents billings = 0;
  Cents collections = 0;
  Cents cancellations = 0;
  Cents backlog = 0;
  Cents unbilled_backlog = 0;
  Cents deferred_revenue = 0;
  Cents contract_assets = 0;
  Cents accounts_receivable = 0;
  std::optional<double> book_to_bill;             // empty when billings are 0
  std::optional<double> backlog_coverage_months;  // empty when the last 3 months' revenue <= 0
};

// One group's periods. `group` is "" for the whole company, else the segment or customer_id.
struct MetricsTable {
  std::string group;
  std::vector<PeriodMetrics> periods;
};

// The metrics table. Groups come sorted by name; a customer without a segment is in segment "".
absl::StatusOr<std::vector<MetricsTable>> ComputeMetrics(const Ledger& ledger,
                                                         const MetricsQuery& query);

// Backlog by contract age (days since signed_on at as_of: 0–90, 91–180, 181–365, 366+) and the
// part of it expected to be recognised in the next 12 months (cRPO).
struct BacklogReport {
  std::string group;
  Cents backlog = 0;
  std::array<Cents, 4> aging{};
  Cents crpo = 0;  // recognised in (as_of, as_of + 12 months]
};
inline constexpr std::array<const char*, 4> kAgingBucketNames = {"0-90", "91-180", "181-365",
                                                                 "366+"};

// One report per group: RESOURCE_EXHAUSTED when the groups pass `limit`.
absl::StatusOr<std::vector<BacklogReport>> ComputeBacklog(const Ledger& ledger, Date as_of,
                                                          const Selection& selection,
                                                          const ReplyLimit& limit = {});

// One line's recognition month by month.
struct ScheduleMonth {
  MonthIndex month;
  Cents revenue = 0;                // recognised in the month
  Cents recognized_to_date = 0;     // through the month's end (or as_of)
  Cents backlog = 0;                // amount − cancelled − recognised to date
  bool scheduled = false;           // after as_of: by schedule, not yet actual
};

struct LineSchedule {
  Line line;
  Cents amount = 0;
  Cents cancelled = 0;
  std::vector<ScheduleMonth> months;
};

struct ContractSchedule {
  Contract contract;
  Cents booked = 0;
  std::vector<LineSchedule> lines;
};

// From the month of signing to the later of as_of's month and the last ratable line's end month:
// actual recognition through as_of, then what ratable schedules will recognise (events after
// as_of ignored), at most 1200 months. NOT_FOUND for an unknown contract; RESOURCE_EXHAUSTED
// when lines x months pass `limit`.
absl::StatusOr<ContractSchedule> ComputeSchedule(const Ledger& ledger, absl::string_view contract_id,
                                                 Date as_of, const ReplyLimit& limit = {});

absl::StatusOr<GroupBy> ParseGroupBy(absl::string_view text, absl::string_view field);
absl::string_view GroupByName(GroupBy group_by);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_METRICS_H_

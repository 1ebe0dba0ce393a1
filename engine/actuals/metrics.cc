#include "engine/actuals/metrics.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/actuals/recognition.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "tbb/blocked_range.h"
#include "tbb/parallel_for.h"
#include "tbb/parallel_reduce.h"

namespace forecastle {
namespace {

// Running sums over contracts of their balances at each boundary day.
struct Balances {
  explicit Balances(size_t n)
      : booked(n), booked_new(n), cancelled(n), recognized(n), billed(n), collected(n),
        deferred(n), assets(n) {}
  std::vector<Cents> booked, booked_new, cancelled, recognized, billed, collected, deferred, assets;

  void Add(const Balances& o) {
    for (size_t j = 0; j < booked.size(); ++j) {
      booked[j] += o.booked[j];
      booked_new[j] += o.booked_new[j];
      cancelled[j] += o.cancelled[j];
      recognized[j] += o.recognized[j];
      billed[j] += o.billed[j];
      collected[j] += o.collected[j];
      deferred[j] += o.deferred[j];
      assets[j] += o.assets[j];
    }
  }
};

// Sum of the amounts dated on or before each boundary (boundaries ascending).
template <typename Fn>
void WalkFlows(const std::vector<DatedAmount>& flows, const std::vector<Date>& boundaries, Fn&& add) {
  size_t k = 0;
  Cents sum = 0;
  for (size_t j = 0; j < boundaries.size(); ++j) {
    while (k < flows.size() && flows[k].on <= boundaries[j]) sum += flows[k++].amount;
    add(j, sum);
  }
}

void AddContract(const Ledger& ledger, const ContractState& c, const std::vector<Date>& boundaries,
                 const std::vector<MonthIndex>& months, Balances& out) {
  const Date signed_on = c.contract.signed_on;
  const size_t n = boundaries.size();
  auto first_at_or_after = [&](Date day) {
    return static_cast<size_t>(std::lower_bound(boundaries.begin(), boundaries.end(), day) -
                               boundaries.begin());
  };
  // Nothing is booked or recognised before signing.
  const size_t signed_at = first_at_or_after(signed_on);
  // Scratch space reused across contracts (this runs once per contract per query):
  // recognised amounts evaluated inside each line's active window, plus step changes (settled
  // amounts, cancellations) as differences summed below.
  thread_local std::vector<Cents> recognized, settled_steps, cancelled_steps, billed;
  recognized.assign(n, 0);
  settled_steps.assign(n + 1, 0);
  cancelled_steps.assign(n + 1, 0);
  billed.assign(n, 0);
  for (const LineState& line : c.lines) {
    const LineCurve curve(line, signed_on);
    const size_t active = std::max(signed_at, first_at_or_after(curve.active_from()));
    const size_t settled = std::max(active, first_at_or_after(curve.settled_from()));
    for (size_t j = active; j < settled; ++j) recognized[j] += curve.Evaluate(boundaries[j], months[j]);
    settled_steps[settled] += curve.settled();
    if (curve.cancelled() != 0) cancelled_steps[first_at_or_after(curve.cancelled_on())] += curve.cancelled();
  }
  WalkFlows(c.billings, boundaries, [&](size_t j, Cents s) { billed[j] = s; });
  WalkFlows(c.collections, boundaries, [&](size_t j, Cents s) { out.collected[j] += s; });
  const Cents booked_new = ledger.IsNewBusiness(c) ? c.booked : 0;
  Cents settled_sum = 0, cancelled_sum = 0;
  for (size_t j = 0; j < n; ++j) {
    settled_sum += settled_steps[j];
    cancelled_sum += cancelled_steps[j];
    const Cents rec = recognized[j] + settled_sum;
    if (j >= signed_at) {
      out.booked[j] += c.booked;
      out.booked_new[j] += booked_new;
      out.cancelled[j] += cancelled_sum;
    }
    out.recognized[j] += rec;
    out.billed[j] += billed[j];
    out.deferred[j] += std::max<Cents>(0, billed[j] - rec);
    out.assets[j] += std::max<Cents>(0, rec - billed[j]);
  }
}

struct Group {
  std::string name;
  std::vector<uint32_t> contracts;
};

std::vector<Group> SelectGroups(const Ledger& ledger, const Selection& selection) {
  std::map<std::string, std::vector<uint32_t>> by_name;
  if (selection.group_by == GroupBy::kCompany) by_name[""];  // the company always has a row
  const auto& contracts = ledger.contracts();
  for (uint32_t i = 0; i < contracts.size(); ++i) {
    const Customer& customer = ledger.customers()[contracts[i].customer].customer;
    if (!selection.segment.empty() && customer.segment != selection.segment) continue;
    if (!selection.customer_id.empty() && customer.customer_id != selection.customer_id) continue;
    switch (selection.group_by) {
      case GroupBy::kCompany: by_name[""].push_back(i); break;
      case GroupBy::kSegment: by_name[customer.segment].push_back(i); break;
      case GroupBy::kCustomer: by_name[customer.customer_id].push_back(i); break;
    }
  }
  std::vector<Group> groups;
  groups.reserve(by_name.size());
  for (auto& [name, members] : by_name) groups.push_back(Group{name, std::move(members)});
  return groups;
}

Balances SumGroup(const Ledger& ledger, const Group& group, const std::vector<Date>& boundaries,
                  bool parallel) {
  const auto& contracts = ledger.contracts();
  std::vector<MonthIndex> months(boundaries.size());
  for (size_t j = 0; j < boundaries.size(); ++j) months[j] = MonthOf(boundaries[j]);
  auto sum_range = [&](const tbb::blocked_range<size_t>& range, Balances acc) {
    for (size_t i = range.begin(); i != range.end(); ++i) {
      AddContract(ledger, contracts[group.contracts[i]], boundaries, months, acc);
    }
    return acc;
  };
  if (!parallel) {
    return sum_range(tbb::blocked_range<size_t>(0, group.contracts.size()),
                     Balances(boundaries.size()));
  }
  // Integer sums are exact, so the result does not depend on how the range is split.
  return tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, group.contracts.size(), 512), Balances(boundaries.size()),
      sum_range, [](Balances a, const Balances& b) {
        a.Add(b);
        return a;
      });
}

// The day three months before a balance date: month ends map to month ends.
Date ThreeMonthsBefore(Date day) {
  const MonthIndex month = MonthOf(day);
  if (day == LastDayOfMonth(month)) return LastDayOfMonth(month - 3);
  return AddMonths(day, -3);
}

absl::Status CheckFilters(const Ledger& ledger, const Selection& selection) {
  if (!selection.customer_id.empty() && !ledger.FindCustomer(selection.customer_id)) {
    return absl::NotFoundError(
        absl::StrCat("customer_id: no customer ", Quoted(selection.customer_id)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckReplySize(int64_t rows, absl::string_view shape, const ReplyLimit& limit,
                            absl::string_view advice) {
  if (rows > limit.max_rows) {
    return absl::ResourceExhaustedError(absl::StrCat("the reply would have ", rows, " rows (", shape,
                                                     "), more than the limit of ", limit.max_rows, "; ", advice));
  }
  if (limit.bytes_per_row > 0 && rows > limit.max_bytes / limit.bytes_per_row) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the reply would have ", rows, " rows (", shape, ") of at least ", limit.bytes_per_row, " bytes each, about ",
        absl::StrFormat("%.1f", static_cast<double>(rows) * static_cast<double>(limit.bytes_per_row) / 1e6),
        " MB, more than the server's ", limit.bytes_limit, " (", limit.max_bytes, " bytes) allows (",
        limit.max_bytes / limit.bytes_per_row, " rows); ", advice));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<MetricsTable>> ComputeMetrics(const Ledger& ledger,
                                                         const MetricsQuery& query) {
  ASSIGN_OR_RETURN(std::vector<Period> periods,
                   PeriodsBetween(query.from, query.to, query.calendar));
  RETURN_IF_ERROR(CheckFilters(ledger, query.selection));
  const Date as_of = query.as_of;
  // Balance days: before the first period, each period's end (through as_of), and three months
  // before each end (for backlog coverage).
  std::vector<Date> ends(periods.size()), coverage_from(periods.size());
  const Date opening = std::min(periods.front().first - 1, as_of);
  std::vector<Date> boundaries = {opening};
  for (size_t i = 0; i < periods.size(); ++i) {
    ends[i] = std::min(periods[i].last, as_of);
    coverage_from[i] = ThreeMonthsBefore(ends[i]);
    boundaries.push_back(ends[i]);
    boundaries.push_back(coverage_from[i]);
  }
  std::sort(boundaries.begin(), boundaries.end());
  boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
  auto at = [&](Date d) {
    return static_cast<size_t>(std::lower_bound(boundaries.begin(), boundaries.end(), d) -
                               boundaries.begin());
  };

  std::vector<Group> groups = SelectGroups(ledger, query.selection);
  RETURN_IF_ERROR(CheckReplySize(static_cast<int64_t>(groups.size() * periods.size()),
                                 absl::StrCat(groups.size(), " groups x ", periods.size(), " periods"), query.limit,
                                 "narrow from/to, use a coarser grain, or filter by segment or customer_id"));
  std::vector<MetricsTable> tables(groups.size());
  auto compute = [&](size_t g, bool parallel) {
    const Balances b = SumGroup(ledger, groups[g], boundaries, parallel);
    MetricsTable& table = tables[g];
    table.group = groups[g].name;
    table.periods.resize(periods.size());
    size_t previous = at(opening);
    for (size_t i = 0; i < periods.size(); ++i) {
      const size_t j = at(ends[i]);
      PeriodMetrics& m = table.periods[i];
      m.period = periods[i];
      m.partial = periods[i].last > as_of;
      m.bookings = b.booked[j] - b.booked[previous];
      m.bookings_new = b.booked_new[j] - b.booked_new[previous];
      m.bookings_existing = m.bookings - m.bookings_new;
      m.revenue = b.recognized[j] - b.recognized[previous];
      m.billings = b.billed[j] - b.billed[previous];
      m.collections = b.collected[j] - b.collected[previous];
      m.cancellations = b.cancelled[j] - b.cancelled[previous];
      m.backlog = b.booked[j] - b.cancelled[j] - b.recognized[j];
      m.unbilled_backlog = b.booked[j] - b.cancelled[j] - b.billed[j];
      m.deferred_revenue = b.deferred[j];
      m.contract_assets = b.assets[j];
      m.accounts_receivable = b.billed[j] - b.collected[j];
      if (m.billings != 0) {
        m.book_to_bill = static_cast<double>(m.bookings) / static_cast<double>(m.billings);
      }
      const Cents last_three_months = b.recognized[j] - b.recognized[at(coverage_from[i])];
      if (last_three_months > 0) {
        m.backlog_coverage_months =
            3.0 * static_cast<double>(m.backlog) / static_cast<double>(last_three_months);
      }
      previous = j;
    }
  };
  if (groups.size() == 1) {
    compute(0, /*parallel=*/true);
  } else {
    tbb::parallel_for(size_t{0}, groups.size(), [&](size_t g) { compute(g, false); });
  }
  return tables;
}

absl::StatusOr<std::vector<BacklogReport>> ComputeBacklog(const Ledger& ledger, Date as_of,
                                                          const Selection& selection, const ReplyLimit& limit) {
  RETURN_IF_ERROR(CheckFilters(ledger, selection));
  const Date horizon = AddMonths(as_of, 12);
  std::vector<Group> groups = SelectGroups(ledger, selection);
  RETURN_IF_ERROR(CheckReplySize(static_cast<int64_t>(groups.size()), absl::StrCat(groups.size(), " groups"), limit,
                                 "group by segment instead of customer, or filter by segment or customer_id"));
  std::vector<BacklogReport> reports(groups.size());
  tbb::parallel_for(size_t{0}, groups.size(), [&](size_t g) {
    BacklogReport& report = reports[g];
    report.group = groups[g].name;
    for (uint32_t index : groups[g].contracts) {
      const ContractState& c = ledger.contracts()[index];
      const Date signed_on = c.contract.signed_on;
      if (signed_on > as_of) continue;
      const int32_t age = as_of - signed_on;
      const int bucket = age <= 90 ? 0 : age <= 180 ? 1 : age <= 365 ? 2 : 3;
      for (const LineState& line : c.lines) {
        const Cents recognized = RecognizedThrough(line, signed_on, as_of);
        const Cents remaining = line.amount - CancelledThrough(line, signed_on, as_of) - recognized;
        if (remaining == 0) continue;
        report.backlog += remaining;
        report.aging[bucket] += remaining;
        if (line.cancelled_on && *line.cancelled_on <= as_of) continue;
        const Line& l = line.line;
        if (l.kind == LineKind::kRatable) {
          report.crpo += ScheduledThrough(line, signed_on, horizon, as_of) - recognized;
        } else if (l.expected_end_on && *l.expected_end_on > horizon) {
          report.crpo += MulDivFloor(remaining, horizon - as_of, *l.expected_end_on - as_of);
        } else {
          report.crpo += remaining;
        }
      }
    }
  });
  return reports;
}

absl::StatusOr<ContractSchedule> ComputeSchedule(const Ledger& ledger, absl::string_view contract_id,
                                                 Date as_of, const ReplyLimit& limit) {
  auto index = ledger.FindContract(contract_id);
  if (!index) {
    return absl::NotFoundError(absl::StrCat("contract_id: no contract ", Quoted(contract_id)));
  }
  const ContractState& c = ledger.contracts()[*index];
  const Date signed_on = c.contract.signed_on;
  const MonthIndex first = MonthOf(signed_on);
  MonthIndex last = std::max(first, MonthOf(as_of));
  for (const LineState& line : c.lines) {
    if (line.line.kind == LineKind::kRatable) last = std::max(last, MonthOf(*line.line.end_on));
  }
  last = std::min(last, first + 1199);
  RETURN_IF_ERROR(CheckReplySize(static_cast<int64_t>(c.lines.size()) * (last - first + 1),
                                 absl::StrCat(c.lines.size(), " lines x ", last - first + 1, " months"), limit,
                                 "ask as of an earlier date (the schedule runs to the later of as_of and the last "
                                 "ratable line's end)"));
  ContractSchedule schedule;
  schedule.contract = c.contract;
  schedule.booked = c.booked;
  for (const LineState& line : c.lines) {
    LineSchedule ls;
    ls.line = line.line;
    ls.amount = line.amount;
    ls.cancelled = CancelledThrough(line, signed_on, as_of);
    for (MonthIndex m = first; m <= last; ++m) {
      // Actual through as_of; after it, whole months by schedule with the events known at as_of.
      // (So the as_of month shows revenue through as_of, and its remainder is in no row.)
      const bool scheduled = FirstDayOfMonth(m) > as_of;
      const Date through = scheduled ? LastDayOfMonth(m) : std::min(LastDayOfMonth(m), as_of);
      const Cents to_date = RecognizedThrough(line, signed_on, through, as_of);
      const Cents month_start =
          m == first ? 0 : RecognizedThrough(line, signed_on, LastDayOfMonth(m - 1), as_of);
      const Cents cancelled = CancelledThrough(line, signed_on, std::min(through, as_of));
      ls.months.push_back(ScheduleMonth{m, to_date - month_start, to_date,
                                        line.amount - cancelled - to_date, scheduled});
    }
    schedule.lines.push_back(std::move(ls));
  }
  return schedule;
}

absl::StatusOr<GroupBy> ParseGroupBy(absl::string_view text, absl::string_view field) {
  if (text.empty() || text == "company") return GroupBy::kCompany;
  if (text == "segment") return GroupBy::kSegment;
  if (text == "customer") return GroupBy::kCustomer;
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": expected company, segment or customer, got ", Quoted(text)));
}

absl::string_view GroupByName(GroupBy group_by) {
  switch (group_by) {
    case GroupBy::kCompany: return "company";
    case GroupBy::kSegment: return "segment";
    case GroupBy::kCustomer: return "customer";
  }
  return "company";
}

}  // namespace forecastle

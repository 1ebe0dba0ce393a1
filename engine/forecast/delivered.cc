#include "engine/forecast/delivered.h"

#include <algorithm>

#include "engine/actuals/money.h"

namespace forecastle::forecast {

HoursByMonth HoursDelivered(const Ledger& ledger, Date through, const Scenario& s, MonthIndex first,
                            MonthIndex last) {
  HoursByMonth out;
  out.first = first;
  const auto months = static_cast<size_t>(std::max(0, last - first + 1));
  out.hours.assign(s.teams.size(), std::vector<double>(months, 0));
  out.records.assign(s.teams.size(), std::vector<int64_t>(months, 0));
  const Product* goods = ProductOfKind(s, LineKind::kDelivery);
  const double goods_hours_per_unit_value = goods ? goods->hours_per_unit_value : 0;
  const int effort_team = TeamOfKind(s, LineKind::kEffort), delivery_team = TeamOfKind(s, LineKind::kDelivery);
  for (uint32_t index : ledger.ContractsInIdOrder()) {
    const ContractState& c = ledger.contracts()[index];
    if (c.contract.signed_on > through) continue;
    for (const LineState& line : c.lines) {
      const LineKind kind = line.line.kind;
      const int team = kind == LineKind::kEffort ? effort_team : kind == LineKind::kDelivery ? delivery_team : -1;
      if (team < 0 || line.to_date.empty() || line.to_date.back().on <= LastDayOfMonth(first - 1)) continue;
      const auto t = static_cast<size_t>(team);
      const ProgressPoint* before = line.ProgressThrough(LastDayOfMonth(first - 1));
      for (MonthIndex month = first; month <= last; ++month) {
        const ProgressPoint* after = line.ProgressThrough(std::min(LastDayOfMonth(month), through));
        if (after == nullptr || after == before) continue;
        double hours;
        if (kind == LineKind::kEffort) {
          hours = static_cast<double>(after->hours_to_date - (before ? before->hours_to_date : 0)) / 100.0;
        } else {
          const int64_t units = after->units_to_date - (before ? before->units_to_date : 0);
          hours = Units(line.amount) * static_cast<double>(units) /
                  static_cast<double>(std::max<int64_t>(1, *line.line.total_units)) * goods_hours_per_unit_value;
        }
        const auto m = static_cast<size_t>(month - first);
        out.hours[t][m] += hours;
        // Progress records in the month: the points after `before` up to `after`.
        const auto count = [&](const ProgressPoint* point) { return point ? point - line.to_date.data() + 1 : 0; };
        out.records[t][m] += count(after) - count(before);
        before = after;
      }
    }
  }
  return out;
}

std::vector<std::vector<std::optional<double>>> HeadcountByMonth(const Ledger& ledger, const Scenario& s,
                                                                 MonthIndex first, MonthIndex last) {
  std::vector<std::vector<std::optional<double>>> fte(
      s.teams.size(), std::vector<std::optional<double>>(static_cast<size_t>(std::max(0, last - first + 1))));
  for (const Headcount& h : ledger.headcount()) {
    if (h.month < first || h.month > last) continue;
    for (size_t t = 0; t < s.teams.size(); ++t) {
      if (s.teams[t].name == h.team) fte[t][static_cast<size_t>(h.month - first)] = static_cast<double>(h.centi_fte) / 100.0;
    }
  }
  return fte;
}

std::vector<DeliveryMonth> DeliveryHistory(const Ledger& ledger, Date as_of, const Scenario& s, int months) {
  const MonthIndex last = MonthOf(as_of), first = last - months + 1;
  const HoursByMonth delivered = HoursDelivered(ledger, as_of, s, first, last);
  const std::vector<std::vector<std::optional<double>>> fte = HeadcountByMonth(ledger, s, first, last);
  std::vector<DeliveryMonth> out;
  for (int i = 0; i < months; ++i) {
    const auto m = static_cast<size_t>(i);
    DeliveryMonth& month = out.emplace_back();
    month.month = first + i;
    double people = 0, capacity = 0;
    bool known = false, missing = false;
    for (size_t t = 0; t < s.teams.size(); ++t) {
      month.worked_hours += delivered.hours[t][m];
      if (fte[t][m].has_value()) {
        known = true;
        people += *fte[t][m];
        capacity += *fte[t][m] * s.teams[t].hours_per_fte_month * s.teams[t].utilization;
      } else if (delivered.hours[t][m] > 0) {
        missing = true;  // a team that worked without a headcount: the month's capacity is unknown
      }
    }
    if (!known || missing) continue;
    month.headcount = people;
    month.capacity_hours = capacity;
    if (capacity > 0) month.utilization = month.worked_hours / capacity;
  }
  return out;
}

}  // namespace forecastle::forecast

// What the teams delivered, from the ledger (SPEC §4.3): each team's hours a month (effort lines'
// hours from their progress, goods' units at the goods product's hours per unit value; the
// scenario's products say which team does which kind of work), and with headcount.csv its people.
// Calibration fits capacity from these; a forecast's reply shows them as the history of its
// capacity, utilisation and headcount. One formula for both.
#ifndef FORECASTLE_ENGINE_FORECAST_DELIVERED_H_
#define FORECASTLE_ENGINE_FORECAST_DELIVERED_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/actuals/calendar.h"
#include "engine/actuals/ledger.h"
#include "engine/forecast/scenario.h"

namespace forecastle::forecast {

// Each team's (Scenario::teams order) hours delivered in each month of [first, last] from the
// progress recorded by `through` (a month after it counts its days to `through` only), and the
// progress records behind each month's hours. Contracts signed after `through` do not count.
struct HoursByMonth {
  MonthIndex first = 0;
  std::vector<std::vector<double>> hours;     // [team][month - first]
  std::vector<std::vector<int64_t>> records;  // [team][month - first]
};
HoursByMonth HoursDelivered(const Ledger& ledger, Date through, const Scenario& scenario, MonthIndex first,
                            MonthIndex last);

// Each team's (Scenario::teams order) FTE in each month of [first, last] from headcount.csv, or
// nullopt where none was recorded; headcount of teams the scenario does not have is left out.
std::vector<std::vector<std::optional<double>>> HeadcountByMonth(const Ledger& ledger, const Scenario& scenario,
                                                                 MonthIndex first, MonthIndex last);

// The delivery history of the `months` months through as_of's, the scenario's teams together: the
// hours delivered and, in months where every team that delivered hours has a headcount record,
// its FTE, the capacity it gives (FTE x hours_per_fte_month x utilization of each team, as a
// forecast's capacity) and the hours' share of it (utilisation).
struct DeliveryMonth {
  MonthIndex month = 0;
  double worked_hours = 0;
  std::optional<double> headcount, capacity_hours, utilization;
};
std::vector<DeliveryMonth> DeliveryHistory(const Ledger& ledger, Date as_of, const Scenario& scenario, int months);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_DELIVERED_H_

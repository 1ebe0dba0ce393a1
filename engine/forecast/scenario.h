// The assumptions of a forecast (SPEC §4): how the pipeline converts to bookings, how won deals
// become lines, how teams deliver the work, and how invoices turn into cash. Every field has a
// documented default and a validated range; Validate names the field and the value it refuses.
// A stored variant sets only some fields over its base: scenario_fields.h describes each field
// once, and forecaster.h resolves a variant over its chain of bases.
#ifndef FORECASTLE_ENGINE_FORECAST_SCENARIO_H_
#define FORECASTLE_ENGINE_FORECAST_SCENARIO_H_

#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/actuals/calendar.h"
#include "engine/actuals/records.h"

namespace forecastle::forecast {

// Bookings of one segment without an opportunity behind them (SPEC §4.1 source 3), of one kind:
// new customers, or existing customers' expansions. Contracts arrive per month (Poisson, with
// seasonality and a trend whose growth each path draws from its uncertainty) at lognormal sizes,
// and become products by the segment's product mix. A month's rate also moves by a lognormal
// factor of mean 1 (volatility): months vary more than Poisson counts alone do.
struct DirectBookings {
  double per_month = 0;                      // contracts a month at as-of, before seasonality, [0, 10000]
  std::array<double, 12> seasonality = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};  // by calendar month, [0, 10]
  double growth_per_year = 0;                // the rate grows by this a year, [-0.9, 10]
  double growth_sigma = 0;                   // sigma of log(1 + growth), drawn once a path, [0, 3]
  double volatility = 0;                     // lognormal sigma of a month's rate around the trend, [0, 3]
  double size = 50000;                       // mean contract value in currency units, [0, 1e12]
  double size_sigma = 0.8;                   // lognormal sigma of sizes, [0, 3]
};

// A trend's factor on a rate at as-of for forecast month m (0: the first month, whose middle is
// half a month after as-of). `log_growth` is the estimate's log(1 + growth a year); `deviation`
// is this path's draw of its error (growth_sigma times a standard normal). The estimate's growth
// carries the rate from as-of to the month's middle. Its error reaches further back: calibration
// measures a rate as the trailing 12 months' mean and carries it half a year forward to as-of
// along the same growth, so a path whose growth differs by `deviation` also differs at as-of by
// half a year of it (kTrendLevelMonths). The fan so widens from the level at as-of, not from zero.
inline constexpr double kTrendLevelMonths = 6;
double TrendFactor(double log_growth, double deviation, int month);

// New business of one customer segment.
struct SegmentAssumptions {
  std::string name;                          // matches customers' and opportunities' segment
  double arrivals_per_month = 10;            // new opportunities a month at as-of (Poisson mean), [0, 10000]
  double arrivals_growth_per_year = 0;       // the arrival rate's trend, [-0.9, 10]
  double arrivals_growth_sigma = 0;          // sigma of log(1 + that growth), drawn once a path, [0, 3]
  std::array<double, 12> seasonality = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};  // by calendar month, [0, 10]
  double win_rate = 0.25;                    // of a new opportunity, [0, 1]
  double sales_cycle_months = 3;             // mean months from creation to close, [0, 60]
  double sales_cycle_sigma = 0.5;            // lognormal sigma of the cycle, [0, 3]
  double slip_probability = 0.3;             // an open deal closes after its expected month, [0, 1]
  double slip_months = 2;                    // mean slip in months when it slips (geometric), [1, 36]
  double deal_size = 50000;                  // mean deal size in currency units, [0, 1e12]
  double deal_size_sigma = 0.6;              // lognormal sigma of new deals' sizes, [0, 3]
  double open_deal_size_sigma = 0.2;         // lognormal sigma of an open deal's final size
                                             // around its amount (mean 1), [0, 3]
  std::vector<std::pair<std::string, double>> product_mix = {{"subscription", 0.6}, {"services", 0.3}, {"goods", 0.1}};
                                             // product -> share; shares in [0, 1], summing to 1 (±1e-9)
  DirectBookings new_customers;              // none by default: calibration fits them
  DirectBookings expansions;
};

enum class BillingTerms { kAnnualUpfront, kQuarterlyUpfront, kMonthlyUpfront, kMonthlyInArrears, kOnDelivery };
// Months of service each invoice covers under upfront terms (12, 3, 1), billed when they begin;
// 0 for terms in arrears or on delivery.
int UpfrontInvoiceMonths(BillingTerms billing);

// A share of a ratable product's sales by term.
struct TermShare {
  int months = 12;                           // [1, 120]
  double share = 1;                          // of the amount sold, [0, 1]; a product's shares sum to 1
};
inline constexpr size_t kMaxTerms = 12;      // entries of a product's term_mix

// How a won deal becomes a line.
struct Product {
  std::string name;
  LineKind kind = LineKind::kRatable;
  int term_months = 12;                      // ratable: service months; effort/delivery: planned duration, [1, 120]
  BillingTerms billing = BillingTerms::kAnnualUpfront;
  double hours_per_unit_value = 0;           // effort and delivery: hours of work per currency unit, [0, 1]
  double lead_time_months = 0;               // months from signing to the start of work or service, [0, 24];
                                             // fractions count: a sale on the 10th with 0.5 starts about the 25th
  std::string team;                          // who does the work (effort and delivery lines)
  // Ratable: each sale's term is drawn by these shares, so that its upfront invoices and renewals
  // follow the terms the company sells (a mix of 3- and 36-month deals does not bill like one of
  // 16 months); empty = term_months for every sale. At most kMaxTerms.
  std::vector<TermShare> term_mix;
};

struct Renewals {
  double probability = 0.8;                  // an expiring subscription renews, [0, 1]
  double uplift = 0.05;                      // price change at renewal, [-0.9, 10]
};

// A delivery team. Capacity hours a month = FTE x hours_per_fte_month x utilization, with new
// hires ramping up linearly over ramp_up_months.
struct Team {
  std::string name;
  double fte = 10;                           // current headcount in full-time equivalents, [0, 100000];
                                             // fractions count: 2.5 FTE are 3 people of 5/6 each
  double hours_per_fte_month = 140;          // (0, 744]
  double utilization = 0.75;                 // billable share, [0, 1]
  int ramp_up_months = 3;                    // [0, 24]
  double monthly_attrition = 0.01;           // probability an FTE leaves in a month, [0, 1]
  double cost_per_fte_month = 12000;         // fully loaded, currency units, [0, 1e9]
};

// Hires requested in a month; they start time_to_fill_months later.
struct Hire {
  std::string team;
  MonthIndex month = 0;                      // the month the hire is requested
  double count = 0;                          // FTE hired, [0, 100000]; fractions count as for Team::fte
};

// Receivables by age (SPEC §4.4): days past issue 0-30, 31-60, 61-90, 91-180, over 180.
inline constexpr int kAgeBuckets = 5;
int AgeBucket(int days_past_issue);  // 0 .. kAgeBuckets - 1
std::string_view AgeBucketName(int bucket);  // "0-30", ..., "180+"

struct PaymentTerms {
  // The delay from invoice to payment, as a mix of (days, probability); probabilities sum to 1.
  std::vector<std::pair<int, double>> delay_days_mix = {{30, 0.6}, {60, 0.3}, {90, 0.1}};
  double bad_debt_rate = 0.01;               // share of invoices never paid, [0, 1]
  // Receivables open at as-of: the share of what is still open collected in a month, by the
  // age bucket it is in that month, [0, 1]. What is never collected stays receivable (the
  // ledger records no write-offs: AR is billed - collected, SPEC §1).
  std::array<double, kAgeBuckets> collection_by_age = {0.6, 0.5, 0.5, 0.3, 0.02};
  // Terms in arrears: months from the end of a month of work or service to its invoice, [0, 3].
  // 0: on the month's last day; 1: in the next month; a fraction splits the invoice between the
  // two months (Cash::BillInArrears). Calibration fits it from the ledger's invoices.
  double arrears_lag_months = 1;
};

struct Scenario {
  std::string name;                          // required, [A-Za-z0-9_.-], at most 64 characters
  std::string base;                          // a stored scenario this one overrides ("" = none)
  std::string description;
  std::vector<SegmentAssumptions> segments;
  std::vector<std::pair<std::string, double>> stage_win_probability = {
      {"qualify", 0.10}, {"develop", 0.25}, {"propose", 0.45}, {"negotiate", 0.70}};
  double win_rate_multiplier = 1;            // applied to every win probability (capped at 1), [0, 10]
  double price_multiplier = 1;               // applied to every deal and renewal size, [0, 10]
  std::vector<Product> products;
  Renewals renewals;
  std::vector<Team> teams;
  std::vector<Hire> hiring_plan;
  int time_to_fill_months = 2;               // [0, 24]
  double effort_overrun = 1.1;               // mean multiplier of remaining estimated hours, [0.1, 10]
  double effort_overrun_sigma = 0.2;         // lognormal sigma, [0, 3]
  PaymentTerms payment;
  // Correlation of segments' monthly demand (rows and columns in segment order); empty = none.
  // Must be symmetric with unit diagonal and positive semi-definite.
  std::vector<std::vector<double>> segment_correlation;
  double demand_volatility = 0.2;            // lognormal sigma of a segment's monthly demand factor, [0, 3]
};

// The product that work of `kind` already in the ledger is taken to be (lines record no product):
// the scenario's first product of that kind; nullptr if none.
const Product* ProductOfKind(const Scenario& scenario, LineKind kind);
// The index of the team doing work of `kind` (ProductOfKind's team), -1 if none.
int TeamOfKind(const Scenario& scenario, LineKind kind);

// The scenario every forecast starts from when none is given: the three sample segments, the
// three sample products, one delivery team.
Scenario DefaultScenario();

// Names (of the scenario, its base, segments, products, teams, stages) hold 1 to this many
// letters, digits, '_', '-' and '.'; a description at most kMaxDescriptionBytes bytes.
inline constexpr size_t kMaxScenarioNameBytes = 64;
inline constexpr size_t kMaxDescriptionBytes = 4096;

// Checks every field's range (NaN is in none) and the cross references (products' teams, hires' teams, product
// mixes' products, correlation size and definiteness). INVALID_ARGUMENT naming the field, e.g.
// "segments[1].win_rate must be in [0, 1], got 1.5".
absl::Status Validate(const Scenario& scenario);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_SCENARIO_H_

#include "engine/sample/sample_company.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/actuals/allocation.h"
#include "engine/actuals/money.h"
#include "engine/actuals/recognition.h"

namespace forecastle {
namespace {

constexpr int kMaxContracts = 1'000'000;
constexpr int kMaxOpenOpportunities = 1'000'000;

// Draws from std::mt19937_64, whose output the standard fixes, using integer arithmetic only:
// no std::*_distribution and no floating point, so a seed gives the same company with every
// standard library, libm and compiler.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n) for n >= 1 (multiply-shift; the bias is below n / 2^64).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }
  // Uniform in [lo, hi], lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Percent(int64_t pct) { return static_cast<int64_t>(Below(100)) < pct; }
  bool Permille(int64_t permille) { return static_cast<int64_t>(Below(1000)) < permille; }

  // An index drawn with the given weights (non-negative, not all zero).
  template <size_t N>
  int Pick(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = static_cast<int>(Below(static_cast<uint64_t>(total)));
    for (size_t i = 0; i < N; ++i) {
      if (r < weights[i]) return static_cast<int>(i);
      r -= weights[i];
    }
    return static_cast<int>(N) - 1;
  }

  // Roughly log-uniform in [lo, hi] (1 <= lo <= hi): one of the bands [b, 5b/4) picked
  // uniformly, then uniform inside it. Deal, project and order sizes spread this way.
  int64_t LogBetween(int64_t lo, int64_t hi) {
    auto next = [](int64_t b) { return b + std::max<int64_t>(1, b / 4); };
    uint64_t bands = 0;
    for (int64_t b = lo; b < hi; b = next(b)) ++bands;
    if (bands == 0) return lo;
    int64_t b = lo;
    for (uint64_t band = Below(bands); band > 0; --band) b = next(b);
    return Between(b, std::min(hi, next(b) - 1));
  }

 private:
  std::mt19937_64 engine_;
};

enum Segment : uint8_t { kEnterprise = 0, kMidMarket = 1, kSmb = 2 };
constexpr std::array<std::string_view, 3> kSegmentNames = {"enterprise", "mid-market", "smb"};

// What differs between segments. Money here is in whole currency units.
struct SegmentProfile {
  int new_customer_weight;  // share of new customers
  int repeat_accept_pct;    // how readily a customer signs again
  int64_t subscription_lo;  // annual subscription value
  int64_t subscription_hi;
  int64_t hours_lo;  // services estimate
  int64_t hours_hi;
  int64_t units_lo;  // goods ordered
  int64_t units_hi;
  int payment_terms_days;
  int never_pays_permille;
  int64_t cycle_days_lo;  // sales cycle, opportunity created to closed
  int64_t cycle_days_hi;
  int win_rate_pct;  // of closed opportunities
  int64_t deal_lo;   // opportunity amounts with no contract behind them
  int64_t deal_hi;
};

constexpr std::array<SegmentProfile, 3> kProfiles = {{
    // enterprise
    {15, 100, 60'000, 500'000, 600, 4'400, 40, 400, 45, 10, 60, 270, 30, 80'000, 1'500'000},
    // mid-market
    {35, 70, 15'000, 150'000, 200, 1'500, 10, 150, 30, 20, 30, 120, 40, 20'000, 300'000},
    // smb
    {50, 40, 5'000, 30'000, 80, 400, 2, 40, 30, 35, 10, 60, 50, 5'000, 60'000},
}};

// Signings by calendar month, per mille of an average month: quarter ends and a Q4 bump.
constexpr std::array<int64_t, 12> kSeasonPermille = {80, 90, 115, 90,  95,  115,
                                                     85, 80, 115, 105, 125, 160};

constexpr std::array<int, 5> kLinesPerContractWeights = {13, 26, 30, 19, 12};  // 1..5 lines
constexpr std::array<int, 3> kLineKindWeights = {64, 20, 16};  // ratable, effort, delivery
constexpr std::array<int, 6> kTermMonths = {12, 24, 36, 6, 3, 18};
constexpr std::array<int, 6> kTermWeights = {55, 14, 12, 9, 5, 5};
constexpr std::array<int64_t, 5> kHourlyRates = {125, 150, 175, 200, 225};
constexpr std::array<int, 5> kHourlyRateWeights = {20, 35, 25, 15, 5};
constexpr std::array<int64_t, 6> kUnitPrices = {49, 99, 249, 499, 999, 2'499};
constexpr std::array<int, 6> kUnitPriceWeights = {15, 25, 25, 20, 10, 5};
constexpr std::array<int, 3> kShipmentWeights = {75, 20, 5};  // 1..3 shipments

constexpr std::array<std::string_view, 5> kLineIds = {"L1", "L2", "L3", "L4", "L5"};
constexpr std::array<std::string_view, 4> kStages = {"qualify", "develop", "propose", "negotiate"};
constexpr std::array<int, 4> kLostStageWeights = {35, 30, 22, 13};
constexpr std::array<int, 4> kOpenStageWeights = {35, 30, 20, 15};
constexpr std::array<std::string_view, 3> kProducts = {"subscription", "services", "goods"};
constexpr std::array<int, 3> kProductWeights = {50, 30, 20};

// The team that delivers services and goods: DefaultScenario()'s one team.
constexpr std::string_view kDeliveryTeam = "delivery";
// Staffing for the busy season: each quarter, for the busiest month of the last 12 at 105
// billable hours per FTE a month (140 hours at 75% utilisation); 1% leave each month between.
constexpr CentiHours kBillableHoursPerFte = 10'500;
constexpr int kStaffingMonths = 12;
constexpr int64_t kStayingPercent = 99;

constexpr std::array<std::string_view, 30> kNameFirst = {
    "Acme",      "Blue Harbor", "Northwind",  "Summit",    "Pioneer", "Silverline",
    "Vertex",    "Crescent",    "Granite",    "Atlas",     "Beacon",  "Cedar",
    "Delta",     "Evergreen",   "Falcon",     "Orion",     "Maple",   "Redwood",
    "Sterling",  "Keystone",    "Lighthouse", "Meridian",  "Nimbus",  "Quarry",
    "Riverside", "Tidewater",   "Unity",      "Westfield", "Zenith",  "O'Brien"};
constexpr std::array<std::string_view, 20> kNameCore = {
    "Analytics", "Logistics", "Health",        "Systems",  "Foods",   "Energy",     "Media",
    "Labs",      "Robotics",  "Finance",       "Retail",   "Motors",  "Networks",   "Pharma",
    "Studios",   "Insurance", "Manufacturing", "Software", "Telecom", "Hospitality"};
constexpr std::array<std::string_view, 9> kNameSuffix = {
    "Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Group", "& Co.", "Holdings, Inc.", "Partners"};

// "CT-000042": the prefix and at least six digits.
std::string NumberedId(std::string_view prefix, uint64_t n) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  const size_t length = static_cast<size_t>(end - digits);
  std::string id;
  id.reserve(prefix.size() + std::max<size_t>(length, 6));
  id.append(prefix);
  if (length < 6) id.append(6 - length, '0');
  id.append(digits, length);
  return id;
}

// Days of signing drawn over the history: weight grows 2.5% a month (about 34% a year) and
// follows kSeasonPermille.
class SigningDays {
 public:
  SigningDays(Date first, Date last) {
    int64_t growth = 1'000'000;
    int64_t total = 0;
    for (MonthIndex m = MonthOf(first); m <= MonthOf(last); ++m) {
      const Date from = std::max(first, FirstDayOfMonth(m));
      const Date to = std::min(last, LastDayOfMonth(m));
      const int64_t days = to - from + 1;
      total += days * (growth / 1000) * kSeasonPermille[static_cast<size_t>(m % 12)];
      months_.push_back(Month{from, days, total});
      if (growth < 1'000'000'000'000) growth += growth / 40;
    }
  }

  Date Draw(Rng& rng) const {
    const int64_t r =
        static_cast<int64_t>(rng.Below(static_cast<uint64_t>(months_.back().cumulative)));
    auto it = std::upper_bound(months_.begin(), months_.end(), r,
                               [](int64_t v, const Month& m) { return v < m.cumulative; });
    return it->from + static_cast<int32_t>(rng.Below(static_cast<uint64_t>(it->days)));
  }

 private:
  struct Month {
    Date from;
    int64_t days;
    int64_t cumulative;  // weight of this and earlier months
  };
  std::vector<Month> months_;
};

// An amount billed on a day; negative for a credit note.
struct BillingItem {
  Date on;
  Cents amount;
};

// Compact rows of the kinds after lines, made records by Generator::Assemble: they would cost
// their full size twice (here and in the result) as records.
struct ProgressRow {
  uint32_t contract;
  uint32_t line;  // 0-based
  Date on;
  bool complete;
  int64_t units;               // 0: absent
  CentiHours hours;            // 0: absent
  CentiHours estimated_hours;  // 0: absent
};

struct CancellationRow {
  uint32_t contract;
  uint32_t line;
  Date effective_on;
};

struct InvoiceRow {
  uint32_t contract;
  Date issued_on;
  Cents amount;
  std::optional<Date> due_on;
};

struct PaymentRow {
  uint32_t invoice;  // index into Generator::invoices_, before they are numbered
  Date received_on;
  Cents amount;
};

struct ContractPlan {
  Date signed_on;
  uint32_t customer;
  bool new_business;
};

class Generator {
 public:
  explicit Generator(const SampleOptions& options)
      : options_(options),
        end_(options.history_end),
        rng_(options.seed),
        signing_(options.history_start, options.history_end) {}

  std::vector<Record> Run() {
    // Room for the typical counts (about 12 records a contract), so that nothing moves.
    const auto n = static_cast<size_t>(options_.contracts);
    records_.reserve(n * 13 + static_cast<size_t>(std::max(0, options_.open_opportunities)));
    progress_.reserve(n * 2 + n / 4);
    cancellations_.reserve(n / 16);
    invoices_.reserve(n * 3);
    payments_.reserve(n * 3);
    opportunities_.reserve(n / 2 + n / 8);
    // Customers come first in the result, then the contracts, filled in one by one, then lines.
    PlanContracts();
    customer_count_ = records_.size();
    records_.resize(customer_count_ + n, Record(Contract()));
    for (uint32_t c = 0; c < plans_.size(); ++c) GenerateContract(c);
    AddLostOpportunities();
    AddOpenOpportunities();
    return Assemble();
  }

 private:
  // Signing days, in order, and who signs: a new customer or one who signed before.
  void PlanContracts() {
    const size_t n = static_cast<size_t>(options_.contracts);
    std::vector<Date> days(n);
    for (Date& day : days) day = signing_.Draw(rng_);
    std::sort(days.begin(), days.end());
    plans_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      // Repeat business grows with the customer base, up to 45% of signings.
      const int64_t repeat_pct =
          std::min<int64_t>(45, static_cast<int64_t>(segments_.size()) * 45 / 20);
      if (i > 0 && rng_.Percent(repeat_pct)) {
        uint32_t customer = 0;
        for (int attempt = 0; attempt < 4; ++attempt) {
          customer = plans_[rng_.Below(i)].customer;
          if (rng_.Percent(kProfiles[segments_[customer]].repeat_accept_pct)) break;
        }
        plans_.push_back(ContractPlan{days[i], customer, false});
        continue;
      }
      const auto segment = static_cast<Segment>(rng_.Pick(
          std::array<int, 3>{kProfiles[0].new_customer_weight, kProfiles[1].new_customer_weight,
                             kProfiles[2].new_customer_weight}));
      const auto customer = static_cast<uint32_t>(segments_.size());
      Customer record;
      record.customer_id = NumberedId("CU-", customer + 1);
      // One draw per statement: the order of evaluation inside an expression is unspecified.
      record.name = kNameFirst[rng_.Below(kNameFirst.size())];
      record.name += ' ';
      record.name += kNameCore[rng_.Below(kNameCore.size())];
      record.name += ' ';
      record.name += kNameSuffix[rng_.Below(kNameSuffix.size())];
      record.segment = std::string(kSegmentNames[segment]);
      records_.emplace_back(std::move(record));
      segments_.push_back(segment);
      plans_.push_back(ContractPlan{days[i], customer, true});
    }
  }

  void GenerateContract(uint32_t c) {
    const ContractPlan& plan = plans_[c];
    const Date signed_on = plan.signed_on;
    const Segment segment = segments_[plan.customer];
    const SegmentProfile& profile = kProfiles[segment];

    Contract contract;
    contract.contract_id = NumberedId("CT-", c + 1);
    contract.customer_id = CustomerId(plan.customer);
    contract.signed_on = signed_on;

    // Subscriptions of one contract share a start and a term. Most start on signing or on the
    // first of the next month; some started before signing (a renewal signed late).
    const int term_months = kTermMonths[static_cast<size_t>(rng_.Pick(kTermWeights))];
    Date subscription_start = signed_on;
    if (const int64_t r = rng_.Below(100); r >= 90) {
      subscription_start = signed_on - static_cast<int32_t>(rng_.Between(1, 60));
    } else if (r >= 70) {
      subscription_start = FirstDayOfMonth(MonthOf(signed_on) + 1);
    }

    const int line_count = 1 + rng_.Pick(kLinesPerContractWeights);
    const size_t first_line = records_.size();
    std::array<int, 5> shipments{};
    Cents ssp_total = 0;
    for (int l = 0; l < line_count; ++l) {
      Line line;
      line.contract_id = contract.contract_id;
      line.line_id = std::string(kLineIds[static_cast<size_t>(l)]);
      switch (rng_.Pick(kLineKindWeights)) {
        case 0: {
          line.kind = LineKind::kRatable;
          const int64_t annual =
              rng_.LogBetween(profile.subscription_lo, profile.subscription_hi) / 10 * 10;
          line.ssp = annual * 100 * term_months / 12;
          line.start_on = subscription_start;
          line.end_on = AddMonths(subscription_start, term_months) - 1;
          if (rng_.Percent(15)) line.convention = RatableConvention::kDaily;
          break;
        }
        case 1: {
          line.kind = LineKind::kEffort;
          const int64_t hours =
              std::max<int64_t>(10, rng_.LogBetween(profile.hours_lo, profile.hours_hi) / 10 * 10);
          const int64_t rate = kHourlyRates[static_cast<size_t>(rng_.Pick(kHourlyRateWeights))];
          line.ssp = hours * rate * 100;
          line.estimated_hours = hours * 100;
          break;
        }
        default: {
          line.kind = LineKind::kDelivery;
          const int64_t price = kUnitPrices[static_cast<size_t>(rng_.Pick(kUnitPriceWeights))];
          int64_t units = rng_.LogBetween(profile.units_lo, profile.units_hi);
          units = std::clamp<int64_t>(units, (1'000 + price - 1) / price, 200'000 / price);
          line.ssp = units * price * 100;
          line.total_units = units;
          shipments[l] =
              static_cast<int>(std::min<int64_t>(units, 1 + rng_.Pick(kShipmentWeights)));
          break;
        }
      }
      ssp_total += line.ssp;
      records_.emplace_back(std::move(line));
    }

    // Three contracts in ten are priced as a bundle, at a discount from the SSPs.
    if (rng_.Percent(30)) {
      const Cents price = ssp_total * (100 - rng_.Between(3, 25)) / 100 / 10'000 * 10'000;
      contract.transaction_price = price > 0 ? price : ssp_total;
    }
    std::vector<Cents> ssps(static_cast<size_t>(line_count));
    for (int l = 0; l < line_count; ++l) ssps[l] = LineAt(first_line + l).ssp;
    const std::vector<Cents> amounts = AllocateTransactionPrice(contract.transaction_price, ssps);

    // A few contracts lose one line, or all of them, to a cancellation.
    std::optional<Date> cancelled_on;
    uint32_t cancelled_lines = 0;
    if (rng_.Percent(3)) {
      const Date on = signed_on + static_cast<int32_t>(rng_.Between(30, 540));
      if (on <= end_) {
        cancelled_on = on;
        cancelled_lines = rng_.Percent(35) ? (1u << line_count) - 1
                                           : 1u << rng_.Below(static_cast<uint64_t>(line_count));
      }
    }

    std::vector<BillingItem> bills;
    std::vector<BillingItem> credits;
    for (int l = 0; l < line_count; ++l) {
      Line& line = LineAt(first_line + l);
      const auto line_index = static_cast<uint32_t>(l);
      const std::optional<Date> stop =
          (cancelled_lines >> l & 1u) ? cancelled_on : std::optional<Date>();
      if (stop) cancellations_.push_back(CancellationRow{c, line_index, *stop});
      switch (line.kind) {
        case LineKind::kRatable:
          BillRatable(line, amounts[l], signed_on, term_months, stop, bills, credits);
          break;
        case LineKind::kEffort:
          ProgressEffort(c, line_index, line, amounts[l], signed_on, stop, bills);
          break;
        case LineKind::kDelivery:
          ProgressDelivery(c, line_index, line, amounts[l], shipments[l], signed_on, stop, bills);
          break;
      }
    }

    // One invoice per contract and day; credit notes on their own.
    std::sort(bills.begin(), bills.end(),
              [](const BillingItem& a, const BillingItem& b) { return a.on < b.on; });
    for (size_t i = 0; i < bills.size();) {
      BillingItem merged = bills[i];
      for (++i; i < bills.size() && bills[i].on == merged.on; ++i) merged.amount += bills[i].amount;
      if (merged.amount > 0) AddInvoice(c, merged, segment);
    }
    for (const BillingItem& credit : credits) AddInvoice(c, credit, segment);

    MaybeAddWonOpportunity(c, contract, segment, amounts, first_line);
    records_[customer_count_ + c] = std::move(contract);
  }

  Line& LineAt(size_t record) { return std::get<Line>(records_[record]); }
  const std::string& CustomerId(uint32_t customer) const {
    return std::get<Customer>(records_[customer]).customer_id;
  }

  // Subscriptions bill each year of the term upfront; a cancellation stops later bills and
  // credits what was billed for service not yet given.
  void BillRatable(const Line& line, Cents amount, Date signed_on, int term_months,
                   std::optional<Date> stop, std::vector<BillingItem>& bills,
                   std::vector<BillingItem>& credits) {
    Cents billed = 0;
    for (int year = 0; year * 12 < term_months; ++year) {
      const Date on = std::max(signed_on, AddMonths(*line.start_on, 12 * year));
      if (on > end_ || (stop && on >= *stop)) break;
      const Cents through =
          MulDivFloor(amount, std::min(term_months, 12 * (year + 1)), term_months);
      if (through > billed) bills.push_back(BillingItem{on, through - billed});
      billed = std::max(billed, through);
    }
    if (stop) {
      const Cents served =
          RatableScheduleThrough(amount, *line.start_on, *line.end_on, line.convention, *stop - 1);
      if (billed > served) credits.push_back(BillingItem{*stop, served - billed});
    }
  }

  // Services: hours reported at each month end until the work is done (the actual total runs
  // over or under the estimate, which is revised once along the way), billed monthly in arrears
  // by the share of the estimate done.
  void ProgressEffort(uint32_t contract, uint32_t line_index, Line& line, Cents amount,
                      Date signed_on, std::optional<Date> stop, std::vector<BillingItem>& bills) {
    const CentiHours estimate = *line.estimated_hours;
    const int64_t planned_months = std::clamp<int64_t>((estimate / 100 + 799) / 800, 1, 6);
    const CentiHours monthly_hours = estimate / planned_months;
    // Most work starts within three weeks of signing; some started before it.
    const Date work_start = rng_.Percent(5) ? signed_on - static_cast<int32_t>(rng_.Between(5, 30))
                                            : signed_on + static_cast<int32_t>(rng_.Between(0, 21));
    line.expected_end_on = AddMonths(work_start, static_cast<int>(planned_months));

    int64_t overrun_pct = rng_.Between(85, 115);
    if (const int64_t r = rng_.Below(100); r >= 95) {
      overrun_pct = rng_.Between(141, 180);
    } else if (r >= 80) {
      overrun_pct = rng_.Between(116, 140);
    }
    const CentiHours actual_total =
        std::max<CentiHours>(100, estimate * overrun_pct / 100 / 25 * 25);

    CentiHours done = 0;
    CentiHours in_force = estimate;
    bool revised = false;
    Cents billed = 0;
    // Hours are reported at month ends; a start late in a month reports with the next one.
    MonthIndex month = MonthOf(work_start);
    if (LastDayOfMonth(month) - work_start < 14) ++month;
    for (Date period_first = work_start;; period_first = LastDayOfMonth(month) + 1, ++month) {
      const Date month_last = LastDayOfMonth(month);
      const int64_t days = month_last - period_first + 1;
      CentiHours capacity = monthly_hours * rng_.Between(70, 125) / 100 * days / 30;
      capacity = std::max<CentiHours>(100, capacity / 25 * 25);
      ProgressRow progress{contract, line_index, Date(), false, 0, 0, 0};
      if (done + capacity >= actual_total) {
        const CentiHours left = actual_total - done;
        progress.on = period_first + static_cast<int32_t>((days - 1) * left / capacity);
        progress.hours = left;
        progress.complete = true;
      } else {
        progress.on = month_last;
        progress.hours = capacity;
      }
      if (progress.on > end_ || (stop && progress.on >= *stop)) break;
      done += progress.hours;
      // Once 60% of the estimate is spent the team re-estimates, if it is off by enough.
      if (!revised && !progress.complete && done * 10 >= in_force * 6 &&
          (actual_total * 100 > in_force * 105 || actual_total * 100 < in_force * 92)) {
        in_force = (actual_total + 999) / 1000 * 1000;
        progress.estimated_hours = in_force;
        revised = true;
      }
      const bool complete = progress.complete;
      progress_.push_back(progress);

      const Cents billable =
          complete ? amount : MulDivFloor(amount, std::min(done, in_force), in_force);
      const Date bill_on = std::max(signed_on, month_last);
      if (billable > billed && bill_on <= end_) {
        bills.push_back(BillingItem{bill_on, billable - billed});
        billed = billable;
      }
      if (complete) break;
    }
  }

  // Goods: shipped in one to three lots after a lead time, each invoiced on delivery.
  void ProgressDelivery(uint32_t contract, uint32_t line_index, Line& line, Cents amount,
                        int shipments, Date signed_on, std::optional<Date> stop,
                        std::vector<BillingItem>& bills) {
    const int64_t total = *line.total_units;
    const int32_t lead_days = static_cast<int32_t>(rng_.Between(7, 45));
    line.expected_end_on = signed_on + lead_days + 30 * (shipments - 1);
    Date on = signed_on + lead_days + static_cast<int32_t>(rng_.Between(-3, 20));
    int64_t delivered = 0;
    Cents billed = 0;
    for (int s = 0; s < shipments; ++s) {
      if (s > 0) on = on + static_cast<int32_t>(rng_.Between(20, 50));
      if (on > end_ || (stop && on >= *stop)) break;
      const int64_t units =
          s == 0 ? total - (shipments - 1) * (total / shipments) : total / shipments;
      delivered += units;
      progress_.push_back(ProgressRow{contract, line_index, on, false, units, 0, 0});
      const Cents billable = MulDivFloor(amount, delivered, total);
      if (billable > billed) bills.push_back(BillingItem{on, billable - billed});
      billed = billable;
    }
  }

  void AddInvoice(uint32_t contract, BillingItem item, Segment segment) {
    const SegmentProfile& profile = kProfiles[segment];
    const auto index = static_cast<uint32_t>(invoices_.size());
    invoices_.push_back(InvoiceRow{contract, item.on, item.amount,
                                   item.amount > 0
                                       ? std::optional<Date>(item.on + profile.payment_terms_days)
                                       : std::nullopt});
    if (item.amount <= 0) return;

    // An occasional dispute ends in a credit note, and the customer pays the rest.
    Cents owed = item.amount;
    if (rng_.Permille(15)) {
      const Cents credit = MulDivFloor(item.amount, rng_.Between(5, 20), 100);
      const Date credited_on = item.on + static_cast<int32_t>(rng_.Between(7, 45));
      if (credit > 0 && credited_on <= end_) {
        invoices_.push_back(InvoiceRow{contract, credited_on, -credit, std::nullopt});
        owed -= credit;
      }
    }
    if (owed <= 0 || rng_.Permille(profile.never_pays_permille)) return;

    int64_t late_days = 0;
    if (const int64_t r = rng_.Below(100); r < 50) {
      late_days = rng_.Between(-12, 0);
    } else if (r < 85) {
      late_days = rng_.Between(1, 30);
    } else if (r < 97) {
      late_days = rng_.Between(31, 90);
    } else {
      late_days = rng_.Between(91, 240);
    }
    const Date paid_on = item.on + static_cast<int32_t>(std::max<int64_t>(
                                       0, profile.payment_terms_days + late_days));
    // Some pay in two parts, and a few never pay the second.
    if (owed >= 2 && rng_.Percent(3)) {
      const Cents first = std::max<Cents>(1, MulDivFloor(owed, rng_.Between(30, 70), 100));
      const Date second_on = paid_on + static_cast<int32_t>(rng_.Between(15, 60));
      const bool pays_rest = !rng_.Percent(20);
      AddPayment(index, paid_on, first);
      if (pays_rest) AddPayment(index, second_on, owed - first);
      return;
    }
    AddPayment(index, paid_on, owed);
  }

  void AddPayment(uint32_t invoice, Date on, Cents amount) {
    if (on <= end_) payments_.push_back(PaymentRow{invoice, on, amount});
  }

  // Part of the contracts came through the CRM as a won opportunity.
  void MaybeAddWonOpportunity(uint32_t c, const Contract& contract, Segment segment,
                              const std::vector<Cents>& amounts, size_t first_line) {
    if (!rng_.Percent(plans_[c].new_business ? 25 : 8)) return;
    const SegmentProfile& profile = kProfiles[segment];
    Opportunity won;
    won.segment = std::string(kSegmentNames[segment]);
    won.amount = std::accumulate(amounts.begin(), amounts.end(), Cents{0});
    won.closed_on = contract.signed_on;
    won.created_on = contract.signed_on - static_cast<int32_t>(rng_.Between(profile.cycle_days_lo,
                                                                            profile.cycle_days_hi));
    won.status = OpportunityStatus::kWon;
    won.stage = std::string(kStages.back());
    won.expected_close_on =
        std::max(won.created_on, contract.signed_on - static_cast<int32_t>(SlipDays()));
    won.customer_id = contract.customer_id;
    const size_t largest =
        static_cast<size_t>(std::max_element(amounts.begin(), amounts.end()) - amounts.begin());
    switch (LineAt(first_line + largest).kind) {
      case LineKind::kRatable:
        won.product = std::string(kProducts[0]);
        break;
      case LineKind::kEffort:
        won.product = std::string(kProducts[1]);
        break;
      case LineKind::kDelivery:
        won.product = std::string(kProducts[2]);
        break;
    }
    ++won_by_segment_[segment];
    opportunities_.push_back(std::move(won));
  }

  // How late a deal closed against its expected close: mostly a little, sometimes a quarter,
  // sometimes early.
  int64_t SlipDays() {
    const int64_t r = rng_.Below(100);
    if (r < 60) return rng_.Between(0, 30);
    if (r < 85) return rng_.Between(31, 120);
    return -rng_.Between(1, 30);
  }

  // Lost deals, so that closed opportunities show each segment's win rate.
  void AddLostOpportunities() {
    for (size_t s = 0; s < kProfiles.size(); ++s) {
      const SegmentProfile& profile = kProfiles[s];
      const int64_t lost = won_by_segment_[s] * (100 - profile.win_rate_pct) / profile.win_rate_pct;
      for (int64_t i = 0; i < lost; ++i) {
        Opportunity opportunity;
        opportunity.segment = std::string(kSegmentNames[s]);
        opportunity.amount = rng_.LogBetween(profile.deal_lo, profile.deal_hi) / 100 * 10'000;
        opportunity.closed_on = signing_.Draw(rng_);
        opportunity.created_on =
            *opportunity.closed_on -
            static_cast<int32_t>(rng_.Between(profile.cycle_days_lo, profile.cycle_days_hi));
        opportunity.status = OpportunityStatus::kLost;
        opportunity.stage = std::string(kStages[static_cast<size_t>(rng_.Pick(kLostStageWeights))]);
        opportunity.expected_close_on =
            std::max(opportunity.created_on,
                     *opportunity.closed_on + static_cast<int32_t>(rng_.Between(-20, 90)));
        opportunity.product =
            std::string(kProducts[static_cast<size_t>(rng_.Pick(kProductWeights))]);
        opportunities_.push_back(std::move(opportunity));
      }
    }
  }

  // The pipeline at history_end: recent deals at every stage, a few past their expected close,
  // some of them expansions of existing customers.
  void AddOpenOpportunities() {
    const int64_t count = options_.open_opportunities >= 0 ? options_.open_opportunities
                                                           : std::max(5, options_.contracts / 100);
    for (int64_t i = 0; i < count; ++i) {
      const auto segment = static_cast<size_t>(rng_.Pick(
          std::array<int, 3>{kProfiles[0].new_customer_weight, kProfiles[1].new_customer_weight,
                             kProfiles[2].new_customer_weight}));
      const SegmentProfile& profile = kProfiles[segment];
      Opportunity opportunity;
      opportunity.segment = std::string(kSegmentNames[segment]);
      opportunity.amount = rng_.LogBetween(profile.deal_lo, profile.deal_hi) / 100 * 10'000;
      opportunity.created_on =
          std::max(options_.history_start, end_ - static_cast<int32_t>(rng_.Between(0, 240)));
      opportunity.status = OpportunityStatus::kOpen;
      const int stage = rng_.Pick(kOpenStageWeights);
      opportunity.stage = std::string(kStages[static_cast<size_t>(stage)]);
      opportunity.expected_close_on =
          rng_.Percent(12)
              ? std::max(opportunity.created_on, end_ - static_cast<int32_t>(rng_.Between(1, 60)))
              : end_ + static_cast<int32_t>(rng_.Between(1, 60 + 40 * (3 - stage)));
      opportunity.product = std::string(kProducts[static_cast<size_t>(rng_.Pick(kProductWeights))]);
      if (rng_.Percent(30)) {
        // An expansion: a customer of the same segment, if one turns up quickly.
        const auto customer = static_cast<uint32_t>(rng_.Below(segments_.size()));
        if (segments_[customer] == segment) opportunity.customer_id = CustomerId(customer);
      }
      opportunities_.push_back(std::move(opportunity));
    }
  }

  // Numbers invoices, payments and opportunities by day and appends every kind after lines,
  // in kind order, headcount last.
  std::vector<Record> Assemble() {
    std::vector<uint32_t> invoice_order(invoices_.size());
    std::iota(invoice_order.begin(), invoice_order.end(), 0u);
    std::stable_sort(invoice_order.begin(), invoice_order.end(), [&](uint32_t a, uint32_t b) {
      return invoices_[a].issued_on < invoices_[b].issued_on;
    });
    std::vector<uint32_t> invoice_number(invoices_.size());
    for (uint32_t rank = 0; rank < invoice_order.size(); ++rank) {
      invoice_number[invoice_order[rank]] = rank + 1;
    }
    std::stable_sort(
        payments_.begin(), payments_.end(),
        [](const PaymentRow& a, const PaymentRow& b) { return a.received_on < b.received_on; });
    std::stable_sort(
        opportunities_.begin(), opportunities_.end(),
        [](const Opportunity& a, const Opportunity& b) { return a.created_on < b.created_on; });

    records_.reserve(records_.size() + progress_.size() + cancellations_.size() + invoices_.size() +
                     payments_.size() + opportunities_.size() +
                     static_cast<size_t>(MonthOf(end_) - MonthOf(options_.history_start) + 2));
    for (const ProgressRow& row : progress_) {
      Progress progress;
      progress.contract_id = NumberedId("CT-", row.contract + 1);
      progress.line_id = std::string(kLineIds[row.line]);
      progress.on = row.on;
      if (row.units > 0) progress.units = row.units;
      if (row.hours > 0) progress.hours = row.hours;
      if (row.estimated_hours > 0) progress.estimated_hours = row.estimated_hours;
      progress.complete = row.complete;
      records_.emplace_back(std::move(progress));
    }
    for (const CancellationRow& row : cancellations_) {
      records_.emplace_back(Cancellation{NumberedId("CT-", row.contract + 1),
                                         std::string(kLineIds[row.line]), row.effective_on});
    }
    for (uint32_t i : invoice_order) {
      const InvoiceRow& row = invoices_[i];
      records_.emplace_back(Invoice{NumberedId("INV-", invoice_number[i]),
                                    NumberedId("CT-", row.contract + 1), row.issued_on, row.amount,
                                    row.due_on});
    }
    for (size_t i = 0; i < payments_.size(); ++i) {
      const PaymentRow& row = payments_[i];
      records_.emplace_back(Payment{NumberedId("PAY-", i + 1),
                                    NumberedId("INV-", invoice_number[row.invoice]),
                                    row.received_on, row.amount});
    }
    for (size_t i = 0; i < opportunities_.size(); ++i) {
      opportunities_[i].opportunity_id = NumberedId("OPP-", i + 1);
      records_.emplace_back(std::move(opportunities_[i]));
    }
    AddHeadcount();
    return std::move(records_);
  }

  // The delivery team's headcount, one record per month from the first month with services
  // hours through history_end's month. The story: the team is staffed for its busy season. In
  // each quarter's first month (and the first month) it is set to the busiest month of services
  // hours among the 12 to that month, over 105 billable hours per FTE (140 hours at 75%
  // utilisation); in the quarter's other months 1% of it leaves each month, replaced at the next
  // quarter. FTE in hundredths, rounded halves up, at least 1. It does not bound the work: in a
  // month busier than any of the year before, the team works more than 105 hours per FTE
  // (overtime, contractors). Computed from the progress rows alone, without a draw, so every
  // other record is as it was before headcount was generated.
  void AddHeadcount() {
    std::optional<MonthIndex> first;
    for (const ProgressRow& row : progress_) {
      if (row.hours > 0) first = std::min(first.value_or(MonthOf(row.on)), MonthOf(row.on));
    }
    if (!first) return;
    const MonthIndex last = MonthOf(end_);  // no progress is dated after history_end
    std::vector<CentiHours> hours_by_month(static_cast<size_t>(last - *first + 1), 0);
    for (const ProgressRow& row : progress_) {
      if (row.hours > 0) hours_by_month[static_cast<size_t>(MonthOf(row.on) - *first)] += row.hours;
    }
    int64_t centi_fte = 100;
    for (size_t m = 0; m < hours_by_month.size(); ++m) {
      const MonthIndex month = *first + static_cast<MonthIndex>(m);
      if (m == 0 || month % 3 == 0) {  // January, April, July, October
        CentiHours busiest = 0;
        for (size_t back = 0; back < kStaffingMonths && back <= m; ++back) {
          busiest = std::max(busiest, hours_by_month[m - back]);
        }
        // Hundredths of an FTE: hundredths of an hour over 105 hours, x 100.
        centi_fte = (busiest * 100 + kBillableHoursPerFte / 2) / kBillableHoursPerFte;
      } else {
        centi_fte = (centi_fte * kStayingPercent + 50) / 100;
      }
      centi_fte = std::clamp<int64_t>(centi_fte, 100, kMaxCentiFte);
      records_.emplace_back(Headcount{std::string(kDeliveryTeam), month, centi_fte});
    }
  }

  const SampleOptions& options_;
  const Date end_;
  Rng rng_;
  SigningDays signing_;
  std::vector<ContractPlan> plans_;
  std::vector<Segment> segments_;  // by customer
  std::array<int64_t, 3> won_by_segment_{};
  // The result so far: customers, contracts, lines; then Assemble appends the rest.
  std::vector<Record> records_;
  size_t customer_count_ = 0;
  std::vector<ProgressRow> progress_;
  std::vector<CancellationRow> cancellations_;
  std::vector<InvoiceRow> invoices_;  // unnumbered until Assemble
  std::vector<PaymentRow> payments_;
  std::vector<Opportunity> opportunities_;  // unnumbered until Assemble
};
}  // namespace

absl::StatusOr<std::vector<Record>> GenerateSampleCompany(const SampleOptions& options) {
  if (options.contracts < 1 || options.contracts > kMaxContracts) {
    return absl::InvalidArgumentError(
        absl::StrCat("contracts must be in [1, ", kMaxContracts, "], got ", options.contracts));
  }
  if (options.open_opportunities < -1 || options.open_opportunities > kMaxOpenOpportunities) {
    return absl::InvalidArgumentError(
        absl::StrCat("open_opportunities must be -1 (about 1% of contracts) or in [0, ",
                     kMaxOpenOpportunities, "], got ", options.open_opportunities));
  }
  // Room on both sides: sales cycles and backdated starts before the history, terms after it.
  const Date earliest = DateFromCivil(1901, 1, 1);
  const Date latest = DateFromCivil(2989, 12, 31);
  if (options.history_start < earliest || options.history_end > latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "history must lie within [", FormatDate(earliest), ", ", FormatDate(latest), "], got ",
        FormatDate(options.history_start), "..", FormatDate(options.history_end)));
  }
  if (options.history_end < options.history_start) {
    return absl::InvalidArgumentError(
        absl::StrCat("history_end must not be before history_start, got ",
                     FormatDate(options.history_start), "..", FormatDate(options.history_end)));
  }
  return Generator(options).Run();
}

}  // namespace forecastle

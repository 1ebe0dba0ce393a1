// The fields of a scenario, each described once: its name as forecast.proto spells it, where the
// engine keeps it, and how a variant's value combines with its base's. A partial scenario (what a
// stored variant or a request's inline scenario sets) is a Scenario plus marks of the fields it
// sets. Merging a variant over its base, converting to and from the wire (proto/wire) and writing
// a full scenario as a partial one are each one loop over these tables: a new assumption is a
// field in scenario.h, a row here and a field in forecast.proto.
#ifndef FORECASTLE_ENGINE_FORECAST_SCENARIO_FIELDS_H_
#define FORECASTLE_ENGINE_FORECAST_SCENARIO_FIELDS_H_

#include <array>
#include <cstddef>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/forecast/scenario.h"

namespace forecastle::forecast {

// Where one field of a record R lives, by the type of its value. Records with a table of their
// own (Renewals, PaymentTerms, DirectBookings, and the elements of segments, products and teams)
// are walked field by field; every other value is set or left whole.
template <typename R>
using Member = std::variant<
    double R::*, int R::*, std::string R::*, LineKind R::*, BillingTerms R::*, std::array<double, 12> R::*,
    std::array<double, kAgeBuckets> R::*, std::vector<std::pair<std::string, double>> R::*,
    std::vector<std::pair<int, double>> R::*, std::vector<Hire> R::*, std::vector<TermShare> R::*, std::vector<std::vector<double>> R::*,
    DirectBookings R::*, Renewals R::*, PaymentTerms R::*, std::vector<SegmentAssumptions> R::*,
    std::vector<Product> R::*, std::vector<Team> R::*>;

// How a list a variant sets combines with its base's list.
enum class ListMerge {
  kReplace,  // the variant's list replaces the base's
  kByName,   // element by element on the name (a stage for stage probabilities); new names appended
};

template <typename R>
struct Field {
  absl::string_view name;  // as forecast.proto names the field
  Member<R> member;
  ListMerge lists = ListMerge::kReplace;
  // When set, an element new to its list must set this field, and the error says what it may be
  // (a product's kind: "ratable, effort or delivery").
  absl::string_view required = {};
};

// Fields<R>::kAll: the fields of record R, in forecast.proto's order. The scenario's own name,
// base and description are not assumptions: a partial scenario always carries them.
template <typename R>
struct Fields;

template <typename T>
concept TableRecord = requires { Fields<T>::kAll; };

template <>
struct Fields<DirectBookings> {
  static constexpr Field<DirectBookings> kAll[] = {
      {"per_month", &DirectBookings::per_month},
      {"seasonality", &DirectBookings::seasonality},
      {"growth_per_year", &DirectBookings::growth_per_year},
      {"growth_sigma", &DirectBookings::growth_sigma},
      {"size", &DirectBookings::size},
      {"size_sigma", &DirectBookings::size_sigma},
      {"volatility", &DirectBookings::volatility},
  };
};

template <>
struct Fields<SegmentAssumptions> {
  using S = SegmentAssumptions;
  static constexpr Field<S> kAll[] = {
      {"name", &S::name},
      {"arrivals_per_month", &S::arrivals_per_month},
      {"seasonality", &S::seasonality},
      {"win_rate", &S::win_rate},
      {"sales_cycle_months", &S::sales_cycle_months},
      {"sales_cycle_sigma", &S::sales_cycle_sigma},
      {"slip_probability", &S::slip_probability},
      {"slip_months", &S::slip_months},
      {"deal_size", &S::deal_size},
      {"deal_size_sigma", &S::deal_size_sigma},
      {"open_deal_size_sigma", &S::open_deal_size_sigma},
      {"product_mix", &S::product_mix},
      {"new_customers", &S::new_customers},
      {"expansions", &S::expansions},
      {"arrivals_growth_per_year", &S::arrivals_growth_per_year},
      {"arrivals_growth_sigma", &S::arrivals_growth_sigma},
  };
};

template <>
struct Fields<Product> {
  static constexpr Field<Product> kAll[] = {
      {"name", &Product::name},
      {"kind", &Product::kind, ListMerge::kReplace, "ratable, effort or delivery"},
      {"term_months", &Product::term_months},
      {"billing", &Product::billing},
      {"hours_per_unit_value", &Product::hours_per_unit_value},
      {"lead_time_months", &Product::lead_time_months},
      {"team", &Product::team},
      {"term_mix", &Product::term_mix},
  };
};

template <>
struct Fields<Renewals> {
  static constexpr Field<Renewals> kAll[] = {
      {"probability", &Renewals::probability},
      {"uplift", &Renewals::uplift},
  };
};

template <>
struct Fields<Team> {
  static constexpr Field<Team> kAll[] = {
      {"name", &Team::name},
      {"fte", &Team::fte},
      {"hours_per_fte_month", &Team::hours_per_fte_month},
      {"utilization", &Team::utilization},
      {"ramp_up_months", &Team::ramp_up_months},
      {"monthly_attrition", &Team::monthly_attrition},
      {"cost_per_fte_month", &Team::cost_per_fte_month},
  };
};

template <>
struct Fields<PaymentTerms> {
  static constexpr Field<PaymentTerms> kAll[] = {
      {"delay_days_mix", &PaymentTerms::delay_days_mix},
      {"bad_debt_rate", &PaymentTerms::bad_debt_rate},
      {"collection_by_age", &PaymentTerms::collection_by_age},
      {"arrears_lag_months", &PaymentTerms::arrears_lag_months},
  };
};

template <>
struct Fields<Scenario> {
  static constexpr Field<Scenario> kAll[] = {
      {"segments", &Scenario::segments, ListMerge::kByName},
      {"stage_win_probability", &Scenario::stage_win_probability, ListMerge::kByName},
      {"win_rate_multiplier", &Scenario::win_rate_multiplier},
      {"price_multiplier", &Scenario::price_multiplier},
      {"products", &Scenario::products, ListMerge::kByName},
      {"renewals", &Scenario::renewals},
      {"teams", &Scenario::teams, ListMerge::kByName},
      {"hiring_plan", &Scenario::hiring_plan},
      {"time_to_fill_months", &Scenario::time_to_fill_months},
      {"effort_overrun", &Scenario::effort_overrun},
      {"effort_overrun_sigma", &Scenario::effort_overrun_sigma},
      {"payment", &Scenario::payment},
      {"segment_correlation", &Scenario::segment_correlation},
      {"demand_volatility", &Scenario::demand_volatility},
  };
};

// The place of the field named `name` in R's table (how FieldMarks number it), or -1.
template <TableRecord R>
constexpr int FieldIndex(absl::string_view name) {
  for (size_t i = 0; i < std::size(Fields<R>::kAll); ++i) {
    if (Fields<R>::kAll[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Which fields of one record a partial scenario sets, by their place in the record's table. A
// nested record that is set (even with no field of its own set) and each element of a keyed list
// have marks of their own in `inner`.
struct FieldMarks {
  std::vector<bool> set;                       // [field]
  std::vector<std::vector<FieldMarks>> inner;  // [field][0] of a nested record, [field][i] of element i

  bool Has(size_t field) const { return field < set.size() && set[field]; }
  void Set(size_t field);
  void Clear(size_t field);
  // The marks of a nested record (element 0) or of a keyed list's element; made when missing.
  FieldMarks& Inner(size_t field, size_t element = 0);
  // The same, or an empty set of marks when there are none.
  const FieldMarks& Inner(size_t field, size_t element = 0) const;
};

// A scenario as a stored variant or a request gives it: its name, base and description (always),
// and the assumptions it sets, marked in `marks`. An unset field means "the base's" (without a
// base, the default scenario's); its value counts for nothing (conversions leave it at the
// default of scenario.h).
struct PartialScenario {
  Scenario values;
  FieldMarks marks;  // of Fields<Scenario>
};

// Every field of `scenario` set (what a calibrated scenario is saved as).
PartialScenario Whole(const Scenario& scenario);

// Whether `scenario` sets the field at `path`, a field of the scenario or of its nested records
// ("payment.delay_days_mix"); false for a path that names no field.
bool IsSet(const PartialScenario& scenario, absl::string_view path);
// Leaves the field at `path` unset; no-op for a path that names none.
void Unset(PartialScenario& scenario, absl::string_view path);

// A scenario without a base: the fields it sets over DefaultScenario(), a list it gives replacing
// the default list (README "Scenarios"). Not validated. INVALID_ARGUMENT for an element of a list
// that does not set a required field (a product without a kind).
absl::StatusOr<Scenario> OverDefaults(const PartialScenario& root);
// A variant over its resolved `base`: a field it sets replaces the base's, nested records merge
// field by field, and lists of named things (segments, products, teams, stage probabilities) merge
// element by element on the name, a new name appended with the defaults of scenario.h for what
// it does not set; other lists replace. Name, base and description are the variant's. Not
// validated; INVALID_ARGUMENT as OverDefaults.
absl::StatusOr<Scenario> OverBase(const Scenario& base, const PartialScenario& variant);

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_SCENARIO_FIELDS_H_

#include "engine/forecast/scenario_fields.h"

#include <type_traits>

#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"
#include "engine/common/status_macros.h"

namespace forecastle::forecast {

void FieldMarks::Set(size_t field) {
  if (set.size() <= field) set.resize(field + 1, false);
  set[field] = true;
}

void FieldMarks::Clear(size_t field) {
  if (field < set.size()) set[field] = false;
  if (field < inner.size()) inner[field].clear();
}

FieldMarks& FieldMarks::Inner(size_t field, size_t element) {
  if (inner.size() <= field) inner.resize(field + 1);
  if (inner[field].size() <= element) inner[field].resize(element + 1);
  return inner[field][element];
}

const FieldMarks& FieldMarks::Inner(size_t field, size_t element) const {
  static const FieldMarks kNone;
  if (field >= inner.size() || element >= inner[field].size()) return kNone;
  return inner[field][element];
}

namespace {

template <typename V>
inline constexpr bool kIsRecordList = false;
template <TableRecord U>
inline constexpr bool kIsRecordList<std::vector<U>> = true;

using StageProbabilities = std::vector<std::pair<std::string, double>>;

std::string Join(absl::string_view path, absl::string_view name) {
  return path.empty() ? std::string(name) : absl::StrCat(path, ".", name);
}

template <TableRecord R>
void MarkWhole(const R& record, FieldMarks& marks) {
  const auto& fields = Fields<R>::kAll;
  for (size_t i = 0; i < std::size(fields); ++i) {
    marks.Set(i);
    std::visit(
        [&](auto member) {
          using V = std::remove_cvref_t<decltype(record.*member)>;
          if constexpr (TableRecord<V>) {
            MarkWhole(record.*member, marks.Inner(i));
          } else if constexpr (kIsRecordList<V>) {
            for (size_t k = 0; k < (record.*member).size(); ++k) MarkWhole((record.*member)[k], marks.Inner(i, k));
          }
        },
        fields[i].member);
  }
}

// OK when `marks` set every field an element new to its list must set; else names the first that
// it does not, at `path` ("products[3]").
template <TableRecord U>
absl::Status CheckRequired(const FieldMarks& marks, const std::string& path) {
  const auto& fields = Fields<U>::kAll;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (!fields[i].required.empty() && !marks.Has(i)) {
      return InvalidField(Join(path, fields[i].name), absl::StrCat(" must be ", fields[i].required, ", got none"));
    }
  }
  return absl::OkStatus();
}

// How lists of named things combine: kByName over a base, kReplace over the defaults.
template <TableRecord R>
absl::Status MergeRecord(R& target, const R& patch, const FieldMarks& marks, const std::string& path, ListMerge named);

template <TableRecord U>
absl::Status MergeElements(std::vector<U>& target, const std::vector<U>& patch, const FieldMarks& marks,
                           size_t field, const std::string& path, ListMerge named) {
  if (named == ListMerge::kReplace) target.clear();
  for (size_t k = 0; k < patch.size(); ++k) {
    U* match = nullptr;
    if (named == ListMerge::kByName) {
      for (U& candidate : target) {
        if (candidate.name == patch[k].name) match = &candidate;
      }
    }
    const FieldMarks& element = marks.Inner(field, k);
    if (match == nullptr) {
      RETURN_IF_ERROR(CheckRequired<U>(element, absl::StrCat(path, "[", target.size(), "]")));
      match = &target.emplace_back();
    }
    const std::string at = absl::StrCat(path, "[", match - target.data(), "]");
    RETURN_IF_ERROR(MergeRecord(*match, patch[k], element, at, named));
  }
  return absl::OkStatus();
}

void MergeStages(StageProbabilities& target, const StageProbabilities& patch) {
  for (const auto& [stage, probability] : patch) {
    std::pair<std::string, double>* match = nullptr;
    for (auto& candidate : target) {
      if (candidate.first == stage) match = &candidate;
    }
    if (match != nullptr) {
      match->second = probability;
    } else {
      target.emplace_back(stage, probability);
    }
  }
}

template <TableRecord R>
absl::Status MergeRecord(R& target, const R& patch, const FieldMarks& marks, const std::string& path, ListMerge named) {
  const auto& fields = Fields<R>::kAll;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (!marks.Has(i)) continue;
    const ListMerge lists = fields[i].lists == ListMerge::kByName ? named : ListMerge::kReplace;
    const std::string at = Join(path, fields[i].name);
    RETURN_IF_ERROR(std::visit(
        [&](auto member) -> absl::Status {
          using V = std::remove_cvref_t<decltype(target.*member)>;
          if constexpr (TableRecord<V>) {
            return MergeRecord(target.*member, patch.*member, marks.Inner(i), at, named);
          } else if constexpr (kIsRecordList<V>) {
            return MergeElements(target.*member, patch.*member, marks, i, at, lists);
          } else if constexpr (std::is_same_v<V, StageProbabilities>) {
            if (lists == ListMerge::kByName) {
              MergeStages(target.*member, patch.*member);
              return absl::OkStatus();
            }
          }
          target.*member = patch.*member;
          return absl::OkStatus();
        },
        fields[i].member));
  }
  return absl::OkStatus();
}

absl::StatusOr<Scenario> Overlay(Scenario target, const PartialScenario& patch, ListMerge named) {
  RETURN_IF_ERROR(MergeRecord(target, patch.values, patch.marks, "", named));
  target.name = patch.values.name;
  target.base = patch.values.base;
  target.description = patch.values.description;
  return target;
}

template <TableRecord R>
bool IsSetIn(const FieldMarks& marks, absl::string_view path) {
  const size_t dot = path.find('.');
  const int i = FieldIndex<R>(path.substr(0, dot));
  if (i < 0 || !marks.Has(static_cast<size_t>(i))) return false;
  if (dot == absl::string_view::npos) return true;
  return std::visit(
      [&](auto member) {
        using V = std::remove_cvref_t<decltype(std::declval<R&>().*member)>;
        if constexpr (TableRecord<V>) {
          return IsSetIn<V>(marks.Inner(static_cast<size_t>(i)), path.substr(dot + 1));
        } else {
          return false;
        }
      },
      Fields<R>::kAll[i].member);
}

template <TableRecord R>
void UnsetIn(FieldMarks& marks, absl::string_view path) {
  const size_t dot = path.find('.');
  const int i = FieldIndex<R>(path.substr(0, dot));
  if (i < 0) return;
  const auto field = static_cast<size_t>(i);
  if (dot == absl::string_view::npos) return marks.Clear(field);
  if (!marks.Has(field)) return;
  std::visit(
      [&](auto member) {
        using V = std::remove_cvref_t<decltype(std::declval<R&>().*member)>;
        if constexpr (TableRecord<V>) UnsetIn<V>(marks.Inner(field), path.substr(dot + 1));
      },
      Fields<R>::kAll[field].member);
}

}  // namespace

PartialScenario Whole(const Scenario& scenario) {
  PartialScenario whole{scenario, {}};
  MarkWhole(scenario, whole.marks);
  return whole;
}

bool IsSet(const PartialScenario& scenario, absl::string_view path) { return IsSetIn<Scenario>(scenario.marks, path); }

void Unset(PartialScenario& scenario, absl::string_view path) { UnsetIn<Scenario>(scenario.marks, path); }

absl::StatusOr<Scenario> OverDefaults(const PartialScenario& root) {
  return Overlay(DefaultScenario(), root, ListMerge::kReplace);
}

absl::StatusOr<Scenario> OverBase(const Scenario& base, const PartialScenario& variant) {
  return Overlay(base, variant, ListMerge::kByName);
}

}  // namespace forecastle::forecast

#include "engine/actuals/versions.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace forecastle {
namespace {

// Appends `part` length-prefixed, so that no id can run into the next one.
void AddPart(std::string& out, absl::string_view part) { absl::StrAppend(&out, part.size(), ":", part); }

}  // namespace

const std::vector<absl::string_view>& IdentityColumns(RecordKind kind) {
  static const auto* columns = new std::vector<std::vector<absl::string_view>>{
      {"customer_id"},
      {"contract_id"},
      {"contract_id", "line_id"},
      {"contract_id", "line_id", "on"},
      {"contract_id", "line_id"},
      {"invoice_id"},
      {"payment_id"},
      {"opportunity_id"},
      {"team", "month"},
  };
  return (*columns)[static_cast<size_t>(kind)];
}

std::string RecordIdentity(const Record& record) {
  std::string out = absl::StrCat(static_cast<int>(KindOf(record)), "|");
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Customer>) AddPart(out, r.customer_id);
        if constexpr (std::is_same_v<T, Contract>) AddPart(out, r.contract_id);
        if constexpr (std::is_same_v<T, Line> || std::is_same_v<T, Cancellation>) {
          AddPart(out, r.contract_id);
          AddPart(out, r.line_id);
        }
        if constexpr (std::is_same_v<T, Progress>) {
          AddPart(out, r.contract_id);
          AddPart(out, r.line_id);
          absl::StrAppend(&out, r.on.days);
        }
        if constexpr (std::is_same_v<T, Invoice>) AddPart(out, r.invoice_id);
        if constexpr (std::is_same_v<T, Payment>) AddPart(out, r.payment_id);
        if constexpr (std::is_same_v<T, Opportunity>) AddPart(out, r.opportunity_id);
        if constexpr (std::is_same_v<T, Headcount>) {
          AddPart(out, r.team);
          absl::StrAppend(&out, r.month);
        }
      },
      record);
  return out;
}

absl::StatusOr<Record> IdentityRecord(RecordKind kind, const std::vector<std::string>& key) {
  const std::vector<absl::string_view>& columns = IdentityColumns(kind);
  if (key.size() != columns.size()) {
    return absl::InvalidArgumentError(absl::StrCat("key: a ", KindName(kind), " is identified by ", columns.size(),
                                                   " values (", absl::StrJoin(columns, ", "), "), got ",
                                                   key.size()));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i].empty()) return absl::InvalidArgumentError(absl::StrCat(columns[i], ": required"));
  }
  switch (kind) {
    case RecordKind::kCustomer: return Record(Customer{.customer_id = key[0]});
    case RecordKind::kContract: return Record(Contract{.contract_id = key[0]});
    case RecordKind::kLine: return Record(Line{.contract_id = key[0], .line_id = key[1]});
    case RecordKind::kProgress: {
      absl::StatusOr<Date> on = ParseDate(key[2], "on");
      if (!on.ok()) return on.status();
      return Record(Progress{.contract_id = key[0], .line_id = key[1], .on = *on});
    }
    case RecordKind::kCancellation: return Record(Cancellation{.contract_id = key[0], .line_id = key[1]});
    case RecordKind::kInvoice: return Record(Invoice{.invoice_id = key[0]});
    case RecordKind::kPayment: return Record(Payment{.payment_id = key[0]});
    case RecordKind::kOpportunity: return Record(Opportunity{.opportunity_id = key[0]});
    case RecordKind::kHeadcount: {
      absl::StatusOr<MonthIndex> month = ParseMonth(key[1], "month");
      if (!month.ok()) return month.status();
      return Record(Headcount{.team = key[0], .month = *month});
    }
  }
  return absl::InvalidArgumentError("kind: unknown");
}

void VersionFold::Add(Record record, bool voided) {
  std::string identity = RecordIdentity(record);
  auto it = slot_of_.find(identity);
  if (voided) {
    if (it != slot_of_.end()) {
      slots_[it->second].reset();
      slot_of_.erase(it);
    }
    return;
  }
  if (it != slot_of_.end()) {
    slots_[it->second] = std::move(record);
    return;
  }
  slot_of_.emplace(std::move(identity), slots_.size());
  slots_.push_back(std::move(record));
}

std::vector<Record> VersionFold::TakeInForce() {
  std::vector<Record> in_force;
  in_force.reserve(slot_of_.size());
  for (std::optional<Record>& slot : slots_) {
    if (slot) in_force.push_back(*std::move(slot));
  }
  slots_.clear();
  slot_of_.clear();
  return in_force;
}

}  // namespace forecastle

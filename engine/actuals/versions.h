// Versions of records (SPEC §3.5): a record's identity, and the fold of its recorded versions
// into the records in force. A ledger replayed from the fold of the versions recorded up to a
// moment is the ledger as it was known at that moment.
#ifndef FORECASTLE_ENGINE_ACTUALS_VERSIONS_H_
#define FORECASTLE_ENGINE_ACTUALS_VERSIONS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/actuals/records.h"

namespace forecastle {

// The columns that identify a record of `kind`, in order: customer_id; contract_id;
// contract_id, line_id (a line, a cancellation); contract_id, line_id, on (progress); invoice_id;
// payment_id; opportunity_id; team, month (headcount).
const std::vector<absl::string_view>& IdentityColumns(RecordKind kind);

// A record's kind and identity in one string, equal for two records exactly when they are
// versions of the same record.
std::string RecordIdentity(const Record& record);

// A record of `kind` whose identity columns hold `key` (in IdentityColumns order) and whose
// other fields are empty: what Ledger::Void takes. INVALID_ARGUMENT names the field.
absl::StatusOr<Record> IdentityRecord(RecordKind kind, const std::vector<std::string>& key);

// Folds the versions of records, in the order they were recorded, into the records in force:
// the latest version of each identity, voided ones left out, each at the place its identity was
// first recorded (since its last void). That is the order Ledger::Put and Ledger::Void keep in
// place, so a ledger replayed from the fold, kind by kind, equals the one written to.
class VersionFold {
 public:
  void Add(Record record, bool voided);
  // The records in force, in order. Leaves the fold empty.
  std::vector<Record> TakeInForce();

 private:
  std::vector<std::optional<Record>> slots_;
  absl::flat_hash_map<std::string, size_t> slot_of_;
};

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_VERSIONS_H_

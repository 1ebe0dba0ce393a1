#include "server/ledger_book.h"

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"

namespace forecastle {

absl::StatusOr<std::unique_ptr<Ledger>> LedgerBook::Replay(const Store& store) {
  auto ledger = std::make_unique<Ledger>();
  RETURN_IF_ERROR(store.ForEach([&](const Record& record) -> absl::Status {
    absl::StatusOr<bool> applied = ledger->Apply(record);
    if (!applied.ok()) {
      return absl::Status(applied.status().code(),
                          absl::StrCat(RecordKey(record), ": ", applied.status().message()));
    }
    return absl::OkStatus();
  }));
  return ledger;
}

absl::StatusOr<std::unique_ptr<LedgerBook>> LedgerBook::Open(const Store::Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(options));
  ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, Replay(*store));
  return std::unique_ptr<LedgerBook>(new LedgerBook(std::move(store), std::move(ledger)));
}

absl::StatusOr<std::vector<absl::StatusOr<bool>>> LedgerBook::Write(
    const std::vector<Record>& records) {
  std::unique_lock lock(mu_);
  if (!broken_.ok()) return broken_;
  std::vector<absl::StatusOr<bool>> results;
  results.reserve(records.size());
  std::vector<const Record*> created;
  for (const Record& record : records) {
    results.push_back(ledger_->Apply(record));
    if (results.back().ok() && *results.back()) created.push_back(&record);
  }
  absl::Status stored = store_->Append(created);
  if (!stored.ok()) {
    // The memory ledger ran ahead of the store: rebuild it from what is durable.
    absl::StatusOr<std::unique_ptr<Ledger>> rebuilt = Replay(*store_);
    if (rebuilt.ok()) {
      ledger_ = std::move(*rebuilt);
    } else {
      broken_ = absl::UnavailableError(absl::StrCat(
          "the ledger refuses writes after a storage failure (", stored.message(),
          "); restart the server"));
    }
    return absl::UnavailableError(absl::StrCat("the write was not stored: ", stored.message()));
  }
  return results;
}

}  // namespace forecastle

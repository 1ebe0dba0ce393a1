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
  return ApplyAndStore(records, nullptr, nullptr);
}

absl::StatusOr<LedgerBook::BatchOutcome> LedgerBook::WriteBatch(const std::string& batch_id,
                                                                const std::string& fingerprint,
                                                                const std::vector<Record>& records,
                                                                const Acknowledge& acknowledge) {
  std::unique_lock lock(mu_);
  if (!broken_.ok()) return broken_;
  ASSIGN_OR_RETURN(std::optional<Store::ImportBatch> applied, store_->FindImportBatch(batch_id));
  if (applied) {
    if (applied->fingerprint != fingerprint) {
      return absl::AlreadyExistsError(absl::StrCat(
          "batch_id: \"", batch_id, "\" was applied before with other records; a batch id may be "
          "sent again only to retry the same batch"));
    }
    return BatchOutcome{std::move(applied->acknowledgement), true};
  }
  Store::ImportBatch batch{batch_id, fingerprint, ""};
  RETURN_IF_ERROR(ApplyAndStore(records, &batch, &acknowledge).status());
  return BatchOutcome{std::move(batch.acknowledgement), false};
}

absl::StatusOr<std::vector<absl::StatusOr<bool>>> LedgerBook::ApplyAndStore(
    const std::vector<Record>& records, Store::ImportBatch* batch, const Acknowledge* acknowledge) {
  if (!broken_.ok()) return broken_;
  std::vector<absl::StatusOr<bool>> results;
  results.reserve(records.size());
  std::vector<const Record*> created;
  for (const Record& record : records) {
    results.push_back(ledger_->Apply(record));
    if (results.back().ok() && *results.back()) created.push_back(&record);
  }
  if (batch != nullptr) batch->acknowledgement = (*acknowledge)(results);
  absl::Status stored = store_->Append(created, batch);
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

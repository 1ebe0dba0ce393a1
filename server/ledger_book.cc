#include "server/ledger_book.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "engine/actuals/versions.h"
#include "engine/common/status_macros.h"

namespace forecastle {

absl::StatusOr<std::unique_ptr<Ledger>> LedgerBook::Replay(const Store& store, int64_t known_at_us) {
  auto ledger = std::make_unique<Ledger>();
  // The store visits kind after kind: each kind's versions are folded, then applied in force.
  VersionFold fold;
  std::optional<RecordKind> folding;
  auto apply_fold = [&]() -> absl::Status {
    for (const Record& record : fold.TakeInForce()) {
      absl::StatusOr<Applied> applied = ledger->Put(record);
      if (!applied.ok()) {
        return absl::Status(applied.status().code(),
                            absl::StrCat(RecordKey(record), ": ", applied.status().message()));
      }
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(store.ForEachVersion(known_at_us, [&](const Record& record, bool voided) -> absl::Status {
    if (folding != KindOf(record)) {
      RETURN_IF_ERROR(apply_fold());
      folding = KindOf(record);
    }
    fold.Add(record, voided);
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(apply_fold());
  return ledger;
}

absl::StatusOr<std::shared_ptr<const Ledger>> LedgerBook::KnownAt(std::optional<int64_t> known_at_us) {
  if (!known_at_us) return nullptr;
  auto cached = [&]() -> std::shared_ptr<const Ledger> {
    std::lock_guard lock(known_at_mu_);
    for (auto it = known_at_cache_.begin(); it != known_at_cache_.end(); ++it) {
      if (it->first != *known_at_us) continue;
      std::shared_ptr<const Ledger> hit = it->second;
      known_at_cache_.erase(it);
      known_at_cache_.emplace_back(*known_at_us, hit);
      return hit;
    }
    return nullptr;
  };
  if (std::shared_ptr<const Ledger> hit = cached()) return hit;
  std::shared_ptr<const Ledger> past;
  {
    // The store's one connection is used under the exclusive lock.
    std::unique_lock lock(mu_);
    if (*known_at_us >= store_->last_recorded_at_us()) return nullptr;
    ASSIGN_OR_RETURN(std::unique_ptr<Ledger> replayed, Replay(*store_, *known_at_us));
    past = std::move(replayed);
  }
  std::lock_guard lock(known_at_mu_);
  if (known_at_cache_.size() >= kKnownAtCacheEntries) known_at_cache_.erase(known_at_cache_.begin());
  known_at_cache_.emplace_back(*known_at_us, past);
  return past;
}

absl::StatusOr<std::unique_ptr<LedgerBook>> LedgerBook::Open(const Store::Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(options));
  ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, Replay(*store, std::numeric_limits<int64_t>::max()));
  return std::unique_ptr<LedgerBook>(new LedgerBook(std::move(store), std::move(ledger)));
}

absl::StatusOr<LedgerBook::Results> LedgerBook::Write(const std::vector<Record>& records, const AuditContext& audit) {
  std::unique_lock lock(mu_);
  return ApplyAndStore(records, nullptr, nullptr, audit);
}

absl::StatusOr<Record> LedgerBook::Void(const Record& identity, const AuditContext& audit) {
  std::unique_lock lock(mu_);
  if (!broken_.ok()) return broken_;
  ASSIGN_OR_RETURN(Record content, ledger_->Void(identity));
  absl::Status stored = store_->AppendVoid(content, audit);
  if (!stored.ok()) {
    RecoverFromStoreFailure(stored);
    return absl::UnavailableError(absl::StrCat("the void was not stored: ", stored.message()));
  }
  return content;
}

void LedgerBook::RecoverFromStoreFailure(const absl::Status& stored) {
  absl::StatusOr<std::unique_ptr<Ledger>> rebuilt = Replay(*store_, std::numeric_limits<int64_t>::max());
  if (rebuilt.ok()) {
    ledger_ = std::move(*rebuilt);
  } else {
    broken_ = absl::UnavailableError(absl::StrCat(
        "the ledger refuses writes after a storage failure (", stored.message(), "); restart the server"));
  }
}

absl::StatusOr<LedgerBook::BatchOutcome> LedgerBook::WriteBatch(const std::string& batch_id,
                                                                const std::string& fingerprint,
                                                                const std::vector<Record>& records,
                                                                const Acknowledge& acknowledge,
                                                                const AuditContext& audit) {
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
  RETURN_IF_ERROR(ApplyAndStore(records, &batch, &acknowledge, audit).status());
  return BatchOutcome{std::move(batch.acknowledgement), false};
}

absl::StatusOr<LedgerBook::Results> LedgerBook::ApplyAndStore(const std::vector<Record>& records,
                                                               Store::ImportBatch* batch, const Acknowledge* acknowledge,
                                                               const AuditContext& audit) {
  if (!broken_.ok()) return broken_;
  Results results;
  results.reserve(records.size());
  std::vector<const Record*> created;  // new records and new versions
  for (const Record& record : records) {
    results.push_back(ledger_->Put(record));
    if (results.back().ok() && *results.back() != Applied::kUnchanged) created.push_back(&record);
  }
  if (batch != nullptr) batch->acknowledgement = (*acknowledge)(results);
  absl::Status stored = store_->Append(created, batch, audit);
  if (!stored.ok()) {
    // The memory ledger ran ahead of the store: rebuild it from what is durable.
    RecoverFromStoreFailure(stored);
    return absl::UnavailableError(absl::StrCat("the write was not stored: ", stored.message()));
  }
  (batch != nullptr ? records_imported_ : records_put_).fetch_add(static_cast<int64_t>(created.size()),
                                                                  std::memory_order_relaxed);
  return results;
}

}  // namespace forecastle

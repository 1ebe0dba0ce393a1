// The ledger the server keeps: the engine's in-memory Ledger, rebuilt from the Store at start and
// written through to it, behind a reader/writer lock. Writes are durable before they are
// acknowledged. The ledger as known at an earlier moment (SPEC §3.5) is replayed from the
// Store's versions on demand and kept in a small cache.
#ifndef FORECASTLE_SERVER_LEDGER_BOOK_H_
#define FORECASTLE_SERVER_LEDGER_BOOK_H_

#include <cstdint>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/ledger.h"
#include "server/store.h"

namespace forecastle {

class LedgerBook {
 public:
  // Opens (or creates) the database and replays it into memory.
  static absl::StatusOr<std::unique_ptr<LedgerBook>> Open(const Store::Options& options);

  // Applies `records` in order (Ledger::Put): each is applied whole or refused with its own
  // status. The accepted new ones and new versions are stored in one transaction, with their
  // audit entry from `audit`, before this returns. Fails as a whole (changing nothing) only when
  // the store does.
  using Results = std::vector<absl::StatusOr<Applied>>;
  absl::StatusOr<Results> Write(const std::vector<Record>& records, const AuditContext& audit);

  // Voids the record in force with the identity of `identity` (Ledger::Void) and stores the void
  // with its audit entry, durable before this returns; returns the content voided.
  absl::StatusOr<Record> Void(const Record& identity, const AuditContext& audit);

  // Writes an import batch's acknowledgement from its records' results (as Write returns them).
  using Acknowledge = std::function<std::string(const Results&)>;
  struct BatchOutcome {
    std::string acknowledgement;  // as `acknowledge` wrote it, now or when first applied
    bool replayed = false;        // the id was applied before: nothing was applied now
  };
  // Applies an import batch at most once. If `batch_id` was applied before, applies nothing and
  // returns the acknowledgement stored then (ALREADY_EXISTS if `fingerprint`, of the batch's
  // content, differs). Otherwise applies `records` as Write does and stores the new ones, the id
  // and the acknowledgement in one transaction with the audit entry, durable before this returns.
  absl::StatusOr<BatchOutcome> WriteBatch(const std::string& batch_id, const std::string& fingerprint,
                                          const std::vector<Record>& records, const Acknowledge& acknowledge,
                                          const AuditContext& audit);

  // Ledger records stored since the server started: by Put*, and by import batches.
  int64_t records_put() const { return records_put_.load(std::memory_order_relaxed); }
  int64_t records_imported() const { return records_imported_.load(std::memory_order_relaxed); }

  // Runs `fn` with the store under the exclusive lock (scenario storage).
  template <typename Fn>
  auto WithStore(Fn&& fn) {
    std::unique_lock lock(mu_);
    return fn(*store_);
  }

  // Runs `read` with the ledger under a shared lock.
  template <typename Fn>
  auto Read(Fn&& read) const {
    std::shared_lock lock(mu_);
    return read(*ledger_);
  }

  // The ledger as known at `known_at_us` (microseconds since the epoch, UTC): replayed from the
  // versions recorded at or before it, or nullptr when that is the current ledger (no moment
  // given, or none recorded after it). A replayed ledger never changes, so it is cached.
  absl::StatusOr<std::shared_ptr<const Ledger>> KnownAt(std::optional<int64_t> known_at_us);

  // Runs `read` with `past` (from KnownAt) or, when it is nullptr, the current ledger.
  template <typename Fn>
  auto ReadAt(const std::shared_ptr<const Ledger>& past, Fn&& read) const {
    if (past != nullptr) return read(*past);
    return Read(std::forward<Fn>(read));
  }

 private:
  LedgerBook(std::unique_ptr<Store> store, std::unique_ptr<Ledger> ledger)
      : store_(std::move(store)), ledger_(std::move(ledger)) {}
  // The ledger of the versions recorded at or before `known_at_us`.
  static absl::StatusOr<std::unique_ptr<Ledger>> Replay(const Store& store, int64_t known_at_us);
  // Write's body, under the exclusive lock; stores `batch` (its acknowledgement filled in by
  // `acknowledge`) with the records when given.
  absl::StatusOr<Results> ApplyAndStore(const std::vector<Record>& records, Store::ImportBatch* batch,
                                        const Acknowledge* acknowledge, const AuditContext& audit);
  // After a failed store write: rebuilds the memory ledger from what is durable.
  void RecoverFromStoreFailure(const absl::Status& stored);

  mutable std::shared_mutex mu_;
  // Set when a failed store write could not be undone in memory: the ledger then refuses writes
  // (reads stay correct for what is stored only if the replay succeeded, so they go on).
  absl::Status broken_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;

  // Ledgers as known at earlier moments, most recently used last.
  static constexpr size_t kKnownAtCacheEntries = 4;
  std::mutex known_at_mu_;
  std::vector<std::pair<int64_t, std::shared_ptr<const Ledger>>> known_at_cache_;
  std::atomic<int64_t> records_put_{0};
  std::atomic<int64_t> records_imported_{0};
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_LEDGER_BOOK_H_

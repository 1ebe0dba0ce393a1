// The ledger the server keeps: the engine's in-memory Ledger, rebuilt from the Store at start and
// written through to it, behind a reader/writer lock. Writes are durable before they are
// acknowledged.
#ifndef FORECASTLE_SERVER_LEDGER_BOOK_H_
#define FORECASTLE_SERVER_LEDGER_BOOK_H_

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/ledger.h"
#include "server/store.h"

namespace forecastle {

class LedgerBook {
 public:
  // Opens (or creates) the database and replays it into memory.
  static absl::StatusOr<std::unique_ptr<LedgerBook>> Open(const Store::Options& options);

  // Applies `records` in order: each is applied whole or refused with its own status. The
  // accepted new ones are stored in one transaction before this returns. Fails as a whole
  // (changing nothing) only when the store does.
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> Write(const std::vector<Record>& records);

  // Writes an import batch's acknowledgement from its records' results (as Write returns them).
  using Acknowledge = std::function<std::string(const std::vector<absl::StatusOr<bool>>&)>;
  struct BatchOutcome {
    std::string acknowledgement;  // as `acknowledge` wrote it, now or when first applied
    bool replayed = false;        // the id was applied before: nothing was applied now
  };
  // Applies an import batch at most once. If `batch_id` was applied before, applies nothing and
  // returns the acknowledgement stored then (ALREADY_EXISTS if `fingerprint`, of the batch's
  // content, differs). Otherwise applies `records` as Write does and stores the new ones, the id
  // and the acknowledgement in one transaction, durable before this returns.
  absl::StatusOr<BatchOutcome> WriteBatch(const std::string& batch_id, const std::string& fingerprint,
                                          const std::vector<Record>& records, const Acknowledge& acknowledge);

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

 private:
  LedgerBook(std::unique_ptr<Store> store, std::unique_ptr<Ledger> ledger)
      : store_(std::move(store)), ledger_(std::move(ledger)) {}
  static absl::StatusOr<std::unique_ptr<Ledger>> Replay(const Store& store);
  // Write's body, under the exclusive lock; stores `batch` (its acknowledgement filled in by
  // `acknowledge`) with the records when given.
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> ApplyAndStore(const std::vector<Record>& records,
                                                                  Store::ImportBatch* batch,
                                                                  const Acknowledge* acknowledge);

  mutable std::shared_mutex mu_;
  // Set when a failed store write could not be undone in memory: the ledger then refuses writes
  // (reads stay correct for what is stored only if the replay succeeded, so they go on).
  absl::Status broken_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_LEDGER_BOOK_H_

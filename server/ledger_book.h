// The ledger the server keeps: the engine's in-memory Ledger, rebuilt from the Store at start and
// written through to it, behind a reader/writer lock. Writes are durable before they are
// acknowledged.
#ifndef FORECASTLE_SERVER_LEDGER_BOOK_H_
#define FORECASTLE_SERVER_LEDGER_BOOK_H_

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

  mutable std::shared_mutex mu_;
  // Set when a failed store write could not be undone in memory: the ledger then refuses writes
  // (reads stay correct for what is stored only if the replay succeeded, so they go on).
  absl::Status broken_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_LEDGER_BOOK_H_

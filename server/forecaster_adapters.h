// The engine's Forecaster over the server's LedgerBook: the ledger read under the book's shared
// lock, and named scenarios kept in the Store as JSON text in protobuf's mapping of
// forecastle.v1.Scenario (proto field names), the format existing databases hold.
#ifndef FORECASTLE_SERVER_FORECASTER_ADAPTERS_H_
#define FORECASTLE_SERVER_FORECASTER_ADAPTERS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/forecast/forecaster.h"
#include "engine/forecast/scenario_store.h"
#include "server/ledger_book.h"

namespace forecastle {

// The ledger as a request knows it: `past` (LedgerBook::KnownAt, a request's known_at) or, when
// it is nullptr, the book's current ledger.
class BookLedger final : public forecast::LedgerAccess {
 public:
  explicit BookLedger(const LedgerBook* book, std::shared_ptr<const Ledger> past = nullptr)
      : book_(book), past_(std::move(past)) {}
  absl::Status Read(const std::function<absl::Status(const Ledger&)>& read) const override {
    return book_->ReadAt(past_, read);
  }

 private:
  const LedgerBook* book_;
  std::shared_ptr<const Ledger> past_;
};

// One request's view of the stored scenarios: made per request, so that the caller's identity
// (its tenant) can travel with it to the store. Each call is one store transaction under the
// book's exclusive lock; Atomically holds that lock across its steps.
class StoredScenarios final : public forecast::ScenarioStore {
 public:
  // `audit`: who writes, stored with each write in its transaction (the audit trail).
  StoredScenarios(LedgerBook* book, AuditContext audit) : book_(book), audit_(std::move(audit)) {}

  absl::StatusOr<forecast::PartialScenario> Get(const std::string& name) override;
  absl::Status Put(const forecast::PartialScenario& scenario, Write mode) override;
  absl::StatusOr<std::vector<forecast::PartialScenario>> List() override;
  absl::Status Delete(const std::string& name) override;
  absl::Status Atomically(const std::function<absl::Status()>& steps) override;

 private:
  // Runs `fn` with the store: the one Atomically holds, else under the book's exclusive lock.
  template <typename Fn>
  auto WithStore(Fn&& fn) {
    if (held_ != nullptr) return fn(*held_);
    return book_->WithStore(fn);
  }

  LedgerBook* book_;
  const AuditContext audit_;
  Store* held_ = nullptr;  // while Atomically runs its steps
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_FORECASTER_ADAPTERS_H_

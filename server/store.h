// The system of record: an embedded SQLite database (WAL, synchronous=FULL) holding every accepted
// ledger record, one table per kind, with a schema version table and forward migrations.
#ifndef FORECASTLE_SERVER_STORE_H_
#define FORECASTLE_SERVER_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/actuals/records.h"

struct sqlite3;
struct sqlite3_stmt;

namespace forecastle {

class Store {
 public:
  struct Options {
    std::string path = "forecastle.db";  // created when missing
    // synchronous=FULL: a commit returns only once the WAL is fsync'ed, so an acknowledged
    // write survives a crash or power loss. Only benchmarks turn this off.
    bool fsync_on_commit = true;
  };

  // The schema version this build writes; older databases are migrated when opened.
  static constexpr int kSchemaVersion = 5;

  // An applied import batch: its client-chosen id, a fingerprint of its content (the same id
  // with other content is refused) and the acknowledgement answered for it, as opaque bytes.
  struct ImportBatch {
    std::string id;
    std::string fingerprint;
    std::string acknowledgement;
  };

  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Appends records, and the batch that brought them if any, in one transaction; returns once
  // they are durable. On error nothing is stored. ALREADY_EXISTS if the batch id is stored.
  absl::Status Append(const std::vector<const Record*>& records, const ImportBatch* batch = nullptr);

  // The applied import batch of that id, if any.
  absl::StatusOr<std::optional<ImportBatch>> FindImportBatch(const std::string& id) const;

  // Calls `fn` with every stored record, kinds in reference order and each kind in the order
  // stored, so that replaying them into a fresh ledger rebuilds it exactly.
  absl::Status ForEach(const std::function<absl::Status(const Record&)>& fn) const;

  int schema_version() const { return schema_version_; }

  // Stored scenarios, as JSON text under their name. Each call is one durable transaction.
  enum class Write { kCreate, kUpdate };
  // kCreate: ALREADY_EXISTS when the name is taken; kUpdate: NOT_FOUND when it is not.
  absl::Status PutScenario(const std::string& name, const std::string& json, Write mode);
  absl::StatusOr<std::string> GetScenario(const std::string& name) const;  // NOT_FOUND
  absl::StatusOr<std::vector<std::string>> ListScenarios() const;         // JSON texts, by name
  absl::Status DeleteScenario(const std::string& name);                   // NOT_FOUND

  // Bearer tokens, by the SHA-256 of their secret (the secret itself is never stored).
  struct StoredToken {
    int64_t id = 0;
    std::string name;
    std::string role;        // "reader", "planner", "writer" or "admin"
    std::string created_at;  // RFC 3339, UTC
    std::string revoked_at;  // "" while valid
  };
  // Stores a new token durably; returns its id.
  absl::StatusOr<int64_t> AddToken(const std::string& name, const std::string& role,
                                   const std::string& secret_sha256, const std::string& created_at);
  absl::StatusOr<std::vector<StoredToken>> ListTokens() const;  // by id
  // The token whose secret has this SHA-256 (32 bytes), if any, revoked or not.
  absl::StatusOr<std::optional<StoredToken>> FindToken(const std::string& secret_sha256) const;
  // Marks the token revoked at `revoked_at` unless it already is; returns it. NOT_FOUND.
  absl::StatusOr<StoredToken> RevokeToken(int64_t id, const std::string& revoked_at);

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  absl::Status Migrate();
  absl::Status Exec(const std::string& sql) const;

  sqlite3* db_;
  std::vector<sqlite3_stmt*> inserts_;  // one per kind
  sqlite3_stmt* insert_batch_ = nullptr;
  int schema_version_ = 0;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_STORE_H_

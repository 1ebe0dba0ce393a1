// The system of record: an embedded SQLite database (WAL, synchronous=FULL) holding every accepted
// ledger record, one table per kind, with a schema version table and forward migrations. Rows are
// versions (SPEC §3.5): each is stamped with the moment it was recorded, may void its record, and
// none is ever updated or deleted. And the audit trail: every write is stored with who made it,
// when and through which request, in the transaction of the write itself (SPEC §5, Trust).
#ifndef FORECASTLE_SERVER_STORE_H_
#define FORECASTLE_SERVER_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/actuals/records.h"

struct sqlite3;
struct sqlite3_stmt;

namespace forecastle {

// Who made a write and through which call. Every write function of the Store takes one and
// stores one audit entry from it, in the write's own transaction: the write and its entry are
// durable together or not at all.
struct AuditContext {
  std::string actor;       // the token's name; "local" when the server requires no tokens
  int64_t token_id = 0;    // the token's id; 0 when the call had none
  std::string request_id;  // the client's x-request-id, or one the server made (server/calls.h)
  std::string method;      // "/forecastle.v1.LedgerService/Import", or the command that wrote
};

// One thing a write stored: a ledger record ("invoice", RecordId), a scenario ("scenario", its
// name), a token ("token", its id) or an import batch ("import_batch", its batch id).
struct AuditSubject {
  std::string kind;
  std::string id;
  bool operator==(const AuditSubject&) const = default;
};

class Store {
 public:
  struct Options {
    std::string path = "forecastle.db";  // created when missing
    // synchronous=FULL: a commit returns only once the WAL is fsync'ed, so an acknowledged
    // write survives a crash or power loss. Only benchmarks turn this off.
    bool fsync_on_commit = true;
    // Microseconds since 1970-01-01T00:00:00Z: the moment a version is recorded. Empty: the
    // system clock. Stamps strictly increase from one append to the next whatever it says.
    std::function<int64_t()> clock_us;
    // The clock audit entries are stamped with.
    std::function<absl::Time()> now = [] { return absl::Now(); };
  };

  // The schema version this build writes; older databases are migrated when opened.
  static constexpr int kSchemaVersion = 7;

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

  // Appends records, and the batch that brought them if any, in one transaction with their audit
  // entry; returns once they are durable. On error nothing is stored. ALREADY_EXISTS if the batch
  // id is stored. No records and no batch: nothing is written, and no entry. Each record is a
  // new version stamped with the same moment, later than every earlier stamp.
  absl::Status Append(const std::vector<const Record*>& records, const ImportBatch* batch,
                      const AuditContext& audit);
  // Stores a version that voids `content`'s record (content: the version it voids), durably, with
  // its audit entry.
  absl::Status AppendVoid(const Record& content, const AuditContext& audit);
  // The stamp of the latest append (0 when nothing is stored, or only rows from before
  // versions were stamped, schema 5, which count as known from the start).
  int64_t last_recorded_at_us() const { return last_recorded_at_us_; }

  // The applied import batch of that id, if any.
  absl::StatusOr<std::optional<ImportBatch>> FindImportBatch(const std::string& id) const;

  // Calls `fn` with every stored version (a void as the content it voided), kinds in reference
  // order and each kind in the order stored.
  absl::Status ForEach(const std::function<absl::Status(const Record&)>& fn) const;
  // Calls `fn` with every version recorded at or before `known_at_us`, kinds in reference order
  // and each kind in the order recorded: what VersionFold folds into the records in force then.
  absl::Status ForEachVersion(int64_t known_at_us,
                              const std::function<absl::Status(const Record&, bool voided)>& fn) const;

  int schema_version() const { return schema_version_; }

  // Stored scenarios, as JSON text under their name. Each write is one durable transaction with
  // its audit entry.
  enum class Write { kCreate, kUpdate };
  // kCreate: ALREADY_EXISTS when the name is taken; kUpdate: NOT_FOUND when it is not.
  absl::Status PutScenario(const std::string& name, const std::string& json, Write mode,
                           const AuditContext& audit);
  absl::StatusOr<std::string> GetScenario(const std::string& name) const;  // NOT_FOUND
  absl::StatusOr<std::vector<std::string>> ListScenarios() const;         // JSON texts, by name
  absl::Status DeleteScenario(const std::string& name, const AuditContext& audit);  // NOT_FOUND

  // Bearer tokens, by the SHA-256 of their secret (the secret itself is never stored).
  struct StoredToken {
    int64_t id = 0;
    std::string name;
    std::string role;        // "reader", "planner", "writer" or "admin"
    std::string created_at;  // RFC 3339, UTC
    std::string revoked_at;  // "" while valid
  };
  // Stores a new token durably, with its audit entry; returns its id.
  absl::StatusOr<int64_t> AddToken(const std::string& name, const std::string& role,
                                   const std::string& secret_sha256, const std::string& created_at,
                                   const AuditContext& audit);
  absl::StatusOr<std::vector<StoredToken>> ListTokens() const;  // by id
  // The token whose secret has this SHA-256 (32 bytes), if any, revoked or not.
  absl::StatusOr<std::optional<StoredToken>> FindToken(const std::string& secret_sha256) const;
  // Marks the token revoked at `revoked_at` unless it already is (an audit entry only then);
  // returns it. NOT_FOUND.
  absl::StatusOr<StoredToken> RevokeToken(int64_t id, const std::string& revoked_at, const AuditContext& audit);

  // The audit trail.
  struct StoredAuditEntry {
    int64_t id = 0;          // increasing in the order written
    std::string at;          // when, UTC, RFC 3339 with microseconds ("2026-03-01T09:30:00.123456Z")
    std::string actor;
    int64_t token_id = 0;
    std::string request_id;
    std::string method;
    int64_t subject_count = 0;           // what the write stored, all of it
    std::vector<AuditSubject> subjects;  // of those, the ones listed (AuditFilter)
  };
  struct AuditFilter {
    // Entries that wrote a subject of this kind ("" any; "record" any ledger record kind) ...
    std::string subject_kind;
    // ... whose id is this one or lies under it ("C-1" also finds "C-1/L-2"); "" any. With a
    // subject filter an entry lists only the subjects that match.
    std::string subject_id;
    std::string actor;       // "" any
    std::string request_id;  // "" any
    std::string since;       // as `at` is written; inclusive; "" unbounded
    std::string until;       // exclusive; "" unbounded
    int64_t before_id = 0;   // only entries older than this one (a page's end); 0: from the newest
    int limit = 100;         // entries, newest first
    int64_t max_subjects = 20000;  // listed across the entries; an entry that would pass it ends the
                                   // list (the first entry is always listed, its subjects cut there)
  };
  struct AuditPage {
    std::vector<StoredAuditEntry> entries;  // newest first
    bool more = false;  // older entries match too: ask again with before_id = the last one's id
  };
  absl::StatusOr<AuditPage> ListAudit(const AuditFilter& filter) const;
  // The form `at` is written in, for a time.
  static std::string AuditTime(absl::Time time);

 private:
  Store(sqlite3* db, std::function<absl::Time()> now) : db_(db), now_(std::move(now)) {}
  absl::Status Migrate();
  absl::Status Exec(const std::string& sql) const;
  absl::Status AppendVersions(const std::vector<const Record*>& records, bool voided, const ImportBatch* batch,
                              const AuditContext& audit);
  // Runs `body` inside one IMMEDIATE transaction: committed when it returns OK, else rolled back.
  absl::Status InTransaction(const std::function<absl::Status()>& body);
  // Inserts the audit entry of a write and its subjects; inside the write's transaction.
  absl::Status InsertAudit(const AuditContext& audit, const std::vector<AuditSubject>& subjects);

  sqlite3* db_;
  std::function<absl::Time()> now_;
  std::vector<sqlite3_stmt*> inserts_;  // one per kind
  sqlite3_stmt* insert_batch_ = nullptr;
  sqlite3_stmt* insert_audit_entry_ = nullptr;
  sqlite3_stmt* insert_audit_subject_ = nullptr;
  int schema_version_ = 0;
  std::function<int64_t()> clock_us_;
  int64_t last_recorded_at_us_ = 0;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_STORE_H_

#include "server/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

std::string TableName(RecordKind kind) {
  absl::string_view file = KindFileName(kind);
  return std::string(file.substr(0, file.size() - 4));  // "invoices.csv" -> "invoices"
}

// CREATE TABLE of a kind's table: one text column per CSV column, as FormatRecord writes them.
std::string CreateTable(RecordKind kind) {
  std::vector<std::string> columns;
  for (auto column : KindColumns(kind)) columns.push_back(absl::StrCat("\"", column, "\" TEXT NOT NULL"));
  return absl::StrCat("CREATE TABLE ", TableName(kind), " (", absl::StrJoin(columns, ", "), ");\n");
}

// Migration k (1-based) takes the schema from version k-1 to k. Append, never edit.
std::vector<std::string> Migrations() {
  // Version 1: the kinds customers .. opportunities.
  std::string v1;
  for (int k = 0; k <= static_cast<int>(RecordKind::kOpportunity); ++k) {
    absl::StrAppend(&v1, CreateTable(static_cast<RecordKind>(k)));
  }
  const std::string v2 = "CREATE TABLE scenarios (name TEXT PRIMARY KEY, json TEXT NOT NULL);";
  // Applied import batches, written in the transaction of their records, so that a batch sent
  // again is answered from here and never applied twice.
  const std::string v3 =
      "CREATE TABLE import_batches (batch_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
      " acknowledgement BLOB NOT NULL);";
  // Headcount (SPEC §3.4), the optional kind added after import batches.
  const std::string v4 = CreateTable(RecordKind::kHeadcount);
  // Bearer tokens (SPEC §5, Trust): only the SHA-256 of each secret is kept.
  const std::string v5 =
      "CREATE TABLE tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, role TEXT NOT NULL,"
      " secret_sha256 BLOB NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT NOT NULL DEFAULT '');";
  // ---- Version 6: versions of records (SPEC §3.5, issue 16) ----
  // Every kind's row becomes a version: the moment it was recorded (microseconds since the
  // epoch, UTC; 0 = recorded before versions, known from the start) and whether it voids its
  // record. A kind table created after this version adds the two columns itself.
  std::string v6;
  for (int k = 0; k < kRecordKindCount; ++k) {
    absl::StrAppend(&v6, "ALTER TABLE ", TableName(static_cast<RecordKind>(k)),
                    " ADD COLUMN recorded_at_us INTEGER NOT NULL DEFAULT 0;\n", "ALTER TABLE ",
                    TableName(static_cast<RecordKind>(k)), " ADD COLUMN voided INTEGER NOT NULL DEFAULT 0;\n");
  }
  // ---- end of version 6 ----
  // ---- Version 7: the audit trail (SPEC §5, Trust) ----
  // One entry per write, in the write's transaction, and what it stored. Writes made before this
  // version have no entry.
  const std::string v7 =
      "CREATE TABLE audit_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,"
      " token_id INTEGER NOT NULL, request_id TEXT NOT NULL, method TEXT NOT NULL, subject_count INTEGER NOT NULL);"
      "CREATE INDEX audit_entries_by_actor ON audit_entries (actor);"
      "CREATE INDEX audit_entries_by_time ON audit_entries (at);"
      "CREATE INDEX audit_entries_by_request ON audit_entries (request_id);"
      "CREATE TABLE audit_subjects (entry_id INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,"
      " subject TEXT NOT NULL, PRIMARY KEY (entry_id, seq)) WITHOUT ROWID;"
      "CREATE INDEX audit_subjects_by_subject ON audit_subjects (subject);";
  return {v1, v2, v3, v4, v5, v6, v7};
}

// The columns a version row is written and read by: the kind's, then the stamp and the void flag.
std::string VersionColumns(RecordKind kind) {
  std::vector<std::string> columns;
  for (auto column : KindColumns(kind)) columns.push_back(absl::StrCat("\"", column, "\""));
  return absl::StrCat(absl::StrJoin(columns, ", "), ", recorded_at_us, voided");
}

// SQL that keeps the audit_subjects rows `s` matching the filter's subject (kind, id), with the
// texts it binds, in order; "" when the filter has no subject.
std::string SubjectClause(const Store::AuditFilter& filter, std::vector<std::string>* binds) {
  std::vector<std::string> clauses;
  if (filter.subject_kind == "record") {
    std::vector<std::string> kinds;
    for (int k = 0; k < kRecordKindCount; ++k) {
      kinds.push_back(absl::StrCat("'", KindName(static_cast<RecordKind>(k)), "'"));
    }
    clauses.push_back(absl::StrCat("s.kind IN (", absl::StrJoin(kinds, ","), ")"));
  } else if (!filter.subject_kind.empty()) {
    clauses.push_back("s.kind = ?");
    binds->push_back(filter.subject_kind);
  }
  if (!filter.subject_id.empty()) {
    // The id itself, or one under it: "C-1/..." sorts from "C-1/" up to, not including, "C-10"
    // ('0' follows '/').
    clauses.push_back("(s.subject = ? OR (s.subject >= ? AND s.subject < ?))");
    binds->push_back(filter.subject_id);
    binds->push_back(filter.subject_id + "/");
    binds->push_back(filter.subject_id + "0");
  }
  return absl::StrJoin(clauses, " AND ");
}

// A prepared statement finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }
  void Bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int index, const std::string& bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  void BindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const {
    const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// The token of a row of SELECT id, name, role, created_at, revoked_at.
Store::StoredToken TokenRow(const Statement& row) {
  return Store::StoredToken{sqlite3_column_int64(row.get(), 0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return absl::UnavailableError(absl::StrCat("cannot open database ", options.path, ": ", message));
  }
  std::unique_ptr<Store> store(new Store(db, options.now));
  store->clock_us_ = options.clock_us ? options.clock_us : [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(store->Exec(options.fsync_on_commit ? "PRAGMA synchronous=FULL"
                                                      : "PRAGMA synchronous=OFF"));
  RETURN_IF_ERROR(store->Exec("PRAGMA busy_timeout=5000"));
  RETURN_IF_ERROR(store->Migrate());
  for (int k = 0; k < kRecordKindCount; ++k) {
    const auto kind = static_cast<RecordKind>(k);
    const size_t n = KindColumns(kind).size() + 2;
    std::vector<std::string> marks(n, "?");
    const std::string sql = absl::StrCat("INSERT INTO ", TableName(kind), " (", VersionColumns(kind), ") VALUES (",
                                         absl::StrJoin(marks, ","), ")");
    Statement latest(db, absl::StrCat("SELECT max(recorded_at_us) FROM ", TableName(kind)).c_str());
    if (sqlite3_step(latest.get()) == SQLITE_ROW) {
      store->last_recorded_at_us_ =
          std::max<int64_t>(store->last_recorded_at_us_, sqlite3_column_int64(latest.get(), 0));
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("prepare ", sql, ": ", sqlite3_errmsg(db)));
    }
    store->inserts_.push_back(stmt);
  }
  for (auto [sql, stmt] : {
           std::pair{"INSERT INTO import_batches VALUES (?, ?, ?)", &store->insert_batch_},
           std::pair{"INSERT INTO audit_entries (at, actor, token_id, request_id, method, subject_count)"
                     " VALUES (?, ?, ?, ?, ?, ?)", &store->insert_audit_entry_},
           std::pair{"INSERT INTO audit_subjects (entry_id, seq, kind, subject) VALUES (?, ?, ?, ?)",
                     &store->insert_audit_subject_},
       }) {
    if (sqlite3_prepare_v2(db, sql, -1, stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("prepare ", sql, ": ", sqlite3_errmsg(db)));
    }
  }
  return store;
}

Store::~Store() {
  for (sqlite3_stmt* stmt : inserts_) sqlite3_finalize(stmt);
  sqlite3_finalize(insert_batch_);
  sqlite3_finalize(insert_audit_entry_);
  sqlite3_finalize(insert_audit_subject_);
  sqlite3_close(db_);
}

std::string Store::AuditTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

absl::Status Store::InTransaction(const std::function<absl::Status()>& body) {
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  if (absl::Status done = body(); !done.ok()) {
    Exec("ROLLBACK").IgnoreError();
    return done;
  }
  absl::Status committed = Exec("COMMIT");
  // A failed COMMIT may leave the transaction open; close it so nothing of it survives.
  if (!committed.ok() && !sqlite3_get_autocommit(db_)) Exec("ROLLBACK").IgnoreError();
  return committed;
}

absl::Status Store::InsertAudit(const AuditContext& audit, const std::vector<AuditSubject>& subjects) {
  const std::string at = AuditTime(now_());
  sqlite3_stmt* entry = insert_audit_entry_;
  int column = 1;
  for (const std::string* text : {&at, &audit.actor}) {
    sqlite3_bind_text(entry, column++, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
  }
  sqlite3_bind_int64(entry, column++, audit.token_id);
  for (const std::string* text : {&audit.request_id, &audit.method}) {
    sqlite3_bind_text(entry, column++, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
  }
  sqlite3_bind_int64(entry, column, static_cast<int64_t>(subjects.size()));
  int rc = sqlite3_step(entry);
  sqlite3_reset(entry);
  if (rc != SQLITE_DONE) {
    return absl::InternalError(absl::StrCat("sqlite insert of audit entry: ", sqlite3_errmsg(db_)));
  }
  const int64_t entry_id = sqlite3_last_insert_rowid(db_);
  sqlite3_stmt* subject = insert_audit_subject_;
  for (size_t i = 0; i < subjects.size(); ++i) {
    const AuditSubject& s = subjects[i];
    sqlite3_bind_int64(subject, 1, entry_id);
    sqlite3_bind_int64(subject, 2, static_cast<int64_t>(i));
    sqlite3_bind_text(subject, 3, s.kind.data(), static_cast<int>(s.kind.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(subject, 4, s.id.data(), static_cast<int>(s.id.size()), SQLITE_TRANSIENT);
    rc = sqlite3_step(subject);
    sqlite3_reset(subject);
    if (rc != SQLITE_DONE) {
      return absl::InternalError(absl::StrCat("sqlite insert of audit subject: ", sqlite3_errmsg(db_)));
    }
  }
  return absl::OkStatus();
}

absl::Status Store::Exec(const std::string& sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return absl::InternalError(absl::StrCat("sqlite: ", message, " (in: ", sql.substr(0, 80), ")"));
  }
  return absl::OkStatus();
}

absl::Status Store::Migrate() {
  RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  int version = 0;
  {
    Statement latest(db_, "SELECT max(version) FROM schema_version");
    if (sqlite3_step(latest.get()) == SQLITE_ROW) version = sqlite3_column_int(latest.get(), 0);
  }
  const std::vector<std::string> migrations = Migrations();
  if (version > static_cast<int>(migrations.size())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema version ", version, " is newer than this build understands (",
        migrations.size(), "); upgrade forecastle"));
  }
  for (int v = version; v < static_cast<int>(migrations.size()); ++v) {
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    absl::Status s = Exec(migrations[v]);
    if (s.ok()) s = Exec(absl::StrCat("INSERT INTO schema_version VALUES (", v + 1, ")"));
    if (!s.ok()) {
      Exec("ROLLBACK").IgnoreError();
      return s;
    }
    RETURN_IF_ERROR(Exec("COMMIT"));
  }
  schema_version_ = static_cast<int>(migrations.size());
  return absl::OkStatus();
}

absl::Status Store::Append(const std::vector<const Record*>& records, const ImportBatch* batch,
                           const AuditContext& audit) {
  return AppendVersions(records, false, batch, audit);
}

absl::Status Store::AppendVoid(const Record& content, const AuditContext& audit) {
  return AppendVersions({&content}, true, nullptr, audit);
}

absl::Status Store::AppendVersions(const std::vector<const Record*>& records, bool voided, const ImportBatch* batch,
                                   const AuditContext& audit) {
  if (records.empty() && batch == nullptr) return absl::OkStatus();
  const int64_t recorded_at_us = std::max(clock_us_(), last_recorded_at_us_ + 1);
  absl::Status written = InTransaction([&]() -> absl::Status {
    std::vector<AuditSubject> subjects;
    subjects.reserve(records.size() + 1);
    for (const Record* record : records) {
      sqlite3_stmt* stmt = inserts_[static_cast<int>(KindOf(*record))];
      const std::vector<std::string> cells = FormatRecord(*record);
      for (size_t c = 0; c < cells.size(); ++c) {
        sqlite3_bind_text(stmt, static_cast<int>(c + 1), cells[c].data(),
                          static_cast<int>(cells[c].size()), SQLITE_TRANSIENT);
      }
      sqlite3_bind_int64(stmt, static_cast<int>(cells.size() + 1), recorded_at_us);
      sqlite3_bind_int(stmt, static_cast<int>(cells.size() + 2), voided ? 1 : 0);
      const int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) {
        return absl::InternalError(absl::StrCat("sqlite insert of ", RecordKey(*record), ": ", sqlite3_errmsg(db_)));
      }
      subjects.push_back(AuditSubject{std::string(KindName(KindOf(*record))), RecordId(*record)});
    }
    if (batch != nullptr) {
      sqlite3_bind_text(insert_batch_, 1, batch->id.data(), static_cast<int>(batch->id.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(insert_batch_, 2, batch->fingerprint.data(), static_cast<int>(batch->fingerprint.size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_blob(insert_batch_, 3, batch->acknowledgement.data(),
                        static_cast<int>(batch->acknowledgement.size()), SQLITE_TRANSIENT);
      const int rc = sqlite3_step(insert_batch_);
      sqlite3_reset(insert_batch_);
      if (rc != SQLITE_DONE) {
        if (sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_PRIMARYKEY) {
          return absl::AlreadyExistsError(absl::StrCat("batch_id: \"", batch->id, "\" is already applied"));
        }
        return absl::InternalError(
            absl::StrCat("sqlite insert of import batch \"", batch->id, "\": ", sqlite3_errmsg(db_)));
      }
      subjects.push_back(AuditSubject{"import_batch", batch->id});
    }
    return InsertAudit(audit, subjects);
  });
  if (written.ok() && !records.empty()) last_recorded_at_us_ = recorded_at_us;
  return written;
}

absl::StatusOr<std::optional<Store::ImportBatch>> Store::FindImportBatch(const std::string& id) const {
  Statement statement(db_, "SELECT fingerprint, acknowledgement FROM import_batches WHERE batch_id = ?");
  statement.Bind(1, id);
  const int rc = sqlite3_step(statement.get());
  if (rc == SQLITE_DONE) return std::optional<ImportBatch>();
  if (rc != SQLITE_ROW) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  const void* blob = sqlite3_column_blob(statement.get(), 1);
  const int size = sqlite3_column_bytes(statement.get(), 1);
  std::string acknowledgement = blob ? std::string(static_cast<const char*>(blob), static_cast<size_t>(size)) : "";
  return std::optional<ImportBatch>(ImportBatch{id, statement.Text(0), std::move(acknowledgement)});
}

absl::Status Store::ForEach(const std::function<absl::Status(const Record&)>& fn) const {
  return ForEachVersion(std::numeric_limits<int64_t>::max(), [&](const Record& r, bool) { return fn(r); });
}

absl::Status Store::ForEachVersion(int64_t known_at_us,
                                   const std::function<absl::Status(const Record&, bool voided)>& fn) const {
  for (int k = 0; k < kRecordKindCount; ++k) {
    const auto kind = static_cast<RecordKind>(k);
    const auto& columns = KindColumns(kind);
    const std::string sql = absl::StrCat("SELECT ", VersionColumns(kind), " FROM ", TableName(kind),
                                         " WHERE recorded_at_us <= ?1 ORDER BY rowid");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("prepare ", sql, ": ", sqlite3_errmsg(db_)));
    }
    sqlite3_bind_int64(stmt, 1, known_at_us);
    FieldValues values;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      values.clear();
      for (size_t c = 0; c < columns.size(); ++c) {
        const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, static_cast<int>(c)));
        const int size = sqlite3_column_bytes(stmt, static_cast<int>(c));
        values.emplace_back(columns[c], absl::string_view(text ? text : "", static_cast<size_t>(size)));
      }
      absl::StatusOr<Record> record = ParseRecord(kind, values);
      const bool voided = sqlite3_column_int(stmt, static_cast<int>(columns.size() + 1)) != 0;
      absl::Status status = record.ok() ? fn(*record, voided) : record.status();
      if (!status.ok()) {
        sqlite3_finalize(stmt);
        return absl::DataLossError(absl::StrCat("stored ", KindName(kind), " row is unreadable: ",
                                                status.message()));
      }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return absl::InternalError(absl::StrCat("sqlite read: ", sqlite3_errmsg(db_)));
  }
  return absl::OkStatus();
}

absl::Status Store::PutScenario(const std::string& name, const std::string& json, Write mode,
                                const AuditContext& audit) {
  return InTransaction([&]() -> absl::Status {
    Statement statement(db_, mode == Write::kCreate ? "INSERT INTO scenarios (name, json) VALUES (?, ?)"
                                                     : "UPDATE scenarios SET json = ? WHERE name = ?");
    statement.Bind(mode == Write::kCreate ? 1 : 2, name);
    statement.Bind(mode == Write::kCreate ? 2 : 1, json);
    const int rc = sqlite3_step(statement.get());
    if (mode == Write::kCreate && sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return absl::AlreadyExistsError(absl::StrCat("name: a scenario \"", name, "\" already exists"));
    }
    if (rc != SQLITE_DONE) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    if (mode == Write::kUpdate && sqlite3_changes(db_) == 0) {
      return absl::NotFoundError(absl::StrCat("name: no scenario \"", name, "\""));
    }
    return InsertAudit(audit, {AuditSubject{"scenario", name}});
  });
}

absl::StatusOr<std::string> Store::GetScenario(const std::string& name) const {
  Statement statement(db_, "SELECT json FROM scenarios WHERE name = ?");
  statement.Bind(1, name);
  if (sqlite3_step(statement.get()) != SQLITE_ROW) {
    return absl::NotFoundError(absl::StrCat("scenario: no scenario \"", name, "\""));
  }
  return statement.Text(0);
}

absl::StatusOr<std::vector<std::string>> Store::ListScenarios() const {
  Statement statement(db_, "SELECT json FROM scenarios ORDER BY name");
  std::vector<std::string> out;
  while (sqlite3_step(statement.get()) == SQLITE_ROW) out.push_back(statement.Text(0));
  return out;
}

absl::Status Store::DeleteScenario(const std::string& name, const AuditContext& audit) {
  return InTransaction([&]() -> absl::Status {
    Statement statement(db_, "DELETE FROM scenarios WHERE name = ?");
    statement.Bind(1, name);
    if (sqlite3_step(statement.get()) != SQLITE_DONE) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
    if (sqlite3_changes(db_) == 0) return absl::NotFoundError(absl::StrCat("name: no scenario \"", name, "\""));
    return InsertAudit(audit, {AuditSubject{"scenario", name}});
  });
}

absl::StatusOr<int64_t> Store::AddToken(const std::string& name, const std::string& role,
                                        const std::string& secret_sha256, const std::string& created_at,
                                        const AuditContext& audit) {
  int64_t id = 0;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    Statement statement(db_, "INSERT INTO tokens (name, role, secret_sha256, created_at) VALUES (?, ?, ?, ?)");
    statement.Bind(1, name);
    statement.Bind(2, role);
    statement.BindBlob(3, secret_sha256);
    statement.Bind(4, created_at);
    if (sqlite3_step(statement.get()) != SQLITE_DONE) {
      return absl::InternalError(absl::StrCat("sqlite insert of token \"", name, "\": ", sqlite3_errmsg(db_)));
    }
    id = static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
    return InsertAudit(audit, {AuditSubject{"token", absl::StrCat(id)}});
  }));
  return id;
}

absl::StatusOr<std::vector<Store::StoredToken>> Store::ListTokens() const {
  Statement statement(db_, "SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY id");
  std::vector<StoredToken> out;
  int rc;
  while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) out.push_back(TokenRow(statement));
  if (rc != SQLITE_DONE) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  return out;
}

absl::StatusOr<std::optional<Store::StoredToken>> Store::FindToken(const std::string& secret_sha256) const {
  Statement statement(db_, "SELECT id, name, role, created_at, revoked_at FROM tokens WHERE secret_sha256 = ?");
  statement.BindBlob(1, secret_sha256);
  const int rc = sqlite3_step(statement.get());
  if (rc == SQLITE_DONE) return std::optional<StoredToken>();
  if (rc != SQLITE_ROW) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  return std::optional<StoredToken>(TokenRow(statement));
}

absl::StatusOr<Store::StoredToken> Store::RevokeToken(int64_t id, const std::string& revoked_at,
                                                      const AuditContext& audit) {
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    Statement statement(db_, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''");
    statement.Bind(1, revoked_at);
    statement.BindInt(2, id);
    if (sqlite3_step(statement.get()) != SQLITE_DONE) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
    // Revoking a revoked (or unknown) token changes nothing: no entry.
    if (sqlite3_changes(db_) == 0) return absl::OkStatus();
    return InsertAudit(audit, {AuditSubject{"token", absl::StrCat(id)}});
  }));
  Statement statement(db_, "SELECT id, name, role, created_at, revoked_at FROM tokens WHERE id = ?");
  statement.BindInt(1, id);
  if (sqlite3_step(statement.get()) != SQLITE_ROW) return absl::NotFoundError(absl::StrCat("id: no token ", id));
  return TokenRow(statement);
}

absl::StatusOr<Store::AuditPage> Store::ListAudit(const AuditFilter& filter) const {
  std::vector<std::string> subject_binds;
  const std::string subject_clause = SubjectClause(filter, &subject_binds);
  std::vector<std::string> clauses, binds;
  auto equal = [&](const char* column, const std::string& value, const char* op = "=") {
    if (value.empty()) return;
    clauses.push_back(absl::StrCat("e.", column, " ", op, " ?"));
    binds.push_back(value);
  };
  equal("actor", filter.actor);
  equal("request_id", filter.request_id);
  equal("at", filter.since, ">=");
  equal("at", filter.until, "<");
  if (filter.before_id > 0) clauses.push_back(absl::StrCat("e.id < ", filter.before_id));
  if (!subject_clause.empty()) {
    clauses.push_back(absl::StrCat("e.id IN (SELECT s.entry_id FROM audit_subjects s WHERE ", subject_clause, ")"));
    binds.insert(binds.end(), subject_binds.begin(), subject_binds.end());
  }
  const std::string sql = absl::StrCat(
      "SELECT e.id, e.at, e.actor, e.token_id, e.request_id, e.method, e.subject_count FROM audit_entries e",
      clauses.empty() ? "" : " WHERE ", absl::StrJoin(clauses, " AND "), " ORDER BY e.id DESC LIMIT ",
      std::max(filter.limit, 0) + 1);  // one more than asked: whether there are more
  Statement entries(db_, sql.c_str());
  if (entries.get() == nullptr) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  for (size_t i = 0; i < binds.size(); ++i) entries.Bind(static_cast<int>(i + 1), binds[i]);
  const std::string subjects_sql =
      absl::StrCat("SELECT s.kind, s.subject FROM audit_subjects s WHERE s.entry_id = ?",
                   subject_clause.empty() ? "" : " AND ", subject_clause, " ORDER BY s.seq LIMIT ?");
  Statement subjects(db_, subjects_sql.c_str());
  if (subjects.get() == nullptr) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  AuditPage page;
  std::vector<StoredAuditEntry>& out = page.entries;
  int64_t listed = 0;
  int rc;
  while ((rc = sqlite3_step(entries.get())) == SQLITE_ROW) {
    if (static_cast<int>(out.size()) == filter.limit) {
      page.more = true;
      break;
    }
    StoredAuditEntry entry{entries.Int(0), entries.Text(1), entries.Text(2), entries.Int(3),
                           entries.Text(4), entries.Text(5), entries.Int(6), {}};
    const int64_t room = filter.max_subjects - listed;
    sqlite3_reset(subjects.get());
    subjects.BindInt(1, entry.id);
    for (size_t i = 0; i < subject_binds.size(); ++i) subjects.Bind(static_cast<int>(i + 2), subject_binds[i]);
    subjects.BindInt(static_cast<int>(subject_binds.size() + 2), std::max<int64_t>(room, 0) + 1);
    while (sqlite3_step(subjects.get()) == SQLITE_ROW) {
      entry.subjects.push_back(AuditSubject{subjects.Text(0), subjects.Text(1)});
    }
    if (static_cast<int64_t>(entry.subjects.size()) > room) {
      if (!out.empty()) {  // the next page starts with it
        page.more = true;
        break;
      }
      entry.subjects.resize(static_cast<size_t>(std::max<int64_t>(room, 0)));
    }
    listed += static_cast<int64_t>(entry.subjects.size());
    out.push_back(std::move(entry));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  return page;
}

}  // namespace forecastle

#include "server/store.h"

#include <sqlite3.h>

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
  return {v1, v2, v3, v4, v5};
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
  std::unique_ptr<Store> store(new Store(db));
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(store->Exec(options.fsync_on_commit ? "PRAGMA synchronous=FULL"
                                                      : "PRAGMA synchronous=OFF"));
  RETURN_IF_ERROR(store->Exec("PRAGMA busy_timeout=5000"));
  RETURN_IF_ERROR(store->Migrate());
  for (int k = 0; k < kRecordKindCount; ++k) {
    const auto kind = static_cast<RecordKind>(k);
    const size_t n = KindColumns(kind).size();
    std::vector<std::string> marks(n, "?");
    const std::string sql = absl::StrCat("INSERT INTO ", TableName(kind), " VALUES (",
                                         absl::StrJoin(marks, ","), ")");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("prepare ", sql, ": ", sqlite3_errmsg(db)));
    }
    store->inserts_.push_back(stmt);
  }
  const char* insert_batch = "INSERT INTO import_batches VALUES (?, ?, ?)";
  if (sqlite3_prepare_v2(db, insert_batch, -1, &store->insert_batch_, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("prepare ", insert_batch, ": ", sqlite3_errmsg(db)));
  }
  return store;
}

Store::~Store() {
  for (sqlite3_stmt* stmt : inserts_) sqlite3_finalize(stmt);
  sqlite3_finalize(insert_batch_);
  sqlite3_close(db_);
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

absl::Status Store::Append(const std::vector<const Record*>& records, const ImportBatch* batch) {
  if (records.empty() && batch == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](absl::Status error) {
    Exec("ROLLBACK").IgnoreError();
    return error;
  };
  for (const Record* record : records) {
    sqlite3_stmt* stmt = inserts_[static_cast<int>(KindOf(*record))];
    const std::vector<std::string> cells = FormatRecord(*record);
    for (size_t c = 0; c < cells.size(); ++c) {
      sqlite3_bind_text(stmt, static_cast<int>(c + 1), cells[c].data(),
                        static_cast<int>(cells[c].size()), SQLITE_TRANSIENT);
    }
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
      return fail(absl::InternalError(
          absl::StrCat("sqlite insert of ", RecordKey(*record), ": ", sqlite3_errmsg(db_))));
    }
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
        return fail(absl::AlreadyExistsError(absl::StrCat("batch_id: \"", batch->id, "\" is already applied")));
      }
      return fail(absl::InternalError(absl::StrCat("sqlite insert of import batch \"", batch->id,
                                                   "\": ", sqlite3_errmsg(db_))));
    }
  }
  absl::Status committed = Exec("COMMIT");
  // A failed COMMIT may leave the transaction open; close it so nothing of it survives.
  if (!committed.ok() && !sqlite3_get_autocommit(db_)) Exec("ROLLBACK").IgnoreError();
  return committed;
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
  for (int k = 0; k < kRecordKindCount; ++k) {
    const auto kind = static_cast<RecordKind>(k);
    const auto& columns = KindColumns(kind);
    const std::string sql = absl::StrCat("SELECT * FROM ", TableName(kind), " ORDER BY rowid");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("prepare ", sql, ": ", sqlite3_errmsg(db_)));
    }
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
      absl::Status status = record.ok() ? fn(*record) : record.status();
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

absl::Status Store::PutScenario(const std::string& name, const std::string& json, Write mode) {
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
  return absl::OkStatus();
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

absl::Status Store::DeleteScenario(const std::string& name) {
  Statement statement(db_, "DELETE FROM scenarios WHERE name = ?");
  statement.Bind(1, name);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  if (sqlite3_changes(db_) == 0) return absl::NotFoundError(absl::StrCat("name: no scenario \"", name, "\""));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Store::AddToken(const std::string& name, const std::string& role,
                                        const std::string& secret_sha256, const std::string& created_at) {
  Statement statement(db_, "INSERT INTO tokens (name, role, secret_sha256, created_at) VALUES (?, ?, ?, ?)");
  statement.Bind(1, name);
  statement.Bind(2, role);
  statement.BindBlob(3, secret_sha256);
  statement.Bind(4, created_at);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) {
    return absl::InternalError(absl::StrCat("sqlite insert of token \"", name, "\": ", sqlite3_errmsg(db_)));
  }
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
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

absl::StatusOr<Store::StoredToken> Store::RevokeToken(int64_t id, const std::string& revoked_at) {
  {
    Statement statement(db_, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''");
    statement.Bind(1, revoked_at);
    statement.BindInt(2, id);
    if (sqlite3_step(statement.get()) != SQLITE_DONE) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
  }
  Statement statement(db_, "SELECT id, name, role, created_at, revoked_at FROM tokens WHERE id = ?");
  statement.BindInt(1, id);
  if (sqlite3_step(statement.get()) != SQLITE_ROW) return absl::NotFoundError(absl::StrCat("id: no token ", id));
  return TokenRow(statement);
}

}  // namespace forecastle

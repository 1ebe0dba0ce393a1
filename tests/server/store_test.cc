#include "server/store.h"

#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/ledger_book.h"
#include "tests/testing/ledger_builder.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using namespace ::forecastle::testing;  // NOLINT
using ::testing::HasSubstr;

// The audit context of the writes these tests make.
const AuditContext kTest{"test", 0, "request-1", "store_test"};

std::vector<Record> Stored(const Store& store) {
  std::vector<Record> out;
  EXPECT_TRUE(store.ForEach([&](const Record& r) {
                     out.push_back(r);
                     return absl::OkStatus();
                   }).ok());
  return out;
}

TEST(Store, AppendsDurablyAndReplaysInReferenceOrder) {
  const std::string path = FreshDatabasePath("store.db");
  const std::vector<Record> records = {
      Cust("A"), Con("C", "A", "2026-01-01", "100.00"),
      Ratable("C", "L1", "50.00", "2026-01-01", "2026-12-31"), Effort("C", "L2", "50.00", "7.25"),
      Hours("C", "L2", "2026-01-02", "1.5", "8"), Inv("I", "C", "2026-01-01", "-12.34"),
      Cancel("C", "L1", "2026-02-01"), Heads("delivery", "2026-01", "12.25")};
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version(), Store::kSchemaVersion);
    // Appended out of kind order; replay comes back in kind order.
    std::vector<const Record*> pointers;
    for (size_t i = records.size(); i-- > 0;) pointers.push_back(&records[i]);
    ASSERT_THAT((*store)->Append(pointers, nullptr, kTest), IsOk());
  }
  auto reopened = Store::Open({path});
  ASSERT_TRUE(reopened.ok());
  const std::vector<Record> replayed = Stored(**reopened);
  // Kinds in reference order; within a kind, the order appended (here: reversed).
  std::vector<Record> expected;
  for (int k = 0; k < kRecordKindCount; ++k) {
    for (size_t i = records.size(); i-- > 0;) {
      if (static_cast<int>(KindOf(records[i])) == k) expected.push_back(records[i]);
    }
  }
  ASSERT_EQ(replayed.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(replayed[i], expected[i]) << RecordKey(expected[i]);
  }
}

TEST(Store, AnImportBatchIsStoredInTheTransactionOfItsRecords) {
  const std::string path = FreshDatabasePath("batches.db");
  const Record a = Cust("A"), b = Cust("B");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    auto none = (*store)->FindImportBatch("run-1");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    const Store::ImportBatch batch{"run-1", "f1", std::string("ack\0bytes", 9)};
    ASSERT_THAT((*store)->Append({&a}, &batch, kTest), IsOk());
    // The same id again fails as a whole: its records are not stored either.
    EXPECT_THAT((*store)->Append({&b}, &batch, kTest), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("run-1")));
    const Store::ImportBatch empty{"run-2", "f2", "x"};
    ASSERT_THAT((*store)->Append({}, &empty, kTest), IsOk());  // a batch with nothing new is stored too
  }
  auto reopened = Store::Open({path});
  ASSERT_TRUE(reopened.ok());
  auto found = (*reopened)->FindImportBatch("run-1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->fingerprint, "f1");
  EXPECT_EQ((*found)->acknowledgement, std::string("ack\0bytes", 9));
  EXPECT_TRUE((*reopened)->FindImportBatch("run-2").value().has_value());
  EXPECT_EQ(Stored(**reopened), std::vector<Record>{a});
}

// SQL that takes a database of this build back to before versions (schema version 5): the
// version columns of `tables` dropped and version 6 forgotten.
std::string UndoVersion6(const std::vector<std::string>& tables) {
  std::string sql = "DELETE FROM schema_version WHERE version >= 6;";
  for (const std::string& t : tables) {
    sql += "ALTER TABLE " + t + " DROP COLUMN recorded_at_us; ALTER TABLE " + t + " DROP COLUMN voided;";
  }
  return sql;
}
const std::vector<std::string> kVersion1Tables = {"customers", "contracts", "lines", "progress", "cancellations",
                                                  "invoices", "payments", "opportunities"};

// A database written before headcount (schema version 3) gains the headcount table when opened,
// keeping what it held.
TEST(Store, MigratesAVersion3DatabaseToHoldHeadcount) {
  const std::string path = FreshDatabasePath("version3.db");
  const Record customer = Cust("A");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_THAT((*store)->Append({&customer}, nullptr, kTest), IsOk());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, ("DROP TABLE audit_subjects; DROP TABLE audit_entries; " + UndoVersion6(kVersion1Tables) +
                              "DROP TABLE tokens; DROP TABLE headcount; DELETE FROM schema_version WHERE version >= 4")
                                 .c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  const Record headcount = Heads("delivery", "2026-02", "7.5");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version(), Store::kSchemaVersion);
    ASSERT_THAT((*store)->Append({&headcount}, nullptr, kTest), IsOk());
  }
  auto reopened = Store::Open({path});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(Stored(**reopened), (std::vector<Record>{customer, headcount}));
}

// A database written before tokens (schema version 4) gains the tokens table when opened, keeping
// its records and scenarios.
TEST(Store, MigratesAVersion4DatabaseToHoldTokens) {
  const std::string path = FreshDatabasePath("version4.db");
  const Record customer = Cust("A");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_THAT((*store)->Append({&customer}, nullptr, kTest), IsOk());
    ASSERT_THAT((*store)->PutScenario("base", "{}", Store::Write::kCreate, kTest), IsOk());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::vector<std::string> tables = kVersion1Tables;
  tables.push_back("headcount");
  ASSERT_EQ(sqlite3_exec(db, ("DROP TABLE audit_subjects; DROP TABLE audit_entries; " + UndoVersion6(tables) +
                              "DROP TABLE tokens; DELETE FROM schema_version WHERE version >= 5")
                                 .c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = Store::Open({path});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), Store::kSchemaVersion);
  EXPECT_EQ(Stored(**store), std::vector<Record>{customer});
  EXPECT_THAT((*store)->GetScenario("base"), IsOkAndHolds(std::string("{}")));
  auto id = (*store)->AddToken("ops", "admin", std::string(32, '\x01'), "2026-03-01T00:00:00Z", kTest);
  ASSERT_TRUE(id.ok()) << id.status();
  auto tokens = (*store)->ListTokens();
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ((*tokens)[0].name, "ops");
  EXPECT_EQ((*tokens)[0].revoked_at, "");
}

TEST(Store, TokensAreFoundByTheirHashAndRevokedOnce) {
  auto store = Store::Open({FreshDatabasePath("tokens.db")});
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string hash_a(32, 'a'), hash_b(32, 'b');
  auto a = (*store)->AddToken("a", "reader", hash_a, "2026-03-01T00:00:00Z", kTest);
  auto b = (*store)->AddToken("b", "writer", hash_b, "2026-03-01T00:00:01Z", kTest);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  auto found = (*store)->FindToken(hash_b);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, *b);
  EXPECT_EQ((*found)->role, "writer");
  EXPECT_FALSE((*store)->FindToken(std::string(32, 'c')).value().has_value());
  // The same hash twice is refused (the secret would name two tokens).
  EXPECT_FALSE((*store)->AddToken("again", "admin", hash_a, "2026-03-01T00:00:02Z", kTest).ok());

  auto revoked = (*store)->RevokeToken(*a, "2026-03-02T00:00:00Z", kTest);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->revoked_at, "2026-03-02T00:00:00Z");
  // Revoking again keeps the first moment.
  EXPECT_EQ((*store)->RevokeToken(*a, "2026-03-03T00:00:00Z", kTest).value().revoked_at, "2026-03-02T00:00:00Z");
  EXPECT_THAT((*store)->RevokeToken(999, "2026-03-03T00:00:00Z", kTest).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("id: no token 999")));
  EXPECT_EQ((*store)->FindToken(hash_a).value()->revoked_at, "2026-03-02T00:00:00Z");
}

// The audit trail (SPEC §5, Trust): each write stores exactly one entry, in its transaction, and
// a write that fails or changes nothing stores none.
std::vector<Store::StoredAuditEntry> Trail(const Store& store, Store::AuditFilter filter = {}) {
  filter.limit = 1000;
  auto page = store.ListAudit(filter);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? page->entries : std::vector<Store::StoredAuditEntry>{};
}

TEST(Store, EachWriteStoresOneAuditEntryWithWhatItWrote) {
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 30, 0), absl::UTCTimeZone());
  Store::Options options{FreshDatabasePath("audit.db")};
  options.now = [&] { return now; };
  auto opened = Store::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  const AuditContext ann{"ann", 7, "req-a", "/forecastle.v1.LedgerService/Import"};
  const AuditContext bob{"bob", 8, "req-b", "/forecastle.v1.ForecastService/CreateScenario"};

  const Record customer = Cust("A"), contract = Con("C-1", "A", "2026-01-01", "100.00"),
               line = Ratable("C-1", "L-2", "100.00", "2026-01-01", "2026-12-31"),
               progress = Hours("C-1", "L-2", "2026-01-05", "1", "8");
  Store::ImportBatch batch{"run-1", "fingerprint", "ack"};
  ASSERT_THAT(store.Append({&customer, &contract, &line, &progress}, &batch, ann), IsOk());
  now += absl::Minutes(1);
  ASSERT_THAT(store.PutScenario("plan", "{}", Store::Write::kCreate, bob), IsOk());
  now += absl::Minutes(1);
  ASSERT_THAT(store.PutScenario("plan", "{\"a\":1}", Store::Write::kUpdate, bob), IsOk());
  auto token = store.AddToken("ops", "admin", std::string(32, 'x'), "2026-03-01T09:33:00Z", ann);
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(store.RevokeToken(*token, "2026-03-01T09:34:00Z", ann).ok());
  ASSERT_THAT(store.DeleteScenario("plan", bob), IsOk());

  // Refused or failed writes, and writes that change nothing: no entry.
  const size_t written = Trail(store).size();
  ASSERT_EQ(written, 6u);
  EXPECT_THAT(store.Append({&customer}, &batch, ann), StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
  EXPECT_THAT(store.PutScenario("x", "{}", Store::Write::kUpdate, bob),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(store.DeleteScenario("plan", bob), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  ASSERT_THAT(store.PutScenario("kept", "{}", Store::Write::kCreate, bob), IsOk());
  EXPECT_THAT(store.PutScenario("kept", "{}", Store::Write::kCreate, bob),
              StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
  EXPECT_FALSE(store.AddToken("dup", "admin", std::string(32, 'x'), "2026-03-01T09:35:00Z", ann).ok());
  EXPECT_TRUE(store.RevokeToken(*token, "2026-03-01T09:36:00Z", ann).ok());  // revoked already
  EXPECT_FALSE(store.RevokeToken(999, "2026-03-01T09:36:00Z", ann).ok());
  EXPECT_THAT(store.Append({}, nullptr, ann), IsOk());
  ASSERT_EQ(Trail(store).size(), written + 1);  // "kept" only
  EXPECT_EQ(Stored(store).size(), 4u);          // the refused batch stored no customer either

  const std::vector<Store::StoredAuditEntry> trail = Trail(store);
  // Newest first.
  EXPECT_EQ(trail[0].subjects, (std::vector<AuditSubject>{{"scenario", "kept"}}));
  EXPECT_EQ(trail[1].subjects, (std::vector<AuditSubject>{{"scenario", "plan"}}));  // the delete
  EXPECT_EQ(trail[2].subjects, (std::vector<AuditSubject>{{"token", absl::StrCat(*token)}}));  // revoked
  EXPECT_EQ(trail[3].subjects, (std::vector<AuditSubject>{{"token", absl::StrCat(*token)}}));  // created
  const Store::StoredAuditEntry& import = trail.back();
  EXPECT_EQ(import.actor, "ann");
  EXPECT_EQ(import.token_id, 7);
  EXPECT_EQ(import.request_id, "req-a");
  EXPECT_EQ(import.method, "/forecastle.v1.LedgerService/Import");
  EXPECT_EQ(import.at, "2026-03-01T09:30:00.000000Z");
  EXPECT_EQ(import.subject_count, 5);
  EXPECT_EQ(import.subjects, (std::vector<AuditSubject>{{"customer", "A"},
                                                        {"contract", "C-1"},
                                                        {"line", "C-1/L-2"},
                                                        {"progress", "C-1/L-2/2026-01-05"},
                                                        {"import_batch", "run-1"}}));
  EXPECT_EQ(trail[trail.size() - 2].at, "2026-03-01T09:31:00.000000Z");
  EXPECT_LT(trail[1].id, trail[0].id);
}

TEST(Store, TheAuditTrailIsFilteredAndPaged) {
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 3, 1, 0, 0, 0), absl::UTCTimeZone());
  Store::Options options{FreshDatabasePath("audit_filters.db")};
  options.now = [&] { return now; };
  auto opened = Store::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  const Record customer = Cust("A"), c1 = Con("C-1", "A", "2026-01-01"), c10 = Con("C-10", "A", "2026-01-01"),
               line = Effort("C-1", "L-1", "10.00", "8");
  ASSERT_THAT(store.Append({&customer}, nullptr, {"ann", 1, "r1", "m"}), IsOk());
  now += absl::Hours(24);
  ASSERT_THAT(store.Append({&c1, &c10}, nullptr, {"bob", 2, "r2", "m"}), IsOk());
  now += absl::Hours(24);
  ASSERT_THAT(store.Append({&line}, nullptr, {"ann", 1, "r3", "m"}), IsOk());
  ASSERT_THAT(store.PutScenario("C-1", "{}", Store::Write::kCreate, {"ann", 1, "r4", "m"}), IsOk());

  auto ids = [&](Store::AuditFilter filter) {
    std::vector<std::string> out;
    for (const auto& entry : Trail(store, filter)) out.push_back(entry.request_id);
    return out;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids({}), (Ids{"r4", "r3", "r2", "r1"}));
  EXPECT_EQ(ids({.actor = "ann"}), (Ids{"r4", "r3", "r1"}));
  EXPECT_EQ(ids({.request_id = "r2"}), (Ids{"r2"}));
  // A contract's id finds it and its lines, not C-10; "record" leaves the scenario of that name out.
  EXPECT_EQ(ids({.subject_kind = "record", .subject_id = "C-1"}), (Ids{"r3", "r2"}));
  EXPECT_EQ(ids({.subject_id = "C-1"}), (Ids{"r4", "r3", "r2"}));
  EXPECT_EQ(ids({.subject_kind = "line", .subject_id = "C-1"}), (Ids{"r3"}));
  EXPECT_EQ(ids({.subject_kind = "scenario"}), (Ids{"r4"}));
  // With a subject filter an entry lists only the subjects that match, and says how many it wrote.
  const auto c1_entries = Trail(store, {.subject_kind = "contract", .subject_id = "C-1"});
  ASSERT_EQ(c1_entries.size(), 1u);
  EXPECT_EQ(c1_entries[0].subjects, (std::vector<AuditSubject>{{"contract", "C-1"}}));
  EXPECT_EQ(c1_entries[0].subject_count, 2);
  // Time: since inclusive, until exclusive.
  EXPECT_EQ(ids({.since = "2026-03-02T00:00:00.000000Z"}), (Ids{"r4", "r3", "r2"}));
  EXPECT_EQ(ids({.until = "2026-03-02T00:00:00.000000Z"}), (Ids{"r1"}));
  EXPECT_EQ(ids({.since = "2026-03-02T00:00:00.000000Z", .until = "2026-03-03T00:00:00.000000Z"}), (Ids{"r2"}));

  // Pages: two entries, then the rest after the last one's id.
  auto first = store.ListAudit({.limit = 2});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->entries.size(), 2u);
  EXPECT_TRUE(first->more);
  auto second = store.ListAudit({.before_id = first->entries.back().id, .limit = 2});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->entries.size(), 2u);
  EXPECT_EQ(second->entries[1].request_id, "r1");
  EXPECT_FALSE(second->more);
  // A page also ends before the subjects it lists pass max_subjects (the first entry always comes).
  auto cut = store.ListAudit({.limit = 10, .max_subjects = 2});
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->entries.size(), 2u);  // r4 and r3 list one subject each; r2's two would pass 2
  EXPECT_TRUE(cut->more);
}

// A database of schema version 6 (versions, before the audit trail) gains it when opened: what it held
// stays, earlier writes have no entry, and writes from then on have theirs.
TEST(Store, MigratesAVersion6DatabaseToHoldTheAuditTrail) {
  const std::string path = FreshDatabasePath("version6.db");
  const Record customer = Cust("A");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_THAT((*store)->Append({&customer}, nullptr, kTest), IsOk());
    ASSERT_THAT((*store)->PutScenario("base", "{}", Store::Write::kCreate, kTest), IsOk());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE audit_subjects; DROP TABLE audit_entries;"
                         " DELETE FROM schema_version WHERE version = 7",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = Store::Open({path});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), 7);
  EXPECT_EQ(Stored(**store), std::vector<Record>{customer});
  EXPECT_THAT((*store)->GetScenario("base"), IsOkAndHolds(std::string("{}")));
  EXPECT_TRUE(Trail(**store).empty());
  const Record other = Cust("B");
  ASSERT_THAT((*store)->Append({&other}, nullptr, kTest), IsOk());
  const auto trail = Trail(**store);
  ASSERT_EQ(trail.size(), 1u);
  EXPECT_EQ(trail[0].subjects, (std::vector<AuditSubject>{{"customer", "B"}}));
  EXPECT_EQ(trail[0].actor, "test");
}

TEST(Store, RefusesADatabaseFromANewerBuild) {
  const std::string path = FreshDatabasePath("newer.db");
  { ASSERT_TRUE(Store::Open({path}).ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THAT(Store::Open({path}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("schema version 99")));
}

TEST(Store, UsesWalWithFullSync) {
  const std::string path = FreshDatabasePath("wal.db");
  auto store = Store::Open({path});
  ASSERT_TRUE(store.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(LedgerBook, WritesAreStoredAndReplayedAtOpen) {
  const std::string path = FreshDatabasePath("book.db");
  {
    auto book = LedgerBook::Open({path});
    ASSERT_TRUE(book.ok());
    auto results = (*book)->Write({Cust("A"), Con("C", "A", "2026-01-01"),
                                   Inv("I", "NOPE", "2026-01-01", "1.00"), Cust("A")}, kTest);
    ASSERT_TRUE(results.ok());
    EXPECT_THAT((*results)[0], IsOkAndHolds(Applied::kCreated));
    EXPECT_THAT((*results)[2], StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("contract_id")));
    EXPECT_THAT((*results)[3], IsOkAndHolds(Applied::kUnchanged));
  }
  auto book = LedgerBook::Open({path});
  ASSERT_TRUE(book.ok());
  EXPECT_EQ((*book)->Read([](const Ledger& l) { return l.record_count(); }), 2u);
}

TEST(LedgerBook, HeadcountSurvivesARestart) {
  const std::string path = FreshDatabasePath("headcount.db");
  {
    auto book = LedgerBook::Open({path});
    ASSERT_TRUE(book.ok());
    auto results = (*book)->Write({Heads("delivery", "2026-02", "12.5"), Heads("delivery", "2026-01", "12"),
                                   Heads("delivery", "2026-01", "12.00"), Heads("delivery", "2026-01", "13")},
                                  kTest);
    ASSERT_TRUE(results.ok());
    EXPECT_THAT((*results)[0], IsOkAndHolds(Applied::kCreated));
    EXPECT_THAT((*results)[1], IsOkAndHolds(Applied::kCreated));
    EXPECT_THAT((*results)[2], IsOkAndHolds(Applied::kUnchanged));
    EXPECT_THAT((*results)[3], IsOkAndHolds(Applied::kRevised));  // a corrected count: a new version
  }
  auto book = LedgerBook::Open({path});
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ((*book)->Read([](const Ledger& l) { return l.headcount(); }),
            (std::vector<Headcount>{Heads("delivery", "2026-01", "13"), Heads("delivery", "2026-02", "12.5")}));
  EXPECT_EQ((*book)->Read([](const Ledger& l) { return l.record_count(); }), 2u);
}

// Versions (SPEC §3.5): each append is stamped by the store's clock, strictly later than the last
// even when the clock stands still; every version stays readable, and a void is a version too.
TEST(Store, KeepsEveryVersionStampedAndReplaysThemAsKnownAtAMoment) {
  const std::string path = FreshDatabasePath("versions.db");
  Store::Options options{path};
  options.clock_us = [] { return int64_t{1'000}; };
  const Record v1 = Heads("delivery", "2026-01", "12"), v2 = Heads("delivery", "2026-01", "13");
  {
    auto book = LedgerBook::Open(options);
    ASSERT_TRUE(book.ok()) << book.status();
    ASSERT_TRUE((*book)->Write({v1}, kTest).ok());                                        // stamped 1000
    EXPECT_THAT((*(*book)->Write({v2}, kTest))[0], IsOkAndHolds(Applied::kRevised));     // 1001
    ASSERT_TRUE((*book)->Void(Heads("delivery", "2026-01", "0"), kTest).ok());            // 1002
    EXPECT_TRUE((*book)->Read([](const Ledger& l) { return l.headcount().empty(); }));
    auto at_first = (*book)->KnownAt(1'000);
    ASSERT_TRUE(at_first.ok() && *at_first != nullptr);
    EXPECT_EQ((*at_first)->headcount(), std::vector<Headcount>{std::get<Headcount>(v1)});
    EXPECT_THAT((*book)->KnownAt(1'002), IsOkAndHolds(nullptr));  // the current ledger
  }
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->last_recorded_at_us(), 1'002);
  std::vector<std::pair<Record, bool>> versions;
  ASSERT_THAT((*store)->ForEachVersion(1'001, [&](const Record& r, bool voided) {
    versions.emplace_back(r, voided);
    return absl::OkStatus();
  }), IsOk());
  EXPECT_EQ(versions, (std::vector<std::pair<Record, bool>>{{v1, false}, {v2, false}}));
  auto book = LedgerBook::Open(options);  // replayed after a restart: the same versions
  ASSERT_TRUE(book.ok());
  auto at_second = (*book)->KnownAt(1'001);
  ASSERT_TRUE(at_second.ok() && *at_second != nullptr);
  EXPECT_EQ((*at_second)->headcount(), std::vector<Headcount>{std::get<Headcount>(v2)});
  EXPECT_TRUE((*book)->Read([](const Ledger& l) { return l.headcount().empty(); }));
}

// A database of schema version 5 gains the version columns: its rows count as known from the
// start (stamp 0), and new versions are stamped after them.
TEST(Store, MigratesAVersion5DatabaseToHoldVersions) {
  const std::string path = FreshDatabasePath("version5.db");
  const Record customer = Cust("A");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_THAT((*store)->Append({&customer}, nullptr, kTest), IsOk());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::vector<std::string> tables = kVersion1Tables;
  tables.push_back("headcount");
  ASSERT_EQ(sqlite3_exec(db, ("DROP TABLE audit_subjects; DROP TABLE audit_entries; " + UndoVersion6(tables)).c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto book = LedgerBook::Open({path});
  ASSERT_TRUE(book.ok()) << book.status();
  ASSERT_TRUE((*book)->Write({Cust("A", "enterprise")}, kTest).ok());
  auto at_start = (*book)->KnownAt(0);
  ASSERT_TRUE(at_start.ok() && *at_start != nullptr);
  EXPECT_EQ((*at_start)->customers()[0].customer, std::get<Customer>(customer));
  EXPECT_EQ((*book)->Read([](const Ledger& l) { return l.customers()[0].customer.segment; }), "enterprise");
}

TEST(ForecastleServer, RefusesBadOptionsNamingThem) {
  ForecastleServer::Options options;
  options.database = FreshDatabasePath("options.db");
  options.listen = "127.0.0.1:0";
  options.max_message_bytes = 1000;
  EXPECT_THAT(ForecastleServer::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_message_bytes must be in [1048576, 1073741824], got 1000")));
  options.max_message_bytes = 64 << 20;
  options.listen = "50051";
  EXPECT_THAT(ForecastleServer::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listen must be host:port")));
  options.listen = "127.0.0.1:0";
  options.database = "/nonexistent-folder/x.db";
  EXPECT_THAT(ForecastleServer::Create(options),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot open database")));
}

}  // namespace
}  // namespace forecastle

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
    ASSERT_THAT((*store)->Append(pointers), IsOk());
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
    ASSERT_THAT((*store)->Append({&a}, &batch), IsOk());
    // The same id again fails as a whole: its records are not stored either.
    EXPECT_THAT((*store)->Append({&b}, &batch), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("run-1")));
    const Store::ImportBatch empty{"run-2", "f2", "x"};
    ASSERT_THAT((*store)->Append({}, &empty), IsOk());  // a batch with nothing new is stored too
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

// A database written before headcount (schema version 3) gains the headcount table when opened,
// keeping what it held.
TEST(Store, MigratesAVersion3DatabaseToHoldHeadcount) {
  const std::string path = FreshDatabasePath("version3.db");
  const Record customer = Cust("A");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_THAT((*store)->Append({&customer}), IsOk());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE tokens; DROP TABLE headcount; DELETE FROM schema_version WHERE version >= 4",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  const Record headcount = Heads("delivery", "2026-02", "7.5");
  {
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->schema_version(), Store::kSchemaVersion);
    ASSERT_THAT((*store)->Append({&headcount}), IsOk());
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
    ASSERT_THAT((*store)->Append({&customer}), IsOk());
    ASSERT_THAT((*store)->PutScenario("base", "{}", Store::Write::kCreate), IsOk());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE tokens; DELETE FROM schema_version WHERE version = 5", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = Store::Open({path});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->schema_version(), 5);
  EXPECT_EQ(Stored(**store), std::vector<Record>{customer});
  EXPECT_THAT((*store)->GetScenario("base"), IsOkAndHolds(std::string("{}")));
  auto id = (*store)->AddToken("ops", "admin", std::string(32, '\x01'), "2026-03-01T00:00:00Z");
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
  auto a = (*store)->AddToken("a", "reader", hash_a, "2026-03-01T00:00:00Z");
  auto b = (*store)->AddToken("b", "writer", hash_b, "2026-03-01T00:00:01Z");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  auto found = (*store)->FindToken(hash_b);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, *b);
  EXPECT_EQ((*found)->role, "writer");
  EXPECT_FALSE((*store)->FindToken(std::string(32, 'c')).value().has_value());
  // The same hash twice is refused (the secret would name two tokens).
  EXPECT_FALSE((*store)->AddToken("again", "admin", hash_a, "2026-03-01T00:00:02Z").ok());

  auto revoked = (*store)->RevokeToken(*a, "2026-03-02T00:00:00Z");
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->revoked_at, "2026-03-02T00:00:00Z");
  // Revoking again keeps the first moment.
  EXPECT_EQ((*store)->RevokeToken(*a, "2026-03-03T00:00:00Z").value().revoked_at, "2026-03-02T00:00:00Z");
  EXPECT_THAT((*store)->RevokeToken(999, "2026-03-03T00:00:00Z").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("id: no token 999")));
  EXPECT_EQ((*store)->FindToken(hash_a).value()->revoked_at, "2026-03-02T00:00:00Z");
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
                                   Inv("I", "NOPE", "2026-01-01", "1.00"), Cust("A")});
    ASSERT_TRUE(results.ok());
    EXPECT_THAT((*results)[0], IsOkAndHolds(true));
    EXPECT_THAT((*results)[2], StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("contract_id")));
    EXPECT_THAT((*results)[3], IsOkAndHolds(false));
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
                                   Heads("delivery", "2026-01", "12.00"), Heads("delivery", "2026-01", "13")});
    ASSERT_TRUE(results.ok());
    EXPECT_THAT((*results)[0], IsOkAndHolds(true));
    EXPECT_THAT((*results)[1], IsOkAndHolds(true));
    EXPECT_THAT((*results)[2], IsOkAndHolds(false));
    EXPECT_THAT((*results)[3], StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("fte: headcount of delivery in 2026-01")));
  }
  auto book = LedgerBook::Open({path});
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ((*book)->Read([](const Ledger& l) { return l.headcount(); }),
            (std::vector<Headcount>{Heads("delivery", "2026-01", "12"), Heads("delivery", "2026-02", "12.5")}));
  EXPECT_EQ((*book)->Read([](const Ledger& l) { return l.record_count(); }), 2u);
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

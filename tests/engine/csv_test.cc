#include "engine/actuals/csv.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using ::forecastle::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SplitCsv, QuotesCommasNewlinesAndCrLf) {
  auto rows = SplitCsv("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\r\n\nlast,,\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].cells, (std::vector<std::string>{"x, y", "he said \"hi\"", "two\nlines"}));
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_EQ((*rows)[2].line, 5);
  EXPECT_EQ((*rows)[2].cells, (std::vector<std::string>{"last", "", ""}));
}

TEST(SplitCsv, UnterminatedQuoteNamesTheLine) {
  EXPECT_THAT(SplitCsv("a\n\"open\n"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
}

TEST(ParseCsvFile, ColumnsInAnyOrderBlankMeansAbsent) {
  CsvFolder folder;
  ParseCsvFile(RecordKind::kInvoice, "invoices.csv",
               "amount,contract_id,invoice_id,issued_on,due_on\n1200.50,C1,I1,2026-01-05,\n", folder);
  ASSERT_TRUE(folder.errors.empty()) << folder.errors[0].ToString();
  ASSERT_EQ(folder.records.size(), 1u);
  const Invoice& invoice = std::get<Invoice>(folder.records[0].record);
  EXPECT_EQ(invoice.amount, 120050);
  EXPECT_FALSE(invoice.due_on.has_value());
  EXPECT_EQ(folder.records[0].line, 2);
}

TEST(ParseCsvFile, BadRowsNameFileLineAndField) {
  CsvFolder folder;
  ParseCsvFile(RecordKind::kInvoice, "invoices.csv",
               "invoice_id,contract_id,issued_on,amount\n"
               "I1,C1,2026-01-05,1.234\n"
               "I2,C1,2026-02-30,1.00\n"
               "I3,C1,2026-01-05\n"
               "I4,C1,2026-01-05,5.00\n",
               folder);
  ASSERT_EQ(folder.errors.size(), 3u);
  EXPECT_EQ(folder.errors[0].ToString(), "invoices.csv:2: amount: has more than 2 decimals, got \"1.234\"");
  EXPECT_EQ(folder.errors[1].field, "issued_on");
  EXPECT_EQ(folder.errors[1].line, 3);
  EXPECT_EQ(folder.errors[2].line, 4);
  EXPECT_EQ(folder.records.size(), 1u);
}

TEST(ParseCsvFile, HeaderProblemsRefuseTheFile) {
  CsvFolder folder;
  ParseCsvFile(RecordKind::kPayment, "payments.csv", "payment_id,invoice_id,received_on,amount,memo\nP,I,2026-01-01,1\n", folder);
  ASSERT_EQ(folder.errors.size(), 1u);
  EXPECT_EQ(folder.errors[0].field, "memo");
  EXPECT_THAT(folder.errors[0].message, HasSubstr("unknown column"));
  CsvFolder missing;
  ParseCsvFile(RecordKind::kPayment, "payments.csv", "payment_id,invoice_id,amount\n", missing);
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].field, "received_on");
  EXPECT_TRUE(missing.records.empty());
}

TEST(ParseCsvFile, LineKindRequirements) {
  CsvFolder folder;
  ParseCsvFile(RecordKind::kLine, "lines.csv",
               "contract_id,line_id,kind,ssp,start_on,end_on,total_units,estimated_hours\n"
               "C,L1,ratable,10,2026-01-01,,,\n"
               "C,L2,delivery,10,,,,\n"
               "C,L3,effort,10,,,,0\n"
               "C,L4,ratable,10,2026-02-01,2026-01-01,,\n"
               "C,L5,service,10,,,,\n",
               folder);
  ASSERT_EQ(folder.errors.size(), 5u);
  EXPECT_EQ(folder.errors[0].field, "end_on");
  EXPECT_EQ(folder.errors[1].field, "total_units");
  EXPECT_EQ(folder.errors[2].field, "estimated_hours");
  EXPECT_EQ(folder.errors[3].ToString(), "lines.csv:5: end_on: 2026-01-01 is before start_on 2026-02-01");
  EXPECT_EQ(folder.errors[4].field, "kind");
}

// Text fields travel as proto3 strings, which must be UTF-8: a file in another encoding (a Latin-1
// export, say) is refused row by row here, not as a whole import message by gRPC later.
TEST(ParseCsvFile, TextThatIsNotUtf8IsRefused) {
  CsvFolder folder;
  ParseCsvFile(RecordKind::kCustomer, "customers.csv",
               "customer_id,name,segment\n"
               "CU-1,Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80,smb\n"  // é € 😀: fine
               "CU-2,Caf\xE9,smb\n"                                      // Latin-1 é
               "CU-\xFF,Acme,smb\n"
               "CU-4,Acme,\xED\xA0\x80\n"                               // a UTF-16 surrogate
               "CU-5,\xC0\xAF,smb\n"                                     // an overlong '/'
               "CU-6,Caf\xC3,smb\n",                                     // cut short
               folder);
  ASSERT_EQ(folder.records.size(), 1u);
  ASSERT_EQ(folder.errors.size(), 5u);
  EXPECT_EQ(folder.errors[0].ToString(), "customers.csv:3: name: is not valid UTF-8");
  EXPECT_EQ(folder.errors[1].field, "customer_id");
  EXPECT_EQ(folder.errors[2].field, "segment");
  EXPECT_EQ(folder.errors[3].field, "name");
  EXPECT_EQ(folder.errors[4].field, "name");
}

TEST(ReadCsvFolder, UnknownFileNameIsAnError) {
  const std::string dir = ::testing::TempDir() + "/csv_unknown";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/invoice.csv") << "invoice_id\n";
  EXPECT_THAT(ReadCsvFolder(dir), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invoice.csv: unknown file")));
  EXPECT_THAT(ReadCsvFolder(dir + "/nope"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no such folder")));
}

}  // namespace
}  // namespace forecastle

// Fuzzes the CSV reader (engine/actuals/csv.*): arbitrary text read as one record kind's file,
// the first byte choosing the kind. Beyond "no crash" it asserts:
// - SplitCsv: rows start on increasing lines, and what it accepts, written back cell by cell
//   with CsvCell, splits into the same cells;
// - ParseCsvFile: a refused header refuses the file with one error; an accepted one turns every
//   row into exactly one record or one error, each naming the file and a line of the text;
// - every accepted record, written as WriteCsvFolder writes it (header, then FormatRecord's cells
//   through CsvCell), reads back as the same record, with no error.
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "engine/actuals/csv.h"
#include "tests/fuzz/fuzz_check.h"

namespace forecastle {
namespace {

std::string CsvText(const std::vector<std::vector<std::string>>& rows) {
  // A byte order mark first, as SplitCsv drops one: a first cell that itself starts with one
  // then survives the trip.
  std::string text = "\xEF\xBB\xBF";
  for (const auto& cells : rows) {
    bool first = true;
    for (const std::string& cell : cells) {
      if (!first) text.push_back(',');
      text += CsvCell(cell);
      first = false;
    }
    text.push_back('\n');
  }
  return text;
}

void CheckSplit(absl::string_view text) {
  absl::StatusOr<std::vector<CsvRow>> rows = SplitCsv(text);
  if (!rows.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(rows.status()), rows.status());
    return;
  }
  std::vector<std::vector<std::string>> cells;
  int line = 0;
  for (const CsvRow& row : *rows) {
    FUZZ_CHECK(row.line > line, "row on line ", row.line, " after one on line ", line);
    line = row.line;
    FUZZ_CHECK(!(row.cells.size() == 1 && row.cells[0].empty()), "a blank row on line ", row.line);
    cells.push_back(row.cells);
  }
  absl::StatusOr<std::vector<CsvRow>> again = SplitCsv(CsvText(cells));
  FUZZ_CHECK(again.ok(), again.status());
  FUZZ_CHECK(again->size() == rows->size(), again->size(), " rows written back, ", rows->size(), " read");
  for (size_t r = 0; r < rows->size(); ++r) {
    FUZZ_CHECK((*again)[r].cells == (*rows)[r].cells, "row ", r, " changed on the way back: \"",
               absl::StrJoin((*rows)[r].cells, "|"), "\" -> \"", absl::StrJoin((*again)[r].cells, "|"), "\"");
  }
}

void CheckParse(RecordKind kind, absl::string_view text) {
  const std::string file(KindFileName(kind));
  CsvFolder folder;
  const absl::Status whole = ParseCsvFile(kind, file, text, folder);
  if (!whole.ok()) {
    // A file refused whole (text that is not UTF-8): nothing of it taken, its place named.
    FUZZ_CHECK(folder.records.empty() && folder.errors.empty(), "a refused file left records or errors");
    FUZZ_CHECK(absl::StartsWith(whole.message(), file + ":"), whole);
    return;
  }
  absl::StatusOr<std::vector<CsvRow>> rows = SplitCsv(text);
  const size_t data_rows = rows.ok() && !rows->empty() ? rows->size() - 1 : 0;
  const int header_line = rows.ok() && !rows->empty() ? rows->front().line : 0;
  const int last_line = rows.ok() && !rows->empty() ? rows->back().line : 0;
  // A refused file (text that does not split, or a bad header) has one error, on the header.
  const bool refused = folder.records.empty() && folder.errors.size() == 1 && folder.errors[0].line <= header_line;
  if (!refused) {
    FUZZ_CHECK(folder.records.size() + folder.errors.size() == data_rows, folder.records.size(), " records and ",
               folder.errors.size(), " errors from ", data_rows, " rows");
  }
  for (const SourceError& error : folder.errors) {
    FUZZ_CHECK(error.file == file, error.ToString());
    FUZZ_CHECK(error.line >= 0 && error.line <= last_line, error.ToString());
    FUZZ_CHECK(!error.message.empty(), error.ToString());
  }
  if (folder.records.empty()) return;

  std::vector<std::vector<std::string>> written;
  written.emplace_back(KindColumns(kind).begin(), KindColumns(kind).end());
  for (const SourceRecord& record : folder.records) {
    FUZZ_CHECK(KindOf(record.record) == kind, RecordKey(record.record));
    FUZZ_CHECK(record.file == file && record.line >= 1 && record.line <= last_line, record.line);
    written.push_back(FormatRecord(record.record));
  }
  CsvFolder again;
  const absl::Status written_back = ParseCsvFile(kind, file, CsvText(written), again);
  FUZZ_CHECK(written_back.ok(), "a written file is refused: ", written_back);
  FUZZ_CHECK(again.errors.empty(), "a written record is refused: ", again.errors.front().ToString());
  FUZZ_CHECK(again.records.size() == folder.records.size(), again.records.size(), " of ", folder.records.size());
  for (size_t i = 0; i < again.records.size(); ++i) {
    FUZZ_CHECK(again.records[i].record == folder.records[i].record, RecordKey(folder.records[i].record),
               " changed on the way back: ", absl::StrJoin(FormatRecord(folder.records[i].record), ","), " -> ",
               absl::StrJoin(FormatRecord(again.records[i].record), ","));
  }
}

}  // namespace
}  // namespace forecastle

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace forecastle;
  if (size == 0) return 0;
  const auto kind = static_cast<RecordKind>(data[0] % kRecordKindCount);
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  CheckSplit(text);
  CheckParse(kind, text);
  return 0;
}

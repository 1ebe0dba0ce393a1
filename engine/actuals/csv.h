// The CSV interchange of SPEC §3.4: a folder of optional files, one per record kind (UTF-8,
// header row, RFC 4180 quoting, columns in any order, blank cells absent). Reading keeps every
// record's file and line so refusals can point at them.
#ifndef FORECASTLE_ENGINE_ACTUALS_CSV_H_
#define FORECASTLE_ENGINE_ACTUALS_CSV_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/actuals/records.h"

namespace forecastle {

struct SourceRecord {
  Record record;
  std::string file;  // "invoices.csv"
  int line = 0;      // 1-based line where the row starts
};

// A refused row or file: file:line: field: message.
struct SourceError {
  std::string file;
  int line = 0;
  std::string field;
  std::string message;
  std::string ToString() const;
};

struct CsvFolder {
  std::vector<SourceRecord> records;  // in kind order (customers, contracts, lines, ...)
  std::vector<SourceError> errors;
  std::vector<std::string> files;     // the files found
};

// Splits RFC 4180 text into rows of cells; each row carries the line it starts on. Fails on an
// unterminated quote (naming the line).
struct CsvRow {
  int line = 0;
  std::vector<std::string> cells;
};
absl::StatusOr<std::vector<CsvRow>> SplitCsv(absl::string_view text);

// Parses one kind's file contents into `out`. Header problems (unknown or missing required
// columns, repeated columns) refuse the whole file into out.errors; bad rows are refused one by
// one. A file with a cell that is not UTF-8 was exported in another encoding, so none of it can be
// trusted: INVALID_ARGUMENT "file:line: column: not valid UTF-8 ... in column N", nothing added.
absl::Status ParseCsvFile(RecordKind kind, absl::string_view file_name, absl::string_view text,
                          CsvFolder& out);

// Reads every known file in `dir`. NOT_FOUND when dir does not exist; INVALID_ARGUMENT when it
// holds a .csv file of an unknown name (so a typo does not go unnoticed) or a file that is not
// UTF-8 (one line per such file, naming its first bad cell).
absl::StatusOr<CsvFolder> ReadCsvFolder(const std::string& dir);

// Writes records into `dir` (created if missing), one file per kind present, header first.
absl::Status WriteCsvFolder(const std::string& dir, const std::vector<Record>& records);

// Quotes a cell when it holds a comma, quote or line break.
std::string CsvCell(absl::string_view text);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_CSV_H_

#include "engine/actuals/csv.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/field_error.h"
#include "engine/common/utf8.h"

namespace forecastle {

std::string SourceError::ToString() const {
  return absl::StrCat(file, ":", line, ": ", field.empty() ? "" : absl::StrCat(field, ": "),
                      message);
}

absl::StatusOr<std::vector<CsvRow>> SplitCsv(absl::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string cell;
  int line = 1;
  row.line = 1;
  bool quoted = false, cell_started = false;
  int quote_line = 0;
  auto end_row = [&] {
    row.cells.push_back(std::move(cell));
    cell.clear();
    // A blank line is no row.
    if (!(row.cells.size() == 1 && row.cells[0].empty())) rows.push_back(std::move(row));
    row = CsvRow{};
    cell_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        cell.push_back(c);
      }
      continue;
    }
    if (c == '"' && !cell_started) {
      quoted = true;
      cell_started = true;
      quote_line = line;
    } else if (c == ',') {
      row.cells.push_back(std::move(cell));
      cell.clear();
      cell_started = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_row();
      row.line = ++line;
    } else {
      cell.push_back(c);
      cell_started = true;
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", quote_line, ": a quoted cell is never closed"));
  }
  if (!cell.empty() || !row.cells.empty()) end_row();
  return rows;
}

namespace {

// The first cell of `rows` that is not UTF-8, as file:line: column name: why.
std::optional<SourceError> FirstNonUtf8Cell(const std::string& file, const std::vector<CsvRow>& rows) {
  for (const CsvRow& row : rows) {
    for (size_t c = 0; c < row.cells.size(); ++c) {
      const size_t at = FirstInvalidUtf8(row.cells[c]);
      if (at == absl::string_view::npos) continue;
      const bool header = &row == &rows.front();
      const bool named = !header && c < rows.front().cells.size() &&
                         FirstInvalidUtf8(rows.front().cells[c]) == absl::string_view::npos;
      return SourceError{file, row.line, named ? rows.front().cells[c] : (header ? "header" : ""),
                         absl::StrCat(InvalidUtf8Reason(row.cells[c], at), " in column ", c + 1,
                                      "; the file must be UTF-8")};
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status ParseCsvFile(RecordKind kind, absl::string_view file_name, absl::string_view text,
                          CsvFolder& out) {
  const std::string file(file_name);
  auto rows = SplitCsv(text);
  if (!rows.ok()) {
    out.errors.push_back(SourceError{file, 0, "", std::string(rows.status().message())});
    return absl::OkStatus();
  }
  if (std::optional<SourceError> error = FirstNonUtf8Cell(file, *rows)) {
    return absl::InvalidArgumentError(error->ToString());
  }
  if (rows->empty()) return absl::OkStatus();
  const CsvRow& header = rows->front();
  const auto& columns = KindColumns(kind);
  // Map each header cell to a known column name (stable storage for the string_views below).
  std::vector<absl::string_view> names;
  for (const std::string& cell : header.cells) {
    absl::string_view name;
    for (auto column : columns) {
      if (column == cell) name = column;
    }
    if (name.empty()) {
      out.errors.push_back(SourceError{
          file, header.line, cell,
          absl::StrCat("unknown column; ", file, " has ", absl::StrJoin(columns, ", "))});
      return absl::OkStatus();
    }
    for (auto seen : names) {
      if (seen == name) {
        out.errors.push_back(SourceError{file, header.line, cell, "column appears twice"});
        return absl::OkStatus();
      }
    }
    names.push_back(name);
  }
  for (int r = 0; r < KindRequiredColumnCount(kind); ++r) {
    if (std::find(names.begin(), names.end(), columns[r]) == names.end()) {
      out.errors.push_back(
          SourceError{file, header.line, std::string(columns[r]), "required column is missing"});
      return absl::OkStatus();
    }
  }
  FieldValues values;
  for (size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    if (row.cells.size() != names.size()) {
      out.errors.push_back(SourceError{
          file, row.line, "",
          absl::StrCat("expected ", names.size(), " cells as in the header, got ", row.cells.size())});
      continue;
    }
    values.clear();
    for (size_t c = 0; c < names.size(); ++c) values.emplace_back(names[c], row.cells[c]);
    auto record = ParseRecord(kind, values);
    if (!record.ok()) {
      FieldOfStatus refused = FieldAndReason(record.status());
      out.errors.push_back(SourceError{file, row.line, std::move(refused.field), std::move(refused.reason)});
      continue;
    }
    out.records.push_back(SourceRecord{std::move(*record), file, row.line});
  }
  return absl::OkStatus();
}

absl::StatusOr<CsvFolder> ReadCsvFolder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("no such folder: ", dir));
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".csv") continue;
    const std::string name = entry.path().filename().string();
    bool known = false;
    for (int k = 0; k < kRecordKindCount; ++k) known |= KindFileName(static_cast<RecordKind>(k)) == name;
    if (!known) {
      std::vector<absl::string_view> names;
      for (int k = 0; k < kRecordKindCount; ++k) names.push_back(KindFileName(static_cast<RecordKind>(k)));
      return absl::InvalidArgumentError(absl::StrCat(
          dir, "/", name, ": unknown file; expected some of ", absl::StrJoin(names, ", ")));
    }
  }
  CsvFolder folder;
  std::vector<std::string> not_utf8;
  for (int k = 0; k < kRecordKindCount; ++k) {
    const auto kind = static_cast<RecordKind>(k);
    const fs::path path = fs::path(dir) / std::string(KindFileName(kind));
    if (!fs::exists(path, ec)) continue;
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::PermissionDeniedError(absl::StrCat("cannot read ", path.string()));
    std::stringstream buffer;
    buffer << in.rdbuf();
    folder.files.push_back(std::string(KindFileName(kind)));
    absl::Status parsed = ParseCsvFile(kind, KindFileName(kind), buffer.str(), folder);
    if (!parsed.ok()) not_utf8.push_back(std::string(parsed.message()));
  }
  if (!not_utf8.empty()) return absl::InvalidArgumentError(absl::StrJoin(not_utf8, "\n"));
  return folder;
}

std::string CsvCell(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

absl::Status WriteCsvFolder(const std::string& dir, const std::vector<Record>& records) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  std::vector<std::string> contents(kRecordKindCount);
  for (const Record& record : records) {
    std::string& out = contents[static_cast<int>(KindOf(record))];
    bool first = true;
    for (const std::string& cell : FormatRecord(record)) {
      if (!first) out.push_back(',');
      out += CsvCell(cell);
      first = false;
    }
    out.push_back('\n');
  }
  for (int k = 0; k < kRecordKindCount; ++k) {
    if (contents[k].empty()) continue;
    const auto kind = static_cast<RecordKind>(k);
    std::ofstream file(fs::path(dir) / std::string(KindFileName(kind)), std::ios::binary | std::ios::trunc);
    file << absl::StrJoin(KindColumns(kind), ",") << "\n" << contents[k];
    if (!file) return absl::DataLossError(absl::StrCat("cannot write ", KindFileName(kind)));
  }
  return absl::OkStatus();
}

}  // namespace forecastle

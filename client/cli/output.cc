#include "client/cli/output.h"

#include <algorithm>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "engine/actuals/csv.h"

namespace forecastle::cli {

absl::StatusOr<Format> ParseFormat(const std::string& text) {
  if (text.empty() || text == "table") return Format::kTable;
  if (text == "csv") return Format::kCsv;
  if (text == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--format must be table, csv or json, got \"", text, "\""));
}

void PrintGrid(const Grid& grid, Format format, std::ostream& out) {
  if (format == Format::kCsv) {
    auto line = [&](const std::vector<std::string>& cells) {
      for (size_t c = 0; c < cells.size(); ++c) out << (c ? "," : "") << CsvCell(cells[c]);
      out << "\n";
    };
    line(grid.header);
    for (const auto& row : grid.rows) line(row);
    return;
  }
  std::vector<size_t> widths(grid.header.size());
  for (size_t c = 0; c < widths.size(); ++c) widths[c] = grid.header[c].size();
  for (const auto& row : grid.rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t c = 0; c < cells.size(); ++c) {
      // First column (period or group) left-aligned, numbers right-aligned.
      text += c == 0 ? absl::StrFormat("%-*s", widths[c], cells[c])
                     : absl::StrFormat("  %*s", widths[c], cells[c]);
    }
    out << text << "\n";
  };
  line(grid.header);
  for (const auto& row : grid.rows) line(row);
}

void PrintJson(const google::protobuf::Message& message, std::ostream& out) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  out << json;
}

namespace {

std::string Ratio(bool present, double value) {
  return present ? absl::StrFormat("%.4f", value) : "";
}

std::string GroupColumn(v1::GroupBy group_by) {
  return group_by == v1::GROUP_BY_SEGMENT ? "segment" : "customer_id";
}

bool Grouped(v1::GroupBy group_by) {
  return group_by == v1::GROUP_BY_SEGMENT || group_by == v1::GROUP_BY_CUSTOMER;
}

}  // namespace

Grid MetricsGrid(const v1::MetricsReply& reply, v1::GroupBy group_by) {
  Grid grid;
  if (Grouped(group_by)) grid.header.push_back(GroupColumn(group_by));
  for (const char* name : {"period", "bookings", "bookings_new", "bookings_existing", "revenue",
                           "billings", "collections", "cancellations", "backlog",
                           "unbilled_backlog", "deferred_revenue", "contract_assets",
                           "accounts_receivable", "book_to_bill", "backlog_coverage_months"}) {
    grid.header.push_back(name);
  }
  for (const v1::MetricsTable& table : reply.tables()) {
    for (const v1::PeriodMetrics& p : table.periods()) {
      std::vector<std::string> row;
      if (Grouped(group_by)) row.push_back(table.group());
      row.insert(row.end(),
                 {p.period(), p.bookings(), p.bookings_new(), p.bookings_existing(), p.revenue(),
                  p.billings(), p.collections(), p.cancellations(), p.backlog(),
                  p.unbilled_backlog(), p.deferred_revenue(), p.contract_assets(),
                  p.accounts_receivable(), Ratio(p.has_book_to_bill(), p.book_to_bill()),
                  Ratio(p.has_backlog_coverage_months(), p.backlog_coverage_months())});
      grid.rows.push_back(std::move(row));
    }
  }
  return grid;
}

Grid BacklogGrid(const v1::BacklogReply& reply, v1::GroupBy group_by) {
  Grid grid;
  if (Grouped(group_by)) grid.header.push_back(GroupColumn(group_by));
  grid.header.insert(grid.header.end(), {"as_of", "backlog", "age_0_90", "age_91_180",
                                         "age_181_365", "age_366_plus", "crpo", "non_current"});
  for (const v1::BacklogReport& r : reply.reports()) {
    std::vector<std::string> row;
    if (Grouped(group_by)) row.push_back(r.group());
    row.push_back(reply.as_of());
    row.push_back(r.backlog());
    for (const v1::AgingBucket& bucket : r.aging()) row.push_back(bucket.amount());
    row.push_back(r.crpo());
    row.push_back(r.non_current());
    grid.rows.push_back(std::move(row));
  }
  return grid;
}

Grid ScheduleGrid(const v1::ScheduleReply& reply) {
  Grid grid;
  grid.header = {"line_id", "kind", "month", "revenue", "recognized_to_date", "backlog", "basis"};
  for (const v1::LineSchedule& line : reply.lines()) {
    std::string kind = v1::LineKind_Name(line.line().kind());
    constexpr absl::string_view kPrefix = "LINE_KIND_";
    if (absl::StartsWith(kind, kPrefix)) kind = absl::AsciiStrToLower(kind.substr(kPrefix.size()));
    for (const v1::ScheduleMonth& m : line.months()) {
      grid.rows.push_back({line.line().line_id(), kind, m.month(), m.revenue(),
                           m.recognized_to_date(), m.backlog(), m.scheduled() ? "scheduled" : "actual"});
    }
  }
  return grid;
}

}  // namespace forecastle::cli

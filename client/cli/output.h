// How the CLI prints replies: aligned tables for people, CSV for spreadsheets, JSON (protobuf's
// JSON mapping) for programs.
#ifndef FORECASTLE_CLIENT_CLI_OUTPUT_H_
#define FORECASTLE_CLIENT_CLI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "forecastle/v1/actuals.pb.h"

namespace forecastle::cli {

enum class Format { kTable, kCsv, kJson };
absl::StatusOr<Format> ParseFormat(const std::string& text);

// Rows of cells with a header; printed as an aligned table or as CSV.
struct Grid {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
void PrintGrid(const Grid& grid, Format format, std::ostream& out);
void PrintJson(const google::protobuf::Message& message, std::ostream& out);

// The metrics table; with grouping, a leading `segment` or `customer_id` column.
Grid MetricsGrid(const v1::MetricsReply& reply, v1::GroupBy group_by);
Grid BacklogGrid(const v1::BacklogReply& reply, v1::GroupBy group_by);
Grid ScheduleGrid(const v1::ScheduleReply& reply);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_OUTPUT_H_

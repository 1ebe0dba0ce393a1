// Conversions between the API's protobuf messages and the engine's types, and between
// absl::Status and grpc::Status. The only place that knows both sides.
#ifndef FORECASTLE_PROTO_WIRE_CONVERT_H_
#define FORECASTLE_PROTO_WIRE_CONVERT_H_

#include <grpcpp/support/status.h>

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "engine/actuals/metrics.h"
#include "engine/actuals/records.h"
#include "forecastle/v1/actuals.pb.h"
#include "forecastle/v1/ledger.pb.h"

namespace forecastle {

// absl codes map one to one onto gRPC codes.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Records travel as one message per kind whose fields are the kind's columns (record_table.h),
// by name: ids and free text as strings, dates, months and decimals as the text the API's
// conventions fix (ledger.proto), a choice as its enum, a count as an optional int64, a flag as a
// bool. Both directions are one loop over the kind's table.

// The message type of a kind (v1::Customer, v1::Invoice, ...): its field in v1::Record.
const google::protobuf::Descriptor* RecordMessageType(RecordKind kind);
// A record message (any kind) to the engine's record, validated as ParseRecord validates. Errors
// name their field (FieldOf); an empty oneof is INVALID_ARGUMENT about "record".
absl::StatusOr<Record> RecordFromProto(const v1::Record& message);
// One kind's message (v1::Customer, v1::Invoice, ...) to the engine's record.
absl::StatusOr<Record> RecordFromProto(RecordKind kind, const google::protobuf::Message& message);
v1::Record RecordToProto(const Record& record);
// Sets the fields of `message`, of the record's kind's type, from the record.
void FillRecordMessage(const Record& record, google::protobuf::Message* message);

// Parses an optional date, defaulting to `today` when empty.
absl::StatusOr<Date> ParseAsOf(absl::string_view text, Date today, absl::string_view field = "as_of");
// Today's date in UTC from the system clock.
Date TodayUtc();
// The moment of a request's `known_at` (ledger.proto), in microseconds since the epoch: RFC 3339
// ("2026-11-05T14:30:00Z", "…+01:00", fractions to the microsecond) or a date, meaning its end
// (the last microsecond of the day, UTC). Empty, or later than `now_us`: nullopt, the ledger now.
absl::StatusOr<std::optional<int64_t>> ParseKnownAt(absl::string_view text, int64_t now_us,
                                                    absl::string_view field = "known_at");
// The server's clock for ParseKnownAt, in microseconds since the epoch.
int64_t NowMicros();

absl::StatusOr<MetricsQuery> MetricsQueryFromProto(const v1::MetricsRequest& request, Date today);
absl::StatusOr<Selection> SelectionFromProto(v1::GroupBy group_by, const std::string& segment,
                                             const std::string& customer_id);
// A message's bytes inside its parent: a tag, its length, its bytes.
int64_t EmbeddedBytes(const google::protobuf::Message& message);
// At least what one row takes in a reply (every amount 0.00, no ratios): the bytes a server
// budgets per row to refuse a reply too large for its message limit before computing it.
int64_t MetricsRowBytes(Grain grain);  // a PeriodMetrics
int64_t BacklogRowBytes();             // a BacklogReport
int64_t ScheduleRowBytes();            // a ScheduleMonth
void MetricsToProto(const std::vector<MetricsTable>& tables, Date as_of, v1::MetricsReply* reply);
void BacklogToProto(const std::vector<BacklogReport>& reports, Date as_of, v1::BacklogReply* reply);
void ScheduleToProto(const ContractSchedule& schedule, Date as_of, v1::ScheduleReply* reply);

}  // namespace forecastle

#endif  // FORECASTLE_PROTO_WIRE_CONVERT_H_

// Conversions between the API's protobuf messages and the engine's types, and between
// absl::Status and grpc::Status. The only place that knows both sides.
#ifndef FORECASTLE_PROTO_WIRE_CONVERT_H_
#define FORECASTLE_PROTO_WIRE_CONVERT_H_

#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "engine/actuals/metrics.h"
#include "engine/actuals/records.h"
#include "forecastle/v1/actuals.pb.h"
#include "forecastle/v1/ledger.pb.h"

namespace forecastle {

// absl codes map one to one onto gRPC codes.
grpc::Status ToGrpcStatus(const absl::Status& status);

// A record message (any kind) to the engine's record, validated by ParseRecord. Errors start with
// the field name. An empty oneof is INVALID_ARGUMENT "record: ...".
absl::StatusOr<Record> RecordFromProto(const v1::Record& message);
// One kind's message (v1::Customer, v1::Invoice, ...) to the engine's record.
absl::StatusOr<Record> RecordFromProto(RecordKind kind, const google::protobuf::Message& message);
v1::Record RecordToProto(const Record& record);
void FillRecordMessage(const Record& record, google::protobuf::Message* message);

// Parses an optional date, defaulting to `today` when empty.
absl::StatusOr<Date> ParseAsOf(absl::string_view text, Date today, absl::string_view field = "as_of");
// Today's date in UTC from the system clock.
Date TodayUtc();

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

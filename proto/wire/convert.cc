#include "proto/wire/convert.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/actuals/record_table.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Each kind's proto field per column of its table (record_table.h), by name: the message of the
// kind's field in v1::Record. A column without its field would be a contract broken by an edit
// of one side only; tests/proto/wire/convert_test.cc checks both sides field by field.
const std::vector<const FieldDescriptor*>& FieldsOf(RecordKind kind) {
  static const auto* const fields = [] {
    auto* all = new std::vector<std::vector<const FieldDescriptor*>>(kRecordKindCount);
    for (int k = 0; k < kRecordKindCount; ++k) {
      const Descriptor* message = RecordMessageType(static_cast<RecordKind>(k));
      for (const Column& column : TableOf(static_cast<RecordKind>(k)).columns) {
        (*all)[k].push_back(message->FindFieldByName(std::string(column.name)));
      }
    }
    return all;
  }();
  return (*fields)[static_cast<size_t>(kind)];
}

// A column's value from its field: text fields are read as the column reads text (ids as they
// are, dates and amounts parsed once); enums, counts and flags are typed already.
absl::StatusOr<CellValue> CellFromField(const Message& message, const FieldDescriptor* field, const Column& column) {
  const Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return ParseCell(column, reflection->GetStringReference(message, field, &scratch));
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = reflection->GetEnumValue(message, field);
      if (number == 0) return CellValue();  // UNSPECIFIED: absent
      if (number < 0 || static_cast<size_t>(number) > column.choices.size()) {
        // A value the .proto does not define (a newer client's) has no name of ours.
        return InvalidFieldError(column.name, absl::StrCat("expected ", ChoiceList(column.choices),
                                                           ", got the unknown enum value ", number));
      }
      return CellValue(int64_t{number - 1});
    }
    case FieldDescriptor::CPPTYPE_INT64:
      if (!reflection->HasField(message, field)) return CellValue();
      return CellValue(reflection->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection->GetBool(message, field) ? CellValue(int64_t{1}) : CellValue();
    default:
      return absl::InternalError(absl::StrCat(field->full_name(), ": a field type no column has"));
  }
}

void CellToField(const CellValue& value, const Column& column, const FieldDescriptor* field, Message* message) {
  if (IsAbsent(value)) return;
  const Reflection* reflection = message->GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      reflection->SetString(message, field, FormatCell(column, value));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      reflection->SetEnumValue(message, field, static_cast<int>(std::get<int64_t>(value)) + 1);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      reflection->SetInt64(message, field, std::get<int64_t>(value));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      reflection->SetBool(message, field, std::get<int64_t>(value) != 0);
      break;
    default:
      break;
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

const Descriptor* RecordMessageType(RecordKind kind) {
  return v1::Record::descriptor()->FindFieldByNumber(static_cast<int>(kind) + 1)->message_type();
}

absl::StatusOr<Record> RecordFromProto(RecordKind kind, const Message& message) {
  if (message.GetDescriptor() != RecordMessageType(kind)) {
    return absl::InternalError(absl::StrCat(message.GetTypeName(), " is no ", KindName(kind), " message"));
  }
  const std::vector<const FieldDescriptor*>& fields = FieldsOf(kind);
  const std::vector<Column>& columns = TableOf(kind).columns;
  return BuildRecord(kind, [&](const Column& column) {
    return CellFromField(message, fields[static_cast<size_t>(&column - columns.data())], column);
  });
}

absl::StatusOr<Record> RecordFromProto(const v1::Record& message) {
  if (message.record_case() == v1::Record::RECORD_NOT_SET) {
    return InvalidFieldError("record", "no record kind is set");
  }
  const auto kind = static_cast<RecordKind>(message.record_case() - 1);
  const Reflection* reflection = message.GetReflection();
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByNumber(message.record_case());
  return RecordFromProto(kind, reflection->GetMessage(message, field));
}

void FillRecordMessage(const Record& record, Message* message) {
  const RecordKind kind = KindOf(record);
  const std::vector<const FieldDescriptor*>& fields = FieldsOf(kind);
  const std::vector<Column>& columns = TableOf(kind).columns;
  for (size_t c = 0; c < columns.size(); ++c) CellToField(columns[c].get(record), columns[c], fields[c], message);
}

v1::Record RecordToProto(const Record& record) {
  v1::Record message;
  const FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByNumber(static_cast<int>(KindOf(record)) + 1);
  FillRecordMessage(record, message.GetReflection()->MutableMessage(&message, field));
  return message;
}

Date TodayUtc() {
  const auto now = std::chrono::system_clock::now();
  return Date{static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count())};
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<std::optional<int64_t>> ParseKnownAt(absl::string_view text, int64_t now_us, absl::string_view field) {
  if (text.empty()) return std::nullopt;
  int64_t known_at_us = 0;
  if (text.size() == 10) {
    absl::StatusOr<Date> day = ParseDate(text, field);
    if (!day.ok()) return day.status();
    known_at_us = (int64_t{day->days} + 1) * 86'400'000'000 - 1;
  } else {
    absl::Time time;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": expected an RFC 3339 timestamp (2026-11-05T14:30:00Z) or a date (2026-11-05), got ",
          Quoted(text)));
    }
    known_at_us = absl::ToUnixMicros(time);
  }
  if (known_at_us >= now_us) return std::nullopt;
  return known_at_us;
}

absl::StatusOr<Date> ParseAsOf(absl::string_view text, Date today, absl::string_view field) {
  if (text.empty()) return today;
  return ParseDate(text, field);
}

absl::StatusOr<Selection> SelectionFromProto(v1::GroupBy group_by, const std::string& segment,
                                             const std::string& customer_id) {
  Selection selection;
  switch (group_by) {
    case v1::GROUP_BY_UNSPECIFIED:
    case v1::GROUP_BY_COMPANY: selection.group_by = GroupBy::kCompany; break;
    case v1::GROUP_BY_SEGMENT: selection.group_by = GroupBy::kSegment; break;
    case v1::GROUP_BY_CUSTOMER: selection.group_by = GroupBy::kCustomer; break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("group_by: unknown value ", group_by));
  }
  RETURN_IF_ERROR(CheckLength(segment, kMaxIdBytes, "segment"));
  RETURN_IF_ERROR(CheckLength(customer_id, kMaxIdBytes, "customer_id"));
  selection.segment = segment;
  selection.customer_id = customer_id;
  return selection;
}

absl::StatusOr<MetricsQuery> MetricsQueryFromProto(const v1::MetricsRequest& request, Date today) {
  MetricsQuery query;
  if (request.from().empty()) return absl::InvalidArgumentError("from: required (YYYY-MM)");
  if (request.to().empty()) return absl::InvalidArgumentError("to: required (YYYY-MM)");
  ASSIGN_OR_RETURN(query.from, ParseMonth(request.from(), "from"));
  ASSIGN_OR_RETURN(query.to, ParseMonth(request.to(), "to"));
  switch (request.grain()) {
    case v1::GRAIN_UNSPECIFIED:
    case v1::GRAIN_MONTH: query.calendar.grain = Grain::kMonth; break;
    case v1::GRAIN_QUARTER: query.calendar.grain = Grain::kQuarter; break;
    case v1::GRAIN_YEAR: query.calendar.grain = Grain::kYear; break;
    default: return absl::InvalidArgumentError(absl::StrCat("grain: unknown value ", request.grain()));
  }
  const int fiscal = request.fiscal_year_start_month();
  if (fiscal < 0 || fiscal > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("fiscal_year_start_month: must be in [1, 12] (0 = 1), got ", fiscal));
  }
  query.calendar.fiscal_year_start_month = fiscal == 0 ? 1 : fiscal;
  ASSIGN_OR_RETURN(query.as_of, ParseAsOf(request.as_of(), today));
  ASSIGN_OR_RETURN(query.selection,
                   SelectionFromProto(request.group_by(), request.segment(), request.customer_id()));
  return query;
}

int64_t EmbeddedBytes(const google::protobuf::Message& message) {
  const size_t size = message.ByteSizeLong();
  return 1 + (size < 128 ? 1 : size < 16384 ? 2 : 3) + static_cast<int64_t>(size);
}

int64_t MetricsRowBytes(Grain grain) {
  MetricsTable table;
  table.periods.resize(1);
  PeriodMetrics& m = table.periods[0];
  m.period.label = grain == Grain::kYear ? "2026" : "2026-01";
  m.period.first = m.period.last = Date{20000};
  v1::MetricsReply reply;
  MetricsToProto({table}, Date{20000}, &reply);
  return EmbeddedBytes(reply.tables(0).periods(0));
}

int64_t BacklogRowBytes() {
  v1::BacklogReply reply;
  BacklogToProto({BacklogReport{}}, Date{20000}, &reply);
  return EmbeddedBytes(reply.reports(0));
}

int64_t ScheduleRowBytes() {
  v1::ScheduleMonth month;
  month.set_month("2026-01");
  for (auto* field : {month.mutable_revenue(), month.mutable_recognized_to_date(), month.mutable_backlog()}) {
    *field = FormatCents(0);
  }
  return EmbeddedBytes(month);
}

void MetricsToProto(const std::vector<MetricsTable>& tables, Date as_of, v1::MetricsReply* reply) {
  reply->set_as_of(FormatDate(as_of));
  for (const MetricsTable& table : tables) {
    v1::MetricsTable* out = reply->add_tables();
    out->set_group(table.group);
    for (const PeriodMetrics& m : table.periods) {
      v1::PeriodMetrics* p = out->add_periods();
      p->set_period(m.period.label);
      p->set_first_day(FormatDate(m.period.first));
      p->set_last_day(FormatDate(m.period.last));
      p->set_partial(m.partial);
      p->set_bookings(FormatCents(m.bookings));
      p->set_bookings_new(FormatCents(m.bookings_new));
      p->set_bookings_existing(FormatCents(m.bookings_existing));
      p->set_revenue(FormatCents(m.revenue));
      p->set_billings(FormatCents(m.billings));
      p->set_collections(FormatCents(m.collections));
      p->set_cancellations(FormatCents(m.cancellations));
      p->set_backlog(FormatCents(m.backlog));
      p->set_unbilled_backlog(FormatCents(m.unbilled_backlog));
      p->set_deferred_revenue(FormatCents(m.deferred_revenue));
      p->set_contract_assets(FormatCents(m.contract_assets));
      p->set_accounts_receivable(FormatCents(m.accounts_receivable));
      if (m.book_to_bill) p->set_book_to_bill(*m.book_to_bill);
      if (m.backlog_coverage_months) p->set_backlog_coverage_months(*m.backlog_coverage_months);
    }
  }
}

void BacklogToProto(const std::vector<BacklogReport>& reports, Date as_of, v1::BacklogReply* reply) {
  reply->set_as_of(FormatDate(as_of));
  for (const BacklogReport& r : reports) {
    v1::BacklogReport* out = reply->add_reports();
    out->set_group(r.group);
    out->set_backlog(FormatCents(r.backlog));
    for (size_t b = 0; b < r.aging.size(); ++b) {
      v1::AgingBucket* bucket = out->add_aging();
      bucket->set_label(kAgingBucketNames[b]);
      bucket->set_amount(FormatCents(r.aging[b]));
    }
    out->set_crpo(FormatCents(r.crpo));
    out->set_non_current(FormatCents(r.backlog - r.crpo));
  }
}

void ScheduleToProto(const ContractSchedule& schedule, Date as_of, v1::ScheduleReply* reply) {
  FillRecordMessage(schedule.contract, reply->mutable_contract());
  reply->set_booked(FormatCents(schedule.booked));
  reply->set_as_of(FormatDate(as_of));
  for (const LineSchedule& line : schedule.lines) {
    v1::LineSchedule* out = reply->add_lines();
    FillRecordMessage(line.line, out->mutable_line());
    out->set_amount(FormatCents(line.amount));
    out->set_cancelled(FormatCents(line.cancelled));
    for (const ScheduleMonth& m : line.months) {
      v1::ScheduleMonth* month = out->add_months();
      month->set_month(FormatMonth(m.month));
      month->set_revenue(FormatCents(m.revenue));
      month->set_recognized_to_date(FormatCents(m.recognized_to_date));
      month->set_backlog(FormatCents(m.backlog));
      month->set_scheduled(m.scheduled);
    }
  }
}

}  // namespace forecastle

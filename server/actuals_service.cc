#include "server/actuals_service.h"

#include "absl/strings/str_cat.h"
#include "engine/actuals/metrics.h"
#include "engine/common/quote.h"
#include "proto/wire/convert.h"

namespace forecastle {

namespace {

// A call whose client gave up (cancelled, or its deadline passed) is not worth computing.
grpc::Status StillWanted(grpc::ServerContext* context) {
  if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client");
  if (context->deadline() < std::chrono::system_clock::now()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before the query ran");
  }
  return grpc::Status::OK;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Ledger>> ActualsServiceImpl::KnownAt(const std::string& known_at) {
  absl::StatusOr<std::optional<int64_t>> moment = ParseKnownAt(known_at, NowMicros());
  if (!moment.ok()) return moment.status();
  return book_->KnownAt(*moment);
}

grpc::Status ActualsServiceImpl::GetMetrics(grpc::ServerContext* context, const v1::MetricsRequest* request,
                                            v1::MetricsReply* reply) {
  if (grpc::Status wanted = StillWanted(context); !wanted.ok()) return wanted;
  absl::StatusOr<MetricsQuery> query = MetricsQueryFromProto(*request, TodayUtc());
  if (!query.ok()) return ToGrpcStatus(query.status());
  query->limit.bytes_per_row = MetricsRowBytes(query->calendar.grain);
  query->limit.max_bytes = limits_.max_reply_bytes;
  absl::StatusOr<std::shared_ptr<const Ledger>> past = KnownAt(request->known_at());
  if (!past.ok()) return ToGrpcStatus(past.status());
  const std::string key = absl::StrCat(request->SerializeAsString(), "@", query->as_of.days);
  // Replies are cached for the current ledger only; a past one keeps its own (KnownAt's) cache.
  const bool cached = *past == nullptr;
  absl::Status status = book_->ReadAt(*past, [&](const Ledger& ledger) -> absl::Status {
    if (cached) {
      std::lock_guard lock(cache_mu_);
      if (cache_version_ != ledger.version()) {
        cache_.clear();
        cache_version_ = ledger.version();
      }
      if (auto it = cache_.find(key); it != cache_.end()) {
        *reply = *it->second;
        return absl::OkStatus();
      }
    }
    absl::StatusOr<std::vector<MetricsTable>> tables = ComputeMetrics(ledger, *query);
    if (!tables.ok()) return tables.status();
    MetricsToProto(*tables, query->as_of, reply);
    // The estimate counts every amount as 0.00: larger amounts can still pass the limit.
    if (const size_t bytes = reply->ByteSizeLong(); bytes > static_cast<size_t>(limits_.max_reply_bytes)) {
      reply->Clear();
      return absl::ResourceExhaustedError(absl::StrCat(
          "the reply takes ", bytes, " bytes, more than the server's max_message_bytes (", limits_.max_reply_bytes,
          " bytes); narrow from/to, use a coarser grain, or filter by segment or customer_id"));
    }
    std::lock_guard lock(cache_mu_);
    if (cached && cache_version_ == ledger.version()) {
      if (cache_.size() >= kCacheEntries) cache_.clear();
      cache_[key] = std::make_shared<const v1::MetricsReply>(*reply);
    }
    return absl::OkStatus();
  });
  return ToGrpcStatus(status);
}

grpc::Status ActualsServiceImpl::GetBacklog(grpc::ServerContext* context, const v1::BacklogRequest* request,
                                            v1::BacklogReply* reply) {
  if (grpc::Status wanted = StillWanted(context); !wanted.ok()) return wanted;
  absl::StatusOr<Date> as_of = ParseAsOf(request->as_of(), TodayUtc());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  absl::StatusOr<Selection> selection =
      SelectionFromProto(request->group_by(), request->segment(), request->customer_id());
  if (!selection.ok()) return ToGrpcStatus(selection.status());
  const ReplyLimit limit{.bytes_per_row = BacklogRowBytes(), .max_bytes = limits_.max_reply_bytes};
  absl::StatusOr<std::shared_ptr<const Ledger>> past = KnownAt(request->known_at());
  if (!past.ok()) return ToGrpcStatus(past.status());
  absl::StatusOr<std::vector<BacklogReport>> reports =
      book_->ReadAt(*past, [&](const Ledger& ledger) { return ComputeBacklog(ledger, *as_of, *selection, limit); });
  if (!reports.ok()) return ToGrpcStatus(reports.status());
  BacklogToProto(*reports, *as_of, reply);
  return grpc::Status::OK;
}

grpc::Status ActualsServiceImpl::GetSchedule(grpc::ServerContext* context, const v1::ScheduleRequest* request,
                                             v1::ScheduleReply* reply) {
  if (grpc::Status wanted = StillWanted(context); !wanted.ok()) return wanted;
  if (request->contract_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "contract_id: required");
  }
  if (absl::Status id = CheckLength(request->contract_id(), kMaxIdBytes, "contract_id"); !id.ok()) {
    return ToGrpcStatus(id);
  }
  absl::StatusOr<Date> as_of = ParseAsOf(request->as_of(), TodayUtc());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  const ReplyLimit limit{.bytes_per_row = ScheduleRowBytes(), .max_bytes = limits_.max_reply_bytes};
  absl::StatusOr<std::shared_ptr<const Ledger>> past = KnownAt(request->known_at());
  if (!past.ok()) return ToGrpcStatus(past.status());
  absl::StatusOr<ContractSchedule> schedule = book_->ReadAt(*past, 
      [&](const Ledger& ledger) { return ComputeSchedule(ledger, request->contract_id(), *as_of, limit); });
  if (!schedule.ok()) return ToGrpcStatus(schedule.status());
  ScheduleToProto(*schedule, *as_of, reply);
  return grpc::Status::OK;
}

}  // namespace forecastle

#include "server/ledger_service.h"

#include "engine/actuals/csv.h"
#include "server/convert.h"

namespace forecastle {

grpc::Status LedgerServiceImpl::Put(RecordKind kind, const google::protobuf::Message& message,
                                    v1::WriteReply* out) {
  absl::StatusOr<Record> record = RecordFromProto(kind, message);
  if (!record.ok()) return ToGrpcStatus(record.status());
  auto results = book_->Write({*std::move(record)});
  if (!results.ok()) return ToGrpcStatus(results.status());
  const absl::StatusOr<bool>& result = results->front();
  if (!result.ok()) return ToGrpcStatus(result.status());
  out->set_created(*result);
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::Import(grpc::ServerContext* context,
                                       grpc::ServerReader<v1::ImportRequest>* reader,
                                       v1::ImportReply* reply) {
  v1::ImportRequest request;
  int64_t index = 0;
  constexpr int kMaxListedErrors = 10000;
  auto add_error = [&](int64_t at, const std::string& key, const absl::Status& status) {
    if (reply->errors_size() >= kMaxListedErrors) {
      reply->set_errors_omitted(reply->errors_omitted() + 1);
      return;
    }
    v1::RecordError* error = reply->add_errors();
    auto [field, message] = SplitFieldMessage(status.message());
    error->set_index(at);
    error->set_key(key);
    error->set_field(field);
    error->set_message(message);
    error->set_code(static_cast<int>(status.code()));
  };
  std::vector<Record> batch;
  std::vector<int64_t> positions;
  while (reader->Read(&request)) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled");
    batch.clear();
    positions.clear();
    for (const v1::Record& message : request.records()) {
      absl::StatusOr<Record> record = RecordFromProto(message);
      if (record.ok()) {
        batch.push_back(*std::move(record));
        positions.push_back(index);
      } else {
        add_error(index, "", record.status());
      }
      ++index;
    }
    // Each message is stored in its own transaction, so memory stays bounded on long streams.
    auto results = book_->Write(batch);
    if (!results.ok()) return ToGrpcStatus(results.status());
    for (size_t i = 0; i < results->size(); ++i) {
      const absl::StatusOr<bool>& result = (*results)[i];
      if (!result.ok()) {
        add_error(positions[i], RecordKey(batch[i]), result.status());
      } else if (*result) {
        reply->set_created(reply->created() + 1);
      } else {
        reply->set_unchanged(reply->unchanged() + 1);
      }
    }
  }
  reply->set_received(index);
  // Errors were added in stream order within a message but conversion errors come first.
  std::stable_sort(reply->mutable_errors()->begin(), reply->mutable_errors()->end(),
                   [](const v1::RecordError& a, const v1::RecordError& b) { return a.index() < b.index(); });
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::Summary(grpc::ServerContext*, const v1::SummaryRequest*,
                                        v1::SummaryReply* reply) {
  book_->Read([&](const Ledger& ledger) {
    int64_t lines = 0, progress = 0, cancellations = 0;
    for (const ContractState& c : ledger.contracts()) {
      lines += static_cast<int64_t>(c.lines.size());
      for (const LineState& line : c.lines) {
        progress += static_cast<int64_t>(line.progress.size());
        cancellations += line.cancelled_on.has_value();
      }
    }
    reply->set_customers(static_cast<int64_t>(ledger.customers().size()));
    reply->set_contracts(static_cast<int64_t>(ledger.contracts().size()));
    reply->set_lines(lines);
    reply->set_progress(progress);
    reply->set_cancellations(cancellations);
    reply->set_invoices(static_cast<int64_t>(ledger.invoices().size()));
    reply->set_payments(static_cast<int64_t>(ledger.payments().size()));
    reply->set_opportunities(static_cast<int64_t>(ledger.opportunities().size()));
    reply->set_records(static_cast<int64_t>(ledger.record_count()));
    return 0;
  });
  return grpc::Status::OK;
}

}  // namespace forecastle

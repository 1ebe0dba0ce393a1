#include "server/ledger_service.h"

#include <openssl/evp.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/actuals/csv.h"
#include "engine/actuals/versions.h"
#include "engine/common/field_error.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "engine/common/utf8.h"
#include "proto/wire/convert.h"
#include "server/calls.h"

namespace forecastle {
namespace {

constexpr int kMaxBatchRecords = 10000;
constexpr size_t kMaxBatchIdBytes = 128;

// An import stream's error, naming the message it is about.
grpc::Status StreamError(int64_t message, absl::string_view why,
                         grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT) {
  return grpc::Status(code, absl::StrCat("import stream: message ", message, ": ", why));
}
grpc::Status StreamError(int64_t message, const absl::Status& status) {
  return StreamError(message, status.message(), static_cast<grpc::StatusCode>(status.code()));
}

absl::Status CheckBatch(const v1::ImportBatch& batch) {
  const std::string& id = batch.batch_id();
  if (id.empty()) return absl::InvalidArgumentError("batch_id: required");
  RETURN_IF_ERROR(CheckLength(id, kMaxBatchIdBytes, "batch_id"));
  RETURN_IF_ERROR(CheckUtf8(id, "batch_id"));
  if (batch.records_size() > kMaxBatchRecords) {
    return absl::InvalidArgumentError(absl::StrCat("records: at most ", kMaxBatchRecords,
                                                   " records a batch, got ", batch.records_size()));
  }
  return absl::OkStatus();
}

// SHA-256 of the batch's records, each deterministically serialized and length-prefixed: the
// same id sent again must carry the same records.
std::string Fingerprint(const v1::ImportBatch& batch) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> digest(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
  std::string bytes;
  for (const v1::Record& record : batch.records()) {
    bytes.clear();
    {
      google::protobuf::io::StringOutputStream out(&bytes);
      google::protobuf::io::CodedOutputStream coded(&out);
      coded.SetSerializationDeterministic(true);
      record.SerializeToCodedStream(&coded);
    }
    const uint64_t size = bytes.size();
    EVP_DigestUpdate(digest.get(), &size, sizeof size);
    EVP_DigestUpdate(digest.get(), bytes.data(), bytes.size());
  }
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(digest.get(), hash, &length);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(hash), length));
}

void AddError(v1::ImportBatchAck& ack, int index, const std::string& key, const absl::Status& status) {
  v1::RecordError* error = ack.add_errors();
  FieldOfStatus refused = FieldAndReason(status);
  error->set_index(index);
  error->set_key(key);
  error->set_field(std::move(refused.field));
  error->set_message(std::move(refused.reason));
  error->set_code(static_cast<int>(status.code()));
}

// The acknowledgement of `batch`: record i was refused by conversion when conversion[i] is not
// OK; the others were converted, in order, into `records`, whose results the ledger gave.
v1::ImportBatchAck Acknowledgement(const v1::ImportBatch& batch, const std::vector<absl::Status>& conversion,
                                   const std::vector<Record>& records, const LedgerBook::Results& results) {
  v1::ImportBatchAck ack;
  ack.set_batch_id(batch.batch_id());
  ack.set_received(batch.records_size());
  size_t k = 0;
  for (int i = 0; i < batch.records_size(); ++i) {
    if (!conversion[static_cast<size_t>(i)].ok()) {
      AddError(ack, i, "", conversion[static_cast<size_t>(i)]);
      continue;
    }
    const absl::StatusOr<Applied>& result = results[k];
    if (!result.ok()) {
      AddError(ack, i, RecordKey(records[k]), result.status());
    } else if (*result == Applied::kCreated) {
      ack.set_created(ack.created() + 1);
    } else if (*result == Applied::kRevised) {
      ack.set_revised(ack.revised() + 1);
    } else {
      ack.set_unchanged(ack.unchanged() + 1);
    }
    ++k;
  }
  return ack;
}

}  // namespace

grpc::Status LedgerServiceImpl::Put(const grpc::ServerContext& context, RecordKind kind,
                                    const google::protobuf::Message& message, v1::WriteReply* out) {
  absl::StatusOr<Record> record = RecordFromProto(kind, message);
  if (!record.ok()) return ToGrpcStatus(record.status());
  if (rate_ != nullptr) {
    if (absl::Status allowed = rate_->Take(1); !allowed.ok()) return ToGrpcStatus(allowed);
  }
  auto results = book_->Write({*std::move(record)}, AuditOf(context));
  if (!results.ok()) return ToGrpcStatus(results.status());
  const absl::StatusOr<Applied>& result = results->front();
  if (!result.ok()) return ToGrpcStatus(result.status());
  out->set_created(*result == Applied::kCreated);
  out->set_revised(*result == Applied::kRevised);
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::VoidRecord(grpc::ServerContext* context, const v1::VoidRequest* request,
                                           v1::VoidReply* reply) {
  std::optional<RecordKind> kind;
  for (int k = 0; k < kRecordKindCount; ++k) {
    if (KindName(static_cast<RecordKind>(k)) == request->kind()) kind = static_cast<RecordKind>(k);
  }
  if (!kind) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("kind: expected a record kind such as \"opportunity\", got ", Quoted(request->kind())));
  }
  std::vector<std::string> key(request->key().begin(), request->key().end());
  for (const std::string& part : key) {
    if (absl::Status id = CheckLength(part, kMaxIdBytes, "key"); !id.ok()) return ToGrpcStatus(id);
  }
  absl::StatusOr<Record> identity = IdentityRecord(*kind, key);
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  if (rate_ != nullptr) {
    if (absl::Status allowed = rate_->Take(1); !allowed.ok()) return ToGrpcStatus(allowed);
  }
  absl::StatusOr<Record> voided = book_->Void(*identity, AuditOf(*context));
  if (!voided.ok()) return ToGrpcStatus(voided.status());
  *reply->mutable_voided() = RecordToProto(*voided);
  return grpc::Status::OK;
}

absl::StatusOr<v1::ImportBatchAck> LedgerServiceImpl::ApplyBatch(const v1::ImportBatch& batch,
                                                                 const AuditContext& audit) {
  RETURN_IF_ERROR(CheckBatch(batch));
  if (rate_ != nullptr) RETURN_IF_ERROR(rate_->Take(batch.records_size()));
  std::vector<absl::Status> conversion(static_cast<size_t>(batch.records_size()));
  std::vector<Record> records;
  records.reserve(conversion.size());
  for (int i = 0; i < batch.records_size(); ++i) {
    absl::StatusOr<Record> record = RecordFromProto(batch.records(i));
    if (record.ok()) {
      records.push_back(*std::move(record));
    } else {
      conversion[static_cast<size_t>(i)] = record.status();
    }
  }
  ASSIGN_OR_RETURN(
      LedgerBook::BatchOutcome outcome,
      book_->WriteBatch(batch.batch_id(), Fingerprint(batch), records,
                        [&](const LedgerBook::Results& results) {
                          return Acknowledgement(batch, conversion, records, results).SerializeAsString();
                        },
                        audit));
  v1::ImportBatchAck ack;
  if (!ack.ParseFromString(outcome.acknowledgement)) {
    return absl::DataLossError(absl::StrCat("batch_id: the stored acknowledgement of ", Quoted(batch.batch_id()),
                                            " is unreadable"));
  }
  ack.set_replayed(outcome.replayed);
  return ack;
}

grpc::Status LedgerServiceImpl::Import(grpc::ServerContext* context,
                                       grpc::ServerReaderWriter<v1::ImportReply, v1::ImportRequest>* stream) {
  const AuditContext audit = AuditOf(*context);
  v1::ImportRequest request;
  v1::ImportReply reply;
  v1::ImportSummary& summary = *reply.mutable_summary();
  for (int64_t message = 1;; ++message) {
    // Read() is false both when the client half-closes and when a message does not parse:
    // only the end message tells the two apart.
    if (!stream->Read(&request)) {
      if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled");
      return StreamError(message, absl::StrCat(
          "not received: the stream ended before its end message, or message ", message,
          " does not parse as an ImportRequest (e.g. a text field that is not UTF-8); the ",
          summary.batches(), " batches acknowledged before it are stored, nothing from message ",
          message, " on"));
    }
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled");
    if (request.has_end()) {
      const v1::ImportEnd& end = request.end();
      if (end.batches() != summary.batches() || end.records() != summary.received()) {
        return StreamError(message, absl::StrCat(
            "end: the client sent ", end.batches(), " batches of ", end.records(), " records, the server received ",
            summary.batches(), " batches of ", summary.received(), " records"));
      }
      if (!stream->Write(reply)) return grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled");
      if (stream->Read(&request)) return StreamError(message + 1, "sent after the end message");
      return grpc::Status::OK;
    }
    if (!request.has_batch()) {
      return StreamError(message, "neither a batch nor the end (a client of the Import before batch ids?)");
    }
    absl::StatusOr<v1::ImportBatchAck> ack = ApplyBatch(request.batch(), audit);
    if (!ack.ok()) return StreamError(message, ack.status());
    ack->set_message(message);
    summary.set_batches(summary.batches() + 1);
    summary.set_received(summary.received() + ack->received());
    summary.set_created(summary.created() + ack->created());
    summary.set_unchanged(summary.unchanged() + ack->unchanged());
    summary.set_revised(summary.revised() + ack->revised());
    summary.set_refused(summary.refused() + ack->errors_size());
    summary.set_replayed_batches(summary.replayed_batches() + ack->replayed());
    v1::ImportReply acknowledged;
    *acknowledged.mutable_batch() = *std::move(ack);
    if (!stream->Write(acknowledged)) return grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled");
  }
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
    reply->set_headcount(static_cast<int64_t>(ledger.headcount().size()));
    reply->set_records(static_cast<int64_t>(ledger.record_count()));
    return 0;
  });
  return grpc::Status::OK;
}

}  // namespace forecastle

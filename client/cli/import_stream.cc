#include "client/cli/import_stream.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace forecastle::cli {

std::string NewRunId() {
  std::random_device device;
  auto word = [&] { return (static_cast<uint64_t>(device()) << 32) | device(); };
  const uint64_t high = word();
  return absl::StrFormat("%016x%016x", high, word());
}

ImportStream::ImportStream(v1::LedgerService::Stub& stub, grpc::ClientContext& context, Options options)
    : options_(std::move(options)), context_(&context), stream_(stub.Import(&context)) {
  reader_ = std::thread([this] { ReadAcknowledgements(); });
}

ImportStream::~ImportStream() {
  if (finished_) return;
  context_->TryCancel();
  reader_.join();
  stream_->Finish().IgnoreError();
}

bool ImportStream::Send(v1::ImportBatch batch) {
  if (write_failed_) return false;
  int64_t number;
  {
    std::lock_guard lock(mu_);
    sent_sizes_.push_back(batch.records_size());
    number = static_cast<int64_t>(sent_sizes_.size());
    account_.batches_sent += 1;
    account_.records_sent += batch.records_size();
  }
  batch.set_batch_id(absl::StrCat(options_.run_id, "-", number));
  v1::ImportRequest request;
  *request.mutable_batch() = std::move(batch);
  write_failed_ = !stream_->Write(request);
  return !write_failed_;
}

void ImportStream::Check(bool ok, const std::string& difference) {
  if (!ok && difference_.empty()) difference_ = difference;
}

void ImportStream::ReadAcknowledgements() {
  v1::ImportReply reply;
  while (stream_->Read(&reply)) {
    std::lock_guard lock(mu_);
    if (reply.has_summary()) {
      Check(!summarized_, "the server summarized the import twice");
      summarized_ = true;
      summary_ = reply.summary();
      continue;
    }
    const v1::ImportBatchAck& ack = reply.batch();
    const size_t k = static_cast<size_t>(account_.batches_acknowledged);
    if (!reply.has_batch() || k >= sent_sizes_.size()) {
      Check(false, absl::StrCat("the server answered ", k + 1, " batches; ", sent_sizes_.size(), " were sent"));
      continue;
    }
    const std::string id = absl::StrCat(options_.run_id, "-", k + 1);
    const std::string batch = absl::StrCat("batch ", k + 1, " (", id, ")");
    Check(ack.batch_id() == id, absl::StrCat(batch, " was answered for \"", ack.batch_id(), "\""));
    Check(ack.received() == sent_sizes_[k], absl::StrCat(batch, ": ", sent_sizes_[k], " records sent, ",
                                                         ack.received(), " acknowledged"));
    Check(ack.created() + ack.revised() + ack.unchanged() + ack.errors_size() == ack.received(),
          absl::StrCat(batch, ": ", ack.created(), " created + ", ack.revised(), " revised + ", ack.unchanged(),
                       " unchanged + ",
                       ack.errors_size(), " refused is not the ", ack.received(), " acknowledged"));
    for (const v1::RecordError& error : ack.errors()) {
      Check(error.index() >= 0 && error.index() < sent_sizes_[k],
            absl::StrCat(batch, ": refused record ", error.index(), " is not in the batch"));
      v1::RecordError& refused = account_.refused.emplace_back(error);
      refused.set_index(next_start_ + error.index());
    }
    next_start_ += sent_sizes_[k];
    account_.batches_acknowledged += 1;
    account_.records_acknowledged += ack.received();
    account_.created += ack.created();
    account_.unchanged += ack.unchanged();
    account_.revised += ack.revised();
    account_.replayed_batches += ack.replayed();
    if (options_.on_acknowledged) options_.on_acknowledged(ack);
  }
}

ImportAccount ImportStream::Finish() {
  if (!write_failed_) {
    v1::ImportRequest end;
    {
      std::lock_guard lock(mu_);
      end.mutable_end()->set_batches(account_.batches_sent);
      end.mutable_end()->set_records(account_.records_sent);
    }
    stream_->Write(end);  // a failure shows in the status
  }
  stream_->WritesDone();
  reader_.join();
  grpc::Status status = stream_->Finish();
  finished_ = true;
  std::lock_guard lock(mu_);
  ImportAccount& a = account_;
  if (!status.ok()) {
    a.status = status;
    return a;
  }
  Check(a.batches_acknowledged == a.batches_sent,
        absl::StrCat(a.batches_sent, " batches sent, ", a.batches_acknowledged, " acknowledged"));
  Check(summarized_, "the stream ended without the server's summary");
  const int64_t refused = static_cast<int64_t>(a.refused.size());
  Check(summary_.batches() == a.batches_acknowledged && summary_.received() == a.records_acknowledged &&
            summary_.created() == a.created && summary_.unchanged() == a.unchanged && summary_.revised() == a.revised &&
            summary_.refused() == refused,
        absl::StrFormat("the server's summary (%d batches, %d records: %d created, %d unchanged, %d refused) "
                        "differs from its acknowledgements (%d batches, %d records: %d, %d, %d)",
                        summary_.batches(), summary_.received(), summary_.created(), summary_.unchanged(),
                        summary_.refused(), a.batches_acknowledged, a.records_acknowledged, a.created,
                        a.unchanged, refused));
  a.status = difference_.empty()
                 ? grpc::Status::OK
                 : grpc::Status(grpc::StatusCode::DATA_LOSS, absl::StrCat("the import is not accounted for: ", difference_));
  return a;
}

}  // namespace forecastle::cli

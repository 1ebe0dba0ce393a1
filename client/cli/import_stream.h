// The client's side of LedgerService.Import: sends batches with the ids of one run, reads their
// acknowledgements as they arrive, and checks them against what was sent, so that an import is
// reported as done only when every record sent is accounted for.
#ifndef FORECASTLE_CLIENT_CLI_IMPORT_STREAM_H_
#define FORECASTLE_CLIENT_CLI_IMPORT_STREAM_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "forecastle/v1/ledger.grpc.pb.h"

namespace forecastle::cli {

// What one import stream sent and what the server acknowledged of it.
struct ImportAccount {
  int64_t batches_sent = 0;
  int64_t records_sent = 0;
  int64_t batches_acknowledged = 0;
  int64_t records_acknowledged = 0;  // records in acknowledged batches: created + unchanged + refused
  int64_t created = 0;
  int64_t unchanged = 0;
  int64_t revised = 0;  // new versions of records in force (SPEC §3.5)
  int64_t replayed_batches = 0;  // acknowledged from an earlier run (the same batch id)
  // Refused records; `index` is the record's position among all records sent, from 0.
  std::vector<v1::RecordError> refused;
  // OK only when the stream ended OK, every batch was acknowledged exactly as sent and the
  // server's summary agrees. Otherwise the stream's error, or DATA_LOSS naming the difference.
  grpc::Status status;
};

// A random run id (128 bits, hex) for batch ids that no other import uses.
std::string NewRunId();

// One Import call. Send() each batch in order, then Finish(). Batches are pipelined: a thread
// reads acknowledgements while later batches are sent.
class ImportStream {
 public:
  struct Options {
    std::string run_id;  // batch n (from 1) is "<run_id>-<n>"; required
    // Called from the reading thread with each acknowledgement, in order (progress).
    std::function<void(const v1::ImportBatchAck&)> on_acknowledged;
  };

  // `context` must outlive the stream (its deadline covers the whole import).
  ImportStream(v1::LedgerService::Stub& stub, grpc::ClientContext& context, Options options);
  ~ImportStream();
  ImportStream(const ImportStream&) = delete;
  ImportStream& operator=(const ImportStream&) = delete;

  // Sends the next batch (its id is set here). False once the stream has failed: stop sending
  // and call Finish() for the reason.
  bool Send(v1::ImportBatch batch);
  // Sends the end message, waits for every acknowledgement and the end of the stream.
  ImportAccount Finish();

 private:
  void ReadAcknowledgements();
  void Check(bool ok, const std::string& difference);  // under mu_

  Options options_;
  grpc::ClientContext* context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ImportRequest, v1::ImportReply>> stream_;
  std::mutex mu_;
  std::vector<int64_t> sent_sizes_;  // records in each batch sent, in order (under mu_)
  int64_t next_start_ = 0;           // position of the first record of the next batch to acknowledge
  ImportAccount account_;            // under mu_
  std::string difference_;           // the first acknowledgement that differs from what was sent
  bool summarized_ = false;
  v1::ImportSummary summary_;
  bool write_failed_ = false;
  bool finished_ = false;
  std::thread reader_;
};

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_IMPORT_STREAM_H_

// LedgerService.Import driven message by message, as any client could: each message goes on the
// wire as the bytes given (so a test can send one that does not parse), replies are read on a
// second thread while later messages are still being sent, and the stream is half-closed after
// the last message.
#ifndef FORECASTLE_TESTS_TESTING_IMPORT_STREAM_H_
#define FORECASTLE_TESTS_TESTING_IMPORT_STREAM_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/sync_stream.h>

#include "engine/actuals/records.h"
#include "forecastle/v1/ledger.pb.h"
#include "proto/wire/convert.h"

namespace forecastle::testing {

struct StreamedImport {
  std::vector<v1::ImportBatchAck> acks;       // in the order received
  std::vector<v1::ImportSummary> summaries;   // one when the stream ended well
  grpc::Status status;
};

inline StreamedImport StreamImport(const std::string& address, const std::vector<std::string>& messages) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  const grpc::internal::RpcMethod method("/forecastle.v1.LedgerService/Import",
                                         grpc::internal::RpcMethod::BIDI_STREAMING, channel);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &context));
  StreamedImport out;
  std::thread reader([&] {
    grpc::ByteBuffer buffer;
    while (stream->Read(&buffer)) {
      std::vector<grpc::Slice> slices;
      if (!buffer.Dump(&slices).ok()) continue;
      std::string bytes;
      for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      v1::ImportReply reply;
      if (!reply.ParseFromString(bytes)) continue;
      if (reply.has_batch()) out.acks.push_back(reply.batch());
      if (reply.has_summary()) out.summaries.push_back(reply.summary());
    }
  });
  for (const std::string& message : messages) {
    grpc::Slice slice(message);
    grpc::ByteBuffer buffer(&slice, 1);
    if (!stream->Write(buffer)) break;
  }
  stream->WritesDone();
  reader.join();
  out.status = stream->Finish();
  return out;
}

// An ImportRequest carrying one batch, serialized.
inline std::string BatchMessage(const std::string& batch_id, const std::vector<Record>& records) {
  v1::ImportRequest request;
  request.mutable_batch()->set_batch_id(batch_id);
  for (const Record& record : records) *request.mutable_batch()->add_records() = RecordToProto(record);
  return request.SerializeAsString();
}

// The ImportRequest that ends a stream, serialized.
inline std::string EndMessage(int64_t batches, int64_t records) {
  v1::ImportRequest request;
  request.mutable_end()->set_batches(batches);
  request.mutable_end()->set_records(records);
  return request.SerializeAsString();
}

// `records` as batches of `per_batch` with ids "<run>-1", "<run>-2", ..., then the end message.
inline std::vector<std::string> ImportMessages(const std::vector<Record>& records, size_t per_batch,
                                               const std::string& run) {
  std::vector<std::string> messages;
  for (size_t begin = 0; begin < records.size(); begin += per_batch) {
    const auto end = records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), begin + per_batch));
    messages.push_back(BatchMessage(run + "-" + std::to_string(messages.size() + 1),
                                    std::vector<Record>(records.begin() + static_cast<std::ptrdiff_t>(begin), end)));
  }
  messages.push_back(EndMessage(static_cast<int64_t>(messages.size()), static_cast<int64_t>(records.size())));
  return messages;
}

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_IMPORT_STREAM_H_

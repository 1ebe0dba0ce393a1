// One unary call of raw request bytes, for what no typed stub can send: bytes that do not parse,
// or any service's method by name (health, every RPC of a descriptor).
#ifndef FORECASTLE_TESTS_TESTING_RAW_CALL_H_
#define FORECASTLE_TESTS_TESTING_RAW_CALL_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

namespace forecastle::testing {

// Calls `method` ("/package.Service/Method") with `request_bytes` and the given metadata; the
// reply's bytes go to *reply when given.
inline grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                                 const std::string& request_bytes, std::string* reply = nullptr,
                                 const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::CompletionQueue queue;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&context, method, request, &queue);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  if (reply != nullptr) {
    reply->clear();
    std::vector<grpc::Slice> slices;
    if (status.ok()) (void)response.Dump(&slices);
    for (const grpc::Slice& s : slices) reply->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_RAW_CALL_H_

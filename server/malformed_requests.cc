#include "server/malformed_requests.h"

#include <string>

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace forecastle {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

// "/forecastle.v1.ActualsService/GetMetrics" -> "forecastle.v1.MetricsRequest".
std::string RequestTypeName(const char* method) {
  std::string name = method;
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  absl::StrReplaceAll({{"/", "."}}, &name);
  const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
  return descriptor != nullptr ? descriptor->input_type()->full_name() : std::string("its request message");
}

class MalformedRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MalformedRequestInterceptor(ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    // The request was received but did not parse: the server passes no message on.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsed_ = true;
    }
    if (unparsed_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::INTERNAL && status.error_message().empty()) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat("request: the bytes received do not parse as a ", RequestTypeName(info_->method()),
                         " (malformed protobuf wire format, a field of the wrong type, or a string that is not "
                         "UTF-8)")));
      }
    }
    methods->Proceed();
  }

 private:
  ServerRpcInfo* info_;
  bool unparsed_ = false;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    if (info->type() != ServerRpcInfo::Type::UNARY && info->type() != ServerRpcInfo::Type::SERVER_STREAMING) {
      return nullptr;  // streamed requests report their own parse failures
    }
    return new MalformedRequestInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MalformedRequestInterceptorFactory() {
  return std::make_unique<Factory>();
}

}  // namespace forecastle

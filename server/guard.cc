#include "server/guard.h"

#include <grpc/grpc.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/method_handler.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace forecastle {
namespace {

// The handler a generated service registered for its method `index`. grpc::Service offers it to
// subclasses only (GetHandler is protected); a pointer to that member, taken here, is standard
// C++ and reads it from any service.
struct ServiceHandlers : grpc::Service {
  static grpc::internal::MethodHandler* Of(grpc::Service& service, int index) {
    return (service.*&ServiceHandlers::GetHandler)(index);
  }
};

grpc::internal::RpcMethod::RpcType MethodType(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) return grpc::internal::RpcMethod::BIDI_STREAMING;
  if (method.client_streaming()) return grpc::internal::RpcMethod::CLIENT_STREAMING;
  if (method.server_streaming()) return grpc::internal::RpcMethod::SERVER_STREAMING;
  return grpc::internal::RpcMethod::NORMAL_RPC;
}

// Runs the wrapped handler only when the gate lets the call through; otherwise answers the
// refusal as gRPC answers an unknown method, without running it.
class GuardHandler final : public grpc::internal::MethodHandler {
 public:
  GuardHandler(grpc::internal::MethodHandler* inner, const char* method, const Gate* gate)
      : inner_(inner), method_(method), gate_(gate) {}

  void RunHandler(const HandlerParameter& param) override {
    // A unary or server-streaming method's request, parsed by the wrapped handler's Deserialize:
    // a generated message, whose first and only base is google::protobuf::Message.
    auto* request = static_cast<google::protobuf::Message*>(param.request);
    const absl::Status allowed = gate_->Check(method_, param.server_context->client_metadata(), request);
    if (allowed.ok()) return inner_->RunHandler(param);
    if (request != nullptr) request->~Message();  // it lives in the call's arena; the handler would end it
    const std::string message(allowed.message());
    if (absl::IsUnauthenticated(allowed)) {
      grpc::internal::ErrorMethodHandler<grpc::StatusCode::UNAUTHENTICATED>(message).RunHandler(param);
    } else {
      grpc::internal::ErrorMethodHandler<grpc::StatusCode::PERMISSION_DENIED>(message).RunHandler(param);
    }
  }

  void* Deserialize(grpc_call* call, grpc_byte_buffer* req, grpc::Status* status, void** handler_data) override {
    return inner_->Deserialize(call, req, status, handler_data);
  }

 private:
  grpc::internal::MethodHandler* inner_;
  const char* method_;
  const Gate* gate_;
};

// Ends a refused call with its status as soon as its metadata arrives. The handler still runs,
// but on a call already ended: it reads no request and sends nothing.
class GuardInterceptor final : public grpc::experimental::Interceptor {
 public:
  GuardInterceptor(grpc::experimental::ServerRpcInfo* info, const Gate* gate) : info_(info), gate_(gate) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const absl::Status allowed = gate_->Check(info_->method(), *methods->GetRecvInitialMetadata(), nullptr);
      if (!allowed.ok()) {
        const std::string message(allowed.message());
        grpc_call_cancel_with_status(info_->server_context()->c_call(),
                                     static_cast<grpc_status_code>(allowed.code()), message.c_str(), nullptr);
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const Gate* gate_;
};

}  // namespace

absl::StatusOr<absl::string_view> BearerSecret(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  auto [first, last] = metadata.equal_range("authorization");
  if (first == last) {
    return absl::UnauthenticatedError(
        "this server needs a bearer token: send the metadata \"authorization: Bearer <token>\"");
  }
  if (std::next(first) != last) return absl::UnauthenticatedError("send one authorization metadata entry, not several");
  const absl::string_view value(first->second.data(), first->second.size());
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError("the authorization metadata must be \"Bearer <token>\"");
  }
  return absl::StripAsciiWhitespace(value.substr(kScheme.size()));
}

absl::Status Gate::Check(absl::string_view method, const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                         const google::protobuf::Message* request) const {
  if (IsOpenMethod(method)) return absl::OkStatus();
  const absl::StatusOr<absl::string_view> secret = BearerSecret(metadata);
  if (!secret.ok()) return secret.status();
  const absl::StatusOr<Role> role = tokens_->Authenticate(*secret);
  if (!role.ok()) {
    // A store that failed is not the caller's fault; any other refusal is UNAUTHENTICATED.
    return absl::IsUnauthenticated(role.status()) ? role.status()
                                                 : absl::UnavailableError("cannot check the token now; try again");
  }
  const MethodAccess* access = FindMethodAccess(method);
  if (access == nullptr) return absl::PermissionDeniedError(absl::StrCat(method, " is not open to any role"));
  const Role needed = NeededRole(*access, request);
  if (*role >= needed) return absl::OkStatus();
  const std::string what = needed == access->role
                               ? std::string(method.substr(1))
                               : absl::StrCat(method.substr(1), " with ", access->write_field);
  return absl::PermissionDeniedError(absl::StrCat(what, " needs the ", RoleName(needed),
                                                  " role; this token has the ", RoleName(*role), " role"));
}

GuardedService::GuardedService(grpc::Service* service, const google::protobuf::ServiceDescriptor* descriptor,
                               const Gate* gate) {
  // Generated services add their methods in the order of the .proto, which is the descriptor's.
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *descriptor->method(i);
    const std::string& name =
        method_names_.emplace_back(absl::StrCat("/", descriptor->full_name(), "/", method.name()));
    AddMethod(new grpc::internal::RpcServiceMethod(
        name.c_str(), MethodType(method), new GuardHandler(ServiceHandlers::Of(*service, i), name.c_str(), gate)));
  }
}

grpc::experimental::Interceptor* GuardInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // The forecastle services guard themselves (GuardedService); health is open.
  const absl::string_view method = info->method() != nullptr ? info->method() : "";
  if (absl::StartsWith(method, "/forecastle.") || IsOpenMethod(method)) return nullptr;
  return new GuardInterceptor(info, gate_);
}

}  // namespace forecastle

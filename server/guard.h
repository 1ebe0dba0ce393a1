// Enforcement of access.h's table on every call (SPEC §5, Trust), when the server requires tokens.
// gRPC C++ server interceptors cannot refuse a call before its handler runs, and an
// AuthMetadataProcessor works on TLS listeners only, so:
//  - the forecastle services are registered through GuardedService, whose handlers check the
//    caller first and answer UNAUTHENTICATED or PERMISSION_DENIED without running the method;
//  - services gRPC registers itself (reflection) get GuardInterceptorFactory's interceptor,
//    which ends a refused call with its status before the handler can read a request.
// Health checking stays open to anyone.
#ifndef FORECASTLE_SERVER_GUARD_H_
#define FORECASTLE_SERVER_GUARD_H_

#include <deque>
#include <map>
#include <memory>
#include <string>

#include <google/protobuf/descriptor.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/string_ref.h>

#include "absl/status/statusor.h"
#include "server/tokens.h"

namespace forecastle {

// The secret of the call's `authorization: Bearer <secret>` metadata (one entry, scheme in any
// case). UNAUTHENTICATED, saying what to send, when there is none or it has another form.
absl::StatusOr<absl::string_view> BearerSecret(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// The check every guarded call goes through.
class Gate {
 public:
  explicit Gate(TokenBook* tokens) : tokens_(tokens) {}

  // OK when the call may go on. UNAUTHENTICATED when `metadata` has no single
  // `authorization: Bearer <token>` or the token is not valid; PERMISSION_DENIED, naming the role
  // needed, when the token's role is too small for `method` (with `request`, when it has one) or
  // the method is not in access.h's table.
  absl::Status Check(absl::string_view method, const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                     const google::protobuf::Message* request) const;

 private:
  TokenBook* tokens_;
};

// Serves every method of `service` (whose descriptor is `descriptor`) after the gate's check.
// `service` is not registered itself, and must outlive this.
class GuardedService final : public grpc::Service {
 public:
  GuardedService(grpc::Service* service, const google::protobuf::ServiceDescriptor* descriptor, const Gate* gate);

 private:
  std::deque<std::string> method_names_;  // RpcServiceMethod keeps a pointer to its name
};

// Guards the methods of services gRPC registers (reflection); nothing for the others.
class GuardInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit GuardInterceptorFactory(const Gate* gate) : gate_(gate) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  const Gate* gate_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_GUARD_H_

// Who is behind each call, under which request id, and how it ended (SPEC §5, Trust; operations).
// One server interceptor sees every call begin and end:
//  - the request id is the client's `x-request-id` metadata when it sends a usable one (1 to 128
//    characters of A-Z a-z 0-9 and . _ ~ : / + = @ -), else a random UUID the server makes; either
//    way it is answered in the reply's initial metadata as `x-request-id`;
//  - the actor is the name of the call's bearer token (and its id) when the server requires
//    tokens, "" for a call without a valid one (refused), and "local" when the server requires
//    none: then anyone who reaches the port is "local" (loopback, or behind --insecure);
//  - when the call ends its FinishedCall (method, actor, status, duration, bytes) goes to the
//    observers: the request log and the metrics.
// Handlers ask CallerOf(context) to stamp their writes (the audit trail). gRPC C++ gives an
// interceptor no channel to a synchronous handler other than the call's metadata, so the
// interceptor writes the caller into the call's received metadata under the forecastle-caller-*
// keys, after removing whatever the client sent under them: a client cannot name its own actor.
#ifndef FORECASTLE_SERVER_CALLS_H_
#define FORECASTLE_SERVER_CALLS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

#include "server/store.h"
#include "server/tokens.h"

namespace forecastle {

// The actor of every call of a server that requires no tokens.
inline constexpr char kLocalActor[] = "local";
// The request id metadata, read from the client and answered to it.
inline constexpr char kRequestIdKey[] = "x-request-id";

struct Caller {
  std::string actor;
  int64_t token_id = 0;  // 0: no token
  std::string request_id;
  std::string method;  // "/forecastle.v1.LedgerService/Import"
};

// The caller of a call the interceptor saw. A call it did not see (a service used directly, as
// the unit tests and fuzzers do) is "local", with a new request id and no method.
Caller CallerOf(const grpc::ServerContextBase& context);
// CallerOf as the store's audit context.
AuditContext AuditOf(const grpc::ServerContextBase& context);

// A random (version 4) UUID: "3f2b8c1e-9a4d-4e6f-8b0a-1c2d3e4f5a6b".
std::string NewRequestId();
// Whether a client's request id is used as it is (see above).
bool IsUsableRequestId(std::string_view id);

// One call, as it ended.
struct FinishedCall {
  std::string method;  // as the client named it; "" when gRPC did not say
  std::string tenant;  // "" until the server holds several tenants
  std::string actor;
  std::string request_id;
  std::string peer;    // "ipv4:127.0.0.1:53422"
  grpc::StatusCode code = grpc::StatusCode::OK;
  double duration_ms = 0;
  int64_t request_bytes = 0;  // serialized request messages received, summed over a stream
  int64_t reply_bytes = 0;    // serialized reply messages sent, summed over a stream
};

using CallObserver = std::function<void(const FinishedCall&)>;

class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `tokens`: the server requires tokens, whose names are the actors; nullptr: it requires none.
  // `observers` are called once per call, on the thread that ends it; they must be thread-safe.
  CallInterceptorFactory(TokenBook* tokens, std::vector<CallObserver> observers)
      : tokens_(tokens), observers_(std::move(observers)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  TokenBook* tokens_;
  std::vector<CallObserver> observers_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_CALLS_H_

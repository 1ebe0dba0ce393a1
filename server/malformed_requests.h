// gRPC C++ answers a request whose bytes do not parse as its message with INTERNAL and an empty
// message (grpc/impl/codegen/proto_utils.h, GenericDeserialize: Status(INTERNAL,
// InitializationErrorString()), which is "" for proto3). This server interceptor turns that
// answer, for unary and server-streaming calls, into INVALID_ARGUMENT naming the message type.
// (Client-streaming calls see the failure as Read() returning false and say so themselves.)
#ifndef FORECASTLE_SERVER_MALFORMED_REQUESTS_H_
#define FORECASTLE_SERVER_MALFORMED_REQUESTS_H_

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace forecastle {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MalformedRequestInterceptorFactory();

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_MALFORMED_REQUESTS_H_

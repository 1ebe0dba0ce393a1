// gRPC server reflection v1 (grpc.reflection.v1.ServerReflection), beside the v1alpha service
// that Debian 12's libgrpc++_reflection serves: gRPC 1.51 predates v1 in C++. The two protocols
// are the same messages under two packages; this one answers from the same place v1alpha does,
// the descriptors compiled into the server (protobuf's generated pool), and lists the services it
// is given. Behind a token like every call but health when the server requires tokens.
#ifndef FORECASTLE_SERVER_REFLECTION_V1_H_
#define FORECASTLE_SERVER_REFLECTION_V1_H_

#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace forecastle {

class ReflectionV1Service final : public grpc::reflection::v1::ServerReflection::Service {
 public:
  // `services`: the full names list_services answers, in that order.
  explicit ReflectionV1Service(std::vector<std::string> services) : services_(std::move(services)) {}

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>* stream) override;

  // The answer to one request. A file comes with every file it imports, transitively, each once
  // (as v1alpha answers).
  grpc::reflection::v1::ServerReflectionResponse Answer(
      const grpc::reflection::v1::ServerReflectionRequest& request) const;

 private:
  std::vector<std::string> services_;
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_REFLECTION_V1_H_

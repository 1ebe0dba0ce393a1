#include "server/reflection_v1.h"

#include <algorithm>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include "absl/strings/str_cat.h"

namespace forecastle {
namespace {

namespace reflection = grpc::reflection::v1;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

void Error(reflection::ServerReflectionResponse* response, grpc::StatusCode code, const std::string& message) {
  response->mutable_error_response()->set_error_code(static_cast<int32_t>(code));
  response->mutable_error_response()->set_error_message(message);
}

// `file` and the files it imports, transitively, except those in `sent`.
void AddFile(const FileDescriptor* file, reflection::FileDescriptorResponse* out, std::vector<std::string>* sent) {
  if (std::find(sent->begin(), sent->end(), file->name()) != sent->end()) return;
  sent->push_back(file->name());
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  out->add_file_descriptor_proto(proto.SerializeAsString());
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i), out, sent);
}

}  // namespace

reflection::ServerReflectionResponse ReflectionV1Service::Answer(
    const reflection::ServerReflectionRequest& request) const {
  const DescriptorPool& pool = *DescriptorPool::generated_pool();
  reflection::ServerReflectionResponse response;
  response.set_valid_host(request.host());
  *response.mutable_original_request() = request;
  const FileDescriptor* file = nullptr;
  switch (request.message_request_case()) {
    case reflection::ServerReflectionRequest::kListServices:
      for (const std::string& name : services_) {
        response.mutable_list_services_response()->add_service()->set_name(name);
      }
      return response;
    case reflection::ServerReflectionRequest::kFileByFilename:
      file = pool.FindFileByName(request.file_by_filename());
      if (file == nullptr) Error(&response, grpc::StatusCode::NOT_FOUND, "File not found.");
      break;
    case reflection::ServerReflectionRequest::kFileContainingSymbol:
      file = pool.FindFileContainingSymbol(request.file_containing_symbol());
      if (file == nullptr) Error(&response, grpc::StatusCode::NOT_FOUND, "Symbol not found.");
      break;
    case reflection::ServerReflectionRequest::kFileContainingExtension: {
      const auto* type = pool.FindMessageTypeByName(request.file_containing_extension().containing_type());
      const auto* extension =
          type != nullptr ? pool.FindExtensionByNumber(type, request.file_containing_extension().extension_number())
                          : nullptr;
      if (type == nullptr) {
        Error(&response, grpc::StatusCode::NOT_FOUND, "Type not found.");
      } else if (extension == nullptr) {
        Error(&response, grpc::StatusCode::NOT_FOUND, "Extension not found.");
      } else {
        file = extension->file();
      }
      break;
    }
    case reflection::ServerReflectionRequest::kAllExtensionNumbersOfType: {
      const auto* type = pool.FindMessageTypeByName(request.all_extension_numbers_of_type());
      if (type == nullptr) {
        Error(&response, grpc::StatusCode::NOT_FOUND, "Type not found.");
        return response;
      }
      std::vector<const google::protobuf::FieldDescriptor*> extensions;
      pool.FindAllExtensions(type, &extensions);
      reflection::ExtensionNumberResponse* numbers = response.mutable_all_extension_numbers_response();
      numbers->set_base_type_name(type->full_name());
      for (const auto* extension : extensions) numbers->add_extension_number(extension->number());
      return response;
    }
    default:
      Error(&response, grpc::StatusCode::UNIMPLEMENTED, "The server does not support this request.");
      return response;
  }
  std::vector<std::string> sent;
  if (file != nullptr) AddFile(file, response.mutable_file_descriptor_response(), &sent);
  return response;
}

grpc::Status ReflectionV1Service::ServerReflectionInfo(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<reflection::ServerReflectionResponse, reflection::ServerReflectionRequest>* stream) {
  reflection::ServerReflectionRequest request;
  while (stream->Read(&request)) {
    if (!stream->Write(Answer(request))) break;
  }
  return grpc::Status::OK;
}

}  // namespace forecastle

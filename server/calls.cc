#include "server/calls.h"

#include <sys/random.h>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>

#include <google/protobuf/message.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/access.h"
#include "server/guard.h"

namespace forecastle {
namespace {

using grpc::experimental::InterceptionHookPoints;
using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// Where the interceptor leaves the caller for the handler (see calls.h).
constexpr char kActorKey[] = "forecastle-caller-actor";
constexpr char kTokenIdKey[] = "forecastle-caller-token-id";
constexpr char kMethodKey[] = "forecastle-caller-method";
constexpr size_t kMaxRequestIdBytes = 128;

std::optional<std::string> Find(const Metadata& metadata, const char* key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, TokenBook* tokens,
                  const std::vector<CallObserver>* observers)
      : info_(info), tokens_(tokens), observers_(observers), started_(std::chrono::steady_clock::now()) {
    call_.method = info->method() != nullptr ? info->method() : "";
    // gRPC's health service reads and writes raw bytes, every other service protobuf messages.
    raw_bytes_ = IsOpenMethod(call_.method);
  }
  // A call that ended without sending a status (refused by the guard's interceptor before its
  // handler ran, or cancelled: the client went away or its deadline passed) ends here, as the
  // call's context is destroyed.
  ~CallInterceptor() override {
    if (!finished_) Finish(refusal_.value_or(grpc::StatusCode::CANCELLED));
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Begin(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      if (void* message = methods->GetRecvMessage(); message != nullptr) {
        const size_t bytes = raw_bytes_ ? static_cast<grpc::ByteBuffer*>(message)->Length()
                                        : static_cast<google::protobuf::Message*>(message)->ByteSizeLong();
        call_.request_bytes += static_cast<int64_t>(bytes);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdKey, call_.request_id);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      if (grpc::ByteBuffer* reply = methods->GetSerializedSendMessage(); reply != nullptr) {
        call_.reply_bytes += static_cast<int64_t>(reply->Length());
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      // A call the guard's interceptor refused still runs its handler, on a call already ended
      // with the refusal: that refusal is what the client got.
      Finish(refusal_.has_value() ? *refusal_ : methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  // Settles the request id and the actor, and leaves them in the received metadata.
  void Begin(Metadata* metadata) {
    call_.peer = info_->server_context()->peer();
    for (auto [it, end] = metadata->equal_range(kRequestIdKey); it != end && call_.request_id.empty(); ++it) {
      const std::string_view id(it->second.data(), it->second.size());
      if (IsUsableRequestId(id)) call_.request_id = std::string(id);
    }
    if (call_.request_id.empty()) call_.request_id = NewRequestId();
    if (tokens_ == nullptr) {
      call_.actor = kLocalActor;
    } else if (absl::StatusOr<absl::string_view> secret = BearerSecret(*metadata); secret.ok()) {
      absl::StatusOr<TokenIdentity> identity = tokens_->Identify(*secret);
      if (identity.ok()) {
        call_.actor = identity->name;
        token_id_ = identity->id;
      } else {
        Refused(absl::IsUnauthenticated(identity.status()) ? grpc::StatusCode::UNAUTHENTICATED
                                                            : grpc::StatusCode::UNAVAILABLE);
      }
    } else {
      Refused(grpc::StatusCode::UNAUTHENTICATED);
    }
    token_id_text_ = absl::StrCat(token_id_);
    for (const char* key : {kRequestIdKey, kActorKey, kTokenIdKey, kMethodKey}) metadata->erase(key);
    metadata->emplace(kRequestIdKey, call_.request_id);
    metadata->emplace(kActorKey, call_.actor);
    metadata->emplace(kTokenIdKey, token_id_text_);
    metadata->emplace(kMethodKey, call_.method);
  }

  // The guard's interceptor ends the call of a service gRPC registers (reflection) when it has no
  // valid token; the forecastle services answer their refusals themselves, health needs none.
  void Refused(grpc::StatusCode code) {
    if (!absl::StartsWith(call_.method, "/forecastle.") && !IsOpenMethod(call_.method)) refusal_ = code;
  }

  void Finish(grpc::StatusCode code) {
    finished_ = true;
    call_.code = code;
    call_.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    for (const CallObserver& observe : *observers_) observe(call_);
  }

  grpc::experimental::ServerRpcInfo* info_;
  TokenBook* tokens_;
  const std::vector<CallObserver>* observers_;
  const std::chrono::steady_clock::time_point started_;
  bool raw_bytes_ = false;
  FinishedCall call_;
  int64_t token_id_ = 0;
  std::string token_id_text_;  // the metadata's value points here
  std::optional<grpc::StatusCode> refusal_;
  bool finished_ = false;
};

}  // namespace

std::string NewRequestId() {
  unsigned char bytes[16];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    const ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n <= 0) continue;  // EINTR; getrandom(2) does not fail otherwise once the pool is ready
    filled += static_cast<size_t>(n);
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  for (size_t i = 0; i < sizeof bytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    absl::StrAppendFormat(&out, "%02x", bytes[i]);
  }
  return out;
}

bool IsUsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && std::strchr("._~:/+=@-", c) == nullptr) return false;
  }
  return true;
}

Caller CallerOf(const grpc::ServerContextBase& context) {
  const Metadata& metadata = context.client_metadata();
  std::optional<std::string> actor = Find(metadata, kActorKey);
  if (!actor.has_value()) return Caller{kLocalActor, 0, NewRequestId(), ""};
  Caller caller;
  caller.actor = *std::move(actor);
  if (!absl::SimpleAtoi(Find(metadata, kTokenIdKey).value_or("0"), &caller.token_id)) caller.token_id = 0;
  caller.request_id = Find(metadata, kRequestIdKey).value_or("");
  caller.method = Find(metadata, kMethodKey).value_or("");
  return caller;
}

AuditContext AuditOf(const grpc::ServerContextBase& context) {
  Caller caller = CallerOf(context);
  return AuditContext{std::move(caller.actor), caller.token_id, std::move(caller.request_id), std::move(caller.method)};
}

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, tokens_, &observers_);
}

}  // namespace forecastle

// Bounds every call of the server shares, whichever service answers it: how large a reply may be
// and how long a call that set no deadline may run.
#ifndef FORECASTLE_SERVER_CALL_LIMITS_H_
#define FORECASTLE_SERVER_CALL_LIMITS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include <grpcpp/server_context.h>

namespace forecastle {

struct CallLimits {
  int64_t max_reply_bytes = 64 << 20;          // the server's --max_message_bytes
  std::chrono::seconds default_deadline{300};  // --default_deadline_s: for calls that set none

  // When a call must be done: its client's deadline, or, for a call without one, the default
  // deadline after `started` (when the server began to answer it).
  std::chrono::system_clock::time_point Deadline(const grpc::ServerContext& context,
                                                 std::chrono::system_clock::time_point started) const {
    const auto client = context.deadline();
    if (client != std::chrono::system_clock::time_point::max()) return client;
    return started + default_deadline;
  }
  // Why a call stopped at its deadline: the client's, or the server's default.
  std::string DeadlineText(const grpc::ServerContext& context) const {
    if (context.deadline() != std::chrono::system_clock::time_point::max()) return "its deadline";
    return "the server's default deadline of " + std::to_string(default_deadline.count()) +
           " s (--default_deadline_s, for calls that set none)";
  }
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_CALL_LIMITS_H_

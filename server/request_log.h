// The request log (operations): one JSON object per finished call, on a line of its own, written
// to a file descriptor (the server's stderr) by a thread of its own, so that a request never
// waits for the log. A reader that falls behind (a pipe nobody drains) costs lines, not requests:
// past `max_pending` lines waiting, further lines are dropped and counted.
//
//   {"time":"2026-03-01T09:30:00.123456Z","method":"/forecastle.v1.LedgerService/Import",
//    "tenant":"","actor":"local","code":"OK","duration_ms":12.345,"request_bytes":104857,
//    "reply_bytes":312,"request_id":"3f2b8c1e-9a4d-4e6f-8b0a-1c2d3e4f5a6b","peer":"ipv4:127.0.0.1:53422"}
#ifndef FORECASTLE_SERVER_REQUEST_LOG_H_
#define FORECASTLE_SERVER_REQUEST_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "server/calls.h"

namespace forecastle {

class RequestLog {
 public:
  explicit RequestLog(int fd, size_t max_pending = 10000);
  // Writes the lines still waiting, then stops.
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // Queues the call's line; never blocks on the descriptor.
  void Record(const FinishedCall& call);
  // Lines dropped because too many were waiting, or because the descriptor refused them.
  int64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // The call's line, without its newline; `time` is when it ended.
  static std::string JsonLine(const FinishedCall& call, absl::Time time);

 private:
  void Run();
  // Writes all of `text`; false when the descriptor is closed or failing, or stays full past
  // the grace given at stop.
  bool WriteAll(const std::string& text);

  static constexpr absl::Duration kStopGrace = absl::Seconds(2);

  const int fd_;
  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::string> pending_;
  bool stopping_ = false;
  absl::Time stop_deadline_;
  std::atomic<int64_t> dropped_{0};
  std::thread writer_;
};

// The name gRPC gives a status code: "OK", "INVALID_ARGUMENT", ...
const char* StatusCodeName(grpc::StatusCode code);

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_REQUEST_LOG_H_

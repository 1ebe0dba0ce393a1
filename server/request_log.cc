#include "server/request_log.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace forecastle {
namespace {

// `text` as a JSON string, quotes included. Bytes that are not printable ASCII are escaped as
// \u00XX one by one: the line stays valid JSON whatever a client put in a method name.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      absl::StrAppendFormat(&out, "\\u%04x", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

bool RequestLog::WriteAll(const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    // Blocks only while the reader is behind, and for at most kStopGrace once the log stops: a
    // server must not hang in shutdown on a pipe nobody reads. POLLOUT on a pipe promises room
    // for PIPE_BUF bytes, more than a line.
    pollfd ready{fd_, POLLOUT, 0};
    const int polled = ::poll(&ready, 1, 100);
    if (polled < 0 && errno != EINTR) return false;
    if (polled <= 0) {
      std::lock_guard lock(mu_);
      if (stopping_ && absl::Now() > stop_deadline_) return false;
      continue;
    }
    if ((ready.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return false;
    const ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

std::string RequestLog::JsonLine(const FinishedCall& call, absl::Time time) {
  return absl::StrCat(
      "{\"time\":", JsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone())),
      ",\"method\":", JsonString(call.method.substr(0, 200)), ",\"tenant\":", JsonString(call.tenant),
      ",\"actor\":", JsonString(call.actor), ",\"code\":", JsonString(StatusCodeName(call.code)),
      ",\"duration_ms\":", absl::StrFormat("%.3f", call.duration_ms), ",\"request_bytes\":", call.request_bytes,
      ",\"reply_bytes\":", call.reply_bytes, ",\"request_id\":", JsonString(call.request_id),
      ",\"peer\":", JsonString(call.peer), "}");
}

RequestLog::RequestLog(int fd, size_t max_pending) : fd_(fd), max_pending_(max_pending) {
  writer_ = std::thread([this] { Run(); });
}

RequestLog::~RequestLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    stop_deadline_ = absl::Now() + kStopGrace;
  }
  wake_.notify_one();
  writer_.join();
}

void RequestLog::Record(const FinishedCall& call) {
  std::string line = JsonLine(call, absl::Now());
  line += '\n';
  {
    std::lock_guard lock(mu_);
    if (pending_.size() >= max_pending_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    pending_.push_back(std::move(line));
  }
  wake_.notify_one();
}

void RequestLog::Run() {
  std::deque<std::string> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything written
      batch.swap(pending_);
    }
    // A line a write each: a line shorter than PIPE_BUF is never interleaved with what other
    // threads (gRPC's own logging) write to the same pipe.
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!WriteAll(batch[i])) {
        dropped_.fetch_add(static_cast<int64_t>(batch.size() - i), std::memory_order_relaxed);
        break;
      }
    }
    batch.clear();
  }
}

}  // namespace forecastle

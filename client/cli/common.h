// What every forecastle CLI command shares: the server address, the channel (plaintext or TLS),
// deadlines, error reporting and exit statuses, and the flags common to server commands.
#ifndef FORECASTLE_CLIENT_CLI_COMMON_H_
#define FORECASTLE_CLIENT_CLI_COMMON_H_

#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "client/cli/args.h"
#include "client/cli/tls.h"
#include "client/cli/token.h"
#include "engine/actuals/calendar.h"

namespace forecastle::cli {

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

inline constexpr char kDefaultPort[] = "50051";

// host:port as given; a host alone ("db1", "10.0.0.7", "[::1]") means its port 50051. A bare
// IPv6 address ("::1") is passed on as it is.
inline std::string WithDefaultPort(const std::string& address) {
  if (address.empty()) return address;
  if (address.front() == '[') {
    return address.find("]:") != std::string::npos ? address : address + ":" + kDefaultPort;
  }
  return address.find(':') == std::string::npos ? address + ":" + kDefaultPort : address;
}

inline std::string ServerAddress(const Args& args) {
  if (args.Has("server")) return WithDefaultPort(args.Get("server"));
  const char* env = std::getenv("FORECASTLE_SERVER");
  return env && *env ? WithDefaultPort(env) : kDefaultServer;
}

inline int Fail(const std::string& message, int code = 1) {
  std::cerr << "forecastle: " << message << "\n";
  return code;
}

// The channel to the server: plaintext, or TLS with the flags of tls.h (checked when the command
// starts, so a failure here means a file changed in between); every call carries the token, if any.
inline std::shared_ptr<grpc::Channel> Connect(const Args& args) {
  auto credentials = ChannelCredentials(args);
  if (!credentials.ok()) std::exit(Fail(std::string(credentials.status().message()), 2));
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(1 << 30);
  channel_args.SetMaxSendMessageSize(64 << 20);
  return grpc::experimental::CreateCustomChannelWithInterceptors(ServerAddress(args), *credentials, channel_args,
                                                                 TokenInterceptors(TokenOf(args)));
}

// The deadline of each call; --timeout is validated when the command starts (CheckCommon).
inline void SetDeadline(const Args& args, grpc::ClientContext& context) {
  const int64_t seconds = *ParseIntFlag("timeout", args.Get("timeout", "300"), 1, 86400);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

inline int FailRpc(const Args& args, const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return Fail(absl::StrCat("cannot reach forecastle-server at ", ServerAddress(args), ": ",
                             status.error_message(),
                             " (start it with forecastle-server, or set --server / FORECASTLE_SERVER",
                             UsesTls(args) ? "; over TLS, check that --ca signed the server's certificate, that "
                                             "the certificate names this host, and --cert/--key if it wants "
                                             "mutual TLS)"
                                           : "; a server with TLS needs --ca or --tls)"));
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return Fail(absl::StrCat(TokenOf(args).empty() ? "the server needs a token: --token or FORECASTLE_TOKEN"
                                                   : "the server refused the token of --token or FORECASTLE_TOKEN",
                             " (", status.error_message(), ")"));
  }
  return Fail(status.error_message());
}

// The flags every server command takes, before or after the command; kTlsSwitches too.
inline const std::set<std::string> kCommonFlags = {"server", "timeout", "ca", "cert", "key", "token"};
inline std::set<std::string> With(std::set<std::string> flags) {
  flags.insert(kCommonFlags.begin(), kCommonFlags.end());
  return flags;
}

// Checks flags every server command shares, and the date/month flags it was given, before any
// call: bad usage exits 2 without touching the server.
inline absl::Status CheckCommon(const Args& args) {
  if (auto t = ParseIntFlag("timeout", args.Get("timeout", "300"), 1, 86400); !t.ok()) return t.status();
  for (const char* month : {"from", "to"}) {
    if (args.Has(month)) {
      if (auto m = ParseMonth(args.Get(month), absl::StrCat("--", month)); !m.ok()) return m.status();
    }
  }
  if (args.Has("as-of")) {
    if (auto d = ParseDate(args.Get("as-of"), "--as-of"); !d.ok()) return d.status();
  }
  return absl::OkStatus();
}

// Makes one unary call with the command's deadline. Returns 0, or the exit status after printing
// the error.
template <typename Stub, typename Request, typename Reply>
int Call(const Args& args, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
         Stub& stub, const Request& request, Reply* reply) {
  grpc::ClientContext context;
  SetDeadline(args, context);
  grpc::Status status = (stub.*method)(&context, request, reply);
  return status.ok() ? 0 : FailRpc(args, status);
}

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_COMMON_H_

// forecastle-server: serves the forecastle.v1 API over gRPC on an embedded SQLite database.
#include <csignal>
#include <cstdio>
#include <pthread.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/calls.h"
#include "server/server.h"
#include "server/tokens.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve on. Without --tls_cert it must be a loopback address (127.0.0.0/8, [::1], "
          "localhost) unless --insecure is given.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain to serve TLS with (needs --tls_key). Without it the server speaks plaintext.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert (unencrypted).");
ABSL_FLAG(std::string, client_ca, "",
          "PEM CA certificates: with it every client must present a certificate signed by one of them "
          "(mutual TLS). Needs --tls_cert and --tls_key.");
ABSL_FLAG(bool, insecure, false,
          "Allow plaintext gRPC on a non-loopback --listen address (e.g. behind a TLS-terminating proxy or "
          "service mesh). Anyone who can reach the port can then read and change the ledger.");
ABSL_FLAG(bool, auth, false,
          "Require a bearer token (metadata \"authorization: Bearer <token>\") on every call but health "
          "checking, with a role that allows the call: reader, planner, writer or admin. Without it anyone "
          "who reaches the port may do anything, so a non-loopback --listen then needs --insecure.");
ABSL_FLAG(std::string, create_token, "",
          "Make a token of this name with --role in --db, print it on stdout and exit (no server is "
          "started; one may be running). The way to the first admin token.");
ABSL_FLAG(std::string, role, "", "The role of --create_token: reader, planner, writer or admin.");
ABSL_FLAG(std::string, db, "forecastle.db",
          "Path of the SQLite database (created when missing; WAL mode, fsync on commit).");
ABSL_FLAG(int, max_message_bytes, 64 << 20,
          "Largest gRPC message accepted or sent, in bytes, in [1048576, 1073741824]. A query or forecast whose "
          "reply would be larger is refused (RESOURCE_EXHAUSTED) before it is computed.");
ABSL_FLAG(int64_t, max_paths, 1'000'000,
          "Most Monte Carlo paths one forecast may ask for, in [1, 10000000].");
ABSL_FLAG(int, max_concurrent_forecasts, 2,
          "Forecasts (and comparisons, backtests) running at once, in [1, 64]; more wait in the forecast queue.");
ABSL_FLAG(int, forecast_queue, 64,
          "Forecasts waiting for a turn, first come first served, in [0, 10000]; more answer RESOURCE_EXHAUSTED. "
          "A waiting StreamForecast is told its place in line.");
ABSL_FLAG(int, default_deadline_s, 300,
          "Deadline, in seconds from its start, of a call that sets none, in [1, 86400]: a forecast still running "
          "or waiting then is stopped (DEADLINE_EXCEEDED).");
ABSL_FLAG(int64_t, max_write_records_per_s, 1'000'000,
          "Ledger records written a second, server-wide (one token bucket holding a second's worth), in "
          "[1, 1000000000]; a write that would wait more than a second for its turn answers RESOURCE_EXHAUSTED "
          "with when to retry.");
ABSL_FLAG(int, max_horizon_months, 120, "Longest forecast horizon one request may ask for, in [1, 120] months.");
ABSL_FLAG(int, max_variants, 8, "Most variant scenarios one Compare may run against its base, in [1, 64].");
ABSL_FLAG(int64_t, max_path_values, 50'000'000,
          "Most path values one forecast keeps (paths x horizon months x 13 metrics, 4 bytes each), "
          "in [1000, 2000000000]; more answer RESOURCE_EXHAUSTED. A comparison holds two scenarios' "
          "values at once, so peak memory is about 8 bytes x this x --max_concurrent_forecasts.");
ABSL_FLAG(std::string, request_log, "stderr",
          "stderr: one JSON line per call on stderr (time, method, tenant, actor, code, duration_ms, request_bytes, "
          "reply_bytes, request_id, peer), written by a thread of its own: a reader that falls 10,000 lines behind "
          "loses lines, never stalls a call. off: none.");
ABSL_FLAG(int, metrics_port, 0,
          "Serve Prometheus metrics at http://HOST:PORT/metrics, HOST being --listen's host (localhost as "
          "127.0.0.1), in [1, 65535]; 0 serves none. Plain HTTP without tokens: keep the port where only the "
          "scraper reaches it.");
ABSL_FLAG(int, shutdown_grace_ms, 10000,
          "On SIGTERM/SIGINT, how long in-flight calls may run before they are cancelled.");

// --create_token: a token made in the database directly, its secret printed once.
int CreateToken() {
  const std::optional<forecastle::Role> role = forecastle::ParseRole(absl::GetFlag(FLAGS_role));
  if (absl::GetFlag(FLAGS_create_token).empty() || !role.has_value()) {
    std::fprintf(stderr, "forecastle-server: --create_token NAME needs --role reader, planner, writer or admin\n");
    return 2;
  }
  auto store = forecastle::Store::Open({absl::GetFlag(FLAGS_db)});
  if (!store.ok()) {
    std::fprintf(stderr, "forecastle-server: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  // The audit trail names whoever can write the database file as "local".
  const forecastle::AuditContext audit{forecastle::kLocalActor, 0, forecastle::NewRequestId(),
                                       "forecastle-server --create_token"};
  auto minted = forecastle::MintToken(**store, absl::GetFlag(FLAGS_create_token), *role, absl::Now(), audit);
  if (!minted.ok()) {
    std::fprintf(stderr, "forecastle-server: --create_token %s\n", std::string(minted.status().message()).c_str());
    return absl::IsInvalidArgument(minted.status()) ? 2 : 1;
  }
  std::printf("%s\n", minted->secret.c_str());
  std::fprintf(stderr, "forecastle-server: token %lld \"%s\" (%s) stored in %s; its secret is above and is not "
               "kept anywhere\n", static_cast<long long>(minted->token.id), minted->token.name.c_str(),
               minted->token.role.c_str(), absl::GetFlag(FLAGS_db).c_str());
  return 0;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "forecastle-server [--listen=127.0.0.1:50051] [--db=forecastle.db] [--tls_cert=FILE --tls_key=FILE "
      "[--client_ca=FILE]] [--auth]\n"
      "forecastle-server --db=forecastle.db --create_token=NAME --role=reader|planner|writer|admin\n"
      "Keeps exact bookings, backlog, billings, revenue and cash, served over gRPC "
      "(package forecastle.v1, with health checking and reflection).");
  // --help lists this file's flags (absl's default looks for a file named after the binary).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) { return absl::EndsWith(file, "server/main.cc"); };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] { return std::string("forecastle-server " FORECASTLE_VERSION "\n"); };
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_create_token).empty() || !absl::GetFlag(FLAGS_role).empty()) return CreateToken();

  // A request log (or anything) written to a pipe whose reader went away answers EPIPE rather
  // than ending the server.
  std::signal(SIGPIPE, SIG_IGN);
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  forecastle::ForecastleServer::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.database = absl::GetFlag(FLAGS_db);
  options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls.client_ca_file = absl::GetFlag(FLAGS_client_ca);
  options.insecure = absl::GetFlag(FLAGS_insecure);
  options.require_tokens = absl::GetFlag(FLAGS_auth);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.forecasts.max_paths = absl::GetFlag(FLAGS_max_paths);
  options.forecasts.max_concurrent_forecasts = absl::GetFlag(FLAGS_max_concurrent_forecasts);
  options.forecasts.forecast_queue = absl::GetFlag(FLAGS_forecast_queue);
  options.default_deadline = std::chrono::seconds(absl::GetFlag(FLAGS_default_deadline_s));
  options.max_write_records_per_s = absl::GetFlag(FLAGS_max_write_records_per_s);
  options.forecasts.max_horizon_months = absl::GetFlag(FLAGS_max_horizon_months);
  options.forecasts.max_variants = absl::GetFlag(FLAGS_max_variants);
  options.forecasts.max_path_values = absl::GetFlag(FLAGS_max_path_values);
  const std::string request_log = absl::GetFlag(FLAGS_request_log);
  if (request_log != "stderr" && request_log != "off") {
    std::fprintf(stderr, "forecastle-server: --request_log must be stderr or off, got \"%s\"\n", request_log.c_str());
    return 2;
  }
  options.request_log = request_log == "off" ? forecastle::ForecastleServer::Options::RequestLogTo::kOff
                                             : forecastle::ForecastleServer::Options::RequestLogTo::kStderr;
  const int metrics_port = absl::GetFlag(FLAGS_metrics_port);
  if (metrics_port < 0 || metrics_port > 65535) {
    std::fprintf(stderr, "forecastle-server: --metrics_port must be in [0, 65535] (0: no metrics), got %d\n",
                 metrics_port);
    return 2;
  }
  if (metrics_port > 0) {
    std::string host = options.listen.substr(0, options.listen.rfind(':'));
    if (host == "localhost") host = "127.0.0.1";  // the HTTP server takes addresses, not names
    options.metrics_listen = absl::StrCat(host, ":", metrics_port);
  }
  auto server = forecastle::ForecastleServer::Create(options);
  if (!server.ok()) {
    std::fprintf(stderr, "forecastle-server: %s\n", std::string(server.status().message()).c_str());
    // A bad or inconsistent flag is bad usage (2); a port or database that fails is 1.
    return server.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (options.tls.cert_file.empty() && !forecastle::IsLoopbackHost(forecastle::ListenHost(options.listen))) {
    std::fprintf(stderr,
                 "forecastle-server: WARNING: --insecure: plaintext gRPC on %s, which is not a loopback "
                 "address. Anyone who can reach it can read and change the ledger; keep it behind a "
                 "TLS-terminating proxy or service mesh, or serve TLS with --tls_cert and --tls_key.\n",
                 options.listen.c_str());
  }
  if (!options.require_tokens && !forecastle::IsLoopbackHost(forecastle::ListenHost(options.listen))) {
    std::fprintf(stderr,
                 "forecastle-server: WARNING: --insecure: no tokens required on %s, which is not a loopback "
                 "address: every caller that reaches it may do anything. Add --auth to require them.\n",
                 options.listen.c_str());
  }
  const int64_t records =
      (*server)->book().Read([](const forecastle::Ledger& l) { return static_cast<int64_t>(l.record_count()); });
  const std::string metrics =
      options.metrics_listen.empty()
          ? std::string()
          : absl::StrCat("; metrics at http://", options.metrics_listen.substr(0, options.metrics_listen.rfind(':')),
                         ":", (*server)->metrics_port(), "/metrics");
  std::printf("forecastle-server listening on %s over %s %s (database %s: %lld records, ready in %.3f s%s)\n",
              (*server)->address().c_str(), (*server)->transport(),
              options.require_tokens ? "with tokens" : "without tokens", options.database.c_str(),
              static_cast<long long>(records), (*server)->startup_seconds(), metrics.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::printf("forecastle-server: %s received, shutting down\n",
              signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  std::fflush(stdout);
  (*server)->Shutdown(std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms)));
  (*server)->Wait();
  return 0;
}

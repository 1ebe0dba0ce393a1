// How the server's listener is secured (SPEC §5, Trust): TLS from PEM files, mutual TLS when a
// client CA is given, and plaintext only on a loopback address unless explicitly allowed.
#ifndef FORECASTLE_SERVER_TLS_H_
#define FORECASTLE_SERVER_TLS_H_

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace forecastle {

// The server flags of the same names. All empty: plaintext.
struct TlsOptions {
  std::string cert_file;       // PEM certificate chain the server presents (--tls_cert)
  std::string key_file;        // PEM private key of that certificate, unencrypted (--tls_key)
  std::string client_ca_file;  // PEM CA certificates; when set, every client must present a
                               // certificate signed by one of them: mutual TLS (--client_ca)
};

// Whether `host` names only the loopback interface: 127.0.0.0/8, ::1 (bracketed or not, or as
// ::ffff:127.x.y.z) or localhost. An empty host, 0.0.0.0 and [::] listen on every interface.
bool IsLoopbackHost(absl::string_view host);
// The host of a host:port listen address ("[::1]:50051" -> "::1").
std::string ListenHost(absl::string_view listen);

// "plaintext", "TLS" or "mutual TLS", as the startup line says it.
const char* TransportName(const TlsOptions& tls);

// The listener's credentials. INVALID_ARGUMENT naming the flag and the path when a file cannot be
// read or holds no PEM certificate or key, when the key does not belong to the certificate, when
// one of --tls_cert/--tls_key comes without the other or --client_ca without them, and when
// plaintext is asked for on a non-loopback address without `insecure` (--insecure).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(absl::string_view listen,
                                                                             const TlsOptions& tls,
                                                                             bool insecure);

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_TLS_H_

// The CLI's transport security: plaintext by default; TLS when any of --ca, --cert/--key or --tls
// is given (or FORECASTLE_CA, FORECASTLE_CERT/FORECASTLE_KEY is set).
#ifndef FORECASTLE_CLIENT_CLI_TLS_H_
#define FORECASTLE_CLIENT_CLI_TLS_H_

#include <memory>
#include <set>
#include <string>

#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"
#include "client/cli/args.h"

namespace forecastle::cli {

// --ca FILE      PEM CA certificates to trust instead of the system's roots ($FORECASTLE_CA)
// --cert FILE    PEM client certificate chain, for a server that wants mutual TLS ($FORECASTLE_CERT)
// --key FILE     its PEM private key ($FORECASTLE_KEY)
// --tls          TLS with the system's roots, when none of the files is needed
// The value flags are among common.h's kCommonFlags; the switch is here.
inline const std::set<std::string> kTlsSwitches = {"tls"};

// Whether the channel will be TLS.
bool UsesTls(const Args& args);

// The channel's credentials. INVALID_ARGUMENT naming the flag (or environment variable) and the
// path when a file cannot be read or holds no PEM certificate or key, and when --cert comes
// without --key or the other way round.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(const Args& args);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_TLS_H_

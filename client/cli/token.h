// The CLI's bearer token (SPEC §5, Trust): --token or $FORECASTLE_TOKEN, sent as
// `authorization: Bearer <token>` metadata on every call of the channel; and the `token` command
// (create, list, revoke), which needs an admin token.
#ifndef FORECASTLE_CLIENT_CLI_TOKEN_H_
#define FORECASTLE_CLIENT_CLI_TOKEN_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/support/client_interceptor.h>

#include "client/cli/args.h"

namespace forecastle::cli {

// --token, else $FORECASTLE_TOKEN, else "" (no token sent).
std::string TokenOf(const Args& args);

// Interceptors that add the token's metadata to every call (none for "").
std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> TokenInterceptors(
    const std::string& token);

// forecastle token create NAME --role R | list [--format table|csv|json] | revoke ID
inline const std::set<std::string> kTokenFlags = {"role", "format"};
int TokenCommand(const Args& args);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_TOKEN_H_

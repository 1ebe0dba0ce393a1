#include "client/cli/token.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli/common.h"
#include "client/cli/output.h"
#include "forecastle/v1/admin.grpc.pb.h"

namespace forecastle::cli {
namespace {

class TokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit TokenInterceptor(const std::string* authorization) : authorization_(authorization) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *authorization_});
    }
    methods->Proceed();
  }

 private:
  const std::string* authorization_;
};

class TokenInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit TokenInterceptorFactory(const std::string& token) : authorization_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    return new TokenInterceptor(&authorization_);
  }

 private:
  const std::string authorization_;
};

constexpr char kTokenUsage[] =
    R"(Usage: forecastle token create NAME --role reader|planner|writer|admin
       forecastle token list [--format table|csv|json]
       forecastle token revoke ID

Bearer tokens of a server started with --auth; every token command needs an admin token (--token
or FORECASTLE_TOKEN). create prints the new token on stdout: it is shown this once, the server
keeps only its hash. list shows id, name, role, created and revoked, never a token. revoke ID
refuses the token from the next call on.

Roles, each allowing what the ones before it allow: reader (actuals, forecasts, comparisons,
calibration, backtests, reading scenarios), planner (+ writing scenarios), writer (+ ledger
records: import), admin (+ tokens). The first admin token comes from the server binary:
forecastle-server --db forecastle.db --create_token NAME --role admin
)";

const char* RoleText(v1::Role role) {
  switch (role) {
    case v1::ROLE_READER: return "reader";
    case v1::ROLE_PLANNER: return "planner";
    case v1::ROLE_WRITER: return "writer";
    case v1::ROLE_ADMIN: return "admin";
    default: return "?";
  }
}

}  // namespace

std::string TokenOf(const Args& args) {
  if (args.Has("token")) return args.Get("token");
  const char* env = std::getenv("FORECASTLE_TOKEN");
  return env != nullptr ? std::string(absl::StripAsciiWhitespace(env)) : "";
}

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> TokenInterceptors(
    const std::string& token) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> out;
  if (!token.empty()) out.push_back(std::make_unique<TokenInterceptorFactory>(token));
  return out;
}

int TokenCommand(const Args& args) {
  if (args.help || args.positional.empty()) {
    std::cout << kTokenUsage;
    return args.help ? 0 : 2;
  }
  const std::string verb = args.positional[0];
  if (verb == "create") {
    if (args.positional.size() != 2) return Fail(absl::StrCat("token create needs a NAME\n", kTokenUsage), 2);
    v1::CreateTokenRequest request;
    request.set_name(args.positional[1]);
    const std::string role = args.Get("role");
    for (v1::Role r : {v1::ROLE_READER, v1::ROLE_PLANNER, v1::ROLE_WRITER, v1::ROLE_ADMIN}) {
      if (role == RoleText(r)) request.set_role(r);
    }
    if (request.role() == v1::ROLE_UNSPECIFIED) {
      return Fail(absl::StrCat("--role must be reader, planner, writer or admin, got \"", role, "\""), 2);
    }
    auto stub = v1::AdminService::NewStub(Connect(args));
    v1::CreateTokenReply reply;
    if (int failed = Call(args, &v1::AdminService::Stub::CreateToken, *stub, request, &reply)) return failed;
    std::cout << reply.secret() << "\n";
    std::cerr << "forecastle: token " << reply.token().id() << " \"" << reply.token().name() << "\" ("
              << RoleText(reply.token().role()) << "): keep the secret above, it is not shown again\n";
    return 0;
  }
  if (verb == "list") {
    if (args.positional.size() != 1) return Fail("token list takes no arguments", 2);
    auto format = ParseFormat(args.Get("format"));
    if (!format.ok()) return Fail(std::string(format.status().message()), 2);
    auto stub = v1::AdminService::NewStub(Connect(args));
    v1::ListTokensReply reply;
    if (int failed = Call(args, &v1::AdminService::Stub::ListTokens, *stub, v1::ListTokensRequest(), &reply)) {
      return failed;
    }
    if (*format == Format::kJson) return PrintJson(reply, std::cout), std::cout << "\n", 0;
    Grid grid;
    grid.header = {"id", "name", "role", "created", "revoked"};
    for (const v1::Token& t : reply.tokens()) {
      grid.rows.push_back({absl::StrCat(t.id()), t.name(), RoleText(t.role()), t.created_at(), t.revoked_at()});
    }
    PrintGrid(grid, *format, std::cout);
    return 0;
  }
  if (verb == "revoke") {
    int64_t id = 0;
    if (args.positional.size() != 2 || !absl::SimpleAtoi(args.positional[1], &id) || id <= 0) {
      return Fail(absl::StrCat("token revoke needs the ID of a token (see forecastle token list)\n", kTokenUsage), 2);
    }
    v1::RevokeTokenRequest request;
    request.set_id(id);
    auto stub = v1::AdminService::NewStub(Connect(args));
    v1::RevokeTokenReply reply;
    if (int failed = Call(args, &v1::AdminService::Stub::RevokeToken, *stub, request, &reply)) return failed;
    std::cout << "revoked token " << reply.token().id() << " \"" << reply.token().name() << "\" at "
              << reply.token().revoked_at() << "\n";
    return 0;
  }
  return Fail(absl::StrCat("unknown token command \"", verb, "\"\n", kTokenUsage), 2);
}

}  // namespace forecastle::cli

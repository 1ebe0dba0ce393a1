// gRPC adapter for forecastle.v1.AdminService: bearer tokens created (the secret answered once),
// listed (never a secret or its hash) and revoked; the audit trail listed, filtered and paged.
// Every method needs the admin role (access.h).
#ifndef FORECASTLE_SERVER_ADMIN_SERVICE_H_
#define FORECASTLE_SERVER_ADMIN_SERVICE_H_

#include "forecastle/v1/admin.grpc.pb.h"
#include "server/tokens.h"

namespace forecastle {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  AdminServiceImpl(TokenBook* tokens, LedgerBook* book) : tokens_(tokens), book_(book) {}

  grpc::Status CreateToken(grpc::ServerContext* context, const v1::CreateTokenRequest* request,
                           v1::CreateTokenReply* reply) override;
  grpc::Status ListTokens(grpc::ServerContext*, const v1::ListTokensRequest*, v1::ListTokensReply* reply) override;
  grpc::Status RevokeToken(grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
                           v1::RevokeTokenReply* reply) override;
  grpc::Status ListAudit(grpc::ServerContext*, const v1::ListAuditRequest* request,
                         v1::ListAuditReply* reply) override;

 private:
  TokenBook* tokens_;
  LedgerBook* book_;
};

// A ListAudit time bound as the store writes times (Store::AuditTime): from RFC 3339 or a UTC day
// ("2026-03-01"); "" stays "". INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> AuditTimeBound(const std::string& text, absl::string_view field);

// A role as the proto names it, and back (ROLE_UNSPECIFIED has no Role).
v1::Role RoleToProto(Role role);
std::optional<Role> RoleFromProto(v1::Role role);

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_ADMIN_SERVICE_H_

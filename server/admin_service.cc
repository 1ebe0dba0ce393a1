#include "server/admin_service.h"

#include "absl/strings/str_cat.h"
#include "proto/wire/convert.h"

namespace forecastle {
namespace {

v1::Token TokenToProto(const Store::StoredToken& stored) {
  v1::Token token;
  token.set_id(stored.id);
  token.set_name(stored.name);
  if (std::optional<Role> role = ParseRole(stored.role)) token.set_role(RoleToProto(*role));
  token.set_created_at(stored.created_at);
  token.set_revoked_at(stored.revoked_at);
  return token;
}

}  // namespace

v1::Role RoleToProto(Role role) {
  switch (role) {
    case Role::kReader: return v1::ROLE_READER;
    case Role::kPlanner: return v1::ROLE_PLANNER;
    case Role::kWriter: return v1::ROLE_WRITER;
    case Role::kAdmin: return v1::ROLE_ADMIN;
  }
  return v1::ROLE_UNSPECIFIED;
}

std::optional<Role> RoleFromProto(v1::Role role) {
  switch (role) {
    case v1::ROLE_READER: return Role::kReader;
    case v1::ROLE_PLANNER: return Role::kPlanner;
    case v1::ROLE_WRITER: return Role::kWriter;
    case v1::ROLE_ADMIN: return Role::kAdmin;
    default: return std::nullopt;
  }
}

grpc::Status AdminServiceImpl::CreateToken(grpc::ServerContext*, const v1::CreateTokenRequest* request,
                                           v1::CreateTokenReply* reply) {
  if (absl::Status name = CheckTokenName(request->name()); !name.ok()) return ToGrpcStatus(name);
  const std::optional<Role> role = RoleFromProto(request->role());
  if (!role.has_value()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("role: must be ROLE_READER, ROLE_PLANNER, ROLE_WRITER or ROLE_ADMIN, got ", request->role())));
  }
  absl::StatusOr<MintedToken> minted = tokens_->Create(request->name(), *role);
  if (!minted.ok()) return ToGrpcStatus(minted.status());
  *reply->mutable_token() = TokenToProto(minted->token);
  reply->set_secret(minted->secret);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListTokens(grpc::ServerContext*, const v1::ListTokensRequest*,
                                          v1::ListTokensReply* reply) {
  absl::StatusOr<std::vector<Store::StoredToken>> tokens = tokens_->List();
  if (!tokens.ok()) return ToGrpcStatus(tokens.status());
  for (const Store::StoredToken& token : *tokens) *reply->add_tokens() = TokenToProto(token);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::RevokeToken(grpc::ServerContext*, const v1::RevokeTokenRequest* request,
                                           v1::RevokeTokenReply* reply) {
  if (request->id() <= 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError(absl::StrCat("id: must be a token's id (> 0), got ", request->id())));
  }
  absl::StatusOr<Store::StoredToken> token = tokens_->Revoke(request->id());
  if (!token.ok()) return ToGrpcStatus(token.status());
  *reply->mutable_token() = TokenToProto(*token);
  return grpc::Status::OK;
}

}  // namespace forecastle

#include "server/admin_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/quote.h"
#include "engine/common/status_macros.h"
#include "engine/common/utf8.h"
#include "proto/wire/convert.h"
#include "server/calls.h"

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

// The subject kinds ListAudit filters by.
std::vector<std::string> SubjectKinds() {
  std::vector<std::string> kinds = {"record"};
  for (int k = 0; k < kRecordKindCount; ++k) kinds.emplace_back(KindName(static_cast<RecordKind>(k)));
  for (const char* other : {"import_batch", "scenario", "token"}) kinds.emplace_back(other);
  return kinds;
}

// The store's filter of a ListAudit request, checked.
absl::StatusOr<Store::AuditFilter> AuditFilterOf(const v1::ListAuditRequest& request) {
  Store::AuditFilter filter;
  const std::vector<std::string> kinds = SubjectKinds();
  if (!request.subject_kind().empty() &&
      std::find(kinds.begin(), kinds.end(), request.subject_kind()) == kinds.end()) {
    return absl::InvalidArgumentError(absl::StrCat("subject_kind: must be one of ", absl::StrJoin(kinds, ", "),
                                                   " or empty, got ", Quoted(request.subject_kind())));
  }
  filter.subject_kind = request.subject_kind();
  for (auto [text, field, limit] : {std::tuple{&request.subject_id(), "subject_id", size_t{300}},
                                    std::tuple{&request.actor(), "actor", size_t{100}},
                                    std::tuple{&request.request_id(), "request_id", size_t{128}}}) {
    RETURN_IF_ERROR(CheckLength(*text, limit, field));
    RETURN_IF_ERROR(CheckUtf8(*text, field));
  }
  filter.subject_id = request.subject_id();
  filter.actor = request.actor();
  filter.request_id = request.request_id();
  ASSIGN_OR_RETURN(filter.since, AuditTimeBound(request.since(), "since"));
  ASSIGN_OR_RETURN(filter.until, AuditTimeBound(request.until(), "until"));
  if (!filter.since.empty() && !filter.until.empty() && filter.until <= filter.since) {
    return absl::InvalidArgumentError(
        absl::StrCat("until: must be after since (", filter.since, "), got ", filter.until));
  }
  if (request.page_size() < 0 || request.page_size() > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be in [0, 1000], got ", request.page_size()));
  }
  filter.limit = request.page_size() == 0 ? 100 : request.page_size();
  if (!request.page_token().empty() &&
      (!absl::SimpleAtoi(request.page_token(), &filter.before_id) || filter.before_id <= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: not one this server answered, got ", Quoted(request.page_token())));
  }
  return filter;
}

}  // namespace

absl::StatusOr<std::string> AuditTimeBound(const std::string& text, absl::string_view field) {
  if (text.empty()) return std::string();
  absl::Time time;
  std::string ignored;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &ignored) ||
      absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &ignored)) {
    return Store::AuditTime(time);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": must be RFC 3339 (2026-03-01T09:30:00Z) or a UTC day (2026-03-01), got ", Quoted(text)));
}

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

grpc::Status AdminServiceImpl::CreateToken(grpc::ServerContext* context, const v1::CreateTokenRequest* request,
                                           v1::CreateTokenReply* reply) {
  if (absl::Status name = CheckTokenName(request->name()); !name.ok()) return ToGrpcStatus(name);
  const std::optional<Role> role = RoleFromProto(request->role());
  if (!role.has_value()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("role: must be ROLE_READER, ROLE_PLANNER, ROLE_WRITER or ROLE_ADMIN, got ", request->role())));
  }
  absl::StatusOr<MintedToken> minted = tokens_->Create(request->name(), *role, AuditOf(*context));
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

grpc::Status AdminServiceImpl::RevokeToken(grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
                                           v1::RevokeTokenReply* reply) {
  if (request->id() <= 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError(absl::StrCat("id: must be a token's id (> 0), got ", request->id())));
  }
  absl::StatusOr<Store::StoredToken> token = tokens_->Revoke(request->id(), AuditOf(*context));
  if (!token.ok()) return ToGrpcStatus(token.status());
  *reply->mutable_token() = TokenToProto(*token);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListAudit(grpc::ServerContext*, const v1::ListAuditRequest* request,
                                         v1::ListAuditReply* reply) {
  absl::StatusOr<Store::AuditFilter> filter = AuditFilterOf(*request);
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  absl::StatusOr<Store::AuditPage> page = book_->WithStore([&](Store& store) { return store.ListAudit(*filter); });
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Store::StoredAuditEntry& stored : page->entries) {
    v1::AuditEntry* entry = reply->add_entries();
    entry->set_id(stored.id);
    entry->set_at(stored.at);
    entry->set_actor(stored.actor);
    entry->set_token_id(stored.token_id);
    entry->set_request_id(stored.request_id);
    entry->set_method(stored.method);
    entry->set_subject_count(stored.subject_count);
    for (const AuditSubject& subject : stored.subjects) {
      v1::AuditSubject* out = entry->add_subjects();
      out->set_kind(subject.kind);
      out->set_id(subject.id);
    }
  }
  if (page->more && !page->entries.empty()) reply->set_next_page_token(absl::StrCat(page->entries.back().id));
  return grpc::Status::OK;
}

}  // namespace forecastle

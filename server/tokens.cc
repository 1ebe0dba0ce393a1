#include "server/tokens.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"

namespace forecastle {
namespace {

constexpr absl::string_view kSecretPrefix = "fc_";
constexpr size_t kSecretBytes = 32;

std::string Rfc3339(absl::Time time) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone()); }

absl::Status Unauthenticated() {
  return absl::UnauthenticatedError("the bearer token is not valid (unknown or revoked)");
}

}  // namespace

absl::StatusOr<std::string> NewTokenSecret() {
  unsigned char bytes[kSecretBytes];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    const ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("getrandom: ", std::strerror(errno)));
    }
    filled += static_cast<size_t>(n);
  }
  std::string secret = absl::StrCat(
      kSecretPrefix, absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes)));
  OPENSSL_cleanse(bytes, sizeof bytes);
  return secret;
}

bool LooksLikeTokenSecret(absl::string_view text) {
  if (!absl::StartsWith(text, kSecretPrefix) || text.size() != kSecretPrefix.size() + 2 * kSecretBytes) return false;
  for (char c : text.substr(kSecretPrefix.size())) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

std::string TokenSecretSha256(absl::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(secret.data(), secret.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), size);
}

absl::Status CheckTokenName(absl::string_view name) {
  if (name.empty() || name.size() > 100) {
    return absl::InvalidArgumentError(absl::StrCat("name: must have 1 to 100 characters, got ", name.size()));
  }
  for (char c : name) {
    if (!absl::ascii_isprint(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("name: must be printable ASCII");
    }
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return absl::InvalidArgumentError("name: must not start or end with a space");
  }
  return absl::OkStatus();
}

absl::StatusOr<MintedToken> MintToken(Store& store, const std::string& name, Role role, absl::Time now,
                                      const AuditContext& audit) {
  RETURN_IF_ERROR(CheckTokenName(name));
  MintedToken minted;
  ASSIGN_OR_RETURN(minted.secret, NewTokenSecret());
  minted.token.name = name;
  minted.token.role = std::string(RoleName(role));
  minted.token.created_at = Rfc3339(now);
  ASSIGN_OR_RETURN(minted.token.id, store.AddToken(name, minted.token.role, TokenSecretSha256(minted.secret),
                                                   minted.token.created_at, audit));
  return minted;
}

absl::StatusOr<Role> TokenBook::Authenticate(absl::string_view secret) {
  ASSIGN_OR_RETURN(TokenIdentity identity, Identify(secret));
  return identity.role;
}

absl::StatusOr<TokenIdentity> TokenBook::Identify(absl::string_view secret) {
  if (!LooksLikeTokenSecret(secret)) return Unauthenticated();
  const std::string sha256 = TokenSecretSha256(secret);
  std::lock_guard lock(mu_);
  // Every cached hash is compared, in constant time each, whichever matches.
  const Valid* found = nullptr;
  for (const Valid& valid : valid_) {
    if (CRYPTO_memcmp(valid.secret_sha256.data(), sha256.data(), sha256.size()) == 0) found = &valid;
  }
  if (found != nullptr) return found->identity;
  // Not seen yet (made by --create_token, or before a restart): the store has the final word.
  ASSIGN_OR_RETURN(std::optional<Store::StoredToken> stored,
                   book_->WithStore([&](Store& store) { return store.FindToken(sha256); }));
  if (!stored.has_value() || !stored->revoked_at.empty()) return Unauthenticated();
  const std::optional<Role> role = ParseRole(stored->role);
  if (!role.has_value()) return Unauthenticated();
  valid_.push_back(Valid{sha256, TokenIdentity{stored->id, stored->name, *role}});
  return valid_.back().identity;
}

absl::StatusOr<MintedToken> TokenBook::Create(const std::string& name, Role role, const AuditContext& audit) {
  return book_->WithStore([&](Store& store) { return MintToken(store, name, role, absl::Now(), audit); });
}

absl::StatusOr<std::vector<Store::StoredToken>> TokenBook::List() {
  return book_->WithStore([](Store& store) { return store.ListTokens(); });
}

absl::StatusOr<Store::StoredToken> TokenBook::Revoke(int64_t id, const AuditContext& audit) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Store::StoredToken token, book_->WithStore([&](Store& store) {
                     return store.RevokeToken(id, Rfc3339(absl::Now()), audit);
                   }));
  std::erase_if(valid_, [&](const Valid& valid) { return valid.identity.id == id; });
  return token;
}

}  // namespace forecastle

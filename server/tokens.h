// Bearer tokens (SPEC §5, Trust): minted from the kernel's CSPRNG, stored as the SHA-256 of their
// secret, and checked against a cache of the tokens found valid, which a revocation updates
// before it is acknowledged.
#ifndef FORECASTLE_SERVER_TOKENS_H_
#define FORECASTLE_SERVER_TOKENS_H_

#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/access.h"
#include "server/ledger_book.h"
#include "server/store.h"

namespace forecastle {

// "fc_" and 64 lowercase hex digits: 32 bytes from getrandom(2).
absl::StatusOr<std::string> NewTokenSecret();
// Whether `text` has the shape of a token secret (nothing about whether it is valid).
bool LooksLikeTokenSecret(absl::string_view text);
// The SHA-256 of a secret, 32 raw bytes: what the database keeps.
std::string TokenSecretSha256(absl::string_view secret);

// A token just made: its stored row and its secret, which nothing keeps.
struct MintedToken {
  Store::StoredToken token;
  std::string secret;
};

// Checks a token's name: 1 to 100 printable ASCII characters, no space at either end.
// INVALID_ARGUMENT starting with "name: ".
absl::Status CheckTokenName(absl::string_view name);

// Makes a token in `store`, durably, with its audit entry from `audit`; used by the server and by
// forecastle-server --create_token, which runs with no server.
absl::StatusOr<MintedToken> MintToken(Store& store, const std::string& name, Role role, absl::Time now,
                                      const AuditContext& audit);

// Who a valid token is.
struct TokenIdentity {
  int64_t id = 0;
  std::string name;
  Role role = Role::kReader;
};

// The server's tokens, on the ledger book's store.
class TokenBook {
 public:
  explicit TokenBook(LedgerBook* book) : book_(book) {}

  // Who holds a valid token's secret. UNAUTHENTICATED for a secret that is malformed, unknown or
  // revoked (the message does not say which).
  absl::StatusOr<TokenIdentity> Identify(absl::string_view secret);
  // The role of a valid token's secret, as Identify.
  absl::StatusOr<Role> Authenticate(absl::string_view secret);

  // Each write stores its audit entry from `audit`, in its transaction.
  absl::StatusOr<MintedToken> Create(const std::string& name, Role role, const AuditContext& audit);
  absl::StatusOr<std::vector<Store::StoredToken>> List();
  // Revoked for every call that starts after this returns. NOT_FOUND.
  absl::StatusOr<Store::StoredToken> Revoke(int64_t id, const AuditContext& audit);

 private:
  struct Valid {
    std::string secret_sha256;
    TokenIdentity identity;
  };

  LedgerBook* book_;
  // Held across the store lookups and writes below, so a revocation can never race a lookup that
  // would put the token back into `valid_`.
  std::mutex mu_;
  std::vector<Valid> valid_;  // tokens found valid since the server started
};

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_TOKENS_H_

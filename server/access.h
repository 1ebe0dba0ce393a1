// Who may call what (SPEC §5, Trust): the roles a bearer token carries, and the one table of the
// role each RPC needs. A method missing from the table may not be called at all.
#ifndef FORECASTLE_SERVER_ACCESS_H_
#define FORECASTLE_SERVER_ACCESS_H_

#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/strings/string_view.h"

namespace forecastle {

// Ordered: each role may do everything the smaller ones may.
enum class Role { kReader = 1, kPlanner = 2, kWriter = 3, kAdmin = 4 };

absl::string_view RoleName(Role role);                     // "reader", ...
std::optional<Role> ParseRole(absl::string_view name);     // of RoleName

// What one RPC needs: a role, raised to `write_role` when the request sets `write_field` (an RPC
// that reads, or stores what it computed when asked to: Calibrate with save_as).
struct MethodAccess {
  Role role;
  const char* write_field = nullptr;
  Role write_role = role;
};

// The access of a full method name ("/forecastle.v1.LedgerService/PutCustomer"); nullptr for a
// method the table does not know.
const MethodAccess* FindMethodAccess(absl::string_view method);

// Every full method name the table knows.
std::vector<std::string> TableMethods();

// Methods anyone may call without a token: grpc.health.v1.Health.
bool IsOpenMethod(absl::string_view method);

// The role `request` needs under `access`; `request` may be null (a streamed request, or one that
// did not parse), which needs `access.role`.
Role NeededRole(const MethodAccess& access, const google::protobuf::Message* request);

}  // namespace forecastle

#endif  // FORECASTLE_SERVER_ACCESS_H_

// The `audit` command: the server's audit trail (SPEC §5, Trust), newest first, filtered by what
// was written (a record, a scenario, a token), who wrote it, its request id and when. Needs an
// admin token on a server started with --auth.
#ifndef FORECASTLE_CLIENT_CLI_AUDIT_H_
#define FORECASTLE_CLIENT_CLI_AUDIT_H_

#include <set>
#include <string>

#include "client/cli/args.h"
#include "forecastle/v1/admin.pb.h"

namespace forecastle::cli {

inline const std::set<std::string> kAuditFlags = {"record", "kind", "scenario", "token-id", "actor", "request-id",
                                                  "since", "until", "limit", "format"};
int AuditCommand(const Args& args);

// What an entry wrote, in a few words: "invoice INV-7", "import_batch run-1, 600 invoice,
// 400 payment", with "(N in all)" when the entry lists fewer subjects than it wrote.
std::string WrittenSummary(const v1::AuditEntry& entry);

}  // namespace forecastle::cli

#endif  // FORECASTLE_CLIENT_CLI_AUDIT_H_

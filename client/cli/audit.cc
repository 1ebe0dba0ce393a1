#include "client/cli/audit.h"

#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/cli/common.h"
#include "client/cli/output.h"
#include "forecastle/v1/admin.grpc.pb.h"

namespace forecastle::cli {
namespace {

constexpr char kAuditUsage[] =
    R"(Usage: forecastle audit [--record ID [--kind KIND] | --scenario NAME | --token-id ID | --kind KIND]
         [--actor NAME] [--request-id ID] [--since TIME] [--until TIME] [--limit N]
         [--format table|csv|json]

The server's audit trail, newest first: every write (ledger records put or imported, each import
batch, scenarios created, updated or deleted, calibrations saved, tokens created or revoked) with
when it was stored, who wrote it (the token's name; "local" on a server without tokens), the
method and the request id (the x-request-id the client sent, or the one the server made).

  --record ID       writes of the ledger record ID, or of records under it: a contract's id also
                    finds its lines (C-1/L-2), their progress and cancellations
  --kind KIND       only subjects of this kind: customer, contract, line, progress, cancellation,
                    invoice, payment, opportunity, headcount, import_batch, scenario, token
  --scenario NAME   writes of the scenario NAME
  --token-id ID     writes of the token ID (created, revoked)
  --actor NAME      writes by this token's name ("local": a server without tokens)
  --since, --until  stored at or after / before TIME: RFC 3339 (2026-03-01T09:30:00Z) or a UTC
                    day (2026-03-01)
  --limit N         at most N entries (default 100; 1..1000000)

Needs an admin token on a server started with --auth.
)";

// RFC 3339 or a UTC day, as the server takes them; checked here so that a typo is bad usage.
absl::Status CheckTime(const Args& args, const std::string& flag) {
  if (!args.Has(flag)) return absl::OkStatus();
  absl::Time time;
  std::string ignored;
  const std::string text = args.Get(flag);
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &ignored) ||
      absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &ignored)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, " must be RFC 3339 (2026-03-01T09:30:00Z) or a day (2026-03-01), got \"", text, "\""));
}

// The request's subject filter from --record, --scenario, --token-id and --kind.
absl::Status SetSubject(const Args& args, v1::ListAuditRequest* request) {
  const int subjects = args.Has("record") + args.Has("scenario") + args.Has("token-id");
  if (subjects > 1) return absl::InvalidArgumentError("give one of --record, --scenario and --token-id");
  if (args.Has("record")) {
    request->set_subject_kind(args.Get("kind", "record"));
    request->set_subject_id(args.Get("record"));
  } else if (args.Has("scenario")) {
    request->set_subject_kind("scenario");
    request->set_subject_id(args.Get("scenario"));
  } else if (args.Has("token-id")) {
    request->set_subject_kind("token");
    request->set_subject_id(args.Get("token-id"));
  } else {
    request->set_subject_kind(args.Get("kind"));
  }
  if ((args.Has("scenario") || args.Has("token-id")) && args.Has("kind")) {
    return absl::InvalidArgumentError("--kind goes with --record, not with --scenario or --token-id");
  }
  return absl::OkStatus();
}

}  // namespace

std::string WrittenSummary(const v1::AuditEntry& entry) {
  // Kinds in the order first listed, with their subjects.
  std::vector<std::pair<std::string, std::vector<std::string>>> kinds;
  for (const v1::AuditSubject& subject : entry.subjects()) {
    auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == subject.kind(); });
    if (it == kinds.end()) it = kinds.insert(kinds.end(), {subject.kind(), {}});
    it->second.push_back(subject.id());
  }
  std::vector<std::string> parts;
  for (const auto& [kind, ids] : kinds) {
    parts.push_back(ids.size() == 1 ? absl::StrCat(kind, " ", ids[0]) : absl::StrCat(ids.size(), " ", kind));
  }
  std::string out = parts.empty() ? "nothing" : absl::StrJoin(parts, ", ");
  if (entry.subjects_size() < entry.subject_count()) absl::StrAppend(&out, " (", entry.subject_count(), " in all)");
  return out;
}

int AuditCommand(const Args& args) {
  if (args.help) return std::cout << kAuditUsage, 0;
  if (!args.positional.empty()) return Fail(absl::StrCat("audit takes no arguments\n", kAuditUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  auto limit = ParseIntFlag("limit", args.Get("limit", "100"), 1, 1000000);
  if (!limit.ok()) return Fail(std::string(limit.status().message()), 2);
  v1::ListAuditRequest request;
  for (absl::Status usage : {SetSubject(args, &request), CheckTime(args, "since"), CheckTime(args, "until")}) {
    if (!usage.ok()) return Fail(std::string(usage.message()), 2);
  }
  request.set_actor(args.Get("actor"));
  request.set_request_id(args.Get("request-id"));
  request.set_since(args.Get("since"));
  request.set_until(args.Get("until"));

  auto stub = v1::AdminService::NewStub(Connect(args));
  v1::ListAuditReply all;
  bool more = false;
  do {
    request.set_page_size(static_cast<int>(std::min<int64_t>(1000, *limit - all.entries_size())));
    v1::ListAuditReply page;
    if (int failed = Call(args, &v1::AdminService::Stub::ListAudit, *stub, request, &page)) return failed;
    for (v1::AuditEntry& entry : *page.mutable_entries()) *all.add_entries() = std::move(entry);
    request.set_page_token(page.next_page_token());
    more = !page.next_page_token().empty();
  } while (more && all.entries_size() < *limit);

  if (*format == Format::kJson) return PrintJson(all, std::cout), std::cout << "\n", 0;
  Grid grid;
  grid.header = {"at", "actor", "method", "request_id", "written"};
  for (const v1::AuditEntry& entry : all.entries()) {
    std::string method = entry.method();
    if (absl::StartsWith(method, "/forecastle.v1.")) method = method.substr(std::string("/forecastle.v1.").size());
    grid.rows.push_back({entry.at(), entry.actor(), method, entry.request_id(), WrittenSummary(entry)});
  }
  PrintGrid(grid, *format, std::cout);
  if (more) {
    std::cerr << "forecastle: the " << all.entries_size() << " newest matching entries; --limit N shows more\n";
  }
  return 0;
}

}  // namespace forecastle::cli

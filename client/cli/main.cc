// forecastle: the command-line client. Imports CSV exports, shows exact actuals and backlog, and
// generates the sample company. Talks to forecastle-server over gRPC.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli/args.h"
#include "client/cli/audit.h"
#include "client/cli/charts.h"
#include "client/cli/common.h"
#include "client/cli/forecast_commands.h"
#include "client/cli/import_stream.h"
#include "client/cli/output.h"
#include "engine/actuals/csv.h"
#include "engine/sample/sample_company.h"
#include "forecastle/v1/actuals.grpc.pb.h"
#include "forecastle/v1/ledger.grpc.pb.h"
#include "proto/wire/convert.h"

namespace forecastle::cli {
namespace {


constexpr char kUsage[] =
    R"(forecastle — exact bookings, backlog, billings, revenue and cash

Usage: forecastle COMMAND [flags]

Commands:
  import DIR          import a folder of CSV exports (customers.csv, contracts.csv, lines.csv,
                      progress.csv, cancellations.csv, invoices.csv, payments.csv,
                      opportunities.csv, headcount.csv; every file optional)
  actuals             bookings, revenue, billings, collections, backlog ... per period
  backlog             backlog aging and cRPO at a date
  schedule ID         one contract's recognition schedule, line by line and month by month
  summary             what the ledger holds
  void KIND KEY...    void a record (its versions stay readable with --known-at)
  scenario ...        create, list, show, edit or delete stored forecast scenarios
  forecast            Monte Carlo forecast per month (P10/P50/P90) with a progress bar
  compare BASE VAR... scenarios side by side on common random numbers, with differences
  calibrate           fit a scenario's assumptions to the actuals (each value with its sample size)
  backtest            forecasts from past month ends scored against what happened (coverage, CRPS, skill)
  token ...           create, list or revoke the server's bearer tokens (admin)
  audit               who wrote what, when, through which request: the audit trail (admin)
  sample              write a generated sample company as CSV (no server needed)
Read commands (actuals, backlog, schedule, forecast, compare, calibrate, backtest) take
--known-at MOMENT: answer as of what the ledger knew then (RFC 3339, or a date = its end, UTC).

Common flags:
  --server HOST[:PORT]  the forecastle-server (default $FORECASTLE_SERVER, else 127.0.0.1:50051;
                        a host alone means port 50051)
  --timeout SECONDS     deadline of each call (default 300)
  --ca FILE             TLS, trusting the PEM CA certificates in FILE (default $FORECASTLE_CA)
  --cert FILE --key FILE  TLS with this PEM client certificate and key, for a server that wants
                        mutual TLS (default $FORECASTLE_CERT, $FORECASTLE_KEY)
  --tls                 TLS, trusting the system's CA certificates
  --token TOKEN         the bearer token a server started with --auth wants (default $FORECASTLE_TOKEN)
  --help                help on a command: forecastle actuals --help
  --version             the client's version
Common flags go before or after the command: forecastle --server db1 summary.
Without --ca, --cert, --tls or their environment variables the CLI speaks plaintext, which
forecastle-server allows only on loopback (unless it runs with --insecure).

Exit status: 0 done; 1 the server refused something or failed; 2 bad usage.
)";

constexpr char kImportUsage[] =
    R"(Usage: forecastle import DIR [--batch N] [--run-id ID] [--server HOST:PORT]

Reads every known CSV file in DIR (SPEC §3.4, UTF-8), checks each row, and streams the records to
the server in batches of N (default 1000, at most 10000), each stored in one transaction and
acknowledged once durable. Prints progress on stderr, then a summary and every refused record as
FILE:LINE: FIELD: REASON.

Nothing is sent when a file is not UTF-8 (the first bad cell is named as FILE:LINE: COLUMN).
The import succeeds (exit 0) only when every batch sent was acknowledged with every record
accounted for and none refused. Batch ids are ID-1, ID-2, ... (--run-id, default a random ID,
printed); if an import stops, running it again with the same --run-id resumes it: batches the
server already acknowledged are answered from its record, not applied twice. Importing the same
folder again without --run-id is safe too: identical records are no-ops.
)";

constexpr char kActualsUsage[] =
    R"(Usage: forecastle actuals --from YYYY-MM --to YYYY-MM [--grain month|quarter|year]
         [--as-of YYYY-MM-DD] [--known-at MOMENT] [--by segment|customer] [--segment S]
         [--customer ID] [--fiscal-year-start 1..12] [--format table|csv|json] [--plot FILE.svg]

Per period: bookings (new / existing), revenue, billings, collections, cancellations, and at the
period end backlog (RPO), unbilled backlog, deferred revenue, contract assets, AR; book-to-bill
and backlog coverage in months. Exact to the cent from events dated on or before --as-of
(default: today). A period ending after --as-of is reported through it (marked * in tables).
--known-at (RFC 3339 2026-11-05T14:30:00Z, or a date meaning its end in UTC; default now) answers
as the server would have then: from the versions of records recorded by that moment (SPEC §3.5).
--plot also writes a chart: one panel per money metric, one line per group.

Example: forecastle actuals --from 2025-01 --to 2026-12 --grain quarter --format csv
)";

constexpr char kBacklogUsage[] =
    R"(Usage: forecastle backlog [--as-of YYYY-MM-DD] [--known-at MOMENT] [--by segment|customer]
         [--segment S] [--customer ID] [--format table|csv|json]

Backlog (RPO) at the date by contract age (0-90, 91-180, 181-365, 366+ days since signing), and
cRPO: the part expected to be recognised in the next 12 months.
)";

constexpr char kScheduleUsage[] =
    R"(Usage: forecastle schedule CONTRACT_ID [--as-of YYYY-MM-DD] [--known-at MOMENT]
         [--format table|csv|json]

Month by month, each line's revenue, revenue to date and remaining backlog: actual through
--as-of, then what ratable schedules will recognise.
)";

constexpr char kSampleUsage[] =
    R"(Usage: forecastle sample --out DIR [--contracts N] [--seed S]

Writes a generated services + subscription company (customers, contracts, lines, progress,
cancellations, invoices, payments, opportunities, the delivery team's headcount) as CSV into DIR.
Same seed, same company.
--contracts defaults to 1000 (1..1000000); --seed to 1.
)";

absl::StatusOr<v1::GroupBy> ParseBy(const Args& args) {
  const std::string by = args.Get("by");
  if (by.empty()) return v1::GROUP_BY_COMPANY;
  if (by == "segment") return v1::GROUP_BY_SEGMENT;
  if (by == "customer") return v1::GROUP_BY_CUSTOMER;
  return absl::InvalidArgumentError(absl::StrCat("--by must be segment or customer, got \"", by, "\""));
}

int Import(const Args& args) {
  if (args.help) return std::cout << kImportUsage, 0;
  if (args.positional.size() != 1) return Fail(absl::StrCat("import needs one folder\n", kImportUsage), 2);
  auto batch_size = ParseIntFlag("batch", args.Get("batch", "1000"), 1, 10000);
  if (!batch_size.ok()) return Fail(std::string(batch_size.status().message()), 2);
  const std::string run_id = args.Has("run-id") ? args.Get("run-id") : NewRunId();
  if (run_id.empty() || run_id.size() > 100) return Fail("--run-id must have 1 to 100 characters", 2);
  const std::string dir = args.positional[0];
  auto folder = ReadCsvFolder(dir);
  if (!folder.ok()) {
    return Fail(absl::StrCat(folder.status().message(), "\nforecastle: nothing was imported"), 2);
  }
  const bool tty = isatty(STDERR_FILENO);
  const size_t total = folder->records.size();
  std::cerr << "forecastle: read " << total << " records from " << folder->files.size() << " files in " << dir
            << " (" << folder->errors.size() << " rows refused); import run " << run_id << "\n";

  auto stub = v1::LedgerService::NewStub(Connect(args));
  grpc::ClientContext context;
  SetDeadline(args, context);
  int64_t acknowledged = 0;
  ImportStream::Options options;
  options.run_id = run_id;
  options.on_acknowledged = [&](const v1::ImportBatchAck& ack) {
    acknowledged += ack.received();
    const std::string progress = absl::StrFormat("forecastle: %d/%zu records acknowledged (%d%%)",
                                                 acknowledged, total, 100 * acknowledged / static_cast<int64_t>(total));
    std::cerr << (tty ? "\r" : "") << progress << (tty ? "" : "\n") << std::flush;
  };
  ImportStream stream(*stub, context, options);
  for (size_t begin = 0; begin < total; begin += static_cast<size_t>(*batch_size)) {
    v1::ImportBatch batch;
    for (size_t i = begin; i < std::min(total, begin + static_cast<size_t>(*batch_size)); ++i) {
      *batch.add_records() = RecordToProto(folder->records[i].record);
    }
    if (!stream.Send(std::move(batch))) break;
  }
  const ImportAccount account = stream.Finish();
  if (tty && acknowledged > 0) std::cerr << "\n";

  std::vector<SourceError> refused = folder->errors;
  for (const v1::RecordError& error : account.refused) {
    const SourceRecord& source = folder->records[static_cast<size_t>(error.index())];
    refused.push_back(SourceError{source.file, source.line, error.field(), error.message()});
  }
  std::sort(refused.begin(), refused.end(), [](const SourceError& a, const SourceError& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  if (!account.status.ok()) {
    for (const SourceError& error : refused) std::cout << error.ToString() << "\n";
    std::cerr << absl::StrFormat(
        "forecastle: import incomplete: %d of %d batches (%d of %zu records) were acknowledged and are "
        "stored; the rest is not. Run the same command with --run-id %s to resume.\n",
        account.batches_acknowledged, (static_cast<int64_t>(total) + *batch_size - 1) / *batch_size,
        account.records_acknowledged, total, run_id);
    return FailRpc(args, account.status);
  }
  std::cout << "imported " << dir << ": " << total + folder->errors.size() << " rows, " << account.created
            << " created, " << account.revised << " revised, " << account.unchanged << " unchanged, " << refused.size() << " refused\n";
  if (account.replayed_batches > 0) {
    std::cout << account.replayed_batches << " batches were acknowledged by an earlier run of " << run_id
              << " (their counts are as first acknowledged)\n";
  }
  for (const SourceError& error : refused) std::cout << error.ToString() << "\n";
  return refused.empty() ? 0 : 1;
}

int Actuals(const Args& args) {
  if (args.help) return std::cout << kActualsUsage, 0;
  if (!args.positional.empty()) return Fail(absl::StrCat("actuals takes no arguments\n", kActualsUsage), 2);
  if (!args.Has("from") || !args.Has("to")) return Fail(absl::StrCat("actuals needs --from and --to\n", kActualsUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  auto by = ParseBy(args);
  if (!by.ok()) return Fail(std::string(by.status().message()), 2);
  auto plot = ParsePlotFlags(args);
  if (!plot.ok()) return Fail(std::string(plot.status().message()), 2);
  v1::MetricsRequest request;
  request.set_from(args.Get("from"));
  request.set_to(args.Get("to"));
  const std::string grain = args.Get("grain", "month");
  if (grain == "month") {
    request.set_grain(v1::GRAIN_MONTH);
  } else if (grain == "quarter") {
    request.set_grain(v1::GRAIN_QUARTER);
  } else if (grain == "year") {
    request.set_grain(v1::GRAIN_YEAR);
  } else {
    return Fail(absl::StrCat("--grain must be month, quarter or year, got \"", grain, "\""), 2);
  }
  if (args.Has("fiscal-year-start")) {
    auto month = ParseIntFlag("fiscal-year-start", args.Get("fiscal-year-start"), 1, 12);
    if (!month.ok()) return Fail(std::string(month.status().message()), 2);
    request.set_fiscal_year_start_month(static_cast<int>(*month));
  }
  request.set_as_of(args.Get("as-of"));
  request.set_known_at(args.Get("known-at"));
  request.set_group_by(*by);
  request.set_segment(args.Get("segment"));
  request.set_customer_id(args.Get("customer"));
  v1::MetricsReply reply;
  auto stub = v1::ActualsService::NewStub(Connect(args));
  if (int failed = Call(args, &v1::ActualsService::Stub::GetMetrics, *stub, request, &reply)) return failed;
  if (!plot->path.empty()) {
    if (int failed = Plot(*plot, ActualsChart(reply))) return failed;
  }
  if (*format == Format::kJson) return PrintJson(reply, std::cout), std::cout << "\n", 0;
  Grid grid = MetricsGrid(reply, *by);
  if (*format == Format::kTable) {
    // Mark periods reported only through as_of.
    const size_t period_column = grid.header[0] == "period" ? 0 : 1;
    size_t row = 0;
    for (const auto& table : reply.tables()) {
      for (const auto& p : table.periods()) {
        if (p.partial()) grid.rows[row][period_column] += "*";
        ++row;
      }
    }
    std::cout << "actuals as of " << reply.as_of() << " (* = through as-of only)\n";
  }
  PrintGrid(grid, *format, std::cout);
  return 0;
}

int Backlog(const Args& args) {
  if (args.help) return std::cout << kBacklogUsage, 0;
  if (!args.positional.empty()) return Fail(absl::StrCat("backlog takes no arguments\n", kBacklogUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  auto by = ParseBy(args);
  if (!by.ok()) return Fail(std::string(by.status().message()), 2);
  v1::BacklogRequest request;
  request.set_as_of(args.Get("as-of"));
  request.set_known_at(args.Get("known-at"));
  request.set_group_by(*by);
  request.set_segment(args.Get("segment"));
  request.set_customer_id(args.Get("customer"));
  v1::BacklogReply reply;
  auto stub = v1::ActualsService::NewStub(Connect(args));
  if (int failed = Call(args, &v1::ActualsService::Stub::GetBacklog, *stub, request, &reply)) return failed;
  if (*format == Format::kJson) return PrintJson(reply, std::cout), std::cout << "\n", 0;
  PrintGrid(BacklogGrid(reply, *by), *format, std::cout);
  return 0;
}

int Schedule(const Args& args) {
  if (args.help) return std::cout << kScheduleUsage, 0;
  if (args.positional.size() != 1) return Fail(absl::StrCat("schedule needs one contract id\n", kScheduleUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  v1::ScheduleRequest request;
  request.set_contract_id(args.positional[0]);
  request.set_as_of(args.Get("as-of"));
  request.set_known_at(args.Get("known-at"));
  v1::ScheduleReply reply;
  auto stub = v1::ActualsService::NewStub(Connect(args));
  if (int failed = Call(args, &v1::ActualsService::Stub::GetSchedule, *stub, request, &reply)) return failed;
  if (*format == Format::kJson) return PrintJson(reply, std::cout), std::cout << "\n", 0;
  if (*format == Format::kTable) {
    std::cout << "contract " << reply.contract().contract_id() << " of " << reply.contract().customer_id()
              << ", signed " << reply.contract().signed_on() << ", booked " << reply.booked()
              << ", as of " << reply.as_of() << "\n";
  }
  PrintGrid(ScheduleGrid(reply), *format, std::cout);
  return 0;
}

constexpr char kVoidUsage[] =
    R"(Usage: forecastle void KIND KEY... [--server HOST:PORT]

Voids a record (SPEC §3.5): from now on it is not in force; its versions stay readable with
--known-at. KEY is the record's identity: customer ID | contract ID | line CONTRACT LINE |
progress CONTRACT LINE YYYY-MM-DD | cancellation CONTRACT LINE | invoice ID | payment ID |
opportunity ID | headcount TEAM YYYY-MM. A paid invoice (void its payments first), a customer
with contracts, a contract and a line cannot be voided.

Example: forecastle void opportunity OPP-17
)";

int Void(const Args& args) {
  if (args.help) return std::cout << kVoidUsage, 0;
  if (args.positional.size() < 2) return Fail(absl::StrCat("void needs a kind and a key\n", kVoidUsage), 2);
  v1::VoidRequest request;
  request.set_kind(args.positional[0]);
  for (size_t i = 1; i < args.positional.size(); ++i) request.add_key(args.positional[i]);
  v1::VoidReply reply;
  auto stub = v1::LedgerService::NewStub(Connect(args));
  if (int failed = Call(args, &v1::LedgerService::Stub::VoidRecord, *stub, request, &reply)) return failed;
  std::cout << "voided " << request.kind();
  for (const std::string& part : request.key()) std::cout << " " << part;
  std::cout << "\n";
  return 0;
}

int Summary(const Args& args) {
  if (args.help) return std::cout << "Usage: forecastle summary [--server HOST:PORT]\n", 0;
  if (!args.positional.empty()) return Fail("summary takes no arguments", 2);
  v1::SummaryReply reply;
  auto stub = v1::LedgerService::NewStub(Connect(args));
  if (int failed = Call(args, &v1::LedgerService::Stub::Summary, *stub, v1::SummaryRequest(), &reply)) return failed;
  std::cout << absl::StrFormat(
      "customers %d\ncontracts %d\nlines %d\nprogress %d\ncancellations %d\ninvoices %d\n"
      "payments %d\nopportunities %d\nheadcount %d\nrecords %d\n",
      reply.customers(), reply.contracts(), reply.lines(), reply.progress(), reply.cancellations(),
      reply.invoices(), reply.payments(), reply.opportunities(), reply.headcount(), reply.records());
  return 0;
}

int Sample(const Args& args) {
  if (args.help) return std::cout << kSampleUsage, 0;
  if (!args.Has("out")) return Fail(absl::StrCat("sample needs --out DIR\n", kSampleUsage), 2);
  SampleOptions options;
  auto contracts = ParseIntFlag("contracts", args.Get("contracts", "1000"), 1, 1000000);
  if (!contracts.ok()) return Fail(std::string(contracts.status().message()), 2);
  auto seed = ParseIntFlag("seed", args.Get("seed", "1"), 0, INT64_MAX);
  if (!seed.ok()) return Fail(std::string(seed.status().message()), 2);
  options.contracts = static_cast<int>(*contracts);
  options.seed = static_cast<uint64_t>(*seed);
  auto records = GenerateSampleCompany(options);
  if (!records.ok()) return Fail(std::string(records.status().message()));
  absl::Status written = WriteCsvFolder(args.Get("out"), *records);
  if (!written.ok()) return Fail(std::string(written.message()));
  std::cout << "wrote " << records->size() << " records of a " << options.contracts
            << "-contract sample company (seed " << options.seed << ") to " << args.Get("out") << "\n";
  return 0;
}

int Run(int argc, char** argv) {
  // The flags every command shares may come before the command too: they move after it.
  std::vector<char*> moved = MoveLeadingFlags(argc, argv, kCommonFlags, kTlsSwitches);
  argc = static_cast<int>(moved.size());
  argv = moved.data();
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  if (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" || std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (std::string(argv[1]) == "--version" || std::string(argv[1]) == "version") {
    std::cout << "forecastle " << FORECASTLE_VERSION << "\n";
    return 0;
  }
  const std::string command = argv[1];
  struct Command {
    const char* name;
    std::set<std::string> flags;
    int (*run)(const Args&);
    std::set<std::string> switches = {};
  };
  const Command commands[] = {
      {"import", With({"batch", "run-id"}), Import},
      {"actuals", With({"from", "to", "grain", "as-of", "known-at", "by", "segment", "customer",
                        "fiscal-year-start", "format", "plot"}), Actuals},
      {"backlog", With({"as-of", "known-at", "by", "segment", "customer", "format"}), Backlog},
      {"schedule", With({"as-of", "known-at", "format"}), Schedule},
      {"void", With({}), Void},
      {"summary", With({}), Summary},
      {"sample", {"out", "contracts", "seed"}, Sample},
      {"scenario", With(kScenarioFlags), ScenarioCommand, {"resolved"}},
      {"forecast", With(kForecastFlags), ForecastCommand},
      {"compare", With(kCompareFlags), CompareCommand},
      {"calibrate", With(kCalibrateFlags), CalibrateCommand},
      {"backtest", With(kBacktestFlags), BacktestCommand, {"no-calibrate", "by-horizon"}},
      {"token", With(kTokenFlags), TokenCommand},
      {"audit", With(kAuditFlags), AuditCommand},
  };
  for (const Command& c : commands) {
    if (command != c.name) continue;
    const bool talks_to_server = c.flags.count("server") > 0;
    std::set<std::string> switches = c.switches;
    if (talks_to_server) switches.insert(kTlsSwitches.begin(), kTlsSwitches.end());
    auto args = ParseArgs(argc, argv, 2, c.flags, switches);
    absl::Status usage = args.ok() ? CheckCommon(*args) : args.status();
    // TLS files are read before any call: a missing one is bad usage, not a refused connection.
    if (usage.ok() && talks_to_server) usage = ChannelCredentials(*args).status();
    if (!usage.ok()) {
      return Fail(absl::StrCat(usage.message(), " (see forecastle ", c.name, " --help)"), 2);
    }
    return c.run(*args);
  }
  return Fail(absl::StrCat("unknown command \"", command, "\"\n\n", kUsage), 2);
}

}  // namespace
}  // namespace forecastle::cli

int main(int argc, char** argv) { return forecastle::cli::Run(argc, argv); }

// End to end with the real binaries: forecastle-server on its SQLite database and the forecastle
// CLI, as a user runs them. Covers CSV import and refusals (file:line:field), CSV output,
// restarts, SIGTERM, and kill -9 during a streaming import.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/actuals/csv.h"
#include "engine/sample/sample_company.h"
#include "forecastle/v1/admin.pb.h"
#include "tests/testing/http_get.h"
#include "tests/testing/test_certificates.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A forecastle-server child process on a free port (or --listen among `flags`), its stdout and
// stderr in one pipe. After its "listening on" line a thread of the test keeps reading the pipe:
// the server logs every call on stderr, and a pipe nobody drains would fill up.
class ServerProcess {
 public:
  explicit ServerProcess(const std::string& db, std::vector<std::string> flags = {}) {
    if (std::none_of(flags.begin(), flags.end(), [](const std::string& f) { return f.rfind("--listen=", 0) == 0; })) {
      flags.push_back("--listen=127.0.0.1:0");
    }
    flags.insert(flags.begin(), {FORECASTLE_SERVER_BIN, "--db=" + db});
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(out[1], STDERR_FILENO);
      close(out[0]);
      std::vector<char*> argv;
      for (std::string& flag : flags) argv.push_back(flag.data());
      argv.push_back(nullptr);
      execv(FORECASTLE_SERVER_BIN, argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = fdopen(out[0], "r");
    char line[512];
    while (address_.empty() && fgets(line, sizeof line, stdout_)) {
      std::smatch match;
      std::string text = line;
      startup_output_ += text;
      if (std::regex_search(text, match, std::regex("listening on (\\S+)"))) address_ = match[1];
    }
    EXPECT_FALSE(address_.empty()) << "server did not start: " << startup_output_;
    drain_ = std::thread([this] {
      char buffer[4096];
      size_t n;
      while ((n = fread(buffer, 1, sizeof buffer, stdout_)) > 0) {
        std::lock_guard lock(mu_);
        rest_.append(buffer, n);
      }
    });
  }
  ~ServerProcess() {
    if (pid_ > 0) Kill(SIGKILL);
    if (drain_.joinable()) drain_.join();
    if (stdout_) fclose(stdout_);
  }
  // Sends `signal` and returns the exit status (or 128 + signal when killed).
  int Kill(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Everything it printed after its "listening on" line; once it has ended (Kill).
  std::string RestOfOutput() {
    if (drain_.joinable()) drain_.join();
    return rest_;
  }
  // What it has printed after its "listening on" line so far.
  std::string OutputSoFar() {
    std::lock_guard lock(mu_);
    return rest_;
  }
  const std::string& address() const { return address_; }
  // Everything it printed up to and including its "listening on" line.
  const std::string& startup_output() const { return startup_output_; }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  std::string address_;
  std::string startup_output_;
  std::thread drain_;
  std::mutex mu_;
  std::string rest_;
};

struct CliResult {
  int exit_code;
  std::string out;  // stdout and stderr together
};

// Runs a shell command: its exit status and what it wrote to stdout.
CliResult Shell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Runs the CLI; `out` has stdout and, unless stdout_only, stderr too.
CliResult Cli(const std::string& server, const std::string& args, bool stdout_only = false,
             const std::string& environment = "") {
  return Shell(absl::StrCat(environment, " FORECASTLE_SERVER=", server, " ", FORECASTLE_CLI_BIN, " ", args,
                            stdout_only ? " 2>/dev/null" : " 2>&1"));
}

std::string Folder(const std::string& name) {
  const std::string path = forecastle::testing::FreshDatabasePath(name);
  std::filesystem::create_directories(path);
  return path;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(Integration, ImportSampleQueryRestartSameAnswers) {
  const std::string dir = Folder("company");
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 300 --seed 4 --out ", dir)).exit_code, 0);
  const std::string db = dir + "/forecastle.db";
  std::string csv;
  {
    ServerProcess server(db);
    CliResult imported = Cli(server.address(), "import " + dir);
    ASSERT_EQ(imported.exit_code, 0) << imported.out;
    EXPECT_THAT(imported.out, HasSubstr("0 unchanged, 0 refused"));
    CliResult actuals = Cli(server.address(), "actuals --from 2025-01 --to 2026-12 --as-of 2026-10-31 --format csv");
    ASSERT_EQ(actuals.exit_code, 0) << actuals.out;
    csv = actuals.out;
    const std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), 25u);
    EXPECT_EQ(lines[0],
              "period,bookings,bookings_new,bookings_existing,revenue,billings,collections,"
              "cancellations,backlog,unbilled_backlog,deferred_revenue,contract_assets,"
              "accounts_receivable,book_to_bill,backlog_coverage_months");
    EXPECT_THAT(lines[1], ::testing::StartsWith("2025-01,"));
    EXPECT_THAT(lines[24], ::testing::StartsWith("2026-12,"));
    CliResult by = Cli(server.address(), "actuals --from 2026-01 --to 2026-12 --grain quarter --by segment --as-of 2026-10-31 --format csv");
    EXPECT_THAT(by.out, ::testing::StartsWith("segment,period,"));
    EXPECT_THAT(by.out, HasSubstr("enterprise,2026-Q1,"));
    CliResult again = Cli(server.address(), "import " + dir);
    EXPECT_THAT(again.out, HasSubstr(" 0 created,"));
    EXPECT_EQ(server.Kill(SIGTERM), 0);
    EXPECT_THAT(server.RestOfOutput(), HasSubstr("SIGTERM received, shutting down"));
  }
  ServerProcess restarted(db);
  EXPECT_EQ(Cli(restarted.address(), "actuals --from 2025-01 --to 2026-12 --as-of 2026-10-31 --format csv").out, csv);
  CliResult backlog = Cli(restarted.address(), "backlog --as-of 2026-10-31 --format csv");
  EXPECT_THAT(backlog.out, ::testing::StartsWith("as_of,backlog,age_0_90,age_91_180,age_181_365,age_366_plus,crpo,non_current\n2026-10-31,"));
  // The backtest through the CLI: a row per metric, and a bad --from refused with usage status 2.
  CliResult backtest =
      Cli(restarted.address(), "backtest --from 2025-06 --to 2025-12 --step 6 --horizon 6 --paths 100 --format csv", true);
  ASSERT_EQ(backtest.exit_code, 0) << backtest.out;
  EXPECT_THAT(backtest.out, ::testing::StartsWith("metric,horizon,forecasts,in_p10_p90,in_p25_p75,bias,crps,best_peer,peer_crps,skill\nbookings,all,12,"));
  EXPECT_EQ(std::count(backtest.out.begin(), backtest.out.end(), '\n'), 9);
  EXPECT_EQ(Cli(restarted.address(), "backtest --horizon 6").exit_code, 2);
}

TEST(Integration, CliReportsEveryBadRecordWithFileLineAndFieldAndStoresNothingOfIt) {
  const std::string dir = Folder("bad");
  Write(dir + "/customers.csv", "customer_id,name,segment\nA,Acme,enterprise\n");
  Write(dir + "/contracts.csv",
        "contract_id,customer_id,signed_on,transaction_price\n"
        "C,A,2026-01-01,\n"
        "BIG,A,2026-01-01,92233720368547758.07\n");
  Write(dir + "/lines.csv",
        "contract_id,line_id,kind,ssp,start_on,end_on\n"
        "C,L1,ratable,1200.00,2026-01-01,2026-12-31\n"
        "C,L2,ratable,10.00,2026-06-01,2026-05-31\n");
  Write(dir + "/invoices.csv",
        "invoice_id,contract_id,issued_on,amount\n"
        "I1,C,2026-01-01,1200.00\n"
        "I1,C2,2026-01-01,1300.00\n"
        "I2,NOPE,2026-01-01,10.00\n"
        "I3,C,2026-01-02,10.005\n");
  Write(dir + "/payments.csv",
        "payment_id,invoice_id,received_on,amount\n"
        "P1,I1,2026-01-15,1000.00\n"
        "P2,I1,2026-01-16,200.01\n");
  ServerProcess server(Folder("db") + "/bad.db");
  CliResult result = Cli(server.address(), "import " + dir);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  const std::string& out = result.out;
  EXPECT_THAT(out, HasSubstr("contracts.csv:3: transaction_price: overflows"));
  EXPECT_THAT(out, HasSubstr("lines.csv:3: end_on: 2026-05-31 is before start_on 2026-06-01"));
  EXPECT_THAT(out, HasSubstr("invoices.csv:3: contract_id: invoice I1 is recorded for contract C"));
  EXPECT_THAT(out, HasSubstr("invoices.csv:4: contract_id: no contract \"NOPE\""));
  EXPECT_THAT(out, HasSubstr("invoices.csv:5: amount: has more than 2 decimals, got \"10.005\""));
  EXPECT_THAT(out, HasSubstr("payments.csv:3: amount: 200.01 exceeds the open amount 200.00 of invoice I1"));
  EXPECT_THAT(out, HasSubstr("6 refused"));
  CliResult summary = Cli(server.address(), "summary");
  EXPECT_THAT(summary.out, HasSubstr("contracts 1\nlines 1\n"));
  EXPECT_THAT(summary.out, HasSubstr("invoices 1\npayments 1\n"));
  // AR reflects only the accepted invoice and payment.
  CliResult actuals = Cli(server.address(), "actuals --from 2026-01 --to 2026-01 --as-of 2026-01-31 --format csv");
  EXPECT_THAT(actuals.out, HasSubstr("2026-01,1200.00,1200.00,0.00,100.00,1200.00,1000.00,0.00,1100.00,0.00,1100.00,0.00,200.00,"));
}

// headcount.csv is one more optional file of the folder: imported with the others, each bad row
// named by file, line and field, kept across a restart; and the sample company writes one.
TEST(Integration, CliImportsHeadcountCsvWithTheOtherFiles) {
  const std::string dir = Folder("headcount");
  Write(dir + "/customers.csv", "customer_id,name,segment\nA,Acme,enterprise\n");
  Write(dir + "/headcount.csv",
        "month,team,fte\n"
        "2026-01,delivery,12.5\n"
        "2026-02,delivery,13\n"
        "2026-02,delivery,14\n"
        "2026-03,delivery,1.234\n"
        "2026-13,delivery,2\n");
  const std::string db = Folder("db") + "/headcount.db";
  {
    ServerProcess server(db);
    CliResult result = Cli(server.address(), "import " + dir);
    EXPECT_EQ(result.exit_code, 1) << result.out;
    EXPECT_THAT(result.out, HasSubstr("headcount.csv:5: fte: has more than 2 decimals, got \"1.234\""));
    EXPECT_THAT(result.out, HasSubstr("headcount.csv:6: month: expected a month YYYY-MM"));
    EXPECT_THAT(result.out, HasSubstr("1 revised"));  // 2026-02's second row: a new version
    EXPECT_THAT(result.out, HasSubstr("2 refused"));
    EXPECT_THAT(Cli(server.address(), "summary").out, HasSubstr("opportunities 0\nheadcount 2\nrecords 3\n"));
    EXPECT_EQ(server.Kill(SIGTERM), 0);
  }
  ServerProcess restarted(db);
  EXPECT_THAT(Cli(restarted.address(), "summary").out, HasSubstr("headcount 2\nrecords 3\n"));

  const std::string sample = Folder("sample-headcount");
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 50 --seed 2 --out ", sample)).exit_code, 0);
  std::ifstream in(sample + "/headcount.csv");
  std::string header, first;
  ASSERT_TRUE(std::getline(in, header) && std::getline(in, first));
  EXPECT_EQ(header, "team,month,fte");
  EXPECT_THAT(first, ::testing::StartsWith("delivery,"));
}

// One byte of Latin-1 in a cell used to cost, silently, every record of the stream message it
// fell in and of every later one, while the CLI reported success.
TEST(Integration, CliRefusesAFileThatIsNotUtf8NamingFileLineAndColumnAndImportsNothing) {
  const std::string dir = Folder("latin1");
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 50 --seed 2 --out ", dir)).exit_code, 0);
  std::ifstream in(dir + "/opportunities.csv");
  std::string header, first, rest;
  std::getline(in, header);
  std::getline(in, first);
  std::stringstream tail;
  tail << in.rdbuf();
  // The first opportunity's stage gets a 0xE9 byte (an "é" exported as Latin-1).
  std::vector<std::string> cells = absl::StrSplit(first, ',');
  const std::vector<std::string> columns = absl::StrSplit(header, ',');
  const size_t stage = std::find(columns.begin(), columns.end(), "stage") - columns.begin();
  ASSERT_LT(stage, cells.size());
  cells[stage] += "\xE9";
  Write(dir + "/opportunities.csv", absl::StrCat(header, "\n", absl::StrJoin(cells, ","), "\n", tail.str()));
  ServerProcess server(dir + "/latin1.db");
  CliResult result = Cli(server.address(), "import " + dir);
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_THAT(result.out, HasSubstr(absl::StrCat("opportunities.csv:2: stage: not valid UTF-8: byte 0xE9 after \"",
                                                 cells[stage].substr(0, cells[stage].size() - 1), "\" in column ",
                                                 stage + 1)));
  EXPECT_THAT(result.out, HasSubstr("nothing was imported"));
  EXPECT_THAT(Cli(server.address(), "summary").out, HasSubstr("records 0\n"));
}

TEST(Integration, CliRunIdResumesAnImportWithoutApplyingAnythingTwice) {
  const std::string dir = Folder("resume");
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 50 --seed 2 --out ", dir)).exit_code, 0);
  ServerProcess server(dir + "/resume.db");
  CliResult first = Cli(server.address(), "import --batch 100 --run-id nightly-1 " + dir, true);
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_THAT(first.out, HasSubstr(" 0 unchanged, 0 refused"));
  // Run again with the same id, as after an interruption: every batch is answered from the
  // server's record of it, with the counts of the first run.
  CliResult again = Cli(server.address(), "import --batch 100 --run-id nightly-1 " + dir, true);
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(again.out.substr(0, again.out.find('\n')), first.out.substr(0, first.out.find('\n')));
  EXPECT_THAT(again.out, HasSubstr("batches were acknowledged by an earlier run of nightly-1"));
  // Other batch sizes make other batches: the same id then is refused, naming the batch.
  CliResult other = Cli(server.address(), "import --batch 99 --run-id nightly-1 " + dir);
  EXPECT_EQ(other.exit_code, 1) << other.out;
  EXPECT_THAT(other.out, HasSubstr("message 1: batch_id: \"nightly-1-1\" was applied before with other records"));
  EXPECT_THAT(other.out, HasSubstr("import incomplete: 0 of"));
}

TEST(Integration, ScenariosForecastAndCompareFromTheCli) {
  const std::string dir = Folder("forecast");
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 200 --seed 3 --out ", dir)).exit_code, 0);
  ServerProcess server(dir + "/f.db");
  ASSERT_EQ(Cli(server.address(), "import " + dir).exit_code, 0);
  Write(dir + "/hire.json", R"({"hiring_plan": [{"team": "delivery", "month": "2026-11", "count": 5}]})");
  CliResult created = Cli(server.address(), "scenario create hire5 --file " + dir + "/hire.json --description \"five more\"");
  ASSERT_EQ(created.exit_code, 0) << created.out;
  EXPECT_THAT(Cli(server.address(), "scenario list").out, HasSubstr("hire5"));
  EXPECT_THAT(Cli(server.address(), "scenario show hire5 --resolved").out, HasSubstr("\"hours_per_fte_month\": 140"));
  CliResult duplicate = Cli(server.address(), "scenario create hire5");
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_THAT(duplicate.out, HasSubstr("already exists"));

  // `scenario edit` opens $EDITOR on the stored JSON and updates the scenario with what it saved.
  Write(dir + "/editor.sh", "#!/bin/sh\nsed -i 's/\"count\": 5/\"count\": 7/' \"$1\"\n");
  Write(dir + "/bad-editor.sh", "#!/bin/sh\nsed -i 's/\"count\": 7/\"count\": -7/' \"$1\"\n");
  std::filesystem::permissions(dir + "/editor.sh", std::filesystem::perms::owner_all);
  std::filesystem::permissions(dir + "/bad-editor.sh", std::filesystem::perms::owner_all);
  CliResult edited = Cli(server.address(), "scenario edit hire5", false, "EDITOR=" + dir + "/editor.sh");
  ASSERT_EQ(edited.exit_code, 0) << edited.out;
  EXPECT_THAT(edited.out, HasSubstr("updated scenario hire5"));
  EXPECT_THAT(Cli(server.address(), "scenario show hire5").out, HasSubstr("\"count\": 7"));
  CliResult refused = Cli(server.address(), "scenario edit hire5", false, "EDITOR=" + dir + "/bad-editor.sh");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, HasSubstr("hiring_plan[0].count must be in [0, 100000], got -7"));
  EXPECT_THAT(refused.out, HasSubstr("your edit is kept in /tmp/forecastle-scenario-"));
  EXPECT_THAT(Cli(server.address(), "scenario show hire5").out, HasSubstr("\"count\": 7"));
  Write(dir + "/hire.json", R"({"hiring_plan": [{"team": "delivery", "month": "2026-11", "count": 5}]})");
  ASSERT_EQ(Cli(server.address(), "scenario edit hire5 --file " + dir + "/hire.json").exit_code, 0);

  const std::string args = "--as-of 2026-10-31 --horizon 6 --paths 300 --seed 7 --format csv";
  CliResult forecast = Cli(server.address(), "forecast --scenario hire5 " + args, true);
  ASSERT_EQ(forecast.exit_code, 0) << forecast.out;
  const std::vector<std::string> lines = absl::StrSplit(forecast.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 6 * 13);
  EXPECT_EQ(lines[0], "month,metric,mean,std,stderr,p10,p50,p90");
  EXPECT_THAT(lines[1], ::testing::StartsWith("2026-11,bookings,"));
  EXPECT_THAT(lines[13], ::testing::StartsWith("2026-11,delivery_cost,"));
  // Amounts to the cent, utilisation (a ratio) to four decimals.
  EXPECT_THAT(lines[1], ::testing::MatchesRegex("2026-11,bookings(,-?[0-9]+\\.[0-9]{2}){6}"));
  EXPECT_THAT(lines[11], ::testing::MatchesRegex("2026-11,utilization(,[0-9]\\.[0-9]{4}){6}"));
  // Progress goes to stderr: off a terminal, a line as each tenth of the paths is done.
  CliResult progress = Cli(server.address(), "forecast --scenario hire5 " + args);
  EXPECT_THAT(progress.out, HasSubstr("forecastle: 300/300 paths\n"));
  // The same command gives the same numbers.
  EXPECT_EQ(Cli(server.address(), "forecast --scenario hire5 " + args, true).out, forecast.out);
  CliResult quantiles = Cli(server.address(), "forecast --quantiles 0.05,0.95 " + args, true);
  EXPECT_THAT(quantiles.out, ::testing::StartsWith("month,metric,mean,std,stderr,p5,p95\n"));

  CliResult compare = Cli(server.address(), "compare default hire5 " + args, true);
  ASSERT_EQ(compare.exit_code, 0) << compare.out;
  EXPECT_THAT(compare.out, ::testing::StartsWith("variant,month,metric,base_mean,variant_mean,difference_mean,"
                                                 "difference_stderr,difference_p10,difference_p50,difference_p90,"
                                                 "p_variant_higher\n"));
  EXPECT_THAT(compare.out, HasSubstr("hire5,2026-11,bookings,"));

  CliResult target = Cli(server.address(), "forecast --as-of 2026-10-31 --horizon 3 --paths 100 --target revenue:0", true);
  EXPECT_THAT(target.out, HasSubstr("P(revenue >= 0.00) by month:\n  1.00 1.00 1.00"));
  CliResult bad = Cli(server.address(), "forecast --paths 0");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.out, HasSubstr("--paths must be a whole number in [1, 10000000]"));
  CliResult unknown = Cli(server.address(), "forecast --scenario nope --paths 10");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.out, HasSubstr("no scenario \"nope\""));
  EXPECT_EQ(Cli(server.address(), "scenario delete hire5").exit_code, 0);
  CliResult calibrated = Cli(server.address(), "calibrate --as-of 2026-10-31 --save-as fitted --format csv", true);
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.out;
  EXPECT_THAT(calibrated.out, ::testing::StartsWith("field,value,sample_size,fitted\n"));
  EXPECT_THAT(calibrated.out, HasSubstr("segments[smb].win_rate,"));
  EXPECT_THAT(Cli(server.address(), "scenario list").out, HasSubstr("fitted"));
}

TEST(Integration, CliUsageErrors) {
  EXPECT_EQ(Cli("127.0.0.1:1", "--help").exit_code, 0);
  struct Case {
    const char* args;
    int exit_code;
    const char* message;
  };
  const Case cases[] = {
      {"actuals --from 2026-01 --to 2026-02 --colour red", 2, "unknown flag --colour"},
      {"actuals --from 2026-01 --to 2026-02 --grain week", 2, "--grain must be month, quarter or year, got \"week\""},
      {"actuals --from 2026-13 --to 2026-02", 2, "--from: expected a month YYYY-MM"},
      {"backlog --as-of 2026-02-30", 2, "--as-of: no such day"},
      {"summary --timeout abc", 2, "--timeout must be a whole number in [1, 86400]"},
      {"import /nonexistent/folder", 2, "no such folder"},
      {"", 2, "Usage: forecastle COMMAND"},
      {"actuals --from 2026-01 --to 2026-02 --timeout 5", 1, "cannot reach forecastle-server at 127.0.0.1:1"},
      // Common flags before the command; a host alone means port 50051.
      {"--server 127.0.0.1:2 --timeout 5 summary", 1, "cannot reach forecastle-server at 127.0.0.1:2"},
      {"summary --server nohost.invalid --timeout 5", 1, "at nohost.invalid:50051"},
      {"--version", 0, "forecastle 0."},
  };
  for (const Case& c : cases) {
    CliResult result = Cli("127.0.0.1:1", c.args);
    EXPECT_EQ(result.exit_code, c.exit_code) << c.args;
    EXPECT_THAT(result.out, HasSubstr(c.message)) << c.args;
  }
}

TEST(Integration, KillDashNineDuringStreamingImportLosesNothingAcknowledged) {
  const std::string dir = Folder("large");
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 20000 --seed 9 --out ", dir)).exit_code, 0);
  const std::string db = dir + "/kill.db";
  int64_t acknowledged = 0;
  {
    ServerProcess server(db);
    const std::string command = absl::StrCat("FORECASTLE_SERVER=", server.address(), " ", FORECASTLE_CLI_BIN,
                                             " import --batch 2000 ", dir, " 2>&1");
    FILE* pipe = popen(command.c_str(), "r");
    char line[512];
    const std::regex progress("(\\d+)/(\\d+) records acknowledged");
    while (fgets(line, sizeof line, pipe)) {
      std::cmatch match;
      if (std::regex_search(line, match, progress)) {
        acknowledged = std::stoll(match[1]);
        if (acknowledged >= 30000) break;  // well into the stream: pull the plug
      }
    }
    EXPECT_EQ(server.Kill(SIGKILL), 128 + SIGKILL);
    std::string rest;
    while (fgets(line, sizeof line, pipe)) rest += line;
    pclose(pipe);
    EXPECT_THAT(rest, Not(HasSubstr(" 0 refused")));  // the CLI noticed the server was gone
  }
  ASSERT_GE(acknowledged, 30000);
  // Every acknowledged record is there after a restart: importing the first `acknowledged`
  // records again creates nothing.
  auto folder = ReadCsvFolder(dir);
  ASSERT_TRUE(folder.ok());
  std::vector<Record> first;
  for (int64_t i = 0; i < acknowledged; ++i) first.push_back(folder->records[static_cast<size_t>(i)].record);
  const std::string replay = Folder("replay");
  ASSERT_TRUE(WriteCsvFolder(replay, first).ok());
  ServerProcess restarted(db);
  // Every batch stored has its audit entry, and every record stored is in one: the entries were
  // written in their batches' transactions (each entry lists its records and its batch id).
  CliResult trail = Cli(restarted.address(), "audit --kind import_batch --limit 1000000 --format json", true);
  ASSERT_EQ(trail.exit_code, 0) << trail.out.substr(0, 500);
  v1::ListAuditReply entries;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(trail.out, &entries).ok()) << trail.out.substr(0, 500);
  EXPECT_GE(entries.entries_size(), acknowledged / 2000);
  int64_t audited_records = 0;
  for (const v1::AuditEntry& entry : entries.entries()) audited_records += entry.subject_count() - 1;
  CliResult summary = Cli(restarted.address(), "summary", true);
  EXPECT_THAT(summary.out, HasSubstr(absl::StrCat("records ", audited_records, "\n")));
  CliResult again = Cli(restarted.address(), "import " + replay);
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr(absl::StrCat(": ", acknowledged, " rows, 0 created, 0 revised, ", acknowledged, " unchanged")));
}

// forecastle-server run to its exit (it should refuse to start): its exit status and output.
CliResult ServerRefusal(const std::string& flags) {
  return Shell(absl::StrCat(FORECASTLE_SERVER_BIN, " --db=", Folder("refused"), "/f.db ", flags, " 2>&1 </dev/null"));
}

TEST(Integration, CliOverTlsAndMutualTls) {
  const auto& certs = forecastle::testing::TestCertificates::Get();
  ServerProcess server(Folder("tls") + "/f.db",
                       {"--tls_cert=" + certs.Path("server.crt"), "--tls_key=" + certs.Path("server.key")});
  EXPECT_THAT(server.startup_output(), HasSubstr(" over TLS "));
  const std::string ca = certs.Path("ca.crt");
  CliResult trusted = Cli(server.address(), "summary --timeout 20 --ca " + ca);
  EXPECT_EQ(trusted.exit_code, 0) << trusted.out;
  EXPECT_THAT(trusted.out, HasSubstr("records 0"));
  // Before the command, and from the environment.
  EXPECT_EQ(Cli(server.address(), "--ca " + ca + " summary").exit_code, 0);
  EXPECT_EQ(Cli(server.address(), "summary", false, "FORECASTLE_CA=" + ca).exit_code, 0);
  CliResult plaintext = Cli(server.address(), "summary --timeout 20");
  EXPECT_EQ(plaintext.exit_code, 1) << plaintext.out;
  EXPECT_THAT(plaintext.out, HasSubstr("a server with TLS needs --ca or --tls"));
  CliResult untrusted = Cli(server.address(), "summary --timeout 20 --ca " + certs.Path("other-ca.crt"));
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.out;
  EXPECT_THAT(untrusted.out, HasSubstr("check that --ca signed the server's certificate"));
  CliResult missing = Cli(server.address(), "summary --ca /nonexistent/ca.crt");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_THAT(missing.out, HasSubstr("--ca /nonexistent/ca.crt: cannot read it: No such file or directory"));

  ServerProcess mutual(Folder("mtls") + "/f.db", {"--tls_cert=" + certs.Path("server.crt"),
                                                  "--tls_key=" + certs.Path("server.key"), "--client_ca=" + ca});
  EXPECT_THAT(mutual.startup_output(), HasSubstr(" over mutual TLS "));
  EXPECT_EQ(Cli(mutual.address(), "summary --timeout 20 --ca " + ca).exit_code, 1);
  CliResult with_certificate = Cli(
      mutual.address(), "summary", false,
      absl::StrCat("FORECASTLE_CA=", ca, " FORECASTLE_CERT=", certs.Path("client.crt"), " FORECASTLE_KEY=",
                   certs.Path("client.key")));
  EXPECT_EQ(with_certificate.exit_code, 0) << with_certificate.out;
}

TEST(Integration, ServerRefusesPlaintextOffLoopbackAndBadTlsFlagsWithExit2) {
  const auto& certs = forecastle::testing::TestCertificates::Get();
  struct Case {
    std::string flags;
    std::string message;
  };
  const Case cases[] = {
      {"--listen=0.0.0.0:0", "refusing plaintext gRPC on 0.0.0.0:0, which is not a loopback address"},
      {"--listen=127.0.0.1:0 --tls_cert=/nonexistent/s.crt --tls_key=" + certs.Path("server.key"),
       "--tls_cert /nonexistent/s.crt: cannot read it: No such file or directory"},
      {"--listen=127.0.0.1:0 --tls_cert=" + certs.Path("server.crt"), "--tls_cert needs --tls_key"},
      {"--listen=127.0.0.1:0 --client_ca=" + certs.Path("ca.crt"), "--client_ca needs --tls_cert and --tls_key"},
      {"--listen=127.0.0.1:0 --max_paths=0", "max_paths must be in [1, 10000000], got 0"},
      {"--listen=0.0.0.0:0 --tls_cert=" + certs.Path("server.crt") + " --tls_key=" + certs.Path("server.key"),
       "refusing to serve 0.0.0.0:0, which is not a loopback address, without tokens"},
      {"--create_token=ops", "--create_token NAME needs --role reader, planner, writer or admin"},
      {"--create_token=ops --role=root", "--create_token NAME needs --role reader, planner, writer or admin"},
      {"--create_token=' ops' --role=admin", "--create_token name: must not start or end with a space"},
  };
  for (const Case& c : cases) {
    CliResult result = ServerRefusal(c.flags);
    EXPECT_EQ(result.exit_code, 2) << c.flags << "\n" << result.out;
    EXPECT_THAT(result.out, HasSubstr("forecastle-server: " + c.message)) << c.flags;
  }
  // --insecure allows it, loudly.
  ServerProcess insecure(Folder("insecure") + "/f.db", {"--listen=0.0.0.0:0", "--insecure"});
  EXPECT_THAT(insecure.startup_output(), HasSubstr("WARNING: --insecure: plaintext gRPC on 0.0.0.0:0"));
  EXPECT_THAT(insecure.startup_output(), HasSubstr(" over plaintext "));
}

// The whole token story with the real binaries: the first admin token from the server binary, a
// server with --auth, tokens made, listed and revoked by the CLI, and each refusal's message.
TEST(Integration, TokensFromBootstrapToRevocation) {
  const std::string dir = Folder("tokens");
  const std::string db = dir + "/f.db";
  const std::string bootstrap =
      absl::StrCat(FORECASTLE_SERVER_BIN, " --db=", db, " --create_token=ops --role=admin 2>/dev/null");
  FILE* pipe = popen(bootstrap.c_str(), "r");
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
  ASSERT_EQ(pclose(pipe), 0);
  const std::string admin(absl::StripTrailingAsciiWhitespace(line));
  ASSERT_THAT(admin, ::testing::MatchesRegex("fc_[0-9a-f]{64}"));

  ServerProcess server(db, {"--auth"});
  EXPECT_THAT(server.startup_output(), HasSubstr(" over plaintext with tokens "));
  CliResult anonymous = Cli(server.address(), "summary");
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.out, HasSubstr("the server needs a token: --token or FORECASTLE_TOKEN"));

  // An admin makes a reader's token (printed alone on stdout), before or after the command.
  CliResult made = Cli(server.address(), "--token " + admin + " token create dashboard --role reader", true);
  ASSERT_EQ(made.exit_code, 0) << made.out;
  const std::string reader(absl::StripTrailingAsciiWhitespace(made.out));
  ASSERT_THAT(reader, ::testing::MatchesRegex("fc_[0-9a-f]{64}"));
  CliResult listed = Cli(server.address(), "token list --format csv --token " + admin, true);
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_THAT(listed.out, HasSubstr("id,name,role,created,revoked\n1,ops,admin,"));
  EXPECT_THAT(listed.out, HasSubstr("\n2,dashboard,reader,"));
  EXPECT_THAT(listed.out, Not(HasSubstr(reader.substr(3, 16))));
  EXPECT_THAT(listed.out, Not(HasSubstr(admin.substr(3, 16))));

  // The reader reads, from the environment, and is refused writes and token administration.
  const std::string as_reader = "FORECASTLE_TOKEN=" + reader;
  CliResult summary = Cli(server.address(), "summary", false, as_reader);
  EXPECT_EQ(summary.exit_code, 0) << summary.out;
  EXPECT_THAT(summary.out, HasSubstr("records 0"));
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 5 --out ", dir, "/company")).exit_code, 0);
  CliResult import = Cli(server.address(), absl::StrCat("import ", dir, "/company"), false, as_reader);
  EXPECT_EQ(import.exit_code, 1);
  EXPECT_THAT(import.out, HasSubstr("forecastle.v1.LedgerService/Import needs the writer role; this token has the "
                                    "reader role"));
  CliResult create = Cli(server.address(), "token create sneaky --role admin", false, as_reader);
  EXPECT_EQ(create.exit_code, 1);
  EXPECT_THAT(create.out, HasSubstr("needs the admin role"));
  EXPECT_THAT(Cli(server.address(), "summary", false, as_reader).out, HasSubstr("records 0"));

  // Revoked: refused from the next call on.
  CliResult revoked = Cli(server.address(), "token revoke 2 --token " + admin);
  EXPECT_EQ(revoked.exit_code, 0) << revoked.out;
  EXPECT_THAT(revoked.out, HasSubstr("revoked token 2 \"dashboard\""));
  CliResult after = Cli(server.address(), "summary", false, as_reader);
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_THAT(after.out, HasSubstr("the server refused the token of --token or FORECASTLE_TOKEN (the bearer token "
                                   "is not valid (unknown or revoked))"));
  EXPECT_EQ(Cli(server.address(), "token revoke x --token " + admin).exit_code, 2);
}

// The audit trail from the CLI: who wrote what and when, filtered by record, actor and time.
TEST(Integration, CliListsAndFiltersTheAuditTrail) {
  const std::string dir = Folder("audit");
  const std::string db = dir + "/f.db";
  const std::string bootstrap =
      absl::StrCat(FORECASTLE_SERVER_BIN, " --db=", db, " --create_token=ops --role=admin 2>/dev/null");
  FILE* pipe = popen(bootstrap.c_str(), "r");
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
  ASSERT_EQ(pclose(pipe), 0);
  const std::string admin(absl::StripTrailingAsciiWhitespace(line));
  ServerProcess server(db, {"--auth"});
  const std::string as_admin = "FORECASTLE_TOKEN=" + admin;
  CliResult made = Cli(server.address(), "token create loader --role writer", true, as_admin);
  ASSERT_EQ(made.exit_code, 0) << made.out;
  const std::string as_loader = "FORECASTLE_TOKEN=" + std::string(absl::StripTrailingAsciiWhitespace(made.out));
  ASSERT_EQ(Cli("", absl::StrCat("sample --contracts 3 --out ", dir, "/company")).exit_code, 0);
  CliResult imported = Cli(server.address(), absl::StrCat("import --run-id first ", dir, "/company"), false, as_loader);
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  CliResult scenario = Cli(server.address(), "scenario create plan", false, as_admin);
  ASSERT_EQ(scenario.exit_code, 0) << scenario.out;

  // Everything, newest first: the scenario, the import's batch, the token made, the bootstrap token.
  CliResult all = Cli(server.address(), "audit --format csv", true, as_admin);
  ASSERT_EQ(all.exit_code, 0) << all.out;
  std::vector<std::string> rows = absl::StrSplit(all.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 5u) << all.out;
  EXPECT_EQ(rows[0], "at,actor,method,request_id,written");
  EXPECT_THAT(rows[1], ::testing::MatchesRegex("20[0-9-]+T[0-9:.]+Z,ops,ForecastService/CreateScenario,[0-9a-f-]{36},"
                                               "scenario plan"));
  EXPECT_THAT(rows[2], HasSubstr(",loader,LedgerService/Import,"));
  EXPECT_THAT(rows[2], HasSubstr("import_batch first-1"));
  EXPECT_THAT(rows[3], HasSubstr(",ops,AdminService/CreateToken,"));
  EXPECT_THAT(rows[4], HasSubstr(",local,forecastle-server --create_token,"));

  // By record: the sample's first contract (and its lines) were written by the import.
  const std::string contract = "CT-000001";
  CliResult by_record = Cli(server.address(), "audit --record " + contract, true, as_admin);
  ASSERT_EQ(by_record.exit_code, 0) << by_record.out;
  EXPECT_THAT(by_record.out, HasSubstr("loader"));
  EXPECT_THAT(by_record.out, HasSubstr("contract " + contract));
  EXPECT_THAT(by_record.out, Not(HasSubstr("CreateScenario")));
  CliResult none = Cli(server.address(), "audit --record no-such-id --format csv", true, as_admin);
  EXPECT_EQ(none.out, "at,actor,method,request_id,written\n");
  // By actor, and by time.
  CliResult by_actor = Cli(server.address(), "audit --actor ops --format csv", true, as_admin);
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(by_actor.out, '\n', absl::SkipEmpty())).size(), 3u) << by_actor.out;
  CliResult future = Cli(server.address(), "audit --since 2999-01-01 --format csv", true, as_admin);
  EXPECT_EQ(future.out, "at,actor,method,request_id,written\n");
  CliResult past = Cli(server.address(), "audit --until 2000-01-01T00:00:00Z --format csv", true, as_admin);
  EXPECT_EQ(past.out, "at,actor,method,request_id,written\n");
  CliResult json = Cli(server.address(), "audit --limit 1 --format json", true, as_admin);
  EXPECT_THAT(json.out, HasSubstr("\"method\": \"/forecastle.v1.ForecastService/CreateScenario\""));
  // Bad usage exits 2 before any call; another role than admin is refused.
  EXPECT_EQ(Cli(server.address(), "audit --since yesterday", false, as_admin).exit_code, 2);
  EXPECT_EQ(Cli(server.address(), "audit --record a --scenario b", false, as_admin).exit_code, 2);
  CliResult refused = Cli(server.address(), "audit", false, as_loader);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, HasSubstr("needs the admin role"));
}

// The request log: one line of JSON per call on stderr, with the request id the client sent.
TEST(Integration, EachCallLogsOneJsonLineOnStderr) {
  const std::string dir = Folder("request_log");
  ServerProcess server(dir + "/f.db");
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto stub = v1::LedgerService::NewStub(channel);
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", "summary-" + std::to_string(i));
    v1::SummaryReply reply;
    ASSERT_TRUE(stub->Summary(&context, v1::SummaryRequest(), &reply).ok());
  }
  {
    grpc::ClientContext context;
    v1::Customer refused;  // no id
    v1::WriteReply reply;
    EXPECT_EQ(stub->PutCustomer(&context, refused, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_EQ(server.Kill(SIGTERM), 0);
  std::vector<google::protobuf::Struct> lines;
  for (absl::string_view line : absl::StrSplit(server.RestOfOutput(), '\n')) {
    if (!absl::StartsWith(line, "{")) continue;
    google::protobuf::Struct json;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &json).ok()) << line;
    lines.push_back(json);
  }
  ASSERT_EQ(lines.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    const auto& f = lines[static_cast<size_t>(i)].fields();
    EXPECT_EQ(f.at("method").string_value(), "/forecastle.v1.LedgerService/Summary");
    EXPECT_EQ(f.at("code").string_value(), "OK");
    EXPECT_EQ(f.at("actor").string_value(), "local");
    EXPECT_EQ(f.at("tenant").string_value(), "");
    EXPECT_EQ(f.at("request_id").string_value(), "summary-" + std::to_string(i));
    EXPECT_GE(f.at("duration_ms").number_value(), 0);
    EXPECT_EQ(f.at("request_bytes").number_value(), 0);
    EXPECT_EQ(f.at("reply_bytes").number_value(), 0);  // an empty ledger's summary
    EXPECT_THAT(f.at("time").string_value(), ::testing::EndsWith("Z"));
    EXPECT_THAT(f.at("peer").string_value(), HasSubstr("127.0.0.1"));
  }
  EXPECT_EQ(lines[3].fields().at("code").string_value(), "INVALID_ARGUMENT");
  EXPECT_THAT(lines[3].fields().at("request_id").string_value(), ::testing::MatchesRegex("[0-9a-f-]{36}"));

  // --request_log=off: none.
  ServerProcess quiet(dir + "/g.db", {"--request_log=off"});
  {
    auto quiet_stub =
        v1::LedgerService::NewStub(grpc::CreateChannel(quiet.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::SummaryReply reply;
    ASSERT_TRUE(quiet_stub->Summary(&context, v1::SummaryRequest(), &reply).ok());
  }
  EXPECT_EQ(quiet.Kill(SIGTERM), 0);
  EXPECT_THAT(quiet.RestOfOutput(), Not(HasSubstr("{\"time\"")));
  EXPECT_EQ(Shell(absl::StrCat(FORECASTLE_SERVER_BIN, " --db=", dir, "/h.db --request_log=file 2>&1")).exit_code, 2);
}

TEST(Integration, MetricsPortServesPrometheusText) {
  const std::string dir = Folder("metrics");
  const int port = testing::FreeLoopbackPort();
  ServerProcess server(dir + "/f.db", {"--metrics_port=" + std::to_string(port), "--request_log=off"});
  EXPECT_THAT(server.startup_output(), HasSubstr(absl::StrCat("metrics at http://127.0.0.1:", port, "/metrics")));
  CliResult summary = Cli(server.address(), "summary");
  ASSERT_EQ(summary.exit_code, 0) << summary.out;
  const std::string scraped = testing::HttpGet(port, "/metrics");
  EXPECT_THAT(scraped, HasSubstr(" 200 OK"));
  EXPECT_THAT(scraped,
              HasSubstr("forecastle_requests_total{code=\"OK\",method=\"/forecastle.v1.LedgerService/Summary\"} 1"));
  EXPECT_THAT(scraped, HasSubstr("forecastle_store_bytes "));
  EXPECT_EQ(Shell(absl::StrCat(FORECASTLE_SERVER_BIN, " --db=", dir, "/g.db --metrics_port=70000 2>&1")).exit_code, 2);
}

}  // namespace
}  // namespace forecastle

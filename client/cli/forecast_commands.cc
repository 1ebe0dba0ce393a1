#include "client/cli/forecast_commands.h"

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "client/cli/charts.h"
#include "client/cli/common.h"
#include "client/cli/output.h"
#include "engine/forecast/metric.h"
#include "proto/wire/metric_convert.h"
#include "forecastle/v1/forecast.grpc.pb.h"

namespace forecastle::cli {
namespace {

constexpr char kScenarioUsage[] =
    R"(Usage: forecastle scenario create NAME [--base BASE] [--description TEXT] [--file SCENARIO.json]
       forecastle scenario list
       forecastle scenario show NAME [--resolved]
       forecastle scenario edit NAME [--file SCENARIO.json]
       forecastle scenario delete NAME

Scenarios are stored assumptions (SPEC §4), as JSON in protobuf's mapping of
forecastle.v1.Scenario. A scenario with --base overrides only the fields it sets; lists of
named things (segments, products, teams, stage probabilities) merge by name. `show --resolved`
prints every field with base and defaults applied. `edit` opens $EDITOR (default vi) on the
stored JSON unless --file gives the new content.

Example: a hiring variant of a stored "plan" scenario, in hire10.json:
  {"name": "hire10", "base": "plan",
   "hiring_plan": [{"team": "delivery", "month": "2027-01", "count": 10}]}
)";

constexpr char kForecastUsage[] =
    R"(Usage: forecastle forecast [--scenario NAME] [--as-of YYYY-MM-DD] [--horizon 36] [--paths 10000]
         [--seed 1] [--quantiles 0.1,0.5,0.9] [--strain-months 3] [--target-error E]
         [--target METRIC:VALUE,...] [--format table|csv|json]
         [--plot FILE.svg [--plot-metrics revenue,backlog,...]]

Monte Carlo forecast of bookings, revenue, billings, collections, backlog, unbilled backlog,
deferred revenue, AR, work backlog hours, capacity hours, utilization, headcount and delivery
cost per month, continuing the exact actuals at --as-of (default today). Without --scenario the
defaults are used. The same request (seed included) gives the same numbers, bit for bit.
--target-error stops early once every standard error is within E x |mean| (e.g. 0.005).
--target revenue:5000000,backlog:6e8 adds P(metric >= value) per month (table and JSON).
CSV: one row per month and metric: month,metric,mean,std,stderr,p10,p50,p90 (one column per
quantile).
--plot writes an SVG chart, one panel per metric titled in words with its unit, on one month
axis with the as-of marked by a dashed line: the exact actuals of the 12 months through the
as-of as a line, then the band between the outer quantiles (P10-P90) and the median (P50), both
starting at the last actual. The reply has actuals of the money metrics only: work backlog,
capacity, utilization, headcount and delivery cost get the fan alone, and their panel says so.
--plot-metrics chooses the panels (default all).
)";

constexpr char kCompareUsage[] =
    R"(Usage: forecastle compare BASE VARIANT... [--as-of DATE] [--horizon 36] [--paths 10000]
         [--seed 1] [--quantiles 0.1,0.5,0.9] [--format table|csv|json]
         [--plot FILE.svg [--plot-metrics revenue,backlog,...]]

Runs the base and each variant scenario on the same random draws (common random numbers) and
reports, per month and metric, the base and variant means, the variant - base difference with
its standard error and quantiles, and P(variant > base). Use "default" for the defaults.
--plot writes a chart: per metric, the scenarios' fans overlaid after the base's actuals (as
forecast --plot draws them, the as-of marked) and, beside it, each variant's difference from the
base, from 0 at the as-of where there are actuals; --plot-metrics chooses the metrics (default
revenue, backlog, collections, work_backlog_hours, utilization, delivery_cost).
)";

constexpr char kCalibrateUsage[] =
    R"(Usage: forecastle calibrate [--as-of YYYY-MM-DD] [--base NAME] [--save-as NAME]
         [--format table|csv|json]

Fits a scenario to what the ledger knew at --as-of (default today), starting from --base
(default: the defaults): win rates by stage and segment, deal sizes, arrival rates and
seasonality, sales cycle and slip (opportunities); bookings without an opportunity per segment,
new customers and expansions, with their trend and seasonality, and each segment's product mix
(contracts); renewal rate and uplift (subscriptions linked to their renewals); each team's FTE
from the hours it delivered in the last 6 months, and services' hours per currency unit
(progress); the payment-delay mix, bad debt and the collection of receivables by age (invoices
and payments). Prints each value with its sample size; a value with fewer than 10 observations
keeps the starting one. --save-as stores the result.

Example: forecastle calibrate --as-of 2026-10-31 --save-as calibrated
         forecastle forecast --scenario calibrated --as-of 2026-10-31
)";

constexpr char kBacktestUsage[] =
    R"(Usage: forecastle backtest --from YYYY-MM [--to YYYY-MM] [--step 3] [--horizon 12]
         [--paths 1000] [--seed 1] [--scenario NAME] [--no-calibrate] [--by-horizon]
         [--format table|csv|json] [--plot FILE.svg [--plot-metrics revenue,backlog,...]]

Replays forecasts from the month ends of --from..--to every --step months, each from only what
the ledger held for that date and calibrated then (unless --no-calibrate), and scores every
forecast month against the exact actuals that followed (SPEC 4.5). Per metric: the share of
actual months inside P10-P90 and P25-P75 (80% and 50% when calibrated), the bias of P50, the
CRPS (relative to |actual|), the best naive peer's (last 3 months, same month last year x
growth, persistence, CRM weighted pipeline) and the skill 1 - CRPS / peer's (> 0 beats every
peer). --by-horizon adds a row per metric and horizon month.
--plot writes an SVG chart with two panels per metric: the P10-P90 and P25-P75 coverage by
horizon month over their target ranges (70-90% and 40-60%, shaded), and the PIT histogram
(10 bins of the share of paths below the actual; flat at the 10% line when calibrated).
--plot-metrics chooses the metrics among those scored (default all of them).

Example: forecastle backtest --from 2025-01 --to 2025-10 --step 3 --horizon 12
)";

std::string QuantileName(double q) {
  std::string text = absl::StrFormat("%.6g", q * 100);
  return "p" + text;
}

absl::StatusOr<std::vector<double>> ParseQuantiles(const std::string& text) {
  std::vector<double> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    double q;
    if (!absl::SimpleAtod(part, &q)) {
      return absl::InvalidArgumentError(absl::StrCat("--quantiles: \"", part, "\" is not a number"));
    }
    out.push_back(q);
  }
  return out;
}

// Fills the request's common settings from the flags; errors are usage errors.
absl::Status FillRequest(const Args& args, v1::ForecastRequest* request) {
  request->set_as_of(args.Get("as-of"));
  request->set_known_at(args.Get("known-at"));
  auto horizon = ParseIntFlag("horizon", args.Get("horizon", "36"), 1, 120);
  if (!horizon.ok()) return horizon.status();
  request->set_horizon_months(static_cast<int>(*horizon));
  auto paths = ParseIntFlag("paths", args.Get("paths", "10000"), 1, 10'000'000);
  if (!paths.ok()) return paths.status();
  request->set_paths(*paths);
  auto seed = ParseIntFlag("seed", args.Get("seed", "1"), 0, INT64_MAX);
  if (!seed.ok()) return seed.status();
  request->set_seed(static_cast<uint64_t>(*seed));
  if (args.Has("quantiles")) {
    auto quantiles = ParseQuantiles(args.Get("quantiles"));
    if (!quantiles.ok()) return quantiles.status();
    for (double q : *quantiles) request->add_quantiles(q);
  }
  if (args.Has("strain-months")) {
    double months;
    if (!absl::SimpleAtod(args.Get("strain-months"), &months)) {
      return absl::InvalidArgumentError("--strain-months must be a number");
    }
    request->set_strain_months(months);
  }
  if (args.Has("target")) {
    for (absl::string_view item : absl::StrSplit(args.Get("target"), ',')) {
      const std::vector<std::string> parts = absl::StrSplit(item, ':');
      double value;
      if (parts.size() != 2 || !absl::SimpleAtod(parts[1], &value)) {
        return absl::InvalidArgumentError(absl::StrCat("--target: expected METRIC:VALUE, got \"", item, "\""));
      }
      absl::StatusOr<forecast::Metric> metric = forecast::ParseMetric(parts[0], "--target");
      if (!metric.ok()) return metric.status();
      v1::Target* target = request->add_targets();
      target->set_metric(MetricToProto(*metric));
      target->set_value(value);
    }
  }
  if (args.Has("target-error")) {
    double target;
    if (!absl::SimpleAtod(args.Get("target-error"), &target)) {
      return absl::InvalidArgumentError("--target-error must be a number");
    }
    request->set_target_relative_error(target);
  }
  return absl::OkStatus();
}

// Amounts, hours and headcounts to the cent; utilisation, a ratio, to four decimals (at two its
// standard error would read 0.00).
std::string Number(double value, std::string_view metric) {
  return metric == "utilization" ? absl::StrFormat("%.4f", value) : absl::StrFormat("%.2f", value);
}

Grid ForecastGrid(const v1::ForecastReply& reply) {
  Grid grid;
  grid.header = {"month", "metric", "mean", "std", "stderr"};
  for (double q : reply.quantiles()) grid.header.push_back(QuantileName(q));
  const int months = reply.metrics_size() > 0 ? reply.metrics(0).months_size() : 0;
  for (int m = 0; m < months; ++m) {
    for (const v1::MetricForecast& metric : reply.metrics()) {
      const v1::MonthSummary& s = metric.months(m);
      const std::string name = MetricNameOf(metric);
      std::vector<std::string> row = {s.month(), name, Number(s.mean(), name), Number(s.std(), name),
                                      Number(s.standard_error(), name)};
      for (double q : s.quantiles()) row.push_back(Number(q, name));
      grid.rows.push_back(std::move(row));
    }
  }
  return grid;
}

void PrintForecastNotes(const v1::ForecastReply& reply, std::ostream& out) {
  out << "\nP(work backlog above the strain threshold) by month:";
  for (int m = 0; m < reply.strain_probability_size(); ++m) {
    if (m % 12 == 0) out << "\n ";
    out << absl::StrFormat(" %.2f", reply.strain_probability(m));
  }
  for (const v1::TargetProbability& t : reply.target_probabilities()) {
    out << absl::StrFormat("\nP(%s >= %.2f) by month:", MetricNameOf(t.target()), t.target().value());
    for (int m = 0; m < t.probability_size(); ++m) {
      if (m % 12 == 0) out << "\n ";
      out << absl::StrFormat(" %.2f", t.probability(m));
    }
  }
  out << absl::StrFormat("\nwork backlog clears within the horizon with probability %.3f; month to clear: mean %.1f",
                         reply.clear_probability(), reply.months_to_clear().mean());
  for (int q = 0; q < reply.months_to_clear().quantiles_size(); ++q) {
    out << absl::StrFormat(", %s %.0f", QuantileName(reply.quantiles(q)), reply.months_to_clear().quantiles(q));
  }
  out << "\n";
}

// A progress bar on a terminal, a line every 10% otherwise.
class ProgressBar {
 public:
  ProgressBar() : tty_(isatty(STDERR_FILENO)) {}
  void Update(int64_t done, int64_t total) {
    const int percent = total > 0 ? static_cast<int>(100 * done / total) : 100;
    if (tty_) {
      const int width = 40, filled = percent * width / 100;
      std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << percent
                << "% " << done << "/" << total << " paths" << std::flush;
    } else if (percent / 10 > last_decile_) {
      last_decile_ = percent / 10;
      std::cerr << "forecastle: " << done << "/" << total << " paths\n";
    }
  }
  ~ProgressBar() {
    if (tty_) std::cerr << "\n";
  }

 private:
  bool tty_;
  int last_decile_ = -1;
};

int ReadJsonFile(const std::string& path, v1::Scenario* scenario) {
  std::ifstream in(path);
  if (!in) return Fail(absl::StrCat("cannot read ", path), 2);
  std::stringstream text;
  text << in.rdbuf();
  auto status = google::protobuf::util::JsonStringToMessage(text.str(), scenario);
  if (!status.ok()) return Fail(absl::StrCat(path, ": not a forecastle.v1.Scenario in JSON: ", status.message().ToString()), 2);
  return 0;
}

std::string ScenarioJson(const v1::Scenario& scenario) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(scenario, &json, options);
  return json;
}

}  // namespace

int ScenarioCommand(const Args& args) {
  if (args.help || args.positional.empty()) {
    std::cout << kScenarioUsage;
    return args.help ? 0 : 2;
  }
  const std::string verb = args.positional[0];
  auto stub = v1::ForecastService::NewStub(Connect(args));
  if (verb == "list") {
    v1::ListScenariosReply reply;
    if (int failed = Call(args, &v1::ForecastService::Stub::ListScenarios, *stub, v1::ListScenariosRequest(), &reply)) return failed;
    Grid grid;
    grid.header = {"name", "base", "description"};
    for (const auto& s : reply.scenarios()) grid.rows.push_back({s.name(), s.base(), s.description()});
    PrintGrid(grid, Format::kTable, std::cout);
    return 0;
  }
  if (args.positional.size() != 2) return Fail(absl::StrCat("scenario ", verb, " needs a NAME\n", kScenarioUsage), 2);
  const std::string name = args.positional[1];
  if (verb == "create" || (verb == "edit" && args.Has("file"))) {
    v1::Scenario scenario;
    if (args.Has("file")) {
      if (int failed = ReadJsonFile(args.Get("file"), &scenario)) return failed;
    }
    scenario.set_name(name);
    if (args.Has("base")) scenario.set_base(args.Get("base"));
    if (args.Has("description")) scenario.set_description(args.Get("description"));
    v1::Scenario reply;
    auto method = verb == "create" ? &v1::ForecastService::Stub::CreateScenario : &v1::ForecastService::Stub::UpdateScenario;
    if (int failed = Call(args, method, *stub, scenario, &reply)) return failed;
    std::cout << (verb == "create" ? "created" : "updated") << " scenario " << name << "\n";
    return 0;
  }
  if (verb == "show" || verb == "edit") {
    v1::GetScenarioRequest request;
    request.set_name(name);
    request.set_resolved(verb == "show" && args.Has("resolved"));
    v1::Scenario scenario;
    if (int failed = Call(args, &v1::ForecastService::Stub::GetScenario, *stub, request, &scenario)) return failed;
    if (verb == "show") {
      std::cout << ScenarioJson(scenario) << "\n";
      return 0;
    }
    char path[] = "/tmp/forecastle-scenario-XXXXXX.json";
    const int fd = mkstemps(path, 5);
    if (fd < 0) return Fail("cannot create a temporary file");
    close(fd);
    std::ofstream(path) << ScenarioJson(scenario);
    const char* editor = std::getenv("EDITOR");
    const std::string command = absl::StrCat(editor && *editor ? editor : "vi", " ", path);
    if (std::system(command.c_str()) != 0) return Fail(absl::StrCat("the editor failed; your edit is in ", path));
    v1::Scenario edited;
    if (int failed = ReadJsonFile(path, &edited)) return failed;
    edited.set_name(name);
    v1::Scenario reply;
    if (int failed = Call(args, &v1::ForecastService::Stub::UpdateScenario, *stub, edited, &reply)) {
      std::cerr << "forecastle: your edit is kept in " << path << "\n";
      return failed;
    }
    std::remove(path);
    std::cout << "updated scenario " << name << "\n";
    return 0;
  }
  if (verb == "delete") {
    v1::DeleteScenarioRequest request;
    request.set_name(name);
    v1::DeleteScenarioReply reply;
    if (int failed = Call(args, &v1::ForecastService::Stub::DeleteScenario, *stub, request, &reply)) return failed;
    std::cout << "deleted scenario " << name << "\n";
    return 0;
  }
  return Fail(absl::StrCat("unknown scenario command \"", verb, "\"\n", kScenarioUsage), 2);
}

int ForecastCommand(const Args& args) {
  if (args.help) return std::cout << kForecastUsage, 0;
  if (!args.positional.empty()) return Fail(absl::StrCat("forecast takes no arguments\n", kForecastUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  auto plot = ParsePlotFlags(args);
  if (!plot.ok()) return Fail(std::string(plot.status().message()), 2);
  v1::ForecastRequest request;
  request.set_progress_only(true);  // the bar needs counts; the result comes at the end
  request.set_scenario(args.Get("scenario") == "default" ? "" : args.Get("scenario"));
  if (absl::Status filled = FillRequest(args, &request); !filled.ok()) return Fail(std::string(filled.message()), 2);
  auto stub = v1::ForecastService::NewStub(Connect(args));
  grpc::ClientContext context;
  SetDeadline(args, context);
  auto reader = stub->StreamForecast(&context, request);
  v1::ForecastProgress message;
  v1::ForecastReply final_reply;
  {
    ProgressBar bar;
    while (reader->Read(&message)) {
      if (message.queue_position() > 0) {  // waiting for a turn: no paths yet
        std::cerr << "forecastle: waiting for a turn on the server, place " << message.queue_position() << " in line\n";
        continue;
      }
      bar.Update(message.paths_done(), message.paths_total());
      if (message.done()) final_reply = message.partial();
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return FailRpc(args, status);
  // A chart that cannot be drawn fails the command, but the results are printed all the same.
  const int plotted = plot->path.empty() ? 0 : Plot(*plot, ForecastChart(final_reply, plot->metrics));
  for (const std::string& warning : final_reply.warnings()) std::cerr << "forecastle: warning: " << warning << "\n";
  if (*format == Format::kJson) return PrintJson(final_reply, std::cout), std::cout << "\n", plotted;
  if (*format == Format::kTable) {
    std::cout << "forecast of scenario " << final_reply.scenario() << " as of " << final_reply.as_of() << ": "
              << final_reply.paths() << " paths, seed " << final_reply.seed() << "\n";
  }
  PrintGrid(ForecastGrid(final_reply), *format, std::cout);
  if (*format == Format::kTable) PrintForecastNotes(final_reply, std::cout);
  return plotted;
}

int CompareCommand(const Args& args) {
  if (args.help) return std::cout << kCompareUsage, 0;
  if (args.positional.size() < 2) return Fail(absl::StrCat("compare needs a base and at least one variant\n", kCompareUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  auto plot = ParsePlotFlags(args);
  if (!plot.ok()) return Fail(std::string(plot.status().message()), 2);
  v1::CompareRequest request;
  request.mutable_base()->set_scenario(args.positional[0] == "default" ? "" : args.positional[0]);
  if (absl::Status filled = FillRequest(args, request.mutable_base()); !filled.ok()) return Fail(std::string(filled.message()), 2);
  for (size_t i = 1; i < args.positional.size(); ++i) request.add_variants(args.positional[i] == "default" ? "" : args.positional[i]);
  auto stub = v1::ForecastService::NewStub(Connect(args));
  v1::CompareReply reply;
  std::cerr << "forecastle: running " << args.positional.size() << " scenarios on common random numbers...\n";
  if (int failed = Call(args, &v1::ForecastService::Stub::Compare, *stub, request, &reply)) return failed;
  const int plotted = plot->path.empty() ? 0 : Plot(*plot, CompareChart(reply, plot->metrics));
  if (*format == Format::kJson) return PrintJson(reply, std::cout), std::cout << "\n", plotted;
  Grid grid;
  grid.header = {"variant", "month", "metric", "base_mean", "variant_mean", "difference_mean", "difference_stderr"};
  for (double q : reply.base().quantiles()) grid.header.push_back("difference_" + QuantileName(q));
  grid.header.push_back("p_variant_higher");
  for (int v = 0; v < reply.variants_size(); ++v) {
    const v1::VariantComparison& variant = reply.variants(v);
    for (int m = 0; m < variant.difference(0).months_size(); ++m) {
      for (int k = 0; k < variant.difference_size(); ++k) {
        const v1::MonthSummary& d = variant.difference(k).months(m);
        const std::string name = MetricNameOf(variant.difference(k));
        std::vector<std::string> row = {variant.forecast().scenario(), d.month(), name,
                                        Number(reply.base().metrics(k).months(m).mean(), name),
                                        Number(variant.forecast().metrics(k).months(m).mean(), name),
                                        Number(d.mean(), name), Number(d.standard_error(), name)};
        for (double q : d.quantiles()) row.push_back(Number(q, name));
        row.push_back(absl::StrFormat("%.3f", variant.probability_higher(k).months(m).mean()));
        grid.rows.push_back(std::move(row));
      }
    }
  }
  PrintGrid(grid, *format, std::cout);
  return plotted;
}

int CalibrateCommand(const Args& args) {
  if (args.help) return std::cout << kCalibrateUsage, 0;
  if (!args.positional.empty()) return Fail(absl::StrCat("calibrate takes no arguments\n", kCalibrateUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  v1::CalibrateRequest request;
  request.set_as_of(args.Get("as-of"));
  request.set_known_at(args.Get("known-at"));
  request.set_base(args.Get("base"));
  request.set_save_as(args.Get("save-as"));
  v1::CalibrateReply reply;
  auto stub = v1::ForecastService::NewStub(Connect(args));
  if (int failed = Call(args, &v1::ForecastService::Stub::Calibrate, *stub, request, &reply)) return failed;
  if (*format == Format::kJson) return PrintJson(reply, std::cout), std::cout << "\n", 0;
  Grid grid;
  grid.header = {"field", "value", "sample_size", "fitted"};
  for (const v1::FittedValue& v : reply.values()) {
    grid.rows.push_back({v.field(), absl::StrFormat("%.6g", v.value()), absl::StrCat(v.sample_size()),
                         v.fitted() ? "yes" : "kept"});
  }
  PrintGrid(grid, *format, std::cout);
  if (!request.save_as().empty() && *format == Format::kTable) {
    std::cout << "stored as scenario " << request.save_as() << "\n";
  }
  return 0;
}

int BacktestCommand(const Args& args) {
  if (args.help) return std::cout << kBacktestUsage, 0;
  if (!args.positional.empty()) return Fail(absl::StrCat("backtest takes no arguments\n", kBacktestUsage), 2);
  auto format = ParseFormat(args.Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);
  if (!args.Has("from")) return Fail(absl::StrCat("--from is required\n", kBacktestUsage), 2);
  std::vector<std::string> scored;
  for (forecast::Metric metric : forecast::kBacktestMetrics) scored.emplace_back(forecast::MetricName(metric));
  auto plot = ParsePlotFlags(args, scored);
  if (!plot.ok()) return Fail(std::string(plot.status().message()), 2);
  v1::BacktestRequest request;
  request.set_scenario(args.Get("scenario"));
  request.set_from(args.Get("from"));
  request.set_known_at(args.Get("known-at"));
  request.set_to(args.Get("to"));
  auto step = ParseIntFlag("step", args.Get("step", "3"), 1, 12);
  auto horizon = ParseIntFlag("horizon", args.Get("horizon", "12"), 1, 36);
  auto paths = ParseIntFlag("paths", args.Get("paths", "1000"), 2, 100000);
  auto seed = ParseIntFlag("seed", args.Get("seed", "1"), 1, INT64_MAX);
  for (const auto* parsed : {&step, &horizon, &paths, &seed}) {
    if (!parsed->ok()) return Fail(std::string(parsed->status().message()), 2);
  }
  request.set_step_months(static_cast<int32_t>(*step));
  request.set_horizon_months(static_cast<int32_t>(*horizon));
  request.set_paths(*paths);
  request.set_seed(static_cast<uint64_t>(*seed));
  request.set_no_calibration(args.Has("no-calibrate"));
  v1::BacktestReply reply;
  auto stub = v1::ForecastService::NewStub(Connect(args));
  if (int failed = Call(args, &v1::ForecastService::Stub::Backtest, *stub, request, &reply)) return failed;
  const int plotted = plot->path.empty() ? 0 : Plot(*plot, BacktestChart(reply, plot->metrics));
  if (*format == Format::kJson) return PrintJson(reply, std::cout), std::cout << "\n", plotted;
  Grid grid;
  grid.header = {"metric", "horizon", "forecasts", "in_p10_p90", "in_p25_p75", "bias", "crps", "best_peer",
                 "peer_crps", "skill"};
  auto add = [&](const v1::BacktestScore& s) {
    double peer_crps = 0;
    for (const v1::PeerScore& p : s.peers()) {
      if (p.peer() == s.best_peer() && p.has_crps()) peer_crps = p.crps();
    }
    grid.rows.push_back({MetricNameOf(s), s.horizon_month() == 0 ? "all" : absl::StrCat(s.horizon_month()),
                         absl::StrCat(s.forecasts()), absl::StrFormat("%.3f", s.coverage_80()),
                         absl::StrFormat("%.3f", s.coverage_50()), absl::StrFormat("%+.3f", s.bias()),
                         absl::StrFormat("%.4f", s.crps()), s.best_peer(), absl::StrFormat("%.4f", peer_crps),
                         s.has_skill() ? absl::StrFormat("%+.3f", s.skill()) : ""});
  };
  for (const v1::BacktestScore& s : reply.overall()) add(s);
  if (args.Has("by-horizon")) {
    for (const v1::BacktestScore& s : reply.cells()) add(s);
  }
  if (*format == Format::kTable) {
    std::cout << "backtest of " << reply.as_of_size() << " as-of dates (" << (reply.as_of().empty() ? "" : reply.as_of(0))
              << (reply.as_of_size() > 1 ? " .. " + reply.as_of(reply.as_of_size() - 1) : std::string()) << "), "
              << request.horizon_months() << " months each\n";
  }
  PrintGrid(grid, *format, std::cout);
  return plotted;
}

}  // namespace forecastle::cli

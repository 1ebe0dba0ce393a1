// ForecastService through a real gRPC client on loopback: scenario storage and base merging,
// forecasts that replay, streams with progress, comparisons, limits, deadlines and restarts.
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/sample/sample_company.h"
#include "proto/wire/convert.h"
#include "tests/testing/import_stream.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using ::testing::HasSubstr;

class ForecastServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ForecastServiceImpl::Options limits;
    limits.max_paths = 50000;
    limits.max_path_values = 80'000'000;  // the deadline test's 50,000 paths x 120 months
    limits.max_concurrent_forecasts = 1;
    limits.forecast_queue = 0;  // a second forecast is refused at once (bounds_test covers the queue)
    server_ = std::make_unique<testing::TestServer>(testing::FreshDatabasePath("forecast.db"), limits);
    SampleOptions options;
    options.contracts = 400;
    auto records = GenerateSampleCompany(options);
    ASSERT_TRUE(records.ok());
    testing::StreamedImport imported =
        testing::StreamImport(server_->server().address(), testing::ImportMessages(*records, 5000, "sample"));
    ASSERT_TRUE(imported.status.ok()) << imported.status.error_message();
    ASSERT_EQ(imported.summaries.size(), 1u);
    ASSERT_EQ(imported.summaries[0].refused(), 0);
  }

  grpc::Status Create(const v1::Scenario& scenario) {
    grpc::ClientContext context;
    v1::Scenario reply;
    return server_->forecasts().CreateScenario(&context, scenario, &reply);
  }
  v1::ForecastRequest Request(const std::string& scenario, int64_t paths = 500) {
    v1::ForecastRequest request;
    request.set_scenario(scenario);
    request.set_as_of("2026-10-31");
    request.set_horizon_months(12);
    request.set_paths(paths);
    request.set_seed(42);
    return request;
  }
  grpc::Status Forecast(const v1::ForecastRequest& request, v1::ForecastReply* reply) {
    grpc::ClientContext context;
    return server_->forecasts().Forecast(&context, request, reply);
  }

  std::unique_ptr<testing::TestServer> server_;
};

v1::Scenario Hiring(const std::string& name, const std::string& base, double count) {
  v1::Scenario s;
  s.set_name(name);
  s.set_base(base);
  v1::Hire* hire = s.add_hiring_plan();
  hire->set_team("delivery");
  hire->set_month("2026-11");
  hire->set_count(count);
  return s;
}

TEST_F(ForecastServiceTest, ScenarioLifecycleAndBaseMerging) {
  v1::Scenario plan;
  plan.set_name("plan");
  plan.set_description("this year's plan");
  plan.set_win_rate_multiplier(1.2);
  ASSERT_TRUE(Create(plan).ok());
  EXPECT_EQ(Create(plan).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::Scenario variant = Hiring("hire10", "plan", 10);
  v1::Team* team = variant.add_teams();
  team->set_name("delivery");
  team->set_fte(55);
  ASSERT_TRUE(Create(variant).ok());

  grpc::ClientContext get_context;
  v1::GetScenarioRequest get;
  get.set_name("hire10");
  get.set_resolved(true);
  v1::Scenario resolved;
  ASSERT_TRUE(server_->forecasts().GetScenario(&get_context, get, &resolved).ok());
  EXPECT_DOUBLE_EQ(resolved.win_rate_multiplier(), 1.2);  // from the base
  ASSERT_EQ(resolved.teams_size(), 1);
  EXPECT_DOUBLE_EQ(resolved.teams(0).fte(), 55);          // the variant's override ...
  EXPECT_DOUBLE_EQ(resolved.teams(0).utilization(), 0.75);  // ... merged by name, the rest kept
  EXPECT_EQ(resolved.hiring_plan_size(), 1);
  EXPECT_EQ(resolved.segments_size(), 3);

  grpc::ClientContext delete_base;
  v1::DeleteScenarioRequest del;
  del.set_name("plan");
  v1::DeleteScenarioReply deleted;
  grpc::Status refused = server_->forecasts().DeleteScenario(&delete_base, del, &deleted);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("\"hire10\" has \"plan\" as its base"));

  // Scenarios are stored: a restart keeps them.
  server_->Restart();
  grpc::ClientContext list_context;
  v1::ListScenariosReply list;
  ASSERT_TRUE(server_->forecasts().ListScenarios(&list_context, {}, &list).ok());
  ASSERT_EQ(list.scenarios_size(), 2);
  EXPECT_EQ(list.scenarios(0).name(), "hire10");
  EXPECT_EQ(list.scenarios(1).description(), "this year's plan");

  // An update replaces the stored scenario, and variants see it through their base.
  v1::Scenario replan = plan;
  replan.set_win_rate_multiplier(0.8);
  grpc::ClientContext replan_context;
  v1::Scenario replanned;
  ASSERT_TRUE(server_->forecasts().UpdateScenario(&replan_context, replan, &replanned).ok());
  grpc::ClientContext reread_context;
  ASSERT_TRUE(server_->forecasts().GetScenario(&reread_context, get, &resolved).ok());
  EXPECT_DOUBLE_EQ(resolved.win_rate_multiplier(), 0.8);
  EXPECT_DOUBLE_EQ(resolved.teams(0).fte(), 55);

  grpc::ClientContext update_context;
  v1::Scenario missing = plan;
  missing.set_name("nope");
  v1::Scenario updated;
  EXPECT_EQ(server_->forecasts().UpdateScenario(&update_context, missing, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ForecastServiceTest, InvalidScenarioFieldsAreNamed) {
  v1::Scenario bad;
  bad.set_name("bad");
  v1::SegmentAssumptions* segment = bad.add_segments();
  segment->set_name("smb");
  segment->set_win_rate(1.5);
  grpc::Status status = Create(bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("segments[0].win_rate must be in [0, 1], got 1.5"));
  v1::Scenario orphan = Hiring("orphan", "no-such-base", 1);
  EXPECT_EQ(Create(orphan).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::Scenario bad_month = Hiring("bad-month", "", 1);
  bad_month.mutable_hiring_plan(0)->set_month("2026-13");
  status = Create(bad_month);
  EXPECT_THAT(status.error_message(), HasSubstr("hiring_plan[0].month: expected a month"));
  v1::Scenario spaces;
  spaces.set_name("my plan");
  EXPECT_THAT(Create(spaces).error_message(), HasSubstr("name may hold only letters"));

  // A variant's overrides are checked merged over its base, when it is stored, and a refused write
  // stores nothing.
  v1::Scenario plan;
  plan.set_name("plan");
  ASSERT_TRUE(Create(plan).ok());
  v1::Scenario variant = Hiring("busy", "plan", 2);
  v1::Team* team = variant.add_teams();
  team->set_name("delivery");
  team->set_utilization(3);
  status = Create(variant);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("teams[0].utilization must be in [0, 1], got 3"));
  v1::Scenario unknown_team = Hiring("busy", "plan", 2);
  unknown_team.mutable_hiring_plan(0)->set_team("sales");
  EXPECT_THAT(Create(unknown_team).error_message(), HasSubstr("hiring_plan[0].team \"sales\" is not one of teams"));
  grpc::ClientContext get_context;
  v1::GetScenarioRequest get;
  get.set_name("busy");
  v1::Scenario stored;
  EXPECT_EQ(server_->forecasts().GetScenario(&get_context, get, &stored).error_code(), grpc::StatusCode::NOT_FOUND);
  // Updated the same way: a valid variant stays as it was.
  ASSERT_TRUE(Create(Hiring("busy", "plan", 2)).ok());
  grpc::ClientContext update_context;
  v1::Scenario updated;
  status = server_->forecasts().UpdateScenario(&update_context, variant, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext get_again;
  get.set_resolved(true);
  ASSERT_TRUE(server_->forecasts().GetScenario(&get_again, get, &stored).ok());
  EXPECT_DOUBLE_EQ(stored.teams(0).utilization(), 0.75);
}

TEST_F(ForecastServiceTest, ForecastReplaysAndCarriesTheActuals) {
  v1::ForecastReply first, second;
  ASSERT_TRUE(Forecast(Request(""), &first).ok());
  ASSERT_TRUE(Forecast(Request(""), &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(first.paths(), 500);
  ASSERT_EQ(first.metrics_size(), 13);
  // A team of 1 FTE is far from what the sample's delivery team delivered: the reply says so.
  EXPECT_EQ(first.warnings_size(), 0);
  v1::Scenario tiny;
  tiny.set_name("tiny");
  v1::Team* team = tiny.add_teams();
  team->set_name("delivery");
  team->set_fte(1);
  ASSERT_TRUE(Create(tiny).ok());
  v1::ForecastReply warned;
  ASSERT_TRUE(Forecast(Request("tiny"), &warned).ok());
  ASSERT_EQ(warned.warnings_size(), 1);
  EXPECT_THAT(warned.warnings(0), HasSubstr("teams[delivery]: capacity 105 hours a month (1 FTE x 140 hours"));
  EXPECT_EQ(first.metrics(1).metric(), v1::METRIC_REVENUE);
  EXPECT_EQ(first.metrics(1).metric_name(), "revenue");
  ASSERT_EQ(first.metrics(1).months_size(), 12);
  EXPECT_EQ(first.metrics(1).months(0).month(), "2026-11");
  EXPECT_EQ(first.metrics(1).months(0).quantiles_size(), 3);
  ASSERT_EQ(first.actuals().tables(0).periods_size(), 12);
  EXPECT_EQ(first.actuals().tables(0).periods(11).period(), "2026-10");
  // The teams' delivery in the same months: the sample company records its headcount, so each
  // month has a capacity at the scenario's 140 hours x 0.75 per FTE, and the share of it worked.
  ASSERT_EQ(first.delivery_history_size(), 12);
  for (int i = 0; i < 12; ++i) {
    const v1::DeliveryMonth& d = first.delivery_history(i);
    EXPECT_EQ(d.month(), first.actuals().tables(0).periods(i).period());
    EXPECT_GT(d.worked_hours(), 0);
    ASSERT_TRUE(d.has_headcount() && d.has_capacity_hours() && d.has_utilization()) << d.month();
    EXPECT_NEAR(d.capacity_hours(), d.headcount() * 140 * 0.75, 1e-9 * d.capacity_hours());
    EXPECT_NEAR(d.utilization(), d.worked_hours() / d.capacity_hours(), 1e-12);
  }
  // The forecast starts from the exact backlog at as-of: month 1's mean backlog is that plus
  // the month's bookings less its revenue.
  const double backlog_now = std::stod(first.actuals().tables(0).periods(11).backlog());
  const double expected = backlog_now + first.metrics(0).months(0).mean() - first.metrics(1).months(0).mean();
  EXPECT_NEAR(first.metrics(4).months(0).mean(), expected, 1e-6 * expected + 1);
  v1::ForecastRequest other = Request("");
  other.set_seed(43);
  v1::ForecastReply third;
  ASSERT_TRUE(Forecast(other, &third).ok());
  EXPECT_NE(third.metrics(0).months(3).mean(), first.metrics(0).months(3).mean());
}

// A mid-month as-of, and the default as-of (today, any day of a month), used to crash the server
// in BuildStartingState: every forecast-type call answers, and the server stays up.
TEST_F(ForecastServiceTest, AnyAsOfDayForecastsComparesAndCalibrates) {
  ASSERT_TRUE(Create(Hiring("hire5", "", 5)).ok());
  for (const std::string as_of : {"", "2026-10-15", "2026-10-01", "2024-02-29", "2026-06-30"}) {
    SCOPED_TRACE(as_of.empty() ? "today" : as_of);
    v1::ForecastRequest request = Request("", 200);
    request.set_as_of(as_of);
    v1::ForecastReply reply;
    grpc::Status status = Forecast(request, &reply);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(reply.metrics_size(), 13);

    v1::CompareRequest compare;
    *compare.mutable_base() = request;
    compare.add_variants("hire5");
    grpc::ClientContext compare_context;
    v1::CompareReply compared;
    status = server_->forecasts().Compare(&compare_context, compare, &compared);
    ASSERT_TRUE(status.ok()) << status.error_message();

    v1::CalibrateRequest calibrate;
    calibrate.set_as_of(as_of);
    grpc::ClientContext calibrate_context;
    v1::CalibrateReply calibrated;
    status = server_->forecasts().Calibrate(&calibrate_context, calibrate, &calibrated);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
}

// Backtest (SPEC §4.5): month ends from..to by step, each scored over the horizon; every metric
// has an overall row and a row per horizon month; bad requests name the field.
TEST_F(ForecastServiceTest, BacktestScoresEachMetricAndNamesBadFields) {
  v1::BacktestRequest request;
  request.set_from("2025-06");
  request.set_to("2025-12");
  request.set_step_months(6);
  request.set_horizon_months(6);
  request.set_paths(100);
  v1::BacktestReply reply;
  {
    grpc::ClientContext context;
    grpc::Status status = server_->forecasts().Backtest(&context, request, &reply);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(reply.as_of_size(), 2);
  EXPECT_EQ(reply.as_of(0), "2025-06-30");
  EXPECT_EQ(reply.as_of(1), "2025-12-31");
  ASSERT_EQ(reply.overall_size(), 8);
  EXPECT_EQ(reply.overall(1).metric(), v1::METRIC_REVENUE);
  EXPECT_EQ(reply.overall(1).metric_name(), "revenue");
  EXPECT_EQ(reply.overall(1).forecasts(), 12);
  EXPECT_EQ(reply.cells_size(), 8 * 6);
  EXPECT_EQ(reply.cells(0).pit_size(), 10);
  EXPECT_EQ(reply.cells(0).peers_size(), 4);
  for (const v1::BacktestScore& s : reply.overall()) {
    EXPECT_GE(s.coverage_80(), s.coverage_50()) << s.metric_name();
    EXPECT_TRUE(s.has_skill()) << s.metric_name();
  }
  auto refused = [&](v1::BacktestRequest bad, const std::string& field) {
    grpc::ClientContext context;
    v1::BacktestReply ignored;
    grpc::Status status = server_->forecasts().Backtest(&context, bad, &ignored);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  };
  v1::BacktestRequest bad = request;
  bad.clear_from();
  refused(bad, "from");
  bad = request;
  bad.set_to("2025-01");
  refused(bad, "to must not be before from");
  bad = request;
  bad.set_step_months(13);
  refused(bad, "step_months");
  bad = request;
  bad.set_paths(60000);
  refused(bad, "--max_paths");
  bad = request;
  bad.set_horizon_months(40);
  refused(bad, "horizon_months");
}

TEST_F(ForecastServiceTest, RequestsAreValidatedAndBounded) {
  v1::ForecastReply reply;
  grpc::Status status = Forecast(Request("", 50001), &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("paths must be in [1, 50000] (the server's --max_paths), got 50001"));
  v1::ForecastRequest horizon = Request("");
  horizon.set_horizon_months(121);
  EXPECT_THAT(Forecast(horizon, &reply).error_message(),
              HasSubstr("horizon_months must be in [1, 120] (the server's --max_horizon_months), got 121"));
  v1::ForecastRequest quantiles = Request("");
  quantiles.add_quantiles(0.9);
  quantiles.add_quantiles(0.1);
  EXPECT_THAT(Forecast(quantiles, &reply).error_message(), HasSubstr("quantiles: must be increasing"));
  v1::ForecastRequest date = Request("");
  date.set_as_of("2026-02-30");
  EXPECT_THAT(Forecast(date, &reply).error_message(), HasSubstr("as_of: no such day"));
  EXPECT_EQ(Forecast(Request("unknown"), &reply).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ForecastRequest target = Request("");
  // A client older than the Metric enum names the metric by metric_name.
  target.add_targets()->set_metric_name("profit");
  grpc::Status bad_target = Forecast(target, &reply);
  EXPECT_EQ(bad_target.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_target.error_message(), HasSubstr("targets[0].metric_name: no metric \"profit\""));
  target.mutable_targets(0)->set_metric_name("revenue");
  target.mutable_targets(0)->set_value(0);
  ASSERT_TRUE(Forecast(target, &reply).ok());
  ASSERT_EQ(reply.target_probabilities_size(), 1);
  EXPECT_EQ(reply.target_probabilities(0).probability(0), 1.0);  // revenue is never negative
  EXPECT_EQ(reply.target_probabilities(0).target().metric(), v1::METRIC_REVENUE);
  EXPECT_EQ(reply.target_probabilities(0).target().metric_name(), "revenue");
  // A client of the enum; both must agree when both are sent; one of them is required.
  target.mutable_targets(0)->clear_metric_name();
  target.mutable_targets(0)->set_metric(v1::METRIC_BACKLOG);
  ASSERT_TRUE(Forecast(target, &reply).ok());
  EXPECT_EQ(reply.target_probabilities(0).target().metric_name(), "backlog");
  target.mutable_targets(0)->set_metric_name("revenue");
  EXPECT_THAT(Forecast(target, &reply).error_message(),
              HasSubstr("targets[0].metric_name: \"revenue\" is not the metric targets[0].metric names, backlog"));
  target.mutable_targets(0)->clear_metric_name();
  target.mutable_targets(0)->set_metric(static_cast<v1::Metric>(99));
  EXPECT_THAT(Forecast(target, &reply).error_message(), HasSubstr("targets[0].metric: no metric has the enum value 99"));
  target.mutable_targets(0)->set_metric(v1::METRIC_UNSPECIFIED);
  EXPECT_THAT(Forecast(target, &reply).error_message(), HasSubstr("targets[0].metric: required"));
}

// A write that would break the chain of bases is refused and changes nothing: a base that would
// come back to itself, or an update of a base its variants would no longer validate over.
TEST_F(ForecastServiceTest, AWriteThatWouldBreakAChainOfBasesIsRefused) {
  v1::Scenario two_teams;
  two_teams.set_name("two");
  two_teams.add_teams()->set_name("delivery");
  two_teams.add_teams()->set_name("sales");
  ASSERT_TRUE(Create(two_teams).ok());
  v1::Scenario variant = Hiring("sales-hire", "two", 2);
  variant.mutable_hiring_plan(0)->set_team("sales");
  ASSERT_TRUE(Create(variant).ok());

  v1::Scenario one_team = two_teams;
  one_team.mutable_teams()->RemoveLast();
  grpc::ClientContext update_context;
  v1::Scenario updated;
  grpc::Status status = server_->forecasts().UpdateScenario(&update_context, one_team, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("scenario \"sales-hire\" is built on \"two\" and would break: "
                                                "hiring_plan[0].team \"sales\" is not one of teams"));

  v1::Scenario circular = two_teams;
  circular.set_base("sales-hire");
  grpc::ClientContext circular_context;
  status = server_->forecasts().UpdateScenario(&circular_context, circular, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("a chain of bases may not come back"));

  // Both refusals left "two" as it was: its variant still forecasts.
  v1::ForecastReply reply;
  ASSERT_TRUE(Forecast(Request("sales-hire"), &reply).ok());
  EXPECT_EQ(reply.resolved_scenario().teams_size(), 2);
}

// Calibrating with too few payments to fit their delays saves no mix, so the saved scenario takes
// the ledger's history once it has enough (here, an empty ledger: the built-in mix).
TEST(ForecastServiceCalibration, TooFewPaymentsSaveNoDelayMix) {
  testing::TestServer server(testing::FreshDatabasePath("few-payments.db"));
  v1::CalibrateRequest request;
  request.set_as_of("2026-10-31");
  request.set_save_as("fitted");
  grpc::ClientContext context;
  v1::CalibrateReply reply;
  ASSERT_TRUE(server.forecasts().Calibrate(&context, request, &reply).ok());
  EXPECT_EQ(reply.scenario().payment().delay_days_mix_size(), 3);  // the reply shows the built-in mix
  grpc::ClientContext get_context;
  v1::GetScenarioRequest get;
  get.set_name("fitted");
  v1::Scenario stored;
  ASSERT_TRUE(server.forecasts().GetScenario(&get_context, get, &stored).ok());
  EXPECT_EQ(stored.payment().delay_days_mix_size(), 0);
  EXPECT_TRUE(stored.payment().has_bad_debt_rate());  // the rest is saved as fitted or kept
}

// The limits are the server's flags, and each refusal names its flag. A server of its own, with
// tight limits (the requests are refused before the empty ledger is read).
TEST(ForecastServiceLimits, EachLimitIsAFlagNamedWhenARequestPassesIt) {
  ForecastServiceImpl::Options limits;
  limits.max_horizon_months = 24;
  limits.max_variants = 1;
  limits.max_path_values = 13 * 12 * 1000;  // 1,000 paths of 12 months
  testing::TestServer server(testing::FreshDatabasePath("limits.db"), limits);
  v1::ForecastRequest request;
  request.set_horizon_months(25);
  request.set_paths(10);
  v1::ForecastReply reply;
  grpc::ClientContext horizon_context;
  grpc::Status status = server.forecasts().Forecast(&horizon_context, request, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("horizon_months must be in [1, 24] (the server's --max_horizon_months), got 25"));

  request.set_horizon_months(12);
  request.set_paths(1001);
  grpc::ClientContext values_context;
  status = server.forecasts().Forecast(&values_context, request, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("= 156156 path values, more than the server's --max_path_values (156000"));

  v1::CompareRequest compare;
  compare.add_variants("a");
  compare.add_variants("b");
  v1::CompareReply compared;
  grpc::ClientContext compare_context;
  status = server.forecasts().Compare(&compare_context, compare, &compared);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("variants: at most 1 (the server's --max_variants), got 2"));
}

// A limit out of its range keeps the server from starting, and says which.
TEST(ForecastServiceLimits, AServerRefusesALimitOutOfRange) {
  auto refused = [](void (*breaks)(ForecastleServer::Options&)) {
    ForecastleServer::Options options;
    options.listen = "127.0.0.1:0";
    options.database = testing::FreshDatabasePath("refused.db");
    breaks(options);
    auto server = ForecastleServer::Create(options);
    return server.ok() ? std::string("started") : std::string(server.status().message());
  };
  EXPECT_THAT(refused([](ForecastleServer::Options& o) { o.forecasts.max_horizon_months = 121; }),
              HasSubstr("max_horizon_months must be in [1, 120], got 121"));
  EXPECT_THAT(refused([](ForecastleServer::Options& o) { o.forecasts.max_variants = 0; }),
              HasSubstr("max_variants must be in [1, 64], got 0"));
  EXPECT_THAT(refused([](ForecastleServer::Options& o) { o.forecasts.max_path_values = 999; }),
              HasSubstr("max_path_values must be in [1000, 2000000000], got 999"));
  EXPECT_THAT(refused([](ForecastleServer::Options& o) { o.forecasts.max_paths = 0; }),
              HasSubstr("max_paths must be in [1, 10000000], got 0"));
}

TEST_F(ForecastServiceTest, StreamReportsProgressAndEndsWithTheForecast) {
  v1::ForecastRequest request = Request("", 20000);
  grpc::ClientContext context;
  auto reader = server_->forecasts().StreamForecast(&context, request);
  v1::ForecastProgress message;
  std::vector<int64_t> done;
  v1::ForecastReply last;
  while (reader->Read(&message)) {
    done.push_back(message.paths_done());
    if (message.done()) last = message.partial();
  }
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_GE(done.size(), 3u);
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_EQ(done.back(), 20000);
  v1::ForecastReply unary;
  ASSERT_TRUE(Forecast(request, &unary).ok());
  EXPECT_EQ(last.SerializeAsString(), unary.SerializeAsString());
}

TEST_F(ForecastServiceTest, StreamStopsEarlyAtTheRequestedPrecision) {
  v1::ForecastRequest request = Request("", 50000);
  request.set_target_relative_error(0.2);
  grpc::ClientContext context;
  auto reader = server_->forecasts().StreamForecast(&context, request);
  v1::ForecastProgress message, last;
  while (reader->Read(&message)) last = message;
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_TRUE(last.done());
  EXPECT_LT(last.partial().paths(), 50000);
}

TEST_F(ForecastServiceTest, CompareRunsVariantsOnCommonRandomNumbers) {
  ASSERT_TRUE(Create(Hiring("hire10", "", 10)).ok());
  v1::CompareRequest request;
  *request.mutable_base() = Request("");
  request.add_variants("hire10");
  grpc::ClientContext context;
  v1::CompareReply reply;
  ASSERT_TRUE(server_->forecasts().Compare(&context, request, &reply).ok());
  ASSERT_EQ(reply.variants_size(), 1);
  const v1::VariantComparison& v = reply.variants(0);
  EXPECT_EQ(v.forecast().scenario(), "hire10");
  // Headcount (metric 11) is higher once the hires join (month 3: requested 2026-11, 2 months to fill).
  const auto& headcount = v.difference(11);
  EXPECT_EQ(headcount.metric(), v1::METRIC_HEADCOUNT);
  EXPECT_NEAR(headcount.months(5).mean(), 10, 1.0);
  EXPECT_GT(v.probability_higher(11).months(5).mean(), 0.9);
  // Bookings do not depend on hiring: the same draws give exactly no difference.
  EXPECT_EQ(v.difference(0).months(5).mean(), 0);
  EXPECT_EQ(v.difference(0).months(5).std(), 0);
}

TEST_F(ForecastServiceTest, CalibrateFitsStoresAndForecasts) {
  v1::CalibrateRequest request;
  request.set_as_of("2026-10-31");
  request.set_save_as("calibrated");
  grpc::ClientContext context;
  v1::CalibrateReply reply;
  ASSERT_TRUE(server_->forecasts().Calibrate(&context, request, &reply).ok());
  bool saw_win_rate = false;
  for (const v1::FittedValue& v : reply.values()) {
    if (v.field() == "segments[smb].win_rate") {
      saw_win_rate = true;
      EXPECT_GT(v.sample_size(), 0);
      EXPECT_EQ(v.fitted(), v.sample_size() >= 10);
      EXPECT_GT(v.value(), 0);
      EXPECT_LT(v.value(), 1);
    }
  }
  EXPECT_TRUE(saw_win_rate);
  v1::ForecastReply forecast;
  ASSERT_TRUE(Forecast(Request("calibrated"), &forecast).ok());
  EXPECT_EQ(forecast.scenario(), "calibrated");
  // Calibrating again replaces the stored scenario.
  grpc::ClientContext again;
  EXPECT_TRUE(server_->forecasts().Calibrate(&again, request, &reply).ok());
  v1::CalibrateRequest bad;
  bad.set_save_as("no spaces allowed");
  grpc::ClientContext bad_context;
  grpc::Status status = server_->forecasts().Calibrate(&bad_context, bad, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("save_as: name may hold only letters"));
}

// SPEC §4: payments arrive after a delay "from the actual payment history by default". A scenario
// that sets no delay mix, itself or through its bases, runs with the mix calibration fits from the
// ledger; one that sets it keeps it, and so do its variants.
TEST_F(ForecastServiceTest, PaymentDelaysComeFromThePaymentHistoryUnlessAScenarioSetsThem) {
  auto mix_of = [](const v1::Scenario& s) {
    std::vector<std::pair<int, double>> mix;
    for (const v1::PaymentDelay& d : s.payment().delay_days_mix()) mix.emplace_back(d.days(), d.probability());
    return mix;
  };
  v1::CalibrateRequest calibrate;
  calibrate.set_as_of("2026-10-31");
  grpc::ClientContext calibrate_context;
  v1::CalibrateReply fitted;
  ASSERT_TRUE(server_->forecasts().Calibrate(&calibrate_context, calibrate, &fitted).ok());
  const auto history = mix_of(fitted.scenario());
  const std::vector<std::pair<int, double>> built_in = {{30, 0.6}, {60, 0.3}, {90, 0.1}};
  ASSERT_NE(history, built_in);  // the sample company pays on its own schedule

  v1::ForecastReply reply;
  ASSERT_TRUE(Forecast(Request(""), &reply).ok());
  EXPECT_EQ(mix_of(reply.resolved_scenario()), history);

  v1::Scenario prompt;
  prompt.set_name("prompt");
  v1::PaymentDelay* delay = prompt.mutable_payment()->add_delay_days_mix();
  delay->set_days(0);
  delay->set_probability(1);
  ASSERT_TRUE(Create(prompt).ok());
  ASSERT_TRUE(Create(Hiring("prompt-hire", "prompt", 3)).ok());
  ASSERT_TRUE(Create(Hiring("history-hire", "", 3)).ok());
  for (const char* name : {"prompt", "prompt-hire"}) {
    ASSERT_TRUE(Forecast(Request(name), &reply).ok()) << name;
    EXPECT_EQ(mix_of(reply.resolved_scenario()), (std::vector<std::pair<int, double>>{{0, 1.0}})) << name;
  }
  ASSERT_TRUE(Forecast(Request("history-hire"), &reply).ok());
  EXPECT_EQ(mix_of(reply.resolved_scenario()), history);
  // `scenario show --resolved` shows it as a forecast as of today would run it.
  grpc::ClientContext show_context;
  v1::GetScenarioRequest show;
  show.set_name("history-hire");
  show.set_resolved(true);
  v1::Scenario shown;
  ASSERT_TRUE(server_->forecasts().GetScenario(&show_context, show, &shown).ok());
  EXPECT_NE(mix_of(shown), built_in);
  EXPECT_EQ(shown.payment().delay_days_mix_size(), static_cast<int>(history.size()));
  // A comparison: the base and a variant that sets nothing take the history; one that sets it keeps it.
  v1::CompareRequest compare;
  *compare.mutable_base() = Request("");
  compare.add_variants("history-hire");
  compare.add_variants("prompt-hire");
  grpc::ClientContext compare_context;
  v1::CompareReply compared;
  ASSERT_TRUE(server_->forecasts().Compare(&compare_context, compare, &compared).ok());
  EXPECT_EQ(mix_of(compared.base().resolved_scenario()), history);
  EXPECT_EQ(mix_of(compared.variants(0).forecast().resolved_scenario()), history);
  EXPECT_EQ(mix_of(compared.variants(1).forecast().resolved_scenario()), (std::vector<std::pair<int, double>>{{0, 1.0}}));
  v1::ForecastRequest inline_request = Request("");
  *inline_request.mutable_inline_scenario() = Hiring("inline", "prompt", 1);
  ASSERT_TRUE(Forecast(inline_request, &reply).ok());
  EXPECT_EQ(mix_of(reply.resolved_scenario()), (std::vector<std::pair<int, double>>{{0, 1.0}}));
}

TEST_F(ForecastServiceTest, DeadlinesStopTheWorkAndConcurrencyIsBounded) {
  v1::ForecastRequest big = Request("", 50000);
  big.set_horizon_months(120);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  v1::ForecastReply reply;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = server_->forecasts().Forecast(&context, big, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // Loose bound (shared machine); bench/ measures the stop latency itself.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);

  // With one slot, a second forecast while one runs is refused. (The stopped call above may
  // still be releasing its slot on the server: retry briefly until the long one starts.)
  std::unique_ptr<grpc::ClientContext> long_context;
  std::unique_ptr<grpc::ClientReader<v1::ForecastProgress>> stream;
  v1::ForecastProgress first;
  for (int attempt = 0; attempt < 40; ++attempt) {
    long_context = std::make_unique<grpc::ClientContext>();
    stream = server_->forecasts().StreamForecast(long_context.get(), big);
    if (stream->Read(&first)) break;  // it is running
    ASSERT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    stream.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(stream != nullptr);
  v1::ForecastReply refused;
  grpc::Status busy = Forecast(Request(""), &refused);
  EXPECT_EQ(busy.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(busy.error_message(), HasSubstr("max_concurrent_forecasts (1)"));
  long_context->TryCancel();
  while (stream->Read(&first)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace forecastle

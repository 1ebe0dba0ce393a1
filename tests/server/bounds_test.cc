// Resource bounds through a real gRPC client (issue 15 item 7): replies too large for the message
// limit refused before they are computed, NaN and out-of-range numbers refused naming the field,
// free text capped, echoed values shortened, malformed bytes answered INVALID_ARGUMENT, a
// default deadline for calls that set none, a bounded forecast queue and a write rate.
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "engine/common/quote.h"
#include "engine/sample/sample_company.h"
#include "proto/wire/convert.h"
#include "server/write_rate.h"
#include "tests/testing/import_stream.h"
#include "tests/testing/raw_call.h"
#include "tests/testing/test_server.h"

namespace forecastle {
namespace {

using ::forecastle::testing::RawUnaryCall;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class BoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ForecastleServer::Options options;
    options.max_message_bytes = 1 << 20;  // the least allowed: replies pass it easily
    options.default_deadline = std::chrono::seconds(1);
    options.forecasts.max_paths = 50000;
    options.forecasts.max_path_values = 80'000'000;
    options.forecasts.max_concurrent_forecasts = 1;
    options.forecasts.forecast_queue = 1;
    server_ = std::make_unique<testing::TestServer>(testing::FreshDatabasePath("bounds.db"), options);
    SampleOptions sample;
    sample.contracts = 400;
    auto records = GenerateSampleCompany(sample);
    ASSERT_TRUE(records.ok());
    testing::StreamedImport imported =
        testing::StreamImport(server_->server().address(), testing::ImportMessages(*records, 5000, "sample"));
    ASSERT_TRUE(imported.status.ok()) << imported.status.error_message();
  }

  v1::ForecastRequest Request(int64_t paths = 500, int horizon = 12) {
    v1::ForecastRequest request;
    request.set_as_of("2026-10-31");
    request.set_horizon_months(horizon);
    request.set_paths(paths);
    request.set_seed(42);
    return request;
  }
  grpc::Status Forecast(const v1::ForecastRequest& request, int deadline_s = 60) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
    v1::ForecastReply reply;
    return server_->forecasts().Forecast(&context, request, &reply);
  }
  grpc::Status Metrics(const v1::MetricsRequest& request) {
    grpc::ClientContext context;
    v1::MetricsReply reply;
    return server_->actuals().GetMetrics(&context, request, &reply);
  }

  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(BoundsTest, AReplyTooLargeForTheMessageLimitIsRefusedBeforeItIsComputed) {
  // 616 months by customer: the request, here against a 1 MiB limit.
  v1::MetricsRequest request;
  request.set_from("1975-01");
  request.set_to("2026-04");
  request.set_as_of("2026-10-31");
  request.set_group_by(v1::GROUP_BY_CUSTOMER);
  grpc::Status status = Metrics(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("groups x 616 periods"), HasSubstr(absl::StrCat(MetricsRowBytes(Grain::kMonth), " bytes each")),
                    HasSubstr("max_message_bytes (1048576 bytes)"), HasSubstr("narrow from/to, use a coarser grain")));
  // By segment the same range fits.
  request.set_group_by(v1::GROUP_BY_SEGMENT);
  status = Metrics(request);
  EXPECT_TRUE(status.ok()) << status.error_message();

  // A forecast's reply grows with its horizon and quantiles.
  v1::ForecastRequest forecast = Request(100, 120);
  for (int q = 1; q <= 99; ++q) forecast.add_quantiles(q / 100.0);
  status = Forecast(forecast);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("13 metrics x 120 months x 99 quantiles"),
                                            HasSubstr("ask for fewer quantiles, targets or variants")));
  forecast.clear_quantiles();
  EXPECT_TRUE(Forecast(forecast).ok());
}

TEST_F(BoundsTest, NaNAndOutOfRangeNumbersAreRefusedNamingTheField) {
  auto refused = [&](const v1::ForecastRequest& request, const std::string& expected) {
    grpc::Status status = Forecast(request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << expected;
    EXPECT_THAT(status.error_message(), HasSubstr(expected));
  };
  v1::ForecastRequest request = Request();
  request.set_target_relative_error(kNaN);
  refused(request, "target_relative_error must be in [0, 1], got nan");
  request = Request();
  request.set_strain_months(kNaN);
  refused(request, "strain_months must be in (0, 120], got nan");
  request = Request();
  request.add_quantiles(0.5);
  request.add_quantiles(kNaN);
  refused(request, "quantiles: each must be in [0, 1], got nan");
  request = Request();
  v1::Target* target = request.add_targets();
  target->set_metric(v1::METRIC_REVENUE);
  target->set_value(std::numeric_limits<double>::infinity());
  refused(request, "targets[0].value must be a finite number, got inf");
  request = Request();
  request.mutable_inline_scenario()->set_name("nan");
  request.mutable_inline_scenario()->set_win_rate_multiplier(kNaN);
  refused(request, "win_rate_multiplier must be in [0, 10], got nan");

  v1::Scenario scenario;
  scenario.set_name("nan-deal");
  v1::SegmentAssumptions* segment = scenario.add_segments();
  segment->set_name("smb");
  segment->set_deal_size(kNaN);
  grpc::ClientContext context;
  v1::Scenario stored;
  grpc::Status status = server_->forecasts().CreateScenario(&context, scenario, &stored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("segments[0].deal_size must be in [0, 1e+12], got nan"));

  // 10^15 units on one line is past any range a ledger needs.
  v1::Line line;
  line.set_contract_id("C-1");
  line.set_line_id("L-units");
  line.set_kind(v1::LINE_KIND_DELIVERY);
  line.set_ssp("100.00");
  line.set_total_units(1'000'000'000'000'000);
  grpc::ClientContext line_context;
  v1::WriteReply written;
  status = server_->ledger().PutLine(&line_context, line, &written);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("total_units: must be at most 1000000000000, got 1000000000000000"));
}

TEST_F(BoundsTest, FreeTextIsCappedAndEchoedValuesAreShort) {
  v1::Customer customer;
  customer.set_customer_id("CAP-1");
  customer.set_name(std::string(5000, 'n'));
  grpc::ClientContext context;
  v1::WriteReply written;
  grpc::Status status = server_->ledger().PutCustomer(&context, customer, &written);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "name: 5000 bytes, more than the limit of 1000");
  customer.set_name("Capped");
  customer.set_customer_id(std::string(200, 'c'));
  grpc::ClientContext id_context;
  status = server_->ledger().PutCustomer(&id_context, customer, &written);
  EXPECT_EQ(status.error_message(), "customer_id: 200 bytes, more than the limit of 128");

  grpc::ClientContext scenario_context;
  v1::GetScenarioRequest get;
  get.set_name(std::string(1000, 's'));
  v1::Scenario scenario;
  status = server_->forecasts().GetScenario(&scenario_context, get, &scenario);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "name: 1000 bytes, more than the limit of 64");

  v1::MetricsRequest metrics;
  metrics.set_from("2026-01");
  metrics.set_to("2026-03");
  metrics.set_customer_id(std::string(500, 'x'));
  status = Metrics(metrics);
  EXPECT_EQ(status.error_message(), "customer_id: 500 bytes, more than the limit of 128");

  // A 100 KB as_of comes back as its first 64 bytes and its length.
  metrics.clear_customer_id();
  metrics.set_as_of(std::string(100 * 1024, '9'));
  status = Metrics(metrics);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(status.error_message().size(), 200u) << status.error_message();
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("as_of: expected a date YYYY-MM-DD, got \"9999"),
                                            HasSubstr("(102400 bytes)")));
}

TEST_F(BoundsTest, BytesThatDoNotParseAnswerInvalidArgument) {
  const auto channel = grpc::CreateChannel(server_->server().address(), grpc::InsecureChannelCredentials());
  // A field 1 (from) whose length runs past the end; then a string that is not UTF-8.
  for (const std::string& bytes : {std::string("\x0a\x7f\x01", 3), std::string("\x0a\x02\xff\xfe", 4)}) {
    const grpc::Status status = RawUnaryCall(channel, "/forecastle.v1.ActualsService/GetMetrics", bytes);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("do not parse as a forecastle.v1.MetricsRequest"));
  }
}

TEST_F(BoundsTest, ACallWithoutADeadlineStopsAtTheServersDefault) {
  grpc::ClientContext context;  // no deadline: the server's default (1 s here) applies
  v1::ForecastReply reply;
  grpc::Status status = server_->forecasts().Forecast(&context, Request(50000, 120), &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(status.error_message(), HasSubstr("the server's default deadline of 1 s (--default_deadline_s"));
}

// A stream that has waited and is told its place in line: the first message it reads.
int FirstQueuePosition(grpc::ClientReader<v1::ForecastProgress>& stream) {
  v1::ForecastProgress message;
  if (!stream.Read(&message)) return -1;
  return message.queue_position();
}

TEST_F(BoundsTest, ForecastsBeyondTheLimitWaitInABoundedQueue) {
  // One runs (with a deadline of its own, past the server's 1 s default)...
  grpc::ClientContext running_context;
  running_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  auto running = server_->forecasts().StreamForecast(&running_context, Request(50000, 120));
  v1::ForecastProgress first;
  ASSERT_TRUE(running->Read(&first));
  EXPECT_EQ(first.queue_position(), 0);

  // ... a second waits, first in line ...
  grpc::ClientContext waiting_context;
  waiting_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  auto waiting = server_->forecasts().StreamForecast(&waiting_context, Request());
  EXPECT_EQ(FirstQueuePosition(*waiting), 1);

  // ... and a third finds the line (of 1) full.
  grpc::Status full = Forecast(Request());
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(full.error_message(), HasSubstr("forecast_queue (1) more are waiting"));

  // A waiter that cancels leaves the line: the next one takes its place.
  waiting_context.TryCancel();
  EXPECT_EQ(waiting->Finish().error_code(), grpc::StatusCode::CANCELLED);
  std::unique_ptr<grpc::ClientContext> next_context;
  std::unique_ptr<grpc::ClientReader<v1::ForecastProgress>> next;
  int position = -1;
  for (int attempt = 0; attempt < 100 && position != 1; ++attempt) {
    next_context = std::make_unique<grpc::ClientContext>();
    next_context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    next = server_->forecasts().StreamForecast(next_context.get(), Request());
    position = FirstQueuePosition(*next);
    if (position != 1) {
      ASSERT_EQ(next->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);  // not left yet
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_EQ(position, 1);

  // When the running one ends, the waiter runs to its result.
  running_context.TryCancel();
  while (running->Read(&first)) {
  }
  running->Finish();
  v1::ForecastProgress message;
  bool done = false;
  while (next->Read(&message)) {
    EXPECT_EQ(message.queue_position(), 0);
    done |= message.done();
  }
  grpc::Status finished = next->Finish();
  EXPECT_TRUE(finished.ok()) << finished.error_message();
  EXPECT_TRUE(done);
}

TEST(WriteRateTest, WaitsUpToASecondThenRefusesWithWhenToRetry) {
  WriteRate rate(1000);
  const auto start = WriteRate::Clock::now() + std::chrono::seconds(1);  // the bucket is full by then
  WriteRate::Clock::duration wait{};
  ASSERT_TRUE(rate.Reserve(1000, start, &wait).ok());  // a second's worth, at once
  EXPECT_EQ(wait, WriteRate::Clock::duration::zero());
  ASSERT_TRUE(rate.Reserve(500, start, &wait).ok());  // half a second's wait
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(), 500);
  absl::Status refused = rate.Reserve(1000, start, &wait);  // would wait 1.5 s
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(refused.message()), AllOf(HasSubstr("--max_write_records_per_s (1000 records a second)"),
                                                     HasSubstr("retry in 500 ms")));
  // After the wait it asked for, it is taken.
  EXPECT_TRUE(rate.Reserve(1000, start + std::chrono::milliseconds(500), &wait).ok());
  // More than the bucket ever holds (a second's worth and a second's wait) is never taken.
  absl::Status too_many = rate.Reserve(5000, start + std::chrono::seconds(60), &wait);
  EXPECT_EQ(too_many.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(too_many.message()), HasSubstr("send fewer records a batch"));
}

TEST(QuotedTest, ShortensLongValuesOnACharacterBoundary) {
  EXPECT_EQ(Quoted("2026-01-01"), "\"2026-01-01\"");
  EXPECT_EQ(Quoted(std::string(64, 'a')), "\"" + std::string(64, 'a') + "\"");
  EXPECT_EQ(Quoted(std::string(65, 'a')), "\"" + std::string(64, 'a') + "\xE2\x80\xA6\" (65 bytes)");
  // 63 ASCII bytes then a 2-byte character: cut before it, not inside it.
  const std::string text = std::string(63, 'a') + "\xC3\xA9" + "tail";
  EXPECT_EQ(Quoted(text), "\"" + std::string(63, 'a') + "\xE2\x80\xA6\" (69 bytes)");
  EXPECT_THAT(Quoted(text), Not(HasSubstr("\xC3\"")));
}

}  // namespace
}  // namespace forecastle

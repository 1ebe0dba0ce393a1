// The Metric enum on the wire (proto/wire/metric_convert.h): one value per engine metric, named
// after it, and requests that name a metric by the enum, by name (older clients) or both.
#include "proto/wire/metric_convert.h"

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/status_matchers.h"

namespace forecastle {
namespace {

using ::forecastle::testing::FieldErrorIs;
using ::testing::StartsWith;

TEST(MetricConvert, EveryMetricIsTheEnumValueOfItsName) {
  const google::protobuf::EnumDescriptor* type = v1::Metric_descriptor();
  ASSERT_EQ(type->value_count(), forecast::kMetricCount + 1);
  EXPECT_EQ(type->value(0)->number(), v1::METRIC_UNSPECIFIED);
  for (int m = 0; m < forecast::kMetricCount; ++m) {
    const auto metric = static_cast<forecast::Metric>(m);
    const std::string name(forecast::MetricName(metric));
    const v1::Metric value = MetricToProto(metric);
    EXPECT_EQ(v1::Metric_Name(value), absl::StrCat("METRIC_", absl::AsciiStrToUpper(name)));
    EXPECT_EQ(MetricNameOf(value, ""), name);
    absl::StatusOr<forecast::Metric> back = MetricFromProto(value, "", "metric");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, metric);
    back = MetricFromProto(v1::METRIC_UNSPECIFIED, name, "metric");  // a client older than the enum
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, metric);
    v1::MetricForecast message;
    SetMetric(metric, &message);
    EXPECT_EQ(message.metric(), value);
    EXPECT_EQ(message.metric_name(), name);
  }
}

TEST(MetricConvert, ARequestNamesItsMetricOnceOrTwiceAlike) {
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_TRUE(MetricFromProto(v1::METRIC_REVENUE, "revenue", "targets[0].metric").ok());
  EXPECT_THAT(MetricFromProto(v1::METRIC_REVENUE, "backlog", "targets[0].metric"),
              FieldErrorIs(kInvalid, "targets[0].metric_name",
                           "\"backlog\" is not the metric targets[0].metric names, revenue"));
  EXPECT_THAT(MetricFromProto(v1::METRIC_UNSPECIFIED, "", "targets[0].metric"),
              FieldErrorIs(kInvalid, "targets[0].metric", "required"));
  EXPECT_THAT(MetricFromProto(v1::METRIC_UNSPECIFIED, "profit", "targets[0].metric"),
              FieldErrorIs(kInvalid, "targets[0].metric_name", StartsWith("no metric \"profit\"; one of bookings")));
  EXPECT_THAT(MetricFromProto(static_cast<v1::Metric>(42), "", "targets[0].metric"),
              FieldErrorIs(kInvalid, "targets[0].metric", "no metric has the enum value 42"));
}

TEST(MetricConvert, AReplyFromAnOlderOrNewerServerStillNamesItsMetric) {
  EXPECT_EQ(MetricNameOf(v1::METRIC_UNSPECIFIED, "revenue"), "revenue");  // older: the name alone
  EXPECT_EQ(MetricNameOf(static_cast<v1::Metric>(42), "profit"), "metric 42");  // newer than this build
}

}  // namespace
}  // namespace forecastle

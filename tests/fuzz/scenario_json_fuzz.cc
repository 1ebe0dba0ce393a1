// Fuzzes scenario JSON and the scenario conversions: the text the server stores a scenario as,
// and the CLI's --file, read with JsonStringToMessage (as server/forecast_service.cc and
// client/cli/forecast_commands.cc read it), then the proto -> engine conversion and validation of
// server/forecast_convert.* (CheckScenarioMessage, ScenarioFromProto, and a variant merged over
// the defaults with MergeScenario, as a stored scenario with a base resolves). Beyond "no crash"
// it asserts:
// - a scenario that parses prints (as the store writes it: proto field names) and reparses equal
//   (as numbers compare: -0 may come back as 0);
// - what CheckScenarioMessage accepts without a base, ScenarioFromProto accepts;
// - a scenario that converts gives, through ScenarioToProto and back, the same scenario (every
//   field set), that prints as JSON and reparses equal, and that merged over itself is unchanged;
// - every refusal is INVALID_ARGUMENT.
#include <cstdint>
#include <string>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include "proto/wire/forecast_convert.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/message_differences.h"

namespace forecastle {
namespace {

std::string Bytes(const v1::Scenario& scenario) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  scenario.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

// As the service stores a scenario (forecast_service.cc ToJson).
std::string ToJson(const v1::Scenario& scenario) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  const auto printed = google::protobuf::util::MessageToJsonString(scenario, &json, options);
  FUZZ_CHECK(printed.ok(), "a parsed scenario does not print: ", printed.message().ToString());
  return json;
}

void CheckJsonRoundTrip(const v1::Scenario& scenario) {
  const std::string json = ToJson(scenario);
  v1::Scenario again;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &again);
  FUZZ_CHECK(parsed.ok(), "a printed scenario does not parse: ", parsed.message().ToString(), "\n", json);
  const std::string differences = fuzz::MessageDifferences(scenario, again);
  FUZZ_CHECK(differences.empty(), "a scenario changes through JSON:\n", differences, json);
}

void CheckRefusal(const absl::Status& status) {
  FUZZ_CHECK(absl::IsInvalidArgument(status), status);
  FUZZ_CHECK(!status.message().empty(), status);
}

// A scenario the engine accepted: its full form converts back to itself.
void CheckConverted(const forecast::Scenario& scenario) {
  const v1::Scenario full = ScenarioToProto(scenario);
  absl::StatusOr<forecast::Scenario> again = ScenarioFromProto(full);
  FUZZ_CHECK(again.ok(), "the full form of an accepted scenario is refused: ", again.status());
  FUZZ_CHECK(Bytes(ScenarioToProto(*again)) == Bytes(full), "a scenario changes through its full form");
  CheckJsonRoundTrip(full);
  FUZZ_CHECK(Bytes(MergeScenario(full, full)) == Bytes(full), "a full scenario merged over itself changes");
}

}  // namespace
}  // namespace forecastle

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace forecastle;
  const std::string json(reinterpret_cast<const char*>(data), size);
  v1::Scenario message;
  if (!google::protobuf::util::JsonStringToMessage(json, &message).ok()) return 0;
  CheckJsonRoundTrip(message);

  const absl::Status checked = CheckScenarioMessage(message);
  if (!checked.ok()) CheckRefusal(checked);
  if (message.base().empty()) {
    absl::StatusOr<forecast::Scenario> scenario = ScenarioFromProto(message);
    FUZZ_CHECK(scenario.ok() == checked.ok(), "CheckScenarioMessage says ", checked, ", ScenarioFromProto ",
               scenario.status());
    if (scenario.ok()) CheckConverted(*scenario);
  } else {
    // A variant resolves as its fields merged over the full form of its base: here the defaults.
    const v1::Scenario merged = MergeScenario(ScenarioToProto(forecast::DefaultScenario()), message);
    absl::StatusOr<forecast::Scenario> scenario = ScenarioFromProto(merged);
    if (scenario.ok()) {
      CheckConverted(*scenario);
    } else {
      CheckRefusal(scenario.status());
    }
  }
  return 0;
}

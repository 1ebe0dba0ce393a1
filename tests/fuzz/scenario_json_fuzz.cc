// Fuzzes scenario JSON and the scenario conversions: the text the server stores a scenario as,
// and the CLI's --file, read with JsonStringToMessage (as server/forecaster_adapters.cc and
// client/cli/forecast_commands.cc read it), then the proto -> partial scenario conversion of
// proto/wire/forecast_convert.* (one loop over engine/forecast/scenario_fields.h), a root over the
// defaults and a variant over the default scenario, as Forecaster::Resolve does. Beyond "no
// crash" it asserts:
// - a scenario that parses prints (as the store writes it: proto field names) and reparses equal
//   (as numbers compare: -0 may come back as 0);
// - a message that converts to a partial scenario converts back to itself;
// - a scenario that converts gives, through ScenarioToProto and back, the same scenario (every
//   field set), that prints as JSON and reparses equal, and that merged over itself is unchanged;
// - every refusal is INVALID_ARGUMENT and names its field as data.
#include <cstdint>
#include <string>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include "engine/common/field_error.h"
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

// As the server stores a scenario (forecaster_adapters.cc ToJson).
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
  FUZZ_CHECK(!FieldOf(status).empty(), "a refusal names no field: ", status);
}

// A scenario the engine accepted: its full form converts back to itself.
void CheckConverted(const forecast::Scenario& scenario) {
  const v1::Scenario full = ScenarioToProto(scenario);
  absl::StatusOr<forecast::Scenario> again = ScenarioFromProto(full);
  FUZZ_CHECK(again.ok(), "the full form of an accepted scenario is refused: ", again.status());
  FUZZ_CHECK(Bytes(ScenarioToProto(*again)) == Bytes(full), "a scenario changes through its full form");
  CheckJsonRoundTrip(full);
  absl::StatusOr<forecast::Scenario> merged = forecast::OverBase(scenario, forecast::Whole(scenario));
  FUZZ_CHECK(merged.ok() && Bytes(ScenarioToProto(*merged)) == Bytes(full), "a full scenario merged over itself changes");
}

}  // namespace
}  // namespace forecastle

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace forecastle;
  const std::string json(reinterpret_cast<const char*>(data), size);
  v1::Scenario message;
  if (!google::protobuf::util::JsonStringToMessage(json, &message).ok()) return 0;
  CheckJsonRoundTrip(message);

  absl::StatusOr<forecast::PartialScenario> partial = PartialScenarioFromProto(message);
  if (!partial.ok()) {
    CheckRefusal(partial.status());
    return 0;
  }
  const std::string differences = fuzz::MessageDifferences(message, PartialScenarioToProto(*partial));
  FUZZ_CHECK(differences.empty(), "a scenario changes through its partial form:\n", differences);
  // Without a base, its fields over the defaults; with one, over the default scenario as a base.
  absl::StatusOr<forecast::Scenario> scenario = message.base().empty()
                                                    ? forecast::OverDefaults(*partial)
                                                    : forecast::OverBase(forecast::DefaultScenario(), *partial);
  if (scenario.ok()) {
    if (const absl::Status valid = forecast::Validate(*scenario); !valid.ok()) scenario = valid;
  }
  if (scenario.ok()) {
    CheckConverted(*scenario);
  } else {
    CheckRefusal(scenario.status());
  }
  return 0;
}

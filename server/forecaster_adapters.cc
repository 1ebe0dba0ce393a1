#include "server/forecaster_adapters.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "proto/wire/forecast_convert.h"

namespace forecastle {
namespace {

std::string ToJson(const forecast::PartialScenario& scenario) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(PartialScenarioToProto(scenario), &json, options);
  return json;
}

absl::StatusOr<forecast::PartialScenario> FromJson(const std::string& json) {
  v1::Scenario message;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &message);
  if (!parsed.ok()) {
    return absl::DataLossError(absl::StrCat("a stored scenario is unreadable: ", parsed.message().ToString()));
  }
  absl::StatusOr<forecast::PartialScenario> scenario = PartialScenarioFromProto(message);
  if (!scenario.ok()) {
    return absl::DataLossError(absl::StrCat("stored scenario \"", message.name(), "\" is unreadable: ", scenario.status().message()));
  }
  return scenario;
}

}  // namespace

absl::StatusOr<forecast::PartialScenario> StoredScenarios::Get(const std::string& name) {
  ASSIGN_OR_RETURN(const std::string json, WithStore([&](Store& store) { return store.GetScenario(name); }));
  return FromJson(json);
}

absl::Status StoredScenarios::Put(const forecast::PartialScenario& scenario, Write mode) {
  const std::string json = ToJson(scenario);
  const Store::Write write = mode == Write::kCreate ? Store::Write::kCreate : Store::Write::kUpdate;
  return WithStore([&](Store& store) { return store.PutScenario(scenario.values.name, json, write, audit_); });
}

absl::StatusOr<std::vector<forecast::PartialScenario>> StoredScenarios::List() {
  ASSIGN_OR_RETURN(const std::vector<std::string> texts, WithStore([](Store& store) { return store.ListScenarios(); }));
  std::vector<forecast::PartialScenario> all;
  for (const std::string& json : texts) {
    ASSIGN_OR_RETURN(forecast::PartialScenario scenario, FromJson(json));
    all.push_back(std::move(scenario));
  }
  return all;
}

absl::Status StoredScenarios::Delete(const std::string& name) {
  return WithStore([&](Store& store) { return store.DeleteScenario(name, audit_); });
}

absl::Status StoredScenarios::Atomically(const std::function<absl::Status()>& steps) {
  if (held_ != nullptr) return steps();
  return book_->WithStore([&](Store& store) {
    held_ = &store;
    absl::Status status = steps();
    held_ = nullptr;
    return status;
  });
}

}  // namespace forecastle

// A ScenarioStore in memory, for tests of the engine's Forecaster: scenarios by name, with the
// store's codes (NOT_FOUND, ALREADY_EXISTS) and nothing more.
#ifndef FORECASTLE_TESTS_TESTING_MEMORY_SCENARIO_STORE_H_
#define FORECASTLE_TESTS_TESTING_MEMORY_SCENARIO_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "engine/forecast/scenario_store.h"

namespace forecastle::testing {

class MemoryScenarioStore final : public forecast::ScenarioStore {
 public:
  absl::StatusOr<forecast::PartialScenario> Get(const std::string& name) override {
    auto it = scenarios_.find(name);
    if (it == scenarios_.end()) return absl::NotFoundError(name);
    return it->second;
  }
  absl::Status Put(const forecast::PartialScenario& scenario, Write mode) override {
    const bool exists = scenarios_.contains(scenario.values.name);
    if (mode == Write::kCreate && exists) return absl::AlreadyExistsError(scenario.values.name);
    if (mode == Write::kUpdate && !exists) return absl::NotFoundError(scenario.values.name);
    scenarios_[scenario.values.name] = scenario;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<forecast::PartialScenario>> List() override {
    std::vector<forecast::PartialScenario> all;
    for (const auto& [name, scenario] : scenarios_) all.push_back(scenario);
    return all;
  }
  absl::Status Delete(const std::string& name) override {
    return scenarios_.erase(name) == 1 ? absl::OkStatus() : absl::NotFoundError(name);
  }
  absl::Status Atomically(const std::function<absl::Status()>& steps) override { return steps(); }

  // Stores `scenario` as it is, past the Forecaster's checks (a database written by an older build).
  void Plant(const forecast::PartialScenario& scenario) { scenarios_[scenario.values.name] = scenario; }
  size_t size() const { return scenarios_.size(); }

 private:
  std::map<std::string, forecast::PartialScenario> scenarios_;
};

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_MEMORY_SCENARIO_STORE_H_

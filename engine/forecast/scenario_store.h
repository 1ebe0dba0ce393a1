// Where a Forecaster keeps named scenarios: each stored as a partial scenario (what it sets over
// its base). The server keeps them in its SQLite store as JSON (server/forecaster_adapters.h);
// tests keep them in memory (tests/testing/memory_scenario_store.h). The store only stores: the
// rules about bases, variants and names are the Forecaster's.
#ifndef FORECASTLE_ENGINE_FORECAST_SCENARIO_STORE_H_
#define FORECASTLE_ENGINE_FORECAST_SCENARIO_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/forecast/scenario_fields.h"

namespace forecastle::forecast {

class ScenarioStore {
 public:
  enum class Write { kCreate, kUpdate };

  virtual ~ScenarioStore() = default;

  // The scenario stored under `name`; NOT_FOUND when there is none.
  virtual absl::StatusOr<PartialScenario> Get(const std::string& name) = 0;
  // Stores `scenario` under its name, durably before it returns. kCreate: ALREADY_EXISTS when the
  // name is taken; kUpdate: NOT_FOUND when it is not.
  virtual absl::Status Put(const PartialScenario& scenario, Write mode) = 0;
  // Every stored scenario, by name.
  virtual absl::StatusOr<std::vector<PartialScenario>> List() = 0;
  // NOT_FOUND when there is none of that name.
  virtual absl::Status Delete(const std::string& name) = 0;
  // Runs `steps` (calls of this store's other methods) with no other writer in between, so that a
  // check and the write it allows see the same scenarios; returns what `steps` returns.
  virtual absl::Status Atomically(const std::function<absl::Status()>& steps) = 0;
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_SCENARIO_STORE_H_

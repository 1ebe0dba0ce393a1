#include "server/access.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/match.h"

namespace forecastle {
namespace {

struct MethodEntry {
  const char* method;
  MethodAccess access;
};

// The one table: every RPC the server serves and the role it needs. tests/server/access_test.cc
// checks that it names every method of every forecastle.v1 service, so a new RPC cannot ship
// without an entry here.
constexpr MethodEntry kMethods[] = {
    // Ledger: records written by writers; the summary is read.
    {"/forecastle.v1.LedgerService/PutCustomer", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutContract", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutLine", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutProgress", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutCancellation", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutInvoice", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutPayment", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutOpportunity", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/PutHeadcount", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/VoidRecord", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/Import", {Role::kWriter}},
    {"/forecastle.v1.LedgerService/Summary", {Role::kReader}},
    // Actuals: read.
    {"/forecastle.v1.ActualsService/GetMetrics", {Role::kReader}},
    {"/forecastle.v1.ActualsService/GetBacklog", {Role::kReader}},
    {"/forecastle.v1.ActualsService/GetSchedule", {Role::kReader}},
    // Forecasts are read; scenarios are written by planners, and so is a calibration saved.
    {"/forecastle.v1.ForecastService/Calibrate", {Role::kReader, "save_as", Role::kPlanner}},
    {"/forecastle.v1.ForecastService/CreateScenario", {Role::kPlanner}},
    {"/forecastle.v1.ForecastService/GetScenario", {Role::kReader}},
    {"/forecastle.v1.ForecastService/ListScenarios", {Role::kReader}},
    {"/forecastle.v1.ForecastService/UpdateScenario", {Role::kPlanner}},
    {"/forecastle.v1.ForecastService/DeleteScenario", {Role::kPlanner}},
    {"/forecastle.v1.ForecastService/Forecast", {Role::kReader}},
    {"/forecastle.v1.ForecastService/StreamForecast", {Role::kReader}},
    {"/forecastle.v1.ForecastService/Compare", {Role::kReader}},
    {"/forecastle.v1.ForecastService/Backtest", {Role::kReader}},
    // Tokens, and the audit trail.
    {"/forecastle.v1.AdminService/CreateToken", {Role::kAdmin}},
    {"/forecastle.v1.AdminService/ListTokens", {Role::kAdmin}},
    {"/forecastle.v1.AdminService/RevokeToken", {Role::kAdmin}},
    {"/forecastle.v1.AdminService/ListAudit", {Role::kAdmin}},
    // Reflection describes the API (not the data): any valid token.
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", {Role::kReader}},
    {"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", {Role::kReader}},
};

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader: return "reader";
    case Role::kPlanner: return "planner";
    case Role::kWriter: return "writer";
    case Role::kAdmin: return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role role : {Role::kReader, Role::kPlanner, Role::kWriter, Role::kAdmin}) {
    if (name == RoleName(role)) return role;
  }
  return std::nullopt;
}

const MethodAccess* FindMethodAccess(absl::string_view method) {
  for (const MethodEntry& entry : kMethods) {
    if (method == entry.method) return &entry.access;
  }
  return nullptr;
}

std::vector<std::string> TableMethods() {
  std::vector<std::string> out;
  for (const MethodEntry& entry : kMethods) out.push_back(entry.method);
  return out;
}

bool IsOpenMethod(absl::string_view method) { return absl::StartsWith(method, "/grpc.health.v1.Health/"); }

Role NeededRole(const MethodAccess& access, const google::protobuf::Message* request) {
  if (access.write_field == nullptr || request == nullptr) return access.role;
  const google::protobuf::FieldDescriptor* field = request->GetDescriptor()->FindFieldByName(access.write_field);
  if (field == nullptr) return access.write_role;  // the table and the proto disagree: ask the most
  const google::protobuf::Reflection* reflection = request->GetReflection();
  // A proto3 scalar "has" its field when it is not the default ("" for save_as).
  const bool set = field->is_repeated() ? reflection->FieldSize(*request, field) > 0
                                        : reflection->HasField(*request, field);
  return set ? access.write_role : access.role;
}

}  // namespace forecastle

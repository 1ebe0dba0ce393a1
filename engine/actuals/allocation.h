// Allocation of a contract's transaction price to its lines by standalone selling price (SPEC §3.1).
#ifndef FORECASTLE_ENGINE_ACTUALS_ALLOCATION_H_
#define FORECASTLE_ENGINE_ACTUALS_ALLOCATION_H_

#include <optional>
#include <vector>

#include "engine/actuals/money.h"

namespace forecastle {

// Each line's amount. With a transaction price T: T·ssp_i/Σssp floored to the cent, the cents left
// over going one each to the largest fractional remainders (ties: earlier line first). Without T:
// each line's SSP. When every SSP is zero, T is split as if all SSPs were equal (a decision SPEC
// leaves open; documented in README). The amounts always sum to T when T is given.
std::vector<Cents> AllocateTransactionPrice(std::optional<Cents> transaction_price,
                                            const std::vector<Cents>& ssps);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_ACTUALS_ALLOCATION_H_

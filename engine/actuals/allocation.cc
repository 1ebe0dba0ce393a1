#include "engine/actuals/allocation.h"

#include <algorithm>
#include <numeric>

namespace forecastle {

std::vector<Cents> AllocateTransactionPrice(std::optional<Cents> transaction_price,
                                            const std::vector<Cents>& ssps) {
  if (!transaction_price) return ssps;
  const size_t n = ssps.size();
  std::vector<Cents> amounts(n, 0);
  if (n == 0) return amounts;
  std::vector<Cents> weights = ssps;
  __int128 total_weight = 0;
  for (Cents w : weights) total_weight += w;
  if (total_weight == 0) {
    std::fill(weights.begin(), weights.end(), 1);
    total_weight = static_cast<__int128>(n);
  }
  const __int128 price = *transaction_price;
  std::vector<__int128> remainders(n);
  Cents allocated = 0;
  for (size_t i = 0; i < n; ++i) {
    const __int128 numerator = price * weights[i];
    amounts[i] = static_cast<Cents>(numerator / total_weight);
    remainders[i] = numerator % total_weight;
    allocated += amounts[i];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (Cents left = *transaction_price - allocated, k = 0; left > 0; --left, ++k) {
    ++amounts[order[static_cast<size_t>(k) % n]];
  }
  return amounts;
}

}  // namespace forecastle

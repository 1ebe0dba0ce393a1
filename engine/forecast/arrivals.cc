#include "engine/forecast/arrivals.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include "engine/forecast/booking.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {

Arrivals::Arrivals(const StartingState& state, const Scenario& scenario, LogNormalTables& tables)
    : state_(state), scenario_(scenario) {
  const auto segments = static_cast<Eigen::Index>(scenario.segments.size());
  Eigen::MatrixXd factor = Eigen::MatrixXd::Identity(segments, segments);
  if (!scenario.segment_correlation.empty()) {
    Eigen::MatrixXd rho(segments, segments);
    for (Eigen::Index i = 0; i < segments; ++i) {
      for (Eigen::Index j = 0; j < segments; ++j) rho(i, j) = scenario.segment_correlation[i][j];
    }
    // The Cholesky factor L (L Lᵀ = ρ) where ρ is positive definite. Validate also lets through
    // semi-definite matrices (eigenvalues down to -1e-9), which may have none: for them, the factor
    // V sqrt(max(Λ, 0)) of the eigendecomposition, for which F Fᵀ = ρ as well.
    Eigen::LLT<Eigen::MatrixXd> cholesky(rho);
    if (cholesky.info() == Eigen::Success && (cholesky.matrixLLT().diagonal().array() > 1e-6).all()) {
      factor = cholesky.matrixL();
    } else {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(rho);
      factor = eigen.eigenvectors() * eigen.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
    }
  }
  for (Eigen::Index i = 0; i < segments; ++i) {
    for (Eigen::Index j = 0; j < segments; ++j) correlation_factor_.push_back(factor(i, j));
  }
  for (const SegmentAssumptions& g : scenario.segments) {
    const double cycle_mu = std::log(std::max(g.sales_cycle_months, 1e-9)) - g.sales_cycle_sigma * g.sales_cycle_sigma / 2;
    const double size_mu = std::log(std::max(g.deal_size, 1e-9)) - g.deal_size_sigma * g.deal_size_sigma / 2;
    segments_.push_back(SegmentDraws{&tables.For(g.sales_cycle_sigma), std::exp(cycle_mu),
                                     &tables.For(g.deal_size_sigma), std::exp(size_mu)});
    segment_entity_.push_back(Identity::Of("segment", g.name));
  }
}

void Arrivals::ExpectedWins(PathContext& path) const {
  const size_t segments = scenario_.segments.size();
  const int horizon = path.horizon;
  const OpeningDraws& draws = path.draws;
  std::vector<double>& z = path.shocks;
  std::vector<double>& factor = path.demand_factors;
  z.resize(segments);
  factor.resize(segments);
  // Each segment's error in its trend's growth on this path (TrendFactor).
  std::vector<double>& deviation = path.arrival_trends;
  deviation.assign(segments, 0.0);
  for (size_t g = 0; g < segments; ++g) {
    const SegmentAssumptions& segment = scenario_.segments[g];
    if (segment.arrivals_growth_sigma > 0) {
      RandomStream stream(path.key, Streams::ArrivalTrend(segment_entity_[g], path.path));
      deviation[g] = segment.arrivals_growth_sigma * stream.Normal();
    }
  }
  for (int m = 0; m < horizon; ++m) {
    RandomStream common(path.key, draws.counter(static_cast<size_t>(m)), draws.words(static_cast<size_t>(m)));
    for (size_t g = 0; g < segments; ++g) z[g] = common.Normal();
    // factor = F z (a few segments: a plain loop is cheaper than a dynamically sized product).
    for (size_t g = 0; g < segments; ++g) {
      double sum = 0;
      for (size_t j = 0; j < segments; ++j) sum += correlation_factor_[g * segments + j] * z[j];
      factor[g] = sum;
    }
    const int calendar_month = (state_.first_month + m) % 12;
    for (size_t g = 0; g < segments; ++g) {
      const SegmentAssumptions& segment = scenario_.segments[g];
      const double v = scenario_.demand_volatility;
      const double demand = std::exp(v * factor[g] - v * v / 2);
      // Won arrivals directly: a Poisson stream thinned by the win rate is Poisson.
      const double win = std::min(1.0, segment.win_rate * scenario_.win_rate_multiplier);
      const double growth = TrendFactor(std::log1p(segment.arrivals_growth_per_year), deviation[g], m);
      path.cell_means[static_cast<size_t>(m) * segments + g] =
          std::min(1e5, segment.arrivals_per_month * segment.seasonality[calendar_month] * demand * win * growth);
    }
  }
}

void Arrivals::CountWins(PathContext& path) const {
  const size_t cells = path.cell_means.size();
  const auto horizon = static_cast<size_t>(path.horizon);
  std::vector<int64_t>& counts = path.arrival_counts;
  counts.assign(cells, 0);
  // The cells' exps together, then their counts (each count's loop ends at a random step).
  for (size_t cell = 0; cell < cells; ++cell) {
    path.cell_exps[cell] = std::exp(-RandomStream::PoissonLastChunk(path.cell_means[cell]));
  }
  // Each count is its cell stream's Poisson draw: those of one chunk four at a time, the others
  // (a mean above 16, or none) from the stream itself.
  PoissonInversions(cells, path.cell_means.data(), path.cell_exps.data(), path.draws.words(horizon), 4, counts.data());
  for (size_t cell = 0; cell < cells; ++cell) {
    if (counts[cell] < 0) {
      RandomStream stream(path.key, path.draws.counter(horizon + cell), path.draws.words(horizon + cell));
      counts[cell] = stream.Poisson(path.cell_means[cell], path.cell_exps[cell]);
    }
    counts[cell] = std::min(kMaxPerCell, counts[cell]);
  }
}

void Arrivals::Simulate(PathContext& path, const Booking& booking) const {
  const size_t segments = scenario_.segments.size();
  const int horizon = path.horizon;
  const size_t cells = static_cast<size_t>(horizon) * segments;
  // First every month's demand and count of won arrivals (each month's shared shocks, then each
  // cell's count, from one batch), then the won deals (two blocks each, another batch).
  OpeningDraws& draws = path.draws;
  draws.Reserve(static_cast<size_t>(horizon) * (1 + segments));
  for (int m = 0; m < horizon; ++m) draws.counter(static_cast<size_t>(m)) = Streams::Demand(path.first_month + m, path.path);
  for (int m = 0; m < horizon; ++m) {
    for (size_t g = 0; g < segments; ++g) {
      draws.counter(static_cast<size_t>(horizon) + static_cast<size_t>(m) * segments + g) =
          Streams::ArrivalCount(segment_entity_[g], path.first_month + m, path.path);
    }
  }
  draws.Compute(static_cast<size_t>(horizon) * (1 + segments), path.key);
  path.cell_means.resize(cells);
  path.cell_exps.resize(cells);
  ExpectedWins(path);
  CountWins(path);
  const std::vector<int64_t>& counts = path.arrival_counts;

  int64_t total = 0;
  for (int64_t count : counts) total += count;
  draws.Reserve(2 * static_cast<size_t>(total));
  size_t filled = 0;
  for (int m = 0; m < horizon; ++m) {
    for (size_t g = 0; g < segments; ++g) {
      const int64_t count = counts[static_cast<size_t>(m) * segments + g];
      for (int64_t i = 0; i < count; ++i) {
        PhiloxCounter c = Streams::Arrival(segment_entity_[g], path.first_month + m, i, path.path);
        draws.counter(filled++) = c;
        ++c[0];
        draws.counter(filled++) = c;
      }
    }
  }
  draws.Compute(filled, path.key);
  size_t next_block = 0;
  for (int m = 0; m < horizon; ++m) {
    for (size_t g = 0; g < segments; ++g) {
      const SegmentAssumptions& segment = scenario_.segments[g];
      const SegmentDraws& draw = segments_[g];
      const int64_t count = counts[static_cast<size_t>(m) * segments + g];
      for (int64_t i = 0; i < count; ++i) {
        RandomStream stream(path.key, draws.counter(next_block), draws.words(next_block), 2);
        next_block += 2;
        const uint32_t cycle = stream.Word(), size_noise = stream.Word(), product_pick = stream.Word();
        // Created mid-month on average, it closes a sales cycle later: in the month and at the
        // point within it where m + 0.5 + cycle falls.
        const double months = segment.sales_cycle_months > 0 ? draw.cycle_scale * draw.cycle->FromWord(cycle) : 0;
        const double closes = std::min(months, 1e6) + 0.5;
        const int close = m + static_cast<int>(closes);
        if (close >= horizon) continue;  // sold after the horizon: nothing of it is forecast
        Sale sale;
        sale.month = close;
        sale.start_fraction = closes - std::floor(closes);
        sale.size =
            segment.deal_size > 0 ? scenario_.price_multiplier * draw.size_scale * draw.size->FromWord(size_noise) : 0;
        sale.product = booking.PickProduct(static_cast<int>(g), product_pick);
        sale.term_months = booking.DrawTerm(sale.product, stream);
        sale.key = SaleKey::Arrival(segment_entity_[g], path.first_month + m, i);
        booking.Book(path, sale, stream);
      }
    }
  }
}

}  // namespace forecastle::forecast

#include "engine/forecast/pipeline.h"

#include <algorithm>
#include <cmath>

#include "engine/forecast/booking.h"

namespace forecastle::forecast {

Pipeline::Pipeline(const StartingState& state, const Scenario& scenario, LogNormalTables& tables)
    : state_(state), price_multiplier_(scenario.price_multiplier) {
  for (const SegmentAssumptions& g : scenario.segments) {
    SegmentDraws& draws = segments_.emplace_back(SegmentDraws{
        &tables.For(g.open_deal_size_sigma), std::exp(-g.open_deal_size_sigma * g.open_deal_size_sigma / 2), {},
        WordThreshold(g.slip_probability)});
    // q^k for k < kMaxSlipMonths, q = 1 - 1 / slip_months (0 when slip_months is 1: always k = 1).
    // std::pow, correctly rounded, so a uniform equal to q^k gives k, as ceil(log u / log q) does
    // (exp(k log q) can round above q^k).
    const double q = std::max(0.0, 1 - 1 / g.slip_months);
    for (int k = 0; k < kMaxSlipMonths; ++k) draws.slip_powers.push_back(std::pow(q, k));
  }
  for (const OpenDeal& deal : state.open_deals) {
    wins_.emplace_back(std::min(1.0, deal.win_probability * scenario.win_rate_multiplier));
  }
}

int Pipeline::SlipMonths(const std::vector<double>& powers, bool slips, double u) {
  // The first four powers settle most draws (q^4 is 1/16 for a mean slip of 2 months) and are
  // compared without branches: powers[i] > u as the sign of u - powers[i] (exact: the difference
  // of unequal doubles is never 0), which the compiler cannot turn back into a branch. The rest,
  // one by one, only for a deal that does slip, so long mean slips cost the others nothing.
  int k = 1 + std::signbit(u - powers[1]) + std::signbit(u - powers[2]) + std::signbit(u - powers[3]) +
          std::signbit(u - powers[4]);
  if (k == 5 && slips) {
    while (k < kMaxSlipMonths && powers[static_cast<size_t>(k)] > u) ++k;
  }
  return slips * k;
}

void Pipeline::Simulate(PathContext& path, const Booking& booking) const {
  const std::vector<OpenDeal>& deals = state_.open_deals;
  // Every deal's first block, in one batch: its first word says whether it wins. The won deals,
  // compacted without branches (a win is a coin flip the predictor cannot learn), keep that block.
  OpeningDraws& draws = path.draws;
  draws.Reserve(std::max<size_t>(deals.size(), 2));
  for (size_t d = 0; d < deals.size(); ++d) draws.counter(d) = Streams::OpenDeal(deals[d].entity, path.path);
  draws.Compute(deals.size(), path.key);
  std::vector<uint32_t>& won = path.won;
  if (won.size() < deals.size()) won.resize(deals.size());  // filled by index: cheaper than growing
  size_t wins = 0;
  for (size_t d = 0; d < deals.size(); ++d) {
    won[wins] = static_cast<uint32_t>(d);
    wins += wins_[d].Below(draws.words(d)[0]);
  }
  // A won deal draws three more words (slip, its length, size), its product's, then its invoices'
  // and renewals': a subscription sold early in the horizon bills three terms and renews twice,
  // ten words in all. Its next two blocks come in a second batch, beside its first.
  std::vector<uint32_t>& words = path.won_words;
  if (words.size() < 12 * wins) words.resize(12 * wins);
  for (size_t w = 0; w < wins; ++w) std::copy_n(draws.words(won[w]), 4, &words[12 * w]);
  draws.Reserve(2 * wins);
  for (size_t w = 0; w < wins; ++w) {
    PhiloxCounter c = Streams::OpenDeal(deals[won[w]].entity, path.path);
    for (size_t b = 1; b < 3; ++b) {
      c[0] = static_cast<uint32_t>(b);
      draws.counter(2 * w + b - 1) = c;
    }
  }
  draws.Compute(2 * wins, path.key);
  for (size_t w = 0; w < wins; ++w) std::copy_n(draws.words(2 * w), 8, &words[12 * w + 4]);
  for (size_t w = 0; w < wins; ++w) {
    const OpenDeal& deal = deals[won[w]];
    RandomStream stream(path.key, Streams::OpenDeal(deal.entity, path.path), &words[12 * w], 3);
    stream.Word();  // whether it wins: drawn above
    const SegmentDraws& segment = segments_[static_cast<size_t>(deal.segment)];
    const uint32_t slip = stream.Word();
    const double slip_length = stream.Uniform();
    const uint32_t size_noise = stream.Word(), product_pick = stream.Word();
    Sale sale;
    sale.month = deal.expected_month + SlipMonths(segment.slip_powers, segment.slips.Below(slip), slip_length);
    sale.start_fraction = deal.close_fraction;  // a slipping deal keeps its day of the month
    sale.size = deal.amount * price_multiplier_ * segment.size_noise_scale * segment.size_noise->FromWord(size_noise);
    sale.product = deal.product >= 0 ? deal.product : booking.PickProduct(deal.segment, product_pick);
    sale.term_months = booking.DrawTerm(sale.product, stream);
    sale.key = SaleKey::OpenDeal(deal.entity);
    booking.Book(path, sale, stream);
  }
}

}  // namespace forecastle::forecast

#include "engine/forecast/direct_sales.h"

#include <algorithm>
#include <cmath>

#include "engine/forecast/booking.h"
#include "engine/forecast/streams.h"

namespace forecastle::forecast {

DirectSales::DirectSales(const Scenario& scenario, LogNormalTables& tables)
    : price_multiplier_(scenario.price_multiplier) {
  for (size_t g = 0; g < scenario.segments.size(); ++g) {
    const SegmentAssumptions& segment = scenario.segments[g];
    const uint64_t entity = Identity::Of("segment", segment.name);
    int kind = 0;
    for (const DirectBookings* d : {&segment.new_customers, &segment.expansions}) {
      ++kind;
      if (d->per_month <= 0) continue;
      const double mu = std::log(std::max(d->size, 1e-9)) - d->size_sigma * d->size_sigma / 2;
      sources_.push_back(Source{static_cast<int>(g), d, Identity::Of(entity, static_cast<uint64_t>(kind)),
                                &tables.For(d->size_sigma), std::exp(mu), std::log1p(d->growth_per_year)});
    }
  }
}

void DirectSales::Simulate(PathContext& path, const Booking& booking) const {
  for (const Source& source : sources_) {
    const DirectBookings& d = *source.bookings;
    RandomStream trend(path.key, Streams::DirectTrend(source.entity, path.path));
    // This path's error in the estimate's growth (TrendFactor).
    const double deviation = d.growth_sigma * trend.Normal();
    for (int m = 0; m < path.horizon; ++m) {
      const MonthIndex month = path.first_month + m;
      RandomStream count_stream(path.key, Streams::DirectCount(source.entity, month, path.path));
      const double v = d.volatility;
      const double shock = std::exp(v * count_stream.Normal() - v * v / 2);  // mean 1
      const double mean = std::min(1e5, d.per_month * d.seasonality[static_cast<size_t>(month % 12)] *
                                            TrendFactor(source.log_growth, deviation, m) * shock);
      const int64_t count = std::min(kMaxPerMonth, count_stream.Poisson(mean));
      for (int64_t i = 0; i < count; ++i) {
        RandomStream stream(path.key, Streams::DirectBooking(source.entity, month, i, path.path));
        Sale sale;
        sale.month = m;
        sale.start_fraction = stream.Uniform();  // signed on any day of the month
        const uint32_t size_word = stream.Word(), product_word = stream.Word();
        sale.size = d.size > 0 ? price_multiplier_ * source.size_scale * source.size->FromWord(size_word) : 0;
        sale.product = booking.PickProduct(source.segment, product_word);
        sale.term_months = booking.DrawTerm(sale.product, stream);
        sale.key = SaleKey::Direct(source.entity, month, i);
        booking.Book(path, sale, stream);
      }
    }
  }
}

}  // namespace forecastle::forecast

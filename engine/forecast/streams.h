// Every random stream a forecast draws from, named by what it is for (SPEC §4 "Determinism"):
// a stream is keyed by (seed, entity, path), and this file is the one place that says which
// entity each draw belongs to. Scenarios compared on common random numbers share a stream
// exactly when they share its entity, so a draw's key must never depend on another entity's.
#ifndef FORECASTLE_ENGINE_FORECAST_STREAMS_H_
#define FORECASTLE_ENGINE_FORECAST_STREAMS_H_

#include <cstdint>
#include <string_view>

#include "engine/actuals/calendar.h"
#include "engine/forecast/random.h"

namespace forecastle::forecast {

// A probability compared as a 32-bit word: a draw's word is below the threshold exactly when its
// uniform (RandomStream::WordToUniform) is below the probability, so a coin flip needs no
// conversion to double.
class WordThreshold {
 public:
  WordThreshold() = default;
  explicit WordThreshold(double probability) : words_(RandomStream::WordsBelow(probability)) {}
  // Whether the draw of `word` falls below the probability (an event of that probability).
  bool Below(uint32_t word) const { return word < words_; }

 private:
  uint64_t words_ = 0;  // how many of the 2^32 words are below: up to 2^32 itself
};

// Entities are what a thing is, never where it sat in an import: a hash of its kind and id (an
// opportunity, a team, a segment), or of the entities and calendar months it is made of. The same
// records imported in any order give the same streams.
class Identity {
 public:
  // Stream entities have 60 bits (RandomStream::FirstCounter).
  static constexpr uint64_t kBits = (uint64_t{1} << 60) - 1;
  // The identity of a named thing of `kind` ("opportunity", "team", "segment").
  static uint64_t Of(std::string_view kind, std::string_view id) {
    uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over kind, a separator, id
    for (char c : kind) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    hash = (hash ^ 0xFFu) * 0x100000001b3ULL;  // a byte no UTF-8 text holds
    for (char c : id) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return Mix(hash) & kBits;
  }
  // The identity of a thing made of `a` and `b` (an entity and a month, a sale and an index).
  static uint64_t Of(uint64_t a, uint64_t b) { return Mix(Mix(a) ^ (b + 0x9E3779B97F4A7C15ULL)) & kBits; }
  static uint64_t Of(uint64_t a, uint64_t b, uint64_t c) { return Of(Of(a, b), c); }

 private:
  // splitmix64's finaliser: every output bit depends on every input bit.
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};

// What the invoices of one sale draw from: a sale's invoices billed month by month (services in
// arrears) each have a stream keyed by (sale, calendar month). Each kind of sale has its tag.
struct SaleKey {
  static uint64_t Backlog(uint64_t team) { return Identity::Of(1, team); }
  static uint64_t OpenDeal(uint64_t opportunity) { return Identity::Of(2, opportunity); }
  static uint64_t Arrival(uint64_t segment, MonthIndex month, int64_t index) {
    return Identity::Of(3, Identity::Of(segment, static_cast<uint64_t>(month)), static_cast<uint64_t>(index));
  }
  static uint64_t Renewal(MonthIndex month) { return Identity::Of(4, static_cast<uint64_t>(month)); }
  static uint64_t Direct(uint64_t source, MonthIndex month, int64_t index) {
    return Identity::Of(5, Identity::Of(source, static_cast<uint64_t>(month)), static_cast<uint64_t>(index));
  }
};

// The first counter of each stream (RandomStream::FirstCounter), by entity. Months are calendar
// months (MonthIndex), so forecasts from different as-of dates draw the same for the same month.
struct Streams {
  // An open opportunity (Identity::Of("opportunity", id)): whether it wins, its slip, size,
  // product, then its invoices' and renewals' words.
  static PhiloxCounter OpenDeal(uint64_t opportunity, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kOpportunity, opportunity, path);
  }
  // The month's demand shocks, one normal per segment in the scenario's order.
  static PhiloxCounter Demand(MonthIndex month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kCorrelation, static_cast<uint64_t>(month), path);
  }
  // How many new opportunities of a segment (Identity::Of("segment", name)) arrive and win in a month.
  static PhiloxCounter ArrivalCount(uint64_t segment, MonthIndex month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kArrivals, Identity::Of(segment, static_cast<uint64_t>(month), 0), path);
  }
  // The trend of a segment's new opportunities on a path: one normal.
  static PhiloxCounter ArrivalTrend(uint64_t segment, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kArrivalTrend, segment, path);
  }
  // The index-th (from 0) won arrival of a segment-month: its cycle, size, product, invoices, renewals.
  static PhiloxCounter Arrival(uint64_t segment, MonthIndex month, int64_t index, uint64_t path) {
    return RandomStream::FirstCounter(
        EntityKind::kArrivals, Identity::Of(segment, static_cast<uint64_t>(month), static_cast<uint64_t>(index) + 1), path);
  }
  // The renewal of the existing subscriptions expiring in a month, then its invoices' words.
  static PhiloxCounter ExpiringRenewal(MonthIndex month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kRenewal, static_cast<uint64_t>(month), path);
  }
  // The overrun of a team's (Identity::Of("team", name)) work backlog at as-of, then the word of
  // its invoice when it has no hours.
  static PhiloxCounter BacklogOverrun(uint64_t team, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kLine, team, path);
  }
  // A cohort's attrition, a word a month from the month it joins (Delivery names cohorts).
  static PhiloxCounter Cohort(uint64_t cohort, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kTeam, cohort, path);
  }
  // Bookings without an opportunity of one source (Identity::Of(segment, 1 for new customers or
  // 2 for expansions)): its trend, drawn once a path; each month's count; each booking's day,
  // size, product, then its invoices' and renewals' words.
  static PhiloxCounter DirectTrend(uint64_t source, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kDirect, Identity::Of(source, 0), path);
  }
  static PhiloxCounter DirectCount(uint64_t source, MonthIndex month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kDirect, Identity::Of(source, static_cast<uint64_t>(month), 0), path);
  }
  static PhiloxCounter DirectBooking(uint64_t source, MonthIndex month, int64_t index, uint64_t path) {
    return RandomStream::FirstCounter(
        EntityKind::kDirect, Identity::Of(source, static_cast<uint64_t>(month), static_cast<uint64_t>(index) + 1), path);
  }
  // The receivables open at as-of: a normal a month for how far that month's collection of them
  // runs ahead of (or behind) its expectation.
  static PhiloxCounter OpenReceivables(uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kReceivables, 0, path);
  }
  // The payment delay and bad debt of a sale's invoice for the work of one month.
  static PhiloxCounter WorkInvoice(uint64_t sale, MonthIndex month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kInvoice, Identity::Of(sale, static_cast<uint64_t>(month)), path);
  }
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_STREAMS_H_

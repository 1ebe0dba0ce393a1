// Every random stream a forecast draws from, named by what it is for (SPEC §4 "Determinism"):
// a stream is keyed by (seed, entity, path), and this file is the one place that says which
// entity each draw belongs to. Scenarios compared on common random numbers share a stream
// exactly when they share its entity, so a draw's key must never depend on another entity's.
#ifndef FORECASTLE_ENGINE_FORECAST_STREAMS_H_
#define FORECASTLE_ENGINE_FORECAST_STREAMS_H_

#include <cstdint>

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

// What the invoices of one sale draw from: a sale's invoices billed month by month (services in
// arrears) each have a stream keyed by (sale, month). The kinds of sale never share a key.
struct SaleKey {
  static uint64_t Backlog(uint64_t team) { return (uint64_t{1} << 56) | team; }
  static uint64_t OpenDeal(uint64_t deal) { return (uint64_t{1} << 57) | deal; }
  static uint64_t Arrival(uint64_t segment, int month, int64_t index) {
    return (uint64_t{1} << 58) | (Cell(segment, month) << 20) | static_cast<uint64_t>(index + 1);
  }
  static uint64_t Renewal(int month) { return (uint64_t{1} << 59) | static_cast<uint64_t>(month); }
  // A segment-month cell of new opportunities: 12 bits of month, the segment above.
  static uint64_t Cell(uint64_t segment, int month) { return (segment << 12) | static_cast<uint64_t>(month); }
};

// The first counter of each stream (RandomStream::FirstCounter), by entity.
struct Streams {
  // Whether each open deal wins: one shared stream in which deal i's word is word i.
  static PhiloxCounter OpenDealWins(uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kOpportunity, uint64_t{1} << 59, path);
  }
  // An open deal's slip, size, product, then its invoices' and renewals' words.
  static PhiloxCounter OpenDeal(uint64_t deal, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kOpportunity, deal, path);
  }
  // The month's demand shocks, one normal per segment.
  static PhiloxCounter Demand(int month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kCorrelation, static_cast<uint64_t>(month), path);
  }
  // How many new opportunities of a segment arrive and win in a month.
  static PhiloxCounter ArrivalCount(uint64_t segment, int month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kArrivals, SaleKey::Cell(segment, month) << 20, path);
  }
  // The index-th (from 0) won arrival of a segment-month: its cycle, size, product, invoices, renewals.
  static PhiloxCounter Arrival(uint64_t segment, int month, int64_t index, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kArrivals,
                                      (SaleKey::Cell(segment, month) << 20) | static_cast<uint64_t>(index + 1), path);
  }
  // The renewal of the existing subscriptions expiring in a month, then its invoices' words.
  static PhiloxCounter ExpiringRenewal(int month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kRenewal, static_cast<uint64_t>(month), path);
  }
  // The overrun of a team's work backlog at as-of, then the word of its invoice when it has no hours.
  static PhiloxCounter BacklogOverrun(uint64_t team, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kLine, team, path);
  }
  // A cohort's attrition, a word a month from the month it joins: the team at as-of (hire 0) or
  // the people of hiring_plan[hire - 1].
  static PhiloxCounter Cohort(uint64_t team, uint64_t hire, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kTeam, (team << 20) | hire, path);
  }
  // The payment delay and bad debt of a sale's invoice for the work of one month.
  static PhiloxCounter WorkInvoice(uint64_t sale, int month, uint64_t path) {
    return RandomStream::FirstCounter(EntityKind::kInvoice,
                                      (sale * 131 + static_cast<uint64_t>(month)) & ((uint64_t{1} << 60) - 1), path);
  }
};

}  // namespace forecastle::forecast

#endif  // FORECASTLE_ENGINE_FORECAST_STREAMS_H_

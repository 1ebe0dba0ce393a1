// How two messages differ, for fuzz targets that check a message survives a trip (through JSON,
// through the store): field by field as numbers compare, an unset field as its default. A -0
// that JSON writes reads back as 0, so unset; NaN equals NaN. Empty when they are the same.
#ifndef FORECASTLE_TESTS_FUZZ_MESSAGE_DIFFERENCES_H_
#define FORECASTLE_TESTS_FUZZ_MESSAGE_DIFFERENCES_H_

#include <string>

#include <google/protobuf/message.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

namespace forecastle::fuzz {

inline std::string MessageDifferences(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  google::protobuf::util::DefaultFieldComparator numbers;
  numbers.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&numbers);
  differencer.set_message_field_comparison(google::protobuf::util::MessageDifferencer::EQUIVALENT);
  std::string report;
  differencer.ReportDifferencesToString(&report);
  differencer.Compare(a, b);
  return report;
}

}  // namespace forecastle::fuzz

#endif  // FORECASTLE_TESTS_FUZZ_MESSAGE_DIFFERENCES_H_

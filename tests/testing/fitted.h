// The fitted value of a calibration for one field, for tests of calibration.
#ifndef FORECASTLE_TESTS_TESTING_FITTED_H_
#define FORECASTLE_TESTS_TESTING_FITTED_H_

#include <string>

#include <gtest/gtest.h>

#include "engine/forecast/calibration.h"

namespace forecastle::testing {

// The calibration's value of `field` (e.g. "segments[smb].win_rate"); a test failure if none.
inline const forecast::FittedValue& Find(const forecast::Calibration& c, const std::string& field) {
  for (const forecast::FittedValue& v : c.values) {
    if (v.field == field) return v;
  }
  ADD_FAILURE() << "no fitted value " << field;
  static forecast::FittedValue none;
  return none;
}

}  // namespace forecastle::testing

#endif  // FORECASTLE_TESTS_TESTING_FITTED_H_

// What the fuzz targets assert beyond "no crash": FUZZ_CHECK aborts with the condition, where it
// is and a message when an invariant does not hold. Under libFuzzer that is a crash (the input is
// saved); in a replay test (replay_main.cc) it fails the test.
#ifndef FORECASTLE_TESTS_FUZZ_FUZZ_CHECK_H_
#define FORECASTLE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace forecastle::fuzz {

[[noreturn]] inline void Fail(const char* condition, const char* file, int line, const std::string& message) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", file, line, condition, message.c_str());
  std::abort();
}

// The message's parts streamed one after another (absl::Status prints too).
template <typename... Parts>
std::string Message(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace forecastle::fuzz

#define FUZZ_CHECK(condition, ...)                                                                       \
  do {                                                                                                   \
    if (!(condition)) {                                                                                  \
      ::forecastle::fuzz::Fail(#condition, __FILE__, __LINE__, ::forecastle::fuzz::Message(__VA_ARGS__)); \
    }                                                                                                    \
  } while (0)

#endif  // FORECASTLE_TESTS_FUZZ_FUZZ_CHECK_H_

// UTF-8 validity, which SPEC §3.4 asks of every text forecastle takes in: CSV files and every text
// field of a record. A text that is not UTF-8 is refused, naming where, never repaired or dropped.
#ifndef FORECASTLE_ENGINE_COMMON_UTF8_H_
#define FORECASTLE_ENGINE_COMMON_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace forecastle {

// The offset of the first byte of `text` that does not start a well-formed UTF-8 sequence (RFC
// 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence), or
// absl::string_view::npos when all of `text` is UTF-8.
size_t FirstInvalidUtf8(absl::string_view text);

// Why `text` is not UTF-8, given `at` = FirstInvalidUtf8(text): `not valid UTF-8: byte 0xE9
// after "Negotiat"` (the text before the byte, shortened to its last 24 characters).
std::string InvalidUtf8Reason(absl::string_view text, size_t at);

// OK when `text` is UTF-8; else INVALID_ARGUMENT "`field`: " and InvalidUtf8Reason.
absl::Status CheckUtf8(absl::string_view text, absl::string_view field);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_COMMON_UTF8_H_

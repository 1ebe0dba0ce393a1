// How an error quotes a value it was given: in double quotes, and never more than a short prefix
// of it, so a 100 KB field cannot come back as a 100 KB error (nor overflow a reply's metadata).
#ifndef FORECASTLE_ENGINE_COMMON_QUOTE_H_
#define FORECASTLE_ENGINE_COMMON_QUOTE_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace forecastle {

// The most bytes of a value an error quotes.
inline constexpr size_t kMaxQuotedBytes = 64;

// `"text"` when text has at most kMaxQuotedBytes bytes; else its first ones (never cutting a
// UTF-8 character in two) and how long it was: `"2026-01-01xxxx…" (102400 bytes)`.
std::string Quoted(absl::string_view text);

// OK when `text` has at most `limit` bytes; else INVALID_ARGUMENT naming the field, its length
// and the limit, never its value: "name: 8388608 bytes, more than the limit of 1000".
absl::Status CheckLength(absl::string_view text, size_t limit, absl::string_view field);

}  // namespace forecastle

#endif  // FORECASTLE_ENGINE_COMMON_QUOTE_H_

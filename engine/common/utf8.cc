#include "engine/common/utf8.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/common/field_error.h"

namespace forecastle {

size_t FirstInvalidUtf8(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    // The range of the second byte narrows where a sequence could be overlong, a surrogate or
    // above U+10FFFF (RFC 3629 §4).
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return i;  // a continuation byte without a lead, 0xC0, 0xC1 or 0xF5..0xFF
    }
    if (i + length > n || s[i + 1] < low || s[i + 1] > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    }
    i += length;
  }
  return absl::string_view::npos;
}

std::string InvalidUtf8Reason(absl::string_view text, size_t at) {
  absl::string_view before = text.substr(0, at);  // valid UTF-8
  size_t characters = 0, start = before.size();
  while (start > 0 && characters < 24) {
    --start;
    if ((static_cast<unsigned char>(before[start]) & 0xC0) != 0x80) ++characters;
  }
  const std::string byte = absl::StrFormat("0x%02X", static_cast<unsigned char>(text[at]));
  if (at == 0) return absl::StrCat("not valid UTF-8: byte ", byte, " at the start");
  return absl::StrCat("not valid UTF-8: byte ", byte, " after \"", start > 0 ? "..." : "",
                      before.substr(start), "\"");
}

absl::Status CheckUtf8(absl::string_view text, absl::string_view field) {
  const size_t at = FirstInvalidUtf8(text);
  if (at == absl::string_view::npos) return absl::OkStatus();
  return InvalidFieldError(field, InvalidUtf8Reason(text, at));
}

}  // namespace forecastle

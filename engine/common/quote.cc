#include "engine/common/quote.h"

#include "absl/strings/str_cat.h"
#include "engine/common/field_error.h"

namespace forecastle {

std::string Quoted(absl::string_view text) {
  if (text.size() <= kMaxQuotedBytes) return absl::StrCat("\"", text, "\"");
  size_t end = kMaxQuotedBytes;
  // Back to the start of a character: UTF-8 continuation bytes are 10xxxxxx.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat("\"", text.substr(0, end), "\xE2\x80\xA6\" (", text.size(), " bytes)");
}

absl::Status CheckLength(absl::string_view text, size_t limit, absl::string_view field) {
  if (text.size() <= limit) return absl::OkStatus();
  return InvalidFieldError(field, absl::StrCat(text.size(), " bytes, more than the limit of ", limit));
}

}  // namespace forecastle

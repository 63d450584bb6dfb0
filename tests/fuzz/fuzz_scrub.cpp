// Fuzzes the note scrubber with any bytes a keyboard, a paste or a broken
// screen driver could produce. Beyond "no crash, no leak, no undefined
// behaviour", it checks what scrub.h promises:
//   - the result is valid UTF-8, whatever the input;
//   - details found in valid text are in order, inside it, never overlapping;
//   - text outside the details is copied as it was;
//   - the language only changes the markers.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scrub.h"
#include "text.h"

namespace {

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "fuzz_scrub: broken promise: %s\n", promise);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view note(reinterpret_cast<const char*>(data), size);
  std::string en = tp::scrub_note(note, "en");
  std::string cy = tp::scrub_note(note, "cy");
  if (!tp::is_valid_utf8(en) || !tp::is_valid_utf8(cy)) broken("the result is valid UTF-8");
  if (!tp::is_valid_utf8(note)) return 0;

  std::string rebuilt_en, rebuilt_cy;
  std::size_t at = 0;
  for (const tp::FoundDetail& d : tp::find_details(note)) {
    if (d.begin < at || d.end <= d.begin || d.end > note.size()) broken("details are in order, inside the note, never overlapping");
    rebuilt_en.append(note.substr(at, d.begin - at));
    rebuilt_cy.append(note.substr(at, d.begin - at));
    rebuilt_en += tp::detail_marker(d.kind, "en");
    rebuilt_cy += tp::detail_marker(d.kind, "cy");
    at = d.end;
  }
  rebuilt_en.append(note.substr(at));
  rebuilt_cy.append(note.substr(at));
  if (rebuilt_en != en || rebuilt_cy != cy) broken("text outside the details is copied as it was; the language changes only the markers");
  return 0;
}

// libFuzzer target: Warden's request head parser against llhttp (Node.js's parser, from Debian's
// node-llhttp, strict: no lenient flags), an independent implementation of RFC 9112. Two parsers
// that both accept a head but disagree about its meaning are how request smuggling starts, so
// every input both accept must give the same head length, method, target, version, fields and
// body framing, and Warden may keep the connection open only where llhttp would (it closes
// HTTP/1.0 clients that ask for keep-alive, by choice); a disagreement aborts with both readings
// printed. Inputs only one accepts are fine (Warden refuses more: bare LF, obs-fold, ...).
#include "base/assert.hpp"
#include "http/framing.hpp"
#include "http/head_parser.hpp"

#include <cstdint>
#include <cstdio>
#include <llhttp.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace warden::http;

namespace {

struct Reading {
  std::string method, target, version;
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t head_length = 0;
  BodyKind body = BodyKind::None;
  std::uint64_t length = 0;
  bool keep_alive = false;
};

struct LlhttpState {
  Reading reading;
  bool in_value = false;
  bool headers_complete = false;
};

LlhttpState& state_of(llhttp_t* p) { return *static_cast<LlhttpState*>(p->data); }

int append_to(std::string& s, const char* at, std::size_t n) {
  s.append(at, n);
  return 0;
}

int on_url(llhttp_t* p, const char* at, std::size_t n) {
  return append_to(state_of(p).reading.target, at, n);
}
int on_method(llhttp_t* p, const char* at, std::size_t n) {
  return append_to(state_of(p).reading.method, at, n);
}
int on_version(llhttp_t* p, const char* at, std::size_t n) {
  return append_to(state_of(p).reading.version, at, n);
}
int on_field(llhttp_t* p, const char* at, std::size_t n) {
  LlhttpState& s = state_of(p);
  if (s.in_value || s.reading.fields.empty()) s.reading.fields.emplace_back();
  s.in_value = false;
  return append_to(s.reading.fields.back().first, at, n);
}
int on_value(llhttp_t* p, const char* at, std::size_t n) {
  LlhttpState& s = state_of(p);
  s.in_value = true;
  return append_to(s.reading.fields.back().second, at, n);
}
int on_headers_complete(llhttp_t* p) {
  LlhttpState& s = state_of(p);
  s.headers_complete = true;
  if ((p->flags & F_CHUNKED) != 0) {
    s.reading.body = BodyKind::Chunked;
  } else if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > 0) {
    s.reading.body = BodyKind::Length;
    s.reading.length = p->content_length;
  }
  s.reading.keep_alive = llhttp_should_keep_alive(p) != 0;
  return HPE_PAUSED;  // the head is all we compare: stop here, error_pos marks its end
}

std::string_view trim_trailing_whitespace(std::string_view v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool read_with_llhttp(std::string_view in, Reading& out) {
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_url = on_url;
  settings.on_method = on_method;
  settings.on_version = on_version;
  settings.on_header_field = on_field;
  settings.on_header_value = on_value;
  settings.on_headers_complete = on_headers_complete;
  llhttp_t parser;
  llhttp_init(&parser, HTTP_REQUEST, &settings);
  LlhttpState state;
  parser.data = &state;
  const llhttp_errno_t rc = llhttp_execute(&parser, in.data(), in.size());
  if (rc != HPE_PAUSED || !state.headers_complete) return false;
  state.reading.head_length = static_cast<std::size_t>(llhttp_get_error_pos(&parser) - in.data());
  for (auto& [name, value] : state.reading.fields)
    value.resize(trim_trailing_whitespace(value).size());
  out = std::move(state.reading);
  return true;
}

bool read_with_warden(std::string_view in, Reading& out) {
  RequestHeadParser parser;
  const ParseResult r = parser.parse(in);
  if (r.status != ParseStatus::Done) return false;
  const RequestHead head = parser.take();
  const auto semantics = analyze_request(head);
  if (!semantics) return false;
  out.method = head.method();
  out.target = head.target();
  out.version = head.version == Version::Http10 ? "1.0" : "1.1";
  for (std::size_t i = 0; i < head.field_count(); ++i) {
    const auto f = head.field(i);
    out.fields.emplace_back(f.name, f.value);
  }
  out.head_length = r.consumed;
  // "Content-Length: 0" is no body, as llhttp reports it.
  const bool empty = semantics->body.kind == BodyKind::Length && semantics->body.length == 0;
  out.body = empty ? BodyKind::None : semantics->body.kind;
  out.length = empty ? 0 : semantics->body.length;
  out.keep_alive = semantics->keep_alive;
  return true;
}

void print(const char* who, const Reading& r) {
  std::fprintf(stderr,
               "%s: head %zu bytes, method [%s] target [%s] version [%s], body %d/%llu, "
               "keep-alive %d\n",
               who, r.head_length, r.method.c_str(), r.target.c_str(), r.version.c_str(),
               static_cast<int>(r.body), static_cast<unsigned long long>(r.length),
               r.keep_alive ? 1 : 0);
  for (const auto& [name, value] : r.fields)
    std::fprintf(stderr, "  [%s]: [%s]\n", name.c_str(), value.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  Reading warden_reading, llhttp_reading;
  if (!read_with_warden(in, warden_reading) || !read_with_llhttp(in, llhttp_reading)) return 0;
  const bool same = warden_reading.head_length == llhttp_reading.head_length &&
                    warden_reading.method == llhttp_reading.method &&
                    warden_reading.target == llhttp_reading.target &&
                    warden_reading.version == llhttp_reading.version &&
                    warden_reading.fields == llhttp_reading.fields &&
                    warden_reading.body == llhttp_reading.body &&
                    warden_reading.length == llhttp_reading.length &&
                    (!warden_reading.keep_alive || llhttp_reading.keep_alive);
  if (!same) {
    print("warden", warden_reading);
    print("llhttp", llhttp_reading);
  }
  WARDEN_CHECK(same);
  return 0;
}

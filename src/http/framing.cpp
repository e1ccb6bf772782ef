#include "http/framing.hpp"

#include "http/chars.hpp"
#include "http/target.hpp"

#include <algorithm>

namespace warden::http {
namespace {

// Calls fn(element) for each comma-separated element of every `name` field, trimmed of OWS.
// Empty elements are passed as empty views so callers can decide what they mean.
template <class Fn>
void for_each_element(const MessageHead& head, std::string_view name, Fn&& fn) {
  for (std::size_t i = 0; i < head.field_count(); ++i) {
    const auto f = head.field(i);
    if (!chars::iequals(f.name, name)) continue;
    std::string_view v = f.value;
    for (;;) {
      const std::size_t comma = v.find(',');
      fn(chars::trim_ows(v.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = chars::to_lower(c);
  return out;
}

struct TransferCodings {
  bool present = false;
  bool malformed = false;          // empty element, non-token, a tab on the line
  bool only_chunked = false;       // exactly one coding: chunked
  bool chunked_misplaced = false;  // chunked repeated or not last
};

// Whether a field line holds a horizontal tab anywhere after its name (around or inside the
// value). RFC 9110 lets HTAB be whitespace there, but llhttp 8.1 (Node.js 18 and 20) then no
// longer sees "chunked" and reads a request as having no body: found by head_differential_fuzz,
// the disagreement a smuggled request needs. No client sends it, so Transfer-Encoding lines
// with a tab are refused.
bool line_has_tab(const MessageHead& head, const MessageHead::Field& f) {
  const std::string_view raw = head.raw();
  const auto from = static_cast<std::size_t>(f.name.data() - raw.data()) + f.name.size();
  const std::size_t end = raw.find('\r', from);
  return raw.substr(from, end - from).find('\t') != std::string_view::npos;
}

TransferCodings parse_transfer_encoding(const MessageHead& head) {
  TransferCodings tc;
  for (std::size_t i = 0; i < head.field_count(); ++i) {
    const auto f = head.field(i);
    if (chars::iequals(f.name, "transfer-encoding") && line_has_tab(head, f)) tc.malformed = true;
  }
  std::size_t codings = 0;
  std::size_t chunked = 0;
  bool last_is_chunked = false;
  for_each_element(head, "transfer-encoding", [&](std::string_view e) {
    tc.present = true;
    if (!chars::is_token(e)) {
      tc.malformed = true;  // also refuses empty elements and parameters
      return;
    }
    ++codings;
    last_is_chunked = chars::iequals(e, "chunked");
    if (last_is_chunked) ++chunked;
  });
  tc.chunked_misplaced = chunked > 1 || (chunked == 1 && !last_is_chunked);
  tc.only_chunked = codings == 1 && chunked == 1;
  return tc;
}

// Lower-cased Connection options; false if one is not a token.
bool parse_connection(const MessageHead& head, std::vector<std::string>& out) {
  bool ok = true;
  for_each_element(head, "connection", [&](std::string_view e) {
    if (e.empty()) return;  // empty list elements are ignored (RFC 9110 §5.6.1)
    if (!chars::is_token(e)) {
      ok = false;
      return;
    }
    out.push_back(lower(e));
  });
  return ok;
}

bool has_option(const std::vector<std::string>& options, std::string_view name) {
  return std::find(options.begin(), options.end(), name) != options.end();
}

}  // namespace

Checked<ContentLength> parse_content_length(const MessageHead& head) {
  ContentLength cl;
  bool bad = false;
  for_each_element(head, "content-length", [&](std::string_view e) {
    if (e.empty() || e.size() > 18) {  // 18 digits < 2^63: no overflow possible
      bad = true;
      return;
    }
    std::uint64_t v = 0;
    for (char c : e) {
      if (!chars::is_digit(c)) {
        bad = true;
        return;
      }
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (cl.present && cl.value != v) bad = true;
    cl.present = true;
    cl.value = v;
  });
  if (bad) return ParseError{400, "invalid or conflicting Content-Length"};
  return cl;
}

Checked<RequestSemantics> analyze_request(const RequestHead& head) {
  RequestSemantics s;
  const bool http10 = head.version == Version::Http10;

  const std::size_t hosts = head.count("host");
  if (hosts > 1) return ParseError{400, "more than one Host field"};
  if (hosts == 0 && !http10) return ParseError{400, "missing Host field"};
  if (hosts == 1) {
    if (auto a = parse_authority(*head.find("host"), false); !a)
      return ParseError{400, "invalid Host field"};
  }

  if (!parse_connection(head, s.connection_options))
    return ParseError{400, "invalid Connection field"};
  for (const auto& o : s.connection_options)
    if (o == "content-length" || o == "transfer-encoding" || o == "host")
      return ParseError{400, "Connection names a framing field"};
  s.keep_alive = !http10 && !has_option(s.connection_options, "close");

  const TransferCodings tc = parse_transfer_encoding(head);
  auto cl = parse_content_length(head);
  if (!cl) return cl.error();
  if (tc.present) {
    if (http10) return ParseError{400, "Transfer-Encoding in an HTTP/1.0 request"};
    if (cl->present) return ParseError{400, "both Content-Length and Transfer-Encoding"};
    if (tc.malformed || tc.chunked_misplaced) return ParseError{400, "invalid Transfer-Encoding"};
    if (!tc.only_chunked) return ParseError{501, "unsupported transfer coding"};
    s.body.kind = BodyKind::Chunked;
  } else if (cl->present) {
    s.body = {BodyKind::Length, cl->value};
  }

  if (const std::size_t expects = head.count("expect"); expects > 0 && !http10) {
    if (expects > 1 || !chars::iequals(*head.find("expect"), "100-continue"))
      return ParseError{417, "unsupported expectation"};
    s.expect_continue = true;
  }

  if (!http10 && head.method() == "GET" && has_option(s.connection_options, "upgrade")) {
    for_each_element(head, "upgrade", [&](std::string_view e) {
      if (chars::iequals(e, "websocket")) s.websocket = true;
    });
  }
  return s;
}

Checked<ResponseSemantics> analyze_response(const ResponseHead& head,
                                            std::string_view request_method,
                                            bool upgrade_requested) {
  ResponseSemantics s;
  const unsigned status = head.status();
  if (!parse_connection(head, s.connection_options))
    return ParseError{502, "invalid Connection field"};
  std::erase_if(s.connection_options, [](const std::string& o) {
    return o == "content-length" || o == "transfer-encoding";
  });
  s.keep_alive = head.version == Version::Http11 && !has_option(s.connection_options, "close");

  if (status == 101) {
    if (!upgrade_requested) return ParseError{502, "unexpected 101 Switching Protocols"};
    s.switching = true;
    s.keep_alive = false;
    return s;
  }
  if (status < 200) {
    s.informational = true;
    return s;
  }

  const TransferCodings tc = parse_transfer_encoding(head);
  auto cl = parse_content_length(head);
  if (!cl) return ParseError{502, "invalid or conflicting Content-Length"};
  if (tc.present && (tc.malformed || tc.chunked_misplaced || !tc.only_chunked))
    return ParseError{502, "invalid or unsupported Transfer-Encoding"};
  if (tc.present && cl->present)
    return ParseError{502, "both Content-Length and Transfer-Encoding"};

  if (request_method == "HEAD" || status == 204 || status == 304) return s;  // BodyKind::None
  if (tc.present) {
    if (head.version == Version::Http10) {
      // Faulty framing (RFC 9112 §6.1): read until close, never reuse.
      s.body.kind = BodyKind::UntilClose;
      s.keep_alive = false;
    } else {
      s.body.kind = BodyKind::Chunked;
    }
  } else if (cl->present) {
    s.body = {BodyKind::Length, cl->value};
  } else {
    s.body.kind = BodyKind::UntilClose;
    s.keep_alive = false;
  }
  return s;
}

}  // namespace warden::http

#include "http/rewrite.hpp"

#include "http/alt_svc.hpp"
#include "http/chars.hpp"

#include <algorithm>
#include <array>

namespace warden::http {
namespace {

constexpr std::array<std::string_view, 8> kHopByHop = {
    "connection",         "keep-alive", "proxy-connection",  "proxy-authorization",
    "proxy-authenticate", "te",         "transfer-encoding", "upgrade"};

bool listed(std::string_view name, const std::vector<std::string>& options) {
  return std::any_of(options.begin(), options.end(),
                     [&](const std::string& o) { return chars::iequals(name, o); });
}

bool hop_by_hop(std::string_view name, const std::vector<std::string>& connection_options) {
  return std::any_of(kHopByHop.begin(), kHopByHop.end(),
                     [&](std::string_view h) { return chars::iequals(name, h); }) ||
         listed(name, connection_options);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

using SetFields = std::span<const std::pair<std::string, std::string>>;

// Copies end-to-end fields; Via values are gathered so ours can be appended to the list.
void copy_fields(const MessageHead& head, const std::vector<std::string>& connection_options,
                 std::initializer_list<std::string_view> also_drop, std::string& out,
                 std::string& via, std::string& xff, SetFields replaced = {}) {
  for (std::size_t i = 0; i < head.field_count(); ++i) {
    const auto f = head.field(i);
    if (hop_by_hop(f.name, connection_options)) continue;
    if (std::any_of(also_drop.begin(), also_drop.end(),
                    [&](std::string_view d) { return chars::iequals(f.name, d); }))
      continue;
    if (std::any_of(replaced.begin(), replaced.end(),
                    [&](const auto& r) { return chars::iequals(f.name, r.first); }))
      continue;
    std::string* list = chars::iequals(f.name, "via")               ? &via
                        : chars::iequals(f.name, "x-forwarded-for") ? &xff
                                                                    : nullptr;
    if (list != nullptr) {
      if (!list->empty()) list->append(", ");
      list->append(f.value);
      continue;
    }
    append_field(out, f.name, f.value);
  }
}

void append_list(std::string& out, std::string_view name, std::string& list,
                 std::string_view ours) {
  if (!ours.empty()) {
    if (!list.empty()) list.append(", ");
    list.append(ours);
  }
  if (!list.empty()) append_field(out, name, list);
}

}  // namespace

std::string upstream_request_head(const RequestHead& head, const RequestSemantics& semantics,
                                  const AbsoluteTarget& target, const ForwardOptions& options) {
  std::string out;
  out.reserve(head.raw().size() + 64);
  out.append(head.method());
  out.push_back(' ');
  out.append(target.path);
  out.append(" HTTP/1.1\r\n");
  append_field(out, "Host", target.authority.to_string(target.scheme == "https" ? 443 : 80));
  std::string via;
  std::string xff;
  copy_fields(head, semantics.connection_options, {"host", "content-length"}, out, via, xff,
              options.set_fields);
  for (const auto& [name, value] : options.set_fields) append_field(out, name, value);
  append_list(out, "Via", via, options.via);
  append_list(out, "X-Forwarded-For", xff, options.forwarded_for);
  if (semantics.body.kind == BodyKind::Chunked) {
    append_field(out, "Transfer-Encoding", "chunked");
  } else if (semantics.body.kind == BodyKind::Length) {
    append_field(out, "Content-Length", std::to_string(semantics.body.length));
  }
  if (semantics.websocket) {
    append_field(out, "Connection", "Upgrade");
    append_field(out, "Upgrade", head.find("upgrade").value_or("websocket"));
  }
  out.append("\r\n");
  return out;
}

std::string client_response_head(const ResponseHead& head, const ResponseSemantics& semantics,
                                 const ClientFraming& framing, std::string_view via_ours) {
  std::string out;
  out.reserve(head.raw().size() + 64);
  out.append("HTTP/1.1 ");
  out.append(std::to_string(head.status()));
  out.push_back(' ');
  out.append(head.reason());
  out.append("\r\n");
  std::string via;
  std::string xff;
  const bool keep_length = framing.kind == BodyKind::None;
  if (keep_length) {
    copy_fields(head, semantics.connection_options, {"alt-svc"}, out, via, xff);
  } else {
    copy_fields(head, semantics.connection_options, {"alt-svc", "content-length"}, out, via, xff);
  }
  // HTTP/3 offers would steer the browser to QUIC, which Warden cannot read.
  for (std::size_t i = 0; i < head.field_count(); ++i) {
    const auto f = head.field(i);
    if (!chars::iequals(f.name, "alt-svc")) continue;
    const std::string kept = alt_svc_without_quic(f.value);
    if (!kept.empty()) append_field(out, f.name, kept);
  }
  if (!xff.empty()) append_field(out, "X-Forwarded-For", xff);
  append_list(out, "Via", via, via_ours);
  if (framing.kind == BodyKind::Chunked) {
    append_field(out, "Transfer-Encoding", "chunked");
  } else if (framing.kind == BodyKind::Length) {
    append_field(out, "Content-Length", std::to_string(framing.length));
  }
  if (semantics.switching) {
    append_field(out, "Connection", "Upgrade");
    append_field(out, "Upgrade", head.find("upgrade").value_or("websocket"));
  } else if (framing.close) {
    append_field(out, "Connection", "close");
  }
  out.append("\r\n");
  return out;
}

}  // namespace warden::http

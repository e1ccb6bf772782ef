#pragma once
// Alt-Svc (RFC 7838) without QUIC: an origin's `Alt-Svc: h3=":443"` tells a browser to try
// HTTP/3 over UDP, which Warden cannot read, on whatever port it names. Every response Warden
// reads has its QUIC offers (h3, h3-NN drafts, hq-*, quic) removed; the rest (h2 on another
// host or port) is kept. A value that does not parse is dropped whole.

#include <string>
#include <string_view>

namespace warden::http {

// The value with QUIC alternatives removed; empty when nothing is left (drop the field).
[[nodiscard]] std::string alt_svc_without_quic(std::string_view value);

// A protocol-id (percent-decoded, RFC 7838 §3) that names HTTP/3 or another QUIC protocol.
[[nodiscard]] bool is_quic_protocol(std::string_view protocol_id);

}  // namespace warden::http

#pragma once
// Error values for expected failures (../shared/STYLE.md §5): whose fault it was, a stable
// machine-readable code (printed in the access log's `error` field and on error pages), and a
// human-readable context.

#include <string>
#include <string_view>

namespace warden::base {

// Whose fault a failure was; logs and metrics group by it.
enum class ErrorSource { Client, Upstream, Internal, Policy };

// Stable codes; their spellings (error_code_name) are part of the access-log schema.
enum class ErrorCode {
  BadRequest,          // malformed or ambiguous request (400)
  RequestLineTooLong,  // 414
  HeadersTooLarge,     // 431
  BodyTooLarge,        // 413
  HeaderTimeout,       // 408: the request head did not arrive in time
  BodyTimeout,         // the client stopped sending its body
  ClientClosed,        // the client went away
  PortNotAllowed,      // CONNECT to a port not in connect_ports (403)
  UnsupportedScheme,   // absolute-form with a scheme we do not proxy
  NotAProxyRequest,    // origin-form request sent to the explicit proxy
  HostMismatch,        // Host or URL names another server than the TLS connection (421)
  LoopDetected,        // the request points back at Warden itself (508)
  TooManyConnections,  // max_connections reached (503)
  DnsNotFound,         // the name does not exist
  DnsFailure,          // the resolver failed or timed out
  ConnectRefused,      // upstream refused the TCP connection
  ConnectTimeout,      // upstream did not accept in time (504)
  Unreachable,         // no route to the upstream
  UpstreamReset,       // upstream reset the connection
  UpstreamClosed,      // upstream closed before a complete response
  UpstreamTimeout,     // upstream did not answer in time (504)
  UpstreamInvalid,     // malformed or ambiguous response (502)
  // The upstream's TLS leg failed verification or negotiation (502 page, ../shared/SECURITY.md a).
  CertExpired,
  CertNotYetValid,
  CertNameMismatch,
  CertUntrusted,
  CertSelfSigned,
  CertPurpose,        // not valid for TLS servers (EKU / key usage)
  CertWeakSignature,  // SHA-1, MD5
  CertWeakKey,        // RSA < 2048, small curves
  CertRevoked,
  CertInvalid,          // any other chain problem (path length, name constraints, critical ext...)
  TlsVersion,           // the upstream offers only TLS < 1.2
  TlsHandshake,         // the TLS handshake failed otherwise
  NotTls,               // a client sent something else than TLS into a tunnel we inspect
  UnknownProtocol,      // a captured connection carried neither HTTP nor TLS (reset)
  DestinationMismatch,  // Host/SNI names a server at another address than the one dialled
  DestinationDenied,    // the upstream address is loopback, link-local, ours... (403)
  UpstreamProxy,        // a captured connection spoke to an outside proxy (a tunnel; 403)
  MintLimit,            // a client asked for more new certificates than its budget (closed)
  SignInRequired,       // the listener asks for sign-in and none was sent (407)
  SignInFailed,         // the name or password was not right, or could not be read (407)
  SignInUnavailable,    // the directory could not say: closed, not open (503)
  Internal,             // a bug or resource exhaustion on our side
};

[[nodiscard]] std::string_view error_code_name(ErrorCode code);   // "ERR_CONNECT_REFUSED"
[[nodiscard]] std::string_view error_source_name(ErrorSource s);  // "upstream"

struct Error {
  ErrorCode code = ErrorCode::Internal;
  ErrorSource source = ErrorSource::Internal;
  std::string context;  // what happened, for people: "connection refused by 127.0.0.1:9"
};

}  // namespace warden::base

#include "base/error.hpp"

namespace warden::base {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadRequest:
      return "ERR_BAD_REQUEST";
    case ErrorCode::RequestLineTooLong:
      return "ERR_REQUEST_LINE_TOO_LONG";
    case ErrorCode::HeadersTooLarge:
      return "ERR_HEADERS_TOO_LARGE";
    case ErrorCode::BodyTooLarge:
      return "ERR_BODY_TOO_LARGE";
    case ErrorCode::HeaderTimeout:
      return "ERR_HEADER_TIMEOUT";
    case ErrorCode::BodyTimeout:
      return "ERR_BODY_TIMEOUT";
    case ErrorCode::ClientClosed:
      return "ERR_CLIENT_CLOSED";
    case ErrorCode::PortNotAllowed:
      return "ERR_PORT_NOT_ALLOWED";
    case ErrorCode::UnsupportedScheme:
      return "ERR_UNSUPPORTED_SCHEME";
    case ErrorCode::NotAProxyRequest:
      return "ERR_NOT_A_PROXY_REQUEST";
    case ErrorCode::TooManyConnections:
      return "ERR_TOO_MANY_CONNECTIONS";
    case ErrorCode::DnsNotFound:
      return "ERR_DNS_NOT_FOUND";
    case ErrorCode::DnsFailure:
      return "ERR_DNS_FAILURE";
    case ErrorCode::ConnectRefused:
      return "ERR_CONNECT_REFUSED";
    case ErrorCode::ConnectTimeout:
      return "ERR_CONNECT_TIMEOUT";
    case ErrorCode::Unreachable:
      return "ERR_UNREACHABLE";
    case ErrorCode::UpstreamReset:
      return "ERR_UPSTREAM_RESET";
    case ErrorCode::UpstreamClosed:
      return "ERR_UPSTREAM_CLOSED";
    case ErrorCode::UpstreamTimeout:
      return "ERR_UPSTREAM_TIMEOUT";
    case ErrorCode::UpstreamInvalid:
      return "ERR_UPSTREAM_INVALID";
    case ErrorCode::HostMismatch:
      return "ERR_HOST_MISMATCH";
    case ErrorCode::LoopDetected:
      return "ERR_LOOP_DETECTED";
    case ErrorCode::CertExpired:
      return "ERR_CERT_EXPIRED";
    case ErrorCode::CertNotYetValid:
      return "ERR_CERT_NOT_YET_VALID";
    case ErrorCode::CertNameMismatch:
      return "ERR_CERT_NAME_MISMATCH";
    case ErrorCode::CertUntrusted:
      return "ERR_CERT_UNTRUSTED";
    case ErrorCode::CertSelfSigned:
      return "ERR_CERT_SELF_SIGNED";
    case ErrorCode::CertPurpose:
      return "ERR_CERT_PURPOSE";
    case ErrorCode::CertWeakSignature:
      return "ERR_CERT_WEAK_SIGNATURE";
    case ErrorCode::CertWeakKey:
      return "ERR_CERT_WEAK_KEY";
    case ErrorCode::CertRevoked:
      return "ERR_CERT_REVOKED";
    case ErrorCode::CertInvalid:
      return "ERR_CERT_INVALID";
    case ErrorCode::TlsVersion:
      return "ERR_TLS_VERSION";
    case ErrorCode::TlsHandshake:
      return "ERR_TLS_HANDSHAKE";
    case ErrorCode::NotTls:
      return "ERR_NOT_TLS";
    case ErrorCode::UnknownProtocol:
      return "ERR_UNKNOWN_PROTOCOL";
    case ErrorCode::DestinationMismatch:
      return "ERR_DEST_MISMATCH";
    case ErrorCode::DestinationDenied:
      return "ERR_DESTINATION_DENIED";
    case ErrorCode::UpstreamProxy:
      return "ERR_UPSTREAM_PROXY";
    case ErrorCode::MintLimit:
      return "ERR_MINT_LIMIT";
    case ErrorCode::SignInRequired:
      return "ERR_SIGN_IN_REQUIRED";
    case ErrorCode::SignInFailed:
      return "ERR_SIGN_IN_FAILED";
    case ErrorCode::SignInUnavailable:
      return "ERR_SIGN_IN_UNAVAILABLE";
    case ErrorCode::Internal:
      return "ERR_INTERNAL";
  }
  return "ERR_INTERNAL";
}

std::string_view error_source_name(ErrorSource s) {
  switch (s) {
    case ErrorSource::Client:
      return "client";
    case ErrorSource::Upstream:
      return "upstream";
    case ErrorSource::Internal:
      return "internal";
    case ErrorSource::Policy:
      return "policy";
  }
  return "internal";
}

}  // namespace warden::base

#include "base/result.hpp"

#include <stdexcept>

namespace warden::base {

void throw_exception_from_error(const Error& e, const boost::source_location& /*loc*/) {
  throw std::runtime_error(std::string(error_code_name(e.code)) + ": " + e.context);
}

}  // namespace warden::base

#include "identity/negotiate.hpp"

#include "identity/local_users.hpp"

#include <fmt/format.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

namespace warden::identity {
namespace {

using Status = CheckResult::Status;

// GSSAPI's words for a failure: the major and the minor (mechanism) status.
std::string gss_words(OM_uint32 major, OM_uint32 minor) {
  std::string out;
  for (const auto& [code, type] : {std::pair{major, GSS_C_GSS_CODE}, {minor, GSS_C_MECH_CODE}}) {
    if (code == 0) continue;
    OM_uint32 context = 0;
    do {
      OM_uint32 ignored = 0;
      gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
      if (gss_display_status(&ignored, code, type, GSS_C_NO_OID, &context, &text) != GSS_S_COMPLETE)
        break;
      if (!out.empty()) out += "; ";
      out.append(static_cast<const char*>(text.value), text.length);
      gss_release_buffer(&ignored, &text);
    } while (context != 0);
  }
  return out;
}

}  // namespace

struct NegotiateAcceptor::Credential {
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  ~Credential() {
    OM_uint32 minor = 0;
    if (cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &cred);
  }
};

base::Result<std::unique_ptr<NegotiateAcceptor>> NegotiateAcceptor::open(
    const std::string& keytab) {
  auto credential = std::make_unique<Credential>();
  gss_key_value_element_desc element{"keytab", keytab.c_str()};
  gss_key_value_set_desc store{1, &element};
  OM_uint32 minor = 0;
  const OM_uint32 major =
      gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_ACCEPT,
                            &store, &credential->cred, nullptr, nullptr);
  if (GSS_ERROR(major))
    return base::Error{
        base::ErrorCode::Internal, base::ErrorSource::Internal,
        fmt::format("auth.negotiate_keytab {}: {}", keytab, gss_words(major, minor))};
  return std::unique_ptr<NegotiateAcceptor>(new NegotiateAcceptor(keytab, std::move(credential)));
}

NegotiateAcceptor::NegotiateAcceptor(std::string keytab, std::unique_ptr<Credential> credential)
    : keytab_(std::move(keytab)), credential_(std::move(credential)) {}

NegotiateAcceptor::~NegotiateAcceptor() = default;

CheckResult NegotiateAcceptor::accept(std::string_view token) const {
  gss_ctx_id_t context = GSS_C_NO_CONTEXT;
  gss_buffer_desc input{token.size(), const_cast<char*>(token.data())};
  gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
  gss_name_t source = GSS_C_NO_NAME;
  OM_uint32 minor = 0;
  const OM_uint32 major =
      gss_accept_sec_context(&minor, &context, credential_->cred, &input, GSS_C_NO_CHANNEL_BINDINGS,
                             &source, nullptr, &output, nullptr, nullptr, nullptr);
  OM_uint32 ignored = 0;
  gss_release_buffer(&ignored, &output);  // (mutual authentication's reply: not sent)
  if (context != GSS_C_NO_CONTEXT) gss_delete_sec_context(&ignored, &context, GSS_C_NO_BUFFER);
  if (major == GSS_S_CONTINUE_NEEDED) {
    gss_release_name(&ignored, &source);
    return CheckResult::refused("a mechanism that needs more than one round trip (NTLM?)");
  }
  if (GSS_ERROR(major)) {
    gss_release_name(&ignored, &source);
    // The token was not good (forged, replayed, for another service, expired): not signed in.
    // Only the keytab failing us is ours to answer 503 for.
    const bool ours = GSS_ROUTINE_ERROR(major) == GSS_S_NO_CRED;
    return ours ? CheckResult::unavailable(gss_words(major, minor))
                : CheckResult::refused(gss_words(major, minor));
  }
  // The local name Kerberos maps the principal to (auth_to_local: by default only principals
  // of the default realm, so "ann@OTHER.REALM" of a trusted realm is not this school's ann).
  gss_buffer_desc local = GSS_C_EMPTY_BUFFER;
  const OM_uint32 mapped = gss_localname(&minor, source, GSS_C_NO_OID, &local);
  gss_buffer_desc shown = GSS_C_EMPTY_BUFFER;
  (void)gss_display_name(&ignored, source, &shown, nullptr);
  const std::string principal(static_cast<const char*>(shown.value), shown.length);
  gss_release_buffer(&ignored, &shown);
  gss_release_name(&ignored, &source);
  if (GSS_ERROR(mapped))
    return CheckResult::refused(principal + " maps to no local name (not the default realm?)");
  const std::string name(static_cast<const char*>(local.value), local.length);
  gss_release_buffer(&ignored, &local);
  CheckResult r;
  if (!valid_user_name(name) || name.find('@') != std::string::npos)
    return CheckResult::refused(principal + " is not a user's principal");
  r.identity.user = LocalUsers::canonical_name(name);
  r.status = Status::SignedIn;
  return r;
}

}  // namespace warden::identity

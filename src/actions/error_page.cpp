#include "actions/error_page.hpp"

#include "actions/block_page.hpp"
#include "actions/page_parts.hpp"

#include <fmt/format.h>

namespace warden::actions {
namespace {

// The heading says what a pupil can tell from it: the site was not safe to show, or it could
// not be reached. (The school's language applies to the labels and the contact line; these
// two headings are English until the policy file can name them.)
bool security_failure(std::string_view error_code) {
  return error_code.starts_with("ERR_CERT_") || error_code.starts_with("ERR_TLS_");
}

bool sign_in(std::string_view error_code) { return error_code.starts_with("ERR_SIGN_IN_"); }

std::string_view heading(std::string_view error_code) {
  if (error_code == "ERR_SIGN_IN_UNAVAILABLE") return "Sign-in is not available";
  if (sign_in(error_code)) return "Sign in to use the web";
  return security_failure(error_code) ? "This site's security could not be verified"
                                      : "This page could not be loaded";
}

std::string_view explanation(std::string_view error_code) {
  if (error_code == "ERR_SIGN_IN_UNAVAILABLE")
    return "The school's web filter could not check who you are just now, so it shows no "
           "pages until it can.";
  if (sign_in(error_code))
    return "The school's web filter needs to know who you are before it shows pages: sign in "
           "with your school name and password when your browser asks.";
  return security_failure(error_code)
             ? "The school's web filter did not show this page: the site could not prove that "
               "it is the site it claims to be, so what it sends could have been changed or "
               "read by someone else."
             : "The school's web filter could not get this page from the site.";
}

// The detail is a sentence fragment shared with the text body and the log ("the certificate
// of ..."): it starts a sentence here.
std::string sentence(std::string detail) {
  if (!detail.empty() && detail[0] >= 'a' && detail[0] <= 'z')
    detail[0] = static_cast<char>(detail[0] - 'a' + 'A');
  return detail;
}

std::string html_page(const policy::PageStrings& s, const http::ErrorResponse& e,
                      const FailedRequest& r) {
  return page_start(s.language, heading(e.error_code)) +
         fmt::format(
             "<h1>{}</h1><p>{}</p><p id=\"detail\">{}</p><p class=\"url\" id=\"failed-url\">{}"
             "</p><dl><dt>Error</dt><dd id=\"error\">{}</dd><dt>{}</dt><dd id=\"time\">{}</dd>"
             "<dt>{}</dt><dd id=\"request-id\">{}</dd></dl><p class=\"contact\">{}</p>"
             "</main></body></html>\n",
             html_escape(heading(e.error_code)), html_escape(explanation(e.error_code)),
             html_escape(sentence(e.detail)),
             html_escape(shown_url(r.scheme, r.host, r.port, r.path)), html_escape(e.error_code),
             html_escape(s.time_label), html_escape(local_time(r.when)),
             html_escape(s.request_label), html_escape(e.request_id), html_escape(s.contact));
}

}  // namespace

std::string render_error_page_response(const policy::PageStrings& strings,
                                       const http::ErrorResponse& e, const FailedRequest& r,
                                       bool head_only) {
  return page_response(e.status, "text/html",
                       fmt::format("X-Warden-Error: {}\r\nX-Warden-Request-Id: {}\r\n{}",
                                   e.error_code, e.request_id, e.extra_fields),
                       html_page(strings, e, r), e.close, head_only);
}

}  // namespace warden::actions

#include "actions/ca_page.hpp"

#include "actions/block_page.hpp"
#include "actions/page_parts.hpp"
#include "http/error_response.hpp"

#include <fmt/format.h>

namespace warden::actions {
namespace {

// One platform's steps; `steps` is trusted HTML written here.
struct Platform {
  std::string_view name;
  std::string_view steps;
};

constexpr Platform kPlatforms[] = {
    {"Windows",
     "<li>Download <a href=\"/ca.crt\">ca.crt</a> and open it.</li><li>Install Certificate, "
     "Local Machine, then \u201cPlace all certificates in the following store\u201d: "
     "<b>Trusted Root Certification Authorities</b>.</li><li>For many devices: a Group Policy "
     "(Computer Configuration \u2192 Public Key Policies \u2192 Trusted Root) or Intune.</li>"},
    {"macOS",
     "<li>Download <a href=\"/ca.pem\">ca.pem</a> and open it: Keychain Access adds it to "
     "System.</li><li>Double-click the certificate, Trust, \u201cWhen using this "
     "certificate\u201d: <b>Always Trust</b>.</li><li>For many devices: a configuration profile "
     "from your MDM.</li>"},
    {"ChromeOS",
     "<li>Download <a href=\"/ca.crt\">ca.crt</a>.</li><li>Settings \u2192 Privacy and security "
     "\u2192 Security \u2192 Manage certificates \u2192 Authorities \u2192 Import; tick "
     "\u201cTrust this certificate for identifying websites\u201d.</li><li>For managed "
     "Chromebooks: Admin console \u2192 Devices \u2192 Networks \u2192 Certificates.</li>"},
    {"iPhone and iPad",
     "<li>Open this page in Safari and download <a href=\"/ca.pem\">ca.pem</a>; allow the "
     "profile.</li><li>Settings \u2192 Profile Downloaded \u2192 Install.</li><li>Settings "
     "\u2192 General \u2192 About \u2192 Certificate Trust Settings: turn on full trust for "
     "it.</li>"},
    {"Android",
     "<li>Download <a href=\"/ca.crt\">ca.crt</a>.</li><li>Settings \u2192 Security \u2192 "
     "Encryption &amp; credentials \u2192 Install a certificate \u2192 <b>CA certificate</b>."
     "</li><li>Apps trust it only if they choose to; Chrome does.</li>"},
    {"Firefox",
     "<li>Settings \u2192 Privacy &amp; Security \u2192 Certificates \u2192 View Certificates "
     "\u2192 Authorities \u2192 Import <a href=\"/ca.pem\">ca.pem</a>; tick \u201cTrust this CA "
     "to identify websites\u201d.</li><li>Or set <code>security.enterprise_roots.enabled</code> "
     "so Firefox uses the system\u2019s store.</li>"},
    {"Linux (Debian, Ubuntu)",
     "<li><code>sudo cp ca.pem /usr/local/share/ca-certificates/school-ca.crt &amp;&amp; sudo "
     "update-ca-certificates</code></li><li>Chromium: <code>certutil -d sql:$HOME/.pki/nssdb -A "
     "-t C,, -n school-ca -i ca.pem</code></li>"},
};

std::string render_page(const CaFiles& ca) {
  std::string body = page_start("en", "Install the school\u2019s certificate");
  body += fmt::format(
      "<h1>Install the school\u2019s certificate</h1>"
      "<p>This school filters the web to keep pupils safe. To do that on secure (HTTPS) sites "
      "your device must trust the school\u2019s certificate authority. Install it only on "
      "devices that belong to the school or that it manages.</p>"
      "<p><a href=\"/ca.crt\">Download ca.crt</a> (DER: Windows, ChromeOS, Android) \u00b7 "
      "<a href=\"/ca.pem\">Download ca.pem</a> (PEM: macOS, iOS, Firefox, Linux)</p>"
      "<dl><dt>Certificate</dt><dd>{}</dd>"
      "<dt>SHA-256 fingerprint</dt><dd class=\"url\">{}</dd>"
      "<dt>Valid until</dt><dd>{}</dd></dl>"
      "<p>Before you trust it, check that the fingerprint your device shows is the one above "
      "(ask the school\u2019s IT staff if in doubt).</p>",
      html_escape(ca.subject), html_escape(ca.fingerprint), local_time(ca.not_after));
  for (const Platform& p : kPlatforms)
    body += fmt::format("<h2>{}</h2><ol>{}</ol>", p.name, p.steps);
  body += "</main></body></html>\n";
  return body;
}

// A certificate download: its own type, named as a file, no charset.
std::string file_response(std::string_view type, std::string_view name, std::string_view data,
                          bool head_only, bool close) {
  std::string out = fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
      "Content-Disposition: attachment; filename=\"{}\"\r\nCache-Control: no-store\r\n"
      "X-Content-Type-Options: nosniff\r\n{}\r\n",
      type, data.size(), name, close ? "Connection: close\r\n" : "");
  if (!head_only) out += data;
  return out;
}

}  // namespace

std::string ca_page_response(const CaFiles& ca, std::string_view path, bool head_only, bool close) {
  const std::string_view file = path.substr(0, path.find('?'));
  if (file == "/" || file == "/index.html" || file == "/ca")
    return page_response(200, "text/html", "", render_page(ca), close, head_only);
  if (file == "/ca.pem")
    return file_response("application/x-pem-file", "school-ca.pem", ca.pem, head_only, close);
  if (file == "/ca.crt" || file == "/ca.der")
    return file_response("application/x-x509-ca-cert", "school-ca.crt", ca.der, head_only, close);
  return page_response(404, "text/plain", "",
                       "Not found: this page offers /, /ca.pem and /ca.crt.\n", close, head_only);
}

}  // namespace warden::actions

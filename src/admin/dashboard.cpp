// Dashboard: who is asking (sessions, sign-in, CSRF) and which page answers.
#include "admin/dashboard.hpp"

#include "admin/dashboard_call.hpp"
#include "admin/html.hpp"
#include "identity/password_hash.hpp"
#include "observe/activity_reader.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace warden::admin {
namespace {

constexpr std::string_view kCookie = "__Host-warden_session";

// The session id the browser sent, from "Cookie: a=b; __Host-warden_session=..." (empty: none).
std::string_view session_cookie(const http::RequestHead& head) {
  std::string_view cookies = head.find("cookie").value_or("");
  while (!cookies.empty()) {
    const std::size_t semi = cookies.find(';');
    std::string_view pair = cookies.substr(0, semi);
    cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
    while (pair.starts_with(' ')) pair.remove_prefix(1);
    if (pair.starts_with(kCookie) && pair.substr(kCookie.size()).starts_with('='))
      return pair.substr(kCookie.size() + 1);
  }
  return {};
}

bool same_token(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A change must come from the dashboard's own pages (besides the CSRF token): a browser that
// says where a request comes from (Sec-Fetch-Site, Origin) must say "here".
bool same_origin(const http::RequestHead& head) {
  if (const auto site = head.find("sec-fetch-site"); site && *site != "same-origin") return false;
  const auto origin = head.find("origin");
  if (!origin) return true;  // a script (curl); the token still guards
  return *origin == fmt::format("https://{}", head.find("host").value_or(""));
}

std::string text(unsigned status, std::string_view body, bool close) {
  return html_response(status,
                       page("Warden", nullptr, "",
                            fmt::format("<section><p>{}</p>"
                                        "</section>",
                                        esc(body))),
                       close);
}

}  // namespace

Dashboard::Dashboard(DashboardSources sources)
    : sources_(std::move(sources)), audit_(sources_.admin_dir + "/audit.log") {}

Dashboard::~Dashboard() = default;

const Accounts& Dashboard::accounts() {
  const std::string path = sources_.admin_dir + "/accounts";
  std::error_code ec;
  const auto time = std::filesystem::last_write_time(path, ec);
  if (ec || time != accounts_time_) {
    auto loaded = Accounts::load(path);
    if (!loaded) {
      spdlog::error("dashboard accounts: {}", loaded.error().context);
      accounts_ = Accounts{};
    } else {
      accounts_ = std::move(*loaded);
    }
    accounts_time_ = ec ? std::filesystem::file_time_type{} : time;
    sessions_.keep_only(accounts_);
  }
  return accounts_;
}

observe::ActivityReader* Dashboard::reader() {
  if (!reader_ && !sources_.activity_path.empty()) {
    auto opened = observe::ActivityReader::open(sources_.activity_path);
    if (!opened) {
      spdlog::warn("dashboard: {}", opened.error().context);
      return nullptr;
    }
    reader_ = std::make_unique<observe::ActivityReader>(std::move(*opened));
  }
  return reader_.get();
}

std::string Dashboard::sign_in_page(const AdminRequest& r, std::string_view message,
                                    unsigned status) {
  std::string body = "<div class=\"login\"><section><h1>Warden</h1>";
  if (!message.empty()) body += fmt::format("<p class=\"err\">{}</p>", esc(message));
  if (accounts().all().empty())
    body +=
        "<p class=\"warn\">No accounts yet. On the filter machine: <code>warden admin add "
        "NAME --role admin</code>.</p>";
  body +=
      "<form method=\"post\" action=\"/login\"><label>Name <input name=\"user\" "
      "autocomplete=\"username\" required autofocus></label><label>Password <input "
      "type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>"
      "<button>Sign in</button></form></section></div>";
  return html_response(status, page("Sign in", nullptr, "", body), r.close);
}

std::string Dashboard::sign_in(const AdminRequest& r, const Form& form) {
  const auto now = Clock::now();
  // A name no account can have is a wrong try from this address, and nothing of it is kept.
  const std::string user =
      valid_account_name(form.get("user")) ? std::string(form.get("user")) : std::string();
  bool first_hold = false;
  if (throttle_.held(user, r.peer, now, &first_hold)) {
    if (first_hold) audit_.write("sign_in_held", user, r.peer);  // once per hold, not per try
    return sign_in_page(r, "Too many failed sign-ins: wait 15 minutes and try again.", 429);
  }
  const Account* account = user.empty() ? nullptr : accounts().find(user);
  // A missing account costs a hash too: the time taken does not tell which names exist.
  static const std::string kDecoy = identity::hash_password("decoy");
  const bool ok = identity::verify_password(form.get("password"),
                                            account != nullptr ? account->password_hash : kDecoy) &&
                  account != nullptr;
  if (!ok) {
    throttle_.failed(user, r.peer, now);
    audit_.write("sign_in_failed", user.empty() ? "(not an account name)" : user, r.peer);
    return sign_in_page(r, "Wrong name or password.", 401);
  }
  throttle_.succeeded(user);
  const std::string id = sessions_.start(*account, now);
  if (id.empty()) return text(500, "No randomness for a session: try again.", r.close);
  audit_.write("sign_in", account->name, r.peer, role_name(account->role));
  return redirect(
      "/", r.close,
      fmt::format("Set-Cookie: {}={}; Path=/; Secure; HttpOnly; SameSite=Strict; "
                  "Max-Age={}\r\n",
                  kCookie, id,
                  std::chrono::duration_cast<std::chrono::seconds>(Sessions::kLongest).count()));
}

std::optional<std::string> Dashboard::respond(const AdminRequest& r) {
  auto answer = answer_for(r);
  // HEAD: the same head (Content-Length included), no body.
  if (answer && r.head.method() == "HEAD") answer->resize(answer->find("\r\n\r\n") + 4);
  return answer;
}

std::optional<std::string> Dashboard::answer_for(const AdminRequest& r) {
  const std::string_view method = r.head.method();
  const std::string_view target = r.head.target();
  const std::string_view path = target.substr(0, target.find('?'));
  static constexpr std::string_view kPages[] = {
      "/",        "/login",       "/logout", "/activity",    "/why",
      "/reports", "/reports.csv", "/alerts", "/alerts/note", "/policy"};
  if (std::find(std::begin(kPages), std::end(kPages), path) == std::end(kPages))
    return std::nullopt;
  const bool post = method == "POST";
  if (!post && method != "GET" && method != "HEAD")
    return text(405, "Only GET and POST are answered here.", r.close);
  const auto query = Form::parse(target.size() > path.size() ? target.substr(path.size() + 1)
                                                             : std::string_view());
  std::optional<Form> form = post ? Form::parse(r.body) : Form{};
  if (!query || !form) return text(400, "The request's fields are malformed.", r.close);
  if (post && !same_origin(r.head))
    return text(403, "Changes come from the dashboard's own pages only.", r.close);

  if (path == "/login") return post ? sign_in(r, *form) : sign_in_page(r, "", 200);

  const std::string_view id = session_cookie(r.head);
  (void)accounts();  // a removed account's sessions end now
  Session* s = id.empty() ? nullptr : sessions_.find(id, Clock::now());
  if (s == nullptr) {
    if (!post && path != "/reports.csv") return redirect("/login", r.close);
    return html_response(401,
                         page("Sign in", nullptr, "",
                              "<section><p>Sign in first: <a href=\"/login\">sign in"
                              "</a>.</p></section>"),
                         r.close);
  }
  if (post && !same_token(form->get("csrf"), s->csrf))
    return text(403, "This form has expired: go back, reload the page and try again.", r.close);
  const Call c{r, *s, Viewer{s->user, s->role, s->csrf}};
  if (path == "/logout") {
    if (!post) return redirect("/", r.close);
    audit_.write("sign_out", s->user, r.peer);
    sessions_.end(id);
    return redirect("/login", r.close,
                    fmt::format("Set-Cookie: {}=; Path=/; Secure; HttpOnly; SameSite=Strict; "
                                "Max-Age=0\r\n",
                                kCookie));
  }
  const bool sees_alerts = s->role != Role::Viewer;
  if ((path == "/alerts" || path == "/alerts/note") && !sees_alerts)
    return html_response(403,
                         page("Alerts", &c.viewer, "",
                              "<section><p>Alerts are for safeguarding staff and "
                              "administrators.</p></section>"),
                         r.close);
  if (post && path != "/alerts/note") return text(405, "Nothing to change here.", r.close);
  if (path == "/") return now_page(c);
  if (path == "/activity") return activity_page(c, *query);
  if (path == "/why") return why_page(c, *query);
  if (path == "/reports") return reports_page(c, *query);
  if (path == "/reports.csv") return reports_csv(c, *query);
  if (path == "/policy") return policy_page(c, *query);
  if (path == "/alerts/note") return post ? alert_note(c, *form) : redirect("/alerts", r.close);
  return alerts_page(c, "");
}

}  // namespace warden::admin

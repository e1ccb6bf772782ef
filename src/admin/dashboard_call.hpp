#pragma once
// What each dashboard page gets (dashboard*.cpp only): the request, the session, and the
// signed-in person as the layout shows them.

#include "admin/admin_server.hpp"
#include "admin/dashboard.hpp"
#include "admin/html.hpp"

namespace warden::admin {

struct Dashboard::Call {
  const AdminRequest& request;
  const Session& session;
  Viewer viewer;
  [[nodiscard]] bool sees_searches() const { return session.role != Role::Viewer; }
  [[nodiscard]] std::string answer(std::string_view title, std::string_view current,
                                   std::string_view content, unsigned status = 200) const {
    return html_response(status, page(title, &viewer, current, content), request.close);
  }
};

}  // namespace warden::admin

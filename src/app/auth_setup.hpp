#pragma once
// Sign-in as `warden run` starts it (auth, docs/identity.md): the directory auth.method names,
// behind the sign-in service the engine's explicit listeners ask.

#include "app/config.hpp"
#include "base/result.hpp"
#include "identity/sign_in.hpp"

#include <memory>
#include <string>

namespace warden::app {

// auth.users_file, or users in the state folder's auth/ folder (its own folder: the users
// file is rewritten while Warden runs, which the CA key's wall allows only outside the key's
// folders).
[[nodiscard]] std::string users_file_path(const Config& c);

// Null when auth.method is "off". Its threads must be born inside the CA key's wall: call it
// after the TLS start.
[[nodiscard]] base::Result<std::unique_ptr<identity::SignIn>> start_sign_in(const Config& c);

// The explicit listeners that ask for sign-in (auth.listen; empty: all).
[[nodiscard]] std::vector<net::tcp::endpoint> sign_in_listeners(const Config& c);

}  // namespace warden::app

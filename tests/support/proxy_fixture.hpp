#pragma once
// Runs Warden's engine in-process on 127.0.0.1 (port 0) for integration tests, with an access
// log in a temporary file. Tests adjust `config` before start().

#include "flow/engine.hpp"
#include "observe/access_log.hpp"
#include "policy/policy.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace warden::test {

class ProxyFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts the engine with `config` (threads workers).
  void start(unsigned threads = 2);
  [[nodiscard]] std::uint16_t port() const { return engine_->endpoints().front().port(); }
  [[nodiscard]] std::string proxy_url() const;
  // The access log's lines, waiting (up to 5 s) until there are at least `at_least`.
  [[nodiscard]] std::vector<std::string> access_log_lines(std::size_t at_least = 1);
  // Runs curl with `args` through the proxy; returns stdout; `status` gets curl's exit code.
  std::string curl(const std::string& args, int* status = nullptr);

  flow::EngineConfig config;
  const flow::TlsServices* tls = nullptr;  // set before start() to intercept CONNECT
  policy::PolicyPtr policy;                // set before start(); null: built-in defaults
  identity::SignIn* sign_in = nullptr;     // set before start() to ask for sign-in
  std::unique_ptr<observe::AccessLog> log_;
  std::unique_ptr<flow::Engine> engine_;
  std::filesystem::path dir_;
};

}  // namespace warden::test

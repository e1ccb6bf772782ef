#pragma once
// `warden signer`: the certificate signer, a process of its own that `warden run` starts
// (tls_setup.cpp) and nobody else should. It alone reads the CA key: it loads the CA (or
// creates it on first start), closes its memory to other processes, limits itself to the
// system calls signing needs, and answers mint requests on its standard input
// (tls/signer_protocol.hpp). A supervisor process starts it again when it dies.

#include <string>

namespace warden::app {

struct SignerOptions {
  std::string state_dir;
  std::string ca_name = "School";
  std::string leaf_key;  // the leaf's public key, DER SubjectPublicKeyInfo in hex
  double rate = 200;     // first mints per second (burst: ten seconds' worth)
  std::string log_level = "info";
};

[[nodiscard]] int run_signer(const SignerOptions& options);

}  // namespace warden::app

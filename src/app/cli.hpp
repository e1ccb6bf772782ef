#pragma once
// The command line (CLI11): `warden run`, `warden check-config`, `--version`, `--help`.
// Diagnostics go to stderr; stdout carries only a command's output.

namespace warden::app {

[[nodiscard]] int main_cli(int argc, char** argv);

}  // namespace warden::app

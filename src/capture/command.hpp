#pragma once
// Runs a system command (nft, ip) with optional input on stdin and collects what it printed.
// No shell: arguments go to execvp as they are.

#include <string>
#include <vector>

namespace warden::capture {

struct CommandResult {
  int exit_code = -1;  // -1: it could not be started (`output` says why), or was killed
  bool not_found = false;
  std::string output;  // stdout and stderr together
};

[[nodiscard]] CommandResult run_command(const std::vector<std::string>& argv,
                                        const std::string& input = {});

}  // namespace warden::capture

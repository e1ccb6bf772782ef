#include "base/request_id.hpp"

#include <fmt/format.h>

#include <random>

namespace warden::base {

RequestIdGenerator::RequestIdGenerator(std::uint32_t process_salt, unsigned worker)
    : salt_(process_salt), worker_(worker) {}

std::string RequestIdGenerator::next() {
  ++counter_;
  return fmt::format("{:08x}-{}-{:08x}", salt_, worker_, counter_);
}

std::uint32_t random_process_salt() {
  std::random_device rd;  // getrandom(2) on Linux
  return rd();
}

}  // namespace warden::base

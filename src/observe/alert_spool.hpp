#pragma once
// The alerts waiting for the webhook, on disk (`<state>/alert-spool/`): one file per alert,
// named by a sequence number so they go out in the order they were raised, written whole before
// they appear (a new file, flushed, then renamed), removed only once the webhook took them. So a
// webhook that is down, or a Warden that restarts meanwhile, loses nothing. Bounded: past
// `max_bytes` a new alert is not spooled (it is still in the alert log) and put() says so.

#include <cstdint>
#include <optional>
#include <string>

namespace warden::observe {

class AlertSpool {
 public:
  // Creates `folder` (private to Warden) if it is missing.
  AlertSpool(std::string folder, std::uint64_t max_bytes);

  // After every alert already spooled. False: the spool is full or the disk refused it (`why`).
  [[nodiscard]] bool put(const std::string& json, std::string& why);

  struct Entry {
    std::string path;
    std::string body;
  };
  // The oldest spooled alert; nullopt: none.
  [[nodiscard]] std::optional<Entry> oldest() const;
  // False: it could not be removed (it would be sent again).
  [[nodiscard]] bool remove(const Entry& e) const;
  // Kept beside the spool as `<name>.refused` (no longer sent): the webhook refused it for good.
  [[nodiscard]] bool set_aside(const Entry& e) const;
  [[nodiscard]] std::size_t count() const;
  [[nodiscard]] const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
  std::uint64_t max_bytes_;
  std::uint64_t next_ = 1;  // the sequence number of the next alert
};

}  // namespace warden::observe

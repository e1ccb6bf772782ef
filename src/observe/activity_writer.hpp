#pragma once
// The SQLite side of ActivityStore (activity_store.hpp): the schema, inserts and roll-ups, and
// keeping the file within its age and size. Used by the writer thread only.

#include "observe/activity_store.hpp"

#include <chrono>

namespace warden::observe {

class ActivityStore::Writer {
 public:
  // Opens (creating, 0600) the database and its tables.
  [[nodiscard]] static base::Result<std::unique_ptr<Writer>> open(const ActivityOptions& options);
  virtual ~Writer() = default;
  // One transaction for all of them (each packed rows, activity_row.hpp): the raw rows, their
  // searches and the hourly roll-ups.
  [[nodiscard]] virtual base::Result<void> write(const std::vector<std::string>& batches) = 0;
  // Drops raw rows past retention_days (roll-ups past 400 days), then the oldest raw rows while
  // the file is over max_bytes. Called now and then by the writer thread.
  virtual void maintain(std::chrono::system_clock::time_point now) = 0;
};

}  // namespace warden::observe

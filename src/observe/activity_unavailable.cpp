// The Windows build has no SQLite yet (docs/admin.md): the dashboard's database is off there, so
// its writer and reader only say so. (Nothing calls the reader: no database path is given.)
#include "observe/activity_reader.hpp"
#include "observe/activity_writer.hpp"

namespace warden::observe {
namespace {

base::Error unavailable() {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          "the activity database is not in the Windows build yet (no SQLite)"};
}

}  // namespace

bool activity_database_built() { return false; }

base::Result<std::unique_ptr<ActivityStore::Writer>> ActivityStore::Writer::open(
    const ActivityOptions&) {
  return unavailable();
}

SqliteDb::~SqliteDb() = default;

base::Result<ActivityReader> ActivityReader::open(const std::string&) { return unavailable(); }
base::Result<std::vector<ActivityRow>> ActivityReader::recent(const ActivityFilter&, std::int64_t,
                                                              std::int64_t) {
  return unavailable();
}
base::Result<std::vector<Tally>> ActivityReader::top(const ReportScope&, std::string_view,
                                                     std::string_view, std::int64_t) {
  return unavailable();
}
base::Result<std::vector<std::pair<std::int64_t, std::int64_t>>> ActivityReader::blocks_per_hour(
    const ReportScope&) {
  return unavailable();
}
base::Result<std::vector<SearchRow>> ActivityReader::searches(const ReportScope&, std::int64_t) {
  return unavailable();
}
base::Result<std::vector<Tally>> ActivityReader::decisions_since(std::int64_t) {
  return unavailable();
}

}  // namespace warden::observe

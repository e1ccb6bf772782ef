// The Windows build has no SQLite yet (docs/admin.md): the dashboard's database is off there.
#include "observe/activity_writer.hpp"

namespace warden::observe {

base::Result<std::unique_ptr<ActivityStore::Writer>> ActivityStore::Writer::open(
    const ActivityOptions&) {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     "the activity database is not in the Windows build yet (no SQLite)"};
}

}  // namespace warden::observe

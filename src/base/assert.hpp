#pragma once
// Invariant checks (../shared/STYLE.md §5). Never use these on what the network controls:
// untrusted bytes are handled as values (Result, ParseResult), not asserted.
//   WARDEN_ASSERT(cond)  debug builds only; documents an invariant.
//   WARDEN_BUG(msg)      "cannot happen" paths we survive: abort in debug, log + count in release.
//   WARDEN_CHECK(cond)   always fatal: OOM, impossible syscall results.

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace warden::base {

// Number of WARDEN_BUG hits since start (exported as a metric later).
inline std::atomic<unsigned long> bug_count{0};

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "warden: fatal: check failed: %s at %s:%d\n", what, file, line);
  std::abort();
}

inline void bug_hit(const char* what, const char* file, int line) {
  bug_count.fetch_add(1, std::memory_order_relaxed);
  std::fprintf(stderr, "warden: BUG: %s at %s:%d\n", what, file, line);
#ifndef NDEBUG
  std::abort();
#endif
}

}  // namespace warden::base

#define WARDEN_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::warden::base::check_failed(#cond, __FILE__, __LINE__))

#define WARDEN_BUG(msg) ::warden::base::bug_hit(msg, __FILE__, __LINE__)

#ifdef NDEBUG
#define WARDEN_ASSERT(cond) static_cast<void>(0)
#else
#define WARDEN_ASSERT(cond) WARDEN_CHECK(cond)
#endif

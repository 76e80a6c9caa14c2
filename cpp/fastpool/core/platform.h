// The engine's only OS-specific calls, each with a portable fallback.
#pragma once

#include <cstdint>

#ifdef _WIN32
#include <process.h>
#else
#include <unistd.h>
#endif

namespace fastpool {

// This process's id; a pool compares it with its creator's to notice a fork().
inline int64_t process_id() {
#ifdef _WIN32
  return static_cast<int64_t>(_getpid());
#else
  return static_cast<int64_t>(getpid());
#endif
}

}  // namespace fastpool

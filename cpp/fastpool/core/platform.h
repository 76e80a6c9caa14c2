// The engine's only OS-specific calls, each with a portable fallback.
#pragma once

#include <cstdint>

#ifdef _WIN32
#include <process.h>
#else
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#endif
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#include <immintrin.h>
#endif

namespace fastpool {

// This process's id; a pool compares it with its creator's to notice a fork(). A pool asks on
// every send and recv, and getpid() is a system call (0.14 us here; glibc no longer caches it),
// so the id is kept, and a fork()ed child's own is kept before any of its code runs.
#ifdef _WIN32
inline int64_t process_id() { return static_cast<int64_t>(_getpid()); }  // no fork(); reads the process block
#else
inline int64_t process_id() {
  static std::atomic<int64_t> id{[] {
    pthread_atfork(nullptr, nullptr, [] { id.store(static_cast<int64_t>(getpid()), std::memory_order_relaxed); });
    return static_cast<int64_t>(getpid());
  }()};
  return id.load(std::memory_order_relaxed);
}
#endif

// One beat of a spin-wait: tells the core (and a hyperthread sharing it) that this thread waits.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
  _mm_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

}  // namespace fastpool

// parallel_for: building envs can be slow (an Atari ROM load takes tens of
// milliseconds), so pools build them on several threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

namespace fastpool {

// A thread's exception state (libstdc++'s, thread-local in a library loaded after the thread
// started) is allocated at its first use; if that allocation fails, glibc aborts the process
// ("cannot allocate memory for thread-local data"). A thread calls this first, while memory is
// left, so that an exception it throws later (std::bad_alloc when memory runs out) is raised.
inline void claim_exception_state() { static_cast<void>(std::uncaught_exceptions()); }

// Address space a new thread takes: its stack (8 MiB by default) and its thread-local data,
// with room to spare.
constexpr size_t kThreadRoom = size_t{16} << 20;

// Whether there is room for `threads` more threads, checked just before they start: a stack
// that does not fit is a clean error, but thread-local data that does not fit aborts the process.
inline bool room_for_threads(int threads) {
  return std::unique_ptr<char[]>(new (std::nothrow) char[static_cast<size_t>(threads) * kThreadRoom]) != nullptr;
}

// Calls fn(i) for every i in [0, n) on up to `threads` threads; rethrows the
// first exception after all threads have finished. Threads the OS refuses are
// done without: the threads that started share out all the work.
template <typename Fn>
void parallel_for(int n, int threads, Fn fn) {
  threads = std::max(1, std::min(threads, n));
  std::exception_ptr error;
  std::mutex error_mutex;
  std::atomic<int> next{0};
  auto work = [&] {
    claim_exception_state();
    for (int i; (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lk(error_mutex);
        if (!error) error = std::current_exception();
        next.store(n);  // the others stop too
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  try {
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  } catch (const std::system_error&) {  // fewer threads: the others take up the work
  }
  work();
  for (std::thread& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace fastpool

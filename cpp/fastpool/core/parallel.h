// parallel_for: building envs can be slow (an Atari ROM load takes tens of
// milliseconds), so pools build them on several threads.
#pragma once

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace fastpool {

// Calls fn(i) for every i in [0, n) on up to `threads` threads; rethrows the
// first exception after all threads have finished.
template <typename Fn>
void parallel_for(int n, int threads, Fn fn) {
  threads = std::max(1, std::min(threads, n));
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int t) {
    for (int i = t; i < n; i += threads) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lk(error_mutex);
        if (!error) error = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace fastpool

// Pool: num_envs envs stepped by worker threads, results gathered into batches.
//
// One mechanism serves sync and async use (EnvPool's model): send() queues
// work for some envs, recv() returns the next batch of batch_size results.
// With batch_size == num_envs a batch holds every env sent since the last recv(),
// all of them or some, in env_id order (sync); with a smaller batch_size it holds
// the first batch_size envs to finish (async).
//
// An env is "busy" from the send() that queues it until the recv() that
// returns its result, and can't be sent again meanwhile; so at most num_envs
// results are ever outstanding and a ring of batch slots never overflows.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "fastpool/core/batch.h"
#include "fastpool/core/batch_env.h"
#include "fastpool/core/env.h"

namespace fastpool {

// What happens when an episode ends (gymnasium's AutoresetMode).
enum class Autoreset : uint8_t {
  kNextStep,  // the env's next step resets it, ignoring its action
  kSameStep,  // the ending step resets it at once; the batch keeps the final obs
  kDisabled,  // nothing: the caller resets envs it chooses (send_reset)
};

struct PoolOptions {
  int num_threads = 1;  // worker threads
  int batch_size = 0;   // results per recv(); 0 means num_envs
  Autoreset autoreset = Autoreset::kNextStep;
};

// What send_reset() does to each env it names. All pointers are nullable.
struct ResetArgs {
  const uint64_t* seeds = nullptr;   // restart the env's random stream with seeds[k]...
  const uint8_t* seeded = nullptr;   // ...where seeded[k] (nullptr: for every k)
  const uint8_t* keep = nullptr;     // keep[k]: do not reset; report the current observation
};

class Pool {
 public:
  // A pool over envs of their own, stepped one by one (the per-env path)...
  Pool(EnvSpec spec, std::vector<std::unique_ptr<Env>> envs, PoolOptions options);
  // ...or over a family's BatchEnv, stepped a chunk per call.
  Pool(EnvSpec spec, std::unique_ptr<BatchEnv> envs, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Queue one step for each env in env_ids (nullptr: every env). Throws std::invalid_argument,
  // before queueing anything, on a bad id, action or call order.
  // caller_helps: the caller will recv() at once and step envs itself.
  void send_step(const int64_t* actions, const int64_t* env_ids, int n, bool caller_helps);
  // The same for envs with float actions (EnvSpec::action_dim > 0): n rows of action_dim
  // values; a NaN or infinite value is an error (the env clips finite ones as gymnasium's does).
  void send_step_box(const float* actions, const int64_t* env_ids, int n, bool caller_helps);
  // Queue a reset for each env in env_ids (nullptr: every env), as `args` says.
  // A kept env must have been reset before (a partial reset in sync mode).
  void send_reset(const int64_t* env_ids, int n, const ResetArgs& args, bool caller_helps);
  // Wait for the next batch. With help, the calling thread steps queued envs
  // while it waits. Rethrows the first exception raised in a worker. Returns
  // nullptr after `timeout`, the batch still pending (so a caller can check
  // for Ctrl-C and wait again).
  std::shared_ptr<Batch> recv(bool help, std::chrono::milliseconds timeout = std::chrono::hours(24 * 365));
  // Draw env_id's current state (EnvSpec::render_shape) from the calling
  // thread; the env must not be in flight.
  void render(int64_t env_id, uint8_t* image);
  // env_id's own counters (Env::counters), read from the calling thread; the env must not be in flight.
  Counters counters(int64_t env_id);
  // Stop the workers; any later call throws. Idempotent.
  void close();

  bool closed() const { return stop_.load(); }
  // False in a fork()ed child, where the pool may not be used (see close()).
  bool in_creator_process() const;
  const EnvSpec& spec() const { return spec_; }
  int num_envs() const { return envs_->size(); }
  int num_threads() const { return static_cast<int>(workers_.size()); }
  int batch_size() const { return batch_size_; }
  Autoreset autoreset() const { return autoreset_; }

 private:
  enum class Task : uint8_t { kStep, kReset, kKeep };
  struct alignas(64) Slot {  // a batch being filled; a line of its own, as each counter below
    std::shared_ptr<Batch> batch;
    std::atomic<int> done{0};
  };

  void check_process() const;  // throws in a fork()ed child
  void check_open() const;
  void check_idle(int64_t env_id, const char* what) const;  // open, in range, not in flight (state_mutex_ held)
  // Throws, changing nothing, unless every id (nullptr: all envs, n == num_envs)
  // may be sent, every discrete action (if given) is valid and every env that must
  // have been reset (stepped, if step, or kept) was. Under state_mutex_.
  void check_send(const int64_t* env_ids, int n, bool step, const int64_t* actions, const uint8_t* keep = nullptr);
  void enqueue(const int64_t* env_ids, int n, bool caller_helps);  // under state_mutex_
  void split(int n, int parts, bool caller_helps);  // publish a split send's parts; under state_mutex_
  // What happened to an env in a chunk: a step (ending its episode or not), a reset, a kept env or a failure.
  enum class Outcome : uint8_t { kStepped, kReset, kKept, kFailed };
  // Claim and run one chunk of queued envs; false if none. who: the worker's index, or -1 for
  // the caller. now: a recent clock reading, moved to the chunk's end (one reading per chunk
  // times it and serves the caller's loop).
  bool run_some(int who, std::chrono::steady_clock::time_point& now);
  // Claim a chunk of a split send (its part first, then the end of another's); false if none.
  bool claim_part(int who, int32_t* ids, int& count);
  // Run the chunks of a split send this thread can claim, the first (ids[0..count)) already
  // claimed; their rows are counted done once, at the end (one write of the shared counters
  // per thread and step, not per chunk).
  void run_parts(int who, int32_t* ids, int count, std::chrono::steady_clock::time_point& now);
  // ns_per_env_ moved toward envs' mean time from start to end, by 2^-weight_shift of the way.
  void measured(std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point end, int envs,
                int weight_shift);
  // Reset, step or keep envs ids[0..count): the plain steps in one BatchEnv call, the rest one by one.
  void advance(const int32_t* ids, int count, Outcome* outcome);
  Outcome restart(int32_t id);  // a reset, a next-step autoreset or a kept env
  // Their results into batch rows rows[0..count).
  void write(const int32_t* ids, const Outcome* outcome, int count, Batch& batch, const int32_t* rows);
  void mark_done(Slot& slot, int count);
  void record_error(std::exception_ptr error = std::current_exception());  // keep the first for recv()
  void worker_loop(int index);
  // How long a thread out of work spins before it sleeps, where its wait is expected short or not.
  std::chrono::nanoseconds spin_time(bool short_wait) const;
  bool accept_invitation();
  bool wait_for_invitation(bool& short_wait);  // false when stopping; short_wait: in, and out for the next
  std::shared_ptr<Batch> fresh_batch();  // under state_mutex_

  const EnvSpec spec_;
  const std::unique_ptr<BatchEnv> envs_;
  const int batch_size_;
  const bool sync_;  // batch_size == num_envs: row = env_id
  const Autoreset autoreset_;

  // Per-env pending work, written by send before the env is queued.
  std::vector<Task> task_;
  bool all_steps_ = true;  // every task_ is kStep (a whole step need not write them again); state_mutex_
  std::vector<int32_t> action_;
  std::vector<float> box_action_;  // num_envs x action_dim
  std::vector<uint64_t> seed_;
  std::vector<uint8_t> has_seed_;
  std::vector<uint8_t> needs_reset_;  // touched only by the env's current runner

  // Per-env call-order state, guarded by state_mutex_.
  std::mutex state_mutex_;
  std::vector<uint8_t> busy_;
  std::vector<uint8_t> started_;
  std::vector<uint8_t> seen_;  // scratch for duplicate checks
  int num_busy_ = 0;
  int num_started_ = 0;
  bool receiving_ = false;
  // recv() took a sync batch of some envs: the others' rows were counted as done.
  bool partial_ = false;
  std::vector<std::shared_ptr<Batch>> spare_;

  // Work queue: env ids in a ring; workers claim [head, head + chunk).
  std::vector<std::atomic<int32_t>> queue_;
  std::atomic<uint64_t> head_{0}, tail_{0};
  // A send of every env, of cheap envs, is split instead: a part of the env ids per thread
  // engaged, so an env is stepped by the same thread each step and its state stays in that
  // core's cache. A part is ids [lo, hi): its owner claims from lo, a thread out of work
  // steals from hi. What was stolen moves half of the next send's boundaries: an env stolen
  // is an env whose state crosses between cores, twice (0.1-0.3 ms for a chunk of CartPole
  // where the cores lie far apart), so the parts follow their threads' speeds instead.
  struct alignas(64) Part {
    std::atomic<uint64_t> span{0};  // lo | hi << 32
    std::atomic<int32_t> stolen{0};  // envs other threads took from this part
    std::atomic<int32_t> took{0};  // envs this part's owner took from other parts
  };
  std::vector<Part> parts_;
  std::vector<int32_t> bounds_;  // the last split's parts: [bounds_[p], bounds_[p + 1]); state_mutex_
  bool bounds_with_caller_ = false;  // part 0 of those was the caller's

  // Result slots: the i-th finished env goes to slot (i / batch_size) % ring.
  std::vector<Slot> slots_;
  const int64_t creator_pid_;  // a fork()ed child may not use the pool
  uint64_t next_batch_ = 0;  // the batch recv() returns next

  // The counters the threads share, grouped by who writes them, each group on a cache line of
  // its own: a line one core writes and another reads moves between them (0.03-0.17 us each
  // time on a 2-vCPU VM, more where cores lie far apart), so no thread's writes may evict what
  // the others only read.
  // What a send tells the threads (the caller writes them, once a send).
  alignas(64) std::atomic<int> num_parts_{0};  // 0: the last send took the ring
  std::atomic<bool> caller_part_{false};  // part 0 is the caller's
  std::atomic<int> chunk_{1};
  Slot* split_slot_ = nullptr;  // where a split send's rows go (published with num_parts_)
  // How many idle workers may spin for the next send (enqueue says how many): a thread beyond
  // the ones a send wakes would only take a core from those working (the caller among them).
  std::atomic<int> wanted_{0};
  // Written as envs finish.
  alignas(64) std::atomic<int64_t> ns_per_env_{1000000};  // running estimate of one env's work
  alignas(64) std::atomic<uint64_t> finished_{0};
  // Workers run only when invited: send() invites as many as the work is worth.
  alignas(64) std::atomic<int> invited_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<int> spinners_{0};
  std::mutex work_mutex_;
  std::condition_variable work_cv_;
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::mutex close_mutex_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
};

}  // namespace fastpool

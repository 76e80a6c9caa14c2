#include "fastpool/core/pool.h"

#include "fastpool/core/parallel.h"
#include "fastpool/core/platform.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>

namespace fastpool {
namespace {

// Waking a sleeping worker costs microseconds; engage one more thread only
// for about this much work, so small batches run on the caller alone.
constexpr int64_t kWorkPerThreadNs = 30000;
// A chunk (envs claimed at once) holds about this much work: enough to make the claim's
// atomic cheap, little enough that the threads finish a step together (an Atari env step
// takes ~0.3 ms, so it gets chunks of one env; CartPole's ~50 ns, chunks of hundreds).
constexpr int64_t kChunkNs = 20000;
// Envs slower than this per step (Atari, not CartPole) are worth ordering within a step.
constexpr int64_t kSlowEnvNs = 20000;
constexpr size_t kMaxSpareBatches = 4;
// A thread out of work spins before it sleeps: waking a sleeper costs tens of microseconds on
// the next step's critical path. Where the wait is usually short (the rest of a step, the
// caller's turn-around) it spins about two env steps, within these bounds (~0.7 ms for Atari,
// the floor for CartPole); where it was long (the caller trains between steps) or where it
// would take a core from working threads, the floor. Breakout N=8 on 2 threads: +4% frames/s.
constexpr int64_t kMinSpinNs = 100000;
constexpr int64_t kMaxSpinNs = 1000000;

int checked_batch_size(int n, const PoolOptions& o) {
  if (n < 1) throw std::invalid_argument("num_envs must be >= 1");
  if (o.num_threads < 1) throw std::invalid_argument("num_threads must be >= 1, got " + std::to_string(o.num_threads));
  const int bs = o.batch_size == 0 ? n : o.batch_size;
  if (bs < 1 || bs > n)
    throw std::invalid_argument("batch_size must be in [1, num_envs=" + std::to_string(n) + "], got " +
                                std::to_string(o.batch_size));
  return bs;
}

}  // namespace

Pool::Pool(EnvSpec spec, std::vector<std::unique_ptr<Env>> envs, PoolOptions options)
    : Pool(spec, std::make_unique<EnvArray>(std::move(envs), spec.action_dim), options) {}

Pool::Pool(EnvSpec spec, std::unique_ptr<BatchEnv> envs, PoolOptions options)
    : spec_(std::move(spec)),
      envs_(std::move(envs)),
      batch_size_(checked_batch_size(envs_->size(), options)),
      sync_(batch_size_ == envs_->size()),
      autoreset_(options.autoreset),
      task_(envs_->size(), Task::kStep),
      action_(envs_->size(), 0),
      box_action_(envs_->size() * static_cast<size_t>(spec_.action_dim), 0.0f),
      seed_(envs_->size(), 0),
      has_seed_(envs_->size(), 0),
      needs_reset_(envs_->size(), 0),
      busy_(envs_->size(), 0),
      started_(envs_->size(), 0),
      seen_(envs_->size(), 0),
      queue_(envs_->size()),
      parts_(options.num_threads + 1),
      slots_(envs_->size() / batch_size_ + 2),
      creator_pid_(process_id()) {
  for (Slot& s : slots_) s.batch = std::make_shared<Batch>(spec_, batch_size_, autoreset_ == Autoreset::kSameStep);
  // Room for the workers (their stacks and thread-local data), checked before any starts: a
  // thread whose thread-local data cannot be allocated aborts the process.
  if (!room_for_threads(options.num_threads))
    throw std::runtime_error("could not start worker thread 1 of " + std::to_string(options.num_threads) +
                             " (no address space left for their stacks); ask for fewer num_threads");
  workers_.reserve(options.num_threads);
  try {
    for (int t = 0; t < options.num_threads; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
  } catch (const std::system_error& e) {  // the OS refused a thread: end the ones started, say so
    const size_t started = workers_.size();
    close();
    throw std::runtime_error("could not start worker thread " + std::to_string(started + 1) + " of " +
                             std::to_string(options.num_threads) + " (" + e.what() + "); ask for fewer num_threads");
  }
}

Pool::~Pool() { close(); }

void Pool::close() {
  if (!in_creator_process()) {
    // A fork()ed child has none of the workers (and maybe a mutex a worker held):
    // touch no lock, and neither join nor detach threads that do not exist here.
    // Their handles are parked in a list that is never destroyed.
    static std::vector<std::thread>& orphans = *std::make_unique<std::vector<std::thread>>().release();
    for (std::thread& w : workers_) orphans.push_back(std::move(w));
    workers_.clear();
    return;
  }
  std::lock_guard<std::mutex> once(close_mutex_);
  {
    std::lock_guard<std::mutex> lk(work_mutex_);
    stop_.store(true);
  }
  work_cv_.notify_all();
  {
    std::lock_guard<std::mutex> lk(done_mutex_);
  }
  done_cv_.notify_all();
  for (std::thread& w : workers_)
    if (w.joinable()) w.join();
}

void Pool::render(int64_t env_id, uint8_t* image) {
  check_process();  // before any lock: in a fork()ed child a lock may be held forever
  std::lock_guard<std::mutex> lk(state_mutex_);
  check_idle(env_id, "render");
  if (!started_[env_id]) throw std::logic_error("call reset() before render()");
  if (!envs_->render(static_cast<int32_t>(env_id), image)) throw std::logic_error("this env cannot render");
}

Counters Pool::counters(int64_t env_id) {
  check_process();
  std::lock_guard<std::mutex> lk(state_mutex_);
  check_idle(env_id, "counters");
  return envs_->counters(static_cast<int32_t>(env_id));
}

void Pool::check_idle(int64_t env_id, const char* what) const {
  check_open();
  if (env_id < 0 || env_id >= num_envs())
    throw std::invalid_argument("env_id " + std::to_string(env_id) + " is out of range [0, " +
                                std::to_string(num_envs()) + ")");
  if (busy_[env_id])
    throw std::logic_error("env " + std::to_string(env_id) + " is in flight: recv() its result before " + what + "()");
}

bool Pool::in_creator_process() const { return process_id() == creator_pid_; }

void Pool::check_process() const {
  if (!in_creator_process())
    throw std::logic_error("this pool belongs to the process that created it (pid " + std::to_string(creator_pid_) +
                           "); after fork() make a new pool in the child");
}

void Pool::check_open() const {
  if (stop_.load()) throw std::logic_error("the pool is closed");
}

void Pool::check_send(const int64_t* env_ids, int n, bool step, const int64_t* actions, const uint8_t* keep) {
  const int num = num_envs();
  if (n < 1) throw std::invalid_argument("send needs at least one env id");
  if (partial_)
    throw std::logic_error("recv() was called for the " + std::to_string(num_busy_) +
                           " envs sent before: receive their results before sending more");
  if (!env_ids) {  // every env: one count instead of a check per id
    if (num_busy_ > 0)
      throw std::logic_error(std::to_string(num_busy_) +
                             " envs were sent and their results not yet received: call recv() first");
    // Actions are range-checked by send_step as it copies them; given here, they are checked one
    // by one (the OR of them all could not clear them), and a culprit is named.
    if (step && num_started_ == num && !actions) return;
  }
  std::string error;
  bool order_error = false;
  int marked = 0;
  for (int k = 0; k < n && error.empty(); ++k) {
    const int64_t id = env_ids ? env_ids[k] : k;
    if (env_ids) {
      if (id < 0 || id >= num) {
        error = "env_id " + std::to_string(id) + " is out of range [0, " + std::to_string(num) + ")";
        break;
      }
      if (seen_[id]) {
        error = "env_id " + std::to_string(id) + " appears twice";
        break;
      }
      if (busy_[id]) {
        error = "env " + std::to_string(id) + " was sent and its result not yet received: call recv() first";
        order_error = true;
        break;
      }
      seen_[id] = 1;
      ++marked;
    }
    if (keep && keep[k] && !started_[id]) {
      error = "env " + std::to_string(id) + " has never been reset, so a partial reset must include it";
      order_error = true;
    } else if (step) {
      if (!started_[id]) {
        error = "env " + std::to_string(id) + " has not been reset: call reset() before step()";
        order_error = true;
      } else if (actions && (actions[k] < 0 || actions[k] >= spec_.num_actions)) {
        error = "action " + std::to_string(actions[k]) + " for env " + std::to_string(id) +
                " is out of range [0, " + std::to_string(spec_.num_actions) + ")";
      }
    }
  }
  for (int j = 0; j < marked; ++j) seen_[env_ids[j]] = 0;
  if (error.empty()) return;
  if (order_error) throw std::logic_error(error);
  throw std::invalid_argument(error);
}

void Pool::send_step(const int64_t* actions, const int64_t* env_ids, int n, bool caller_helps) {
  check_process();
  std::lock_guard<std::mutex> lk(state_mutex_);
  check_open();
  if (spec_.action_dim > 0) throw std::invalid_argument("this env takes float actions, not integers");
  if (!env_ids) {
    check_send(nullptr, n, /*step=*/true, nullptr);
    // Copied and checked in one pass: every env is idle, so what an error leaves copied is never read.
    // As unsigned, each action is at most the OR of all (a negative one makes it huge), so an OR
    // below num_actions clears them all; an OR (unlike min/max of int64) vectorizes on any x86-64:
    // 0.6 against 2.6 us at N=4096. Otherwise they are checked one by one, the culprit named.
    uint64_t any_bits = 0;
    for (int k = 0; k < n; ++k) {
      any_bits |= static_cast<uint64_t>(actions[k]);
      action_[k] = static_cast<int32_t>(actions[k]);
    }
    if (any_bits >= static_cast<uint64_t>(spec_.num_actions)) check_send(nullptr, n, /*step=*/true, actions);
    if (!all_steps_) std::fill(task_.begin(), task_.end(), Task::kStep);  // else unwritten, left in every core's cache
    all_steps_ = true;
  } else {
    check_send(env_ids, n, /*step=*/true, actions);
    for (int k = 0; k < n; ++k) {
      task_[env_ids[k]] = Task::kStep;
      action_[env_ids[k]] = static_cast<int32_t>(actions[k]);
    }
  }
  enqueue(env_ids, n, caller_helps);
}

void Pool::send_step_box(const float* actions, const int64_t* env_ids, int n, bool caller_helps) {
  check_process();
  const size_t dim = static_cast<size_t>(spec_.action_dim);
  if (dim == 0) throw std::invalid_argument("this env takes integer actions, not floats");
  for (size_t j = 0, total = static_cast<size_t>(std::max(n, 0)) * dim; j < total; ++j)
    if (!std::isfinite(actions[j]))
      throw std::invalid_argument("action " + std::to_string(actions[j]) + " for env " +
                                  std::to_string(env_ids ? env_ids[j / dim] : static_cast<int64_t>(j / dim)) +
                                  " is not finite");
  std::lock_guard<std::mutex> lk(state_mutex_);
  check_open();
  check_send(env_ids, n, /*step=*/true, nullptr);
  for (int k = 0; k < n; ++k) {
    const size_t id = static_cast<size_t>(env_ids ? env_ids[k] : k);
    task_[id] = Task::kStep;
    std::copy(actions + k * dim, actions + (k + 1) * dim, box_action_.begin() + id * dim);
  }
  enqueue(env_ids, n, caller_helps);
}

void Pool::send_reset(const int64_t* env_ids, int n, const ResetArgs& args, bool caller_helps) {
  check_process();
  std::lock_guard<std::mutex> lk(state_mutex_);
  check_open();
  check_send(env_ids, n, /*step=*/false, nullptr, args.keep);
  all_steps_ = false;
  for (int k = 0; k < n; ++k) {
    const int64_t id = env_ids ? env_ids[k] : k;
    if (args.keep && args.keep[k]) {
      task_[id] = Task::kKeep;
      continue;
    }
    task_[id] = Task::kReset;
    has_seed_[id] = args.seeds != nullptr && (args.seeded == nullptr || args.seeded[k]);
    if (has_seed_[id]) seed_[id] = args.seeds[k];
    num_started_ += !started_[id];
    started_[id] = 1;
  }
  enqueue(env_ids, n, caller_helps);
}

void Pool::enqueue(const int64_t* env_ids, int n, bool caller_helps) {
  const int threads = num_threads();
  const int64_t ns = std::max<int64_t>(1, ns_per_env_.load(std::memory_order_relaxed));
  const int64_t work = static_cast<int64_t>(n) * ns;
  const int engaged = static_cast<int>(std::min<int64_t>(threads, 1 + work / kWorkPerThreadNs));
  const int wake = caller_helps ? engaged - 1 : engaged;
  const int64_t by_time = std::max<int64_t>(1, kChunkNs / ns);
  chunk_.store(static_cast<int>(std::clamp<int64_t>(std::min<int64_t>(n / (4 * engaged), by_time), 1, kMaxChunk)),
               std::memory_order_relaxed);
  const bool cheap = ns <= kSlowEnvNs;
  if (env_ids) {
    for (int k = 0; k < n; ++k) busy_[env_ids[k]] = 1;
  } else {
    std::fill(busy_.begin(), busy_.end(), 1);
  }
  num_busy_ += n;

  if (!env_ids && sync_ && cheap && engaged > 1) {
    split(n, engaged, caller_helps);
  } else {
    num_parts_.store(0, std::memory_order_relaxed);
    const size_t num = queue_.size();
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    size_t at = tail % num;
    auto push = [&](int32_t id) {
      queue_[at].store(id, std::memory_order_relaxed);
      if (++at == num) at = 0;
    };
    if (env_ids) {
      for (int k = 0; k < n; ++k) push(static_cast<int32_t>(env_ids[k]));
    } else if (!cheap) {
      // Longest first: envs that reset this step (no-ops and all) go to the head of the queue,
      // so the threads do not end a step waiting on one late, long reset.
      for (int pass = 1; pass >= 0; --pass)
        for (int k = 0; k < n; ++k)
          if ((task_[k] == Task::kReset || needs_reset_[k]) == (pass == 1)) push(k);
    } else {
      for (int k = 0; k < n; ++k) push(k);
    }
    tail_.store(tail + n, std::memory_order_release);
  }
  // Cheap envs (CartPole): as many idle workers spin as this send woke, and a send wakes only
  // the sleepers the spinners do not cover (a spinning thread checks the invitation once more
  // before it sleeps): a spinner beyond them took a core from the working threads (CartPole
  // N=4096 on 2 threads: 1.11-1.18x). Slow envs (Atari) keep every idle worker spinning and wake
  // the sleepers as well: limiting them cost Breakout N=8 on 2 threads up to 14%.
  wanted_.store(cheap ? std::max(wake, 0) : threads, std::memory_order_relaxed);

  if (wake <= 0) return;
  int invited = invited_.load();
  while (invited < wake && !invited_.compare_exchange_weak(invited, wake)) {
  }
  const int asleep = cheap ? wake - spinners_.load() : wake;
  if (asleep <= 0 || sleepers_.load() == 0) return;
  { std::lock_guard<std::mutex> wl(work_mutex_); }
  if (asleep >= threads) {
    work_cv_.notify_all();
  } else {
    for (int i = 0; i < asleep; ++i) work_cv_.notify_one();
  }
}

void Pool::split(int n, int parts, bool caller_helps) {
  // Every env sent, none queued or running before (all were idle): env ids [lo, hi) per part,
  // outside the ring. Sized as the last split of the same threads, each part moved by half of
  // what was stolen from it or its owner stole (their threads all finished that send), bounds
  // on multiples of 8 envs (a cache line of a float64 column); else even.
  const bool same = static_cast<int>(bounds_.size()) == parts + 1 && bounds_.back() == n && bounds_with_caller_ == caller_helps;
  if (!same) bounds_.assign(parts + 1, 0);
  bounds_with_caller_ = caller_helps;
  for (int p = 0, old_lo = 0; p < parts; ++p) {
    Part& part = parts_[p];
    const int32_t moved = part.took.exchange(0, std::memory_order_relaxed) - part.stolen.exchange(0, std::memory_order_relaxed);
    const int old_hi = bounds_[p + 1];
    const int64_t size = same ? old_hi - old_lo + moved / 2 : n / parts;
    old_lo = old_hi;
    bounds_[p + 1] = static_cast<int32_t>(std::clamp<int64_t>((bounds_[p] + std::max<int64_t>(size, 0)) / 8 * 8, bounds_[p], n));
  }
  bounds_[parts] = n;  // the last part takes what rounding left
  caller_part_.store(caller_helps, std::memory_order_relaxed);
  split_slot_ = &slots_[finished_.load(std::memory_order_relaxed) / batch_size_ % slots_.size()];
  // Published part by part (release): a thread that claims from a part sees the tasks and
  // actions written before.
  for (int p = 0; p < parts; ++p)
    parts_[p].span.store(static_cast<uint64_t>(bounds_[p]) | static_cast<uint64_t>(bounds_[p + 1]) << 32,
                         std::memory_order_release);
  num_parts_.store(parts, std::memory_order_release);
}

bool Pool::claim_part(int who, int32_t* ids, int& count) {
  const int parts = num_parts_.load(std::memory_order_acquire);
  if (parts == 0) return false;
  // Where this thread claims first: part 0 for the caller if it has one, a worker's by its index;
  // -1: none, it only steals.
  const bool caller_part = caller_part_.load(std::memory_order_relaxed);
  const int workers_parts = caller_part ? parts - 1 : parts;
  const int home = who < 0 ? (caller_part ? 0 : -1) : (caller_part ? 1 : 0) + who % std::max(workers_parts, 1);
  const int chunk = chunk_.load(std::memory_order_relaxed);
  for (int k = 0; k < parts; ++k) {
    const int p = home < 0 ? k : (home + k) % parts;
    Part& part = parts_[p];
    const bool own = p == home;
    uint64_t span = part.span.load(std::memory_order_acquire);
    uint64_t from;
    for (;;) {
      const uint64_t lo = span & 0xffffffffu, hi = span >> 32;
      if (lo >= hi) break;
      count = static_cast<int>(std::min<uint64_t>(hi - lo, chunk));
      from = own ? lo : hi - count;
      const uint64_t next = own ? (lo + count) | hi << 32 : lo | (hi - count) << 32;
      if (part.span.compare_exchange_weak(span, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
        for (int j = 0; j < count; ++j) ids[j] = static_cast<int32_t>(from + j);
        if (!own) {  // counted for the next split's sizes
          part.stolen.fetch_add(count, std::memory_order_relaxed);
          if (home >= 0) parts_[home].took.fetch_add(count, std::memory_order_relaxed);
        }
        return true;
      }
    }
  }
  return false;
}

bool Pool::run_some(int who, std::chrono::steady_clock::time_point& now) {
  if (stop_.load(std::memory_order_relaxed)) return false;  // closing: queued work is abandoned
  int32_t ids[kMaxChunk];
  uint64_t head = head_.load(std::memory_order_acquire);
  int count;
  const size_t num = queue_.size();
  if (claim_part(who, ids, count)) {
    run_parts(who, ids, count, now);
    return true;
  }
  for (;;) {
    const uint64_t tail = tail_.load(std::memory_order_acquire);
    if (head >= tail) return false;
    count = static_cast<int>(std::min<uint64_t>(tail - head, chunk_.load(std::memory_order_relaxed)));
    // Read before claiming: a slot is rewritten only after head has passed it,
    // in which case the claim below fails and we read again.
    for (size_t k = 0, at = head % num; k < static_cast<size_t>(count); ++k, at = at + 1 == num ? 0 : at + 1)
      ids[k] = queue_[at].load(std::memory_order_relaxed);
    if (head_.compare_exchange_weak(head, head + count, std::memory_order_acq_rel, std::memory_order_acquire)) break;
  }
  const auto t0 = now;
  Outcome outcome[kMaxChunk];
  advance(ids, count, outcome);

  // Claim result rows for the whole chunk at once: one contended atomic per
  // chunk, not per env, keeps threads off each other's cache lines. acq_rel:
  // the slot a row lands in was recycled by a recv() that happens-before some
  // earlier claim (the busy bound guarantees one), and this makes it ours too.
  const uint64_t first = finished_.fetch_add(count, std::memory_order_acq_rel);
  int32_t rows[kMaxChunk];
  for (int k = 0; k < count;) {  // the chunk's part in each batch it reaches
    const uint64_t s = first + k;
    const int row = static_cast<int>(s % batch_size_);
    const int n = std::min(count - k, batch_size_ - row);
    Slot& slot = slots_[(s / batch_size_) % slots_.size()];
    if (!sync_)  // rows in finishing order; in a sync batch env i's row is i
      for (int j = 0; j < n; ++j) rows[k + j] = row + j;
    write(ids + k, outcome + k, n, *slot.batch, sync_ ? ids + k : rows + k);
    mark_done(slot, n);
    k += n;
  }

  now = std::chrono::steady_clock::now();
  measured(t0, now, count, /*weight_shift=*/3);
  return true;
}

void Pool::run_parts(int who, int32_t* ids, int count, std::chrono::steady_clock::time_point& now) {
  // A sync send of every env: env i's row is i, in the one slot the send fills. No other send
  // can come before this thread marks its rows done, below.
  Slot& slot = *split_slot_;
  const auto start = now;
  int total = 0;
  do {
    Outcome outcome[kMaxChunk];
    advance(ids, count, outcome);
    write(ids, outcome, count, *slot.batch, ids);
    total += count;
  } while (!stop_.load(std::memory_order_relaxed) && claim_part(who, ids, count));
  now = std::chrono::steady_clock::now();
  measured(start, now, total, /*weight_shift=*/1);  // hundreds of envs: weighs more than a chunk
  finished_.fetch_add(total, std::memory_order_acq_rel);
  mark_done(slot, total);
}

void Pool::measured(std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point end, int envs,
                    int weight_shift) {
  const int64_t per_env = std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count() / envs;
  const int64_t old = ns_per_env_.load(std::memory_order_relaxed);
  const int64_t w = int64_t{1} << weight_shift;
  ns_per_env_.store((old * (w - 1) + per_env) / w + 1, std::memory_order_relaxed);
}

void Pool::record_error(std::exception_ptr error) {
  std::lock_guard<std::mutex> lk(error_mutex_);
  if (!error_) error_ = std::move(error);
}

void Pool::advance(const int32_t* ids, int count, Outcome* outcome) {
  int32_t steps[kMaxChunk];
  int n = 0;
  for (int k = 0; k < count; ++k) {
    const int32_t id = ids[k];
    if (task_[id] == Task::kStep && !needs_reset_[id]) {
      steps[n++] = id;
      outcome[k] = Outcome::kStepped;
    } else {
      outcome[k] = restart(id);
    }
  }
  if (n == 0) return;
  int32_t failed[kMaxChunk];
  StepFailures failures{failed};
  try {
    if (spec_.action_dim > 0)
      envs_->step_box(steps, n, box_action_.data(), failures);
    else
      envs_->step(steps, n, action_.data(), failures);
  } catch (...) {  // not one env's failure but the call's: all of its envs failed
    failures.count = 0;
    for (int j = 0; j < n; ++j) failed[failures.count++] = j;
    record_error();
  }
  if (failures.first) record_error(failures.first);
  for (int f = 0; f < failures.count; ++f) {
    const int32_t id = steps[failed[f]];
    needs_reset_[id] = 1;
    outcome[std::find(ids, ids + count, id) - ids] = Outcome::kFailed;
  }
}

Pool::Outcome Pool::restart(int32_t id) {
  if (task_[id] == Task::kKeep) return Outcome::kKept;
  try {  // a reset, seeded or not, or a next-step autoreset (the action is ignored)
    if (task_[id] == Task::kReset && has_seed_[id]) envs_->seed(id, seed_[id]);
    envs_->reset(id);
    needs_reset_[id] = 0;
    return Outcome::kReset;
  } catch (...) {
    needs_reset_[id] = 1;
    record_error();
    return Outcome::kFailed;
  }
}

void Pool::write(const int32_t* ids, const Outcome* outcome, int count, Batch& b, const int32_t* rows) {
  // The rows' columns as locals: a store through one of them (bytes may alias anything) would
  // make the compiler reload every vector's data pointer.
  const BatchEnv& envs = *envs_;
  int32_t* const env_id = b.env_id.data();
  double* const reward = b.reward.data();
  uint8_t* const terminated = b.terminated.data();
  uint8_t* const truncated = b.truncated.data();
  int32_t* const elapsed_step = b.elapsed_step.data();
  int failed = 0, ended = 0;
  int ends[kMaxChunk];  // the k of each step that ended an episode (a reset clears both flags)
  for (int k = 0; k < count; ++k) {
    const int32_t id = ids[k];
    const int row = rows[k];
    const bool kept = outcome[k] == Outcome::kKept;  // a partial reset reports the others as they are
    const bool term = !kept & envs.terminated(id), trunc = !kept & envs.truncated(id);  // no branches
    env_id[row] = id;
    reward[row] = kept ? 0.0 : envs.reward(id);
    terminated[row] = term;
    truncated[row] = trunc;
    elapsed_step[row] = envs.elapsed_step(id);
    const bool failure = outcome[k] == Outcome::kFailed;  // recv() raises; the row is never seen
    failed += failure;
    ends[ended] = k;  // kept only if counted: no branch on a coin flip per env
    ended += (term | trunc) & !failure;
  }
  for (int e = 0; e < ended && autoreset_ != Autoreset::kDisabled; ++e) {
    const int k = ends[e];
    const int32_t id = ids[k];
    const int row = rows[k];
    if (autoreset_ == Autoreset::kSameStep) {
      envs_->write(id, b.final_obs_row(row), b.final_info_row(row));
      b.final_elapsed_step[row] = elapsed_step[row];
      try {
        envs_->reset(id);
      } catch (...) {
        needs_reset_[id] = 1;
        record_error();
      }
      elapsed_step[row] = envs_->elapsed_step(id);
    } else {
      needs_reset_[id] = 1;
    }
  }
  // The observations, after any same-step autoreset above, of every env that did not fail.
  if (failed == 0) {
    envs_->write(ids, count, b, rows);
    return;
  }
  int32_t shown_ids[kMaxChunk], shown_rows[kMaxChunk];
  int shown = 0;
  for (int k = 0; k < count; ++k) {
    if (outcome[k] == Outcome::kFailed) continue;
    shown_ids[shown] = ids[k];
    shown_rows[shown++] = rows[k];
  }
  envs_->write(shown_ids, shown, b, shown_rows);
}

void Pool::mark_done(Slot& slot, int count) {
  if (slot.done.fetch_add(count, std::memory_order_acq_rel) + count == batch_size_) {
    std::lock_guard<std::mutex> lk(done_mutex_);
    done_cv_.notify_all();
  }
}

std::chrono::nanoseconds Pool::spin_time(bool short_wait) const {
  if (!short_wait) return std::chrono::nanoseconds(kMinSpinNs);
  const int64_t step = ns_per_env_.load(std::memory_order_relaxed) * chunk_.load(std::memory_order_relaxed);
  return std::chrono::nanoseconds(std::clamp<int64_t>(2 * step, kMinSpinNs, kMaxSpinNs));
}

bool Pool::accept_invitation() {
  int n = invited_.load();
  while (n > 0)
    if (invited_.compare_exchange_weak(n, n - 1)) return true;
  return false;
}

bool Pool::wait_for_invitation(bool& short_wait) {
  // Spin first: in a stepping loop the next send usually comes soon after the
  // step's last envs, and waking a sleeping thread costs more than the wait.
  // As many threads spin as the last send wanted; the others sleep at once.
  const auto start = std::chrono::steady_clock::now();
  if (spinners_.fetch_add(1) < wanted_.load(std::memory_order_relaxed)) {
    const auto spin_until = start + spin_time(short_wait);
    for (int i = 0; !stop_.load(std::memory_order_relaxed); ++i) {
      if (accept_invitation()) {
        --spinners_;
        short_wait = true;
        return true;
      }
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > spin_until) break;
      cpu_relax();
    }
  }
  --spinners_;  // before the last check of the invitation, under the lock below
  std::unique_lock<std::mutex> lk(work_mutex_);
  ++sleepers_;
  work_cv_.wait(lk, [this] { return stop_.load() || invited_.load() > 0; });
  --sleepers_;
  short_wait = std::chrono::steady_clock::now() - start <= std::chrono::nanoseconds(kMaxSpinNs);
  return !stop_.load() && accept_invitation();
}

void Pool::worker_loop(int index) {
  claim_exception_state();
  bool short_wait = true;  // this thread's last wait for work was short
  while (!stop_.load()) {
    if (!wait_for_invitation(short_wait)) continue;
    for (auto now = std::chrono::steady_clock::now(); run_some(index, now);) {
    }
  }
}

std::shared_ptr<Batch> Pool::fresh_batch() {
  for (auto it = spare_.begin(); it != spare_.end(); ++it) {
    if (it->use_count() == 1) {  // nobody outside the pool holds it any more
      std::shared_ptr<Batch> b = std::move(*it);
      spare_.erase(it);
      return b;
    }
  }
  return std::make_shared<Batch>(spec_, batch_size_, autoreset_ == Autoreset::kSameStep);
}

std::shared_ptr<Batch> Pool::recv(bool help, std::chrono::milliseconds timeout) {
  auto now = std::chrono::steady_clock::now();
  const auto deadline = now + timeout;
  uint64_t k;
  check_process();
  {
    std::lock_guard<std::mutex> lk(state_mutex_);
    check_open();
    if (receiving_) throw std::logic_error("another thread is already waiting in recv()");
    if (sync_ && num_busy_ == 0)
      throw std::logic_error("recv() would wait forever: no env results are pending; send() first");
    if (!sync_ && num_busy_ < batch_size_)
      throw std::logic_error("recv() would wait forever: " + std::to_string(num_busy_) +
                             " env results are pending but batch_size is " + std::to_string(batch_size_) +
                             "; send() more envs first");
    receiving_ = true;
    k = next_batch_;
    if (num_busy_ < batch_size_ && !partial_) {
      // A sync batch of the envs sent: the rows of the others count as done (once, however
      // often a timed-out recv() comes back), and no send() joins the batch from now on.
      const int others = batch_size_ - num_busy_;
      partial_ = true;
      finished_.fetch_add(others, std::memory_order_acq_rel);
      mark_done(slots_[k % slots_.size()], others);
    }
  }
  Slot& slot = slots_[k % slots_.size()];
  auto complete = [&] { return slot.done.load(std::memory_order_acquire) >= batch_size_ || stop_.load(); };
  while (help && !complete() && now < deadline && run_some(-1, now)) {
  }
  // The last rows usually land within an env step or two: spin before sleeping. Where the caller
  // did not help, every worker is busy and a spinning caller takes a core from them: it spins
  // (briefly) only if the rows left should land by then, else sleeps at once (async Breakout
  // N=16 batch 8 on 2 threads: it spun 0.1 of each 1.2 ms batch, 8% of a core, for nothing).
  auto spin = spin_time(/*short_wait=*/help);
  if (!help) {
    const int64_t left = batch_size_ - slot.done.load(std::memory_order_relaxed);
    if (left * ns_per_env_.load(std::memory_order_relaxed) / num_threads() > spin.count()) spin = spin.zero();
  }
  const auto spin_until = now + spin;
  for (int i = 0; !complete(); ++i) {
    if ((i & 63) == 0 && (i > 0 || spin == spin.zero()) && std::chrono::steady_clock::now() > spin_until) {
      std::unique_lock<std::mutex> lk(done_mutex_);
      if (!done_cv_.wait_until(lk, deadline, complete)) {  // timed out: the batch stays pending
        lk.unlock();
        std::lock_guard<std::mutex> state(state_mutex_);
        receiving_ = false;
        return nullptr;
      }
    }
    cpu_relax();
  }

  std::lock_guard<std::mutex> lk(state_mutex_);
  receiving_ = false;
  if (slot.done.load(std::memory_order_acquire) < batch_size_)
    throw std::logic_error("the pool was closed while waiting in recv()");
  std::shared_ptr<Batch> batch = std::move(slot.batch);
  slot.batch = fresh_batch();
  slot.done.store(0, std::memory_order_relaxed);
  const int rows = sync_ ? num_busy_ : batch_size_;
  batch->count = rows;
  if (partial_) {  // the sent envs' rows (row = env id) move up, in env id order
    for (int id = 0, r = 0; id < num_envs(); ++id)
      if (busy_[id]) batch->move_row(id, r++);
    partial_ = false;
  }
  if (sync_) {
    std::fill(busy_.begin(), busy_.end(), 0);
  } else {
    for (int r = 0; r < batch_size_; ++r) busy_[batch->env_id[r]] = 0;
  }
  num_busy_ -= rows;
  ++next_batch_;

  spare_.push_back(batch);
  for (auto it = spare_.begin(); spare_.size() > kMaxSpareBatches && it != spare_.end();)
    it = it->use_count() == 1 ? spare_.erase(it) : it + 1;

  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> el(error_mutex_);
    std::swap(error, error_);
  }
  if (error) std::rethrow_exception(error);
  return batch;
}

}  // namespace fastpool

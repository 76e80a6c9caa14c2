// fastpool._core: the only file that sees Python. It validates arguments with
// the GIL held, releases the GIL while envs step, and hands batch arrays to
// numpy without copying (each array keeps its Batch alive).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#include <structmember.h>  // T_OBJECT, T_OBJECT_EX
#endif

#ifdef __GLIBC__
#include <malloc.h>  // malloc_trim
#endif

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "ale/common/Log.hpp"
#include "fastpool/core/parallel.h"
#include "fastpool/core/pool.h"
#include "fastpool/envs/atari/atari.h"
#include "fastpool/envs/classic_control/classic_control.h"
#include "fastpool/envs/testing/faulty.h"

namespace py = pybind11;
using fastpool::Batch;
using fastpool::Dtype;
using fastpool::Env;
using fastpool::EnvSpec;
using fastpool::Pool;

namespace {

// Interpreter exit (set by fastpool's atexit hook, from the thread that runs it).
std::atomic<bool> g_exiting{false};
std::thread::id g_exit_thread;

// Takes the GIL back after without_gil. A thread coming back while the interpreter
// exits (a daemon thread stepping a pool) may not: CPython (< 3.14) would end it
// by unwinding it from the release guard's destructor, and that aborts the whole
// process. Such a thread waits instead, as CPython 3.14 makes them wait, until
// the process is gone.
void reacquire_gil(PyThreadState* state) {
  if (g_exiting.load() && std::this_thread::get_id() != g_exit_thread)
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  PyEval_RestoreThread(state);
}

// fn() with the GIL released; exceptions pass through once the GIL is held again.
template <typename Fn>
auto without_gil(Fn&& fn) {
  PyThreadState* state = PyEval_SaveThread();
  std::exception_ptr error;
  if constexpr (std::is_void_v<decltype(fn())>) {
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
    reacquire_gil(state);
    if (error) std::rethrow_exception(error);
  } else {
    decltype(fn()) result{};
    try {
      result = fn();
    } catch (...) {
      error = std::current_exception();
    }
    reacquire_gil(state);
    if (error) std::rethrow_exception(error);
    return result;
  }
}

using Int64Array = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

// An object array (Python ints of any size, say) as int64, naming what does not fit.
py::array from_objects(const py::array& arr, const char* what) {
  for (const py::handle item : arr.attr("ravel")()) {
    if (!PyLong_Check(item.ptr()) || PyBool_Check(item.ptr()))
      throw py::type_error(std::string(what) + " must be integers, got " +
                           py::str(py::type::handle_of(item).attr("__name__")).cast<std::string>());
    int overflow = 0;
    PyLong_AsLongLongAndOverflow(item.ptr(), &overflow);
    if (overflow != 0)
      throw py::value_error(std::string(what) + " value " + py::str(item).cast<std::string>() + " is out of range");
  }
  return arr.attr("astype")("int64");
}

// Accept any array-like of integers; reject floats, bools and the like by name.
Int64Array as_int_array(const py::handle& obj, const char* what, py::ssize_t expected_len) {
  py::array arr = py::array::ensure(obj);
  if (!arr) throw py::type_error(std::string(what) + " must be an array of integers");
  if (arr.dtype().kind() == 'O') arr = from_objects(arr, what);
  const char kind = arr.dtype().kind();
  if (kind != 'i' && kind != 'u')
    throw py::type_error(std::string(what) + " must be integers, got dtype " +
                         py::str(arr.dtype()).cast<std::string>());
  if (arr.ndim() == 0)  // gymnasium raises TypeError for a scalar where a batch belongs
    throw py::type_error(std::string(what) + " must be an array with one entry per env, got a scalar");
  if (arr.ndim() != 1 || arr.shape(0) != expected_len)
    throw py::value_error(std::string(what) + " must have shape (" + std::to_string(expected_len) + ",), got " +
                          py::str(py::object(arr.attr("shape"))).cast<std::string>());
  if (kind == 'u' && arr.itemsize() == 8) {
    // uint64 above 2^63 would wrap negative in the cast below; say so plainly.
    auto u = arr.cast<py::array_t<uint64_t>>();
    for (py::ssize_t i = 0; i < u.size(); ++i)
      if (u.at(i) > static_cast<uint64_t>(INT64_MAX))
        throw py::value_error(std::string(what) + " value " + std::to_string(u.at(i)) + " is out of range");
  }
  return Int64Array::ensure(arr);
}

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// Wider floats as float32: a finite value beyond float32's range (1e39) becomes the largest
// float32 of its sign instead of inf (the env clips it to its bounds, as gymnasium's env clips
// the value itself); NaN and inf stay so, and are refused as not finite.
template <typename Wide>
FloatArray narrowed(const py::array& arr) {
  auto wide = py::array_t<Wide, py::array::c_style | py::array::forcecast>::ensure(arr);
  if (!wide) throw py::error_already_set();
  FloatArray out(std::vector<py::ssize_t>{arr.shape(0), arr.shape(1)});
  const Wide* in = wide.data();
  float* dst = out.mutable_data();
  constexpr Wide kMax = static_cast<Wide>(std::numeric_limits<float>::max());
  for (py::ssize_t i = 0, size = wide.size(); i < size; ++i) {
    const Wide v = in[i];
    dst[i] = static_cast<float>(v > kMax ? (std::isinf(v) ? v : kMax) : v < -kMax ? (std::isinf(v) ? v : -kMax) : v);
  }
  return out;
}

// Float actions: any real-valued array-like of shape (n, dim), cast to float32 (the
// action space's dtype); bools, objects and strings are refused by name.
FloatArray as_float_array(const py::handle& obj, const char* what, py::ssize_t n, py::ssize_t dim) {
  py::array arr = py::array::ensure(obj);
  if (!arr) throw py::type_error(std::string(what) + " must be an array of floats");
  const char kind = arr.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw py::type_error(std::string(what) + " must be real numbers, got dtype " +
                         py::str(arr.dtype()).cast<std::string>());
  if (arr.ndim() != 2 || arr.shape(0) != n || arr.shape(1) != dim)
    throw py::value_error(std::string(what) + " must have shape (" + std::to_string(n) + ", " + std::to_string(dim) +
                          "), got " + py::str(py::object(arr.attr("shape"))).cast<std::string>());
  if (kind == 'f' && arr.itemsize() > 4) return narrowed<double>(arr);  // long double: as double
  return FloatArray::ensure(arr);
}

py::dtype to_numpy(Dtype d) { return d == Dtype::kUInt8 ? py::dtype::of<uint8_t>() : py::dtype::of<float>(); }

template <typename T>
py::array wrap(const py::object& owner, std::vector<py::ssize_t> shape, T* data) {
  return py::array(py::dtype::of<T>(), std::move(shape), {}, data, owner);
}

// The batch as Python sees it: a struct sequence (a named tuple made in C, as os.stat_result),
// so the front ends read its fields by name and each step makes it at about a tuple's cost
// (a Python namedtuple would add ~0.5 us a step). Both types are made once, at module init.
PyTypeObject* g_batch_type = nullptr;
PyTypeObject* g_final_step_type = nullptr;

PyStructSequence_Field g_batch_fields[] = {
    {"obs", "observations, (rows, *obs_shape)"},
    {"reward", "float64 (rows,)"},
    {"terminated", "bool (rows,)"},
    {"truncated", "bool (rows,)"},
    {"env_id", "int32 (rows,): the env each row comes from"},
    {"elapsed_step", "int32 (rows,): steps since the env's episode began"},
    {"info", "int32 (rows, len(info_names) + words of info_bytes): the env's extra info columns, then its info byte block"},
    {"final", "None, or with same-step autoreset a FinalStep: the last step of the episodes that ended"},
    {nullptr, nullptr}};
PyStructSequence_Desc g_batch_desc = {
    "fastpool._core.Batch", "One result of a pool: numpy views of the engine's buffers, row r for env env_id[r].",
    g_batch_fields, 8};

PyStructSequence_Field g_final_step_fields[] = {
    {"obs", "the last observation of each row's episode (rows that did not end: stale)"},
    {"elapsed_step", "int32 (rows,): that episode's length"},
    {"info", "int32 (rows, as Batch.info): its last extra info"},
    {nullptr, nullptr}};
PyStructSequence_Desc g_final_step_desc = {
    "fastpool._core.FinalStep", "Same-step autoreset: the last step of the episodes that ended in a Batch.",
    g_final_step_fields, 3};

// A struct sequence type from desc. CPython 3.11 reads fields fast (a slot read, LOAD_ATTR_SLOT)
// only for T_OBJECT_EX members, 3.12 for the T_OBJECT ones struct sequences declare too; the two
// differ only for an empty field, which a Batch never has, so on 3.11 the fields are declared so.
PyTypeObject* new_struct_sequence(PyStructSequence_Desc* desc) {
  PyTypeObject* type = PyStructSequence_NewType(desc);
  if (!type) throw py::error_already_set();
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
  for (PyMemberDef* m = type->tp_members; m && m->name; ++m)  // the type's own copy, not yet used
    if (m->type == T_OBJECT) m->type = T_OBJECT_EX;
#endif
  return type;
}

// A struct sequence of type `type` holding `items` (references taken over).
template <typename... Items>
py::object struct_sequence(PyTypeObject* type, Items&&... items) {
  py::object out = py::reinterpret_steal<py::object>(PyStructSequence_New(type));
  if (!out) throw py::error_already_set();
  Py_ssize_t i = 0;
  (PyStructSequence_SetItem(out.ptr(), i++, py::object(std::forward<Items>(items)).release().ptr()), ...);
  return out;
}

// A Batch as a return type: pybind11's signatures (and so the stubs) name it.
class BatchTuple : public py::tuple {
  PYBIND11_OBJECT_DEFAULT(BatchTuple, py::tuple, PyTuple_Check)
};

// A batch as numpy arrays sharing its memory (each array keeps the engine's batch alive).
BatchTuple to_numpy(const std::shared_ptr<Batch>& batch, const EnvSpec& spec) {
  py::object owner = py::cast(batch);
  const py::ssize_t rows = batch->count;
  std::vector<py::ssize_t> obs_shape{rows};
  obs_shape.insert(obs_shape.end(), spec.obs_shape.begin(), spec.obs_shape.end());
  const py::ssize_t num_info = static_cast<py::ssize_t>(batch->num_info);
  auto obs_array = [&](uint8_t* data) { return py::array(to_numpy(spec.obs_dtype), obs_shape, {}, data, owner); };
  py::object final = py::none();
  if (!batch->final_obs.empty())
    final = struct_sequence(g_final_step_type, obs_array(batch->final_obs.data()),
                            wrap(owner, {rows}, batch->final_elapsed_step.data()),
                            wrap(owner, {rows, num_info}, batch->final_info.data()));
  return py::reinterpret_steal<BatchTuple>(
      struct_sequence(g_batch_type, obs_array(batch->obs.data()), wrap(owner, {rows}, batch->reward.data()),
                      wrap(owner, {rows}, reinterpret_cast<bool*>(batch->terminated.data())),
                      wrap(owner, {rows}, reinterpret_cast<bool*>(batch->truncated.data())),
                      wrap(owner, {rows}, batch->env_id.data()), wrap(owner, {rows}, batch->elapsed_step.data()),
                      wrap(owner, {rows, num_info}, batch->info.data()), std::move(final))
          .release());
}

// The Python-facing pool: argument conversion around the C++ Pool.
class PyPool {
 public:
  template <typename Envs>
  PyPool(EnvSpec spec, Envs envs, fastpool::PoolOptions options)
      : owned_(std::make_unique<Pool>(std::move(spec), std::move(envs), options)), pool_(*owned_) {}

  ~PyPool() {
    // In a fork()ed child the pool's mutexes and condition variables may be in
    // use by threads that exist only in the parent: destroying them can block
    // forever, so the child leaves the pool's memory alone.
    if (!pool_.in_creator_process()) static_cast<void>(owned_.release());
  }

  // Sync step of every env; the caller steps envs too while it waits.
  BatchTuple step(const py::handle& actions) {
    require_sync("step");
    drain_interrupted();
    send_actions(actions, nullptr, pool_.num_envs(), /*caller_helps=*/true);
    return receive(/*help=*/true);
  }

  void send(const py::handle& actions, const py::handle& env_ids) {
    if (env_ids.is_none()) return send_actions(actions, nullptr, pool_.num_envs(), /*caller_helps=*/false);
    auto ids = as_ids(env_ids);
    send_actions(actions, ids.data(), ids.size(), /*caller_helps=*/false);
  }

  BatchTuple recv(bool help) { return receive(help); }

  // Queue resets of env_ids (None: every env). seeds: None or uint64, one per id;
  // seeded: None (every seed applies) or bool per id (False keeps that env's stream).
  void send_reset(const py::handle& env_ids, const py::handle& seeds, const py::handle& seeded, bool caller_helps) {
    send_reset_impl(env_ids, seeds, seeded, py::none(), caller_helps);
  }

  // Sync reset of every env, or with keep (bool per env) of those not kept; the
  // kept envs report their current observation (gymnasium's reset_mask).
  BatchTuple reset(const py::handle& seeds, const py::handle& seeded, const py::handle& keep) {
    require_sync("reset");
    drain_interrupted();
    send_reset_impl(py::none(), seeds, seeded, keep, /*caller_helps=*/true);
    return receive(/*help=*/true);
  }

  void close() {
    without_gil([&] { pool_.close(); });
  }

  py::array render(int64_t env_id) {
    const auto& shape = pool_.spec().render_shape;
    if (shape.empty()) throw std::logic_error("this env cannot render");
    py::array_t<uint8_t> image(std::vector<py::ssize_t>(shape.begin(), shape.end()));
    pool_.render(env_id, image.mutable_data());
    return std::move(image);
  }

  py::dict counters(int64_t env_id) {
    py::dict out;
    for (const auto& [name, value] : pool_.counters(env_id)) out[py::str(name)] = value;
    return out;
  }

  const Pool& pool() const { return pool_; }

 private:
  void send_actions(const py::handle& actions, const int64_t* ids, py::ssize_t n, bool caller_helps) {
    const int dim = pool_.spec().action_dim;
    if (dim > 0) {
      auto a = as_float_array(actions, "actions", n, dim);
      pool_.send_step_box(a.data(), ids, static_cast<int>(n), caller_helps);
    } else {
      auto a = as_int_array(actions, "actions", n);
      pool_.send_step(a.data(), ids, static_cast<int>(n), caller_helps);
    }
  }

  void require_sync(const char* what) const {
    if (pool_.batch_size() != pool_.num_envs())
      throw std::logic_error(std::string(what) + "() steps every env at once; with batch_size < num_envs use send()/recv()");
  }

  using BoolArray = py::array_t<bool, py::array::c_style | py::array::forcecast>;
  template <typename Array>
  static Array per_id(const py::handle& obj, const char* what, py::ssize_t n) {
    if (obj.is_none()) return Array();
    auto a = Array::ensure(obj);
    if (!a || a.ndim() != 1 || a.size() != n)
      throw py::value_error(std::string(what) + " must be an array with one entry per env id");
    return a;
  }

  void send_reset_impl(const py::handle& env_ids, const py::handle& seeds, const py::handle& seeded,
                       const py::handle& keep, bool caller_helps) {
    Int64Array ids;
    if (!env_ids.is_none()) ids = as_ids(env_ids);
    const py::ssize_t n = env_ids.is_none() ? pool_.num_envs() : ids.size();
    auto s = per_id<py::array_t<uint64_t, py::array::c_style | py::array::forcecast>>(seeds, "seeds", n);
    auto with_seed = per_id<BoolArray>(seeded, "seeded", n);
    auto kept = per_id<BoolArray>(keep, "keep", n);
    fastpool::ResetArgs args;
    args.seeds = seeds.is_none() ? nullptr : s.data();
    args.seeded = seeded.is_none() ? nullptr : reinterpret_cast<const uint8_t*>(with_seed.data());
    args.keep = keep.is_none() ? nullptr : reinterpret_cast<const uint8_t*>(kept.data());
    pool_.send_reset(env_ids.is_none() ? nullptr : ids.data(), static_cast<int>(n), args, caller_helps);
  }

  Int64Array as_ids(const py::handle& env_ids) {
    py::array arr = py::array::ensure(env_ids);
    if (!arr || arr.ndim() != 1) throw py::value_error("env_ids must be a 1-d array of integers");
    return as_int_array(arr, "env_ids", arr.shape(0));
  }

  // Waits in short slices so that Ctrl-C (KeyboardInterrupt) returns control at
  // once; the interrupted batch is then dropped by the next step() or reset().
  BatchTuple receive(bool help) {
    std::shared_ptr<Batch> batch;
    while (!batch) {
      batch = without_gil([&] { return pool_.recv(help, std::chrono::milliseconds(50)); });
      if (!batch && PyErr_CheckSignals() != 0) {
        interrupted_ = true;
        throw py::error_already_set();
      }
    }
    interrupted_ = false;
    return to_numpy(batch, pool_.spec());
  }

  // A batch whose step() was interrupted is still in flight: wait it out, drop it,
  // and drop a worker's error with it (its env resets at its next step). Another
  // Ctrl-C while waiting leaves the batch for the next call.
  void drain_interrupted() {
    if (!interrupted_) return;
    try {
      receive(/*help=*/true);
    } catch (const py::error_already_set&) {
      throw;
    } catch (const std::exception&) {
    }
    interrupted_ = false;
  }

  std::unique_ptr<Pool> owned_;
  Pool& pool_;
  bool interrupted_ = false;
};

fastpool::PoolOptions pool_options(int num_threads, int batch_size, fastpool::Autoreset autoreset) {
  fastpool::PoolOptions options;
  options.num_threads = num_threads;
  options.batch_size = batch_size;
  options.autoreset = autoreset;
  return options;
}

// How many threads may build envs at once: fewer where there is no room for them all.
int builders(int num_threads, int count) {
  int n = std::min(num_threads, count);
  while (n > 1 && !fastpool::room_for_threads(n - 1)) n /= 2;
  return n;
}

// make_pool's work: the envs, then the pool over them.
template <typename MakeEnv, typename SpecOf>
std::unique_ptr<PyPool> build_pool(int num_envs, int num_threads, int batch_size, fastpool::Autoreset autoreset,
                                   uint64_t seed, MakeEnv& make_env, SpecOf& spec_of) {
  std::vector<std::unique_ptr<Env>> envs(num_envs);
  int round = num_threads;
  for (int first = 0; first < num_envs;) {
    const int count = std::min(round, num_envs - first);
    const auto t0 = std::chrono::steady_clock::now();
    without_gil([&] {
      fastpool::parallel_for(count, builders(num_threads, count), [&](int k) {
        const int i = first + k;
        envs[i] = make_env(i);
        envs[i]->seed(seed + static_cast<uint64_t>(i));
      });
    });
    first += count;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(25)) round *= 2;
  }
  EnvSpec spec = spec_of(*envs[0]);
  return std::make_unique<PyPool>(std::move(spec), std::move(envs), pool_options(num_threads, batch_size, autoreset));
}

// The same for a batched family: all its envs in one BatchEnv (make_batch(num_envs)), env i's
// stream seeded with seed + i, on num_threads threads.
template <typename MakeBatch>
std::unique_ptr<PyPool> build_batch_pool(int num_envs, int num_threads, int batch_size, fastpool::Autoreset autoreset,
                                         uint64_t seed, const EnvSpec& spec, MakeBatch& make_batch) {
  std::unique_ptr<fastpool::BatchEnv> envs = make_batch(num_envs);
  constexpr int kSeedsPerTask = 4096;
  const int tasks = (num_envs + kSeedsPerTask - 1) / kSeedsPerTask;
  without_gil([&] {
    fastpool::parallel_for(tasks, builders(num_threads, tasks), [&](int t) {
      for (int i = t * kSeedsPerTask, end = std::min(num_envs, i + kSeedsPerTask); i < end; ++i)
        envs->seed(i, seed + static_cast<uint64_t>(i));
    });
  });
  return std::make_unique<PyPool>(spec, std::move(envs), pool_options(num_threads, batch_size, autoreset));
}

std::string gib(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return text;
}

// A MemoryError for a pool of num_envs envs that did not fit, saying how much it needed
// (memory_bytes: make()'s estimate, 0 if none was given).
[[noreturn]] void throw_memory_error(int num_envs, int64_t memory_bytes, const std::string& when) {
  std::string message = "out of memory " + when + " a pool of " + std::to_string(num_envs) + " envs";
  if (memory_bytes > 0) message += ", which needs about " + gib(static_cast<double>(memory_bytes));
  message += ": ask for fewer num_envs (or free memory, or raise the address-space limit, ulimit -v)";
  PyErr_SetString(PyExc_MemoryError, message.c_str());
  throw py::error_already_set();
}

// Runs build(), which makes a pool of num_envs envs: memory_bytes is what the pool needs
// (make()'s estimate); that much address space is reserved and released first, so a pool that
// cannot fit fails before building anything, and any allocation failure while building is a
// MemoryError saying how much was needed.
template <typename Build>
std::unique_ptr<PyPool> guarded_build(int num_envs, int num_threads, int64_t memory_bytes, Build build) {
  if (num_envs < 1) throw py::value_error("num_envs must be >= 1, got " + std::to_string(num_envs));
  if (num_threads < 1) throw py::value_error("num_threads must be >= 1, got " + std::to_string(num_threads));
  if (memory_bytes < 0) throw py::value_error("memory_bytes must be >= 0, got " + std::to_string(memory_bytes));
  if (memory_bytes > 0) {  // untouched pages: address space only, never resident
    std::unique_ptr<char[]> probe(new (std::nothrow) char[static_cast<size_t>(memory_bytes)]);
    if (!probe) throw_memory_error(num_envs, memory_bytes, "before building");
  }
  try {
    return build();
  } catch (const std::bad_alloc&) {  // what was built is freed by now
#ifdef __GLIBC__
    malloc_trim(0);  // and handed back, so that the process has the room it had before
#endif
    throw_memory_error(num_envs, memory_bytes, "while building");
  }
}

// Builds num_envs envs (make_env(i), on num_threads threads, the GIL released)
// and a pool over them; env i's stream is seeded with seed + i. Envs are built
// in rounds of about 50 ms, so Ctrl-C stops a long build between two rounds.
template <typename MakeEnv, typename SpecOf>
std::unique_ptr<PyPool> make_pool(int num_envs, int num_threads, int batch_size, fastpool::Autoreset autoreset,
                                  uint64_t seed, int64_t memory_bytes, MakeEnv make_env, SpecOf spec_of) {
  return guarded_build(num_envs, num_threads, memory_bytes, [&] {
    return build_pool(num_envs, num_threads, batch_size, autoreset, seed, make_env, spec_of);
  });
}

// The same for a batched family: make_batch(num_envs) makes all the envs at once.
template <typename MakeBatch>
std::unique_ptr<PyPool> make_batch_pool(int num_envs, int num_threads, int batch_size, fastpool::Autoreset autoreset,
                                        uint64_t seed, int64_t memory_bytes, const EnvSpec& spec,
                                        MakeBatch make_batch) {
  return guarded_build(num_envs, num_threads, memory_bytes, [&] {
    return build_batch_pool(num_envs, num_threads, batch_size, autoreset, seed, spec, make_batch);
  });
}

}  // namespace

namespace pybind11::detail {
template <>
struct handle_type_name<BatchTuple> {
  static constexpr auto name = const_name("fastpool._core.Batch");
};
}  // namespace pybind11::detail

PYBIND11_MODULE(_core, m) {
  m.doc() = "fastpool's C++ engine. Use fastpool.make(); this module is internal.";
  ale::Logger::setMode(ale::Logger::Error);  // a global: set once, before any thread starts
  m.def(
      "_exiting",
      [] {
        g_exit_thread = std::this_thread::get_id();
        g_exiting.store(true);
      },
      "Called at interpreter exit: other threads returning from the engine then wait for the end.");

  py::class_<Batch, std::shared_ptr<Batch>>(m, "_Batch");
  g_batch_type = new_struct_sequence(&g_batch_desc);
  g_final_step_type = new_struct_sequence(&g_final_step_desc);
  // g_* keep the references made here: the types live as long as the process.
  m.add_object("Batch", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(g_batch_type)));
  m.add_object("FinalStep", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(g_final_step_type)));

  py::enum_<fastpool::Autoreset>(m, "Autoreset")
      .value("NEXT_STEP", fastpool::Autoreset::kNextStep)
      .value("SAME_STEP", fastpool::Autoreset::kSameStep)
      .value("DISABLED", fastpool::Autoreset::kDisabled);

  py::class_<PyPool>(m, "Pool", "num_envs envs stepped by C++ worker threads; fastpool.VectorEnv wraps it.")
      .def("step", &PyPool::step, py::arg("actions"),
           "Step every env (sync pools), the GIL released. Returns a Batch (obs, reward, terminated, "
           "truncated, env_id, elapsed_step, info, final): numpy views of the engine's buffers; info is "
           "(rows, len(info_names) + words of info_bytes) int32; final is None or a FinalStep (obs, elapsed_step, info).")
      .def("send", &PyPool::send, py::arg("actions"), py::arg("env_ids"),
           "Queue one step for each env in env_ids (None: every env) and return at once.")
      .def("recv", &PyPool::recv, py::arg("help") = false,
           "Wait for the next batch_size results (a sync pool: those of the envs sent since the last recv(), "
           "in env id order), a batch as step() returns it (help: the calling thread steps queued envs too).")
      .def("send_reset", &PyPool::send_reset, py::arg("env_ids"), py::arg("seeds"), py::arg("seeded") = py::none(),
           py::arg("caller_helps") = false)
      .def("reset", &PyPool::reset, py::arg("seeds"), py::arg("seeded") = py::none(), py::arg("keep") = py::none(),
           "Reset every env (sync pools), or those not kept (keep: bool per env); seeds: None or one per env.")
      .def("close", &PyPool::close, "Stop the workers; any later call raises. Idempotent.")
      .def("render", &PyPool::render, py::arg("env_id"), "env_id's current screen, uint8 render_shape.")
      .def("counters", &PyPool::counters, py::arg("env_id"),
           "What env_id counts of its own work, by name (e.g. Atari's reset snapshots).")
      .def_property_readonly("closed", [](const PyPool& p) { return p.pool().closed(); })
      .def_property_readonly("num_envs", [](const PyPool& p) { return p.pool().num_envs(); })
      .def_property_readonly("num_threads", [](const PyPool& p) { return p.pool().num_threads(); })
      .def_property_readonly("batch_size", [](const PyPool& p) { return p.pool().batch_size(); })
      .def_property_readonly("autoreset", [](const PyPool& p) { return p.pool().autoreset(); })
      .def_property_readonly("num_actions", [](const PyPool& p) { return p.pool().spec().num_actions; })
      .def_property_readonly("action_dim", [](const PyPool& p) { return p.pool().spec().action_dim; })
      .def_property_readonly("action_low", [](const PyPool& p) { return p.pool().spec().action_low; })
      .def_property_readonly("action_high", [](const PyPool& p) { return p.pool().spec().action_high; })
      .def_property_readonly("obs_shape", [](const PyPool& p) { return p.pool().spec().obs_shape; })
      .def_property_readonly("obs_dtype", [](const PyPool& p) { return to_numpy(p.pool().spec().obs_dtype); })
      .def_property_readonly("info_names", [](const PyPool& p) { return p.pool().spec().info_names; })
      .def_property_readonly("info_bytes_name", [](const PyPool& p) { return p.pool().spec().info_bytes_name; },
                             "the name of the info byte block after the info_names columns ('' if none)")
      .def_property_readonly("info_bytes", [](const PyPool& p) { return p.pool().spec().info_bytes; },
                             "its length in bytes (0 if none)")
      .def_property_readonly("render_shape", [](const PyPool& p) { return p.pool().spec().render_shape; })
      .def_property_readonly("action_names", [](const PyPool& p) { return p.pool().spec().action_names; });

  m.def(
      "make_classic_control",
      [](const std::string& name, int num_envs, int num_threads, int batch_size, fastpool::Autoreset autoreset,
         uint64_t seed, int max_episode_steps, int64_t memory_bytes, bool batched) {
        if (max_episode_steps < 1) throw py::value_error("max_episode_steps must be >= 1");
        const EnvSpec spec = fastpool::classic_control_spec(name);
        if (batched)
          return make_batch_pool(num_envs, num_threads, batch_size, autoreset, seed, memory_bytes, spec, [&](int n) {
            return fastpool::make_classic_control_batch(name, n, max_episode_steps);
          });
        return make_pool(
            num_envs, num_threads, batch_size, autoreset, seed, memory_bytes,
            [&](int) { return fastpool::make_classic_control(name, max_episode_steps); },
            [&](const Env&) { return spec; });
      },
      py::arg("name"), py::arg("num_envs"), py::arg("num_threads"), py::arg("batch_size"), py::arg("autoreset"),
      py::arg("seed"), py::arg("max_episode_steps"), py::arg("memory_bytes") = 0, py::arg("batched") = true,
      "A pool of one classic-control env, named as its registry entry's core_name (\"CartPole\", \"Pendulum\", ...). "
      "batched: each worker steps a chunk of envs in one call (False: one env per call, the per-env path, "
      "which steps the same trajectories).");

  m.def(
      "make_faulty",
      [](int num_envs, int num_threads, int batch_size, fastpool::Autoreset autoreset, uint64_t seed,
         int64_t memory_bytes) {
        return make_pool(
            num_envs, num_threads, batch_size, autoreset, seed, memory_bytes,
            [](int) { return std::make_unique<fastpool::Faulty>(); }, [](const Env&) { return fastpool::Faulty::spec(); });
      },
      py::arg("num_envs"), py::arg("num_threads"), py::arg("batch_size"), py::arg("autoreset"), py::arg("seed"),
      py::arg("memory_bytes") = 0);

  py::class_<fastpool::AtariConfig>(m, "AtariConfig", "One Atari game and its preprocessing (fastpool.make's options).")
      .def(py::init<>())
      .def_readwrite("rom_path", &fastpool::AtariConfig::rom_path)
      .def_readwrite("frame_skip", &fastpool::AtariConfig::frame_skip)
      .def_readwrite("maxpool", &fastpool::AtariConfig::maxpool)
      .def_readwrite("gray_scale", &fastpool::AtariConfig::gray_scale)
      .def_readwrite("img_height", &fastpool::AtariConfig::img_height)
      .def_readwrite("img_width", &fastpool::AtariConfig::img_width)
      .def_readwrite("stack_num", &fastpool::AtariConfig::stack_num)
      .def_readwrite("noop_max", &fastpool::AtariConfig::noop_max)
      .def_readwrite("repeat_action_probability", &fastpool::AtariConfig::repeat_action_probability)
      .def_readwrite("episodic_life", &fastpool::AtariConfig::episodic_life)
      .def_readwrite("use_fire_reset", &fastpool::AtariConfig::use_fire_reset)
      .def_readwrite("reward_clip", &fastpool::AtariConfig::reward_clip)
      .def_readwrite("full_action_space", &fastpool::AtariConfig::full_action_space)
      .def_readwrite("max_episode_steps", &fastpool::AtariConfig::max_episode_steps)
      .def_readwrite("mode", &fastpool::AtariConfig::mode, "ALE's game mode; None: the ROM's default")
      .def_readwrite("difficulty", &fastpool::AtariConfig::difficulty, "ALE's game difficulty; None: the ROM's default")
      .def_readwrite("ram_obs", &fastpool::AtariConfig::ram_obs, "observe the 128-byte RAM instead of the screen")
      .def_readwrite("ram_info", &fastpool::AtariConfig::ram_info, "report the 128-byte RAM as info bytes too");

  m.def(
      "make_atari",
      [](const fastpool::AtariConfig& config, int num_envs, int num_threads, int batch_size,
         fastpool::Autoreset autoreset, uint64_t seed, int64_t memory_bytes) {
        fastpool::Atari::check_config(config);  // ALE would exit the process on a bad ROM
        return make_pool(
            num_envs, num_threads, batch_size, autoreset, seed, memory_bytes,
            [&](int i) { return std::make_unique<fastpool::Atari>(config, seed + static_cast<uint64_t>(i)); },
            [](const Env& env) { return static_cast<const fastpool::Atari&>(env).spec(); });
      },
      py::arg("config"), py::arg("num_envs"), py::arg("num_threads"), py::arg("batch_size"), py::arg("autoreset"),
      py::arg("seed"), py::arg("memory_bytes") = 0,
      "A pool of one Atari game with the preprocessing config describes (memory_bytes: what it needs, for "
      "the MemoryError if it does not fit).");

  // The first draws of env i's random stream, to test seeding against numpy.
  m.def("_stream_doubles", [](uint64_t seed, int n) {
    fastpool::Pcg64 rng(seed);
    std::vector<double> out(n);
    for (double& v : out) v = rng.next_double();
    return out;
  });
  m.def("_stream_integers", [](uint64_t seed, int64_t low, int64_t high, int n) {
    if (high <= low || high - low > (int64_t{1} << 32)) throw py::value_error("need 0 < high - low <= 2**32");
    fastpool::Pcg64 rng(seed);
    std::vector<int64_t> out(n);
    for (int64_t& v : out) v = rng.integers(low, high);
    return out;
  });
}

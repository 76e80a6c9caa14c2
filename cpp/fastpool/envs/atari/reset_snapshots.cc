#include "fastpool/envs/atari/reset_snapshots.h"

#include <cstring>
#include <map>
#include <mutex>

#include "ale/ale_interface.hpp"
#include "ale/emucore/Deserializer.hxx"
#include "ale/emucore/Event.hxx"
#include "ale/emucore/Random.hxx"
#include "ale/emucore/Serializer.hxx"
#include "ale/emucore/TIA.hxx"
#include "ale/environment/stella_environment.hpp"

namespace fastpool {

namespace {

using ale::stella::Deserializer;
using ale::stella::Serializer;

std::string save_rng(ale::stella::Random& rng) {
  Serializer out;
  rng.saveState(out);
  return out.get_str();
}

void load_rng(ale::stella::Random& rng, const std::string& saved) {
  Deserializer in(saved);
  rng.loadState(in);
}

}  // namespace

std::shared_ptr<ResetSnapshots> ResetSnapshots::of_game(const std::string& game) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<ResetSnapshots>> games;  // while some env plays it
  std::lock_guard<std::mutex> lock(mutex);
  std::weak_ptr<ResetSnapshots>& slot = games[game];
  std::shared_ptr<ResetSnapshots> snapshots = slot.lock();
  if (!snapshots) slot = snapshots = std::make_shared<ResetSnapshots>();
  return snapshots;
}

ale::stella::TIA& ResetSnapshots::tia(ale::StellaEnvironment& env) {
  return dynamic_cast<ale::stella::TIA&>(env.m_osystem->console().mediaSource());
}

ale::stella::Random& ResetSnapshots::system_rng(ale::StellaEnvironment& env) {
  return env.m_osystem->console().system().rng();
}

std::pair<int, int> ResetSnapshots::paddles(ale::StellaEnvironment& env) {
  const ale::stella::Event& event = *env.m_osystem->event();
  return {event.get(ale::stella::Event::PaddleZeroResistance), event.get(ale::stella::Event::PaddleOneResistance)};
}

std::string ResetSnapshots::state(ale::StellaEnvironment& env) {
  // The system serializes its RNG too: a fixed one stands in for it, so that equal states match.
  ale::stella::Random& rng = system_rng(env);
  const std::string live = save_rng(rng);
  rng.seed(0);
  Serializer out;
  env.m_osystem->console().system().saveState(env.m_cartridge_md5, out);
  env.m_settings->saveState(out);
  load_rng(rng, live);
  return out.get_str();
}

void ResetSnapshots::load(ale::StellaEnvironment& env, const std::string& state) {
  ale::stella::Random& rng = system_rng(env);
  const std::string live = save_rng(rng);
  env.m_settings->reset();  // what the ROM settings do not serialize starts as a reset leaves it
  Deserializer in(state);
  env.m_osystem->console().system().loadState(env.m_cartridge_md5, in);
  env.m_settings->loadState(in);
  load_rng(rng, live);
}

ResetSnapshots::Frames ResetSnapshots::frames(ale::StellaEnvironment& env) {
  ale::stella::TIA& t = tia(env);
  const size_t n = size_t{t.width()} * t.height();
  Frames out(2 * n);
  std::memcpy(out.data(), t.currentFrameBuffer(), n);
  std::memcpy(out.data() + n, t.previousFrameBuffer(), n);
  return out;
}

void ResetSnapshots::load_frames(ale::StellaEnvironment& env, const Frames& frames) {
  ale::stella::TIA& t = tia(env);
  const size_t n = frames.size() / 2;
  std::memcpy(t.currentFrameBuffer(), frames.data(), n);
  std::memcpy(t.previousFrameBuffer(), frames.data() + n, n);
  env.processScreen();
  env.processRAM();
}

std::shared_ptr<const ResetSnapshots::Outcome> ResetSnapshots::find(const std::string& key) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = outcomes_.find(key);
  return it == outcomes_.end() ? nullptr : it->second;
}

bool ResetSnapshots::seen_before(const std::string& key) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  if (outcomes_.size() >= capacity_) return false;
  if (seen_once_.size() >= 16 * capacity_) seen_once_.clear();  // states that never recur
  return !seen_once_.insert(std::hash<std::string>{}(key)).second;
}

void ResetSnapshots::keep(std::string key, std::string state, Frames frames) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  if (outcomes_.size() >= capacity_) return;
  std::shared_ptr<const Frames> shared;
  for (const auto& s : screens_)
    if (*s == frames) shared = s;
  if (!shared) screens_.push_back(shared = std::make_shared<const Frames>(std::move(frames)));
  outcomes_.emplace(std::move(key), std::make_shared<const Outcome>(Outcome{std::move(state), std::move(shared)}));
}

size_t ResetSnapshots::size() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return outcomes_.size();
}

void ResetSnapshots::reset_game(ale::ALEInterface& ale, Counts& counts) {
  ale::StellaEnvironment& env = *ale.environment;
  env.resetStart();
  if (tia(env).partialFrame()) {  // between frames only: the TIA's position is not serialized
    ++counts.misses;
    env.resetFinish();
    return;
  }
  std::string key = state(env);
  if (std::shared_ptr<const Outcome> outcome = find(key)) {
    ++counts.hits;
    load(env, outcome->state);
    load_frames(env, *outcome->frames);
    return;
  }

  ++counts.misses;
  ale::stella::Random& rng = system_rng(env);
  const std::string rng_before = save_rng(rng);
  const auto paddles_before = paddles(env);
  Frames frames_before = frames(env);
  env.resetFinish();
  if (tia(env).partialFrame() || save_rng(rng) != rng_before || paddles(env) != paddles_before)
    return;  // the rest drew random numbers, moved a paddle or ended mid-frame: never kept
  if (!seen_before(key)) return;

  // Seen before: once more from the same state with every frame-buffer byte changed. Kept
  // only if the outcome does not move.
  std::string state_after = state(env);
  Frames frames_after = frames(env);
  for (uint8_t& b : frames_before) b = static_cast<uint8_t>(~b);
  load(env, key);
  load_frames(env, frames_before);
  env.resetFinish();
  const bool same = !tia(env).partialFrame() && state(env) == state_after && frames(env) == frames_after;
  load(env, state_after);  // the true outcome, whatever the replay gave
  load_frames(env, frames_after);
  if (same) keep(std::move(key), std::move(state_after), std::move(frames_after));
}

}  // namespace fastpool

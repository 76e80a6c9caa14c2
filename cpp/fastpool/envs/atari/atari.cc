#include "fastpool/envs/atari/atari.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>

#include "ale/ale_interface.hpp"
#include "ale/common/Constants.h"
#include "ale/emucore/Console.hxx"
#include "ale/emucore/MediaSrc.hxx"
#include "ale/emucore/MD5.hxx"
#include "ale/games/RomSettings.hpp"
#include "ale/games/Roms.hpp"

namespace fastpool {

Atari::Atari(const AtariConfig& config, uint64_t seed)
    : config_(config),
      ale_(std::make_unique<ale::ALEInterface>()),
      snapshots_(ResetSnapshots::of_game(config.rom_path + " mode " + std::to_string(config.mode.value_or(-1)) +
                                         " difficulty " + std::to_string(config.difficulty.value_or(-1)))),
      channels_(config.gray_scale ? 1 : 3),
      frame_size_(config.ram_obs ? 0 : static_cast<size_t>(channels_) * config.img_height * config.img_width),
      stack_(frame_size_ * config.stack_num) {
  ale_->setFloat("repeat_action_probability", config.repeat_action_probability);
  Atari::seed(seed);
  load_rom();
  const ale::ActionVect set = config.full_action_space ? ale_->getLegalActionSet() : ale_->getMinimalActionSet();
  for (ale::Action a : set) {
    actions_.push_back(static_cast<int>(a));
    has_fire_ = has_fire_ || a == ale::PLAYER_A_FIRE;
  }
  const ale::ALEScreen& screen = ale_->getScreen();
  screen_height_ = static_cast<int>(screen.height());
  screen_width_ = static_cast<int>(screen.width());
  if (config.ram_obs) return;  // no screen buffers: the RAM is read straight from ALE
  if (config.img_height > screen_height_ || config.img_width > screen_width_)
    throw std::invalid_argument("img_height x img_width may not exceed the screen (" + std::to_string(screen_height_) +
                                " x " + std::to_string(screen_width_) + ")");
  // The palette as a table over all 256 indices, applied by ALE itself, so a screen is
  // converted and max-pooled in one pass (ALE's apply functions take one screen each).
  // The TIA's colours are even (bit 0 unused; ALE's palette keeps a colour's gray value at
  // the odd index after it, and reads one past an odd index): odd entries repeat the even one.
  std::vector<uint8_t> index(256);
  for (int i = 0; i < 256; ++i) index[i] = static_cast<uint8_t>(i & ~1);
  colour_.resize(256 * static_cast<size_t>(channels_));
  auto& palette = ale_->theOSystem->colourPalette();
  if (config.gray_scale)
    palette.applyPaletteGrayscale(colour_.data(), index.data(), 256);
  else
    palette.applyPaletteRGB(colour_.data(), index.data(), 256);
  last_.resize(static_cast<size_t>(screen_height_) * screen_width_ * channels_);
  resize_ = std::make_unique<AreaResize>(screen_height_, screen_width_, config.img_height, config.img_width, channels_);
}

Atari::~Atari() = default;

void Atari::check_rom(const std::string& rom_path) {
  std::optional<std::string> rom;
  try {
    rom = ale::ALEInterface::isSupportedROM(rom_path);
  } catch (const std::exception& e) {  // missing or unreadable
    throw std::runtime_error("cannot read the ROM file " + rom_path + " (" + e.what() +
                             "); was ale-py removed or reinstalled since the pool was made?");
  }
  if (!rom) throw std::invalid_argument("not a ROM that ALE supports (unknown or modified): " + rom_path);
}

namespace {

std::string listed(const std::vector<unsigned>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

void check_offered(const char* what, const char* plural, const std::optional<int>& value,
                   const std::vector<unsigned>& offered, const std::string& game) {
  if (!value) return;
  if (*value >= 0 && std::find(offered.begin(), offered.end(), static_cast<unsigned>(*value)) != offered.end()) return;
  throw std::invalid_argument(std::string(what) + " " + std::to_string(*value) + " is not available in " + game +
                              ", whose " + plural + " are " + listed(offered));
}

}  // namespace

void Atari::check_config(const AtariConfig& config) {
  check_rom(config.rom_path);
  if (!config.mode && !config.difficulty) return;
  // The game's settings, as ALE finds them for a ROM (by its MD5), without loading it:
  // an invalid mode makes ALE throw only once the ROM is loaded, in a worker.
  std::ifstream file(config.rom_path, std::ios::binary);
  const std::vector<uint8_t> rom((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::unique_ptr<ale::RomSettings> game(
      ale::buildRomRLWrapper(config.rom_path, ale::stella::MD5(rom.data(), static_cast<uint32_t>(rom.size()))));
  if (!game) throw std::invalid_argument("not a ROM that ALE supports (unknown or modified): " + config.rom_path);
  check_offered("mode", "modes", config.mode, game->getAvailableModes(), game->rom());
  check_offered("difficulty", "difficulties", config.difficulty, game->getAvailableDifficulties(), game->rom());
}

EnvSpec Atari::spec() const {
  const AtariConfig& c = config_;
  EnvSpec s;
  if (c.ram_obs)
    s.obs_shape = {static_cast<int64_t>(ale_->getRAM().size())};
  else
    s.obs_shape = {static_cast<int64_t>(c.stack_num) * (c.gray_scale ? 1 : 3), c.img_height, c.img_width};
  s.obs_dtype = Dtype::kUInt8;
  s.info_names = {"lives", "episode_frame_number", "frame_number", "game_over", "score", "game_step"};
  if (c.ram_info) {
    s.info_bytes_name = "ram";
    s.info_bytes = static_cast<int64_t>(ale_->getRAM().size());
  }
  s.num_actions = num_actions();
  for (int a : actions_) {  // "PLAYER_A_FIRE" -> "FIRE", as ale-py's get_action_meanings()
    const std::string name = ale::action_to_string(static_cast<ale::Action>(a));
    s.action_names.push_back(name.substr(name.rfind("PLAYER_A_") == 0 ? 9 : 0));
  }
  s.render_shape = {screen_height_, screen_width_, 3};
  return s;
}

void Atari::seed(uint64_t seed) {
  // As ale-py's AtariEnv: SeedSequence(seed) gives two words, one seeding the
  // no-op stream, one the emulator (sticky actions), passed as ale-py passes it:
  // as an int32, which ALE seeds with as the uint32 word again. Only -1 differs
  // (ale-py's ALE would seed from the clock; here it stays a fixed seed).
  uint32_t words[2];
  seed_sequence_words(seed, words, 2);
  rng_.reseed(words[0]);
  int32_t ale_seed = static_cast<int32_t>(words[1]);
  if (ale_seed == -1) ale_seed = INT32_MAX;
  // Reload at the next reset even if the seed is unchanged: that restarts the
  // sticky-action generator, so a seeded reset always replays the same episode.
  // A ROM loaded with this seed and not played since is already that state (the
  // first reset after make()), and a load costs tens of milliseconds.
  rom_stale_ = !(rom_fresh_ && ale_seed == ale_seed_);
  ale_seed_ = ale_seed;
  game_over_ = true;  // a new seed starts a new game
}

void Atari::load_rom() {
  check_rom(config_.rom_path);  // here too: the file may have gone since make(), and ALE would exit
  ale_->setInt("random_seed", ale_seed_);
  ale_->loadROM(config_.rom_path);
  // A loaded ROM is in its default mode and difficulty; these take effect at the next
  // reset_game and hold across resets (as ale-py sets them after every load).
  if (config_.mode) ale_->setMode(static_cast<ale::game_mode_t>(*config_.mode));
  if (config_.difficulty) ale_->setDifficulty(static_cast<ale::difficulty_t>(*config_.difficulty));
  rom_stale_ = false;
  rom_fresh_ = true;
}

namespace {

// dst[i] = colour[src[i]] (or the max with colour[prev[i]]), Channels bytes per pixel.
template <int Channels, bool Pool>
void convert(const uint8_t* colour, const uint8_t* src, const uint8_t* prev, size_t pixels, uint8_t* dst) {
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t* a = colour + Channels * src[i];
    for (int c = 0; c < Channels; ++c) {
      uint8_t v = a[c];
      if constexpr (Pool) {
        const uint8_t b = colour[Channels * prev[i] + c];
        v = v > b ? v : b;
      }
      dst[Channels * i + c] = v;
    }
  }
}

}  // namespace

void Atari::capture(bool pool) {
  // ALE's screen is the TIA's newest frame buffer (copied out only when read); the buffer
  // before it holds the frame before, the max-pool's other frame.
  const ale::stella::MediaSource& tia = ale_->theOSystem->console().mediaSource();
  const uint8_t* screen = tia.currentFrameBuffer();
  const uint8_t* prev = tia.previousFrameBuffer();
  const size_t n = static_cast<size_t>(screen_height_) * screen_width_;
  if (config_.gray_scale)
    pool ? convert<1, true>(colour_.data(), screen, prev, n, last_.data())
         : convert<1, false>(colour_.data(), screen, prev, n, last_.data());
  else
    pool ? convert<3, true>(colour_.data(), screen, prev, n, last_.data())
         : convert<3, false>(colour_.data(), screen, prev, n, last_.data());
}

void Atari::push_frame() {
  newest_ = (newest_ + 1) % config_.stack_num;
  (*resize_)(last_.data(), stack_.data() + newest_ * frame_size_);
}

void Atari::reset() {
  if (rom_stale_) load_rom();  // reseeding ALE means reloading the ROM, as in ale-py
  rom_fresh_ = false;
  const bool fire = config_.use_fire_reset && has_fire_;
  if (continue_game_ && !game_over_) {
    if (fire) ale_->act(ale::PLAYER_A_FIRE);  // relaunch after a lost life
  } else {
    snapshots_->reset_game(*ale_, reset_counts_);
    game_steps_ = 0;
    score_ = 0;
    const int noops = config_.noop_max > 0 ? static_cast<int>(rng_.integers(1, config_.noop_max + 1)) : 0;
    for (int i = 0; i < noops; ++i) {
      ale_->act(ale::PLAYER_A_NOOP);
      if (ale_->game_over()) snapshots_->reset_game(*ale_, reset_counts_);
    }
    if (fire) ale_->act(ale::PLAYER_A_FIRE);
  }
  continue_game_ = false;
  game_over_ = false;
  lives_ = ale_->lives();
  begin_episode();
  if (config_.ram_obs) return;
  // The first frame fills the whole stack.
  capture(false);
  push_frame();
  for (int i = 1; i < config_.stack_num; ++i)
    std::memcpy(stack_.data() + ((newest_ + i) % config_.stack_num) * frame_size_,
                stack_.data() + newest_ * frame_size_, frame_size_);
}

void Atari::step(int32_t action) {
  const auto a = static_cast<ale::Action>(actions_[action]);
  double reward = 0.0;
  bool life_lost = false, ended = false;
  int t = 0;
  for (; t < config_.frame_skip; ++t) {
    reward += ale_->act(a);
    game_over_ = ale_->game_over(/*with_truncation=*/false);
    const int lives = ale_->lives();
    life_lost = 0 < lives && lives < lives_;  // losing the last spare life is no episode end (as SB3, EnvPool)
    lives_ = lives;
    ended = game_over_ || (config_.episodic_life && life_lost);
    if (ended || t == config_.frame_skip - 1) break;
  }
  if (!config_.ram_obs) {
    // An episode that ends mid-skip shows its real last frame, unpooled.
    capture(config_.maxpool && config_.frame_skip > 1 && t == config_.frame_skip - 1);
    push_frame();
  }

  ++elapsed_step_;
  ++game_steps_;
  score_ += static_cast<int32_t>(reward);
  reward_ = config_.reward_clip ? static_cast<double>((reward > 0) - (reward < 0)) : reward;
  terminated_ = game_over_ || (config_.episodic_life && life_lost);
  truncated_ = game_steps_ >= config_.max_episode_steps;  // counted in agent steps, as EnvPool does
  continue_game_ = config_.episodic_life && life_lost && !game_over_ && !truncated_;
}

void Atari::write(void* obs, int32_t* info) const {
  auto* out = static_cast<uint8_t*>(obs);
  if (config_.ram_obs) {
    const ale::ALERAM& ram = ale_->getRAM();
    std::memcpy(out, ram.array(), ram.size());
  } else {
    for (int i = 0; i < config_.stack_num; ++i) {  // oldest first
      const int src = (newest_ + 1 + i) % config_.stack_num;
      std::memcpy(out + i * frame_size_, stack_.data() + src * frame_size_, frame_size_);
    }
  }
  info[0] = lives_;
  info[1] = ale_->getEpisodeFrameNumber();
  info[2] = ale_->getFrameNumber();
  info[3] = game_over_;
  info[4] = score_;
  info[5] = game_steps_;
  if (config_.ram_info) {
    const ale::ALERAM& ram = ale_->getRAM();
    std::memcpy(info + 6, ram.array(), ram.size());
  }
}

Counters Atari::counters() const {
  return {{"reset_snapshot_hits", reset_counts_.hits},
          {"reset_snapshot_misses", reset_counts_.misses},
          {"reset_snapshots_kept", static_cast<int64_t>(snapshots_->size())}};
}

bool Atari::render(uint8_t* rgb) const {
  ale_->theOSystem->colourPalette().applyPaletteRGB(rgb, ale_->getScreen().getArray(),
                                                     static_cast<size_t>(screen_height_) * screen_width_);
  return true;
}

}  // namespace fastpool

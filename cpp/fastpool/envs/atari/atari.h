// An Atari 2600 game (the Arcade Learning Environment) with the DQN
// preprocessing done natively: frame skip with summed rewards, max-pool of
// the last two frames, grayscale or RGB, area resize, frame stacking.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fastpool/core/env.h"
#include "fastpool/envs/atari/reset_snapshots.h"
#include "fastpool/envs/atari/resize.h"

namespace ale {
class ALEInterface;
}

namespace fastpool {

struct AtariConfig {
  std::string rom_path;
  int frame_skip = 4;
  bool maxpool = true;          // max over the last two frames of a skip
  bool gray_scale = true;       // else RGB
  int img_height = 84;
  int img_width = 84;
  int stack_num = 4;
  int noop_max = 30;            // reset with 1..noop_max no-ops (0: none)
  float repeat_action_probability = 0.25f;
  bool episodic_life = false;   // a lost life ends the episode; the game goes on
  bool use_fire_reset = true;   // press FIRE once at reset, where the game has FIRE
  bool reward_clip = false;     // reward -> sign(reward)
  bool full_action_space = false;
  int max_episode_steps = 27000;  // agent steps per game (108000 frames at frame_skip 4)
  // ALE's game mode and difficulty (Machado et al., 2018); unset: the ROM's defaults.
  std::optional<int> mode;
  std::optional<int> difficulty;
  // Observe the console's 128-byte RAM after each step (as ale-py's obs_type="ram") instead
  // of the screen; the screen options above then do nothing.
  bool ram_obs = false;
  // Report that RAM beside the screen too, as info["ram"] (EnvPool's info key).
  bool ram_info = false;
};

class Atari final : public Env {
 public:
  // Loads the ROM (tens of milliseconds) with the ALE seed of `seed`.
  Atari(const AtariConfig& config, uint64_t seed);
  ~Atari() override;

  // What a pool of these produces.
  EnvSpec spec() const;
  // Throws unless rom_path is a ROM that ALE supports (ALE itself would exit).
  static void check_rom(const std::string& rom_path);
  // check_rom, and that the game offers config's mode and difficulty; the error lists those it does.
  static void check_config(const AtariConfig& config);
  int num_actions() const { return static_cast<int>(actions_.size()); }

  void seed(uint64_t seed) override;
  void reset() override;
  void step(int32_t action) override;
  void write(void* obs, int32_t* info) const override;
  bool render(uint8_t* rgb) const override;
  Counters counters() const override;

 private:
  void load_rom();  // with ale_seed_
  // The screen, gray or RGB, into last_; with `pool`, the pixelwise max with the frame before.
  void capture(bool pool);
  void push_frame();  // resize last_ onto the stack

  AtariConfig config_;
  std::unique_ptr<ale::ALEInterface> ale_;
  std::shared_ptr<ResetSnapshots> snapshots_;  // this game's, shared with the other envs that play it
  ResetSnapshots::Counts reset_counts_;
  std::vector<int> actions_;  // our action index -> ALE action
  bool has_fire_ = false;
  int32_t ale_seed_ = 0;
  bool rom_stale_ = false;  // seeded since the ROM was loaded
  bool rom_fresh_ = false;  // loaded with ale_seed_ and not played since
  int channels_;
  int screen_height_, screen_width_;  // 210 x 160 for most games
  size_t frame_size_;  // one preprocessed frame: channels x img_height x img_width
  std::vector<uint8_t> colour_;       // palette index -> channels bytes (gray or RGB)
  std::vector<uint8_t> last_;         // the last screen, converted (and pooled)
  std::vector<uint8_t> stack_;        // stack_num frames, a ring
  int newest_ = 0;                    // ring index of the newest frame
  std::unique_ptr<AreaResize> resize_;
  int lives_ = 0;
  int game_steps_ = 0;        // steps since the game started (for truncation)
  int32_t score_ = 0;         // unclipped game score so far
  bool game_over_ = true;     // the game must restart at the next reset
  bool continue_game_ = false;  // episodic life: the next reset continues the game
};

}  // namespace fastpool

# Changes to ALE, made at configure time to a copy of its unmodified sources (fetched by package
# name): token substitutions, each of which must match exactly once. Each says what it does and
# what it measured; tests/test_atari_every_rom.py and test_atari_snapshots.py check the changed
# emulator against ale-py's.
#
# In:  FASTPOOL_ALE_SOURCE_DIR (unmodified).  Out: FASTPOOL_ALE_PATCHED_DIR (to build from).

set(FASTPOOL_ALE_PATCHED_DIR "${CMAKE_BINARY_DIR}/_deps/ale-patched")
set(_ale_patched_files
  src/ale/environment/stella_environment.hpp
  src/ale/environment/stella_environment.cpp
  src/ale/emucore/TIA.hxx
  src/ale/emucore/TIA.cxx
  src/ale/environment/phosphor_blend.hpp
  src/ale/environment/phosphor_blend.cpp)

# Everything else as it is (file(COPY) skips files whose timestamps already match).
set(_ale_excludes "")
foreach(_f IN LISTS _ale_patched_files)
  get_filename_component(_name "${_f}" NAME)
  list(APPEND _ale_excludes PATTERN "${_name}" EXCLUDE)
endforeach()
file(COPY "${FASTPOOL_ALE_SOURCE_DIR}/" DESTINATION "${FASTPOOL_ALE_PATCHED_DIR}" ${_ale_excludes})

# _ale_sub(<file> <old> <new>): in the text of <file>, <old> (found exactly once) becomes <new>.
macro(_ale_sub file old new)
  string(REPLACE "${old}" "" _rest "${_ale_text_${file}}")
  string(LENGTH "${_ale_text_${file}}" _len)
  string(LENGTH "${_rest}" _len_rest)
  string(LENGTH "${old}" _len_old)
  math(EXPR _count "(${_len} - ${_len_rest}) / ${_len_old}")
  if(NOT _count EQUAL 1)
    message(FATAL_ERROR "ALE patch: expected one '${old}' in ${file}, found ${_count} "
                        "(ale-py ${FASTPOOL_ALE_VERSION} changed? the patches are for this version)")
  endif()
  string(REPLACE "${old}" "${new}" _ale_text_${file} "${_ale_text_${file}}")
endmacro()

foreach(_f IN LISTS _ale_patched_files)
  get_filename_component(_name "${_f}" NAME)
  file(READ "${FASTPOOL_ALE_SOURCE_DIR}/${_f}" _ale_text_${_name})
endforeach()

# 1. Reset from a snapshot (fastpool's ResetSnapshots, cpp/fastpool/envs/atari/reset_snapshots.h):
#    reset() in two parts, after its first no-op frame, so that a saved outcome can replace the
#    second part (59 no-op frames, two soft resets, the ROM's starting actions). resetStart also
#    clears the sticky-action memory, as the soft resets of the second part do. Measured (plain
#    `pip install .`, 2 cores, benchmarks/ab_rounds.py, results in benchmarks/results/ab/): a
#    warm Breakout reset 0.39 ms instead of 8.85; Breakout N=8 on 2 threads 1.17x env steps/s
#    over 20-s runs, 1.04x over 5-s runs (the snapshots still being learned), N=64 1.09x.
_ale_sub(stella_environment.hpp
  "namespace ale {"
  "namespace fastpool { class ResetSnapshots; }\n\nnamespace ale {")
_ale_sub(stella_environment.hpp
  "  void reset();\n"
  "  void reset();\n  void resetStart();  // fastpool: reset() in two parts\n  void resetFinish();\n  friend class ::fastpool::ResetSnapshots;\n")
_ale_sub(stella_environment.cpp
  "void StellaEnvironment::reset() {\n"
  "void StellaEnvironment::reset() {\n  resetStart();\n  resetFinish();\n}\n\nvoid StellaEnvironment::resetStart() {\n")
_ale_sub(stella_environment.cpp
  "  int noopSteps;\n  noopSteps = 60;\n\n  emulate(PLAYER_A_NOOP, PLAYER_B_NOOP, 1.0, 1.0, noopSteps);\n"
  "  emulate(PLAYER_A_NOOP, PLAYER_B_NOOP, 1.0, 1.0, 1);\n  m_player_a_action = PLAYER_A_NOOP;\n  m_player_b_action = PLAYER_B_NOOP;\n}\n\nvoid StellaEnvironment::resetFinish() {\n  emulate(PLAYER_A_NOOP, PLAYER_B_NOOP, 1.0, 1.0, 59);\n")
#    A snapshot is taken and restored only between whole frames: the TIA says where it is.
_ale_sub(TIA.hxx
  "    uint8_t* previousFrameBuffer() const { return myPreviousFrameBuffer; }\n"
  "    uint8_t* previousFrameBuffer() const { return myPreviousFrameBuffer; }\n    bool partialFrame() const { return myPartialFrameFlag; }  // fastpool\n")

# 2. Colour-averaging tables made on first use, not with every environment: ALE builds them (a
#    nearest-colour search for each of 64^3 colours over the 128 of the palette) each time a ROM
#    is loaded, which a pool does for every env it makes and every env it reseeds, though only
#    colour averaging reads them (fastpool never turns it on). The palette they read is set
#    before the environment is built and changes only with the next load, so the tables are the
#    same. Measured (plain `pip install .`, 2 cores, Breakout, 64 envs on 2 threads): make() and
#    the first reset 3.0-4.3 s -> 0.5-1.0 s, a reset with new seeds 2.6-3.9 s -> 0.6-0.9 s (ale-py
#    0.12.1's AtariVectorEnv: 13 s and 3.7 s; EnvPool 1.2.7: 7.5 s to its first observation).
_ale_sub(phosphor_blend.hpp
  "  uint8_t m_phosphor_blend_ratio;\n"
  "  uint8_t m_phosphor_blend_ratio;\n  bool m_tables_made = false;  // fastpool: made on first use\n")
_ale_sub(phosphor_blend.cpp
  "  m_phosphor_blend_ratio = 77;\n\n  makeAveragePalette();\n"
  "  m_phosphor_blend_ratio = 77;\n")
_ale_sub(phosphor_blend.cpp
  "  Console& console = m_osystem->console();\n"
  "  if (!m_tables_made) {\n    makeAveragePalette();\n    m_tables_made = true;\n  }\n  Console& console = m_osystem->console();\n")

# 3. The TIA's pixel loop for pixels that show several objects (the default case of
#    updateFrameScanline) in passes a compiler vectorizes: which objects each pixel shows (no
#    branches, the loop invariants in locals: a pixel store through a uint8_t pointer may alias
#    any member, so each was reloaded per pixel); only if some pixel shows two objects or more,
#    for each object the union of the objects seen with it, from which the collisions follow
#    (ALE's collision table is one bit per pair of objects; a lone object collides with nothing);
#    then the colours, myPriorityEncoder's rules as mask selects (the halves apart, for the score
#    mode), not two table lookups per pixel. The same bits from the same tables and rules, so the
#    same pixels and collisions; tests/test_atari_every_rom.py checks it. Measured (plain `pip
#    install .`, benchmarks/ab_rounds.py, 10 alternated rounds, benchmarks/results/ab/): the first
#    form (tia_pixel_passes_*) Breakout N=8 on 1 thread 1.045x env steps/s, N=64 on 2 threads
#    1.047x, Pong N=8 on 2 threads 1.066x; colours as selects (tia_colour_selects_*) 1.034x,
#    1.012x, 0.977x; collisions only where objects overlap and the selects as masks, which made
#    every colour loop vector code (tia_shared_pixels_*) 1.106x, 1.103x, 1.007x.
_ale_sub(TIA.cxx
[=[
        for(; myFramePointer < ending; ++myFramePointer, ++hpos)
        {
          uint8_t enabled = (myPF & myCurrentPFMask[hpos]) ? myPFBit : 0;

          if((myEnabledObjects & myBLBit) && myCurrentBLMask[hpos])
            enabled |= myBLBit;

          if(myCurrentGRP1 & myCurrentP1Mask[hpos])
            enabled |= myP1Bit;

          if((myEnabledObjects & myM1Bit) && myCurrentM1Mask[hpos])
            enabled |= myM1Bit;

          if(myCurrentGRP0 & myCurrentP0Mask[hpos])
            enabled |= myP0Bit;

          if((myEnabledObjects & myM0Bit) && myCurrentM0Mask[hpos])
            enabled |= myM0Bit;

          myCollision |= ourCollisionTable[enabled];
          *myFramePointer = myColor[myPriorityEncoder[hpos < 80 ? 0 : 1]
              [enabled | myPlayfieldPriorityAndScore]];
        }
]=]
[=[
        // fastpool: which objects each pixel shows, and each object's companions (ale_patches.cmake)
        const uint32_t pf = myPF;
        const uint32_t* pfMask = myCurrentPFMask + hpos;
        const uint8_t blOn = (myEnabledObjects & myBLBit) ? 0xFF : 0;
        const uint8_t m0On = (myEnabledObjects & myM0Bit) ? 0xFF : 0;
        const uint8_t m1On = (myEnabledObjects & myM1Bit) ? 0xFF : 0;
        const uint8_t* blMask = myCurrentBLMask + hpos;  // every mask points into its table, on or off
        const uint8_t* m0Mask = myCurrentM0Mask + hpos;
        const uint8_t* m1Mask = myCurrentM1Mask + hpos;
        const uint8_t* p0Mask = myCurrentP0Mask + hpos;
        const uint8_t* p1Mask = myCurrentP1Mask + hpos;
        const uint8_t grp0 = myCurrentGRP0;
        const uint8_t grp1 = myCurrentGRP1;
        uint8_t objects[228];  // clocksToUpdate <= 228, a scanline's clocks
        uint8_t shared = 0;  // nonzero if a pixel shows two objects or more
        for(uint32_t i = 0; i < clocksToUpdate; ++i)
        {
          const uint8_t e = uint8_t((((pf & pfMask[i]) != 0) << 5) | (((blMask[i] & blOn) != 0) << 4) |
              (((m1Mask[i] & m1On) != 0) << 3) | (((p1Mask[i] & grp1) != 0) << 2) |
              (((m0Mask[i] & m0On) != 0) << 1) | ((p0Mask[i] & grp0) != 0));
          objects[i] = e;
          shared |= e & uint8_t(e - 1);
        }
        // The collisions of pixels that show several objects: each object's companions (the
        // union of the objects seen with it) and the pairs it forms with them (ALE's collision
        // table has one bit per pair: all pairs' bits but those of the other five objects).
        if(shared)
        {
          uint8_t withP0 = 0, withM0 = 0, withP1 = 0, withM1 = 0, withBL = 0, withPF = 0;
          for(uint32_t i = 0; i < clocksToUpdate; ++i)
          {
            const uint8_t e = objects[i];
            withP0 |= (e & myP0Bit) ? e : 0;
            withM0 |= (e & myM0Bit) ? e : 0;
            withP1 |= (e & myP1Bit) ? e : 0;
            withM1 |= (e & myM1Bit) ? e : 0;
            withBL |= (e & myBLBit) ? e : 0;
            withPF |= (e & myPFBit) ? e : 0;
          }
          const uint8_t with[6] = {withP0, withM0, withP1, withM1, withBL, withPF};
          for(int a = 0; a < 6; ++a)
            myCollision |= uint16_t(ourCollisionTable[with[a]] & ourCollisionTable[63] & ~ourCollisionTable[63 ^ (1 << a)]);
        }
        // The colours: myPriorityEncoder's rules as selects, the left and right halves apart (the
        // score mode colours the playfield as player 0 on the left, player 1 on the right).
        const bool priority = myPlayfieldPriorityAndScore & PriorityBit;
        const bool score = myPlayfieldPriorityAndScore & ScoreBit;
        const uint8_t bk = uint8_t(myColor[0]), cpf = uint8_t(myColor[1]);
        const uint8_t cp0 = uint8_t(myColor[2]), cp1 = uint8_t(myColor[3]);
        uint8_t* frame = myFramePointer;
        auto on = [](uint8_t bits) { return uint8_t(0 - uint8_t(bits != 0)); };  // a select's mask
        auto pick = [](uint8_t mask, uint8_t a, uint8_t b) { return uint8_t((a & mask) | (b & ~mask)); };
        auto colour = [&](uint32_t from, uint32_t to, bool left) {
          const uint8_t pfColour = (score && !priority) ? (left ? cp0 : cp1) : cpf;
          const uint8_t p1Colour = (score && !priority && left) ? cp0 : cp1;  // over the left score
          if(priority)
            for(uint32_t i = from; i < to; ++i)
            {
              const uint8_t e = objects[i];
              frame[i] = pick(on(e & (myPFBit | myBLBit)), cpf,
                  pick(on(e & (myP0Bit | myM0Bit)), cp0, pick(on(e & (myP1Bit | myM1Bit)), cp1, bk)));
            }
          else
            for(uint32_t i = from; i < to; ++i)
            {
              const uint8_t e = objects[i];
              const uint8_t pf = on(e & myPFBit);
              frame[i] = pick(on(e & (myP0Bit | myM0Bit)), cp0,
                  pick(on(e & (myP1Bit | myM1Bit)), pick(pf, p1Colour, cp1),
                      pick(pf, pfColour, pick(on(e & myBLBit), cpf, bk))));
            }
        };
        const uint32_t left = hpos >= 80 ? 0 : (clocksToUpdate < 80 - hpos ? clocksToUpdate : 80 - hpos);
        colour(0, left, true);
        colour(left, clocksToUpdate, false);
        myFramePointer = ending;
]=])

# 4. The screen copied out of the TIA when it is read, not after every frame: ALE copies each
#    frame's 33,600 pixels into its screen (processScreen), which fastpool reads once a step or
#    not at all (it reads the TIA's two frame buffers, the pair it max-pools). getScreen() makes
#    the copy if a frame came since the last one, from the same buffer, which nothing but the
#    next frame changes, so it returns the same screen. Measured (screen_when_read_*, as above):
#    Breakout N=8 on 1 thread 1.022x, N=64 on 2 threads 1.036x, Pong N=8 on 2 threads 1.013x.
_ale_sub(stella_environment.hpp
  "  const ALEScreen& getScreen() const { return m_screen; }\n"
  "  const ALEScreen& getScreen() const {\n    if (m_screen_stale) copyScreen();  // fastpool: copied when read\n    return m_screen;\n  }\n")
_ale_sub(stella_environment.hpp
  "  ALEScreen m_screen; // The current ALE screen (possibly colour-averaged)\n"
  "  mutable ALEScreen m_screen; // The current ALE screen (possibly colour-averaged)\n  mutable bool m_screen_stale = false;  // fastpool: a frame came since m_screen was copied\n  void copyScreen() const;\n")
_ale_sub(stella_environment.cpp
  "    // Copy screen over and we're done!\n    std::memcpy(m_screen.getArray(),\n           m_osystem->console().mediaSource().currentFrameBuffer(),\n           m_screen.arraySize());\n  }\n}\n"
  "    m_screen_stale = true;  // fastpool: copied when read\n  }\n}\n\nvoid StellaEnvironment::copyScreen() const {\n  std::memcpy(m_screen.getArray(),\n         m_osystem->console().mediaSource().currentFrameBuffer(),\n         m_screen.arraySize());\n  m_screen_stale = false;\n}\n")

# Write a changed file only when its text changed, so that a re-configure rebuilds nothing.
foreach(_f IN LISTS _ale_patched_files)
  get_filename_component(_name "${_f}" NAME)
  set(_out "${FASTPOOL_ALE_PATCHED_DIR}/${_f}")
  set(_old "")
  if(EXISTS "${_out}")
    file(READ "${_out}" _old)
  endif()
  if(NOT _old STREQUAL _ale_text_${_name})
    file(WRITE "${_out}" "${_ale_text_${_name}}")
  endif()
endforeach()

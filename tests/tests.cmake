# Unit tests: one cmocka program per module, run by ctest. Tests of the core
# link only the core library, so a core test that reached into the program
# fails to link; the tests of the program (named below) link the program's
# library.
set(LF_TEST_DIR ${CMAKE_SOURCE_DIR}/tests)
set(LF_APP_TEST_REGEX "^test_(apply|buttons|insight|kernel_edit|layer_view|samples|cli|explore|hover|input|layout|notice|movie|pace|race|recorder|reel|render|render_layer|setup|soak_window|stop_clock|target_view|window_.*|worker)$")
file(GLOB LF_TEST_SOURCES CONFIGURE_DEPENDS ${LF_TEST_DIR}/test_*.c)
foreach(source ${LF_TEST_SOURCES})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${source})
  target_compile_options(${name} PRIVATE ${LF_WARNINGS})
  target_compile_definitions(${name} PRIVATE LF_TEST_DATA_DIR="${LF_TEST_DIR}/data"
                             LF_TEST_REFERENCE_DIR="${LF_TEST_DIR}/reference"
                             LF_SOURCE_DATA_DIR="${LF_SOURCE_DATA_DIR}")
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src/core ${LF_TEST_DIR})
  if(name MATCHES "${LF_APP_TEST_REGEX}")
    target_link_libraries(${name} PRIVATE learnfilter_app PkgConfig::CMOCKA GIF::GIF)
  else()
    target_link_libraries(${name} PRIVATE learnfilter_core PkgConfig::CMOCKA GIF::GIF)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  # Verdicts are bound by work, not time; the time-out only stops a hang
  # (generous: the window soak under ThreadSanitizer on a busy machine).
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy"
                       TIMEOUT 900)
endforeach()
# A FIFO that is opened rather than refused blocks for ever: a hang guard.
set_tests_properties(test_walk PROPERTIES TIMEOUT 300)

# The window on a real X server, where Debian's xvfb is installed: the same
# screenshot test, with the X11 video driver instead of the dummy one.
find_program(LF_XVFB_RUN xvfb-run)
if(LF_XVFB_RUN)
  add_test(NAME test_window_xvfb
           COMMAND ${LF_XVFB_RUN} -a -s "-screen 0 1280x720x24" $<TARGET_FILE:test_window_screenshot>)
  # The X11 and OpenGL libraries keep a few allocations until exit (D-Bus,
  # Mesa's dlopen'ed driver), which LeakSanitizer would report; our own
  # code's leaks are checked by the dummy-driver run of the same test.
  # Three program runs on Mesa's software renderer: over 120 s under the
  # sanitizers at load 10-14, so the time-out is a hang guard only. The two
  # X tests never run at once: xvfb-run -a picks a free display number by
  # looking, and two starting together can pick the same one.
  set_tests_properties(test_window_xvfb PROPERTIES
                       ENVIRONMENT "SDL_VIDEODRIVER=x11;SDL_AUDIODRIVER=dummy;ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"
                       TIMEOUT 900 RESOURCE_LOCK xvfb)
  # Recording and screenshots read back through the real renderer (OpenGL
  # under Xvfb), whose read-back differs from the dummy driver's. Under the
  # sanitizers on a busy 2-core machine it takes 150 to 360 s: the
  # timeout is only a hang guard.
  add_test(NAME test_window_record_xvfb
           COMMAND ${LF_XVFB_RUN} -a -s "-screen 0 1280x720x24" $<TARGET_FILE:test_window_record>)
  set_tests_properties(test_window_record_xvfb PROPERTIES
                       ENVIRONMENT "SDL_VIDEODRIVER=x11;SDL_AUDIODRIVER=dummy;ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"
                       TIMEOUT 1200 RESOURCE_LOCK xvfb)
else()
  message(STATUS "xvfb-run not found: the real-window test is skipped")
endif()

# The program itself: --frames and --stats end with one JSON line of figures.
add_test(NAME learnfilter_stats COMMAND learnfilter --frames 12 --stats --paused)
set_tests_properties(learnfilter_stats PROPERTIES
  ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy"
  PASS_REGULAR_EXPRESSION "^\\{\"frames\": 12, \"frame_ms_p50\": [0-9.]+, \"frame_ms_p99\": [0-9.]+, .*\"fps\": [0-9.]+, \"steps\": 0, \"steps_per_s\": [0-9.]+.*\\}\n$")
# --stats is JSON after any number of frames: Python's json module reads it
# (NaN would be refused) after 1, 2 and 12 frames.
if(EXISTS /usr/bin/python3)
  foreach(frames 1 2 12)
    add_test(NAME learnfilter_stats_json_${frames}
             COMMAND /usr/bin/python3 ${LF_TEST_DIR}/check_stats_json.py
                     $<TARGET_FILE:learnfilter> ${frames})
    set_tests_properties(learnfilter_stats_json_${frames} PROPERTIES
                         ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy")
  endforeach()
endif()
# The layout over a matrix of window sizes and UI scales, from the boxes
# --layout-out writes: no text overlaps another, leaves the window or its
# panel, or is clipped; cell values readable and never smaller at a bigger
# scale (tests/check_layout.py says every rule).
if(EXISTS /usr/bin/python3)
  add_test(NAME layout_matrix
           COMMAND /usr/bin/python3 ${LF_TEST_DIR}/check_layout.py $<TARGET_FILE:learnfilter>
                   ${CMAKE_CURRENT_BINARY_DIR}/layout_matrix
                   --images ${LF_SOURCE_DATA_DIR}/astronaut.jpg --size 128)
  # Dozens of program runs one after another: 820 s under the sanitizers
  # at load 10-14 on 2 cores, so the hang guard is far above that.
  set_tests_properties(layout_matrix PROPERTIES
                       ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy"
                       TIMEOUT 2400)
endif()
# The same rules with a race on screen (key C on the second frame): the
# second run's kernel, its curve and legend, and the lead line.
if(EXISTS /usr/bin/python3)
  add_test(NAME layout_matrix_race
           COMMAND /usr/bin/python3 ${LF_TEST_DIR}/check_layout.py $<TARGET_FILE:learnfilter>
                   ${CMAKE_CURRENT_BINARY_DIR}/layout_matrix_race
                   --images ${LF_SOURCE_DATA_DIR}/astronaut.jpg --size 128 --press C)
  set_tests_properties(layout_matrix_race PROPERTIES
                       ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy"
                       TIMEOUT 2400)
endif()
# The same rules for a convolution layer: a 3- and an 8-filter colour layer,
# the random-filters view (Shift+X), training and the presentation layout.
if(EXISTS /usr/bin/python3)
  add_test(NAME layout_matrix_layer
           COMMAND /usr/bin/python3 ${LF_TEST_DIR}/check_layout.py $<TARGET_FILE:learnfilter>
                   ${CMAKE_CURRENT_BINARY_DIR}/layout_matrix_layer
                   --images ${LF_SOURCE_DATA_DIR}/astronaut.jpg --size 128 --layer-matrix)
  set_tests_properties(layout_matrix_layer PROPERTIES
                       ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy"
                       TIMEOUT 900)
endif()
# A movie made by the program must open in PIL as it does for users
# (skipped without Debian's python3-pil).
if(EXISTS /usr/bin/python3)
  add_test(NAME gif_opens_in_pil
           COMMAND /usr/bin/python3 ${LF_TEST_DIR}/check_gif_pil.py $<TARGET_FILE:learnfilter>
                   ${LF_SOURCE_DATA_DIR})
  set_tests_properties(gif_opens_in_pil PROPERTIES SKIP_RETURN_CODE 77)
endif()

# --target end to end: the JSON's best filter against NumPy's least squares
# on the patches the program trained on (skipped without NumPy and SciPy).
if(EXISTS /usr/bin/python3)
  add_test(NAME headless_target
           COMMAND /usr/bin/python3 ${LF_TEST_DIR}/check_target.py $<TARGET_FILE:learnfilter>
                   ${LF_SOURCE_DATA_DIR})
  # Alone: it keeps a core busy for seconds, which would starve the tests
  # that count frames in a fixed time. The timeout is a hang guard only: the
  # sanitizer build on a busy machine took 160 s.
  set_tests_properties(headless_target PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL TRUE
                       ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy")
endif()

# A layer end to end: a colour bank with ReLU and pooling converges to the
# true bank, the JSON's layer fields, the .npy shapes, the Gram and direct
# engines agreeing on a gray bank, the refusals (skipped without NumPy).
if(EXISTS /usr/bin/python3)
  add_test(NAME headless_layer
           COMMAND /usr/bin/python3 ${LF_TEST_DIR}/check_layer.py $<TARGET_FILE:learnfilter>)
  # Alone, as headless_target: it keeps both cores busy for seconds. The
  # timeout is a hang guard only.
  set_tests_properties(headless_layer PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL TRUE
                       ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy")
endif()

# Benchmarks: programs that print figures, built but not run by ctest.
add_executable(bench_recording ${LF_TEST_DIR}/bench_recording.c)
target_compile_options(bench_recording PRIVATE ${LF_WARNINGS} ${LF_OPT_FLAGS})
target_compile_definitions(bench_recording PRIVATE LF_SOURCE_DATA_DIR="${LF_SOURCE_DATA_DIR}")
target_link_libraries(bench_recording PRIVATE learnfilter_app)

# End to end: the built program run headless (exit codes, the JSON line,
# weight files). Debian's python3 with NumPy, when present, also loads the
# .npy it writes; without it the script checks the bytes itself.
set(LF_E2E_PYTHON "")
find_program(LF_SYSTEM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(LF_SYSTEM_PYTHON)
  execute_process(COMMAND ${LF_SYSTEM_PYTHON} -c "import numpy"
                  RESULT_VARIABLE LF_NUMPY_MISSING OUTPUT_QUIET ERROR_QUIET)
  if(LF_NUMPY_MISSING EQUAL 0)
    set(LF_E2E_PYTHON ${LF_SYSTEM_PYTHON})
  endif()
endif()
if(LF_E2E_PYTHON)
  message(STATUS "headless_e2e also checks .npy files with NumPy (${LF_E2E_PYTHON})")
else()
  message(STATUS "headless_e2e runs without NumPy: python3-numpy not found")
endif()
add_test(NAME headless_e2e
         COMMAND bash ${LF_TEST_DIR}/headless_e2e.sh $<TARGET_FILE:learnfilter> ${LF_E2E_PYTHON})
# The time-out is a hang guard only: under the sanitizers on a busy 2-core
# machine the script took more than 120 s.
set_tests_properties(headless_e2e PROPERTIES ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy"
                     TIMEOUT 600)

# The headless trainer on bad options, bad input and faults: exit codes, one
# line on stderr, no files left behind.
add_test(NAME headless_errors
         COMMAND bash ${LF_TEST_DIR}/headless_errors.sh $<TARGET_FILE:learnfilter>
                 ${LF_SOURCE_DATA_DIR})

# Paths that could hang the program, loop its folder walk, fill memory or
# disk, or overwrite the user's files: refused before any work, with one
# line naming the option and the path (tests/paths_errors.sh). The
# 3,000-frame movie is left out under the sanitizers, where it takes minutes.
add_test(NAME paths_errors
         COMMAND bash ${LF_TEST_DIR}/paths_errors.sh $<TARGET_FILE:learnfilter>
                 ${LF_SOURCE_DATA_DIR} ${LF_E2E_PYTHON})
set_tests_properties(paths_errors PROPERTIES TIMEOUT 600
                     ENVIRONMENT "LF_TEST_SANITIZED=$<IF:$<BOOL:${LF_SANITIZE}>,1,0>")
# SIGINT and SIGTERM during a headless run: files finished, no temporaries,
# exit 130 / 143.
add_test(NAME signal_stop
         COMMAND bash ${LF_TEST_DIR}/signal_stop.sh $<TARGET_FILE:learnfilter> ${LF_E2E_PYTHON})
set_tests_properties(signal_stop PROPERTIES TIMEOUT 300)
# Unreadable inputs and unwritable outputs as an unprivileged user, also
# when the tests run as root (through setpriv); skipped only without it.
add_test(NAME permissions
         COMMAND bash ${LF_TEST_DIR}/permissions.sh $<TARGET_FILE:learnfilter>
                 ${LF_SOURCE_DATA_DIR})
set_tests_properties(permissions PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
# --save-state and --resume: 2N steps against N resumed for N more, byte for
# byte, on every optimizer and both engines, for one gray filter and a layer;
# bad state files and other layers refused.
if(EXISTS /usr/bin/python3)
  add_test(NAME state_roundtrip
           COMMAND bash ${LF_TEST_DIR}/state_roundtrip.sh $<TARGET_FILE:learnfilter> ${LF_SOURCE_DATA_DIR})
  # About 45 runs that each load the photos: 218 s under AddressSanitizer at a
  # load average of 11. The timeout is a hang guard only.
  set_tests_properties(state_roundtrip PROPERTIES
                       ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy" TIMEOUT 900)
endif()

# --race headless: the JSON of both runs (the same keys), the winner, bit
# for bit the same figures when the race changes nothing, and refusals.
if(EXISTS /usr/bin/python3)
  add_test(NAME race_e2e
           COMMAND bash ${LF_TEST_DIR}/race_e2e.sh $<TARGET_FILE:learnfilter> ${LF_SOURCE_DATA_DIR})
  set_tests_properties(race_e2e PROPERTIES TIMEOUT 300)
endif()

# What the program says before a window opens: no display, near-miss
# names, a headless run out of time short of --tol.
add_test(NAME window_cli
         COMMAND bash ${LF_TEST_DIR}/window_cli.sh $<TARGET_FILE:learnfilter>
                 ${LF_SOURCE_DATA_DIR})

# An output that cannot be written is refused before any image is read:
# with images that cannot be loaded, the output's error is the only line.
add_test(NAME outputs_first
         COMMAND bash ${LF_TEST_DIR}/outputs_first.sh $<TARGET_FILE:learnfilter>)
set_tests_properties(outputs_first PROPERTIES
                     ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy" TIMEOUT 600)

# libFuzzer targets, only with -DLF_FUZZ=ON and clang (tests/fuzz/CMakeLists.txt).
if(LF_FUZZ)
  add_subdirectory(${LF_TEST_DIR}/fuzz ${CMAKE_BINARY_DIR}/fuzz)
endif()

# Benchmarks: programs that print figures, built with the tests but not run
# by ctest (tests/bench/CMakeLists.txt).
include(${LF_TEST_DIR}/bench/CMakeLists.txt)

# Unit tests: one cmocka program per module, run by ctest.
set(LF_TEST_DIR ${CMAKE_SOURCE_DIR}/tests)
file(GLOB LF_TEST_SOURCES CONFIGURE_DEPENDS ${LF_TEST_DIR}/test_*.c)
foreach(source ${LF_TEST_SOURCES})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${source})
  target_compile_options(${name} PRIVATE ${LF_WARNINGS})
  target_compile_definitions(${name} PRIVATE LF_TEST_DATA_DIR="${LF_TEST_DIR}/data"
                             LF_SOURCE_DATA_DIR="${LF_SOURCE_DATA_DIR}")
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src/core ${LF_TEST_DIR})
  target_link_libraries(${name} PRIVATE learnfilter_app PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy")
endforeach()

# The window on a real X server, where Debian's xvfb is installed: the same
# screenshot test, with the X11 video driver instead of the dummy one.
find_program(LF_XVFB_RUN xvfb-run)
if(LF_XVFB_RUN)
  add_test(NAME test_window_xvfb
           COMMAND ${LF_XVFB_RUN} -a -s "-screen 0 1280x720x24" $<TARGET_FILE:test_window_screenshot>)
  # The X11 and OpenGL libraries keep a few allocations until exit (D-Bus,
  # Mesa's dlopen'ed driver), which LeakSanitizer would report; our own
  # code's leaks are checked by the dummy-driver run of the same test.
  set_tests_properties(test_window_xvfb PROPERTIES
                       ENVIRONMENT "SDL_VIDEODRIVER=x11;SDL_AUDIODRIVER=dummy;ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"
                       TIMEOUT 120)
else()
  message(STATUS "xvfb-run not found: the real-window test is skipped")
endif()

# The program itself: --frames and --stats end with one JSON line of figures.
add_test(NAME learnfilter_stats COMMAND learnfilter --frames 12 --stats --paused)
set_tests_properties(learnfilter_stats PROPERTIES
  ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy"
  PASS_REGULAR_EXPRESSION "^\\{\"frames\": 12, \"frame_ms_p50\": [0-9.]+, \"frame_ms_p99\": [0-9.]+, .*\"fps\": [0-9.]+, \"steps\": 0, \"steps_per_s\": [0-9.]+.*\\}\n$")

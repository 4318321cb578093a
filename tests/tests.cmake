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

# The headless trainer on bad options, bad input and faults: exit codes, one
# line on stderr, no files left behind.
add_test(NAME headless_errors
         COMMAND bash ${LF_TEST_DIR}/headless_errors.sh $<TARGET_FILE:learnfilter>
                 ${LF_SOURCE_DATA_DIR})

# libFuzzer targets, only with -DLF_FUZZ=ON and clang (tests/fuzz/CMakeLists.txt).
if(LF_FUZZ)
  add_subdirectory(${LF_TEST_DIR}/fuzz ${CMAKE_BINARY_DIR}/fuzz)
endif()

# Installs the build into a scratch prefix, moves the prefix out of the build tree, and checks
# that what is installed finds its own rulesets there (docs/rulesets.md, "Where telecomply finds
# its rulesets"): the installed CLI, and tests/consumer built with find_package(telecomply CONFIG)
# against the moved package. Everything runs from a folder with a decoy rulesets/ of its own, and
# the output names the folder read: never the source tree's rulesets/ nor ./rulesets.
#   cmake -DBUILD=<build dir> -DSRC=<source dir> -DWORK=<scratch> [-DCXX=<compiler>]
#         [-DCXX_FLAGS=<flags, e.g. the sanitizers the build was made with>] -P install_consumer.cmake
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
unset(ENV{TELECOMPLY_RULESETS})
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)  # the case store's clock

# The moved install lives outside the build tree: a program inside it may read the source tree's
# rulesets, one outside never does.
if(DEFINED ENV{TMPDIR} AND IS_DIRECTORY "$ENV{TMPDIR}")
  set(tmp "$ENV{TMPDIR}")
else()
  set(tmp /tmp)
endif()
string(RANDOM LENGTH 10 suffix)
file(REAL_PATH ${tmp} tmp)  # as the programs see it, symbolic links resolved
set(MOVED ${tmp}/telecomply-install-test-${suffix})
file(REMOVE_RECURSE ${MOVED})
file(MAKE_DIRECTORY ${MOVED}/rulesets)  # the decoy: empty, so reading it would fail
set(P ${MOVED}/prefix)
set(installed_rulesets ${P}/share/telecomply/rulesets)
string(REGEX REPLACE "([][+.*?()^$|\\])" "\\\\\\1" installed_re "${installed_rulesets}")

function(fail message)
  file(REMOVE_RECURSE ${MOVED})
  message(FATAL_ERROR "${message}")
endfunction()

# Runs ARGN in ${MOVED}; fails unless it exits with expect_rc; leaves `out` and `err` set.
function(step what expect_rc)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${MOVED}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL expect_rc)
    fail("${what}: exit ${rc}, expected ${expect_rc}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

function(expect what text pattern)
  if(NOT text MATCHES "${pattern}")
    fail("${what}: output does not match '${pattern}':\n${text}")
  endif()
endfunction()

function(expect_not what text literal)
  string(FIND "${text}" "${literal}" at)
  if(NOT at EQUAL -1)
    fail("${what}: output names '${literal}':\n${text}")
  endif()
endfunction()

# ---- install, then move the prefix
step(install 0 ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
file(GLOB_RECURSE package_files ${WORK}/prefix/lib*/cmake/telecomply/*.cmake)
foreach(f ${package_files})
  file(READ ${f} text)
  expect_not("installed ${f}" "${text}" "${SRC}")
  expect_not("installed ${f}" "${text}" "${BUILD}")
endforeach()
file(COPY ${WORK}/prefix DESTINATION ${MOVED})
file(REMOVE_RECURSE ${WORK}/prefix)

# ---- the installed CLI reads <moved prefix>/share/telecomply/rulesets
set(CLI ${P}/bin/telecomply)
set(apps ${SRC}/examples/applications)
step(version 0 ${CLI} --version)
expect(version "${out}" "rulesets: ${installed_re}\n")
step(check 1 ${CLI} check ${apps}/gd-new-company-ineligible.json)
expect(check "${out}" "rules CN-GD@2026.1  =>  INELIGIBLE")
expect(check "${out}" "COMPANY_TOO_NEW")
step(lint 0 ${CLI} lint)
expect(lint "${out}" "[0-9]+ ruleset versions checked: 0 errors, 0 warnings")
step(test 0 ${CLI} test)
expect(test "${out}" "([0-9]+) cases: ([0-9]+) passed, 0 failed; 0 finding codes not covered")
step(graph 0 ${CLI} graph --region CN-BJ)
step(calendar 0 ${CLI} calendar show --region CN-GX)
expect(calendar "${out}" "calendar CN-GX")
step(case_new 0 ${CLI} case new ${apps}/gd-retail-eligible.json --store ${MOVED}/cases.db --at 2026-03-02)
step(case_submit 0 ${CLI} case event GD-2026-0412 submit --store ${MOVED}/cases.db --at 2026-03-02)
step(case_verify 0 ${CLI} case verify --store ${MOVED}/cases.db)
# the variable comes first, and a folder it names is used as is
step(env 2 ${CMAKE_COMMAND} -E env TELECOMPLY_RULESETS=${MOVED}/nowhere ${CLI} lint)
expect(env "${out}${err}" "${MOVED}/nowhere")
# --rulesets comes before everything
step(option 2 ${CLI} check --rulesets ${MOVED}/rulesets ${apps}/gd-retail-eligible.json)

# ---- a program built against the moved package reads its rulesets
# the consumer is built with the build's compiler and sanitizers: an instrumented library links
# only so
set(compiler_args "")
if(CXX)
  list(APPEND compiler_args -DCMAKE_CXX_COMPILER=${CXX})
endif()
if(CXX_FLAGS)
  list(APPEND compiler_args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}")
endif()
step(configure 0 ${CMAKE_COMMAND} -S ${SRC}/tests/consumer -B ${MOVED}/consumer -G Ninja
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${P} ${compiler_args})
expect(telecomply_RULESETS_DIR "${out}" "telecomply_RULESETS_DIR: ${installed_re}\n")
step(build 0 ${CMAKE_COMMAND} --build ${MOVED}/consumer --parallel 1)
step(default_rulesets 0 ${MOVED}/consumer/consumer_default_rulesets ${apps}/gd-new-company-ineligible.json)
expect(default_rulesets "${out}" "at static initialisation: ${installed_re}\n")
expect(default_rulesets "${out}" "default_dir: ${installed_re}\n")
expect(default_rulesets "${out}" "engine reads: ${installed_re}\n")
expect(default_rulesets "${out}" "GD-2026-0587: ineligible under CN-GD@2026.1\n")
expect(default_rulesets "${out}" "\n  COMPANY_TOO_NEW\n")
step(run 0 ${MOVED}/consumer/consumer ${apps}/gd-new-company-ineligible.json ${installed_rulesets})
expect(run "${out}" "ineligible under CN-GD@2026.1")
expect(run "${out}" "COMPANY_TOO_NEW")
step(run_custom_function 0 ${MOVED}/consumer/consumer_custom_function)
expect(run_custom_function "${out}" "blocked: true")
expect(run_custom_function "${out}" "no such overload: prefix_of\\(string, string\\)")

# ---- the build tree's program, copied out of it with nothing beside it, never reads the source
# tree (it may find an install of the configured prefix, or nothing)
file(MAKE_DIRECTORY ${MOVED}/copy/bin)
file(COPY ${BUILD}/cli/telecomply DESTINATION ${MOVED}/copy/bin)
step(copied 0 ${MOVED}/copy/bin/telecomply --version)
expect(copied "${out}" "rulesets: ")
expect_not(copied "${out}" "${SRC}")
expect_not(copied "${out}" "rulesets: rulesets")

file(REMOVE_RECURSE ${MOVED})

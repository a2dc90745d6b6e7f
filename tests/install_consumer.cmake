# Installs the build into a scratch prefix, builds tests/consumer against it with
# find_package(telecomply CONFIG), and runs it on an example with the installed rulesets.
#   cmake -DBUILD=<build dir> -DSRC=<source dir> -DWORK=<scratch> [-DCXX=<compiler>]
#         [-DCXX_FLAGS=<flags, e.g. the sanitizers the build was made with>] -P install_consumer.cmake
file(REMOVE_RECURSE ${WORK})
function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()
step(install ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
set(compiler_args "")
if(CXX)
  list(APPEND compiler_args -DCMAKE_CXX_COMPILER=${CXX})
endif()
if(CXX_FLAGS)
  list(APPEND compiler_args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}")
endif()
step(configure ${CMAKE_COMMAND} -S ${SRC}/tests/consumer -B ${WORK}/build -G Ninja
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${WORK}/prefix ${compiler_args})
step(build ${CMAKE_COMMAND} --build ${WORK}/build)
step(run ${WORK}/build/consumer ${SRC}/examples/applications/gd-new-company-ineligible.json
     ${WORK}/prefix/share/telecomply/rulesets)
if(NOT out MATCHES "ineligible under CN-GD@2026.1" OR NOT out MATCHES "COMPANY_TOO_NEW")
  message(FATAL_ERROR "unexpected output:\n${out}")
endif()
step(run_custom_function ${WORK}/build/consumer_custom_function)
if(NOT out MATCHES "blocked: true" OR NOT out MATCHES "no such overload: prefix_of\\(string, string\\)")
  message(FATAL_ERROR "unexpected output of consumer_custom_function:\n${out}")
endif()

# Helpers for the command-line test scripts: run the CLI (${CLI}) and check its output.

# Runs ${CLI} with ARGN, fails unless it exits with expect_rc; leaves `out` and `err` set.
function(run name expect_rc)
  execute_process(COMMAND ${CLI} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL expect_rc)
    message(FATAL_ERROR "${name}: exit ${rc}, expected ${expect_rc}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# Fails unless `text` matches the regular expression `pattern`.
function(expect name text pattern)
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "${name}: output does not match '${pattern}':\n${text}")
  endif()
endfunction()

# A member of a JSON text, compared with a value.
function(expect_json name text value)
  string(JSON got ERROR_VARIABLE e GET "${text}" ${ARGN})
  if(e OR NOT got STREQUAL value)
    message(FATAL_ERROR "${name}: ${ARGN} is '${got}' (${e}), expected '${value}':\n${text}")
  endif()
endfunction()

# The length of a JSON array (the member named by ARGN, or the whole text).
function(expect_length name text value)
  string(JSON got ERROR_VARIABLE e LENGTH "${text}" ${ARGN})
  if(e OR NOT got EQUAL value)
    message(FATAL_ERROR "${name}: ${ARGN} has ${got} elements (${e}), expected ${value}:\n${text}")
  endif()
endfunction()

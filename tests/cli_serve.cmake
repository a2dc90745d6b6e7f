# `telecomply serve` runs the Python server (python -m telecomply serve) with the configured
# interpreter and passes its arguments on; it never listens beyond loopback without --auth.
#   cmake -DCLI=<telecomply> -DWORK=<scratch dir> -P cli_serve.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# the server's own options reach it
run(serve_help 0 serve --help)
expect(serve_help "${out}" "--decision-log")
# no tokens: loopback only, refused before anything is opened
run(serve_public_without_auth 2 serve --host 0.0.0.0 --store ${WORK}/cases.db)
expect(serve_public_without_auth "${err}" "needs --auth")
if(EXISTS ${WORK}/cases.db)
  message(FATAL_ERROR "serve_public_without_auth: created a store")
endif()
# a bad tokens file stops it before it listens
file(WRITE ${WORK}/auth.json "{\"tokens\": []}")
run(serve_bad_auth 2 serve --auth ${WORK}/auth.json --store ${WORK}/cases.db)
expect(serve_bad_auth "${err}" "auth.json")
# an interpreter that cannot be run is said so
set(ENV{TELECOMPLY_PYTHON} ${WORK}/no-such-python)
run(serve_no_python 2 serve)
expect(serve_no_python "${err}" "cannot run .*no-such-python")

# `telecomply screen` on the shipped sample (docs/screening.md's worked example) and on bad
# input: formats, exit statuses, row numbers, bad rows named while the rest is screened.
#   cmake -DCLI=<telecomply> -DSRC=<source dir> -DWORK=<scratch dir> -P cli_screen.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{TELECOMPLY_RULESETS} ${SRC}/rulesets)
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

set(calls ${SRC}/examples/calls/calls.csv)
set(sample --registry ${SRC}/examples/calls/registry.jsonl --refusals ${SRC}/examples/calls/refusals.csv)

# the worked example of docs/screening.md, line for line
run(jsonl 1 screen ${calls} ${sample} --format jsonl)
set(expected "{\"row\":1,\"codes\":[]}
{\"row\":2,\"codes\":[\"OUTSIDE_CALLING_WINDOW\"]}
{\"row\":3,\"codes\":[\"CALLER_NOT_WHITELISTED\"]}
{\"row\":4,\"codes\":[\"CALLEE_REFUSED\"]}
")
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "jsonl: got\n${out}\nexpected\n${expected}")
endif()
file(READ ${SRC}/docs/screening.md doc)
string(FIND "${doc}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "docs/screening.md does not show the output of its worked example:\n${expected}")
endif()

# text: what an officer reads
run(text 1 screen ${calls} ${sample})
expect(text "${out}" "4 calls, 3 with findings, 0 bad rows")
expect(text "${out}" "OUTSIDE_CALLING_WINDOW  1\n      CN-GD  1")
expect(text "${out}" "CALLER_NOT_WHITELISTED  1\n      \\(not listed\\)  1")
expect(text "${out}" "row 4: 13800138000 -> 13611112222 at 2026-03-18 11:00:00 for 30 s")

# csv and json, and the summary file
run(csv 1 screen ${calls} ${sample} --format csv)
expect(csv "${out}" "^row,codes,error\n1,,\n2,OUTSIDE_CALLING_WINDOW,\n")
run(json 1 screen ${calls} ${sample} --format json --summary ${WORK}/summary.json)
expect_json(json "${out}" 4 summary rows)
expect_json(json "${out}" OUTSIDE_CALLING_WINDOW rows 1 codes 0)
file(READ ${WORK}/summary.json summary)
expect_json(summary "${summary}" 3 flagged_rows)
expect_json(summary "${summary}" 1 by_code CALLEE_REFUSED)

# standard input
execute_process(COMMAND ${CLI} screen - ${sample} --format jsonl INPUT_FILE ${calls}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT out STREQUAL expected)
  message(FATAL_ERROR "stdin: exit ${rc}\n${out}\n${err}")
endif()

# nothing found: exit 0
file(WRITE ${WORK}/clean.csv "caller,callee,start,duration_s\n13800138000,13912345678,2026-03-18 10:00:00,60\n")
run(clean 0 screen ${WORK}/clean.csv ${sample} --format jsonl)

# bad rows: named with their row, line and column; the rest is screened; exit 2
file(WRITE ${WORK}/bad.csv "caller,callee,start,duration_s
13800138000,13912345678,2026-03-18 10:00:00,60
13800138000,13912345678,2026-03-18 25:00:00,60

x13800138000,13912345678,2026-03-18 10:00:00,60
13800138000,13912345678,2026-03-18 20:30:00,60
")
run(bad_rows 2 screen ${WORK}/bad.csv ${sample} --format jsonl)
expect(bad_rows "${out}" "{\"row\":2,\"line\":3,\"column\":\"start\",\"error\":\"start: '2026-03-18 25:00:00' is not a date-time")
expect(bad_rows "${out}" "{\"row\":3,\"line\":5,\"column\":\"caller\",\"error\":\"caller: 'x13800138000' is not a phone number\"}")
expect(bad_rows "${out}" "{\"row\":4,\"codes\":\\[\"OUTSIDE_CALLING_WINDOW\"\\]}")
run(bad_rows_text 2 screen ${WORK}/bad.csv ${sample})
expect(bad_rows_text "${err}" "bad.csv:3: row 2: start: ")
expect(bad_rows_text "${out}" "4 calls, 1 with findings, 2 bad rows")

# bad usage and bad files: exit 2 with the file named, nothing written
run(no_registry 2 screen ${calls})
expect(no_registry "${err}" "--store S or --registry FILE")
run(both 2 screen ${calls} --registry a --store b)
run(missing 2 screen ${WORK}/none.csv ${sample})
expect(missing "${err}" "none.csv: no such file")
run(folder 2 screen ${WORK} ${sample})
expect(folder "${err}" "is a folder")
file(WRITE ${WORK}/header.csv "caller,callee,when,duration_s\n1,2,3,4\n")
run(header 2 screen ${WORK}/header.csv ${sample})
expect(header "${err}" "header.csv:1: the header has no column 'start'")
run(parquet 2 screen ${WORK}/calls.parquet ${sample})
expect(parquet "${err}" "telecomply.screen_calls")
file(WRITE ${WORK}/registry.jsonl "{\"number\": \"13800138000\", \"region\": \"CN-GD\", \"case\": \"X\", \"whitelisted\": [[\"2026-03-10\", \"yesterday\"]]}\n")
run(bad_registry 2 screen ${calls} --registry ${WORK}/registry.jsonl)
expect(bad_registry "${err}" "registry.jsonl:1")
file(WRITE ${WORK}/refusals.csv "callee,refused_at\n13611112222,soon\n")
run(bad_refusals 2 screen ${calls} --registry ${SRC}/examples/calls/registry.jsonl --refusals ${WORK}/refusals.csv --summary ${WORK}/never.json)
expect(bad_refusals "${err}" "refusals.csv:2: refused_at: 'soon' is not a date")
if(EXISTS ${WORK}/never.json)
  message(FATAL_ERROR "bad_refusals: a summary was written for a run that did not happen")
endif()
run(no_store 2 screen ${calls} --store ${WORK}/nope.db)
expect(no_store "${err}" "no case store")
if(EXISTS ${WORK}/nope.db)
  message(FATAL_ERROR "no_store: screen created a case store")
endif()

# --summary is written as every output file is: atomically, under a name of its own, so that a
# user's FILE.tmp is never touched and a summary that cannot be written leaves nothing behind
file(WRITE ${WORK}/summary.json.tmp "the user's own file\n")
run(summary_beside 1 screen ${calls} ${sample} --summary ${WORK}/summary.json)
file(READ ${WORK}/summary.json.tmp kept)
if(NOT kept STREQUAL "the user's own file\n")
  message(FATAL_ERROR "summary_beside: the user's summary.json.tmp was overwritten or moved")
endif()
file(MAKE_DIRECTORY ${WORK}/out/folder.json)
run(summary_folder 2 screen ${calls} ${sample} --summary ${WORK}/out/folder.json)
expect(summary_folder "${err}" "folder.json")
file(GLOB left RELATIVE ${WORK}/out ${WORK}/out/*)
if(NOT left STREQUAL "folder.json")
  message(FATAL_ERROR "summary_folder: a failed summary left files behind: ${left}")
endif()

# standard input: named <stdin> in every message, its copy removed whatever happens (even
# when nothing at all comes in)
file(MAKE_DIRECTORY ${WORK}/tmp)
file(WRITE ${WORK}/empty.csv "")
execute_process(COMMAND ${CMAKE_COMMAND} -E env TMPDIR=${WORK}/tmp ${CLI} screen - ${sample}
                INPUT_FILE ${WORK}/empty.csv RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "<stdin>:1: the file has no header row")
  message(FATAL_ERROR "stdin_empty: exit ${rc}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env TMPDIR=${WORK}/tmp ${CLI} screen - ${sample}
                INPUT_FILE ${WORK}/header.csv RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "<stdin>:1: the header has no column 'start'")
  message(FATAL_ERROR "stdin_header: exit ${rc}\n${err}")
endif()
file(GLOB spooled ${WORK}/tmp/*)
if(spooled)
  message(FATAL_ERROR "stdin: copies of standard input were left behind: ${spooled}")
endif()

# text: the bad rows not named on stderr are counted there
set(many "caller,callee,start,duration_s\n")
foreach(i RANGE 1 13)
  string(APPEND many "x${i},13912345678,2026-03-18 10:00:00,60\n")
endforeach()
file(WRITE ${WORK}/many_bad.csv "${many}")
run(many_bad 2 screen ${WORK}/many_bad.csv ${sample})
expect(many_bad "${err}" "many_bad.csv:11: row 10: caller: 'x10'")
expect(many_bad "${err}" "many_bad.csv: \\.\\.\\. and 3 more bad rows \\(--format jsonl names every one\\)")

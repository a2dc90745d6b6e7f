# Drives `telecomply case registry` and `telecomply case complaints` on a scratch store.
#   cmake -DCLI=<telecomply> -DSRC=<source dir> -DWORK=<scratch dir> -P cli_registry.cmake
# registry: 0 written, 1 written but a case whose history does not replay was left out (named on
# stderr), 2 bad usage or no store (none is created). complaints: 0 every record applied or
# already recorded, 1 some unmatched or refused, 2 bad usage, an unreadable file or bad records
# (the good ones are still applied).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{TELECOMPLY_RULESETS} ${SRC}/rulesets)
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)
set(store ${WORK}/cases.db)
set(S --store ${store})
set(gd ${SRC}/examples/applications/gd-retail-eligible.json)
set(id GD-2026-0412)
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# ---- a missing store is an error, and none is created
foreach(cmd registry complaints)
  if(cmd STREQUAL complaints)
    file(WRITE ${WORK}/none.csv "number,received_at\n13866751415,2026-04-01\n")
    run(no_store_${cmd} 2 case complaints ${WORK}/none.csv ${S})
  else()
    run(no_store_${cmd} 2 case registry ${S})
  endif()
  expect(no_store_${cmd} "${err}" "no case store '.*cases.db'")
  if(EXISTS ${store})
    message(FATAL_ERROR "no_store_${cmd}: created ${store}")
  endif()
endforeach()

# ---- a case approved on 2026-03-18: whitelisted from 00:00 China Standard Time that day
run(new 0 case new ${gd} ${S} --at 2026-03-16)
run(submit 0 case event ${id} submit ${S} --at 2026-03-16)
run(accept 0 case event ${id} accept ${S} --at 2026-03-17)
run(approve 0 case event ${id} approve ${S} --at 2026-03-18)

run(registry 0 case registry ${S})
string(REGEX MATCHALL "[^\n]+" lines "${out}")
list(LENGTH lines n)
if(NOT n EQUAL 11)
  message(FATAL_ERROR "registry: ${n} lines, expected 11 (the case's numbers):\n${out}")
endif()
list(GET lines 0 first)  # by number: the landline (0757...) first
expect_json(registry_line "${first}" 075722381234 number)
expect_json(registry_line "${first}" CN-GD region)
expect_json(registry_line "${first}" ${id} case)
expect_json(registry_line "${first}" 2026-03-18T00:00:00+08:00 whitelisted 0 0)
string(JSON open TYPE "${first}" whitelisted 0 1)
if(NOT open STREQUAL NULL)
  message(FATAL_ERROR "registry_line: the interval is not open: ${first}")
endif()
expect(registry "${out}" "\"number\":\"13866751415\"")

run(registry_out 0 case registry ${S} --out ${WORK}/registry.jsonl)
expect(registry_out "${out}" "wrote 11 entries \\(11 numbers on 1 case\\) to .*registry.jsonl")
file(READ ${WORK}/registry.jsonl written)
string(JSON from GET "${written}" whitelisted 0 0)  # the first line
if(NOT from STREQUAL "2026-03-18T00:00:00+08:00")
  message(FATAL_ERROR "registry_out: ${written}")
endif()
run(registry_bad_out 2 case registry ${S} --out ${WORK}/no/such/folder/registry.jsonl)
expect(registry_bad_out "${err}" "cannot (create|write) .*no/such/folder")

# ---- complaints, CSV: applied, unmatched, a bad row (exit 2: the good rows still applied)
file(WRITE ${WORK}/complaints.csv
  "number,received_at,source\r\n"
  "+86 138 6675 1415,2026-04-01T10:00:00+08:00,\"12321, hotline\"\r\n"
  "13800138000,2026-04-01T11:00:00+08:00,12321\r\n"
  "13866751415,yesterday,12321\r\n"
  "13985106886,2026-04-02,\r\n")
run(complaints 2 case complaints ${WORK}/complaints.csv ${S})
expect(complaints "${out}" "complaints.csv: 4 records: 2 applied, 0 already recorded, 1 unmatched, 0 refused, 1 bad")
expect(complaints "${out}" "unmatched  .*complaints.csv:3  13800138000  2026-04-01T11:00:00\\+08:00: no case whitelisted 13800138000 at 2026-04-01T11:00:00\\+08:00 \\(no case in the store holds this number\\)")
expect(complaints "${out}" "bad        .*complaints.csv:4: column received_at: 'yesterday' is neither")
run(history 0 case history ${id} ${S} --format json)
expect_json(history "${out}" complaint 4 type)
expect_json(history "${out}" 13866751415 4 payload number)
expect_json(history "${out}" "12321, hotline" 4 payload source)
expect_json(history "${out}" 13985106886 5 payload number)

# again, as JSON: nothing new (duplicates), the same unmatched and bad rows
run(complaints_again 2 case complaints ${WORK}/complaints.csv ${S} --format json)
expect_length(complaints_again "${out}" 2 duplicates)
expect_length(complaints_again "${out}" 0 applied)
expect_json(complaints_again "${out}" ${id} duplicates 0 case)
expect_json(complaints_again "${out}" 5 duplicates 0 seq)
expect_length(complaints_again "${out}" 1 unmatched)
expect_json(complaints_again "${out}" 3 unmatched 0 line)
expect_length(complaints_again "${out}" 1 errors)
expect_json(complaints_again "${out}" 4 errors 0 line)
run(history_again 0 case history ${id} ${S} --format json)
expect_length(history_again "${out}" 6)

# ---- JSON Lines: the threshold (5 in 30 days) suspends the case; a complaint dated before the
# case's last event is refused (exit 1)
file(WRITE ${WORK}/more.jsonl
  "{\"number\": \"13866751415\", \"received_at\": \"2026-04-03\", \"source\": \"12321\"}\n"
  "{\"number\": \"13866751415\", \"received_at\": \"2026-04-04\"}\n"
  "\n"
  "{\"number\": \"13866751415\", \"received_at\": \"2026-04-05\"}\n"
  "{\"number\": \"13866751415\", \"received_at\": \"2026-04-06\"}\n")
run(threshold 0 case complaints ${WORK}/more.jsonl ${S} --actor importer)
expect(threshold "${out}" "4 records: 4 applied")
expect(threshold "${out}" "suspended  case GD-2026-0412 by the complaint of .*more.jsonl:5 \\(13866751415, event 10\\)")
run(show 0 case show ${id} ${S} --format json)
expect_json(show "${out}" suspended state)
expect_json(show "${out}" importer entered_state actor)

file(WRITE ${WORK}/late.jsonl "{\"number\": \"13985106886\", \"received_at\": \"2026-04-05T12:00:00+08:00\"}\n")
# suspended at 2026-04-06 00:00: at 04-05 12:00 the case whitelisted the number, but events
# since then stand before it
run(late 1 case complaints ${WORK}/late.jsonl ${S})
expect(late "${out}" "refused    .*late.jsonl:1  13985106886  2026-04-05T12:00:00\\+08:00: .*before the case's last event \\(2026-04-06\\)")
run(late_json 1 case complaints ${WORK}/late.jsonl ${S} --format json)
expect_json(late_json "${out}" ${id} refused 0 case)

# the registry now closes the case's numbers at the suspension
run(registry_closed 0 case registry ${S})
expect(registry_closed "${out}" "\"whitelisted\":\\[\\[\"2026-03-18T00:00:00\\+08:00\",\"2026-04-06T00:00:00\\+08:00\"\\]\\]")

# ---- bad input: nothing applied, exit 2
file(WRITE ${WORK}/noheader.csv "13866751415,2026-04-07\n")
run(no_header 2 case complaints ${WORK}/noheader.csv ${S})
expect(no_header "${err}" "noheader.csv:1: the header must name the columns number and received_at")
run(missing_file 2 case complaints ${WORK}/nothing.csv ${S})
expect(missing_file "${err}" "nothing.csv")
run(bad_format 2 case complaints ${WORK}/late.jsonl ${S} --format yaml)
run(history_after 0 case history ${id} ${S} --format json)
expect_length(history_after "${out}" 10)

# ---- a store whose history was edited: the registry names the case, exit 1
if(SQL)
  execute_process(COMMAND ${SQL} ${store}
                  "DROP TRIGGER events_no_update; UPDATE events SET at = 'someday' WHERE seq = 2"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sql_exec failed: ${rc}")
  endif()
  run(registry_tampered 1 case registry ${S})
  expect(registry_tampered "${err}" "skipped: case GD-2026-0412: its history does not replay")
endif()

# Drives the telecomply executable and asserts on exit codes and output.
#   cmake -DCLI=<telecomply> -DSRC=<source dir> -DWORK=<scratch dir> -P cli_behaviour.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{TELECOMPLY_RULESETS} ${SRC}/rulesets)

include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# the shipped examples check without input errors; some are ineligible, so the status is 1
file(GLOB apps ${SRC}/examples/applications/*.json)
run(examples 1 check ${apps})
expect(examples "${out}" "applications: [0-9]+ eligible, [0-9]+ ineligible, [0-9]+ need evidence\n$")
expect(examples "${out}" "INELIGIBLE")
expect(examples "${out}" "remedy:")

# JSON Lines: input order kept, a malformed line named by file, line and JSON path, rest still run
file(GLOB first_app ${SRC}/examples/applications/*.json)
list(GET first_app 0 one)
file(READ ${one} app_text)
string(JSON app_id GET "${app_text}" id)
string(JSON app_compact ERROR_VARIABLE e SET "${app_text}" id "\"SECOND\"")
string(REPLACE "\n" " " line1 "${app_text}")
string(REPLACE "\n" " " line3 "${app_compact}")
file(WRITE ${WORK}/batch.jsonl "${line1}\n{\"id\": \"X\", \"region\": \"CN-GD\", \"submitted_on\": \"2026-13-01\", \"channel\": \"online\"}\n${line3}\n")
run(jsonl_bad_line 2 check --format jsonl ${WORK}/batch.jsonl)
expect(jsonl_bad_line "${err}" "batch.jsonl:2: \\$\\.submitted_on: ")
string(REGEX MATCHALL "[^\n]+" lines "${out}")
list(LENGTH lines n)
if(NOT n EQUAL 3)
  message(FATAL_ERROR "jsonl: expected 3 output lines, got ${n}:\n${out}")
endif()
list(GET lines 0 l0)
list(GET lines 1 l1)
list(GET lines 2 l2)
expect(jsonl_order "${l0}" "\"application\":\"${app_id}\"")
expect(jsonl_order "${l1}" "\"error\"")
expect(jsonl_order "${l2}" "\"application\":\"SECOND\"")

# the same batch in two threads: same lines, same order
run(jsonl_threads 2 check --format jsonl --threads 2 ${WORK}/batch.jsonl)
string(REGEX MATCHALL "[^\n]+" lines2 "${out}")
if(NOT lines2 STREQUAL lines)
  message(FATAL_ERROR "jsonl --threads 2 changed the output")
endif()

# a syntax error in a multi-line JSON file: line named
file(WRITE ${WORK}/broken.json "{\n  \"id\": \"B\",\n  \"region\": \"CN-GD\"\n  \"channel\": \"online\"\n}\n")
run(syntax_error 2 check ${WORK}/broken.json)
expect(syntax_error "${err}" "broken.json:4: \\$: invalid JSON")

# a schema error in a multi-line JSON file: line and path named
string(JSON bad_type SET "${app_text}" numbers "\"13800138000\"")
file(WRITE ${WORK}/schema.json "${bad_type}")
run(schema_error 2 check ${WORK}/schema.json)
expect(schema_error "${err}" "schema.json:[0-9]+: \\$\\.numbers: ")

# bad usage
run(bad_option 2 check --format yaml ${one})
run(no_file 2 check ${WORK}/does-not-exist.json)
expect(no_file "${err}" "does-not-exist.json: no such file")

# one bad file never stops the batch, wherever it is: a number beyond a double (1e400) named by
# file, line and JSON path; a folder; a missing file. The good file is checked and the summary
# line printed either way.
string(REPLACE "\"submitted_on\"" "\"huge\": 1e400, \"submitted_on\"" huge_text "${app_text}")
file(WRITE ${WORK}/huge.json "${huge_text}")
file(MAKE_DIRECTORY ${WORK}/a-folder)
foreach(order "huge;one" "one;huge")
  set(args)
  foreach(f ${order})
    if(f STREQUAL "huge")
      list(APPEND args ${WORK}/huge.json ${WORK}/a-folder ${WORK}/nope.json)
    else()
      list(APPEND args ${one})
    endif()
  endforeach()
  run(batch_goes_on 2 check ${args})
  expect(batch_goes_on "${err}" "huge.json:[0-9]+: \\$\\.huge: invalid JSON: number overflow parsing '1e400'")
  expect(batch_goes_on "${err}" "a-folder: is a folder, not a file")
  expect(batch_goes_on "${err}" "nope.json: no such file")
  expect(batch_goes_on "${out}" "${app_id}")
  expect(batch_goes_on "${out}" "1 application: .*; 3 rejected as bad input\n$")
  if(err MATCHES "json.exception|basic_filebuf")
    message(FATAL_ERROR "batch_goes_on: a library's own message reached the user:\n${err}")
  endif()
endforeach()
# the same kind through every command that reads an application: nesting beyond 1024 levels
# (refused quickly: 200,000 levels once took gigabytes), an integer beyond 64 bits, a key given
# twice; each named by file, line and JSON path, whichever JSON reader the command uses
string(REPEAT "[" 200000 open)
string(REPEAT "]" 200000 close)
string(REPLACE "\"submitted_on\"" "\"deep\": ${open}${close},\n\"submitted_on\"" deep_text "${app_text}")
file(WRITE ${WORK}/deep.json "${deep_text}")
string(REPLACE "\"submitted_on\"" "\"big\": 18446744073709551616,\n\"submitted_on\"" big_text "${app_text}")
file(WRITE ${WORK}/big.json "${big_text}")
string(REPLACE "\"submitted_on\"" "\"id\": \"again\",\n\"submitted_on\"" twice_text "${app_text}")
file(WRITE ${WORK}/twice.json "${twice_text}")
foreach(cmd check explain diff case_new)
  foreach(f deep big twice)
    if(cmd STREQUAL "diff")
      set(c diff --from 2025.1 --to 2026.1)
    elseif(cmd STREQUAL "case_new")
      set(c case new --store ${WORK}/readers.db)
    else()
      set(c ${cmd})
    endif()
    run(readers_${cmd}_${f} 2 ${c} ${WORK}/${f}.json)
    if(f STREQUAL "deep")
      expect(readers_${cmd}_${f} "${err}" "deep.json:[0-9]+: \\$\\.deep\\[0\\]\\[0\\]")
      expect(readers_${cmd}_${f} "${err}" "nests deeper than 1024 levels")
    elseif(f STREQUAL "big")
      expect(readers_${cmd}_${f} "${err}" "big.json:[0-9]+: \\$\\.big: invalid JSON: the integer 18446744073709551616 is beyond 64 bits")
    else()
      expect(readers_${cmd}_${f} "${err}" "twice.json:[0-9]+: \\$\\.id: this key appears twice")
    endif()
  endforeach()
endforeach()
# a missing file is said the same way by every command that reads one
foreach(cmd "check" "explain" "diff --from 2025.1 --to 2026.1" "case new --store ${WORK}/missing.db"
            "calendar import --dry-run" "case verify --public-key ${WORK}/nope.pem --bundle")
  separate_arguments(c UNIX_COMMAND "${cmd}")
  run(missing_file 2 ${c} ${WORK}/nope.json)
  expect(missing_file "${err}${out}" "nope\\.(json|pem): (error: )?no such file")
endforeach()
run(readers_batch 2 check ${WORK}/deep.json ${WORK}/big.json ${WORK}/twice.json ${one})
expect(readers_batch "${out}" "1 application: .*; 3 rejected as bad input\n$")

run(bad_as_of 2 check --as-of 2026-02-30 ${one})
expect(bad_as_of "${err}" "--as-of")
run(no_version 2 check --as-of 2019-01-01 ${one})
expect(no_version "${err}" "in force on 2019-01-01")

# json: one object for one file
run(json_one_or_findings 0 check --format json --as-of 2026-03-02 ${SRC}/tests/data/applications/gd-clean.json --rulesets ${SRC}/tests/data/rulesets)
expect(json "${out}" "^{")
expect(json "${out}" "\"decision\": \"eligible\"")

# explain
run(explain 0 explain ${SRC}/tests/data/applications/gd-clean.json --rulesets ${SRC}/tests/data/rulesets --as-of 2026-03-02 --lang en)
expect(explain "${out}" "Rules, in order:")

# lint of the shipped rulesets is clean
run(lint 0 lint ${SRC}/rulesets)
expect(lint "${out}" "0 errors, 0 warnings")

# diff: what a policy change flips
run(diff 1 diff --from 2025.1 --to 2026.1 ${SRC}/examples/applications/sd-travel-eligible.json)
expect(diff "${out}" "SD-2025-0954  CN-SD  eligible -> ineligible  \\+CALLING_HOURS_OUTSIDE_WINDOW  \\+CONSENT_MECHANISM_MISSING")
expect(diff "${out}" "1 application: 1 with different findings from 2025.1 to 2026.1, 1 with a different decision")
run(diff_same 0 diff --from 2026.1 --to 2026.1 ${SRC}/examples/applications/sd-travel-eligible.json)
run(diff_unknown_version 2 diff --from 2019.1 --to 2026.1 ${SRC}/examples/applications/sd-travel-eligible.json)
expect(diff_unknown_version "${err}" "no ruleset of .* has version 2019.1")

# graph: a region by either code; a code that is no region is bad usage, never CN's drawing
run(graph_gb 0 graph --region 45 --format mermaid)
expect(graph_gb "${out}" "stateDiagram-v2")
run(graph_unknown 2 graph --region lol)
expect(graph_unknown "${err}" "unknown region 'lol'")
foreach(region GD CN-XX)
  run(graph_not_a_region 2 graph --region ${region})
  expect(graph_not_a_region "${err}" "unknown region '${region}'")
endforeach()

# a mistyped command is named, with the nearest ones, at any level (issue 11)
run(typo 2 chek ${one})
expect(typo "${err}" "unknown command 'chek' for `telecomply`; did you mean 'check'\\?")
run(typo_case 2 case shwo X)
expect(typo_case "${err}" "unknown command 'shwo' for `telecomply case`; did you mean 'show'\\?")
run(typo_far 2 frobnicate)
expect(typo_far "${err}" "unknown command 'frobnicate' for `telecomply` \\(commands: check, ")
run(typo_after_option 2 case --rulesets ${SRC}/rulesets shwo X)
expect(typo_after_option "${err}" "unknown command 'shwo' for `telecomply case`; did you mean 'show'\\?")
# and a mistyped option, at any level, with the nearest one and the command's options
foreach(case "check --formt json ${one}|--formt|telecomply check|--format"
             "check ${one} --as_of 2026-01-01|--as_of|telecomply check|--as-of"
             "case show X --stor s.db|--stor|telecomply case show|--store"
             "case list --stroe=s.db|--stroe|telecomply case list|--store"
             "case event X submit --dta {}|--dta|telecomply case event|--data"
             "graph --regon GD|--regon|telecomply graph|--region"
             "--verison|--verison|telecomply|--version")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 line)
  list(GET parts 1 typo)
  list(GET parts 2 where)
  list(GET parts 3 near)
  separate_arguments(argv UNIX_COMMAND "${line}")
  run(option_typo 2 ${argv})
  expect(option_typo "${err}" "unknown option '${typo}' for `${where}`; did you mean '${near}'\\? \\(options: --help")
endforeach()
run(option_far 2 check --zzzzzz ${one})
expect(option_far "${err}" "unknown option '--zzzzzz' for `telecomply check` \\(options: --help, --rulesets, ")
# lint and test take the folder as DIR or --rulesets DIR, like every other command
run(lint_rulesets 0 lint --rulesets ${SRC}/rulesets)
expect(lint_rulesets "${out}" "0 errors, 0 warnings")
run(test_rulesets 0 test --rulesets ${SRC}/rulesets)
run(lint_two_folders 2 lint ${SRC}/rulesets --rulesets ${WORK})
expect(lint_two_folders "${err}" "two folders of rulesets")

# - reads standard input in every command that reads applications: `check -` and `diff -` read
# JSON Lines when the first line is a whole object, as from a pipe, else one JSON document (a
# pretty-printed application, an array); `explain -` one JSON document
file(WRITE ${WORK}/one-line.jsonl "${line1}\n")
file(WRITE ${WORK}/two-lines.jsonl "\n${line1}\n${line3}\n")
file(WRITE ${WORK}/array.json "[\n${app_text},\n${app_compact}\n]\n")
set(diff_cmd diff --from 2025.1 --to 2026.1)
foreach(case "check;one-line.jsonl;1" "check;two-lines.jsonl;2" "check;array.json;2"
             "check;${one};1" "explain;one-line.jsonl;1" "explain;${one};1"
             "diff;two-lines.jsonl;2" "diff;${one};1")
  list(GET case 0 cmd)
  list(GET case 1 input)
  list(GET case 2 n)
  if(NOT IS_ABSOLUTE "${input}")
    set(input ${WORK}/${input})
  endif()
  set(c ${cmd})
  if(cmd STREQUAL "diff")
    set(c ${diff_cmd})
  endif()
  execute_process(COMMAND ${CLI} ${c} - INPUT_FILE ${input} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc GREATER 1 OR NOT err STREQUAL "")
    message(FATAL_ERROR "${cmd} - < ${input}: exit ${rc}\n${out}\n${err}")
  endif()
  if(cmd STREQUAL "explain")
    expect(stdin_${cmd} "${out}" "${app_id}")
  else()
    expect(stdin_${cmd} "${out}" "^(.*\n)?${n} applications?: ")
  endif()
endforeach()
execute_process(COMMAND ${CLI} explain - INPUT_FILE ${WORK}/huge.json RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "<stdin>:[0-9]+: \\$\\.huge: invalid JSON")
  message(FATAL_ERROR "explain - on bad input: exit ${rc}\n${err}")
endif()

# the data each event takes is in `case event --help`
run(event_help 0 case event --help)
expect(event_help "${out}" "  reject: reasons\n")
expect(event_help "${out}" "  request_supplement: items\n")
expect(event_help "${out}" "  report_change: changed_on, patch\n")
expect(event_help "${out}" "  complaint: number, source\n")
expect(event_help "${out}" "  patch  \\{...\\}  a JSON Merge Patch")

# lint: a broken national workflow is one located problem, not one per region, and no
# "parameter read by nothing" guesses while what the workflow reads is unknown
file(COPY ${SRC}/rulesets/ DESTINATION ${WORK}/rs-broken-workflow)
file(READ ${WORK}/rs-broken-workflow/workflow/CN.json wf)
string(REGEX REPLACE "\"initial\": *\"[a-z_]+\"" "\"initial\": 7" wf "${wf}")
file(WRITE ${WORK}/rs-broken-workflow/workflow/CN.json "${wf}")
run(lint_workflow 2 lint ${WORK}/rs-broken-workflow)
expect(lint_workflow "${out}" "workflow/CN.json:[0-9]+: \\$.initial: error: must be a non-empty string\n[0-9]+ ruleset versions checked: 1 error, 0 warnings\n$")

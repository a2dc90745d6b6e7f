# Drives `telecomply case ...` on a scratch store and asserts on exit codes and output.
#   cmake -DCLI=<telecomply> -DSQL=<sql_exec> -DSRC=<source dir> -DWORK=<scratch dir> -P cli_cases.cmake
# Exit statuses: 0 done, 1 refused by the workflow (the reason on stderr) or problems found by
# verify, 2 bad usage or input (unknown case, bad --data, bad time...), 3 the store disagrees
# (a case id taken, a case moved past --expect-version).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{TELECOMPLY_RULESETS} ${SRC}/rulesets)
set(store ${WORK}/cases.db)
set(gd ${SRC}/examples/applications/gd-retail-eligible.json)
set(sc ${SRC}/examples/applications/sc-finance-site-inspection-eligible.json)

include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
# the store's clock (tests inject it): after every date below
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)


# The summary `case show --format json` prints: {id, region, state, ruleset_version,
# deadlines{name: {due, provisional, ...}}, obligations, findings}.
function(expect_summary name text state)
  foreach(key_type id:STRING region:STRING state:STRING ruleset_version:STRING deadlines:OBJECT
          obligations:ARRAY findings:ARRAY)
    string(REPLACE ":" ";" kt ${key_type})
    list(GET kt 0 key)
    list(GET kt 1 type)
    string(JSON t ERROR_VARIABLE e TYPE "${text}" ${key})
    if(e OR NOT t STREQUAL type)
      message(FATAL_ERROR "${name}: '${key}' is ${t} (${e}), expected ${type}:\n${text}")
    endif()
  endforeach()
  expect_json(${name} "${text}" ${state} state)
endfunction()

set(S --store ${store})

# ---- a case's life: new, events, show, history, tick, verify
run(new 0 case new ${gd} ${S} --at 2026-03-02 --format json)
expect_summary(new "${out}" draft)
expect_json(new "${out}" GD-2026-0412 id)
expect_json(new "${out}" CN-GD region)
expect_json(new "${out}" 2026.1 ruleset_version)
expect_json(new "${out}" "{}" deadlines)
set(id GD-2026-0412)

run(new_again 3 case new ${gd} ${S} --at 2026-03-02)  # 3: the store disagrees (the id is taken)
expect(new_again "${err}" "GD-2026-0412")

run(submit 0 case event ${id} submit ${S} --at 2026-03-16 --actor officer-7)
expect(submit "${out}" "state submitted")

# refused: exit 1, the reason on stderr, nothing on stdout
run(approve_too_early 1 case event ${id} approve ${S} --at 2026-03-16)
expect(approve_too_early "${err}" "refused: .*event 'approve' refused in state 'submitted': not allowed in this state \\(allowed: accept, request_supplement\\)")
if(NOT out STREQUAL "")
  message(FATAL_ERROR "approve_too_early: printed on stdout:\n${out}")
endif()
run(unknown_event 1 case event ${id} bribe ${S} --at 2026-03-16)
expect(unknown_event "${err}" "not allowed")

# accept: the review clock, 40 working days in Guangdong from Tue 2026-03-17 (Qingming
# 04-04..06 and Labour Day 05-01..05 off, Sat 05-09 a working day): 2026-05-15
run(accept 0 case event ${id} accept ${S} --at 2026-03-17T09:30:00+08:00 --format json)
expect_summary(accept "${out}" under_review)
expect_json(accept "${out}" 2026-05-15 deadlines review_sla due)

run(show 0 case show ${id} ${S} --format json)
expect_summary(show "${out}" under_review)
expect_json(show "${out}" 2026-05-15 deadlines review_sla due)
run(show_text 0 case show ${id} ${S})
expect(show_text "${out}" "case GD-2026-0412  CN-GD  state under_review  rules CN-GD@2026.1  \\(event 3\\)")
expect(show_text "${out}" "deadline  review_sla  2026-05-15")

# request_supplement: the items are required; 15 working days from Wed 03-18: Thu 2026-04-09
run(request_no_items 1 case event ${id} request_supplement ${S} --at 2026-03-18)
expect(request_no_items "${err}" "data.items")
run(request 0 case event ${id} request_supplement ${S} --at 2026-03-18
    --data "{\"items\": [\"tax_registration\"]}" --format json)
expect_summary(request "${out}" supplement_requested)
expect_json(request "${out}" 2026-04-09 deadlines supplement_deadline due)
run(supplement_missing 1 case event ${id} supplement ${S} --at 2026-03-20)
expect(supplement_missing "${err}" "still missing tax_registration")

# bad input: exit 2
run(bad_data 2 case event ${id} supplement ${S} --at 2026-03-20 --data "{bad")
expect(bad_data "${err}" "--data.*invalid JSON")
run(data_not_object 2 case event ${id} supplement ${S} --at 2026-03-20 --data "[1]")
expect(data_not_object "${err}" "event data must be a JSON object")
run(bad_time 2 case event ${id} supplement ${S} --at 2026-13-01)
expect(bad_time "${err}" "2026-13-01")
run(unknown_case_event 2 case event NOPE submit ${S} --at 2026-03-20)
expect(unknown_case_event "${err}" "no case 'NOPE'")
run(unknown_case_show 2 case show NOPE ${S})
expect(unknown_case_show "${err}" "no case 'NOPE'")
run(unknown_case_history 2 case history NOPE ${S})
run(unknown_case_verify 2 case verify NOPE ${S})
run(bad_format 2 case show ${id} ${S} --format yaml)
file(WRITE ${WORK}/bad.json "{\"id\": \"B\", \"region\": \"CN-GD\"}")
run(bad_application 2 case new ${WORK}/bad.json ${S} --at 2026-03-02)

# tick: nothing on the deadline's last day; the day after, the case is rejected
run(tick_last_day 0 case tick ${S} --now 2026-04-09)
expect(tick_last_day "${out}" "^0 automatic events applied as of 2026-04-09\n$")
run(tick_after 0 case tick ${S} --now 2026-04-10T08:00:00+08:00)
expect(tick_after "${out}" "GD-2026-0412  supplement_deadline passed \\(last day 2026-04-09\\)\n1 automatic event applied as of 2026-04-10\n$")
run(show_rejected 0 case show ${id} ${S} --format json)
expect_summary(show_rejected "${out}" rejected)
expect_json(show_rejected "${out}" "{}" deadlines)
expect_json(show_rejected "${out}" SUPPLEMENT_DEADLINE_MISSED rejection_reasons 0)
run(tick_again 0 case tick ${S} --now 2026-12-31)
expect(tick_again "${out}" "^0 automatic events")

# history: every event in order, text and JSON
run(history 0 case history ${id} ${S})
expect(history "${out}" "^1  2026-03-02  create  by cli  => draft\n")
expect(history "${out}" "\n2  2026-03-16  submit  by officer-7  -> rules: eligible  => submitted\n")
expect(history "${out}" "\n5  2026-04-10  timer  by cli  {\"last_day\":\"2026-04-09\",\"timer\":\"supplement_deadline\"}  => rejected\n")
run(history_json 0 case history ${id} ${S} --format json)
string(JSON n LENGTH "${out}")
if(NOT n EQUAL 5)
  message(FATAL_ERROR "history_json: ${n} events, expected 5:\n${out}")
endif()
expect_json(history_json "${out}" timer 4 type)
expect_json(history_json "${out}" rejected 4 state)  # the state each event left
expect_json(history_json "${out}" 4 3 seq)
expect_json(history_json "${out}" request_supplement 3 type)

# rectified and resubmitted with a patch: the case is submitted again
run(rectify 0 case event ${id} rectify ${S} --at 2026-04-13)
run(resubmit 0 case event ${id} resubmit ${S} --at 2026-04-14
    --data "{\"patch\": {\"materials\": {\"tax_registration\": {}}}}" --format json)
expect_summary(resubmit "${out}" submitted)

# a second case: Sichuan finance needs a site inspection before approval
run(new_sc 0 case new ${sc} ${S} --at 2026-02-09 --id SC-1)
run(sc_submit 0 case event SC-1 submit ${S} --at 2026-02-09 --format json)
expect_json(sc_submit "${out}" SITE_INSPECTION_REQUIRED obligations 0 code)
expect_json(sc_submit "${out}" OFF obligations 0 met)
run(sc_accept 0 case event SC-1 accept ${S} --at 2026-02-10)
run(sc_approve 1 case event SC-1 approve ${S} --at 2026-02-11)
expect(sc_approve "${err}" "obligations not met: SITE_INSPECTION_REQUIRED")
run(sc_schedule 0 case event SC-1 schedule_inspection ${S} --at 2026-02-11)
run(sc_passed 0 case event SC-1 inspection_passed ${S} --at 2026-02-12 --format json)
expect_json(sc_passed "${out}" SITE_INSPECTION_REQUIRED obligations 0 code)
expect_json(sc_passed "${out}" ON obligations 0 met)
run(sc_approved 0 case event SC-1 approve ${S} --at 2026-02-13 --format json)
expect_summary(sc_approved "${out}" whitelisted)
expect_json(sc_approved "${out}" 2027-02-13 deadlines validity due)

# verify: the chains and the replays
run(verify 0 case verify ${S})
expect(verify "${out}" "2 cases, 13 events: the hash chains verify and replay matches")
run(verify_one 0 case verify SC-1 ${S})
expect(verify_one "${out}" "1 case, 6 events")
# --format json as every other command takes it (issue 11)
run(verify_json 0 case verify ${S} --format json)
expect_json(verify_json "${out}" ON ok)
expect_json(verify_json "${out}" 2 cases)
expect_json(verify_json "${out}" 13 events)
string(JSON n_problems LENGTH "${out}" problems)
if(NOT n_problems EQUAL 0)
  message(FATAL_ERROR "verify_json: problems in a sound store:\n${out}")
endif()

# tampering: the request's items edited in the file (triggers dropped first): exit 1
execute_process(COMMAND ${SQL} ${store}
  "DROP TRIGGER IF EXISTS events_no_update; UPDATE events SET payload = '{\"items\":[\"org_code_certificate\"]}' WHERE case_id = 'GD-2026-0412' AND seq = 4;"
  RESULT_VARIABLE rc ERROR_VARIABLE e)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sql_exec: ${rc} ${e}")
endif()
run(verify_tampered 1 case verify ${S})
expect(verify_tampered "${out}" "TAMPERED  case GD-2026-0412 event 4: ")
expect(verify_tampered "${out}" "problems found")
run(verify_tampered_json 1 case verify ${S} --format json)
expect_json(verify_tampered_json "${out}" OFF ok)
expect_json(verify_tampered_json "${out}" GD-2026-0412 problems 0 case_id)
expect_json(verify_tampered_json "${out}" 4 problems 0 seq)
expect_json(verify_tampered_json "${out}" chain problems 0 kind)
run(verify_other 0 case verify SC-1 ${S})
run(verify_tampered_one 1 case verify ${id} ${S})

# a snapshot edited (whitelisted until 2030, say): its last event recorded another
execute_process(COMMAND ${SQL} ${store}
  "UPDATE cases SET snapshot = json_set(snapshot, '$.state', 'revoked') WHERE id = 'SC-1';"
  RESULT_VARIABLE rc ERROR_VARIABLE e)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sql_exec: ${rc} ${e}")
endif()
run(verify_snapshot 1 case verify SC-1 ${S})
expect(verify_snapshot "${out}" "TAMPERED  case SC-1 event [0-9]+: the case's snapshot is not the one its last event recorded")
# and nothing of it is shown, or written on top of it
run(show_edited 2 case show SC-1 ${S})
expect(show_edited "${err}" "case 'SC-1' was edited outside telecomply \\(its stored state is not the one its last event recorded\\)")
# one edited case does not hide or freeze the others: skipped, named, exit 1
run(list_edited 1 case list ${S})
expect(list_edited "${out}" "GD-2026-0412")
expect(list_edited "${err}" "skipped: .*case 'SC-1' was edited")
run(tick_edited 1 case tick ${S} --now 2027-12-31)
expect(tick_edited "${err}" "skipped: .*case 'SC-1' was edited")

# ---- events are evidence: never before the case's last event, never more than a day after
# the store's clock (--now, else TELECOMPLY_NOW, else the system clock); refused: exit 1
set(T --store ${WORK}/time.db)
run(time_new 0 case new ${gd} ${T} --at 2026-03-02 --now 2026-03-02)
run(time_future 1 case event ${id} submit ${T} --at 2062-03-16 --now 2026-03-20)
expect(time_future "${err}" "dated 2062-03-16, more than a day after the store's clock \\(2026-03-20T00:00:00\\+08:00\\)")
set(ENV{TELECOMPLY_NOW} 2026-03-20T09:00:00+08:00)
run(time_env_future 1 case event ${id} submit ${T} --at 2026-03-22)
run(time_submit 0 case event ${id} submit ${T} --at 2026-03-16)
run(time_accept 0 case event ${id} accept ${T})  # --at defaults to the clock: 2026-03-20 09:00
run(time_before 1 case event ${id} request_supplement ${T} --at 2026-03-17
    --data "{\"items\": [\"tax_registration\"]}")
expect(time_before "${err}" "before the case's last event \\(2026-03-20T09:00:00\\+08:00\\)")
run(time_history 0 case history ${id} ${T})
expect(time_history "${out}" "3  2026-03-20T09:00:00\\+08:00  accept")
set(ENV{TELECOMPLY_NOW} soon)
run(time_bad_env 2 case show ${id} ${T})
expect(time_bad_env "${err}" "TELECOMPLY_NOW: event time 'soon'")
run(time_bad_now 2 case show ${id} ${T} --now 18/03/2026)
unset(ENV{TELECOMPLY_NOW})

# ---- writers that cooperate: ten processes at once, each a complaint about its own number
set(W --store ${WORK}/writers.db --now 2026-04-30)
run(w_new 0 case new ${gd} ${W} --at 2026-03-02)
foreach(ev submit accept approve)
  run(w_${ev} 0 case event ${id} ${ev} ${W} --at 2026-03-18)
endforeach()
set(numbers 13866751415 13985106886 18647812363 18925641212 13533336653 13330441285 13801219450
            13970402718 18696969543 18907574180)
set(cmds "")
foreach(n ${numbers})
  # a pipeline runs its commands at once; each writer's stdout goes to /dev/null (not to the
  # next command, which may have finished reading)
  list(APPEND cmds COMMAND sh -c "exec \"$0\" \"$@\" > /dev/null"
       ${CLI} case event ${id} complaint ${W} --at 2026-04-01
       --data "{\"number\": \"${n}\"}" --actor writer-${n})
endforeach()
execute_process(${cmds} RESULTS_VARIABLE rcs ERROR_VARIABLE errs)
foreach(rc ${rcs})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "concurrent writers: exit statuses ${rcs}\n${errs}")
  endif()
endforeach()
run(w_history 0 case history ${id} ${W} --format json)
string(JSON events LENGTH "${out}")
if(NOT events EQUAL 14)
  message(FATAL_ERROR "concurrent writers: ${events} events, expected 14:\n${out}")
endif()
run(w_verify 0 case verify ${W})

# with the version the decision was made on: a case that moved on is a conflict, exit 3
run(w_stale 3 case event ${id} complaint ${W} --at 2026-04-02 --expect-version 4
    --data "{\"number\": \"13866751415\"}")
expect(w_stale "${err}" "is at version 14, not 4")
run(w_current 0 case event ${id} complaint ${W} --at 2026-04-02 --expect-version 14
    --data "{\"number\": \"13866751415\"}")

# ---- event data is evidence: read strictly, checked against the case (exit 2 / exit 1)
run(dup_data 2 case event ${id} complaint ${W} --at 2026-04-03
    --data "{\"number\": \"13866751415\", \"number\": \"13985106886\"}")
expect(dup_data "${err}" "--data:1: \\$.number: this key appears twice")
file(READ ${gd} app_text)
string(REPLACE "\"id\": \"GD-2026-0412\"," "\"id\": \"GD-2026-0412\", \"id\": \"OTHER\"," dup_app "${app_text}")
file(WRITE ${WORK}/dup.json "${dup_app}")
run(dup_new 2 case new ${WORK}/dup.json --store ${WORK}/dup.db --at 2026-03-02)
expect(dup_new "${err}" "dup.json:[0-9]+: \\$.id: this key appears twice")
run(number_one 1 case event ${id} complaint ${W} --at 2026-04-03 --data "{\"number\": \"1\"}")
expect(number_one "${err}" "not a valid phone number")
run(number_spaced 0 case event ${id} complaint ${W} --at 2026-04-03
    --data "{\"number\": \"+86 138 6675 1415\"}")

# ---- case list: by state, region, applicant and deadline
run(list_all 0 case list ${W})
expect(list_all "${out}" "^GD-2026-0412  CN-GD  whitelisted  validity 2027-03-18\n1 case\n$")
run(list_state 0 case list ${W} --state under_review)
expect(list_state "${out}" "^0 cases\n$")
run(list_json 0 case list ${W} --region CN-GD --format json)
expect_json(list_json "${out}" whitelisted 0 state)
run(list_overdue 0 case list --store ${WORK}/writers.db --overdue --now 2027-03-20)
expect(list_overdue "${out}" "GD-2026-0412")
run(list_bad_date 2 case list ${W} --due-before soon)

# the time rules refuse a new case like any event (exit 1); a version below 1 is bad usage
run(new_future 1 case new ${gd} --store ${WORK}/future.db --at 2026-03-19 --now 2026-03-17)
expect(new_future "${err}" "refused: .*more than a day after the store's clock")
run(version_negative 2 case event ${id} complaint ${W} --at 2026-04-04 --expect-version -1
    --data "{\"number\": \"13866751415\"}")
expect(version_negative "${err}" "an expected version is a case's version, 1 or more")

# bad input leaves no store behind; only `case new` creates one
file(WRITE ${WORK}/dup-only.json "{\"id\": \"A\", \"id\": \"B\"}")
run(new_bad_no_file 2 case new ${WORK}/dup-only.json --store ${WORK}/never.db)
run(show_no_store 2 case show X --store ${WORK}/never.db)
expect(show_no_store "${err}" "no case store")
if(EXISTS ${WORK}/never.db)
  message(FATAL_ERROR "a refused command left ${WORK}/never.db behind")
endif()

# ---- seals: a signed checkpoint kept outside the store, and an offline bundle
# (exit 0 verifies, 1 problems found, 2 bad usage or a bad file, named)
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)
set(Z --store ${WORK}/sealed.db)
run(z_new 0 case new ${gd} ${Z} --at 2026-03-02)
run(z_submit 0 case event ${id} submit ${Z} --at 2026-03-16)
run(z_keygen 0 case keygen --out ${WORK}/seal-key)
expect(z_keygen "${out}" "wrote .*seal-key.pem .*seal-key.pub.pem")
run(z_keygen_again 2 case keygen --out ${WORK}/seal-key)  # never overwritten
expect(z_keygen_again "${err}" "seal-key.pem: exists already")
run(z_keygen_other 0 case keygen --out ${WORK}/other-key --format json)
expect_json(z_keygen_other "${out}" ${WORK}/other-key.pub.pem public_key)
set(K --public-key ${WORK}/seal-key.pub.pem)

run(z_seal 0 case seal ${Z} --key ${WORK}/seal-key.pem --out ${WORK}/seal.json)
expect(z_seal "${out}" "sealed 1 case at 2026-12-31T12:00:00\\+08:00")
file(READ ${WORK}/seal.json seal_text)
expect_json(z_seal_file "${seal_text}" telecomply-seal/1 format)
expect_json(z_seal_file "${seal_text}" 2 cases ${id} version)
run(z_seal_now 0 case seal ${Z} --key ${WORK}/seal-key.pem --out ${WORK}/seal-now.json
    --now 2026-06-01T08:00:00+08:00 --format json)
expect_json(z_seal_now "${out}" 2026-06-01T08:00:00+08:00 sealed_at)
run(z_verify 0 case verify ${Z} --seal ${WORK}/seal.json ${K})
expect(z_verify "${out}" "1 sealed case, 2 events, .*: the seal verifies")

# what came after the seal is listed, not vouched for
run(z_accept 0 case event ${id} accept ${Z} --at 2026-03-17)
run(z_new_sc 0 case new ${sc} ${Z} --at 2026-02-09 --id SC-1)
run(z_verify_after 0 case verify ${Z} --seal ${WORK}/seal.json ${K})
expect(z_verify_after "${out}" "appended since the seal: GD-2026-0412 \\(sealed at version 2, now 3\\)")
expect(z_verify_after "${out}" "added since the seal: SC-1")
run(z_verify_json 0 case verify ${Z} --seal ${WORK}/seal.json ${K} --format json)
expect_json(z_verify_json "${out}" ON ok)
expect_json(z_verify_json "${out}" 3 appended 0 version)
expect_json(z_verify_json "${out}" SC-1 added 0)

# the bundle: the sealed events only, checked without the store
run(z_export 0 case export ${Z} --seal ${WORK}/seal.json --out ${WORK}/bundle.json)
expect(z_export "${out}" "exported 1 case \\(2 events up to the seal\\) and 1 pinned ruleset")
run(z_bundle 0 case verify --bundle ${WORK}/bundle.json ${K})
expect(z_bundle "${out}" "1 sealed case, 2 events, .*: the seal verifies")
run(z_bundle_json 0 case verify --bundle ${WORK}/bundle.json ${K} --format json)
expect_json(z_bundle_json "${out}" ON ok)
# a seal and a bundle from standard input (-), as every other input read from a file
set(sealed ${WORK}/sealed.db)
set(pub ${WORK}/seal-key.pub.pem)
foreach(case "verify --store ${sealed} --seal - --public-key ${pub}|seal.json|seal <stdin>: 1 sealed case"
             "verify --bundle - --public-key ${pub}|bundle.json|bundle <stdin>: 1 sealed case"
             "export --store ${sealed} --seal - --out ${WORK}/bundle-stdin.json|seal.json|exported 1 case")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 line)
  list(GET parts 1 input)
  list(GET parts 2 pattern)
  separate_arguments(argv UNIX_COMMAND "${line}")
  execute_process(COMMAND ${CLI} case ${argv} INPUT_FILE ${WORK}/${input} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "case ${line} < ${input}: exit ${rc}\n${out}\n${err}")
  endif()
endforeach()
file(READ ${WORK}/bundle.json bundle_text)
string(REPLACE "\"actor\": \"cli\"" "\"actor\": \"someone else\"" edited "${bundle_text}")
file(WRITE ${WORK}/bundle-edited.json "${edited}")
run(z_bundle_edited 1 case verify --bundle ${WORK}/bundle-edited.json ${K})
expect(z_bundle_edited "${out}" "TAMPERED  case GD-2026-0412 event 1: event 1: hash does not match")
expect(z_bundle_edited "${out}" "problems found")
string(REPLACE "telecomply-bundle/1" "zip" edited "${bundle_text}")
file(WRITE ${WORK}/bundle-format.json "${edited}")
run(z_bundle_format 1 case verify --bundle ${WORK}/bundle-format.json ${K})
expect(z_bundle_format "${out}" "BAD BUNDLE  \\$.format: must be \"telecomply-bundle/1\"")

# another key, an edited seal: the signature does not verify (exit 1)
run(z_other_key 1 case verify ${Z} --seal ${WORK}/seal.json --public-key ${WORK}/other-key.pub.pem)
expect(z_other_key "${out}" "BAD SEAL  the signature does not verify")
string(REPLACE "\"version\": 2" "\"version\": 1" edited "${seal_text}")
file(WRITE ${WORK}/seal-edited.json "${edited}")
run(z_seal_edited 1 case verify ${Z} --seal ${WORK}/seal-edited.json ${K})
expect(z_seal_edited "${out}" "BAD SEAL  the signature does not verify")

# a store rebuilt from scratch with valid chains: its own verify passes, the seal does not
set(R --store ${WORK}/rebuilt.db)
run(z_rebuilt_new 0 case new ${gd} ${R} --at 2026-03-02)
run(z_rebuilt_submit 0 case event ${id} submit ${R} --at 2026-03-16 --actor officer-9)
run(z_rebuilt_verify 0 case verify ${R})
run(z_rebuilt_seal 1 case verify ${R} --seal ${WORK}/seal.json ${K})
expect(z_rebuilt_seal "${out}" "TAMPERED  case GD-2026-0412 event 2: event 2 is not the sealed one")

# an event edited in the file
execute_process(COMMAND ${SQL} ${WORK}/sealed.db
  "DROP TRIGGER IF EXISTS events_no_update; UPDATE events SET actor = 'someone' WHERE case_id = 'GD-2026-0412' AND seq = 1;"
  RESULT_VARIABLE rc ERROR_VARIABLE e)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sql_exec: ${rc} ${e}")
endif()
run(z_verify_tampered 1 case verify ${Z} --seal ${WORK}/seal.json ${K})
expect(z_verify_tampered "${out}" "TAMPERED  case GD-2026-0412 event 1: ")
run(z_seal_tampered 2 case seal ${Z} --key ${WORK}/seal-key.pem --out ${WORK}/never-seal.json)
expect(z_seal_tampered "${err}" "do not verify.*nothing was sealed")
if(EXISTS ${WORK}/never-seal.json)
  message(FATAL_ERROR "a refused seal left ${WORK}/never-seal.json behind")
endif()

# bad files: exit 2, named
file(WRITE ${WORK}/not-json.json "{seal")
run(z_seal_not_json 2 case verify ${Z} --seal ${WORK}/not-json.json ${K})
expect(z_seal_not_json "${err}" "not-json.json:1: \\$: invalid JSON")
run(z_key_missing 2 case verify ${Z} --seal ${WORK}/seal.json --public-key ${WORK}/nope.pub.pem)
expect(z_key_missing "${err}" "nope.pub.pem: no such file")
run(z_key_private 2 case verify --bundle ${WORK}/bundle.json --public-key ${WORK}/seal-key.pem)
expect(z_key_private "${err}" "seal-key.pem: not a public key in PEM")
run(z_key_public 2 case seal ${Z} --key ${WORK}/seal-key.pub.pem --out ${WORK}/x.json)
expect(z_key_public "${err}" "seal-key.pub.pem: not an unencrypted private key")
run(z_no_public_key 2 case verify ${Z} --seal ${WORK}/seal.json)
run(z_seal_and_bundle 2 case verify ${Z} --seal ${WORK}/seal.json --bundle ${WORK}/bundle.json ${K})
run(z_seal_no_store 2 case verify --store ${WORK}/nope.db --seal ${WORK}/seal.json ${K})
expect(z_seal_no_store "${err}" "no case store")
unset(ENV{TELECOMPLY_NOW})

# ---- what the store knows: a barred company applying again, declaring a clean history
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)
set(K1 --store ${WORK}/knows.db)
run(k_new 0 case new ${gd} ${K1} --at 2026-03-02)
run(k_submit 0 case event GD-2026-0412 submit ${K1} --at 2026-03-16)
run(k_accept 0 case event GD-2026-0412 accept ${K1} --at 2026-03-17)
run(k_bar 0 case event GD-2026-0412 find_false_information ${K1} --at 2026-03-18)
file(READ ${gd} app)
string(REPLACE "\"GD-2026-0412\"" "\"GD-2026-0999\"" app "${app}")
string(REPLACE "\"submitted_on\": \"2026-03-16\"" "\"submitted_on\": \"2026-04-01\"" app "${app}")
file(WRITE ${WORK}/again.json "${app}")
run(k_check_alone 0 check ${WORK}/again.json)  # what the application declares: eligible
run(k_check_store 1 check ${WORK}/again.json ${K1} --format json)
expect(k_check_store "${out}" "HISTORY_MISMATCH")
expect(k_check_store "${out}" "REAPPLY_BANNED")
run(k_new_again 1 case new ${WORK}/again.json ${K1} --at 2026-04-01)
expect(k_new_again "${err}" "HISTORY_MISMATCH\\[banned_until\\]")
run(k_list 0 case list ${K1})
expect(k_list "${out}" "^GD-2026-0412[^\n]*\n1 case\n$")  # nothing was written
run(k_check_no_store 2 check ${WORK}/again.json --store ${WORK}/nope.db)
expect(k_check_no_store "${err}" "no case store")
run(k_verify 0 case verify ${K1})
unset(ENV{TELECOMPLY_NOW})

# ---- small faces of the same: a schema error names the file and creates no store; a state
# that does not exist; duplicate supplement items; a version that does not exist yet
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)
file(WRITE ${WORK}/bad-app.json "{\n  \"id\": \"X\",\n  \"region\": \"CN-GD\",\n  \"submitted_on\": 5,\n  \"channel\": \"online\"\n}\n")
run(m_new_bad 2 case new ${WORK}/bad-app.json --store ${WORK}/never.db)
expect(m_new_bad "${err}" "bad-app.json:4")
if(EXISTS ${WORK}/never.db)
  message(FATAL_ERROR "m_new_bad: a store was created for an application it refused")
endif()
run(m_list_state 2 case list ${K1} --state nonsense)
expect(m_list_state "${err}" "not a state")
run(m_expect_future 3 case event GD-2026-0412 complaint ${K1} --expect-version 99 --data "{\"number\": \"13866751415\"}" --at 2026-03-19)
expect(m_expect_future "${err}" "does not exist yet")
unset(ENV{TELECOMPLY_NOW})

# The faces agree (issue 11): `case new -` reads standard input; --rulesets after the case
# command's subcommand; a command that reads a store never creates one (not even cases.db in
# the working folder).
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)
set(N --store ${WORK}/stdin.db)
execute_process(COMMAND ${CLI} case new - ${N} --at 2026-03-02 INPUT_FILE ${gd}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "case GD-2026-0412 ")
  message(FATAL_ERROR "case new -: exit ${rc}\n${out}\n${err}")
endif()
run(n_event_rulesets 0 case event GD-2026-0412 submit ${N} --rulesets ${SRC}/rulesets --at 2026-03-02)
run(n_show_rulesets_before 0 case --rulesets ${SRC}/rulesets show GD-2026-0412 ${N})
file(MAKE_DIRECTORY ${WORK}/empty-folder)
foreach(cmd "show;NOPE" "history;NOPE" "list" "verify" "tick" "event;NOPE;submit")
  execute_process(COMMAND ${CLI} case ${cmd} WORKING_DIRECTORY ${WORK}/empty-folder
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(GLOB left ${WORK}/empty-folder/*)
  if(NOT rc EQUAL 2 OR left OR NOT err MATCHES "no case store 'cases.db'")
    message(FATAL_ERROR "case ${cmd} without a store: exit ${rc}, left ${left}\n${err}")
  endif()
endforeach()
unset(ENV{TELECOMPLY_NOW})

# `telecomply calendar ...` and provisional deadlines on the command line, on a scratch copy of
# the rulesets (the import writes into it) and a scratch store.
#   cmake -DCLI=<telecomply> -DSRC=<source dir> -DWORK=<scratch dir> -P cli_calendar.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(COPY ${SRC}/rulesets DESTINATION ${WORK})
set(R --rulesets ${WORK}/rulesets)
set(S --store ${WORK}/cases.db)
set(gd ${SRC}/examples/applications/gd-retail-eligible.json)
set(sc ${SRC}/examples/applications/sc-finance-site-inspection-eligible.json)
set(fixture ${SRC}/tests/data/calendars/CN-2027-official-fixture.json)

include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)


# the store's clock (tests inject it): after every date below
set(ENV{TELECOMPLY_NOW} 2027-12-31T12:00:00+08:00)

# ---- the reported outage: accept on 2026-11-30 runs the review clock into 2027
run(gd_new 0 case new ${gd} ${S} ${R} --at 2026-11-30)
run(gd_submit 0 case event GD-2026-0412 submit ${S} ${R} --at 2026-11-30)
run(gd_accept 0 case event GD-2026-0412 accept ${S} ${R} --at 2026-11-30 --format json)
expect_json(gd_accept "${out}" 2027-01-26 deadlines review_sla due)
expect_json(gd_accept "${out}" ON deadlines review_sla provisional)
expect_json(gd_accept "${out}" 2027 deadlines review_sla provisional_years 0)
run(gd_show 0 case show GD-2026-0412 ${S} ${R})
expect(gd_show "${out}" "deadline  review_sla  2027-01-26  \\(40 working days from 2026-11-30; PROVISIONAL: counted across 2027, a provisional calendar year")
run(gd_history 0 case history GD-2026-0412 ${S} ${R})
expect(gd_history "${out}" "deadline review_sla 2027-01-26 .*PROVISIONAL.*\\[calendar CN@[0-9a-f]+\\]")
run(gd_history_json 0 case history GD-2026-0412 ${S} ${R} --format json)
expect_json(gd_history_json "${out}" 2027-01-26 2 outcome deadlines review_sla due)

# ---- calendar show
run(show 0 calendar show ${R})
expect(show "${out}" "calendar CN@[0-9a-f]+  2024-01-01 to 2035-12-31")
expect(show "${out}" "2026  official  国务院办公厅")
expect(show "${out}" "2027  provisional  ")
run(show_gx 0 calendar show --region CN-GX ${R} --format json)
expect_json(show_gx "${out}" CN-GX name)
expect_json(show_gx "${out}" provisional years 3 status)
run(show_bad 2 calendar show --region CN-XX ${R})
expect(show_bad "${err}" "unknown region 'CN-XX'")

# ---- a case across the provisional Spring Festival (CN-SC, 60 working days): 2027-03-01
run(sc_new 0 case new ${sc} ${S} ${R} --at 2026-11-30)
run(sc_submit 0 case event SC-2026-0147 submit ${S} ${R} --at 2026-11-30)
run(sc_accept 0 case event SC-2026-0147 accept ${S} ${R} --at 2026-11-30 --format json)
expect_json(sc_accept "${out}" 2027-03-01 deadlines review_sla due)

# ---- import: a bad file is refused whole (exit 2), with file, line and path; nothing written
file(READ ${WORK}/rulesets/calendars/CN.json before)
file(WRITE ${WORK}/bad.json "{\n  \"name\": \"CN\",\n  \"2027\": {\n    \"status\": \"official\",\n    \"source\": \"x\",\n    \"off\": [\"2027-02-30\"]\n  }\n}\n")
run(import_bad 2 calendar import ${WORK}/bad.json ${fixture} --dry-run ${R})
expect(import_bad "${out}" "bad.json:6: \\$.2027.off\\[0\\]: error: \"2027-02-30\" is not a real YYYY-MM-DD date")
expect(import_bad "${out}" "bad.json: not imported \\(1 error\\)")
# the other file of the batch still ran (dry)
expect(import_bad "${out}" "CN 2027: provisional -> official")
file(READ ${WORK}/rulesets/calendars/CN.json after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "import_bad: the calendar file was changed")
endif()

# --store is checked before anything is written: a bad --at, a store that does not exist
run(import_bad_at 2 calendar import ${fixture} ${R} ${S} --at yesterday)
expect(import_bad_at "${err}" "event time 'yesterday'")
run(import_no_store 2 calendar import ${fixture} ${R} --store ${WORK}/typo.db --at 2026-12-01)
expect(import_no_store "${err}" "no such case store")
if(EXISTS ${WORK}/typo.db)
  message(FATAL_ERROR "import_no_store: created ${WORK}/typo.db")
endif()
file(READ ${WORK}/rulesets/calendars/CN.json after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "import_bad_at/import_no_store: the calendar file was changed")
endif()
run(import_dry_store 0 calendar import ${fixture} ${R} ${S} --dry-run)
expect(import_dry_store "${out}" "not recounted")

# ---- import the official 2027 (a test fixture): the SC deadline moves to 2027-03-02
# (with a bad file in the same command: it is reported, the good one is written and recounted)
run(import 2 calendar import ${WORK}/bad.json ${fixture} ${R} ${S} --at 2026-12-01)
expect(import "${out}" "bad.json: not imported")
expect(import "${out}" "CN 2027: provisional -> official")
expect(import "${out}" "now off:     2027-02-11 2027-02-12")
expect(import "${out}" "now working: 2027-02-20")
expect(import "${out}" "SC-2026-0147  review_sla recounted on calendar CN@[0-9a-f]+: moved from 2027-03-01 to 2027-03-02 \\(official\\)")
expect(import "${out}" "GD-2026-0412  review_sla recounted on calendar CN@[0-9a-f]+: stays 2027-01-26 \\(official\\)")
expect(import "${out}" "2 cases with deadlines recounted")
run(sc_show 0 case show SC-2026-0147 ${S} ${R})
expect(sc_show "${out}" "review_sla  2027-03-02  \\(60 working days from 2026-11-30; moved from 2027-03-01 by a calendar change \\(CN@")
run(sc_history 0 case history SC-2026-0147 ${S} ${R})
expect(sc_history "${out}" "recompute_deadlines  by calendar-import")
run(verify 0 case verify ${S} ${R})
expect(verify "${out}" "the hash chains verify and replay matches")
run(tick 0 case tick ${S} ${R} --now 2026-12-02)
expect(tick "${out}" "0 automatic events applied")
run(tick_json 0 case tick ${S} ${R} --now 2026-12-02 --format json)
expect(tick_json "${out}" "^\\[\\]")

# the same file again: nothing changes, nothing is written
run(import_again 0 calendar import ${fixture} ${R})
expect(import_again "${out}" "CN 2027: official -> official, no day changes")
expect(import_again "${out}" "unchanged: nothing to write")
# other days for an official year need --replace-official
file(WRITE ${WORK}/prov2027.json "{\"name\": \"CN\", \"2027\": {\"status\": \"provisional\", \"source\": \"statutory\", \"off\": [\"2027-01-01\"]}}")
run(import_downgrade 2 calendar import ${WORK}/prov2027.json ${R})
expect(import_downgrade "${out}" "is official already")
run(import_downgrade_dry 0 calendar import ${WORK}/prov2027.json ${R} --replace-official --dry-run)
expect(import_downgrade_dry "${out}" "CN 2027: official -> provisional")
run(lint 0 lint ${WORK}/rulesets)

# ---- lint names every calendar problem with its line
file(WRITE ${WORK}/rulesets/calendars/CN-GX.json "{\"name\": \"CN-GX\", \"extends\": \"CN\",\n \"2025\": {\"off\": [\"2025-03-31\"],\n \"work\": [\"2025-03-04\"]}}\n")
run(lint_bad 2 lint ${WORK}/rulesets)
expect(lint_bad "${out}" "CN-GX.json:2: \\$.2025: error: regional days need a \"source\"")
expect(lint_bad "${out}" "CN-GX.json:3: \\$.2025.work\\[0\\]: error: 2025-03-04 is already a working day")

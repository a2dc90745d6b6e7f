# The tools for the people who write and run the rules (docs/rulesets.md): overlays, lint of
# field paths and of relaxed parameters, coverage per rule, diff by versions, dates and
# folders, explain's leaves and parameters, explain --fix, fmt. Each fault of the issue that
# asked for them is a case here.
#   cmake -DCLI=<telecomply> -DSRC=<source dir> -DWORK=<scratch dir> -P cli_authoring.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{TELECOMPLY_RULESETS} ${SRC}/rulesets)
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

set(OVERLAY ${SRC}/examples/overlays/gd-2026.2)
set(DATA ${SRC}/tests/data/authoring)
set(APPS ${SRC}/examples/applications)

# An application of Guangdong after the revision starts.
file(READ ${APPS}/gd-retail-eligible.json gd)
string(JSON gd SET "${gd}" submitted_on "\"2026-07-06\"")
file(WRITE ${WORK}/gd-july.json "${gd}")
string(JSON gd_over SET "${gd}" materials marketing_plan daily_calls_per_number 140)
file(WRITE ${WORK}/gd-july-140.json "${gd_over}")

# ---- fault 1: a folder holding only CN-GD/2026.2.json, extending its predecessor
run(overlay_alone 2 lint ${OVERLAY})  # alone it is no rulesets folder: it needs a base
run(overlay_lint 0 lint --overlay ${OVERLAY})
expect(overlay_lint "${out}" "CN-GD/2026.1.json:[0-9]+: \\$.effective_from: note: CN-GD@2026.1 is open-ended in its file; CN-GD@2026.2 \\([^)]*\\) starts on 2026-07-01, so CN-GD@2026.1 is in force to 2026-06-30")
expect(overlay_lint "${out}" "gd-2026.2/CN-GD/2026.2.json: note: defines CN-GD@2026.2 \\(in force 2026-07-01 to open\\), extending CN-GD@2026.1 of ")
expect(overlay_lint "${out}" "65 ruleset versions checked: 0 errors, 0 warnings")
run(overlay_check 1 check --format json --overlay ${OVERLAY} ${WORK}/gd-july-140.json)
expect_json(overlay_chain "${out}" "CN@2026.1" ruleset chain 0)
expect_json(overlay_chain "${out}" "CN-GD@2026.1" ruleset chain 1)
expect_json(overlay_chain "${out}" "CN-GD@2026.2" ruleset chain 2)
expect(overlay_cap "${out}" "DAILY_CALL_CAP_EXCEEDED")  # 140 > the revision's 120
# the regional change of 2026.1 (COMPANY_TOO_NEW blocking) is inherited, not restated
run(overlay_inherits 0 explain --format json --overlay ${OVERLAY} ${WORK}/gd-july.json)
string(JSON n LENGTH "${out}" trace)
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  string(JSON rule GET "${out}" trace ${i} rule)
  if(rule STREQUAL "company.too_new")
    string(JSON origin ERROR_VARIABLE e GET "${out}" trace ${i} params params.min_company_age_days)
    if(NOT origin STREQUAL "180")
      message(FATAL_ERROR "overlay_inherits: min_company_age_days is '${origin}', expected CN-GD's 180")
    endif()
  endif()
endforeach()
# before the revision starts, 2026.1 judges
run(overlay_before 0 check --format json --overlay ${OVERLAY} ${APPS}/gd-retail-eligible.json)
expect_json(overlay_before "${out}" "2026.1" ruleset version)
# a version extending itself, or a version that does not exist
file(MAKE_DIRECTORY ${WORK}/self/CN-GD)
file(READ ${OVERLAY}/CN-GD/2026.2.json rev)
string(JSON self SET "${rev}" extends "\"CN-GD@2026.2\"")
file(WRITE ${WORK}/self/CN-GD/2026.2.json "${self}")
run(overlay_self 2 lint --overlay ${WORK}/self)
expect(overlay_self "${out}" "\\$.extends: error: a ruleset cannot extend itself")
string(JSON later SET "${rev}" extends "\"CN-GD@2027.1\"")
file(WRITE ${WORK}/self/CN-GD/2026.2.json "${later}")
run(overlay_unknown_version 2 lint --overlay ${WORK}/self)
expect(overlay_unknown_version "${out}" "extends unknown version 'CN-GD@2027.1'")
# restating a version beneath is refused, naming both files
file(MAKE_DIRECTORY ${WORK}/restate/CN-GD)
file(COPY ${SRC}/rulesets/CN-GD/2026.1.json DESTINATION ${WORK}/restate/CN-GD)
run(overlay_restate 2 lint --overlay ${WORK}/restate)
expect(overlay_restate "${out}" "version 2026.1 of CN-GD is also defined in .*rulesets/CN-GD/2026.1.json")
run(overlay_missing 2 check --overlay ${WORK}/no-such-folder ${APPS}/gd-retail-eligible.json)
expect(overlay_missing "${err}" "no-such-folder: not a folder of rulesets")

# ---- fault 2: misspelt fields are reported, with a suggestion
run(typos 2 lint --overlay ${DATA}/typos)
expect(typos "${out}" "typos/CN-GD/2026.2.json:[0-9]+: \\$.rules\\[0\\].require: error: rule 'number.purpose': field path numbers.purpse is not in the application schema: numbers allows no member 'purpse'; did you mean 'purpose'\\?")
expect(typos "${out}" "typos/CN-GD/2026.2.json:[0-9]+: \\$.rules\\[1\\].require: warning: rule 'plan.daily_calls_strict': field path materials.marketing_plan.daily_call_per_number is not in the application schema: materials.marketing_plan has no member 'daily_call_per_number'; did you mean 'daily_calls_per_number'\\?")

# ---- a region relaxing a national parameter
run(relaxed 1 lint --overlay ${DATA}/relaxed)
expect(relaxed "${out}" "relaxed/CN-GD/2026.2.json:[0-9]+: \\$.parameters.daily_call_cap: warning: CN-GD@2026.2 relaxes the national parameter 'daily_call_cap': 250 where the national rules have 200 \\(a lower value is stricter\\)")
expect(relaxed "${out}" "relaxes the national parameter 'calling_window': 08:00-20:00 where the national rules have 09:00-20:00")
if(out MATCHES "'channels'")
  message(FATAL_ERROR "relaxed: the national channels restated are no relaxation:\n${out}")
endif()

# ---- fault 3: coverage per rule (id + origin), not per id
run(coverage 1 test --overlay ${DATA}/coverage --require-coverage)
expect(coverage "${out}" "1 rule with a finding code defined in .*coverage; never fired by a case: number.purpose \\(CN-GD@2026.2\\)")
expect(coverage "${out}" "1 rule never fired \\(--require-coverage\\)")
run(coverage_example 0 test --overlay ${OVERLAY} --require-coverage)
expect(coverage_example "${out}" "3 cases: 3 passed, 0 failed; 0 finding codes not covered both ways; 0 rules never fired")

# ---- fault 4: diff where the version exists, by dates, between folders
run(diff_versions 1 diff --from 2026.1 --to 2026.2 --overlay ${OVERLAY} ${APPS}/batch.jsonl ${WORK}/gd-july-140.json)
expect(diff_versions "${out}" "CN-HB  unchanged: no version 2026.2")
expect(diff_versions "${out}" "GD-2026-0412  CN-GD  eligible -> ineligible  \\+DAILY_CALL_CAP_EXCEEDED")
expect(diff_versions "${out}" "9 applications: [0-9]+ with different findings from 2026.1 to 2026.2")
if(err MATCHES ".")
  message(FATAL_ERROR "diff_versions: regions without 2026.2 are no errors:\n${err}")
endif()
run(diff_dates 1 diff --from-date 2026-06-30 --to-date 2026-07-01 --overlay ${OVERLAY} ${WORK}/gd-july-140.json ${APPS}/hb-numbers-without-purpose-ineligible.json)
expect(diff_dates "${out}" "\\+DAILY_CALL_CAP_EXCEEDED")
expect(diff_dates "${out}" "CN-HB  unchanged: the same rules \\(CN-HB@2026.1\\)")
file(COPY ${SRC}/rulesets/ DESTINATION ${WORK}/rulesets-b)
file(READ ${SRC}/rulesets/CN-GD/2026.1.json gd_rules)
string(JSON gd_rules SET "${gd_rules}" parameters daily_call_cap 120)
file(WRITE ${WORK}/rulesets-b/CN-GD/2026.1.json "${gd_rules}")
run(diff_folders 1 diff --from-rulesets ${SRC}/rulesets --to-rulesets ${WORK}/rulesets-b --format jsonl ${WORK}/gd-july-140.json ${APPS}/hb-numbers-without-purpose-ineligible.json)
expect_json(diff_folders "${out}" "DAILY_CALL_CAP_EXCEEDED" added 0)
expect_json(diff_folders "${out}" "CN-GD@2026.1" to_ruleset)
run(diff_no_version 2 diff --from 2026.1 --to 2031.9 ${APPS}/batch.jsonl)
expect(diff_no_version "${err}" "has version 2031.9")
run(diff_nothing 2 diff ${APPS}/batch.jsonl)
expect(diff_nothing "${err}" "diff needs what to compare")

# ---- fault 5: explain shows leaves and parameters; --full keeps every value
run(explain 1 explain --format json ${APPS}/gd-new-company-ineligible.json)
string(LENGTH "${out}" short)
string(REGEX MATCHALL "\"materials\": {" whole "${out}")
list(LENGTH whole repeats)
if(NOT repeats EQUAL 0)
  message(FATAL_ERROR "explain: the materials object is repeated ${repeats} times")
endif()
expect(explain "${out}" "\"params.daily_call_cap\": 150")
expect(explain "${out}" "\"materials.marketing_plan.daily_calls_per_number\": 180")
run(explain_text 1 explain ${APPS}/gd-new-company-ineligible.json)
expect(explain_text "${out}" "param    params.daily_call_cap = 150")
run(explain_full 1 explain --full --format json ${APPS}/gd-new-company-ineligible.json)
string(LENGTH "${out}" full)
if(NOT short LESS full)
  message(FATAL_ERROR "explain: ${short} bytes by default, not fewer than --full's ${full}")
endif()
expect(explain_full "${out}" "\"materials\": {")

# ---- explain --fix: the smallest change, verified; a JSON Merge Patch that makes it eligible
run(fix 0 explain --fix ${APPS}/js-mvno-number-ineligible.json)
expect(fix "${out}" "NUMBER_MVNO\\[17051236789\\]: remove 17051236789 from numbers")
run(fix_cap 1 explain --fix ${APPS}/gd-new-company-ineligible.json)
expect(fix_cap "${out}" "DAILY_CALL_CAP_EXCEEDED: materials.marketing_plan.daily_calls_per_number 180 → at most 150")
expect(fix_cap "${out}" "COMPANY_TOO_NEW: no change to the application can clear this: it depends on applicant.established_on")
run(fix_json 0 explain --fix --format json ${APPS}/bj-online-too-many-numbers-ineligible.json)
expect_json(fix_json "${out}" "ON" complete)  # cmake reads JSON true as ON
expect_json(fix_json "${out}" "in_person" patch channel)
# the patch applied (cmake's JSON SET is a merge here: one member), checked again: eligible
file(READ ${APPS}/bj-online-too-many-numbers-ineligible.json bj)
string(JSON numbers GET "${out}" patch numbers)
string(JSON bj SET "${bj}" numbers "${numbers}")
string(JSON bj SET "${bj}" channel "\"in_person\"")
file(WRITE ${WORK}/bj-fixed.json "${bj}")
run(fix_applied 0 check ${WORK}/bj-fixed.json)
run(fix_material 1 explain --fix ${APPS}/fj-logistics-details-missing-needs-evidence.json)
expect(fix_material "${out}" "add materials.business_license.valid_until \\(the applicant must supply it\\)")

# ---- fmt: one canonical layout, --check for CI
file(COPY ${OVERLAY}/CN-GD DESTINATION ${WORK}/fmt)
run(fmt_check_clean 0 fmt --check ${WORK}/fmt)
run(fmt_shipped 0 fmt --check ${SRC}/rulesets ${OVERLAY})
file(WRITE ${WORK}/fmt/CN-GD/2026.2.json "{\"title\": {\"en\": \"x\", \"zh\": \"y\"}, \"version\": \"2026.2\", \"id\": \"CN-GD\",
  \"effective_from\": \"2026-07-01\", \"extends\": \"CN-GD@2026.1\"}")
run(fmt_check 1 fmt --check ${WORK}/fmt)
expect(fmt_check "${out}" "2026.2.json: not in the canonical layout")
run(fmt_write 0 fmt ${WORK}/fmt)
file(READ ${WORK}/fmt/CN-GD/2026.2.json formatted)
expect(fmt_write "${formatted}" "^{\n  \"id\": \"CN-GD\",\n  \"version\": \"2026.2\",\n  \"effective_from\": \"2026-07-01\",\n  \"extends\": \"CN-GD@2026.1\",\n  \"title\": {\"zh\": \"y\", \"en\": \"x\"}\n}\n$")
run(fmt_again 0 fmt --check ${WORK}/fmt)
file(WRITE ${WORK}/fmt/CN-GD/bad.json "{\"id\": \"CN-GD\",\n \"id\": \"x\"}")
run(fmt_bad 2 fmt ${WORK}/fmt)
expect(fmt_bad "${err}" "bad.json:1: \\$.id: this key appears twice")
expect(fmt_bad "${out}" "2 files: 0 formatted, 1 unreadable")

# Drives `telecomply case durations` and `telecomply case forecast` on a scratch store and
# asserts on exit codes and output (docs/workflow.md, "Time to a decision").
#   cmake -DCLI=<telecomply> -DSRC=<source dir> -DWORK=<scratch dir> -P cli_time.cmake
# Exit statuses: 0 printed; 1 (durations) a case whose history does not replay was left out;
# 2 bad usage, no such store or case, a case that awaits no decision.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{TELECOMPLY_RULESETS} ${SRC}/rulesets)
set(store ${WORK}/cases.db)
set(gd ${SRC}/examples/applications/gd-retail-eligible.json)

include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
set(ENV{TELECOMPLY_NOW} 2026-12-31T12:00:00+08:00)
set(S --store ${store})

# Five Guangdong cases accepted on Wed 2026-04-01 and approved 2, 3, 5, 8 and 12 working days
# later (across the Qingming holiday, 04-04..04-06); T accepted on 04-21, still under review.
foreach(case_approve H1:2026-04-03 H2:2026-04-07 H3:2026-04-09 H4:2026-04-14 H5:2026-04-20 T:)
  string(REPLACE ":" ";" ca ${case_approve})
  list(GET ca 0 id)
  run(new_${id} 0 case new ${gd} ${S} --id ${id} --at 2026-03-16)
  run(submit_${id} 0 case event ${id} submit ${S} --at 2026-03-16)
  if(id STREQUAL "T")
    run(accept_${id} 0 case event ${id} accept ${S} --at 2026-04-21)
  else()
    list(GET ca 1 approve)
    run(accept_${id} 0 case event ${id} accept ${S} --at 2026-04-01)
    run(approve_${id} 0 case event ${id} approve ${S} --at ${approve})
  endif()
endforeach()

# ---- durations
run(durations 0 case durations ${S} --as-of 2026-04-27)
expect(durations "${out}" "Time in state as of 2026-04-27 \\(working days")
expect(durations "${out}" "CN-GD   under_review +6 +1 +5 +10.4 +12")
expect(durations "${out}" "CN-GD   submitted +6 +0 +12 +18.5 +25")
expect(durations "${out}" "CN-GD   review_sla +sla +0 +5 +1")
expect(durations "${out}" "Where cases wait \\(1 open case\\)")
expect(durations "${out}" "CN-GD   under_review +T +since 2026-04-21  4 working days")

run(durations_json 0 case durations ${S} --as-of 2026-04-27 --region CN-GD --format json)
expect_json(durations_json "${out}" 2026-04-27 as_of)
expect_json(durations_json "${out}" CN-GD region)
expect_json(durations_json "${out}" under_review states 2 state)
expect_json(durations_json "${out}" 5.0 states 2 median)
expect(durations_json "${out}" "\"p90\": 10.4,")
expect_json(durations_json "${out}" 5 timers 0 on_time)
expect_json(durations_json "${out}" T waiting 0 case_id)
expect_json(durations_json "${out}" 4 waiting 0 working_days)
# visits: 6 cases x (draft, submitted, under_review) + 5 whitelisted
expect_length(durations_json "${out}" 23 visits)

run(durations_gb 0 case durations ${S} --as-of 2026-04-27 --region 44 --format json)
expect_json(durations_gb "${out}" CN-GD region)
run(durations_bad_region 2 case durations ${S} --region CN-XX)
expect(durations_bad_region "${err}" "unknown region 'CN-XX'")
run(durations_bad_day 2 case durations ${S} --as-of 2026-13-01)
expect(durations_bad_day "${err}" "--as-of needs a date")
run(durations_no_store 2 case durations --store ${WORK}/nope.db)
expect(durations_no_store "${err}" "no case store")
if(EXISTS ${WORK}/nope.db)
  message(FATAL_ERROR "durations created a store")
endif()

# ---- forecast: from the history (T waited 1 working day; remaining 1, 2, 4, 7, 11)
run(forecast 0 case forecast T ${S} --as-of 2026-04-22)
expect(forecast "${out}" "case T  CN-GD  under_review since 2026-04-21 \\(1 working day\\)  as of 2026-04-22")
expect(forecast "${out}" "  likely    2026-04-28\n  earliest  2026-04-23\n  latest    2026-05-09\n")
expect(forecast "${out}" "basis     history: 5 similar cases in CN-GD  \\(more working days: p10 1.4, median 4, p90 9.4\\)")
expect(forecast "${out}" "deadline  review_sla \\(sla\\)  2026-06-18")

run(forecast_json 0 case forecast T ${S} --as-of 2026-04-22 --format json)
expect_json(forecast_json "${out}" history basis)
expect_json(forecast_json "${out}" region scope)
expect_json(forecast_json "${out}" 5 similar_cases)
expect_json(forecast_json "${out}" 2026-04-23 earliest)
expect_json(forecast_json "${out}" 2026-04-28 likely)
expect_json(forecast_json "${out}" 2026-05-09 latest)
expect(forecast_json "${out}" "\"p90\": 9.4\n")

# the SLA when too few cases waited as long (4 working days: H3, H4, H5 only)
run(forecast_sla 0 case forecast T ${S} --as-of 2026-04-27 --format json)
expect_json(forecast_sla "${out}" sla basis)
expect_json(forecast_sla "${out}" 3 similar_cases)
expect_json(forecast_sla "${out}" 2026-06-18 latest)
expect_json(forecast_sla "${out}" review_sla bounded_by)
expect(forecast_sla "${out}" "Only 3 similar finished cases \\(3 in CN-GD; 5 needed\\)")
run(forecast_three 0 case forecast T ${S} --as-of 2026-04-27 --min-similar 3 --format json)
expect_json(forecast_three "${out}" history basis)

# errors: exit 2, with the reason
run(forecast_unknown 2 case forecast NOPE ${S} --as-of 2026-04-27)
expect(forecast_unknown "${err}" "no case 'NOPE'")
run(forecast_decided 2 case forecast H1 ${S} --as-of 2026-04-27)
expect(forecast_decided "${err}" "case H1 was decided on 2026-04-03: whitelisted by approve \\(event 4\\)")
run(forecast_no_id 2 case forecast ${S})
run(forecast_bad_min 2 case forecast T ${S} --min-similar 0)

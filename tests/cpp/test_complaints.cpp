// Complaints (include/telecomply/cases/complaints.hpp, docs/workflow.md "Complaints"): reading
// complaint records from CSV and JSON, and importing them as complaint events on the cases that
// whitelisted their numbers: applied, duplicate, unmatched, refused, bad records, the threshold.
//
// gd-retail-eligible (CN-GD: complaint_threshold 5 in complaint_window_days 30) is approved on
// 2026-03-18 (registry_testing.hpp); 13866751415 is its first number.

#include <doctest/doctest.h>

#include "registry_testing.hpp"
#include "scratch_dir.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/complaints.hpp"

using namespace telecomply;
using namespace telecomply::testing;
using nlohmann::json;

namespace {

const std::string k_number = "13866751415";

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

complaint_record rec(std::string number, std::string at,
                     std::optional<std::string> source = std::nullopt) {
    complaint_record r;
    r.number = std::move(number);
    r.received_at = std::move(at);
    r.source = std::move(source);
    return r;
}

std::size_t complaint_events(const case_store& store, const std::string& id) {
    std::size_t n = 0;
    for (const auto& e : store.events(id))
        n += e.type == "complaint" ? 1 : 0;
    return n;
}

}  // namespace

// ======================================================================== reading records

TEST_CASE("complaints: CSV records (RFC 4180)") {
    const auto batch = parse_complaints_csv(
        "\xEF\xBB\xBF"
        "ID, Number ,Received_At,source,content\r\n"
        "1,+86 138 6675 1415,2026-04-01T10:00:00+08:00,12321,\"rude, and \"\"twice\"\"\"\r\n"
        "\r\n"
        "2,13985106886,2026-04-02,,\"two\r\nlines\"\r\n"
        "3,18647812363,2026-04-03,\"hot, line\" ,x\r\n",
        "c.csv");
    CHECK(batch.errors.empty());
    REQUIRE(batch.records.size() == 3);
    const auto& a = batch.records[0];
    CHECK(a.number == "+86 138 6675 1415");
    CHECK(a.received_at == "2026-04-01T10:00:00+08:00");
    CHECK(a.source == "12321");
    CHECK(a.file == "c.csv");
    CHECK(a.line == 2);
    CHECK(a.json_path.empty());
    CHECK(batch.records[1].line == 4);
    CHECK(!batch.records[1].source);    // an empty field is no source
    CHECK(batch.records[2].line == 6);  // the quoted line break counts
    CHECK(batch.records[2].source == "hot, line");
}

TEST_CASE("complaints: bad CSV rows are named by line; a bad header stops the file") {
    const auto batch = parse_complaints_csv(
        "number,received_at,source\n"
        "13866751415,2026-04-01\n"
        "13866751415,2026-04-01,\"x\"y\n"
        "13866751415,2026-04-02,ok\n"
        "13866751415,2026-04-03,\"open\n",
        "c.csv");
    REQUIRE(batch.records.size() == 1);
    CHECK(batch.records[0].line == 4);
    REQUIRE(batch.errors.size() == 3);
    CHECK(batch.errors[0].line == 2);
    CHECK(contains(batch.errors[0].message, "2 fields where the header has 3"));
    CHECK(batch.errors[1].line == 3);
    CHECK(contains(batch.errors[1].message, "after the closing quote"));
    CHECK(batch.errors[2].line == 5);
    CHECK(contains(batch.errors[2].message, "not closed"));
    CHECK(batch.errors[0].file == "c.csv");
    CHECK(batch.errors[0].code == "invalid_input");

    CHECK_THROWS_WITH_AS((void)parse_complaints_csv("number,when\n1,2\n", "c.csv"),
                         doctest::Contains("c.csv:1: the header must name the columns number and "
                                           "received_at"),
                         input_error);
    CHECK_THROWS_WITH_AS((void)parse_complaints_csv("number,received_at,Number\n", "c.csv"),
                         doctest::Contains("named twice"), input_error);
    CHECK_THROWS_WITH_AS((void)parse_complaints_csv("\n\n", "c.csv"),
                         doctest::Contains("no header"), input_error);
}

TEST_CASE("complaints: JSON Lines and JSON arrays, bad records named by line and JSON path") {
    auto batch = parse_complaints_json(
        R"({"number": "13866751415", "received_at": "2026-04-01", "source": "12321", "id": 7})"
        "\n\n"
        "{not json\n"
        R"({"number": 13866751415, "received_at": "2026-04-01"})"
        "\n"
        R"(["13866751415"])"
        "\n"
        R"({"number": "13866751415", "received_at": "2026-04-02", "source": null})"
        "\n",
        "c.jsonl");
    REQUIRE(batch.records.size() == 2);
    CHECK(batch.records[0].source == "12321");
    CHECK(batch.records[0].line == 1);
    CHECK(batch.records[0].json_path == "$");
    CHECK(batch.records[1].line == 6);
    CHECK(!batch.records[1].source);
    REQUIRE(batch.errors.size() == 3);
    CHECK(batch.errors[0].line == 3);
    CHECK(batch.errors[1].line == 4);
    CHECK(batch.errors[1].json_path == "$.number");
    CHECK(contains(batch.errors[1].message, "landline"));
    CHECK(batch.errors[2].line == 5);
    CHECK(batch.errors[2].json_path == "$");

    batch = parse_complaints_json(
        "[\n  {\"number\": \"13866751415\", \"received_at\": \"2026-04-01\"},\n  {\"number\": "
        "\"13866751415\", \"received_at\": 5}\n]\n",
        "c.json");
    REQUIRE(batch.records.size() == 1);
    CHECK(batch.records[0].json_path == "$[0]");
    CHECK(batch.records[0].line == 2);
    REQUIRE(batch.errors.size() == 1);
    CHECK(batch.errors[0].json_path == "$[1].received_at");
    CHECK(batch.errors[0].line == 3);
    CHECK_THROWS_AS((void)parse_complaints_json("[{\"number\": ", "c.json"), input_error);

    // by extension, else by the first character
    CHECK(parse_complaints("number,received_at\n1,2\n", "x.csv").records.size() == 1);
    CHECK(parse_complaints("number,received_at\n1,2\n", "-").records.size() == 1);
    CHECK(parse_complaints(R"({"number": "1", "received_at": "2"})", "-").records.size() == 1);
    CHECK(parse_complaints(R"([{"number": "1", "received_at": "2"}])", "x.txt").records.size() ==
          1);
    CHECK_THROWS_AS((void)complaints_from_json(json::object(), "<records>"), input_error);
}

// ======================================================================== importing them

TEST_CASE("complaints: applied on the case whitelisting the number; importing again adds nothing") {
    registry_fixture f;
    f.whitelist_gd("A");
    const std::vector<complaint_record> records = {
        rec("+86 138 6675 1415", "2026-04-01T10:00:00+08:00", "12321"),
        rec("13985106886", "2026-04-02"),
    };
    const auto first = f.service.import_complaints(records, "importer");
    CHECK(first.ok());
    REQUIRE(first.applied.size() == 2);
    CHECK(first.applied[0].case_id == "A");
    CHECK(first.applied[0].number == k_number);
    CHECK(first.applied[0].seq == 5);
    CHECK(first.applied[0].state == "whitelisted");
    CHECK(first.applied[1].seq == 6);
    const auto events = f.store.events("A");
    REQUIRE(events.size() == 6);
    CHECK(events[4].type == "complaint");
    CHECK(events[4].actor == "importer");
    CHECK(events[4].at == "2026-04-01T10:00:00+08:00");
    CHECK(events[4].payload == json{{"number", k_number}, {"source", "12321"}});
    CHECK(events[5].payload == json{{"number", "13985106886"}});
    CHECK(f.service.get("A").complaints.at(k_number).size() == 1);

    const auto again = f.service.import_complaints(records, "importer");
    CHECK(again.ok());
    CHECK(again.applied.empty());
    REQUIRE(again.duplicates.size() == 2);
    CHECK(again.duplicates[0].case_id == "A");
    CHECK(again.duplicates[0].seq == 5);
    CHECK(again.duplicates[1].seq == 6);
    CHECK(f.store.events("A").size() == 6);
    // the same instant written at another offset is the same complaint
    const auto utc = f.service.import_complaints({rec(k_number, "2026-04-01T02:00:00Z")});
    CHECK(utc.duplicates.size() == 1);
    CHECK(f.service.verify().ok());
    // a source must be text when recorded by hand too
    CHECK_THROWS_WITH_AS(f.service.apply("A", ev("complaint", "2026-04-03",
                                                 {{"number", k_number}, {"source", 12321}})),
                         doctest::Contains("data.source must be text"), transition_refused);
}

TEST_CASE("complaints: no case whitelisting the number then is unmatched, with the reason") {
    registry_fixture f;
    f.whitelist_gd("A");
    const auto r = f.service.import_complaints({
        rec("13800138000", "2026-03-18T10:00:00+08:00"),
        rec(k_number, "2026-03-17T10:00:00+08:00"),
        rec(k_number, "2026-03-10"),
    });
    CHECK(!r.ok());
    CHECK(r.applied.empty());
    REQUIRE(r.unmatched.size() == 3);
    CHECK(r.unmatched[0].reason ==
          "no case whitelisted 13800138000 at 2026-03-18T10:00:00+08:00 (no case in the store "
          "holds this number)");
    CHECK(r.unmatched[1].reason ==
          "no case whitelisted 13866751415 at 2026-03-17T10:00:00+08:00 (A was under_review "
          "then)");
    CHECK(r.unmatched[2].reason ==
          "no case whitelisted 13866751415 at 2026-03-10 (A did not exist yet)");
    CHECK(complaint_events(f.store, "A") == 0);
    CHECK(r.to_json()["unmatched"][0]["reason"] == r.unmatched[0].reason);
}

TEST_CASE("complaints: matched by the time of the complaint when a number moved between cases") {
    registry_fixture f;
    f.whitelist_gd("A");
    f.take("A", "compliance_check_failed", "2026-03-25");
    f.take("A", "revoke", "2026-04-01");
    f.whitelist_gd("B", "2026-04-10");
    const auto r = f.service.import_complaints({
        rec(k_number, "2026-03-20"),  // A's time: but A is revoked since (events after it)
        rec(k_number, "2026-04-05"),  // nobody's
        rec(k_number, "2026-04-12"),  // B's
    });
    REQUIRE(r.refused.size() == 1);
    CHECK(r.refused[0].case_id == "A");
    CHECK(contains(r.refused[0].reason, "before the case's last event"));
    REQUIRE(r.unmatched.size() == 1);
    CHECK(contains(r.unmatched[0].reason, "(A was revoked then; B was under_review then)"));
    REQUIRE(r.applied.size() == 1);
    CHECK(r.applied[0].case_id == "B");
}

TEST_CASE("complaints: a complaint dated before the case's last event is refused, not applied") {
    registry_fixture f;
    f.whitelist_gd("A");
    REQUIRE(f.service.import_complaints({rec(k_number, "2026-04-05")}).applied.size() == 1);
    const auto r = f.service.import_complaints({rec("13985106886", "2026-04-02T09:00:00+08:00")});
    REQUIRE(r.refused.size() == 1);
    CHECK(r.refused[0].case_id == "A");
    CHECK(contains(r.refused[0].reason, "before the case's last event (2026-04-05)"));
    CHECK(complaint_events(f.store, "A") == 1);
    // and one more than a day after the store's clock
    const auto future = f.service.import_complaints({rec(k_number, "2041-01-01")});
    CHECK(future.unmatched.size() + future.refused.size() == 1);
}

TEST_CASE("complaints: in one import, records are applied in time order") {
    registry_fixture f;
    f.whitelist_gd("A");
    const auto r = f.service.import_complaints({
        rec(k_number, "2026-04-03"),
        rec("13985106886", "2026-04-01T09:00:00+08:00"),
        rec(k_number, "2026-04-02"),
    });
    CHECK(r.ok());
    REQUIRE(r.applied.size() == 3);
    // reported in input order; recorded in time order
    CHECK(r.applied[0].seq == 7);
    CHECK(r.applied[1].seq == 5);
    CHECK(r.applied[2].seq == 6);
}

TEST_CASE("complaints: the threshold suspends the case; later complaints find it suspended") {
    registry_fixture f;
    f.whitelist_gd("A");
    std::vector<complaint_record> records;
    for (int day = 1; day <= 6; ++day)
        records.push_back(
            rec(k_number, "2026-04-0" + std::to_string(day) + "T10:00:00+08:00", "12321"));
    const auto r = f.service.import_complaints(records);
    REQUIRE(r.applied.size() == 5);
    for (std::size_t i = 0; i < 4; ++i)
        CHECK(r.applied[i].state == "whitelisted");
    CHECK(r.applied[4].state == "suspended");  // the 5th in 30 days: complaint_threshold
    CHECK(f.service.get("A").state == "suspended");
    REQUIRE(r.unmatched.size() == 1);
    CHECK(r.unmatched[0].reason ==
          "no case whitelisted 13866751415 at 2026-04-06T10:00:00+08:00 (A was suspended then)");
    // the registry closes every number of the case at the suspending complaint's instant
    const auto reg = f.service.registry();
    CHECK(registry_fixture::entry(reg, "13985106886", "A").whitelisted ==
          std::vector<whitelist_interval>{span("2026-03-18", "2026-04-05T10:00:00+08:00")});
    // importing the same file again: the five are there, the sixth still unmatched
    const auto again = f.service.import_complaints(records);
    CHECK(again.duplicates.size() == 5);
    CHECK(again.unmatched.size() == 1);
    CHECK(complaint_events(f.store, "A") == 5);
}

TEST_CASE("complaints: a number whitelisted by two cases at once is left to an officer") {
    registry_fixture f;
    f.whitelist_gd("A");
    f.whitelist_gd("B", "2026-03-20");
    const auto r = f.service.import_complaints({rec(k_number, "2026-04-01")});
    REQUIRE(r.unmatched.size() == 1);
    CHECK(contains(r.unmatched[0].reason, "was whitelisted by 2 cases at 2026-04-01 (A, B)"));
    CHECK(complaint_events(f.store, "A") + complaint_events(f.store, "B") == 0);
}

TEST_CASE("complaints: a case with a change pending refuses complaints (the workflow)") {
    registry_fixture f;
    f.whitelist_gd("A");
    f.take("A", "report_change", "2026-04-01", {{"changed_on", "2026-03-31"}});
    const auto r = f.service.import_complaints({rec(k_number, "2026-04-02")});
    REQUIRE(r.refused.size() == 1);
    CHECK(r.refused[0].case_id == "A");
    CHECK(contains(r.refused[0].reason, "change_pending"));
}

TEST_CASE("complaints: bad records are reported with their place; the rest are applied") {
    registry_fixture f;
    f.whitelist_gd("A");
    const auto batch = parse_complaints_csv(
        "number,received_at,source\n"
        "13866751415,2026-04-01,12321\n"
        ",2026-04-02,12321\n"
        "12345,2026-04-02,12321\n"
        "13866751415,yesterday,12321\n"
        "13866751415,,12321\n"
        "13866751415,2026-04-02,\xff\xfe\n"
        "13866751415\n"
        "13985106886,2026-04-03,12321\n",
        "c.csv");
    const auto r = f.service.import_complaints(batch, "importer");
    CHECK(r.applied.size() == 2);
    REQUIRE(r.errors.size() == 6);
    std::vector<std::uint32_t> lines;
    for (const auto& e : r.errors) {
        lines.push_back(e.line);
        CHECK(e.file == "c.csv");
    }
    CHECK(lines == std::vector<std::uint32_t>{3, 4, 5, 6, 7, 8});
    CHECK(r.errors[0].message == "column number: missing: a complaint names a number");
    CHECK(r.errors[1].message == "column number: '12345' is not a valid phone number");
    CHECK(contains(r.errors[2].message, "column received_at: 'yesterday' is neither"));
    CHECK(contains(r.errors[3].message, "column received_at: missing"));
    CHECK(contains(r.errors[4].message, "column source: is not UTF-8"));
    CHECK(contains(r.errors[5].message, "1 field where the header has 3"));
    CHECK(!r.ok());
    const auto j = r.to_json();
    CHECK(j["errors"].size() == 6);
    CHECK(j["applied"][0]["line"] == 2);
    CHECK(j["applied"][0]["source"] == "12321");

    // records given without a place (the Python list) are named by their position
    const auto listed = f.service.import_complaints({rec(k_number, "2026-04-04"), rec("", "x")});
    REQUIRE(listed.errors.size() == 1);
    CHECK(listed.errors[0].json_path == "$[1].number");
}

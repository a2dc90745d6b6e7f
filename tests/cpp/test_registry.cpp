// The registry of whitelisted numbers (include/telecomply/cases/registry.hpp, docs/workflow.md
// "The registry of whitelisted numbers"): intervals from the histories at every boundary, its
// JSON Lines form, and reading it back with file, line and JSON path.
//
// The cases are the shipped gd-retail-eligible example (CN-GD, 11 numbers, 13866751415 the
// first) brought to `whitelisted` through a case_service (registry_testing.hpp).

#include <doctest/doctest.h>

#include "registry_testing.hpp"
#include "scratch_dir.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/registry.hpp"

using namespace telecomply;
using namespace telecomply::testing;
using nlohmann::json;

namespace {

const std::string k_number = "13866751415";  // the first number of gd-retail-eligible

// The application's numbers with `drop` left out and `add` added (a change's patch).
json numbers_changed(const std::string& drop, const std::string& add) {
    const json app = example("gd-retail-eligible");  // kept: a temporary's member dangles
    json numbers = json::array();
    for (const auto& n : app["numbers"])
        if (n["number"] != drop) numbers.push_back(n);
    if (!add.empty()) numbers.push_back({{"number", add}, {"purpose", "售后回访"}});
    return numbers;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// The input_error parse_registry() throws for `text` (one or more lines).
input_error registry_error(const std::string& text) {
    try {
        (void)parse_registry(text, "reg.jsonl");
    } catch (const input_error& e) {
        return e;
    }
    FAIL("parse_registry accepted: " << text);
    return input_error("", 0, "", "");
}

std::string line_with(const std::string& whitelisted, const std::string& number = k_number) {
    return R"({"number": ")" + number + R"(", "region": "CN-GD", "case": "A", "whitelisted": )" +
           whitelisted + "}";
}

}  // namespace

TEST_CASE("registry: an approval dated YYYY-MM-DD counts from 00:00 in China Standard Time") {
    registry_fixture f;
    f.whitelist_gd("A");  // approved 2026-03-18
    // a second case, submitted only: its numbers are in the registry, never whitelisted
    auto other = example("zj-ecommerce-eligible");
    f.service.create(other, ev("create", "2026-03-16"), "Z");
    const auto reg = f.service.registry();

    const auto a = registry_fixture::entry(reg, k_number, "A");
    CHECK(a.region == "CN-GD");
    REQUIRE(a.whitelisted.size() == 1);
    CHECK(a.whitelisted[0] == span("2026-03-18"));
    CHECK(a.whitelisted[0].from == span("2026-03-17T16:00:00Z").from);  // 00:00 at UTC+8
    CHECK(a.to_json() == json::parse(R"({"number": "13866751415", "region": "CN-GD",
        "case": "A", "whitelisted": [["2026-03-18T00:00:00+08:00", null]]})"));
    // every number of the case, the landline in canonical form
    CHECK(registry_fixture::entry(reg, "075722381234", "A").whitelisted.size() == 1);
    std::size_t on_a = 0, on_z = 0;
    for (const auto& e : reg) {
        if (e.case_id == "A") ++on_a;
        if (e.case_id == "Z") {
            ++on_z;
            CHECK(e.region == "CN-ZJ");
            CHECK(e.whitelisted.empty());  // the region is known all the same
        }
    }
    CHECK(on_a == 11);
    CHECK(on_z == other["numbers"].size());
    // by number, then case id
    for (std::size_t i = 1; i < reg.size(); ++i)
        CHECK(std::tie(reg[i - 1].number, reg[i - 1].case_id) <
              std::tie(reg[i].number, reg[i].case_id));
}

TEST_CASE("registry: mid-day events open and close at their instants; reinstate opens anew") {
    registry_fixture f;
    f.whitelist_gd("A", "2026-03-18T14:30:00+08:00");
    f.take("A", "compliance_check_failed", "2026-04-02T10:15:00+08:00");  // suspended
    f.take("A", "reinstate", "2026-04-10");
    f.take("A", "compliance_check_failed", "2026-05-01T09:00:00+08:00");
    f.take("A", "revoke", "2026-05-02");  // final: stays closed
    const auto e = registry_fixture::entry(f.service.registry(), k_number, "A");
    CHECK(e.whitelisted == std::vector<whitelist_interval>{
                               span("2026-03-18T14:30:00+08:00", "2026-04-02T10:15:00+08:00"),
                               span("2026-04-10", "2026-05-01T09:00:00+08:00")});
    CHECK(e.to_json()["whitelisted"] ==
          json::parse(R"([["2026-03-18T14:30:00+08:00", "2026-04-02T10:15:00+08:00"],
                          ["2026-04-10T00:00:00+08:00", "2026-05-01T09:00:00+08:00"]])"));
}

TEST_CASE("registry: a bare day after an instant of the same day takes effect at that instant") {
    registry_fixture f;
    f.whitelist_gd("A", "2026-03-18T14:30:00+08:00");
    // allowed (a bare day is not before an instant on it), but it cannot reach back to 00:00:
    // whitelisted and suspended at one instant is never whitelisted
    f.take("A", "compliance_check_failed", "2026-03-18");
    CHECK(registry_fixture::entry(f.service.registry(), k_number, "A").whitelisted.empty());
}

TEST_CASE("registry: a reported change holds the old numbers until change_accepted") {
    registry_fixture f;
    f.whitelist_gd("A");
    const std::string added = "13900000010";
    f.take(
        "A", "report_change", "2026-04-01T10:00:00+08:00",
        {{"changed_on", "2026-03-31"}, {"patch", {{"numbers", numbers_changed(k_number, added)}}}});
    SUBCASE("accepted: the removed number stays whitelisted until then, the new one from then") {
        // while pending, the case still holds what it had (and shows the change)
        auto reg = f.service.registry();
        CHECK(registry_fixture::entry(reg, k_number, "A").whitelisted ==
              std::vector<whitelist_interval>{span("2026-03-18")});
        for (const auto& e : reg)
            CHECK(e.number != added);  // not held yet
        f.take("A", "change_accepted", "2026-04-03T11:00:00+08:00");
        reg = f.service.registry();
        CHECK(registry_fixture::entry(reg, k_number, "A").whitelisted ==
              std::vector<whitelist_interval>{span("2026-03-18", "2026-04-03T11:00:00+08:00")});
        CHECK(registry_fixture::entry(reg, added, "A").whitelisted ==
              std::vector<whitelist_interval>{span("2026-04-03T11:00:00+08:00")});
        // another number, untouched by the change: one interval throughout change_pending
        CHECK(registry_fixture::entry(reg, "13985106886", "A").whitelisted ==
              std::vector<whitelist_interval>{span("2026-03-18")});
    }
    SUBCASE("rejected: the old numbers stay, the proposed one never belonged to the case") {
        f.take("A", "change_rejected", "2026-04-03T11:00:00+08:00");
        const auto reg = f.service.registry();
        CHECK(registry_fixture::entry(reg, k_number, "A").whitelisted ==
              std::vector<whitelist_interval>{span("2026-03-18")});
        for (const auto& e : reg)
            CHECK(e.number != added);
    }
}

TEST_CASE("registry: renewal_review stays whitelisted; expiry closes when the validity ends") {
    registry_fixture f;
    f.whitelist_gd("A");  // approved 2026-03-18: the validity's last day is 2027-03-18
    f.take("A", "submit_renewal", "2027-03-01");
    REQUIRE(f.service.get("A").state == "renewal_review");
    auto e = registry_fixture::entry(f.service.registry(), k_number, "A");
    CHECK(e.whitelisted == std::vector<whitelist_interval>{span("2026-03-18")});
    // the renewal is not approved; a late tick expires the case, but the whitelisting ended
    // with the validity's last day, not when the tick came
    (void)f.service.tick(*date::parse("2027-03-25"));
    REQUIRE(f.service.get("A").state == "expired");
    e = registry_fixture::entry(f.service.registry(), k_number, "A");
    CHECK(e.whitelisted == std::vector<whitelist_interval>{span("2026-03-18", "2027-03-19")});
    CHECK(e.to_json()["whitelisted"][0][1] == "2027-03-19T00:00:00+08:00");
}

TEST_CASE("registry: an approved renewal keeps one interval") {
    registry_fixture f;
    f.whitelist_gd("A");
    f.take("A", "submit_renewal", "2027-03-01");
    f.take("A", "approve_renewal", "2027-03-15");
    CHECK(registry_fixture::entry(f.service.registry(), k_number, "A").whitelisted ==
          std::vector<whitelist_interval>{span("2026-03-18")});
}

TEST_CASE("registry: a number on two cases") {
    registry_fixture f;
    SUBCASE("one after the other: each case its own intervals") {
        f.whitelist_gd("A");
        f.take("A", "compliance_check_failed", "2026-03-25");
        f.take("A", "revoke", "2026-04-01");
        f.whitelist_gd("B", "2026-04-10");
        const auto reg = f.service.registry();
        CHECK(registry_fixture::entry(reg, k_number, "A").whitelisted ==
              std::vector<whitelist_interval>{span("2026-03-18", "2026-03-25")});
        CHECK(registry_fixture::entry(reg, k_number, "B").whitelisted ==
              std::vector<whitelist_interval>{span("2026-04-10")});
    }
    SUBCASE("at once (the same applicant): both listed, by case id") {
        f.whitelist_gd("B", "2026-03-20");
        f.whitelist_gd("A");
        const auto reg = f.service.registry();
        std::vector<std::string> ids;
        for (const auto& e : reg)
            if (e.number == k_number) ids.push_back(e.case_id);
        CHECK(ids == std::vector<std::string>{"A", "B"});
    }
}

TEST_CASE("registry: reads only; a history that does not replay is named, not left out quietly") {
    registry_fixture f;
    f.whitelist_gd("A");
    f.whitelist_gd("B", "2026-03-20");
    const auto before = f.store.heads();
    CHECK(f.service.registry().size() == 22);
    CHECK(f.store.heads().size() == before.size());
    CHECK(f.store.events("A").size() == 4);
    raw_sql(f.db.path(), "UPDATE events SET at = 'someday' WHERE case_id = 'B' AND seq = 3;");
    std::vector<std::string> skipped;
    const auto reg = f.service.registry(&skipped);
    CHECK(reg.size() == 11);  // A's
    REQUIRE(skipped.size() == 1);
    CHECK(contains(skipped[0], "case B"));
    CHECK(contains(skipped[0], "case verify"));
    CHECK_THROWS_AS((void)f.service.registry(), integrity_error);
}

TEST_CASE("registry: JSON Lines round trip") {
    const std::vector<registry_entry> entries = {
        {"13866751415",
         "CN-GD",
         "A",
         {span("2026-03-18", "2026-04-02T10:15:00+08:00"), span("2026-04-10T08:00:00+08:00")}},
        {"13866751415", "CN-GD", "B", {}},
        {"075722381234", "CN-GD", "A", {span("2026-03-18T14:30:00+08:00")}},
    };
    for (const auto& e : entries)
        CHECK(registry_entry::from_json(e.to_json()) == e);
    std::ostringstream out;
    write_registry(out, entries);
    const std::string text = out.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 3);
    CHECK(parse_registry(text, "reg.jsonl") == entries);

    scratch_dir dir;
    write_registry_file(dir.path / "registry.jsonl", entries);
    CHECK(read_registry(dir.path / "registry.jsonl") == entries);
    write_registry_file(dir.path / "registry.jsonl", {});  // replaced whole
    CHECK(read_registry(dir.path / "registry.jsonl").empty());
    CHECK_THROWS_AS((void)read_registry(dir.path / "missing.jsonl"), input_error);
    CHECK_THROWS_AS(write_registry_file(dir.path / "no" / "such" / "dir.jsonl", entries),
                    store_error);

    // any writing of a number, any offset, a bare day; blank lines and a byte order mark
    const auto read = parse_registry(
        "\xEF\xBB\xBF\n" +
            line_with(R"([["2026-03-17T16:00:00Z", "2026-04-02"]])", "+86 138 6675 1415") + "\n\n",
        "reg.jsonl");
    REQUIRE(read.size() == 1);
    CHECK(read[0].number == "13866751415");
    CHECK(read[0].whitelisted == std::vector<whitelist_interval>{span("2026-03-18", "2026-04-02")});
}

TEST_CASE("registry: the shipped call-record sample's registry reads") {
    // what docs/screening.md screens against: the format screening and the registry share
    const auto entries =
        read_registry(rulesets_dir().parent_path() / "examples" / "calls" / "registry.jsonl");
    REQUIRE(!entries.empty());
    for (const auto& e : entries)
        CHECK(registry_entry::from_json(e.to_json()) == e);
}

TEST_CASE("registry: a bad line is named by file, line and JSON path") {
    struct bad {
        std::string whitelisted, path, message;
    };
    for (const auto& b : std::vector<bad>{
             {R"([["2026-03-20", "2026-03-18"]])", "$.whitelisted[0][1]", "ends at or before"},
             {R"([["2026-03-18", "2026-03-18"]])", "$.whitelisted[0][1]", "ends at or before"},
             {R"([["2026-03-18", null], ["2026-04-01", null]])", "$.whitelisted[1]", "still open"},
             {R"([["2026-03-18", "2026-04-01"], ["2026-04-01", null]])", "$.whitelisted[1]",
              "adjacent"},
             {R"([["2026-03-18", "2026-04-01"], ["2026-03-20", null]])", "$.whitelisted[1]",
              "disjoint"},
             {R"([["soon", null]])", "$.whitelisted[0][0]", "neither an RFC 3339"},
             {R"([[20260318, null]])", "$.whitelisted[0][0]", "a bound is"},
             {R"([["2026-03-18"]])", "$.whitelisted[0]", "a pair"},
             {R"({})", "$.whitelisted", "list of [from, to]"},
         }) {
        CAPTURE(b.whitelisted);
        const auto e = registry_error(line_with(R"([])") + "\n" + line_with(b.whitelisted));
        CHECK(e.file() == "reg.jsonl");
        CHECK(e.line() == 2);
        CHECK(e.json_path() == b.path);
        CHECK(contains(e.message(), b.message));
    }
    auto e = registry_error(line_with("[]", "12345"));
    CHECK(e.json_path() == "$.number");
    CHECK(contains(e.message(), "not a valid phone number"));
    // a region without rules is this line's fault, not every screened call's
    for (const char* region : {"CN-XX", "44", "CN", "cn-gd"}) {
        CAPTURE(region);
        e = registry_error(std::string(R"({"number": "13866751415", "region": ")") + region +
                           R"(", "case": "A", "whitelisted": []})");
        CHECK(e.json_path() == "$.region");
        CHECK(contains(e.message(), "is not the ISO 3166-2 code of a province-level region"));
    }
    e = registry_error(R"({"number": "13866751415", "region": "CN-GD", "whitelisted": []})");
    CHECK(e.json_path() == "$.case");
    e = registry_error(
        R"({"number": "13866751415", "region": "CN-GD", "case": "A", "whitelisted": [], "n": 1})");
    CHECK(e.json_path() == "$.n");
    e = registry_error("[]");
    CHECK(e.json_path() == "$");
    e = registry_error(line_with("[]") + "\n\n{not json");
    CHECK(e.line() == 3);
    CHECK(contains(e.what(), "reg.jsonl:3"));
    e = registry_error(line_with("[]") + "\n" + line_with(R"([["2026-03-18", null]])"));
    CHECK(e.line() == 2);
    CHECK(contains(e.message(), "listed twice (first on line 1)"));
    e = registry_error(R"({"number": "13866751415", "number": "13866751415"})");
    CHECK(contains(e.what(), "twice"));
}

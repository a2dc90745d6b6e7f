// Seals and bundles (cases/seal.hpp): signed checkpoints of a case store kept outside it, and
// offline bundles of what a seal covers. A store rebuilt from scratch with valid chains passes
// verify_all() but not a seal made before.

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "case_testing.hpp"
#include "scratch_dir.hpp"
#include "service_testing.hpp"
#include "store_testing.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/cases/seal.hpp"
#include "test_clock.hpp"

using namespace telecomply;
using nlohmann::json;

namespace {

using testing::raw_sql;
using testing::temp_db;

constexpr const char* k_sealed_at = "2026-04-01T18:00:00+08:00";

event_input note(int n) {
    event_input e;
    e.type = n == 1 ? "create" : "note";
    e.actor = "officer-1";
    e.at = "2026-03-02T09:30:00+08:00";
    e.payload = {{"n", n}};
    e.ruleset_digest = "sha256:0123";
    return e;
}

// A case with events 1..n (payload {"n": seq}); `changed` makes event `changed` say otherwise.
void make_case(case_store& s, const std::string& id, int n, int changed = 0) {
    auto at = [&](int i) {
        event_input e = note(i);
        if (i == changed) e.payload["n"] = -i;
        return e;
    };
    s.create(id, "CN-GD", at(1), "draft", {{"state", "draft"}});
    for (int i = 2; i <= n; ++i)
        s.append(id, i - 1, at(i), "draft", {{"version", i}});
}

// One key pair for the whole file (generating is cheap, but one is enough).
const seal_key_pair& keys() {
    static const seal_key_pair k = generate_seal_key();
    return k;
}

bool has_problem(const seal_report& r, const std::string& case_id, const std::string& words) {
    return std::any_of(r.problems.begin(), r.problems.end(), [&](const verify_problem& p) {
        return p.case_id == case_id && p.message.find(words) != std::string::npos;
    });
}

std::string describe(const seal_report& r) {
    return r.to_json().dump(2);
}

// A store with cases "a" (3 events) and "b" (2 events), and its seal.
struct sealed_store {
    temp_db db;
    case_store store = case_store::open(db.path());
    json seal_doc;
    sealed_store() {
        make_case(store, "a", 3);
        make_case(store, "b", 2);
        seal_doc = seal(store, keys().private_pem, k_sealed_at);
    }
};

// A store of real cases (the shipped rules: their content is pinned in the store), its seal
// and its bundle.
struct bundled_store {
    temp_db db;
    case_store store = case_store::open(db.path());
    json bundle;
    bundled_store() {
        case_service svc(store, testing::manager(), testing::test_clock());
        const auto id =
            svc.create(testing::example("gd-retail-eligible"), testing::ev("create", "2026-03-16"))
                .id;
        (void)svc.apply(id, testing::ev("submit", "2026-03-16"));
        (void)svc.apply(id, testing::ev("accept", "2026-03-17"));
        // through its file, as `case export` writes it and `case verify --bundle` reads it
        bundle =
            json::parse(export_bundle(store, seal(store, keys().private_pem, k_sealed_at)).dump(2));
    }
    [[nodiscard]] seal_report verify() const {
        return verify_bundle(bundle, keys().public_pem, testing::manager().rules().rules());
    }
};

}  // namespace

TEST_CASE("seal: a store sealed and verified with its key is ok") {
    sealed_store s;
    const json& d = s.seal_doc;
    CHECK(d["format"] == "telecomply-seal/1");
    CHECK(d["sealed_at"] == k_sealed_at);
    CHECK(d["key_id"] == seal_key_id(keys().public_pem));
    CHECK(d["key_id"].get<std::string>().size() == 64);
    CHECK(d["cases"]["a"]["version"] == 3);
    CHECK(d["cases"]["a"]["head"] == s.store.events("a").back().hash);
    CHECK(d["cases"]["b"]["version"] == 2);
    CHECK(d["signature"].get<std::string>().size() == 88);  // 64 bytes in base64

    const auto r = verify_seal(s.store, d, keys().public_pem);
    INFO(describe(r));
    CHECK(r.ok());
    CHECK(r.cases == 2);
    CHECK(r.events == 5);
    CHECK(r.appended.empty());
    CHECK(r.added.empty());
    CHECK(r.sealed_at == k_sealed_at);
    CHECK(r.to_json()["ok"] == true);
}

TEST_CASE("seal: heads() reads every case's id, region, version and last hash") {
    sealed_store s;
    const auto heads = s.store.heads();
    REQUIRE(heads.size() == 2);
    CHECK(heads[0].id == "a");
    CHECK(heads[0].region == "CN-GD");
    CHECK(heads[0].version == 3);
    CHECK(heads[0].hash == s.store.events("a").back().hash);
    CHECK(s.store.hash_of("a", 2) == s.store.events("a")[1].hash);
    CHECK_FALSE(s.store.hash_of("a", 4));
    CHECK_FALSE(s.store.hash_of("zz", 1));
}

TEST_CASE("seal: an event edited in the file fails the seal") {
    sealed_store s;
    raw_sql(s.db.path(),
            "UPDATE events SET payload = '{\"n\":99}' WHERE case_id = 'a' AND seq = 2;");
    const auto r = verify_seal(s.store, s.seal_doc, keys().public_pem);
    INFO(describe(r));
    CHECK_FALSE(r.ok());
    CHECK(has_problem(r, "a", "hash does not match"));
}

TEST_CASE(
    "seal: a store rebuilt from scratch with valid chains fails the old seal, naming the "
    "case") {
    sealed_store s;
    temp_db other;
    auto rebuilt = case_store::open(other.path());
    make_case(rebuilt, "a", 3);
    make_case(rebuilt, "b", 2, /*changed=*/2);  // one event says otherwise
    REQUIRE(rebuilt.verify_all().ok());         // the chains alone cannot tell

    const auto r = verify_seal(rebuilt, s.seal_doc, keys().public_pem);
    INFO(describe(r));
    CHECK_FALSE(r.ok());
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].case_id == "b");
    CHECK(r.problems[0].seq == 2);
    CHECK(has_problem(r, "b", "is not the sealed one"));
}

TEST_CASE("seal: a sealed case removed or cut short fails") {
    sealed_store s;
    raw_sql(s.db.path(),
            "DELETE FROM events WHERE case_id = 'a' AND seq = 3;"
            "UPDATE cases SET version = 2, last_hash = (SELECT hash FROM events "
            "WHERE case_id = 'a' AND seq = 2) WHERE id = 'a';"
            "DELETE FROM events WHERE case_id = 'b'; DELETE FROM cases WHERE id = 'b';");
    const auto r = verify_seal(s.store, s.seal_doc, keys().public_pem);
    INFO(describe(r));
    CHECK(has_problem(r, "a", "has no event 3"));
    CHECK(has_problem(r, "b", "no such case"));
}

TEST_CASE("seal: events appended and cases added after the seal are listed, not problems") {
    sealed_store s;
    s.store.append("a", 3, note(4), "draft", {{"version", 4}});
    s.store.append("a", 4, note(5), "draft", {{"version", 5}});
    make_case(s.store, "c", 1);
    const auto r = verify_seal(s.store, s.seal_doc, keys().public_pem);
    INFO(describe(r));
    CHECK(r.ok());
    REQUIRE(r.appended.size() == 1);
    CHECK(r.appended[0].case_id == "a");
    CHECK(r.appended[0].sealed_version == 3);
    CHECK(r.appended[0].version == 5);
    CHECK(r.added == std::vector<std::string>{"c"});
    const json j = r.to_json();
    CHECK(j["appended"][0]["version"] == 5);
    CHECK(j["added"][0] == "c");
}

TEST_CASE("seal: another key's public key fails") {
    sealed_store s;
    const auto other = generate_seal_key();
    const auto r = verify_seal(s.store, s.seal_doc, other.public_pem);
    INFO(describe(r));
    CHECK_FALSE(r.ok());
    CHECK(has_problem(r, "", "not the given public key"));
    CHECK(has_problem(r, "", "the signature does not verify"));
}

TEST_CASE("seal: a seal edited after signing fails its signature") {
    sealed_store s;
    SUBCASE("a sealed version lowered, the root recomputed") {
        json d = s.seal_doc;
        d["cases"]["a"]["version"] = 2;
        d["cases"]["a"]["head"] = s.store.events("a")[1].hash;
        const auto r = verify_seal(s.store, d, keys().public_pem);
        INFO(describe(r));
        CHECK(has_problem(r, "", "the signature does not verify"));
        CHECK(has_problem(r, "", "$.root: is not the SHA-256"));
    }
    SUBCASE("the time changed") {
        json d = s.seal_doc;
        d["sealed_at"] = "2026-05-01T18:00:00+08:00";
        const auto r = verify_seal(s.store, d, keys().public_pem);
        CHECK(has_problem(r, "", "the signature does not verify"));
    }
    SUBCASE("the signature not in canonical base64") {
        json d = s.seal_doc;
        d["signature"] = " " + d["signature"].get<std::string>();
        const auto r = verify_seal(s.store, d, keys().public_pem);
        CHECK(has_problem(r, "", "$.signature: is not canonical base64"));
    }
}

TEST_CASE("seal: a malformed seal is a problem naming the JSON path, never a crash") {
    sealed_store s;
    json d = s.seal_doc;
    d["cases"]["a"]["version"] = "three";
    d["format"] = "telecomply-seal/2";
    d["extra"] = 1;
    auto r = verify_seal(s.store, d, keys().public_pem);
    INFO(describe(r));
    CHECK(has_problem(r, "", "$.cases.a.version: must be an integer"));
    CHECK(has_problem(r, "", "$.format: 'telecomply-seal/2' is not telecomply-seal/1"));
    CHECK(has_problem(r, "", "$.extra: not a member of a seal"));
    for (const json& bad : {json(), json::array(), json("seal"), json::object()}) {
        r = verify_seal(s.store, bad, keys().public_pem);
        CHECK_FALSE(r.ok());
    }
    CHECK_THROWS_AS((void)export_bundle(s.store, d), seal_error);
}

TEST_CASE("seal: a bad key is a seal_error, never a crash") {
    sealed_store s;
    const std::string garbage = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    CHECK_THROWS_AS((void)seal(s.store, "not a key", k_sealed_at), seal_error);
    CHECK_THROWS_AS((void)seal(s.store, keys().public_pem, k_sealed_at), seal_error);
    CHECK_THROWS_AS((void)verify_seal(s.store, s.seal_doc, garbage), seal_error);
    CHECK_THROWS_AS((void)verify_seal(s.store, s.seal_doc, keys().private_pem), seal_error);
    CHECK_THROWS_AS((void)verify_seal(s.store, s.seal_doc, ""), seal_error);
    CHECK_THROWS_AS((void)verify_bundle(json(), garbage, testing::manager().rules().rules()),
                    seal_error);
    CHECK_THROWS_AS((void)seal_key_id(garbage), seal_error);
    try {
        (void)seal(s.store, "not a key", k_sealed_at);
    } catch (const seal_error& e) {
        CHECK(e.code() == errc::seal_error);
        CHECK(std::string(e.what()).find("the private key") != std::string::npos);
    }
    // a day is not a time to seal at
    CHECK_THROWS_AS((void)seal(s.store, keys().private_pem, "2026-04-01"), usage_error);
}

TEST_CASE("seal: a store whose chains do not verify is not sealed") {
    sealed_store s;
    raw_sql(s.db.path(), "UPDATE events SET actor = 'someone' WHERE case_id = 'b' AND seq = 1;");
    CHECK_THROWS_AS((void)seal(s.store, keys().private_pem, k_sealed_at), integrity_error);
}

TEST_CASE("seal: key files are written once, the private one for its owner only") {
    testing::scratch_dir dir;
    const auto prefix = dir.path / "seal";
    const auto [priv, pub] = write_seal_key(generate_seal_key(), prefix);
    CHECK(priv == dir.path / "seal.pem");
    CHECK(pub == dir.path / "seal.pub.pem");
    struct stat st {};
    REQUIRE(::stat(priv.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto private_pem = read_seal_private_key(priv);
    const auto public_pem = read_seal_public_key(pub);
    CHECK(private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    CHECK(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    // never overwritten, the other file neither
    CHECK_THROWS_AS(write_seal_key(generate_seal_key(), prefix), seal_error);
    CHECK(read_seal_private_key(priv) == private_pem);
    std::filesystem::remove(priv);
    CHECK_THROWS_AS(write_seal_key(generate_seal_key(), prefix), seal_error);
    CHECK_FALSE(std::filesystem::exists(priv));
    // the wrong file for the key asked for, a missing file: named
    CHECK_THROWS_AS((void)read_seal_private_key(pub), seal_error);
    try {
        (void)read_seal_public_key(dir.path / "missing.pub.pem");
        FAIL("no error");
    } catch (const seal_error& e) {
        CHECK(e.file() == (dir.path / "missing.pub.pem").string());
    }
}

TEST_CASE("seal: a bundle verifies offline, without the store") {
    bundled_store b;
    CHECK(b.bundle["format"] == "telecomply-bundle/1");
    REQUIRE(b.bundle["cases"].size() == 1);
    CHECK(b.bundle["cases"]["GD-2026-0412"]["region"] == "CN-GD");
    CHECK(b.bundle["cases"]["GD-2026-0412"]["events"].size() == 3);
    REQUIRE(b.bundle["pinned_rulesets"].size() == 1);
    CHECK(b.bundle["pinned_rulesets"][0]["id"] == "CN-GD");
    const auto r = b.verify();
    INFO(describe(r));
    CHECK(r.ok());
    CHECK(r.cases == 1);
    CHECK(r.events == 3);
}

TEST_CASE("seal: a bundle holds the events up to the seal only") {
    temp_db db;
    auto store = case_store::open(db.path());
    make_case(store, "a", 2);
    const json s = seal(store, keys().private_pem, k_sealed_at);
    store.append("a", 2, note(3), "draft", {{"version", 3}});
    const json bundle = export_bundle(store, s);
    CHECK(bundle["cases"]["a"]["events"].size() == 2);
    CHECK(bundle["pinned_rulesets"].empty());  // the store keeps no content for sha256:0123
    const auto r = verify_bundle(bundle, keys().public_pem, testing::manager().rules().rules());
    INFO(describe(r));
    CHECK(r.ok());
    // ...which the report says
    CHECK(r.rules_not_carried == std::vector<std::string>{"sha256:0123 (first judged: a event 1)"});

    // a store that no longer holds what it sealed is not exported
    temp_db other;
    auto rebuilt = case_store::open(other.path());
    make_case(rebuilt, "a", 2, /*changed=*/1);
    CHECK_THROWS_AS((void)export_bundle(rebuilt, s), integrity_error);
}

TEST_CASE("seal: a bundle with an edited event fails, naming the case and the event") {
    bundled_store b;
    auto& events = b.bundle["cases"]["GD-2026-0412"]["events"];
    SUBCASE("its content") {
        events[1]["actor"] = "someone else";
        const auto r = b.verify();
        INFO(describe(r));
        CHECK_FALSE(r.ok());
        CHECK(has_problem(r, "GD-2026-0412", "event 2: hash does not match"));
    }
    SUBCASE("its content and every hash after it recomputed: the sealed head differs") {
        events[1]["actor"] = "someone else";
        std::string prev = events[0]["hash"];
        for (std::size_t i = 1; i < events.size(); ++i) {
            stored_event e;
            e.case_id = "GD-2026-0412";
            e.seq = events[i]["seq"];
            e.type = events[i]["type"];
            e.actor = events[i]["actor"];
            e.at = events[i]["at"];
            e.payload = events[i]["payload"];
            e.verdict = events[i]["verdict"];
            e.ruleset_digest = events[i]["ruleset_digest"];
            e.outcome = events[i]["outcome"];
            e.snapshot_digest = events[i].value("snapshot_digest", "");
            e.prev_hash = prev;
            events[i]["prev_hash"] = prev;
            events[i]["hash"] = prev = event_hash(e);
        }
        const auto r = b.verify();
        INFO(describe(r));
        REQUIRE(r.problems.size() == 1);
        CHECK(has_problem(r, "GD-2026-0412", "its last event's hash is not the sealed head"));
    }
    SUBCASE("an event removed") {
        events.erase(2);
        const auto r = b.verify();
        INFO(describe(r));
        CHECK(has_problem(r, "GD-2026-0412", "has 2 events, not the 3 sealed"));
    }
    SUBCASE("a case left out, another added") {
        b.bundle["cases"]["X"] = b.bundle["cases"]["GD-2026-0412"];
        b.bundle["cases"].erase("GD-2026-0412");
        const auto r = b.verify();
        INFO(describe(r));
        CHECK(has_problem(r, "GD-2026-0412", "sealed but not in the bundle"));
        CHECK(has_problem(r, "X", "in the bundle but not in the seal"));
    }
    SUBCASE("malformed") {
        events[0].erase("hash");
        b.bundle["format"] = "zip";
        const auto r = b.verify();
        INFO(describe(r));
        CHECK(has_problem(r, "GD-2026-0412",
                          "$.cases.GD-2026-0412.events[0]: \"hash\" must be a string"));
        CHECK(has_problem(r, "", "$.format: must be \"telecomply-bundle/1\""));
        for (const json& bad : {json(), json::array(), json::object()})
            CHECK_FALSE(
                verify_bundle(bad, keys().public_pem, testing::manager().rules().rules()).ok());
    }
}

TEST_CASE("seal: a bundle with edited pinned ruleset content fails") {
    bundled_store b;
    auto& content = b.bundle["pinned_rulesets"][0]["content"];
    content.back()["json"]["parameters"]["min_company_age_days"] = 1;
    const auto r = b.verify();
    INFO(describe(r));
    CHECK_FALSE(r.ok());
    CHECK(has_problem(r, "", "$.pinned_rulesets[0]: its content does not rebuild to its digest"));
}

TEST_CASE("seal: write_seal_file replaces the file whole") {
    testing::scratch_dir dir;
    const auto file = dir.path / "seal.json";
    write_seal_file(file, json{{"a", 1}});
    write_seal_file(file, json{{"b", 2}});
    std::ifstream in(file);
    CHECK(json::parse(in) == json{{"b", 2}});
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path)) {
        (void)e;
        ++files;
    }
    CHECK(files == 1);  // no temporary file left behind
    CHECK_THROWS_AS(write_seal_file(dir.path / "no" / "such" / "seal.json", json::object()),
                    seal_error);
}

TEST_CASE("seal: a bundle's region is the one its case was created with; its rules travel") {
    testing::store_and_service f;
    f.service.create(testing::example("gd-retail-eligible"), testing::ev("create", "2026-03-02"),
                     "GD");
    const json s = seal(f.store, keys().private_pem, k_sealed_at);
    json bundle = export_bundle(f.store, s);
    const auto& rules = testing::manager().rules().rules();
    auto r = verify_bundle(bundle, keys().public_pem, rules);
    CHECK(r.ok());
    CHECK(r.rules_not_carried.empty());  // the pinned rules are in it
    bundle["cases"]["GD"]["region"] = "CN-BJ";
    r = verify_bundle(bundle, keys().public_pem, rules);
    CHECK_FALSE(r.ok());
    CHECK(describe(r).find("not the region the case was created with") != std::string::npos);
    bundle["cases"]["GD"]["region"] = "CN-GD";
    bundle["pinned_rulesets"] = json::array();
    r = verify_bundle(bundle, keys().public_pem, rules);
    CHECK(r.ok());
    REQUIRE(r.rules_not_carried.size() == 1);
    CHECK(r.rules_not_carried[0].find("GD event 1") != std::string::npos);
}

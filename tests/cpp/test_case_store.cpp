#include <doctest/doctest.h>

#include "child_process.hpp"
#include "store_testing.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/wait.h>

#include <sqlite3.h>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"

using namespace telecomply;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using testing::temp_db;

event_input ev(std::string type, json payload = json::object()) {
    event_input e;
    e.type = std::move(type);
    e.actor = "officer-1";
    e.at = "2026-03-02T09:30:00+08:00";
    e.payload = std::move(payload);
    e.ruleset_digest = "sha256:0123";
    return e;
}

using testing::raw_sql;

bool has_problem(const verify_report& r, const std::string& case_id, std::int64_t seq) {
    return std::any_of(r.problems.begin(), r.problems.end(), [&](const verify_problem& p) {
        return p.case_id == case_id && p.seq == seq;
    });
}

std::string describe(const verify_report& r) {
    std::string out;
    for (const auto& p : r.problems) {
        out += p.case_id + " #" + std::to_string(p.seq) + ": " + p.message + "\n";
    }
    return out;
}

// A case "c" with events 1..n (payload {"n": seq}).
void make_case(case_store& s, const std::string& id, int n) {
    s.create(id, "CN-GD", ev("create", {{"n", 1}}), "draft", {{"state", "draft"}});
    for (int i = 2; i <= n; ++i) {
        s.append(id, i - 1, ev("note", {{"n", i}}), "draft", {{"version", i}});
    }
}

// tests/tools/store_writer as a child process, its stdout on a pipe.
class writer_process {
  public:
    // `think_us`: the writer's pause between reading the case and appending (at most).
    writer_process(const fs::path& file, const std::string& case_id, int count, int think_us = 0)
        : child_({TELECOMPLY_STORE_WRITER, file.string(), case_id, std::to_string(count),
                  std::to_string(think_us)}) {}

    // The next acknowledged seq, or nullopt at end of output (a line cut short by a kill was
    // never acknowledged, and is not returned).
    std::optional<std::int64_t> next_ack() {
        const auto line = child_.next_line(std::chrono::seconds(20));
        if (!line) return std::nullopt;
        return std::stoll(*line);
    }

    void kill() const { child_.kill(); }

    // The wait status.
    int wait() { return child_.wait(); }

  private:
    testing::child_process child_;
};

}  // namespace

TEST_CASE("case store: create, append, get and events round trip") {
    temp_db tmp;
    {
        auto s = case_store::open(tmp.path());
        CHECK(s.path() == tmp.path());
        CHECK(s.case_ids().empty());
        CHECK_FALSE(s.get("GD-1").has_value());
        CHECK(s.events("GD-1").empty());

        event_input first = ev("create", {{"numbers", {"13800138000"}}, {"名称", "示例"}});
        first.verdict = {{"outcome", "pass"}, {"findings", json::array()}};
        CHECK(s.create("GD-1", "CN-GD", first, "draft", {{"state", "draft"}, {"v", 1}}) == 1);
        CHECK(s.append("GD-1", 1, ev("submit", {{"channel", "online"}}), "submitted",
                       {{"state", "submitted"}, {"v", 2}}) == 2);
        CHECK(s.append("GD-1", 2, ev("accept"), "under_review", {{"v", 3}}) == 3);
        CHECK(s.create("BJ-1", "CN-BJ", ev("create"), "draft", json::object()) == 1);

        const auto row = s.get("GD-1");
        REQUIRE(row.has_value());
        CHECK(row->id == "GD-1");
        CHECK(row->region == "CN-GD");
        CHECK(row->created_at == "2026-03-02T09:30:00+08:00");
        CHECK(row->state == "under_review");
        CHECK(row->version == 3);
        CHECK(row->snapshot == json{{"v", 3}});

        const auto evs = s.events("GD-1");
        REQUIRE(evs.size() == 3);
        CHECK(evs[0].seq == 1);
        CHECK(evs[0].case_id == "GD-1");
        CHECK(evs[0].type == "create");
        CHECK(evs[0].actor == "officer-1");
        CHECK(evs[0].payload == first.payload);
        CHECK(evs[0].verdict == first.verdict);
        CHECK(evs[0].ruleset_digest == "sha256:0123");
        CHECK(evs[0].prev_hash == std::string(64, '0'));
        CHECK(evs[1].payload == json{{"channel", "online"}});
        CHECK(evs[1].verdict.is_null());
        CHECK(evs[2].type == "accept");
        for (std::size_t i = 0; i < evs.size(); ++i) {
            CHECK(evs[i].seq == static_cast<std::int64_t>(i + 1));
            CHECK(evs[i].hash.size() == 64);
            CHECK(evs[i].hash == event_hash(evs[i]));
            if (i > 0) CHECK(evs[i].prev_hash == evs[i - 1].hash);
        }
        CHECK(s.case_ids() == std::vector<std::string>{"BJ-1", "GD-1"});
        CHECK(s.verify_all().ok());
    }
    // Everything is in the file: a new connection sees it.
    auto again = case_store::open(tmp.path());
    CHECK(again.get("GD-1")->version == 3);
    CHECK(again.events("GD-1").size() == 3);
    const auto report = again.verify_all();
    CHECK(report.ok());
    CHECK(report.cases == 2);
    CHECK(report.events == 4);

    // Moving keeps the connection.
    case_store moved = std::move(again);
    CHECK(moved.get("BJ-1")->version == 1);
    CHECK(moved.path() == tmp.path());
}

TEST_CASE("case store: event_hash is the documented canonical hash") {
    // Pinned against an independent implementation (Python: json.dumps(sort_keys=True,
    // separators=(',', ':'), ensure_ascii=False), hashlib.sha256).
    stored_event e;
    e.case_id = "GD-2026-0001";
    e.seq = 1;
    e.type = "submit";
    e.actor = "申请人";
    e.at = "2026-03-02";
    e.payload = json::parse(R"({"b": [1, 2.5, "x"], "a": {"z": null, "y": true}})");
    e.verdict = {{"outcome", "pass"}};
    e.ruleset_digest = "sha256:abc";
    e.prev_hash = std::string(64, '0');
    const std::string h1 = "5217627327b1406432bf7fec82066d803c8727a573e86a4d91dc2134fd9a8f8f";
    CHECK(event_hash(e) == h1);

    // The store computes the same hashes.
    temp_db tmp;
    auto s = case_store::open(tmp.path());
    event_input first{e.type, e.actor, e.at, e.payload, e.verdict, e.ruleset_digest};
    s.create(e.case_id, "CN-GD", first, "submitted", json::object());
    event_input second{e.type, e.actor, e.at, json::object(), nullptr, e.ruleset_digest};
    s.append(e.case_id, 1, second, "submitted", json::object());
    const auto evs = s.events(e.case_id);
    REQUIRE(evs.size() == 2);
    // The store's events also cover the snapshot they left ({}: its "sha256:..." digest as
    // "snapshot"); pinned against the same Python, with that key added.
    CHECK(evs[0].snapshot_digest ==
          "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    CHECK(evs[0].hash == "b38f257687c171d9aad98c25a41b0df118ca5ef8fe2fa161b2f5d68afbd20b51");
    CHECK(event_hash(evs[0]) == evs[0].hash);
    CHECK(event_hash(evs[1]) == evs[1].hash);
    stored_event old = evs[0];  // an event written before schema 3: no snapshot in its hash
    old.snapshot_digest.clear();
    CHECK(event_hash(old) == h1);
}

TEST_CASE("case store: an event's outcome is stored and hashed; old stores are upgraded") {
    // With an outcome, the canonical object has it too (pinned against Python as above).
    stored_event e;
    e.case_id = "GD-2026-0001";
    e.seq = 1;
    e.type = "accept";
    e.actor = "officer";
    e.at = "2026-11-30";
    e.payload = json::object();
    e.verdict = nullptr;
    e.ruleset_digest = "sha256:abc";
    e.outcome = json::parse(
        R"({"deadlines": {"review_sla": {"due": "2027-01-26", "provisional": true,
            "provisional_years": [2027]}}})");
    e.prev_hash = std::string(64, '0');
    const std::string h = "492b165da715ef1259fe5a058539de5dc8ebd9be79d9332371ae438719825ae2";
    CHECK(event_hash(e) == h);

    temp_db tmp;
    {
        auto s = case_store::open(tmp.path());
        event_input first{e.type, e.actor, e.at, e.payload, e.verdict, e.ruleset_digest};
        first.outcome = e.outcome;
        s.create(e.case_id, "CN-GD", first, "under_review", json::object());
        s.append(e.case_id, 1, ev("note", {{"n", 2}}), "under_review", json::object());
        const auto evs = s.events(e.case_id);
        REQUIRE(evs.size() == 2);
        stored_event without = evs[0];  // the hash above is of the event without its snapshot
        without.snapshot_digest.clear();
        CHECK(event_hash(without) == h);
        CHECK(event_hash(evs[0]) == evs[0].hash);
        CHECK(evs[0].outcome == e.outcome);
        CHECK(evs[1].outcome.is_null());  // none: NULL in the file, not in the hash
        CHECK(s.verify_all().ok());
    }
    SUBCASE("an edited outcome is detected") {
        raw_sql(tmp.path(),
                "UPDATE events SET outcome = json_set(outcome, "
                "'$.deadlines.review_sla.due', '2027-06-30') WHERE seq = 1;");
        const auto r = case_store::open(tmp.path()).verify_all();
        CHECK(has_problem(r, e.case_id, 1));
    }
    SUBCASE("an outcome added to an event that had none is detected") {
        raw_sql(tmp.path(), "UPDATE events SET outcome = '{}' WHERE seq = 2;");
        CHECK(has_problem(case_store::open(tmp.path()).verify_all(), e.case_id, 2));
    }
}

TEST_CASE("case store: a schema 1 file is upgraded in place and its history still verifies") {
    temp_db tmp;
    // A store as version 1 of this library wrote it: no outcome column.
    stored_event e;
    e.case_id = "c";
    e.seq = 1;
    e.type = "create";
    e.actor = "cli";
    e.at = "2026-03-02";
    e.payload = {{"n", 1}};
    e.verdict = nullptr;
    e.ruleset_digest = "sha256:abc";
    e.prev_hash = std::string(64, '0');
    const std::string h = event_hash(e);
    raw_sql(tmp.path(), R"sql(
CREATE TABLE cases(id TEXT NOT NULL PRIMARY KEY, region TEXT NOT NULL, created_at TEXT NOT NULL,
  version INTEGER NOT NULL, state TEXT NOT NULL, snapshot TEXT NOT NULL, last_hash TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE events(case_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
  actor TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL, verdict TEXT NOT NULL,
  ruleset_digest TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY(case_id, seq)) WITHOUT ROWID;
CREATE TABLE schema_version(version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT INTO schema_version VALUES(1, '2026-01-01T00:00:00Z');
PRAGMA user_version = 1;
PRAGMA journal_mode = WAL;
INSERT INTO events VALUES('c', 1, 'create', 'cli', '2026-03-02', '{"n":1}', 'null', 'sha256:abc',
  ')sql" + std::string(64, '0') +
                            "', '" + h + R"sql(');
INSERT INTO cases VALUES('c', 'CN-GD', '2026-03-02', 1, 'draft', '{}', ')sql" +
                            h + "');");
    auto s = case_store::open(tmp.path());
    CHECK(s.verify_all().ok());
    // the index of what the store knows waits for case_service to replay the histories
    CHECK_FALSE(s.state_entries_complete());
    const auto evs = s.events("c");
    REQUIRE(evs.size() == 1);
    CHECK(evs[0].outcome.is_null());
    event_input next = ev("accept", json::object());
    next.outcome = {{"deadlines", {{"review_sla", {{"due", "2026-04-29"}}}}}};
    s.append("c", 1, next, "under_review", json::object());
    CHECK(s.verify_all().ok());
    CHECK(s.events("c")[1].outcome == next.outcome);
    // Opening it again finds version 2: nothing to upgrade.
    CHECK(case_store::open(tmp.path()).verify_all().ok());
}

TEST_CASE("case store: a stale expected version is a conflict and writes nothing") {
    temp_db tmp;
    auto s = case_store::open(tmp.path());
    make_case(s, "c", 3);
    const auto before = s.events("c");
    for (const std::int64_t stale : {0, 1, 2, 4, -1}) {
        CHECK_THROWS_AS(s.append("c", stale, ev("late"), "changed", {{"x", 1}}), conflict_error);
    }
    try {
        s.append("c", 2, ev("late"), "changed", json::object());
        FAIL("no conflict");
    } catch (const conflict_error& e) {
        CHECK(e.code() == errc::conflict);
        CHECK(std::string(e.what()).find("version 3") != std::string::npos);
    }
    const auto row = s.get("c");
    CHECK(row->version == 3);
    CHECK(row->state == "draft");
    CHECK(row->snapshot == json{{"version", 3}});
    const auto after = s.events("c");
    REQUIRE(after.size() == before.size());
    CHECK(after.back().hash == before.back().hash);
    // The right version still works.
    CHECK(s.append("c", 3, ev("note"), "draft", json::object()) == 4);
    CHECK(s.verify("c").ok());
}

TEST_CASE("case store: unknown cases, duplicate creates and bad arguments") {
    temp_db tmp;
    auto s = case_store::open(tmp.path());
    CHECK_THROWS_AS(s.append("nope", 0, ev("note"), "draft", json::object()), not_found_error);
    CHECK_THROWS_AS(s.append("nope", 1, ev("note"), "draft", json::object()), not_found_error);
    CHECK_THROWS_AS((void)s.verify("nope"), not_found_error);
    CHECK_FALSE(s.get("nope").has_value());

    make_case(s, "c", 2);
    try {
        s.create("c", "CN-BJ", ev("create"), "other", json::object());
        FAIL("no conflict");
    } catch (const conflict_error& e) {
        CHECK(std::string(e.what()).find("'c' already exists") != std::string::npos);
    }
    CHECK(s.get("c")->region == "CN-GD");
    CHECK(s.get("c")->version == 2);
    CHECK(s.events("c").size() == 2);

    CHECK_THROWS_AS(s.create("", "CN-GD", ev("create"), "draft", json::object()), usage_error);
    // A string that is not UTF-8 cannot be hashed as JSON: refused before anything is written.
    CHECK_THROWS_AS(
        s.append("c", 2, ev("note", {{"bad", std::string("\xff\xfe")}}), "draft", json::object()),
        usage_error);
    CHECK_THROWS_AS(s.create("d", "CN-GD", ev(std::string("\xc3")), "draft", json::object()),
                    usage_error);
    CHECK_FALSE(s.get("d").has_value());
    CHECK(s.get("c")->version == 2);
    CHECK(s.verify_all().ok());

    case_store moved = std::move(s);
    CHECK_THROWS_AS((void)s.case_ids(), usage_error);  // NOLINT(bugprone-use-after-move)
    CHECK(s.path().empty());                           // NOLINT(bugprone-use-after-move)
}

TEST_CASE("case store: open errors name the file") {
    const auto message_of = [](const fs::path& p) -> std::string {
        try {
            (void)case_store::open(p);
        } catch (const store_error& e) {
            CHECK(e.code() == errc::store_error);
            return e.what();
        }
        return "";
    };
    const fs::path missing_dir = fs::temp_directory_path() / "telecomply-no-such-dir" / "x.db";
    std::string m = message_of(missing_dir);
    CHECK(m.find(missing_dir.string()) != std::string::npos);

    temp_db text;
    std::ofstream(text.path()) << "this is not a database, it is a text file of some length\n";
    m = message_of(text.path());
    CHECK(m.find(text.path().string()) != std::string::npos);
    CHECK(m.find("not a database") != std::string::npos);

    temp_db other;
    raw_sql(other.path(), "CREATE TABLE t(x);");
    m = message_of(other.path());
    CHECK(m.find(other.path().string()) != std::string::npos);
    CHECK(m.find("not a case store") != std::string::npos);

    temp_db newer;
    { auto s = case_store::open(newer.path()); }
    raw_sql(newer.path(), "PRAGMA user_version = 99;");
    m = message_of(newer.path());
    CHECK(m.find("schema version 99") != std::string::npos);

    // A new store is stamped with its schema version.
    temp_db fresh;
    { auto s = case_store::open(fresh.path()); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(fresh.path().c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT (SELECT max(version) FROM schema_version), "
                               "(SELECT user_version FROM pragma_user_version), "
                               "(SELECT journal_mode FROM pragma_journal_mode)",
                               -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 0) == 4);
    CHECK(sqlite3_column_int(st, 1) == 4);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 2))) == "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST_CASE("case store: events are append-only in the file") {
    temp_db tmp;
    auto s = case_store::open(tmp.path());
    make_case(s, "c", 2);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(tmp.path().c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE events SET payload = '{}'", nullptr, nullptr, nullptr) ==
          SQLITE_CONSTRAINT);
    CHECK(sqlite3_exec(db, "DELETE FROM events WHERE seq = 2", nullptr, nullptr, nullptr) ==
          SQLITE_CONSTRAINT);
    sqlite3_close(db);
    CHECK(s.verify("c").ok());
}

TEST_CASE("case store: verify detects edited, reordered and deleted events") {
    temp_db tmp;
    auto s = case_store::open(tmp.path());
    {
        auto tx = s.begin();  // one commit rather than eight: each is an fsync
        make_case(s, "c", 5);
        make_case(s, "other", 3);
        tx.commit();
    }
    {
        const auto r = s.verify_all();
        CHECK(r.ok());
        CHECK(r.cases == 2);
        CHECK(r.events == 8);
    }
    const auto check_detected = [&](std::initializer_list<std::int64_t> seqs) {
        const auto r = s.verify("c");
        INFO(describe(r));
        CHECK_FALSE(r.ok());
        for (const std::int64_t seq : seqs)
            CHECK(has_problem(r, "c", seq));
        const auto all = s.verify_all();
        CHECK_FALSE(all.ok());
        CHECK(std::all_of(all.problems.begin(), all.problems.end(),
                          [](const verify_problem& p) { return p.case_id == "c"; }));
        CHECK(s.verify("other").ok());
    };

    SUBCASE("an edited payload") {
        raw_sql(tmp.path(),
                "UPDATE events SET payload = '{\"n\":20}' WHERE case_id = 'c' AND seq = 2;");
        check_detected({2});
    }
    SUBCASE("an edited payload, same meaning, other spelling") {
        raw_sql(tmp.path(),
                "UPDATE events SET payload = '{ \"n\": 2 }' WHERE case_id = 'c' AND seq = 2;");
        check_detected({2});
    }
    SUBCASE("a payload that is not JSON") {
        raw_sql(tmp.path(), "UPDATE events SET payload = '{' WHERE case_id = 'c' AND seq = 4;");
        check_detected({4});
        CHECK_THROWS_AS((void)s.events("c"), store_error);
    }
    SUBCASE("an edited event type") {
        raw_sql(tmp.path(), "UPDATE events SET type = 'approve' WHERE case_id = 'c' AND seq = 5;");
        check_detected({5});
    }
    SUBCASE("two events swapped (reordered)") {
        raw_sql(tmp.path(),
                "UPDATE events SET seq = -2 WHERE case_id = 'c' AND seq = 2;"
                "UPDATE events SET seq = 2 WHERE case_id = 'c' AND seq = 3;"
                "UPDATE events SET seq = 3 WHERE case_id = 'c' AND seq = -2;");
        check_detected({2, 3});
    }
    SUBCASE("a middle event deleted") {
        raw_sql(tmp.path(), "DELETE FROM events WHERE case_id = 'c' AND seq = 3;");
        check_detected({3, 4});
    }
    SUBCASE("the last event deleted") {
        raw_sql(tmp.path(), "DELETE FROM events WHERE case_id = 'c' AND seq = 5;");
        check_detected({5});
    }
    SUBCASE("the last event deleted and the case row rolled back to match its version") {
        raw_sql(tmp.path(),
                "DELETE FROM events WHERE case_id = 'c' AND seq = 5;"
                "UPDATE cases SET version = 4 WHERE id = 'c';");
        check_detected({4});  // the last hash still names event 5
    }
    SUBCASE("an edited hash") {
        raw_sql(tmp.path(), "UPDATE events SET hash = '" + std::string(64, 'a') +
                                "' WHERE case_id = 'c' AND seq = 3;");
        check_detected({3, 4});
    }
    SUBCASE("an edited last hash (the head)") {
        raw_sql(tmp.path(), "UPDATE events SET hash = '" + std::string(64, 'b') +
                                "' WHERE case_id = 'c' AND seq = 5;");
        check_detected({5});
    }
    SUBCASE("a whole event rewritten with a matching hash but the old chain after it") {
        // Rewrite event 2 consistently (a new hash over its new content): event 3's prev_hash
        // gives it away.
        auto e2 = s.events("c")[1];
        e2.payload = {{"n", 222}};
        const std::string h = event_hash(e2);
        raw_sql(tmp.path(), "UPDATE events SET payload = '" + e2.payload.dump() + "', hash = '" +
                                h + "' WHERE case_id = 'c' AND seq = 2;");
        check_detected({3});
    }
    SUBCASE("an event moved before seq 1") {
        raw_sql(tmp.path(), "UPDATE events SET seq = -1 WHERE case_id = 'c' AND seq = 1;");
        check_detected({-1, 1});
        const auto r = s.verify("c");
        CHECK(r.problems.size() == 3);  // out of range, seq 1 missing, event 2's prev_hash
    }
    SUBCASE("the case row deleted") {
        raw_sql(tmp.path(), "DELETE FROM cases WHERE id = 'c';");
        check_detected({0});
        CHECK(s.case_ids() == std::vector<std::string>{"other"});
    }
    SUBCASE("an event appended behind the store's back") {
        raw_sql(tmp.path(),
                "INSERT INTO events SELECT case_id, 6, type, actor, at, payload, "
                "verdict, ruleset_digest, hash, hash, outcome, snapshot_digest FROM events "
                "WHERE case_id = 'c' AND seq = 5;");
        check_detected({5});
    }
}

TEST_CASE("case store: transactions group writes, all or nothing") {
    temp_db tmp;
    auto s = case_store::open(tmp.path());
    auto reader = case_store::open(tmp.path());
    make_case(s, "a", 1);

    SUBCASE("commit makes every write visible") {
        auto tx = s.begin();
        CHECK(tx.active());
        CHECK(s.append("a", 1, ev("n"), "draft", json::object()) == 2);
        CHECK(s.append("a", 2, ev("n"), "draft", json::object()) == 3);
        CHECK(s.create("b", "CN-BJ", ev("create"), "draft", json::object()) == 1);
        CHECK(s.append("b", 1, ev("n"), "draft", json::object()) == 2);
        // This connection sees its own writes, another one does not yet.
        CHECK(s.get("a")->version == 3);
        CHECK(reader.get("a")->version == 1);
        CHECK_FALSE(reader.get("b").has_value());
        tx.commit();
        CHECK_FALSE(tx.active());
        CHECK_THROWS_AS(tx.commit(), usage_error);
        CHECK(reader.get("a")->version == 3);
        CHECK(reader.get("b")->version == 2);
        CHECK(reader.verify_all().ok());
    }
    SUBCASE("destruction without commit rolls everything back") {
        {
            auto tx = s.begin();
            s.append("a", 1, ev("n"), "submitted", json::object());
            s.append("a", 2, ev("n"), "submitted", json::object());
            s.create("b", "CN-BJ", ev("create"), "draft", json::object());
            CHECK(s.get("a")->version == 3);
        }
        CHECK(s.get("a")->version == 1);
        CHECK(s.get("a")->state == "draft");
        CHECK(s.events("a").size() == 1);
        CHECK_FALSE(s.get("b").has_value());
        CHECK(reader.verify_all().ok());
        // The connection is usable again, with and without a transaction.
        CHECK(s.append("a", 1, ev("n"), "draft", json::object()) == 2);
        auto tx = s.begin();
        CHECK(s.append("a", 2, ev("n"), "draft", json::object()) == 3);
        tx.rollback();
        CHECK_FALSE(tx.active());
        CHECK(s.get("a")->version == 2);
    }
    SUBCASE("a conflict inside a transaction spoils only that append") {
        auto tx = s.begin();
        CHECK(s.append("a", 1, ev("n"), "draft", json::object()) == 2);
        CHECK_THROWS_AS(s.append("a", 1, ev("late"), "draft", json::object()), conflict_error);
        CHECK_THROWS_AS(s.create("a", "CN-GD", ev("create"), "draft", json::object()),
                        conflict_error);
        CHECK_THROWS_AS(s.append("zz", 1, ev("n"), "draft", json::object()), not_found_error);
        CHECK(s.append("a", 2, ev("n"), "draft", json::object()) == 3);
        tx.commit();
        const auto evs = reader.events("a");
        REQUIRE(evs.size() == 3);
        CHECK(evs[1].type == "n");
        CHECK(evs[2].type == "n");
        CHECK(reader.verify("a").ok());
    }
    SUBCASE("one transaction at a time per connection") {
        auto tx = s.begin();
        CHECK_THROWS_AS((void)s.begin(), usage_error);
        auto moved = std::move(tx);
        CHECK_FALSE(tx.active());  // NOLINT(bugprone-use-after-move)
        CHECK(moved.active());
        s.append("a", 1, ev("n"), "draft", json::object());
        moved.commit();
        CHECK(reader.get("a")->version == 2);
    }
    SUBCASE("a transaction outliving its store is rolled back and inactive") {
        std::optional<case_store> owner(case_store::open(tmp.path()));
        auto tx = owner->begin();
        owner->append("a", 1, ev("n"), "draft", json::object());
        owner.reset();
        CHECK_FALSE(tx.active());
        CHECK_THROWS_AS(tx.commit(), usage_error);
        CHECK(reader.get("a")->version == 1);
        CHECK(reader.verify_all().ok());
    }
}

TEST_CASE("case store: two threads appending to one case lose nothing") {
    temp_db tmp;
    {
        auto s = case_store::open(tmp.path());
        s.create("shared", "CN-GD", ev("create"), "draft", json::object());
    }
    constexpr int k_each = 200;
    std::atomic<int> conflicts{0};
    std::atomic<bool> failed{false};
    const auto writer = [&](int id) {
        try {
            auto s = case_store::open(tmp.path());
            std::minstd_rand rng(static_cast<unsigned>(id));
            for (int n = 0; n < k_each;) {
                const std::int64_t v = s.get("shared")->version;
                // A writer works between reading the case and appending (replay, rules); without
                // this pause the lock rarely changes hands and the conflict path goes untested.
                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
                try {
                    s.append("shared", v, ev("note", {{"writer", id}, {"n", n}}), "draft",
                             {{"version", v + 1}});
                    ++n;
                } catch (const conflict_error&) {
                    ++conflicts;
                }
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "writer %d: %s\n", id, e.what());
            failed = true;
        }
    };
    std::thread t1(writer, 1), t2(writer, 2);
    t1.join();
    t2.join();
    REQUIRE_FALSE(failed);
    MESSAGE("conflicts retried: " << conflicts.load());
    CHECK(conflicts > 0);  // the writers did interleave

    auto s = case_store::open(tmp.path());
    const auto evs = s.events("shared");
    REQUIRE(evs.size() == 1 + 2 * k_each);  // the create, then 400 appends
    CHECK(s.get("shared")->version == 1 + 2 * k_each);
    std::set<std::pair<int, int>> seen;
    for (std::size_t i = 0; i < evs.size(); ++i) {
        CHECK(evs[i].seq == static_cast<std::int64_t>(i + 1));
        if (i > 0)
            seen.emplace(evs[i].payload["writer"].get<int>(), evs[i].payload["n"].get<int>());
    }
    CHECK(seen.size() == 2 * k_each);  // every append once: none lost, none overwritten
    const auto r = s.verify_all();
    INFO(describe(r));
    CHECK(r.ok());
}

TEST_CASE("case store: two processes creating and appending to one case lose nothing") {
    // Both start on a file that does not exist yet: both create the schema and the case, one of
    // each wins and the other waits or gets a conflict, then they append in turns.
    temp_db tmp;
    constexpr int k_each = 100;
    writer_process a(tmp.path(), "shared", k_each, 200), b(tmp.path(), "shared", k_each, 200);
    std::vector<std::int64_t> acks;
    std::vector<std::int64_t> firsts, lasts;  // each writer's first and last acknowledged seq
    for (auto* w : {&a, &b}) {
        const std::size_t before = acks.size();
        while (const auto seq = w->next_ack()) {
            acks.push_back(*seq);
        }
        const int status = w->wait();
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        REQUIRE(acks.size() > before);
        firsts.push_back(acks[before]);
        lasts.push_back(acks.back());
    }
    // The two histories interleave: neither writer ran entirely before the other.
    CHECK(firsts[0] < lasts[1]);
    CHECK(firsts[1] < lasts[0]);
    std::sort(acks.begin(), acks.end());
    REQUIRE(acks.size() == 1 + 2 * k_each);                             // one create, 200 appends
    CHECK(std::adjacent_find(acks.begin(), acks.end()) == acks.end());  // no seq acked twice
    CHECK(acks.front() == 1);
    CHECK(acks.back() == 1 + 2 * k_each);

    auto s = case_store::open(tmp.path());
    CHECK(s.events("shared").size() == 1 + 2 * k_each);
    const auto r = s.verify_all();
    INFO(describe(r));
    CHECK(r.ok());
}

TEST_CASE("case store: a writer killed at random moments loses no acknowledged event") {
    temp_db tmp;
    const auto seed = std::random_device{}();
    MESSAGE("seed " << seed);
    std::mt19937 rng(seed);
    std::int64_t max_acked = 0;
    std::size_t total_acks = 0;
    constexpr int k_rounds = 24;
    const auto started = std::chrono::steady_clock::now();
    for (int round = 0; round < k_rounds; ++round) {
        CAPTURE(round);
        writer_process w(tmp.path(), "crash", 0);
        // Let it acknowledge some events (none in some rounds, so that it is also killed while
        // opening or creating), then kill it after a further random delay: mid-transaction,
        // mid-fsync, between commit and ack, wherever it happens to be.
        const int wait_for = std::uniform_int_distribution<int>(0, 12)(rng);
        for (int i = 0; i < wait_for; ++i) {
            const auto seq = w.next_ack();
            REQUIRE(seq.has_value());
            CHECK(*seq > max_acked);
            max_acked = *seq;
            ++total_acks;
        }
        std::this_thread::sleep_for(
            std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng)));
        w.kill();
        // Lines already written were acknowledged before the kill.
        while (const auto seq = w.next_ack()) {
            CHECK(*seq > max_acked);
            max_acked = *seq;
            ++total_acks;
        }
        const int status = w.wait();
        CHECK(WIFSIGNALED(status));

        auto s = case_store::open(tmp.path());
        const auto row = s.get("crash");
        if (max_acked == 0) continue;  // killed before its first commit
        REQUIRE(row.has_value());
        CHECK(row->version >= max_acked);
        const auto evs = s.events("crash");
        REQUIRE(evs.size() == static_cast<std::size_t>(row->version));
        CHECK(evs[static_cast<std::size_t>(max_acked - 1)].seq == max_acked);
        const auto r = s.verify_all();
        INFO(describe(r));
        REQUIRE(r.ok());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    MESSAGE(k_rounds << " kills, " << total_acks << " acknowledged events, last seq " << max_acked
                     << ", " << seconds << " s");
    CHECK(max_acked > 0);
}

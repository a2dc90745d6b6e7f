// The case store on SQLite: one connection per case_store, prepared statements cached on it,
// every write inside `BEGIN IMMEDIATE` (or a savepoint inside a caller's transaction) so that the
// version check and the writes it guards are atomic, and the file is never half-written.

#include "telecomply/cases/case_store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>

#include <sqlite3.h>

#include "base/digest.hpp"
#include "cases/case_keys.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/event_time.hpp"

namespace telecomply {

namespace {

using nlohmann::json;

// The schema this library writes; PRAGMA user_version holds it (schema_version keeps a record).
constexpr int k_schema_version = 4;

// Long enough for another process's batch to commit, short enough that a stuck writer is
// reported rather than waited for forever.
constexpr std::chrono::milliseconds k_busy_timeout{10'000};

constexpr std::string_view k_zero_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Events are append-only: the triggers stop accidental edits by other tools (a determined
// editor can drop them, which is what verify() is for). Schema 2; a new file is then brought to
// the current version by the same steps as an older store.
constexpr const char* k_schema = R"sql(
CREATE TABLE cases(
  id TEXT NOT NULL PRIMARY KEY,
  region TEXT NOT NULL,
  created_at TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  last_hash TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE events(
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  payload TEXT NOT NULL,
  verdict TEXT NOT NULL,
  ruleset_digest TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  outcome TEXT,
  PRIMARY KEY(case_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TABLE schema_version(
  version INTEGER NOT NULL PRIMARY KEY,
  applied_at TEXT NOT NULL
);
INSERT INTO schema_version VALUES(2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
PRAGMA user_version = 2;
)sql";

// From schema 1: events gain `outcome` (what an event computed, e.g. the deadlines it set and
// the calendar they were counted on). Old events keep NULL there, and their hashes (which a
// NULL outcome leaves as they were) still verify.
constexpr const char* k_migrate_1_to_2 = R"sql(
ALTER TABLE events ADD COLUMN outcome TEXT;
INSERT INTO schema_version VALUES(2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
PRAGMA user_version = 2;
)sql";

// From schema 2: the content of the rulesets cases pinned, by digest, so that a case is
// judged by what it pinned whatever the catalogue holds later; and each event's digest of the
// snapshot it left (in its hash), so that reading a case checks its snapshot against its chain.
// Old events keep NULL there and their hashes.
constexpr const char* k_migrate_2_to_3 = R"sql(
ALTER TABLE events ADD COLUMN snapshot_digest TEXT;
CREATE TABLE pinned_rulesets(
  digest TEXT NOT NULL PRIMARY KEY,
  id TEXT NOT NULL,
  version TEXT NOT NULL,
  content TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO schema_version VALUES(3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
PRAGMA user_version = 3;
)sql";

// From schema 3: what the store knows across cases (docs/policy.md §7), kept as the cases are
// written so that a check finds it by index rather than by reading every snapshot:
// - each case's applicant (USCC) and numbers (canonical form) as columns of its row, and
//   case_numbers (number -> case) over the numbers;
// - state_entries: every time a case entered a state of the applicant's record (rejected,
//   suspended, revoked, barred: detail::is_record_state()), dated by the event's day (UTC+8),
//   with the ban's last day — a rejection, suspension or ban stays known after its case moves
//   on.
// The index of cases written before schema 4 is filled in by open() (USCC and numbers, from
// the snapshots) and by case_service (state entries, by replaying each history: `facts` in
// store_meta is 'rebuild' until then).
constexpr const char* k_migrate_3_to_4 = R"sql(
CREATE TABLE cases_4(
  id TEXT NOT NULL PRIMARY KEY,
  region TEXT NOT NULL,
  created_at TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  last_hash TEXT NOT NULL,
  uscc TEXT,
  numbers TEXT NOT NULL DEFAULT '[]',
  snapshot TEXT NOT NULL
);
INSERT INTO cases_4(id, region, created_at, version, state, last_hash, snapshot)
  SELECT id, region, created_at, version, state, last_hash, snapshot FROM cases;
DROP TABLE cases;
ALTER TABLE cases_4 RENAME TO cases;
CREATE INDEX cases_by_uscc ON cases(uscc);
CREATE TABLE case_numbers(
  number TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY(number, case_id)
) WITHOUT ROWID;
CREATE INDEX case_numbers_by_case ON case_numbers(case_id);
CREATE TABLE state_entries(
  uscc TEXT NOT NULL,
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL,
  on_day TEXT NOT NULL,
  until TEXT,
  PRIMARY KEY(uscc, on_day, case_id, seq)
) WITHOUT ROWID;
CREATE INDEX state_entries_by_state ON state_entries(uscc, state);
CREATE TABLE store_meta(
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO store_meta VALUES('facts', 'rebuild');
INSERT INTO schema_version VALUES(4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
PRAGMA user_version = 4;
)sql";

// Every statement the store runs, prepared once per connection on first use.
enum class sql : std::size_t {
    begin_immediate,
    begin_read,
    commit,
    rollback,
    savepoint,
    release,
    rollback_to,
    case_head,
    insert_case,
    insert_event,
    update_case,
    get_case,
    events_of,
    case_ids,
    all_ids,
    last_event_at,
    last_event,
    put_pinned,
    get_pinned,
    set_keys,
    insert_number,
    delete_number,
    insert_entry,
    delete_entries,
    entries_since,
    holders_of,
    get_meta,
    set_meta,
    all_snapshots,
    ids_where,
    numbers_of,
    index_orphans,
    heads,
    hash_of,
    count_,
};

constexpr std::array<const char*, static_cast<std::size_t>(sql::count_)> k_sql = {
    "BEGIN IMMEDIATE",
    "BEGIN DEFERRED",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT case_store_op",
    "RELEASE case_store_op",
    "ROLLBACK TO case_store_op",
    "SELECT version, last_hash, state, uscc, numbers FROM cases WHERE id = ?1",
    "INSERT INTO cases(id, region, created_at, version, state, snapshot, last_hash) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT INTO events(case_id, seq, type, actor, at, payload, verdict, ruleset_digest, "
    "prev_hash, hash, outcome, snapshot_digest) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    "UPDATE cases SET version = ?2, state = ?3, snapshot = ?4, last_hash = ?5 WHERE id = ?1",
    // one statement: the snapshot and its last event's digest of it from one state of the file
    "SELECT id, region, created_at, version, state, snapshot, last_hash, "
    "(SELECT snapshot_digest FROM events WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1), "
    "uscc, numbers FROM cases WHERE id = ?1",
    "SELECT seq, type, actor, at, payload, verdict, ruleset_digest, prev_hash, hash, outcome, "
    "snapshot_digest FROM events WHERE case_id = ?1 ORDER BY seq",
    "SELECT id FROM cases ORDER BY id",
    "SELECT id FROM cases UNION SELECT case_id FROM events ORDER BY 1",
    "SELECT at FROM events WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1",
    "SELECT seq, type, actor, at, payload, verdict, ruleset_digest, prev_hash, hash, outcome, "
    "snapshot_digest FROM events WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1",
    "INSERT OR IGNORE INTO pinned_rulesets(digest, id, version, content) VALUES(?1, ?2, ?3, ?4)",
    "SELECT id, version, content FROM pinned_rulesets WHERE digest = ?1",
    "UPDATE cases SET uscc = ?2, numbers = ?3 WHERE id = ?1",
    "INSERT OR IGNORE INTO case_numbers(number, case_id) VALUES(?1, ?2)",
    "DELETE FROM case_numbers WHERE number = ?1 AND case_id = ?2",
    "INSERT OR REPLACE INTO state_entries(uscc, case_id, seq, state, on_day, until) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "DELETE FROM state_entries",
    // what a record needs: the entries of a window (by the key's day), and every ban
    "SELECT case_id, seq, state, on_day, until FROM state_entries WHERE uscc = ?1 AND "
    "on_day >= ?2 UNION SELECT case_id, seq, state, on_day, until FROM state_entries "
    "WHERE uscc = ?1 AND state = 'barred' ORDER BY 4, 1, 2",
    "SELECT n.case_id, c.uscc, c.state FROM case_numbers n JOIN cases c ON c.id = n.case_id "
    "WHERE n.number = ?1 ORDER BY n.case_id",
    "SELECT value FROM store_meta WHERE key = ?1",
    "INSERT OR REPLACE INTO store_meta(key, value) VALUES(?1, ?2)",
    "SELECT id, snapshot FROM cases ORDER BY id",
    "SELECT id FROM cases WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR region = ?2) "
    "AND (?3 IS NULL OR uscc = ?3) ORDER BY id",
    "SELECT number FROM case_numbers WHERE case_id = ?1 ORDER BY number",
    "SELECT DISTINCT case_id, 'state_entries' FROM state_entries "
    "WHERE case_id NOT IN (SELECT id FROM cases) UNION "
    "SELECT DISTINCT case_id, 'case_numbers' FROM case_numbers "
    "WHERE case_id NOT IN (SELECT id FROM cases) ORDER BY 1",
    "SELECT id, region, version, last_hash FROM cases ORDER BY id",
    "SELECT hash FROM events WHERE case_id = ?1 AND seq = ?2",
};
// one statement per enumerator: a missing one would otherwise be a null at the end
static_assert(std::all_of(k_sql.begin(), k_sql.end(), [](const char* q) { return q != nullptr; }));

// The event's fields as JSON text, made before any write so that a string that cannot be
// written as JSON (invalid UTF-8) is refused up front. Strings are quoted (JSON-dumped).
struct event_text {
    std::string case_id, type, actor, at, payload, verdict, digest;
    std::string outcome;   ///< "" when the event has none (stored as NULL, left out of the hash)
    std::string snapshot;  ///< the quoted digest of the snapshot it left; "" for none (old)
};

std::string dump_or_throw(const json& j, std::string_view what) {
    try {
        return j.dump();
    } catch (const json::exception& e) {
        throw usage_error("case store: the " + std::string(what) +
                          " cannot be written as JSON: " + e.what());
    }
}

event_text quote_event(const std::string& case_id, const event_input& e) {
    return {dump_or_throw(json(case_id), "case id"),
            dump_or_throw(json(e.type), "event type"),
            dump_or_throw(json(e.actor), "event actor"),
            dump_or_throw(json(e.at), "event time"),
            dump_or_throw(e.payload, "event payload"),
            dump_or_throw(e.verdict, "event verdict"),
            dump_or_throw(json(e.ruleset_digest), "ruleset digest"),
            e.outcome.is_null() ? std::string() : dump_or_throw(e.outcome, "event outcome"),
            std::string()};  // the snapshot's digest: set by create() / append()
}

// nlohmann's dump() of the event object, assembled from the dumped members (keys in sorted
// order, no spaces) so that the payload is dumped once for both the column and the hash.
std::string canonical_event(const event_text& t, std::int64_t seq) {
    std::string out;
    out.reserve(128 + t.case_id.size() + t.type.size() + t.actor.size() + t.at.size() +
                t.payload.size() + t.verdict.size() + t.digest.size() + t.outcome.size());
    out += R"({"actor":)";
    out += t.actor;
    out += R"(,"at":)";
    out += t.at;
    out += R"(,"case_id":)";
    out += t.case_id;
    if (!t.outcome.empty()) {
        out += R"(,"outcome":)";
        out += t.outcome;
    }
    out += R"(,"payload":)";
    out += t.payload;
    out += R"(,"ruleset_digest":)";
    out += t.digest;
    out += R"(,"seq":)";
    out += std::to_string(seq);
    if (!t.snapshot.empty()) {
        out += R"(,"snapshot":)";
        out += t.snapshot;
    }
    out += R"(,"type":)";
    out += t.type;
    out += R"(,"verdict":)";
    out += t.verdict;
    out += '}';
    return out;
}

std::string chain_hash(std::string_view prev_hash, const event_text& t, std::int64_t seq) {
    std::string bytes;
    bytes.reserve(prev_hash.size() + 1);
    bytes += prev_hash;
    bytes += '\n';
    bytes += canonical_event(t, seq);
    return detail::sha256_plain(bytes);
}

// SQLITE_BUSY while setting up a connection (see case_store::open()).
struct setup_busy : store_error {
    using store_error::store_error;
};

// A row as stored, before any JSON is parsed (verify() must cope with anything in the file).
struct raw_case {
    std::string id, region, created_at, state, snapshot, last_hash;
    std::optional<std::string> snapshot_digest;  ///< what its last event recorded (schema 3)
    std::int64_t version = 0;
    std::string uscc, numbers;  ///< the index's columns (schema 4)
};

struct raw_event {
    std::int64_t seq = 0;
    std::string type, actor, at, payload, verdict, digest, prev_hash, hash;
    std::optional<std::string> outcome;          ///< nullopt for NULL
    std::optional<std::string> snapshot_digest;  ///< nullopt for NULL (events of schema < 3)
};

}  // namespace

struct case_store::impl {
    std::filesystem::path path;
    sqlite3* db = nullptr;
    std::array<sqlite3_stmt*, static_cast<std::size_t>(sql::count_)> stmts{};
    bool in_tx = false;              // a case_store::transaction is open
    transaction* open_tx = nullptr;  // ...this one: told when the store goes first
    bool tx_aborted = false;         // ...but SQLite rolled it back after a failure inside it
    std::chrono::steady_clock::time_point busy_since;  // when the current wait for a lock began

    impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl() {
        if (open_tx != nullptr) open_tx->store_ = nullptr;
        for (sqlite3_stmt* s : stmts)
            sqlite3_finalize(s);
        // close_v2 rolls back an open transaction; nothing useful can be done with its result.
        sqlite3_close_v2(db);
    }

    [[nodiscard]] std::string where() const { return "case store '" + path.string() + "'"; }

    // store_error with SQLite's message for the last failure on this connection.
    [[noreturn]] void fail(std::string_view doing) const {
        const char* msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
        throw store_error(where() + ": " + msg + " (" + std::string(doing) + ")");
    }

    sqlite3_stmt* stmt(sql id) {
        auto& s = stmts[static_cast<std::size_t>(id)];
        if (s == nullptr) {
            const char* text = k_sql[static_cast<std::size_t>(id)];
            if (sqlite3_prepare_v3(db, text, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) !=
                SQLITE_OK) {
                sqlite3_finalize(s);
                s = nullptr;
                fail(std::string("preparing ") + text);
            }
        }
        return s;
    }

    static int busy_wait(void* self, int attempt) noexcept;
    void setup();
    void exec(sql id);
    void exec_quietly(sql id) noexcept;
    [[nodiscard]] bool autocommit() const noexcept { return sqlite3_get_autocommit(db) != 0; }

    class stmt_use;
    class write_scope;
    class read_scope;
    [[nodiscard]] json parse_column(const std::string& text, const std::string& case_id,
                                    std::int64_t seq, std::string_view column) const;

    std::optional<raw_case> load_case(const std::string& case_id);
    std::vector<raw_event> load_events(const std::string& case_id);
    std::optional<raw_event> load_last_event(const std::string& case_id);
    void verify_case(const std::string& case_id, verify_report& report);
    // verify_all()'s check of the index as a whole (rows of cases that do not exist).
    void verify_index(verify_report& report);

    // What a write changes in the index of what the store knows (docs/policy.md §7): the case's
    // keys (USCC, numbers) and, when its state changes, the entry into its new state. `before`:
    // the row's state, uscc and numbers text before the write (nullopt for a new case).
    struct index_before {
        std::string state, uscc, numbers;
    };
    void index_case(const std::string& case_id, std::int64_t seq, const std::string& at,
                    const json& snapshot, const std::string& state_after,
                    const std::optional<index_before>& before);

    // One row of state_entries: the case entered `state` at `at` (its day in UTC+8); `until`
    // is the snapshot's banned_until.
    void insert_entry(const std::string& uscc, const std::string& case_id, std::int64_t seq,
                      const std::string& state, const std::string& at, const json& snapshot);
    void put_entry(const state_entry& e);

    // The keys (USCC, numbers) of every case, from the snapshots (an upgrade to schema 4).
    void index_existing_cases();
    void set_meta(const std::string& key, const std::string& value);

    // One row of the events table.
    void insert_event(const std::string& case_id, std::int64_t seq, const event_input& e,
                      const event_text& t, std::string_view prev_hash, const std::string& hash);
};

// One use of a cached statement: bind, step, read columns; reset (and unbind, since text is
// bound without copying) when done, so the statement is ready for its next use.
class case_store::impl::stmt_use {
  public:
    stmt_use(impl& s, sql id) : s_(s), st_(s.stmt(id)) {}
    stmt_use(const stmt_use&) = delete;
    stmt_use& operator=(const stmt_use&) = delete;
    ~stmt_use() {
        sqlite3_reset(st_);
        sqlite3_clear_bindings(st_);
    }

    // The bound text must outlive this stmt_use (SQLITE_STATIC: no copy).
    stmt_use& text(int i, std::string_view v) {
        check(sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
        return *this;
    }
    /// Binds NULL for "".
    stmt_use& text_or_null(int i, std::string_view v) {
        if (v.empty()) {
            check(sqlite3_bind_null(st_, i));
            return *this;
        }
        return text(i, v);
    }
    stmt_use& integer(int i, std::int64_t v) {
        check(sqlite3_bind_int64(st_, i, v));
        return *this;
    }

    // True when a row is ready, false when done.
    bool step() {
        const int rc = sqlite3_step(st_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        s_.fail(sqlite3_sql(st_));
    }
    void run() {
        while (step()) {
        }
    }

    [[nodiscard]] std::int64_t col_int(int i) const { return sqlite3_column_int64(st_, i); }
    [[nodiscard]] bool col_null(int i) const { return sqlite3_column_type(st_, i) == SQLITE_NULL; }
    [[nodiscard]] std::string col_text(int i) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
        if (p == nullptr) return {};
        return {p, static_cast<std::size_t>(sqlite3_column_bytes(st_, i))};
    }

  private:
    void check(int rc) const {
        if (rc != SQLITE_OK) s_.fail(std::string("binding ") + sqlite3_sql(st_));
    }
    impl& s_;
    sqlite3_stmt* st_;
};

void case_store::impl::index_case(const std::string& case_id, std::int64_t seq,
                                  const std::string& at, const json& snapshot,
                                  const std::string& state_after,
                                  const std::optional<index_before>& before) {
    static const json k_none;
    const auto app = snapshot.is_object() ? snapshot.find("application") : snapshot.end();
    const detail::case_keys keys =
        detail::keys_of_application(app != snapshot.end() ? *app : k_none);
    const std::string numbers = json(keys.numbers).dump();
    if (!before || before->uscc != keys.uscc || before->numbers != numbers) {
        stmt_use(*this, sql::set_keys)
            .text(1, case_id)
            .text_or_null(2, keys.uscc)
            .text(3, numbers)
            .run();
    }
    if (!before || before->numbers != numbers) {
        if (before) {
            const json old = json::parse(before->numbers, nullptr, false);
            if (old.is_array())
                for (const auto& n : old)
                    if (n.is_string())
                        stmt_use(*this, sql::delete_number)
                            .text(1, n.get_ref<const std::string&>())
                            .text(2, case_id)
                            .run();
        }
        for (const auto& n : keys.numbers)
            stmt_use(*this, sql::insert_number).text(1, n).text(2, case_id).run();
    }
    if ((!before || before->state != state_after) && !keys.uscc.empty() &&
        detail::is_record_state(state_after))
        insert_entry(keys.uscc, case_id, seq, state_after, at, snapshot);
}

void case_store::impl::insert_entry(const std::string& uscc, const std::string& case_id,
                                    std::int64_t seq, const std::string& state,
                                    const std::string& at, const json& snapshot) {
    std::string day;
    try {
        day = event_time::parse(at).day.to_string();
    } catch (const usage_error&) {
        day = at;  // a store used without case_service may date events freely
    }
    std::string until;
    if (snapshot.is_object())
        if (const auto b = snapshot.find("banned_until"); b != snapshot.end() && b->is_string())
            until = b->get<std::string>();
    put_entry({uscc, case_id, seq, state, day, until});
}

void case_store::impl::put_entry(const state_entry& e) {
    stmt_use(*this, sql::insert_entry)
        .text(1, e.uscc)
        .text(2, e.case_id)
        .integer(3, e.seq)
        .text(4, e.state)
        .text(5, e.on)
        .text_or_null(6, e.until)
        .run();
}

void case_store::impl::set_meta(const std::string& key, const std::string& value) {
    stmt_use(*this, sql::set_meta).text(1, key).text(2, value).run();
}

void case_store::impl::index_existing_cases() {
    std::vector<std::pair<std::string, std::string>> rows;  // id, snapshot
    {
        stmt_use q(*this, sql::all_snapshots);
        while (q.step())
            rows.emplace_back(q.col_text(0), q.col_text(1));
    }
    for (const auto& [id, text] : rows) {
        const json snapshot = json::parse(text, nullptr, false);  // unreadable: no keys
        const std::string state = snapshot.is_object() ? snapshot.value("state", "") : "";
        // the state entries come from replaying the history (case_service), not from here
        index_case(id, 0, "", snapshot, state, index_before{state, "", "[]"});
    }
}

void case_store::impl::insert_event(const std::string& case_id, std::int64_t seq,
                                    const event_input& e, const event_text& t,
                                    std::string_view prev_hash, const std::string& hash) {
    stmt_use(*this, sql::insert_event)
        .text(1, case_id)
        .integer(2, seq)
        .text(3, e.type)
        .text(4, e.actor)
        .text(5, e.at)
        .text(6, t.payload)
        .text(7, t.verdict)
        .text(8, e.ruleset_digest)
        .text(9, prev_hash)
        .text(10, hash)
        .text_or_null(11, t.outcome)
        .text_or_null(
            12, t.snapshot.empty() ? std::string() : json::parse(t.snapshot).get<std::string>())
        .run();
}

// A write: its own `BEGIN IMMEDIATE` transaction, or a savepoint inside the caller's
// case_store::transaction (never a transaction of its own there, so the group commits once).
// Not committed: rolled back.
class case_store::impl::write_scope {
  public:
    explicit write_scope(impl& s) : s_(s), nested_(s.in_tx) {
        if (nested_) {
            if (s_.tx_aborted || s_.autocommit()) {
                // Without this check the savepoint would open a transaction of its own.
                throw store_error(s_.where() +
                                  ": the transaction was rolled back by an earlier failure");
            }
            s_.exec(sql::savepoint);
        } else {
            s_.exec(sql::begin_immediate);
        }
    }
    write_scope(const write_scope&) = delete;
    write_scope& operator=(const write_scope&) = delete;

    void commit() {
        s_.exec(nested_ ? sql::release : sql::commit);
        done_ = true;
    }

    ~write_scope() {
        if (done_) return;
        if (s_.autocommit()) {
            // SQLite already rolled the whole transaction back (I/O error, disk full...).
            if (nested_) s_.tx_aborted = true;
            return;
        }
        if (nested_) {
            s_.exec_quietly(sql::rollback_to);
            s_.exec_quietly(sql::release);
        } else {
            s_.exec_quietly(sql::rollback);
        }
    }

  private:
    impl& s_;
    bool nested_;
    bool done_ = false;
};

// A consistent snapshot for reads of several statements, unless a transaction is already open.
class case_store::impl::read_scope {
  public:
    explicit read_scope(impl& s) : s_(s), owns_(s.autocommit()) {
        if (owns_) s_.exec(sql::begin_read);
    }
    read_scope(const read_scope&) = delete;
    read_scope& operator=(const read_scope&) = delete;
    ~read_scope() {
        if (owns_ && !s_.autocommit()) s_.exec_quietly(sql::rollback);
    }

  private:
    impl& s_;
    bool owns_;
};

json case_store::impl::parse_column(const std::string& text, const std::string& case_id,
                                    std::int64_t seq, std::string_view column) const {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        throw store_error(where() + ": case " + case_id +
                          (seq > 0 ? " event " + std::to_string(seq) : std::string()) + ": " +
                          std::string(column) + " is not valid JSON");
    }
    return j;
}

// A busy timeout with short polls. SQLite's own (sqlite3_busy_timeout) sleeps up to 100 ms
// between attempts, while another writer's commit holds the lock for a few milliseconds and
// frees it for microseconds: under a steady stream of writes it would starve the waiter until
// the timeout. Polling every 2 ms at most gives it a fair chance at a little CPU cost.
int case_store::impl::busy_wait(void* self, int attempt) noexcept {
    auto& s = *static_cast<impl*>(self);
    const auto now = std::chrono::steady_clock::now();
    if (attempt == 0) s.busy_since = now;
    if (now - s.busy_since >= k_busy_timeout) return 0;  // give up: SQLITE_BUSY
    const int shift = attempt < 6 ? attempt : 6;
    std::this_thread::sleep_for(std::chrono::microseconds(std::min(50 << shift, 2000)));
    return 1;
}

void case_store::impl::exec(sql id) {
    stmt_use(*this, id).run();
}

void case_store::impl::exec_quietly(sql id) noexcept {
    try {
        exec(id);
    } catch (...) {  // NOLINT(bugprone-empty-catch): best effort on a path that cannot throw
    }
}

std::optional<raw_case> case_store::impl::load_case(const std::string& case_id) {
    stmt_use q(*this, sql::get_case);
    q.text(1, case_id);
    if (!q.step()) return std::nullopt;
    raw_case c;
    c.id = q.col_text(0);
    c.region = q.col_text(1);
    c.created_at = q.col_text(2);
    c.version = q.col_int(3);
    c.state = q.col_text(4);
    c.snapshot = q.col_text(5);
    c.last_hash = q.col_text(6);
    if (!q.col_null(7)) c.snapshot_digest = q.col_text(7);
    c.uscc = q.col_text(8);
    c.numbers = q.col_text(9);
    return c;
}

namespace {
// One row of events_of / last_event.
template <class Q>
raw_event event_row(Q& q) {
    raw_event e;
    e.seq = q.col_int(0);
    e.type = q.col_text(1);
    e.actor = q.col_text(2);
    e.at = q.col_text(3);
    e.payload = q.col_text(4);
    e.verdict = q.col_text(5);
    e.digest = q.col_text(6);
    e.prev_hash = q.col_text(7);
    e.hash = q.col_text(8);
    if (!q.col_null(9)) e.outcome = q.col_text(9);
    if (!q.col_null(10)) e.snapshot_digest = q.col_text(10);
    return e;
}
}  // namespace

std::optional<raw_event> case_store::impl::load_last_event(const std::string& case_id) {
    stmt_use q(*this, sql::last_event);
    q.text(1, case_id);
    if (!q.step()) return std::nullopt;
    return event_row(q);
}

std::vector<raw_event> case_store::impl::load_events(const std::string& case_id) {
    std::vector<raw_event> out;
    stmt_use q(*this, sql::events_of);
    q.text(1, case_id);
    while (q.step()) {
        out.push_back(event_row(q));
    }
    return out;
}

void case_store::impl::verify_case(const std::string& case_id, verify_report& report) {
    const std::optional<raw_case> row = load_case(case_id);
    const std::vector<raw_event> evs = load_events(case_id);
    if (!row && evs.empty()) throw not_found_error(where() + ": no case '" + case_id + "'");
    ++report.cases;
    report.events += evs.size();
    auto problem = [&](std::int64_t seq, std::string message) {
        report.problems.push_back({case_id, seq, std::move(message)});
    };
    if (!row) problem(0, "events exist but the case row is missing");

    std::string prev(k_zero_hash);
    std::int64_t expected = 1;
    for (const raw_event& e : evs) {
        const std::string at = "event " + std::to_string(e.seq) + ": ";
        if (e.seq < expected) {
            // Only possible before seq 1 (rows come in seq order): not part of the chain.
            problem(e.seq, at + "seq out of range (seqs start at 1)");
            continue;
        }
        if (e.seq == expected + 1) {
            problem(expected, "event " + std::to_string(expected) + " is missing");
        } else if (e.seq > expected) {
            problem(expected, "events " + std::to_string(expected) + ".." +
                                  std::to_string(e.seq - 1) + " are missing");
        }

        // Re-dump what is stored: the hash covers canonical JSON, and text that is not canonical
        // was not written by this library.
        bool readable = true;
        std::string payload, verdict, outcome;
        static const std::string k_absent;
        for (auto [text, out, name] :
             {std::tuple{&e.payload, &payload, "payload"},
              std::tuple{&e.verdict, &verdict, "verdict"},
              std::tuple{e.outcome ? &*e.outcome : &k_absent, &outcome, "outcome"}}) {
            if (text == &k_absent) continue;  // no outcome (NULL): not part of the hash
            const json j = json::parse(*text, nullptr, false);
            if (j.is_discarded()) {
                problem(e.seq, at + name + " is not valid JSON");
                readable = false;
                continue;
            }
            *out = j.dump(-1, ' ', false, json::error_handler_t::replace);
            if (*out != *text) problem(e.seq, at + name + " is not in canonical form");
        }
        if (readable) {
            event_text t;
            const auto q = [](const std::string& s) {
                return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
            };
            t.case_id = q(case_id);
            t.type = q(e.type);
            t.actor = q(e.actor);
            t.at = q(e.at);
            t.payload = std::move(payload);
            t.verdict = std::move(verdict);
            t.digest = q(e.digest);
            t.outcome = std::move(outcome);
            if (e.snapshot_digest) t.snapshot = q(*e.snapshot_digest);
            if (chain_hash(e.prev_hash, t, e.seq) != e.hash) {
                problem(e.seq, at + "hash does not match the event's content (edited or moved)");
            }
        }
        if (e.prev_hash != prev) {
            problem(e.seq, at + "prev_hash is not the hash of the event before it "
                                "(an event was removed, reordered or edited)");
        }
        prev = e.hash;
        expected = e.seq + 1;
    }

    if (row) {
        const std::int64_t last = evs.empty() ? 0 : evs.back().seq;
        if (row->version != last) {
            problem(row->version, "case version " + std::to_string(row->version) +
                                      " but its last event is " + std::to_string(last));
        }
        if (row->last_hash != prev) {
            problem(row->version,
                    "the case's last hash is not the hash of its last event (events after "
                    "it were removed, or the case row was edited)");
        }
        const json snap = json::parse(row->snapshot, nullptr, false);
        if (snap.is_discarded()) {
            problem(row->version, "the case's snapshot is not valid JSON");
        } else {
            if (!evs.empty() && evs.back().snapshot_digest &&
                *evs.back().snapshot_digest != detail::sha256_hex(row->snapshot))
                problem(row->version,
                        "the case's snapshot is not the one its last event recorded (edited)");
            if ((snap.contains("state") && snap["state"] != row->state) ||
                (snap.contains("region") && snap["region"] != row->region))
                problem(row->version,
                        "the case's state or region column differs from its snapshot");
            // the index of what the store knows (docs/policy.md §7) is derived from the
            // snapshot: an edit there would hide a number's holder or an applicant's cases
            const auto app = snap.is_object() ? snap.find("application") : snap.end();
            const auto keys = detail::keys_of_application(app != snap.end() ? *app : json());
            std::vector<std::string> indexed;
            {
                stmt_use q(*this, sql::numbers_of);
                q.text(1, case_id);
                while (q.step())
                    indexed.push_back(q.col_text(0));
            }
            if (row->uscc != keys.uscc || row->numbers != json(keys.numbers).dump() ||
                indexed != keys.numbers)
                problem(row->version,
                        "the store's index of its applicant or numbers differs from its "
                        "snapshot (uscc, numbers or case_numbers edited)");
        }
    }
}

void case_store::impl::verify_index(verify_report& report) {
    // entries and numbers of cases that do not exist: made up, to bar or block someone
    stmt_use q(*this, sql::index_orphans);
    while (q.step())
        report.problems.push_back({q.col_text(0), 0,
                                   "the store's index names case '" + q.col_text(0) +
                                       "', which does not exist (" + q.col_text(1) + " edited)"});
}

std::string event_hash(const stored_event& e) {
    event_text t;
    t.case_id = json(e.case_id).dump();
    t.type = json(e.type).dump();
    t.actor = json(e.actor).dump();
    t.at = json(e.at).dump();
    t.payload = e.payload.dump();
    t.verdict = e.verdict.dump();
    t.digest = json(e.ruleset_digest).dump();
    if (!e.outcome.is_null()) t.outcome = e.outcome.dump();
    if (!e.snapshot_digest.empty()) t.snapshot = json(e.snapshot_digest).dump();
    return chain_hash(e.prev_hash, t, e.seq);
}

namespace {
// One list of an event's fields for every JSON flavour (sorted or in this order).
template <class Json>
void event_to_json(Json& j, const stored_event& e) {
    j = Json::object();
    j["seq"] = e.seq;
    j["type"] = e.type;
    j["actor"] = e.actor;
    j["at"] = e.at;
    j["payload"] = e.payload;
    j["verdict"] = e.verdict;
    j["ruleset_digest"] = e.ruleset_digest;
    j["outcome"] = e.outcome;
    if (!e.snapshot_digest.empty()) j["snapshot_digest"] = e.snapshot_digest;
    j["prev_hash"] = e.prev_hash;
    j["hash"] = e.hash;
}
}  // namespace

void to_json(nlohmann::json& j, const stored_event& e) {
    event_to_json(j, e);
}
void to_json(nlohmann::ordered_json& j, const stored_event& e) {
    event_to_json(j, e);
}

case_store::case_store(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
case_store::case_store(case_store&&) noexcept = default;
case_store& case_store::operator=(case_store&&) noexcept = default;
case_store::~case_store() = default;

case_store::impl& case_store::self() const {
    if (!impl_) throw usage_error("case_store: used after being moved from");
    return *impl_;
}

const std::filesystem::path& case_store::path() const noexcept {
    static const std::filesystem::path none;
    return impl_ ? impl_->path : none;
}

// Sets the connection's pragmas and creates the schema in a new file.
void case_store::impl::setup() {
    auto pragma = [&](const char* text) {
        sqlite3_stmt* st = nullptr;
        int step = sqlite3_prepare_v2(db, text, -1, &st, nullptr);
        std::string result;
        if (step == SQLITE_OK) step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            if (const auto* t = sqlite3_column_text(st, 0))
                result = reinterpret_cast<const char*>(t);
            while (step == SQLITE_ROW)
                step = sqlite3_step(st);
        }
        if (step != SQLITE_DONE) {
            std::string message = where() + ": " + sqlite3_errmsg(db) + " (" + text + ")";
            sqlite3_finalize(st);
            if ((step & 0xff) == SQLITE_BUSY) throw setup_busy(message);
            throw store_error(message);
        }
        sqlite3_finalize(st);
        return result;
    };

    // WAL: readers do not block the writer, and a commit is one append (and one fsync) to the
    // log. The mode is persistent in the file.
    if (const std::string mode = pragma("PRAGMA journal_mode=WAL"); mode != "wal") {
        throw store_error(where() + ": cannot use a WAL journal (journal_mode is " + mode + ")");
    }
    // FULL: the log is synced at every commit, so an acknowledged write survives power loss.
    pragma("PRAGMA synchronous=FULL");

    auto schema_version = [&] { return std::stoi(pragma("PRAGMA user_version")); };
    if (schema_version() != k_schema_version) {
        // Inside a write transaction, so two processes creating the same file do not both
        // create the schema.
        write_scope w(*this);
        const int v = schema_version();
        if (v == 0) {
            if (std::stoi(pragma("SELECT count(*) FROM sqlite_master")) != 0) {
                throw store_error(where() + ": the file is a SQLite database but not a case store");
            }
            if (sqlite3_exec(db, k_schema, nullptr, nullptr, nullptr) != SQLITE_OK ||
                sqlite3_exec(db, k_migrate_2_to_3, nullptr, nullptr, nullptr) != SQLITE_OK ||
                sqlite3_exec(db, k_migrate_3_to_4, nullptr, nullptr, nullptr) != SQLITE_OK) {
                fail("creating the schema");
            }
            set_meta("facts", "complete");  // nothing to rebuild in a new store
        } else if (v >= 1 && v <= 3) {
            if (v == 1 &&
                sqlite3_exec(db, k_migrate_1_to_2, nullptr, nullptr, nullptr) != SQLITE_OK) {
                fail("upgrading the schema from version 1 to 2");
            }
            if (v <= 2 &&
                sqlite3_exec(db, k_migrate_2_to_3, nullptr, nullptr, nullptr) != SQLITE_OK) {
                fail("upgrading the schema from version 2 to 3");
            }
            if (sqlite3_exec(db, k_migrate_3_to_4, nullptr, nullptr, nullptr) != SQLITE_OK) {
                fail("upgrading the schema from version 3 to 4");
            }
            index_existing_cases();
        } else if (v != k_schema_version) {
            throw store_error(where() + ": schema version " + std::to_string(v) +
                              " is not the version this library knows (" +
                              std::to_string(k_schema_version) + ")");
        }
        w.commit();
    }
}

case_store case_store::open(const std::filesystem::path& file) {
    auto p = std::make_unique<impl>();
    p->path = file;
    // NOMUTEX: one connection per thread is the contract, so SQLite's per-connection mutex is
    // not needed.
    const int rc =
        sqlite3_open_v2(file.c_str(), &p->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) p->fail("opening");
    sqlite3_extended_result_codes(p->db, 1);
    // Set before anything touches the file, so that another process creating it is waited for.
    sqlite3_busy_handler(p->db, &impl::busy_wait, p.get());

    // A new file starts in rollback-journal mode, where SQLite does not wait for another
    // connection that is also reading and upgrading to write (deadlock avoidance): it answers
    // SQLITE_BUSY at once, e.g. to `PRAGMA journal_mode=WAL` while another process sets up the
    // same new file. So the setup is retried, within the busy timeout. Once in WAL mode every
    // write begins with BEGIN IMMEDIATE, which the busy handler waits for.
    const auto started = std::chrono::steady_clock::now();
    for (int attempt = 0;; ++attempt) {
        try {
            p->setup();
            break;
        } catch (const setup_busy& e) {
            if (std::chrono::steady_clock::now() - started >= k_busy_timeout) {
                throw store_error(e.what());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt + 1, 10)));
        }
    }
    return case_store(std::move(p));
}

std::int64_t case_store::create(const std::string& case_id, const std::string& region,
                                const event_input& first, const std::string& state_after,
                                const nlohmann::json& snapshot_after) {
    impl& s = self();
    if (case_id.empty()) throw usage_error("case_store::create: the case id is empty");
    event_text t = quote_event(case_id, first);
    const std::string snapshot = dump_or_throw(snapshot_after, "snapshot");
    t.snapshot = json(detail::sha256_hex(snapshot)).dump();
    const std::string hash = chain_hash(k_zero_hash, t, 1);

    impl::write_scope w(s);
    {
        impl::stmt_use q(s, sql::case_head);
        q.text(1, case_id);
        if (q.step()) throw conflict_error(s.where() + ": case '" + case_id + "' already exists");
    }
    impl::stmt_use(s, sql::insert_case)
        .text(1, case_id)
        .text(2, region)
        .text(3, first.at)
        .integer(4, 1)
        .text(5, state_after)
        .text(6, snapshot)
        .text(7, hash)
        .run();
    s.insert_event(case_id, 1, first, t, k_zero_hash, hash);
    s.index_case(case_id, 1, first.at, snapshot_after, state_after, std::nullopt);
    w.commit();
    return 1;
}

std::int64_t case_store::append(const std::string& case_id, std::int64_t expected_version,
                                const event_input& e, const std::string& state_after,
                                const nlohmann::json& snapshot_after) {
    impl& s = self();
    event_text t = quote_event(case_id, e);
    const std::string snapshot = dump_or_throw(snapshot_after, "snapshot");
    t.snapshot = json(detail::sha256_hex(snapshot)).dump();

    impl::write_scope w(s);
    // The check is inside the write transaction: no other writer can move the case between it
    // and the writes.
    std::int64_t version = 0;
    std::string prev;
    impl::index_before before;
    {
        impl::stmt_use q(s, sql::case_head);
        q.text(1, case_id);
        if (!q.step()) throw not_found_error(s.where() + ": no case '" + case_id + "'");
        version = q.col_int(0);
        prev = q.col_text(1);
        before = {q.col_text(2), q.col_text(3), q.col_text(4)};
    }
    if (version != expected_version) {
        throw conflict_error(s.where() + ": case '" + case_id + "' is at version " +
                             std::to_string(version) + ", not the expected " +
                             std::to_string(expected_version));
    }
    const std::int64_t seq = version + 1;
    const std::string hash = chain_hash(prev, t, seq);
    s.insert_event(case_id, seq, e, t, prev, hash);
    impl::stmt_use(s, sql::update_case)
        .text(1, case_id)
        .integer(2, seq)
        .text(3, state_after)
        .text(4, snapshot)
        .text(5, hash)
        .run();
    s.index_case(case_id, seq, e.at, snapshot_after, state_after, before);
    w.commit();
    return seq;
}

case_store::transaction::transaction(impl* store) noexcept : store_(store) {
    store_->open_tx = this;
}

case_store::transaction::transaction(transaction&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)) {
    if (store_ != nullptr) store_->open_tx = this;
}

case_store::transaction::~transaction() {
    rollback();
}

void case_store::transaction::commit() {
    if (store_ == nullptr) throw usage_error("case_store::transaction: commit() when not active");
    impl& s = *std::exchange(store_, nullptr);
    s.in_tx = false;
    s.open_tx = nullptr;
    if (s.tx_aborted || s.autocommit()) {
        s.tx_aborted = false;
        throw store_error(s.where() +
                          ": the transaction was rolled back by an earlier failure inside it");
    }
    try {
        s.exec(sql::commit);
    } catch (...) {
        if (!s.autocommit()) s.exec_quietly(sql::rollback);
        throw;
    }
}

void case_store::transaction::rollback() noexcept {
    if (store_ == nullptr) return;
    impl& s = *std::exchange(store_, nullptr);
    s.in_tx = false;
    s.open_tx = nullptr;
    s.tx_aborted = false;
    if (!s.autocommit()) s.exec_quietly(sql::rollback);
}

case_store::read_view::read_view(read_view&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)) {}

case_store::read_view::~read_view() {
    if (store_ != nullptr && !store_->autocommit()) store_->exec_quietly(sql::rollback);
}

case_store::read_view case_store::consistent_reads() const {
    impl& s = self();
    if (!s.autocommit()) return read_view(nullptr);  // a transaction's reads: consistent already
    s.exec(sql::begin_read);
    return read_view(&s);
}

bool case_store::in_transaction() const noexcept {
    return impl_ != nullptr && impl_->in_tx;
}

case_store::transaction case_store::begin() {
    impl& s = self();
    if (s.in_tx) throw usage_error(s.where() + ": a transaction is already open on this store");
    if (!s.autocommit()) throw usage_error(s.where() + ": begin() inside a read");
    s.exec(sql::begin_immediate);
    s.in_tx = true;
    s.tx_aborted = false;
    // Guaranteed elision: the transaction is built in the caller's object, so `this` is final.
    return transaction(&s);
}

namespace {
// Whether a case row is the head of its chain: its version and last hash are those of its last
// event, that event's hash is that of its content, and the snapshot is the one it recorded.
// What is wrong, or "" when nothing is.
std::string head_problem(const std::string& case_id, const raw_case& c,
                         const std::optional<raw_event>& last) {
    if (!last) return "it has no events";
    if (last->seq != c.version)
        return "its version (" + std::to_string(c.version) + ") is not its last event's (" +
               std::to_string(last->seq) + ")";
    if (last->hash != c.last_hash) return "its last hash is not its last event's";
    stored_event e;
    e.case_id = case_id;
    e.seq = last->seq;
    e.type = last->type;
    e.actor = last->actor;
    e.at = last->at;
    e.payload = json::parse(last->payload, nullptr, false);
    e.verdict = json::parse(last->verdict, nullptr, false);
    if (last->outcome) e.outcome = json::parse(*last->outcome, nullptr, false);
    e.ruleset_digest = last->digest;
    e.snapshot_digest = last->snapshot_digest.value_or("");
    e.prev_hash = last->prev_hash;
    if (e.payload.is_discarded() || e.verdict.is_discarded() || e.outcome.is_discarded())
        return "its last event is not readable JSON";
    if (event_hash(e) != last->hash) return "its last event's hash is not that of its content";
    if (last->snapshot_digest && *last->snapshot_digest != detail::sha256_hex(c.snapshot))
        return "its stored state is not the one its last event recorded";
    return {};
}
}  // namespace

std::optional<case_row> case_store::get(const std::string& case_id) const {
    impl& s = self();
    std::optional<raw_case> c;
    std::optional<raw_event> last;
    {
        impl::read_scope r(s);  // the row and its last event from one state of the file
        c = s.load_case(case_id);
        if (!c) return std::nullopt;
        last = s.load_last_event(case_id);
    }
    // The row is what the chain says, or nothing of it is shown (or appended on top).
    if (const auto why = head_problem(case_id, *c, last); !why.empty())
        throw integrity_error(s.where() + ": case '" + case_id + "' was edited outside " +
                              "telecomply (" + why + "): nothing was shown or written; run " +
                              "`telecomply case verify`");
    case_row row;
    row.id = std::move(c->id);
    row.region = std::move(c->region);
    row.created_at = std::move(c->created_at);
    row.state = std::move(c->state);
    row.version = c->version;
    row.snapshot = s.parse_column(c->snapshot, case_id, 0, "snapshot");
    // (a snapshot that names them: the case JSON of case_service)
    if ((row.snapshot.contains("state") && row.snapshot["state"] != row.state) ||
        (row.snapshot.contains("region") && row.snapshot["region"] != row.region))
        throw integrity_error(s.where() + ": case '" + case_id +
                              "' was edited outside telecomply (its state or region column "
                              "differs from its recorded state): nothing was shown or written; "
                              "run `telecomply case verify`");
    return row;
}

std::optional<std::int64_t> case_store::version(const std::string& case_id) const {
    // the head only: no snapshot read (this runs before every append of a writer's case)
    impl::stmt_use q(self(), sql::case_head);
    q.text(1, case_id);
    if (!q.step()) return std::nullopt;
    return q.col_int(0);
}

void case_store::put_pinned(const pinned_ruleset& r) {
    if (r.digest.empty()) throw usage_error("put_pinned: a pinned ruleset needs its digest");
    const std::string text = dump_or_throw(r.content, "pinned ruleset content");
    impl& s = self();
    impl::write_scope w(s);
    impl::stmt_use(s, sql::put_pinned)
        .text(1, r.digest)
        .text(2, r.id)
        .text(3, r.version)
        .text(4, text)
        .run();
    w.commit();
}

std::optional<pinned_ruleset> case_store::get_pinned(const std::string& digest) const {
    impl& s = self();
    impl::stmt_use q(s, sql::get_pinned);
    q.text(1, digest);
    if (!q.step()) return std::nullopt;
    pinned_ruleset r;
    r.digest = digest;
    r.id = q.col_text(0);
    r.version = q.col_text(1);
    r.content = nlohmann::json::parse(q.col_text(2), nullptr, false);
    if (r.content.is_discarded())
        throw integrity_error(s.where() + ": the pinned content of " + digest + " is not JSON");
    return r;
}

std::vector<std::string> case_store::case_ids_where(const std::optional<std::string>& state,
                                                    const std::optional<std::string>& region,
                                                    const std::optional<std::string>& uscc) const {
    impl& s = self();
    std::vector<std::string> out;
    const std::string u = uscc ? detail::store_uscc(*uscc) : std::string();
    impl::stmt_use q(s, sql::ids_where);
    if (state) q.text(1, *state);
    if (region) q.text(2, *region);
    if (uscc) q.text(3, u);
    while (q.step())
        out.push_back(q.col_text(0));
    return out;
}

std::vector<state_entry> case_store::state_entries(const std::string& uscc) const {
    return state_entries(uscc, "");  // every day is on or after ""
}

std::vector<state_entry> case_store::state_entries(const std::string& uscc,
                                                   const std::string& since) const {
    std::vector<state_entry> out;
    impl::stmt_use q(self(), sql::entries_since);
    q.text(1, uscc).text(2, since);
    while (q.step())
        out.push_back(
            {uscc, q.col_text(0), q.col_int(1), q.col_text(2), q.col_text(3), q.col_text(4)});
    return out;
}

std::vector<number_holder> case_store::holders_of(const std::vector<std::string>& numbers) const {
    impl& s = self();
    std::vector<number_holder> out;
    impl::read_scope r(s);  // every number from one state of the file
    for (const auto& n : numbers) {
        impl::stmt_use q(s, sql::holders_of);
        q.text(1, n);
        while (q.step())
            out.push_back({n, q.col_text(0), q.col_text(1), q.col_text(2)});
    }
    return out;
}

bool case_store::state_entries_complete() const {
    impl::stmt_use q(self(), sql::get_meta);
    q.text(1, "facts");
    return q.step() && q.col_text(0) == "complete";
}

void case_store::replace_state_entries(const std::vector<state_entry>& entries) {
    impl& s = self();
    impl::write_scope w(s);
    s.exec(sql::delete_entries);
    for (const auto& e : entries)
        s.put_entry(e);
    s.set_meta("facts", "complete");
    w.commit();
}

std::optional<std::string> case_store::last_event_at(const std::string& case_id) const {
    impl::stmt_use q(self(), sql::last_event_at);
    q.text(1, case_id);
    if (!q.step()) return std::nullopt;
    return q.col_text(0);
}

std::vector<stored_event> case_store::events(const std::string& case_id) const {
    impl& s = self();
    std::vector<raw_event> raw = s.load_events(case_id);
    std::vector<stored_event> out;
    out.reserve(raw.size());
    for (raw_event& r : raw) {
        stored_event e;
        e.case_id = case_id;
        e.seq = r.seq;
        e.type = std::move(r.type);
        e.actor = std::move(r.actor);
        e.at = std::move(r.at);
        e.payload = s.parse_column(r.payload, case_id, r.seq, "payload");
        e.verdict = s.parse_column(r.verdict, case_id, r.seq, "verdict");
        if (r.outcome) e.outcome = s.parse_column(*r.outcome, case_id, r.seq, "outcome");
        e.ruleset_digest = std::move(r.digest);
        if (r.snapshot_digest) e.snapshot_digest = std::move(*r.snapshot_digest);
        e.prev_hash = std::move(r.prev_hash);
        e.hash = std::move(r.hash);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<std::string> case_store::case_ids() const {
    impl& s = self();
    std::vector<std::string> out;
    impl::stmt_use q(s, sql::case_ids);
    while (q.step())
        out.push_back(q.col_text(0));
    return out;
}

std::vector<case_head> case_store::heads() const {
    impl& s = self();
    std::vector<case_head> out;
    impl::read_scope r(s);
    impl::stmt_use q(s, sql::heads);
    while (q.step())
        out.push_back({q.col_text(0), q.col_text(1), q.col_int(2), q.col_text(3)});
    return out;
}

std::optional<std::string> case_store::hash_of(const std::string& case_id, std::int64_t seq) const {
    impl::stmt_use q(self(), sql::hash_of);
    q.text(1, case_id).integer(2, seq);
    if (!q.step()) return std::nullopt;
    return q.col_text(0);
}

verify_report case_store::verify(const std::string& case_id) const {
    impl& s = self();
    verify_report report;
    impl::read_scope r(s);
    s.verify_case(case_id, report);
    return report;
}

verify_report case_store::verify_all() const {
    impl& s = self();
    verify_report report;
    impl::read_scope r(s);
    std::vector<std::string> ids;
    {
        impl::stmt_use q(s, sql::all_ids);
        while (q.step())
            ids.push_back(q.col_text(0));
    }
    for (const std::string& id : ids)
        s.verify_case(id, report);
    s.verify_index(report);
    return report;
}

}  // namespace telecomply

#pragma once
/// \file case_store.hpp
/// The case store: one SQLite file holding every case's row (its state and snapshot) and its
/// append-only history of events, chained by SHA-256 hashes so that any edit, reordering or
/// deletion of an event is detected by verify(). See docs/workflow.md, "The case store".

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace telecomply {

/// An event to append: what the caller supplies. The store adds the case, `seq` and the hashes.
struct event_input {
    std::string type;   ///< the event name ("submit", "accept", "tick"...)
    std::string actor;  ///< who caused it
    std::string at;     ///< when: RFC 3339 time or YYYY-MM-DD
    nlohmann::json payload = nlohmann::json::object();  ///< the event's data
    nlohmann::json verdict = nullptr;                   ///< the verdict the event produced, if any
    std::string ruleset_digest;  ///< digest of the ruleset the event was judged under
    /// What the event computed that a replay must not compute again differently, e.g. the
    /// deadlines it set with the calendar they were counted on: `{"deadlines": {name: {...}}}`.
    /// null (the default) when nothing; then it is stored as NULL and left out of the hash.
    nlohmann::json outcome = nullptr;
};

/// An event as stored: its input plus its place in the case's hash chain.
struct stored_event {
    std::string case_id;              ///< the case it belongs to
    std::int64_t seq = 0;             ///< 1, 2, 3... within the case
    std::string type, actor, at;      ///< as given in event_input
    nlohmann::json payload, verdict;  ///< as given in event_input
    std::string ruleset_digest;       ///< as given in event_input
    nlohmann::json outcome;           ///< as given in event_input (null when none)
    /// SHA-256 of the case snapshot the event left (the case JSON as stored after it); ""
    /// for events written by stores before schema 3. Covered by the hash: reading a case
    /// checks its snapshot against it.
    std::string snapshot_digest;
    std::string prev_hash;  ///< `hash` of event seq-1; 64 zeros for seq 1
    std::string hash;       ///< event_hash() of this event (64 lowercase hex digits)
};

/// An event as JSON: `{seq, type, actor, at, payload, verdict, ruleset_digest, outcome,
/// snapshot_digest?, prev_hash, hash}` (no case_id; outcome null when the event computed
/// nothing; snapshot_digest absent for events written before schema 3), what
/// `telecomply case history --format json` prints and Python's CaseStore.history() returns.
/// nlohmann::json sorts the keys; nlohmann::ordered_json keeps them in the order listed here.
/// Used by nlohmann's conversions: `nlohmann::json j = event;`. Thread-safe.
void to_json(nlohmann::json& j, const stored_event& e);
void to_json(nlohmann::ordered_json& j, const stored_event& e);

/// A case's row: its current state and the case JSON after its last event.
struct case_row {
    std::string id;            ///< the case id
    std::string region;        ///< the region given to create() ("CN-GD")
    std::string created_at;    ///< the `at` of the case's first event
    std::string state;         ///< the state after its last event
    std::int64_t version = 0;  ///< the seq of the case's last event
    nlohmann::json snapshot;   ///< the case JSON after its last event
};

/// The rules a case pinned, as the store keeps them: by digest, with the files of the chain
/// (ruleset::content()), so that the case is judged by them whatever the catalogue holds later.
struct pinned_ruleset {
    std::string digest;      ///< ruleset::digest()
    std::string id;          ///< "CN-GD"
    std::string version;     ///< "2026.1"
    nlohmann::json content;  ///< ruleset::content(): [{name, json}], root first
};

/// A case entering a state, as the store's index keeps it (docs/policy.md §7: a rejection, a
/// suspension or revocation, a ban), under the applicant's USCC at the time.
struct state_entry {
    std::string uscc;      ///< the applicant (upper case)
    std::string case_id;   ///< the case
    std::int64_t seq = 0;  ///< the event that moved it (0: unknown, for a rebuilt entry)
    std::string state;     ///< the state it entered ("rejected", "barred"...)
    std::string on;        ///< the event's day, YYYY-MM-DD in China Standard Time
    std::string until;     ///< the case's banned_until then (YYYY-MM-DD), "" when none
    bool operator==(const state_entry&) const = default;
};

/// A case that holds a number (canonical form), with its applicant and current state.
struct number_holder {
    std::string number;   ///< canonical_phone() form
    std::string case_id;  ///< the case
    std::string uscc;     ///< its applicant ("" when its application has none)
    std::string state;    ///< its current state
};

/// A case's head: its id, region, version (the seq of its last event) and the hash of that
/// event, as the case's row records them. What a seal signs (cases/seal.hpp).
struct case_head {
    std::string id;            ///< the case id
    std::string region;        ///< the region given to create() ("CN-GD")
    std::int64_t version = 0;  ///< the seq of the case's last event
    std::string hash;          ///< the hash of that event (64 lowercase hex digits)
};

/// One problem found by verify(): the case, the event's seq (the seq the case claims for
/// case-level problems, 0 when none applies) and what is wrong.
struct verify_problem {
    std::string case_id;   ///< the case
    std::int64_t seq = 0;  ///< the event (0: the case as a whole)
    std::string message;   ///< what is wrong, in English
};

/// What verify() / verify_all() checked and found.
struct verify_report {
    std::size_t cases = 0;                 ///< cases checked
    std::size_t events = 0;                ///< events checked
    std::vector<verify_problem> problems;  ///< in case id, then seq order of discovery
    /// True when nothing is wrong.
    [[nodiscard]] bool ok() const noexcept { return problems.empty(); }
};

/// One SQLite file (WAL journal, synchronous=FULL so that an acknowledged write survives power
/// loss, and a busy timeout of 10 s so that other connections' and processes' writers are waited
/// for; a write still waiting after that throws store_error, "database is locked").
///
/// A case_store is one connection: use one object per thread (objects are movable, not
/// copyable, and not safe to share between threads). Any number of threads and processes may
/// open the same file; their writes serialize (each write holds SQLite's write lock from
/// `BEGIN IMMEDIATE` to commit) and optimistic concurrency on each case's version makes sure no
/// event is ever lost or overwritten.
///
/// Errors: SQLite failures throw store_error with SQLite's message and the file name;
/// conflict_error (a store_error) when a case's version is not the expected one; not_found_error
/// for an unknown case; usage_error for invalid arguments (an empty case id, a payload that
/// cannot be written as JSON text, a second transaction on one connection).
class case_store {
    struct impl;

  public:
    /// Opens (creating when it does not exist) a store file and creates the schema in a new
    /// file: tables `cases`, `events`, `pinned_rulesets`, `case_numbers`, `state_entries`,
    /// `store_meta` and `schema_version`, and `PRAGMA user_version` (4). A store of an older
    /// schema is upgraded in place (version 1: events gain the `outcome` column; version 2: the
    /// `pinned_rulesets` table; version 3: the index of what the store knows across cases, the
    /// cases' `uscc` and `numbers` columns filled from their snapshots, their state entries
    /// left for case_service to rebuild from their histories).
    /// Throws store_error naming the file when it cannot be opened, is not a SQLite database,
    /// cannot use a WAL journal, or has a schema version this library does not know.
    [[nodiscard]] static case_store open(const std::filesystem::path& file);

    case_store(case_store&&) noexcept;
    case_store& operator=(case_store&&) noexcept;
    case_store(const case_store&) = delete;
    case_store& operator=(const case_store&) = delete;
    /// Closes the connection; an open transaction is rolled back by SQLite.
    ~case_store();

    /// Creates a case with its first event (seq 1), atomically, and returns its version (1).
    /// `state_after` and `snapshot_after` are the case's state and JSON after that event; the
    /// case's created_at is `first.at`. Throws conflict_error when the id exists (nothing
    /// written), usage_error when `case_id` is empty.
    std::int64_t create(const std::string& case_id, const std::string& region,
                        const event_input& first, const std::string& state_after,
                        const nlohmann::json& snapshot_after);

    /// Appends one event to a case if its version is `expected_version`, and updates its state
    /// and snapshot; returns the new version (`expected_version + 1`). The version check and the
    /// writes are one transaction: a mismatch throws conflict_error and writes nothing. Throws
    /// not_found_error for an unknown case.
    std::int64_t append(const std::string& case_id, std::int64_t expected_version,
                        const event_input& e, const std::string& state_after,
                        const nlohmann::json& snapshot_after);

    /// A group of create()s and append()s made as one durable transaction (one commit, one
    /// fsync): all of them or none. Holds the store's write lock from begin() until commit()
    /// or destruction, so keep it short. If the case_store is destroyed (or assigned to) first,
    /// the transaction is rolled back by SQLite and becomes inactive.
    ///
    /// Inside it, each create()/append() is still all-or-nothing on its own (a savepoint), so a
    /// caller may catch a conflict_error and go on with the rest of the group. Reads on the
    /// same case_store see the group's uncommitted writes; other connections do not.
    class transaction {
      public:
        transaction(transaction&& other) noexcept;
        transaction& operator=(transaction&&) = delete;
        transaction(const transaction&) = delete;
        transaction& operator=(const transaction&) = delete;
        /// Rolls back if neither commit() nor rollback() was called; never throws.
        ~transaction();

        /// Makes every write of the group durable and visible. Throws store_error if the commit
        /// fails (then nothing was written), and when an earlier SQLite failure inside the
        /// group made SQLite abandon it. Throws usage_error when no longer active.
        void commit();
        /// Abandons every write of the group. Does nothing when no longer active.
        void rollback() noexcept;
        /// True until commit() or rollback().
        [[nodiscard]] bool active() const noexcept { return store_ != nullptr; }

      private:
        friend class case_store;
        friend impl;  // clears store_ when the case_store goes before the transaction
        explicit transaction(impl* store) noexcept;
        impl* store_ = nullptr;
    };

    /// Opens a transaction (`BEGIN IMMEDIATE`: waits for other writers up to the busy
    /// timeout, then throws store_error). Throws usage_error when this case_store already has
    /// one open.
    [[nodiscard]] transaction begin();
    /// Whether a transaction (begin()) is open on this store.
    [[nodiscard]] bool in_transaction() const noexcept;

    /// One consistent view of the file for several reads (every case's history at once, as
    /// case_service::registry() reads them): while it is alive, every read on this case_store
    /// sees the file as it was at the first of them; other connections' writes commit meanwhile
    /// and are seen once it ends. Never writes and takes no write lock (SQLite `BEGIN
    /// DEFERRED`, rolled back at the end). Inside a transaction (begin()) it does nothing: the
    /// transaction's reads are consistent already. While it is alive this case_store must not
    /// write (create(), append(), begin() fail with store_error or usage_error), and it must end
    /// before its case_store is destroyed or moved from.
    class read_view {
      public:
        read_view(read_view&& other) noexcept;
        read_view& operator=(read_view&&) = delete;
        read_view(const read_view&) = delete;
        read_view& operator=(const read_view&) = delete;
        /// Ends the read; never throws.
        ~read_view();

      private:
        friend class case_store;
        explicit read_view(impl* store) noexcept : store_(store) {}
        impl* store_ = nullptr;  // null when it holds no read of its own
    };
    /// Starts a read_view. Throws store_error when SQLite refuses.
    [[nodiscard]] read_view consistent_reads() const;

    /// The case's row, or nullopt for an unknown case. Throws integrity_error when the stored
    /// snapshot is not the one the case's last event recorded (edited outside the library):
    /// nothing of it is shown, and nothing is appended on top of it.
    [[nodiscard]] std::optional<case_row> get(const std::string& case_id) const;
    /// The case's version (its last seq) without reading its snapshot, or nullopt.
    [[nodiscard]] std::optional<std::int64_t> version(const std::string& case_id) const;
    /// Keeps a pinned ruleset's content (once per digest; a digest already kept is left as it
    /// is). Part of the caller's transaction when one is open.
    void put_pinned(const pinned_ruleset& r);
    /// The content kept for a digest, or nullopt. Throws integrity_error when the stored
    /// content is not JSON.
    [[nodiscard]] std::optional<pinned_ruleset> get_pinned(const std::string& digest) const;
    /// Every entry into a state of the cases of an applicant (`uscc`, upper case), by day:
    /// what the store knows of the applicant's record (docs/policy.md §7). Indexed: a lookup
    /// does not read other cases. Thread safety as the rest of case_store.
    [[nodiscard]] std::vector<state_entry> state_entries(const std::string& uscc) const;
    /// The entries of `uscc` on or after the day `since` (YYYY-MM-DD), and every entry into
    /// `barred` whatever its day: what an applicant's record needs, read by index without the
    /// older history.
    [[nodiscard]] std::vector<state_entry> state_entries(const std::string& uscc,
                                                         const std::string& since) const;
    /// The cases whose applications list any of `numbers` (canonical forms), by number then
    /// case id. Indexed.
    [[nodiscard]] std::vector<number_holder> holders_of(
        const std::vector<std::string>& numbers) const;
    /// False while the state entries of cases written before schema 4 are still to be rebuilt
    /// from their histories (case_service does it: replace_state_entries()).
    [[nodiscard]] bool state_entries_complete() const;
    /// Replaces every state entry with `entries` (rebuilt by replaying the histories) and marks
    /// them complete. One transaction (or part of the caller's).
    void replace_state_entries(const std::vector<state_entry>& entries);

    /// The `at` of the case's last event (nullopt for an unknown case), without reading the
    /// rest of its history.
    [[nodiscard]] std::optional<std::string> last_event_at(const std::string& case_id) const;
    /// The case's events in seq order (empty for an unknown case).
    [[nodiscard]] std::vector<stored_event> events(const std::string& case_id) const;
    /// The ids of the cases whose row is in `state`, of `region` and of the applicant `uscc`
    /// (compared upper case), each when given; sorted. From the rows' columns, without reading
    /// snapshots (the applicant by index); a caller that shows the cases reads them with get(),
    /// which checks each against its chain.
    [[nodiscard]] std::vector<std::string> case_ids_where(
        const std::optional<std::string>& state, const std::optional<std::string>& region,
        const std::optional<std::string>& uscc) const;
    /// Every case id, sorted (bytewise, as std::string compares).
    [[nodiscard]] std::vector<std::string> case_ids() const;
    /// Every case's head, sorted by id as case_ids(), from one consistent read of the file (a
    /// writer committing meanwhile is seen wholly or not at all). Reads the rows only: whether
    /// they match their events is verify_all()'s to say.
    [[nodiscard]] std::vector<case_head> heads() const;
    /// The stored hash of a case's event `seq` (as stored: verify() says whether it is that of
    /// the event's content), or nullopt when the case has no such event.
    [[nodiscard]] std::optional<std::string> hash_of(const std::string& case_id,
                                                     std::int64_t seq) const;

    /// Checks one case: every event's hash against its content, every prev_hash against the
    /// preceding event's hash, seq 1..version without gaps, and the case's version and last
    /// hash against its last event. Each problem names the case and the seq. Reads one
    /// consistent snapshot of the file. Throws not_found_error when there is neither a case
    /// row nor any event under that id.
    [[nodiscard]] verify_report verify(const std::string& case_id) const;
    /// verify() of every case, including event histories whose case row is missing.
    [[nodiscard]] verify_report verify_all() const;

    /// The file this store was opened on.
    [[nodiscard]] const std::filesystem::path& path() const noexcept;

  private:
    explicit case_store(std::unique_ptr<impl> p) noexcept;
    impl& self() const;
    std::unique_ptr<impl> impl_;
};

/// The canonical hash of an event: the SHA-256 (64 lowercase hex digits) of
/// `prev_hash + "\n" +` the canonical JSON (nlohmann dump(): keys sorted, no spaces) of
/// `{case_id, seq, type, actor, at, payload, verdict, ruleset_digest}`, with `outcome` too when
/// it is not null and `snapshot` (the snapshot_digest) when not empty (so events written
/// before those existed keep their hashes). Throws
/// nlohmann::json::type_error when a string in the event is not valid UTF-8.
[[nodiscard]] std::string event_hash(const stored_event& e);

}  // namespace telecomply

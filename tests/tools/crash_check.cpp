// Crash safety at scale (issue 10, item 9; docs/workflow.md, "Crash safety"): writer processes
// going through the whole library path (case_manager + case_service over one store file) are
// SIGKILLed at random moments, round after round, and the store is checked: every event a writer
// acknowledged is there with the hash it was acknowledged with, every hash chain holds and every
// case replays to its stored snapshot.
//
//   telecomply-crash-check --rulesets DIR --store FILE [--rounds N] [--writers W] [--seed S]
//                          [--max-wait-ms M] [--check-every K] [--applications DIR]
//
// FILE must not exist (the tool makes a scratch store, never touches a real one). The seed is
// printed first: `--seed S` with the same options replays the same choices of waits and victims
// (the writers' timing, and so the exact kill points, still vary).
//
// The same program is the writer, run by the parent as
//   telecomply-crash-check --writer --rulesets DIR --applications DIR --store FILE --slot I
//                          --seed S
// It prints READY once its rules are loaded (before it opens the store, so that a kill right after
// a restart lands in opening the store or creating a case, not in loading rules), then
// `ACK <case> <seq> <hash>` after each create/apply has returned, i.e. after its commit, and
// REFUSED / CONFLICT for an event the workflow refused or that lost 50 races.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/cases/case_store.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/rules/engine.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace telecomply;
using testing::child_process;

namespace {

// Far after every event the writers date, so that the "more than a day ahead of the clock"
// check never refuses one; events are dated from their case's submission day on (event_at()).
const char* const k_clock = "2040-01-01T00:00:00+08:00";
// A writer's own case gets a random number of events up to this, then the writer starts a new
// one: creates keep happening all run long, and histories stay short enough to re-read.
constexpr int k_max_case_events = 40;
// Shared cases (every writer records events on them, so case_service's retry on a conflict is
// exercised) are left for the next one at this many events: acknowledging an event re-reads its
// case's history for the hash.
constexpr std::int64_t k_shared_case_events = 120;
// How often (1 in N) a writer's next event goes to the shared case rather than its own.
constexpr int k_shared_one_in = 8;
// How many refusals in a row make a writer give up on its own case (an ineligible application
// that no event moves on any more).
constexpr int k_max_refusals = 4;

struct options {
    fs::path rulesets, applications, store;
    int rounds = 1000;
    int writers = 4;
    int max_wait_ms = 250;
    int check_every = 25;
    std::optional<std::uint64_t> seed;
    bool writer = false;
    int slot = 0;
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr,
                 "telecomply-crash-check: %s\n"
                 "usage: telecomply-crash-check --rulesets DIR --store FILE [--rounds N=1000] "
                 "[--writers W=4] [--seed S] [--max-wait-ms M=250] [--check-every K=25] "
                 "[--applications DIR=<rulesets>/../examples/applications]\n",
                 why.c_str());
    std::exit(2);
}

options parse_options(int argc, char** argv) {
    options o;
    auto number = [&](const std::string& name, const char* text, long long low) {
        char* end = nullptr;
        const long long v = std::strtoll(text, &end, 10);
        if (end == text || *end != '\0' || v < low)
            usage(name + " needs a number of at least " + std::to_string(low));
        return v;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--writer") {
            o.writer = true;
            continue;
        }
        if (i + 1 >= argc) usage(a + " needs a value");
        const char* v = argv[++i];
        if (a == "--rulesets")
            o.rulesets = v;
        else if (a == "--applications")
            o.applications = v;
        else if (a == "--store")
            o.store = v;
        else if (a == "--rounds")
            o.rounds = static_cast<int>(number(a, v, 1));
        else if (a == "--writers")
            o.writers = static_cast<int>(number(a, v, 1));
        else if (a == "--max-wait-ms")
            o.max_wait_ms = static_cast<int>(number(a, v, 0));
        else if (a == "--check-every")
            o.check_every = static_cast<int>(number(a, v, 1));
        else if (a == "--seed") {
            char* end = nullptr;
            errno = 0;
            o.seed = std::strtoull(v, &end, 10);
            if (end == v || *end != '\0' || errno != 0) usage("--seed needs a number");
        } else if (a == "--slot")
            o.slot = static_cast<int>(number(a, v, 0));
        else
            usage("unknown option " + a);
    }
    if (o.rulesets.empty() || o.store.empty()) usage("--rulesets and --store are required");
    if (o.applications.empty())
        o.applications = o.rulesets.parent_path() / "examples" / "applications";
    return o;
}

// ------------------------------------------------------------------ the writer

// The time of a case's `seq`th event: its submission day at 09:00 China Standard Time, plus
// `seq` seconds. Increasing with seq, so no event is ever dated before its case's last one;
// the days it spans stay far inside every deadline (no timer falls due, no tick is needed).
std::string event_at(date submitted_on, std::int64_t seq) {
    const std::int64_t secs = 9 * 3600 + seq;
    const date day = submitted_on.add_days(static_cast<std::int32_t>(secs / 86400));
    const auto in_day = secs % 86400;
    char t[32];
    std::snprintf(t, sizeof t, "T%02lld:%02lld:%02lld+08:00", static_cast<long long>(in_day / 3600),
                  static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60));
    return day.to_string() + t;
}
std::string event_at(const case_state& s, std::int64_t seq) {
    return event_at(s.pinned_on.value_or(date{}), seq);
}

class writer {
  public:
    explicit writer(const options& o)
        : manager_(std::make_shared<const engine>(o.rulesets)),
          prefix_("s" + std::to_string(o.slot) + "-"),
          rng_(static_cast<std::mt19937::result_type>(o.seed.value_or(0))) {
        std::vector<fs::path> files;
        for (const auto& f : fs::directory_iterator(o.applications))
            if (f.path().extension() == ".json") files.push_back(f.path());
        std::sort(files.begin(), files.end());  // the same seed picks the same applications
        if (files.empty())
            throw std::runtime_error("no applications in " + o.applications.string());
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            applications_.push_back(json::parse(in));
        }
    }

    [[noreturn]] void run(const fs::path& file) {
        std::printf("READY\n");
        std::fflush(stdout);
        auto store = case_store::open(file);
        case_service service(store, manager_, store_clock::fixed(k_clock));
        adopt(store, service);
        for (;;) {
            if (one_in(k_shared_one_in))
                shared_step(store, service);
            else
                own_step(store, service);
        }
    }

  private:
    bool one_in(int n) { return std::uniform_int_distribution<int>(1, n)(rng_) == 1; }
    int percent() { return std::uniform_int_distribution<int>(0, 99)(rng_); }

    // A restarted writer takes over its slot's last case where the killed one left it (its
    // last event may be committed yet unacknowledged): the case must go on from what the store
    // says, not from what the writer last heard.
    void adopt(case_store& store, case_service& service) {
        std::string last;
        for (const auto& id : store.case_ids())
            if (id.starts_with(prefix_)) {
                last = id;
                next_ = std::max(next_, std::stoi(id.substr(prefix_.size())) + 1);
            }
        if (last.empty()) return;
        own_ = service.get(last);
        own_limit_ = k_max_case_events;
        if (manager_.workflow_for(own_->region).is_final(own_->state)) own_.reset();
    }

    static void ack(case_store& store, const std::string& id, std::int64_t seq) {
        const auto events = store.events(id);
        const auto i = static_cast<std::size_t>(seq - 1);
        if (seq < 1 || i >= events.size() || events[i].seq != seq)
            throw std::runtime_error("case " + id + ": the event just written as seq " +
                                     std::to_string(seq) + " cannot be read back");
        std::printf("ACK %s %lld %s\n", id.c_str(), static_cast<long long>(seq),
                    events[i].hash.c_str());
        std::fflush(stdout);
    }

    case_state create(case_store& store, case_service& service, const std::string& id) {
        const auto& app = applications_[std::uniform_int_distribution<std::size_t>(
            0, applications_.size() - 1)(rng_)];
        const date submitted_on = date::parse_or_throw(app.at("submitted_on").get<std::string>());
        auto s = service.create(app, {"create", "writer", event_at(submitted_on, 1)}, id);
        ack(store, id, 1);
        return s;
    }

    void own_step(case_store& store, case_service& service) {
        if (!own_) {
            char id[32];
            std::snprintf(id, sizeof id, "%s%06d", prefix_.c_str(), next_++);
            own_ = create(store, service, id);
            own_limit_ = std::uniform_int_distribution<int>(2, k_max_case_events)(rng_);
            refusals_ = 0;
            return;
        }
        const auto after = step(store, service, *own_, refusals_ > 0);
        if (!after) {
            if (++refusals_ >= k_max_refusals) own_.reset();
            return;
        }
        refusals_ = 0;
        own_ = after;
        if (own_->version >= own_limit_ ||
            manager_.workflow_for(own_->region).is_final(own_->state))
            own_.reset();
    }

    // Every writer works on the same shared case, `shared-N`, until it is final or long; the
    // first to get there creates the next (the others' creates conflict, which is fine).
    void shared_step(case_store& store, case_service& service) {
        for (;;) {
            const std::string id = "shared-" + std::to_string(shared_);
            if (!store.version(id)) {
                try {
                    (void)create(store, service, id);
                    return;
                } catch (const conflict_error&) {
                    // another writer created it between our look and our create
                }
            }
            const case_state s = service.get(id);
            if (s.version < k_shared_case_events &&
                !manager_.workflow_for(s.region).is_final(s.state)) {
                (void)step(store, service, s);
                return;
            }
            ++shared_;
        }
    }

    // Applies the next event of `s` (as read); the case after it, or nullopt when the workflow
    // refused it or it lost every race.
    std::optional<case_state> step(case_store& store, case_service& service, const case_state& s,
                                   bool after_refusal = false) {
        case_event e = next_event(s, after_refusal);
        e.actor = "writer";
        e.at = event_at(s, s.version + 1);
        try {
            auto r = service.apply(s.id, e);
            ack(store, s.id, r.after.version);
            return std::move(r.after);
        } catch (const transition_refused&) {
            std::printf("REFUSED\n");
        } catch (const conflict_error&) {
            std::printf("CONFLICT\n");
        }
        std::fflush(stdout);
        return std::nullopt;
    }

    // What an officer (or the public, for complaints) would do next in the case's state, with
    // the data the event needs; mostly forward, sometimes back or out. `after_refusal`: the
    // last event on the case was refused.
    case_event next_event(const case_state& s, bool after_refusal) {
        const int p = percent();
        const std::string& st = s.state;
        json data = json::object();
        auto reasons = [&] {
            json codes = json::array();
            for (const auto& f : s.findings)
                if (f.contains("code") && codes.size() < 2 &&
                    std::find(codes.begin(), codes.end(), f["code"]) == codes.end())
                    codes.push_back(f["code"]);
            if (codes.empty()) codes.push_back("DAILY_CALL_CAP_EXCEEDED");
            return json{{"reasons", codes}};
        };
        auto event = [](std::string type, json d = json::object()) {
            return case_event{std::move(type), {}, {}, std::move(d)};
        };
        // an application the intake refuses is withdrawn, as its applicant would
        if (st == "draft") return event(p < 92 && !after_refusal ? "submit" : "withdraw");
        if (st == "submitted")
            return p < 85 ? event("accept")
                          : event("request_supplement",
                                  {{"items", json::array({"tax_registration"})}});
        if (st == "supplement_requested") {
            json materials = json::object();
            for (const auto& item : s.requested_items)
                materials[item] = json::object();
            return event("supplement", {{"patch", {{"materials", materials}}}});
        }
        if (st == "under_review") {
            for (const auto& [code, met] : s.obligations)
                if (!met && p < 90) return event("schedule_inspection");
            if (p < 80) return event("approve");
            if (p < 92) return event("reject", reasons());
            return event("request_supplement", {{"items", json::array({"tax_registration"})}});
        }
        if (st == "site_inspection")
            return p < 90 ? event("inspection_passed") : event("inspection_failed", reasons());
        if (st == "rejected") return event(p < 70 ? "rectify" : "withdraw");
        if (st == "rectifying") return event(p < 85 ? "resubmit" : "withdraw");
        if (st == "whitelisted") {
            if (p < 55) {
                const auto& numbers = s.application.at("numbers");
                const auto& n = numbers[std::uniform_int_distribution<std::size_t>(
                    0, numbers.size() - 1)(rng_)];
                return event("complaint", {{"number", n.at("number")}});
            }
            if (p < 85)
                return event("report_change",
                             {{"changed_on", event_at(s, s.version + 1).substr(0, 10)},
                              {"note", "联系人电话变更"}});
            return event("compliance_check_failed");
        }
        if (st == "change_pending") return event(p < 60 ? "change_accepted" : "change_rejected");
        if (st == "suspended") return event(p < 85 ? "reinstate" : "revoke");
        if (st == "renewal_review") return event("approve_renewal");
        return event("withdraw");  // a final state: refused, and the case is left
    }

    case_manager manager_;
    std::string prefix_;
    std::mt19937 rng_;
    std::vector<json> applications_;
    std::optional<case_state> own_;
    int own_limit_ = 0;
    int refusals_ = 0;
    int next_ = 0;
    int shared_ = 0;
};

// ------------------------------------------------------------------ the parent

struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct acked_event {
    std::string hash;
    int round = 0;
};

class crash_check {
  public:
    crash_check(const options& o, std::uint64_t seed)
        : o_(o),
          rng_(seed),
          manager_(std::make_shared<const engine>(o.rulesets)),
          self_(fs::read_symlink("/proc/self/exe")),
          slots_(static_cast<std::size_t>(o.writers)) {}

    void run() {
        const auto started = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < slots_.size(); ++i)
            start(i);
        await_ready();
        for (round_ = 1; round_ <= o_.rounds; ++round_) {
            const bool full = round_ % o_.check_every == 0 || round_ == o_.rounds;
            // 0 ms now and then: the victim may be a writer just restarted, still opening the
            // store or creating its first case.
            const int wait_ms =
                one_in(6) ? 0 : std::uniform_int_distribution<int>(0, o_.max_wait_ms)(rng_);
            pump(std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms));
            std::vector<std::size_t> victims;
            if (full || one_in(10)) {
                for (std::size_t i = 0; i < slots_.size(); ++i)
                    victims.push_back(i);
            } else {
                victims.push_back(
                    std::uniform_int_distribution<std::size_t>(0, slots_.size() - 1)(rng_));
            }
            for (const auto i : victims)
                slots_[i].child->kill();
            for (const auto i : victims)
                reap(i);
            kills_ += victims.size();
            check_round(victims, full);
            if (round_ == o_.rounds) break;
            for (const auto i : victims)
                start(i);
            await_ready();
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        auto store = case_store::open(o_.store);
        // Stored but not acknowledged: killed between the commit and the ACK line, which is
        // allowed (the writer never said it was written) and shows kills land there too.
        std::printf(
            "crash_check: %d rounds, %zu kills, %zu acknowledged events, %zu cases, %.1f s: ok "
            "(%zu events stored, %zu refused, %zu conflicts, %zu full checks)\n",
            o_.rounds, kills_, acked_.size(), store.case_ids().size(), seconds, stored_events_,
            refused_, conflicts_, full_checks_);
    }

    [[nodiscard]] int round() const noexcept { return round_; }

  private:
    struct slot {
        std::unique_ptr<child_process> child;
        bool ready = false;
        std::set<std::string> own_cases;  // cases this writer acknowledged events of
    };

    bool one_in(int n) { return std::uniform_int_distribution<int>(1, n)(rng_) == 1; }

    void start(std::size_t i) {
        slots_[i] = slot{};
        slots_[i].child = std::make_unique<child_process>(std::vector<std::string>{
            self_.string(), "--writer", "--rulesets", o_.rulesets.string(), "--applications",
            o_.applications.string(), "--store", o_.store.string(), "--slot", std::to_string(i),
            "--seed", std::to_string(rng_())});
    }

    // Reads every writer's output until `deadline`: acknowledgements, and any writer that
    // stopped on its own (an error: nobody else kills them).
    void pump(std::chrono::steady_clock::time_point deadline) {
        for (;;) {
            std::vector<pollfd> fds;
            for (const auto& s : slots_)
                fds.push_back({s.child->fd(), POLLIN, 0});
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            const int n = ::poll(fds.data(), fds.size(),
                                 static_cast<int>(std::max<std::int64_t>(0, left.count())));
            if (n < 0 && errno != EINTR) throw failure("poll failed");
            for (std::size_t i = 0; i < slots_.size(); ++i) {
                if ((fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
                const bool more = slots_[i].child->read_some();
                take_lines(i);
                if (!more) {
                    const int status = slots_[i].child->wait();
                    throw failure("writer " + std::to_string(i) + " stopped by itself (" +
                                  child_process::describe_status(status) + "); its error is above");
                }
            }
            if (std::chrono::steady_clock::now() >= deadline) return;
        }
    }

    void await_ready() {
        constexpr auto k_limit = std::chrono::seconds(60);
        const auto until = std::chrono::steady_clock::now() + k_limit;
        while (std::any_of(slots_.begin(), slots_.end(), [](const slot& s) { return !s.ready; })) {
            if (std::chrono::steady_clock::now() >= until)
                throw failure("a writer did not load its rules within 60 s");
            pump(std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
        }
    }

    void take_lines(std::size_t i) {
        while (const auto line = slots_[i].child->take_line()) {
            if (*line == "READY") {
                slots_[i].ready = true;
            } else if (*line == "REFUSED") {
                ++refused_;
            } else if (*line == "CONFLICT") {
                ++conflicts_;
            } else if (line->starts_with("ACK ")) {
                std::istringstream in(line->substr(4));
                std::string id, hash;
                std::int64_t seq = 0;
                if (!(in >> id >> seq >> hash))
                    throw failure("writer " + std::to_string(i) + ": bad line '" + *line + "'");
                const auto [at, fresh] = acked_.try_emplace({id, seq}, acked_event{hash, round_});
                if (!fresh)
                    throw failure("case " + id + " #" + std::to_string(seq) +
                                  " was acknowledged twice (" + at->second.hash + " in round " +
                                  std::to_string(at->second.round) + ", " + hash + " now)");
                pending_.emplace_back(id, seq);
                if (!id.starts_with("shared-")) slots_[i].own_cases.insert(id);
            } else {
                throw failure("writer " + std::to_string(i) + ": unexpected line '" + *line + "'");
            }
        }
    }

    // Kills are done: take the victim's last complete lines (printed before it died, so
    // acknowledged) and reap it.
    void reap(std::size_t i) {
        auto& c = *slots_[i].child;
        while (c.read_some()) {
        }
        take_lines(i);
        const int status = c.wait();
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            throw failure("writer " + std::to_string(i) + " was not killed by us (" +
                          child_process::describe_status(status) + "); its error is above");
    }

    // After every round: the store opens, the acknowledgements since the last check are there
    // with their hashes, and the victims' own cases (nobody writes them now) verify and replay.
    // On a full check (every --check-every rounds, all writers dead): every acknowledgement so
    // far, and case_service::verify() of the whole store.
    void check_round(const std::vector<std::size_t>& victims, bool full) {
        auto store = case_store::open(o_.store);
        case_service service(store, manager_, store_clock::fixed(k_clock));
        std::vector<std::pair<std::string, std::int64_t>> todo;
        if (full) {
            for (const auto& [key, a] : acked_)
                todo.push_back(key);
        } else {
            todo = std::move(pending_);
        }
        pending_.clear();
        check_acks(store, todo);
        if (full) {
            const auto r = service.verify();
            report(r, "the store");
            stored_events_ = r.chains.events;
            ++full_checks_;
            return;
        }
        for (const auto i : victims) {
            auto ids = slots_[i].own_cases;
            // the case it was creating when killed, acknowledged or not
            const std::string prefix = "s" + std::to_string(i) + "-";
            const auto all = store.case_ids();
            for (auto it = all.rbegin(); it != all.rend(); ++it)
                if (it->starts_with(prefix)) {
                    ids.insert(*it);
                    break;
                }
            for (const auto& id : ids)
                report(service.verify(id), "case " + id);
        }
    }

    void check_acks(const case_store& store,
                    std::vector<std::pair<std::string, std::int64_t>>& todo) const {
        std::sort(todo.begin(), todo.end());
        std::string missing;
        std::string current;
        std::vector<stored_event> events;
        for (const auto& key : todo) {
            const auto& [id, seq] = key;
            if (id != current) {
                events = store.events(id);
                current = id;
            }
            const auto& a = acked_.at(key);
            const auto i = static_cast<std::size_t>(seq - 1);
            std::string what;
            if (i >= events.size())
                what = "is missing (the case has " + std::to_string(events.size()) + " events)";
            else if (events[i].hash != a.hash)
                what = "has hash " + events[i].hash;
            if (!what.empty())
                missing += "  case " + id + " #" + std::to_string(seq) + " acknowledged in round " +
                           std::to_string(a.round) + " with hash " + a.hash + " " + what + "\n";
        }
        if (!missing.empty()) throw failure("acknowledged events lost:\n" + missing);
    }

    static void report(const case_verify_report& r, const std::string& what) {
        if (r.ok()) return;
        std::string text = what + " does not verify:\n";
        int shown = 0;
        for (const auto& p : r.chains.problems)
            if (shown++ < 20)
                text += "  chain: case " + p.case_id + " #" + std::to_string(p.seq) + ": " +
                        p.message + "\n";
        for (const auto& x : r.replay)
            if (shown++ < 20) text += "  replay: " + x + "\n";
        throw failure(text);
    }

    const options& o_;
    std::mt19937_64 rng_;
    case_manager manager_;
    fs::path self_;
    std::vector<slot> slots_;
    int round_ = 0;
    std::map<std::pair<std::string, std::int64_t>, acked_event> acked_;
    std::vector<std::pair<std::string, std::int64_t>> pending_;
    std::size_t kills_ = 0, refused_ = 0, conflicts_ = 0, full_checks_ = 0, stored_events_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const options o = parse_options(argc, argv);
    if (o.writer) {
        // A parent that dies (a ctest timeout, ^C) takes its writers with it rather than
        // leaving them writing forever.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() == 1) return 1;  // it died before the line above
        try {
            writer(o).run(o.store);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "telecomply-crash-check: writer %d: %s\n", o.slot, e.what());
            return 1;
        }
    }
    const std::uint64_t seed = o.seed.value_or(std::random_device{}());
    std::printf("crash_check: seed %llu\n", static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    if (fs::exists(o.store))
        usage(o.store.string() +
              " exists: the check writes a scratch store of its own; remove it or name another");
    if (o.store.has_parent_path()) fs::create_directories(o.store.parent_path());
    std::optional<crash_check> check;
    try {
        check.emplace(o, seed);
        check->run();
    } catch (const std::exception& e) {
        std::fprintf(stdout, "crash_check: FAILED (seed %llu, round %d): %s\n",
                     static_cast<unsigned long long>(seed), check ? check->round() : 0, e.what());
        return 1;
    }
    return 0;
}

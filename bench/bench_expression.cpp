// Micro-benchmark: one compiled 20-condition CEL expression (the 20 benchmark rules of the
// peers' comparison, as one conjunction) evaluated over a pre-parsed application document.
//
//   bench_expression [iterations] [APPS.jsonl]
//
// Prints ns per evaluation (best of 5 runs) for the whole expression, and for the same 20
// conditions compiled separately (as a ruleset evaluates them). With a corpus (e.g. from
// ../shared/peers/gen_apps.py), also evaluates the 20 conditions over every application,
// pre-parsed, and prints how many applications fail a rule and how many rules fail in all:
// the same `rejected` and `fired` the peers' engines report, so the semantics can be checked.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"

namespace {

const char* application = R"({
  "id": "APP-0000042", "region": "CN-GD", "submitted_on": "2026-03-02", "channel": "online",
  "applicant": {
    "name": "广州示例科技有限公司", "uscc": "91440300MA5G0XXX0Q", "status": "active",
    "industry": "retail", "established_on": "2018-05-01",
    "legal_representative": {"name": "王小明", "id_number": "440305198807150011"},
    "history": {"violations_24m": 0, "rejections_12m": 1, "banned_until": null}
  },
  "submitter": {"name": "王小明", "id_number": "440305198807150011", "is_legal_representative": true},
  "materials": {
    "business_license": {"uscc": "91440300MA5G0XXX0Q", "valid_until": "2035-12-31", "stamped": true},
    "legal_rep_id": {"id_number": "440305198807150011", "valid_until": "2035-01-01"},
    "marketing_plan": {
      "purpose": "客户回访", "target_customers": "既有客户", "expected_outcome": "续约",
      "script": "您好，这里是示例科技……", "calling_hours": {"start": "09:00", "end": "20:00"},
      "daily_calls_per_number": 120, "consent": {"method": "app_opt_in", "retention_days": 180}
    },
    "data_security_pledge": {"signed": true, "signed_on": "2026-01-05"},
    "tax_registration": {}, "org_code_certificate": {}
  },
  "numbers": [{"number": "13800138000", "purpose": "客户回访"}, {"number": "13900139000", "purpose": "客户回访"},
              {"number": "18612345678", "purpose": "客户回访"}]
})";

// The 20 rules of shared/peers/rules_ref.py, in CEL.
const std::vector<std::string> conditions = {
    "has(materials.business_license)",
    "!has(materials.business_license) || date(materials.business_license.valid_until) >= "
    "date(submitted_on)",
    "has(materials.legal_rep_id)",
    "submitter.is_legal_representative || has(materials.power_of_attorney)",
    "has(materials.marketing_plan)",
    "has(materials.data_security_pledge)",
    "!(region in ['CN-SH', 'CN-JS', 'CN-ZJ']) || has(materials.tax_registration)",
    "region != 'CN-SH' || has(materials.org_code_certificate)",
    "!(applicant.industry in ['finance', 'insurance', 'education', 'healthcare']) || "
    "has(materials.industry_license)",
    "applicant.status == 'active'",
    "applicant.history.banned_until == null || date(applicant.history.banned_until) < "
    "date(submitted_on)",
    "applicant.history.violations_24m < 3",
    "size(numbers) >= 1 && size(numbers) <= 50",
    "!has(materials.marketing_plan) || time_of_day(materials.marketing_plan.calling_hours.start) "
    ">= time_of_day('08:00')",
    "!has(materials.marketing_plan) || time_of_day(materials.marketing_plan.calling_hours.end) <= "
    "time_of_day('21:00')",
    "!has(materials.marketing_plan) || materials.marketing_plan.daily_calls_per_number <= 300",
    "region != 'CN-BJ' || channel == 'in_person'",
    "date(applicant.established_on) < date(submitted_on)",
    "applicant.history.rejections_12m < 3",
    "applicant.uscc.matches('^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$')",
};

template <class F>
double best_ns(long iterations, F&& f) {
    double best = 1e300;
    for (int run = 0; run < 5; ++run) {
        const auto t0 = std::chrono::steady_clock::now();
        for (long i = 0; i < iterations; ++i)
            f();
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() /
                                  static_cast<double>(iterations));
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const long iterations = argc > 1 ? std::atol(argv[1]) : 200000;
    auto doc = telecomply::document::parse(application);

    telecomply::environment env;
    const char* fields[] = {"id",        "region",    "submitted_on", "channel",
                            "applicant", "submitter", "materials",    "numbers"};
    std::vector<telecomply::value> slots;
    for (const char* f : fields) {
        env.declare(f);
        slots.push_back(*doc.root().find(f));
    }

    std::string all;
    for (const auto& c : conditions)
        all += (all.empty() ? "(" : " && (") + c + ")";
    auto whole = telecomply::expression::compile(all, env);
    std::vector<telecomply::expression> separate;
    for (const auto& c : conditions)
        separate.push_back(telecomply::expression::compile(c, env));

    telecomply::eval_context ctx;
    const auto check = whole.evaluate(slots, ctx);
    if (!check.is_true()) {
        std::fprintf(stderr, "unexpected result: %s\n", check.to_string().c_str());
        return 1;
    }
    volatile bool sink = false;
    const double one = best_ns(iterations, [&] {
        ctx.reset();
        sink = whole.evaluate(slots, ctx).is_true();
    });
    const double each = best_ns(iterations, [&] {
        ctx.reset();
        bool ok = true;
        for (const auto& e : separate)
            ok &= e.evaluate(slots, ctx).is_true();
        sink = ok;
    });
    (void)sink;
    if (argc > 2) {
        std::ifstream in(argv[2]);
        std::vector<telecomply::document> docs;
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) docs.push_back(telecomply::document::parse(line));
        std::vector<std::vector<telecomply::value>> bound;
        bound.reserve(docs.size());
        for (const auto& d : docs) {
            std::vector<telecomply::value> s;
            for (const char* f : fields) {
                const auto* v = d.root().find(f);
                s.push_back(v != nullptr ? *v : telecomply::value{});
            }
            bound.push_back(std::move(s));
        }
        std::size_t rejected = 0, fired = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (const auto& s : bound) {
            std::size_t failed = 0;
            for (const auto& e : separate) {
                ctx.reset();
                failed += !e.evaluate(s, ctx).is_true();
            }
            fired += failed;
            rejected += failed != 0;
        }
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf(
            "{\"bench\": \"expression_corpus\", \"apps\": %zu, \"rejected\": %zu, "
            "\"fired\": %zu, \"apps_per_s_eval\": %.0f}\n",
            docs.size(), rejected, fired, static_cast<double>(docs.size()) / secs);
    }
    std::printf(
        "{\"bench\": \"expression\", \"conditions\": %zu, \"iterations\": %ld, "
        "\"ns_per_eval_conjunction\": %.1f, \"ns_per_eval_separate\": %.1f}\n",
        conditions.size(), iterations, one, each);
    return 0;
}

#include "telecomply/rules/verdict.hpp"

#include "base/enum_names.hpp"
#include "base/json_writer.hpp"

#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

#include "telecomply/rules/ruleset.hpp"

namespace telecomply {

namespace {
constexpr auto k_severity_names = detail::make_enum_names<severity>({
    {severity::blocking, "blocking"},
    {severity::warning, "warning"},
    {severity::info, "info"},
});
}  // namespace

std::string_view to_string(severity s) noexcept {
    return k_severity_names.name(s, "blocking");
}

namespace {
constexpr auto k_decision_names = detail::make_enum_names<decision>({
    {decision::eligible, "eligible"},
    {decision::ineligible, "ineligible"},
    {decision::needs_evidence, "needs_evidence"},
});
}  // namespace

std::string_view to_string(decision d) noexcept {
    return k_decision_names.name(d, "eligible");
}

namespace {

// A parameter as a message shows it: text as it is, a list joined by ", ", a range as
// "start–end", anything else as compact JSON. Appended to `out`.
void param_text(std::string& out, const nlohmann::json& v) {
    if (v.is_string()) {
        out += v.get_ref<const std::string&>();
    } else if (v.is_array()) {
        const std::size_t start = out.size();
        for (const auto& e : v) {
            if (out.size() != start) out += ", ";  // once some text is there
            param_text(out, e);
        }
    } else if (v.is_object() && v.contains("start") && v.contains("end")) {
        param_text(out, v["start"]);
        out += "–";
        param_text(out, v["end"]);
    } else {
        // the text dump() gives (parameters come from JSON files: valid UTF-8)
        detail::json_writer(out).value(v);
    }
}

// Appends `text` with its {subject} and {params.NAME} (and {params.NAME.field}) placeholders
// filled in.
void render_into(std::string& out, std::string_view text, std::string_view subject,
                 const nlohmann::json* params) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find('{', i);
        if (open == std::string_view::npos) break;
        const auto close = text.find('}', open);
        if (close == std::string_view::npos) break;
        out.append(text.substr(i, open - i));
        const std::string_view key = text.substr(open + 1, close - open - 1);
        const nlohmann::json* param = nullptr;  // what {params.NAME...} names, if anything
        if (key.starts_with("params.") && params != nullptr) {
            param = params;
            std::size_t p = 7;
            while (param != nullptr && p <= key.size()) {
                const auto dot = key.find('.', p);
                const std::string part(key.substr(
                    p, dot == std::string_view::npos ? std::string_view::npos : dot - p));
                const auto it = param->find(part);  // end() when not an object
                param = it != param->end() ? &*it : nullptr;
                if (dot == std::string_view::npos) break;
                p = dot + 1;
            }
        }
        if (key == "subject") {
            out.append(subject);
        } else if (param != nullptr) {
            param_text(out, *param);
        } else {
            out.push_back('{');
            out.append(key);
            out.push_back('}');
        }
        i = close + 1;
    }
    out.append(text.substr(i));
}

std::string render(const std::string& text, const std::string& subject,
                   const nlohmann::json* params) {
    std::string out;
    out.reserve(text.size() + 16);
    render_into(out, text, subject, params);
    return out;
}

const std::string empty_string;

// "CODE" or "CODE[subject]"
std::string label_of(const std::string& code, const std::string& subject) {
    return subject.empty() ? code : code + "[" + subject + "]";
}

}  // namespace

const std::string& finding::code() const noexcept {
    return source ? source->code : empty_string;
}
const std::string& finding::rule_id() const noexcept {
    return source ? source->id : empty_string;
}
const std::string& finding::reference() const noexcept {
    return source ? source->reference : empty_string;
}
std::string finding::label() const {
    return label_of(code(), subject);
}
localized finding::message() const {
    if (!source) return {};
    return {render(source->message.zh, subject, source->params),
            render(source->message.en, subject, source->params)};
}
localized finding::remedy() const {
    if (!source) return {};
    return {render(source->remedy.zh, subject, source->params),
            render(source->remedy.en, subject, source->params)};
}

const std::string& unknown_outcome::rule_id() const noexcept {
    return source ? source->id : empty_string;
}
std::string unknown_outcome::label() const {
    return label_of(source && !source->code.empty() ? source->code : rule_id(), subject);
}

bool verdict::has_blocking() const noexcept {
    for (const auto& f : findings)
        if (f.level == severity::blocking) return true;
    return false;
}

nlohmann::json verdict::to_json() const {
    using nlohmann::json;
    json j = json::object();
    j["application"] = application;
    j["region"] = region;
    j["as_of"] = as_of.to_string();
    if (rules) {
        j["ruleset"] = {{"id", rules->id()},
                        {"version", rules->version()},
                        {"chain", rules->chain()},
                        {"digest", rules->digest()}};
    }
    j["decision"] = std::string(to_string(outcome));
    json fs = json::array();
    for (const auto& f : findings) {
        json o = {{"code", f.code()}};
        if (!f.subject.empty()) o["subject"] = f.subject;
        const auto m = f.message();
        const auto r = f.remedy();
        o["severity"] = std::string(to_string(f.level));
        o["message"] = {{"zh", m.zh}, {"en", m.en}};
        o["remedy"] = {{"zh", r.zh}, {"en", r.en}};
        o["reference"] = f.reference();
        o["rule"] = f.rule_id();
        fs.push_back(std::move(o));
    }
    j["findings"] = std::move(fs);
    json us = json::array();
    for (const auto& u : unknowns) {
        json o = {{"rule", u.rule_id()}};
        if (u.source && !u.source->code.empty()) o["code"] = u.source->code;
        if (!u.subject.empty()) o["subject"] = u.subject;
        if (u.source) o["severity"] = std::string(to_string(u.source->level));
        o["missing"] = u.missing;
        if (!u.reason.empty()) o["reason"] = u.reason;
        us.push_back(std::move(o));
    }
    j["unknowns"] = std::move(us);
    json os = json::array();
    for (const auto& o : obligations) {
        json x = {{"code", o.code}};
        if (o.source) x["rule"] = o.source->id;
        os.push_back(std::move(x));
    }
    j["obligations"] = std::move(os);
    if (trace) {
        json ts = json::array();
        for (const auto& t : *trace) {
            json o = {{"rule", t.source ? t.source->id : ""}, {"outcome", t.outcome}};
            if (t.source && !t.source->code.empty()) o["code"] = t.source->code;
            if (!t.subject.empty()) o["subject"] = t.subject;
            json& in = o["inputs"] = json::object();
            for (const auto& [path, text] : t.inputs)
                in[path] = json::parse(text);
            if (!t.params.empty()) {
                json& ps = o["params"] = json::object();
                for (const auto& [path, text] : t.params)
                    ps[path] = json::parse(text);
            }
            if (t.source) {
                if (!t.source->when_src.empty()) o["when"] = t.source->when_src;
                if (!t.source->require_src.empty()) o["require"] = t.source->require_src;
                if (t.shows_remedy())
                    o["remedy"] = {
                        {"zh", render(t.source->remedy.zh, t.subject, t.source->params)},
                        {"en", render(t.source->remedy.en, t.subject, t.source->params)}};
            }
            if (!t.detail.empty()) o["detail"] = t.detail;
            ts.push_back(std::move(o));
        }
        j["trace"] = std::move(ts);
    }
    return j;
}

namespace {

// A rule's text in both languages as {"en": ..., "zh": ...}, its placeholders filled in.
void write_localized(detail::json_writer& w, const localized* text, const std::string& subject,
                     const nlohmann::json* params) {
    thread_local std::string rendered;  // one text rendered, before it is escaped
    w.begin_object();
    for (const auto& [lang, t] : {std::pair<std::string_view, const std::string*>{
                                      "en", text != nullptr ? &text->en : nullptr},
                                  {"zh", text != nullptr ? &text->zh : nullptr}}) {
        w.key(lang);
        if (t == nullptr) {
            w.string({});
        } else if (t->find('{') == std::string::npos) {
            w.string(*t);  // nothing to fill in
        } else {
            rendered.clear();
            render_into(rendered, *t, subject, params);
            w.string(rendered);
        }
    }
    w.end_object();
}

}  // namespace

// The members in the order of to_json()'s object (nlohmann's keys are sorted).
void verdict::write_json(std::string& out, int indent, int current_indent) const {
    detail::json_writer w(out, indent, current_indent);
    w.begin_object();
    w.member("application", application);
    w.member("as_of", as_of.to_string());
    w.member("decision", to_string(outcome));
    w.key("findings");
    w.begin_array();
    for (const auto& f : findings) {
        const rule* r = f.source.get();
        w.begin_object();
        w.member("code", f.code());
        w.key("message");
        write_localized(w, r != nullptr ? &r->message : nullptr, f.subject,
                        r != nullptr ? r->params : nullptr);
        w.member("reference", f.reference());
        w.key("remedy");
        write_localized(w, r != nullptr ? &r->remedy : nullptr, f.subject,
                        r != nullptr ? r->params : nullptr);
        w.member("rule", f.rule_id());
        w.member("severity", to_string(f.level));
        if (!f.subject.empty()) w.member("subject", f.subject);
        w.end_object();
    }
    w.end_array();
    w.key("obligations");
    w.begin_array();
    for (const auto& o : obligations) {
        w.begin_object();
        w.member("code", o.code);
        if (o.source) w.member("rule", o.source->id);
        w.end_object();
    }
    w.end_array();
    w.member("region", region);
    if (rules) {
        w.key("ruleset");
        w.begin_object();
        w.key("chain");
        w.begin_array();
        for (const auto& c : rules->chain())
            w.string(c);
        w.end_array();
        w.member("digest", rules->digest());
        w.member("id", rules->id());
        w.member("version", rules->version());
        w.end_object();
    }
    if (trace) {
        w.key("trace");
        w.begin_array();
        for (const auto& t : *trace) {
            const rule* r = t.source.get();
            w.begin_object();
            if (r != nullptr && !r->code.empty()) w.member("code", r->code);
            if (!t.detail.empty()) w.member("detail", t.detail);
            w.key("inputs");
            w.begin_object();
            for (const auto& [path, text] : t.inputs) {
                w.key(path);
                w.value(nlohmann::json::parse(text));
            }
            w.end_object();
            w.member("outcome", t.outcome);
            if (!t.params.empty()) {
                w.key("params");
                w.begin_object();
                for (const auto& [path, text] : t.params) {
                    w.key(path);
                    w.value(nlohmann::json::parse(text));
                }
                w.end_object();
            }
            if (r != nullptr) {
                if (t.shows_remedy()) {
                    w.key("remedy");
                    write_localized(w, &r->remedy, t.subject, r->params);
                }
                if (!r->require_src.empty()) w.member("require", r->require_src);
            }
            w.member("rule", r != nullptr ? std::string_view(r->id) : std::string_view());
            if (!t.subject.empty()) w.member("subject", t.subject);
            if (r != nullptr && !r->when_src.empty()) w.member("when", r->when_src);
            w.end_object();
        }
        w.end_array();
    }
    w.key("unknowns");
    w.begin_array();
    for (const auto& u : unknowns) {
        const rule* r = u.source.get();
        w.begin_object();
        if (r != nullptr && !r->code.empty()) w.member("code", r->code);
        w.key("missing");
        w.begin_array();
        for (const auto& m : u.missing)
            w.string(m);
        w.end_array();
        if (!u.reason.empty()) w.member("reason", u.reason);
        w.member("rule", u.rule_id());
        if (r != nullptr) w.member("severity", to_string(r->level));
        if (!u.subject.empty()) w.member("subject", u.subject);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

namespace {
void bilingual(std::string& out, const localized& l, std::string_view lang, const char* indent) {
    if (lang != "en" && !l.zh.empty()) out += indent + l.zh + "\n";
    if (lang != "zh" && !l.en.empty()) out += indent + l.en + "\n";
}
}  // namespace

std::string verdict::to_text(std::string_view lang) const {
    std::string out;
    std::string head = application.empty() ? std::string("(no id)") : application;
    head += "  " + region + "  as of " + as_of.to_string();
    if (rules) head += "  rules " + rules->id() + "@" + rules->version();
    std::string d(to_string(outcome));
    for (auto& c : d)
        c = static_cast<char>(c == '_' ? ' ' : std::toupper(static_cast<unsigned char>(c)));
    out += head + "  =>  " + d + "\n";
    for (const auto& f : findings) {
        const char* mark = f.level == severity::blocking  ? "  x "
                           : f.level == severity::warning ? "  ! "
                                                          : "  i ";
        out += mark;
        out += std::string(to_string(f.level)) + "  " + f.code();
        if (!f.subject.empty()) out += " [" + f.subject + "]";
        out += "  (" + f.rule_id() + ")\n";
        bilingual(out, f.message(), lang, "      ");
        const auto r = f.remedy();
        if (!r.zh.empty() || !r.en.empty()) {
            out += "      remedy:\n";
            bilingual(out, r, lang, "        ");
        }
    }
    for (const auto& u : unknowns) {
        out += "  ? unknown  " + u.rule_id();
        if (u.source && !u.source->code.empty()) out += " (" + u.source->code + ")";
        if (!u.subject.empty()) out += " [" + u.subject + "]";
        out += "\n";
        if (!u.missing.empty()) {
            out += "      missing:";
            for (const auto& m : u.missing)
                out += " " + m;
            out += "\n";
        }
        if (!u.reason.empty()) out += "      " + u.reason + "\n";
    }
    for (const auto& o : obligations) {
        out += "  > obligation  " + o.code;
        if (o.source) out += "  (" + o.source->id + ")";
        out += "\n";
    }
    return out;
}

namespace {
std::vector<std::string> finding_keys(const verdict& v) {
    std::vector<std::string> out;
    for (const auto& f : v.findings)
        out.push_back(f.label());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}
}  // namespace

verdict_change compare(const verdict& before, const verdict& after) {
    verdict_change c;
    c.from = before.outcome;
    c.to = after.outcome;
    const auto a = finding_keys(before), b = finding_keys(after);
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(c.added));
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(c.removed));
    return c;
}

nlohmann::json verdict_change::to_json() const {
    return {{"from", std::string(to_string(from))},
            {"to", std::string(to_string(to))},
            {"added", added},
            {"removed", removed}};
}

}  // namespace telecomply

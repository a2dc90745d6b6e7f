#include "telecomply/domain/identifiers.hpp"

#include "base/enum_names.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace telecomply {

namespace {

// ---- regions ----

constexpr std::array<region_info, 31> k_regions{{
    {"CN-BJ", "11", "北京", "Beijing"},
    {"CN-TJ", "12", "天津", "Tianjin"},
    {"CN-HE", "13", "河北", "Hebei"},
    {"CN-SX", "14", "山西", "Shanxi"},
    {"CN-NM", "15", "内蒙古", "Inner Mongolia"},
    {"CN-LN", "21", "辽宁", "Liaoning"},
    {"CN-JL", "22", "吉林", "Jilin"},
    {"CN-HL", "23", "黑龙江", "Heilongjiang"},
    {"CN-SH", "31", "上海", "Shanghai"},
    {"CN-JS", "32", "江苏", "Jiangsu"},
    {"CN-ZJ", "33", "浙江", "Zhejiang"},
    {"CN-AH", "34", "安徽", "Anhui"},
    {"CN-FJ", "35", "福建", "Fujian"},
    {"CN-JX", "36", "江西", "Jiangxi"},
    {"CN-SD", "37", "山东", "Shandong"},
    {"CN-HA", "41", "河南", "Henan"},
    {"CN-HB", "42", "湖北", "Hubei"},
    {"CN-HN", "43", "湖南", "Hunan"},
    {"CN-GD", "44", "广东", "Guangdong"},
    {"CN-GX", "45", "广西", "Guangxi"},
    {"CN-HI", "46", "海南", "Hainan"},
    {"CN-CQ", "50", "重庆", "Chongqing"},
    {"CN-SC", "51", "四川", "Sichuan"},
    {"CN-GZ", "52", "贵州", "Guizhou"},
    {"CN-YN", "53", "云南", "Yunnan"},
    {"CN-XZ", "54", "西藏", "Xizang"},
    {"CN-SN", "61", "陕西", "Shaanxi"},
    {"CN-GS", "62", "甘肃", "Gansu"},
    {"CN-QH", "63", "青海", "Qinghai"},
    {"CN-NX", "64", "宁夏", "Ningxia"},
    {"CN-XJ", "65", "新疆", "Xinjiang"},
}};

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) noexcept {
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

bool is_province_code(std::string_view two_digits) noexcept {
    for (const auto& r : k_regions)
        if (r.gb_code == two_digits) return true;
    return false;
}

// ---- USCC ----

constexpr std::string_view k_uscc_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static_assert(k_uscc_alphabet.size() == 31);

// Value 0..30 of a USCC character, -1 for characters outside the alphabet (I, O, S, V, Z,
// lowercase, anything else).
int uscc_value(char c) noexcept {
    const auto pos = k_uscc_alphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// ---- resident ID ----

constexpr std::array<int, 17> k_id_weights{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view k_id_check_chars = "10X98765432";

int two_digits(std::string_view s, std::size_t pos) noexcept {
    return (s[pos] - '0') * 10 + (s[pos + 1] - '0');
}

// ---- phone numbers ----

struct prefix_entry {
    std::string_view prefix;
    phone_kind kind;
    carrier net;
};

using enum phone_kind;
using enum carrier;

// 11-digit numbers starting with 1: the mobile number blocks MIIT has allocated to each carrier. No
// prefix here is a prefix of another (checked below), so the first match is the only match.
constexpr std::array k_mobile_prefixes = std::to_array<prefix_entry>({
    // China Mobile
    {"1340", mobile, china_mobile},
    {"1341", mobile, china_mobile},
    {"1342", mobile, china_mobile},
    {"1343", mobile, china_mobile},
    {"1344", mobile, china_mobile},
    {"1345", mobile, china_mobile},
    {"1346", mobile, china_mobile},
    {"1347", mobile, china_mobile},
    {"1348", mobile, china_mobile},
    {"135", mobile, china_mobile},
    {"136", mobile, china_mobile},
    {"137", mobile, china_mobile},
    {"138", mobile, china_mobile},
    {"139", mobile, china_mobile},
    {"150", mobile, china_mobile},
    {"151", mobile, china_mobile},
    {"152", mobile, china_mobile},
    {"157", mobile, china_mobile},
    {"158", mobile, china_mobile},
    {"159", mobile, china_mobile},
    {"172", mobile, china_mobile},
    {"178", mobile, china_mobile},
    {"182", mobile, china_mobile},
    {"183", mobile, china_mobile},
    {"184", mobile, china_mobile},
    {"187", mobile, china_mobile},
    {"188", mobile, china_mobile},
    {"195", mobile, china_mobile},
    {"197", mobile, china_mobile},
    {"198", mobile, china_mobile},
    // China Unicom
    {"130", mobile, china_unicom},
    {"131", mobile, china_unicom},
    {"132", mobile, china_unicom},
    {"155", mobile, china_unicom},
    {"156", mobile, china_unicom},
    {"166", mobile, china_unicom},
    {"175", mobile, china_unicom},
    {"176", mobile, china_unicom},
    {"185", mobile, china_unicom},
    {"186", mobile, china_unicom},
    {"196", mobile, china_unicom},
    // China Telecom (1349 and 17400-17405 are its satellite numbers)
    {"133", mobile, china_telecom},
    {"1349", mobile, china_telecom},
    {"153", mobile, china_telecom},
    {"173", mobile, china_telecom},
    {"17400", mobile, china_telecom},
    {"17401", mobile, china_telecom},
    {"17402", mobile, china_telecom},
    {"17403", mobile, china_telecom},
    {"17404", mobile, china_telecom},
    {"17405", mobile, china_telecom},
    {"177", mobile, china_telecom},
    {"180", mobile, china_telecom},
    {"181", mobile, china_telecom},
    {"189", mobile, china_telecom},
    {"190", mobile, china_telecom},
    {"191", mobile, china_telecom},
    {"193", mobile, china_telecom},
    {"199", mobile, china_telecom},
    // China Broadnet
    {"192", mobile, china_broadnet},
    // Virtual operators: 1700-1709 is all of 170
    {"162", mvno, virtual_operator},
    {"165", mvno, virtual_operator},
    {"167", mvno, virtual_operator},
    {"170", mvno, virtual_operator},
    {"171", mvno, virtual_operator},
    // Data cards: the md gives no network for them, so carrier_of() says none
    {"145", data_card, none},
    {"147", data_card, none},
    {"149", data_card, none},
});

constexpr bool prefixes_disjoint() {
    for (std::size_t i = 0; i < k_mobile_prefixes.size(); ++i)
        for (std::size_t j = 0; j < k_mobile_prefixes.size(); ++j)
            if (i != j && k_mobile_prefixes[j].prefix.starts_with(k_mobile_prefixes[i].prefix))
                return false;
    return true;
}
static_assert(prefixes_disjoint(), "a mobile prefix shadows another");

struct classification {
    phone_kind kind = invalid;
    carrier net = none;
};

// Longest national number we classify (SMS ports are the longest kind).
constexpr std::size_t k_max_digits = 24;

// The 3-digit prefix 1xy decides most numbers: a table indexed by xy says the answer, or that a
// longer prefix (1349, 17400...) must be looked at. Built once, at compile time.
struct prefix_slot {
    classification direct;
    bool deeper = false;
};

constexpr std::array<prefix_slot, 100> make_prefix_table() {
    std::array<prefix_slot, 100> t{};
    for (const auto& e : k_mobile_prefixes) {
        const auto xy = static_cast<std::size_t>((e.prefix[1] - '0') * 10 + (e.prefix[2] - '0'));
        if (e.prefix.size() == 3)
            t[xy].direct = {e.kind, e.net};
        else
            t[xy].deeper = true;
    }
    return t;
}
constexpr auto k_prefix_table = make_prefix_table();

classification mobile_space(std::string_view digits) noexcept {
    const auto xy = static_cast<std::size_t>((digits[1] - '0') * 10 + (digits[2] - '0'));
    const prefix_slot& slot = k_prefix_table[xy];
    if (!slot.deeper) return slot.direct;
    for (const auto& e : k_mobile_prefixes)
        if (digits.starts_with(e.prefix)) return {e.kind, e.net};
    return {};
}

// Area code + subscriber number without the trunk 0, per the md rules.
bool is_landline_without_trunk(std::string_view t) noexcept {
    if (t.size() < 2) return false;
    if (t[0] == '1') return t[1] == '0' && t.size() == 10;                    // 10 = Beijing
    if (t[0] == '2') return t.size() == 10;                                   // 20-29 + 8 digits
    if (t[0] >= '3' && t[0] <= '9') return t.size() == 10 || t.size() == 11;  // 3 + 7/8 digits
    return false;
}

// A national number (digits only); `international` when it followed +86/0086, so it carries no
// trunk 0 and cannot be a domestic short code.
classification classify_national(std::string_view d, bool international) noexcept {
    if (d.empty()) return {};
    if (d.size() == 10 && (d.starts_with("400") || d.starts_with("800"))) return {service, none};
    if (d[0] == '0') {
        if (international) return {};
        return is_landline_without_trunk(d.substr(1)) ? classification{landline, none}
                                                      : classification{};
    }
    if (international) {
        if (d.size() == 11 && d[0] == '1') return mobile_space(d);
        if (d.size() == 13 && d.starts_with("14")) return {iot, none};
        return is_landline_without_trunk(d) ? classification{landline, none} : classification{};
    }
    // 95xxx(x)/96xxx call-centre numbers and 106x SMS ports are not 400/800 service numbers,
    // mobiles or landlines: invalid as numbers to whitelist (docs/policy.md: NUMBER_INVALID).
    if (d.size() == 11 && d[0] == '1') return mobile_space(d);
    if (d.size() == 13 && d.starts_with("14")) return {iot, none};
    return {};
}

// The digits of a number as written, checking the writing: an optional leading '+', then
// digits with single separators strictly between characters. Empty when the writing is wrong.
std::string_view collect_digits(std::string_view number, std::array<char, k_max_digits + 4>& buf,
                                bool& plus) noexcept {
    std::size_t n = 0;
    std::size_t i = 0;
    plus = !number.empty() && number[0] == '+';
    if (plus) i = 1;
    bool last_was_separator = true;  // so a leading separator is rejected
    for (; i < number.size(); ++i) {
        const char c = number[i];
        if (is_digit(c)) {
            if (n == buf.size()) return {};
            buf[n++] = c;
            last_was_separator = false;
        } else if (c == '-' || c == ' ') {
            if (last_was_separator) return {};
            last_was_separator = true;
        } else {
            return {};
        }
    }
    if (n == 0 || last_was_separator) return {};
    return {buf.data(), n};
}

// A number classified, with its national digits (after any +86/0086/86 prefix) and whether
// they followed such a prefix (then a landline has lost its trunk '0').
struct dialled {
    classification c;
    std::string_view national;
    bool international = false;
};

dialled classify_dialled(std::string_view number,
                         std::array<char, k_max_digits + 4>& buf) noexcept {
    bool plus = false;
    const std::string_view d = collect_digits(number, buf, plus);
    if (d.empty()) return {};
    if (plus) {
        if (!d.starts_with("86")) return {};
        return {classify_national(d.substr(2), true), d.substr(2), true};
    }
    if (d.starts_with("0086")) return {classify_national(d.substr(4), true), d.substr(4), true};
    if (d.size() == 13 && d.starts_with("86")) {
        // A bare 86 is only unambiguous in front of an 11-digit mobile-network number.
        const auto c = classify_national(d.substr(2), true);
        if (c.kind == mobile || c.kind == mvno || c.kind == data_card)
            return {c, d.substr(2), true};
        return {};
    }
    return {classify_national(d, false), d, false};
}

classification classify(std::string_view number) noexcept {
    std::array<char, k_max_digits + 4> buf{};
    return classify_dialled(number, buf).c;
}

}  // namespace

bool uscc_valid(std::string_view s) noexcept {
    if (s.size() != 18) return false;
    // Positions 3-8 are a GB/T 2260 area code: digits, starting with a province or 10.
    if (!all_digits(s.substr(2, 6))) return false;
    const auto province = s.substr(2, 2);
    if (province != "10" && !is_province_code(province)) return false;
    const char check = uscc_check_char(s.substr(0, 17));
    return check != '\0' && s[17] == check;
}

char uscc_check_char(std::string_view first17) noexcept {
    if (first17.size() != 17) return '\0';
    int sum = 0;
    int weight = 1;  // 3^i mod 31
    for (char c : first17) {
        const int v = uscc_value(c);
        if (v < 0) return '\0';
        sum = (sum + v * weight) % 31;
        weight = weight * 3 % 31;
    }
    return k_uscc_alphabet[static_cast<std::size_t>((31 - sum) % 31)];
}

bool resident_id_valid(std::string_view s, date on) noexcept {
    if (s.size() != 18) return false;
    const char check = resident_id_check_char(s.substr(0, 17));
    if (check == '\0' || s[17] != check) return false;
    if (!is_province_code(s.substr(0, 2))) return false;
    const int year = two_digits(s, 6) * 100 + two_digits(s, 8);
    const auto month = static_cast<unsigned>(two_digits(s, 10));
    const auto day = static_cast<unsigned>(two_digits(s, 12));
    if (year == 0) return false;
    const auto born = date::from_ymd(year, month, day);
    return born && *born <= on;
}

char resident_id_check_char(std::string_view first17) noexcept {
    if (first17.size() != 17 || !all_digits(first17)) return '\0';
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i)
        sum += (first17[i] - '0') * k_id_weights[i];
    return k_id_check_chars[static_cast<std::size_t>(sum % 11)];
}

namespace {
constexpr auto k_phone_kind_names = detail::make_enum_names<phone_kind>({
    {mobile, "mobile"},
    {mvno, "mvno"},
    {landline, "landline"},
    {service, "service"},
    {data_card, "data_card"},
    {iot, "iot"},
    {invalid, "invalid"},
});
}  // namespace

std::string_view to_string(phone_kind kind) noexcept {
    return k_phone_kind_names.name(kind, "invalid");
}

std::optional<phone_kind> phone_kind_from_string(std::string_view name) noexcept {
    return k_phone_kind_names.parse(name);
}

phone_kind classify_phone(std::string_view number) noexcept {
    return classify(number).kind;
}

std::optional<std::string> canonical_phone(std::string_view number) {
    std::array<char, k_max_digits + 4> buf{};
    const dialled d = classify_dialled(number, buf);
    if (d.c.kind == invalid) return std::nullopt;
    // a landline dialled from abroad has lost its trunk '0'
    if (d.international && d.c.kind == landline) return "0" + std::string(d.national);
    return std::string(d.national);
}

carrier carrier_of(std::string_view number) noexcept {
    return classify(number).net;
}

namespace {
constexpr auto k_carrier_names = detail::make_enum_names<carrier>({
    {china_mobile, "china_mobile"},
    {china_unicom, "china_unicom"},
    {china_telecom, "china_telecom"},
    {china_broadnet, "china_broadnet"},
    {virtual_operator, "virtual_operator"},
    {none, "none"},
});
}  // namespace

std::string_view to_string(carrier c) noexcept {
    return k_carrier_names.name(c, "none");
}

std::span<const region_info> regions() noexcept {
    return k_regions;
}

const region_info* find_region(std::string_view iso_or_gb_code) noexcept {
    for (const auto& r : k_regions)
        if (r.iso == iso_or_gb_code || r.gb_code == iso_or_gb_code) return &r;
    return nullptr;
}

}  // namespace telecomply

#include <doctest/doctest.h>

#include <array>
#include <set>
#include <string>
#include <string_view>

#include "telecomply/domain/identifiers.hpp"

using namespace telecomply;

namespace {

constexpr std::string_view k_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// An independent statement of the GB 32100-2015 check, written from the md rather than the
// library, so the tests do not check the code against itself.
char expected_uscc_check(std::string_view first17) {
    constexpr std::array<int, 17> weights{1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i)
        sum += static_cast<int>(k_alphabet.find(first17[i])) * weights[i];
    return k_alphabet[static_cast<std::size_t>((31 - sum % 31) % 31)];
}

std::string with_uscc_check(const std::string& first17) {
    return first17 + expected_uscc_check(first17);
}

// A resident ID from its parts, with its ISO 7064 MOD 11-2 check character computed here.
std::string make_id(std::string_view area, std::string_view birth, std::string_view seq) {
    std::string s = std::string(area) + std::string(birth) + std::string(seq);
    REQUIRE(s.size() == 17);
    constexpr std::array<int, 17> weights{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i)
        sum += (s[i] - '0') * weights[i];
    return s + std::string_view("10X98765432")[static_cast<std::size_t>(sum % 11)];
}

date d(std::string_view s) {
    return date::parse_or_throw(s);
}

}  // namespace

TEST_CASE("uscc: the worked example and its check character") {
    CHECK(uscc_valid("91110000600037341L"));
    CHECK(uscc_check_char("91110000600037341") == 'L');
    CHECK(expected_uscc_check("91110000600037341") == 'L');  // the test's own check agrees
}

TEST_CASE("uscc: every single-character change of the worked example fails") {
    const std::string good = "91110000600037341L";
    int changed = 0;
    for (std::size_t pos = 0; pos < good.size(); ++pos) {
        for (char c : k_alphabet) {
            if (c == good[pos]) continue;
            std::string s = good;
            s[pos] = c;
            CAPTURE(s);
            CHECK_FALSE(uscc_valid(s));
            ++changed;
        }
    }
    CHECK(changed == 18 * 30);
    // Swapping two adjacent different characters also fails (weights differ).
    CHECK_FALSE(uscc_valid("19110000600037341L"));
}

TEST_CASE("uscc: format rules") {
    SUBCASE("length") {
        CHECK_FALSE(uscc_valid(""));
        CHECK_FALSE(uscc_valid("91110000600037341"));
        CHECK_FALSE(uscc_valid("91110000600037341L0"));
        CHECK_FALSE(uscc_valid(" 91110000600037341L"));
        CHECK_FALSE(uscc_valid("91110000600037341L "));
    }
    SUBCASE("I, O, S, V and Z are not in the character set") {
        for (char bad : std::string_view("IOSVZ")) {
            std::string first17 = "91110000600037341";
            first17[12] = bad;  // a position where letters are allowed
            CAPTURE(first17);
            CHECK(uscc_check_char(first17) == '\0');
            for (char check : k_alphabet)
                CHECK_FALSE(uscc_valid(first17 + check));
            CHECK_FALSE(uscc_valid(first17 + bad));
        }
        // As the check character too: no valid code ends with them.
        for (char bad : std::string_view("IOSVZ"))
            CHECK_FALSE(uscc_valid(std::string("91110000600037341") + bad));
    }
    SUBCASE("lowercase is invalid") {
        CHECK_FALSE(uscc_valid("91110000600037341l"));
        const auto code = with_uscc_check("9111000060003734A");
        CHECK(uscc_valid(code));
        std::string lower = code;
        lower[16] = 'a';
        CHECK_FALSE(uscc_valid(lower));
        CHECK(uscc_check_char("9111000060003734a") == '\0');
    }
    SUBCASE("bad check character") {
        CHECK_FALSE(uscc_valid("91110000600037341K"));
        CHECK_FALSE(uscc_valid("91110000600037341M"));
        CHECK_FALSE(uscc_valid("911100006000373410"));
    }
    SUBCASE("positions 3-8 are digits starting with a province code or 10") {
        CHECK(uscc_valid(with_uscc_check("91440300MA5ABCDE1")));  // Shenzhen, Guangdong
        CHECK(uscc_valid(with_uscc_check("91100000100000001")));  // national-level registration
        CHECK(uscc_valid(with_uscc_check("91650100123456789")));  // Xinjiang
        CHECK_FALSE(uscc_valid(with_uscc_check("91990000600037341")));  // 99: no such province
        CHECK_FALSE(uscc_valid(with_uscc_check("91000000600037341")));
        CHECK_FALSE(uscc_valid(with_uscc_check("91160000600037341")));  // 16 is not a province
        CHECK_FALSE(uscc_valid(with_uscc_check("91710000600037341")));  // 71 (Taiwan) not listed
        CHECK_FALSE(uscc_valid(with_uscc_check("9111A000600037341")));  // letter in area code
        CHECK_FALSE(uscc_valid(with_uscc_check("91A10000600037341")));
    }
    SUBCASE("positions 1-2 may be letters, as the format regex allows") {
        CHECK(uscc_valid(with_uscc_check("A1110000600037341")));
        CHECK(uscc_valid(with_uscc_check("Y9110000600037341")));
        CHECK(uscc_valid(with_uscc_check("52110000600037341")));  // private non-enterprise
    }
    SUBCASE("check character function") {
        CHECK(uscc_check_char("") == '\0');
        CHECK(uscc_check_char("9111000060003734") == '\0');
        CHECK(uscc_check_char("911100006000373411") == '\0');
        CHECK(uscc_check_char(std::string_view("9111000060003734\0", 17)) == '\0');
        CHECK(uscc_check_char("00000000000000000") == '0');
        // The check is mod 31, so a check value of 0 and of every other value must occur.
        std::set<char> seen;
        std::string s = "91110000600037340";
        for (char c : k_alphabet) {
            s[16] = c;
            seen.insert(uscc_check_char(s));
            CHECK(uscc_check_char(s) == expected_uscc_check(s));
        }
        CHECK(seen.size() == 31);
    }
}

TEST_CASE("resident id: the GB 11643-1999 examples") {
    const auto today = d("2025-06-01");
    CHECK(resident_id_valid("11010519491231002X", today));  // 1949-12-31, check X
    CHECK(resident_id_check_char("11010519491231002") == 'X');
    CHECK(resident_id_valid("440524188001010014", today));        // 1880-01-01
    CHECK_FALSE(resident_id_valid("11010519491231002x", today));  // lowercase x
    CHECK_FALSE(resident_id_valid("110105194912310021", today));
}

TEST_CASE("resident id: generated numbers") {
    const auto today = d("2025-06-01");
    SUBCASE("valid numbers for every province and every check value") {
        for (const auto& r : regions()) {
            const auto id = make_id(std::string(r.gb_code) + "0102", "19850315", "123");
            CAPTURE(id);
            CHECK(resident_id_valid(id, today));
        }
        std::set<char> checks;
        for (int seq = 0; seq < 100; ++seq) {
            const auto s = std::to_string(100 + seq);
            const auto id = make_id("440305", "19900101", s);
            checks.insert(id.back());
            CHECK(resident_id_check_char(id.substr(0, 17)) == id.back());
            CHECK(resident_id_valid(id, today));
        }
        CHECK(checks.size() == 11);  // 0-9 and X all occur
        CHECK(checks.contains('X'));
    }
    SUBCASE("wrong check character") {
        const auto id = make_id("440305", "19900101", "123");
        for (char c : std::string_view("0123456789X")) {
            if (c == id.back()) continue;
            CHECK_FALSE(resident_id_valid(id.substr(0, 17) + c, today));
        }
    }
    SUBCASE("invalid birth dates") {
        CHECK_FALSE(resident_id_valid(make_id("110105", "20230229", "001"), today));  // not leap
        CHECK(resident_id_valid(make_id("110105", "20240229", "001"), today));        // leap
        CHECK_FALSE(
            resident_id_valid(make_id("110105", "19000229", "001"), today));  // 1900: not leap
        CHECK_FALSE(resident_id_valid(make_id("110105", "19851301", "001"), today));  // month 13
        CHECK_FALSE(resident_id_valid(make_id("110105", "19850001", "001"), today));  // month 0
        CHECK_FALSE(resident_id_valid(make_id("110105", "19850100", "001"), today));  // day 0
        CHECK_FALSE(resident_id_valid(make_id("110105", "19850431", "001"), today));  // Apr 31
        CHECK_FALSE(resident_id_valid(make_id("110105", "00000101", "001"), today));  // year 0
    }
    SUBCASE("birth date not after the date of checking") {
        const auto id = make_id("110105", "20250601", "001");
        CHECK(resident_id_valid(id, d("2025-06-01")));  // born today: valid
        CHECK(resident_id_valid(id, d("2025-06-02")));
        CHECK_FALSE(resident_id_valid(id, d("2025-05-31")));
        CHECK_FALSE(resident_id_valid(make_id("110105", "20990101", "001"), today));
    }
    SUBCASE("province code") {
        CHECK_FALSE(resident_id_valid(make_id("990101", "19850315", "123"), today));
        CHECK_FALSE(resident_id_valid(make_id("000101", "19850315", "123"), today));
        CHECK_FALSE(
            resident_id_valid(make_id("100101", "19850315", "123"), today));  // 10: USCC only
        CHECK_FALSE(resident_id_valid(make_id("810101", "19850315", "123"), today));  // Hong Kong
        CHECK(resident_id_valid(make_id("650101", "19850315", "123"), today));
    }
    SUBCASE("format") {
        const auto id = make_id("440305", "19900101", "123");
        CHECK_FALSE(resident_id_valid("", today));
        CHECK_FALSE(resident_id_valid(id.substr(0, 17), today));
        CHECK_FALSE(resident_id_valid(id + "0", today));
        CHECK_FALSE(resident_id_valid("44030519900101123", today));
        CHECK_FALSE(resident_id_valid("440305900101123", today));  // 15-digit old format
        std::string letter = id;
        letter[3] = 'A';
        CHECK_FALSE(resident_id_valid(letter, today));
        CHECK(resident_id_check_char("4403051990010112") == '\0');
        CHECK(resident_id_check_char("4403051990010112A") == '\0');
        CHECK(resident_id_check_char("440305199001011234") == '\0');
        CHECK(resident_id_check_char("") == '\0');
    }
}

TEST_CASE("phone kinds: names round-trip") {
    for (auto k : {phone_kind::mobile, phone_kind::mvno, phone_kind::landline, phone_kind::service,
                   phone_kind::data_card, phone_kind::iot, phone_kind::invalid}) {
        const auto name = to_string(k);
        CHECK(phone_kind_from_string(name) == k);
    }
    CHECK(to_string(phone_kind::data_card) == "data_card");
    CHECK(to_string(phone_kind::mvno) == "mvno");
    CHECK_FALSE(phone_kind_from_string("Mobile"));
    CHECK_FALSE(phone_kind_from_string(""));
    CHECK_FALSE(phone_kind_from_string("mobile "));
    CHECK(to_string(carrier::china_mobile) == "china_mobile");
    CHECK(to_string(carrier::china_unicom) == "china_unicom");
    CHECK(to_string(carrier::china_telecom) == "china_telecom");
    CHECK(to_string(carrier::china_broadnet) == "china_broadnet");
    CHECK(to_string(carrier::virtual_operator) == "virtual_operator");
    CHECK(to_string(carrier::none) == "none");
}

namespace {
// An 11-digit number: the prefix padded with a fixed subscriber tail.
std::string eleven(std::string_view prefix) {
    std::string s(prefix);
    const std::string_view tail = "12345678";
    s += tail.substr(0, 11 - s.size());
    REQUIRE(s.size() == 11);
    return s;
}

void check_prefixes(std::initializer_list<std::string_view> prefixes, phone_kind kind,
                    carrier net) {
    for (auto p : prefixes) {
        const auto n = eleven(p);
        CAPTURE(n);
        CHECK(classify_phone(n) == kind);
        CHECK(carrier_of(n) == net);
    }
}
}  // namespace

TEST_CASE("phone: mobile prefixes by carrier, with boundaries") {
    SUBCASE("China Mobile") {
        check_prefixes(
            {"1340", "1341", "1342", "1343", "1344", "1345", "1346", "1347", "1348", "135",
             "136",  "137",  "138",  "139",  "150",  "151",  "152",  "157",  "158",  "159",
             "172",  "178",  "182",  "183",  "184",  "187",  "188",  "195",  "197",  "198"},
            phone_kind::mobile, carrier::china_mobile);
    }
    SUBCASE("China Unicom") {
        check_prefixes(
            {"130", "131", "132", "155", "156", "166", "175", "176", "185", "186", "196"},
            phone_kind::mobile, carrier::china_unicom);
    }
    SUBCASE("China Telecom") {
        check_prefixes({"133", "1349", "153", "173", "17400", "17401", "17402", "17403", "17404",
                        "17405", "177", "180", "181", "189", "190", "191", "193", "199"},
                       phone_kind::mobile, carrier::china_telecom);
    }
    SUBCASE("China Broadnet") {
        check_prefixes({"192"}, phone_kind::mobile, carrier::china_broadnet);
    }
    SUBCASE("1340 vs 1349: Mobile vs Telecom satellite") {
        CHECK(carrier_of("13400000000") == carrier::china_mobile);
        CHECK(carrier_of("13489999999") == carrier::china_mobile);
        CHECK(carrier_of("13490000000") == carrier::china_telecom);
        CHECK(carrier_of("13499999999") == carrier::china_telecom);
    }
    SUBCASE("17400-17405 exactly") {
        CHECK(classify_phone("17400000000") == phone_kind::mobile);
        CHECK(classify_phone("17405999999") == phone_kind::mobile);
        check_prefixes({"17406", "17407", "17408", "17409", "1741", "1742", "1743", "1744", "1745",
                        "1746", "1749"},
                       phone_kind::invalid, carrier::none);
    }
}

TEST_CASE("phone: virtual operators, data cards and IoT") {
    check_prefixes({"162", "165", "167", "1700", "1701", "1702", "1703", "1704", "1705", "1706",
                    "1707", "1708", "1709", "171"},
                   phone_kind::mvno, carrier::virtual_operator);
    check_prefixes({"145", "147", "149"}, phone_kind::data_card, carrier::none);
    // Unallocated neighbours.
    check_prefixes({"160", "161", "163", "164", "168", "169"}, phone_kind::invalid, carrier::none);
    // IoT: 13 digits starting with 14.
    for (auto n : {"1460000000000", "1480000000000", "1440123456789", "1410123456789",
                   "1400000000000", "1499999999999"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::iot);
        CHECK(carrier_of(n) == carrier::none);
    }
    CHECK(classify_phone("146 0000 0000 00") == phone_kind::iot);
    CHECK(classify_phone("+86 1440123456789") == phone_kind::iot);
    // 11-digit 14x other than data cards, and 12/14-digit 14x, are not numbers.
    check_prefixes({"140", "141", "142", "143", "144", "146", "148"}, phone_kind::invalid,
                   carrier::none);
    CHECK(classify_phone("144012345678") == phone_kind::invalid);
    CHECK(classify_phone("14401234567890") == phone_kind::invalid);
    CHECK(classify_phone("1540123456789") == phone_kind::invalid);  // 13 digits, not 14
}

TEST_CASE("phone: unknown 11-digit prefixes are invalid") {
    check_prefixes({"100", "101", "110", "120", "127", "140", "141", "154", "174", "179", "194"},
                   phone_kind::invalid, carrier::none);
    // Every 3-digit prefix 100-199 is either known or invalid, never anything else.
    for (int p = 100; p <= 199; ++p) {
        const auto k = classify_phone(eleven(std::to_string(p)));
        CHECK((k == phone_kind::mobile || k == phone_kind::mvno || k == phone_kind::data_card ||
               k == phone_kind::invalid || k == phone_kind::service));
    }
}

TEST_CASE("phone: country prefixes and separators") {
    for (auto n : {"13800138000", "+8613800138000", "+86 138 0013 8000", "+86-138-0013-8000",
                   "008613800138000", "0086 138 0013 8000", "8613800138000", "86 13800138000",
                   "138-0013-8000", "138 0013 8000"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::mobile);
        CHECK(carrier_of(n) == carrier::china_mobile);
    }
    CHECK(classify_phone("+86 17012345678") == phone_kind::mvno);
    CHECK(classify_phone("8617012345678") == phone_kind::mvno);
    CHECK(classify_phone("8614512345678") == phone_kind::data_card);
    // Writing mistakes.
    for (auto n : {"+8613800138000 ",
                   " 13800138000",
                   "138--0013-8000",
                   "138-0013-8000-",
                   "-13800138000",
                   "+ 8613800138000",
                   "++8613800138000",
                   "+8513800138000",
                   "+86",
                   "+",
                   "86",
                   "0086",
                   "(010)12345678",
                   "138.0013.8000",
                   "138\t00138000",
                   "1380013800O",
                   "+86 010 12345678",
                   "86 010 12345678",
                   "861012345678",
                   "8610012345678",
                   "86-95588",
                   "+86 95588",
                   "+86 10690000000"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::invalid);
        CHECK(carrier_of(n) == carrier::none);
    }
}

TEST_CASE("phone: landlines") {
    for (auto n : {"010-12345678", "01012345678", "02012345678", "020-12345678", "029 8888 6666",
                   "0755-1234567", "0755-12345678", "07551234567", "0311-87654321", "0991-1234567",
                   "+86 10 12345678", "+86-755-12345678", "+867551234567", "0086 20 12345678",
                   "+86 21 12345678"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::landline);
        CHECK(carrier_of(n) == carrier::none);
    }
    for (auto n : {"010-1234567",    // Beijing needs 8 digits
                   "010-123456789",  // ... not 9
                   "020-1234567", "0755-123456", "0755-123456789", "011-12345678", "019-12345678",
                   "00-12345678", "0123456789", "12345678", "0", "+86 1012345678 9",
                   "+86 11 12345678", "+86 2012345"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::invalid);
    }
}

TEST_CASE("phone: service numbers") {
    for (auto n : {"400-810-8888", "4008108888", "800-820-8820", "8008208820", "+86 400 810 8888",
                   "0086-800-820-8820"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::service);
        CHECK(carrier_of(n) == carrier::none);
    }
    // call-centre numbers and SMS ports are not service numbers to whitelist: invalid
    for (auto n : {"95588", "95533", "955888", "96110", "96166", "10690000", "106912345678",
                   "1062123456789", "1063123456", "1064899000", "10655012345678901234",
                   "106612345678901234567", "10690329110"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::invalid);
    }
    for (auto n : {"400810888", "40081088888", "9558", "9558888", "961100", "9611", "97588",
                   "500-810-8888", "1069000",  // SMS ports have 8+ digits
                   "1067123456", "1068123456", "1060123456", "1061123456",
                   "1069012345678901234567"}) {  // 22 digits
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::invalid);
    }
}

TEST_CASE("phone: garbage is invalid and never throws") {
    for (auto n : {"", " ", "-", "abc", "１３８００１３８０００", "13800138000abc", "+86abc",
                   "0x13800138000", "1e10", "😀", "\xff\xfe", "1234567890123456789012345678901",
                   "99999999999999999999999999999999999999999999999"}) {
        CAPTURE(n);
        CHECK(classify_phone(n) == phone_kind::invalid);
        CHECK(carrier_of(n) == carrier::none);
    }
    CHECK(classify_phone(std::string_view("138\0"
                                          "0013800",
                                          11)) == phone_kind::invalid);
    // All identifier functions are noexcept, so no input can throw.
    static_assert(noexcept(classify_phone("")));
    static_assert(noexcept(carrier_of("")));
    static_assert(noexcept(uscc_valid("")));
    static_assert(noexcept(resident_id_valid("", date{})));
    // A deterministic sweep of short strings over the interesting characters.
    const std::string_view chars = "0189+- X";
    std::string s;
    int count = 0;
    for (std::size_t len = 0; len <= 5; ++len) {
        std::size_t total = 1;
        for (std::size_t i = 0; i < len; ++i)
            total *= chars.size();
        for (std::size_t v = 0; v < total; ++v) {
            s.clear();
            for (std::size_t i = 0, x = v; i < len; ++i, x /= chars.size())
                s += chars[x % chars.size()];
            (void)classify_phone(s);
            (void)uscc_valid(s);
            (void)resident_id_valid(s, date{});
            ++count;
        }
    }
    CHECK(count > 30000);
}

TEST_CASE("regions: the 31 province-level regions") {
    const auto all = regions();
    REQUIRE(all.size() == 31);
    std::set<std::string_view> iso, gb;
    for (const auto& r : all) {
        CHECK(r.iso.starts_with("CN-"));
        CHECK(r.iso.size() == 5);
        CHECK(r.gb_code.size() == 2);
        CHECK_FALSE(r.name_zh.empty());
        CHECK_FALSE(r.name_en.empty());
        iso.insert(r.iso);
        gb.insert(r.gb_code);
        CHECK(find_region(r.iso) == &r);
        CHECK(find_region(r.gb_code) == &r);
    }
    CHECK(iso.size() == 31);
    CHECK(gb.size() == 31);
    const auto* gd = find_region("CN-GD");
    REQUIRE(gd != nullptr);
    CHECK(gd->gb_code == "44");
    CHECK(gd->name_zh == "广东");
    CHECK(gd->name_en == "Guangdong");
    CHECK(find_region("11")->iso == "CN-BJ");
    CHECK(find_region("65")->name_zh == "新疆");
    CHECK(find_region("CN-SN")->gb_code == "61");  // Shaanxi, not Shanxi (CN-SX, 14)
    CHECK(find_region("CN-SX")->gb_code == "14");
    CHECK(find_region("cn-gd") == nullptr);
    CHECK(find_region("CN-HK") == nullptr);
    CHECK(find_region("81") == nullptr);
    CHECK(find_region("10") == nullptr);
    CHECK(find_region("") == nullptr);
    CHECK(find_region("CN") == nullptr);
}

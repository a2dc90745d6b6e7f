#pragma once
/// \file identifiers.hpp
/// Chinese identifiers that applications for a telemarketing number carry: the Unified Social
/// Credit Code of the applicant, the resident ID of its representative, phone numbers and the
/// 31 province-level regions. Every function here is noexcept and total: any input, including
/// empty strings and arbitrary bytes, gives an answer rather than an exception.

#include <optional>
#include <span>
#include <string_view>

#include "telecomply/base/date.hpp"

namespace telecomply {

// ---- Unified Social Credit Code (统一社会信用代码, GB 32100-2015) ----

/// True when `s` is a valid GB 32100-2015 Unified Social Credit Code: exactly 18 characters
/// matching `[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}`, whose positions 3-4 are one
/// of the 31 province codes (see regions()) or `10` (national-level registration), and whose
/// 18th character is the check character of the first 17 (uscc_check_char()).
/// Positions 1-2 may be any character of the code's character set, as the format allows.
/// Lowercase letters are invalid (the standard writes the code in capitals); no trimming.
[[nodiscard]] bool uscc_valid(std::string_view s) noexcept;

/// The GB 32100-2015 check character for the first 17 characters of a USCC: values
/// `0123456789ABCDEFGHJKLMNPQRTUWXY` = 0..30, weights 3^i mod 31, check value
/// (31 - sum mod 31) mod 31. Returns '\0' unless `first17` is exactly 17 characters of that set
/// (position rules such as "3-8 are digits" are uscc_valid()'s business, not this function's).
[[nodiscard]] char uscc_check_char(std::string_view first17) noexcept;

// ---- Resident identity card number (居民身份证号码, GB 11643-1999) ----

/// True when `s` is a valid 18-character GB 11643-1999 resident ID number as of the day `on`:
/// 17 digits then a check character (a digit or uppercase `X`) equal to
/// resident_id_check_char() of the first 17; a real calendar birth date (positions 7-14,
/// YYYYMMDD, year 0001 or later) not after `on` (born on `on` itself is valid); and an area code
/// whose first two digits are one of the 31 province codes. 15-digit first-generation numbers
/// are not accepted.
[[nodiscard]] bool resident_id_valid(std::string_view s, date on) noexcept;

/// The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID
/// ('0'-'9' or 'X'); '\0' unless `first17` is exactly 17 ASCII digits.
[[nodiscard]] char resident_id_check_char(std::string_view first17) noexcept;

// ---- Phone numbers ----

/// What kind of number a phone number is (see classify_phone() for the rules).
enum class phone_kind {
    mobile,     ///< an 11-digit voice mobile number of China Mobile/Unicom/Telecom/Broadnet
    mvno,       ///< an 11-digit number of a virtual operator (162, 165, 167, 170x, 171)
    landline,   ///< a fixed-line number with its area code
    service,    ///< a 400/800 number (inbound-only service number)
    data_card,  ///< an 11-digit data-only number (145, 147, 149), not for voice
    iot,        ///< a 13-digit IoT number (starting with 14), not for voice
    invalid,    ///< anything else
};

/// The stable name of a kind: "mobile", "mvno", "landline", "service", "data_card", "iot",
/// "invalid".
[[nodiscard]] std::string_view to_string(phone_kind kind) noexcept;

/// The kind named by to_string() (exact, lowercase); nullopt for any other text.
[[nodiscard]] std::optional<phone_kind> phone_kind_from_string(std::string_view name) noexcept;

/// Classifies a number as written.
///
/// Writing: ASCII digits, with single '-' or ' ' separators allowed between characters (not
/// leading, trailing or doubled): `010-12345678`, `+86 138 0013 8000`. A country prefix may be
/// `+86` or `0086` (then the national number follows without its trunk `0`: `+86 10 12345678`
/// is a landline, `+86 010 12345678` is invalid), or a bare `86` only when exactly 11 digits
/// follow that classify as mobile, mvno or data_card (`8613800138000`).
///
/// Kinds (first match wins):
/// - landline: `0` + area code `10` or `2X` + 8 digits (11 digits), or `0` + a 3-digit area code
///   whose first digit is 3-9 + 7 or 8 digits (11 or 12 digits). The subscriber part is not
///   checked further (`010-12345678` is a landline). A number without its area code is invalid.
/// - service: `400`/`800` + 7 digits, the inbound-only service numbers (also after +86).
///   National (95xxx, 95xxxx) and provincial (96xxx) call-centre numbers and 106x SMS ports
///   are neither service numbers, mobiles nor landlines: invalid as numbers to whitelist.
/// - 11 digits starting with 1, by prefix: mobile for the prefixes of China Mobile (1340-1348,
///   135-139, 150-152, 157-159, 172, 178, 182-184, 187, 188, 195, 197, 198), China Unicom
///   (130-132, 155, 156, 166, 175, 176, 185, 186, 196), China Telecom (133, 1349, 153, 173,
///   17400-17405, 177, 180, 181, 189-191, 193, 199) and China Broadnet (192); mvno for 162, 165,
///   167, 1700-1709, 171; data_card for 145, 147, 149; any other prefix (100, 140, 141, 154,
///   174 other than 17400-17405, 179, 194...) is invalid.
/// - iot: 13 digits starting with 14 (146, 148, 1440, 1410...).
/// - everything else, including emergency and 12xxx government hotlines, is invalid.
[[nodiscard]] phone_kind classify_phone(std::string_view number) noexcept;

/// The canonical form of a number: the digits as dialled within China, without separators or
/// country prefix (`+86 138 6675 1415` -> `13866751415`, `+86 10 1234 5678` ->
/// `01012345678`, `0757-22381234` -> `075722381234`), so that two writings of one number
/// compare equal. nullopt when classify_phone() finds the number invalid.
[[nodiscard]] std::optional<std::string> canonical_phone(std::string_view number);

/// The network that a mobile number prefix was allocated to.
enum class carrier {
    china_mobile,
    china_unicom,
    china_telecom,
    china_broadnet,
    virtual_operator,  ///< an MVNO prefix (the host network is not implied by the prefix)
    none,              ///< not a mobile or MVNO number
};

/// The network a number's prefix belongs to: the four carriers for phone_kind::mobile,
/// virtual_operator for phone_kind::mvno, none for every other kind (landlines, service numbers,
/// data cards, IoT and invalid numbers). Since mobile number portability (2019-12-01) this is
/// the network that issued the number, not necessarily the one serving it today.
[[nodiscard]] carrier carrier_of(std::string_view number) noexcept;

/// The stable name of a carrier: "china_mobile", "china_unicom", "china_telecom",
/// "china_broadnet", "virtual_operator", "none".
[[nodiscard]] std::string_view to_string(carrier c) noexcept;

// ---- Province-level regions ----

/// A province-level region of mainland China (province, autonomous region or municipality).
struct region_info {
    std::string_view iso;      ///< ISO 3166-2 code, e.g. "CN-GD"
    std::string_view gb_code;  ///< GB/T 2260 two-digit code, e.g. "44"
    std::string_view name_zh;  ///< short Chinese name (UTF-8), e.g. "广东"
    std::string_view name_en;  ///< English name, e.g. "Guangdong"
};

/// The 31 province-level regions of mainland China in GB/T 2260 code order (Hong Kong, Macao
/// and Taiwan are not included).
[[nodiscard]] std::span<const region_info> regions() noexcept;

/// The region with this ISO 3166-2 code ("CN-GD") or GB/T 2260 code ("44"), matched exactly
/// (case-sensitive); nullptr if there is none.
[[nodiscard]] const region_info* find_region(std::string_view iso_or_gb_code) noexcept;

}  // namespace telecomply

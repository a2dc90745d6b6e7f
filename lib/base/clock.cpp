// The current time in China Standard Time (include/telecomply/base/clock.hpp).

#include "telecomply/base/clock.hpp"

#include <cstdio>

namespace telecomply {

std::string to_rfc3339_cst(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto local = floor<seconds>(t) + hours{8};
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> time{local - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+08:00",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return buf;
}

std::string now_cst() {
    return to_rfc3339_cst(std::chrono::system_clock::now());
}

}  // namespace telecomply

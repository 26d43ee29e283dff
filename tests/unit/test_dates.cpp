/// @file test_dates.cpp
/// @brief Unit tests of parse_date() and the calendar helpers (common/src/dates.cpp).
///
/// Every expected value was worked out independently of the parser: ISO rows with Python's
/// datetime.fromisoformat, RFC 2822 rows with email.utils.parsedate_to_datetime, written rows
/// from their components with datetime + zoneinfo (America/New_York etc. for ET/PT), and Unix
/// times with `date -u -d @N`.

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wiredesk/common/dates.hpp"
#include "wiredesk/common/errors.hpp"

namespace {

using wiredesk::UnixTime;

struct DateRow {
    std::string_view text;
    std::string_view expected_utc;  ///< format_iso8601 of the expected instant
};

/// What parse_date() made of @p text, as ISO 8601 UTC, so a failing row shows both sides.
std::string parsed_as_iso(std::string_view text, std::optional<UnixTime> reference = std::nullopt) {
    const std::optional<UnixTime> time = wiredesk::parse_date(text, reference);
    return time ? wiredesk::format_iso8601(*time) : std::string("(not a date)");
}

void check_rows(std::initializer_list<DateRow> rows) {
    for (const DateRow& row : rows) {
        INFO("input: '", std::string(row.text), "'");
        CHECK(parsed_as_iso(row.text) == std::string(row.expected_utc));
    }
}

/// Midnight UTC of @p year - @p month - @p day, as Unix time.
UnixTime midnight(int year, unsigned month, unsigned day) {
    return wiredesk::days_from_civil(year, month, day) * 86'400;
}

}  // namespace

TEST_CASE("ISO 8601 extended and basic forms, with and without zone, normalize to UTC") {
    check_rows({
        {"2026-01-24", "2026-01-24T00:00:00Z"},
        {"2026-01-24T10:30", "2026-01-24T10:30:00Z"},
        {"2026-01-24T10:30:15", "2026-01-24T10:30:15Z"},
        {"2026-01-24 10:30:15", "2026-01-24T10:30:15Z"},
        {"2026-01-24T10:30:15Z", "2026-01-24T10:30:15Z"},
        {"2026-01-24T10:30:15.987Z", "2026-01-24T10:30:15Z"},  // fraction truncated
        {"2026-01-24T10:30:15,5+01:00", "2026-01-24T09:30:15Z"},
        {"2026-01-24T13:30:15+03:00", "2026-01-24T10:30:15Z"},
        {"2026-01-24T13:30:15+0300", "2026-01-24T10:30:15Z"},
        {"2026-01-24T05:30:15-05", "2026-01-24T10:30:15Z"},
        {"2026-01-24T16:00:00+05:30", "2026-01-24T10:30:00Z"},
        {"2026-01-24T23:30:00-05:00", "2026-01-25T04:30:00Z"},  // crosses midnight
        {"2026-01-01T02:00:00+05:00", "2025-12-31T21:00:00Z"},  // crosses the year
        {"2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"},
        {"20260124", "2026-01-24T00:00:00Z"},
        {"20260124T103015Z", "2026-01-24T10:30:15Z"},
        {"20260124T1030", "2026-01-24T10:30:00Z"},
        {"20260124T133015+0300", "2026-01-24T10:30:15Z"},
        {"2026-01-24 10:30:15 UTC", "2026-01-24T10:30:15Z"},
        {"2026-01-24 10:30:15 +0000", "2026-01-24T10:30:15Z"},
        {"2026-01-24t10:30:15z", "2026-01-24T10:30:15Z"},
        {"  2026-01-24T10:30:15Z \n", "2026-01-24T10:30:15Z"},
        {"2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"},  // leap second folds forward
    });
}

TEST_CASE("RFC 2822 dates with numeric and named zones normalize to UTC") {
    check_rows({
        {"Sat, 24 Jan 2026 10:30:00 +0000", "2026-01-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 05:30:00 -0500", "2026-01-24T10:30:00Z"},
        {"24 Jan 2026 10:30 GMT", "2026-01-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 10:30:00 UT", "2026-01-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 10:30:00 Z", "2026-01-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 05:30:00 EST", "2026-01-24T10:30:00Z"},
        {"Fri, 24 Jul 2026 06:30:00 EDT", "2026-07-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 04:30:00 CST", "2026-01-24T10:30:00Z"},
        {"Fri, 24 Jul 2026 05:30:00 CDT", "2026-07-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 03:30:00 MST", "2026-01-24T10:30:00Z"},
        {"Fri, 24 Jul 2026 04:30:00 MDT", "2026-07-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 02:30:00 PST", "2026-01-24T10:30:00Z"},
        {"Fri, 24 Jul 2026 03:30:00 PDT", "2026-07-24T10:30:00Z"},
        {"Sat, 24 Jan 2026 10:30:00 -0500 (EST)", "2026-01-24T15:30:00Z"},
        {"sat, 24 JAN 2026 10:30:00 gmt", "2026-01-24T10:30:00Z"},
    });
}

TEST_CASE("RFC 2822 two-digit years are 19yy from 50 and 20yy below") {
    check_rows({
        {"Sat, 24 Jan 26 10:30:00 +0000", "2026-01-24T10:30:00Z"},
        {"Mon, 19 Oct 87 09:30:00 EDT", "1987-10-19T13:30:00Z"},
        {"Saturday, 24-Jan-26 10:30:00 GMT", "2026-01-24T10:30:00Z"},  // RFC 850
        // The pivot is RFC 2822 section 4.3's (Python's email.utils uses 69 instead).
        {"1 Jan 50 00:00 GMT", "1950-01-01T00:00:00Z"},
        {"31 Dec 49 23:59 GMT", "2049-12-31T23:59:00Z"},
    });
}

TEST_CASE("Written dates with optional weekday, time and zone normalize to UTC") {
    check_rows({
        {"Jan. 24, 2026", "2026-01-24T00:00:00Z"},
        {"January 24, 2026", "2026-01-24T00:00:00Z"},
        {"24 January 2026", "2026-01-24T00:00:00Z"},
        {"24 Jan. 2026", "2026-01-24T00:00:00Z"},
        {"Sept. 3, 2025", "2025-09-03T00:00:00Z"},
        {"Saturday, Jan. 24, 2026", "2026-01-24T00:00:00Z"},
        {"Sat. Jan 24 2026", "2026-01-24T00:00:00Z"},
        {"JANUARY 24, 2026", "2026-01-24T00:00:00Z"},
        {"jan 24 2026", "2026-01-24T00:00:00Z"},
        {"Jan 24th, 2026", "2026-01-24T00:00:00Z"},
        {"May 1st, 2026", "2026-05-01T00:00:00Z"},
        {"Feb. 29, 2024", "2024-02-29T00:00:00Z"},
        {"Jan. 24, 2026 10:30 AM", "2026-01-24T10:30:00Z"},
        {"Jan. 24, 2026 10:30AM", "2026-01-24T10:30:00Z"},
        {"Jan. 24, 2026, 3:15 p.m. EST", "2026-01-24T20:15:00Z"},
        {"Jan. 24, 2026 12:00 a.m.", "2026-01-24T00:00:00Z"},
        {"Jan. 24, 2026 12:30 P.M.", "2026-01-24T12:30:00Z"},
        {"Jan. 24, 2026 at 3 p.m.", "2026-01-24T15:00:00Z"},
        {"Jan. 24, 2026 14:05 GMT", "2026-01-24T14:05:00Z"},
        {"Jan. 24, 2026 10:30 GMT+2", "2026-01-24T08:30:00Z"},
        {"Jan. 24, 2026 16:00 UTC+05:30", "2026-01-24T10:30:00Z"},
        {"24 Jan 2026 10:30 CET", "2026-01-24T09:30:00Z"},
        {"24 Jul 2026 10:30 CEST", "2026-07-24T08:30:00Z"},
        {"Sat Jan 24 10:30:15 UTC 2026", "2026-01-24T10:30:15Z"},  // date(1)
        {"Sat Jan 24 10:30:15 2026", "2026-01-24T10:30:15Z"},      // asctime
        {"Jan. 24, 2026 10:30\u00a0AM", "2026-01-24T10:30:00Z"},   // no-break space
        {"\u00a0Jan. 24, 2026\t", "2026-01-24T00:00:00Z"},
    });
}

TEST_CASE("US generic zones ET and PT follow the daylight saving time of the date") {
    check_rows({
        {"Jan. 24, 2026 10:30 ET", "2026-01-24T15:30:00Z"},
        {"July 4, 2026 10:30 ET", "2026-07-04T14:30:00Z"},
        {"March 8, 2026 3:00 PM PT", "2026-03-08T22:00:00Z"},  // DST began 02:00 that day
        {"Oct. 19, 1987 4:00 p.m. ET", "1987-10-19T20:00:00Z"},
        // 01:30 happens twice on 2026-11-01; the first (daylight) occurrence is taken.
        {"Nov. 1, 2026 1:30 a.m. ET", "2026-11-01T05:30:00Z"},
    });
}

TEST_CASE("Dates before 1970 give negative Unix times") {
    check_rows({
        {"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},
        {"1912-04-15", "1912-04-15T00:00:00Z"},
        {"April 15, 1912", "1912-04-15T00:00:00Z"},
        {"Nov. 22, 1963 12:30 p.m. CST", "1963-11-22T18:30:00Z"},
        {"Sun, 20 Jul 1969 20:17:40 +0000", "1969-07-20T20:17:40Z"},
    });
    CHECK(wiredesk::parse_date("1969-12-31T23:59:59Z") == UnixTime{-1});
    CHECK(wiredesk::parse_date("1912-04-15T05:18:00Z") == UnixTime{-1'821'292'920});
    CHECK(wiredesk::parse_date("Sat, 23 Nov 1963 00:00:00 GMT") == UnixTime{-192'758'400});
}

TEST_CASE("Reuters-21578 timestamps (26-FEB-1987 15:01:01.79) parse as UTC") {
    CHECK(wiredesk::parse_date("26-FEB-1987 15:01:01.79") == UnixTime{541'350'061});
    CHECK(wiredesk::parse_date(" 5-MAR-1987 09:08:43.14") == UnixTime{541'933'723});
}

TEST_CASE("Impossible dates throw DateError quoting the input and saying what is wrong") {
    struct ImpossibleRow {
        std::string_view text;
        std::string_view message;
    };
    const ImpossibleRow rows[] = {
        {"2026-02-30", "impossible date '2026-02-30': February 2026 has 28 days"},
        {"  2026-02-30  ", "impossible date '2026-02-30': February 2026 has 28 days"},
        {"2025-02-29", "impossible date '2025-02-29': February 2025 has 28 days"},
        {"1900-02-29", "impossible date '1900-02-29': February 1900 has 28 days"},
        {"2026-04-31", "impossible date '2026-04-31': April 2026 has 30 days"},
        {"2026-01-00", "impossible date '2026-01-00': there is no day 0"},
        {"2026-13-01", "impossible date '2026-13-01': there is no month 13"},
        {"2026-00-10", "impossible date '2026-00-10': there is no month 0"},
        {"20261324", "impossible date '20261324': there is no month 13"},
        {"0999-01-01", "impossible date '0999-01-01': year 999 is outside 1000-9999"},
        {"2026-01-24T25:00", "impossible date '2026-01-24T25:00': hour 25 is out of range (0-23)"},
        {"2026-01-24T24:00:00Z",
         "impossible date '2026-01-24T24:00:00Z': hour 24 is out of range (0-23)"},
        {"2026-01-24T10:61",
         "impossible date '2026-01-24T10:61': minute 61 is out of range (0-59)"},
        {"2026-01-24T10:30:61Z",
         "impossible date '2026-01-24T10:30:61Z': second 61 is out of range (0-60)"},
        {"2026-01-24T10:30+25:00",
         "impossible date '2026-01-24T10:30+25:00': zone offset +25:00 is out of range "
         "(at most 18:00 from UTC)"},
        {"2026-01-24T10:30-0575",
         "impossible date '2026-01-24T10:30-0575': zone offset -05:75 has more than 59 minutes"},
        {"Friday, Jan. 24, 2026",
         "impossible date 'Friday, Jan. 24, 2026': January 24, 2026 is a Saturday, not a Friday"},
        {"Fri, 24 Jan 2026 10:30:00 +0000",
         "impossible date 'Fri, 24 Jan 2026 10:30:00 +0000': January 24, 2026 is a Saturday, "
         "not a Friday"},
        {"Feb. 30, 2026", "impossible date 'Feb. 30, 2026': February 2026 has 28 days"},
        {"Jan. 32, 2026", "impossible date 'Jan. 32, 2026': January 2026 has 31 days"},
        {"Jan. 24, 2026 13:30 PM",
         "impossible date 'Jan. 24, 2026 13:30 PM': hour 13 PM is not on the 12-hour clock (1-12)"},
        {"Jan. 24, 2026 0:30 a.m.",
         "impossible date 'Jan. 24, 2026 0:30 a.m.': hour 0 AM is not on the 12-hour clock "
         "(1-12)"},
        {"Jan. 24, 2026 10:75 AM",
         "impossible date 'Jan. 24, 2026 10:75 AM': minute 75 is out of range (0-59)"},
        {"31-APR-1987 10:00:00.00",
         "impossible date '31-APR-1987 10:00:00.00': April 1987 has 30 days"},
        {"Saturday, Feb. 30", "impossible date 'Saturday, Feb. 30': February has at most 29 days"},
        {"Saturday, April 31", "impossible date 'Saturday, April 31': April has 30 days"},
    };
    for (const ImpossibleRow& row : rows) {
        INFO("input: '", std::string(row.text), "'");
        CHECK_THROWS_WITH_AS(wiredesk::parse_date(row.text, midnight(2026, 1, 25)),
                             std::string(row.message).c_str(), wiredesk::DateError);
    }
}

TEST_CASE("DateError is a wiredesk::Error") {
    CHECK_THROWS_AS(wiredesk::parse_date("2026-02-30"), wiredesk::Error);
}

TEST_CASE("Text that is not a recognised date form gives nullopt, never a guess") {
    const std::string_view rows[] = {
        "",
        "   ",
        "hello",
        "yesterday",
        "1769250615",     // epoch seconds
        "1769250615000",  // epoch milliseconds
        "20260124103015", // 14 digits: not basic ISO without its T
        "2026",
        "2026-01",
        "2026-1-24",
        "2026-01-24T10",
        "2026-01-24 1030",
        "2026-01-24T10:30:15.Z",
        "2026-01-24T10:30:15Z extra",
        "2026/01/24",
        "01/24/2026",
        "24.01.2026",
        "Jan. 24",
        "24 January",
        "January 2026",
        "Saturday",
        "Smarch 24, 2026",
        "Jan. 24, 20260",
        "Jan. 24, 2026 and more",
        "Jan. 24, 2026 10:30 IST",  // ambiguous zone: India, Israel or Ireland
        "Jan. 24, 2026 EST",        // a zone without a time
        "Jan. 24, 2026 3",
        "Jan. 24, 2026 10 : 30",
        "Jan. 24, 2026 10:30 a",
        "Jan. 24, 2026 \u2014 10:30",
        "24 Jan 26",  // two-digit year without a time
        "24-Jan-26",
        "Jan 24 26",
        "24 Jan 2026 10:30 + 0000",
        "Sat, 24 Jan 2026 10:30:00 -0500 (EST",
    };
    for (const std::string_view text : rows) {
        INFO("input: '", std::string(text), "'");
        CHECK(parsed_as_iso(text) == "(not a date)");
        CHECK(parsed_as_iso(text, midnight(2026, 1, 25)) == "(not a date)");
    }
}

TEST_CASE("Year-less date with a weekday resolves to the latest match at most 366 days after "
          "the reference") {
    SUBCASE("the reference just after the date") {
        CHECK(parsed_as_iso("Saturday, Jan. 24", UnixTime{1'769'342'400}) ==  // 2026-01-25T12:00Z
              "2026-01-24T00:00:00Z");
    }
    SUBCASE("the reference up to a year before the date") {
        CHECK(parsed_as_iso("Saturday, Jan. 24", midnight(2026, 1, 20)) == "2026-01-24T00:00:00Z");
        CHECK(parsed_as_iso("Saturday, Jan. 24", UnixTime{1'740'787'200}) ==  // 2025-03-01
              "2026-01-24T00:00:00Z");
    }
    SUBCASE("exactly 366 days after the reference still counts, 367 does not") {
        CHECK(parsed_as_iso("Saturday, Jan. 24", UnixTime{1'737'590'400}) ==  // 2025-01-23T00:00Z
              "2026-01-24T00:00:00Z");
        // 2025-01-22T23:59:59Z
        CHECK(parsed_as_iso("Saturday, Jan. 24", UnixTime{1'737'590'399}) ==
              "2015-01-24T00:00:00Z");
        CHECK(parsed_as_iso("Saturday, Jan. 24", UnixTime{1'737'331'200}) ==  // 2025-01-20
              "2015-01-24T00:00:00Z");
    }
    SUBCASE("time and zone apply after the year is resolved") {
        CHECK(parsed_as_iso("Saturday, Jan. 24 10:30 AM EST", midnight(2026, 1, 25)) ==
              "2026-01-24T15:30:00Z");
        CHECK(parsed_as_iso("Sat, 24 Jan 10:30:00 +0100", midnight(2026, 1, 25)) ==
              "2026-01-24T09:30:00Z");
    }
    SUBCASE("29 February resolves only to a leap year") {
        CHECK(parsed_as_iso("Thursday, Feb. 29", UnixTime{1'780'272'000}) ==  // 2026-06-01
              "2024-02-29T00:00:00Z");
    }
    SUBCASE("references before 1970") {
        CHECK(parsed_as_iso("Monday, Oct. 19", UnixTime{561'686'400}) ==  // 1987-10-20
              "1987-10-19T00:00:00Z");
        CHECK(parsed_as_iso("Friday, Nov. 22", UnixTime{-192'758'400}) ==  // 1963-11-23
              "1963-11-22T00:00:00Z");
    }
}

TEST_CASE("Year-less date without a weekday, or without a reference, gives nullopt") {
    CHECK(parsed_as_iso("Jan. 24", midnight(2026, 1, 25)) == "(not a date)");
    CHECK(parsed_as_iso("24 January 10:30", midnight(2026, 1, 25)) == "(not a date)");
    CHECK(parsed_as_iso("Saturday, Jan. 24") == "(not a date)");
    CHECK(parsed_as_iso("Saturday, Jan. 24 10:30 AM") == "(not a date)");
}

TEST_CASE("A reference does not change a date that has a year") {
    CHECK(parsed_as_iso("Jan. 24, 2015", midnight(2026, 1, 25)) == "2015-01-24T00:00:00Z");
    CHECK(parsed_as_iso("2031-01-24", midnight(2026, 1, 25)) == "2031-01-24T00:00:00Z");
}

TEST_CASE("format_iso8601 and format_yyyymmdd render UTC, including before 1970") {
    CHECK(wiredesk::format_iso8601(0) == "1970-01-01T00:00:00Z");
    CHECK(wiredesk::format_iso8601(1'769'250'615) == "2026-01-24T10:30:15Z");
    CHECK(wiredesk::format_iso8601(-1) == "1969-12-31T23:59:59Z");
    CHECK(wiredesk::format_iso8601(-1'821'637'320) == "1912-04-11T05:38:00Z");
    CHECK(wiredesk::format_iso8601(-2'000'000'000) == "1906-08-16T20:26:40Z");
    CHECK(wiredesk::format_iso8601(253'402'300'799) == "9999-12-31T23:59:59Z");

    CHECK(wiredesk::format_yyyymmdd(0) == "19700101");
    CHECK(wiredesk::format_yyyymmdd(1'769'250'615) == "20260124");
    CHECK(wiredesk::format_yyyymmdd(-1) == "19691231");
    CHECK(wiredesk::format_yyyymmdd(-1'821'637'320) == "19120411");
}

TEST_CASE("days_from_civil counts days from 1970-01-01, negative before") {
    CHECK(wiredesk::days_from_civil(1970, 1, 1) == 0);
    CHECK(wiredesk::days_from_civil(1969, 12, 31) == -1);
    CHECK(wiredesk::days_from_civil(2000, 3, 1) == 11'017);
    CHECK(wiredesk::days_from_civil(2026, 1, 24) == 20'477);
    CHECK(wiredesk::days_from_civil(1912, 4, 15) == -21'080);
    CHECK(wiredesk::days_from_civil(1600, 2, 29) == -135'081);
    CHECK(wiredesk::days_from_civil(1000, 1, 1) == -354'285);
    CHECK(wiredesk::days_from_civil(9999, 12, 31) == 2'932'896);
}

TEST_CASE("is_valid_civil knows month lengths and Gregorian leap years") {
    CHECK(wiredesk::is_valid_civil(2026, 1, 31));
    CHECK(wiredesk::is_valid_civil(2024, 2, 29));
    CHECK(wiredesk::is_valid_civil(2000, 2, 29));
    CHECK_FALSE(wiredesk::is_valid_civil(2025, 2, 29));
    CHECK_FALSE(wiredesk::is_valid_civil(1900, 2, 29));
    CHECK_FALSE(wiredesk::is_valid_civil(2026, 2, 30));
    CHECK_FALSE(wiredesk::is_valid_civil(2026, 4, 31));
    CHECK_FALSE(wiredesk::is_valid_civil(2026, 13, 1));
    CHECK_FALSE(wiredesk::is_valid_civil(2026, 0, 1));
    CHECK_FALSE(wiredesk::is_valid_civil(2026, 1, 0));
}

TEST_CASE("format_iso8601 output parses back to the same time across years 1000-9999") {
    const UnixTime first = midnight(1000, 1, 1);
    const UnixTime last = midnight(9999, 12, 31) + 86'399;
    // A step that is not a whole number of days visits every time of day and every date field.
    constexpr UnixTime step = 7'777'777;
    int mismatches = 0;
    for (UnixTime time = first; time <= last; time += step) {
        const std::string text = wiredesk::format_iso8601(time);
        if (wiredesk::parse_date(text) != time) {
            INFO("time ", time, " formatted as ", text);
            CHECK(wiredesk::parse_date(text) == time);
            if (++mismatches == 5) break;
        }
    }
    CHECK(mismatches == 0);
}

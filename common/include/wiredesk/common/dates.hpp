/// @file dates.hpp
/// @brief Parsing the date forms that real news archives use, normalized to UTC.
///
/// Dates are never invented: a string that is not recognised as a date gives std::nullopt, and
/// a string that is recognisably a date but impossible (2026-02-30) throws DateError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wiredesk {

/// Seconds since 1970-01-01T00:00:00Z.
using UnixTime = std::int64_t;

/// Parses @p text as a publication date and returns it in UTC.
///
/// Recognised forms (surrounding white space, including U+00A0, ignored; month and weekday
/// names in English, any case, abbreviated with or without a dot, `Sept.` included):
///   - ISO 8601: `2026-01-24`, `2026-01-24T10:30`, `2026-01-24T10:30:15`, `2026-01-24 10:30:15`,
///     fractions of a second (`.123` or `,123`), zone `Z`, `+03:00`, `+0300`, `-05`, or after a
///     space a zone name (`2026-01-24 10:30:15 UTC`); basic form `20260124` and
///     `20260124T103015Z`. Any 8-digit number is read as basic-form YYYYMMDD; no other bare
///     number is a date. Year-month alone (`2026-01`), week and ordinal dates are not accepted.
///   - RFC 2822: `Sat, 24 Jan 2026 10:30:00 +0000`, `24 Jan 2026 10:30 GMT`, a trailing comment
///     (`-0500 (EST)`), the obsolete two-digit year (`24 Jan 26 10:30 GMT`: 50-99 are 19xx,
///     00-49 are 20xx; only with a time after it), RFC 850's / Reuters' `26-FEB-1987 15:01:01.79`.
///   - Written dates: `Jan. 24, 2026`, `January 24, 2026`, `Jan 24th, 2026`, `24 January 2026`,
///     `24 Jan. 2026`, optionally preceded by a weekday (`Saturday, Jan. 24, 2026`,
///     `Sat. Jan 24 2026`) and followed by a time (`10:30 AM`, `, 3:15 p.m. EST`, `at 3 p.m.`,
///     `14:05 GMT`, `10:30 ET`); asctime / date(1) output `Sat Jan 24 10:30:15 UTC 2026`.
///   - Zones: numeric (`+0000`, `-05:00`, `GMT+2`, `UTC+05:30`); UT, UTC, GMT, Z; EST/EDT,
///     CST/CDT, MST/MDT, PST/PDT (fixed offsets); WET/WEST, CET/CEST, EET/EEST; and the US
///     generic ET/CT/MT/PT, which are standard or daylight time according to the US rules in
///     force that year (from 1967; before that, standard time; the repeated autumn hour is taken
///     as daylight time). Ambiguous abbreviations (IST, BST...) are not recognised: nullopt.
///     Without a zone the time is taken as UTC; without a time, midnight UTC.
///   - Times: `h:mm`, `h:mm:ss`, fraction of a second (dropped: the result is truncated to the
///     second), 12-hour clock with AM/PM/a.m./p.m. (hour 1-12 then), 24-hour clock (0-23; 24:00
///     is not accepted); second 60 (a leap second) becomes the next minute's first second.
///   - Without a year: `Saturday, Jan. 24` is resolved only when a weekday is given and
///     @p reference is set, to the latest date on which that month and day fall on that weekday
///     and which is at most 366 days after @p reference's UTC calendar date. Such dates recur
///     at least five years apart, so this is also the candidate closest to @p reference among
///     those not more than a year after it (with a reference of 2026-01-25, `Saturday, Jan. 24`
///     is 2026-01-24; with 2025-01-20 it is 2015-01-24, since 2026-01-24 lies 369 days after).
///     `Jan. 24` alone (no weekday) is not a date: std::nullopt, with or without a reference.
///   - Unix epoch seconds are NOT accepted: a bare number is ambiguous.
///
/// @param text the date as found in the article's metadata.
/// @param reference a time close to the article's publication (the file's mtime, say), used
///        only to resolve a year-less date; without it year-less dates give std::nullopt.
/// @return the instant in UTC (midnight UTC for a date without a time), or std::nullopt when
///         @p text is not a recognised date form (the whole text must match one).
/// @throws DateError when @p text is a recognised form with impossible values (month 13,
///         2026-02-30, 25:00, minute 61, a year outside 1000-9999, a zone offset beyond 18:00,
///         a weekday that contradicts the date); what() quotes the text and says what is wrong:
///         `impossible date '2026-02-30': February 2026 has 28 days`.
/// Thread-safe: pure function, independent of the global locale.
std::optional<UnixTime> parse_date(std::string_view text,
                                   std::optional<UnixTime> reference = std::nullopt);

/// `2026-01-24T10:30:15Z` (UTC; works for any time, including before 1970).
std::string format_iso8601(UnixTime time);

/// `20260124`: the form stored in the day value slot and the D term.
std::string format_yyyymmdd(UnixTime time);

/// Days since 1970-01-01 (negative before) for a proleptic Gregorian date (Howard Hinnant's
/// algorithm). Meaningful only for a date that is_valid_civil().
std::int64_t days_from_civil(int year, unsigned month, unsigned day) noexcept;

/// Whether year-month-day names a real day.
bool is_valid_civil(int year, unsigned month, unsigned day) noexcept;

}  // namespace wiredesk

/// @file dates.cpp
/// @brief parse_date(), the formatters and the civil-calendar helpers.
///
/// Parsing is done in two steps, so that "not a date" (std::nullopt) stays apart from "an
/// impossible date" (DateError):
///   1. A syntactic parser decides whether the whole text is one of the accepted forms and
///      collects its fields (DateFields) without judging them. There are two: a character-level
///      one for ISO 8601, and a small tokenizer plus recursive-descent parser for RFC 2822 and
///      written dates. Any leftover or unexpected text means "not a date".
///   2. resolve() checks the collected values, throws DateError for impossible ones, resolves a
///      year-less date and converts the wall-clock time and zone to UTC.
///
/// Everything is ASCII and hand-rolled (no locale, no strptime, no static mutable state), so the
/// result is the same in every thread and every locale.

#include "wiredesk/common/dates.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wiredesk/common/errors.hpp"
#include "wiredesk/common/text.hpp"

namespace wiredesk {
namespace {

constexpr std::int64_t seconds_per_day = 86'400;
constexpr int earliest_year = 1000;  // years are written with exactly four digits
constexpr int latest_year = 9999;
// Real zones lie within -12:00..+14:00; allow the same +-18:00 margin as java.time.ZoneOffset.
constexpr int largest_zone_offset_minutes = 18 * 60;
// How far after the reference a year-less date may fall (see the header).
constexpr std::int64_t year_less_days_after_reference = 366;

// ---------------------------------------------------------------------------------------------
// Characters: ASCII only, independent of the global locale.

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr bool is_letter(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr char to_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// UTF-8 NO-BREAK SPACE: dates scraped from HTML often carry one (`10:30&nbsp;AM`).
constexpr std::string_view no_break_space = "\xC2\xA0";

/// Length of the white space (one character) that @p text starts with, 0 if none.
std::size_t leading_space_length(std::string_view text) noexcept {
    if (!text.empty() && is_ascii_space(text.front())) return 1;
    if (text.starts_with(no_break_space)) return no_break_space.size();
    return 0;
}

/// Trims ASCII white space and no-break spaces (text.hpp's trim() knows only the former).
std::string_view trim_spaces(std::string_view text) noexcept {
    while (const std::size_t length = leading_space_length(text)) text.remove_prefix(length);
    while (!text.empty()) {
        if (is_ascii_space(text.back())) {
            text.remove_suffix(1);
        } else if (text.ends_with(no_break_space)) {
            text.remove_suffix(no_break_space.size());
        } else {
            break;
        }
    }
    return text;
}

/// Whether @p text spells @p lower_name, ignoring ASCII case.
bool equals_ignoring_case(std::string_view text, std::string_view lower_name) noexcept {
    if (text.size() != lower_name.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (to_lower(text[i]) != lower_name[i]) return false;
    }
    return true;
}

/// The value of a run of decimal digits; callers pass at most four.
int digits_value(std::string_view digits) noexcept {
    int value = 0;
    for (const char digit : digits) value = value * 10 + (digit - '0');
    return value;
}

// ---------------------------------------------------------------------------------------------
// Names of months, weekdays and zones.

struct Spelling {
    std::string_view lower_text;
    int value;
};

/// Months 1-12 under every spelling news copy uses, AP style's "Sept." included.
constexpr Spelling month_spellings[] = {
    {"january", 1},   {"jan", 1},  {"february", 2}, {"feb", 2},   {"march", 3},
    {"mar", 3},       {"april", 4}, {"apr", 4},     {"may", 5},   {"june", 6},
    {"jun", 6},       {"july", 7},  {"jul", 7},     {"august", 8}, {"aug", 8},
    {"september", 9}, {"sept", 9},  {"sep", 9},     {"october", 10}, {"oct", 10},
    {"november", 11}, {"nov", 11},  {"december", 12}, {"dec", 12},
};

/// Weekdays, 0 = Sunday (the numbering of weekday_from_days()).
constexpr Spelling weekday_spellings[] = {
    {"sunday", 0},   {"sun", 0},    {"monday", 1},   {"mon", 1},  {"tuesday", 2},
    {"tues", 2},     {"tue", 2},    {"wednesday", 3}, {"wed", 3}, {"thursday", 4},
    {"thurs", 4},    {"thur", 4},   {"thu", 4},      {"friday", 5}, {"fri", 5},
    {"saturday", 6}, {"sat", 6},
};

constexpr std::string_view month_names[] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};

constexpr std::string_view weekday_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

std::optional<int> look_up(std::string_view word, std::span<const Spelling> spellings) noexcept {
    for (const Spelling& spelling : spellings) {
        if (equals_ignoring_case(word, spelling.lower_text)) return spelling.value;
    }
    return std::nullopt;
}

/// A zone as written: a fixed offset from UTC, or a US zone named without saying whether
/// daylight saving time applies (`ET`), which then depends on the date.
struct Zone {
    int sign = +1;  ///< +1 east of UTC, -1 west
    int hours = 0;
    int minutes = 0;
    /// `ET`, `CT`, `MT`, `PT`: the offset above is standard time; add an hour while US daylight
    /// saving time is in force.
    bool follows_us_daylight_saving = false;
};

struct ZoneSpelling {
    std::string_view lower_text;
    int hours_east;
    bool follows_us_daylight_saving;
};

/// Zone names that mean one thing only. RFC 2822's names, the generic US ones and the
/// European ones; ambiguous abbreviations (IST, BST, CST-as-China...) are deliberately absent,
/// so a date using them is not recognised rather than guessed.
constexpr ZoneSpelling zone_spellings[] = {
    {"z", 0, false},    {"ut", 0, false},   {"utc", 0, false},  {"gmt", 0, false},
    {"est", -5, false}, {"edt", -4, false}, {"cst", -6, false}, {"cdt", -5, false},
    {"mst", -7, false}, {"mdt", -6, false}, {"pst", -8, false}, {"pdt", -7, false},
    {"et", -5, true},   {"ct", -6, true},   {"mt", -7, true},   {"pt", -8, true},
    {"wet", 0, false},  {"west", 1, false}, {"cet", 1, false},  {"cest", 2, false},
    {"eet", 2, false},  {"eest", 3, false},
};

std::optional<Zone> look_up_zone(std::string_view word) noexcept {
    for (const ZoneSpelling& spelling : zone_spellings) {
        if (equals_ignoring_case(word, spelling.lower_text)) {
            return Zone{spelling.hours_east < 0 ? -1 : +1,
                        spelling.hours_east < 0 ? -spelling.hours_east : spelling.hours_east, 0,
                        spelling.follows_us_daylight_saving};
        }
    }
    return std::nullopt;
}

/// Whether a named zone is UTC itself, so that `GMT+2` / `UTC-05:00` may follow it.
bool is_utc(const Zone& zone) noexcept {
    return zone.hours == 0 && zone.minutes == 0 && !zone.follows_us_daylight_saving;
}

// ---------------------------------------------------------------------------------------------
// What a syntactic parser found, before any value is judged.

enum class Meridiem { none, am, pm };

struct DateFields {
    std::optional<int> year;     ///< absent in `Saturday, Jan. 24`
    int month = 0;
    int day = 0;
    std::optional<int> weekday;  ///< as written, 0 = Sunday
    int hour = 0;
    int minute = 0;
    int second = 0;  ///< a written fraction is dropped: UnixTime counts whole seconds
    Meridiem meridiem = Meridiem::none;
    Zone zone;  ///< UTC unless the text names a zone
};

// ---------------------------------------------------------------------------------------------
// ISO 8601, read character by character: its fields are fixed-width and unseparated in the
// basic form, which a word tokenizer would only get in the way of.

class Cursor {
public:
    explicit Cursor(std::string_view text) noexcept : m_text(text) {}

    [[nodiscard]] bool at_end() const noexcept { return m_position == m_text.size(); }
    [[nodiscard]] char peek() const noexcept { return at_end() ? '\0' : m_text[m_position]; }

    bool accept(char expected) noexcept {
        if (at_end() || m_text[m_position] != expected) return false;
        ++m_position;
        return true;
    }

    bool accept_one_of(std::string_view expected) noexcept {
        if (at_end() || expected.find(m_text[m_position]) == std::string_view::npos) return false;
        ++m_position;
        return true;
    }

    /// Exactly @p count digits (at most four), as a number.
    std::optional<int> fixed_digits(std::size_t count) noexcept {
        if (m_text.size() - m_position < count) return std::nullopt;
        const std::string_view digits = m_text.substr(m_position, count);
        for (const char c : digits) {
            if (!is_digit(c)) return std::nullopt;
        }
        m_position += count;
        return digits_value(digits);
    }

    /// Skips a run of digits and says how many there were.
    std::size_t skip_digits() noexcept {
        const std::size_t start = m_position;
        while (is_digit(peek())) ++m_position;
        return m_position - start;
    }

    std::string_view take_letters() noexcept {
        const std::size_t start = m_position;
        while (is_letter(peek())) ++m_position;
        return m_text.substr(start, m_position - start);
    }

private:
    std::string_view m_text;
    std::size_t m_position = 0;
};

/// The zone after an ISO time: `Z`, `+03:00`, `+0300`, `-05`, optionally after one space, which
/// also admits a zone name (`2026-01-24 10:30:15 UTC`, as many tools print).
bool parse_iso_zone(Cursor& in, Zone& zone) {
    in.accept(' ');
    const char sign = in.peek();
    if (sign == '+' || sign == '-') {
        in.accept(sign);
        const std::optional<int> hours = in.fixed_digits(2);
        if (!hours) return false;
        std::optional<int> minutes = 0;
        if (in.accept(':') || is_digit(in.peek())) minutes = in.fixed_digits(2);
        if (!minutes) return false;
        zone = Zone{sign == '-' ? -1 : +1, *hours, *minutes, false};
        return true;
    }
    const std::optional<Zone> named = look_up_zone(in.take_letters());
    if (!named) return false;
    zone = *named;
    return true;
}

/// Extended `2026-01-24[(T| )10:30[:15[.123]]][zone]` or basic `20260124[T1030[15[.123]]][zone]`.
std::optional<DateFields> parse_iso8601(std::string_view text) {
    Cursor in(text);
    DateFields fields;
    const std::optional<int> year = in.fixed_digits(4);
    if (!year) return std::nullopt;
    const bool extended = in.accept('-');
    const std::optional<int> month = in.fixed_digits(2);
    if (!month || (extended && !in.accept('-'))) return std::nullopt;
    const std::optional<int> day = in.fixed_digits(2);
    if (!day) return std::nullopt;
    fields.year = *year;
    fields.month = *month;
    fields.day = *day;
    if (in.at_end()) return fields;

    // A space may stand for the T only in the extended form: `20260124 1030` is two numbers.
    if (!in.accept_one_of("Tt") && !(extended && in.accept(' '))) return std::nullopt;
    const std::optional<int> hour = in.fixed_digits(2);
    if (!hour || (extended && !in.accept(':'))) return std::nullopt;
    const std::optional<int> minute = in.fixed_digits(2);
    if (!minute) return std::nullopt;
    fields.hour = *hour;
    fields.minute = *minute;
    const bool has_seconds = extended ? in.accept(':') : is_digit(in.peek());
    if (has_seconds) {
        const std::optional<int> second = in.fixed_digits(2);
        if (!second) return std::nullopt;
        fields.second = *second;
        // ISO allows a comma as the decimal sign.
        if (in.accept_one_of(".,") && in.skip_digits() == 0) return std::nullopt;
    }
    if (!in.at_end() && !parse_iso_zone(in, fields.zone)) return std::nullopt;
    if (!in.at_end()) return std::nullopt;
    return fields;
}

// ---------------------------------------------------------------------------------------------
// RFC 2822 and written dates, read as tokens: words, numbers and single punctuation marks.

struct Token {
    enum class Kind { number, word, mark };
    Kind kind;
    std::string_view text;
    /// White space separates it from the previous token: tells `10:30` from `10 : 30` and the
    /// dot of `Jan.` from a full stop.
    bool after_space;
};

/// Splits @p text into tokens; std::nullopt at any character no accepted form uses (slashes,
/// dashes other than '-', non-ASCII letters...).
std::optional<std::vector<Token>> tokenize(std::string_view text) {
    constexpr std::string_view marks = ",.:+-()";
    std::vector<Token> tokens;
    bool after_space = false;
    std::size_t position = 0;
    while (position < text.size()) {
        if (const std::size_t space = leading_space_length(text.substr(position))) {
            position += space;
            after_space = true;
            continue;
        }
        const char first = text[position];
        std::size_t end = position + 1;
        Token::Kind kind{};
        if (is_digit(first)) {
            kind = Token::Kind::number;
            while (end < text.size() && is_digit(text[end])) ++end;
        } else if (is_letter(first)) {
            kind = Token::Kind::word;
            while (end < text.size() && is_letter(text[end])) ++end;
        } else if (marks.find(first) != std::string_view::npos) {
            kind = Token::Kind::mark;
        } else {
            return std::nullopt;
        }
        tokens.push_back(Token{kind, text.substr(position, end - position), after_space});
        after_space = false;
        position = end;
    }
    return tokens;
}

/// Grammar (each part optional where bracketed; `.` after a name is optional and attached):
///
///     [weekday [,]] date [[,] [at] time [meridiem] [zone [(comment)]]] [year]
///     date  = month day[st|nd|rd|th] [,] [year]          `Jan. 24, 2026`
///           | day month [,] [year | yy]                   `24 Jan 2026`, RFC `24 Jan 26`
///           | day-month-year                              Reuters `26-FEB-1987`
///     time  = h[h]:mm[:ss[.fraction]] | h[h] meridiem      `10:30:15`, `3 p.m.`
///
/// The trailing year serves asctime and date(1) output (`Sat Jan 24 10:30:15 UTC 2026`).
/// A two-digit year is RFC 2822's obsolete form and only accepted with a time after it.
class WrittenDateParser {
public:
    explicit WrittenDateParser(const std::vector<Token>& tokens) noexcept : m_tokens(tokens) {}

    std::optional<DateFields> parse() {
        DateFields fields;
        if (const std::optional<int> weekday = accept_name(weekday_spellings)) {
            fields.weekday = *weekday;
            accept_mark(',');
        }

        bool two_digit_year = false;
        if (const std::optional<int> month = accept_name(month_spellings)) {
            fields.month = *month;
            const std::optional<int> day = accept_day();
            if (!day) return std::nullopt;
            fields.day = *day;
            accept_mark(',');
            fields.year = accept_four_digit_year();
        } else if (const std::optional<int> day = accept_day()) {
            fields.day = *day;
            if (accept_attached_mark('-')) {
                if (!parse_hyphenated_month_year(fields, two_digit_year)) return std::nullopt;
            } else {
                const std::optional<int> day_first_month = accept_name(month_spellings);
                if (!day_first_month) return std::nullopt;
                fields.month = *day_first_month;
                accept_mark(',');
                fields.year = accept_four_digit_year();
                if (!fields.year) {
                    fields.year = accept_two_digit_year();
                    two_digit_year = fields.year.has_value();
                }
            }
        } else {
            return std::nullopt;
        }

        const bool has_time = parse_time_clause(fields);
        if (has_time && !fields.year) fields.year = accept_four_digit_year();

        if (!at_end()) return std::nullopt;
        if (two_digit_year && !has_time) return std::nullopt;
        // A year-less date is only a date when a weekday pins it down (see the header).
        if (!fields.year && !fields.weekday) return std::nullopt;
        return fields;
    }

private:
    [[nodiscard]] bool at_end() const noexcept { return m_next == m_tokens.size(); }

    [[nodiscard]] const Token* peek(std::size_t ahead = 0) const noexcept {
        return m_next + ahead < m_tokens.size() ? &m_tokens[m_next + ahead] : nullptr;
    }

    [[nodiscard]] bool is_mark(const Token* token, char mark) const noexcept {
        return token != nullptr && token->kind == Token::Kind::mark && token->text[0] == mark;
    }

    bool accept_mark(char mark) noexcept {
        if (!is_mark(peek(), mark)) return false;
        ++m_next;
        return true;
    }

    /// A mark written against the previous token: the `.` of `Jan.`, the `:` of `10:30`.
    bool accept_attached_mark(char mark) noexcept {
        if (!is_mark(peek(), mark) || peek()->after_space) return false;
        ++m_next;
        return true;
    }

    bool accept_word(std::string_view lower_text, bool attached = false) noexcept {
        const Token* token = peek();
        if (token == nullptr || token->kind != Token::Kind::word ||
            !equals_ignoring_case(token->text, lower_text) || (attached && token->after_space)) {
            return false;
        }
        ++m_next;
        return true;
    }

    /// A number of @p min_digits to @p max_digits digits (at most four).
    std::optional<int> accept_number(std::size_t min_digits, std::size_t max_digits,
                                     bool attached = false) noexcept {
        const Token* token = peek();
        if (token == nullptr || token->kind != Token::Kind::number ||
            token->text.size() < min_digits || token->text.size() > max_digits ||
            (attached && token->after_space)) {
            return std::nullopt;
        }
        ++m_next;
        return digits_value(token->text);
    }

    /// A month or weekday name, with its optional abbreviation dot.
    std::optional<int> accept_name(std::span<const Spelling> spellings,
                                   bool attached = false) noexcept {
        const Token* token = peek();
        if (token == nullptr || token->kind != Token::Kind::word ||
            (attached && token->after_space)) {
            return std::nullopt;
        }
        const std::optional<int> value = look_up(token->text, spellings);
        if (!value) return std::nullopt;
        ++m_next;
        accept_attached_mark('.');
        return value;
    }

    /// `24`, `24th`: the ordinal suffix is accepted but not checked against the number.
    std::optional<int> accept_day() noexcept {
        const std::optional<int> day = accept_number(1, 2);
        if (day) {
            for (const std::string_view suffix : {"st", "nd", "rd", "th"}) {
                if (accept_word(suffix, true)) break;
            }
        }
        return day;
    }

    std::optional<int> accept_four_digit_year() noexcept { return accept_number(4, 4); }

    /// RFC 2822's obsolete `yy`: 50-99 are 1950-1999, 00-49 are 2000-2049. Not when a `:`
    /// follows, for then the number is the hour of a year-less `24 Jan 10:30`.
    std::optional<int> accept_two_digit_year() noexcept {
        const Token* token = peek();
        if (token == nullptr || token->kind != Token::Kind::number || token->text.size() != 2) {
            return std::nullopt;
        }
        const Token* next = peek(1);
        if (is_mark(next, ':') && !next->after_space) return std::nullopt;
        ++m_next;
        return expand_two_digit_year(digits_value(token->text));
    }

    static int expand_two_digit_year(int year) noexcept {
        return year >= 50 ? 1900 + year : 2000 + year;
    }

    /// The `FEB-1987` of Reuters' `26-FEB-1987` (and RFC 850's `24-Jan-26`), after the day and
    /// its hyphen.
    bool parse_hyphenated_month_year(DateFields& fields, bool& two_digit_year) noexcept {
        const std::optional<int> month = accept_name(month_spellings, true);
        if (!month || !accept_attached_mark('-')) return false;
        fields.month = *month;
        if (const std::optional<int> year = accept_number(4, 4, true)) {
            fields.year = *year;
            return true;
        }
        const std::optional<int> short_year = accept_number(2, 2, true);
        if (!short_year) return false;
        fields.year = expand_two_digit_year(*short_year);
        two_digit_year = true;
        return true;
    }

    /// `, at 10:30 AM EST (comment)`; leaves the position untouched when no time follows.
    bool parse_time_clause(DateFields& fields) noexcept {
        const std::size_t start = m_next;
        accept_mark(',');
        accept_word("at");
        if (!parse_time(fields)) {
            m_next = start;
            return false;
        }
        if (parse_zone(fields.zone)) skip_comment();
        return true;
    }

    /// `10:30`, `10:30:15.79`, `10:30 AM`, `3 p.m.`: an hour alone needs its a.m./p.m.
    bool parse_time(DateFields& fields) noexcept {
        const std::size_t start = m_next;
        const std::optional<int> hour = accept_number(1, 2);
        if (!hour) return false;
        fields.hour = *hour;
        if (accept_attached_mark(':')) {
            const std::optional<int> minute = accept_number(2, 2, true);
            if (!minute) return restore(start);
            fields.minute = *minute;
            if (accept_attached_mark(':')) {
                const std::optional<int> second = accept_number(2, 2, true);
                if (!second) return restore(start);
                fields.second = *second;
                if (accept_attached_mark('.') && !skip_attached_number()) return restore(start);
            }
            parse_meridiem(fields);
            return true;
        }
        return parse_meridiem(fields) || restore(start);
    }

    /// `AM`, `pm`, `a.m.`, `P.M`, attached (`10:30AM`) or not.
    bool parse_meridiem(DateFields& fields) noexcept {
        const std::size_t start = m_next;
        Meridiem meridiem = Meridiem::none;
        if (accept_word("am")) {
            meridiem = Meridiem::am;
        } else if (accept_word("pm")) {
            meridiem = Meridiem::pm;
        } else {
            if (accept_word("a")) {
                meridiem = Meridiem::am;
            } else if (accept_word("p")) {
                meridiem = Meridiem::pm;
            } else {
                return false;
            }
            if (!accept_attached_mark('.') || !accept_word("m", true)) return restore(start);
        }
        accept_attached_mark('.');
        fields.meridiem = meridiem;
        return true;
    }

    /// `EST`, `GMT`, `ET`, `+0000`, `-05:00`, `GMT+2`, `UTC+05:30`.
    bool parse_zone(Zone& zone) noexcept {
        const std::size_t start = m_next;
        const Token* token = peek();
        if (token != nullptr && token->kind == Token::Kind::word) {
            const std::optional<Zone> named = look_up_zone(token->text);
            if (!named) return false;
            ++m_next;
            zone = *named;
            const Token* next = peek();
            if (is_utc(*named) && next != nullptr && !next->after_space &&
                (is_mark(next, '+') || is_mark(next, '-'))) {
                return parse_numeric_offset(zone) || restore(start);
            }
            return true;
        }
        return parse_numeric_offset(zone);
    }

    /// `+0000`, `-0500`, `+05:30`, `-05`, `+2`: the sign attached to the digits.
    bool parse_numeric_offset(Zone& zone) noexcept {
        const std::size_t start = m_next;
        int sign = 0;
        if (accept_mark('+')) {
            sign = +1;
        } else if (accept_mark('-')) {
            sign = -1;
        } else {
            return false;
        }
        const Token* digits = peek();
        if (digits == nullptr || digits->kind != Token::Kind::number || digits->after_space) {
            return restore(start);
        }
        if (digits->text.size() == 4) {
            ++m_next;
            zone = Zone{sign, digits_value(digits->text.substr(0, 2)),
                        digits_value(digits->text.substr(2)), false};
            return true;
        }
        const std::optional<int> hours = accept_number(1, 2, true);
        if (!hours) return restore(start);
        int minutes = 0;
        if (accept_attached_mark(':')) {
            const std::optional<int> written_minutes = accept_number(2, 2, true);
            if (!written_minutes) return restore(start);
            minutes = *written_minutes;
        }
        zone = Zone{sign, *hours, minutes, false};
        return true;
    }

    /// RFC 2822's trailing comment, `-0500 (EST)`: its content is not interpreted.
    void skip_comment() noexcept {
        const std::size_t start = m_next;
        if (!accept_mark('(')) return;
        while (!at_end()) {
            if (accept_mark(')')) return;
            ++m_next;
        }
        m_next = start;  // unclosed: leave it, and the text is not a date
    }

    bool skip_attached_number() noexcept {
        const Token* token = peek();
        if (token == nullptr || token->kind != Token::Kind::number || token->after_space) {
            return false;
        }
        ++m_next;
        return true;
    }

    /// Backtracks to @p position; returns false so callers can `return restore(start);`.
    bool restore(std::size_t position) noexcept {
        m_next = position;
        return false;
    }

    const std::vector<Token>& m_tokens;
    std::size_t m_next = 0;
};

// ---------------------------------------------------------------------------------------------
// Civil calendar (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms").

struct CivilDate {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

CivilDate civil_from_days(std::int64_t days) noexcept {
    days += 719'468;  // shift the epoch to 0000-03-01, so leap days end each 400-year era
    const std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146'097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1'460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned march_based_month = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
    const unsigned month = march_based_month < 10 ? march_based_month + 3 : march_based_month - 9;
    const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400;
    return {year + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap_year(std::int64_t year) noexcept {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned days_in_month(std::int64_t year, unsigned month) noexcept {
    constexpr unsigned common_year_lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : common_year_lengths[month - 1];
}

/// 0 = Sunday. 1970-01-01 was a Thursday.
int weekday_from_days(std::int64_t days) noexcept {
    const std::int64_t remainder = (days + 4) % 7;
    return static_cast<int>(remainder < 0 ? remainder + 7 : remainder);
}

struct DayAndSecond {
    std::int64_t days;          ///< since 1970-01-01, rounded down
    std::int64_t second_of_day; ///< 0-86399
};

/// Splits @p time without computing days * 86400, which can overflow near INT64_MIN.
DayAndSecond split_time(UnixTime time) noexcept {
    std::int64_t days = time / seconds_per_day;
    std::int64_t second_of_day = time % seconds_per_day;
    if (second_of_day < 0) {
        second_of_day += seconds_per_day;
        --days;
    }
    return {days, second_of_day};
}

// ---------------------------------------------------------------------------------------------
// US daylight saving time, for the generic zones `ET`, `CT`, `MT`, `PT`.

std::int64_t first_sunday_on_or_after(std::int64_t days) noexcept {
    return days + (7 - weekday_from_days(days)) % 7;
}

std::int64_t nth_sunday(int year, unsigned month, int n) noexcept {
    return first_sunday_on_or_after(days_from_civil(year, month, 1)) + 7 * (n - 1);
}

std::int64_t last_sunday(int year, unsigned month) noexcept {
    const std::int64_t last_day = days_from_civil(year, month, days_in_month(year, month));
    return last_day - weekday_from_days(last_day);
}

/// The local dates on which US daylight saving time starts and ends in @p year (the switch is
/// at 02:00 local time), or std::nullopt before the Uniform Time Act of 1966 took effect.
struct DaylightPeriod {
    std::int64_t first_day;
    std::int64_t last_day;
};

std::optional<DaylightPeriod> us_daylight_period(int year) noexcept {
    if (year >= 2007) return DaylightPeriod{nth_sunday(year, 3, 2), nth_sunday(year, 11, 1)};
    if (year >= 1987) return DaylightPeriod{nth_sunday(year, 4, 1), last_sunday(year, 10)};
    // The 1974-1975 energy-crisis years started early.
    if (year == 1974) return DaylightPeriod{days_from_civil(1974, 1, 6), last_sunday(1974, 10)};
    if (year == 1975) return DaylightPeriod{days_from_civil(1975, 2, 23), last_sunday(1975, 10)};
    if (year >= 1967) return DaylightPeriod{last_sunday(year, 4), last_sunday(year, 10)};
    return std::nullopt;
}

/// Whether a US wall-clock time (seconds since the epoch as if it were UTC) is daylight time.
/// The repeated hour of the autumn change counts as daylight time (its first occurrence); the
/// skipped spring hour also counts as daylight time.
bool is_us_daylight_time(int year, std::int64_t local_seconds) noexcept {
    const std::optional<DaylightPeriod> period = us_daylight_period(year);
    if (!period) return false;
    constexpr std::int64_t switch_second = 2 * 3'600;
    return local_seconds >= period->first_day * seconds_per_day + switch_second &&
           local_seconds < period->last_day * seconds_per_day + switch_second;
}

// ---------------------------------------------------------------------------------------------
// Formatting (std::to_chars: locale-independent).

void append_padded(std::string& out, std::int64_t value, int width) {
    char digits[24];
    const bool negative = value < 0;
    // Negate as unsigned so INT64_MIN does not overflow.
    const std::uint64_t magnitude =
        negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    const auto [end, error] = std::to_chars(digits, digits + sizeof digits, magnitude);
    (void)error;  // 24 characters always hold a 64-bit number
    const auto length = static_cast<int>(end - digits);
    if (negative) out += '-';
    if (length < width) out.append(static_cast<std::size_t>(width - length), '0');
    out.append(digits, end);
}

std::string two_digits(int value) {
    std::string out;
    append_padded(out, value, 2);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Judging the fields and converting them to UTC.

[[noreturn]] void throw_impossible(std::string_view text, const std::string& reason) {
    throw DateError("impossible date '" + std::string(text) + "': " + reason);
}

std::string describe_offset(const Zone& zone) {
    return std::string(zone.sign < 0 ? "-" : "+") + two_digits(zone.hours) + ":" +
           two_digits(zone.minutes);
}

void check_day(const DateFields& fields, std::string_view text) {
    const std::string month_name(month_names[fields.month - 1]);
    if (fields.day == 0) throw_impossible(text, "there is no day 0");
    if (fields.year) {
        const unsigned length = days_in_month(*fields.year, static_cast<unsigned>(fields.month));
        if (static_cast<unsigned>(fields.day) > length) {
            throw_impossible(text, month_name + " " + std::to_string(*fields.year) + " has " +
                                       std::to_string(length) + " days");
        }
    } else {
        // Year-less: the day must exist in some year, so February may have 29.
        const unsigned longest = days_in_month(2000, static_cast<unsigned>(fields.month));
        if (static_cast<unsigned>(fields.day) > longest) {
            throw_impossible(text, month_name + " has " + (fields.month == 2 ? "at most " : "") +
                                       std::to_string(longest) + " days");
        }
    }
}

/// The hour on the 24-hour clock, after checking the written hour, minute and second.
int check_time(const DateFields& fields, std::string_view text) {
    int hour = fields.hour;
    if (fields.meridiem != Meridiem::none) {
        const char* meridiem = fields.meridiem == Meridiem::am ? "AM" : "PM";
        if (hour < 1 || hour > 12) {
            throw_impossible(text, "hour " + std::to_string(hour) + " " + meridiem +
                                       " is not on the 12-hour clock (1-12)");
        }
        hour = hour % 12 + (fields.meridiem == Meridiem::pm ? 12 : 0);
    } else if (hour > 23) {
        throw_impossible(text, "hour " + std::to_string(hour) + " is out of range (0-23)");
    }
    if (fields.minute > 59) {
        throw_impossible(text, "minute " + std::to_string(fields.minute) +
                                   " is out of range (0-59)");
    }
    // 60 is a leap second (RFC 2822 and ISO 8601 allow it); Unix time has no place for it, so it
    // becomes the first second of the next minute, as POSIX timegm() does.
    if (fields.second > 60) {
        throw_impossible(text, "second " + std::to_string(fields.second) +
                                   " is out of range (0-60)");
    }
    return hour;
}

void check_zone(const Zone& zone, std::string_view text) {
    if (zone.minutes > 59) {
        throw_impossible(text, "zone offset " + describe_offset(zone) +
                                   " has more than 59 minutes");
    }
    if (zone.hours * 60 + zone.minutes > largest_zone_offset_minutes) {
        throw_impossible(text, "zone offset " + describe_offset(zone) +
                                   " is out of range (at most 18:00 from UTC)");
    }
}

/// The latest year in which @p month / @p day falls on @p weekday and which is at most
/// year_less_days_after_reference days after @p reference (see the header for why).
std::optional<int> resolve_year(int month, int day, int weekday, UnixTime reference) {
    const std::int64_t latest_day = split_time(reference).days + year_less_days_after_reference;
    const std::int64_t start_year = civil_from_days(latest_day).year;
    if (start_year < earliest_year) return std::nullopt;
    for (auto year = static_cast<int>(start_year < latest_year ? start_year : latest_year);
         year >= earliest_year; --year) {
        const auto month_number = static_cast<unsigned>(month);
        const auto day_number = static_cast<unsigned>(day);
        if (!is_valid_civil(year, month_number, day_number)) continue;  // 29 February
        const std::int64_t days = days_from_civil(year, month_number, day_number);
        if (days <= latest_day && weekday_from_days(days) == weekday) return year;
    }
    return std::nullopt;
}

std::optional<UnixTime> resolve(const DateFields& fields, std::string_view text,
                                std::optional<UnixTime> reference) {
    if (fields.month < 1 || fields.month > 12) {
        throw_impossible(text, "there is no month " + std::to_string(fields.month));
    }
    if (fields.year && (*fields.year < earliest_year || *fields.year > latest_year)) {
        throw_impossible(text, "year " + std::to_string(*fields.year) + " is outside " +
                                   std::to_string(earliest_year) + "-" +
                                   std::to_string(latest_year));
    }
    check_day(fields, text);
    const int hour = check_time(fields, text);
    check_zone(fields.zone, text);

    int year = 0;
    if (fields.year) {
        year = *fields.year;
        const std::int64_t days = days_from_civil(year, static_cast<unsigned>(fields.month),
                                                  static_cast<unsigned>(fields.day));
        const int actual_weekday = weekday_from_days(days);
        if (fields.weekday && *fields.weekday != actual_weekday) {
            throw_impossible(text, std::string(month_names[fields.month - 1]) + " " +
                                       std::to_string(fields.day) + ", " + std::to_string(year) +
                                       " is a " + std::string(weekday_names[actual_weekday]) +
                                       ", not a " +
                                       std::string(weekday_names[*fields.weekday]));
        }
    } else {
        // The parser only lets a year-less date through with a weekday.
        if (!reference || !fields.weekday) return std::nullopt;
        const std::optional<int> resolved =
            resolve_year(fields.month, fields.day, *fields.weekday, *reference);
        if (!resolved) return std::nullopt;
        year = *resolved;
    }

    const std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(fields.month),
                        static_cast<unsigned>(fields.day));
    const std::int64_t local_seconds =
        days * seconds_per_day + hour * 3'600 + fields.minute * 60 + fields.second;
    std::int64_t offset_seconds =
        fields.zone.sign * (fields.zone.hours * 3'600 + fields.zone.minutes * 60);
    if (fields.zone.follows_us_daylight_saving && is_us_daylight_time(year, local_seconds)) {
        offset_seconds += 3'600;
    }
    return local_seconds - offset_seconds;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::optional<UnixTime> parse_date(std::string_view text, std::optional<UnixTime> reference) {
    const std::string_view trimmed = trim_spaces(text);
    if (trimmed.empty()) return std::nullopt;

    // Only a text starting with four digits can be ISO; `24 Jan 2026` falls through.
    std::optional<DateFields> fields = parse_iso8601(trimmed);
    if (!fields) {
        const std::optional<std::vector<Token>> tokens = tokenize(trimmed);
        if (!tokens) return std::nullopt;
        fields = WrittenDateParser(*tokens).parse();
        if (!fields) return std::nullopt;
    }
    return resolve(*fields, trimmed, reference);
}

std::string format_iso8601(UnixTime time) {
    const auto [days, second_of_day] = split_time(time);
    const CivilDate date = civil_from_days(days);
    std::string out;
    out.reserve(20);
    append_padded(out, date.year, 4);
    out += '-';
    append_padded(out, date.month, 2);
    out += '-';
    append_padded(out, date.day, 2);
    out += 'T';
    append_padded(out, second_of_day / 3'600, 2);
    out += ':';
    append_padded(out, second_of_day / 60 % 60, 2);
    out += ':';
    append_padded(out, second_of_day % 60, 2);
    out += 'Z';
    return out;
}

std::string format_yyyymmdd(UnixTime time) {
    const CivilDate date = civil_from_days(split_time(time).days);
    std::string out;
    out.reserve(8);
    append_padded(out, date.year, 4);
    append_padded(out, date.month, 2);
    append_padded(out, date.day, 2);
    return out;
}

std::int64_t days_from_civil(int year, unsigned month, unsigned day) noexcept {
    // Count from 0000-03-01 so the leap day is the last day of each (March-based) year.
    const std::int64_t march_based_year = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
    const std::int64_t era =
        (march_based_year >= 0 ? march_based_year : march_based_year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(march_based_year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146'097 + static_cast<std::int64_t>(day_of_era) - 719'468;
}

bool is_valid_civil(int year, unsigned month, unsigned day) noexcept {
    return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

}  // namespace wiredesk

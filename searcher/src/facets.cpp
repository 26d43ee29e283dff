#include "wiredesk/searcher/facets.hpp"

#include <algorithm>
#include <vector>

#include <fmt/core.h>

#include "wiredesk/common/dates.hpp"

namespace wiredesk::searcher {
namespace {

struct Civil {
    int year = 0;
    unsigned month = 0;
    unsigned day = 0;
};

std::optional<Civil> parse_yyyymmdd(std::string_view day) {
    if (day.size() != 8 || !std::all_of(day.begin(), day.end(), [](char c) {
            return c >= '0' && c <= '9';
        })) {
        return std::nullopt;
    }
    const int year = std::stoi(std::string(day.substr(0, 4)));
    const auto month = static_cast<unsigned>(std::stoi(std::string(day.substr(4, 2))));
    const auto dom = static_cast<unsigned>(std::stoi(std::string(day.substr(6, 2))));
    if (!is_valid_civil(year, month, dom)) return std::nullopt;
    return Civil{year, month, dom};
}

std::int64_t days_of(const Civil& c) { return days_from_civil(c.year, c.month, c.day); }

Civil civil_from_days(std::int64_t z) {
    // Howard Hinnant's civil_from_days, the inverse of days_from_civil.
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return Civil{static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

/// ISO 8601 week: (week-based year, week number 1-53).
std::pair<int, unsigned> iso_week(const Civil& c) {
    const std::int64_t days = days_of(c);
    // 1970-01-01 was a Thursday; ISO weekday 1 = Monday.
    const auto weekday = static_cast<int>(((days % 7) + 7 + 3) % 7) + 1;
    const std::int64_t thursday = days - weekday + 4;  // the Thursday of this ISO week
    const Civil t = civil_from_days(thursday);
    const std::int64_t first = days_from_civil(t.year, 1, 1);
    return {t.year, static_cast<unsigned>((thursday - first) / 7 + 1)};
}

std::string key_of(const Civil& c, DateBucket bucket) {
    switch (bucket) {
        case DateBucket::kYear:
            return fmt::format("{:04}", c.year);
        case DateBucket::kMonth:
            return fmt::format("{:04}-{:02}", c.year, c.month);
        case DateBucket::kWeek: {
            const auto [year, week] = iso_week(c);
            return fmt::format("{:04}-W{:02}", year, week);
        }
        case DateBucket::kDay:
        case DateBucket::kAuto:
            break;
    }
    return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

/// The first day of the bucket after the one holding @p c.
Civil next_bucket(const Civil& c, DateBucket bucket) {
    switch (bucket) {
        case DateBucket::kYear:
            return Civil{c.year + 1, 1, 1};
        case DateBucket::kMonth:
            return c.month == 12 ? Civil{c.year + 1, 1, 1} : Civil{c.year, c.month + 1, 1};
        case DateBucket::kWeek:
            return civil_from_days(days_of(c) + 7);
        case DateBucket::kDay:
        case DateBucket::kAuto:
            break;
    }
    return civil_from_days(days_of(c) + 1);
}

std::string iso_day(std::string_view yyyymmdd) {
    return std::string(yyyymmdd.substr(0, 4)) + "-" + std::string(yyyymmdd.substr(4, 2)) + "-" +
           std::string(yyyymmdd.substr(6, 2));
}

}  // namespace

DateBucket choose_bucket(std::string_view first_day, std::string_view last_day) {
    const auto first = parse_yyyymmdd(first_day);
    const auto last = parse_yyyymmdd(last_day);
    if (!first || !last) return DateBucket::kDay;
    const std::int64_t span = days_of(*last) - days_of(*first);
    if (span <= 62) return DateBucket::kDay;
    if (span <= 366) return DateBucket::kWeek;
    if (span <= 3653) return DateBucket::kMonth;
    return DateBucket::kYear;
}

std::string bucket_key(std::string_view day, DateBucket bucket) {
    const auto civil = parse_yyyymmdd(day);
    if (!civil) return {};
    return key_of(*civil, bucket);
}

DateHistogram make_histogram(const std::map<std::string, std::size_t>& day_counts,
                             std::size_t undated, DateBucket bucket) {
    DateHistogram histogram;
    histogram.undated = undated;
    // Only valid days count (a value slot written by another tool could hold anything).
    std::map<std::string, std::size_t> valid;
    for (const auto& [day, count] : day_counts) {
        if (parse_yyyymmdd(day)) valid[day] += count;
    }
    if (valid.empty()) {
        histogram.bucket = bucket == DateBucket::kAuto ? DateBucket::kDay : bucket;
        return histogram;
    }
    const std::string& first = valid.begin()->first;
    const std::string& last = valid.rbegin()->first;
    histogram.first = iso_day(first);
    histogram.last = iso_day(last);
    if (bucket == DateBucket::kAuto) bucket = choose_bucket(first, last);
    histogram.bucket = bucket;

    std::map<std::string, std::size_t> counts;  // bucket keys sort in time order
    for (const auto& [day, count] : valid) counts[bucket_key(day, bucket)] += count;

    // Fill the gaps, so that a chart shows time to scale; but never an absurd number of bars.
    std::vector<std::string> keys;
    const Civil end = *parse_yyyymmdd(last);
    const std::string end_key = key_of(end, bucket);
    for (Civil c = *parse_yyyymmdd(first);; c = next_bucket(c, bucket)) {
        std::string key = key_of(c, bucket);
        if (keys.empty() || keys.back() != key) keys.push_back(key);
        if (key == end_key || keys.size() > kMaxHistogramBuckets) break;
    }
    if (keys.size() > kMaxHistogramBuckets) {
        keys.clear();
        for (const auto& [key, count] : counts) keys.push_back(key);
    }
    for (const std::string& key : keys) {
        const auto found = counts.find(key);
        histogram.buckets.push_back({key, found == counts.end() ? 0 : found->second});
    }
    return histogram;
}

void fill_sources(Facets& facets, const std::map<std::string, std::size_t>& counts,
                  std::size_t top) {
    std::vector<FacetValue> all;
    all.reserve(counts.size());
    for (const auto& [name, count] : counts) all.push_back({name, count});
    std::stable_sort(all.begin(), all.end(), [](const FacetValue& a, const FacetValue& b) {
        return a.count > b.count;  // stable: equal counts stay in name order
    });
    facets.sources.clear();
    facets.other_sources = 0;
    facets.other_source_values = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (i < top) {
            facets.sources.push_back(all[i]);
        } else {
            facets.other_sources += all[i].count;
            ++facets.other_source_values;
        }
    }
}

std::string_view bucket_name(DateBucket bucket) noexcept {
    switch (bucket) {
        case DateBucket::kDay:
            return "day";
        case DateBucket::kWeek:
            return "week";
        case DateBucket::kMonth:
            return "month";
        case DateBucket::kYear:
            return "year";
        case DateBucket::kAuto:
            break;
    }
    return "auto";
}

std::optional<DateBucket> parse_bucket(std::string_view name) noexcept {
    if (name == "day") return DateBucket::kDay;
    if (name == "week") return DateBucket::kWeek;
    if (name == "month") return DateBucket::kMonth;
    if (name == "year") return DateBucket::kYear;
    if (name == "auto") return DateBucket::kAuto;
    return std::nullopt;
}

}  // namespace wiredesk::searcher

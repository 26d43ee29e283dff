/// @file facets.hpp
/// @brief Turning raw value counts into the facets of a Response (pure functions, unit-tested).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "wiredesk/searcher/searcher.hpp"

namespace wiredesk::searcher {

/// The bucket the histogram uses for matches from @p first_day to @p last_day (`YYYYMMDD`):
/// day up to 62 days, week up to 1 year, month up to 10 years, else year.
DateBucket choose_bucket(std::string_view first_day, std::string_view last_day);

/// The key of the bucket holding @p day (`YYYYMMDD`): `2026-01-20`, `2026-W04`, `2026-01`,
/// `2026`. Empty for a value that is not a valid day.
std::string bucket_key(std::string_view day, DateBucket bucket);

/// The histogram of @p day_counts (`YYYYMMDD` -> matches), with empty buckets filled in
/// between the first and last (unless more than kMaxHistogramBuckets). kAuto picks the bucket
/// with choose_bucket().
DateHistogram make_histogram(const std::map<std::string, std::size_t>& day_counts,
                             std::size_t undated, DateBucket bucket);

/// Fills the source part of @p facets from @p counts (display name -> matches): the @p top
/// largest by count (ties by name), the rest summed into other_sources.
void fill_sources(Facets& facets, const std::map<std::string, std::size_t>& counts,
                  std::size_t top);

/// The name of a bucket ("day", "week", "month", "year", "auto") and back.
std::string_view bucket_name(DateBucket bucket) noexcept;
std::optional<DateBucket> parse_bucket(std::string_view name) noexcept;

}  // namespace wiredesk::searcher

#include "cronschedule.h"

#include "civiltime.h"

#include <algorithm>

namespace Taskdeck::Core {

namespace {

// Fires are computed for years 1 to 9999, the range ISO 8601 writes with four digits.
constexpr qint64 FirstSecond = Civil::daysFromCivil(1, 1, 1) * Civil::SecondsPerDay;
constexpr qint64 LastSecond = Civil::daysFromCivil(10000, 1, 1) * Civil::SecondsPerDay - 1;

} // namespace

CronSchedule::CronSchedule(CronExpression expression, const QTimeZone &zone)
    : m_expression(std::move(expression))
    , m_rules(zone.isValid() ? ZoneRules::forZone(zone) : nullptr)
{}

std::optional<qint64> CronSchedule::nextSecs(qint64 afterUtc) const
{
    if (!isValid() || m_expression.isReboot() || !m_expression.canEverMatch())
        return std::nullopt;
    const bool fixed = m_expression.isFixedTime();
    // The last wall-clock search: no local match in [searchedFrom, found), and `found` matches.
    // A rare expression crosses many DST segments before it fires; each may reuse that answer.
    qint64 searchedFrom = 0;
    std::optional<qint64> found;
    bool searched = false;
    const auto nextLocal = [&](qint64 local) {
        if (!searched || !found || local < searchedFrom || local > *found) {
            found = m_expression.nextLocal(local);
            searchedFrom = local;
            searched = true;
        }
        return found;
    };

    qint64 from = std::max(afterUtc, FirstSecond - 1) + 1; // inclusive from here on
    // When a whole 400-year cycle of the zone's rules lies ahead in its table, searching past the
    // table is pointless: an expression whose every match falls into skipped time (a wall-clock
    // job at 02:xx on the spring-forward Sunday) would otherwise walk to the year 9999.
    constexpr qint64 cycleSeconds = qint64(146097) * Civil::SecondsPerDay;
    constexpr qint64 rulesFrom = Civil::daysFromCivil(ZoneRules::RulesFromYear, 1, 1) * Civil::SecondsPerDay;
    const qint64 searchEnd =
        m_rules->tableEnd() - std::max(from, rulesFrom) >= cycleSeconds ? m_rules->tableEnd() : LastSecond;
    while (from <= searchEnd) {
        const ZoneRules::Segment segment = m_rules->segmentAt(from);
        const int offset = segment.offset;
        const bool startsHere = segment.hasStart && from == segment.start;
        if (fixed && startsHere && segment.previousOffset < offset) {
            // Clocks jumped forward at `from`: a fixed time inside the skipped stretch runs now.
            const auto inGap = nextLocal(segment.start + segment.previousOffset);
            if (inGap && *inGap < segment.start + offset)
                return from;
        }
        qint64 lowerLocal = from + offset;
        if (fixed && segment.hasStart && segment.previousOffset > offset) {
            // Clocks went back at segment.start: the repeated stretch already ran in the first pass.
            lowerLocal = std::max(lowerLocal, segment.start + segment.previousOffset);
        }
        const auto match = nextLocal(lowerLocal);
        if (!match)
            return std::nullopt;
        if (!segment.hasEnd || *match < segment.end + offset) {
            // Past 9999 on the wall clock is out of range, even where UTC is still in 9999.
            if (*match > LastSecond || *match - offset > LastSecond)
                return std::nullopt;
            return *match - offset;
        }
        from = segment.end;
    }
    return std::nullopt;
}

std::optional<qint64> CronSchedule::previousSecs(qint64 beforeUtc) const
{
    if (!isValid() || m_expression.isReboot() || !m_expression.canEverMatch())
        return std::nullopt;
    const bool fixed = m_expression.isFixedTime();
    // As in nextSecs: no local match in (found, searchedTo], and `found` matches.
    qint64 searchedTo = 0;
    std::optional<qint64> found;
    bool searched = false;
    const auto previousLocal = [&](qint64 local) {
        if (!searched || !found || local > searchedTo || local < *found) {
            found = m_expression.previousLocal(local);
            searchedTo = local;
            searched = true;
        }
        return found;
    };

    qint64 to = std::min(beforeUtc, LastSecond + 1) - 1; // inclusive from here on
    while (to >= FirstSecond) {
        const ZoneRules::Segment segment = m_rules->segmentAt(to);
        const int offset = segment.offset;
        qint64 lowerLocal = segment.hasStart ? segment.start + offset : FirstSecond + offset;
        if (fixed && segment.hasStart && segment.previousOffset > offset)
            lowerLocal = std::max(lowerLocal, segment.start + segment.previousOffset);
        const auto match = previousLocal(to + offset);
        if (!match)
            return std::nullopt;
        if (*match >= lowerLocal)
            return *match - offset >= FirstSecond ? std::optional<qint64>(*match - offset) : std::nullopt;
        if (!segment.hasStart)
            return std::nullopt;
        if (fixed && segment.previousOffset < offset) {
            // The skipped stretch [start + previousOffset, start + offset): does a fixed time fall in it?
            const auto inGap = m_expression.nextLocal(segment.start + segment.previousOffset);
            if (inGap && *inGap < segment.start + offset)
                return segment.start;
        }
        to = segment.start - 1;
    }
    return std::nullopt;
}

QDateTime CronSchedule::toDateTime(std::optional<qint64> secs) const
{
    if (!secs)
        return {};
    return QDateTime::fromSecsSinceEpoch(*secs, m_rules->zone());
}

QDateTime CronSchedule::next(const QDateTime &after) const
{
    if (!after.isValid())
        return {};
    return toDateTime(nextSecs(Civil::floorDiv(after.toMSecsSinceEpoch(), 1000)));
}

QDateTime CronSchedule::previous(const QDateTime &before) const
{
    if (!before.isValid())
        return {};
    // The last whole second strictly before `before`, plus one: previousSecs excludes its argument.
    const qint64 ms = before.toMSecsSinceEpoch();
    return toDateTime(previousSecs(Civil::floorDiv(ms + 999, 1000)));
}

QList<QDateTime> CronSchedule::nextFires(const QDateTime &after, int count) const
{
    QList<QDateTime> result;
    if (!after.isValid() || count <= 0)
        return result;
    result.reserve(count);
    std::optional<qint64> at = Civil::floorDiv(after.toMSecsSinceEpoch(), 1000);
    while (int(result.size()) < count) {
        at = nextSecs(*at);
        if (!at)
            break;
        result.append(toDateTime(at));
    }
    return result;
}

} // namespace Taskdeck::Core

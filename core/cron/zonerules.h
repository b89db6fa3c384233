#pragma once

#include <QList>
#include <QTimeZone>

#include <memory>

namespace Taskdeck::Core {

// The UTC offsets of one time zone as a sorted table of transitions, so that the cron search can
// map between instants and wall-clock time with a binary search instead of asking QTimeZone
// (which parses rules on every call). The table spans 1900-2437; outside it QTimeZone is asked.
// From 2038 on the tz database gives rules, not a list, and its rules repeat with the calendar
// every 400 years: so the table holds one whole cycle of them, and a search that finds nothing in
// it will find nothing later either.
// Immutable once built and shared by every schedule in the same zone.
class ZoneRules
{
public:
    // A stretch of time with one UTC offset: [start, end) in seconds since the epoch (UTC).
    struct Segment
    {
        qint64 start;       // Unbounded when hasStart is false
        qint64 end;         // Unbounded when hasEnd is false
        int offset;         // seconds east of UTC within the segment
        int previousOffset; // the offset just before `start` (== offset when !hasStart)
        bool hasStart;
        bool hasEnd;
    };

    struct Transition
    {
        qint64 at; // seconds since the epoch (UTC)
        int offsetBefore;
        int offsetAfter;
        bool daylightSaving = true; // false when the zone's standard offset changed (e.g. Samoa 2011)
    };

    // Cached per zone id; safe to call from any thread.
    static std::shared_ptr<const ZoneRules> forZone(const QTimeZone &zone);

    explicit ZoneRules(const QTimeZone &zone);

    static constexpr int RulesFromYear = 2038;
    static constexpr int TableEndYear = RulesFromYear + 400;

    QTimeZone zone() const { return m_zone; }
    qint64 tableEnd() const { return m_tableEnd; }
    Segment segmentAt(qint64 utcSeconds) const;
    int offsetAt(qint64 utcSeconds) const { return segmentAt(utcSeconds).offset; }
    // Offset changes in (from, to].
    QList<Transition> transitionsBetween(qint64 from, qint64 to) const;

private:
    Segment segmentFromZone(qint64 utcSeconds) const;

    QTimeZone m_zone;
    qint64 m_tableStart = 0;
    qint64 m_tableEnd = 0;
    int m_initialOffset = 0; // in force at m_tableStart before the first transition
    QList<qint64> m_starts;  // transition instants, ascending
    QList<int> m_offsets;    // offset from each transition on
    qint64 m_changeAfterTable = 0;
    bool m_hasChangeAfterTable = false;
};

} // namespace Taskdeck::Core

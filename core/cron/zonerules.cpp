#include "zonerules.h"

#include <QDateTime>
#include <QHash>
#include <QMutex>

#include <algorithm>
#include <limits>

namespace Taskdeck::Core {

namespace {

constexpr qint64 Unbounded = std::numeric_limits<qint64>::max() / 4;

QDateTime utcDateTime(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, QTimeZone::utc());
}

} // namespace

std::shared_ptr<const ZoneRules> ZoneRules::forZone(const QTimeZone &zone)
{
    static QMutex mutex;
    static QHash<QByteArray, std::shared_ptr<const ZoneRules>> cache;
    const QByteArray key = zone.id();
    {
        QMutexLocker locker(&mutex);
        if (auto found = cache.value(key))
            return found;
    }
    // Built outside the lock: a zone takes a few milliseconds, and two threads racing for the
    // same zone just build it twice.
    auto rules = std::make_shared<const ZoneRules>(zone);
    QMutexLocker locker(&mutex);
    auto &slot = cache[key];
    if (!slot)
        slot = rules;
    return slot;
}

ZoneRules::ZoneRules(const QTimeZone &zone)
    : m_zone(zone)
{
    m_tableStart = QDateTime(QDate(1900, 1, 1), QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch();
    m_tableEnd = QDateTime(QDate(TableEndYear, 1, 1), QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch();
    if (!zone.isValid())
        return;
    m_initialOffset = zone.offsetFromUtc(utcDateTime(m_tableStart));
    if (!zone.hasTransitions())
        return;

    // QTimeZone::transitions() stops where the tz file's explicit data ends (2037); beyond that
    // nextTransition() applies the zone's rule, so walk on with it.
    int offset = m_initialOffset;
    const auto add = [&](qint64 at, int after) {
        if (after == offset || (!m_starts.isEmpty() && at <= m_starts.last()))
            return; // Qt reports some non-changes (e.g. at 2038-01-19); they are no boundary
        m_starts.append(at);
        m_offsets.append(after);
        offset = after;
    };
    const auto list = zone.transitions(utcDateTime(m_tableStart), utcDateTime(m_tableEnd));
    for (const auto &t : list)
        add(t.atUtc.toSecsSinceEpoch(), t.offsetFromUtc);
    qint64 from = m_starts.isEmpty() ? m_tableStart : m_starts.last();
    while (true) {
        // From one second on: Qt 6.4 answers nothing when asked exactly at the last tz-file transition.
        const auto next = zone.nextTransition(utcDateTime(from + 1));
        if (!next.atUtc.isValid())
            break;
        const qint64 at = next.atUtc.toSecsSinceEpoch();
        if (at <= from)
            break;
        if (at >= m_tableEnd) {
            m_hasChangeAfterTable = true;
            m_changeAfterTable = at;
            break;
        }
        add(at, next.offsetFromUtc);
        from = at;
    }
}

ZoneRules::Segment ZoneRules::segmentAt(qint64 utcSeconds) const
{
    if (utcSeconds < m_tableStart || utcSeconds >= m_tableEnd)
        return segmentFromZone(utcSeconds);
    const auto it = std::upper_bound(m_starts.cbegin(), m_starts.cend(), utcSeconds);
    const auto index = it - m_starts.cbegin(); // transitions at or before utcSeconds
    Segment segment;
    if (index == 0) {
        segment.offset = segment.previousOffset = m_initialOffset;
        segment.hasStart = false;
        segment.start = -Unbounded;
    } else {
        segment.offset = m_offsets.at(index - 1);
        segment.previousOffset = index >= 2 ? m_offsets.at(index - 2) : m_initialOffset;
        segment.hasStart = true;
        segment.start = m_starts.at(index - 1);
    }
    if (it != m_starts.cend()) {
        segment.hasEnd = true;
        segment.end = *it;
    } else if (m_hasChangeAfterTable) {
        segment.hasEnd = true;
        segment.end = m_changeAfterTable;
    } else {
        segment.hasEnd = false;
        segment.end = Unbounded;
    }
    if (!segment.hasStart && index == 0 && m_zone.isValid() && m_zone.hasTransitions()) {
        const auto previous = m_zone.previousTransition(utcDateTime(m_tableStart + 1));
        if (previous.atUtc.isValid()) {
            segment.hasStart = true;
            segment.start = previous.atUtc.toSecsSinceEpoch();
            segment.previousOffset = m_zone.offsetFromUtc(utcDateTime(segment.start - 1));
        }
    }
    return segment;
}

ZoneRules::Segment ZoneRules::segmentFromZone(qint64 utcSeconds) const
{
    Segment segment{-Unbounded, Unbounded, 0, 0, false, false};
    if (!m_zone.isValid())
        return segment;
    const QDateTime at = utcDateTime(utcSeconds);
    segment.offset = segment.previousOffset = m_zone.offsetFromUtc(at);
    if (!m_zone.hasTransitions())
        return segment;
    const auto previous = m_zone.previousTransition(utcDateTime(utcSeconds + 1));
    if (previous.atUtc.isValid()) {
        segment.hasStart = true;
        segment.start = previous.atUtc.toSecsSinceEpoch();
        segment.previousOffset = m_zone.offsetFromUtc(utcDateTime(segment.start - 1));
    }
    const auto next = m_zone.nextTransition(at);
    if (next.atUtc.isValid()) {
        segment.hasEnd = true;
        segment.end = next.atUtc.toSecsSinceEpoch();
    }
    return segment;
}

QList<ZoneRules::Transition> ZoneRules::transitionsBetween(qint64 from, qint64 to) const
{
    QList<Transition> result;
    qint64 at = from + 1;
    while (at <= to) {
        const Segment segment = segmentAt(at);
        if (segment.hasStart && segment.start > from && segment.start <= to &&
            segment.previousOffset != segment.offset) {
            // Only for display: whether this is daylight saving or a change of the zone's standard time.
            const bool sameStandard = m_zone.standardTimeOffset(utcDateTime(segment.start - 1)) ==
                                      m_zone.standardTimeOffset(utcDateTime(segment.start));
            result.append({segment.start, segment.previousOffset, segment.offset, sameStandard});
        }
        if (!segment.hasEnd)
            break;
        at = segment.end;
    }
    return result;
}

} // namespace Taskdeck::Core

#pragma once

#include "cronexpression.h"
#include "zonerules.h"

#include <QDateTime>
#include <QTimeZone>

#include <memory>

namespace Taskdeck::Core {

// A cron expression read in one time zone: the instants at which it fires.
//
// DST follows cron(8). A fixed-time expression (no '*' or step in minute and hour) whose time
// falls in a skipped hour fires at the first instant after the change, and in a repeated hour
// fires once, in the first pass. Any other expression follows the wall clock: it fires in both
// passes of a repeated hour and not at all in a skipped one.
//
// Immutable; safe to share between threads.
class CronSchedule
{
public:
    CronSchedule() = default;
    explicit CronSchedule(CronExpression expression, const QTimeZone &zone = QTimeZone::systemTimeZone());

    bool isValid() const { return m_expression.isValid() && m_rules; }
    const CronExpression &expression() const { return m_expression; }
    QTimeZone timeZone() const { return m_rules ? m_rules->zone() : QTimeZone(); }
    const ZoneRules *zoneRules() const { return m_rules.get(); }

    // The first fire strictly after `after`, in the schedule's zone; invalid when it never fires
    // again (an impossible date, @reboot, or beyond the year 9999).
    QDateTime next(const QDateTime &after) const;
    // The last fire strictly before `before`; invalid when none.
    QDateTime previous(const QDateTime &before) const;
    // Up to `count` fires after `after`, in order.
    QList<QDateTime> nextFires(const QDateTime &after, int count) const;

    // The same on seconds since the epoch, for callers that keep their own clock.
    std::optional<qint64> nextSecs(qint64 afterUtc) const;
    std::optional<qint64> previousSecs(qint64 beforeUtc) const;

private:
    QDateTime toDateTime(std::optional<qint64> secs) const;

    CronExpression m_expression;
    std::shared_ptr<const ZoneRules> m_rules;
};

} // namespace Taskdeck::Core

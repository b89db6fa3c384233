#include "cronpreview.h"

#include "isotime.h"

#include <QTimeZone>

#include <cstdlib>

namespace Taskdeck::Core {

QList<CronPreviewEntry> previewFires(const CronSchedule &schedule, const QDateTime &from, int count)
{
    QList<CronPreviewEntry> entries;
    if (!schedule.isValid() || !from.isValid())
        return entries;
    const CronExpression &expression = schedule.expression();
    const QTimeZone zone = schedule.timeZone();
    qint64 previous = from.toSecsSinceEpoch();
    for (const QDateTime &fire : schedule.nextFires(from, count)) {
        CronPreviewEntry entry;
        entry.fire = fire.toTimeZone(zone);
        const qint64 at = fire.toSecsSinceEpoch();
        entry.changesBefore = schedule.zoneRules()->transitionsBetween(previous, at);
        const QDate date = entry.fire.date();
        const QTime time = entry.fire.time();
        entry.movedBySkippedTime =
            !expression.matches(date.year(), date.month(), date.day(), time.hour(), time.minute(), time.second());
        entries.append(entry);
        previous = at;
    }
    return entries;
}

QString describeTransition(const ZoneRules::Transition &transition)
{
    const int shift = transition.offsetAfter - transition.offsetBefore;
    const int minutes = std::abs(shift) / 60;
    const QString amount =
        minutes % 60 == 0
            ? QStringLiteral("%1 hour%2").arg(minutes / 60).arg(minutes == 60 ? QString() : QStringLiteral("s"))
            : QStringLiteral("%1 minutes").arg(minutes);
    // Wall-clock time just before and at the change: "2026-03-29 02:00 -> 03:00", with the date on
    // the right too when the change skips or repeats one (Samoa, 2011-12-30).
    const QDateTime before = QDateTime::fromSecsSinceEpoch(transition.at, QTimeZone(transition.offsetBefore));
    const QDateTime after = QDateTime::fromSecsSinceEpoch(transition.at, QTimeZone(transition.offsetAfter));
    const QString afterText = after.date() == before.date() ? after.toString(QStringLiteral("HH:mm"))
                                                            : after.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    const QString what = transition.daylightSaving
                             ? (shift > 0 ? QStringLiteral("DST starts") : QStringLiteral("DST ends"))
                             : QStringLiteral("the zone changes its UTC offset");
    return QStringLiteral("%1 -> %2: %3, clocks go %4 %5 (UTC%6 -> UTC%7)")
        .arg(before.toString(QStringLiteral("yyyy-MM-dd HH:mm")), afterText, what,
             shift > 0 ? QStringLiteral("forward") : QStringLiteral("back"), amount,
             IsoTime::formatOffset(transition.offsetBefore), IsoTime::formatOffset(transition.offsetAfter));
}

} // namespace Taskdeck::Core

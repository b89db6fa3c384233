#include "isotime.h"

#include <QRegularExpression>

#include <algorithm>
#include <cstdlib>

namespace Taskdeck::Core::IsoTime {

QString formatOffset(int offsetSeconds)
{
    const QChar sign = offsetSeconds < 0 ? QLatin1Char('-') : QLatin1Char('+');
    const int magnitude = std::abs(offsetSeconds);
    QString text = sign + QStringLiteral("%1:%2")
                              .arg(magnitude / 3600, 2, 10, QLatin1Char('0'))
                              .arg(magnitude / 60 % 60, 2, 10, QLatin1Char('0'));
    if (magnitude % 60 != 0)
        text += QStringLiteral(":%1").arg(magnitude % 60, 2, 10, QLatin1Char('0'));
    return text;
}

QString format(const QDateTime &dateTime)
{
    if (!dateTime.isValid())
        return {};
    return dateTime.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + formatOffset(dateTime.offsetFromUtc());
}

QDateTime inZone(const QDate &date, const QTime &time, const QTimeZone &zone)
{
    // The wall-clock reading as if it were UTC, then each offset the zone had near it: an offset
    // fits when the instant it gives really has that offset.
    const qint64 wall = QDateTime(date, time, QTimeZone::utc()).toMSecsSinceEpoch();
    QList<int> offsets;
    for (qint64 probe : {wall - qint64(86400) * 1000, wall, wall + qint64(86400) * 1000}) {
        const int offset = zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(probe, QTimeZone::utc()));
        if (!offsets.contains(offset))
            offsets.append(offset);
    }
    std::optional<qint64> earliest;
    for (int offset : offsets) {
        const qint64 instant = wall - qint64(offset) * 1000;
        if (zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(instant, QTimeZone::utc())) == offset &&
            (!earliest || instant < *earliest))
            earliest = instant; // a repeated reading means its first pass
    }
    if (!earliest) {
        // A reading the clocks skipped: as many minutes after the change as it was after the
        // skipped reading (02:30 on a spring-forward night is 03:30), read with the offset before it.
        const int before = *std::min_element(offsets.cbegin(), offsets.cend());
        earliest = wall - qint64(before) * 1000;
    }
    return QDateTime::fromMSecsSinceEpoch(*earliest, zone);
}

std::optional<QDateTime> parse(const QString &text, const QTimeZone &zone, QString *error)
{
    static const QRegularExpression pattern(QStringLiteral(
        R"(^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$)"));
    const auto fail = [&](const QString &why) -> std::optional<QDateTime> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString trimmed = text.trimmed();
    const auto match = pattern.match(trimmed);
    if (!match.hasMatch())
        return fail(QStringLiteral("'%1' is not an ISO-8601 date-time such as 2026-03-29T01:30:00+01:00").arg(text));

    const QDate date(match.captured(1).toInt(), match.captured(2).toInt(), match.captured(3).toInt());
    if (!date.isValid())
        return fail(QStringLiteral("'%1' is not a valid date").arg(trimmed.left(10)));
    int hour = 0;
    int minute = 0;
    int second = 0;
    int msec = 0;
    if (match.hasCaptured(4)) {
        hour = match.captured(4).toInt();
        minute = match.captured(5).toInt();
        second = match.hasCaptured(6) ? match.captured(6).toInt() : 0;
        if (match.hasCaptured(7))
            msec = match.captured(7).left(3).leftJustified(3, QLatin1Char('0')).toInt();
    }
    const QTime time(hour, minute, second, msec);
    if (!time.isValid())
        return fail(QStringLiteral("'%1' is not a valid time of day").arg(match.captured(0).mid(11)));

    const QString offsetText = match.captured(8);
    if (offsetText.isEmpty()) {
        if (!zone.isValid())
            return fail(QStringLiteral("no time zone to read '%1' in").arg(trimmed));
        return inZone(date, time, zone);
    }
    int offset = 0;
    if (offsetText != QLatin1String("Z")) {
        const QString digits = QString(offsetText.mid(1)).remove(QLatin1Char(':'));
        const int hours = digits.left(2).toInt();
        const int minutes = digits.size() > 2 ? digits.mid(2).toInt() : 0;
        if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0))
            return fail(QStringLiteral("'%1' is not a UTC offset from -14:00 to +14:00").arg(offsetText));
        offset = (hours * 3600 + minutes * 60) * (offsetText.startsWith(QLatin1Char('-')) ? -1 : 1);
    }
    return QDateTime(date, time, QTimeZone(offset));
}

} // namespace Taskdeck::Core::IsoTime

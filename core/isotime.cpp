#include "isotime.h"

#include <QRegularExpression>

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
        return QDateTime(date, time, zone);
    }
    int offset = 0;
    if (offsetText != QLatin1String("Z")) {
        const QString digits = QString(offsetText.mid(1)).remove(QLatin1Char(':'));
        const int hours = digits.left(2).toInt();
        const int minutes = digits.size() > 2 ? digits.mid(2).toInt() : 0;
        if (hours > 23 || minutes > 59)
            return fail(QStringLiteral("'%1' is not a valid UTC offset").arg(offsetText));
        offset = (hours * 3600 + minutes * 60) * (offsetText.startsWith(QLatin1Char('-')) ? -1 : 1);
    }
    return QDateTime(date, time, QTimeZone(offset));
}

} // namespace Taskdeck::Core::IsoTime

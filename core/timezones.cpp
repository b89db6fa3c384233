#include "timezones.h"

#include <QFile>
#include <QRegularExpression>

namespace Taskdeck::Core::TimeZones {

namespace {

bool hasTzFile(const QString &id)
{
    // A TZif file under the system's zoneinfo; ids never contain "..".
    if (id.contains(QLatin1String("..")) || id.startsWith(QLatin1Char('/')))
        return false;
    QFile file(QStringLiteral("/usr/share/zoneinfo/") + id);
    return file.open(QIODevice::ReadOnly) && file.read(4) == "TZif";
}

} // namespace

std::optional<QTimeZone> find(const QString &id, QString *error)
{
    static const QRegularExpression fixedOffset(QStringLiteral(R"(^UTC[+-](0\d|1[0-4]):[0-5]\d$)"));
    const QByteArray utf8 = id.toUtf8();
    const bool known = id == QLatin1String("UTC") || fixedOffset.match(id).hasMatch() ||
                       QTimeZone::isTimeZoneIdAvailable(utf8) || hasTzFile(id);
    const QTimeZone zone = known ? QTimeZone(utf8) : QTimeZone();
    if (!zone.isValid()) {
        if (error)
            *error = QStringLiteral("unknown time zone '%1' (use an IANA name such as Europe/Berlin, UTC, or "
                                    "UTC+05:30)")
                         .arg(id);
        return std::nullopt;
    }
    return zone;
}

} // namespace Taskdeck::Core::TimeZones

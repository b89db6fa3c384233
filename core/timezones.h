#pragma once

#include <QString>
#include <QTimeZone>

#include <optional>

namespace Taskdeck::Core::TimeZones {

// The zone a user named: an IANA id the system knows (Europe/Berlin, and legacy ids such as CET
// that have a tz file), UTC, or a fixed offset written UTC+05:30. QTimeZone alone would read any
// other word ("Berlin") as a POSIX rule meaning UTC; that is refused here, naming the text.
std::optional<QTimeZone> find(const QString &id, QString *error);

} // namespace Taskdeck::Core::TimeZones

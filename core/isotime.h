#pragma once

#include <QDateTime>
#include <QString>
#include <QTimeZone>

#include <optional>

namespace Taskdeck::Core::IsoTime {

// "2026-03-29T03:00:00+02:00": seconds always, the UTC offset always ("+00:00" for UTC, never
// "Z"), so that scripts can compare and parse every time Taskdeck prints the same way.
QString format(const QDateTime &dateTime);

// "+02:00", "-03:30", "+00:00"; seconds appear only for historic offsets that have them.
QString formatOffset(int offsetSeconds);

// Reads an ISO-8601 date-time ("2026-03-29T01:30", with optional seconds, fraction and offset or
// "Z") or a date ("2026-03-29", meaning its midnight). Without an offset the text is wall-clock
// time in `zone`. On failure returns nullopt and says why in *error.
// A wall-clock reading in a zone names the instant
// of its first pass when the clocks repeat it, and, when they skip it, the instant as far after the
// change as the reading was after the skipped one (02:30 on a spring-forward night is 03:30).
std::optional<QDateTime> parse(const QString &text, const QTimeZone &zone, QString *error = nullptr);

// That rule on its own: the instant a wall-clock reading in `zone` names.
QDateTime inZone(const QDate &date, const QTime &time, const QTimeZone &zone);

} // namespace Taskdeck::Core::IsoTime

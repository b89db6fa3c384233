#pragma once

#include <QColor>
#include <QDateTime>
#include <QIcon>
#include <QJsonValue>
#include <QString>

class QPalette;

namespace Taskdeck::Ui {

// How every view writes times, durations and states, so that they read the same everywhere.
namespace UiFormat {

QString duration(qint64 ms);                                     // "850 ms", "12.4 s", "3 min 5 s", "2 h 10 min"
QString countdown(const QDateTime &at, const QDateTime &now);    // "in 4 min 10 s", "now", "5 s late"
QString localTime(const QDateTime &at);                          // "2026-12-04 09:15:00", local; "—" when invalid
QString relativeTime(const QDateTime &at, const QDateTime &now); // "3 min ago"
QString firstLine(const QString &text, int maxChars = 160);
// An outcome or task state (succeeded, failed, timed_out, dead, cancelled, interrupted, running,
// queued, retry_wait, skipped, missed) in words.
QString stateText(const QString &state);
// Its colour, readable on the palette's base (light or dark).
QColor stateColor(const QString &state, const QPalette &palette);

// Parses any JSON value (an object, an array or a scalar) into *value; on failure returns what is
// wrong and where ("unterminated string at line 2, column 7"), else an empty string.
QString parseJson(const QByteArray &text, QJsonValue *value);

// An icon of resources/icons by name ("run", "pause", "tray-failed", ...).
QIcon icon(const QString &name);

} // namespace UiFormat

} // namespace Taskdeck::Ui

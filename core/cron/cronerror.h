#pragma once

#include <QString>

namespace Taskdeck::Core {

// Why a cron expression was rejected: the field it concerns, what is wrong, and the 1-based
// column in the text as written, so that a GUI can underline it and a script can report it.
struct CronError
{
    QString field;   // "minute", "day-of-week", ... or "expression" for the whole text
    QString message; // "24 is out of range 0-23"
    int column = 0;  // 1-based; 0 when no single place is at fault

    bool isNull() const { return message.isEmpty(); }
    // "hour: 24 is out of range 0-23 (column 3)"
    QString toString() const;
};

} // namespace Taskdeck::Core

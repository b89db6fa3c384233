#pragma once

#include "cronschedule.h"

#include <QDateTime>
#include <QList>

namespace Taskdeck::Core {

// The next fires of a schedule together with what the clock did between them, for previews in
// `taskdeckctl cron explain` and the job editor: each DST change is listed before the first fire
// after it, and a fire that a skipped hour moved is flagged as such.
struct CronPreviewEntry
{
    QDateTime fire;                             // in the schedule's zone
    QList<ZoneRules::Transition> changesBefore; // offset changes since the previous entry (or `from`)
    bool movedBySkippedTime = false;            // its wall-clock time did not exist; runs right after
};

QList<CronPreviewEntry> previewFires(const CronSchedule &schedule, const QDateTime &from, int count);

// "-- 2026-03-29 02:00 -> 03:00: DST starts, clocks go forward 1 hour (UTC+01:00 -> UTC+02:00)"
// without the leading "-- ".
QString describeTransition(const ZoneRules::Transition &transition);

} // namespace Taskdeck::Core

#pragma once

#include "task.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Taskdeck::Core {

// Which attempts a history view shows. Empty fields do not filter.
struct HistoryFilter
{
    QString job;          // the task's job; "-" for tasks without one
    QStringList outcomes; // succeeded, failed, timed_out, cancelled, interrupted; "running" for none yet
    QDateTime from;       // started at or after
    QDateTime to;         // started before
    QString text;         // in the error, the output or the action (case-insensitive)
    qint64 taskId = 0;

    bool isEmpty() const
    {
        return job.isEmpty() && outcomes.isEmpty() && !from.isValid() && !to.isValid() && text.isEmpty() && taskId == 0;
    }
};

// One attempt as a history list shows it (its output is read with the details).
struct HistoryRow
{
    qint64 attemptId = 0;
    qint64 taskId = 0;
    QString job;
    int number = 0;
    QString outcome; // empty while it runs
    QDateTime startedAt;
    QDateTime finishedAt;
    int exitCode = -1;
    QString error;
    qint64 cpuTimeMs = -1;
    qint64 peakMemoryKiB = -1;
    QString action; // ActionSpec::summary of the task's action (secrets redacted)
    QString taskState;
};

// How much work ended in one stretch of time, for the overview's charts.
struct ActivityBucket
{
    QDateTime start;
    int succeeded = 0; // attempts that succeeded
    int failed = 0;    // attempts that failed or timed out
};

} // namespace Taskdeck::Core

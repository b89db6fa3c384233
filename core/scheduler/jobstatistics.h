#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

class QSqlDatabase;

namespace Taskdeck::Core {

// How a job's runs went in a time window: for reports, `job list` and `job show`.
//
// A run is a task of the job that ended (succeeded, dead or cancelled) in the window, by its
// finished_at; a task waiting for a retry has not ended yet. Its duration is that of the attempt
// that decided it: from the task's started_at (the start of its last attempt) to its finished_at,
// so retry waits are not counted. Percentiles are nearest-rank on the sorted durations of the
// succeeded and dead runs (index (n - 1) * p, as `stats` does); cancelled runs are counted but
// have no duration worth comparing.
struct JobStatistics
{
    QString jobId;
    int runs = 0;      // succeeded + failed + cancelled, ended in the window
    int succeeded = 0; // ended in the window having succeeded
    int failed = 0;    // ended in the window as a dead letter (failed for good)
    int cancelled = 0; // ended in the window cancelled by an operator
    // The job's tasks that are in the dead-letter list now, whenever they died: what an operator
    // still has to look at.
    int deadLetters = 0;
    qint64 p50DurationMs = -1; // -1: no succeeded or failed run in the window
    qint64 p95DurationMs = -1;
    QString lastOutcome; // state of the run that ended last in the window; empty: none
    QDateTime lastFinishedAt;

    // succeeded / (succeeded + failed), from 0 to 1; -1 when neither happened.
    double successRate() const;

    // Every job with a task that ended in [fromMs, toMs) or that has dead letters, by job id;
    // only `jobId` when it is not empty. Jobs without either are not listed (the caller knows its
    // jobs). One query over the tasks table (the tasks_by_job index serves a single job); the
    // percentiles are computed here. Trouble is reported through *error (set, never cleared), as
    // StoreAccess::readList expects.
    static QList<JobStatistics> read(const QSqlDatabase &db, qint64 fromMs, qint64 toMs,
                                     const QString &jobId = QString(), QString *error = nullptr);
};

} // namespace Taskdeck::Core

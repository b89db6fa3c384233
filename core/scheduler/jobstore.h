#pragma once

#include "job.h"
#include "jobstatistics.h"

#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Taskdeck::Core {

class Clock;
class StoreAccess;

// Jobs in one database file, for callers outside the scheduler (the command line, the GUI's
// readers); like TaskStore, every write is committed before it returns. A running scheduler
// notices the changes (each bumps the job's revision).
class JobStore final
{
    Q_DISABLE_COPY_MOVE(JobStore)

public:
    explicit JobStore(const QString &path, const Clock *clock = nullptr);
    ~JobStore();

    // Validates, then adds; refuses an id in use.
    bool add(const Job &job, QString *error);
    // Validates, then replaces the job of that id. Editing a schedule never triggers a run.
    bool update(const Job &job, QString *error);
    struct ImportResult
    {
        QStringList added;
        QStringList replaced;
        QStringList addedSubscriptions;
        QStringList replacedSubscriptions;
    };
    // Adds the new jobs and replaces those whose id exists, all in one write or none.
    std::optional<ImportResult> import(const QList<Job> &jobs, QString *error);
    // ... and the subscriptions (by name), in the same write.
    std::optional<ImportResult> import(const QList<Job> &jobs, const QList<Subscription> &subscriptions,
                                       QString *error);
    bool remove(const QString &id, QString *error);

    std::optional<StoredJob> find(const QString &id, QString *error);
    std::optional<QList<StoredJob>> list(QString *error);
    // Newest first.
    std::optional<QList<FireRecord>> fires(const QString &id, int limit, QString *error);
    // How the jobs' runs went in [from, to): every job with a run or a dead letter, or only `id`.
    std::optional<QList<JobStatistics>> statistics(const QDateTime &from, const QDateTime &to, const QString &id,
                                                   QString *error);

    // Pause with an optional reason and automatic resume time (invalid: until resumed by hand).
    bool pause(const QString &id, const QString &reason, const QDateTime &until, QString *error);
    bool resume(const QString &id, QString *error);
    // Pauses every job not paused yet (those paused already keep their own reason and resume
    // time), or resumes every paused one, in one write. Returns the ids it changed.
    std::optional<QStringList> pauseAll(const QString &reason, const QDateTime &until, QString *error);
    std::optional<QStringList> resumeAll(QString *error);
    // Queues one run now, whatever the schedule, pause or overlap policy say (the operator asked);
    // the next scheduled fire does not move. Returns the task's id.
    std::optional<qint64> runNow(const QString &id, QString *error);

private:
    std::optional<QStringList> setAllPaused(bool paused, const QString &reason, const QDateTime &until, QString *error);

    std::unique_ptr<StoreAccess> m_access;
    const Clock *m_clock;
};

} // namespace Taskdeck::Core

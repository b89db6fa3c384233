#pragma once

#include "job.h"

#include <QSqlDatabase>

#include <optional>

namespace Taskdeck::Core {

// A job as stored: its definition and what the store keeps about it.
struct StoredJob
{
    Job job;
    int revision = 0; // bumped by every change
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime lastFireAt; // the latest fire time the scheduler has dealt with; invalid: none yet
};

// One time a job was due or run by hand, and what became of it.
struct FireRecord
{
    qint64 id = 0;
    QString jobId;
    QDateTime scheduledAt; // the cron time, or the moment of "run now"
    QDateTime at;          // when the scheduler handled it
    QString kind;          // scheduled, catch-up, run-now, reboot
    QString outcome;       // queued, skipped, missed
    qint64 taskId = 0;     // 0: no task (skipped, missed)
    QString detail;        // why it was skipped or missed
    // The task's state when read, for queued fires: queued, running, succeeded, dead, ...
    QString taskState;
    QDateTime taskStartedAt;
    QDateTime taskFinishedAt;

    QJsonObject toJson() const;
};

// The SQL behind jobs and fires, on a connection the caller owns (see TaskRepository).
class JobRepository
{
public:
    explicit JobRepository(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Adds a new job; refuses an id in use ("job 'x' exists").
    bool add(const Job &job, const QDateTime &now, QString *error);
    // Replaces an existing job's definition and pause; refuses a missing one.
    bool update(const Job &job, const QDateTime &now, QString *error);
    bool remove(const QString &id, QString *error);
    std::optional<StoredJob> find(const QString &id, QString *error = nullptr) const;
    // By id.
    QList<StoredJob> list(QString *error = nullptr) const;
    // Pauses (with an optional reason and automatic resume time) or resumes.
    bool setPaused(const QString &id, bool paused, const QString &reason, const QDateTime &resumeAt,
                   const QDateTime &now, QString *error);
    bool setLastFire(const QString &id, const QDateTime &at, QString *error);

    // Records a fire; returns its id.
    std::optional<qint64> recordFire(const FireRecord &fire, QString *error);
    // Newest first; `limit` <= 0: all.
    QList<FireRecord> fires(const QString &jobId, int limit, QString *error = nullptr) const;

private:
    QSqlDatabase m_db;
};

} // namespace Taskdeck::Core

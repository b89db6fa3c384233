#pragma once

#include "job.h"

#include <QSqlDatabase>

#include <optional>

namespace Taskdeck::Core {

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

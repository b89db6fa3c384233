#pragma once

#include "history.h"

#include <QSqlDatabase>

#include <optional>

namespace Taskdeck::Core {

// The history of attempts across tasks, read on a connection the caller owns. Pages go newest
// first, by attempt id ("keyset" paging: a page starts below the last id of the one before, so a
// million rows cost what a page costs).
class HistoryRepository
{
public:
    explicit HistoryRepository(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Up to `limit` attempts with an id below `beforeAttemptId` (0: from the newest).
    QList<HistoryRow> page(const HistoryFilter &filter, qint64 beforeAttemptId, int limit,
                           QString *error = nullptr) const;
    // One attempt with its output, and the task it belongs to.
    std::optional<AttemptRecord> attempt(qint64 attemptId, qint64 *taskId = nullptr, QString *error = nullptr) const;
    // Attempts that ended in [from, to), counted per bucket of `bucketMs`.
    QList<ActivityBucket> activity(const QDateTime &from, const QDateTime &to, qint64 bucketMs,
                                   QString *error = nullptr) const;
    qint64 count(QString *error = nullptr) const;

private:
    QSqlDatabase m_db;
};

} // namespace Taskdeck::Core

#pragma once

#include "task.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace Taskdeck::Core {

// The SQL behind tasks, on a connection the caller owns: the writer's (inside a StoreWriter
// operation) or a reader's. Prepared statements with bound values only.
class TaskRepository
{
public:
    static constexpr int DefaultCapacity = 100000;

    explicit TaskRepository(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Inserts a queued task. Fails without writing when `capacity` tasks already wait
    // ("queue is full (100000 tasks waiting)") or the unique key is taken by a waiting or running
    // task. Returns the new id.
    std::optional<qint64> insert(const TaskSpec &spec, const QDateTime &now, int capacity, QString *error);

    std::optional<Task> find(qint64 id, QString *error = nullptr) const;
    // Newest first; all states when `state` is empty. `limit` <= 0: no limit.
    QList<Task> list(std::optional<TaskState> state, int limit, QString *error = nullptr) const;
    int countWaiting(QString *error = nullptr) const;

private:
    QSqlDatabase m_db;
};

} // namespace Taskdeck::Core

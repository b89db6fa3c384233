#pragma once

#include "actions/pipelineaction.h"
#include "history.h"
#include "task.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace Taskdeck::Core {

class Clock;
class StoreAccess;
class TaskRepository;

// Tasks in one database file, for callers outside core (the command line, the GUI's readers):
// writes go through the file's StoreWriter, reads through a read-only connection of the calling
// thread. Use one TaskStore per thread.
class TaskStore final
{
    Q_DISABLE_COPY_MOVE(TaskStore)

public:
    static constexpr int DefaultCapacity = 100000;

    explicit TaskStore(const QString &path, const Clock *clock = nullptr);
    // Where the database lives unless --db says otherwise: the user's data folder.
    static QString defaultPath();
    ~TaskStore();

    QString path() const;

    // Validates, then inserts a queued task durably (committed before it returns). Nothing is
    // written when it fails: bad spec, queue full, unique key taken, disk error.
    std::optional<qint64> enqueue(const TaskSpec &spec, QString *error, int capacity = DefaultCapacity);

    // A file that does not exist yet reads as empty.
    std::optional<Task> find(qint64 id, QString *error);
    std::optional<QList<Task>> list(std::optional<TaskState> state, int limit, QString *error);
    std::optional<QList<AttemptRecord>> attempts(qint64 taskId, QString *error);
    // A pipeline task's steps as far as they went (empty for other tasks).
    std::optional<QList<PipelineAction::StepRecord>> pipelineSteps(qint64 taskId, QString *error);
    std::optional<QueueStatistics> statistics(QString *error);

    // Operator actions: recorded with time and local user, and passed to a running engine.
    std::optional<QList<qint64>> retryDead(const QList<qint64> &ids, const QString &job, bool all, QString *error);
    // One dead task again, with `payload` instead of the one it had (kept in the record).
    bool retryDeadWithPayload(qint64 id, const QJsonValue &payload, QString *error);
    std::optional<QList<qint64>> deleteDead(const QList<qint64> &ids, QString *error);
    std::optional<QList<OperatorActionRecord>> operatorActions(qint64 taskId, QString *error);
    bool cancel(qint64 id, QString *error);
    // A waiting (or running: for its retries) task's priority; a running engine re-sorts its queue.
    bool setPriority(qint64 id, int priority, QString *error);

    // Every attempt of every task, newest first, a page at a time (see HistoryRepository).
    std::optional<QList<HistoryRow>> history(const HistoryFilter &filter, qint64 beforeAttemptId, int limit,
                                             QString *error);
    // One attempt with its output; *taskId is the task it belongs to.
    std::optional<AttemptRecord> attempt(qint64 attemptId, qint64 *taskId, QString *error);
    // Attempts that ended in [from, to), per bucket of bucketMs.
    std::optional<QList<ActivityBucket>> activity(const QDateTime &from, const QDateTime &to, qint64 bucketMs,
                                                  QString *error);

    // The local user operator actions are recorded under.
    static QString localUser();

private:
    using OperatorAction =
        std::function<bool(TaskRepository &, const QDateTime &now, const QString &user, QString *error)>;
    // Runs an operator action in one write; `missing` is the error when there is no database yet.
    bool runOperatorAction(const OperatorAction &action, const QString &missing, QString *error);

    std::unique_ptr<StoreAccess> m_access;
    const Clock *m_clock;
};

} // namespace Taskdeck::Core

#pragma once

#include "actions/taskcontext.h"
#include "task.h"

#include <QList>
#include <QSqlDatabase>

class QSqlQuery;

#include <optional>
#include <vector>

namespace Taskdeck::Core {

// The last action and retry policy written, and their text: a job's tasks share them, and
// writing JSON is most of what an enqueue costs the engine's thread.
struct TaskEncodeCache
{
    QJsonObject action;
    QString actionText;
    std::optional<RetryPolicy> retry;
    QString retryText;
};

// One state change the engine made to a task, to be written.
struct TaskWrite
{
    enum class Kind { Started, Ended, Progress, CancelledWhileWaiting };
    Kind kind = Kind::Started;
    qint64 taskId = 0;
    int attempt = 0;
    qint64 atMs = 0;
    // Ended: where the task goes, how the attempt ended, when it runs again (-1: it does not).
    TaskState state = TaskState::Queued;
    QString outcomeName;
    AttemptOutcome outcome;
    qint64 runAgainAtMs = -1;
    // Progress:
    int percent = 0;
    QString message;
};

// The SQL behind tasks, on a connection the caller owns: the writer's (inside a StoreWriter
// operation) or a reader's. Prepared statements with bound values only.
class TaskRepository
{
public:
    static constexpr int DefaultCapacity = 100000;
    static constexpr int Unlimited = -1; // the caller enforces capacity itself

    explicit TaskRepository(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Inserts a queued task. Fails without writing when `capacity` tasks already wait
    // ("queue is full (100000 tasks waiting)") or the unique key is taken by a waiting or running
    // task. Returns the new id.
    // `encoded`: the spec's JSON columns, when the caller wrote them beforehand (off the writer thread).
    struct EncodedSpec
    {
        QString action;
        QString payload;
        QString retryPolicy;
    };
    static EncodedSpec encode(const TaskSpec &spec, TaskEncodeCache *cache = nullptr);
    std::optional<qint64> insert(const TaskSpec &spec, const QDateTime &now, int capacity, QString *error,
                                 const EncodedSpec *encoded = nullptr);

    std::optional<Task> find(qint64 id, QString *error = nullptr) const;
    // Newest first; all states when `state` is empty. `limit` <= 0: no limit.
    QList<Task> list(std::optional<TaskState> state, int limit, QString *error = nullptr) const;
    int countWaiting(QString *error = nullptr) const;
    std::optional<QueueStatistics> statistics(const QDateTime &now, QString *error = nullptr) const;
    // Every attempt of a task, oldest first (retried dead letters keep their earlier attempts).
    QList<AttemptRecord> attempts(qint64 taskId, QString *error = nullptr) const;
    // The columns of an attempt as AttemptRecord has them, and one read from a query that selected
    // them first (for the history's reads too).
    static const QString AttemptColumns;
    static AttemptRecord attemptFromQuery(const QSqlQuery &query);
    // Waiting tasks (queued, retry_wait) with an id above `afterId`, oldest first.
    QList<Task> waitingAfter(qint64 afterId, QString *error) const;

    // State changes made by the engine.
    bool markStarted(qint64 id, int attempt, const QDateTime &at, QString *error);
    // `state` is where the task goes (succeeded, retry_wait, dead, cancelled, or queued again
    // after an interruption); `outcome` names how the attempt ended ("succeeded", "failed",
    // "timed_out", "cancelled", "interrupted").
    bool markAttemptEnded(qint64 id, int attempt, TaskState state, const QString &outcomeName,
                          const AttemptOutcome &outcome, const QDateTime &at, const QDateTime &runAgainAt,
                          QString *error);
    bool markProgress(qint64 id, int percent, const QString &message, QString *error);
    // Writes the engine's state changes in order. An attempt that started and ended within
    // `writes` is written at once (one attempt row and one task update instead of four
    // statements). A change that cannot be written is logged and skipped: the others still are,
    // and the task's next run repairs its row. Returns how many failed.
    int apply(const std::vector<TaskWrite> &writes);
    bool markCancelledWhileWaiting(qint64 id, const QDateTime &at, QString *error);

    // Operator actions, each recorded with time and local user in operator_actions and passed to
    // a running engine through engine_requests. Dead tasks only; returns the ids that changed.
    // Retrying starts the attempts again and keeps the history.
    QList<qint64> retryDead(const QList<qint64> &ids, const QString &job, bool all, const QDateTime &now,
                            const QString &user, QString *error);
    // One dead task queued again with a new payload; the old one is kept in the operator's record.
    bool retryDeadWithPayload(qint64 id, const QJsonValue &payload, const QDateTime &now, const QString &user,
                              QString *error);
    // What operators did to a task, oldest first.
    QList<OperatorActionRecord> operatorActions(qint64 taskId, QString *error = nullptr) const;
    QList<qint64> deleteDead(const QList<qint64> &ids, const QDateTime &now, const QString &user, QString *error);
    // Queued or retry_wait tasks are cancelled here; running ones are asked of the engine.
    // Returns false with the reason when the task cannot be cancelled.
    bool requestCancel(qint64 id, const QDateTime &now, const QString &user, QString *error);
    // A waiting task's priority, told to a running engine through engine_requests.
    bool requestPriority(qint64 id, int priority, const QDateTime &now, const QString &user, QString *error);

    struct EngineRequest
    {
        qint64 id;
        QString kind;
        qint64 taskId;
    };
    QList<EngineRequest> requestsAfter(qint64 afterId, QString *error) const;
    // Tells a running engine about a task another process queued.
    bool announceEnqueued(qint64 id, const QDateTime &now, QString *error);
    // The engine forgets the requests it has handled (ids are never reused).
    bool deleteRequestsUpTo(qint64 id, QString *error);
    qint64 lastRequestId() const;

    // Tasks found running when an engine starts were interrupted by a crash: their attempt is
    // recorded as interrupted and they are queued again, or go to dead once interrupted
    // `maxInterruptions` times. Returns how many were recovered.
    int recoverInterrupted(const QDateTime &now, int maxInterruptions, QString *error);

private:
    // A Started and an Ended of the same attempt, written together.
    bool markAttemptRan(qint64 id, int attempt, qint64 startedAtMs, const TaskWrite &end, QString *error);

    QSqlDatabase m_db;
};

} // namespace Taskdeck::Core

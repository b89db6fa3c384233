#pragma once

#include "actions/taskcontext.h"
#include "task.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QRandomGenerator>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

class QSqlDatabase;
class QThreadPool;
class QTimer;

namespace Taskdeck::Core {
class WallTimer;
}

namespace Taskdeck::Core {

class Clock;
class HandlerRegistry;
struct ActionEnvironment;
class StoreWriter;
struct TaskEncodeCache;
struct TaskWrite;

// Runs the tasks of one database: claims waiting tasks by priority and age, runs them on a pool
// of workers, retries failures with backoff and parks what keeps failing as dead letters.
// The database is the truth; this object's queues are a cache of it, rebuilt by start().
//
// Lives in the thread that creates it, which must run an event loop (a `serve` process's main
// thread, or an engine thread next to the GUI). Writes go through the StoreWriter without waiting
// for the disk; a crash loses at most the last group of state changes, whose tasks then run again
// (at-least-once: make handlers idempotent).
class TaskEngine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskEngine)

public:
    struct Options
    {
        int workers = 0;                 // 0: one per core
        int maxWorkers = 0;              // above `workers`: grow up to this while a backlog waits ("auto")
        QHash<QString, int> queueLimits; // at most this many running per named queue
        int capacity = 100000;           // waiting tasks, in all
        int processGraceMs = 5000;       // SIGTERM -> SIGKILL on timeout or cancel
        int shutdownGraceMs = 30000;     // how long shutdown() lets running tasks finish
        // How often to look for what other processes asked (tasks queued, retried, cancelled).
        // 0: never; the owner calls checkRequests() when a ChangeWatcher hears of a change.
        int pollIntervalMs = 200;
        quint32 randomSeed = 0; // 0: random; else deterministic jitter (tests)
        QString secretsPath;    // what {{secret.NAME}} placeholders read; empty: none
        // A task's progress reaches the store and the signals at most this often (100% always).
        int progressIntervalMs = 250;
    };

    TaskEngine(StoreWriter *writer, HandlerRegistry *handlers, const Clock *clock, Options options,
               QObject *parent = nullptr);
    ~TaskEngine() override;

    // Recovers tasks a crash left running, loads what waits, and starts dispatching.
    bool start(QString *error);
    // Stops claiming; lets running tasks finish for shutdownGraceMs, then stops them (they are
    // queued again, not failed). Emits stopped() when nothing runs any more.
    void shutdown();

    // Queues a task durably; taskQueued() follows once it is committed. Returns false (and writes
    // nothing) on invalid input.
    bool enqueue(const TaskSpec &spec, QString *error);
    // The same, and `alsoWrite` runs in the same transaction once the task's id is known (the
    // scheduler records the fire that queued it): both are committed, or neither.
    // `queued` is called in the engine's thread once the write is done: with the new task's id,
    // or with 0 and why it was not written.
    using AlsoWrite = std::function<bool(QSqlDatabase &db, qint64 taskId, QString *error)>;
    using Queued = std::function<void(qint64 taskId, const QString &error)>;
    bool enqueue(const TaskSpec &spec, QString *error, AlsoWrite alsoWrite, Queued queued = {});

    // The waiting and running tasks of a job, for overlap policies.
    struct JobTask
    {
        qint64 id;
        bool running;
    };
    QList<JobTask> tasksOfJob(const QString &job) const;
    // Cancels a waiting or running task of this engine. False when it has no such task.
    bool cancel(qint64 taskId);
    // Looks at the clock again (after a ManualClock moved, or the machine woke up).
    void wake();
    // Reads what other processes asked of the engine since it last looked (and writes again what
    // the writer could not commit). The poll timer calls it; so does the owner on a change signal.
    void checkRequests();

    // How the publish action and pipelines publish events (EventBus::publisher()); without one
    // they fail, saying there is no event bus.
    using EventPublisher = std::function<std::optional<qint64>(const QString &topic, const QJsonValue &data,
                                                               const QString &source, QString *error)>;
    void setEventPublisher(EventPublisher publisher);

    // Lifecycle news for the event bus (task.queued, task.started, ...): lifecycle() is emitted
    // only while this is on, since building its data costs at full speed.
    void setLifecycleReporting(bool on) { m_lifecycle = on; }
    // The job of a waiting or running task; empty when it has none or is not this engine's.
    QString jobOf(qint64 taskId) const;

    // How many tasks run at once from now on (and the floor "auto" shrinks back to). Fewer than run
    // now: the others finish first.
    void setWorkers(int workers);

    int runningCount() const { return int(m_running.size()); }
    int waitingCount() const { return int(m_entries.size()) - runningCount(); }
    bool isIdle() const { return m_entries.isEmpty() && m_inFlightEnqueues == 0; }
    int workerCount() const { return m_workers; }

Q_SIGNALS:
    void taskQueued(qint64 taskId);
    void taskStarted(qint64 taskId, int attempt);
    void taskProgressed(qint64 taskId, int percent, const QString &message);
    // Lines a running task printed (stdout and stderr as they come), in batches; at most
    // 2,000 wait between two batches, older ones are dropped with a line saying so.
    void taskOutput(qint64 taskId, const QStringList &lines);
    void taskSucceeded(qint64 taskId);
    void taskFailed(qint64 taskId, const QString &error);
    void taskRetryScheduled(qint64 taskId, const QDateTime &at);
    void taskDeadLettered(qint64 taskId, const QString &error);
    void taskCancelled(qint64 taskId);
    // An attempt of a job's task ended: `state` is what the task is now (succeeded, retry_wait,
    // dead, cancelled), `error` why the attempt failed. For notifications and per-job views.
    void jobTaskEnded(qint64 taskId, const QString &job, int attempt, const QString &state, const QString &error);
    // With setLifecycleReporting(true): topic is task.queued, task.started, task.succeeded,
    // task.failed, task.retry_scheduled, task.dead_lettered or task.cancelled; data has "task",
    // "job" (null when none), "queue", "attempt" and, where they apply, "error" and "retry_at".
    void lifecycle(const QString &topic, const QJsonObject &data, qint64 taskId);
    void idle();
    void stopped();
    void workerCountChanged(int workers);

private:
    struct Entry
    {
        Task task;
        qint64 runAtMs = 0;
        bool running = false;
        std::shared_ptr<TaskContext> context;
        qint64 startedAtMs = 0;
        bool cancelRequested = false;
        bool stopForShutdown = false;
    };
    // Ready order: higher priority first, then earlier run-at, then lower id.
    struct ReadyKey
    {
        int priority;
        qint64 runAtMs;
        qint64 id;
        bool operator<(const ReadyKey &o) const
        {
            if (priority != o.priority)
                return priority > o.priority;
            if (runAtMs != o.runAtMs)
                return runAtMs < o.runAtMs;
            return id < o.id;
        }
    };

    void loadWaitingTasks(); // at start
    void handleRequests();   // tasks other processes queued, retried or cancelled
    void admit(const Task &task);
    void promoteDueTasks();
    void dispatch();
    void startTask(Entry &entry);
    void drainInbox();
    void queueWrite(TaskWrite write);
    struct PendingWrites;
    struct Inbox;
    static void postPendingWrites(StoreWriter *writer, const std::shared_ptr<PendingWrites> &pending,
                                  const std::shared_ptr<Inbox> &inbox);
    void retryPendingWrites(); // what the writer could not commit, every poll
    void onAttemptFinished(qint64 taskId, const AttemptOutcome &outcome, qint64 finishedAtMs);
    void onProgress(qint64 taskId, int attempt, int percent, const QString &message);
    void reprioritize(qint64 taskId); // after another process changed a waiting task's priority
    void announceQueued(const Task &task);
    void reportLifecycle(const char *topic, const Task &task, int attempt, const QString &error = QString(),
                         const QDateTime &retryAt = QDateTime());
    void armTimer();
    void resizePool(); // "auto" workers: grow while a backlog waits, shrink back when it is gone
    void checkIdle();
    void finishShutdownIfDone();
    qint64 nowMs() const;

    StoreWriter *m_writer;
    HandlerRegistry *m_handlers;
    const Clock *m_clock;
    Options m_options;
    int m_workers;
    int m_baseWorkers;
    qint64 m_backlogSinceMs = -1;
    qint64 m_lastResizeMs = 0;
    QThreadPool *m_pool;
    QTimer *m_wakeTimer;
    QTimer *m_pollTimer;
    QTimer *m_shutdownTimer;
    QTimer *m_retryWritesTimer; // after a write failed, while no poll runs
    WallTimer *m_wallTimer;     // with the system clock: the earliest due task, by the wall clock
    QRandomGenerator m_random;
    QString m_readerName;

    // Commits from the writer and ends of attempts from the workers, handed over in bulk: one
    // event per burst instead of one per task.
    std::shared_ptr<Inbox> m_inbox;
    std::unique_ptr<TaskEncodeCache> m_encodeCache;
    std::shared_ptr<PendingWrites> m_pendingWrites;
    std::shared_ptr<const ActionEnvironment> m_environment; // what actions may use; shared with the workers

    QHash<qint64, Entry> m_entries;                // waiting and running
    std::multimap<qint64, qint64> m_future;        // run-at (ms) -> id, not yet due
    std::map<QString, std::set<ReadyKey>> m_ready; // per queue, due
    QHash<QString, int> m_runningPerQueue;
    QHash<qint64, int> m_running; // id -> attempt
    qint64 m_lastRequestId = 0;
    int m_inFlightEnqueues = 0;
    bool m_started = false;
    bool m_stopping = false;
    bool m_wasIdle = false;
    bool m_stoppedEmitted = false;
    bool m_lifecycle = false;
};

} // namespace Taskdeck::Core

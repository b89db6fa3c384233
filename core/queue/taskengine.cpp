#include "taskengine.h"

#include "actions/actionrunner.h"
#include "actions/actionspec.h"
#include "clock.h"
#include "isotime.h"
#include "store/database.h"
#include "store/storewriter.h"
#include "taskrepository.h"
#include "walltimer.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMutex>
#include <QPointer>
#include <QRunnable>
#include <QSqlDatabase>
#include <QThread>
#include <QThreadPool>
#include <QTimeZone>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <limits>

Q_LOGGING_CATEGORY(lcQueue, "taskdeck.core.queue", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

constexpr int MaxInterruptions = 3;
constexpr qsizetype OutputBacklogLines = 2000; // output lines kept between two batches of taskOutput
constexpr qint64 GrowAfterMs = 500;            // "auto" workers: a backlog this old adds a worker
constexpr qint64 ShrinkAfterMs = 30000;        // ... and this long without one takes one away

QString outcomeName(AttemptOutcome::Kind kind)
{
    switch (kind) {
    case AttemptOutcome::Kind::Succeeded:
        return QStringLiteral("succeeded");
    case AttemptOutcome::Kind::Failed:
        return QStringLiteral("failed");
    case AttemptOutcome::Kind::TimedOut:
        return QStringLiteral("timed_out");
    case AttemptOutcome::Kind::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

// Fire-and-forget write: the engine's state is already decided; the store follows. Failures are
// logged by the writer (a full disk, say) and the task's next run repairs the row.
void write(StoreWriter *writer, StoreWriter::Operation operation)
{
    writer->post(std::move(operation));
}

} // namespace

struct TaskEngine::Inbox
{
    struct Committed
    {
        Task task;
        StoreWriter::Result result;
        Queued queued;
    };
    struct Finished
    {
        qint64 taskId;
        AttemptOutcome outcome;
        qint64 finishedAtMs;
    };

    // From any thread: adds to the inbox, and asks the engine to drain it unless that is pending.
    template<typename Add>
    void deliver(Add add)
    {
        QMutexLocker locker(&mutex);
        add(*this);
        if (engine && !drainScheduled) {
            drainScheduled = true;
            // Under the mutex: the engine's destructor clears `engine` under it first.
            QMetaObject::invokeMethod(engine, &TaskEngine::drainInbox, Qt::QueuedConnection);
        }
    }

    QMutex mutex;
    TaskEngine *engine = nullptr;
    bool drainScheduled = false;
    bool writesFailed = false; // state changes the writer could not commit wait to be written again
    std::vector<Committed> committed;
    std::vector<Finished> finished;
};

TaskEngine::TaskEngine(StoreWriter *writer, HandlerRegistry *handlers, const Clock *clock, Options options,
                       QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_handlers(handlers)
    , m_clock(clock ? clock : &Clock::system())
    , m_options(std::move(options))
    , m_workers(m_options.workers > 0 ? m_options.workers : std::max(1, QThread::idealThreadCount()))
    , m_baseWorkers(m_workers)
    , m_pool(new QThreadPool(this))
    , m_wakeTimer(new QTimer(this))
    , m_pollTimer(new QTimer(this))
    , m_shutdownTimer(new QTimer(this))
    , m_retryWritesTimer(new QTimer(this))
    , m_wallTimer(m_clock == &Clock::system() ? new WallTimer(this) : nullptr)
    , m_random(m_options.randomSeed ? m_options.randomSeed : QRandomGenerator::global()->generate())
    , m_inbox(std::make_shared<Inbox>())
    , m_encodeCache(std::make_unique<TaskEncodeCache>())
    , m_pendingWrites(std::make_shared<PendingWrites>())
{
    auto environment = std::make_shared<ActionEnvironment>();
    environment->handlers = m_handlers;
    environment->writer = m_writer;
    environment->clock = m_clock;
    environment->processGraceMs = m_options.processGraceMs;
    environment->secretsPath = m_options.secretsPath;
    QPointer<TaskEngine> self(this);
    // Pipelines queue background steps through the store: the engine looks at its requests then.
    environment->tasksQueued = [self] {
        QMetaObject::invokeMethod(
            self,
            [self] {
                if (self)
                    self->checkRequests();
            },
            Qt::QueuedConnection);
    };
    m_environment = std::move(environment);
    m_inbox->engine = this;
    static std::atomic<int> serial{0};
    m_readerName = QStringLiteral("taskdeck-engine-reader-%1").arg(++serial);
    m_pool->setMaxThreadCount(m_workers);
    m_pool->setObjectName(QStringLiteral("taskdeck-workers"));
    m_wakeTimer->setSingleShot(true);
    m_wakeTimer->setTimerType(Qt::PreciseTimer);
    connect(m_wakeTimer, &QTimer::timeout, this, &TaskEngine::wake);
    m_pollTimer->setInterval(m_options.pollIntervalMs);
    connect(m_pollTimer, &QTimer::timeout, this, &TaskEngine::checkRequests);
    m_retryWritesTimer->setSingleShot(true);
    m_retryWritesTimer->setInterval(200);
    connect(m_retryWritesTimer, &QTimer::timeout, this, &TaskEngine::retryPendingWrites);
    if (m_wallTimer && !m_wallTimer->isValid()) {
        delete m_wallTimer;
        m_wallTimer = nullptr;
    }
    if (m_wallTimer) {
        // Due times are wall-clock times: a sleep or a clock set shows here, not on the QTimer.
        connect(m_wallTimer, &WallTimer::timeout, this, &TaskEngine::wake);
        connect(m_wallTimer, &WallTimer::clockChanged, this, &TaskEngine::wake);
    }
    m_shutdownTimer->setSingleShot(true);
    connect(m_shutdownTimer, &QTimer::timeout, this, [this] {
        // Grace is over: stop what still runs; it is queued again, not failed.
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
            if (it->running) {
                it->stopForShutdown = true;
                it->context->cancel();
            }
        }
    });
}

TaskEngine::~TaskEngine()
{
    {
        QMutexLocker locker(&m_inbox->mutex);
        m_inbox->engine = nullptr;
    }
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->running)
            it->context->cancel();
    }
    m_pool->waitForDone();
    Database::close(m_readerName);
}

qint64 TaskEngine::nowMs() const
{
    return m_clock->now().toMSecsSinceEpoch();
}

bool TaskEngine::start(QString *error)
{
    if (m_started)
        return true;
    const QDateTime now = m_clock->now();
    const StoreWriter::Result recovered = m_writer->run([now](QSqlDatabase &db, QVariant *value, QString *why) {
        const int count = TaskRepository(db).recoverInterrupted(now, MaxInterruptions, why);
        *value = count;
        return count >= 0;
    });
    if (!recovered.ok) {
        if (error)
            *error = QStringLiteral("cannot recover interrupted tasks: ") + recovered.error;
        return false;
    }
    if (recovered.value.toInt() > 0)
        qCWarning(lcQueue, "%d task(s) were interrupted by the last stop and run again", recovered.value.toInt());
    const QSqlDatabase reader = Database::open(m_writer->path(), m_readerName, Database::Access::ReadOnly, error);
    if (!reader.isValid())
        return false;
    m_started = true;
    // Requests older than this start are answered by loading every waiting task: both read in one
    // snapshot, so that a task queued meanwhile is not admitted twice.
    QSqlDatabase snapshot = QSqlDatabase::database(m_readerName, false);
    snapshot.transaction();
    m_lastRequestId = TaskRepository(snapshot).lastRequestId();
    loadWaitingTasks();
    snapshot.commit();
    if (m_options.pollIntervalMs > 0)
        m_pollTimer->start();
    wake();
    return true;
}

void TaskEngine::checkRequests()
{
    if (!m_started || m_stopping)
        return;
    retryPendingWrites();
    handleRequests();
    wake();
}

void TaskEngine::loadWaitingTasks()
{
    QString error;
    const QList<Task> tasks = TaskRepository(QSqlDatabase::database(m_readerName, false)).waitingAfter(0, &error);
    if (!error.isEmpty()) {
        qCWarning(lcQueue, "cannot read the waiting tasks: %s", qPrintable(error));
        return;
    }
    for (const Task &task : tasks) {
        if (!m_entries.contains(task.id)) {
            admit(task);
            announceQueued(task);
        }
    }
}

void TaskEngine::handleRequests()
{
    QString error;
    TaskRepository reader(QSqlDatabase::database(m_readerName, false));
    const auto requests = reader.requestsAfter(m_lastRequestId, &error);
    if (!error.isEmpty()) {
        qCWarning(lcQueue, "cannot read requests: %s", qPrintable(error));
        return;
    }
    for (const auto &request : requests) {
        m_lastRequestId = request.id;
        if (request.kind == QLatin1String("cancel")) {
            cancel(request.taskId);
        } else if (request.kind == QLatin1String("priority")) {
            reprioritize(request.taskId);
        } else if (!m_entries.contains(request.taskId)) {
            // "enqueued" by another process, or a dead task it queued again ("retry").
            const auto task = reader.find(request.taskId);
            if (task && isWaitingState(task->state)) {
                admit(*task);
                announceQueued(*task);
            }
        }
    }
    if (!requests.isEmpty()) {
        // Handled: nobody else reads them (one engine per database).
        const qint64 upTo = m_lastRequestId;
        write(m_writer, [upTo](QSqlDatabase &db, QVariant *, QString *why) {
            return TaskRepository(db).deleteRequestsUpTo(upTo, why);
        });
    }
}

void TaskEngine::admit(const Task &task)
{
    Entry entry;
    entry.task = task;
    entry.runAtMs = task.runAt.isValid() ? task.runAt.toMSecsSinceEpoch() : 0;
    m_entries.insert(task.id, entry);
    m_future.emplace(entry.runAtMs, task.id);
    m_wasIdle = false;
}

void TaskEngine::announceQueued(const Task &task)
{
    Q_EMIT taskQueued(task.id);
    if (m_lifecycle)
        reportLifecycle("task.queued", task, task.attempts);
}

void TaskEngine::reportLifecycle(const char *topic, const Task &task, int attempt, const QString &error,
                                 const QDateTime &retryAt)
{
    QJsonObject data{
        {QStringLiteral("task"), task.id},
        {QStringLiteral("job"), task.spec.job.isEmpty() ? QJsonValue() : QJsonValue(task.spec.job)},
        {QStringLiteral("queue"), task.spec.queue},
        {QStringLiteral("attempt"), attempt},
    };
    if (!error.isEmpty())
        data.insert(QStringLiteral("error"), error);
    if (retryAt.isValid())
        data.insert(QStringLiteral("retry_at"), IsoTime::format(retryAt));
    Q_EMIT lifecycle(QString::fromLatin1(topic), data, task.id);
}

void TaskEngine::setWorkers(int workers)
{
    workers = std::clamp(workers, 1, 256);
    m_baseWorkers = workers;
    if (m_options.maxWorkers > 0 && m_options.maxWorkers < workers)
        m_options.maxWorkers = workers;
    if (workers == m_workers)
        return;
    m_workers = workers;
    m_pool->setMaxThreadCount(workers);
    Q_EMIT workerCountChanged(workers);
    wake();
}

void TaskEngine::setEventPublisher(EventPublisher publisher)
{
    // Workers hold the environment they started with; later ones get the new one.
    auto environment = std::make_shared<ActionEnvironment>(*m_environment);
    environment->publish = std::move(publisher);
    m_environment = std::move(environment);
}

QString TaskEngine::jobOf(qint64 taskId) const
{
    const auto it = m_entries.constFind(taskId);
    return it == m_entries.cend() ? QString() : it->task.spec.job;
}

bool TaskEngine::enqueue(const TaskSpec &spec, QString *error)
{
    return enqueue(spec, error, {});
}

QList<TaskEngine::JobTask> TaskEngine::tasksOfJob(const QString &job) const
{
    QList<JobTask> tasks;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it->task.spec.job == job)
            tasks.append({it.key(), it->running});
    }
    return tasks;
}

bool TaskEngine::enqueue(const TaskSpec &spec, QString *error, AlsoWrite alsoWrite, Queued queued)
{
    if (!spec.validate(error) || !ActionSpec::validate(spec.action, error))
        return false;
    // The engine knows how many wait: no need to count them in SQL on every insert.
    const int waiting = waitingCount() + m_inFlightEnqueues;
    if (waiting >= m_options.capacity) {
        if (error)
            *error = QStringLiteral("queue is full (%1 tasks waiting)").arg(waiting);
        return false;
    }
    const QDateTime now = m_clock->now();
    ++m_inFlightEnqueues;
    // What the engine will know of the task once it is committed; no need to read it back.
    Task task;
    task.spec = spec;
    task.createdAt = now;
    task.runAt = spec.notBefore.isValid() ? spec.notBefore : now;
    task.spec.notBefore = task.runAt;
    // The JSON columns are written here, not on the writer thread, which every task waits for.
    m_writer->post(
        [spec, now, encoded = TaskRepository::encode(spec, m_encodeCache.get()),
         alsoWrite = std::move(alsoWrite)](QSqlDatabase &db, QVariant *value, QString *why) {
            const auto id = TaskRepository(db).insert(spec, now, TaskRepository::Unlimited, why, &encoded);
            if (!id || (alsoWrite && !alsoWrite(db, *id, why)))
                return false;
            *value = *id;
            return true;
        },
        [inbox = m_inbox, task, queued = std::move(queued)](const StoreWriter::Result &result) {
            inbox->deliver([&](Inbox &in) { in.committed.push_back({task, result, queued}); });
        });
    return true;
}

// The state changes waiting for the writer. One writer operation at a time takes all of them:
// while the writer is busy they gather, and an attempt that started and ended meanwhile is
// written at once. Each change is handed over before the signal that announces it, so a write
// submitted after the signal (a reader's barrier) is committed after it.
struct TaskEngine::PendingWrites
{
    QMutex mutex;
    std::vector<TaskWrite> writes;
    bool operationQueued = false;
};

void TaskEngine::queueWrite(TaskWrite write)
{
    {
        QMutexLocker locker(&m_pendingWrites->mutex);
        m_pendingWrites->writes.push_back(std::move(write));
        if (std::exchange(m_pendingWrites->operationQueued, true))
            return;
    }
    postPendingWrites(m_writer, m_pendingWrites, m_inbox);
}

void TaskEngine::postPendingWrites(StoreWriter *writer, const std::shared_ptr<PendingWrites> &pending,
                                   const std::shared_ptr<Inbox> &inbox)
{
    // The writer may run an operation twice (when another write of its batch failed): the changes
    // it takes are kept for that, and put back in front of newer ones if they were not committed.
    auto taken = std::make_shared<std::vector<TaskWrite>>();
    auto wasTaken = std::make_shared<bool>(false);
    writer->post(
        [pending, taken, wasTaken](QSqlDatabase &db, QVariant *, QString *) {
            if (!*wasTaken) {
                QMutexLocker locker(&pending->mutex);
                *taken = std::exchange(pending->writes, {});
                pending->operationQueued = false;
                *wasTaken = true;
            }
            TaskRepository(db).apply(*taken);
            return true;
        },
        [pending, taken, wasTaken, inbox](const StoreWriter::Result &result) {
            if (result.ok)
                return;
            // Not committed (a full disk, say): kept, in order, for the engine's next try.
            qCWarning(lcQueue, "task state changes were not committed: %s", qPrintable(result.error));
            {
                QMutexLocker locker(&pending->mutex);
                if (*wasTaken)
                    pending->writes.insert(pending->writes.begin(), taken->begin(), taken->end());
                pending->operationQueued = false;
            }
            inbox->deliver([](Inbox &in) { in.writesFailed = true; });
        });
}

void TaskEngine::retryPendingWrites()
{
    {
        QMutexLocker locker(&m_pendingWrites->mutex);
        if (m_pendingWrites->writes.empty() || std::exchange(m_pendingWrites->operationQueued, true))
            return;
    }
    postPendingWrites(m_writer, m_pendingWrites, m_inbox);
}

void TaskEngine::drainInbox()
{
    std::vector<Inbox::Committed> committed;
    std::vector<Inbox::Finished> finished;
    bool writesFailed = false;
    {
        QMutexLocker locker(&m_inbox->mutex);
        committed.swap(m_inbox->committed);
        finished.swap(m_inbox->finished);
        m_inbox->drainScheduled = false;
        writesFailed = std::exchange(m_inbox->writesFailed, false);
    }
    if (writesFailed && !m_retryWritesTimer->isActive())
        m_retryWritesTimer->start(); // the poll would, but it may not run
    for (Inbox::Committed &c : committed) {
        --m_inFlightEnqueues;
        if (!c.result.ok) {
            qCWarning(lcQueue, "a task was not queued: %s", qPrintable(c.result.error));
            if (c.queued)
                c.queued(0, c.result.error);
            continue;
        }
        c.task.id = c.result.value.toLongLong();
        admit(c.task);
        announceQueued(c.task);
        if (c.queued)
            c.queued(c.task.id, QString());
    }
    for (const Inbox::Finished &f : finished)
        onAttemptFinished(f.taskId, f.outcome, f.finishedAtMs);
    if (m_stopping) {
        finishShutdownIfDone();
        checkIdle();
        return;
    }
    wake();
}

bool TaskEngine::cancel(qint64 taskId)
{
    auto it = m_entries.find(taskId);
    if (it == m_entries.end())
        return false;
    if (it->running) {
        it->cancelRequested = true;
        it->context->cancel();
        return true;
    }
    // Waiting: take it out of whichever queue holds it.
    for (auto f = m_future.lower_bound(it->runAtMs); f != m_future.end() && f->first == it->runAtMs; ++f) {
        if (f->second == taskId) {
            m_future.erase(f);
            break;
        }
    }
    m_ready[it->task.spec.queue].erase(ReadyKey{it->task.spec.priority, it->runAtMs, taskId});
    if (m_lifecycle)
        reportLifecycle("task.cancelled", it->task, it->task.attempts);
    m_entries.erase(it);
    TaskWrite write;
    write.kind = TaskWrite::Kind::CancelledWhileWaiting;
    write.taskId = taskId;
    write.atMs = nowMs();
    queueWrite(std::move(write));
    Q_EMIT taskCancelled(taskId);
    checkIdle();
    return true;
}

void TaskEngine::wake()
{
    if (!m_started)
        return;
    promoteDueTasks();
    dispatch();
    resizePool();
    armTimer();
    checkIdle();
}

void TaskEngine::reprioritize(qint64 taskId)
{
    auto it = m_entries.find(taskId);
    if (it == m_entries.end())
        return;
    QString error;
    const auto task = TaskRepository(QSqlDatabase::database(m_readerName, false)).find(taskId, &error);
    if (!task) {
        qCWarning(lcQueue, "cannot read task %lld: %s", taskId, qPrintable(error));
        return;
    }
    if (task->spec.priority == it->task.spec.priority)
        return;
    // Re-sorted where it waits: the ready set is ordered by priority.
    auto &ready = m_ready[it->task.spec.queue];
    const bool wasReady = ready.erase(ReadyKey{it->task.spec.priority, it->runAtMs, taskId}) > 0;
    it->task.spec.priority = task->spec.priority;
    if (wasReady)
        ready.insert(ReadyKey{it->task.spec.priority, it->runAtMs, taskId});
    dispatch();
}

void TaskEngine::promoteDueTasks()
{
    const qint64 now = nowMs();
    while (!m_future.empty() && m_future.begin()->first <= now) {
        const qint64 id = m_future.begin()->second;
        m_future.erase(m_future.begin());
        const auto it = m_entries.constFind(id);
        if (it != m_entries.cend())
            m_ready[it->task.spec.queue].insert(ReadyKey{it->task.spec.priority, it->runAtMs, id});
    }
}

void TaskEngine::dispatch()
{
    if (m_stopping)
        return;
    while (int(m_running.size()) < m_workers) {
        // The best due task among the queues that have room.
        const ReadyKey *best = nullptr;
        QString bestQueue;
        for (auto &[queue, ready] : m_ready) {
            if (ready.empty())
                continue;
            const int limit = m_options.queueLimits.value(queue, 0);
            if (limit > 0 && m_runningPerQueue.value(queue) >= limit)
                continue;
            if (!best || *ready.begin() < *best) {
                best = &*ready.begin();
                bestQueue = queue;
            }
        }
        if (!best)
            return;
        const qint64 id = best->id;
        m_ready[bestQueue].erase(m_ready[bestQueue].begin());
        startTask(m_entries[id]);
    }
}

void TaskEngine::startTask(Entry &entry)
{
    Task &task = entry.task;
    const int attempt = task.attempts + 1;
    task.attempts = attempt;
    entry.running = true;
    entry.startedAtMs = nowMs();
    entry.context = std::make_shared<TaskContext>(task.id, attempt, task.spec.payload);
    m_running.insert(task.id, attempt);
    ++m_runningPerQueue[task.spec.queue];

    const qint64 id = task.id;
    TaskWrite started;
    started.kind = TaskWrite::Kind::Started;
    started.taskId = id;
    started.attempt = attempt;
    started.atMs = entry.startedAtMs;
    queueWrite(std::move(started));
    Q_EMIT taskStarted(id, attempt);
    if (m_lifecycle)
        reportLifecycle("task.started", task, attempt);

    // Progress is throttled where it is produced, so a chatty task cannot flood the engine.
    struct Throttle
    {
        std::atomic<qint64> lastAtMs{std::numeric_limits<qint64>::min() / 2};
        std::atomic<int> lastPercent{-1};
    };
    auto throttle = std::make_shared<Throttle>();
    QPointer<TaskEngine> self(this);
    const Clock *clock = m_clock;
    const qint64 interval = m_options.progressIntervalMs;
    entry.context->onProgress = [self, id, attempt, throttle, clock, interval](int percent, const QString &message) {
        const qint64 now = clock->now().toMSecsSinceEpoch();
        // Reaching 100% always gets through, once; anything else at most every `interval`.
        const bool finished = percent == 100 && throttle->lastPercent.load() != 100;
        if (!finished && now - throttle->lastAtMs.load() < interval)
            return;
        throttle->lastAtMs.store(now);
        throttle->lastPercent.store(percent);
        QMetaObject::invokeMethod(
            self,
            [self, id, attempt, percent, message] {
                if (self)
                    self->onProgress(id, attempt, percent, message);
            },
            Qt::QueuedConnection);
    };

    // Output lines wait in a shared backlog; the first line after a batch went out posts the next
    // batch, so a chatty process costs the engine one event per round trip, not one per line.
    struct OutputBacklog
    {
        QMutex mutex;
        QStringList lines;
        qsizetype dropped = 0;
        bool posted = false;
    };
    auto backlog = std::make_shared<OutputBacklog>();
    entry.context->onLog = [self, id, backlog](const QString &line) {
        QMutexLocker locker(&backlog->mutex);
        if (backlog->lines.size() >= OutputBacklogLines) {
            backlog->lines.removeFirst();
            ++backlog->dropped;
        }
        backlog->lines.append(line);
        if (backlog->posted)
            return;
        backlog->posted = true;
        QMetaObject::invokeMethod(
            self,
            [self, id, backlog] {
                QStringList lines;
                {
                    QMutexLocker take(&backlog->mutex);
                    lines.swap(backlog->lines);
                    if (backlog->dropped > 0)
                        lines.prepend(QStringLiteral("[%1 lines not shown]").arg(backlog->dropped));
                    backlog->dropped = 0;
                    backlog->posted = false;
                }
                if (self && !lines.isEmpty())
                    Q_EMIT self->taskOutput(id, lines);
            },
            Qt::QueuedConnection);
    };

    std::shared_ptr<TaskContext> context = entry.context;
    context->setJob(task.spec.job);
    const QJsonObject action = task.spec.action;
    const qint64 timeoutMs = task.spec.timeoutMs;
    m_pool->start([inbox = m_inbox, id, context, action, timeoutMs, environment = m_environment, clock] {
        AttemptOutcome outcome = ActionRunner::run(action, *context, timeoutMs, *environment);
        const qint64 finishedAt = clock->now().toMSecsSinceEpoch();
        inbox->deliver([&](Inbox &in) { in.finished.push_back({id, std::move(outcome), finishedAt}); });
    });
}

void TaskEngine::onProgress(qint64 taskId, int attempt, int percent, const QString &message)
{
    auto it = m_entries.find(taskId);
    // Late news of an attempt that has ended (the next one may run already) is dropped.
    if (it == m_entries.end() || !it->running || m_running.value(taskId) != attempt)
        return;
    it->task.progress = percent;
    it->task.progressMessage = message;
    TaskWrite write;
    write.kind = TaskWrite::Kind::Progress;
    write.taskId = taskId;
    write.percent = percent;
    write.message = message;
    queueWrite(std::move(write));
    Q_EMIT taskProgressed(taskId, percent, message);
}

void TaskEngine::onAttemptFinished(qint64 taskId, const AttemptOutcome &outcome, qint64 finishedAtMs)
{
    auto it = m_entries.find(taskId);
    if (it == m_entries.end())
        return;
    Entry entry = *it;
    m_entries.erase(it);
    m_running.remove(taskId);
    --m_runningPerQueue[entry.task.spec.queue];

    const Task &task = entry.task;
    const int attempt = task.attempts;
    const QDateTime at = fromMs(finishedAtMs);
    QString name = outcomeName(outcome.kind);
    TaskState next = TaskState::Dead;
    QDateTime runAgainAt;
    AttemptOutcome recorded = outcome;

    if (entry.stopForShutdown && outcome.kind == AttemptOutcome::Kind::Cancelled) {
        next = TaskState::Queued; // the engine stopped it, not an operator: it runs again next time
        name = QStringLiteral("interrupted");
        recorded.error = QStringLiteral("stopped at shutdown");
        runAgainAt = at;
    } else if (outcome.kind == AttemptOutcome::Kind::Succeeded) {
        next = TaskState::Succeeded;
    } else if (outcome.kind == AttemptOutcome::Kind::Cancelled) {
        next = TaskState::Cancelled;
    } else {
        const bool retryable =
            outcome.retryable && (outcome.exitCode < 0 || task.spec.retry.retriesExitCode(outcome.exitCode));
        if (retryable && outcome.retryAfterMs >= 0) {
            // The action has a policy of its own (a pipeline's step): it decides when.
            next = TaskState::RetryWait;
            runAgainAt = fromMs(finishedAtMs + outcome.retryAfterMs);
        } else if (retryable && task.spec.retry.allowsAnotherAttempt(attempt)) {
            next = TaskState::RetryWait;
            runAgainAt = fromMs(finishedAtMs + task.spec.retry.delayMs(attempt, m_random));
        } else if (!retryable && outcome.exitCode >= 0 && outcome.retryable) {
            recorded.error += QStringLiteral(" (exit code %1 is not retried)").arg(outcome.exitCode);
        }
    }

    TaskWrite ended;
    ended.kind = TaskWrite::Kind::Ended;
    ended.taskId = taskId;
    ended.attempt = attempt;
    ended.atMs = finishedAtMs;
    ended.state = next;
    ended.outcomeName = name;
    ended.outcome = recorded;
    ended.runAgainAtMs = runAgainAt.isValid() ? runAgainAt.toMSecsSinceEpoch() : -1;
    queueWrite(std::move(ended));

    if (!task.spec.job.isEmpty() && next != TaskState::Queued)
        Q_EMIT jobTaskEnded(taskId, task.spec.job, attempt, taskStateName(next), recorded.error);
    if (m_lifecycle) {
        switch (next) {
        case TaskState::Succeeded:
            reportLifecycle("task.succeeded", task, attempt);
            break;
        case TaskState::Cancelled:
            reportLifecycle("task.cancelled", task, attempt, recorded.error);
            break;
        case TaskState::RetryWait:
            reportLifecycle("task.failed", task, attempt, recorded.error, runAgainAt);
            reportLifecycle("task.retry_scheduled", task, attempt, recorded.error, runAgainAt);
            break;
        case TaskState::Dead:
            reportLifecycle("task.failed", task, attempt, recorded.error);
            reportLifecycle("task.dead_lettered", task, attempt, recorded.error);
            break;
        default:
            break;
        }
    }
    switch (next) {
    case TaskState::Succeeded:
        Q_EMIT taskSucceeded(taskId);
        break;
    case TaskState::Cancelled:
        Q_EMIT taskCancelled(taskId);
        break;
    case TaskState::RetryWait: {
        Q_EMIT taskFailed(taskId, recorded.error);
        Task again = task;
        again.state = TaskState::RetryWait;
        again.runAt = runAgainAt;
        again.lastError = recorded.error;
        admit(again);
        Q_EMIT taskRetryScheduled(taskId, runAgainAt);
        break;
    }
    case TaskState::Queued: {
        if (!m_stopping) {
            Task again = task;
            again.runAt = runAgainAt;
            admit(again);
        }
        break;
    }
    default:
        Q_EMIT taskFailed(taskId, recorded.error);
        Q_EMIT taskDeadLettered(taskId, recorded.error);
        break;
    }
}

void TaskEngine::resizePool()
{
    if (m_options.maxWorkers <= m_baseWorkers || m_stopping)
        return;
    const qint64 now = nowMs();
    const bool backlog = int(m_running.size()) >= m_workers &&
                         std::any_of(m_ready.cbegin(), m_ready.cend(), [](const auto &q) { return !q.second.empty(); });
    int workers = m_workers;
    if (backlog) {
        if (m_backlogSinceMs < 0)
            m_backlogSinceMs = now;
        if (now - m_backlogSinceMs >= GrowAfterMs && now - m_lastResizeMs >= GrowAfterMs &&
            workers < m_options.maxWorkers)
            ++workers;
    } else {
        m_backlogSinceMs = -1;
        if (workers > m_baseWorkers && int(m_running.size()) < workers && now - m_lastResizeMs >= ShrinkAfterMs)
            --workers;
    }
    if (workers == m_workers)
        return;
    m_workers = workers;
    m_lastResizeMs = now;
    m_pool->setMaxThreadCount(m_workers);
    Q_EMIT workerCountChanged(m_workers);
    dispatch();
}

void TaskEngine::armTimer()
{
    if (m_stopping) {
        m_wakeTimer->stop();
        if (m_wallTimer)
            m_wallTimer->stop();
        return;
    }
    // One timer, armed for the earliest not-yet-due task. With the system clock that is a
    // WallTimer, which also hears of sleeps and clock sets; otherwise a QTimer, capped so that
    // a clock jump is noticed.
    const qint64 due = m_future.empty() ? -1 : m_future.begin()->first;
    if (m_wallTimer) {
        if (due < 0)
            m_wallTimer->stop();
        else
            m_wallTimer->start(QDateTime::fromMSecsSinceEpoch(due, Qt::UTC));
    }
    qint64 delay = due < 0 || m_wallTimer ? -1 : std::min<qint64>(std::max<qint64>(0, due - nowMs()), 60 * 1000);
    if (m_options.maxWorkers > m_baseWorkers) {
        // "auto" workers look again while a backlog waits or extra workers may go.
        const qint64 resizeCheck =
            m_backlogSinceMs >= 0 ? GrowAfterMs : (m_workers > m_baseWorkers ? ShrinkAfterMs : -1);
        if (resizeCheck >= 0)
            delay = delay < 0 ? resizeCheck : std::min(delay, resizeCheck);
    }
    if (delay < 0)
        m_wakeTimer->stop();
    else
        m_wakeTimer->start(int(delay));
}

void TaskEngine::checkIdle()
{
    const bool nowIdle = isIdle();
    if (nowIdle && !m_wasIdle) {
        m_wasIdle = true;
        Q_EMIT idle();
    } else if (!nowIdle) {
        m_wasIdle = false;
    }
}

void TaskEngine::shutdown()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_pollTimer->stop();
    m_wakeTimer->stop();
    if (m_running.isEmpty()) {
        QMetaObject::invokeMethod(this, &TaskEngine::finishShutdownIfDone, Qt::QueuedConnection);
        return;
    }
    m_shutdownTimer->start(m_options.shutdownGraceMs);
}

void TaskEngine::finishShutdownIfDone()
{
    if (!m_stopping || !m_running.isEmpty() || m_stoppedEmitted)
        return;
    m_stoppedEmitted = true;
    m_shutdownTimer->stop();
    m_pool->waitForDone();
    Q_EMIT stopped();
}

} // namespace Taskdeck::Core

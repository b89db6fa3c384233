#pragma once

#include <QDeadlineTimer>
#include <QJsonValue>
#include <QString>

#include <atomic>
#include <functional>

namespace Taskdeck::Core {

// What a running action sees of its task, and how it reports back (KJob's contract: progress
// through one channel, cancellation honoured promptly). Used from the worker thread that runs
// the action; the engine reads the cancel flag and receives progress and log lines through the
// callbacks, which it throttles.
class TaskContext
{
public:
    TaskContext(qint64 taskId, int attempt, QJsonValue payload)
        : m_taskId(taskId)
        , m_attempt(attempt)
        , m_payload(std::move(payload))
    {}
    // A context for part of a task's work (a pipeline's step, an iterate's item): the same task and
    // attempt, its own payload and callbacks, cancelled whenever the parent is. The parent must
    // outlive it.
    TaskContext(const TaskContext &parent, QJsonValue payload)
        : m_taskId(parent.m_taskId)
        , m_attempt(parent.m_attempt)
        , m_payload(std::move(payload))
        , m_job(parent.m_job)
        , m_parent(&parent)
    {}

    qint64 taskId() const { return m_taskId; }
    int attempt() const { return m_attempt; }
    const QJsonValue &payload() const { return m_payload; }
    // The job the task belongs to; empty when none.
    const QString &job() const { return m_job; }
    void setJob(const QString &job) { m_job = job; }

    // 0-100 and a short message; cheap to call often.
    void progress(int percent, const QString &message = QString())
    {
        if (onProgress)
            onProgress(qBound(0, percent, 100), message);
    }
    void log(const QString &line)
    {
        if (onLog)
            onLog(line);
    }
    // True once the task was cancelled (or its parent's work was), or its deadline passed.
    bool isCancelled() const
    {
        return m_cancelled.load(std::memory_order_relaxed) || hasTimedOut() || (m_parent && m_parent->isCancelled());
    }
    // For in-process work that has no timer of its own: isCancelled() turns true `ms` from now.
    void setTimeout(qint64 ms) { m_deadline = ms > 0 ? QDeadlineTimer(ms) : QDeadlineTimer(QDeadlineTimer::Forever); }
    bool hasTimedOut() const { return m_deadline.hasExpired(); }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }

    std::function<void(int, const QString &)> onProgress;
    std::function<void(const QString &)> onLog;

private:
    qint64 m_taskId;
    int m_attempt;
    QJsonValue m_payload;
    QString m_job;
    const TaskContext *m_parent = nullptr;
    QDeadlineTimer m_deadline{QDeadlineTimer::Forever};
    std::atomic<bool> m_cancelled{false};
};

// How one attempt ended.
struct AttemptOutcome
{
    enum class Kind { Succeeded, Failed, TimedOut, Cancelled };
    Kind kind = Kind::Failed;
    QString error;         // empty on success
    int exitCode = -1;     // processes only; -1 when none
    bool retryable = true; // false: straight to dead (e.g. no such handler, a no-retry exit code)
    QString output;        // captured tail
    // What a process and the descendants it waited for used, from wait4(): user + system CPU time,
    // and the largest resident set among them. -1: not a process, or not known; the peak is not
    // known when it is not above the engine's own peak (which the kernel counts for the child too).
    qint64 cpuTimeMs = -1;
    qint64 peakMemoryKiB = -1;
    // What the action produced, for the steps after it in a pipeline: the JSON of a process's last
    // output line (or that line as a string), an HTTP response's body (JSON, or its text), a
    // published event's {"event": id}. Undefined when it produced nothing.
    QJsonValue result = QJsonValue(QJsonValue::Undefined);
    // >= 0: retry after this long whatever the task's own retry policy says (a pipeline step
    // retried by its own policy); -1: the task's policy decides.
    qint64 retryAfterMs = -1;
};

} // namespace Taskdeck::Core

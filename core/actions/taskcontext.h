#pragma once

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

    qint64 taskId() const { return m_taskId; }
    int attempt() const { return m_attempt; }
    const QJsonValue &payload() const { return m_payload; }

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
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }

    std::function<void(int, const QString &)> onProgress;
    std::function<void(const QString &)> onLog;

private:
    qint64 m_taskId;
    int m_attempt;
    QJsonValue m_payload;
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
};

} // namespace Taskdeck::Core

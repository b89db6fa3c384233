#pragma once

#include "retrypolicy.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace Taskdeck::Core {

// The states of DESIGN.md: queued -> running -> succeeded | retry_wait -> queued | dead;
// cancelled from queued, retry_wait or running; dead -> queued again by an operator.
enum class TaskState { Queued, Running, RetryWait, Succeeded, Dead, Cancelled };

QString taskStateName(TaskState state); // "queued", "running", "retry_wait", ...
std::optional<TaskState> taskStateFromName(const QString &name);
bool isFinalState(TaskState state); // succeeded, dead, cancelled
// Waiting counts against the queue's capacity: queued and retry_wait.
bool isWaitingState(TaskState state);

// What to run and how: everything `task enqueue` and jobs specify about a task.
struct TaskSpec
{
    QJsonObject action; // {"type": "exec"|"shell"|"http"|"handler", ...}
    QJsonValue payload; // any JSON; null when none
    QString job;        // the job that made it, if any
    QString queue = QStringLiteral("default");
    int priority = 0; // higher first
    RetryPolicy retry;
    qint64 timeoutMs = 0; // 0: none
    QDateTime notBefore;  // invalid: now
    QString uniqueKey;    // empty: none

    // Checks every field; the error names the field ("queue: ..."). Programs and URLs are
    // checked by the action's own validation.
    bool validate(QString *error) const;
};

struct Task
{
    qint64 id = 0;
    TaskSpec spec;
    TaskState state = TaskState::Queued;
    int attempts = 0;
    int interruptions = 0;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QDateTime runAt; // not before
    int progress = 0;
    QString progressMessage;
    QString lastError;

    // The stable JSON of `--json` output: id, state, attempts, job, queue, priority, error,
    // created_at, finished_at, and more.
    QJsonObject toJson() const;
};

// `--json` output of a list of tasks: an array of Task::toJson() objects.
QJsonArray tasksToJson(const QList<Task> &tasks);

// One execution of a task, as recorded.
struct AttemptRecord
{
    int number = 0;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString outcome; // succeeded, failed, timed_out, cancelled, interrupted; empty while running
    int exitCode = -1;
    QString error;
    QString output;
    qint64 cpuTimeMs = -1;     // processes: user + system CPU time; -1 when not known
    qint64 peakMemoryKiB = -1; // processes: peak resident memory; -1 when not known

    QJsonObject toJson() const;
};

// Something an operator did to a task (retry, edit-payload-retry, delete, cancel), for the audit
// trail of `task show` and the GUI.
struct OperatorActionRecord
{
    QDateTime at;
    QString user;
    QString action;
    QJsonValue detail; // e.g. {"previous_payload": ...}; null when none

    QJsonObject toJson() const;
};

// The queue's health at a glance, for `taskdeckctl stats` and the GUI's overview.
struct QueueStatistics
{
    QHash<QString, int> perState; // state name -> tasks
    int waiting = 0;              // queued and retry_wait: the queue's depth
    QDateTime oldestWaitingSince; // when the longest-waiting due task became due
    int succeededLastHour = 0;
    int failedAttemptsLastHour = 0;
    // From becoming due to starting, over the last 1,000 first attempts.
    qint64 startLatencyP50Ms = -1;
    qint64 startLatencyP95Ms = -1;

    QJsonObject toJson() const;
};

// Policies as stored: {"max_attempts":5,"base_ms":1000,"max_ms":3600000,"delays_ms":[...],
// "no_retry_exit_codes":[...],"jitter":true}
QJsonObject retryPolicyToJson(const RetryPolicy &policy);
// As stored (trusted: a missing field takes its default).
RetryPolicy retryPolicyFromJson(const QJsonObject &object);
// As written by a person (a jobs file, a pipeline's step): unknown fields and values out of range
// are refused, naming the field ("max_attempts: expected a whole number from 1 to 1000").
std::optional<RetryPolicy> parseRetryPolicy(const QJsonObject &object, QString *error);

} // namespace Taskdeck::Core

#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QObject>
#include <QString>

namespace Taskdeck::Core {

class Scheduler;
class TaskEngine;

// Something about a job its operator asked to hear of (the job's "notify" list).
struct JobNotification
{
    QString jobId;
    QString jobTitle;  // the title, or the id when it has none
    QString event;     // failure, dead_letter, misfire, success
    qint64 taskId = 0; // 0: none (a missed fire)
    QString message;   // one line: "attempt 2 of 5 failed: exit code 1; it runs again"
    QDateTime at;
};

// Turns the engine's and the scheduler's news into the notifications each job asked for: the tray
// shows them, `serve` prints them. A failed attempt that is not retried is a dead letter; a job
// that notifies on failure but not on dead letters hears of it as a failure.
class JobNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobNotifier)

public:
    JobNotifier(Scheduler *scheduler, TaskEngine *engine, QObject *parent = nullptr);

Q_SIGNALS:
    void notification(const Taskdeck::Core::JobNotification &notification);

private:
    void onTaskEnded(qint64 taskId, const QString &jobId, int attempt, const QString &state, const QString &error);
    void onFired(const QString &jobId, const QDateTime &scheduledAt, const QString &kind, const QString &outcome,
                 qint64 taskId);
    void notify(const QString &jobId, const QString &event, qint64 taskId, const QString &message);

    Scheduler *m_scheduler;
};

} // namespace Taskdeck::Core

Q_DECLARE_METATYPE(Taskdeck::Core::JobNotification)

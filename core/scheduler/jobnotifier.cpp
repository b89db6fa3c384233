#include "jobnotifier.h"

#include "isotime.h"
#include "queue/taskengine.h"
#include "scheduler.h"

namespace Taskdeck::Core {

JobNotifier::JobNotifier(Scheduler *scheduler, TaskEngine *engine, QObject *parent)
    : QObject(parent)
    , m_scheduler(scheduler)
{
    qRegisterMetaType<JobNotification>();
    connect(engine, &TaskEngine::jobTaskEnded, this, &JobNotifier::onTaskEnded);
    connect(scheduler, &Scheduler::fired, this, &JobNotifier::onFired);
}

void JobNotifier::onTaskEnded(qint64 taskId, const QString &jobId, int attempt, const QString &state,
                              const QString &error)
{
    const Job *job = m_scheduler->job(jobId);
    if (!job)
        return; // removed meanwhile, or queued by hand under a job id that is not defined
    if (state == QLatin1String("succeeded")) {
        notify(jobId, QStringLiteral("success"), taskId,
               attempt > 1 ? QStringLiteral("succeeded at attempt %1").arg(attempt) : QStringLiteral("succeeded"));
    } else if (state == QLatin1String("retry_wait")) {
        notify(jobId, QStringLiteral("failure"), taskId,
               QStringLiteral("attempt %1 of %2 failed: %3; it runs again")
                   .arg(attempt)
                   .arg(job->task.retry.maxAttempts)
                   .arg(error));
    } else if (state == QLatin1String("dead")) {
        const QString message = QStringLiteral("failed for good after %1 attempt%2: %3; it waits in the dead letters")
                                    .arg(attempt)
                                    .arg(attempt == 1 ? QString() : QStringLiteral("s"))
                                    .arg(error);
        notify(jobId,
               job->notify.contains(QLatin1String("dead_letter")) ? QStringLiteral("dead_letter")
                                                                  : QStringLiteral("failure"),
               taskId, message);
    }
}

void JobNotifier::onFired(const QString &jobId, const QDateTime &scheduledAt, const QString &, const QString &outcome,
                          qint64)
{
    if (outcome == QLatin1String("missed"))
        notify(jobId, QStringLiteral("misfire"), 0,
               QStringLiteral("the run due at %1 was missed (misfire policy)")
                   .arg(IsoTime::format(scheduledAt.toLocalTime())));
}

void JobNotifier::notify(const QString &jobId, const QString &event, qint64 taskId, const QString &message)
{
    const Job *job = m_scheduler->job(jobId);
    if (!job || !job->notify.contains(event))
        return;
    JobNotification note;
    note.jobId = jobId;
    note.jobTitle = job->title.isEmpty() ? jobId : job->title;
    note.event = event;
    note.taskId = taskId;
    note.message = message;
    note.at = QDateTime::currentDateTimeUtc();
    Q_EMIT notification(note);
}

} // namespace Taskdeck::Core

#pragma once

#include "cron/cronschedule.h"
#include "job.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QRandomGenerator>

class QTimer;

namespace Taskdeck::Core {

class Clock;
class StoreWriter;
class TaskEngine;
class WallTimer;

// What the scheduler does about one job's due or missed fire times: the plan `catchUpPlan` shows
// (taskdeckctl job catchup-preview) and the scheduler carries out.
struct PlannedFire
{
    QString jobId;
    QDateTime scheduledAt; // the cron time it stands for
    QDateTime runAt;       // when its task may start (catch-up runs are spread out)
    QString kind;          // scheduled, catch-up
    QString outcome;       // run, missed
    QString detail;        // e.g. "12 missed fires from ... to ...: one catch-up run"
};

// Fires jobs: queues a task of a job at each of its cron times, in its time zone, with its
// overlap, misfire and jitter policies, and records every fire (also those skipped or missed).
//
// One timer, armed for the earliest due fire; no polling for fire times. With the system clock it
// is a WallTimer, which also wakes the scheduler after a sleep and when the wall clock is set;
// with an injected clock a QTimer (Qt::PreciseTimer), capped at a minute.
// Each wake compares the wall clock with the last fire handled, so a clock jump, a suspend or
// the time the scheduler was not running shows up as missed fires, handled by the job's misfire
// policy; a clock that went back never fires a time twice. Lives in the engine's thread.
class Scheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Scheduler)

public:
    struct Options
    {
        // How often to look for jobs other processes changed. 0: never; the owner calls
        // checkJobs() when a ChangeWatcher hears of a change.
        int jobsPollIntervalMs = 1000;
        qint64 misfireAfterMs = 60000;  // a fire handled later than this was missed (Quartz's threshold)
        qint64 catchUpSpacingMs = 2000; // "all": catch-up runs this far apart
        quint32 randomSeed = 0;         // 0: random; else deterministic jitter (tests)
        qint64 leadMs = 250;            // a fire is queued this early, to start on the dot (0: at its time)
    };

    Scheduler(StoreWriter *writer, TaskEngine *engine, const Clock *clock, Options options, QObject *parent = nullptr);
    ~Scheduler() override;

    // Loads the jobs, fires @reboot jobs, deals with fires missed while it was not running, and
    // arms its timer.
    bool start(QString *error);
    // Looks at the clock and the jobs again (the timer does this; tests after moving a ManualClock).
    void wake();
    void reloadJobs();
    // Reloads the jobs if another process changed them (a cheap look at the table first).
    void checkJobs();

    // The earliest time a job is due (or a paused job resumes); invalid when none.
    QDateTime nextWake() const;
    // A job as the scheduler knows it now; null when there is none by that id.
    const Job *job(const QString &id) const;

    // What would happen to `job`'s fire times in (lastFireAt, now] if the scheduler woke now.
    static QList<PlannedFire> plan(const Job &job, const QDateTime &lastFireAt, const QDateTime &now,
                                   const Options &options);

Q_SIGNALS:
    // Every fire, run or not: outcome is queued (once its task is committed, with its id),
    // skipped or missed (taskId 0).
    void fired(const QString &jobId, const QDateTime &scheduledAt, const QString &kind, const QString &outcome,
               qint64 taskId);

private:
    struct JobState
    {
        StoredJob stored;
        CronSchedule schedule; // invalid: no schedule (by hand only) or @reboot
        QDateTime lastFireAt;  // the latest fire time dealt with
        QDateTime nextFireAt;  // the first fire time after it (due when not after now)
    };

    void handleJob(JobState &state, const QDateTime &now);
    void queueAhead(JobState &state, const QDateTime &now);
    void updateNext(JobState &state);
    QString jobsFingerprint() const;
    void fire(JobState &state, const PlannedFire &planned, const QDateTime &now);
    void record(const JobState &state, const PlannedFire &planned, const QDateTime &now, const QString &outcome,
                const QString &detail);
    void saveLastFire(const QString &jobId, const QDateTime &at);
    void armTimer();

    StoreWriter *m_writer;
    TaskEngine *m_engine;
    const Clock *m_clock;
    Options m_options;
    QString m_readerName;
    QTimer *m_timer;
    WallTimer *m_wallTimer; // with the system clock
    qint64 m_suspendedMs = 0;
    QTimer *m_jobsTimer;
    QRandomGenerator m_random;
    QHash<QString, JobState> m_jobs;
    QString m_jobsFingerprint;
    bool m_started = false;
};

} // namespace Taskdeck::Core

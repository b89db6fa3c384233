#include "scheduler.h"

#include "clock.h"
#include "isotime.h"
#include "jobrepository.h"
#include "queue/taskengine.h"
#include "store/database.h"
#include "store/storewriter.h"
#include "timezones.h"
#include "walltimer.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>

#include <atomic>
#include <deque>

Q_LOGGING_CATEGORY(lcScheduler, "taskdeck.core.scheduler", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

constexpr qint64 MaxTimerMs = 60 * 1000; // look at the wall clock at least this often
constexpr int MaxCountedFires = 100000;  // missed fires counted one by one, at most

CronSchedule scheduleOf(const Job &job)
{
    if (job.schedule.isEmpty())
        return {};
    const CronExpression expression = CronExpression::parse(job.schedule);
    if (!expression.isValid() || expression.isReboot())
        return {};
    const QTimeZone zone = job.timeZone.isEmpty()
                               ? QTimeZone::systemTimeZone()
                               : TimeZones::find(job.timeZone, nullptr).value_or(QTimeZone::systemTimeZone());
    return CronSchedule(expression, zone);
}

bool isReboot(const Job &job)
{
    return !job.schedule.isEmpty() && CronExpression::parse(job.schedule).isReboot();
}

QString timeText(const QDateTime &time)
{
    return IsoTime::format(time);
}

} // namespace

Scheduler::Scheduler(StoreWriter *writer, TaskEngine *engine, const Clock *clock, Options options, QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_engine(engine)
    , m_clock(clock ? clock : &Clock::system())
    , m_options(options)
    , m_timer(new QTimer(this))
    , m_wallTimer(m_clock == &Clock::system() ? new WallTimer(this) : nullptr)
    , m_jobsTimer(new QTimer(this))
    , m_random(options.randomSeed ? options.randomSeed : QRandomGenerator::global()->generate())
{
    static std::atomic<int> serial{0};
    m_readerName = QStringLiteral("taskdeck-scheduler-reader-%1").arg(++serial);
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &Scheduler::wake);
    if (m_wallTimer && !m_wallTimer->isValid()) {
        delete m_wallTimer;
        m_wallTimer = nullptr;
    }
    if (m_wallTimer) {
        connect(m_wallTimer, &WallTimer::timeout, this, &Scheduler::wake);
        connect(m_wallTimer, &WallTimer::clockChanged, this, [this] {
            qCInfo(lcScheduler, "the wall clock was set; now %s", qPrintable(timeText(m_clock->now())));
            wake();
        });
        m_suspendedMs = WallTimer::suspendedMs();
    }
    m_jobsTimer->setInterval(m_options.jobsPollIntervalMs);
    connect(m_jobsTimer, &QTimer::timeout, this, &Scheduler::checkJobs);
}

void Scheduler::checkJobs()
{
    if (!m_started || jobsFingerprint() == m_jobsFingerprint)
        return;
    // What is due goes first, by the definitions it was due under; then the changes.
    wake();
    reloadJobs();
    wake();
}

Scheduler::~Scheduler()
{
    Database::close(m_readerName);
}

bool Scheduler::start(QString *error)
{
    if (m_started)
        return true;
    const QSqlDatabase reader = Database::open(m_writer->path(), m_readerName, Database::Access::ReadOnly, error);
    if (!reader.isValid())
        return false;
    m_started = true;
    reloadJobs();
    const QDateTime now = m_clock->now();
    for (JobState &state : m_jobs) {
        if (isReboot(state.stored.job) && !state.stored.job.paused)
            fire(state, PlannedFire{state.stored.job.id, now, now, QStringLiteral("reboot"), QStringLiteral("run"), {}},
                 now);
    }
    if (m_options.jobsPollIntervalMs > 0)
        m_jobsTimer->start();
    wake();
    return true;
}

void Scheduler::reloadJobs()
{
    if (!m_started)
        return;
    QString error;
    m_jobsFingerprint = jobsFingerprint();
    const QList<StoredJob> jobs = JobRepository(QSqlDatabase::database(m_readerName, false)).list(&error);
    if (!error.isEmpty()) {
        qCWarning(lcScheduler, "cannot read the jobs: %s", qPrintable(error));
        return;
    }
    const QDateTime now = m_clock->now();
    QSet<QString> seen;
    for (const StoredJob &stored : jobs) {
        seen.insert(stored.job.id);
        auto it = m_jobs.find(stored.job.id);
        if (it == m_jobs.end()) {
            JobState state;
            state.stored = stored;
            state.schedule = scheduleOf(stored.job);
            state.lastFireAt = stored.lastFireAt;
            updateNext(state);
            m_jobs.insert(stored.job.id, state);
            continue;
        }
        if (it->stored.revision == stored.revision && it->stored.createdAt == stored.createdAt)
            continue; // (a job removed and added again starts at revision 1 again)
        // Changed (edited, paused, resumed): it goes on from now. An edit never triggers a run,
        // and the fires a pause passed over are not caught up.
        it->stored = stored;
        it->schedule = scheduleOf(stored.job);
        if (!it->lastFireAt.isValid() || it->lastFireAt < now) {
            it->lastFireAt = now;
            saveLastFire(stored.job.id, now);
        }
        updateNext(*it);
    }
    for (auto it = m_jobs.begin(); it != m_jobs.end();) {
        if (seen.contains(it.key()))
            ++it;
        else
            it = m_jobs.erase(it);
    }
}

QString Scheduler::jobsFingerprint() const
{
    // One row that changes with any add, edit, pause, resume or removal: cheap enough to ask
    // every poll even with 10,000 jobs.
    QSqlQuery query(QSqlDatabase::database(m_readerName, false));
    if (!query.exec(QStringLiteral("SELECT COUNT(*), TOTAL(revision), MAX(updated_at), MAX(created_at) FROM jobs")) ||
        !query.next())
        return QString();
    return QStringLiteral("%1/%2/%3/%4")
        .arg(query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
             query.value(3).toString());
}

void Scheduler::wake()
{
    if (!m_started)
        return;
    const QDateTime now = m_clock->now();
    if (m_wallTimer) {
        const qint64 suspended = WallTimer::suspendedMs();
        if (suspended - m_suspendedMs > 1000)
            qCInfo(lcScheduler, "the machine slept for %lld s", (suspended - m_suspendedMs) / 1000);
        m_suspendedMs = suspended;
    }
    const QDateTime horizon = now.addMSecs(std::max<qint64>(m_options.leadMs, 0));
    for (JobState &state : m_jobs) {
        // Only the jobs with something to do: each knows its next fire time.
        const Job &job = state.stored.job;
        const bool due =
            job.paused ? job.resumeAt.isValid() && job.resumeAt <= now
                       : state.schedule.isValid() && (!state.lastFireAt.isValid() ||
                                                      (state.nextFireAt.isValid() && state.nextFireAt <= horizon));
        if (!due)
            continue;
        handleJob(state, now);
        queueAhead(state, now);
        updateNext(state);
    }
    armTimer();
}

void Scheduler::updateNext(JobState &state)
{
    state.nextFireAt =
        state.schedule.isValid() && state.lastFireAt.isValid() ? state.schedule.next(state.lastFireAt) : QDateTime();
}

void Scheduler::queueAhead(JobState &state, const QDateTime &now)
{
    // The next fire, when it is due within the lead time, is queued now with its cron time as
    // its not-before: the durable commit is done by then, and the engine's precise timer starts
    // it on time. (The overlap policy looks at the job's tasks that much early.)
    if (m_options.leadMs <= 0 || state.stored.job.paused || !state.schedule.isValid() || !state.lastFireAt.isValid())
        return;
    const QDateTime next = state.schedule.next(std::max(state.lastFireAt, now));
    if (!next.isValid() || now.msecsTo(next) > m_options.leadMs)
        return;
    fire(state, PlannedFire{state.stored.job.id, next, next, QStringLiteral("scheduled"), QStringLiteral("run"), {}},
         now);
    state.lastFireAt = next;
    saveLastFire(state.stored.job.id, next);
}

QList<PlannedFire> Scheduler::plan(const Job &job, const QDateTime &lastFireAt, const QDateTime &now,
                                   const Options &options)
{
    QList<PlannedFire> plans;
    const CronSchedule schedule = scheduleOf(job);
    if (!schedule.isValid() || job.paused || !lastFireAt.isValid() || lastFireAt >= now)
        return plans;
    // The due fire times in (lastFireAt, now]: how many, the first, and the last ones.
    const size_t keep = job.misfire == MisfirePolicy::All ? size_t(job.misfireMax) : 1;
    std::deque<QDateTime> last;
    QDateTime first;
    int count = 0;
    for (QDateTime t = schedule.next(lastFireAt); t.isValid() && t <= now; t = schedule.next(t)) {
        if (++count == 1)
            first = t;
        last.push_back(t);
        if (last.size() > keep)
            last.pop_front();
        if (count == MaxCountedFires) {
            // Beyond counting one by one: the latest is what matters.
            const QDateTime latest = schedule.previous(now.addMSecs(1));
            if (latest.isValid() && latest > last.back()) {
                last.push_back(latest);
                if (last.size() > keep)
                    last.pop_front();
            }
            break;
        }
    }
    if (count == 0)
        return plans;
    const QDateTime latest = last.back();
    const QString countText =
        count >= MaxCountedFires ? QStringLiteral("more than %1").arg(MaxCountedFires) : QString::number(count);
    const auto make = [&](const QDateTime &at, const QString &kind, const QString &outcome, const QDateTime &runAt,
                          const QString &detail) { return PlannedFire{job.id, at, runAt, kind, outcome, detail}; };
    // On time (a timer is never exact): the normal fire.
    if (count == 1 && latest.msecsTo(now) <= options.misfireAfterMs) {
        plans.append(make(latest, QStringLiteral("scheduled"), QStringLiteral("run"), latest, QString()));
        return plans;
    }
    const auto withinDeadline = [&](const QDateTime &at) {
        return job.startingDeadlineMs <= 0 || at.msecsTo(now) <= job.startingDeadlineMs;
    };
    const QString span =
        count == 1 ? QStringLiteral("1 missed fire at %1").arg(timeText(first))
                   : QStringLiteral("%1 missed fires from %2 to %3").arg(countText, timeText(first), timeText(latest));
    switch (job.misfire) {
    case MisfirePolicy::Skip:
        plans.append(make(latest, QStringLiteral("scheduled"), QStringLiteral("missed"), QDateTime(),
                          span + QStringLiteral(" (misfire: skip)")));
        break;
    case MisfirePolicy::Once:
        if (withinDeadline(latest))
            plans.append(make(latest, QStringLiteral("catch-up"), QStringLiteral("run"), now,
                              span + QStringLiteral(": one catch-up run")));
        else
            plans.append(make(latest, QStringLiteral("scheduled"), QStringLiteral("missed"), QDateTime(),
                              span + QStringLiteral(" (past the starting deadline)")));
        break;
    case MisfirePolicy::All: {
        QList<QDateTime> runs;
        for (const QDateTime &at : last) {
            if (withinDeadline(at))
                runs.append(at);
        }
        const int missed = count - int(runs.size());
        if (missed > 0)
            plans.append(make(
                runs.isEmpty() ? latest : runs.first().addMSecs(-1), QStringLiteral("scheduled"),
                QStringLiteral("missed"), QDateTime(),
                QStringLiteral("%1 of %2 not run (misfire: all, at most %3%4)")
                    .arg(missed)
                    .arg(span)
                    .arg(job.misfireMax)
                    .arg(job.startingDeadlineMs > 0 ? QStringLiteral(", within the starting deadline") : QString())));
        for (qsizetype i = 0; i < runs.size(); ++i)
            plans.append(make(runs.at(i), QStringLiteral("catch-up"), QStringLiteral("run"),
                              now.addMSecs(i * options.catchUpSpacingMs),
                              QStringLiteral("catch-up %1 of %2").arg(i + 1).arg(runs.size())));
        break;
    }
    }
    return plans;
}

void Scheduler::handleJob(JobState &state, const QDateTime &now)
{
    Job &job = state.stored.job;
    if (job.paused) {
        if (!job.resumeAt.isValid() || job.resumeAt > now)
            return;
        // Its pause is over: the fires it passed over are not caught up, but those after its resume
        // time are its own (a wake late after a suspend handles them by the misfire policy).
        const QDateTime resumedAt =
            state.lastFireAt.isValid() && state.lastFireAt > job.resumeAt ? state.lastFireAt : job.resumeAt;
        job.paused = false;
        const QString id = job.id;
        m_writer->post([id, now, resumedAt](QSqlDatabase &db, QVariant *, QString *why) {
            JobRepository jobs(db);
            return jobs.setPaused(id, false, QString(), QDateTime(), now, why) && jobs.setLastFire(id, resumedAt, why);
        });
        ++state.stored.revision; // what the store now has: the reload must not take it for an edit
        state.lastFireAt = resumedAt;
    }
    if (!state.schedule.isValid())
        return;
    if (!state.lastFireAt.isValid()) {
        // New: it fires from now on.
        state.lastFireAt = now;
        saveLastFire(job.id, now);
        return;
    }
    const QList<PlannedFire> plans = plan(job, state.lastFireAt, now, m_options);
    if (plans.isEmpty())
        return;
    QDateTime latest = state.lastFireAt;
    for (const PlannedFire &planned : plans) {
        if (planned.outcome == QLatin1String("run"))
            fire(state, planned, now);
        else
            record(state, planned, now, QStringLiteral("missed"), planned.detail);
        latest = std::max(latest, planned.scheduledAt);
    }
    state.lastFireAt = latest;
    saveLastFire(job.id, latest);
}

void Scheduler::fire(JobState &state, const PlannedFire &planned, const QDateTime &now)
{
    const Job &job = state.stored.job;
    const QList<TaskEngine::JobTask> tasks = m_engine->tasksOfJob(job.id);
    QString detail = planned.detail;
    const auto skip = [&](const QString &why) {
        record(state, planned, now, QStringLiteral("skipped"),
               detail.isEmpty() ? why : detail + QStringLiteral("; ") + why);
    };
    switch (job.overlap) {
    case OverlapPolicy::Allow:
        break;
    case OverlapPolicy::Skip:
        if (!tasks.isEmpty())
            return skip(QStringLiteral("task %1 is still %2 (overlap: skip)")
                            .arg(tasks.first().id)
                            .arg(tasks.first().running ? QStringLiteral("running") : QStringLiteral("waiting")));
        break;
    case OverlapPolicy::QueueOne:
        for (const TaskEngine::JobTask &task : tasks) {
            if (!task.running)
                return skip(QStringLiteral("task %1 already waits (overlap: queue-one)").arg(task.id));
        }
        break;
    case OverlapPolicy::Replace:
        for (const TaskEngine::JobTask &task : tasks) {
            m_engine->cancel(task.id);
            detail += (detail.isEmpty() ? QString() : QStringLiteral("; ")) +
                      QStringLiteral("replaced task %1 (overlap: replace)").arg(task.id);
        }
        break;
    }

    TaskSpec spec = job.taskSpec();
    QDateTime runAt = planned.runAt.isValid() && planned.runAt > now ? planned.runAt : QDateTime();
    if (job.jitterSeconds > 0)
        runAt = (runAt.isValid() ? runAt : now).addMSecs(qint64(m_random.bounded(job.jitterSeconds * 1000 + 1)));
    spec.notBefore = runAt;
    FireRecord record;
    record.jobId = job.id;
    record.scheduledAt = planned.scheduledAt;
    record.at = now;
    record.kind = planned.kind;
    record.outcome = QStringLiteral("queued");
    record.detail = detail;
    QString error;
    const bool queued = m_engine->enqueue(
        spec, &error,
        [record](QSqlDatabase &db, qint64 taskId, QString *why) mutable {
            record.taskId = taskId;
            JobRepository jobs(db);
            return jobs.recordFire(record, why).has_value() && jobs.setLastFire(record.jobId, record.scheduledAt, why);
        },
        [this, record, planned, now, self = QPointer<Scheduler>(this)](qint64 taskId, const QString &why) {
            if (!self)
                return;
            if (taskId > 0) {
                Q_EMIT fired(record.jobId, record.scheduledAt, record.kind, record.outcome, taskId);
                return;
            }
            // The task and its fire were rolled back together: the fire is recorded as skipped.
            auto it = m_jobs.find(record.jobId);
            if (it != m_jobs.end())
                this->record(*it, planned, now, QStringLiteral("skipped"), QStringLiteral("not queued: ") + why);
        });
    if (!queued)
        return skip(QStringLiteral("not queued: ") + error);
}

const Job *Scheduler::job(const QString &id) const
{
    const auto it = m_jobs.constFind(id);
    return it == m_jobs.cend() ? nullptr : &it->stored.job;
}

void Scheduler::record(const JobState &state, const PlannedFire &planned, const QDateTime &now, const QString &outcome,
                       const QString &detail)
{
    FireRecord record;
    record.jobId = state.stored.job.id;
    record.scheduledAt = planned.scheduledAt;
    record.at = now;
    record.kind = planned.kind;
    record.outcome = outcome;
    record.detail = detail;
    m_writer->post([record](QSqlDatabase &db, QVariant *, QString *why) {
        return JobRepository(db).recordFire(record, why).has_value();
    });
    Q_EMIT fired(record.jobId, record.scheduledAt, record.kind, outcome, 0);
}

void Scheduler::saveLastFire(const QString &jobId, const QDateTime &at)
{
    m_writer->post([jobId, at](QSqlDatabase &db, QVariant *, QString *why) {
        return JobRepository(db).setLastFire(jobId, at, why);
    });
}

QDateTime Scheduler::nextWake() const
{
    QDateTime earliest;
    const QDateTime now = m_clock->now();
    for (const JobState &state : m_jobs) {
        QDateTime at;
        if (state.stored.job.paused)
            at = state.stored.job.resumeAt;
        else if (state.schedule.isValid())
            at = state.lastFireAt.isValid() ? state.nextFireAt : now; // a new job: at once
        if (at.isValid() && (!earliest.isValid() || at < earliest))
            earliest = at;
    }
    return earliest;
}

void Scheduler::armTimer()
{
    const QDateTime next = nextWake();
    const qint64 lead = std::max<qint64>(m_options.leadMs, 0);
    if (m_wallTimer) {
        // By the wall clock: on time after a sleep or a clock set, and no wake while nothing is due.
        if (next.isValid())
            m_wallTimer->start(next.addMSecs(-lead));
        else
            m_wallTimer->stop();
        return;
    }
    const qint64 delay =
        next.isValid() ? std::clamp<qint64>(m_clock->now().msecsTo(next) - lead, 0, MaxTimerMs) : MaxTimerMs;
    m_timer->start(int(delay));
}

} // namespace Taskdeck::Core

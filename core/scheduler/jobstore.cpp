#include "jobstore.h"

#include "clock.h"
#include "events/eventrepository.h"
#include "jobrepository.h"
#include "queue/taskrepository.h"
#include "store/storeaccess.h"

namespace Taskdeck::Core {

JobStore::JobStore(const QString &path, const Clock *clock)
    : m_access(std::make_unique<StoreAccess>(path))
    , m_clock(clock ? clock : &Clock::system())
{}

JobStore::~JobStore() = default;

bool JobStore::add(const Job &job, QString *error)
{
    if (!job.validate(error))
        return false;
    const QDateTime now = m_clock->now();
    return m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) { return JobRepository(db).add(job, now, why); }, error);
}

bool JobStore::update(const Job &job, QString *error)
{
    if (!job.validate(error))
        return false;
    const QDateTime now = m_clock->now();
    return m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) { return JobRepository(db).update(job, now, why); }, error);
}

std::optional<JobStore::ImportResult> JobStore::import(const QList<Job> &jobs, QString *error)
{
    return import(jobs, {}, error);
}

std::optional<JobStore::ImportResult> JobStore::import(const QList<Job> &jobs, const QList<Subscription> &subscriptions,
                                                       QString *error)
{
    for (const Job &job : jobs) {
        QString why;
        if (!job.validate(&why)) {
            if (error)
                *error = QStringLiteral("\"%1\": %2").arg(job.id, why);
            return std::nullopt;
        }
    }
    const QDateTime now = m_clock->now();
    ImportResult result;
    const bool ok = m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            result = ImportResult();
            JobRepository repository(db);
            for (const Job &job : jobs) {
                const bool exists = repository.find(job.id).has_value();
                if (!(exists ? repository.update(job, now, why) : repository.add(job, now, why)))
                    return false;
                (exists ? result.replaced : result.added).append(job.id);
            }
            EventRepository events(db);
            for (const Subscription &subscription : subscriptions) {
                const bool exists = events.findSubscription(subscription.name).has_value();
                if (!(exists ? events.updateSubscription(subscription, now, why)
                             : events.addSubscription(subscription, now, why))) {
                    *why = QStringLiteral("subscription \"%1\": %2").arg(subscription.name, *why);
                    return false;
                }
                (exists ? result.replacedSubscriptions : result.addedSubscriptions).append(subscription.name);
            }
            return true;
        },
        error);
    return ok ? std::optional<ImportResult>(result) : std::nullopt;
}

bool JobStore::remove(const QString &id, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = QStringLiteral("no job '%1'").arg(id);
        return false;
    }
    return m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            // Its subscriptions would deliver to nothing: they go first, by the operator's hand.
            const QStringList subscriptions = EventRepository(db).subscriptionsOfJob(id, why);
            if (!subscriptions.isEmpty()) {
                *why = QStringLiteral("job '%1' receives the events of subscription%2 %3; remove %4 first "
                                      "(taskdeckctl sub remove)")
                           .arg(id, subscriptions.size() == 1 ? QString() : QStringLiteral("s"),
                                subscriptions.join(QStringLiteral(", ")),
                                subscriptions.size() == 1 ? QStringLiteral("it") : QStringLiteral("them"));
                return false;
            }
            return JobRepository(db).remove(id, why);
        },
        error);
}

std::optional<StoredJob> JobStore::find(const QString &id, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = QStringLiteral("no job '%1'").arg(id);
        return std::nullopt;
    }
    const QSqlDatabase reader = m_access->reader(error);
    if (!reader.isValid())
        return std::nullopt;
    return JobRepository(reader).find(id, error);
}

std::optional<QList<StoredJob>> JobStore::list(QString *error)
{
    return m_access->readList<StoredJob>(
        [](const QSqlDatabase &reader, QString *why) { return JobRepository(reader).list(why); }, error);
}

std::optional<QList<FireRecord>> JobStore::fires(const QString &id, int limit, QString *error)
{
    if (!find(id, error))
        return std::nullopt;
    return m_access->readList<FireRecord>(
        [&](const QSqlDatabase &reader, QString *why) { return JobRepository(reader).fires(id, limit, why); }, error);
}

std::optional<QList<JobStatistics>> JobStore::statistics(const QDateTime &from, const QDateTime &to, const QString &id,
                                                         QString *error)
{
    return m_access->readList<JobStatistics>(
        [&](const QSqlDatabase &reader, QString *why) {
            return JobStatistics::read(reader, from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch(), id, why);
        },
        error);
}

namespace {

bool checkPause(const QString &reason, const QDateTime &until, const QDateTime &now, QString *error)
{
    if (reason.size() > 500) {
        if (error)
            *error = QStringLiteral("reason: longer than 500 characters");
        return false;
    }
    if (until.isValid() && until <= now) {
        if (error)
            *error = QStringLiteral("until: that time has passed");
        return false;
    }
    return true;
}

} // namespace

bool JobStore::pause(const QString &id, const QString &reason, const QDateTime &until, QString *error)
{
    const QDateTime now = m_clock->now();
    if (!checkPause(reason, until, now, error) || !find(id, error))
        return false;
    return m_access->write([&](QSqlDatabase &db, QVariant *,
                               QString *why) { return JobRepository(db).setPaused(id, true, reason, until, now, why); },
                           error);
}

bool JobStore::resume(const QString &id, QString *error)
{
    if (!find(id, error))
        return false;
    const QDateTime now = m_clock->now();
    return m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            return JobRepository(db).setPaused(id, false, QString(), QDateTime(), now, why);
        },
        error);
}

std::optional<QStringList> JobStore::pauseAll(const QString &reason, const QDateTime &until, QString *error)
{
    const QDateTime now = m_clock->now();
    if (!checkPause(reason, until, now, error))
        return std::nullopt;
    return setAllPaused(true, reason, until, error);
}

std::optional<QStringList> JobStore::resumeAll(QString *error)
{
    return setAllPaused(false, QString(), QDateTime(), error);
}

std::optional<QStringList> JobStore::setAllPaused(bool paused, const QString &reason, const QDateTime &until,
                                                  QString *error)
{
    const QDateTime now = m_clock->now();
    QStringList changed;
    const bool ok = m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            changed.clear();
            JobRepository repository(db);
            QString listError;
            const QList<StoredJob> jobs = repository.list(&listError);
            if (!listError.isEmpty()) {
                *why = listError;
                return false;
            }
            for (const StoredJob &stored : jobs) {
                if (stored.job.paused == paused)
                    continue;
                if (!repository.setPaused(stored.job.id, paused, reason, until, now, why))
                    return false;
                changed.append(stored.job.id);
            }
            return true;
        },
        error);
    return ok ? std::optional<QStringList>(changed) : std::nullopt;
}

std::optional<qint64> JobStore::runNow(const QString &id, QString *error)
{
    if (!find(id, error))
        return std::nullopt;
    const QDateTime now = m_clock->now();
    QVariant taskId;
    const bool ok = m_access->write(
        [&](QSqlDatabase &db, QVariant *value, QString *why) {
            JobRepository jobs(db);
            const auto stored = jobs.find(id, why);
            if (!stored)
                return false;
            TaskRepository tasks(db);
            const auto task = tasks.insert(stored->job.taskSpec(), now, TaskRepository::DefaultCapacity, why);
            if (!task || !tasks.announceEnqueued(*task, now, why))
                return false;
            FireRecord fire;
            fire.jobId = id;
            fire.scheduledAt = now;
            fire.at = now;
            fire.kind = QStringLiteral("run-now");
            fire.outcome = QStringLiteral("queued");
            fire.taskId = *task;
            if (!jobs.recordFire(fire, why))
                return false;
            *value = *task;
            return true;
        },
        error, &taskId);
    return ok ? std::optional<qint64>(taskId.toLongLong()) : std::nullopt;
}

} // namespace Taskdeck::Core

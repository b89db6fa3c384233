#include "taskstore.h"

#include "actions/actionspec.h"
#include "clock.h"
#include "historyrepository.h"
#include "store/database.h"
#include "store/storeaccess.h"
#include "taskrepository.h"

#include <QSqlDatabase>

#include <pwd.h>
#include <unistd.h>

namespace Taskdeck::Core {

TaskStore::TaskStore(const QString &path, const Clock *clock)
    : m_access(std::make_unique<StoreAccess>(path))
    , m_clock(clock ? clock : &Clock::system())
{}

QString TaskStore::path() const
{
    return m_access->path();
}

QString TaskStore::defaultPath()
{
    return Database::defaultPath();
}

TaskStore::~TaskStore() = default;

std::optional<qint64> TaskStore::enqueue(const TaskSpec &spec, QString *error, int capacity)
{
    if (!spec.validate(error) || !ActionSpec::validate(spec.action, error))
        return std::nullopt;
    const QDateTime now = m_clock->now();
    QVariant newId;
    const bool ok = m_access->write(
        [&](QSqlDatabase &db, QVariant *value, QString *why) {
            TaskRepository repository(db);
            const auto id = repository.insert(spec, now, capacity, why);
            if (!id || !repository.announceEnqueued(*id, now, why))
                return false;
            *value = *id;
            return true;
        },
        error, &newId);
    return ok ? std::optional<qint64>(newId.toLongLong()) : std::nullopt;
}

QString TaskStore::localUser()
{
    if (const struct passwd *entry = ::getpwuid(::getuid()))
        return QString::fromLocal8Bit(entry->pw_name);
    return QString::number(::getuid());
}

bool TaskStore::runOperatorAction(const OperatorAction &action, const QString &missing, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = missing;
        return false;
    }
    const QDateTime now = m_clock->now();
    const QString user = localUser();
    return m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            TaskRepository repository(db);
            return action(repository, now, user, why);
        },
        error);
}

std::optional<QList<qint64>> TaskStore::retryDead(const QList<qint64> &ids, const QString &job, bool all,
                                                  QString *error)
{
    QList<qint64> changed;
    const bool ok = runOperatorAction(
        [&](TaskRepository &repository, const QDateTime &now, const QString &user, QString *why) {
            changed = repository.retryDead(ids, job, all, now, user, why);
            return why->isEmpty();
        },
        ids.isEmpty() ? QStringLiteral("no dead tasks") : QStringLiteral("no task %1").arg(ids.first()), error);
    return ok ? std::optional<QList<qint64>>(changed) : std::nullopt;
}

std::optional<QList<qint64>> TaskStore::deleteDead(const QList<qint64> &ids, QString *error)
{
    QList<qint64> changed;
    const bool ok = runOperatorAction(
        [&](TaskRepository &repository, const QDateTime &now, const QString &user, QString *why) {
            changed = repository.deleteDead(ids, now, user, why);
            return why->isEmpty();
        },
        QStringLiteral("no task %1").arg(ids.value(0)), error);
    return ok ? std::optional<QList<qint64>>(changed) : std::nullopt;
}

bool TaskStore::retryDeadWithPayload(qint64 id, const QJsonValue &payload, QString *error)
{
    return runOperatorAction([&](TaskRepository &repository, const QDateTime &now, const QString &user,
                                 QString *why) { return repository.retryDeadWithPayload(id, payload, now, user, why); },
                             QStringLiteral("no task %1").arg(id), error);
}

std::optional<QList<OperatorActionRecord>> TaskStore::operatorActions(qint64 taskId, QString *error)
{
    return m_access->readList<OperatorActionRecord>(
        [&](const QSqlDatabase &reader, QString *why) { return TaskRepository(reader).operatorActions(taskId, why); },
        error);
}

bool TaskStore::cancel(qint64 id, QString *error)
{
    return runOperatorAction([&](TaskRepository &repository, const QDateTime &now, const QString &user,
                                 QString *why) { return repository.requestCancel(id, now, user, why); },
                             QStringLiteral("no task %1").arg(id), error);
}

std::optional<Task> TaskStore::find(qint64 id, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = QStringLiteral("no task %1").arg(id);
        return std::nullopt;
    }
    const QSqlDatabase reader = m_access->reader(error);
    if (!reader.isValid())
        return std::nullopt;
    return TaskRepository(reader).find(id, error);
}

std::optional<QList<AttemptRecord>> TaskStore::attempts(qint64 taskId, QString *error)
{
    return m_access->readList<AttemptRecord>(
        [&](const QSqlDatabase &reader, QString *why) { return TaskRepository(reader).attempts(taskId, why); }, error);
}

std::optional<QList<PipelineAction::StepRecord>> TaskStore::pipelineSteps(qint64 taskId, QString *error)
{
    return m_access->readList<PipelineAction::StepRecord>(
        [&](const QSqlDatabase &reader, QString *why) { return PipelineAction::steps(reader, taskId, why); }, error);
}

std::optional<QueueStatistics> TaskStore::statistics(QString *error)
{
    if (!m_access->exists())
        return QueueStatistics();
    const QSqlDatabase reader = m_access->reader(error);
    if (!reader.isValid())
        return std::nullopt;
    return TaskRepository(reader).statistics(m_clock->now(), error);
}

std::optional<QList<Task>> TaskStore::list(std::optional<TaskState> state, int limit, QString *error)
{
    return m_access->readList<Task>(
        [&](const QSqlDatabase &reader, QString *why) { return TaskRepository(reader).list(state, limit, why); },
        error);
}

bool TaskStore::setPriority(qint64 id, int priority, QString *error)
{
    if (priority < -1000 || priority > 1000) {
        if (error)
            *error = QStringLiteral("priority: %1 is out of range -1000 to 1000").arg(priority);
        return false;
    }
    return runOperatorAction([&](TaskRepository &repository, const QDateTime &now, const QString &user,
                                 QString *why) { return repository.requestPriority(id, priority, now, user, why); },
                             QStringLiteral("no task %1").arg(id), error);
}

std::optional<QList<HistoryRow>> TaskStore::history(const HistoryFilter &filter, qint64 beforeAttemptId, int limit,
                                                    QString *error)
{
    return m_access->readList<HistoryRow>(
        [&](const QSqlDatabase &reader, QString *why) {
            return HistoryRepository(reader).page(filter, beforeAttemptId, limit, why);
        },
        error);
}

std::optional<AttemptRecord> TaskStore::attempt(qint64 attemptId, qint64 *taskId, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = QStringLiteral("no attempt %1").arg(attemptId);
        return std::nullopt;
    }
    const QSqlDatabase db = m_access->reader(error);
    if (!db.isValid())
        return std::nullopt;
    return HistoryRepository(db).attempt(attemptId, taskId, error);
}

std::optional<QList<ActivityBucket>> TaskStore::activity(const QDateTime &from, const QDateTime &to, qint64 bucketMs,
                                                         QString *error)
{
    return m_access->readList<ActivityBucket>(
        [&](const QSqlDatabase &reader, QString *why) {
            return HistoryRepository(reader).activity(from, to, bucketMs, why);
        },
        error);
}

} // namespace Taskdeck::Core

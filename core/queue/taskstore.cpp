#include "taskstore.h"

#include "actions/actionspec.h"
#include "clock.h"
#include "store/database.h"
#include "store/storewriter.h"
#include "taskrepository.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QThread>

#include <atomic>
#include <pwd.h>
#include <unistd.h>

namespace Taskdeck::Core {

TaskStore::TaskStore(const QString &path, const Clock *clock)
    : m_path(path)
    , m_clock(clock ? clock : &Clock::system())
{
    static std::atomic<int> serial{0};
    m_readerName = QStringLiteral("taskdeck-reader-%1-%2").arg(quintptr(QThread::currentThreadId())).arg(++serial);
}

QString TaskStore::defaultPath()
{
    return Database::defaultPath();
}

TaskStore::~TaskStore()
{
    if (m_readerOpen)
        Database::close(m_readerName);
}

std::optional<qint64> TaskStore::enqueue(const TaskSpec &spec, QString *error, int capacity)
{
    if (!spec.validate(error) || !ActionSpec::validate(spec.action, error))
        return std::nullopt;
    if (!openWriter(error))
        return std::nullopt;
    const QDateTime now = m_clock->now();
    const StoreWriter::Result result = m_writer->run([&](QSqlDatabase &db, QVariant *value, QString *why) {
        TaskRepository repository(db);
        const auto id = repository.insert(spec, now, capacity, why);
        if (!id || !repository.announceEnqueued(*id, now, why))
            return false;
        *value = *id;
        return true;
    });
    if (!result.ok) {
        if (error)
            *error = result.error;
        return std::nullopt;
    }
    return result.value.toLongLong();
}

bool TaskStore::openWriter(QString *error)
{
    if (m_writer)
        return true;
    m_writer = std::make_unique<StoreWriter>(m_path);
    if (!m_writer->isOpen()) {
        if (error)
            *error = m_writer->openError();
        m_writer.reset();
        return false;
    }
    return true;
}

QString TaskStore::localUser()
{
    if (const struct passwd *entry = ::getpwuid(::getuid()))
        return QString::fromLocal8Bit(entry->pw_name);
    return QString::number(::getuid());
}

bool TaskStore::runOperatorAction(const OperatorAction &action, const QString &missing, QString *error)
{
    if (!QFileInfo::exists(m_path) || !openWriter(error)) {
        if (error && error->isEmpty())
            *error = missing;
        return false;
    }
    const QDateTime now = m_clock->now();
    const QString user = localUser();
    const StoreWriter::Result result = m_writer->run([&](QSqlDatabase &db, QVariant *, QString *why) {
        TaskRepository repository(db);
        return action(repository, now, user, why);
    });
    if (!result.ok && error)
        *error = result.error;
    return result.ok;
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
    if (!QFileInfo::exists(m_path))
        return QList<OperatorActionRecord>();
    if (!openReader(error))
        return std::nullopt;
    QString why;
    QList<OperatorActionRecord> records =
        TaskRepository(QSqlDatabase::database(m_readerName, false)).operatorActions(taskId, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return records;
}

bool TaskStore::cancel(qint64 id, QString *error)
{
    return runOperatorAction([&](TaskRepository &repository, const QDateTime &now, const QString &user,
                                 QString *why) { return repository.requestCancel(id, now, user, why); },
                             QStringLiteral("no task %1").arg(id), error);
}

bool TaskStore::openReader(QString *error)
{
    if (m_readerOpen)
        return true;
    const QSqlDatabase db = Database::open(m_path, m_readerName, Database::Access::ReadOnly, error);
    m_readerOpen = db.isValid();
    return m_readerOpen;
}

std::optional<Task> TaskStore::find(qint64 id, QString *error)
{
    if (!QFileInfo::exists(m_path)) {
        if (error)
            *error = QStringLiteral("no task %1").arg(id);
        return std::nullopt;
    }
    if (!openReader(error))
        return std::nullopt;
    return TaskRepository(QSqlDatabase::database(m_readerName, false)).find(id, error);
}

std::optional<QList<AttemptRecord>> TaskStore::attempts(qint64 taskId, QString *error)
{
    if (!QFileInfo::exists(m_path))
        return QList<AttemptRecord>();
    if (!openReader(error))
        return std::nullopt;
    QString why;
    QList<AttemptRecord> records = TaskRepository(QSqlDatabase::database(m_readerName, false)).attempts(taskId, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return records;
}

std::optional<QueueStatistics> TaskStore::statistics(QString *error)
{
    if (!QFileInfo::exists(m_path))
        return QueueStatistics();
    if (!openReader(error))
        return std::nullopt;
    return TaskRepository(QSqlDatabase::database(m_readerName, false)).statistics(m_clock->now(), error);
}

std::optional<QList<Task>> TaskStore::list(std::optional<TaskState> state, int limit, QString *error)
{
    if (!QFileInfo::exists(m_path))
        return QList<Task>();
    if (!openReader(error))
        return std::nullopt;
    QString why;
    QList<Task> tasks = TaskRepository(QSqlDatabase::database(m_readerName, false)).list(state, limit, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return tasks;
}

} // namespace Taskdeck::Core

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
    if (!m_writer) {
        m_writer = std::make_unique<StoreWriter>(m_path);
        if (!m_writer->isOpen()) {
            if (error)
                *error = m_writer->openError();
            m_writer.reset();
            return std::nullopt;
        }
    }
    const QDateTime now = m_clock->now();
    const StoreWriter::Result result = m_writer->run([&](QSqlDatabase &db, QVariant *value, QString *why) {
        const auto id = TaskRepository(db).insert(spec, now, capacity, why);
        if (id)
            *value = *id;
        return id.has_value();
    });
    if (!result.ok) {
        if (error)
            *error = result.error;
        return std::nullopt;
    }
    return result.value.toLongLong();
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

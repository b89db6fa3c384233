#include "storewriter.h"

#include "database.h"

#include <QMutex>
#include <QPromise>
#include <QSqlError>
#include <QSqlQuery>
#include <QWaitCondition>

#include <atomic>
#include <deque>

namespace Taskdeck::Core {

class StoreWriter::Thread final : public QThread
{
public:
    Thread(const QString &path, bool fullSync)
        : m_path(path)
        , m_fullSync(fullSync)
    {
        setObjectName(QStringLiteral("taskdeck-store-writer"));
    }

    // Blocks until the connection is open (or failed), so that isOpen() is known on return.
    void startAndWaitUntilOpen()
    {
        QMutexLocker locker(&m_mutex);
        start();
        while (!m_opened)
            m_changed.wait(&m_mutex);
    }

    void stop()
    {
        {
            QMutexLocker locker(&m_mutex);
            m_stopping = true;
            m_changed.wakeAll();
        }
        wait();
    }

    QFuture<Result> submit(Operation operation)
    {
        QPromise<Result> promise;
        QFuture<Result> future = promise.future();
        promise.start();
        QMutexLocker locker(&m_mutex);
        if (!m_openError.isEmpty() || m_stopping) {
            locker.unlock();
            promise.addResult(
                Result{false, m_openError.isEmpty() ? QStringLiteral("the store is closing") : m_openError, {}});
            promise.finish();
            return future;
        }
        m_pending.push_back({std::move(operation), std::move(promise)});
        m_changed.wakeAll();
        return future;
    }

    bool isOpen() const
    {
        QMutexLocker locker(&m_mutex);
        return m_opened && m_openError.isEmpty();
    }
    QString openError() const
    {
        QMutexLocker locker(&m_mutex);
        return m_openError;
    }

    std::atomic<qint64> operations{0};
    std::atomic<qint64> commits{0};
    const QString m_path;

protected:
    void run() override
    {
        const QString connection = QStringLiteral("taskdeck-writer-%1").arg(quintptr(this));
        QString error;
        {
            QSqlDatabase db = Database::open(m_path, connection, Database::Access::ReadWrite, &error,
                                             m_fullSync ? Database::Sync::Full : Database::Sync::Normal);
            {
                QMutexLocker locker(&m_mutex);
                m_opened = true;
                m_openError = db.isValid() ? QString() : (error.isEmpty() ? QStringLiteral("cannot open") : error);
                m_changed.wakeAll();
            }
            if (db.isValid())
                serve(db);
        }
        Database::close(connection);
    }

private:
    struct Pending
    {
        Operation operation;
        QPromise<Result> promise;
    };

    void serve(QSqlDatabase &db)
    {
        QSqlQuery control(db);
        // Prepared once: these run around every single write.
        QSqlQuery savepoint(db);
        QSqlQuery release(db);
        QSqlQuery rollbackTo(db);
        savepoint.prepare(QStringLiteral("SAVEPOINT op"));
        release.prepare(QStringLiteral("RELEASE op"));
        rollbackTo.prepare(QStringLiteral("ROLLBACK TO op"));
        while (true) {
            std::deque<Pending> batch;
            {
                QMutexLocker locker(&m_mutex);
                while (m_pending.empty() && !m_stopping)
                    m_changed.wait(&m_mutex);
                if (m_pending.empty() && m_stopping)
                    return;
                batch.swap(m_pending);
            }
            std::vector<Result> results(batch.size());
            bool began = control.exec(QStringLiteral("BEGIN IMMEDIATE"));
            for (size_t i = 0; i < batch.size() && began; ++i) {
                Result &result = results[i];
                // A savepoint each: one failing write does not undo the others in the batch.
                savepoint.exec();
                QString why;
                result.ok = batch[i].operation(db, &result.value, &why);
                if (result.ok) {
                    release.exec();
                } else {
                    result.error = why.isEmpty() ? QStringLiteral("the write failed") : why;
                    rollbackTo.exec();
                    release.exec();
                }
            }
            QString commitError;
            if (!began) {
                commitError = QStringLiteral("cannot begin a transaction: ") + control.lastError().text();
            } else if (!control.exec(QStringLiteral("COMMIT"))) {
                commitError = QStringLiteral("cannot commit: ") + control.lastError().text();
                control.exec(QStringLiteral("ROLLBACK"));
            }
            commits.fetch_add(1, std::memory_order_relaxed);
            operations.fetch_add(qint64(batch.size()), std::memory_order_relaxed);
            for (size_t i = 0; i < batch.size(); ++i) {
                Result result = std::move(results[i]);
                if (!commitError.isEmpty())
                    result = Result{false, commitError, {}};
                batch[i].promise.addResult(std::move(result));
                batch[i].promise.finish();
            }
        }
    }

    const bool m_fullSync;
    mutable QMutex m_mutex;
    QWaitCondition m_changed;
    std::deque<Pending> m_pending;
    bool m_opened = false;
    bool m_stopping = false;
    QString m_openError;
};

StoreWriter::StoreWriter(const QString &path, bool fullSync)
    : m_thread(std::make_unique<Thread>(path, fullSync))
{
    m_thread->startAndWaitUntilOpen();
}

StoreWriter::~StoreWriter()
{
    m_thread->stop();
}

bool StoreWriter::isOpen() const
{
    return m_thread->isOpen();
}

QString StoreWriter::openError() const
{
    return m_thread->openError();
}

QString StoreWriter::path() const
{
    return m_thread->m_path;
}

QFuture<StoreWriter::Result> StoreWriter::submit(Operation operation)
{
    return m_thread->submit(std::move(operation));
}

StoreWriter::Result StoreWriter::run(Operation operation)
{
    QFuture<Result> future = submit(std::move(operation));
    future.waitForFinished();
    return future.result();
}

StoreWriter::Statistics StoreWriter::statistics() const
{
    return {m_thread->operations.load(), m_thread->commits.load()};
}

} // namespace Taskdeck::Core

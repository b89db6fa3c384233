#include "storewriter.h"

#include "database.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMutex>
#include <QPromise>
#include <QSqlError>
#include <QSqlQuery>
#include <QWaitCondition>

#include <atomic>
#include <deque>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcStore) // defined in database.cpp

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
            promise.addResult(Result{false, closedError(), {}});
            promise.finish();
            return future;
        }
        m_pending.push_back({std::move(operation), std::move(promise), {}});
        m_changed.wakeAll();
        return future;
    }

    void post(Operation operation, Completion done)
    {
        QMutexLocker locker(&m_mutex);
        if (!m_openError.isEmpty() || m_stopping) {
            const Result closed{false, closedError(), {}};
            locker.unlock();
            if (done)
                done(closed);
            else
                qCWarning(lcStore, "a write was dropped: %s", qPrintable(closed.error));
            return;
        }
        m_pending.push_back({std::move(operation), std::nullopt, std::move(done)});
        m_changed.wakeAll();
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
        std::optional<QPromise<Result>> promise; // none: posted
        Completion done;                         // posted: told of the result, if anyone asked
    };

    QString closedError() const { return m_openError.isEmpty() ? QStringLiteral("the store is closing") : m_openError; }

    // BEGIN IMMEDIATE, waiting for as long as another process holds the write lock (each try
    // waits the busy timeout): failing the batch would lose the engine's writes. Gives up only
    // when the store is closing, or on another error.
    bool begin()
    {
        QElapsedTimer waiting;
        waiting.start();
        while (!m_control->exec(QStringLiteral("BEGIN IMMEDIATE"))) {
            const int code = m_control->lastError().nativeErrorCode().toInt() & 0xff; // the primary code
            const bool busy = code == 5 || code == 6;                                 // SQLITE_BUSY, _LOCKED
            {
                QMutexLocker locker(&m_mutex);
                if (!busy || m_stopping)
                    return false;
            }
            qCWarning(lcStore, "the database is locked by another process for %lld s; writes wait",
                      static_cast<long long>(waiting.elapsed() / 1000));
            QThread::msleep(100);
        }
        return true;
    }

    // Runs the batch in one transaction. Optimistic first: no savepoints, which would cost two
    // statements per write. Should a write fail, the whole transaction is rolled back and the
    // batch runs again with a savepoint around each write, so that only the failing one is undone.
    void runBatch(QSqlDatabase &db, std::deque<Pending> &batch, std::vector<Result> &results)
    {
        QString commitError;
        for (const bool isolated : {false, true}) {
            results.assign(batch.size(), Result{});
            commitError.clear();
            if (!begin()) {
                commitError = QStringLiteral("cannot begin a transaction: ") + m_control->lastError().text();
                break;
            }
            bool allOk = true;
            for (size_t i = 0; i < batch.size(); ++i) {
                Result &result = results[i];
                if (isolated)
                    m_savepoint->exec();
                QString why;
                result.ok = batch[i].operation(db, &result.value, &why);
                if (!result.ok)
                    result.error = why.isEmpty() ? QStringLiteral("the write failed") : why;
                if (isolated) {
                    if (!result.ok)
                        m_rollbackTo->exec();
                    m_release->exec();
                } else if (!result.ok) {
                    allOk = false;
                    break;
                }
            }
            if (!allOk) {
                m_control->exec(QStringLiteral("ROLLBACK"));
                continue; // again, isolated
            }
            if (!m_control->exec(QStringLiteral("COMMIT"))) {
                commitError = QStringLiteral("cannot commit: ") + m_control->lastError().text();
                m_control->exec(QStringLiteral("ROLLBACK"));
            }
            break;
        }
        if (!commitError.isEmpty()) {
            for (Result &result : results)
                result = Result{false, commitError, {}};
        }
    }

    void serve(QSqlDatabase &db)
    {
        QSqlQuery control(db);
        // Prepared once: these run around the writes of a batch that had a failure.
        QSqlQuery savepoint(db);
        QSqlQuery release(db);
        QSqlQuery rollbackTo(db);
        savepoint.prepare(QStringLiteral("SAVEPOINT op"));
        release.prepare(QStringLiteral("RELEASE op"));
        rollbackTo.prepare(QStringLiteral("ROLLBACK TO op"));
        m_control = &control;
        m_savepoint = &savepoint;
        m_release = &release;
        m_rollbackTo = &rollbackTo;
        std::vector<Result> results;
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
            runBatch(db, batch, results);
            commits.fetch_add(1, std::memory_order_relaxed);
            operations.fetch_add(qint64(batch.size()), std::memory_order_relaxed);
            for (size_t i = 0; i < batch.size(); ++i) {
                if (batch[i].promise) {
                    batch[i].promise->addResult(std::move(results[i]));
                    batch[i].promise->finish();
                } else if (batch[i].done) {
                    batch[i].done(results[i]);
                } else if (!results[i].ok) {
                    qCWarning(lcStore, "a write failed: %s", qPrintable(results[i].error));
                }
            }
        }
    }

    const bool m_fullSync;
    QSqlQuery *m_control = nullptr;
    QSqlQuery *m_savepoint = nullptr;
    QSqlQuery *m_release = nullptr;
    QSqlQuery *m_rollbackTo = nullptr;
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

void StoreWriter::post(Operation operation, Completion done)
{
    m_thread->post(std::move(operation), std::move(done));
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

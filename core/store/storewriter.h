#pragma once

#include <QFuture>
#include <QString>
#include <QThread>
#include <QVariant>

#include <functional>
#include <memory>

class QSqlDatabase;

namespace Taskdeck::Core {

// The one writer of a Taskdeck database. Writes arriving together are committed in one
// transaction (group commit), so that throughput is not bounded by one fsync per change; each
// write still succeeds or fails on its own (a savepoint each). Thread-safe; never blocks the
// caller: the result arrives through a QFuture (a worker may wait on it, the GUI must watch it).
class StoreWriter final
{
    Q_DISABLE_COPY_MOVE(StoreWriter)

public:
    struct Result
    {
        bool ok = false;
        QString error;
        QVariant value; // whatever the operation returned, e.g. a new row's id
    };
    // Runs on the writer thread inside the batch's transaction. Returns false and sets *error to
    // roll back only its own changes. It may run more than once (when another write of its batch
    // failed, the batch runs again), so it must change nothing but the database and *value.
    using Operation = std::function<bool(QSqlDatabase &db, QVariant *value, QString *error)>;

    struct Statistics
    {
        qint64 operations = 0;
        qint64 commits = 0;
    };

    // Opens `path` on a thread of its own. isOpen() tells whether that worked.
    explicit StoreWriter(const QString &path, bool fullSync = true);
    ~StoreWriter(); // finishes the writes already submitted, then closes

    bool isOpen() const;
    QString openError() const;
    QString path() const;

    QFuture<Result> submit(Operation operation);
    // Called on the writer thread once the write's batch is committed (or has failed).
    using Completion = std::function<void(const Result &result)>;
    // Submits a write without a QFuture: cheaper than submit(), for the engine's stream of state
    // changes. Without `done`, a failure is logged ("taskdeck.core.store").
    void post(Operation operation, Completion done = {});
    // Submits and waits: for worker threads and command-line tools, never the GUI thread.
    Result run(Operation operation);

    Statistics statistics() const;

private:
    class Thread;
    std::unique_ptr<Thread> m_thread;
};

} // namespace Taskdeck::Core

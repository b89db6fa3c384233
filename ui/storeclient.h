#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>

namespace Taskdeck::Core {
class EventStore;
class JobStore;
class TaskStore;
} // namespace Taskdeck::Core

namespace Taskdeck::Ui {

// The stores of one database as a worker thread has them: their connections belong to that
// thread, so they are only ever used inside StoreClient::run().
struct Stores
{
    QString path;
    Core::TaskStore &tasks;
    Core::JobStore &jobs;
    Core::EventStore &events;
};

// Reads and operator actions on one database, off the GUI thread (which never waits on disk). A
// worker thread owns the stores; run() returns at once, the work runs there in order, and its result
// comes back to `done` in the GUI thread, unless `receiver` has gone meanwhile. Writes are committed
// before `done` runs and reach a running engine, here or in another process (taskdeckctl serve),
// through the database.
class StoreClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreClient)

public:
    explicit StoreClient(const QString &databasePath, QObject *parent = nullptr);
    ~StoreClient() override; // lets the work already asked for finish, then stops the thread

    const QString &databasePath() const { return m_path; }

    template<typename Result>
    void run(QObject *receiver, std::function<Result(Stores &)> work, std::function<void(Result)> done)
    {
        QPointer<QObject> guard(receiver);
        post([this, guard, work = std::move(work), done = std::move(done)](Stores &stores) {
            auto result = std::make_shared<Result>(work(stores));
            deliver([guard, done, result] {
                if (guard && done)
                    done(std::move(*result));
            });
        });
    }
    // Work with no result to hand back.
    void run(std::function<void(Stores &)> work);

    // How many pieces of work wait or run now (for tests and the status bar).
    int pending() const;

Q_SIGNALS:
    // A piece of work finished (after its `done` ran).
    void finished();

private:
    class Worker;
    void post(std::function<void(Stores &)> work);
    // Runs `call` in this object's (the GUI's) thread.
    void deliver(std::function<void()> call);

    QString m_path;
    QThread m_thread;
    Worker *m_worker; // lives in m_thread
    std::shared_ptr<std::atomic<int>> m_pending;
};

} // namespace Taskdeck::Ui

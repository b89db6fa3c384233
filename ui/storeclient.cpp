#include "storeclient.h"

#include "events/eventstore.h"
#include "queue/taskstore.h"
#include "scheduler/jobstore.h"

#include <atomic>

namespace Taskdeck::Ui {

// Owns the stores, in the worker thread: created there on the first piece of work, destroyed there
// when the thread ends.
class StoreClient::Worker final : public QObject
{
public:
    explicit Worker(QString path)
        : m_path(std::move(path))
    {}

    void run(const std::function<void(Stores &)> &work)
    {
        if (!m_tasks) {
            m_tasks = std::make_unique<Core::TaskStore>(m_path);
            m_jobs = std::make_unique<Core::JobStore>(m_path);
            m_events = std::make_unique<Core::EventStore>(m_path);
        }
        Stores stores{m_path, *m_tasks, *m_jobs, *m_events};
        work(stores);
    }

private:
    QString m_path;
    std::unique_ptr<Core::TaskStore> m_tasks;
    std::unique_ptr<Core::JobStore> m_jobs;
    std::unique_ptr<Core::EventStore> m_events;
};

StoreClient::StoreClient(const QString &databasePath, QObject *parent)
    : QObject(parent)
    , m_path(databasePath)
    , m_worker(new Worker(databasePath))
    , m_pending(std::make_shared<std::atomic<int>>(0))
{
    m_thread.setObjectName(QStringLiteral("taskdeck-store-client"));
    m_worker->moveToThread(&m_thread);
    // The stores close their connections in the thread that opened them.
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

StoreClient::~StoreClient()
{
    // Behind the work already asked for (an operator's retry, say): it is done first.
    QThread *thread = &m_thread;
    QMetaObject::invokeMethod(
        m_worker, [thread] { thread->quit(); }, Qt::QueuedConnection);
    m_thread.wait();
}

int StoreClient::pending() const
{
    return m_pending->load();
}

void StoreClient::run(std::function<void(Stores &)> work)
{
    post(std::move(work));
}

void StoreClient::post(std::function<void(Stores &)> work)
{
    ++*m_pending;
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker,
        [this, worker, work = std::move(work)] {
            worker->run(work);
            deliver([this] {
                --*m_pending;
                Q_EMIT finished();
            });
        },
        Qt::QueuedConnection);
}

void StoreClient::deliver(std::function<void()> call)
{
    // This object outlives its worker's work (the destructor waits for the thread), and the event
    // is dropped if it is destroyed first.
    QMetaObject::invokeMethod(this, std::move(call), Qt::QueuedConnection);
}

} // namespace Taskdeck::Ui

#include "enginehost.h"

#include "events/eventbus.h"
#include "queue/taskengine.h"

#include <QMutex>
#include <QPointer>
#include <QTimer>

namespace Taskdeck::Ui {

namespace {

constexpr int FrameMs = 33; // progress reaches the GUI at most this often
constexpr int ShutdownGraceMsWhenDestroyed = 2000;

} // namespace

// The engine's own thread: makes the Runtime there, forwards its news, and coalesces progress.
class EngineHost::Thread final : public QThread
{
public:
    Thread(EngineHost *host, QString path, Core::Runtime::Options options)
        : m_host(host)
        , m_path(std::move(path))
        , m_options(std::move(options))
    {
        setObjectName(QStringLiteral("taskdeck-engine"));
    }

    // From the GUI thread: runs `call` in the engine's thread, if the engine runs.
    bool call(std::function<void(Core::Runtime &)> call)
    {
        QMutexLocker locker(&m_mutex);
        if (!m_runtime)
            return false;
        Core::Runtime *runtime = m_runtime;
        QMetaObject::invokeMethod(
            runtime, [runtime, call = std::move(call)] { call(*runtime); }, Qt::QueuedConnection);
        return true;
    }
    void setCoalescing(bool on) { m_coalescing.store(on); }

protected:
    void run() override
    {
        Core::Runtime runtime(m_path, m_options);
        QString error;
        qint64 pid = 0;
        if (!runtime.open(&error, &pid)) {
            report(pid > 0 ? Mode::Monitor : Mode::Failed, error, pid);
            return;
        }
        wire(runtime);
        if (!runtime.start(&error)) {
            report(Mode::Failed, error, 0);
            return;
        }
        {
            QMutexLocker locker(&m_mutex);
            m_runtime = &runtime;
        }
        report(Mode::Engine, QString(), 0);
        Q_EMIT m_host->workerCountChanged(runtime.engine()->workerCount()); // queued: the host's thread
        exec();
        QMutexLocker locker(&m_mutex);
        m_runtime = nullptr;
    }

private:
    void report(Mode mode, const QString &detail, qint64 pid)
    {
        QMetaObject::invokeMethod(
            m_host, [host = m_host, mode, detail, pid] { host->setMode(mode, detail, pid); }, Qt::QueuedConnection);
    }

    void wire(Core::Runtime &runtime)
    {
        EngineHost *host = m_host;
        Core::TaskEngine *engine = runtime.engine();
        const auto queued = Qt::QueuedConnection;
        connect(engine, &Core::TaskEngine::taskQueued, host, &EngineHost::taskQueued, queued);
        connect(engine, &Core::TaskEngine::taskStarted, host, &EngineHost::taskStarted, queued);
        connect(engine, &Core::TaskEngine::workerCountChanged, host, &EngineHost::workerCountChanged, queued);
        connect(engine, &Core::TaskEngine::taskOutput, host, &EngineHost::output, queued);
        connect(
            engine, &Core::TaskEngine::taskSucceeded, host,
            [host](qint64 id) { Q_EMIT host->taskEnded(id, QStringLiteral("succeeded"), QString()); }, queued);
        connect(
            engine, &Core::TaskEngine::taskRetryScheduled, host,
            [host](qint64 id, const QDateTime &) {
                Q_EMIT host->taskEnded(id, QStringLiteral("retry_wait"), QString());
            },
            queued);
        connect(
            engine, &Core::TaskEngine::taskDeadLettered, host,
            [host](qint64 id, const QString &error) { Q_EMIT host->taskEnded(id, QStringLiteral("dead"), error); },
            queued);
        connect(
            engine, &Core::TaskEngine::taskCancelled, host,
            [host](qint64 id) { Q_EMIT host->taskEnded(id, QStringLiteral("cancelled"), QString()); }, queued);
        connect(runtime.scheduler(), &Core::Scheduler::fired, host, &EngineHost::fired, queued);
        connect(runtime.notifier(), &Core::JobNotifier::notification, host, &EngineHost::notification, queued);
        connect(runtime.events(), &Core::EventBus::published, host, &EngineHost::eventPublished, queued);
        connect(&runtime, &Core::Runtime::stopped, &runtime, [this] { quit(); });

        // Progress, coalesced here: the latest of each task, handed over once a frame.
        auto *flush = new QTimer(&runtime);
        flush->setInterval(FrameMs);
        flush->setSingleShot(true);
        connect(flush, &QTimer::timeout, &runtime, [this] {
            QList<ProgressUpdate> batch;
            batch.reserve(m_latest.size());
            for (auto it = m_latest.cbegin(); it != m_latest.cend(); ++it)
                batch.append(*it);
            m_latest.clear();
            if (!batch.isEmpty())
                Q_EMIT m_host->progressed(batch); // a queued connection: the host lives in the GUI thread
        });
        connect(engine, &Core::TaskEngine::taskProgressed, &runtime,
                [this, flush](qint64 id, int percent, const QString &message) {
                    if (!m_coalescing.load()) {
                        Q_EMIT m_host->progressed({ProgressUpdate{id, percent, message}});
                        return;
                    }
                    m_latest.insert(id, ProgressUpdate{id, percent, message});
                    if (!flush->isActive())
                        flush->start();
                });
    }

    EngineHost *m_host;
    QString m_path;
    Core::Runtime::Options m_options;
    QMutex m_mutex;
    Core::Runtime *m_runtime = nullptr; // while it runs
    QHash<qint64, ProgressUpdate> m_latest;
    std::atomic<bool> m_coalescing{true};
};

EngineHost::EngineHost(QString databasePath, Core::Runtime::Options options, QObject *parent)
    : QObject(parent)
    , m_path(std::move(databasePath))
    , m_options(std::move(options))
{
    qRegisterMetaType<ProgressUpdate>();
    qRegisterMetaType<QList<ProgressUpdate>>();
    qRegisterMetaType<Core::JobNotification>();
    qRegisterMetaType<Core::Event>();
}

EngineHost::~EngineHost()
{
    if (!m_thread)
        return;
    // The app stops its engine with stop() before it quits; a host destroyed otherwise still lets
    // the engine shut down cleanly (running tasks are queued again).
    if (!m_thread->call([](Core::Runtime &runtime) { runtime.shutdown(); }))
        m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

void EngineHost::start()
{
    if (m_thread)
        return;
    setMode(Mode::Starting);
    m_thread = new Thread(this, m_path, m_options);
    m_thread->start();
}

void EngineHost::stop(std::function<void()> done)
{
    const auto finish = [this, done] {
        if (m_thread) {
            m_thread->wait();
            delete m_thread;
            m_thread = nullptr;
        }
        setMode(Mode::Stopped);
        if (done)
            done();
    };
    if (!m_thread) {
        finish();
        return;
    }
    // The engine's thread ends once its shutdown is over (running tasks finished, or stopped after
    // the grace period and queued again).
    connect(m_thread, &QThread::finished, this, finish, Qt::SingleShotConnection);
    if (!m_thread->call([](Core::Runtime &runtime) { runtime.shutdown(); }))
        m_thread->quit();
}

void EngineHost::setWorkers(int workers)
{
    if (m_thread)
        m_thread->call([workers](Core::Runtime &runtime) { runtime.engine()->setWorkers(workers); });
}

void EngineHost::setProgressCoalescing(bool on)
{
    if (m_thread)
        m_thread->setCoalescing(on);
}

void EngineHost::setMode(Mode mode, const QString &detail, qint64 pid)
{
    m_detail = detail;
    m_holderPid = pid;
    if (mode == Mode::Monitor || mode == Mode::Failed) {
        // Nothing runs in the thread: it has ended already.
        if (m_thread) {
            m_thread->wait();
            delete m_thread;
            m_thread = nullptr;
        }
    }
    if (mode == m_mode && mode != Mode::Starting)
        return;
    m_mode = mode;
    Q_EMIT modeChanged(mode);
}

} // namespace Taskdeck::Ui

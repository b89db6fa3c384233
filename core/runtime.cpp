#include "runtime.h"

#include "actions/builtinhandlers.h"
#include "actions/handlerregistry.h"
#include "actions/secrets.h"
#include "clock.h"
#include "events/eventbus.h"
#include "events/folderwatcher.h"
#include "scheduler/jobnotifier.h"
#include "store/changesignal.h"
#include "store/database.h"
#include "store/storewriter.h"

#include <QLockFile>

namespace Taskdeck::Core {

Runtime::Runtime(QString databasePath, Options options, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_path(std::move(databasePath))
    , m_options(std::move(options))
    , m_clock(clock ? clock : &Clock::system())
{}

Runtime::~Runtime() = default;

bool Runtime::open(QString *error, qint64 *lockHolderPid)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (lockHolderPid)
        *lockHolderPid = 0;
    // The folder (owner-only) and the file, first: on a first run neither exists, and the lock
    // file goes beside them.
    if (!Database::prepareFile(m_path, error))
        return false;
    // One engine per database: a second one would run every task twice.
    m_lock = std::make_unique<QLockFile>(m_path + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString application;
        if (m_lock->error() == QLockFile::LockFailedError && m_lock->getLockInfo(&pid, &host, &application)) {
            if (lockHolderPid)
                *lockHolderPid = pid;
            return fail(QStringLiteral("another engine serves %1 (pid %2 on %3); stop it first")
                            .arg(m_path)
                            .arg(pid)
                            .arg(host));
        }
        return fail(QStringLiteral("cannot lock %1.lock").arg(m_path));
    }

    m_writer = std::make_unique<StoreWriter>(m_path, m_options.fullSync);
    if (!m_writer->isOpen())
        return fail(m_writer->openError());
    // Other processes knock on a file next to the database when they change it; everything looks
    // then, and polls only where that file cannot be watched.
    m_changes = std::make_unique<ChangeWatcher>(m_path);
    TaskEngine::Options engineOptions = m_options.engine;
    Scheduler::Options schedulerOptions = m_options.scheduler;
    if (m_changes->isWatching()) {
        engineOptions.pollIntervalMs = 0;
        schedulerOptions.jobsPollIntervalMs = 0;
    }
    if (engineOptions.secretsPath.isEmpty())
        engineOptions.secretsPath =
            m_options.secretsPath.isEmpty() ? Secrets::defaultPathFor(m_path) : m_options.secretsPath;
    m_handlers = std::make_unique<HandlerRegistry>();
    registerBuiltinHandlers(*m_handlers);
    m_engine = std::make_unique<TaskEngine>(m_writer.get(), m_handlers.get(), m_clock, engineOptions);
    EventBus::Options busOptions;
    busOptions.capacity = engineOptions.capacity;
    m_events = std::make_unique<EventBus>(m_writer.get(), m_engine.get(), m_clock, busOptions);
    m_engine->setEventPublisher(m_events->publisher());
    m_scheduler = std::make_unique<Scheduler>(m_writer.get(), m_engine.get(), m_clock, schedulerOptions);
    m_events->attachLifecycle(m_scheduler.get());
    m_notifier = std::make_unique<JobNotifier>(m_scheduler.get(), m_engine.get());
    if (m_options.watchFolders && m_options.runScheduler)
        m_folders = std::make_unique<FolderWatcher>(m_writer.get(), m_engine.get(), m_events.get(), m_clock);

    connect(m_engine.get(), &TaskEngine::stopped, this, &Runtime::stopped);
    connect(m_changes.get(), &ChangeWatcher::changed, this, [this] {
        m_engine->checkRequests();
        m_events->checkChanges();
        if (m_options.runScheduler)
            m_scheduler->checkJobs();
        if (m_folders)
            m_folders->checkJobs();
    });

    return true;
}

bool Runtime::start(QString *error)
{
    if (!m_engine) {
        if (error)
            *error = QStringLiteral("the runtime is not open");
        return false;
    }
    // The bus first: the engine's lifecycle news of the tasks it starts at once must find it
    // listening, and batches that fell due while nothing ran are queued before the engine looks.
    return m_events->start(error) && m_engine->start(error) && (!m_options.runScheduler || m_scheduler->start(error)) &&
           (!m_folders || m_folders->start(error));
}

void Runtime::shutdown()
{
    if (m_engine)
        m_engine->shutdown();
    else
        Q_EMIT stopped();
}

} // namespace Taskdeck::Core

#pragma once

#include "queue/taskengine.h"
#include "scheduler/scheduler.h"

#include <QObject>
#include <QString>

#include <memory>

class QLockFile;

namespace Taskdeck::Core {

class ChangeWatcher;
class Clock;
class EventBus;
class FolderWatcher;
class HandlerRegistry;
class JobNotifier;
class StoreWriter;

// One database's engine, scheduler, event bus and folder watches, wired as `taskdeckctl serve`
// and the desktop app run them, in the thread that creates it (which must run an event loop).
// Only one process may run a database: start() takes "<db>.lock" and refuses, naming the
// holder's pid, when another process has it.
class Runtime final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Runtime)

public:
    struct Options
    {
        TaskEngine::Options engine;
        Scheduler::Options scheduler;
        bool fullSync = true;     // synchronous=FULL
        bool runScheduler = true; // false: only drain what is queued (serve --until-idle)
        bool watchFolders = true; // the jobs' folder watches
        QString secretsPath;      // empty: next to the database (Secrets::defaultPathFor)
    };

    Runtime(QString databasePath, Options options, const Clock *clock = nullptr, QObject *parent = nullptr);
    ~Runtime() override;

    // Locks the database, opens its writer and makes the engine, bus, scheduler and watches (not
    // started yet: connect to their signals now). On failure says why; then `lockHolderPid` is
    // the other process's pid when the lock was the reason (else 0).
    bool open(QString *error, qint64 *lockHolderPid = nullptr);
    // Starts them (after open()): recovers interrupted tasks, fires @reboot jobs, catches up.
    bool start(QString *error);
    // Stops claiming tasks; running ones get the engine's grace. stopped() follows.
    void shutdown();

    const QString &databasePath() const { return m_path; }
    TaskEngine *engine() const { return m_engine.get(); }
    Scheduler *scheduler() const { return m_scheduler.get(); }
    EventBus *events() const { return m_events.get(); }
    FolderWatcher *folders() const { return m_folders.get(); }
    JobNotifier *notifier() const { return m_notifier.get(); }
    HandlerRegistry *handlers() const { return m_handlers.get(); }

Q_SIGNALS:
    void stopped();

private:
    QString m_path;
    Options m_options;
    const Clock *m_clock;
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<StoreWriter> m_writer;
    std::unique_ptr<HandlerRegistry> m_handlers;
    std::unique_ptr<ChangeWatcher> m_changes;
    // Declared after what they use, so that they go first; the engine goes last of them, after the
    // bus and the watches whose tasks it runs (its destructor waits for its workers).
    std::unique_ptr<TaskEngine> m_engine;
    std::unique_ptr<EventBus> m_events;
    std::unique_ptr<Scheduler> m_scheduler;
    std::unique_ptr<FolderWatcher> m_folders;
    std::unique_ptr<JobNotifier> m_notifier;
};

} // namespace Taskdeck::Core

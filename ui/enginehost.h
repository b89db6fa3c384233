#pragma once

#include "events/event.h"
#include "runtime.h"
#include "scheduler/jobnotifier.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QThread>

#include <functional>

namespace Taskdeck::Ui {

// One task's progress, as the Live view shows it.
struct ProgressUpdate
{
    qint64 taskId = 0;
    int percent = 0;
    QString message;
};

// The desktop app's engine: this database's Runtime (engine, scheduler, event bus, folder
// watches) in a thread of its own, so that the GUI thread never waits on it. When another process
// already runs the database (taskdeckctl serve holds its lock), there is no engine here and the
// window is a monitor: it reads the database and passes operator actions through it.
//
// The engine's news arrive here in the GUI thread. Progress is coalesced in the engine's thread
// and handed over once a frame (about 30 times a second) as one batch, so a thousand chatty tasks
// cost the GUI one event a frame.
class EngineHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineHost)

public:
    enum class Mode {
        Stopped,  // not started, or stopped
        Starting, // opening the database
        Engine,   // this process runs it
        Monitor,  // another process runs it; we watch
        Failed,   // it could not be opened (error() says why)
    };
    Q_ENUM(Mode)

    EngineHost(QString databasePath, Core::Runtime::Options options, QObject *parent = nullptr);
    ~EngineHost() override; // stops the engine at once (running tasks are queued again)

    // Opens the database in the engine's thread; modeChanged() tells how it went.
    void start();
    // Stops claiming tasks and lets running ones finish for the grace period; then `done` runs
    // (in the GUI thread) and the mode is Stopped.
    void stop(std::function<void()> done = {});

    Mode mode() const { return m_mode; }
    const QString &databasePath() const { return m_path; }
    // Why the database could not be opened (Failed), or who runs it (Monitor).
    const QString &detail() const { return m_detail; }
    qint64 monitoredPid() const { return m_holderPid; }

    // Engine mode only (ignored otherwise): how many tasks run at once from now on.
    void setWorkers(int workers);
    // Coalescing progress into one batch a frame (on by default; off for the benchmark's baseline).
    void setProgressCoalescing(bool on);

Q_SIGNALS:
    void modeChanged(Taskdeck::Ui::EngineHost::Mode mode);
    void taskQueued(qint64 taskId);
    void taskStarted(qint64 taskId, int attempt);
    void progressed(const QList<Taskdeck::Ui::ProgressUpdate> &updates);
    // Lines a running task printed, in batches (the engine's taskOutput).
    void output(qint64 taskId, const QStringList &lines);
    // The attempt ended: state is what the task is now (succeeded, retry_wait, dead, cancelled).
    void taskEnded(qint64 taskId, const QString &state, const QString &error);
    void workerCountChanged(int workers);
    void fired(const QString &jobId, const QDateTime &scheduledAt, const QString &kind, const QString &outcome,
               qint64 taskId);
    void notification(const Taskdeck::Core::JobNotification &notification);
    void eventPublished(const Taskdeck::Core::Event &event);

private:
    class Thread;
    void setMode(Mode mode, const QString &detail = QString(), qint64 pid = 0);

    QString m_path;
    Core::Runtime::Options m_options;
    Thread *m_thread = nullptr;
    Mode m_mode = Mode::Stopped;
    QString m_detail;
    qint64 m_holderPid = 0;
};

} // namespace Taskdeck::Ui

Q_DECLARE_METATYPE(Taskdeck::Ui::ProgressUpdate)

#pragma once

#include "scheduler/job.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

class QFileSystemWatcher;
class QTimer;

namespace Taskdeck::Core {

class Clock;
class EventBus;
class StoreWriter;
class TaskEngine;

// Fires the jobs whose trigger is a folder watch (see FolderWatch): inotify on each folder, no
// polling. A new file is taken once it has settled; then, in one transaction, it is recorded as
// seen, file.created is published (with its subscriptions' deliveries) and a task of the job is
// queued with the file as its payload, recorded as a "watch" fire. A crash before that commit
// loses nothing (the file is still new at the next start); one after it fires nothing twice.
// Lives in the engine's thread.
class FolderWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FolderWatcher)

public:
    FolderWatcher(StoreWriter *writer, TaskEngine *engine, EventBus *events, const Clock *clock,
                  QObject *parent = nullptr);
    ~FolderWatcher() override;

    bool start(QString *error);
    // Reloads the watch jobs if another process changed the jobs.
    void checkJobs();
    // Looks at every watched folder again (the inotify events do this; tests may too).
    void rescan();

    // The folders watched now, and why a job's folder is not (it does not exist, say).
    QStringList watchedFolders() const;
    QHash<QString, QString> problems() const { return m_problems; }

Q_SIGNALS:
    // A file was taken: the job's task is committed (taskId), and its file.created event.
    void fileFired(const QString &jobId, const QString &path, qint64 taskId);

private:
    struct Candidate
    {
        qint64 size = -1;
        qint64 modifiedMs = 0;
        qint64 stableSinceMs = 0; // when size and time were last seen to change
    };
    struct Watch
    {
        Job job;
        QString dir;                          // expanded
        QSet<QString> seen;                   // file names recorded as seen
        QHash<QString, Candidate> candidates; // new files, settling
        bool loaded = false;
    };

    void reload();
    QString jobsFingerprint() const;
    void scan(Watch &watch);
    void fire(Watch &watch, const QString &name, const Candidate &candidate);
    void armSettleTimer();

    StoreWriter *m_writer;
    TaskEngine *m_engine;
    EventBus *m_events;
    const Clock *m_clock;
    QString m_readerName;
    QFileSystemWatcher *m_watcher;
    QTimer *m_settleTimer;
    QTimer *m_debounce;
    QHash<QString, Watch> m_watches; // by job id
    QHash<QString, QString> m_problems;
    QString m_fingerprint;
    QSet<QString> m_firing; // "job/name" being written
    bool m_started = false;
};

} // namespace Taskdeck::Core

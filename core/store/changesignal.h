#pragma once

#include <QObject>
#include <QString>

class QFileSystemWatcher;

namespace Taskdeck::Core {

// How a process that wrote to a database (taskdeckctl, the GUI as a monitor) tells the engine
// serving it to look again, so that the engine need not poll: a write to a small file next to the
// database ("<db>.changes", owner-only), which the engine watches with inotify. The database is
// the message; this is only the knock on the door.
namespace ChangeSignal {

QString pathFor(const QString &databasePath);
// Best effort and cheap (no fsync): a missed knock costs latency, never data, as long as the
// engine also looks when it starts.
void announce(const QString &databasePath);

} // namespace ChangeSignal

// Watches a database's change file; emits changed() once for a burst of knocks.
class ChangeWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangeWatcher)

public:
    explicit ChangeWatcher(const QString &databasePath, QObject *parent = nullptr);

    // False when the file cannot be watched (no inotify, a read-only folder): poll instead.
    bool isWatching() const;

Q_SIGNALS:
    void changed();

private:
    void watch();

    QString m_path;
    QFileSystemWatcher *m_watcher;
    bool m_pending = false;
};

} // namespace Taskdeck::Core

#include "changesignal.h"

#include <QFile>
#include <QFileSystemWatcher>
#include <QLoggingCategory>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcChangeSignal, "taskdeck.core.store", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

// Creates the file (owner-only, never through a symlink) and writes one byte: an inotify
// IN_MODIFY for whoever watches it.
bool touch(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return false;
    const char knock = '\n';
    const bool ok = ::pwrite(fd, &knock, 1, 0) == 1;
    ::close(fd);
    return ok;
}

} // namespace

QString ChangeSignal::pathFor(const QString &databasePath)
{
    return databasePath + QStringLiteral(".changes");
}

void ChangeSignal::announce(const QString &databasePath)
{
    touch(pathFor(databasePath));
}

ChangeWatcher::ChangeWatcher(const QString &databasePath, QObject *parent)
    : QObject(parent)
    , m_path(ChangeSignal::pathFor(databasePath))
    , m_watcher(new QFileSystemWatcher(this))
{
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this] {
        // A file that was removed or replaced is no longer watched: watch it anew.
        if (!m_watcher->files().contains(m_path))
            watch();
        if (std::exchange(m_pending, true))
            return;
        QTimer::singleShot(0, this, [this] {
            m_pending = false;
            Q_EMIT changed();
        });
    });
    watch();
}

bool ChangeWatcher::isWatching() const
{
    return m_watcher->files().contains(m_path);
}

void ChangeWatcher::watch()
{
    if (!QFile::exists(m_path) && !touch(m_path)) {
        qCWarning(lcChangeSignal, "cannot create %s: changes by other processes are noticed by polling",
                  qPrintable(m_path));
        return;
    }
    if (!m_watcher->addPath(m_path))
        qCWarning(lcChangeSignal, "cannot watch %s: changes by other processes are noticed by polling",
                  qPrintable(m_path));
}

} // namespace Taskdeck::Core

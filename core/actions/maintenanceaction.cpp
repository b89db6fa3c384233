#include "maintenanceaction.h"

#include "clock.h"
#include "isotime.h"
#include "scheduler/jobstatistics.h"
#include "store/database.h"
#include "store/sqlitestatement.h"
#include "store/storewriter.h"
#include "timezones.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace Taskdeck::Core::MaintenanceAction {

namespace {

const QLatin1String CleanupType("cleanup");
const QLatin1String PurgeHistoryType("purge-history");
const QLatin1String VacuumType("vacuum");
const QLatin1String ReportType("report");

constexpr qsizetype OutputTailChars = 64 * 1024;                // as much as a process's output tail
constexpr qint64 MaxOlderThanSeconds = 100LL * 365 * 24 * 3600; // a century
constexpr qint64 MaxOlderThanDays = 100LL * 365;
constexpr qsizetype PurgeBatchSize = 500; // tasks deleted per write, so the engine's writes are not held up
constexpr int MaxFolderDepth = 200;       // each level holds a descriptor open while it is cleaned

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// 86400 -> "1 d", 5400 -> "90 min".
QString ageText(qint64 seconds)
{
    if (seconds > 0 && seconds % 86400 == 0)
        return QStringLiteral("%1 d").arg(seconds / 86400);
    if (seconds > 0 && seconds % 3600 == 0)
        return QStringLiteral("%1 h").arg(seconds / 3600);
    if (seconds > 0 && seconds % 60 == 0)
        return QStringLiteral("%1 min").arg(seconds / 60);
    return QStringLiteral("%1 s").arg(seconds);
}

// "850 ms", "1.25 s", "3 min 5 s"; "-" for none.
QString durationText(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60 * 1000)
        return QStringLiteral("%1 s").arg(QString::number(double(ms) / 1000.0, 'g', 3));
    const qint64 seconds = ms / 1000;
    if (seconds < 3600)
        return QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg(seconds / 60 % 60);
}

bool checkFields(const QJsonObject &action, const QString &type, std::initializer_list<const char *> allowed,
                 QString *error)
{
    for (auto it = action.begin(); it != action.end(); ++it) {
        if (it.key() == QLatin1String("type"))
            continue;
        const bool known = std::any_of(allowed.begin(), allowed.end(),
                                       [&](const char *field) { return it.key() == QLatin1String(field); });
        if (!known)
            return fail(error, QStringLiteral("%1: unknown field '%2'").arg(type, it.key()));
    }
    return true;
}

bool checkBools(const QJsonObject &action, const QString &type, std::initializer_list<const char *> fields,
                QString *error)
{
    for (const char *field : fields) {
        const QString name = QString::fromLatin1(field);
        if (action.contains(name) && !action.value(name).isBool())
            return fail(error, QStringLiteral("%1: %2 must be true or false").arg(type, name));
    }
    return true;
}

// A whole number from `min` to `max`, or nothing.
std::optional<qint64> wholeNumber(const QJsonValue &value, qint64 min, qint64 max)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (!std::isfinite(number) || number != std::floor(number) || number < double(min) || number > double(max))
        return std::nullopt;
    return qint64(number);
}

// The folder the action names, expanded and cleaned; empty (and *error set) when unusable.
QString folderField(const QJsonObject &action, const QString &type, QString *error)
{
    const QJsonValue value = action.value(QStringLiteral("dir"));
    if (!value.isString() || value.toString().isEmpty()) {
        fail(error, QStringLiteral("%1: dir is missing").arg(type));
        return {};
    }
    const QString path = expandedPath(value.toString());
    if (!QDir::isAbsolutePath(path)) {
        fail(error, QStringLiteral("%1: dir '%2' is not an absolute path (nor one starting with ~/)")
                        .arg(type, value.toString()));
        return {};
    }
    return QDir::cleanPath(path);
}

bool validateCleanup(const QJsonObject &action, QString *error)
{
    const QString type = CleanupType;
    if (!checkFields(action, type,
                     {"dir", "glob", "older_than_seconds", "recursive", "dry_run", "own_files_only", "missing_ok"},
                     error) ||
        !checkBools(action, type, {"recursive", "dry_run", "own_files_only", "missing_ok"}, error))
        return false;
    const QString dir = folderField(action, type, error);
    if (dir.isEmpty())
        return false;
    const QString named = action.value(QStringLiteral("dir")).toString();
    const QFileInfo info(dir);
    if (dir == QLatin1String("/") || info.canonicalFilePath() == QLatin1String("/"))
        return fail(error, QStringLiteral("cleanup: dir '%1' is the root folder; name the folder to clean").arg(named));
    if (!info.exists()) {
        if (!action.value(QStringLiteral("missing_ok")).toBool())
            return fail(error,
                        QStringLiteral("cleanup: dir '%1' does not exist (set missing_ok to allow that)").arg(named));
    } else if (!info.isDir()) {
        return fail(error, QStringLiteral("cleanup: dir '%1' is not a folder").arg(named));
    }
    if (action.contains(QStringLiteral("glob"))) {
        const QJsonValue glob = action.value(QStringLiteral("glob"));
        if (!glob.isString() || glob.toString().isEmpty() || glob.toString().contains(QLatin1Char('/')))
            return fail(error, QStringLiteral("cleanup: glob must be a file name pattern such as *.tmp (no '/')"));
    }
    if (!wholeNumber(action.value(QStringLiteral("older_than_seconds")), 0, MaxOlderThanSeconds))
        return fail(error, QStringLiteral("cleanup: older_than_seconds must be a whole number of seconds from 0 to %1")
                               .arg(MaxOlderThanSeconds));
    return true;
}

bool validatePurgeHistory(const QJsonObject &action, QString *error)
{
    const QString type = PurgeHistoryType;
    if (!checkFields(action, type, {"older_than_days", "include_cancelled", "dry_run"}, error) ||
        !checkBools(action, type, {"include_cancelled", "dry_run"}, error))
        return false;
    if (!wholeNumber(action.value(QStringLiteral("older_than_days")), 0, MaxOlderThanDays))
        return fail(error, QStringLiteral("purge-history: older_than_days must be a whole number of days from 0 to %1")
                               .arg(MaxOlderThanDays));
    return true;
}

bool validateReport(const QJsonObject &action, QString *error)
{
    const QString type = ReportType;
    if (!checkFields(action, type, {"dir", "period", "timezone"}, error))
        return false;
    const QString dir = folderField(action, type, error);
    if (dir.isEmpty())
        return false;
    const QFileInfo info(dir);
    if (info.exists() && !info.isDir())
        return fail(
            error,
            QStringLiteral("report: dir '%1' is not a folder").arg(action.value(QStringLiteral("dir")).toString()));
    const QString period = action.value(QStringLiteral("period")).toString();
    if (period != QLatin1String("day") && period != QLatin1String("week") && period != QLatin1String("month"))
        return fail(error, QStringLiteral("report: period '%1' is not one of day, week, month").arg(period));
    if (action.contains(QStringLiteral("timezone"))) {
        QString why;
        if (!action.value(QStringLiteral("timezone")).isString() ||
            !TimeZones::find(action.value(QStringLiteral("timezone")).toString(), &why))
            return fail(error, QStringLiteral("report: timezone: ") +
                                   (why.isEmpty() ? QStringLiteral("must be a zone name") : why));
    }
    return true;
}

// What an action says while it runs: each line goes to the context at once, and the last 64 KiB
// are kept as the attempt's output.
class OutputLog
{
public:
    explicit OutputLog(TaskContext &context)
        : m_context(context)
    {}

    void add(const QString &line)
    {
        m_context.log(line);
        m_lines.push_back(line);
        m_chars += line.size() + 1;
        while (m_chars > OutputTailChars && m_lines.size() > 1) {
            m_chars -= m_lines.front().size() + 1;
            m_lines.pop_front();
            ++m_dropped;
        }
    }

    QString text() const
    {
        QStringList lines;
        if (m_dropped > 0)
            lines.append(QStringLiteral("(%1 earlier lines not kept)").arg(m_dropped));
        lines.append(QStringList(m_lines.begin(), m_lines.end()));
        return lines.join(QLatin1Char('\n'));
    }

private:
    TaskContext &m_context;
    std::deque<QString> m_lines;
    qsizetype m_chars = 0;
    qint64 m_dropped = 0;
};

// Cancel and timeout, looked at between files and between batches.
class StopCheck
{
public:
    StopCheck(const TaskContext &context, qint64 timeoutMs)
        : m_context(context)
        , m_timeoutMs(timeoutMs)
        , m_deadline(timeoutMs > 0 ? QDeadlineTimer(timeoutMs) : QDeadlineTimer(QDeadlineTimer::Forever))
    {}

    bool shouldStop() const { return m_context.isCancelled() || m_deadline.hasExpired(); }

    AttemptOutcome outcome(const OutputLog &log) const
    {
        AttemptOutcome outcome;
        outcome.output = log.text();
        if (m_context.isCancelled()) {
            outcome.kind = AttemptOutcome::Kind::Cancelled;
            outcome.error = QStringLiteral("cancelled");
        } else {
            outcome.kind = AttemptOutcome::Kind::TimedOut;
            outcome.error = QStringLiteral("timed out after %1 s").arg(double(m_timeoutMs) / 1000.0);
        }
        return outcome;
    }

private:
    const TaskContext &m_context;
    qint64 m_timeoutMs;
    QDeadlineTimer m_deadline;
};

AttemptOutcome failed(const QString &error, const OutputLog &log, bool retryable = true)
{
    AttemptOutcome outcome;
    outcome.error = error;
    outcome.retryable = retryable;
    outcome.output = log.text();
    return outcome;
}

AttemptOutcome succeeded(const OutputLog &log)
{
    AttemptOutcome outcome;
    outcome.kind = AttemptOutcome::Kind::Succeeded;
    outcome.output = log.text();
    return outcome;
}

// A read-only connection of the calling (worker) thread to the store's file, closed when it goes.
class ReadConnection
{
    Q_DISABLE_COPY_MOVE(ReadConnection)

public:
    ReadConnection(const QString &path, QString *error)
    {
        static std::atomic<int> serial{0};
        m_name = QStringLiteral("taskdeck-maintenance-%1-%2")
                     .arg(quintptr(QThread::currentThreadId()))
                     .arg(serial.fetch_add(1) + 1);
        m_open = Database::open(path, m_name, Database::Access::ReadOnly, error).isValid();
    }
    ~ReadConnection()
    {
        if (m_open)
            Database::close(m_name);
    }
    bool isOpen() const { return m_open; }
    QSqlDatabase database() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
    bool m_open = false;
};

// A file descriptor closed when it goes.
class Descriptor
{
    Q_DISABLE_COPY_MOVE(Descriptor)

public:
    explicit Descriptor(int fd = -1)
        : m_fd(fd)
    {}
    ~Descriptor() { reset(); }
    int get() const { return m_fd; }
    bool isValid() const { return m_fd >= 0; }
    void reset(int fd = -1)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd;
};

// A folder under the parent's descriptor, never through a link.
int openFolderAt(int parentFd, const char *name)
{
    return ::openat(parentFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

qint64 modifiedMs(const struct stat &status)
{
    return qint64(status.st_mtim.tv_sec) * 1000 + qint64(status.st_mtim.tv_nsec) / 1000000;
}

// cleanup: a scan that lists what to delete, then the deletion, so that progress has a total.
// Every folder is reached from the root's descriptor by openat(O_NOFOLLOW), and every file is
// deleted by unlinkat() in the folder so reached: a folder swapped for a link meanwhile stops the
// walk there instead of leading out.
class Cleanup
{
public:
    Cleanup(const QJsonObject &action, TaskContext &context, const StopCheck &stop, qint64 nowMs, OutputLog &log)
        : m_context(context)
        , m_stop(stop)
        , m_log(log)
        , m_dir(QDir::cleanPath(expandedPath(action.value(QStringLiteral("dir")).toString())))
        , m_glob(QFile::encodeName(action.value(QStringLiteral("glob")).toString(QStringLiteral("*"))))
        , m_cutoffMs(nowMs - qint64(action.value(QStringLiteral("older_than_seconds")).toDouble()) * 1000)
        , m_recursive(action.value(QStringLiteral("recursive")).toBool())
        , m_dryRun(action.value(QStringLiteral("dry_run")).toBool())
        , m_ownFilesOnly(action.value(QStringLiteral("own_files_only")).toBool())
        , m_missingOk(action.value(QStringLiteral("missing_ok")).toBool())
    {}

    AttemptOutcome run()
    {
        const QByteArray named = QFile::encodeName(m_dir);
        char *resolved = ::realpath(named.constData(), nullptr);
        if (!resolved) {
            const int error = errno;
            if (error == ENOENT && m_missingOk) {
                m_log.add(QStringLiteral("%1 does not exist: nothing to delete").arg(m_dir));
                return succeeded(m_log);
            }
            return failed(QStringLiteral("cleanup: dir '%1': %2").arg(m_dir, errnoText(error)), m_log, false);
        }
        m_root = resolved;
        std::free(resolved);
        if (m_root == "/")
            return failed(QStringLiteral("cleanup: dir '%1' is the root folder; refused").arg(m_dir), m_log, false);
        Descriptor root(::open(m_root.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        struct stat status = {};
        if (!root.isValid() || ::fstat(root.get(), &status) != 0)
            return failed(QStringLiteral("cleanup: cannot open the folder %1: %2").arg(path({}), errnoText(errno)),
                          m_log);
        m_rootFd = root.get();
        m_rootDevice = status.st_dev;

        m_context.progress(0, QStringLiteral("scanning %1").arg(path({})));
        scan(m_rootFd, QByteArray(), 0);
        if (!m_stopped)
            removeCandidates();
        return finish();
    }

private:
    struct Candidate
    {
        qsizetype folder; // index in m_folders
        QByteArray name;
    };

    // The path to show: the root, the folders below it and the name.
    QString path(const QByteArray &relative, const QByteArray &name = QByteArray()) const
    {
        QByteArray full = m_root;
        if (!relative.isEmpty())
            full += '/' + relative;
        if (!name.isEmpty())
            full += '/' + name;
        return QFile::decodeName(full);
    }

    bool stopNow()
    {
        if (!m_stopped && m_stop.shouldStop())
            m_stopped = true;
        return m_stopped;
    }

    void problem(const QString &what)
    {
        m_log.add(what);
        if (m_problems.isEmpty())
            m_firstProblem = what;
        m_problems.append(what);
    }

    bool isCandidate(const char *name, const struct stat &status) const
    {
        return S_ISREG(status.st_mode) && ::fnmatch(m_glob.constData(), name, 0) == 0 &&
               modifiedMs(status) <= m_cutoffMs && (!m_ownFilesOnly || status.st_uid == ::geteuid());
    }

    // Lists the folder's candidates, then enters its subfolders (when recursive) one at a time,
    // so that at most one descriptor per level is open.
    void scan(int folderFd, const QByteArray &relative, int depth)
    {
        struct Subfolder
        {
            QByteArray name;
            dev_t device;
            ino_t inode;
        };
        std::vector<Subfolder> subfolders;
        const int listFd = ::dup(folderFd); // fdopendir takes it over
        DIR *listing = listFd >= 0 ? ::fdopendir(listFd) : nullptr;
        if (!listing) {
            const int error = errno;
            if (listFd >= 0)
                ::close(listFd);
            problem(QStringLiteral("cannot read the folder %1: %2").arg(path(relative), errnoText(error)));
            return;
        }
        const qsizetype folderIndex = m_folders.size();
        m_folders.append(relative);
        while (!stopNow()) {
            errno = 0;
            const dirent *entry = ::readdir(listing);
            if (!entry) {
                if (errno != 0)
                    problem(QStringLiteral("cannot read the folder %1: %2").arg(path(relative), errnoText(errno)));
                break;
            }
            const char *name = entry->d_name;
            if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
                continue;
            struct stat status = {};
            if (::fstatat(folderFd, name, &status, AT_SYMLINK_NOFOLLOW) != 0)
                continue; // gone meanwhile
            ++m_examined;
            if (S_ISDIR(status.st_mode)) {
                if (!m_recursive)
                    continue;
                if (status.st_dev != m_rootDevice)
                    m_log.add(QStringLiteral("not entering %1: another file system").arg(path(relative, name)));
                else
                    subfolders.push_back({QByteArray(name), status.st_dev, status.st_ino});
            } else if (isCandidate(name, status)) {
                m_candidates.push_back({folderIndex, QByteArray(name)});
            }
            // Links, sockets, pipes and devices are never touched.
        }
        ::closedir(listing);
        m_context.progress(0, QStringLiteral("scanning: %1 entries looked at").arg(m_examined));

        for (const Subfolder &subfolder : subfolders) {
            if (stopNow())
                return;
            const QByteArray childRelative =
                relative.isEmpty() ? subfolder.name : QByteArray(relative + '/' + subfolder.name);
            if (depth + 1 >= MaxFolderDepth) {
                problem(QStringLiteral("not entering %1: deeper than %2 folders")
                            .arg(path(childRelative))
                            .arg(MaxFolderDepth));
                continue;
            }
            Descriptor child(openFolderAt(folderFd, subfolder.name.constData()));
            struct stat status = {};
            if (!child.isValid() || ::fstat(child.get(), &status) != 0) {
                if (errno != ENOENT)
                    problem(QStringLiteral("cannot open the folder %1: %2").arg(path(childRelative), errnoText(errno)));
                continue;
            }
            // The folder opened is the one listed, and its real path is the path walked: no link
            // on the way, inside the root (a check on top of O_NOFOLLOW, cheap per folder).
            const QByteArray walked = m_root + '/' + childRelative;
            char *real = ::realpath(walked.constData(), nullptr);
            const bool inside = real && walked == real;
            std::free(real);
            if (status.st_dev != subfolder.device || status.st_ino != subfolder.inode || !inside) {
                problem(QStringLiteral("not entering %1: it changed while it was cleaned").arg(path(childRelative)));
                continue;
            }
            scan(child.get(), childRelative, depth + 1);
        }
    }

    // The folder m_folders[index] opened again from the root, one level at a time without links.
    int reopenFolder(qsizetype index)
    {
        const QByteArray &relative = m_folders.at(index);
        if (relative.isEmpty())
            return ::dup(m_rootFd);
        int fd = ::dup(m_rootFd);
        const QList<QByteArray> parts = relative.split('/');
        for (const QByteArray &part : parts) {
            const int next = fd >= 0 ? openFolderAt(fd, part.constData()) : -1;
            const int error = errno;
            if (fd >= 0)
                ::close(fd);
            fd = next;
            struct stat status = {};
            if (fd < 0 || ::fstat(fd, &status) != 0 || status.st_dev != m_rootDevice) {
                if (fd >= 0)
                    ::close(fd);
                errno = fd < 0 ? error : EXDEV;
                return -1;
            }
        }
        return fd;
    }

    void removeCandidates()
    {
        const qsizetype total = m_candidates.size();
        Descriptor folder;
        qsizetype openIndex = -1;
        for (qsizetype i = 0; i < total; ++i) {
            if (stopNow())
                return;
            const Candidate &candidate = m_candidates.at(i);
            const QString shown = path(m_folders.at(candidate.folder), candidate.name);
            if (candidate.folder != openIndex) {
                openIndex = candidate.folder;
                const int fd = reopenFolder(openIndex);
                const int error = errno;
                folder.reset(fd);
                if (!folder.isValid())
                    problem(QStringLiteral("cannot open the folder %1: %2")
                                .arg(path(m_folders.at(openIndex)), errnoText(error)));
            }
            if (!folder.isValid()) {
                ++m_failed;
                continue;
            }
            // Looked at again: it may have gone, been replaced or touched since the scan.
            struct stat status = {};
            if (::fstatat(folder.get(), candidate.name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            if (!isCandidate(candidate.name.constData(), status)) {
                m_log.add(QStringLiteral("kept %1: it changed since the scan").arg(shown));
                continue;
            }
            const qint64 size = qint64(status.st_size);
            if (m_dryRun) {
                m_log.add(QStringLiteral("would delete %1 (%2 bytes)").arg(shown).arg(size));
            } else if (::unlinkat(folder.get(), candidate.name.constData(), 0) == 0) {
                m_log.add(QStringLiteral("deleted %1 (%2 bytes)").arg(shown).arg(size));
            } else {
                problem(QStringLiteral("cannot delete %1: %2").arg(shown, errnoText(errno)));
                ++m_failed;
                continue;
            }
            ++m_deleted;
            m_bytes += size;
            m_context.progress(int((i + 1) * 100 / total),
                               m_dryRun ? QStringLiteral("listing") : QStringLiteral("deleting"));
        }
    }

    AttemptOutcome finish()
    {
        const QString files = m_deleted == 1 ? QStringLiteral("1 file") : QStringLiteral("%1 files").arg(m_deleted);
        QString last = m_dryRun ? QStringLiteral("dry run: %1 (%2 bytes) would be deleted from %3")
                                : QStringLiteral("deleted %1 (%2 bytes) from %3");
        last = last.arg(files).arg(m_bytes).arg(path({}));
        if (m_failed > 0)
            last += QStringLiteral("; %1 could not be deleted").arg(m_failed);
        if (m_stopped)
            last += QStringLiteral("; stopped before the end");
        m_log.add(last);
        if (m_stopped)
            return m_stop.outcome(m_log);
        if (!m_problems.isEmpty()) {
            return failed(
                m_problems.size() == 1
                    ? QStringLiteral("cleanup: %1").arg(m_firstProblem)
                    : QStringLiteral("cleanup: %1 problems, the first: %2").arg(m_problems.size()).arg(m_firstProblem),
                m_log);
        }
        m_context.progress(100, QStringLiteral("done"));
        return succeeded(m_log);
    }

    TaskContext &m_context;
    const StopCheck &m_stop;
    OutputLog &m_log;
    const QString m_dir;
    const QByteArray m_glob;
    const qint64 m_cutoffMs;
    const bool m_recursive;
    const bool m_dryRun;
    const bool m_ownFilesOnly;
    const bool m_missingOk;

    QByteArray m_root; // the real path of dir
    int m_rootFd = -1;
    dev_t m_rootDevice = 0;
    QList<QByteArray> m_folders; // relative to the root; "" is the root itself
    std::vector<Candidate> m_candidates;
    QStringList m_problems;
    QString m_firstProblem;
    qint64 m_examined = 0;
    qint64 m_deleted = 0;
    qint64 m_failed = 0;
    qint64 m_bytes = 0;
    bool m_stopped = false;
};

AttemptOutcome purgeHistory(const QJsonObject &action, TaskContext &context, const StopCheck &stop, StoreWriter &writer,
                            const Clock &clock)
{
    OutputLog log(context);
    const qint64 days = qint64(action.value(QStringLiteral("older_than_days")).toDouble());
    const bool includeCancelled = action.value(QStringLiteral("include_cancelled")).toBool();
    const bool dryRun = action.value(QStringLiteral("dry_run")).toBool();
    const QDateTime cutoff = clock.now().addMSecs(-days * 24 * 3600 * 1000);
    const qint64 cutoffMs = cutoff.toMSecsSinceEpoch();
    // A fixed choice of the code, not user data.
    const QString purgeable = includeCancelled ? QStringLiteral("(state = 'succeeded' OR state = 'cancelled')")
                                               : QStringLiteral("state = 'succeeded'");
    const QString what =
        includeCancelled ? QStringLiteral("succeeded and cancelled tasks") : QStringLiteral("succeeded tasks");

    QList<qint64> ids;
    qint64 keptDead = 0;
    {
        QString why;
        const ReadConnection reader(writer.path(), &why);
        if (!reader.isOpen())
            return failed(QStringLiteral("purge-history: ") + why, log);
        QSqlQuery query(reader.database());
        query.setForwardOnly(true);
        query.prepare(QStringLiteral("SELECT id FROM tasks WHERE ") + purgeable +
                      QStringLiteral(" AND finished_at < ? ORDER BY id"));
        query.addBindValue(cutoffMs);
        if (!query.exec())
            return failed(QStringLiteral("purge-history: ") + query.lastError().text(), log);
        while (query.next())
            ids.append(query.value(0).toLongLong());
        query.prepare(QStringLiteral("SELECT COUNT(*) FROM tasks WHERE state = 'dead' AND finished_at < ?"));
        query.addBindValue(cutoffMs);
        if (!query.exec() || !query.next())
            return failed(QStringLiteral("purge-history: ") + query.lastError().text(), log);
        keptDead = query.value(0).toLongLong();
    }

    const QString before = IsoTime::format(cutoff);
    if (dryRun) {
        log.add(
            QStringLiteral("dry run: %1 %2 that finished before %3 would be purged").arg(ids.size()).arg(what, before));
    } else {
        qint64 purged = 0;
        qint64 firesKept = 0;
        for (qsizetype start = 0; start < ids.size(); start += PurgeBatchSize) {
            if (stop.shouldStop()) {
                log.add(QStringLiteral("purged %1 %2 that finished before %3; stopped before the end")
                            .arg(purged)
                            .arg(what, before));
                return stop.outcome(log);
            }
            const QList<qint64> batch = ids.mid(start, PurgeBatchSize);
            const StoreWriter::Result result =
                writer.run([batch, cutoffMs, purgeable](QSqlDatabase &db, QVariant *value, QString *error) {
                    QStringList marks;
                    marks.fill(QStringLiteral("?"), batch.size());
                    const QString chosen = QStringLiteral("SELECT id FROM tasks WHERE id IN (") +
                                           marks.join(QLatin1Char(',')) + QStringLiteral(") AND ") + purgeable +
                                           QStringLiteral(" AND finished_at < ?");
                    const auto bindAll = [&](QSqlQuery &query) {
                        for (qint64 id : batch)
                            query.addBindValue(id);
                        query.addBindValue(cutoffMs);
                    };
                    // The fires that queued them stay in the job's history, saying what became of
                    // the task; task_id is cleared because SQLite may give the id to a new task.
                    QSqlQuery fires(db);
                    fires.prepare(QStringLiteral("UPDATE fires SET detail = COALESCE(detail || '; ', '') || 'task ' || "
                                                 "task_id || ' ' || (SELECT state FROM tasks WHERE id = fires.task_id) "
                                                 "|| '; purged from the history', task_id = NULL WHERE task_id IN (") +
                                  chosen + QLatin1Char(')'));
                    bindAll(fires);
                    if (!fires.exec())
                        return fail(error, fires.lastError().text());
                    const int firesChanged = fires.numRowsAffected();
                    QSqlQuery remove(db);
                    remove.prepare(QStringLiteral("DELETE FROM tasks WHERE id IN (") + chosen + QLatin1Char(')'));
                    bindAll(remove);
                    if (!remove.exec())
                        return fail(error, remove.lastError().text());
                    *value = QVariantList{remove.numRowsAffected(), firesChanged};
                    return true;
                });
            if (!result.ok)
                return failed(QStringLiteral("purge-history: ") + result.error, log);
            const QVariantList counts = result.value.toList();
            purged += counts.value(0).toLongLong();
            firesKept += counts.value(1).toLongLong();
            context.progress(int((start + batch.size()) * 100 / ids.size()), QStringLiteral("purging"));
        }
        log.add(
            QStringLiteral("purged %1 %2 that finished before %3, with their attempts").arg(purged).arg(what, before));
        if (firesKept > 0)
            log.add(QStringLiteral("%1 of their jobs' fires kept in the history, marked as purged").arg(firesKept));
        // Events published before the cutoff go too, once nothing needs them: none of their
        // deliveries waits, and none of their tasks is left (a dead letter keeps its event).
        qint64 events = 0;
        for (;;) {
            if (stop.shouldStop())
                return stop.outcome(log);
            const StoreWriter::Result result =
                writer.run([cutoffMs](QSqlDatabase &db, QVariant *value, QString *error) {
                    QSqlQuery remove(db);
                    remove.prepare(QStringLiteral(
                        "DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE e.published_at < ? AND NOT "
                        "EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND (d.task_id IS NULL OR EXISTS "
                        "(SELECT 1 FROM tasks t WHERE t.id = d.task_id))) LIMIT 500)"));
                    remove.addBindValue(cutoffMs);
                    if (!remove.exec())
                        return fail(error, remove.lastError().text());
                    *value = remove.numRowsAffected();
                    return true;
                });
            if (!result.ok)
                return failed(QStringLiteral("purge-history: ") + result.error, log);
            events += result.value.toLongLong();
            if (result.value.toLongLong() < 500)
                break;
        }
        if (events > 0)
            log.add(QStringLiteral("purged %1 events published before %2 that no task or batch needs")
                        .arg(events)
                        .arg(before));
    }
    log.add(QStringLiteral("dead letters are never purged: %1 older ones kept").arg(keptDead));
    context.progress(100, QStringLiteral("done"));
    return succeeded(log);
}

AttemptOutcome vacuum(TaskContext &context, StoreWriter &writer)
{
    OutputLog log(context);
    context.progress(0, QStringLiteral("optimizing"));
    const StoreWriter::Result result = writer.run([](QSqlDatabase &db, QVariant *value, QString *error) {
        QVariantMap figures;
        const auto pragma = [&](const char *name, qint64 *number) {
            QSqlQuery query(db);
            if (!query.exec(QStringLiteral("PRAGMA ") + QLatin1String(name)) || !query.next())
                return fail(error, query.lastError().text());
            *number = query.value(0).toLongLong();
            return true;
        };
        qint64 mode = 0;
        qint64 pageSize = 0;
        qint64 freeBefore = 0;
        qint64 freeAfter = 0;
        qint64 pages = 0;
        if (!pragma("auto_vacuum", &mode) || !pragma("page_size", &pageSize) || !pragma("freelist_count", &freeBefore))
            return false;
        // Through SQLite's own API, which steps to the end: incremental_vacuum frees one page per
        // step, and through QSqlQuery it freed none.
        if (mode == 2 && !SqliteStatement(db, "PRAGMA incremental_vacuum").exec(error))
            return false;
        if (!SqliteStatement(db, "PRAGMA optimize").exec(error) || !pragma("freelist_count", &freeAfter) ||
            !pragma("page_count", &pages))
            return false;
        figures.insert(QStringLiteral("mode"), mode);
        figures.insert(QStringLiteral("page_size"), pageSize);
        figures.insert(QStringLiteral("free_before"), freeBefore);
        figures.insert(QStringLiteral("free_after"), freeAfter);
        figures.insert(QStringLiteral("pages"), pages);
        *value = figures;
        return true;
    });
    if (!result.ok)
        return failed(QStringLiteral("vacuum: ") + result.error, log);
    const QVariantMap figures = result.value.toMap();
    const qint64 pageSize = figures.value(QStringLiteral("page_size")).toLongLong();
    const qint64 freeBefore = figures.value(QStringLiteral("free_before")).toLongLong();
    const qint64 freeAfter = figures.value(QStringLiteral("free_after")).toLongLong();
    const qint64 pages = figures.value(QStringLiteral("pages")).toLongLong();
    log.add(QStringLiteral("PRAGMA optimize: done"));
    if (figures.value(QStringLiteral("mode")).toLongLong() == 2) {
        log.add(QStringLiteral("incremental vacuum: %1 free pages given back (%2 bytes)")
                    .arg(freeBefore - freeAfter)
                    .arg((freeBefore - freeAfter) * pageSize));
    } else {
        // Honest about what was not done: VACUUM cannot run in the writer's transactions.
        log.add(QStringLiteral("auto_vacuum is not INCREMENTAL: %1 free pages (%2 bytes) stay in the file and are "
                               "reused by new rows; only a full VACUUM with Taskdeck stopped gives them back")
                    .arg(freeAfter)
                    .arg(freeAfter * pageSize));
    }
    log.add(QStringLiteral("the database has %1 pages of %2 bytes (%3 bytes), %4 of them free")
                .arg(pages)
                .arg(pageSize)
                .arg(pages * pageSize)
                .arg(freeAfter));
    context.progress(100, QStringLiteral("done"));
    return succeeded(log);
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString percentText(double rate)
{
    return rate < 0 ? QStringLiteral("-") : QString::number(rate * 100.0, 'f', 1) + QLatin1Char('%');
}

bool writeFile(const QString &path, const QByteArray &content, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

AttemptOutcome report(const QJsonObject &action, TaskContext &context, StoreWriter &writer, const Clock &clock)
{
    OutputLog log(context);
    const QString dir = QDir::cleanPath(expandedPath(action.value(QStringLiteral("dir")).toString()));
    const QString periodName = action.value(QStringLiteral("period")).toString();
    QTimeZone zone = QTimeZone::systemTimeZone();
    if (action.contains(QStringLiteral("timezone")))
        zone = TimeZones::find(action.value(QStringLiteral("timezone")).toString(), nullptr).value_or(zone);
    const QDateTime now = clock.now();
    const auto period = reportPeriod(periodName, now, zone);
    if (!period)
        return failed(QStringLiteral("report: period '%1' is not one of day, week, month").arg(periodName), log, false);

    context.progress(0, QStringLiteral("reading"));
    QList<JobStatistics> statistics;
    {
        QString why;
        const ReadConnection reader(writer.path(), &why);
        if (!reader.isOpen())
            return failed(QStringLiteral("report: ") + why, log);
        statistics = JobStatistics::read(reader.database(), period->from.toMSecsSinceEpoch(),
                                         period->to.toMSecsSinceEpoch(), QString(), &why);
        if (!why.isEmpty())
            return failed(QStringLiteral("report: ") + why, log);
        // Jobs that did not run at all are listed too: that may be the news.
        QSqlQuery jobs(reader.database());
        jobs.setForwardOnly(true);
        if (!jobs.exec(QStringLiteral("SELECT id FROM jobs")))
            return failed(QStringLiteral("report: ") + jobs.lastError().text(), log);
        QMap<QString, JobStatistics> byJob;
        for (const JobStatistics &job : std::as_const(statistics))
            byJob.insert(job.jobId, job);
        while (jobs.next()) {
            const QString id = jobs.value(0).toString();
            if (!byJob.contains(id)) {
                JobStatistics none;
                none.jobId = id;
                byJob.insert(id, none);
            }
        }
        statistics = byJob.values();
    }

    JobStatistics total;
    for (const JobStatistics &job : std::as_const(statistics)) {
        total.runs += job.runs;
        total.succeeded += job.succeeded;
        total.failed += job.failed;
        total.cancelled += job.cancelled;
        total.deadLetters += job.deadLetters;
    }
    const QString from = IsoTime::format(period->from);
    const QString to = IsoTime::format(period->to);
    const QString zoneName = QString::fromUtf8(zone.id());

    QString csv = QStringLiteral("period,job,runs,succeeded,failed,cancelled,success_rate,p50_ms,p95_ms,dead_letters,"
                                 "last_outcome,last_finished_at\n");
    for (const JobStatistics &job : std::as_const(statistics)) {
        const double rate = job.successRate();
        const QStringList fields{
            period->name,
            csvField(job.jobId),
            QString::number(job.runs),
            QString::number(job.succeeded),
            QString::number(job.failed),
            QString::number(job.cancelled),
            rate < 0 ? QString() : QString::number(rate, 'f', 4),
            job.p50DurationMs < 0 ? QString() : QString::number(job.p50DurationMs),
            job.p95DurationMs < 0 ? QString() : QString::number(job.p95DurationMs),
            QString::number(job.deadLetters),
            job.lastOutcome,
            job.lastFinishedAt.isValid() ? IsoTime::format(job.lastFinishedAt.toTimeZone(zone)) : QString(),
        };
        csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }

    const QString title = QStringLiteral("Taskdeck report %1").arg(period->name);
    QString html =
        QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>") +
        title.toHtmlEscaped() +
        QStringLiteral("</title>\n<style>\nbody { font-family: sans-serif; margin: 2em; }\n"
                       "table { border-collapse: collapse; }\nth, td { border: 1px solid #ccc; padding: 4px 8px; "
                       "text-align: right; }\nth:first-child, td:first-child { text-align: left; }\n"
                       ".bad { color: #b00020; font-weight: bold; }\ntfoot td { font-weight: bold; }\n</style>\n"
                       "</head>\n<body>\n<h1>") +
        title.toHtmlEscaped() + QStringLiteral("</h1>\n<p>Runs that ended from ") + from.toHtmlEscaped() +
        QStringLiteral(" to ") + to.toHtmlEscaped() + QStringLiteral(" (") + zoneName.toHtmlEscaped() +
        QStringLiteral("); written ") + IsoTime::format(now.toTimeZone(zone)).toHtmlEscaped() +
        QStringLiteral(".</p>\n<table>\n<thead><tr><th>Job</th><th>Runs</th><th>Succeeded</th>"
                       "<th>Failed</th><th>Cancelled</th><th>Success rate</th><th>p50</th><th>p95</th>"
                       "<th>Dead letters</th><th>Last outcome</th></tr></thead>\n<tbody>\n");
    // Returns a QString, not a QStringBuilder that would refer to the temporaries of its body.
    const auto cell = [](const QString &text, bool bad = false) -> QString {
        return (bad ? QStringLiteral("<td class=\"bad\">") : QStringLiteral("<td>")) + text.toHtmlEscaped() +
               QStringLiteral("</td>");
    };
    for (const JobStatistics &job : std::as_const(statistics)) {
        html += QStringLiteral("<tr>") + cell(job.jobId) + cell(QString::number(job.runs)) +
                cell(QString::number(job.succeeded)) + cell(QString::number(job.failed), job.failed > 0) +
                cell(QString::number(job.cancelled)) + cell(percentText(job.successRate())) +
                cell(durationText(job.p50DurationMs)) + cell(durationText(job.p95DurationMs)) +
                cell(QString::number(job.deadLetters), job.deadLetters > 0) +
                cell(job.lastOutcome.isEmpty() ? QStringLiteral("-") : job.lastOutcome) + QStringLiteral("</tr>\n");
    }
    if (statistics.isEmpty())
        html += QStringLiteral("<tr><td colspan=\"10\">No jobs.</td></tr>\n");
    html += QStringLiteral("</tbody>\n<tfoot><tr>") + cell(QStringLiteral("All jobs")) +
            cell(QString::number(total.runs)) + cell(QString::number(total.succeeded)) +
            cell(QString::number(total.failed), total.failed > 0) + cell(QString::number(total.cancelled)) +
            cell(percentText(total.successRate())) + cell(QStringLiteral("-")) + cell(QStringLiteral("-")) +
            cell(QString::number(total.deadLetters), total.deadLetters > 0) + cell(QStringLiteral("-")) +
            QStringLiteral("</tr></tfoot>\n</table>\n</body>\n</html>\n");

    context.progress(50, QStringLiteral("writing"));
    if (!QDir().mkpath(dir))
        return failed(QStringLiteral("report: cannot create the folder %1").arg(dir), log);
    const QString base = QDir(dir).filePath(QStringLiteral("taskdeck-") + period->name);
    QString why;
    if (!writeFile(base + QStringLiteral(".html"), html.toUtf8(), &why) ||
        !writeFile(base + QStringLiteral(".csv"), csv.toUtf8(), &why))
        return failed(QStringLiteral("report: ") + why, log);
    log.add(QStringLiteral("period %1: from %2 to %3 (%4)").arg(period->name, from, to, zoneName));
    log.add(QStringLiteral("wrote %1.html and %1.csv").arg(base));
    log.add(QStringLiteral("%1 jobs, %2 runs: %3 succeeded, %4 failed, %5 cancelled; %6 dead letters")
                .arg(statistics.size())
                .arg(total.runs)
                .arg(total.succeeded)
                .arg(total.failed)
                .arg(total.cancelled)
                .arg(total.deadLetters));
    context.progress(100, QStringLiteral("done"));
    return succeeded(log);
}

} // namespace

bool isMaintenance(const QString &type)
{
    return type == CleanupType || type == PurgeHistoryType || type == VacuumType || type == ReportType;
}

bool validate(const QJsonObject &action, QString *error)
{
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == CleanupType)
        return validateCleanup(action, error);
    if (type == PurgeHistoryType)
        return validatePurgeHistory(action, error);
    if (type == VacuumType)
        return checkFields(action, type, {}, error);
    if (type == ReportType)
        return validateReport(action, error);
    return fail(error, QStringLiteral("action: '%1' is not a maintenance action").arg(type));
}

QString summary(const QJsonObject &action)
{
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == CleanupType) {
        QStringList words{QStringLiteral("cleanup %1: %2 older than %3")
                              .arg(action.value(QStringLiteral("dir")).toString(),
                                   action.value(QStringLiteral("glob")).toString(QStringLiteral("*")),
                                   ageText(qint64(action.value(QStringLiteral("older_than_seconds")).toDouble())))};
        if (action.value(QStringLiteral("recursive")).toBool())
            words.append(QStringLiteral("recursive"));
        if (action.value(QStringLiteral("own_files_only")).toBool())
            words.append(QStringLiteral("own files only"));
        if (action.value(QStringLiteral("dry_run")).toBool())
            words.append(QStringLiteral("dry run"));
        return words.join(QStringLiteral(", "));
    }
    if (type == PurgeHistoryType) {
        QString text =
            QStringLiteral("purge-history: %1 tasks older than %2 d")
                .arg(action.value(QStringLiteral("include_cancelled")).toBool() ? QStringLiteral("succeeded and "
                                                                                                 "cancelled")
                                                                                : QStringLiteral("succeeded"))
                .arg(qint64(action.value(QStringLiteral("older_than_days")).toDouble()));
        if (action.value(QStringLiteral("dry_run")).toBool())
            text += QStringLiteral(", dry run");
        return text;
    }
    if (type == VacuumType)
        return QStringLiteral("vacuum");
    if (type == ReportType) {
        QString text =
            QStringLiteral("report %1 into %2")
                .arg(action.value(QStringLiteral("period")).toString(), action.value(QStringLiteral("dir")).toString());
        if (action.contains(QStringLiteral("timezone")))
            text += QStringLiteral(" (%1)").arg(action.value(QStringLiteral("timezone")).toString());
        return text;
    }
    return type;
}

QString expandedPath(const QString &path)
{
    if (path == QLatin1String("~"))
        return QDir::homePath();
    if (path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

std::optional<ReportPeriod> reportPeriod(const QString &period, const QDateTime &at, const QTimeZone &zone)
{
    const QDate today = at.toTimeZone(zone).date();
    ReportPeriod result;
    QDate from;
    QDate to;
    if (period == QLatin1String("day")) {
        to = today;
        from = today.addDays(-1);
        result.name = from.toString(Qt::ISODate);
    } else if (period == QLatin1String("week")) {
        to = today.addDays(1 - today.dayOfWeek()); // this week's Monday
        from = to.addDays(-7);
        int year = 0;
        const int week = from.weekNumber(&year);
        result.name = QStringLiteral("%1-W%2").arg(year).arg(week, 2, 10, QLatin1Char('0'));
    } else if (period == QLatin1String("month")) {
        to = QDate(today.year(), today.month(), 1);
        from = to.addMonths(-1);
        result.name = from.toString(QStringLiteral("yyyy-MM"));
    } else {
        return std::nullopt;
    }
    result.from = IsoTime::inZone(from, QTime(0, 0), zone);
    result.to = IsoTime::inZone(to, QTime(0, 0), zone);
    return result;
}

AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, StoreWriter *writer,
                   const Clock &clock)
{
    QString why;
    if (!validate(action, &why)) {
        AttemptOutcome outcome;
        outcome.error = why;
        outcome.retryable = false; // it would fail the same way every time
        return outcome;
    }
    const QString type = action.value(QStringLiteral("type")).toString();
    const StopCheck stop(context, timeoutMs);
    if (type == CleanupType) {
        OutputLog log(context);
        Cleanup cleanup(action, context, stop, clock.now().toMSecsSinceEpoch(), log);
        return cleanup.run();
    }
    if (!writer) {
        AttemptOutcome outcome;
        outcome.error = QStringLiteral("%1: no database to work on").arg(type);
        outcome.retryable = false;
        return outcome;
    }
    if (type == PurgeHistoryType)
        return purgeHistory(action, context, stop, *writer, clock);
    if (type == VacuumType)
        return vacuum(context, *writer);
    return report(action, context, *writer, clock);
}

} // namespace Taskdeck::Core::MaintenanceAction

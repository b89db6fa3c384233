#include "childprocess.h"

#include <QFile>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace Taskdeck::Core {

namespace {

constexpr qsizetype ReadChunkBytes = qsizetype(64) * 1024;
// One read per wait, so that a flood of output (each line of it handled) cannot hide a cancel.
constexpr qsizetype ReadBudgetBytes = ReadChunkBytes;
// After the child's end: what a pipe can hold at most (fs.pipe-max-size), and still a bound when
// descendants keep writing.
constexpr qsizetype DrainBudgetBytes = qsizetype(1024) * 1024;
// Without a pidfd, the child's end is looked for this often.
constexpr int ExitCheckIntervalMs = 20;

QString errorText(int error)
{
    char buffer[256];
    return QString::fromLocal8Bit(::strerror_r(error, buffer, sizeof buffer)); // the GNU strerror_r
}

void closeFd(int &fd)
{
    if (fd >= 0)
        ::close(fd); // not retried on EINTR: Linux has closed it anyway
    fd = -1;
}

// Moves a descriptor above 0..2, which the child's file actions replace.
bool moveAboveStdio(int &fd)
{
    if (fd > 2)
        return true;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    closeFd(fd);
    fd = moved;
    return moved >= 0;
}

// Why a working directory cannot be entered, or 0.
int workingDirectoryError(const QByteArray &path)
{
    struct stat info = {};
    if (::stat(path.constData(), &info) != 0)
        return errno;
    if (!S_ISDIR(info.st_mode))
        return ENOTDIR;
    return ::access(path.constData(), X_OK) == 0 ? 0 : errno;
}

// Our own peak resident set, which a posix_spawn()ed child takes over as its own at the exec:
// the child runs in our memory until then (vfork), and the kernel counts that memory's peak.
// The peak resident set of a running process ("VmHWM" in /proc/PID/status); -1 when unknown.
qint64 peakMemoryFromProc(const QString &statusPath)
{
    QFile status(statusPath);
    if (status.open(QIODevice::ReadOnly)) {
        const QByteArrayList lines = status.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("VmHWM:"))
                return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

qint64 ourPeakMemoryKiB()
{
    const qint64 peak = peakMemoryFromProc(QStringLiteral("/proc/self/status"));
    if (peak >= 0)
        return peak;
    rusage usage{}; // an upper bound: it may include what our own parent handed down to us
    return ::getrusage(RUSAGE_SELF, &usage) == 0 ? qint64(usage.ru_maxrss) : -1;
}

bool containsNul(const QString &text)
{
    return text.contains(QChar(0));
}

struct FileActions
{
    FileActions() { ::posix_spawn_file_actions_init(&actions); }
    ~FileActions() { ::posix_spawn_file_actions_destroy(&actions); }
    Q_DISABLE_COPY_MOVE(FileActions)
    posix_spawn_file_actions_t actions;
};

struct SpawnAttributes
{
    SpawnAttributes() { ::posix_spawnattr_init(&attributes); }
    ~SpawnAttributes() { ::posix_spawnattr_destroy(&attributes); }
    Q_DISABLE_COPY_MOVE(SpawnAttributes)
    posix_spawnattr_t attributes;
};

} // namespace

ChildProcess::ChildProcess() = default;

ChildProcess::~ChildProcess()
{
    if (m_pid > 0 && !m_finished) {
        signalGroup(SIGKILL);
        reap();
    }
    closeOutput();
    closeFd(m_pidFd);
}

bool ChildProcess::start(const Command &command, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (m_pid > 0)
        return fail(QStringLiteral("it has been started before"));
    if (command.program.isEmpty())
        return fail(errorText(ENOENT)); // what execvp("") says
    bool hasNul = containsNul(command.program) || containsNul(command.workingDirectory);
    for (const QString &argument : command.arguments)
        hasNul = hasNul || containsNul(argument);
    for (const auto &[name, value] : command.environment) {
        if (name.isEmpty() || name.contains(QLatin1Char('=')))
            return fail(QStringLiteral("'%1' is not an environment variable name").arg(name));
        hasNul = hasNul || containsNul(name) || containsNul(value);
    }
    if (hasNul)
        return fail(QStringLiteral("the command contains a NUL character"));

    // A working directory that cannot be entered fails the spawn like a missing program would:
    // look first, so that the error can name the right one.
    const QByteArray workingDirectory = QFile::encodeName(command.workingDirectory);
    const auto workingDirectoryFailure = [&](int why) {
        return fail(QStringLiteral("cannot enter the working directory '%1': %2")
                        .arg(command.workingDirectory, errorText(why)));
    };
    if (!workingDirectory.isEmpty()) {
        if (const int why = workingDirectoryError(workingDirectory))
            return workingDirectoryFailure(why);
    }

    const QByteArray program = QFile::encodeName(command.program);
    std::vector<QByteArray> arguments{program};
    arguments.reserve(size_t(command.arguments.size()) + 1);
    for (const QString &argument : command.arguments)
        arguments.push_back(argument.toLocal8Bit());
    std::vector<char *> argv;
    argv.reserve(arguments.size() + 1);
    for (QByteArray &argument : arguments)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    std::vector<QByteArray> environment;
    std::vector<char *> envp;
    if (!command.environment.isEmpty()) {
        std::vector<QByteArray> names;
        for (const auto &[name, value] : command.environment) {
            // A name set twice: the later value wins (one entry each, as getenv and sh agree).
            const QByteArray local = name.toLocal8Bit();
            const auto earlier = std::find(names.begin(), names.end(), local);
            if (earlier != names.end()) {
                environment.erase(environment.begin() + (earlier - names.begin()));
                names.erase(earlier);
            }
            names.push_back(local);
            environment.push_back(local + '=' + value.toLocal8Bit());
        }
        for (char **entry = environ; entry && *entry; ++entry) {
            const QByteArrayView variable(*entry);
            const qsizetype equals = variable.indexOf('=');
            const QByteArrayView name = equals < 0 ? variable : variable.first(equals);
            if (std::none_of(names.cbegin(), names.cend(), [name](const QByteArray &n) { return name == n; }))
                environment.emplace_back(*entry);
        }
        for (QByteArray &variable : environment)
            envp.push_back(variable.data());
        envp.push_back(nullptr);
    }

    int output[2] = {-1, -1};
    if (::pipe2(output, O_CLOEXEC) != 0)
        return fail(errorText(errno));
    if (!moveAboveStdio(output[0]) || !moveAboveStdio(output[1])) {
        const int why = errno;
        closeFd(output[0]);
        closeFd(output[1]);
        return fail(errorText(why));
    }
    // Only our end is non-blocking; the program writes to a blocking pipe as it expects.
    ::fcntl(output[0], F_SETFL, ::fcntl(output[0], F_GETFL) | O_NONBLOCK);

    FileActions files;
    ::posix_spawn_file_actions_addopen(&files.actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(&files.actions, output[1], 1);
    ::posix_spawn_file_actions_adddup2(&files.actions, output[1], 2);
    // Nothing else of ours reaches the program, not even what another thread opened without
    // O_CLOEXEC a moment ago.
    ::posix_spawn_file_actions_addclosefrom_np(&files.actions, 3);
    if (!workingDirectory.isEmpty())
        ::posix_spawn_file_actions_addchdir_np(&files.actions, workingDirectory.constData());

    SpawnAttributes spawn;
    // A group of its own, so that a stop reaches whatever the program starts; our signal mask and
    // dispositions (SIGPIPE ignored, say) are not the program's business.
    ::posix_spawnattr_setflags(&spawn.attributes,
                               POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    ::posix_spawnattr_setpgroup(&spawn.attributes, 0);
    sigset_t none;
    ::sigemptyset(&none);
    ::posix_spawnattr_setsigmask(&spawn.attributes, &none);
    sigset_t byDefault;
    ::sigemptyset(&byDefault);
    for (int signal = 1; signal < NSIG; ++signal) {
        if (signal != SIGKILL && signal != SIGSTOP)
            ::sigaddset(&byDefault, signal); // refuses glibc's two internal ones, which it resets itself
    }
    ::posix_spawnattr_setsigdefault(&spawn.attributes, &byDefault);

    // The PATH search is ours, as ActionSpec::validate() checked it, not the one in envp.
    pid_t pid = -1;
    const int spawnError = ::posix_spawnp(&pid, program.constData(), &files.actions, &spawn.attributes, argv.data(),
                                          envp.empty() ? environ : envp.data());
    closeFd(output[1]);
    if (spawnError != 0) {
        closeFd(output[0]);
        if (!workingDirectory.isEmpty()) {
            if (const int why = workingDirectoryError(workingDirectory))
                return workingDirectoryFailure(why); // it went away meanwhile
        }
        return fail(errorText(spawnError));
    }

    m_pid = pid;
    m_outputFd = output[0];
    m_inheritedMemoryKiB = ourPeakMemoryKiB(); // the child has made its exec by now
    m_buffer = std::make_unique_for_overwrite<char[]>(ReadChunkBytes);
#ifdef SYS_pidfd_open
    // Readable once the child has ended; it cannot be another process, the child is not reaped yet.
    m_pidFd = int(::syscall(SYS_pidfd_open, pid, 0));
    if (m_pidFd < 0)
        m_pidFd = -1;
#endif
    return true;
}

void ChildProcess::samplePeakMemory()
{
    if (m_pid <= 0 || m_finished)
        return;
    // The program's own peak since its exec; a zombie has none and keeps the last sample.
    const qint64 peak = peakMemoryFromProc(QStringLiteral("/proc/%1/status").arg(m_pid));
    m_sampledPeakMemoryKiB = std::max(m_sampledPeakMemoryKiB, peak);
}

void ChildProcess::waitForActivity(int timeoutMs, const OutputHandler &onOutput)
{
    if (m_pid <= 0)
        return;
    timeoutMs = std::max(timeoutMs, 0);
    pollfd fds[2] = {};
    nfds_t count = 0;
    int outputIndex = -1;
    int exitIndex = -1;
    if (m_outputFd >= 0) {
        outputIndex = int(count);
        fds[count++] = {m_outputFd, POLLIN, 0};
    }
    if (!m_finished && m_pidFd >= 0) {
        exitIndex = int(count);
        fds[count++] = {m_pidFd, POLLIN, 0};
    } else if (!m_finished) {
        timeoutMs = std::min(timeoutMs, ExitCheckIntervalMs);
    }
    // An interrupted poll is a short wait; the caller loops.
    const int ready = ::poll(fds, count, timeoutMs);
    if (ready > 0 && outputIndex >= 0 && fds[outputIndex].revents != 0)
        readOutput(ReadBudgetBytes, onOutput);
    if (m_finished)
        return;
    const bool exited = exitIndex >= 0 ? (ready > 0 && fds[exitIndex].revents != 0) : hasExited();
    if (exited) {
        // What the child wrote before it ended is in the pipe now; descendants that still hold
        // the pipe open are not waited for.
        readOutput(DrainBudgetBytes, onOutput);
        reap();
    }
}

void ChildProcess::signalGroup(int signal) const
{
    if (m_pid <= 0)
        return;
    // Before it is reaped, the child keeps its group's number from being reused.
    const bool leftGroup = !m_finished && ::getpgid(m_pid) != m_pid;
    ::kill(-m_pid, signal);
    if (leftGroup)
        ::kill(m_pid, signal);
}

bool ChildProcess::groupIsAlive() const
{
    return m_pid > 0 && (::kill(-m_pid, 0) == 0 || errno == EPERM);
}

QString ChildProcess::signalName(int signal)
{
    const char *abbreviation = ::sigabbrev_np(signal);
    return abbreviation ? QStringLiteral("SIG%1").arg(QLatin1String(abbreviation)) : QString();
}

void ChildProcess::readOutput(qsizetype budget, const OutputHandler &onOutput)
{
    while (m_outputFd >= 0 && budget > 0) {
        const ssize_t got = ::read(m_outputFd, m_buffer.get(), size_t(ReadChunkBytes));
        if (got > 0) {
            budget -= got;
            if (onOutput)
                onOutput(QByteArrayView(m_buffer.get(), qsizetype(got)));
        } else if (got < 0 && errno == EINTR) {
            continue;
        } else if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            closeOutput(); // every writer has closed it
        }
    }
}

bool ChildProcess::hasExited() const
{
    siginfo_t info = {};
    int result;
    do {
        result = ::waitid(P_PID, id_t(m_pid), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (result < 0 && errno == EINTR);
    return result < 0 || info.si_pid != 0; // an error: it is gone, and reap() will find out how
}

void ChildProcess::reap()
{
    int status = 0;
    rusage usage{};
    pid_t result;
    do {
        result = ::wait4(m_pid, &status, 0, &usage);
    } while (result < 0 && errno == EINTR);
    m_finished = true;
    closeFd(m_pidFd);
    if (result != m_pid)
        return; // reaped by someone else: how it ended is unknown
    m_status.known = true;
    if (WIFEXITED(status))
        m_status.exitCode = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        m_status.signal = WTERMSIG(status);
    m_status.cpuTimeMs = (qint64(usage.ru_utime.tv_sec) + qint64(usage.ru_stime.tv_sec)) * 1000 +
                         (qint64(usage.ru_utime.tv_usec) + qint64(usage.ru_stime.tv_usec)) / 1000;
    m_status.peakMemoryKiB = qint64(usage.ru_maxrss); // KiB on Linux
    m_status.inheritedMemoryKiB = m_inheritedMemoryKiB;
    m_status.sampledPeakMemoryKiB = m_sampledPeakMemoryKiB;
}

void ChildProcess::closeOutput()
{
    closeFd(m_outputFd);
}

} // namespace Taskdeck::Core

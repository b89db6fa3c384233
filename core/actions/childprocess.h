#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <utility>

namespace Taskdeck::Core {

// One child process on Linux, started with posix_spawnp() in a process group of its own, with stdin
// on /dev/null and stdout and stderr merged into one pipe, none of our other file descriptors and
// default signal dispositions. It hands over its output while it runs, signals its whole group on
// request and, once it has ended, tells how it ended and what it used (CPU time, peak memory).
//
// Not thread-safe: one thread starts it, waits for it and reads its status.
class ChildProcess
{
public:
    struct Command
    {
        QString program; // looked up in our PATH unless it contains a '/' (then after the chdir)
        QStringList arguments;
        QString workingDirectory;                       // empty: ours
        QList<std::pair<QString, QString>> environment; // set on top of ours, replacing what is there
    };

    // How the child ended; valid once hasFinished().
    struct Status
    {
        bool known = false;        // false: someone else reaped it (e.g. SIGCHLD is ignored)
        int exitCode = -1;         // -1: it did not exit normally
        int signal = 0;            // the signal that killed it, 0 if none
        qint64 cpuTimeMs = -1;     // user + system time of the child and the descendants it waited for
        qint64 peakMemoryKiB = -1; // the largest resident set among them, see below
        // What the kernel counts as the child's peak although it was ours: the child runs in our
        // memory until its exec (posix_spawn uses vfork), and our peak resident set at that moment
        // becomes part of its own. A peakMemoryKiB not above this is ours, not the program's.
        qint64 inheritedMemoryKiB = -1;
        // The largest peak seen by samplePeakMemory() while it ran: the program's own, but only
        // up to the last sample.
        qint64 sampledPeakMemoryKiB = -1;
    };

    using OutputHandler = std::function<void(QByteArrayView)>;

    ChildProcess();
    // A child still running is killed with its group, and reaped.
    ~ChildProcess();
    Q_DISABLE_COPY_MOVE(ChildProcess)

    // Returns once the program runs, or false with why it could not be started.
    bool start(const Command &command, QString *error);

    // Waits at most timeoutMs for output or for the child's end, handing what it printed to
    // onOutput. When the child has ended, it is reaped and what is left in the pipe is read without
    // waiting for descendants that still hold it open.
    void waitForActivity(int timeoutMs, const OutputHandler &onOutput);

    // Reads the running program's own peak resident set (/proc/PID/status), for what rusage
    // cannot tell apart from ours; see Status.
    void samplePeakMemory();

    bool hasFinished() const { return m_finished; }
    const Status &status() const { return m_status; }

    // Sends the signal to the child's process group, and to the child itself if it has moved to
    // another group.
    void signalGroup(int signal) const;
    // Whether any process is left in the child's group (also true before the child has ended).
    bool groupIsAlive() const;

    // "SIGKILL" for 9; empty when the number has no name.
    static QString signalName(int signal);

private:
    void readOutput(qsizetype budget, const OutputHandler &onOutput);
    bool hasExited() const;
    void reap();
    void closeOutput();

    int m_pid = -1;      // also the process group's id
    int m_pidFd = -1;    // -1: no pidfd here, the child's end is polled for
    int m_outputFd = -1; // our end of the pipe, non-blocking; -1 once closed
    bool m_finished = false;
    qint64 m_inheritedMemoryKiB = -1;
    qint64 m_sampledPeakMemoryKiB = -1;
    Status m_status;
    std::unique_ptr<char[]> m_buffer;
};

} // namespace Taskdeck::Core

// Exec and shell actions on real processes, run in this test's thread: what reaches the process
// (arguments, environment, working directory, stdin, descriptors), what comes back (exit, output,
// progress, CPU time, peak memory) and how a timeout or a cancel stops its whole process group.

#include "actions/actionspec.h"
#include "actions/processaction.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

using namespace Taskdeck::Core;

namespace {

constexpr qint64 Generous = 30000;   // ms: a time limit that the quick processes here never reach
constexpr qint64 WellBefore = 10000; // ms: "it was stopped", for processes that would run 30 s

AttemptOutcome run(const QJsonObject &action, qint64 timeoutMs = Generous, int graceMs = 300)
{
    TaskContext context(1, 1, QJsonValue());
    return ProcessAction::run(action, context, timeoutMs, graceMs);
}

QJsonObject shell(const QString &command)
{
    return ActionSpec::shell(command);
}

QJsonObject withField(QJsonObject action, const QString &name, const QJsonValue &value)
{
    action.insert(name, value);
    return action;
}

QString errorText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Running or stopped; gone or a zombie is not running (an orphaned zombie waits for its new
// parent, which in a container is not always a reaping init).
bool isRunning(qint64 pid)
{
    if (::kill(pid_t(pid), 0) != 0)
        return errno != ESRCH;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype commandEnd = line.lastIndexOf(')'); // "pid (command) state ..."
    return commandEnd < 0 || line.mid(commandEnd + 2, 1) != "Z";
}

// The process ids a process printed, one a line.
QList<qint64> printedPids(const QString &output)
{
    QList<qint64> pids;
    const QStringList lines = output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        bool ok = false;
        const qint64 pid = line.toLongLong(&ok);
        if (ok && pid > 0)
            pids.append(pid);
    }
    return pids;
}

// Our own peak resident set, in KiB.
qint64 ourPeakMemoryKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArrayList lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

QString kindName(AttemptOutcome::Kind kind)
{
    switch (kind) {
    case AttemptOutcome::Kind::Succeeded:
        return QStringLiteral("succeeded");
    case AttemptOutcome::Kind::Failed:
        return QStringLiteral("failed");
    case AttemptOutcome::Kind::TimedOut:
        return QStringLiteral("timed out");
    case AttemptOutcome::Kind::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QString();
}

} // namespace

class TestProcessAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exitCodeDecidesTheOutcome_data();
    void exitCodeDecidesTheOutcome();
    void aFailureSaysWhatTheProgramPrintedLast();
    void argumentsArePassedVerbatim_data();
    void argumentsArePassedVerbatim();
    void shellActionRunsThroughShWithStderrMerged();
    void environmentAdditionsOverrideOurs();
    void workingDirectoryIsEntered();
    void aWorkingDirectoryThatIsNoFolderIsNamed_data();
    void aWorkingDirectoryThatIsNoFolderIsNamed();
    void aProgramThatCannotRunIsAClearError_data();
    void aProgramThatCannotRunIsAClearError();
    void invalidActionsFailWithoutRetry_data();
    void invalidActionsFailWithoutRetry();
    void progressLinesReachTheContext();
    void outputTailKeepsTheLast64KiB_data();
    void outputTailKeepsTheLast64KiB();
    void stdinIsDevNull();
    void signalMaskAndDispositionsAreNotInherited();
    void onlyTheStandardDescriptorsReachTheChild();
    void descendantsHoldingTheOutputOpenDoNotHoldUsUp();
    void timeoutStopsTheWholeProcessGroup();
    void aProcessIgnoringSigtermIsKilledAfterTheGrace();
    void aChildThatClosesItsOutputStillTimesOut();
    void aFloodOfOutputStillTimesOut();
    void cancelFromAnotherThreadStopsIt();
    void deathBySignalIsNamed_data();
    void deathBySignalIsNamed();
    void cpuTimeCountsTheChildAndItsDescendants();
    void peakMemoryIsTheLargestResidentSet();
    void aPeakThatMayBeOursIsNeverReported();
    void theProgramFindsItsTaskAndPayloadInItsEnvironment();
};

void TestProcessAction::exitCodeDecidesTheOutcome_data()
{
    QTest::addColumn<int>("code");
    QTest::newRow("zero") << 0;
    QTest::newRow("three") << 3;
    QTest::newRow("255") << 255;
}

void TestProcessAction::exitCodeDecidesTheOutcome()
{
    QFETCH(int, code);
    const AttemptOutcome outcome = run(shell(QStringLiteral("exit %1").arg(code)));
    QCOMPARE(outcome.exitCode, code);
    QCOMPARE(kindName(outcome.kind),
             kindName(code == 0 ? AttemptOutcome::Kind::Succeeded : AttemptOutcome::Kind::Failed));
    QCOMPARE(outcome.error, code == 0 ? QString() : QStringLiteral("exited with code %1").arg(code));
    QVERIFY(outcome.retryable);
    QVERIFY(outcome.cpuTimeMs >= 0);
}

void TestProcessAction::aFailureSaysWhatTheProgramPrintedLast()
{
    const AttemptOutcome outcome =
        run(shell(QStringLiteral("echo working; echo '::progress 50 half'; echo 'line 3 has 1 field' >&2; exit 2")));
    QCOMPARE(outcome.error, QStringLiteral("exited with code 2: line 3 has 1 field"));
    // A success's last line is its result, for the steps after it in a pipeline: JSON when it is JSON.
    QCOMPARE(run(shell(QStringLiteral("echo '{\"rows\": 3}'"))).result.toObject().value(QStringLiteral("rows")).toInt(),
             3);
    QCOMPARE(run(shell(QStringLiteral("echo done"))).result.toString(), QStringLiteral("done"));
}

void TestProcessAction::argumentsArePassedVerbatim_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("spaces") << QStringList{QStringLiteral("a b"), QStringLiteral("  padded  ")};
    QTest::newRow("quotes") << QStringList{QStringLiteral("\"double\""), QStringLiteral("'single'"),
                                           QStringLiteral("back\\slash")};
    QTest::newRow("shell syntax") << QStringList{QStringLiteral("$HOME"),    QStringLiteral("$(id)"),
                                                 QStringLiteral("`id`"),     QStringLiteral("*"),
                                                 QStringLiteral("; exit 1"), QStringLiteral("a|b")};
    QTest::newRow("empty strings") << QStringList{QString(), QStringLiteral("x"), QString()};
    QTest::newRow("options") << QStringList{QStringLiteral("-n"), QStringLiteral("--"), QStringLiteral("-c")};
    QTest::newRow("newline") << QStringList{QStringLiteral("two\nlines")};
    QTest::newRow("non-ASCII") << QStringList{QStringLiteral("grüße"), QStringLiteral("日本語")};
}

void TestProcessAction::argumentsArePassedVerbatim()
{
    QFETCH(QStringList, arguments);
    // The shell only prints its positional parameters, each followed by '|'.
    const QStringList shellArguments =
        QStringList{QStringLiteral("-c"), QStringLiteral("printf '%s|' \"$@\""), QStringLiteral("sh")} + arguments;
    const AttemptOutcome outcome = run(ActionSpec::exec(QStringLiteral("sh"), shellArguments));
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.output, arguments.join(QLatin1Char('|')) + QLatin1Char('|'));
}

void TestProcessAction::shellActionRunsThroughShWithStderrMerged()
{
    const AttemptOutcome outcome = run(shell(QStringLiteral("echo out; echo err >&2; echo $((6 * 7)); echo \"$0\"")));
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::Succeeded));
    QCOMPARE(outcome.output, QStringLiteral("out\nerr\n%1\n/bin/sh\n").arg(6 * 7));
}

void TestProcessAction::environmentAdditionsOverrideOurs()
{
    const QString added = QStringLiteral("added value");
    const QString home = QStringLiteral("/taskdeck/elsewhere");
    QJsonObject action = ActionSpec::exec(
        QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("printf '%s|%s|%s|' \"$TASKDECK_TEST_ADDED\" "
                                                                    "\"$HOME\" \"$PATH\"; env | grep -c '^HOME='")});
    action.insert(QStringLiteral("env"),
                  QJsonObject{{QStringLiteral("TASKDECK_TEST_ADDED"), added}, {QStringLiteral("HOME"), home}});
    const AttemptOutcome outcome = run(action);
    QCOMPARE(outcome.error, QString());
    // Added, replaced once, and the rest of ours kept.
    QCOMPARE(outcome.output, QStringLiteral("%1|%2|%3|1\n").arg(added, home, qEnvironmentVariable("PATH")));
}

void TestProcessAction::workingDirectoryIsEntered()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const AttemptOutcome outcome = run(
        withField(ActionSpec::exec(QStringLiteral("pwd"), {QStringLiteral("-P")}), QStringLiteral("cwd"), dir.path()));
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.output, QDir(dir.path()).canonicalPath() + QLatin1Char('\n'));
}

void TestProcessAction::aWorkingDirectoryThatIsNoFolderIsNamed_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("error");
    QTest::newRow("missing") << QStringLiteral("missing") << ENOENT;
    QTest::newRow("a file") << QStringLiteral("file") << ENOTDIR;
}

void TestProcessAction::aWorkingDirectoryThatIsNoFolderIsNamed()
{
    QFETCH(QString, name);
    QFETCH(int, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("file")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString cwd = dir.filePath(name);
    const AttemptOutcome outcome =
        run(withField(ActionSpec::exec(QStringLiteral("pwd"), {}), QStringLiteral("cwd"), cwd));
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::Failed));
    QCOMPARE(
        outcome.error,
        QStringLiteral("cannot start 'pwd': cannot enter the working directory '%1': %2").arg(cwd, errorText(error)));
    QVERIFY(outcome.retryable); // it may be there next time
    QCOMPARE(outcome.cpuTimeMs, qint64(-1));
    QCOMPARE(outcome.peakMemoryKiB, qint64(-1));
}

void TestProcessAction::aProgramThatCannotRunIsAClearError_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<int>("error");
    QTest::newRow("not in PATH") << QStringLiteral("taskdeck-no-such-program") << ENOENT;
    QTest::newRow("no such path") << QStringLiteral("/nonexistent/taskdeck-tool") << ENOENT;
    QTest::newRow("not executable") << QStringLiteral("plain.txt") << EACCES;
    QTest::newRow("a folder") << QStringLiteral(".") << EACCES;
}

void TestProcessAction::aProgramThatCannotRunIsAClearError()
{
    QFETCH(QString, program);
    QFETCH(int, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile plain(dir.filePath(QStringLiteral("plain.txt")));
    QVERIFY(plain.open(QIODevice::WriteOnly));
    plain.write("echo hi\n");
    plain.close();
    if (!program.startsWith(QLatin1Char('/')) && QFileInfo::exists(dir.filePath(program)))
        program = dir.filePath(program);
    const AttemptOutcome outcome = run(ActionSpec::exec(program, {}));
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::Failed));
    QCOMPARE(outcome.error, QStringLiteral("cannot start '%1': %2").arg(program, errorText(error)));
    QVERIFY(outcome.retryable);
    QCOMPARE(outcome.exitCode, -1);
    QCOMPARE(outcome.cpuTimeMs, qint64(-1));
    QCOMPARE(outcome.peakMemoryKiB, qint64(-1));
}

void TestProcessAction::invalidActionsFailWithoutRetry_data()
{
    const QJsonObject sh = ActionSpec::exec(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("true")});
    const QString withNul = QStringLiteral("a") + QChar(0) + QStringLiteral("b");
    QTest::addColumn<QJsonObject>("action");
    QTest::addColumn<QString>("errorStart");
    QTest::newRow("no program") << QJsonObject{{QStringLiteral("type"), QStringLiteral("exec")}}
                                << QStringLiteral("exec: the program is missing");
    QTest::newRow("empty program") << ActionSpec::exec(QString(), {}) << QStringLiteral("exec: the program is missing");
    QTest::newRow("program not a string")
        << withField(sh, QStringLiteral("program"), 7) << QStringLiteral("exec: the program is missing");
    QTest::newRow("args not strings") << withField(sh, QStringLiteral("args"),
                                                   QJsonArray{1, true, QJsonValue(), QJsonObject()})
                                      << QStringLiteral("exec: args must be an array of strings");
    QTest::newRow("args not an array") << withField(sh, QStringLiteral("args"), QStringLiteral("-c true"))
                                       << QStringLiteral("exec: args must be an array of strings");
    QTest::newRow("env not an object") << withField(sh, QStringLiteral("env"), QJsonArray{QStringLiteral("A=1")})
                                       << QStringLiteral("exec: env must be an object of strings");
    QTest::newRow("env value not a string")
        << withField(sh, QStringLiteral("env"), QJsonObject{{QStringLiteral("A"), 1}})
        << QStringLiteral("exec: env must be an object of strings");
    QTest::newRow("env name with =") << withField(sh, QStringLiteral("env"),
                                                  QJsonObject{{QStringLiteral("A=B"), QStringLiteral("c")}})
                                     << QStringLiteral("exec: 'A=B' is not an environment variable name");
    QTest::newRow("empty cwd") << withField(sh, QStringLiteral("cwd"), QString())
                               << QStringLiteral("exec: the working directory '' is not a folder");
    QTest::newRow("NUL in an argument") << withField(sh, QStringLiteral("args"),
                                                     QJsonArray{QStringLiteral("-c"), withNul})
                                        << QStringLiteral("exec: the command contains a NUL character");
    QTest::newRow("NUL in env") << withField(sh, QStringLiteral("env"), QJsonObject{{QStringLiteral("A"), withNul}})
                                << QStringLiteral("exec: the command contains a NUL character");
    QTest::newRow("NUL in a shell command")
        << shell(withNul) << QStringLiteral("shell: the command contains a NUL character");
    QTest::newRow("shell command not a string")
        << QJsonObject{{QStringLiteral("type"), QStringLiteral("shell")}, {QStringLiteral("command"), 5}}
        << QStringLiteral("shell: the command is empty");
}

void TestProcessAction::invalidActionsFailWithoutRetry()
{
    QFETCH(QJsonObject, action);
    QFETCH(QString, errorStart);
    const AttemptOutcome outcome = run(action);
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::Failed));
    QCOMPARE(outcome.error, errorStart);
    QVERIFY(!outcome.retryable);
    QCOMPARE(outcome.cpuTimeMs, qint64(-1));
}

void TestProcessAction::progressLinesReachTheContext()
{
    const QList<std::pair<int, QString>> progress{
        {10, QStringLiteral("starting")}, {50, QString()}, {100, QStringLiteral("done")}};
    const QString plain = QStringLiteral("a plain line");
    // The last line has no newline: it counts all the same.
    const QString printed = QStringLiteral("::progress %1 %2\n%3\n::progress %4\n::progress %5 %6")
                                .arg(progress[0].first)
                                .arg(progress[0].second, plain)
                                .arg(progress[1].first)
                                .arg(progress[2].first)
                                .arg(progress[2].second);
    TaskContext context(1, 1, QJsonValue());
    QList<std::pair<int, QString>> reported;
    QStringList logged;
    context.onProgress = [&reported](int percent, const QString &message) { reported.append({percent, message}); };
    context.onLog = [&logged](const QString &line) { logged.append(line); };
    const AttemptOutcome outcome = ProcessAction::run(
        ActionSpec::exec(QStringLiteral("printf"), {QStringLiteral("%s"), printed}), context, Generous);
    QCOMPARE(outcome.error, QString());
    QCOMPARE(reported, progress);
    QCOMPARE(logged, QStringList{plain});
    QCOMPARE(outcome.output, printed);
}

void TestProcessAction::outputTailKeepsTheLast64KiB_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QByteArray>("printed");
    QTest::addColumn<int>("lines");
    const int count = 200000;
    QByteArray numbers;
    for (int i = 1; i <= count; ++i)
        numbers += QByteArray::number(i) + '\n';
    QTest::newRow("short lines") << QStringLiteral("seq 1 %1").arg(count) << numbers << count;
    const qsizetype size = qsizetype(1024) * 1024;
    QTest::newRow("no newline at all") << QStringLiteral("head -c %1 /dev/zero | tr '\\0' x").arg(size)
                                       << QByteArray(size, 'x') << 0;
}

void TestProcessAction::outputTailKeepsTheLast64KiB()
{
    QFETCH(QString, command);
    QFETCH(QByteArray, printed);
    QFETCH(int, lines);
    QVERIFY(printed.size() > 10 * ProcessAction::OutputTailBytes);
    TaskContext context(1, 1, QJsonValue());
    int logged = 0;
    context.onLog = [&logged](const QString &) { ++logged; };
    const AttemptOutcome outcome = ProcessAction::run(shell(command), context, Generous);
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.output.size(), ProcessAction::OutputTailBytes);
    QCOMPARE(outcome.output, QString::fromLatin1(printed.right(ProcessAction::OutputTailBytes)));
    QCOMPARE(logged, lines); // every line, not only those in the tail; an endless one is dropped
}

void TestProcessAction::stdinIsDevNull()
{
    const AttemptOutcome cat = run(ActionSpec::exec(QStringLiteral("cat"), {}));
    QCOMPARE(cat.error, QString());
    QCOMPARE(cat.output, QString());
    const AttemptOutcome link = run(shell(QStringLiteral("readlink /proc/$$/fd/0")));
    QCOMPARE(link.output, QStringLiteral("/dev/null\n"));
}

void TestProcessAction::signalMaskAndDispositionsAreNotInherited()
{
    // Ours: SIGPIPE ignored (as servers do) and SIGUSR1 blocked in this thread.
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction previousPipe = {};
    QCOMPARE(::sigaction(SIGPIPE, &ignore, &previousPipe), 0);
    sigset_t usr1;
    sigset_t previousMask;
    ::sigemptyset(&usr1);
    ::sigaddset(&usr1, SIGUSR1);
    QCOMPARE(::pthread_sigmask(SIG_BLOCK, &usr1, &previousMask), 0);
    const auto restore = qScopeGuard([&] {
        ::pthread_sigmask(SIG_SETMASK, &previousMask, nullptr);
        ::sigaction(SIGPIPE, &previousPipe, nullptr);
    });

    // grep reads its own: a shell blocks signals of its own while it waits for a child.
    const AttemptOutcome masks =
        run(ActionSpec::exec(QStringLiteral("grep"), {QStringLiteral("-E"), QStringLiteral("^Sig(Blk|Ign)"),
                                                      QStringLiteral("/proc/self/status")}));
    const QStringList lines = masks.output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    // Bit n-1 stands for signal n; glibc keeps its two internal signals (32 and 33) to itself.
    const quint64 glibcInternal = quint64(3) << 31;
    QCOMPARE(lines[0].section(QLatin1Char('\t'), 1).toULongLong(nullptr, 16), quint64(0));                  // blocked
    QCOMPARE(lines[1].section(QLatin1Char('\t'), 1).toULongLong(nullptr, 16) & ~glibcInternal, quint64(0)); // ignored
    // With SIGPIPE ignored, yes would complain about the closed pipe instead of ending quietly.
    const AttemptOutcome pipe = run(shell(QStringLiteral("yes | head -n 1; echo done")));
    QCOMPARE(pipe.output, QStringLiteral("y\ndone\n"));
}

void TestProcessAction::onlyTheStandardDescriptorsReachTheChild()
{
    // One of ours without close-on-exec, and another action's pipe open in another thread.
    const int ours = ::open("/dev/null", O_RDONLY);
    QVERIFY(ours > 2);
    TaskContext other(2, 1, QJsonValue());
    QSemaphore otherRuns;
    other.onLog = [&otherRuns](const QString &) { otherRuns.release(); };
    std::unique_ptr<QThread> thread(QThread::create(
        [&other] { ProcessAction::run(shell(QStringLiteral("echo running; exec sleep 30")), other, Generous); }));
    thread->start();
    const auto cleanup = qScopeGuard([&] {
        other.cancel();
        thread->wait();
        ::close(ours);
    });
    QVERIFY(otherRuns.tryAcquire(1, 10000));

    const AttemptOutcome outcome = run(shell(QStringLiteral("ls /proc/$$/fd")));
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.output, QStringLiteral("0\n1\n2\n"));
}

void TestProcessAction::descendantsHoldingTheOutputOpenDoNotHoldUsUp()
{
    QElapsedTimer elapsed;
    elapsed.start();
    const AttemptOutcome outcome = run(shell(QStringLiteral("sleep 30 & echo $!")));
    const qint64 took = elapsed.elapsed();
    const QList<qint64> pids = printedPids(outcome.output);
    for (qint64 pid : pids)
        ::kill(pid_t(pid), SIGKILL); // left running on purpose: not ours to stop after a success
    QCOMPARE(outcome.error, QString());
    QCOMPARE(pids.size(), 1);
    QVERIFY2(took < WellBefore, qPrintable(QStringLiteral("took %1 ms").arg(took)));
}

void TestProcessAction::timeoutStopsTheWholeProcessGroup()
{
    const qint64 timeoutMs = 300;
    QElapsedTimer elapsed;
    elapsed.start();
    // The shell and the sleep it waits for both print their pid.
    const AttemptOutcome outcome =
        run(shell(QStringLiteral("echo $$; sleep 30 & echo $!; wait; echo never")), timeoutMs,
            /*graceMs=*/1000);
    const qint64 took = elapsed.elapsed();
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::TimedOut));
    QCOMPARE(outcome.error, QStringLiteral("timed out after %1 s").arg(double(timeoutMs) / 1000.0));
    QVERIFY2(took < WellBefore, qPrintable(QStringLiteral("took %1 ms").arg(took)));
    QVERIFY(!outcome.output.contains(QLatin1String("never")));
    const QList<qint64> pids = printedPids(outcome.output);
    QCOMPARE(pids.size(), 2);
    for (qint64 pid : pids)
        QTRY_VERIFY2(!isRunning(pid), qPrintable(QStringLiteral("%1 still runs").arg(pid)));
    QVERIFY(outcome.cpuTimeMs >= 0);
}

void TestProcessAction::aProcessIgnoringSigtermIsKilledAfterTheGrace()
{
    const qint64 timeoutMs = 200;
    const int graceMs = 300;
    QElapsedTimer elapsed;
    elapsed.start();
    // What the shell starts inherits the ignored SIGTERM.
    const AttemptOutcome outcome =
        run(shell(QStringLiteral("trap '' TERM; echo $$; while :; do sleep 0.05; done")), timeoutMs, graceMs);
    const qint64 took = elapsed.elapsed();
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::TimedOut));
    QVERIFY2(took >= timeoutMs + graceMs, qPrintable(QStringLiteral("took %1 ms").arg(took)));
    QVERIFY2(took < WellBefore, qPrintable(QStringLiteral("took %1 ms").arg(took)));
    const QList<qint64> pids = printedPids(outcome.output);
    QCOMPARE(pids.size(), 1);
    QTRY_VERIFY(!isRunning(pids.first()));
}

void TestProcessAction::aChildThatClosesItsOutputStillTimesOut()
{
    const qint64 timeoutMs = 300;
    QElapsedTimer elapsed;
    elapsed.start();
    const AttemptOutcome outcome = run(shell(QStringLiteral("echo $$; exec >&- 2>&-; exec sleep 30")), timeoutMs);
    const qint64 took = elapsed.elapsed();
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::TimedOut));
    QVERIFY2(took < WellBefore, qPrintable(QStringLiteral("took %1 ms").arg(took)));
    const QList<qint64> pids = printedPids(outcome.output);
    QCOMPARE(pids.size(), 1);
    QTRY_VERIFY(!isRunning(pids.first()));
}

void TestProcessAction::aFloodOfOutputStillTimesOut()
{
    const qint64 timeoutMs = 300;
    TaskContext context(1, 1, QJsonValue());
    qint64 logged = 0;
    context.onLog = [&logged](const QString &) { ++logged; };
    QElapsedTimer elapsed;
    elapsed.start();
    const AttemptOutcome outcome = ProcessAction::run(shell(QStringLiteral("exec yes")), context, timeoutMs, 300);
    const qint64 took = elapsed.elapsed();
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::TimedOut));
    QVERIFY2(took < WellBefore, qPrintable(QStringLiteral("took %1 ms").arg(took)));
    QCOMPARE(outcome.output.size(), ProcessAction::OutputTailBytes);
    QVERIFY(logged > 0);
}

void TestProcessAction::cancelFromAnotherThreadStopsIt()
{
    TaskContext context(1, 1, QJsonValue());
    QSemaphore started;
    context.onLog = [&started](const QString &) { started.release(); };
    std::unique_ptr<QThread> canceller(QThread::create([&] {
        if (started.tryAcquire(1, 10000))
            context.cancel();
    }));
    canceller->start();
    QElapsedTimer elapsed;
    elapsed.start();
    const AttemptOutcome outcome =
        ProcessAction::run(shell(QStringLiteral("echo $$; exec sleep 30")), context, /*timeoutMs=*/0, 2000);
    const qint64 took = elapsed.elapsed();
    QVERIFY(canceller->wait(10000));
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::Cancelled));
    QCOMPARE(outcome.error, QStringLiteral("cancelled"));
    QVERIFY2(took < WellBefore, qPrintable(QStringLiteral("took %1 ms").arg(took)));
    const QList<qint64> pids = printedPids(outcome.output);
    QCOMPARE(pids.size(), 1);
    QTRY_VERIFY(!isRunning(pids.first()));
}

void TestProcessAction::deathBySignalIsNamed_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("number");
    QTest::newRow("SEGV") << QStringLiteral("SEGV") << SIGSEGV;
    QTest::newRow("KILL") << QStringLiteral("KILL") << SIGKILL;
    QTest::newRow("TERM") << QStringLiteral("TERM") << SIGTERM;
    QTest::newRow("USR1") << QStringLiteral("USR1") << SIGUSR1;
}

void TestProcessAction::deathBySignalIsNamed()
{
    QFETCH(QString, name);
    QFETCH(int, number);
    const AttemptOutcome outcome = run(shell(QStringLiteral("ulimit -c 0; kill -%1 $$").arg(name)));
    QCOMPARE(kindName(outcome.kind), kindName(AttemptOutcome::Kind::Failed));
    QCOMPARE(outcome.error, QStringLiteral("killed by signal %1 (SIG%2)").arg(number).arg(name));
    QCOMPARE(outcome.exitCode, -1);
    QVERIFY(outcome.retryable);
}

void TestProcessAction::cpuTimeCountsTheChildAndItsDescendants()
{
    // The busy loop runs in a shell that the top one waits for.
    QElapsedTimer elapsed;
    elapsed.start();
    const AttemptOutcome busy =
        run(shell(QStringLiteral("sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; echo done")));
    const qint64 wallMs = elapsed.elapsed();
    QCOMPARE(busy.output, QStringLiteral("done\n"));
    // A single-threaded loop uses no more CPU than the time that passed (plus accounting slack).
    QVERIFY2(busy.cpuTimeMs > 50 && busy.cpuTimeMs <= wallMs + 100,
             qPrintable(QStringLiteral("%1 ms CPU in %2 ms").arg(busy.cpuTimeMs).arg(wallMs)));
    const AttemptOutcome idle = run(shell(QStringLiteral("sleep 0.2")));
    QVERIFY2(idle.cpuTimeMs >= 0 && idle.cpuTimeMs < busy.cpuTimeMs,
             qPrintable(QStringLiteral("idle %1 ms, busy %2 ms").arg(idle.cpuTimeMs).arg(busy.cpuTimeMs)));
}

void TestProcessAction::peakMemoryIsTheLargestResidentSet()
{
    // Above our own peak, which a spawned child starts with as far as the kernel counts.
    const qint64 bytes = ourPeakMemoryKiB() * 1024 + qint64(48) * 1024 * 1024;
    // dd reads into one buffer of that size; the shell waits for it.
    const AttemptOutcome large =
        run(shell(QStringLiteral("dd if=/dev/zero of=/dev/null bs=%1 count=1 2>/dev/null && echo read").arg(bytes)));
    QCOMPARE(large.output, QStringLiteral("read\n"));
    QVERIFY2(large.peakMemoryKiB > bytes / 1024,
             qPrintable(QStringLiteral("%1 KiB for %2 bytes").arg(large.peakMemoryKiB).arg(bytes)));
    const AttemptOutcome small = run(ActionSpec::exec(QStringLiteral("true"), {}));
    QVERIFY2(small.peakMemoryKiB == -1 || (small.peakMemoryKiB > 0 && small.peakMemoryKiB < large.peakMemoryKiB),
             qPrintable(QStringLiteral("%1 KiB").arg(small.peakMemoryKiB)));
}

void TestProcessAction::theProgramFindsItsTaskAndPayloadInItsEnvironment()
{
    const QJsonObject payload{{QStringLiteral("file"), QStringLiteral("a b.txt")}, {QStringLiteral("n"), 3}};
    TaskContext context(42, 2, payload);
    const AttemptOutcome outcome = ProcessAction::run(
        shell(QStringLiteral(R"(printf '%s|%s|%s' "$TASKDECK_TASK_ID" "$TASKDECK_ATTEMPT" "$TASKDECK_PAYLOAD")")),
        context, Generous);
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.output, QStringLiteral(R"(42|2|{"file":"a b.txt","n":3})"));

    // Too large for the environment: a file, gone once the attempt is over.
    const QString big(200 * 1024, QLatin1Char('x'));
    TaskContext large(7, 1, QJsonValue(big));
    const AttemptOutcome fromFile = ProcessAction::run(
        shell(QStringLiteral(
            R"(test -z "$TASKDECK_PAYLOAD" && echo "$TASKDECK_PAYLOAD_FILE" && wc -c < "$TASKDECK_PAYLOAD_FILE")")),
        large, Generous);
    QCOMPARE(fromFile.error, QString());
    const QStringList lines = fromFile.output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(1).trimmed().toLongLong(), qint64(big.size() + 2)); // the JSON string's quotes
    QVERIFY(!QFileInfo::exists(lines.at(0)));

    // The engine's variables win over an action's own of the same name, and appear once.
    QJsonObject action = ActionSpec::exec(QStringLiteral("sh"),
                                          {QStringLiteral("-c"), QStringLiteral("env | grep -c '^TASKDECK_PAYLOAD='; "
                                                                                "printf %s \"$TASKDECK_PAYLOAD\"")});
    action.insert(QStringLiteral("env"), QJsonObject{{QStringLiteral("TASKDECK_PAYLOAD"), QStringLiteral("mine")}});
    QCOMPARE(ProcessAction::run(action, context, Generous).output, QStringLiteral("1\n{\"file\":\"a b.txt\",\"n\":3}"));

    TaskContext none(8, 1, QJsonValue());
    QCOMPARE(ProcessAction::run(shell(QStringLiteral(R"(printf %s "$TASKDECK_PAYLOAD")")), none, Generous).output,
             QStringLiteral("null"));
}

void TestProcessAction::aPeakThatMayBeOursIsNeverReported()
{
    // A posix_spawn()ed child runs in our memory until its exec, and the kernel counts our peak
    // as the child's: such a figure would tell about us, not about the program.
    const qsizetype ours = qsizetype(128) * 1024 * 1024;
    QByteArray ballast(ours, 'x');
    QVERIFY(ourPeakMemoryKiB() > ours / 1024);
    const AttemptOutcome outcome = run(ActionSpec::exec(QStringLiteral("true"), {}));
    QCOMPARE(outcome.error, QString());
    // Unknown, or sampled from the program itself (if it lived long enough): never our 128 MB.
    QVERIFY2(outcome.peakMemoryKiB == -1 || outcome.peakMemoryKiB < 16 * 1024,
             qPrintable(QStringLiteral("%1 KiB").arg(outcome.peakMemoryKiB)));
    QVERIFY(outcome.cpuTimeMs >= 0); // CPU time is the program's own
    // One that runs a while is sampled: its own small peak, not ours.
    const AttemptOutcome sleeper = run(ActionSpec::exec(QStringLiteral("sleep"), {QStringLiteral("0.3")}));
    QCOMPARE(sleeper.error, QString());
    QVERIFY2(sleeper.peakMemoryKiB > 0 && sleeper.peakMemoryKiB < 16 * 1024,
             qPrintable(QStringLiteral("%1 KiB").arg(sleeper.peakMemoryKiB)));
}

QTEST_GUILESS_MAIN(TestProcessAction)
#include "tst_processaction.moc"

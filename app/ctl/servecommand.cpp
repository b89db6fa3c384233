#include "servecommand.h"

#include "commandline.h"
#include "events/eventbus.h"
#include "events/folderwatcher.h"
#include "isotime.h"
#include "runtime.h"
#include "scheduler/jobnotifier.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const auto written = ::write(signalPipe[0], &byte, 1);
}

// SIGINT and SIGTERM arrive on the event loop through a socket pair (a handler may do no more).
bool installSignalHandlers(QObject *receiver, std::function<void(int)> onStop)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0)
        return false;
    auto *notifier = new QSocketNotifier(signalPipe[1], QSocketNotifier::Read, receiver);
    QObject::connect(notifier, &QSocketNotifier::activated, receiver, [onStop = std::move(onStop)] {
        char byte = 0;
        if (::read(signalPipe[1], &byte, 1) == 1)
            onStop(int(byte));
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0 && ::sigaction(SIGTERM, &action, nullptr) == 0;
}

} // namespace

QString serveCommandSummary()
{
    return QStringLiteral("  serve               Run the engine headless until SIGINT/SIGTERM\n");
}

int runServeCommand(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(
        QStringLiteral("taskdeckctl [--db PATH] serve [--workers N|auto] [--queue-limit QUEUE=N]... [--grace SECONDS] "
                       "[--sync full|normal] [--until-idle] [--quiet]"),
        QStringLiteral("Run queued tasks until SIGINT or SIGTERM: stop claiming, let running tasks finish for up "
                       "to\n--grace seconds, then stop them (they run again next time). One engine per database."));
    QCommandLineParser &parser = command.parser();
    parser.addOption({QStringLiteral("workers"),
                      QStringLiteral("How many tasks run at once (default: one per core); auto: one per core, "
                                     "growing to four per core while a backlog waits."),
                      QStringLiteral("N|auto")});
    parser.addOption({QStringLiteral("queue-limit"),
                      QStringLiteral("At most N tasks of QUEUE run at once, e.g. reports=1 (repeatable)."),
                      QStringLiteral("QUEUE=N")});
    parser.addOption({QStringLiteral("grace"), QStringLiteral("Seconds running tasks get at shutdown (default: 30)."),
                      QStringLiteral("SECONDS")});
    parser.addOption({QStringLiteral("sync"),
                      QStringLiteral("full (default): nothing acknowledged is lost, even on power loss; normal: "
                                     "faster, and the last commits may be lost on power loss (not on a crash)."),
                      QStringLiteral("full|normal")});
    parser.addOption(
        {QStringLiteral("until-idle"), QStringLiteral("Exit 0 once nothing is queued, running or waiting to retry.")});
    parser.addOption({QStringLiteral("quiet"), QStringLiteral("Print nothing but errors.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("serve: unexpected '%1'").arg(parser.positionalArguments().first()));

    TaskEngine::Options options;
    if (parser.value(QStringLiteral("workers")) == QLatin1String("auto")) {
        // One per core, growing to four per core while a backlog waits (tasks that wait on
        // processes or the network leave the cores idle).
        options.workers = std::max(1, QThread::idealThreadCount());
        options.maxWorkers = std::min(64, options.workers * 4);
    } else if (parser.isSet(QStringLiteral("workers"))) {
        bool ok = false;
        options.workers = parser.value(QStringLiteral("workers")).toInt(&ok);
        if (!ok || options.workers < 1 || options.workers > 256)
            return usageError(QStringLiteral("--workers: '%1' is not a whole number from 1 to 256, or auto")
                                  .arg(printable(parser.value(QStringLiteral("workers")))));
    }
    const QStringList limits = parser.values(QStringLiteral("queue-limit"));
    for (const QString &limit : limits) {
        const QString queue = limit.section(QLatin1Char('='), 0, 0);
        bool ok = false;
        const int n = limit.section(QLatin1Char('='), 1).toInt(&ok);
        if (!limit.contains(QLatin1Char('=')) || queue.isEmpty() || !ok || n < 1)
            return usageError(QStringLiteral("--queue-limit: '%1' is not QUEUE=N with N of 1 or more").arg(limit));
        options.queueLimits.insert(queue, n);
    }
    if (parser.isSet(QStringLiteral("grace"))) {
        bool ok = false;
        const double seconds = parser.value(QStringLiteral("grace")).toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 3600)
            return usageError(QStringLiteral("--grace: '%1' is not a number of seconds from 0 to 3600")
                                  .arg(parser.value(QStringLiteral("grace"))));
        options.shutdownGraceMs = int(seconds * 1000);
    }
    const QString sync = parser.value(QStringLiteral("sync"));
    if (parser.isSet(QStringLiteral("sync")) && sync != QLatin1String("full") && sync != QLatin1String("normal"))
        return usageError(QStringLiteral("--sync: '%1' is not full or normal").arg(printable(sync)));
    const bool quiet = parser.isSet(QStringLiteral("quiet"));
    const bool untilIdle = parser.isSet(QStringLiteral("until-idle"));

    Runtime::Options runtimeOptions;
    runtimeOptions.engine = options;
    runtimeOptions.fullSync = sync != QLatin1String("normal");
    runtimeOptions.runScheduler = !untilIdle;
    Runtime runtime(dbPath, runtimeOptions);
    QString why;
    if (!runtime.open(&why)) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    TaskEngine &engine = *runtime.engine();
    QTextStream &o = out();
    const auto say = [&o, quiet](const QString &line) {
        if (quiet)
            return;
        o << IsoTime::format(QDateTime::currentDateTime()) << ' ' << line << '\n';
        o.flush();
    };
    QObject::connect(&engine, &TaskEngine::taskStarted, &engine, [&](qint64 id, int attempt) {
        say(QStringLiteral("task %1 started (attempt %2)").arg(id).arg(attempt));
    });
    QObject::connect(&engine, &TaskEngine::taskSucceeded, &engine,
                     [&](qint64 id) { say(QStringLiteral("task %1 succeeded").arg(id)); });
    QObject::connect(&engine, &TaskEngine::taskRetryScheduled, &engine, [&](qint64 id, const QDateTime &at) {
        say(QStringLiteral("task %1 failed; retry at %2").arg(id).arg(IsoTime::format(at.toLocalTime())));
    });
    QObject::connect(&engine, &TaskEngine::taskDeadLettered, &engine, [&](qint64 id, const QString &error) {
        say(QStringLiteral("task %1 is dead: %2").arg(id).arg(error));
    });
    QObject::connect(&engine, &TaskEngine::taskCancelled, &engine,
                     [&](qint64 id) { say(QStringLiteral("task %1 cancelled").arg(id)); });
    QObject::connect(&engine, &TaskEngine::workerCountChanged, &engine,
                     [&](int workers) { say(QStringLiteral("now %1 workers").arg(workers)); });
    QObject::connect(&engine, &TaskEngine::stopped, qApp, [] { QCoreApplication::exit(ExitOk); });
    if (untilIdle) {
        // Idle means the engine has nothing, and no event on its way to it would queue more.
        EventBus *bus = runtime.events();
        const auto stopWhenQuiet = [&engine, bus] {
            if (engine.isIdle() && bus->isSettled())
                engine.shutdown();
        };
        QObject::connect(&engine, &TaskEngine::idle, &engine, stopWhenQuiet);
        QObject::connect(bus, &EventBus::settled, &engine, stopWhenQuiet);
    }
    if (!installSignalHandlers(&engine, [&](int signal) {
            say(QStringLiteral("signal %1: stopping (running tasks get %2 s)")
                    .arg(signal)
                    .arg(double(options.shutdownGraceMs) / 1000.0));
            engine.shutdown();
        })) {
        err() << "taskdeckctl: cannot install signal handlers" << Qt::endl;
        return ExitFailure;
    }

    QObject::connect(runtime.scheduler(), &Scheduler::fired, &engine,
                     [&](const QString &job, const QDateTime &scheduledAt, const QString &kind, const QString &outcome,
                         qint64 taskId) {
                         say(QStringLiteral("job %1: %2 fire of %3 %4%5")
                                 .arg(job, kind, IsoTime::format(scheduledAt.toLocalTime()), outcome,
                                      taskId > 0 ? QStringLiteral(" as task %1").arg(taskId) : QString()));
                     });
    QObject::connect(runtime.notifier(), &JobNotifier::notification, &engine, [&](const JobNotification &note) {
        say(QStringLiteral("notify %1 (%2): %3").arg(note.jobId, note.event, note.message));
    });
    if (FolderWatcher *folders = runtime.folders()) {
        QObject::connect(folders, &FolderWatcher::fileFired, &engine,
                         [&](const QString &job, const QString &path, qint64 taskId) {
                             say(QStringLiteral("job %1: file %2 as task %3").arg(job, path).arg(taskId));
                         });
    }

    say(QStringLiteral("serving %1 with %2 workers").arg(dbPath).arg(engine.workerCount()));
    if (!runtime.start(&why)) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    return QCoreApplication::exec();
}

} // namespace Taskdeck::Ctl

// Process throughput: N `/bin/true` exec tasks through the real engine (2 workers, durable), from
// the first enqueue until every one has succeeded and its state is on disk. Beside it, in the same
// run, `xargs -P2` running the same commands (no durability, no bookkeeping: the floor) and
// task-spooler (`tsp -S 2`, a queue of its own). Prints figures; never fails on timing.
//
//   bench_shell [--quick] [--tasks N]

#include "actions/actionspec.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "store/storewriter.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>

using namespace Taskdeck::Core;

namespace {

double runEngine(const QString &path, int tasks)
{
    StoreWriter writer(path);
    HandlerRegistry handlers;
    TaskEngine::Options options;
    options.workers = 2;
    TaskEngine engine(&writer, &handlers, &Clock::system(), options);
    QString error;
    if (!engine.start(&error)) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(error));
        return 0;
    }
    int finished = 0;
    QEventLoop loop;
    const auto count = [&] {
        if (++finished == tasks)
            loop.quit();
    };
    QObject::connect(&engine, &TaskEngine::taskSucceeded, &loop, count);
    QObject::connect(&engine, &TaskEngine::taskDeadLettered, &loop, count);
    TaskSpec spec;
    spec.action = ActionSpec::exec(QStringLiteral("/bin/true"), {});
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < tasks; ++i)
        engine.enqueue(spec, &error);
    loop.exec();
    writer.run([](QSqlDatabase &, QVariant *, QString *) { return true; });
    return tasks / (double(timer.nsecsElapsed()) / 1e9);
}

// Runs a shell script and returns tasks per second, or 0 when it failed.
double runScript(const QString &script, int tasks, const QStringList &environment = {})
{
    QProcess shell;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &entry : environment)
        env.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
    shell.setProcessEnvironment(env);
    QElapsedTimer timer;
    timer.start();
    shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
    if (!shell.waitForFinished(-1) || shell.exitCode() != 0) {
        std::fprintf(stderr, "script failed: %s\n", shell.readAllStandardError().constData());
        return 0;
    }
    return tasks / (double(timer.nsecsElapsed()) / 1e9);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    int tasks = quick ? 200 : 5000;
    const qsizetype at = args.indexOf(QStringLiteral("--tasks"));
    if (at > 0 && at + 1 < args.size())
        tasks = args.at(at + 1).toInt();
    QTemporaryDir dir;

    std::printf("Taskdeck process throughput: %d `/bin/true` tasks, 2 at a time%s\n", tasks,
                quick ? " (quick run: figures are rough)" : "");
    const double engine = runEngine(dir.filePath(QStringLiteral("shell.db")), tasks);
    const double xargs = runScript(QStringLiteral("seq %1 | xargs -P2 -n1 /bin/true").arg(tasks), tasks);
    std::printf("  taskdeck engine (durable, synchronous=FULL): %8.0f tasks/s\n", engine);
    std::printf("  xargs -P2 (no queue, the floor):             %8.0f tasks/s  (engine: %.2f of it)\n", xargs,
                xargs > 0 ? engine / xargs : 0.0);
    if (QStandardPaths::findExecutable(QStringLiteral("tsp")).isEmpty()) {
        std::printf("  task-spooler: not installed (Debian package task-spooler; ./scripts/bench installs it)\n");
        return 0;
    }
    const double tsp = runScript(
        QStringLiteral("tsp -S 2 >/dev/null && for i in $(seq %1); do tsp -n /bin/true >/dev/null; done && tsp -w; "
                       "tsp -K")
            .arg(tasks),
        tasks,
        {QStringLiteral("TS_SOCKET=") + dir.filePath(QStringLiteral("tsp.socket")), QStringLiteral("TS_MAXFINISHED=10"),
         QStringLiteral("TMPDIR=") + dir.path()});
    std::printf("  task-spooler (tsp -S 2):                     %8.0f tasks/s  (engine: %.2fx of it)\n", tsp,
                tsp > 0 ? engine / tsp : 0.0);
    return 0;
}

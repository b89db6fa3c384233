// The desktop app's responsiveness, measured on the real window (MainWindow, its engine, its
// views) in child processes of this one, so that each starts cold. Never fails on timing.
//
// 1. Start-up on a big database: 1,000 jobs and a million attempts (a million tasks, 1 in 1,000
//    dead). From main() (and from the parent's launch) to the window's first paint; from
//    switching to History to its table's first paint with rows; the resident memory once idle.
//    Beside it, in the same run: a bare QMainWindow (what Qt itself costs).
// 2. Stalls with 1,000 tasks running at once, each reporting progress 10 times a second, the Live
//    tab in view: a 1 ms timer in the GUI thread records the longest gap between its ticks (the
//    longest time the event loop was busy) over 5 s. Once with progress coalesced into one batch a
//    frame (as the app runs), once with each update delivered on its own.
//
//   bench_gui [--quick]     (QT_QPA_PLATFORM=offscreen works; a real X server too)

#include "historyview.h"
#include "liveview.h"
#include "mainwindow.h"
#include "queue/taskstore.h"
#include "scheduler/jobstore.h"
#include "store/database.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QMainWindow>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Taskdeck;

namespace {

constexpr int StallWindowMs = 5000;
constexpr int FrameBudgetMs = 16;

QElapsedTimer g_sinceMain;

qint64 residentKiB(const char *field = "VmRSS:")
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field))).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

void say(const char *key, double value)
{
    std::printf("%s %.3f\n", key, value);
    std::fflush(stdout);
}

// Records the first paint of a widget (optionally: only once `ready` says so).
class FirstPaint final : public QObject
{
public:
    FirstPaint(QWidget *widget, std::function<bool()> ready, std::function<void()> painted)
        : m_ready(std::move(ready))
        , m_painted(std::move(painted))
    {
        widget->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_done && (!m_ready || m_ready())) {
            m_done = true;
            // After this paint has been done (the event is still on its way to the widget).
            QTimer::singleShot(0, this, m_painted);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<bool()> m_ready;
    std::function<void()> m_painted;
    bool m_done = false;
};

// --- the database -------------------------------------------------------------------------------

bool makeBigDatabase(const QString &path, int jobs, int attempts)
{
    QString error;
    {
        // One real job and task, which the bulk copies.
        Core::JobStore store(path);
        QList<Core::Job> list;
        for (int i = 0; i < jobs; ++i) {
            Core::Job job;
            job.id = QStringLiteral("job-%1").arg(i, 4, 10, QLatin1Char('0'));
            job.title = QStringLiteral("Job number %1").arg(i);
            job.schedule = QStringLiteral("%1 */%2 * * *").arg(i % 60).arg(1 + i % 6);
            job.timeZone = i % 3 == 0 ? QStringLiteral("Europe/Berlin") : QString();
            job.task.action = QJsonObject{{QStringLiteral("type"), QStringLiteral("exec")},
                                          {QStringLiteral("program"), QStringLiteral("/bin/true")}};
            list.append(job);
        }
        if (!store.import(list, &error)) {
            std::fprintf(stderr, "jobs: %s\n", qPrintable(error));
            return false;
        }
        Core::TaskStore tasks(path);
        Core::TaskSpec spec = list.first().taskSpec();
        if (!tasks.enqueue(spec, &error)) {
            std::fprintf(stderr, "task: %s\n", qPrintable(error));
            return false;
        }
    }
    QSqlDatabase db = Core::Database::open(path, QStringLiteral("bench-fill"), Core::Database::Access::ReadWrite,
                                           &error, Core::Database::Sync::Normal);
    if (!db.isValid()) {
        std::fprintf(stderr, "open: %s\n", qPrintable(error));
        return false;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 spanMs = 30LL * 24 * 3600 * 1000; // the last 30 days
    const qint64 stepMs = spanMs / attempts;
    const QStringList statements = {
        QStringLiteral("DELETE FROM engine_requests"),
        QStringLiteral("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %1) "
                       "INSERT INTO tasks (job, action, payload, queue, priority, state, attempts, max_attempts, "
                       "retry_policy, not_before, created_at, started_at, finished_at, progress, last_error) "
                       "SELECT printf('job-%04d', i % %2), t.action, t.payload, t.queue, 0, "
                       "CASE WHEN i % 1000 = 0 THEN 'dead' ELSE 'succeeded' END, 1, t.max_attempts, t.retry_policy, "
                       "%3 + i * %4, %3 + i * %4, %3 + i * %4, %3 + i * %4 + 250 + i % 700, 100, "
                       "CASE WHEN i % 1000 = 0 THEN 'exited with code 1: disk full' END "
                       "FROM n, (SELECT * FROM tasks WHERE id = 1) t")
            .arg(attempts)
            .arg(jobs)
            .arg(now - spanMs)
            .arg(stepMs),
        QStringLiteral("DELETE FROM tasks WHERE id = 1"),
        QStringLiteral("INSERT INTO attempts (task_id, number, started_at, finished_at, outcome, exit_code, error, "
                       "output) SELECT id, 1, started_at, finished_at, CASE state WHEN 'dead' THEN 'failed' ELSE "
                       "'succeeded' END, CASE state WHEN 'dead' THEN 1 ELSE 0 END, last_error, "
                       "'copied ' || id || ' files' FROM tasks"),
    };
    bool ok = db.transaction();
    for (const QString &statement : statements) {
        QSqlQuery query(db);
        if (ok && !query.exec(statement)) {
            std::fprintf(stderr, "fill: %s\n", qPrintable(query.lastError().text()));
            ok = false;
        }
    }
    ok = ok && db.commit();
    db = QSqlDatabase();
    Core::Database::close(QStringLiteral("bench-fill"));
    return ok;
}

// --- the children -------------------------------------------------------------------------------

int childBaseline(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QMainWindow window;
    window.resize(1100, 720);
    FirstPaint paint(&window, {}, [&] {
        say("shown_ms", double(g_sinceMain.nsecsElapsed()) / 1e6);
        QTimer::singleShot(2000, &app, [&] {
            say("rss_kib", double(residentKiB()));
            app.quit();
        });
    });
    window.show();
    return app.exec();
}

int childStartup(int argc, char *argv[], const QString &db)
{
    QApplication app(argc, argv);
    Ui::MainWindow::Options options;
    options.databasePath = db;
    options.useTray = false;
    options.quitApplication = true;
    Ui::MainWindow window(options);
    QTableView *historyTable = window.history()->findChild<QTableView *>();
    QElapsedTimer sinceSwitch;
    std::unique_ptr<FirstPaint> historyPaint;
    FirstPaint shown(&window, {}, [&] {
        say("shown_ms", double(g_sinceMain.nsecsElapsed()) / 1e6);
        // Once the window settled (its first reads are back), History is opened.
        QTimer::singleShot(1500, &window, [&] {
            historyPaint = std::make_unique<FirstPaint>(
                historyTable->viewport(), [&] { return historyTable->model()->rowCount() > 0; },
                [&] {
                    say("history_first_paint_ms", double(sinceSwitch.nsecsElapsed()) / 1e6);
                    say("history_rows_loaded", historyTable->model()->rowCount());
                    QTimer::singleShot(3000, &window, [&] {
                        say("rss_kib", double(residentKiB()));
                        say("hwm_kib", double(residentKiB("VmHWM:")));
                        window.quit();
                    });
                });
            sinceSwitch.start();
            window.tabs()->setCurrentWidget(window.history());
        });
    });
    window.show();
    return app.exec();
}

int childStalls(int argc, char *argv[], const QString &db, int tasks, bool coalesce)
{
    QApplication app(argc, argv);
    Ui::MainWindow::Options options;
    options.databasePath = db;
    options.useTray = false;
    options.quitApplication = true;
    options.runtime.engine.workers = tasks;
    options.runtime.engine.progressIntervalMs = 100; // what each task reports: 10 a second
    options.runtime.runScheduler = false;
    Ui::MainWindow window(options);
    window.show();
    window.tabs()->setCurrentWidget(window.live());
    Ui::LiveView *live = window.live();
    qint64 updates = 0;
    QObject::connect(window.engine(), &Ui::EngineHost::progressed, &app,
                     [&](const QList<Ui::ProgressUpdate> &batch) { updates += batch.size(); });
    QObject::connect(window.engine(), &Ui::EngineHost::modeChanged, &app, [&](Ui::EngineHost::Mode mode) {
        if (mode == Ui::EngineHost::Mode::Engine)
            window.engine()->setProgressCoalescing(coalesce);
    });

    // The watchdog: a 1 ms timer; a gap between its ticks is time the event loop was busy.
    QTimer watchdog;
    watchdog.setTimerType(Qt::PreciseTimer);
    watchdog.setInterval(1);
    QElapsedTimer sinceTick;
    QElapsedTimer measuring;
    double longest = 0;
    int over = 0;
    qint64 updatesAtStart = 0;
    int repaintsAtStart = 0;
    QObject::connect(&watchdog, &QTimer::timeout, &app, [&] {
        const double gap = double(sinceTick.nsecsElapsed()) / 1e6;
        sinceTick.start();
        longest = std::max(longest, gap);
        over += gap > FrameBudgetMs ? 1 : 0;
        if (measuring.elapsed() >= StallWindowMs) {
            watchdog.stop();
            say("running", live->runningCount());
            say("longest_stall_ms", longest);
            say("stalls_over_16ms", over);
            say("updates_per_s", double(updates - updatesAtStart) * 1000.0 / double(measuring.elapsed()));
            say("repaints_per_s",
                double(live->progressRepaints() - repaintsAtStart) * 1000.0 / double(measuring.elapsed()));
            window.quit();
        }
    });
    // Measured once every task runs and reports (Live lists them all as running).
    QTimer ready;
    ready.setInterval(200);
    QObject::connect(&ready, &QTimer::timeout, &app, [&] {
        if (live->runningCount() < tasks || updates == 0)
            return;
        ready.stop();
        updatesAtStart = updates;
        repaintsAtStart = live->progressRepaints();
        measuring.start();
        sinceTick.start();
        watchdog.start();
    });
    ready.start();
    QTimer::singleShot(120'000, &app, [&] {
        std::fprintf(stderr, "only %d of %d tasks ran at once\n", live->runningCount(), tasks);
        window.quit();
    });
    return app.exec();
}

// --- the parent ---------------------------------------------------------------------------------

struct Figures
{
    QHash<QString, double> values;
    double launchToShownMs = -1;
    bool ok = false;
    double value(const char *key) const { return values.value(QString::fromLatin1(key), -1); }
};

Figures runChild(const QStringList &arguments)
{
    Figures figures;
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer launch;
    launch.start();
    child.start(QCoreApplication::applicationFilePath(), arguments);
    if (!child.waitForStarted())
        return figures;
    QByteArray pending;
    while (child.state() != QProcess::NotRunning || child.bytesAvailable() > 0) {
        child.waitForReadyRead(200);
        pending += child.readAllStandardOutput();
        qsizetype end;
        while ((end = pending.indexOf('\n')) >= 0) {
            const QList<QByteArray> parts = pending.left(end).split(' ');
            pending.remove(0, end + 1);
            if (parts.size() != 2)
                continue;
            const QString key = QString::fromLatin1(parts.at(0));
            figures.values.insert(key, parts.at(1).toDouble());
            if (key == QLatin1String("shown_ms"))
                figures.launchToShownMs = double(launch.nsecsElapsed()) / 1e6;
        }
        if (child.state() == QProcess::NotRunning && child.bytesAvailable() == 0)
            break;
    }
    child.waitForFinished(120'000);
    figures.ok = child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0;
    return figures;
}

bool queueSleepers(const QString &path, int count, int ms)
{
    Core::TaskStore store(path);
    Core::TaskSpec spec;
    spec.action = QJsonObject{{QStringLiteral("type"), QStringLiteral("handler")},
                              {QStringLiteral("name"), QStringLiteral("sleep")}};
    spec.payload = QJsonObject{{QStringLiteral("ms"), ms}, {QStringLiteral("every_ms"), 100}};
    QString error;
    for (int i = 0; i < count; ++i) {
        if (!store.enqueue(spec, &error)) {
            std::fprintf(stderr, "enqueue: %s\n", qPrintable(error));
            return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    g_sinceMain.start();
    // Its own settings, not the operator's (workers, window state).
    QCoreApplication::setOrganizationName(QStringLiteral("TaskdeckBench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_gui"));
    if (argc >= 3 && qstrcmp(argv[1], "--child") == 0) {
        const QByteArray kind = argv[2];
        if (kind == "baseline")
            return childBaseline(argc, argv);
        if (kind == "startup" && argc >= 4)
            return childStartup(argc, argv, QString::fromLocal8Bit(argv[3]));
        if (kind == "stalls" && argc >= 6)
            return childStalls(argc, argv, QString::fromLocal8Bit(argv[3]), QByteArray(argv[4]).toInt(),
                               qstrcmp(argv[5], "on") == 0);
        return 2;
    }

    QCoreApplication app(argc, argv);
    const bool quick = app.arguments().contains(QStringLiteral("--quick"));
    const int jobs = quick ? 50 : 1000;
    const int attempts = quick ? 5000 : 1'000'000;
    const int sleepers = quick ? 20 : 1000;
    QTemporaryDir dir;
    const QString big = dir.filePath(QStringLiteral("big.db"));
    const char *roughly = quick ? " (quick run: figures are rough)" : "";
    std::printf("Machine: %d cores; Qt platform: %s\n", QThread::idealThreadCount(),
                qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") ? "default"
                                                               : qPrintable(qEnvironmentVariable("QT_QPA_PLATFORM")));

    QElapsedTimer timer;
    timer.start();
    if (!makeBigDatabase(big, jobs, attempts))
        return 1;
    std::printf("Database: %d jobs, %d tasks with one attempt each (%.1f s to make, %.0f MiB)%s\n", jobs, attempts,
                double(timer.elapsed()) / 1000.0, double(QFileInfo(big).size()) / (1024.0 * 1024.0), roughly);

    const Figures bare = runChild({QStringLiteral("--child"), QStringLiteral("baseline")});
    const Figures startup = runChild({QStringLiteral("--child"), QStringLiteral("startup"), big});
    if (!bare.ok || !startup.ok) {
        std::fprintf(stderr, "a child failed\n");
        return 1;
    }
    std::printf("Start-up (goals: shown < 300 ms, History first paint < 50 ms, idle memory < 80 MB)\n");
    std::printf("  Taskdeck window:   main() to first paint %7.1f ms   (launch to first paint %7.1f ms)\n",
                startup.value("shown_ms"), startup.launchToShownMs);
    std::printf("  bare QMainWindow:  main() to first paint %7.1f ms   (launch to first paint %7.1f ms)\n",
                bare.value("shown_ms"), bare.launchToShownMs);
    std::printf("  History tab: switch to first paint with rows %6.1f ms (%d rows loaded of %d)\n",
                startup.value("history_first_paint_ms"), int(startup.value("history_rows_loaded")), attempts);
    std::printf("  idle resident memory: Taskdeck %6.1f MiB (peak %6.1f MiB), bare QMainWindow %6.1f MiB\n",
                startup.value("rss_kib") / 1024.0, startup.value("hwm_kib") / 1024.0, bare.value("rss_kib") / 1024.0);

    std::printf("Stalls: %d tasks running at once, each reporting progress 10 times a second, Live in view, "
                "%d s measured%s\n",
                sleepers, StallWindowMs / 1000, roughly);
    for (const bool coalesce : {true, false}) {
        const QString db = dir.filePath(coalesce ? QStringLiteral("on.db") : QStringLiteral("off.db"));
        if (!queueSleepers(db, sleepers, quick ? 8000 : 40000))
            return 1;
        const Figures stalls =
            runChild({QStringLiteral("--child"), QStringLiteral("stalls"), db, QString::number(sleepers),
                      coalesce ? QStringLiteral("on") : QStringLiteral("off")});
        if (!stalls.ok) {
            std::fprintf(stderr, "the stall child failed\n");
            return 1;
        }
        std::printf("  coalescing %-3s: longest stall %7.1f ms, %4d stalls over 16 ms; %6.0f updates/s reached "
                    "the GUI, %5.0f repaints/s of Live (%d running)\n",
                    coalesce ? "on" : "off", stalls.value("longest_stall_ms"), int(stalls.value("stalls_over_16ms")),
                    stalls.value("updates_per_s"), stalls.value("repaints_per_s"), int(stalls.value("running")));
    }
    return 0;
}

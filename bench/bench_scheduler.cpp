// The scheduler's figures. Never fails on timing.
//
// 1. Firing precision: a job every second, through the real scheduler and engine (2 workers,
//    durable, synchronous=FULL), lateness = the task's start minus its cron time, p50/p99/max;
//    idle, then with both cores kept busy by two spinning threads. Beside each, in the same run,
//    a bare Qt::PreciseTimer armed for every whole second (lateness of its timeout).
// 2. Scale: 10,000 jobs defined; start-up time of the scheduler, the memory it takes, and the CPU
//    the process uses while nothing is due (none of the jobs fires in the window).
//
//   bench_scheduler [--quick] [--seconds N] [--jobs N]

#include "actions/actionspec.h"
#include "actions/builtinhandlers.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "scheduler/jobstore.h"
#include "scheduler/scheduler.h"
#include "store/changesignal.h"
#include "store/storewriter.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <sys/resource.h>
#include <thread>

using namespace Taskdeck::Core;

namespace {

long voluntarySwitches()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_nvcsw;
}

// The scheduler as `serve` runs it: other processes' changes come through a ChangeWatcher.
Scheduler::Options servingOptions()
{
    Scheduler::Options options;
    options.jobsPollIntervalMs = 0;
    return options;
}

void print(const char *label, QList<double> lateness)
{
    if (lateness.isEmpty()) {
        std::printf("  %-46s no samples\n", label);
        return;
    }
    std::sort(lateness.begin(), lateness.end());
    const auto at = [&](double q) { return lateness.at(qsizetype(q * double(lateness.size() - 1))); };
    std::printf("  %-46s p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms   (%lld fires)\n", label, at(0.5), at(0.99),
                lateness.last(), static_cast<long long>(lateness.size()));
}

// Keeps both cores busy while it lives.
class Spinners
{
public:
    explicit Spinners(bool on)
    {
        if (!on)
            return;
        for (int i = 0; i < 2; ++i)
            m_threads.emplace_back([this] {
                volatile quint64 x = 0;
                while (!m_stop.load(std::memory_order_relaxed))
                    x = x + 1;
            });
    }
    ~Spinners()
    {
        m_stop = true;
        for (std::thread &thread : m_threads)
            thread.join();
    }

private:
    std::atomic<bool> m_stop{false};
    std::vector<std::thread> m_threads;
};

QList<double> schedulerLateness(const QString &path, int seconds)
{
    {
        Job job;
        job.id = QStringLiteral("tick");
        job.schedule = QStringLiteral("* * * * * *");
        job.task.action = ActionSpec::handler(QStringLiteral("noop"));
        QString error;
        if (!JobStore(path).add(job, &error)) {
            std::fprintf(stderr, "job: %s\n", qPrintable(error));
            return {};
        }
    }
    QList<double> lateness;
    // Each task's start in microseconds, taken when the engine starts it (the store keeps
    // milliseconds, too coarse for the figure).
    QHash<qint64, qint64> startedAtUs;
    {
        StoreWriter writer(path);
        HandlerRegistry handlers;
        registerBuiltinHandlers(handlers);
        TaskEngine::Options options;
        options.workers = 2;
        options.pollIntervalMs = 0; // as `serve` runs it: no polls, a change watcher
        TaskEngine engine(&writer, &handlers, &Clock::system(), options);
        Scheduler scheduler(&writer, &engine, &Clock::system(), servingOptions());
        QObject::connect(&engine, &TaskEngine::taskStarted, &engine, [&startedAtUs](qint64 id, int) {
            using namespace std::chrono;
            startedAtUs.insert(id, duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
        });
        QString error;
        if (!engine.start(&error) || !scheduler.start(&error)) {
            std::fprintf(stderr, "start: %s\n", qPrintable(error));
            return {};
        }
        QEventLoop loop;
        QTimer::singleShot(seconds * 1000 + 500, &loop, &QEventLoop::quit);
        loop.exec();
    }
    // Each fire's cron time, as stored, against its task's start.
    QString error;
    const auto fires = JobStore(path).fires(QStringLiteral("tick"), 0, &error);
    for (const FireRecord &fire : fires.value_or(QList<FireRecord>())) {
        if (const auto it = startedAtUs.constFind(fire.taskId); it != startedAtUs.cend())
            lateness.append(double(*it - fire.scheduledAt.toMSecsSinceEpoch() * 1000) / 1000.0);
    }
    return lateness;
}

QList<double> timerLateness(int count)
{
    using namespace std::chrono;
    QList<double> lateness;
    QTimer timer;
    timer.setSingleShot(true);
    timer.setTimerType(Qt::PreciseTimer);
    system_clock::time_point target;
    const auto arm = [&] {
        const system_clock::time_point now = system_clock::now();
        target = ceil<seconds>(now + milliseconds(1));
        timer.start(duration_cast<milliseconds>(target - now));
    };
    QEventLoop loop;
    QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
        lateness.append(double(duration_cast<microseconds>(system_clock::now() - target).count()) / 1000.0);
        if (lateness.size() >= count)
            loop.quit();
        else
            arm();
    });
    arm();
    loop.exec();
    return lateness;
}

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void scale(const QString &path, int jobCount, int idleSeconds)
{
    // Yearly jobs at scattered minutes of January 1st: none is due in the window (unless it is
    // New Year's Day), so the scheduler has nothing to do but wait.
    QList<Job> jobs;
    for (int i = 0; i < jobCount; ++i) {
        Job job;
        job.id = QStringLiteral("job-%1").arg(i, 5, 10, QLatin1Char('0'));
        job.schedule = QStringLiteral("%1 %2 1 1 *").arg(i % 60).arg(i / 60 % 24);
        job.timeZone = i % 2 ? QStringLiteral("Europe/Berlin") : QStringLiteral("America/New_York");
        job.task.action = ActionSpec::handler(QStringLiteral("noop"));
        jobs.append(job);
    }
    QString error;
    if (!JobStore(path).import(jobs, &error)) {
        std::fprintf(stderr, "import: %s\n", qPrintable(error));
        return;
    }
    StoreWriter writer(path);
    HandlerRegistry handlers;
    registerBuiltinHandlers(handlers);
    TaskEngine::Options engineOptions;
    engineOptions.pollIntervalMs = 0; // as `serve` runs it
    TaskEngine engine(&writer, &handlers, &Clock::system(), engineOptions);
    ChangeWatcher changes(path);
    QObject::connect(&changes, &ChangeWatcher::changed, &engine, [&engine] { engine.checkRequests(); });
    if (!engine.start(&error)) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(error));
        return;
    }
    const qint64 before = residentKiB();
    Scheduler scheduler(&writer, &engine, &Clock::system(), servingOptions());
    QObject::connect(&changes, &ChangeWatcher::changed, &scheduler, [&scheduler] { scheduler.checkJobs(); });
    QElapsedTimer timer;
    timer.start();
    if (!scheduler.start(&error)) {
        std::fprintf(stderr, "scheduler: %s\n", qPrintable(error));
        return;
    }
    const double startMs = double(timer.nsecsElapsed()) / 1e6;
    const qint64 after = residentKiB();
    int fires = 0;
    QObject::connect(&scheduler, &Scheduler::fired, &scheduler, [&] { ++fires; });
    // Let the start-up's writes settle, then measure an idle stretch.
    QEventLoop settle;
    QTimer::singleShot(1000, &settle, &QEventLoop::quit);
    settle.exec();
    const double cpuBefore = cpuSeconds();
    const long switchesBefore = voluntarySwitches();
    QEventLoop idle;
    QTimer::singleShot(idleSeconds * 1000, &idle, &QEventLoop::quit);
    idle.exec();
    const double cpu = cpuSeconds() - cpuBefore;
    // Each time a thread of the process sleeps and is woken counts one (the measuring timer's
    // own wake included).
    const long wakeups = voluntarySwitches() - switchesBefore;
    std::printf("  %d jobs: scheduler start-up %.0f ms, memory +%.1f MiB, next wake %s\n", jobCount, startMs,
                double(after - before) / 1024.0, qPrintable(scheduler.nextWake().toString(Qt::ISODate)));
    std::printf("  idle for %d s (engine and scheduler): %.1f ms CPU in all, %.2f ms a second; %ld wake-ups "
                "(voluntary context switches, the measuring timer's included); %d fires\n",
                idleSeconds, cpu * 1000.0, cpu * 1000.0 / idleSeconds, wakeups, fires);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    int seconds = quick ? 3 : 60;
    int jobs = quick ? 500 : 10000;
    if (const qsizetype at = args.indexOf(QStringLiteral("--seconds")); at > 0 && at + 1 < args.size())
        seconds = std::max(1, args.at(at + 1).toInt());
    if (const qsizetype at = args.indexOf(QStringLiteral("--jobs")); at > 0 && at + 1 < args.size())
        jobs = std::max(1, args.at(at + 1).toInt());
    QTemporaryDir dir;

    std::printf("Taskdeck firing precision: a job every second for %d s, lateness from cron time to the task's start "
                "(durable, synchronous=FULL)%s\n",
                seconds, quick ? " (quick run: figures are rough)" : "");
    for (const bool busy : {false, true}) {
        Spinners spinners(busy);
        print(busy ? "scheduler, both cores busy:" : "scheduler, idle:",
              schedulerLateness(dir.filePath(QStringLiteral("tick-%1.db").arg(int(busy))), seconds));
        print(busy ? "bare Qt::PreciseTimer, both cores busy:" : "bare Qt::PreciseTimer, idle:",
              timerLateness(seconds));
    }
    std::printf("Taskdeck scheduler at scale\n");
    scale(dir.filePath(QStringLiteral("scale.db")), jobs, quick ? 2 : 10);
    return 0;
}

// Enqueue-to-start latency at half load: tasks of 10 ms arrive every 10 ms for 2 workers (half of
// what they can do), through the real engine with durable enqueues (synchronous=FULL): from the
// enqueue call to the task's start. Beside it, in the same run, the floor: the same arrivals
// started on a bare QThreadPool with no store. Prints p50/p99/max; never fails on timing.
//
//   bench_latency [--quick]

#include "actions/actionspec.h"
#include "actions/builtinhandlers.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "store/storewriter.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Taskdeck::Core;

namespace {

constexpr int IntervalMs = 10;

void print(const char *label, QList<double> latencies)
{
    if (latencies.isEmpty()) {
        std::printf("  %-44s no samples\n", label);
        return;
    }
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double q) { return latencies.at(qsizetype(q * double(latencies.size() - 1))); };
    std::printf("  %-44s p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms\n", label, at(0.5), at(0.99), latencies.last());
}

QList<double> engineLatencies(const QString &path, int tasks)
{
    StoreWriter writer(path);
    HandlerRegistry handlers;
    registerBuiltinHandlers(handlers);
    TaskEngine::Options options;
    options.workers = 2;
    TaskEngine engine(&writer, &handlers, &Clock::system(), options);
    QString error;
    if (!engine.start(&error))
        return {};
    QElapsedTimer clock;
    clock.start();
    QList<qint64> enqueuedAt;
    QList<double> latencies;
    QEventLoop loop;
    // Same priority and queue: tasks start in the order they were queued.
    QObject::connect(&engine, &TaskEngine::taskStarted, &loop, [&](qint64 id, int) {
        if (id - 1 < enqueuedAt.size())
            latencies.append(double(clock.nsecsElapsed() - enqueuedAt.at(id - 1)) / 1e6);
        if (latencies.size() == tasks)
            loop.quit();
    });
    TaskSpec spec;
    spec.action = ActionSpec::handler(QStringLiteral("sleep"));
    spec.payload = QJsonObject{{QStringLiteral("ms"), IntervalMs}};
    QTimer arrivals;
    arrivals.setTimerType(Qt::PreciseTimer);
    arrivals.setInterval(IntervalMs);
    QObject::connect(&arrivals, &QTimer::timeout, &loop, [&] {
        if (enqueuedAt.size() == tasks)
            return arrivals.stop();
        enqueuedAt.append(clock.nsecsElapsed());
        engine.enqueue(spec, &error);
    });
    arrivals.start();
    loop.exec();
    return latencies;
}

QList<double> poolLatencies(int tasks)
{
    QThreadPool pool;
    pool.setMaxThreadCount(2);
    QElapsedTimer clock;
    clock.start();
    QList<double> latencies;
    QEventLoop loop;
    QTimer arrivals;
    arrivals.setTimerType(Qt::PreciseTimer);
    arrivals.setInterval(IntervalMs);
    int sent = 0;
    QObject::connect(&arrivals, &QTimer::timeout, &loop, [&] {
        if (sent == tasks)
            return arrivals.stop();
        ++sent;
        const qint64 at = clock.nsecsElapsed();
        pool.start([&, at] {
            const double latency = double(clock.nsecsElapsed() - at) / 1e6;
            QMetaObject::invokeMethod(&loop, [&, latency] {
                latencies.append(latency);
                if (latencies.size() == tasks)
                    loop.quit();
            });
            QThread::msleep(IntervalMs);
        });
    });
    arrivals.start();
    loop.exec();
    pool.waitForDone();
    return latencies;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool quick = app.arguments().contains(QStringLiteral("--quick"));
    const int tasks = quick ? 50 : 1000;
    QTemporaryDir dir;
    std::printf("Taskdeck enqueue-to-start latency: %d tasks of %d ms arriving every %d ms, 2 workers (half load)%s\n",
                tasks, IntervalMs, IntervalMs, quick ? " (quick run: figures are rough)" : "");
    print("taskdeck engine (durable enqueue, FULL sync):",
          engineLatencies(dir.filePath(QStringLiteral("l.db")), tasks));
    print("bare QThreadPool (no store, the floor):", poolLatencies(tasks));
    return 0;
}

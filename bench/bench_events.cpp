// The event bus's figures, through the Runtime as `serve` wires it (2 workers, durable,
// synchronous=FULL, WAL). Never fails on timing.
//
// 1. Publish-to-handler latency at half load: one subscription from `bench.ping` to a job whose
//    action is an in-process handler; an event is published every 5 ms and the handler takes 5 ms
//    (2 workers, half of what they can do). From the steady clock before EventBus::publish() to the
//    handler's start, found through the index in the event's data; p50/p99/max. Beside it, in the
//    same run: the same arrivals as tasks queued with TaskEngine::enqueue (durable, no bus: what
//    the bus adds shows), and on a bare QThreadPool with no store (the floor).
// 2. Fan-out throughput: 10 subscriptions to one topic, each to its own job (the no-op handler);
//    E events published as fast as the bus takes them, from the first publish until all E * 10
//    tasks have succeeded. Beside it, in the same run: the engine alone queueing E * 10 no-op tasks
//    with TaskEngine::enqueue (what the outbox costs shows).
//
//   bench_events [--quick] [--events E]

#include "actions/actionspec.h"
#include "actions/handlerregistry.h"
#include "events/eventbus.h"
#include "events/eventstore.h"
#include "events/subscription.h"
#include "queue/taskengine.h"
#include "runtime.h"
#include "scheduler/job.h"
#include "scheduler/jobstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace Taskdeck::Core;

namespace {

constexpr int IntervalMs = 5;
constexpr int Workers = 2;
constexpr int FanOut = 10;

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void print(const char *label, QList<double> latencies)
{
    if (latencies.isEmpty()) {
        std::printf("  %-52s no samples\n", label);
        return;
    }
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double q) { return latencies.at(qsizetype(q * double(latencies.size() - 1))); };
    std::printf("  %-52s p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms\n", label, at(0.5), at(0.99), latencies.last());
}

// As `serve` runs it: durable commits, no folder watches (the benchmark has none).
Runtime::Options servingOptions()
{
    Runtime::Options options;
    options.engine.workers = Workers;
    options.fullSync = true;
    options.watchFolders = false;
    return options;
}

bool addSubscribedJob(const QString &path, const QString &jobId, const QString &handler, const QString &subscription,
                      const QString &topic)
{
    Job job;
    job.id = jobId;
    job.task.action = ActionSpec::handler(handler);
    QString error;
    if (!JobStore(path).add(job, &error)) {
        std::fprintf(stderr, "job %s: %s\n", qPrintable(jobId), qPrintable(error));
        return false;
    }
    Subscription definition;
    definition.name = subscription;
    definition.pattern = topic;
    definition.jobId = jobId;
    if (!EventStore(path).addSubscription(definition, &error)) {
        std::fprintf(stderr, "subscription %s: %s\n", qPrintable(subscription), qPrintable(error));
        return false;
    }
    return true;
}

// When each arrival was sent, and how long until its handler started; by the arrival's index.
// Each slot is written by one thread before the signal that tells the main thread it is done.
struct Arrivals
{
    explicit Arrivals(int count)
        : sentAtNs(std::size_t(count), 0)
        , startedAfterMs(std::size_t(count), -1.0)
        , committedAfterMs(std::size_t(count), -1.0)
    {}
    std::vector<qint64> sentAtNs;
    std::vector<double> startedAfterMs;
    // Through the bus: until its done callback, which runs once the event is committed and after
    // the bus has handed its task to the engine (so it may come after the handler's start).
    std::vector<double> committedAfterMs;

    static QList<double> samples(const std::vector<double> &values)
    {
        QList<double> list;
        for (const double value : values) {
            if (value >= 0)
                list.append(value);
        }
        return list;
    }
};

// Records the start of the arrival whose index the payload carries, then takes IntervalMs.
HandlerRegistry::Handler recordingHandler(Arrivals &arrivals)
{
    return [&arrivals](TaskContext &context) {
        const qint64 now = steadyNs();
        const QJsonObject payload = context.payload().toObject();
        // Through the bus the payload is the event's envelope, with the published data in "data".
        const QJsonObject data =
            payload.contains(QStringLiteral("data")) ? payload.value(QStringLiteral("data")).toObject() : payload;
        const qint64 index = data.value(QStringLiteral("i")).toInteger(-1);
        if (index >= 0 && index < qint64(arrivals.sentAtNs.size()))
            arrivals.startedAfterMs[std::size_t(index)] = double(now - arrivals.sentAtNs[std::size_t(index)]) / 1e6;
        QThread::msleep(IntervalMs);
        return QString();
    };
}

enum class Route { Bus, Enqueue };

// Arrivals every IntervalMs through the real runtime, published on the bus or queued directly.
void runtimeLatencies(const QString &path, Route route, Arrivals &arrivals)
{
    const int count = int(arrivals.sentAtNs.size());
    const QString topic = QStringLiteral("bench.ping");
    const QString handler = QStringLiteral("bench.record");
    if (route == Route::Bus &&
        !addSubscribedJob(path, QStringLiteral("ping"), handler, QStringLiteral("ping-sub"), topic))
        return;
    Runtime runtime(path, servingOptions());
    QString error;
    if (!runtime.open(&error)) {
        std::fprintf(stderr, "open: %s\n", qPrintable(error));
        return;
    }
    runtime.handlers()->add(handler, recordingHandler(arrivals));
    int ended = 0;
    QEventLoop loop;
    const auto end = [&] {
        if (++ended == count)
            loop.quit();
    };
    QObject::connect(runtime.engine(), &TaskEngine::taskSucceeded, &loop, end);
    QObject::connect(runtime.engine(), &TaskEngine::taskDeadLettered, &loop, end);
    if (!runtime.start(&error)) {
        std::fprintf(stderr, "start: %s\n", qPrintable(error));
        return;
    }
    TaskSpec spec;
    spec.action = ActionSpec::handler(handler);
    int sent = 0;
    QTimer arrivalTimer;
    arrivalTimer.setTimerType(Qt::PreciseTimer);
    arrivalTimer.setInterval(IntervalMs);
    QObject::connect(&arrivalTimer, &QTimer::timeout, &loop, [&] {
        if (sent == count)
            return arrivalTimer.stop();
        const int index = sent++;
        const QJsonObject data{{QStringLiteral("i"), index}};
        arrivals.sentAtNs[std::size_t(index)] = steadyNs();
        bool accepted = false;
        if (route == Route::Bus) {
            accepted =
                runtime.events()->publish(topic, data, QStringLiteral("bench"), &error,
                                          [&arrivals, index, end](qint64 eventId, const QString &why) {
                                              if (eventId == 0) {
                                                  std::fprintf(stderr, "publish: %s\n", qPrintable(why));
                                                  return end();
                                              }
                                              arrivals.committedAfterMs[std::size_t(index)] =
                                                  double(steadyNs() - arrivals.sentAtNs[std::size_t(index)]) / 1e6;
                                          });
        } else {
            spec.payload = data;
            accepted = runtime.engine()->enqueue(spec, &error);
        }
        if (!accepted) {
            std::fprintf(stderr, "arrival %d: %s\n", index, qPrintable(error));
            end();
        }
    });
    arrivalTimer.start();
    loop.exec();
}

// The floor: the same arrivals started on a bare QThreadPool, with no store.
void poolLatencies(Arrivals &arrivals)
{
    const int count = int(arrivals.sentAtNs.size());
    QThreadPool pool;
    pool.setMaxThreadCount(Workers);
    int ended = 0;
    QEventLoop loop;
    QTimer arrivalTimer;
    arrivalTimer.setTimerType(Qt::PreciseTimer);
    arrivalTimer.setInterval(IntervalMs);
    int sent = 0;
    QObject::connect(&arrivalTimer, &QTimer::timeout, &loop, [&] {
        if (sent == count)
            return arrivalTimer.stop();
        const int index = sent++;
        arrivals.sentAtNs[std::size_t(index)] = steadyNs();
        pool.start([&arrivals, &loop, &ended, count, index] {
            arrivals.startedAfterMs[std::size_t(index)] =
                double(steadyNs() - arrivals.sentAtNs[std::size_t(index)]) / 1e6;
            QThread::msleep(IntervalMs);
            QMetaObject::invokeMethod(&loop, [&loop, &ended, count] {
                if (++ended == count)
                    loop.quit();
            });
        });
    });
    arrivalTimer.start();
    loop.exec();
    pool.waitForDone();
}

struct Throughput
{
    double seconds = 0;          // from the first publish (or enqueue) until every task succeeded
    double committedSeconds = 0; // through the bus: until the last event's done callback
    int failed = 0;
};

// E events on one topic, 10 subscriptions: published back to back, without waiting for any.
Throughput fanOut(const QString &path, int events)
{
    Throughput result;
    const QString topic = QStringLiteral("bench.fan");
    for (int i = 0; i < FanOut; ++i) {
        if (!addSubscribedJob(path, QStringLiteral("sink-%1").arg(i), QStringLiteral("noop"),
                              QStringLiteral("fan-%1").arg(i), topic))
            return result;
    }
    Runtime runtime(path, servingOptions());
    QString error;
    if (!runtime.open(&error) || !runtime.start(&error)) {
        std::fprintf(stderr, "runtime: %s\n", qPrintable(error));
        return result;
    }
    const int tasks = events * FanOut;
    int succeeded = 0;
    int committed = 0;
    QElapsedTimer timer;
    QEventLoop loop;
    QObject::connect(runtime.engine(), &TaskEngine::taskSucceeded, &loop, [&] {
        if (++succeeded + result.failed * FanOut == tasks)
            loop.quit();
    });
    timer.start();
    for (int i = 0; i < events; ++i) {
        const bool accepted =
            runtime.events()->publish(topic, QJsonObject{{QStringLiteral("i"), i}}, QStringLiteral("bench"), &error,
                                      [&](qint64 eventId, const QString &why) {
                                          if (eventId == 0) {
                                              std::fprintf(stderr, "publish: %s\n", qPrintable(why));
                                              ++result.failed;
                                          }
                                          if (++committed == events)
                                              result.committedSeconds = double(timer.nsecsElapsed()) / 1e9;
                                          if (succeeded + result.failed * FanOut == tasks)
                                              loop.quit();
                                      });
        if (!accepted) {
            std::fprintf(stderr, "publish: %s\n", qPrintable(error));
            return result;
        }
    }
    loop.exec();
    result.seconds = double(timer.nsecsElapsed()) / 1e9;
    return result;
}

// The baseline: the same number of no-op tasks queued with the engine's own enqueue, no bus.
double engineAlone(const QString &path, int tasks)
{
    Runtime::Options options = servingOptions();
    options.engine.capacity = std::max(options.engine.capacity, tasks + 1);
    Runtime runtime(path, options);
    QString error;
    if (!runtime.open(&error) || !runtime.start(&error)) {
        std::fprintf(stderr, "runtime: %s\n", qPrintable(error));
        return 0;
    }
    int succeeded = 0;
    QEventLoop loop;
    QObject::connect(runtime.engine(), &TaskEngine::taskSucceeded, &loop, [&] {
        if (++succeeded == tasks)
            loop.quit();
    });
    TaskSpec spec;
    spec.action = ActionSpec::handler(QStringLiteral("noop"));
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < tasks; ++i) {
        if (!runtime.engine()->enqueue(spec, &error)) {
            std::fprintf(stderr, "enqueue: %s\n", qPrintable(error));
            return 0;
        }
    }
    loop.exec();
    return tasks / (double(timer.nsecsElapsed()) / 1e9);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    const int pings = quick ? 100 : 2000;
    int events = quick ? 200 : 5000;
    if (const qsizetype at = args.indexOf(QStringLiteral("--events")); at > 0 && at + 1 < args.size())
        events = std::max(1, args.at(at + 1).toInt());
    QTemporaryDir dir;
    const char *roughly = quick ? " (quick run: figures are rough)" : "";

    std::printf("Machine: %d cores; the store is durable (WAL, synchronous=FULL, as serve runs it), %d workers\n",
                QThread::idealThreadCount(), Workers);
    std::printf("Taskdeck publish-to-handler latency: %d events every %d ms, handlers of %d ms (half load)%s\n", pings,
                IntervalMs, IntervalMs, roughly);
    {
        Arrivals arrivals(pings);
        runtimeLatencies(dir.filePath(QStringLiteral("ping.db")), Route::Bus, arrivals);
        print("event bus, publish to handler start:", Arrivals::samples(arrivals.startedAfterMs));
        print("  publish to its done callback (committed):", Arrivals::samples(arrivals.committedAfterMs));
    }
    {
        Arrivals arrivals(pings);
        runtimeLatencies(dir.filePath(QStringLiteral("enqueue.db")), Route::Enqueue, arrivals);
        print("engine alone, durable enqueue to handler start:", Arrivals::samples(arrivals.startedAfterMs));
    }
    {
        Arrivals arrivals(pings);
        poolLatencies(arrivals);
        print("bare QThreadPool (no store, the floor):", Arrivals::samples(arrivals.startedAfterMs));
    }

    const int tasks = events * FanOut;
    std::printf("Taskdeck fan-out throughput: %d events on one topic, %d subscriptions (a no-op job each): %d "
                "tasks%s\n",
                events, FanOut, tasks, roughly);
    const Throughput bus = fanOut(dir.filePath(QStringLiteral("fan.db")), events);
    const double alone = engineAlone(dir.filePath(QStringLiteral("alone.db")), tasks);
    if (bus.seconds > 0) {
        std::printf("  event bus, first publish to all succeeded:      %8.0f events/s  %8.0f tasks/s  (%.2f of the "
                    "engine alone)\n",
                    events / bus.seconds, tasks / bus.seconds, alone > 0 ? tasks / bus.seconds / alone : 0.0);
        std::printf("    of it, first publish to the last one committed: %8.0f events/s  (%.2f s)%s\n",
                    bus.committedSeconds > 0 ? events / bus.committedSeconds : 0.0, bus.committedSeconds,
                    bus.failed > 0 ? "; some were not published (see above)" : "");
    }
    std::printf("  engine alone, TaskEngine::enqueue to all succeeded:                 %8.0f tasks/s\n", alone);
    return 0;
}

// The engine on a real SQLite file, real worker threads and real processes; time that matters
// (retry backoff) comes from a ManualClock.

#include "actions/actionspec.h"
#include "actions/builtinhandlers.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "queue/taskstore.h"
#include "store/storewriter.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <atomic>
#include <memory>

using namespace Taskdeck::Core;

namespace {

TaskSpec handlerSpec(const QString &name, const QJsonObject &payload = {})
{
    TaskSpec spec;
    spec.action = ActionSpec::handler(name);
    spec.payload = payload;
    return spec;
}

TaskSpec shellSpec(const QString &command)
{
    TaskSpec spec;
    spec.action = ActionSpec::shell(command);
    return spec;
}

TaskEngine::Options options(const std::function<void(TaskEngine::Options &)> &set)
{
    TaskEngine::Options result;
    set(result);
    return result;
}

} // namespace

class TestTaskEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void handlerTaskRunsAndSucceeds();
    void failedTaskRetriesAfterItsBackoffThenIsDeadLettered();
    void noRetryExitCodeGoesStraightToDead();
    void unknownHandlerIsDeadLetteredWithoutRetry();
    void higherPriorityRunsFirstThenOlder();
    void aPriorityRaisedFromAnotherProcessReordersTheQueue();
    void outputLinesStreamWhileAProcessRuns();
    void queueLimitRunsOneAtATime();
    void timeoutKillsAProcessThatIgnoresSigterm();
    void cancellingARunningProcessStopsIt();
    void cancellingAWaitingTaskWritesCancelled();
    void tasksFoundRunningAreRecoveredAndRepeatOffendersGoDead();
    void shutdownQueuesRunningTasksAgain();
    void progressIsThrottled();
    void tasksQueuedByAnotherProcessArePickedUp();
    void aTaskReusingADeletedIdIsPickedUp();
    void httpTaskRunsOnAWorkerAndRecordsTheResponse();
    void autoWorkersGrowWhileABacklogWaitsAndShrinkAfter();

private:
    std::unique_ptr<TaskEngine> makeEngine(TaskEngine::Options options = {});
    Task stored(qint64 id);
    qint64 enqueueDirect(const TaskSpec &spec);
    void sql(const QString &statement);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::unique_ptr<StoreWriter> m_writer;
    HandlerRegistry m_handlers;
    ManualClock m_clock{QDateTime(QDate(2026, 12, 3), QTime(12, 0), QTimeZone::utc())};
};

void TestTaskEngine::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("engine.db"));
    m_writer = std::make_unique<StoreWriter>(m_path);
    QVERIFY(m_writer->isOpen());
    registerBuiltinHandlers(m_handlers);
    m_clock.set(QDateTime(QDate(2026, 12, 3), QTime(12, 0), QTimeZone::utc()));
}

void TestTaskEngine::cleanup()
{
    m_writer.reset();
    m_dir.reset();
}

std::unique_ptr<TaskEngine> TestTaskEngine::makeEngine(TaskEngine::Options options)
{
    if (options.workers == 0)
        options.workers = 2;
    options.randomSeed = 7;
    options.processGraceMs = 300;
    return std::make_unique<TaskEngine>(m_writer.get(), &m_handlers, &m_clock, options);
}

Task TestTaskEngine::stored(qint64 id)
{
    // Reads after the writer has committed what it was given so far.
    m_writer->run([](QSqlDatabase &, QVariant *, QString *) { return true; });
    TaskStore store(m_path, &m_clock);
    QString error;
    const auto task = store.find(id, &error);
    return task.value_or(Task());
}

qint64 TestTaskEngine::enqueueDirect(const TaskSpec &spec)
{
    TaskStore store(m_path, &m_clock);
    QString error;
    const auto id = store.enqueue(spec, &error);
    if (!id)
        qFatal("enqueue failed: %s", qPrintable(error));
    return *id;
}

void TestTaskEngine::sql(const QString &statement)
{
    const auto result =
        m_writer->run([statement](QSqlDatabase &db, QVariant *, QString *) { return QSqlQuery(db).exec(statement); });
    QVERIFY(result.ok);
}

void TestTaskEngine::handlerTaskRunsAndSucceeds()
{
    auto engine = makeEngine();
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QSignalSpy started(engine.get(), &TaskEngine::taskStarted);
    QString error;
    QVERIFY2(engine->start(&error), qPrintable(error));
    QVERIFY(engine->enqueue(handlerSpec(QStringLiteral("noop")), &error));
    QVERIFY(succeeded.wait(5000));
    const qint64 id = succeeded.first().first().toLongLong();
    QCOMPARE(started.first().at(1).toInt(), 1);
    const Task task = stored(id);
    QCOMPARE(task.state, TaskState::Succeeded);
    QCOMPARE(task.attempts, 1);
    QCOMPARE(task.progress, 100);
    QVERIFY(task.finishedAt.isValid());
    QTRY_VERIFY(engine->isIdle());
}

void TestTaskEngine::failedTaskRetriesAfterItsBackoffThenIsDeadLettered()
{
    TaskSpec spec = handlerSpec(QStringLiteral("fail"), {{QStringLiteral("error"), QStringLiteral("disk on fire")}});
    spec.retry.maxAttempts = 3;
    spec.retry.baseDelayMs = 1000;
    spec.retry.jitter = false;
    const qint64 id = enqueueDirect(spec);
    auto engine = makeEngine();
    QSignalSpy retries(engine.get(), &TaskEngine::taskRetryScheduled);
    QSignalSpy started(engine.get(), &TaskEngine::taskStarted);
    QSignalSpy dead(engine.get(), &TaskEngine::taskDeadLettered);
    QString error;
    QVERIFY(engine->start(&error));

    QVERIFY(retries.wait(5000));
    QCOMPARE(retries.last().at(1).toDateTime(), m_clock.now().addMSecs(1000));
    QCOMPARE(stored(id).state, TaskState::RetryWait);
    QCOMPARE(stored(id).lastError, QStringLiteral("disk on fire"));
    // Not a millisecond early.
    m_clock.advance(999);
    engine->wake();
    QCoreApplication::processEvents();
    QCOMPARE(started.size(), 1);
    m_clock.advance(1);
    engine->wake();
    QTRY_COMPARE(started.size(), 2);
    QTRY_COMPARE(retries.size(), 2);
    QCOMPARE(retries.last().at(1).toDateTime(), m_clock.now().addMSecs(2000)); // doubled
    m_clock.advance(2000);
    engine->wake();
    QVERIFY(dead.wait(5000));
    QCOMPARE(dead.first().at(1).toString(), QStringLiteral("disk on fire"));
    const Task task = stored(id);
    QCOMPARE(task.state, TaskState::Dead);
    QCOMPARE(task.attempts, 3);
}

void TestTaskEngine::noRetryExitCodeGoesStraightToDead()
{
    TaskSpec spec = shellSpec(QStringLiteral("echo bad input >&2; exit 64"));
    spec.retry.noRetryExitCodes = {64};
    const qint64 id = enqueueDirect(spec);
    auto engine = makeEngine();
    QSignalSpy dead(engine.get(), &TaskEngine::taskDeadLettered);
    QString error;
    QVERIFY(engine->start(&error));
    QVERIFY(dead.wait(10000));
    QCOMPARE(dead.first().at(1).toString(),
             QStringLiteral("exited with code 64: bad input (exit code 64 is not retried)"));
    QCOMPARE(stored(id).attempts, 1);
}

void TestTaskEngine::unknownHandlerIsDeadLetteredWithoutRetry()
{
    const qint64 id = enqueueDirect(handlerSpec(QStringLiteral("reports.nonexistent")));
    auto engine = makeEngine();
    QSignalSpy dead(engine.get(), &TaskEngine::taskDeadLettered);
    QString error;
    QVERIFY(engine->start(&error));
    QVERIFY(dead.wait(5000));
    QCOMPARE(dead.first().at(1).toString(), QStringLiteral("no handler named reports.nonexistent"));
    QCOMPARE(stored(id).attempts, 1);
    QCOMPARE(stored(id).state, TaskState::Dead);
}

void TestTaskEngine::higherPriorityRunsFirstThenOlder()
{
    TaskSpec low = handlerSpec(QStringLiteral("noop"));
    TaskSpec high = low;
    high.priority = 5;
    const qint64 first = enqueueDirect(low);
    const qint64 second = enqueueDirect(low);
    const qint64 urgent = enqueueDirect(high);
    auto engine = makeEngine(options([](TaskEngine::Options &o) { o.workers = 1; }));
    QSignalSpy started(engine.get(), &TaskEngine::taskStarted);
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    QTRY_COMPARE(succeeded.size(), 3);
    QCOMPARE(started.at(0).first().toLongLong(), urgent);
    QCOMPARE(started.at(1).first().toLongLong(), first);
    QCOMPARE(started.at(2).first().toLongLong(), second);
}

void TestTaskEngine::aPriorityRaisedFromAnotherProcessReordersTheQueue()
{
    // One worker, held by a blocker; two tasks wait behind it, the later one raised.
    std::atomic<bool> release{false};
    m_handlers.add(QStringLiteral("block"), [&](TaskContext &context) {
        while (!release.load() && !context.isCancelled())
            QThread::msleep(1);
        return QString();
    });
    auto engine = makeEngine(options([](TaskEngine::Options &o) {
        o.workers = 1;
        o.pollIntervalMs = 20;
    }));
    QSignalSpy started(engine.get(), &TaskEngine::taskStarted);
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    const qint64 blocker = enqueueDirect(handlerSpec(QStringLiteral("block")));
    const qint64 first = enqueueDirect(handlerSpec(QStringLiteral("noop")));
    const qint64 second = enqueueDirect(handlerSpec(QStringLiteral("noop")));
    QVERIFY(engine->start(&error));
    QTRY_COMPARE(started.size(), 1);
    QCOMPARE(started.at(0).first().toLongLong(), blocker);

    TaskStore store(m_path, &m_clock); // as the GUI or taskdeckctl would
    QVERIFY2(store.setPriority(second, 10, &error), qPrintable(error));
    QCOMPARE(stored(second).spec.priority, 10);
    QVERIFY(!store.setPriority(second, 5000, &error));
    QCOMPARE(error, QStringLiteral("priority: 5000 is out of range -1000 to 1000"));
    QVERIFY(!store.setPriority(blocker + 100, 1, &error));
    QVERIFY2(error.contains(QStringLiteral("no task")), qPrintable(error));
    const auto actions = store.operatorActions(second, &error);
    QVERIFY(actions && actions->size() == 1);
    QCOMPARE(actions->first().action, QStringLiteral("priority"));
    QCOMPARE(actions->first().detail.toObject().value(QStringLiteral("previous_priority")).toInt(), 0);
    engine->checkRequests(); // the engine hears of it (the change file's knock, in a Runtime)

    release = true;
    QTRY_COMPARE(succeeded.size(), 3);
    QCOMPARE(started.at(1).first().toLongLong(), second);
    QCOMPARE(started.at(2).first().toLongLong(), first);
}

void TestTaskEngine::outputLinesStreamWhileAProcessRuns()
{
    auto engine = makeEngine();
    QSignalSpy output(engine.get(), &TaskEngine::taskOutput);
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    const qint64 id = enqueueDirect(shellSpec(QStringLiteral("echo one; echo two >&2; echo three")));
    QVERIFY(succeeded.wait(10000));
    QStringList lines;
    for (const QList<QVariant> &batch : std::as_const(output)) {
        QCOMPARE(batch.at(0).toLongLong(), id);
        lines.append(batch.at(1).toStringList());
    }
    // stdout and stderr interleave as they come; every line arrives once.
    lines.sort();
    QCOMPARE(lines, (QStringList{QStringLiteral("one"), QStringLiteral("three"), QStringLiteral("two")}));
}

void TestTaskEngine::queueLimitRunsOneAtATime()
{
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    m_handlers.add(QStringLiteral("measure"), [&](TaskContext &) {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        QThread::msleep(20); // the work being measured
        --running;
        return QString();
    });
    TaskSpec report = handlerSpec(QStringLiteral("measure"));
    report.queue = QStringLiteral("reports");
    for (int i = 0; i < 4; ++i)
        enqueueDirect(report);
    TaskSpec other = handlerSpec(QStringLiteral("noop"));
    const qint64 otherId = enqueueDirect(other);
    auto engine = makeEngine(options([](TaskEngine::Options &o) {
        o.workers = 4;
        o.queueLimits = {{QStringLiteral("reports"), 1}};
    }));
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    QTRY_COMPARE(succeeded.size(), 5);
    QCOMPARE(most.load(), 1);
    // The other queue was not held up behind the limited one.
    QVERIFY(succeeded.indexOf(QVariantList{otherId}) < 2);
}

void TestTaskEngine::timeoutKillsAProcessThatIgnoresSigterm()
{
    TaskSpec spec = shellSpec(QStringLiteral("trap '' TERM; while :; do sleep 0.05; done"));
    spec.timeoutMs = 200;
    spec.retry.maxAttempts = 1;
    const qint64 id = enqueueDirect(spec);
    auto engine = makeEngine();
    QSignalSpy dead(engine.get(), &TaskEngine::taskDeadLettered);
    QString error;
    QVERIFY(engine->start(&error));
    QVERIFY(dead.wait(10000));
    QCOMPARE(dead.first().at(1).toString(), QStringLiteral("timed out after 0.2 s"));
    QCOMPARE(stored(id).state, TaskState::Dead);
}

void TestTaskEngine::cancellingARunningProcessStopsIt()
{
    const qint64 id = enqueueDirect(shellSpec(QStringLiteral("exec sleep 30")));
    auto engine = makeEngine();
    QSignalSpy started(engine.get(), &TaskEngine::taskStarted);
    QSignalSpy cancelled(engine.get(), &TaskEngine::taskCancelled);
    QString error;
    QVERIFY(engine->start(&error));
    QTRY_COMPARE(started.size(), 1); // start() may already have started it
    QVERIFY(engine->cancel(id));
    QVERIFY(cancelled.wait(5000));
    QCOMPARE(stored(id).state, TaskState::Cancelled);
    QVERIFY(!engine->cancel(id));
}

void TestTaskEngine::cancellingAWaitingTaskWritesCancelled()
{
    TaskSpec later = handlerSpec(QStringLiteral("noop"));
    later.notBefore = m_clock.now().addSecs(3600);
    const qint64 id = enqueueDirect(later);
    auto engine = makeEngine();
    QSignalSpy cancelled(engine.get(), &TaskEngine::taskCancelled);
    QString error;
    QVERIFY(engine->start(&error));
    QCOMPARE(engine->waitingCount(), 1);
    QVERIFY(engine->cancel(id));
    QCOMPARE(cancelled.size(), 1);
    QCOMPARE(engine->waitingCount(), 0);
    QCOMPARE(stored(id).state, TaskState::Cancelled);
}

void TestTaskEngine::tasksFoundRunningAreRecoveredAndRepeatOffendersGoDead()
{
    const qint64 once = enqueueDirect(handlerSpec(QStringLiteral("noop")));
    const qint64 often = enqueueDirect(handlerSpec(QStringLiteral("noop")));
    // As a crash leaves them: running, with an attempt that never ended.
    sql(QStringLiteral("UPDATE tasks SET state = 'running', attempts = 1"));
    sql(QStringLiteral("UPDATE tasks SET interruptions = 2 WHERE id = %1").arg(often));
    sql(QStringLiteral("INSERT INTO attempts (task_id, number, started_at) SELECT id, 1, 0 FROM tasks"));
    auto engine = makeEngine();
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    QVERIFY(succeeded.wait(5000));
    QCOMPARE(succeeded.first().first().toLongLong(), once);
    QCOMPARE(stored(once).attempts, 2);
    const Task dead = stored(often);
    QCOMPARE(dead.state, TaskState::Dead);
    QCOMPARE(dead.lastError, QStringLiteral("interrupted repeatedly (3 times): it may be what stops the engine"));
    const auto outcome = m_writer->run([once](QSqlDatabase &db, QVariant *value, QString *) {
        QSqlQuery query(db);
        query.exec(QStringLiteral("SELECT outcome FROM attempts WHERE task_id = %1 AND number = 1").arg(once));
        *value = query.next() ? query.value(0) : QVariant();
        return true;
    });
    QCOMPARE(outcome.value.toString(), QStringLiteral("interrupted"));
}

void TestTaskEngine::shutdownQueuesRunningTasksAgain()
{
    const qint64 id = enqueueDirect(handlerSpec(QStringLiteral("sleep"), {{QStringLiteral("ms"), 30000}}));
    auto engine = makeEngine(options([](TaskEngine::Options &o) { o.shutdownGraceMs = 50; }));
    QSignalSpy started(engine.get(), &TaskEngine::taskStarted);
    QSignalSpy stopped(engine.get(), &TaskEngine::stopped);
    QString error;
    QVERIFY(engine->start(&error));
    QTRY_COMPARE(started.size(), 1);
    engine->shutdown();
    QVERIFY(stopped.wait(5000));
    const Task task = stored(id);
    QCOMPARE(task.state, TaskState::Queued);
    QCOMPARE(task.lastError, QStringLiteral("stopped at shutdown"));
}

void TestTaskEngine::progressIsThrottled()
{
    m_handlers.add(QStringLiteral("chatty"), [](TaskContext &context) {
        for (int i = 0; i <= 100; ++i) {
            for (int repeat = 0; repeat < 50; ++repeat)
                context.progress(i, QStringLiteral("step %1").arg(i));
        }
        return QString();
    });
    enqueueDirect(handlerSpec(QStringLiteral("chatty")));
    auto engine = makeEngine();
    QSignalSpy progress(engine.get(), &TaskEngine::taskProgressed);
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    QVERIFY(succeeded.wait(5000));
    // 5,050 reports in a few milliseconds (the clock stands still): the first and the final 100%.
    QVERIFY2(progress.size() <= 3, qPrintable(QString::number(progress.size())));
    QCOMPARE(progress.last().at(1).toInt(), 100);
}

void TestTaskEngine::tasksQueuedByAnotherProcessArePickedUp()
{
    auto engine = makeEngine(options([](TaskEngine::Options &o) { o.pollIntervalMs = 20; }));
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    const qint64 id = enqueueDirect(handlerSpec(QStringLiteral("noop"))); // as taskdeckctl would
    QVERIFY(succeeded.wait(5000));
    QCOMPARE(succeeded.first().first().toLongLong(), id);
}

void TestTaskEngine::aTaskReusingADeletedIdIsPickedUp()
{
    // SQLite gives a deleted newest row's id to the next insert: the engine must not take it
    // for one it has already seen.
    auto engine = makeEngine(options([](TaskEngine::Options &o) { o.pollIntervalMs = 20; }));
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QSignalSpy dead(engine.get(), &TaskEngine::taskDeadLettered);
    QString error;
    QVERIFY(engine->start(&error));
    const qint64 first = enqueueDirect(handlerSpec(QStringLiteral("no-such-handler")));
    QVERIFY(dead.wait(5000));
    QCOMPARE(stored(first).state, TaskState::Dead); // committed, for the other connection to see
    TaskStore store(m_path, &m_clock);
    QVERIFY2(store.deleteDead({first}, &error), qPrintable(error));
    const qint64 second = enqueueDirect(handlerSpec(QStringLiteral("noop")));
    QCOMPARE(second, first);
    QVERIFY(succeeded.wait(5000));
    QCOMPARE(succeeded.first().first().toLongLong(), second);
    QCOMPARE(stored(second).state, TaskState::Succeeded);
}

void TestTaskEngine::httpTaskRunsOnAWorkerAndRecordsTheResponse()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&server] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket] {
            if (socket->readAll().contains("\r\n\r\n")) {
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                socket->disconnectFromHost();
            }
        });
    });
    TaskSpec spec;
    spec.action = ActionSpec::http(QStringLiteral("http://127.0.0.1:%1/ping").arg(server.serverPort()));
    const qint64 id = enqueueDirect(spec);
    auto engine = makeEngine();
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    QVERIFY(succeeded.wait(10000));
    QCOMPARE(stored(id).state, TaskState::Succeeded);
}

void TestTaskEngine::autoWorkersGrowWhileABacklogWaitsAndShrinkAfter()
{
    std::atomic<bool> release{false};
    m_handlers.add(QStringLiteral("hold"), [&release](TaskContext &context) {
        while (!release.load() && !context.isCancelled())
            QThread::msleep(1); // the slow work being held
        return QString();
    });
    for (int i = 0; i < 6; ++i)
        enqueueDirect(handlerSpec(QStringLiteral("hold")));
    auto engine = makeEngine(options([](TaskEngine::Options &o) {
        o.workers = 1;
        o.maxWorkers = 3;
    }));
    QSignalSpy resized(engine.get(), &TaskEngine::workerCountChanged);
    QSignalSpy succeeded(engine.get(), &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY(engine->start(&error));
    QCOMPARE(engine->runningCount(), 1);
    engine->wake(); // the backlog is seen; it has not waited long enough yet
    QCOMPARE(engine->workerCount(), 1);
    for (int expected : {2, 3, 3}) {
        m_clock.advance(500);
        engine->wake();
        QCOMPARE(engine->workerCount(), expected);
        QCOMPARE(engine->runningCount(), expected);
    }
    release = true;
    QTRY_COMPARE(succeeded.size(), 6);
    m_clock.advance(29000);
    engine->wake();
    QCOMPARE(engine->workerCount(), 3); // not yet: shrinking waits 30 s
    m_clock.advance(1000);
    engine->wake();
    QCOMPARE(engine->workerCount(), 2);
    m_clock.advance(30000);
    engine->wake();
    QCOMPARE(engine->workerCount(), 1);
    m_clock.advance(30000);
    engine->wake();
    QCOMPARE(engine->workerCount(), 1); // never below the base
    QCOMPARE(resized.size(), 4);
}

QTEST_GUILESS_MAIN(TestTaskEngine)
#include "tst_taskengine.moc"

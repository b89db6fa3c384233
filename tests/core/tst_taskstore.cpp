#include "actions/actionspec.h"
#include "actions/builtinhandlers.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "queue/taskstore.h"
#include "store/storewriter.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace Taskdeck::Core;

namespace {

TaskSpec echoSpec()
{
    TaskSpec spec;
    spec.action = ActionSpec::exec(QStringLiteral("echo"), {QStringLiteral("hello")});
    return spec;
}

} // namespace

class TestTaskStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void enqueuedTaskReadsBackWithEveryField();
    void listIsNewestFirstAndFiltersByState();
    void fullQueueRefusesAndWritesNothing();
    void uniqueKeyIsRefusedWhileTheFirstWaits();
    void invalidSpecsWriteNothing_data();
    void invalidSpecsWriteNothing();
    void aMissingFileReadsAsEmptyAndIsNotCreated();
    void aDeadTaskIsRetriedWithAnEditedPayloadAndTheOldOneIsKept();

private:
    QString freshPath() { return m_dir.filePath(QStringLiteral("db-%1.sqlite").arg(++m_serial)); }
    QTemporaryDir m_dir;
    int m_serial = 0;
    ManualClock m_clock{QDateTime(QDate(2026, 12, 3), QTime(10, 0), QTimeZone::utc())};
};

void TestTaskStore::enqueuedTaskReadsBackWithEveryField()
{
    TaskStore store(freshPath(), &m_clock);
    TaskSpec spec = echoSpec();
    spec.payload = QJsonObject{{QStringLiteral("file"), QStringLiteral("/tmp/x")}};
    spec.job = QStringLiteral("nightly");
    spec.queue = QStringLiteral("reports");
    spec.priority = 7;
    spec.retry.maxAttempts = 3;
    spec.retry.baseDelayMs = 250;
    spec.retry.noRetryExitCodes = {64};
    spec.timeoutMs = 1500;
    spec.notBefore = QDateTime(QDate(2026, 12, 4), QTime(1, 0), QTimeZone::utc());
    spec.uniqueKey = QStringLiteral("nightly-2026-12-04");
    QString error;
    const auto id = store.enqueue(spec, &error);
    QVERIFY2(id, qPrintable(error));
    const auto task = store.find(*id, &error);
    QVERIFY2(task, qPrintable(error));
    QCOMPARE(task->id, *id);
    QCOMPARE(task->state, TaskState::Queued);
    QCOMPARE(task->attempts, 0);
    QCOMPARE(task->spec.action, spec.action);
    QCOMPARE(task->spec.payload, spec.payload);
    QCOMPARE(task->spec.job, spec.job);
    QCOMPARE(task->spec.queue, spec.queue);
    QCOMPARE(task->spec.priority, 7);
    QCOMPARE(task->spec.retry, spec.retry);
    QCOMPARE(task->spec.timeoutMs, 1500);
    QCOMPARE(task->runAt, spec.notBefore);
    QCOMPARE(task->spec.uniqueKey, spec.uniqueKey);
    QCOMPARE(task->createdAt, m_clock.now());
    const QJsonObject json = task->toJson();
    QCOMPARE(json.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
    QCOMPARE(json.value(QStringLiteral("created_at")).toString(), QStringLiteral("2026-12-03T10:00:00+00:00"));
    QVERIFY(json.value(QStringLiteral("finished_at")).isNull());
}

void TestTaskStore::listIsNewestFirstAndFiltersByState()
{
    TaskStore store(freshPath(), &m_clock);
    QString error;
    QList<qint64> ids;
    for (int i = 0; i < 3; ++i)
        ids.append(store.enqueue(echoSpec(), &error).value_or(-1));
    const auto all = store.list(std::nullopt, 0, &error);
    QVERIFY2(all, qPrintable(error));
    QCOMPARE(all->size(), 3);
    QCOMPARE(all->first().id, ids.last());
    QCOMPARE(store.list(TaskState::Queued, 2, &error)->size(), 2);
    QCOMPARE(store.list(TaskState::Dead, 0, &error)->size(), 0);
}

void TestTaskStore::fullQueueRefusesAndWritesNothing()
{
    TaskStore store(freshPath(), &m_clock);
    QString error;
    QVERIFY(store.enqueue(echoSpec(), &error, 2));
    QVERIFY(store.enqueue(echoSpec(), &error, 2));
    QVERIFY(!store.enqueue(echoSpec(), &error, 2));
    QCOMPARE(error, QStringLiteral("queue is full (2 tasks waiting)"));
    QCOMPARE(store.list(std::nullopt, 0, &error)->size(), 2);
}

void TestTaskStore::uniqueKeyIsRefusedWhileTheFirstWaits()
{
    TaskStore store(freshPath(), &m_clock);
    TaskSpec spec = echoSpec();
    spec.uniqueKey = QStringLiteral("sync");
    QString error;
    const auto first = store.enqueue(spec, &error);
    QVERIFY(first);
    QVERIFY(!store.enqueue(spec, &error));
    QCOMPARE(error, QStringLiteral("unique key 'sync' is taken by task %1, which is queued").arg(*first));
    spec.uniqueKey = QStringLiteral("other");
    QVERIFY(store.enqueue(spec, &error));
}

void TestTaskStore::invalidSpecsWriteNothing_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("error");
    QTest::newRow("queue") << QStringLiteral("queue")
                           << QStringLiteral("queue: 'bad queue' is not a queue name (letters, digits, '_', '.', '-'; "
                                             "up to 64)");
    QTest::newRow("priority") << QStringLiteral("priority")
                              << QStringLiteral("priority: 5000 is out of range -1000 to 1000");
    QTest::newRow("attempts") << QStringLiteral("attempts") << QStringLiteral("max attempts: 0 is out of range 1-1000");
    QTest::newRow("program") << QStringLiteral("program")
                             << QStringLiteral("exec: no program 'no-such-program-anywhere' in PATH");
    QTest::newRow("url") << QStringLiteral("url")
                         << QStringLiteral("http: 'ftp://example.org/x' is not an http or https URL with a host");
    QTest::newRow("type") << QStringLiteral("type")
                          << QStringLiteral("action: unknown type 'teleport' (exec, shell, http, handler, "
                                            "publish, pipeline, iterate, cleanup, purge-history, vacuum or report)");
}

void TestTaskStore::invalidSpecsWriteNothing()
{
    QFETCH(QString, field);
    QFETCH(QString, error);
    const QString path = freshPath();
    TaskStore store(path, &m_clock);
    TaskSpec spec = echoSpec();
    if (field == QLatin1String("queue"))
        spec.queue = QStringLiteral("bad queue");
    else if (field == QLatin1String("priority"))
        spec.priority = 5000;
    else if (field == QLatin1String("attempts"))
        spec.retry.maxAttempts = 0;
    else if (field == QLatin1String("program"))
        spec.action = ActionSpec::exec(QStringLiteral("no-such-program-anywhere"), {});
    else if (field == QLatin1String("url"))
        spec.action = ActionSpec::http(QStringLiteral("ftp://example.org/x"));
    else if (field == QLatin1String("type"))
        spec.action = QJsonObject{{QStringLiteral("type"), QStringLiteral("teleport")}};
    QString why;
    QVERIFY(!store.enqueue(spec, &why));
    QCOMPARE(why, error);
    QVERIFY(!QFileInfo::exists(path)); // refused before the file is even created
}

void TestTaskStore::aMissingFileReadsAsEmptyAndIsNotCreated()
{
    const QString path = freshPath();
    TaskStore store(path, &m_clock);
    QString error;
    const auto tasks = store.list(std::nullopt, 0, &error);
    QVERIFY(tasks);
    QVERIFY(tasks->isEmpty());
    QVERIFY(!store.find(1, &error));
    QCOMPARE(error, QStringLiteral("no task 1"));
    QVERIFY(!QFileInfo::exists(path));
}

void TestTaskStore::aDeadTaskIsRetriedWithAnEditedPayloadAndTheOldOneIsKept()
{
    const QString path = freshPath();
    TaskStore store(path, &m_clock);
    QString error;
    TaskSpec spec;
    spec.action = ActionSpec::handler(QStringLiteral("fail"));
    spec.payload = QJsonObject{{QStringLiteral("error"), QStringLiteral("bad input")}};
    spec.retry.maxAttempts = 1;
    const auto id = store.enqueue(spec, &error);
    QVERIFY2(id, qPrintable(error));
    // Only dead tasks can be retried; nothing changes otherwise.
    QVERIFY(!store.retryDeadWithPayload(*id, QJsonObject{}, &error));
    QCOMPARE(error, QStringLiteral("task %1 is queued, not dead").arg(*id));
    QVERIFY(!store.retryDeadWithPayload(*id + 1, QJsonObject{}, &error));
    QCOMPARE(error, QStringLiteral("no task %1").arg(*id + 1));
    QCOMPARE(store.find(*id, &error)->spec.payload, QJsonValue(spec.payload));

    // Let an engine run it to its death.
    {
        StoreWriter writer(path);
        HandlerRegistry handlers;
        registerBuiltinHandlers(handlers);
        TaskEngine engine(&writer, &handlers, &m_clock, {});
        QSignalSpy dead(&engine, &TaskEngine::taskDeadLettered);
        QVERIFY2(engine.start(&error), qPrintable(error));
        QVERIFY(dead.wait(5000));
    }
    QCOMPARE(store.find(*id, &error)->state, TaskState::Dead);

    m_clock.advance(60000);
    const QJsonObject edited{{QStringLiteral("error"), QString()}, {QStringLiteral("fixed"), true}};
    QVERIFY2(store.retryDeadWithPayload(*id, edited, &error), qPrintable(error));
    const auto task = store.find(*id, &error);
    QVERIFY(task);
    QCOMPARE(task->state, TaskState::Queued);
    QCOMPARE(task->attempts, 0);
    QCOMPARE(task->spec.payload, QJsonValue(edited));
    QVERIFY(!task->startedAt.isValid());
    QVERIFY(task->lastError.isEmpty());
    QCOMPARE(task->runAt, m_clock.now());
    QCOMPARE(store.attempts(*id, &error)->size(), 1); // the failed attempt stays in the history

    const auto actions = store.operatorActions(*id, &error);
    QVERIFY2(actions, qPrintable(error));
    QCOMPARE(actions->size(), 1);
    QCOMPARE(actions->first().action, QStringLiteral("edit-payload-retry"));
    QCOMPARE(actions->first().user, TaskStore::localUser());
    QCOMPARE(actions->first().at, m_clock.now());
    QCOMPARE(actions->first().detail.toObject().value(QStringLiteral("previous_payload")), QJsonValue(spec.payload));
}

QTEST_GUILESS_MAIN(TestTaskStore)
#include "tst_taskstore.moc"

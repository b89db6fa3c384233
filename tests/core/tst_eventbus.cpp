// Events through the real runtime: a SQLite file, the engine's workers, the bus and its batch
// timer; time that matters (a batch's max_wait) comes from a ManualClock.

#include "actions/actionspec.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "events/eventbus.h"
#include "events/eventstore.h"
#include "events/topic.h"
#include "queue/taskstore.h"
#include "runtime.h"
#include "scheduler/jobstore.h"

#include <QJsonArray>
#include <QMutex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <memory>

using namespace Taskdeck::Core;

class TestEventBus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void topicsAndPatternsAreChecked_data();
    void topicsAndPatternsAreChecked();
    void wildcardsMatchWholeWords_data();
    void wildcardsMatchWholeWords();
    void anEventFansOutToEveryMatchingSubscription();
    void aFilterLetsOnlyMatchingEventsThrough();
    void aBatchIsDeliveredWhenFull();
    void aBatchIsDeliveredWhenItsFirstEventWaitedLongEnough();
    void aBatchWaitingAcrossARestartIsStillDelivered();
    void aPausedSubscriptionHoldsEventsAndDeliversThemWhenResumed();
    void aSubscriptionHoldingEventsIsNotRemovedUnlessTold();
    void lifecycleEventsAreStoredOnlyWhenSubscribedAndNeverLoop();
    void inProcessSubscribersHearEveryEvent();
    void aJobWithSubscriptionsIsNotRemoved();

private:
    bool startRuntime();
    void addJob(const QString &id, const QString &handler = QStringLiteral("record"));
    void addSubscription(const Subscription &subscription);
    Subscription subscription(const QString &name, const QString &pattern, const QString &job);
    QList<QJsonValue> recorded(const QString &job);
    // Waits until the engine has nothing queued, running or waiting.
    bool waitUntilIdle();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    ManualClock m_clock{QDateTime(QDate(2026, 12, 4), QTime(12, 0), QTimeZone::utc())};
    std::unique_ptr<Runtime> m_runtime;
    QMutex m_mutex;
    QList<QPair<QString, QJsonValue>> m_payloads; // job -> payload, as the handler saw them
};

void TestEventBus::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("events.db"));
    m_clock.set(QDateTime(QDate(2026, 12, 4), QTime(12, 0), QTimeZone::utc()));
    m_payloads.clear();
}

void TestEventBus::cleanup()
{
    m_runtime.reset();
    m_dir.reset();
}

bool TestEventBus::startRuntime()
{
    m_runtime.reset();
    Runtime::Options options;
    options.engine.workers = 2;
    options.engine.randomSeed = 3;
    options.watchFolders = false;
    m_runtime = std::make_unique<Runtime>(m_path, options, &m_clock);
    QString error;
    if (!m_runtime->open(&error)) {
        qWarning("open: %s", qPrintable(error));
        return false;
    }
    m_runtime->handlers()->add(QStringLiteral("record"), [this](TaskContext &context) {
        QMutexLocker locker(&m_mutex);
        m_payloads.append({context.job(), context.payload()});
        return QString();
    });
    if (!m_runtime->start(&error)) {
        qWarning("start: %s", qPrintable(error));
        return false;
    }
    return true;
}

void TestEventBus::addJob(const QString &id, const QString &handler)
{
    Job job;
    job.id = id;
    job.task.action = ActionSpec::handler(handler);
    job.task.retry.maxAttempts = 1;
    QString error;
    QVERIFY2(JobStore(m_path, &m_clock).add(job, &error), qPrintable(error));
}

Subscription TestEventBus::subscription(const QString &name, const QString &pattern, const QString &job)
{
    Subscription s;
    s.name = name;
    s.pattern = pattern;
    s.jobId = job;
    return s;
}

void TestEventBus::addSubscription(const Subscription &subscription)
{
    QString error;
    QVERIFY2(EventStore(m_path, &m_clock).addSubscription(subscription, &error), qPrintable(error));
}

QList<QJsonValue> TestEventBus::recorded(const QString &job)
{
    QMutexLocker locker(&m_mutex);
    QList<QJsonValue> list;
    for (const auto &[name, payload] : std::as_const(m_payloads)) {
        if (name == job)
            list.append(payload);
    }
    return list;
}

bool TestEventBus::waitUntilIdle()
{
    TaskEngine *engine = m_runtime->engine();
    for (int i = 0; i < 500; ++i) {
        if (engine->isIdle())
            return true;
        QSignalSpy idle(engine, &TaskEngine::idle);
        idle.wait(20);
    }
    return engine->isIdle();
}

void TestEventBus::topicsAndPatternsAreChecked_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("pattern");
    QTest::addColumn<QString>("problem");
    QTest::newRow("good topic") << QStringLiteral("dataset.uploaded") << false << QString();
    QTest::newRow("space") << QStringLiteral("a b") << false
                           << QStringLiteral("topic 'a b': ' ' at column 2 is not allowed (letters, digits, '_', '-' "
                                             "and dots)");
    QTest::newRow("empty word") << QStringLiteral("a..b") << false
                                << QStringLiteral("topic 'a..b': an empty word at column 3 (two dots, or a dot at an "
                                                  "end)");
    QTest::newRow("wildcard in a topic") << QStringLiteral("task.*") << false
                                         << QStringLiteral("topic 'task.*': '*' at column 6 is not allowed (letters, "
                                                           "digits, '_', '-' and dots)");
    QTest::newRow("good pattern") << QStringLiteral("dataset.#") << true << QString();
    QTest::newRow("partial wildcard") << QStringLiteral("task.fail*") << true
                                      << QStringLiteral("topic pattern 'task.fail*': 'fail*' at column 6: '*' and '#' "
                                                        "stand for whole words only");
    QTest::newRow("empty") << QString() << false << QStringLiteral("topic: empty");
}

void TestEventBus::topicsAndPatternsAreChecked()
{
    QFETCH(QString, text);
    QFETCH(bool, pattern);
    QFETCH(QString, problem);
    QCOMPARE(pattern ? Topic::patternProblem(text) : Topic::problem(text), problem);
}

void TestEventBus::wildcardsMatchWholeWords_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("matches");
    QTest::newRow("exact") << QStringLiteral("a.b") << QStringLiteral("a.b") << true;
    QTest::newRow("exact, other") << QStringLiteral("a.b") << QStringLiteral("a.c") << false;
    QTest::newRow("star one word") << QStringLiteral("task.*") << QStringLiteral("task.failed") << true;
    QTest::newRow("star not zero words") << QStringLiteral("task.*") << QStringLiteral("task") << false;
    QTest::newRow("star not two words") << QStringLiteral("task.*") << QStringLiteral("task.a.b") << false;
    QTest::newRow("hash zero words") << QStringLiteral("dataset.#") << QStringLiteral("dataset") << true;
    QTest::newRow("hash many words") << QStringLiteral("dataset.#") << QStringLiteral("dataset.a.b.c") << true;
    QTest::newRow("hash in the middle") << QStringLiteral("a.#.z") << QStringLiteral("a.b.c.z") << true;
    QTest::newRow("hash in the middle, none") << QStringLiteral("a.#.z") << QStringLiteral("a.z") << true;
    QTest::newRow("hash in the middle, wrong end") << QStringLiteral("a.#.z") << QStringLiteral("a.b.y") << false;
    QTest::newRow("hash alone") << QStringLiteral("#") << QStringLiteral("x.y") << true;
    QTest::newRow("star then hash") << QStringLiteral("*.#") << QStringLiteral("x") << true;
    QTest::newRow("lifecycle needs its first word")
        << QStringLiteral("task.*") << QStringLiteral("task.failed") << true;
    QTest::newRow("many hashes are not slow")
        << QStringLiteral("#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.x")
        << QStringLiteral("a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.y") << false;
}

void TestEventBus::wildcardsMatchWholeWords()
{
    QFETCH(QString, pattern);
    QFETCH(QString, topic);
    QFETCH(bool, matches);
    QVERIFY(Topic::isValidPattern(pattern));
    QCOMPARE(Topic::matches(pattern, topic), matches);
    // Core's own topics are heard only by patterns that name their first word.
    QCOMPARE(Topic::subscriptionMatches(QStringLiteral("#"), QStringLiteral("task.failed")), false);
    QCOMPARE(Topic::subscriptionMatches(QStringLiteral("*.failed"), QStringLiteral("task.failed")), false);
    QCOMPARE(Topic::subscriptionMatches(QStringLiteral("task.#"), QStringLiteral("task.failed")), true);
    QCOMPARE(Topic::subscriptionMatches(QStringLiteral("#"), QStringLiteral("dataset.x")), true);
}

void TestEventBus::anEventFansOutToEveryMatchingSubscription()
{
    addJob(QStringLiteral("exact"));
    addJob(QStringLiteral("star"));
    addJob(QStringLiteral("hash"));
    addJob(QStringLiteral("other"));
    addSubscription(
        subscription(QStringLiteral("s-exact"), QStringLiteral("dataset.uploaded"), QStringLiteral("exact")));
    addSubscription(subscription(QStringLiteral("s-star"), QStringLiteral("dataset.*"), QStringLiteral("star")));
    addSubscription(subscription(QStringLiteral("s-hash"), QStringLiteral("#"), QStringLiteral("hash")));
    addSubscription(subscription(QStringLiteral("s-other"), QStringLiteral("user.*"), QStringLiteral("other")));
    QVERIFY(startRuntime());

    QSignalSpy done(m_runtime->events(), &EventBus::published);
    QString error;
    qint64 eventId = 0;
    QVERIFY(m_runtime->events()->publish(QStringLiteral("dataset.uploaded"), QJsonObject{{QStringLiteral("id"), 7}},
                                         QStringLiteral("test"), &error,
                                         [&eventId](qint64 id, const QString &) { eventId = id; }));
    QTRY_VERIFY(eventId > 0);
    QTRY_COMPARE(recorded(QStringLiteral("exact")).size(), 1);
    QTRY_COMPARE(recorded(QStringLiteral("star")).size(), 1);
    QTRY_COMPARE(recorded(QStringLiteral("hash")).size(), 1);
    QVERIFY(waitUntilIdle());
    QVERIFY(recorded(QStringLiteral("other")).isEmpty());
    // "#" hears every event but core's own (task.*, ...): those want a pattern that names them.
    QCOMPARE(recorded(QStringLiteral("hash")).size(), 1);
    // The task's payload is the event.
    const QJsonObject payload = recorded(QStringLiteral("star")).first().toObject();
    QCOMPARE(payload.value(QStringLiteral("id")).toInteger(), eventId);
    QCOMPARE(payload.value(QStringLiteral("topic")).toString(), QStringLiteral("dataset.uploaded"));
    QCOMPARE(payload.value(QStringLiteral("data")).toObject().value(QStringLiteral("id")).toInt(), 7);
    QCOMPARE(payload.value(QStringLiteral("source")).toString(), QStringLiteral("test"));
    // And the store says which task carried it to whom.
    const auto record = EventStore(m_path, &m_clock).find(eventId, &error);
    QVERIFY2(record, qPrintable(error));
    QCOMPARE(record->deliveries.size(), 3);
    for (const EventRecord::Delivery &delivery : record->deliveries)
        QVERIFY(delivery.taskId > 0);
    // Each delivery counts as a fire of its job.
    const auto fires = JobStore(m_path, &m_clock).fires(QStringLiteral("hash"), 0, &error);
    QVERIFY(fires && fires->size() == 1);
    QCOMPARE(fires->first().kind, QStringLiteral("event"));
}

void TestEventBus::aFilterLetsOnlyMatchingEventsThrough()
{
    addJob(QStringLiteral("csv"));
    Subscription only = subscription(QStringLiteral("only-csv"), QStringLiteral("file.created"), QStringLiteral("csv"));
    only.filterField = QStringLiteral("file.format");
    only.filterValue = QStringLiteral("csv");
    addSubscription(only);
    Subscription big = subscription(QStringLiteral("big"), QStringLiteral("file.created"), QStringLiteral("csv"));
    big.filterField = QStringLiteral("size");
    big.filterValue = QStringLiteral("10"); // text matches the number 10
    addSubscription(big);

    EventStore store(m_path, &m_clock);
    QString error;
    const auto first = store.publish(
        QStringLiteral("file.created"),
        QJsonObject{{QStringLiteral("file"), QJsonObject{{QStringLiteral("format"), QStringLiteral("csv")}}},
                    {QStringLiteral("size"), 3}},
        QStringLiteral("test"), &error);
    QVERIFY2(first, qPrintable(error));
    QCOMPARE(first->deliveredTo, QStringList{QStringLiteral("only-csv")});
    const auto second = store.publish(
        QStringLiteral("file.created"),
        QJsonObject{{QStringLiteral("file"), QJsonObject{{QStringLiteral("format"), QStringLiteral("tsv")}}},
                    {QStringLiteral("size"), 10}},
        QStringLiteral("test"), &error);
    QVERIFY2(second, qPrintable(error));
    QCOMPARE(second->deliveredTo, QStringList{QStringLiteral("big")});
    const auto third = store.publish(QStringLiteral("file.created"), QJsonObject{}, QStringLiteral("test"), &error);
    QVERIFY2(third, qPrintable(error));
    QVERIFY(third->deliveredTo.isEmpty());
}

void TestEventBus::aBatchIsDeliveredWhenFull()
{
    addJob(QStringLiteral("bulk"));
    Subscription batch = subscription(QStringLiteral("bulk"), QStringLiteral("metric.*"), QStringLiteral("bulk"));
    batch.batchMaxItems = 3;
    batch.batchMaxWaitMs = 3600 * 1000;
    addSubscription(batch);
    QVERIFY(startRuntime());
    QString error;
    for (int i = 0; i < 7; ++i)
        QVERIFY(m_runtime->events()->publish(QStringLiteral("metric.cpu"), i, QStringLiteral("test"), &error));
    QTRY_COMPARE(recorded(QStringLiteral("bulk")).size(), 2);
    QVERIFY(waitUntilIdle());
    QCOMPARE(recorded(QStringLiteral("bulk")).size(), 2); // the seventh waits for company or time
    for (const QJsonValue &payload : recorded(QStringLiteral("bulk"))) {
        QVERIFY(payload.isArray());
        QCOMPARE(payload.toArray().size(), 3);
    }
    // In order within a batch: one holds events 0, 1, 2, the other 3, 4, 5 (the two workers may run
    // them in either order).
    QList<QList<int>> batches;
    for (const QJsonValue &payload : recorded(QStringLiteral("bulk"))) {
        QList<int> values;
        for (const QJsonValue &event : payload.toArray())
            values.append(event.toObject().value(QStringLiteral("data")).toInt());
        batches.append(values);
    }
    std::sort(batches.begin(), batches.end());
    QCOMPARE(batches, (QList<QList<int>>{{0, 1, 2}, {3, 4, 5}}));
    const auto stored = EventStore(m_path, &m_clock).findSubscription(QStringLiteral("bulk"), &error);
    QVERIFY(stored);
    QCOMPARE(stored->waiting, 1);
}

void TestEventBus::aBatchIsDeliveredWhenItsFirstEventWaitedLongEnough()
{
    addJob(QStringLiteral("bulk"));
    Subscription batch = subscription(QStringLiteral("bulk"), QStringLiteral("metric.*"), QStringLiteral("bulk"));
    batch.batchMaxItems = 100;
    batch.batchMaxWaitMs = 5000;
    addSubscription(batch);
    QVERIFY(startRuntime());
    QString error;
    QVERIFY(m_runtime->events()->publish(QStringLiteral("metric.cpu"), 1, QStringLiteral("test"), &error));
    m_clock.advance(1000);
    QVERIFY(m_runtime->events()->publish(QStringLiteral("metric.cpu"), 2, QStringLiteral("test"), &error));
    QTRY_VERIFY(m_runtime->events()->nextBatchDue().isValid());
    QCOMPARE(m_runtime->events()->nextBatchDue(), m_clock.now().addMSecs(4000));
    m_clock.advance(3999);
    m_runtime->events()->wake();
    QVERIFY(waitUntilIdle());
    QVERIFY(recorded(QStringLiteral("bulk")).isEmpty());
    m_clock.advance(1);
    m_runtime->events()->wake();
    QTRY_COMPARE(recorded(QStringLiteral("bulk")).size(), 1);
    QCOMPARE(recorded(QStringLiteral("bulk")).first().toArray().size(), 2);
    QTRY_VERIFY(!m_runtime->events()->nextBatchDue().isValid());
}

void TestEventBus::aBatchWaitingAcrossARestartIsStillDelivered()
{
    addJob(QStringLiteral("bulk"));
    Subscription batch = subscription(QStringLiteral("bulk"), QStringLiteral("metric.*"), QStringLiteral("bulk"));
    batch.batchMaxItems = 100;
    batch.batchMaxWaitMs = 60000;
    addSubscription(batch);
    // Published while nothing runs (another process), then time passes with nothing running.
    QString error;
    QVERIFY(EventStore(m_path, &m_clock).publish(QStringLiteral("metric.disk"), 42, QStringLiteral("cli"), &error));
    m_clock.advance(120000);
    QVERIFY(startRuntime());
    QTRY_COMPARE(recorded(QStringLiteral("bulk")).size(), 1);
    QCOMPARE(
        recorded(QStringLiteral("bulk")).first().toArray().first().toObject().value(QStringLiteral("data")).toInt(),
        42);
}

void TestEventBus::aPausedSubscriptionHoldsEventsAndDeliversThemWhenResumed()
{
    addJob(QStringLiteral("later"));
    Subscription held = subscription(QStringLiteral("later"), QStringLiteral("order.#"), QStringLiteral("later"));
    held.paused = true;
    addSubscription(held);
    EventStore store(m_path, &m_clock);
    QString error;
    for (int i = 0; i < 3; ++i) {
        const auto published = store.publish(QStringLiteral("order.placed"), i, QStringLiteral("test"), &error);
        QVERIFY2(published, qPrintable(error));
        QCOMPARE(published->heldBy, QStringList{QStringLiteral("later")});
        QVERIFY(published->taskIds.isEmpty());
    }
    QCOMPARE(store.findSubscription(QStringLiteral("later"), &error)->waiting, 3);
    QVERIFY(startRuntime());
    QVERIFY(waitUntilIdle());
    QVERIFY(recorded(QStringLiteral("later")).isEmpty());

    QVERIFY2(store.setSubscriptionPaused(QStringLiteral("later"), false, &error), qPrintable(error));
    m_runtime->engine()->checkRequests(); // what the change file's knock does in serve
    QTRY_COMPARE(recorded(QStringLiteral("later")).size(), 3);
    // One task each (two workers run them in either order).
    QList<int> values;
    for (const QJsonValue &payload : recorded(QStringLiteral("later")))
        values.append(payload.toObject().value(QStringLiteral("data")).toInt());
    std::sort(values.begin(), values.end());
    QCOMPARE(values, (QList<int>{0, 1, 2}));
    QCOMPARE(store.findSubscription(QStringLiteral("later"), &error)->waiting, 0);
}

void TestEventBus::aSubscriptionHoldingEventsIsNotRemovedUnlessTold()
{
    addJob(QStringLiteral("later"));
    Subscription held = subscription(QStringLiteral("later"), QStringLiteral("order.#"), QStringLiteral("later"));
    held.paused = true;
    addSubscription(held);
    EventStore store(m_path, &m_clock);
    QString error;
    QVERIFY(store.publish(QStringLiteral("order.placed"), 1, QStringLiteral("test"), &error));
    QVERIFY(!store.removeSubscription(QStringLiteral("later"), false, &error));
    QCOMPARE(error, QStringLiteral("subscription 'later' holds 1 event(s) not delivered yet; resume it to deliver "
                                   "them, or remove it with --drop-waiting"));
    QVERIFY2(store.removeSubscription(QStringLiteral("later"), true, &error), qPrintable(error));
    QVERIFY(store.subscriptions(&error)->isEmpty());
    // The event itself stays in the log.
    QCOMPARE(store.list(QString(), 0, &error)->size(), 1);
}

void TestEventBus::lifecycleEventsAreStoredOnlyWhenSubscribedAndNeverLoop()
{
    addJob(QStringLiteral("flaky"), QStringLiteral("fail"));
    addJob(QStringLiteral("on-failure"), QStringLiteral("fail")); // fails too: its own failure must not loop
    QVERIFY(startRuntime());
    QString error;
    // No subscription: nothing stored.
    QVERIFY(JobStore(m_path, &m_clock).runNow(QStringLiteral("flaky"), &error));
    m_runtime->engine()->checkRequests();
    QVERIFY(waitUntilIdle());
    QVERIFY(EventStore(m_path, &m_clock).list(QString(), 0, &error)->isEmpty());

    addSubscription(
        subscription(QStringLiteral("failures"), QStringLiteral("task.dead_lettered"), QStringLiteral("on-failure")));
    m_runtime->events()->checkChanges();
    const auto task = JobStore(m_path, &m_clock).runNow(QStringLiteral("flaky"), &error);
    QVERIFY(task);
    m_runtime->engine()->checkRequests();
    // flaky dies -> task.dead_lettered -> on-failure runs and dies -> its task.dead_lettered is
    // stored, delivered to nobody.
    QTRY_COMPARE(EventStore(m_path, &m_clock).list(QStringLiteral("task.dead_lettered"), 0, &error)->size(), 2);
    QVERIFY(waitUntilIdle());
    const auto events = EventStore(m_path, &m_clock).list(QStringLiteral("task.dead_lettered"), 0, &error);
    QCOMPARE(events->size(), 2);
    const EventRecord &first = events->last(); // oldest
    QCOMPARE(first.event.data.toObject().value(QStringLiteral("task")).toInteger(), *task);
    QCOMPARE(first.event.data.toObject().value(QStringLiteral("job")).toString(), QStringLiteral("flaky"));
    QCOMPARE(first.deliveries.size(), 1);
    QVERIFY(events->first().deliveries.isEmpty());
    const auto dead = TaskStore(m_path, &m_clock).list(TaskState::Dead, 0, &error);
    QCOMPARE(dead->size(), 3); // two runs of flaky, one of on-failure: no loop
}

void TestEventBus::inProcessSubscribersHearEveryEvent()
{
    addJob(QStringLiteral("quick"), QStringLiteral("noop"));
    QVERIFY(startRuntime());
    EventBus *bus = m_runtime->events();
    QList<Event> heard;
    connect(bus, &EventBus::published, this, [&heard](const Event &event) { heard.append(event); });
    QMutex mutex;
    QStringList handled;
    bus->addHandler(QStringLiteral("task.succeeded"), [&](const Event &event) {
        QMutexLocker locker(&mutex);
        handled.append(event.topic);
    });
    QString error;
    QVERIFY(bus->publish(QStringLiteral("hello.world"), QStringLiteral("hi"), QStringLiteral("test"), &error));
    QTRY_VERIFY(std::any_of(heard.cbegin(), heard.cend(),
                            [](const Event &e) { return e.topic == QLatin1String("hello.world"); }));
    // Lifecycle events reach in-process listeners even though no subscription stores them.
    QVERIFY(JobStore(m_path, &m_clock).runNow(QStringLiteral("quick"), &error));
    m_runtime->engine()->checkRequests();
    QTRY_VERIFY(std::any_of(heard.cbegin(), heard.cend(),
                            [](const Event &e) { return e.topic == QLatin1String("task.succeeded") && e.id == 0; }));
    QTRY_COMPARE(([&] {
                     QMutexLocker locker(&mutex);
                     return handled.size();
                 }()),
                 1);
    // An event another process published is heard when the change file knocks.
    QVERIFY(EventStore(m_path, &m_clock).publish(QStringLiteral("from.outside"), 1, QStringLiteral("cli"), &error));
    bus->checkChanges();
    QTRY_VERIFY(std::any_of(heard.cbegin(), heard.cend(),
                            [](const Event &e) { return e.topic == QLatin1String("from.outside"); }));
    // ... once.
    bus->checkChanges();
    QCOMPARE(std::count_if(heard.cbegin(), heard.cend(),
                           [](const Event &e) { return e.topic == QLatin1String("hello.world"); }),
             1);
}

void TestEventBus::aJobWithSubscriptionsIsNotRemoved()
{
    addJob(QStringLiteral("target"));
    addSubscription(subscription(QStringLiteral("feeds-target"), QStringLiteral("a.b"), QStringLiteral("target")));
    QString error;
    QVERIFY(!JobStore(m_path, &m_clock).remove(QStringLiteral("target"), &error));
    QCOMPARE(error, QStringLiteral("job 'target' receives the events of subscription feeds-target; remove it "
                                   "first (taskdeckctl sub remove)"));
    QVERIFY(EventStore(m_path, &m_clock).removeSubscription(QStringLiteral("feeds-target"), false, &error));
    QVERIFY2(JobStore(m_path, &m_clock).remove(QStringLiteral("target"), &error), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestEventBus)
#include "tst_eventbus.moc"

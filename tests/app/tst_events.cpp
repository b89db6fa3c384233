// `taskdeckctl events ...` and `sub ...` as a script would use them: the real binary on a real
// database file, with `serve` running what the subscriptions queued, and killed with SIGKILL between
// a publish and its delivery. No event may be lost, and bad input stores nothing.

#include "ctlrun.h"
#include "queue/taskstore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Taskdeck::Core;

class TestEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void anEventRunsTheJobOfEverySubscriptionThatMatches();
    void aFullBatchRunsAsOneTaskCarryingItsEvents();
    void aPausedSubscriptionHoldsEventsUntilResumed();
    void killNineBetweenPublishAndDeliveryLosesNoEvent();
    void aBatchThatFellDueWhileNothingRanRunsBeforeServeUntilIdleExits();
    void lifecycleEventsOfTasksQueuedBeforeServeAreDelivered();
    void badInputExitsTwoAndStoresNothing_data();
    void badInputExitsTwoAndStoresNothing();
    void aLifecycleTopicPublishedByHandReachesOnlyPatternsNamingIt();
    void whatEventsStillNeedCannotBeRemoved();

private:
    CtlRun ctl(const QString &db, const QStringList &arguments)
    {
        return runProgram(m_program, QStringList{u"--db"_s, db} + arguments);
    }
    QJsonValue json(const QString &db, const QStringList &arguments)
    {
        const QJsonDocument document = QJsonDocument::fromJson(ctl(db, arguments).out.toUtf8());
        return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    }
    QJsonArray events(const QString &db)
    {
        return json(db, {u"events"_s, u"list"_s, u"--limit"_s, u"0"_s, u"--json"_s}).toArray();
    }
    QJsonArray subscriptions(const QString &db) { return json(db, {u"sub"_s, u"list"_s, u"--json"_s}).toArray(); }
    QJsonObject subscription(const QString &db, const QString &name)
    {
        return json(db, {u"sub"_s, u"show"_s, name, u"--json"_s}).toObject();
    }
    QJsonArray tasks(const QString &db) { return json(db, {u"task"_s, u"list"_s, u"--json"_s}).toArray(); }
    QJsonObject task(const QString &db, qint64 id)
    {
        return json(db, {u"task"_s, u"show"_s, QString::number(id), u"--json"_s}).toObject();
    }
    int countInState(const QString &db, TaskState state)
    {
        TaskStore store(db);
        QString error;
        const auto list = store.list(state, 0, &error);
        return list ? int(list->size()) : -1;
    }
    QString dbPath(const QString &name) { return m_dir.filePath(name + u".db"_s); }
    // Every line of a file the jobs append their payloads to, parsed.
    QList<QJsonValue> payloadsIn(const QString &path)
    {
        QList<QJsonValue> payloads;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return payloads;
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (!line.isEmpty())
                payloads.append(
                    QJsonDocument::fromJson(u"[%1]"_s.arg(QString::fromUtf8(line)).toUtf8()).array().first());
        }
        return payloads;
    }
    // A shell job that appends the payload it is given, one line each, to `path`.
    QStringList recordingJob(const QString &id, const QString &path, const QString &before = {})
    {
        return {u"job"_s, u"add"_s,     u"--id"_s,
                id,       u"--shell"_s, before + uR"(printf '%s\n' "$TASKDECK_PAYLOAD" >> )"_s + path};
    }

    QString m_program;
    QTemporaryDir m_dir;
};

void TestEvents::initTestCase()
{
    m_program = QProcessEnvironment::systemEnvironment().value(u"TASKDECKCTL"_s);
    QVERIFY2(!m_program.isEmpty(), "TASKDECKCTL must name the taskdeckctl binary (set by ctest)");
    QVERIFY(m_dir.isValid());
    // The temporary path goes into shell commands unquoted.
    QVERIFY2(!m_dir.path().contains(u' ') && !m_dir.path().contains(u'\''), qPrintable(m_dir.path()));
}

void TestEvents::anEventRunsTheJobOfEverySubscriptionThatMatches()
{
    const QString db = dbPath(u"round-trip"_s);
    const QString audit = m_dir.filePath(u"audit.jsonl"_s);
    QCOMPARE(ctl(db, recordingJob(u"audit"_s, audit)).exitCode, 0);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"notify"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"eu-desk"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);

    CtlRun r = ctl(db, {u"sub"_s, u"add"_s, u"new-orders"_s, u"--topic"_s, u"orders.*"_s, u"--job"_s, u"notify"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, u"new-orders added\n"_s);
    r = ctl(db, {u"sub"_s, u"add"_s, u"every-order"_s, u"--topic"_s, u"orders.#"_s, u"--job"_s, u"audit"_s});
    QCOMPARE(r.err, QString());
    r = ctl(db, {u"sub"_s, u"add"_s, u"eu-orders"_s, u"--topic"_s, u"orders.#"_s, u"--job"_s, u"eu-desk"_s,
                 u"--filter"_s, u"region=eu"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);

    const QJsonArray subs = subscriptions(db);
    QCOMPARE(subs.size(), 3); // by name
    QCOMPARE(subs.at(0).toObject().value(u"name"_s).toString(), u"eu-orders"_s);
    QCOMPARE(subs.at(0).toObject().value(u"filter"_s).toObject(),
             (QJsonObject{{u"field"_s, u"region"_s}, {u"value"_s, u"eu"_s}}));
    QCOMPARE(subs.at(1).toObject().value(u"topic"_s).toString(), u"orders.#"_s);
    QCOMPARE(subs.at(1).toObject().value(u"job"_s).toString(), u"audit"_s);
    QCOMPARE(subs.at(2).toObject().value(u"topic"_s).toString(), u"orders.*"_s);
    for (const QJsonValue &sub : subs) {
        QCOMPARE(sub.toObject().value(u"paused"_s).toBool(true), false);
        QCOMPARE(sub.toObject().value(u"waiting"_s).toInt(-1), 0);
    }

    // Each publish prints the event's id and which subscriptions got a task (in name order).
    const auto publish = [&](const QString &topic, const QString &data) {
        return ctl(db, {u"events"_s, u"publish"_s, topic, u"--data"_s, data});
    };
    r = publish(u"orders.created"_s, uR"({"order": 1, "region": "us"})"_s);
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, u"1: queued tasks 1, 2 for every-order, new-orders\n"_s);
    r = publish(u"orders.created"_s, uR"({"order": 2, "region": "eu"})"_s);
    QCOMPARE(r.out, u"2: queued tasks 3, 4, 5 for eu-orders, every-order, new-orders\n"_s);
    // '*' is exactly one word, '#' any number, none included.
    r = publish(u"orders.eu.shipped"_s, uR"({"order": 2, "region": "eu"})"_s);
    QCOMPARE(r.out, u"3: queued tasks 6, 7 for eu-orders, every-order\n"_s);
    r = publish(u"orders"_s, uR"({"order": 3})"_s);
    QCOMPARE(r.out, u"4: queued task 8 for every-order\n"_s);
    r = publish(u"invoices.created"_s, uR"({"invoice": 9, "region": "eu"})"_s);
    QCOMPARE(r.out, u"5: no subscriber\n"_s);

    QJsonArray listed = events(db);
    QCOMPARE(listed.size(), 5);
    const QJsonObject newest = listed.first().toObject();
    QCOMPARE(newest.value(u"id"_s).toInteger(), 5);
    QCOMPARE(newest.value(u"topic"_s).toString(), u"invoices.created"_s);
    QCOMPARE(newest.value(u"source"_s).toString(), u"cli"_s);
    QCOMPARE(newest.value(u"data"_s).toObject().value(u"invoice"_s).toInt(), 9);
    QVERIFY(newest.value(u"deliveries"_s).toArray().isEmpty());
    const QJsonArray firstDeliveries = listed.last().toObject().value(u"deliveries"_s).toArray();
    QCOMPARE(firstDeliveries.size(), 2);
    QCOMPARE(firstDeliveries.at(0).toObject().value(u"task_state"_s).toString(), u"queued"_s);

    const CtlRun served = ctl(db, {u"serve"_s, u"--until-idle"_s, u"--quiet"_s});
    QCOMPARE(served.err, QString());
    QCOMPARE(served.exitCode, 0);

    // Every delivery's task ran, and the filtered subscription got only the events from the EU.
    QHash<QString, QList<qint64>> eventsOf; // subscription -> event ids
    listed = events(db);
    for (const QJsonValue &value : listed) {
        const QJsonObject event = value.toObject();
        for (const QJsonValue &delivery : event.value(u"deliveries"_s).toArray()) {
            const QJsonObject d = delivery.toObject();
            QVERIFY(d.value(u"task"_s).toInteger() > 0);
            QCOMPARE(d.value(u"task_state"_s).toString(), u"succeeded"_s);
            eventsOf[d.value(u"subscription"_s).toString()].prepend(event.value(u"id"_s).toInteger());
        }
    }
    QCOMPARE(eventsOf.value(u"new-orders"_s), (QList<qint64>{1, 2}));
    QCOMPARE(eventsOf.value(u"every-order"_s), (QList<qint64>{1, 2, 3, 4}));
    QCOMPARE(eventsOf.value(u"eu-orders"_s), (QList<qint64>{2, 3}));

    const QJsonArray all = tasks(db);
    QCOMPARE(all.size(), 8);
    QHash<QString, int> tasksOfJob;
    for (const QJsonValue &value : all) {
        QCOMPARE(value.toObject().value(u"state"_s).toString(), u"succeeded"_s);
        ++tasksOfJob[value.toObject().value(u"job"_s).toString()];
    }
    QCOMPARE(tasksOfJob.value(u"audit"_s), 4);
    QCOMPARE(tasksOfJob.value(u"notify"_s), 2);
    QCOMPARE(tasksOfJob.value(u"eu-desk"_s), 2);

    // The action got the event as its payload: id, topic, data and source.
    QSet<qint64> audited;
    for (const QJsonValue &payload : payloadsIn(audit)) {
        const QJsonObject event = payload.toObject();
        audited.insert(event.value(u"id"_s).toInteger());
        QVERIFY2(event.value(u"topic"_s).toString().startsWith(u"orders"_s),
                 qPrintable(event.value(u"topic"_s).toString()));
        QCOMPARE(event.value(u"source"_s).toString(), u"cli"_s);
        QVERIFY(event.value(u"data"_s).toObject().contains(u"order"_s));
        QVERIFY(!event.value(u"published_at"_s).toString().isEmpty());
    }
    QCOMPARE(audited, (QSet<qint64>{1, 2, 3, 4}));

    // Each delivery is a fire of its job, of kind event.
    const QJsonArray fires = json(db, {u"job"_s, u"history"_s, u"eu-desk"_s, u"--json"_s}).toArray();
    QCOMPARE(fires.size(), 2);
    for (const QJsonValue &fire : fires) {
        QCOMPARE(fire.toObject().value(u"kind"_s).toString(), u"event"_s);
        QCOMPARE(fire.toObject().value(u"task_state"_s).toString(), u"succeeded"_s);
    }
    for (const QJsonValue &sub : subscriptions(db))
        QCOMPARE(sub.toObject().value(u"delivered"_s).toInt(),
                 int(eventsOf.value(sub.toObject().value(u"name"_s).toString()).size()));
}

void TestEvents::aFullBatchRunsAsOneTaskCarryingItsEvents()
{
    const QString db = dbPath(u"batch"_s);
    const QString received = m_dir.filePath(u"batch.jsonl"_s);
    QCOMPARE(ctl(db, recordingJob(u"collect"_s, received)).exitCode, 0);
    CtlRun r = ctl(db, {u"sub"_s, u"add"_s, u"readings"_s, u"--topic"_s, u"sensor.#"_s, u"--job"_s, u"collect"_s,
                        u"--batch-max"_s, u"3"_s, u"--batch-wait"_s, u"60000"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(subscription(db, u"readings"_s).value(u"batch"_s).toObject(),
             (QJsonObject{{u"max_items"_s, 3}, {u"max_wait_ms"_s, 60000}}));

    const QStringList expected{u"1: held by readings\n"_s, u"2: held by readings\n"_s,
                               u"3: queued task 1 for readings\n"_s, u"4: held by readings\n"_s};
    for (int i = 0; i < 4; ++i) {
        r = ctl(db,
                {u"events"_s, u"publish"_s, u"sensor.temperature"_s, u"--data"_s, u"{\"celsius\": %1}"_s.arg(20 + i)});
        QCOMPARE(r.err, QString());
        QCOMPARE(r.out, expected.at(i)); // the third fills the batch: one task; the fourth starts the next
    }
    QCOMPARE(tasks(db).size(), 1);

    QCOMPARE(ctl(db, {u"serve"_s, u"--until-idle"_s, u"--quiet"_s}).exitCode, 0);
    const QJsonObject shown = task(db, 1);
    QCOMPARE(shown.value(u"state"_s).toString(), u"succeeded"_s);
    QCOMPARE(shown.value(u"job"_s).toString(), u"collect"_s);
    const QJsonArray batch = shown.value(u"payload"_s).toArray();
    QCOMPARE(batch.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject event = batch.at(i).toObject();
        QCOMPARE(event.value(u"id"_s).toInteger(), i + 1);
        QCOMPARE(event.value(u"topic"_s).toString(), u"sensor.temperature"_s);
        QCOMPARE(event.value(u"data"_s).toObject().value(u"celsius"_s).toInt(), 20 + i);
    }
    // The action itself was handed the array, once.
    const QList<QJsonValue> runs = payloadsIn(received);
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.first().toArray(), batch);

    const QJsonObject readings = subscription(db, u"readings"_s);
    QCOMPARE(readings.value(u"delivered"_s).toInt(), 3);
    QCOMPARE(readings.value(u"waiting"_s).toInt(), 1);
    QVERIFY(!readings.value(u"oldest_waiting_since"_s).toString().isEmpty());
    const QJsonArray listed = events(db);
    QCOMPARE(listed.first().toObject().value(u"deliveries"_s).toArray().first().toObject().value(u"task"_s),
             QJsonValue()); // the fourth waits in the next batch
    for (qsizetype i = 1; i < listed.size(); ++i)
        QCOMPARE(listed.at(i).toObject().value(u"deliveries"_s).toArray().first().toObject().value(u"task"_s),
                 QJsonValue(1));
}

void TestEvents::aPausedSubscriptionHoldsEventsUntilResumed()
{
    const QString db = dbPath(u"pause"_s);
    const QString received = m_dir.filePath(u"paused.jsonl"_s);
    QCOMPARE(ctl(db, recordingJob(u"ship"_s, received)).exitCode, 0);
    QCOMPARE(
        ctl(db, {u"sub"_s, u"add"_s, u"shipping"_s, u"--topic"_s, u"orders.paid"_s, u"--job"_s, u"ship"_s}).exitCode,
        0);
    CtlRun r = ctl(db, {u"sub"_s, u"pause"_s, u"shipping"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, u"shipping paused\n"_s);

    for (int i = 1; i <= 3; ++i) {
        r = ctl(db, {u"events"_s, u"publish"_s, u"orders.paid"_s, u"--data"_s, u"{\"order\": %1}"_s.arg(i)});
        QCOMPARE(r.out, u"%1: held by shipping\n"_s.arg(i));
    }
    QJsonObject shipping = subscription(db, u"shipping"_s);
    QCOMPARE(shipping.value(u"paused"_s).toBool(), true);
    QCOMPARE(shipping.value(u"waiting"_s).toInt(), 3);
    QCOMPARE(shipping.value(u"delivered"_s).toInt(), 0);

    // Held means held: an engine running meanwhile gets nothing to run.
    QCOMPARE(ctl(db, {u"serve"_s, u"--until-idle"_s, u"--quiet"_s}).exitCode, 0);
    QVERIFY(tasks(db).isEmpty());
    QCOMPARE(subscription(db, u"shipping"_s).value(u"waiting"_s).toInt(), 3);
    QVERIFY(!QFile::exists(received));

    r = ctl(db, {u"sub"_s, u"resume"_s, u"shipping"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, u"shipping resumed\n"_s);
    shipping = subscription(db, u"shipping"_s);
    QCOMPARE(shipping.value(u"paused"_s).toBool(), false);
    QCOMPARE(shipping.value(u"waiting"_s).toInt(), 0);
    QCOMPARE(shipping.value(u"delivered"_s).toInt(), 3);
    // Not a batch: a task for each event it held, in the order they came.
    QCOMPARE(countInState(db, TaskState::Queued), 3);
    for (qint64 id = 1; id <= 3; ++id)
        QCOMPARE(task(db, id).value(u"payload"_s).toObject().value(u"id"_s).toInteger(), id);
    // And from now on each event is delivered at once.
    QCOMPARE(ctl(db, {u"events"_s, u"publish"_s, u"orders.paid"_s, u"--data"_s, uR"({"order": 4})"_s}).out,
             u"4: queued task 4 for shipping\n"_s);

    QCOMPARE(ctl(db, {u"serve"_s, u"--until-idle"_s, u"--quiet"_s}).exitCode, 0);
    QCOMPARE(countInState(db, TaskState::Succeeded), 4);
    QSet<int> orders;
    for (const QJsonValue &payload : payloadsIn(received))
        orders.insert(payload.toObject().value(u"data"_s).toObject().value(u"order"_s).toInt());
    QCOMPARE(orders, (QSet<int>{1, 2, 3, 4}));
}

void TestEvents::killNineBetweenPublishAndDeliveryLosesNoEvent()
{
    constexpr int Events = 40;
    const QString db = dbPath(u"kill9"_s);
    const QString received = m_dir.filePath(u"kill9.jsonl"_s);
    // Slow enough that two workers are still busy when the last event is published.
    QCOMPARE(ctl(db, recordingJob(u"fulfil"_s, received, u"sleep 0.3; "_s)).exitCode, 0);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"bill"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
    QCOMPARE(
        ctl(db, {u"sub"_s, u"add"_s, u"each-order"_s, u"--topic"_s, u"orders.#"_s, u"--job"_s, u"fulfil"_s}).exitCode,
        0);
    // A batch that waits long: it is still part-filled when the engine dies.
    QCOMPARE(ctl(db, {u"sub"_s, u"add"_s, u"billing"_s, u"--topic"_s, u"invoices.#"_s, u"--job"_s, u"bill"_s,
                      u"--batch-max"_s, u"5"_s, u"--batch-wait"_s, u"600000"_s})
                 .exitCode,
             0);

    QProcess first;
    first.start(m_program, {u"--db"_s, db, u"serve"_s, u"--workers"_s, u"2"_s, u"--quiet"_s});
    QVERIFY(first.waitForStarted());
    for (int i = 1; i <= 2; ++i)
        QCOMPARE(
            ctl(db, {u"events"_s, u"publish"_s, u"invoices.issued"_s, u"--data"_s, u"{\"invoice\": %1}"_s.arg(i)}).out,
            u"%1: held by billing\n"_s.arg(i));
    QList<qint64> orderEvents;
    for (int i = 1; i <= Events; ++i) {
        const CtlRun r =
            ctl(db, {u"events"_s, u"publish"_s, u"orders.placed"_s, u"--data"_s, u"{\"order\": %1}"_s.arg(i)});
        QCOMPARE(r.err, QString());
        QCOMPARE(r.exitCode, 0);
        orderEvents.append(r.out.section(u':', 0, 0).toLongLong());
    }
    QTRY_VERIFY_WITH_TIMEOUT(countInState(db, TaskState::Succeeded) >= 3, 30000);
    first.kill(); // SIGKILL: no shutdown, no flush
    QVERIFY(first.waitForFinished(10000));
    const int doneBeforeKill = countInState(db, TaskState::Succeeded);
    QVERIFY2(doneBeforeKill < Events, "the engine finished before it could be killed; give it more work");
    QCOMPARE(subscription(db, u"billing"_s).value(u"waiting"_s).toInt(), 2);

    CtlRun r = ctl(db, {u"serve"_s, u"--workers"_s, u"2"_s, u"--quiet"_s, u"--until-idle"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(countInState(db, TaskState::Succeeded), Events);
    QCOMPARE(countInState(db, TaskState::Queued), 0);
    QCOMPARE(countInState(db, TaskState::Running), 0);
    QCOMPARE(countInState(db, TaskState::Dead), 0);

    // One task per event, each succeeded; every event reached the action at least once.
    QSet<qint64> taskIds;
    QSet<qint64> delivered;
    for (const QJsonValue &value : events(db)) {
        const QJsonObject event = value.toObject();
        if (event.value(u"topic"_s).toString() != u"orders.placed"_s)
            continue;
        const QJsonArray deliveries = event.value(u"deliveries"_s).toArray();
        QCOMPARE(deliveries.size(), 1);
        QCOMPARE(deliveries.first().toObject().value(u"task_state"_s).toString(), u"succeeded"_s);
        taskIds.insert(deliveries.first().toObject().value(u"task"_s).toInteger());
        delivered.insert(event.value(u"id"_s).toInteger());
    }
    QCOMPARE(taskIds.size(), Events);
    QCOMPARE(delivered, QSet<qint64>(orderEvents.cbegin(), orderEvents.cend()));
    QSet<qint64> acted;
    for (const QJsonValue &payload : payloadsIn(received))
        acted.insert(payload.toObject().value(u"id"_s).toInteger());
    QCOMPARE(acted, delivered);

    // The part-filled batch survived both engines; the 5th event fills it.
    QJsonObject billing = subscription(db, u"billing"_s);
    QCOMPARE(billing.value(u"waiting"_s).toInt(), 2);
    QCOMPARE(billing.value(u"delivered"_s).toInt(), 0);
    QList<qint64> invoiceEvents{1, 2};
    for (int i = 3; i <= 5; ++i) {
        r = ctl(db, {u"events"_s, u"publish"_s, u"invoices.issued"_s, u"--data"_s, u"{\"invoice\": %1}"_s.arg(i)});
        invoiceEvents.append(r.out.section(u':', 0, 0).toLongLong());
        QVERIFY2(r.out.endsWith(i < 5 ? u": held by billing\n"_s : u": queued task %1 for billing\n"_s.arg(Events + 1)),
                 qPrintable(r.out));
    }
    r = ctl(db, {u"serve"_s, u"--until-idle"_s, u"--quiet"_s});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject bill = task(db, Events + 1);
    QCOMPARE(bill.value(u"job"_s).toString(), u"bill"_s);
    QCOMPARE(bill.value(u"state"_s).toString(), u"succeeded"_s);
    QList<qint64> billed;
    for (const QJsonValue &event : bill.value(u"payload"_s).toArray()) {
        billed.append(event.toObject().value(u"id"_s).toInteger());
        QCOMPARE(event.toObject().value(u"data"_s).toObject().value(u"invoice"_s).toInt(), int(billed.size()));
    }
    QCOMPARE(billed, invoiceEvents);
    billing = subscription(db, u"billing"_s);
    QCOMPARE(billing.value(u"waiting"_s).toInt(), 0);
    QCOMPARE(billing.value(u"delivered"_s).toInt(), 5);
    QCOMPARE(tasks(db).size(), Events + 1);
}

void TestEvents::aBatchThatFellDueWhileNothingRanRunsBeforeServeUntilIdleExits()
{
    const QString db = dbPath(u"due-batch"_s);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"digest"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
    // A wait of 1 ms: the batch is due well before any engine starts.
    QCOMPARE(ctl(db, {u"sub"_s, u"add"_s, u"hourly"_s, u"--topic"_s, u"metrics.#"_s, u"--job"_s, u"digest"_s,
                      u"--batch-max"_s, u"5"_s, u"--batch-wait"_s, u"1"_s})
                 .exitCode,
             0);
    for (int i = 1; i <= 2; ++i)
        QCOMPARE(ctl(db, {u"events"_s, u"publish"_s, u"metrics.cpu"_s, u"--data"_s, QString::number(i)}).out,
                 u"%1: held by hourly\n"_s.arg(i));

    CtlRun r = ctl(db, {u"serve"_s, u"--until-idle"_s, u"--quiet"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    // Delivered when serve starts, as one task of both events, and run before --until-idle
    // exits: idle means no event on its way to the engine either.
    QCOMPARE(subscription(db, u"hourly"_s).value(u"waiting"_s).toInt(), 0);
    QCOMPARE(task(db, 1).value(u"payload"_s).toArray().size(), 2);
    QCOMPARE(task(db, 1).value(u"state"_s).toString(), u"succeeded"_s);
    QCOMPARE(tasks(db).size(), 1);
}

void TestEvents::lifecycleEventsOfTasksQueuedBeforeServeAreDelivered()
{
    const QString db = dbPath(u"lifecycle-start"_s);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"work"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"audit"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
    QCOMPARE(
        ctl(db, {u"sub"_s, u"add"_s, u"started"_s, u"--topic"_s, u"task.started"_s, u"--job"_s, u"audit"_s}).exitCode,
        0);
    QCOMPARE(ctl(db, {u"job"_s, u"run-now"_s, u"work"_s}).exitCode, 0);

    // The task was queued before the engine started; its start is still told to the subscriber,
    // and the audit task that carries it runs before --until-idle exits.
    const CtlRun r = ctl(db, {u"serve"_s, u"--until-idle"_s, u"--quiet"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    const QJsonArray all = tasks(db);
    QCOMPARE(all.size(), 2);
    for (const QJsonValue &value : all)
        QCOMPARE(value.toObject().value(u"state"_s).toString(), u"succeeded"_s);
    QCOMPARE(task(db, 2).value(u"job"_s).toString(), u"audit"_s);
    QCOMPARE(task(db, 2).value(u"payload"_s).toObject().value(u"topic"_s).toString(), u"task.started"_s);
}

void TestEvents::badInputExitsTwoAndStoresNothing_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error"); // {secrets}: the secrets file next to the database

    const auto row = [](const char *name, const QStringList &arguments, const QString &error) {
        QTest::newRow(name) << arguments << u"taskdeckctl: "_s + error + u'\n';
    };
    row("malformed --data", {u"events"_s, u"publish"_s, u"orders.created"_s, u"--data"_s, uR"({"id": 1,)"_s},
        u"--data: malformed JSON at character 10: unterminated object"_s);
    row("trailing text after --data",
        {u"events"_s, u"publish"_s, u"orders.created"_s, u"--data"_s, uR"({"id": 1} x)"_s},
        u"--data: malformed JSON at character 11: missing value separator"_s);
    row("--data and --data-file",
        {u"events"_s, u"publish"_s, u"orders.created"_s, u"--data"_s, u"1"_s, u"--data-file"_s, u"-"_s},
        u"--data and --data-file: give one"_s);
    row("topic with a space", {u"events"_s, u"publish"_s, u"orders created"_s},
        u"topic 'orders created': ' ' at column 7 is not allowed (letters, digits, '_', '-' and dots)"_s);
    row("topic with a wildcard", {u"events"_s, u"publish"_s, u"orders.*"_s},
        u"topic 'orders.*': '*' at column 8 is not allowed (letters, digits, '_', '-' and dots)"_s);
    row("topic with an empty word", {u"events"_s, u"publish"_s, u"orders..created"_s},
        u"topic 'orders..created': an empty word at column 8 (two dots, or a dot at an end)"_s);
    row("empty topic", {u"events"_s, u"publish"_s, QString()}, u"topic: empty"_s);
    row("no topic", {u"events"_s, u"publish"_s}, u"expected one topic"_s);

    const QStringList add{u"sub"_s, u"add"_s, u"new-sub"_s};
    const QStringList topic{u"--topic"_s, u"orders.#"_s};
    const QStringList job{u"--job"_s, u"orders-job"_s};
    row("subscription to a job that does not exist", add + topic + QStringList{u"--job"_s, u"ghost"_s},
        u"--job: no job 'ghost'"_s);
    row("pattern with a partial wildcard", add + QStringList{u"--topic"_s, u"orders.new*"_s} + job,
        u"topic: topic pattern 'orders.new*': 'new*' at column 8: '*' and '#' stand for whole words only"_s);
    row("pattern ending in a dot", add + QStringList{u"--topic"_s, u"orders."_s} + job,
        u"topic: topic pattern 'orders.': an empty word at column 8 (two dots, or a dot at an end)"_s);
    row("--batch-max 0", add + topic + job + QStringList{u"--batch-max"_s, u"0"_s},
        u"--batch-max: '0' is not a whole number from 1 to 100000"_s);
    row("negative --batch-max", add + topic + job + QStringList{u"--batch-max"_s, u"-3"_s},
        u"--batch-max: '-3' is not a whole number from 1 to 100000"_s);
    row("--batch-wait 0", add + topic + job + QStringList{u"--batch-max"_s, u"3"_s, u"--batch-wait"_s, u"0"_s},
        u"--batch-wait: '0' is not a whole number from 1 to 604800000"_s);
    row("--batch-wait alone", add + topic + job + QStringList{u"--batch-wait"_s, u"500"_s},
        u"--batch-wait goes with --batch-max"_s);
    row("filter without a value", add + topic + job + QStringList{u"--filter"_s, u"region"_s},
        u"--filter: 'region' is not FIELD=VALUE"_s);
    row("filter on a bad path", add + topic + job + QStringList{u"--filter"_s, u"a..b=1"_s},
        u"filter: field 'a..b' is not a dotted path into the event's data (such as file.kind or items.0)"_s);
    row("bad subscription name", QStringList{u"sub"_s, u"add"_s, u"New Sub"_s} + topic + job,
        u"name: 'New Sub' is not a subscription name (lower-case letters, digits, '-', '_' and '.', starting with "
        u"a letter or digit; up to 64)"_s);
    row("no --topic", add + job, u"--topic is missing"_s);
    row("no --job", add + topic, u"--job is missing"_s);
    row("edit to a job that does not exist", QStringList{u"sub"_s, u"edit"_s, u"existing"_s, u"--job"_s, u"ghost"_s},
        u"--job: no job 'ghost'"_s);
    row("edit to --batch-max 0", QStringList{u"sub"_s, u"edit"_s, u"existing"_s, u"--batch-max"_s, u"0"_s},
        u"--batch-max: '0' is not a whole number from 1 to 100000"_s);
    row("shell action naming a secret that does not exist",
        {u"job"_s, u"add"_s, u"--id"_s, u"leaky"_s, u"--shell"_s, u"echo {{secret.NOPE}}"_s},
        u"action: command: {{secret.NOPE}}: no secret named NOPE in {secrets}"_s);
    row("exec action naming a secret that does not exist",
        {u"job"_s, u"add"_s, u"--id"_s, u"leaky"_s, u"--exec"_s, u"curl"_s, u"--"_s, u"-u"_s, u"{{secret.NOPE}}"_s,
         u"https://example.org"_s},
        u"action: args[1]: {{secret.NOPE}}: no secret named NOPE in {secrets}"_s);
}

void TestEvents::badInputExitsTwoAndStoresNothing()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    const QString db = dbPath(u"bad-input"_s);
    if (!QFile::exists(db)) {
        QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"orders-job"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
        QCOMPARE(ctl(db, {u"sub"_s, u"add"_s, u"existing"_s, u"--topic"_s, u"orders.#"_s, u"--job"_s, u"orders-job"_s,
                          u"--paused"_s})
                     .exitCode,
                 0);
        QCOMPARE(ctl(db, {u"events"_s, u"publish"_s, u"orders.created"_s, u"--data"_s, u"{}"_s}).exitCode, 0);
    }
    const QJsonArray eventsBefore = events(db);
    const QJsonArray subscriptionsBefore = subscriptions(db);
    const QJsonValue jobsBefore = json(db, {u"job"_s, u"list"_s, u"--json"_s});
    QCOMPARE(eventsBefore.size(), 1);
    QCOMPARE(subscriptionsBefore.size(), 1);

    const CtlRun r = ctl(db, arguments);
    error.replace(u"{secrets}"_s, m_dir.filePath(u"secrets.json"_s));
    QCOMPARE(r.err, error);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.out, QString());
    QCOMPARE(events(db), eventsBefore);
    QCOMPARE(subscriptions(db), subscriptionsBefore);
    QCOMPARE(json(db, {u"job"_s, u"list"_s, u"--json"_s}), jobsBefore);
}

void TestEvents::aLifecycleTopicPublishedByHandReachesOnlyPatternsNamingIt()
{
    // task.* is core's lifecycle; publishing one by hand is not refused (the README does not say
    // it is), and like core's own it reaches only patterns that name its first word.
    const QString db = dbPath(u"lifecycle"_s);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"sink"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
    QCOMPARE(ctl(db, {u"sub"_s, u"add"_s, u"everything"_s, u"--topic"_s, u"#"_s, u"--job"_s, u"sink"_s}).exitCode, 0);
    QCOMPARE(
        ctl(db, {u"sub"_s, u"add"_s, u"failures"_s, u"--topic"_s, u"task.failed"_s, u"--job"_s, u"sink"_s}).exitCode,
        0);
    const CtlRun r = ctl(db, {u"events"_s, u"publish"_s, u"task.failed"_s, u"--data"_s, uR"({"task": 7})"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, u"1: queued task 1 for failures\n"_s);
    QCOMPARE(ctl(db, {u"events"_s, u"publish"_s, u"orders.created"_s}).out, u"2: queued task 2 for everything\n"_s);
}

void TestEvents::whatEventsStillNeedCannotBeRemoved()
{
    const QString db = dbPath(u"remove"_s);
    QCOMPARE(ctl(db, {u"job"_s, u"add"_s, u"--id"_s, u"sink"_s, u"--handler"_s, u"noop"_s}).exitCode, 0);
    QCOMPARE(ctl(db, {u"sub"_s, u"add"_s, u"held"_s, u"--topic"_s, u"orders.#"_s, u"--job"_s, u"sink"_s, u"--paused"_s})
                 .exitCode,
             0);
    QCOMPARE(ctl(db, {u"sub"_s, u"add"_s, u"bundled"_s, u"--topic"_s, u"invoices.#"_s, u"--job"_s, u"sink"_s,
                      u"--batch-max"_s, u"10"_s})
                 .exitCode,
             0);
    QCOMPARE(ctl(db, {u"sub"_s, u"add"_s, u"idle"_s, u"--topic"_s, u"nothing"_s, u"--job"_s, u"sink"_s}).exitCode, 0);
    QCOMPARE(ctl(db, {u"events"_s, u"publish"_s, u"orders.created"_s}).out, u"1: held by held\n"_s);
    QCOMPARE(ctl(db, {u"events"_s, u"publish"_s, u"orders.paid"_s}).out, u"2: held by held\n"_s);
    QCOMPARE(ctl(db, {u"events"_s, u"publish"_s, u"invoices.issued"_s}).out, u"3: held by bundled\n"_s);
    const QJsonArray before = subscriptions(db);
    QCOMPARE(before.size(), 3);

    // Paused or batching, a subscription holding events stays unless told to drop them.
    CtlRun r = ctl(db, {u"sub"_s, u"remove"_s, u"held"_s});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, u"taskdeckctl: subscription 'held' holds 2 event(s) not delivered yet; resume it to deliver "
                    u"them, or remove it with --drop-waiting\n"_s);
    r = ctl(db, {u"sub"_s, u"remove"_s, u"bundled"_s});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, u"taskdeckctl: subscription 'bundled' holds 1 event(s) not delivered yet; resume it to deliver "
                    u"them, or remove it with --drop-waiting\n"_s);
    QCOMPARE(subscriptions(db), before);

    // A job that subscriptions deliver to stays while they do.
    r = ctl(db, {u"job"_s, u"remove"_s, u"sink"_s});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, u"taskdeckctl: job 'sink' receives the events of subscriptions bundled, held, idle; remove them "
                    u"first (taskdeckctl sub remove)\n"_s);
    QCOMPARE(json(db, {u"job"_s, u"list"_s, u"--json"_s}).toArray().size(), 1);

    // One holding nothing goes at once; --drop-waiting drops what the others held, not the events.
    QCOMPARE(ctl(db, {u"sub"_s, u"remove"_s, u"idle"_s}).out, u"idle removed\n"_s);
    r = ctl(db, {u"sub"_s, u"remove"_s, u"held"_s, u"--drop-waiting"_s});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, u"held removed\n"_s);
    r = ctl(db, {u"job"_s, u"remove"_s, u"sink"_s});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, u"taskdeckctl: job 'sink' receives the events of subscription bundled; remove it first "
                    u"(taskdeckctl sub remove)\n"_s);
    QCOMPARE(ctl(db, {u"sub"_s, u"remove"_s, u"bundled"_s, u"--drop-waiting"_s}).exitCode, 0);
    QVERIFY(subscriptions(db).isEmpty());
    const QJsonArray kept = events(db);
    QCOMPARE(kept.size(), 3);
    for (const QJsonValue &event : kept)
        QVERIFY(event.toObject().value(u"deliveries"_s).toArray().isEmpty());
    QCOMPARE(ctl(db, {u"job"_s, u"remove"_s, u"sink"_s}).out, u"sink removed\n"_s);
    QVERIFY(tasks(db).isEmpty());
}

QTEST_GUILESS_MAIN(TestEvents)
#include "tst_events.moc"

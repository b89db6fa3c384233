// Pipelines and iterates through the real runtime: a SQLite file, the engine's workers, the event
// bus, in-process handlers and real processes; time that matters (a step's retry backoff) comes
// from a ManualClock.

#include "actions/actionspec.h"
#include "actions/handlerregistry.h"
#include "actions/pipelineaction.h"
#include "actions/placeholders.h"
#include "actions/secrets.h"
#include "clock.h"
#include "events/eventbus.h"
#include "events/eventstore.h"
#include "queue/taskstore.h"
#include "runtime.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>
#include <QWaitCondition>

#include <atomic>
#include <memory>

using namespace Taskdeck::Core;

namespace {

constexpr int ProcessWaitMs = 30000; // real processes on a machine that may be busy

QJsonObject step(const QString &key, const QJsonObject &action, const QJsonObject &extra = {})
{
    QJsonObject object = extra;
    object.insert(QStringLiteral("key"), key);
    object.insert(QStringLiteral("action"), action);
    return object;
}

QJsonObject pipeline(const QJsonArray &steps)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("pipeline")}, {QStringLiteral("steps"), steps}};
}

QJsonObject shell(const QString &script, const QStringList &arguments)
{
    return ActionSpec::exec(QStringLiteral("/bin/sh"),
                            QStringList{QStringLiteral("-c"), script, QStringLiteral("sh")} + arguments);
}

QJsonObject onlyOnce()
{
    return QJsonObject{{QStringLiteral("retry"), QJsonObject{{QStringLiteral("max_attempts"), 1}}}};
}

QString compact(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestPipeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void malformedPipelinesAreRefusedNamingTheProblem_data();
    void malformedPipelinesAreRefusedNamingTheProblem();
    void aStepThatUsedUpItsAttemptsStopsThePipelineAndDeadLettersTheTask();
    void stepOutputsAndPayloadFieldsReachTheStepsAfter();
    void aBackgroundStepIsQueuedAsItsOwnTaskAndNotWaitedFor();
    void anInterruptedPipelineResumesAtTheStepThatHadNotFinished();
    void aStepIsRetriedByItsOwnPolicyUntilItSucceeds();
    void iterateRunsAtMostConcurrencyItemsAndNamesTheFailedItem();
    void iterateOutputIsTheArrayOfItsItemsOutputs();
    void aPlaceholderNamingAMissingPayloadFieldFailsItsStep();
    void secretsReachTheProcessButNeverTheStore();
    void secretsInAStepsJsonOutputAreMaskedWhereverItGoes();
    void aBackgroundStepFillsInItsSecretsWhenItRuns();
    void aPayloadCannotReachASecretThroughABackgroundStep_data();
    void aPayloadCannotReachASecretThroughABackgroundStep();

private:
    bool startRuntime();
    // Queues a task of job "etl" through the running engine; 0 when that failed.
    qint64 enqueue(const QJsonObject &action, const QJsonValue &payload = {}, int maxAttempts = 1);
    Task stored(qint64 id);
    QList<PipelineAction::StepRecord> steps(qint64 id);
    QList<AttemptRecord> attempts(qint64 id);
    QList<Event> heard(const QString &topic) const;
    int calls(const QString &handler);
    QJsonValue lastPayload(const QString &handler);
    bool waitUntilIdle();
    // Stops the runtime and names the database file (the file itself, its -wal) whose bytes hold
    // `bytes`, or says that the database file is empty; an empty string when neither.
    QString stopAndFindInTheDatabaseFiles(const QByteArray &bytes);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    QString m_secretsPath;
    ManualClock m_clock{QDateTime(QDate(2026, 12, 5), QTime(12, 0), QTimeZone::utc())};
    std::unique_ptr<Runtime> m_runtime;
    QList<Event> m_heard; // in the bus's thread, which is this one

    QMutex m_mutex;
    QHash<QString, int> m_calls;            // handler -> how often it was entered
    QHash<QString, QJsonValue> m_payloads;  // handler -> the payload it saw last
    std::atomic<bool> m_release{false};     // lets "hold" return
    std::atomic<int> m_holdsReturned{0};    // "hold" calls that returned
    std::atomic<int> m_itemsRunning{0};     // "item" calls running now
    std::atomic<int> m_mostItemsRunning{0}; // ... and the most at any moment
    QWaitCondition m_itemEntered;
};

void TestPipeline::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("pipeline.db"));
    m_secretsPath = m_dir->filePath(QStringLiteral("secrets.json"));
    m_clock.set(QDateTime(QDate(2026, 12, 5), QTime(12, 0), QTimeZone::utc()));
    m_heard.clear();
    m_calls.clear();
    m_payloads.clear();
    m_release = false;
    m_holdsReturned = 0;
    m_itemsRunning = 0;
    m_mostItemsRunning = 0;
}

void TestPipeline::cleanup()
{
    m_release = true;
    m_runtime.reset();
    m_dir.reset();
}

bool TestPipeline::startRuntime()
{
    m_runtime.reset();
    Runtime::Options options;
    options.engine.workers = 2;
    options.engine.randomSeed = 5;
    options.engine.processGraceMs = 300;
    options.watchFolders = false;
    options.secretsPath = m_secretsPath;
    m_runtime = std::make_unique<Runtime>(m_path, options, &m_clock);
    QString error;
    if (!m_runtime->open(&error)) {
        qWarning("open: %s", qPrintable(error));
        return false;
    }
    HandlerRegistry *handlers = m_runtime->handlers();
    const auto entered = [this](const QString &name, const TaskContext &context) {
        QMutexLocker locker(&m_mutex);
        m_payloads.insert(name, context.payload());
        return ++m_calls[name];
    };
    for (const QString &name : {QStringLiteral("first"), QStringLiteral("third"), QStringLiteral("record")}) {
        handlers->add(name, [entered, name](TaskContext &context) {
            entered(name, context);
            return QString();
        });
    }
    handlers->add(QStringLiteral("broken"), [entered](TaskContext &context) {
        entered(QStringLiteral("broken"), context);
        return QStringLiteral("the disk is full");
    });
    handlers->add(QStringLiteral("flaky"), [entered](TaskContext &context) {
        const int call = entered(QStringLiteral("flaky"), context);
        return call < 3 ? QStringLiteral("flake %1").arg(call) : QString();
    });
    handlers->add(QStringLiteral("hold"), [this, entered](TaskContext &context) {
        entered(QStringLiteral("hold"), context);
        while (!m_release.load() && !context.isCancelled())
            QThread::msleep(1); // the slow work being held
        ++m_holdsReturned;
        return QString();
    });
    handlers->add(QStringLiteral("item"), [this, entered](TaskContext &context) {
        entered(QStringLiteral("item"), context);
        const int running = ++m_itemsRunning;
        int most = m_mostItemsRunning.load();
        while (running > most && !m_mostItemsRunning.compare_exchange_weak(most, running)) {
        }
        {
            // The first item waits for a second to run beside it (or gives up after a while), so
            // that two at once is certain when two are allowed.
            QMutexLocker locker(&m_mutex);
            m_itemEntered.wakeAll();
            const QDeadlineTimer deadline(5000);
            while (m_mostItemsRunning.load() < 2 && !deadline.hasExpired())
                m_itemEntered.wait(&m_mutex, deadline);
        }
        QThread::msleep(5); // the work being measured
        --m_itemsRunning;
        const QJsonObject item = context.payload().toObject();
        return item.value(QStringLiteral("fail")).toBool()
                   ? QStringLiteral("cannot read %1").arg(item.value(QStringLiteral("name")).toString())
                   : QString();
    });
    connect(m_runtime->events(), &EventBus::published, this, [this](const Event &event) { m_heard.append(event); });
    if (!m_runtime->start(&error)) {
        qWarning("start: %s", qPrintable(error));
        return false;
    }
    return true;
}

qint64 TestPipeline::enqueue(const QJsonObject &action, const QJsonValue &payload, int maxAttempts)
{
    TaskSpec spec;
    spec.action = action;
    spec.payload = payload;
    spec.job = QStringLiteral("etl");
    spec.retry.maxAttempts = maxAttempts;
    qint64 id = 0;
    QString error;
    if (!m_runtime->engine()->enqueue(spec, &error, {}, [&id, &error](qint64 taskId, const QString &why) {
            id = taskId;
            error = why;
            if (taskId == 0)
                id = -1;
        })) {
        qWarning("enqueue: %s", qPrintable(error));
        return 0;
    }
    if (!QTest::qWaitFor([&id] { return id != 0; }, 5000) || id < 0) {
        qWarning("not queued: %s", qPrintable(error));
        return 0;
    }
    return id;
}

Task TestPipeline::stored(qint64 id)
{
    QString error;
    return TaskStore(m_path, &m_clock).find(id, &error).value_or(Task());
}

QList<PipelineAction::StepRecord> TestPipeline::steps(qint64 id)
{
    QString error;
    const auto records = TaskStore(m_path, &m_clock).pipelineSteps(id, &error);
    if (!records)
        qWarning("steps: %s", qPrintable(error));
    return records.value_or(QList<PipelineAction::StepRecord>());
}

QList<AttemptRecord> TestPipeline::attempts(qint64 id)
{
    QString error;
    const auto records = TaskStore(m_path, &m_clock).attempts(id, &error);
    if (!records)
        qWarning("attempts: %s", qPrintable(error));
    return records.value_or(QList<AttemptRecord>());
}

QList<Event> TestPipeline::heard(const QString &topic) const
{
    QList<Event> events;
    for (const Event &event : m_heard) {
        if (event.topic == topic)
            events.append(event);
    }
    return events;
}

int TestPipeline::calls(const QString &handler)
{
    QMutexLocker locker(&m_mutex);
    return m_calls.value(handler);
}

QJsonValue TestPipeline::lastPayload(const QString &handler)
{
    QMutexLocker locker(&m_mutex);
    return m_payloads.value(handler);
}

bool TestPipeline::waitUntilIdle()
{
    TaskEngine *engine = m_runtime->engine();
    for (int i = 0; i < 500 && !engine->isIdle(); ++i) {
        QSignalSpy idle(engine, &TaskEngine::idle);
        idle.wait(20);
    }
    return engine->isIdle();
}

QString TestPipeline::stopAndFindInTheDatabaseFiles(const QByteArray &bytes)
{
    if (!waitUntilIdle())
        return QStringLiteral("the engine did not become idle");
    m_runtime.reset();
    if (readFile(m_path).isEmpty())
        return QStringLiteral("%1 is empty").arg(m_path);
    for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
        if (readFile(m_path + suffix).contains(bytes))
            return m_path + suffix;
    }
    return QString();
}

void TestPipeline::malformedPipelinesAreRefusedNamingTheProblem_data()
{
    QTest::addColumn<QJsonObject>("action");
    QTest::addColumn<QString>("problem"); // empty: valid

    const QJsonObject noop = ActionSpec::handler(QStringLiteral("first"));
    const QJsonObject echo = ActionSpec::exec(QStringLiteral("/bin/echo"), {QStringLiteral("{{steps.load.output}}")});
    QTest::newRow("valid") << pipeline({step(QStringLiteral("load"), noop), step(QStringLiteral("use"), echo)})
                           << QString();
    QTest::newRow("no steps") << pipeline({})
                              << QStringLiteral("pipeline: steps: expected a list of one or more steps");
    QTest::newRow("steps missing") << QJsonObject{{QStringLiteral("type"), QStringLiteral("pipeline")}}
                                   << QStringLiteral("pipeline: steps: expected a list of one or more steps");
    QTest::newRow("duplicate keys") << pipeline(
                                           {step(QStringLiteral("load"), noop), step(QStringLiteral("load"), noop)})
                                    << QStringLiteral("pipeline: steps[1] \"load\": key: 'load' is used by an earlier "
                                                      "step");
    QTest::newRow("bad mode") << pipeline({step(QStringLiteral("load"), noop,
                                                {{QStringLiteral("mode"), QStringLiteral("later")}})})
                              << QStringLiteral("pipeline: steps[0] \"load\": mode: 'later' is not wait or background");
    QTest::newRow("key with spaces")
        << pipeline({step(QStringLiteral("2nd step key"), noop)})
        << QStringLiteral("pipeline: steps[0] \"2nd step key\": key: '2nd step key' is not a step key (letters, "
                          "digits, '_' and '-', up to 64)");
    QTest::newRow("output of a later step")
        << pipeline({step(QStringLiteral("use"), echo), step(QStringLiteral("load"), noop)})
        << QStringLiteral("pipeline: steps[0] \"use\": action: args[0]: {{steps.load.output}}: no step 'load' before "
                          "this one");
    QTest::newRow("output of a background step")
        << pipeline({step(QStringLiteral("load"), noop, {{QStringLiteral("mode"), QStringLiteral("background")}}),
                     step(QStringLiteral("use"), echo)})
        << QStringLiteral("pipeline: steps[1] \"use\": action: args[0]: {{steps.load.output}}: step 'load' runs in "
                          "the background: its output is not waited for");
}

void TestPipeline::malformedPipelinesAreRefusedNamingTheProblem()
{
    QFETCH(QJsonObject, action);
    QFETCH(QString, problem);
    QString error;
    QCOMPARE(PipelineAction::validate(action, PlaceholderRules(), &error), problem.isEmpty());
    QCOMPARE(error, problem);
}

void TestPipeline::aStepThatUsedUpItsAttemptsStopsThePipelineAndDeadLettersTheTask()
{
    QVERIFY(startRuntime());
    QSignalSpy dead(m_runtime->engine(), &TaskEngine::taskDeadLettered);
    const QString key = QStringLiteral("2nd_step_key"); // "2nd step key" is not a key: see the validation test
    const qint64 id = enqueue(pipeline({step(QStringLiteral("first"), ActionSpec::handler(QStringLiteral("first"))),
                                        step(key, ActionSpec::handler(QStringLiteral("broken")), onlyOnce()),
                                        step(QStringLiteral("third"), ActionSpec::handler(QStringLiteral("third")))}));
    QVERIFY(id > 0);
    QVERIFY(dead.wait(10000));
    QCOMPARE(dead.first().first().toLongLong(), id);
    const QString expected = QStringLiteral("step '2nd_step_key' failed: the disk is full");
    QCOMPARE(dead.first().at(1).toString(), expected);
    QTRY_COMPARE(stored(id).state, TaskState::Dead);
    QCOMPARE(stored(id).lastError, expected);
    QCOMPARE(stored(id).attempts, 1); // the step's failure is not the task's to retry
    QVERIFY(waitUntilIdle());
    QCOMPARE(calls(QStringLiteral("first")), 1);
    QCOMPARE(calls(QStringLiteral("broken")), 1);
    QCOMPARE(calls(QStringLiteral("third")), 0);

    // Heard in-process, and stored.
    QTRY_COMPARE(heard(QStringLiteral("pipeline.step_failed")).size(), 1);
    const QJsonObject expectedData{{QStringLiteral("pipeline"), QStringLiteral("etl")},
                                   {QStringLiteral("task"), id},
                                   {QStringLiteral("step"), key},
                                   {QStringLiteral("error"), QStringLiteral("the disk is full")},
                                   {QStringLiteral("attempts"), 1}};
    const Event event = heard(QStringLiteral("pipeline.step_failed")).first();
    QCOMPARE(event.data.toObject(), expectedData);
    QCOMPARE(event.source, QStringLiteral("task:%1").arg(id));
    QVERIFY(heard(QStringLiteral("pipeline.completed")).isEmpty());
    QString error;
    const auto events = EventStore(m_path, &m_clock).list(QStringLiteral("pipeline.#"), 0, &error);
    QVERIFY2(events, qPrintable(error));
    QCOMPARE(events->size(), 1);
    QCOMPARE(events->first().event.topic, QStringLiteral("pipeline.step_failed"));
    QCOMPARE(events->first().event.data.toObject(), expectedData);

    // Step 3 has no record: it never started.
    const auto records = steps(id);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).key, QStringLiteral("first"));
    QCOMPARE(records.at(0).state, QStringLiteral("succeeded"));
    QCOMPARE(records.at(1).key, key);
    QCOMPARE(records.at(1).state, QStringLiteral("failed"));
    QCOMPARE(records.at(1).attempts, 1);
    QCOMPARE(records.at(1).error, QStringLiteral("the disk is full"));
    QVERIFY(records.at(1).finishedAt.isValid());
}

void TestPipeline::stepOutputsAndPayloadFieldsReachTheStepsAfter()
{
    QVERIFY(startRuntime());
    const QJsonObject payload{{QStringLiteral("table"), QStringLiteral("orders")},
                              {QStringLiteral("x"), QStringLiteral("hello world")}};
    const qint64 id = enqueue(
        pipeline(
            {step(QStringLiteral("extract"),
                  shell(QStringLiteral("echo \"reading $1\"; printf '{\"rows\": 42, \"table\": \"%s\"}\\n' \"$1\""),
                        {QStringLiteral("{{payload.table}}")})),
             step(QStringLiteral("report"),
                  ActionSpec::exec(QStringLiteral("/bin/echo"), {QStringLiteral("rows={{steps.extract.output.rows}}"),
                                                                 QStringLiteral("table={{steps.extract.output.table}}"),
                                                                 QStringLiteral("x={{payload.x}}")})),
             step(QStringLiteral("notify"), ActionSpec::handler(QStringLiteral("record")))}),
        payload);
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(stored(id).state, TaskState::Succeeded, ProcessWaitMs);

    const auto records = steps(id);
    QCOMPARE(records.size(), 3);
    const QJsonObject extracted{{QStringLiteral("rows"), 42}, {QStringLiteral("table"), QStringLiteral("orders")}};
    QCOMPARE(records.at(0).output, QJsonValue(extracted)); // the JSON of its last line
    QCOMPARE(records.at(1).output, QJsonValue(QStringLiteral("rows=42 table=orders x=hello world")));
    QCOMPARE(records.at(2).output, QJsonValue()); // a handler has no output
    for (const auto &record : records) {
        QCOMPARE(record.state, QStringLiteral("succeeded"));
        QCOMPARE(record.attempts, 1);
    }
    QCOMPARE(lastPayload(QStringLiteral("record")), QJsonValue(payload)); // a step sees the task's payload

    QTRY_COMPARE(heard(QStringLiteral("pipeline.completed")).size(), 1);
    const QJsonObject data = heard(QStringLiteral("pipeline.completed")).first().data.toObject();
    QCOMPARE(data.value(QStringLiteral("pipeline")).toString(), QStringLiteral("etl"));
    QCOMPARE(data.value(QStringLiteral("task")).toInteger(), id);
    const QJsonObject outputs{{QStringLiteral("extract"), extracted},
                              {QStringLiteral("report"), QStringLiteral("rows=42 table=orders x=hello world")},
                              {QStringLiteral("notify"), QJsonValue()}};
    QCOMPARE(data.value(QStringLiteral("outputs")).toObject(), outputs);
    QVERIFY(heard(QStringLiteral("pipeline.step_failed")).isEmpty());

    const auto tries = attempts(id);
    QCOMPARE(tries.size(), 1);
    QCOMPARE(tries.first().outcome, QStringLiteral("succeeded"));
    QVERIFY2(tries.first().output.contains(QStringLiteral("reading orders")), qPrintable(tries.first().output));
    QVERIFY2(tries.first().output.contains(QStringLiteral("pipeline etl: all 3 steps done")),
             qPrintable(tries.first().output));
}

void TestPipeline::aBackgroundStepIsQueuedAsItsOwnTaskAndNotWaitedFor()
{
    QVERIFY(startRuntime());
    const qint64 id =
        enqueue(pipeline({step(QStringLiteral("prepare"), ActionSpec::handler(QStringLiteral("first"))),
                          step(QStringLiteral("notify"), ActionSpec::handler(QStringLiteral("hold")),
                               {{QStringLiteral("mode"), QStringLiteral("background")},
                                {QStringLiteral("retry"), QJsonObject{{QStringLiteral("max_attempts"), 2}}}}),
                          step(QStringLiteral("finish"), ActionSpec::handler(QStringLiteral("third")))}));
    QVERIFY(id > 0);
    // The pipeline ends, and the step after the background one ran, while that one is held.
    QTRY_COMPARE(stored(id).state, TaskState::Succeeded);
    QCOMPARE(calls(QStringLiteral("third")), 1);
    QCOMPARE(m_holdsReturned.load(), 0);

    const auto records = steps(id);
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(1).key, QStringLiteral("notify"));
    QCOMPARE(records.at(1).state, QStringLiteral("started"));
    const qint64 background = records.at(1).backgroundTaskId;
    QVERIFY(background > 0 && background != id);
    QCOMPARE(records.at(2).state, QStringLiteral("succeeded"));

    // Its own task, with the step's retry policy, running now.
    QTRY_COMPARE(calls(QStringLiteral("hold")), 1);
    QTRY_COMPARE(stored(background).state, TaskState::Running);
    const Task task = stored(background);
    QCOMPARE(task.spec.job, QStringLiteral("etl"));
    QCOMPARE(task.spec.retry.maxAttempts, 2);
    QCOMPARE(task.spec.action, ActionSpec::handler(QStringLiteral("hold")));
    QCOMPARE(m_holdsReturned.load(), 0);

    m_release = true;
    QTRY_COMPARE(stored(background).state, TaskState::Succeeded);
    QCOMPARE(m_holdsReturned.load(), 1);
    QCOMPARE(calls(QStringLiteral("hold")), 1);
    QCOMPARE(stored(id).state, TaskState::Succeeded);
}

void TestPipeline::anInterruptedPipelineResumesAtTheStepThatHadNotFinished()
{
    QVERIFY(startRuntime());
    const qint64 id = enqueue(pipeline({step(QStringLiteral("first"), ActionSpec::handler(QStringLiteral("first"))),
                                        step(QStringLiteral("second"), ActionSpec::handler(QStringLiteral("hold"))),
                                        step(QStringLiteral("third"), ActionSpec::handler(QStringLiteral("third")))}));
    QVERIFY(id > 0);
    QTRY_COMPARE(calls(QStringLiteral("hold")), 1);
    QTRY_COMPARE(stored(id).state, TaskState::Running);
    auto records = steps(id);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).state, QStringLiteral("succeeded"));
    QCOMPARE(records.at(1).state, QStringLiteral("running"));

    // The engine goes away under the running step: the end of that attempt is never written, as
    // after a crash.
    m_runtime.reset();
    QCOMPARE(m_holdsReturned.load(), 1);
    QCOMPARE(stored(id).state, TaskState::Running);
    QVERIFY(attempts(id).first().outcome.isEmpty());
    records = steps(id);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(1).state, QStringLiteral("running"));
    QCOMPARE(calls(QStringLiteral("third")), 0);

    m_release = true;
    QTest::ignoreMessage(QtWarningMsg, "1 task(s) were interrupted by the last stop and run again");
    QVERIFY(startRuntime());
    QTRY_COMPARE(stored(id).state, TaskState::Succeeded);
    QCOMPARE(calls(QStringLiteral("first")), 1); // not again
    QCOMPARE(calls(QStringLiteral("hold")), 2);
    QCOMPARE(calls(QStringLiteral("third")), 1);

    records = steps(id);
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(0).attempts, 1);
    QCOMPARE(records.at(1).attempts, 2); // the interrupted run counts
    QCOMPARE(records.at(2).attempts, 1);
    for (const auto &record : records)
        QCOMPARE(record.state, QStringLiteral("succeeded"));
    const auto tries = attempts(id);
    QCOMPARE(tries.size(), 2);
    QCOMPARE(tries.at(0).outcome, QStringLiteral("interrupted"));
    QCOMPARE(tries.at(1).outcome, QStringLiteral("succeeded"));
    QVERIFY2(tries.at(1).output.contains(QStringLiteral("step 1/3 first: succeeded in an earlier attempt")),
             qPrintable(tries.at(1).output));
}

void TestPipeline::aStepIsRetriedByItsOwnPolicyUntilItSucceeds()
{
    QVERIFY(startRuntime());
    QSignalSpy retries(m_runtime->engine(), &TaskEngine::taskRetryScheduled);
    const QJsonObject retry{{QStringLiteral("retry"), QJsonObject{{QStringLiteral("max_attempts"), 3},
                                                                  {QStringLiteral("delays_ms"), QJsonArray{1000}},
                                                                  {QStringLiteral("jitter"), false}}}};
    // The task itself allows one attempt: the step's policy is what retries it.
    const qint64 id =
        enqueue(pipeline({step(QStringLiteral("flaky"), ActionSpec::handler(QStringLiteral("flaky")), retry),
                          step(QStringLiteral("after"), ActionSpec::handler(QStringLiteral("third")))}),
                QJsonValue(), 1);
    QVERIFY(id > 0);
    for (int failed = 1; failed <= 2; ++failed) {
        QTRY_COMPARE(retries.size(), failed);
        QCOMPARE(retries.last().at(1).toDateTime(), m_clock.now().addMSecs(1000));
        QCOMPARE(stored(id).lastError, QStringLiteral("step 'flaky' (attempt %1 of 3): flake %1").arg(failed));
        QCOMPARE(calls(QStringLiteral("third")), 0);
        m_clock.advance(1000);
        m_runtime->engine()->wake();
    }
    QTRY_COMPARE(stored(id).state, TaskState::Succeeded);
    QCOMPARE(calls(QStringLiteral("flaky")), 3);
    QCOMPARE(calls(QStringLiteral("third")), 1);
    const auto records = steps(id);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).state, QStringLiteral("succeeded"));
    QCOMPARE(records.at(0).attempts, 3);
    QCOMPARE(records.at(1).attempts, 1);
    const auto tries = attempts(id);
    QCOMPARE(tries.size(), 3);
    QCOMPARE(tries.at(0).outcome, QStringLiteral("failed"));
    QCOMPARE(tries.at(1).outcome, QStringLiteral("failed"));
    QCOMPARE(tries.at(2).outcome, QStringLiteral("succeeded"));
    QVERIFY(heard(QStringLiteral("pipeline.step_failed")).isEmpty());
    QTRY_COMPARE(heard(QStringLiteral("pipeline.completed")).size(), 1);
}

void TestPipeline::iterateRunsAtMostConcurrencyItemsAndNamesTheFailedItem()
{
    QVERIFY(startRuntime());
    const auto files = [](int failing) {
        QJsonArray items;
        for (int i = 0; i < 5; ++i) {
            QJsonObject item{{QStringLiteral("name"), QString(QChar(u'a' + i))}};
            if (i == failing)
                item.insert(QStringLiteral("fail"), true);
            items.append(item);
        }
        return QJsonObject{{QStringLiteral("files"), items}};
    };
    const QJsonObject iterate{{QStringLiteral("type"), QStringLiteral("iterate")},
                              {QStringLiteral("items"), QStringLiteral("{{payload.files}}")},
                              {QStringLiteral("action"), ActionSpec::handler(QStringLiteral("item"))},
                              {QStringLiteral("concurrency"), 2}};
    QString error;
    QVERIFY2(PipelineAction::validate(iterate, PlaceholderRules(), &error), qPrintable(error));

    const qint64 failing = enqueue(iterate, files(3));
    QVERIFY(failing > 0);
    QTRY_COMPARE(stored(failing).state, TaskState::Dead);
    QCOMPARE(stored(failing).lastError, QStringLiteral("iterate: 1 of 5 items failed: [3] cannot read d"));
    QCOMPARE(calls(QStringLiteral("item")), 5); // the others ran all the same
    QCOMPARE(m_mostItemsRunning.load(), 2);
    QCOMPARE(m_itemsRunning.load(), 0);

    m_mostItemsRunning = 0;
    const qint64 passing = enqueue(iterate, files(-1));
    QVERIFY(passing > 0);
    QTRY_COMPARE(stored(passing).state, TaskState::Succeeded);
    QCOMPARE(calls(QStringLiteral("item")), 10);
    QCOMPARE(m_mostItemsRunning.load(), 2);
    const QString output = attempts(passing).first().output;
    for (int i = 0; i < 5; ++i)
        QVERIFY2(output.contains(QStringLiteral("item [%1]: succeeded").arg(i)), qPrintable(output));
}

void TestPipeline::iterateOutputIsTheArrayOfItsItemsOutputs()
{
    QVERIFY(startRuntime());
    QJsonArray files;
    for (const QString &name : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
        files.append(QJsonObject{{QStringLiteral("name"), name}});
    const QJsonObject each{{QStringLiteral("type"), QStringLiteral("iterate")},
                           {QStringLiteral("items"), QStringLiteral("{{payload.files}}")},
                           {QStringLiteral("action"), shell(QStringLiteral("printf '{\"seen\": \"%s\"}\\n' \"$1\""),
                                                            {QStringLiteral("{{item.name}}")})},
                           {QStringLiteral("concurrency"), 2}};
    const qint64 id =
        enqueue(pipeline({step(QStringLiteral("each"), each),
                          step(QStringLiteral("pick"),
                               ActionSpec::exec(QStringLiteral("/bin/echo"),
                                                {QStringLiteral("third={{steps.each.output.2.seen}}")}))}),
                QJsonObject{{QStringLiteral("files"), files}});
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(stored(id).state, TaskState::Succeeded, ProcessWaitMs);
    const auto records = steps(id);
    QCOMPARE(records.size(), 2);
    // In the items' order, whichever finished first.
    QCOMPARE(records.at(0).output, QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("seen"), QStringLiteral("a")}},
                                                         QJsonObject{{QStringLiteral("seen"), QStringLiteral("b")}},
                                                         QJsonObject{{QStringLiteral("seen"), QStringLiteral("c")}}}));
    QCOMPARE(records.at(1).output, QJsonValue(QStringLiteral("third=c")));
}

void TestPipeline::aPlaceholderNamingAMissingPayloadFieldFailsItsStep()
{
    QVERIFY(startRuntime());
    const QJsonObject echo = ActionSpec::exec(QStringLiteral("/bin/echo"), {QStringLiteral("{{payload.missing}}")});
    const qint64 id = enqueue(pipeline({step(QStringLiteral("first"), ActionSpec::handler(QStringLiteral("first"))),
                                        step(QStringLiteral("use"), echo),
                                        step(QStringLiteral("third"), ActionSpec::handler(QStringLiteral("third")))}),
                              QJsonObject{{QStringLiteral("present"), 1}}, 3);
    QVERIFY(id > 0);
    const QString why = QStringLiteral("args[0]: {{payload.missing}}: the payload has no field 'missing'");
    QTRY_COMPARE(stored(id).state, TaskState::Dead);
    QCOMPARE(stored(id).lastError, QStringLiteral("step 'use' failed: ") + why);
    QCOMPARE(stored(id).attempts, 1); // the payload will not grow the field: no retry
    QCOMPARE(calls(QStringLiteral("first")), 1);
    QCOMPARE(calls(QStringLiteral("third")), 0);
    QTRY_COMPARE(heard(QStringLiteral("pipeline.step_failed")).size(), 1);
    const QJsonObject data = heard(QStringLiteral("pipeline.step_failed")).first().data.toObject();
    QCOMPARE(data.value(QStringLiteral("step")).toString(), QStringLiteral("use"));
    QCOMPARE(data.value(QStringLiteral("error")).toString(), why);
    // The step that could not be filled in is recorded as failed, though it never ran.
    const auto records = steps(id);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).state, QStringLiteral("succeeded"));
    QCOMPARE(records.at(1).key, QStringLiteral("use"));
    QCOMPARE(records.at(1).state, QStringLiteral("failed"));
    QCOMPARE(records.at(1).error, why);
    QCOMPARE(records.at(1).attempts, 0);
    QVERIFY(records.at(1).finishedAt.isValid());
    QCOMPARE(data.value(QStringLiteral("attempts")).toInt(), 0);
}

void TestPipeline::secretsReachTheProcessButNeverTheStore()
{
    const QString secret = QStringLiteral("s3cr3t-Xy9-token");
    QString error;
    QVERIFY2(Secrets::set(m_secretsPath, QStringLiteral("API_TOKEN"), secret, &error), qPrintable(error));
    QVERIFY(startRuntime());
    // What the process was given, written outside the database.
    const QString seen = m_dir->filePath(QStringLiteral("seen"));
    const qint64 id = enqueue(pipeline(
        {step(QStringLiteral("login"),
              shell(QStringLiteral("printf %s \"$1\" > \"$2\"; echo \"using token $1\"; echo \"token=$1\""),
                    {QStringLiteral("{{secret.API_TOKEN}}"), seen})),
         step(QStringLiteral("upload"),
              shell(QStringLiteral("echo \"rejected token $1\" >&2; exit 2"), {QStringLiteral("{{secret.API_TOKEN}}")}),
              onlyOnce())}));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(stored(id).state, TaskState::Dead, ProcessWaitMs);
    QCOMPARE(readFile(seen), secret.toUtf8());

    const Task task = stored(id);
    QCOMPARE(task.lastError, QStringLiteral("step 'upload' failed: exited with code 2: rejected token ***"));
    const auto tries = attempts(id);
    QCOMPARE(tries.size(), 1);
    QVERIFY2(tries.first().output.contains(QStringLiteral("using token ***")), qPrintable(tries.first().output));
    QVERIFY2(tries.first().output.contains(QStringLiteral("rejected token ***")), qPrintable(tries.first().output));
    QVERIFY(!tries.first().output.contains(secret));
    QVERIFY(!tries.first().error.contains(secret));
    const auto records = steps(id);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).output, QJsonValue(QStringLiteral("token=***")));
    QCOMPARE(records.at(1).error, QStringLiteral("exited with code 2: rejected token ***"));
    QTRY_COMPARE(heard(QStringLiteral("pipeline.step_failed")).size(), 1);
    for (const Event &event : std::as_const(m_heard))
        QVERIFY2(!compact(event.data).contains(secret), qPrintable(event.topic));

    // Nowhere in the database's files.
    QCOMPARE(stopAndFindInTheDatabaseFiles(secret.toUtf8()), QString());
}

void TestPipeline::secretsInAStepsJsonOutputAreMaskedWhereverItGoes()
{
    const QString secret = QStringLiteral("s3cr3t-Xy9-token");
    QString error;
    QVERIFY2(Secrets::set(m_secretsPath, QStringLiteral("API_TOKEN"), secret, &error), qPrintable(error));
    QVERIFY(startRuntime());
    const QString seen = m_dir->filePath(QStringLiteral("seen"));
    const QString seenLater = m_dir->filePath(QStringLiteral("seen-later"));
    const QJsonObject each{
        {QStringLiteral("type"), QStringLiteral("iterate")},
        {QStringLiteral("items"), QJsonArray{1, 2}},
        {QStringLiteral("action"), shell(QStringLiteral("printf '{\"item\": %s, \"token\": \"%s\"}\\n' \"$1\" \"$2\""),
                                         {QStringLiteral("{{item}}"), QStringLiteral("{{secret.API_TOKEN}}")})}};
    const qint64 id = enqueue(pipeline(
        {step(QStringLiteral("login"),
              shell(QStringLiteral("printf %s \"$1\" > \"$2\"; printf '{\"token\": \"%s\", \"nested\": {\"list\": "
                                   "[\"x\", \"Bearer %s\"]}, \"n\": 1}\\n' \"$1\" \"$1\""),
                    {QStringLiteral("{{secret.API_TOKEN}}"), seen})),
         step(QStringLiteral("each"), each),
         // The steps after one read its output as stored: masked.
         step(QStringLiteral("use"), shell(QStringLiteral("printf %s \"$1\" > \"$2\""),
                                           {QStringLiteral("{{steps.login.output.token}}"), seenLater}))}));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(stored(id).state, TaskState::Succeeded, ProcessWaitMs);
    QCOMPARE(readFile(seen), secret.toUtf8()); // the process itself had the real one
    QCOMPARE(readFile(seenLater), QByteArray("***"));

    const QJsonObject login{
        {QStringLiteral("token"), QStringLiteral("***")},
        {QStringLiteral("nested"),
         QJsonObject{{QStringLiteral("list"), QJsonArray{QStringLiteral("x"), QStringLiteral("Bearer ***")}}}},
        {QStringLiteral("n"), 1}};
    const QJsonArray items{QJsonObject{{QStringLiteral("item"), 1}, {QStringLiteral("token"), QStringLiteral("***")}},
                           QJsonObject{{QStringLiteral("item"), 2}, {QStringLiteral("token"), QStringLiteral("***")}}};
    const auto records = steps(id);
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(0).output, QJsonValue(login));
    QCOMPARE(records.at(1).output, QJsonValue(items));
    QCOMPARE(records.at(2).state, QStringLiteral("succeeded"));

    QTRY_COMPARE(heard(QStringLiteral("pipeline.completed")).size(), 1);
    const QJsonObject outputs =
        heard(QStringLiteral("pipeline.completed")).first().data.toObject().value(QStringLiteral("outputs")).toObject();
    QCOMPARE(outputs.value(QStringLiteral("login")), QJsonValue(login));
    QCOMPARE(outputs.value(QStringLiteral("each")), QJsonValue(items));
    for (const Event &event : std::as_const(m_heard))
        QVERIFY2(!compact(event.data).contains(secret), qPrintable(event.topic));
    const auto events = EventStore(m_path, &m_clock).list(QStringLiteral("pipeline.#"), 0, &error);
    QVERIFY2(events, qPrintable(error));
    QCOMPARE(events->size(), 1);
    QCOMPARE(events->first().event.data.toObject().value(QStringLiteral("outputs")).toObject(), outputs);
    const auto tries = attempts(id);
    QCOMPARE(tries.size(), 1);
    QVERIFY2(!tries.first().output.contains(secret), qPrintable(tries.first().output));

    QCOMPARE(stopAndFindInTheDatabaseFiles(secret.toUtf8()), QString());
}

void TestPipeline::aBackgroundStepFillsInItsSecretsWhenItRuns()
{
    const QString secret = QStringLiteral("s3cr3t-Xy9-token");
    QString error;
    QVERIFY2(Secrets::set(m_secretsPath, QStringLiteral("API_TOKEN"), secret, &error), qPrintable(error));
    QVERIFY(startRuntime());
    const QString seen = m_dir->filePath(QStringLiteral("seen"));
    const QString script = QStringLiteral("printf %s \"$1\" > \"$2\"; echo \"t=$1 $3\"");
    const qint64 id = enqueue(pipeline({step(QStringLiteral("notify"),
                                             shell(script, {QStringLiteral("{{secret.API_TOKEN}}"), seen,
                                                            QStringLiteral("for {{payload.name}}")}),
                                             {{QStringLiteral("mode"), QStringLiteral("background")}}),
                                        step(QStringLiteral("finish"), ActionSpec::handler(QStringLiteral("third")))}),
                              QJsonObject{{QStringLiteral("name"), QStringLiteral("nightly")}});
    QVERIFY(id > 0);
    QTRY_COMPARE(stored(id).state, TaskState::Succeeded);
    const auto records = steps(id);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).state, QStringLiteral("started"));
    const qint64 background = records.at(0).backgroundTaskId;
    QVERIFY(background > 0 && background != id);
    QTRY_COMPARE_WITH_TIMEOUT(stored(background).state, TaskState::Succeeded, ProcessWaitMs);

    // Stored with its secret left for it to fill in, and the payload already filled in.
    QCOMPARE(stored(background).spec.action,
             shell(script, {QStringLiteral("{{secret.API_TOKEN}}"), seen, QStringLiteral("for nightly")}));
    QCOMPARE(readFile(seen), secret.toUtf8());
    const auto tries = attempts(background);
    QCOMPARE(tries.size(), 1);
    QVERIFY2(tries.first().output.contains(QStringLiteral("t=*** for nightly")), qPrintable(tries.first().output));
    QVERIFY2(!tries.first().output.contains(secret), qPrintable(tries.first().output));

    QCOMPARE(stopAndFindInTheDatabaseFiles(secret.toUtf8()), QString());
}

void TestPipeline::aPayloadCannotReachASecretThroughABackgroundStep_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QJsonObject>("payload");
    QTest::addColumn<QString>("problem");

    // The background task fills in its action's placeholders again when it runs.
    QTest::newRow("a value that is a placeholder")
        << QStringLiteral("{{payload.note}}")
        << QJsonObject{{QStringLiteral("note"), QStringLiteral("{{secret.API_TOKEN}}")}}
        << QStringLiteral("args[3]: {{payload.note}}: its value holds a placeholder, which would be filled in when "
                          "the queued task runs");
    QTest::newRow("a value that makes one with the text around it")
        << QStringLiteral("{{{payload.brace}}secret.API_TOKEN}}")
        << QJsonObject{{QStringLiteral("brace"), QStringLiteral("{")}}
        << QStringLiteral("args[3]: the values filled in form a placeholder with the text around them, which would "
                          "be filled in when the queued task runs");
}

void TestPipeline::aPayloadCannotReachASecretThroughABackgroundStep()
{
    QFETCH(QString, argument);
    QFETCH(QJsonObject, payload);
    QFETCH(QString, problem);
    const QString secret = QStringLiteral("s3cr3t-Xy9-token");
    QString error;
    QVERIFY2(Secrets::set(m_secretsPath, QStringLiteral("API_TOKEN"), secret, &error), qPrintable(error));
    QVERIFY(startRuntime());
    const QString seen = m_dir->filePath(QStringLiteral("seen"));
    const qint64 id = enqueue(
        pipeline({step(QStringLiteral("notify"), shell(QStringLiteral("printf %s \"$1\" > \"$2\""), {argument, seen}),
                       {{QStringLiteral("mode"), QStringLiteral("background")}})}),
        payload);
    QVERIFY(id > 0);
    QTRY_COMPARE(stored(id).state, TaskState::Dead);
    QCOMPARE(stored(id).lastError, QStringLiteral("step 'notify' failed: ") + problem);
    const auto records = steps(id);
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.at(0).state, QStringLiteral("failed"));
    QCOMPARE(records.at(0).error, problem);
    QCOMPARE(records.at(0).backgroundTaskId, 0); // nothing was queued
    QVERIFY(waitUntilIdle());
    QCOMPARE(stored(id + 1).id, 0);
    QVERIFY(!QFile::exists(seen));

    QCOMPARE(stopAndFindInTheDatabaseFiles(secret.toUtf8()), QString());
}

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"

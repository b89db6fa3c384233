// `taskdeckctl serve` as operators run it: a real child process on a real database, killed with
// SIGKILL in the middle of its work and started again. No task may be lost.

#include "actions/actionspec.h"
#include "ctlrun.h"
#include "queue/taskstore.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

using namespace Taskdeck::Core;

class TestServe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killNineInTheMiddleLosesNoTask();
    void aSecondEngineOnTheSameDatabaseIsRefused();
    void aFirstRunMakesTheDatabaseFolderOwnerOnly();
    void untilIdleWaitsForRetriesAndExitsZero();
    void deadLettersAreRetriedFromTheCommandLineWhileTheEngineRuns();
    void cancelFromTheCommandLineStopsARunningTask();
    void aDeadTaskRunsAgainWithAnEditedPayload();
    void aJobFiresEverySecondOnTime();

private:
    int countInState(const QString &db, TaskState state);
    void enqueueMany(const QString &db, const TaskSpec &spec, int count);
    using Result = CtlRun;
    Result ctl(const QStringList &arguments) { return runProgram(m_program, arguments); }

    QString m_program;
    QTemporaryDir m_dir;
};

void TestServe::initTestCase()
{
    m_program = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECKCTL"));
    QVERIFY2(!m_program.isEmpty(), "TASKDECKCTL must name the taskdeckctl binary (set by ctest)");
}

int TestServe::countInState(const QString &db, TaskState state)
{
    TaskStore store(db);
    QString error;
    const auto tasks = store.list(state, 0, &error);
    return tasks ? int(tasks->size()) : -1;
}

void TestServe::enqueueMany(const QString &db, const TaskSpec &spec, int count)
{
    TaskStore store(db);
    QString error;
    for (int i = 0; i < count; ++i) {
        if (!store.enqueue(spec, &error))
            QFAIL(qPrintable(error));
    }
}

void TestServe::killNineInTheMiddleLosesNoTask()
{
    constexpr int Tasks = 300;
    const QString db = m_dir.filePath(QStringLiteral("kill9.db"));
    TaskSpec spec;
    spec.action = ActionSpec::handler(QStringLiteral("sleep"));
    spec.payload = QJsonObject{{QStringLiteral("ms"), 10}};
    enqueueMany(db, spec, Tasks);

    QProcess first;
    first.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--workers"),
                            QStringLiteral("2"), QStringLiteral("--quiet")});
    QVERIFY(first.waitForStarted());
    // Let it get well into the work, then pull the plug.
    QTRY_VERIFY_WITH_TIMEOUT(countInState(db, TaskState::Succeeded) >= 40, 30000);
    first.kill(); // SIGKILL: no shutdown, no flush
    QVERIFY(first.waitForFinished(10000));
    const int doneBeforeKill = countInState(db, TaskState::Succeeded);
    QVERIFY2(doneBeforeKill < Tasks, "the engine finished before it could be killed; give it more work");

    QProcess second;
    second.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--workers"),
                             QStringLiteral("2"), QStringLiteral("--quiet"), QStringLiteral("--until-idle")});
    QVERIFY(second.waitForFinished(60000));
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QVERIFY2(second.exitCode() == 0, second.readAllStandardError().constData());
    QCOMPARE(countInState(db, TaskState::Succeeded), Tasks);
    QCOMPARE(countInState(db, TaskState::Queued), 0);
    QCOMPARE(countInState(db, TaskState::Running), 0);
    QCOMPARE(countInState(db, TaskState::Dead), 0);
}

void TestServe::aFirstRunMakesTheDatabaseFolderOwnerOnly()
{
    // As on a fresh machine: neither the data folder nor the database exists yet.
    const QString folder = m_dir.filePath(QStringLiteral("fresh/Taskdeck"));
    const QString db = folder + QStringLiteral("/taskdeck.db");
    const Result result = ctl({QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--until-idle"),
                               QStringLiteral("--quiet")});
    QCOMPARE(result.err, QString());
    QCOMPARE(result.exitCode, 0);
    QVERIFY(QFileInfo(db).isFile());
    QCOMPARE(QFileInfo(folder).permissions() &
                 (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QCOMPARE(QFileInfo(db).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
}

void TestServe::aSecondEngineOnTheSameDatabaseIsRefused()
{
    const QString db = m_dir.filePath(QStringLiteral("twice.db"));
    TaskSpec spec;
    spec.action = ActionSpec::handler(QStringLiteral("sleep"));
    spec.payload = QJsonObject{{QStringLiteral("ms"), 60000}};
    enqueueMany(db, spec, 1);
    QProcess first;
    first.start(m_program,
                {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--grace"), QStringLiteral("0")});
    QVERIFY(first.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(countInState(db, TaskState::Running), 1, 30000);

    QProcess second;
    second.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve")});
    QVERIFY(second.waitForFinished(30000));
    QCOMPARE(second.exitCode(), 1);
    const QString error = QString::fromUtf8(second.readAllStandardError());
    QVERIFY2(error.startsWith(
                 QStringLiteral("taskdeckctl: another engine serves %1 (pid %2 on ").arg(db).arg(first.processId())),
             qPrintable(error));

    // SIGTERM: stop claiming, stop the running task (grace 0), queue it again, exit 0.
    first.terminate();
    QVERIFY(first.waitForFinished(30000));
    QCOMPARE(first.exitStatus(), QProcess::NormalExit);
    QCOMPARE(first.exitCode(), 0);
    QCOMPARE(countInState(db, TaskState::Queued), 1);
}

void TestServe::untilIdleWaitsForRetriesAndExitsZero()
{
    const QString db = m_dir.filePath(QStringLiteral("retries.db"));
    TaskSpec spec;
    spec.action = ActionSpec::shell(QStringLiteral("exit 1"));
    spec.retry.maxAttempts = 3;
    spec.retry.baseDelayMs = 20;
    enqueueMany(db, spec, 2);
    QProcess serve;
    serve.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--until-idle")});
    QVERIFY(serve.waitForFinished(60000));
    QCOMPARE(serve.exitCode(), 0);
    QCOMPARE(countInState(db, TaskState::Dead), 2);
    TaskStore store(db);
    QString error;
    QCOMPARE(store.find(1, &error)->attempts, 3);
    const QString log = QString::fromUtf8(serve.readAllStandardOutput());
    QCOMPARE(log.count(QStringLiteral("failed; retry at")), 4);
    QCOMPARE(log.count(QStringLiteral("is dead: exited with code 1")), 2);

    const Result stats = ctl({QStringLiteral("--db"), db, QStringLiteral("stats"), QStringLiteral("--json")});
    QCOMPARE(stats.exitCode, 0);
    const QJsonObject figures = QJsonDocument::fromJson(stats.out.toUtf8()).object();
    QCOMPARE(figures.value(QStringLiteral("states")).toObject().value(QStringLiteral("dead")).toInt(), 2);
    QCOMPARE(figures.value(QStringLiteral("waiting")).toInt(), 0);
    QCOMPARE(figures.value(QStringLiteral("failed_attempts_last_hour")).toInt(), 6);
    QVERIFY(figures.value(QStringLiteral("start_latency_p95_ms")).toInteger(-1) >= 0);

    // Every attempt is on record, with its outcome and exit code.
    const Result show = ctl({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("show"),
                             QStringLiteral("1"), QStringLiteral("--json")});
    const QJsonArray history =
        QJsonDocument::fromJson(show.out.toUtf8()).object().value(QStringLiteral("history")).toArray();
    QCOMPARE(history.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject attempt = history.at(i).toObject();
        QCOMPARE(attempt.value(QStringLiteral("number")).toInt(), i + 1);
        QCOMPARE(attempt.value(QStringLiteral("outcome")).toString(), QStringLiteral("failed"));
        QCOMPARE(attempt.value(QStringLiteral("exit_code")).toInt(), 1);
    }
}

void TestServe::deadLettersAreRetriedFromTheCommandLineWhileTheEngineRuns()
{
    const QString db = m_dir.filePath(QStringLiteral("dlq.db"));
    const QString marker = m_dir.filePath(QStringLiteral("ready"));
    const QString id = ctl({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("enqueue"),
                            QStringLiteral("--exec"), QStringLiteral("test"), QStringLiteral("--max-attempts"),
                            QStringLiteral("1"), QStringLiteral("--"), QStringLiteral("-f"), marker})
                           .out.trimmed();
    QCOMPARE(id, QStringLiteral("1"));
    QProcess serve;
    serve.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--quiet")});
    QVERIFY(serve.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(countInState(db, TaskState::Dead), 1, 30000);

    const Result list = ctl({QStringLiteral("--db"), db, QStringLiteral("dlq"), QStringLiteral("list")});
    QCOMPARE(list.exitCode, 0);
    QVERIFY2(list.out.contains(QStringLiteral("exited with code 1")), qPrintable(list.out));
    // Not dead: refused, nothing changes.
    const Result notDead =
        ctl({QStringLiteral("--db"), db, QStringLiteral("dlq"), QStringLiteral("retry"), QStringLiteral("7")});
    QCOMPARE(notDead.exitCode, 1);
    QCOMPARE(notDead.err, QStringLiteral("taskdeckctl: no task 7\n"));

    QFile file(marker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const Result retry = ctl({QStringLiteral("--db"), db, QStringLiteral("dlq"), QStringLiteral("retry"), id});
    QCOMPARE(retry.exitCode, 0);
    QCOMPARE(retry.out, QStringLiteral("1\n"));
    // The running engine hears of it and runs the task again: this time it succeeds.
    QTRY_COMPARE_WITH_TIMEOUT(countInState(db, TaskState::Succeeded), 1, 30000);
    TaskStore store(db);
    QString error;
    QCOMPARE(store.find(1, &error)->attempts, 1); // attempts started again

    const Result remove = ctl({QStringLiteral("--db"), db, QStringLiteral("dlq"), QStringLiteral("delete"), id});
    QCOMPARE(remove.exitCode, 1);
    QCOMPARE(remove.err, QStringLiteral("taskdeckctl: task 1 is succeeded, not dead\n"));
    serve.terminate();
    QVERIFY(serve.waitForFinished(30000));
}

void TestServe::aDeadTaskRunsAgainWithAnEditedPayload()
{
    const QString db = m_dir.filePath(QStringLiteral("edit.db"));
    const QString id =
        ctl({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("enqueue"), QStringLiteral("--shell"),
             QStringLiteral(R"(test "$TASKDECK_PAYLOAD" = '{"ok":true}')"), QStringLiteral("--payload"),
             QStringLiteral(R"({"ok":false})"), QStringLiteral("--max-attempts"), QStringLiteral("1")})
            .out.trimmed();
    QCOMPARE(id, QStringLiteral("1"));
    QProcess serve;
    serve.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--quiet")});
    QVERIFY(serve.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(countInState(db, TaskState::Dead), 1, 30000);

    const Result retry = ctl({QStringLiteral("--db"), db, QStringLiteral("dlq"), QStringLiteral("retry"), id,
                              QStringLiteral("--payload"), QStringLiteral(R"({"ok": true})")});
    QCOMPARE(retry.err, QString());
    QCOMPARE(retry.exitCode, 0);
    QTRY_COMPARE_WITH_TIMEOUT(countInState(db, TaskState::Succeeded), 1, 30000);
    serve.terminate();
    QVERIFY(serve.waitForFinished(30000));

    const Result show =
        ctl({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("show"), id, QStringLiteral("--json")});
    const QJsonObject task = QJsonDocument::fromJson(show.out.toUtf8()).object();
    QCOMPARE(task.value(QStringLiteral("payload")).toObject().value(QStringLiteral("ok")).toBool(false), true);
    const QJsonArray history = task.value(QStringLiteral("history")).toArray();
    QCOMPARE(history.size(), 2); // the failed attempt is kept
    QCOMPARE(history.at(0).toObject().value(QStringLiteral("outcome")).toString(), QStringLiteral("failed"));
    QVERIFY(history.at(0).toObject().value(QStringLiteral("cpu_ms")).toInteger(-1) >= 0);
    QCOMPARE(history.at(1).toObject().value(QStringLiteral("outcome")).toString(), QStringLiteral("succeeded"));
    const QJsonArray actions = task.value(QStringLiteral("operator_actions")).toArray();
    QCOMPARE(actions.size(), 1);
    const QJsonObject action = actions.first().toObject();
    QCOMPARE(action.value(QStringLiteral("action")).toString(), QStringLiteral("edit-payload-retry"));
    QCOMPARE(action.value(QStringLiteral("user")).toString(), TaskStore::localUser());
    QCOMPARE(action.value(QStringLiteral("detail"))
                 .toObject()
                 .value(QStringLiteral("previous_payload"))
                 .toObject()
                 .value(QStringLiteral("ok"))
                 .toBool(true),
             false);
}

void TestServe::aJobFiresEverySecondOnTime()
{
    const QString db = m_dir.filePath(QStringLiteral("tick.db"));
    const Result added = ctl({QStringLiteral("--db"), db, QStringLiteral("job"), QStringLiteral("add"),
                              QStringLiteral("--id"), QStringLiteral("tick"), QStringLiteral("--schedule"),
                              QStringLiteral("* * * * * *"), QStringLiteral("--exec"), QStringLiteral("true")});
    QCOMPARE(added.err, QString());
    QProcess serve;
    serve.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--quiet")});
    QVERIFY(serve.waitForStarted());
    const auto fires = [&] {
        return QJsonDocument::fromJson(
                   ctl({QStringLiteral("--db"), db, QStringLiteral("job"), QStringLiteral("history"),
                        QStringLiteral("tick"), QStringLiteral("--json")})
                       .out.toUtf8())
            .array();
    };
    const auto succeeded = [&] {
        int count = 0;
        for (const QJsonValue &fire : fires())
            count += fire.toObject().value(QStringLiteral("task_state")).toString() == QLatin1String("succeeded");
        return count;
    };
    QTRY_VERIFY_WITH_TIMEOUT(succeeded() >= 4, 30000);
    serve.terminate();
    QVERIFY(serve.waitForFinished(30000));
    QCOMPARE(serve.exitCode(), 0);

    const QJsonArray history = fires(); // newest first
    QDateTime previous;
    for (const QJsonValue &value : history) {
        const QJsonObject fire = value.toObject();
        QCOMPARE(fire.value(QStringLiteral("kind")).toString(), QStringLiteral("scheduled"));
        QCOMPARE(fire.value(QStringLiteral("outcome")).toString(), QStringLiteral("queued"));
        const QDateTime at = QDateTime::fromString(fire.value(QStringLiteral("scheduled_at")).toString(), Qt::ISODate);
        QVERIFY(at.isValid());
        QCOMPARE(at.time().msec(), 0); // on the second
        if (previous.isValid())
            QCOMPARE(at.secsTo(previous), 1); // every second, none fired twice or skipped
        previous = at;
        if (fire.value(QStringLiteral("task_state")).toString() == QLatin1String("succeeded")) {
            const qint64 lateness = fire.value(QStringLiteral("lateness_ms")).toInteger(-1);
            // From the cron time to the task's start, through a durable commit: well under a second.
            QVERIFY2(lateness >= 0 && lateness < 500, qPrintable(QString::number(lateness)));
        }
    }
}

void TestServe::cancelFromTheCommandLineStopsARunningTask()
{
    const QString db = m_dir.filePath(QStringLiteral("cancel.db"));
    TaskSpec spec;
    spec.action = ActionSpec::shell(QStringLiteral("exec sleep 60"));
    enqueueMany(db, spec, 1);
    QProcess serve;
    serve.start(m_program, {QStringLiteral("--db"), db, QStringLiteral("serve"), QStringLiteral("--quiet")});
    QVERIFY(serve.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(countInState(db, TaskState::Running), 1, 30000);
    const Result cancel =
        ctl({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("cancel"), QStringLiteral("1")});
    QCOMPARE(cancel.exitCode, 0);
    QTRY_COMPARE_WITH_TIMEOUT(countInState(db, TaskState::Cancelled), 1, 30000);
    const Result again =
        ctl({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("cancel"), QStringLiteral("1")});
    QCOMPARE(again.exitCode, 1);
    QCOMPARE(again.err, QStringLiteral("taskdeckctl: task 1 is already cancelled\n"));
    serve.terminate();
    QVERIFY(serve.waitForFinished(30000));
    QCOMPARE(serve.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"

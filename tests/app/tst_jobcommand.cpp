// `taskdeckctl job ...` as a script would use it: the real binary on a real database file.

#include "ctlrun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

class TestJobCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void theSampleJobsImportAndListWithTheirNextFires();
    void aJobIsAddedEditedPausedRunAndRemoved();
    void everyJobIsPausedAndResumedAtOnce();
    void listAndShowSayHowTheRunsWent();
    void aBadImportWritesNothing();
    void exportThenImportGivesTheSameJobs();
    void badInputExitsTwo_data();
    void badInputExitsTwo();

private:
    CtlRun ctl(const QString &db, const QStringList &arguments)
    {
        return runProgram(m_program, QStringList{QStringLiteral("--db"), db} + arguments);
    }
    QJsonArray jobList(const QString &db)
    {
        return QJsonDocument::fromJson(
                   ctl(db, {QStringLiteral("job"), QStringLiteral("list"), QStringLiteral("--json")}).out.toUtf8())
            .array();
    }
    QString dbPath(const QString &name) { return m_dir.filePath(name + QStringLiteral(".db")); }

    QString m_program;
    QString m_sample;
    QTemporaryDir m_dir;
};

void TestJobCommand::initTestCase()
{
    m_program = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECKCTL"));
    QVERIFY2(!m_program.isEmpty(), "TASKDECKCTL must name the taskdeckctl binary (set by ctest)");
    m_sample = QStringLiteral(TASKDECK_SOURCE_DIR "/resources/sample-jobs.json");
}

void TestJobCommand::theSampleJobsImportAndListWithTheirNextFires()
{
    const QString db = dbPath(QStringLiteral("sample"));
    const CtlRun imported = ctl(db, {QStringLiteral("job"), QStringLiteral("import"), m_sample});
    QCOMPARE(imported.err, QString());
    QCOMPARE(imported.out, QStringLiteral("9 added, 0 replaced; subscriptions: 1 added, 0 replaced\n"));
    const QJsonArray jobs = jobList(db);
    QCOMPARE(jobs.size(), 9);
    for (const QJsonValue &value : jobs) {
        const QJsonObject job = value.toObject();
        // Scheduled jobs say when they fire next; a folder watch and a job run by events do not.
        QCOMPARE(!job.value(QStringLiteral("next_fire")).toString().isEmpty(),
                 !job.value(QStringLiteral("schedule")).toString().isEmpty());
        QCOMPARE(job.value(QStringLiteral("revision")).toInt(), 1);
    }
    // Importing again replaces them (a new revision each), adding nothing.
    QCOMPARE(ctl(db, {QStringLiteral("job"), QStringLiteral("import"), m_sample}).out,
             QStringLiteral("0 added, 9 replaced; subscriptions: 0 added, 1 replaced\n"));
    QCOMPARE(jobList(db).first().toObject().value(QStringLiteral("revision")).toInt(), 2);
}

void TestJobCommand::aJobIsAddedEditedPausedRunAndRemoved()
{
    const QString db = dbPath(QStringLiteral("life"));
    const QString job = QStringLiteral("job");
    const QString id = QStringLiteral("backup");
    CtlRun r = ctl(db, {job, QStringLiteral("add"), QStringLiteral("--id"), id, QStringLiteral("--schedule"),
                        QStringLiteral("30 2 * * *"), QStringLiteral("--tz"), QStringLiteral("Europe/Berlin"),
                        QStringLiteral("--exec"), QStringLiteral("true"), QStringLiteral("--"), QStringLiteral("a b")});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("backup added; next fire: ")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("T02:30:00+01:00")), qPrintable(r.out)); // 02:30 in Berlin, winter

    r = ctl(db, {job, QStringLiteral("add"), QStringLiteral("--id"), id, QStringLiteral("--shell"),
                 QStringLiteral("true")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, QStringLiteral("taskdeckctl: job 'backup' exists\n"));

    // Editing changes only what is given.
    r = ctl(db, {job, QStringLiteral("edit"), QStringLiteral("--id"), id, QStringLiteral("--overlap"),
                 QStringLiteral("queue-one"), QStringLiteral("--jitter"), QStringLiteral("30")});
    QCOMPARE(r.err, QString());
    QJsonObject shown =
        QJsonDocument::fromJson(ctl(db, {job, QStringLiteral("show"), id, QStringLiteral("--json")}).out.toUtf8())
            .object();
    QCOMPARE(shown.value(QStringLiteral("overlap")).toString(), QStringLiteral("queue-one"));
    QCOMPARE(shown.value(QStringLiteral("jitter_seconds")).toInt(), 30);
    QCOMPARE(shown.value(QStringLiteral("schedule")).toString(), QStringLiteral("30 2 * * *"));
    QCOMPARE(shown.value(QStringLiteral("action")).toObject().value(QStringLiteral("args")).toArray(),
             (QJsonArray{QStringLiteral("a b")}));
    QCOMPARE(shown.value(QStringLiteral("revision")).toInt(), 2);

    r = ctl(db, {job, QStringLiteral("pause"), id, QStringLiteral("--reason"), QStringLiteral("disk swap"),
                 QStringLiteral("--until"), QStringLiteral("2099-01-01T00:00:00+00:00")});
    QCOMPARE(r.err, QString());
    shown = QJsonDocument::fromJson(ctl(db, {job, QStringLiteral("show"), id, QStringLiteral("--json")}).out.toUtf8())
                .object();
    QCOMPARE(shown.value(QStringLiteral("paused")).toBool(), true);
    QCOMPARE(shown.value(QStringLiteral("pause_reason")).toString(), QStringLiteral("disk swap"));
    QCOMPARE(shown.value(QStringLiteral("resume_at")).toString(), QStringLiteral("2099-01-01T00:00:00+00:00"));
    // Paused until then: the next fire is the first after it.
    QVERIFY2(shown.value(QStringLiteral("next_fire")).toString().startsWith(QStringLiteral("2099-01-01T02:30:00")),
             qPrintable(shown.value(QStringLiteral("next_fire")).toString()));
    QCOMPARE(ctl(db, {job, QStringLiteral("pause"), id, QStringLiteral("--until"), QStringLiteral("2000-01-01")}).err,
             QStringLiteral("taskdeckctl: until: that time has passed\n"));

    // Run now, paused or not: a task of the job, recorded as a run-now fire.
    r = ctl(db, {job, QStringLiteral("run-now"), id});
    QCOMPARE(r.err, QString());
    const QString task = r.out.trimmed();
    QVERIFY(task.toLongLong() > 0);
    const QJsonObject shownTask =
        QJsonDocument::fromJson(
            ctl(db, {QStringLiteral("task"), QStringLiteral("show"), task, QStringLiteral("--json")}).out.toUtf8())
            .object();
    QCOMPARE(shownTask.value(QStringLiteral("job")).toString(), id);
    QCOMPARE(shownTask.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
    const QJsonArray fires =
        QJsonDocument::fromJson(ctl(db, {job, QStringLiteral("history"), id, QStringLiteral("--json")}).out.toUtf8())
            .array();
    QCOMPARE(fires.size(), 1);
    QCOMPARE(fires.first().toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("run-now"));
    QCOMPARE(fires.first().toObject().value(QStringLiteral("task")).toInteger(), task.toLongLong());
    QCOMPARE(fires.first().toObject().value(QStringLiteral("task_state")).toString(), QStringLiteral("queued"));

    QCOMPARE(ctl(db, {job, QStringLiteral("resume"), id}).out, QStringLiteral("backup resumed\n"));
    QCOMPARE(jobList(db).first().toObject().value(QStringLiteral("paused")).toBool(), false);
    QCOMPARE(ctl(db, {job, QStringLiteral("remove"), id}).out, QStringLiteral("backup removed\n"));
    QVERIFY(jobList(db).isEmpty());
    r = ctl(db, {job, QStringLiteral("remove"), id});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, QStringLiteral("taskdeckctl: no job 'backup'\n"));
}

void TestJobCommand::everyJobIsPausedAndResumedAtOnce()
{
    const QString db = dbPath(QStringLiteral("pause-all"));
    const QString job = QStringLiteral("job");
    for (const QString &id : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
        QCOMPARE(ctl(db, {job, QStringLiteral("add"), QStringLiteral("--id"), id, QStringLiteral("--schedule"),
                          QStringLiteral("@hourly"), QStringLiteral("--handler"), QStringLiteral("noop")})
                     .exitCode,
                 0);
    // b was paused on its own: pausing all leaves its reason alone.
    QCOMPARE(ctl(db, {job, QStringLiteral("pause"), QStringLiteral("b"), QStringLiteral("--reason"),
                      QStringLiteral("broken disk")})
                 .exitCode,
             0);
    CtlRun r = ctl(db, {job, QStringLiteral("pause"), QStringLiteral("--all"), QStringLiteral("--reason"),
                        QStringLiteral("maintenance window")});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, QStringLiteral("a paused\nc paused\n"));
    QJsonArray jobs = jobList(db);
    QCOMPARE(jobs.size(), 3);
    QCOMPARE(jobs.at(0).toObject().value(QStringLiteral("pause_reason")).toString(),
             QStringLiteral("maintenance window"));
    QCOMPARE(jobs.at(1).toObject().value(QStringLiteral("pause_reason")).toString(), QStringLiteral("broken disk"));
    QCOMPARE(jobs.at(2).toObject().value(QStringLiteral("paused")).toBool(), true);
    QCOMPARE(ctl(db, {job, QStringLiteral("pause"), QStringLiteral("--all")}).out,
             QStringLiteral("no job to pause: every job is paused already\n"));

    r = ctl(db, {job, QStringLiteral("resume"), QStringLiteral("--all")});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, QStringLiteral("a resumed\nb resumed\nc resumed\n"));
    for (const QJsonValue &value : jobList(db))
        QCOMPARE(value.toObject().value(QStringLiteral("paused")).toBool(), false);

    r = ctl(db, {job, QStringLiteral("pause"), QStringLiteral("--all"), QStringLiteral("a")});
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err, QStringLiteral("taskdeckctl: --all takes no job id\n"));
}

void TestJobCommand::listAndShowSayHowTheRunsWent()
{
    const QString db = dbPath(QStringLiteral("statistics"));
    const QString job = QStringLiteral("job");
    QCOMPARE(ctl(db, {job, QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("flaky"),
                      QStringLiteral("--handler"), QStringLiteral("fail"), QStringLiteral("--max-attempts"),
                      QStringLiteral("1")})
                 .exitCode,
             0);
    QCOMPARE(ctl(db, {job, QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("steady"),
                      QStringLiteral("--handler"), QStringLiteral("noop")})
                 .exitCode,
             0);
    // Before any run: nothing to say, and no division by zero.
    QJsonObject stats = jobList(db).first().toObject().value(QStringLiteral("statistics")).toObject();
    QCOMPARE(stats.value(QStringLiteral("runs")).toInt(), 0);
    QVERIFY(stats.value(QStringLiteral("success_rate")).isNull());

    for (int i = 0; i < 3; ++i)
        QCOMPARE(ctl(db, {job, QStringLiteral("run-now"), QStringLiteral("steady")}).exitCode, 0);
    QCOMPARE(ctl(db, {job, QStringLiteral("run-now"), QStringLiteral("flaky")}).exitCode, 0);
    const CtlRun served = ctl(db, {QStringLiteral("serve"), QStringLiteral("--until-idle"), QStringLiteral("--quiet")});
    QCOMPARE(served.exitCode, 0);

    const QJsonArray jobs = jobList(db);
    QCOMPARE(jobs.size(), 2);
    stats = jobs.at(0).toObject().value(QStringLiteral("statistics")).toObject();
    QCOMPARE(stats.value(QStringLiteral("runs")).toInt(), 1);
    QCOMPARE(stats.value(QStringLiteral("failed")).toInt(), 1);
    QCOMPARE(stats.value(QStringLiteral("dead_letters")).toInt(), 1);
    QCOMPARE(stats.value(QStringLiteral("success_rate")).toDouble(), 0.0);
    QCOMPARE(stats.value(QStringLiteral("last_outcome")).toString(), QStringLiteral("dead"));
    stats = jobs.at(1).toObject().value(QStringLiteral("statistics")).toObject();
    QCOMPARE(stats.value(QStringLiteral("runs")).toInt(), 3);
    QCOMPARE(stats.value(QStringLiteral("succeeded")).toInt(), 3);
    QCOMPARE(stats.value(QStringLiteral("success_rate")).toDouble(), 1.0);
    QVERIFY(stats.value(QStringLiteral("p50_duration_ms")).toDouble() >= 0);
    QVERIFY(stats.value(QStringLiteral("p95_duration_ms")).toDouble() >=
            stats.value(QStringLiteral("p50_duration_ms")).toDouble());
    QCOMPARE(stats.value(QStringLiteral("last_outcome")).toString(), QStringLiteral("succeeded"));

    const CtlRun shown = ctl(db, {job, QStringLiteral("show"), QStringLiteral("flaky")});
    QVERIFY2(shown.out.contains(QStringLiteral("1 runs ended: 0 succeeded, 1 failed, 0 cancelled; success rate 0%")),
             qPrintable(shown.out));
    QVERIFY2(shown.out.contains(QStringLiteral("1 waiting (taskdeckctl dlq list)")), qPrintable(shown.out));
    const CtlRun listed = ctl(db, {job, QStringLiteral("list")});
    QVERIFY2(listed.out.contains(QStringLiteral("100%")), qPrintable(listed.out));
}

void TestJobCommand::aBadImportWritesNothing()
{
    const QString db = dbPath(QStringLiteral("bad-import"));
    QVERIFY(ctl(db, {QStringLiteral("job"), QStringLiteral("import"), m_sample}).exitCode == 0);
    const QString path = m_dir.filePath(QStringLiteral("bad.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"version": 1, "jobs": [
        {"id": "new-one", "action": {"type": "handler", "name": "noop"}},
        {"id": "cleanup-temp-files", "action": {"type": "handler", "name": "noop"}},
        {"id": "sync", "schedule": "61 2 * * *", "action": {"type": "handler", "name": "noop"}}]})");
    file.close();
    const CtlRun r = ctl(db, {QStringLiteral("job"), QStringLiteral("import"), path});
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err, QStringLiteral("taskdeckctl: %1: jobs[2] \"sync\": schedule: minute: 61 is out of range 0-59 "
                                   "(column 1)\n")
                        .arg(path));
    const QJsonArray jobs = jobList(db);
    QCOMPARE(jobs.size(), 9); // neither the new job nor the replacement was written
    for (const QJsonValue &job : jobs)
        QCOMPARE(job.toObject().value(QStringLiteral("revision")).toInt(), 1);
}

void TestJobCommand::exportThenImportGivesTheSameJobs()
{
    const QString from = dbPath(QStringLiteral("export-from"));
    const QString to = dbPath(QStringLiteral("export-to"));
    QCOMPARE(ctl(from, {QStringLiteral("job"), QStringLiteral("import"), m_sample}).exitCode, 0);
    QCOMPARE(ctl(from, {QStringLiteral("job"), QStringLiteral("pause"), QStringLiteral("sync-external-data"),
                        QStringLiteral("--reason"), QStringLiteral("partner down")})
                 .exitCode,
             0);
    const QString file = m_dir.filePath(QStringLiteral("exported.json"));
    const CtlRun exported = ctl(from, {QStringLiteral("job"), QStringLiteral("export"), file});
    QCOMPARE(exported.out, QStringLiteral("9 jobs and 1 subscription written to %1\n").arg(file));
    QCOMPARE(ctl(to, {QStringLiteral("job"), QStringLiteral("import"), file}).out,
             QStringLiteral("9 added, 0 replaced; subscriptions: 1 added, 0 replaced\n"));
    const auto definitions = [this](const QString &db) {
        QJsonArray jobs = jobList(db);
        for (qsizetype i = 0; i < jobs.size(); ++i) {
            QJsonObject job = jobs.at(i).toObject();
            for (const char *key : {"revision", "created_at", "updated_at"})
                job.remove(QString::fromLatin1(key));
            jobs[i] = job;
        }
        return jobs;
    };
    QCOMPARE(definitions(to), definitions(from));
}

void TestJobCommand::badInputExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error");
    const QString job = QStringLiteral("job");
    const QString add = QStringLiteral("add");
    const QStringList base{
        job, add, QStringLiteral("--id"), QStringLiteral("x"), QStringLiteral("--shell"), QStringLiteral("true")};
    QTest::newRow("no id") << QStringList{job, add, QStringLiteral("--shell"), QStringLiteral("true")}
                           << QStringLiteral("--id is missing");
    QTest::newRow("no action") << QStringList{job, add, QStringLiteral("--id"), QStringLiteral("x")}
                               << QStringLiteral("choose one action: --exec, --shell, --http, --handler or --action");
    QTest::newRow("bad id") << QStringList{job,
                                           add,
                                           QStringLiteral("--id"),
                                           QStringLiteral("X Y"),
                                           QStringLiteral("--shell"),
                                           QStringLiteral("true")}
                            << QStringLiteral(
                                   "id: 'X Y' is not a job id (lower-case letters, digits, '-', '_' and '.', "
                                   "starting with a letter or digit; up to 64)");
    QTest::newRow("bad schedule")
        << base + QStringList{QStringLiteral("--schedule"), QStringLiteral("* * *")}
        << QStringLiteral("--schedule: expression: has 3 fields; expected 5 (minute hour day-of-month month "
                          "day-of-week) or 6 (second first)");
    QTest::newRow("bad zone") << base + QStringList{QStringLiteral("--tz"), QStringLiteral("Berlin")}
                              << QStringLiteral("--tz: unknown time zone 'Berlin' (use an IANA name such as "
                                                "Europe/Berlin, UTC, or UTC+05:30)");
    QTest::newRow("bad overlap") << base + QStringList{QStringLiteral("--overlap"), QStringLiteral("never")}
                                 << QStringLiteral("--overlap: 'never' is not one of allow, skip, queue-one, replace");
    QTest::newRow("bad misfire") << base + QStringList{QStringLiteral("--misfire"), QStringLiteral("twice")}
                                 << QStringLiteral("--misfire: 'twice' is not one of skip, once, all");
    QTest::newRow("negative jitter") << base + QStringList{QStringLiteral("--jitter"), QStringLiteral("-5")}
                                     << QStringLiteral("--jitter: '-5' is not a number of seconds from 0 to 86400");
    QTest::newRow("bad notify") << base + QStringList{QStringLiteral("--notify"), QStringLiteral("failure,sms")}
                                << QStringLiteral("notify: 'sms' is not one of failure, dead_letter, misfire, success");
    QTest::newRow("schedule and manual") << base + QStringList{QStringLiteral("--schedule"), QStringLiteral("@daily"),
                                                               QStringLiteral("--manual")}
                                         << QStringLiteral("--schedule and --manual contradict each other");
    QTest::newRow("bad until") << QStringList{job, QStringLiteral("pause"), QStringLiteral("x"),
                                              QStringLiteral("--until"), QStringLiteral("tomorrow")}
                               << QStringLiteral("--until: 'tomorrow' is not an ISO-8601 date-time such as "
                                                 "2026-03-29T01:30:00+01:00");
    QTest::newRow("two ids") << QStringList{job, QStringLiteral("run-now"), QStringLiteral("a"), QStringLiteral("b")}
                             << QStringLiteral("expected one job id");
    QTest::newRow("missing file") << QStringList{job, QStringLiteral("import"),
                                                 QStringLiteral("/nonexistent/jobs.json")}
                                  << QStringLiteral("/nonexistent/jobs.json: No such file or directory");
    QTest::newRow("unknown command") << QStringList{job, QStringLiteral("frob")}
                                     << QStringLiteral("job: unknown command 'frob' (see: taskdeckctl job --help)");
}

void TestJobCommand::badInputExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    const QString db = dbPath(QStringLiteral("untouched"));
    const CtlRun r = ctl(db, arguments);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.out, QString());
    QCOMPARE(r.err, QStringLiteral("taskdeckctl: ") + error + QLatin1Char('\n'));
    QVERIFY(!QFile::exists(db)); // refused before anything was written
}

QTEST_GUILESS_MAIN(TestJobCommand)
#include "tst_jobcommand.moc"

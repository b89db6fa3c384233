// Jobs and jobs files: every field read, checked and written back; errors name the job and field.

#include "actions/actionspec.h"
#include "scheduler/job.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

using namespace Taskdeck::Core;

class TestJob : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFieldSurvivesARoundTrip();
    void defaultsAreTheDocumentedOnes();
    void badFilesAreRefusedNamingJobAndField_data();
    void badFilesAreRefusedNamingJobAndField();
    void theSampleJobsFileIsValid();
    void aRunsTaskCarriesTheJob();
};

namespace {

QByteArray file(const QString &jobs)
{
    return QStringLiteral(R"({"version": 1, "jobs": [%1]})").arg(jobs).toUtf8();
}

} // namespace

void TestJob::everyFieldSurvivesARoundTrip()
{
    Job job;
    job.id = QStringLiteral("sync-external-data");
    job.title = QStringLiteral("Sync external data");
    job.description = QStringLiteral("Pulls the partner feed.");
    job.schedule = QStringLiteral("0 2 * * *");
    job.timeZone = QStringLiteral("Europe/Berlin");
    job.task.action = ActionSpec::exec(QStringLiteral("true"), {QStringLiteral("--x")});
    job.task.payload = QJsonObject{{QStringLiteral("feed"), QStringLiteral("partners")}};
    job.task.queue = QStringLiteral("sync");
    job.task.priority = 5;
    job.task.timeoutMs = 600000;
    job.task.retry.maxAttempts = 3;
    job.task.retry.baseDelayMs = 2000;
    job.task.retry.maxDelayMs = 60000;
    job.task.retry.noRetryExitCodes = {2};
    job.overlap = OverlapPolicy::QueueOne;
    job.misfire = MisfirePolicy::All;
    job.misfireMax = 4;
    job.startingDeadlineMs = 3600000;
    job.jitterSeconds = 30;
    job.notify = {QStringLiteral("failure"), QStringLiteral("success")};
    job.paused = true;
    job.pauseReason = QStringLiteral("partner maintenance");
    job.resumeAt = QDateTime(QDate(2026, 12, 24), QTime(8, 0), QTimeZone::utc());
    QString error;
    QVERIFY2(job.validate(&error), qPrintable(error));

    const auto files = JobsFile::parse(JobsFile::write({job}), &error);
    QVERIFY2(files, qPrintable(error));
    QCOMPARE(files->size(), 1);
    const Job &back = files->first();
    QCOMPARE(back.toJson(), job.toJson());
    QCOMPARE(back.id, job.id);
    QCOMPARE(back.schedule, job.schedule);
    QCOMPARE(back.timeZone, job.timeZone);
    QCOMPARE(back.task.retry, job.task.retry);
    QCOMPARE(back.task.timeoutMs, job.task.timeoutMs);
    QCOMPARE(back.overlap, job.overlap);
    QCOMPARE(back.misfire, job.misfire);
    QCOMPARE(back.misfireMax, 4);
    QCOMPARE(back.startingDeadlineMs, job.startingDeadlineMs);
    QCOMPARE(back.jitterSeconds, 30);
    QCOMPARE(back.notify, job.notify);
    QVERIFY(back.paused);
    QCOMPARE(back.pauseReason, job.pauseReason);
    QCOMPARE(back.resumeAt, job.resumeAt);
}

void TestJob::defaultsAreTheDocumentedOnes()
{
    QString error;
    const auto jobs =
        JobsFile::parse(file(QStringLiteral(R"({"id": "a", "action": {"type": "handler", "name": "noop"}})")), &error);
    QVERIFY2(jobs, qPrintable(error));
    const Job &job = jobs->first();
    QVERIFY(job.schedule.isEmpty()); // run by hand only
    QCOMPARE(job.overlap, OverlapPolicy::Skip);
    QCOMPARE(job.misfire, MisfirePolicy::Once);
    QCOMPARE(job.task.queue, QStringLiteral("default"));
    QCOMPARE(job.task.retry, RetryPolicy());
    QCOMPARE(job.notify,
             (QStringList{QStringLiteral("failure"), QStringLiteral("dead_letter"), QStringLiteral("misfire")}));
    QVERIFY(!job.paused);
}

void TestJob::badFilesAreRefusedNamingJobAndField_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    const QString noop = QStringLiteral(R"("action": {"type": "handler", "name": "noop"})");
    const auto job = [&](const QString &id, const QString &fields) {
        return QStringLiteral(R"({"id": "%1", %2, %3})").arg(id, noop, fields);
    };
    QTest::newRow("not JSON") << QByteArray("{\"version\": 1,")
                              << QStringLiteral("malformed JSON at character 14: unterminated object");
    QTest::newRow("no version") << QByteArray(R"({"jobs": []})")
                                << QStringLiteral("version: expected 1, the only version there is");
    QTest::newRow("future version") << QByteArray(R"({"version": 2, "jobs": []})")
                                    << QStringLiteral("version: expected 1, the only version there is");
    QTest::newRow("unknown top-level field")
        << QByteArray(R"({"version": 1, "jobs": [], "extra": 1})")
        << QStringLiteral("extra: not a field here (known: version, jobs, subscriptions)");
    QTest::newRow("minute out of range")
        << file(QStringLiteral(R"({"id": "a", %1}, {"id": "b", %1}, %2)")
                    .arg(noop, job(QStringLiteral("sync"), QStringLiteral(R"("schedule": "61 2 * * *")"))))
        << QStringLiteral(R"(jobs[2] "sync": schedule: minute: 61 is out of range 0-59 (column 1))");
    QTest::newRow("bad zone")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("schedule": "@daily", "timezone": "Berlin")")))
        << QStringLiteral(
               R"(jobs[0] "a": timezone: unknown time zone 'Berlin' (use an IANA name such as Europe/Berlin, UTC, or UTC+05:30))");
    QTest::newRow("bad id")
        << file(QStringLiteral(R"({"id": "Has Space", %1})").arg(noop))
        << QStringLiteral(
               R"(jobs[0] "Has Space": id: 'Has Space' is not a job id (lower-case letters, digits, '-', '_' and '.', starting with a letter or digit; up to 64))");
    QTest::newRow("duplicate id") << file(job(QStringLiteral("a"), QStringLiteral(R"("priority": 1)")) +
                                          QLatin1Char(',') +
                                          job(QStringLiteral("a"), QStringLiteral(R"("priority": 2)")))
                                  << QStringLiteral(R"(jobs[1] "a": id: 'a' is used by an earlier job in the file)");
    QTest::newRow("unknown field")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("schedul": "@daily")")))
        << QStringLiteral(
               R"(jobs[0] "a": schedul: not a field here (known: id, title, description, schedule, timezone, watch, action, payload, queue, priority, timeout_seconds, retry, overlap, misfire, misfire_max, starting_deadline_seconds, jitter_seconds, notify, paused, pause_reason, resume_at))");
    QTest::newRow("missing action") << file(QStringLiteral(R"({"id": "a"})"))
                                    << QStringLiteral(R"(jobs[0] "a": action: missing)");
    QTest::newRow("missing program")
        << file(QStringLiteral(R"({"id": "a", "action": {"type": "exec", "program": "no-such-program-xyz"}})"))
        << QStringLiteral(R"(jobs[0] "a": action: exec: no program 'no-such-program-xyz' in PATH)");
    QTest::newRow("bad overlap")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("overlap": "sometimes")")))
        << QStringLiteral(R"(jobs[0] "a": overlap: 'sometimes' is not one of allow, skip, queue-one, replace)");
    QTest::newRow("bad misfire") << file(job(QStringLiteral("a"), QStringLiteral(R"("misfire": 1)")))
                                 << QStringLiteral(R"(jobs[0] "a": misfire: expected a string)");
    QTest::newRow("negative jitter") << file(job(QStringLiteral("a"), QStringLiteral(R"("jitter_seconds": -1)")))
                                     << QStringLiteral(R"(jobs[0] "a": jitter_seconds: -1 is out of range 0 to 86400)");
    QTest::newRow("fractional priority") << file(job(QStringLiteral("a"), QStringLiteral(R"("priority": 1.5)")))
                                         << QStringLiteral(R"(jobs[0] "a": priority: expected a whole number)");
    QTest::newRow("bad retry field")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("retry": {"max_attempts": 0})")))
        << QStringLiteral(R"(jobs[0] "a": retry.max_attempts: expected a whole number from 1 to 1000)");
    QTest::newRow("unknown retry field")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("retry": {"tries": 3})")))
        << QStringLiteral(
               R"(jobs[0] "a": retry.tries: not a field here (known: max_attempts, base_ms, max_ms, delays_ms, no_retry_exit_codes, jitter))");
    QTest::newRow("bad notify")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("notify": ["failure", "sms"])")))
        << QStringLiteral(R"(jobs[0] "a": notify: 'sms' is not one of failure, dead_letter, misfire, success)");
    QTest::newRow("resume without pause")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("resume_at": "2026-12-24T08:00:00+00:00")")))
        << QStringLiteral(R"(jobs[0] "a": resume_at: the job is not paused)");
    QTest::newRow("bad resume time")
        << file(job(QStringLiteral("a"), QStringLiteral(R"("paused": true, "resume_at": "soon")")))
        << QStringLiteral(
               R"(jobs[0] "a": resume_at: 'soon' is not an ISO-8601 date-time such as 2026-03-29T01:30:00+01:00)");
    QTest::newRow("a job that is not an object")
        << file(QStringLiteral("3")) << QStringLiteral("jobs[0]: expected a job object");
}

void TestJob::badFilesAreRefusedNamingJobAndField()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!JobsFile::parse(text, &why));
    QCOMPARE(why, error);
}

void TestJob::theSampleJobsFileIsValid()
{
    QFile sample(QStringLiteral(TASKDECK_SOURCE_DIR "/resources/sample-jobs.json"));
    QVERIFY2(sample.open(QIODevice::ReadOnly), qPrintable(sample.fileName()));
    QString error;
    const auto jobs = JobsFile::parse(sample.readAll(), &error);
    QVERIFY2(jobs, qPrintable(error));
    QStringList ids;
    for (const Job &job : *jobs)
        ids.append(job.id);
    QCOMPARE(ids, (QStringList{QStringLiteral("cleanup-expired-cache"), QStringLiteral("refresh-available-resources"),
                               QStringLiteral("sync-external-data"), QStringLiteral("cleanup-temp-files"),
                               QStringLiteral("generate-weekly-reports"), QStringLiteral("purge-old-history"),
                               QStringLiteral("optimize-database"), QStringLiteral("dataset-inbox"),
                               QStringLiteral("log-dataset-failure")}));
    QCOMPARE(jobs->at(0).schedule, QStringLiteral("*/10 * * * *"));
    QCOMPARE(jobs->at(1).schedule, QStringLiteral("0 0 * * MON"));
    QCOMPARE(jobs->at(2).schedule, QStringLiteral("0 2 * * *"));
    QCOMPARE(jobs->at(3).schedule, QStringLiteral("0 1 * * *"));
    QCOMPARE(jobs->at(4).schedule, QStringLiteral("0 9 * * MON"));
    // The seed's maintenance patterns run as the built-in actions, not as shell lines.
    QCOMPARE(jobs->at(0).task.action.value(QStringLiteral("type")).toString(), QStringLiteral("cleanup"));
    QCOMPARE(jobs->at(3).task.action.value(QStringLiteral("type")).toString(), QStringLiteral("cleanup"));
    QCOMPARE(jobs->at(4).task.action.value(QStringLiteral("type")).toString(), QStringLiteral("report"));
    QCOMPARE(jobs->at(5).task.action.value(QStringLiteral("type")).toString(), QStringLiteral("purge-history"));
    QCOMPARE(jobs->at(6).task.action.value(QStringLiteral("type")).toString(), QStringLiteral("vacuum"));
    // The seed's dataset pipeline: a folder watch, three steps that wait and one in the background.
    const Job &datasets = jobs->at(7);
    QCOMPARE(datasets.watch.dir, QStringLiteral("~/TaskdeckDatasets/inbox"));
    QCOMPARE(datasets.task.action.value(QStringLiteral("type")).toString(), QStringLiteral("pipeline"));
    QCOMPARE(datasets.task.action.value(QStringLiteral("steps")).toArray().size(), 4);
    sample.seek(0);
    const auto all = JobsFile::parseContent(sample.readAll(), &error, {}, true);
    QVERIFY2(all, qPrintable(error));
    QCOMPARE(all->subscriptions.size(), 1);
    QCOMPARE(all->subscriptions.first().jobId, QStringLiteral("log-dataset-failure"));
}

void TestJob::aRunsTaskCarriesTheJob()
{
    Job job;
    job.id = QStringLiteral("nightly");
    job.task.action = ActionSpec::handler(QStringLiteral("noop"));
    job.task.priority = 3;
    const TaskSpec spec = job.taskSpec();
    QCOMPARE(spec.job, QStringLiteral("nightly"));
    QCOMPARE(spec.priority, 3);
    QCOMPARE(spec.action, job.task.action);
}

QTEST_GUILESS_MAIN(TestJob)
#include "tst_job.moc"

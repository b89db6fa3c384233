// The scheduler on a real SQLite file and a real engine; the wall clock is a ManualClock that the
// tests move before calling wake(), so no test waits for a fire time. Only the engine's own task
// execution is waited for (QSignalSpy/QTRY_).

#include "actions/actionspec.h"
#include "actions/builtinhandlers.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "queue/taskstore.h"
#include "scheduler/job.h"
#include "scheduler/jobnotifier.h"
#include "scheduler/jobrepository.h"
#include "scheduler/jobstore.h"
#include "scheduler/scheduler.h"
#include "store/storewriter.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <algorithm>
#include <memory>

using namespace Taskdeck::Core;

namespace {

QDateTime utc(int year, int month, int day, int hour, int minute, int second = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second), QTimeZone::utc());
}

// Most tests live on one day.
QDateTime today(int hour, int minute, int second = 0)
{
    return utc(2026, 12, 3, hour, minute, second);
}

Job makeJob(const QString &id, const QString &schedule, const QString &zone = QStringLiteral("UTC"))
{
    Job job;
    job.id = id;
    job.schedule = schedule;
    job.timeZone = zone;
    job.task.action = ActionSpec::handler(QStringLiteral("noop"));
    // Runs may overlap: whether the worker finished the last one before the clock moves on
    // depends on how busy the machine is, and the tests of overlap policies use slowJob().
    job.overlap = OverlapPolicy::Allow;
    return job;
}

// A job whose runs last a minute of real time unless cancelled: "still running" for overlaps.
Job slowJob(const QString &id, OverlapPolicy overlap)
{
    Job job = makeJob(id, QStringLiteral("*/5 * * * *"));
    job.task.action = ActionSpec::handler(QStringLiteral("sleep"));
    job.task.payload = QJsonObject{{QStringLiteral("ms"), 60000}};
    job.overlap = overlap;
    return job;
}

// "2026-12-03T12:05:00+00:00 scheduled queued": one fire, in UTC, for comparing lists.
QString summary(const FireRecord &fire)
{
    return fire.scheduledAt.toTimeZone(QTimeZone::utc()).toString(Qt::ISODateWithMs) + QLatin1Char(' ') + fire.kind +
           QLatin1Char(' ') + fire.outcome;
}

QString summary(const QDateTime &scheduledAt, const QString &kind, const QString &outcome)
{
    FireRecord fire;
    fire.scheduledAt = scheduledAt;
    fire.kind = kind;
    fire.outcome = outcome;
    return summary(fire);
}

QStringList summaries(const QList<FireRecord> &fires)
{
    QStringList list;
    for (const FireRecord &fire : fires)
        list.append(summary(fire));
    return list;
}

} // namespace

class TestScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void jobFiresAtEachCronTimeInItsOwnZone();
    void overlapSkipRecordsAFireWhileTheLastRunStillRuns();
    void overlapQueueOneLetsOneRunWaitAndSkipsTheNext();
    void overlapAllowQueuesRunsSideBySide();
    void overlapReplaceCancelsTheRunningTaskAndQueuesANewOne();
    void misfireOnceRunsOneCatchUpForAllFiresMissedWhileDown();
    void misfireSkipRecordsTheMissedFiresAsOne();
    void misfireAllRunsUpToMisfireMaxCatchUpsSpreadOut();
    void missedFirePastTheStartingDeadlineIsNotCaughtUp();
    void clockGoingBackNeverFiresATimeTwice();
    void fixedTimeJobFiresOnceAcrossDaylightSavingChanges_data();
    void fixedTimeJobFiresOnceAcrossDaylightSavingChanges();
    void pausedJobResumesByItselfWithoutCatchingUp();
    void fireMissedAfterAResumeTimeFollowsTheMisfirePolicy();
    void editingAJobNeverTriggersARun();
    void rebootJobFiresOnceAtStart();
    void aFireIsQueuedAheadAndStartsOnItsTime();
    void aJobRemovedAndAddedAgainTakesItsNewDefinition();
    void firedNamesTheTaskOnceItIsCommitted();
    void notificationsFollowEachJobsNotifyList();
    void planSaysWhatBecomesOfDueAndMissedFires_data();
    void planSaysWhatBecomesOfDueAndMissedFires();

private:
    bool addJob(const Job &job);
    bool setLastFire(const QString &id, const QDateTime &at);
    bool startScheduler(Scheduler::Options options = {}, int workers = 2);
    void barrier();
    void settle();
    void wakeScheduler();
    QList<FireRecord> firesOf(const QString &id); // oldest first
    StoredJob storedJob(const QString &id);
    Task storedTask(qint64 id);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::unique_ptr<StoreWriter> m_writer;
    HandlerRegistry m_handlers;
    ManualClock m_clock{today(12, 0)};
    std::unique_ptr<TaskEngine> m_engine;
    std::unique_ptr<Scheduler> m_scheduler;
};

void TestScheduler::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("scheduler.db"));
    m_writer = std::make_unique<StoreWriter>(m_path);
    QVERIFY(m_writer->isOpen());
    registerBuiltinHandlers(m_handlers);
    m_clock.set(today(12, 0));
}

void TestScheduler::cleanup()
{
    // The scheduler uses the engine, and both the writer.
    m_scheduler.reset();
    m_engine.reset();
    m_writer.reset();
    m_dir.reset();
}

bool TestScheduler::addJob(const Job &job)
{
    QString error;
    if (!JobStore(m_path, &m_clock).add(job, &error)) {
        qWarning("cannot add job %s: %s", qPrintable(job.id), qPrintable(error));
        return false;
    }
    return true;
}

bool TestScheduler::setLastFire(const QString &id, const QDateTime &at)
{
    const auto result = m_writer->run(
        [id, at](QSqlDatabase &db, QVariant *, QString *why) { return JobRepository(db).setLastFire(id, at, why); });
    return result.ok;
}

bool TestScheduler::startScheduler(Scheduler::Options options, int workers)
{
    TaskEngine::Options engineOptions;
    engineOptions.workers = workers;
    engineOptions.randomSeed = 7;
    engineOptions.processGraceMs = 300;
    m_engine = std::make_unique<TaskEngine>(m_writer.get(), &m_handlers, &m_clock, engineOptions);
    // Jobs are reloaded when a test says so, not whenever a QTRY_ happens to spin the event loop.
    options.jobsPollIntervalMs = 0;
    options.randomSeed = 7;
    m_scheduler = std::make_unique<Scheduler>(m_writer.get(), m_engine.get(), &m_clock, options);
    QString error;
    if (!m_engine->start(&error) || !m_scheduler->start(&error)) {
        qWarning("cannot start: %s", qPrintable(error));
        return false;
    }
    return true;
}

void TestScheduler::barrier()
{
    // The writer commits in order: once this runs, everything posted before it is committed.
    m_writer->run([](QSqlDatabase &, QVariant *, QString *) { return true; });
}

void TestScheduler::settle()
{
    // What was committed is handed to the engine through its inbox, a queued call: deliver it, so
    // that the fired() of queued fires (sent once their task is committed) has come.
    barrier();
    QCoreApplication::sendPostedEvents(m_engine.get(), QEvent::MetaCall);
}

void TestScheduler::wakeScheduler()
{
    m_scheduler->wake();
    settle();
}

QList<FireRecord> TestScheduler::firesOf(const QString &id)
{
    barrier();
    QString error;
    const auto fires = JobStore(m_path, &m_clock).fires(id, 0, &error);
    if (!fires) {
        qWarning("cannot read the fires of %s: %s", qPrintable(id), qPrintable(error));
        return {};
    }
    QList<FireRecord> oldestFirst = *fires;
    std::reverse(oldestFirst.begin(), oldestFirst.end());
    return oldestFirst;
}

StoredJob TestScheduler::storedJob(const QString &id)
{
    barrier();
    QString error;
    return JobStore(m_path, &m_clock).find(id, &error).value_or(StoredJob());
}

Task TestScheduler::storedTask(qint64 id)
{
    barrier();
    QString error;
    return TaskStore(m_path, &m_clock).find(id, &error).value_or(Task());
}

void TestScheduler::aFireIsQueuedAheadAndStartsOnItsTime()
{
    QVERIFY(addJob(makeJob(QStringLiteral("soon"), QStringLiteral("*/5 * * * *"))));
    Scheduler::Options options;
    options.leadMs = 250;
    QVERIFY(startScheduler(options));
    QSignalSpy started(m_engine.get(), &TaskEngine::taskStarted);
    // Outside the lead time: nothing yet.
    m_clock.set(today(12, 4, 59).addMSecs(-300));
    m_scheduler->wake();
    QVERIFY(firesOf(QStringLiteral("soon")).isEmpty());
    // Within it: queued now, for 12:05 sharp, and the commit is done before then.
    m_clock.set(today(12, 5).addMSecs(-200));
    m_scheduler->wake();
    const QList<FireRecord> fires = firesOf(QStringLiteral("soon"));
    QCOMPARE(summaries(fires),
             (QStringList{summary(today(12, 5), QStringLiteral("scheduled"), QStringLiteral("queued"))}));
    QCOMPARE(fires.first().at, today(12, 5).addMSecs(-200));
    QTRY_VERIFY(storedTask(fires.first().taskId).id > 0);
    QCOMPARE(storedTask(fires.first().taskId).runAt, today(12, 5));
    m_engine->wake();
    QCOMPARE(started.size(), 0); // not before its time
    // At its time the engine starts it; the scheduler's own wake then fires nothing more.
    m_clock.set(today(12, 5));
    m_engine->wake();
    QTRY_COMPARE(started.size(), 1);
    m_scheduler->wake();
    QCOMPARE(firesOf(QStringLiteral("soon")).size(), 1);
    QCOMPARE(m_scheduler->nextWake(), today(12, 10));
}

void TestScheduler::aJobRemovedAndAddedAgainTakesItsNewDefinition()
{
    QVERIFY(addJob(makeJob(QStringLiteral("again"), QStringLiteral("*/5 * * * *"))));
    QVERIFY(startScheduler());
    QCOMPARE(m_scheduler->nextWake(), today(12, 5));
    QString error;
    QVERIFY2(JobStore(m_path, &m_clock).remove(QStringLiteral("again"), &error), qPrintable(error));
    m_clock.advance(1000); // another creation time, the same revision 1
    QVERIFY(addJob(makeJob(QStringLiteral("again"), QStringLiteral("*/2 * * * *"))));
    m_scheduler->reloadJobs();
    QCOMPARE(m_scheduler->nextWake(), today(12, 2));
}

void TestScheduler::firedNamesTheTaskOnceItIsCommitted()
{
    QVERIFY(addJob(makeJob(QStringLiteral("five"), QStringLiteral("*/5 * * * *"))));
    QVERIFY(startScheduler());
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired);
    m_clock.set(today(12, 5));
    m_scheduler->wake();
    QTRY_COMPARE(fired.size(), 1);
    const QList<FireRecord> fires = firesOf(QStringLiteral("five"));
    QCOMPARE(fires.size(), 1);
    QVERIFY(fires.first().taskId > 0);
    QCOMPARE(fired.first().at(4).toLongLong(), fires.first().taskId);
}

void TestScheduler::notificationsFollowEachJobsNotifyList()
{
    // "loud" hears of everything; "quiet" only of dead letters; "default" has the default list
    // (failure, dead_letter, misfire), so it hears of its dead letter but not of its success.
    Job loud = makeJob(QStringLiteral("loud"), QStringLiteral("*/5 * * * *"));
    loud.title = QStringLiteral("Loud job");
    loud.task.action = ActionSpec::handler(QStringLiteral("fail"));
    loud.task.retry.maxAttempts = 2;
    loud.task.retry.baseDelayMs = 1000;
    loud.task.retry.maxDelayMs = 1000;
    loud.notify = QStringList{QStringLiteral("failure"), QStringLiteral("dead_letter"), QStringLiteral("misfire"),
                              QStringLiteral("success")};
    loud.misfire = MisfirePolicy::Skip;
    Job quiet = makeJob(QStringLiteral("quiet"), QStringLiteral("*/5 * * * *"));
    quiet.notify = QStringList{QStringLiteral("dead_letter")};
    quiet.misfire = MisfirePolicy::Skip;
    Job fine = makeJob(QStringLiteral("default"), QStringLiteral("*/5 * * * *"));
    QVERIFY(addJob(loud));
    QVERIFY(addJob(quiet));
    QVERIFY(addJob(fine));
    QVERIFY(startScheduler());
    JobNotifier notifier(m_scheduler.get(), m_engine.get());
    QSignalSpy notes(&notifier, &JobNotifier::notification);
    const auto noteAt = [&](qsizetype i) { return notes.at(i).first().value<JobNotification>(); };

    // 12:05: all three run; "loud" fails (a retry follows), the others succeed.
    m_clock.set(today(12, 5));
    m_scheduler->wake();
    QTRY_COMPARE(notes.size(), 1);
    JobNotification note = noteAt(0);
    QCOMPARE(note.jobId, QStringLiteral("loud"));
    QCOMPARE(note.jobTitle, QStringLiteral("Loud job"));
    QCOMPARE(note.event, QStringLiteral("failure"));
    QVERIFY(note.taskId > 0);
    QCOMPARE(note.message, QStringLiteral("attempt 1 of 2 failed: failed on purpose; it runs again"));
    // Its retry fails too: a dead letter.
    m_clock.advance(1000);
    m_engine->wake();
    QTRY_COMPARE(notes.size(), 2);
    note = noteAt(1);
    QCOMPARE(note.event, QStringLiteral("dead_letter"));
    QCOMPARE(note.message,
             QStringLiteral("failed for good after 2 attempts: failed on purpose; it waits in the dead letters"));

    // Down from 12:06 to 12:31: "loud" and "quiet" skip what they missed; only "loud" says so.
    m_clock.set(today(12, 31));
    m_scheduler->wake();
    QTRY_COMPARE(notes.size(), 3);
    note = noteAt(2);
    QCOMPARE(note.jobId, QStringLiteral("loud"));
    QCOMPARE(note.event, QStringLiteral("misfire"));
    QCOMPARE(note.taskId, 0);
    settle();
    QCOMPARE(notes.size(), 3);
    for (qsizetype i = 0; i < notes.size(); ++i)
        QVERIFY(noteAt(i).jobId == QLatin1String("loud"));
}

void TestScheduler::jobFiresAtEachCronTimeInItsOwnZone()
{
    const QString everyFive = QStringLiteral("every-five");
    const QString berlin = QStringLiteral("berlin-night");
    QVERIFY(addJob(makeJob(everyFive, QStringLiteral("*/5 * * * *"))));
    // 02:30 in Berlin is 01:30 UTC in December (CET, +01:00), not 02:30 UTC.
    QVERIFY(addJob(makeJob(berlin, QStringLiteral("30 2 * * *"), QStringLiteral("Europe/Berlin"))));
    m_clock.set(today(0, 0));
    QVERIFY(startScheduler());
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired);
    // New jobs fire from now on: 00:00 itself is not theirs.
    QCOMPARE(m_scheduler->nextWake(), today(0, 5));

    QStringList expectedFive;
    QStringList expectedBerlin;
    // Every 2.5 minutes up to 02:40 UTC: on a fire time, then between two.
    for (QDateTime now = today(0, 2, 30); now <= today(2, 40); now = now.addSecs(150)) {
        m_clock.set(now);
        const qsizetype before = fired.size();
        m_scheduler->wake();
        settle();
        const bool onTime = now.time().second() == 0 && now.time().minute() % 5 == 0;
        const bool berlinTime = now == today(1, 30);
        settle();
        QCOMPARE(fired.size() - before, qsizetype(onTime ? 1 : 0) + qsizetype(berlinTime ? 1 : 0));
        for (qsizetype i = before; i < fired.size(); ++i) {
            QCOMPARE(fired.at(i).at(1).toDateTime(), now);
            QCOMPARE(fired.at(i).at(2).toString(), QStringLiteral("scheduled"));
            QCOMPARE(fired.at(i).at(3).toString(), QStringLiteral("queued"));
        }
        if (onTime)
            expectedFive.append(summary(now, QStringLiteral("scheduled"), QStringLiteral("queued")));
        if (berlinTime)
            expectedBerlin.append(summary(now, QStringLiteral("scheduled"), QStringLiteral("queued")));
        // The next cron time of either job; after 01:30 the Berlin job is due tomorrow.
        const QDateTime nextFive =
            QDateTime::fromSecsSinceEpoch((now.toSecsSinceEpoch() / 300 + 1) * 300, QTimeZone::utc());
        QCOMPARE(m_scheduler->nextWake(), nextFive);
        // The run has ended before the next fire time comes (else that fire would overlap it and be
        // skipped, on a machine busy enough to keep the worker from running it).
        QTRY_VERIFY(m_engine->isIdle());
    }
    QCOMPARE(expectedFive.size(), 32); // 00:05 to 02:40

    const QList<FireRecord> fiveFires = firesOf(everyFive);
    QCOMPARE(summaries(fiveFires), expectedFive);
    const QList<FireRecord> berlinFires = firesOf(berlin);
    QCOMPARE(summaries(berlinFires), expectedBerlin);
    QCOMPARE(berlinFires.first().scheduledAt.toTimeZone(QTimeZone(QByteArrayLiteral("Europe/Berlin"))).time(),
             QTime(2, 30));
    // Each queued fire names its task, and the task names its job.
    for (const FireRecord &fire : fiveFires + berlinFires) {
        QVERIFY(fire.taskId > 0);
        QCOMPARE(fire.at, fire.scheduledAt);
        QVERIFY(fire.detail.isEmpty());
        QCOMPARE(storedTask(fire.taskId).spec.job, fire.jobId);
    }
    QCOMPARE(storedJob(everyFive).lastFireAt, today(2, 40));
    QCOMPARE(storedJob(berlin).lastFireAt, today(1, 30));
    QTRY_VERIFY(m_engine->isIdle());
    QCOMPARE(storedTask(berlinFires.first().taskId).state, TaskState::Succeeded);
}

void TestScheduler::overlapSkipRecordsAFireWhileTheLastRunStillRuns()
{
    const QString id = QStringLiteral("slow");
    Job job = slowJob(id, OverlapPolicy::Skip);
    QVERIFY(addJob(job));
    QVERIFY(startScheduler());
    QSignalSpy started(m_engine.get(), &TaskEngine::taskStarted);
    QSignalSpy cancelled(m_engine.get(), &TaskEngine::taskCancelled);
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired);

    m_clock.set(today(12, 5));
    m_scheduler->wake();
    QVERIFY(started.wait(5000));
    const qint64 running = started.first().first().toLongLong();

    m_clock.set(today(12, 10));
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 2);
    QCOMPARE(fired.last().at(3).toString(), QStringLiteral("skipped"));
    QCOMPARE(fired.last().at(4).toLongLong(), 0);

    QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires), (QStringList{
                                   summary(today(12, 5), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("skipped")),
                               }));
    QCOMPARE(fires.at(0).taskId, running);
    QCOMPARE(fires.at(0).taskState, QStringLiteral("running"));
    QCOMPARE(fires.at(1).taskId, 0);
    QCOMPARE(fires.at(1).at, today(12, 10));
    QCOMPARE(fires.at(1).detail, QStringLiteral("task %1 is still running (overlap: skip)").arg(running));
    QCOMPARE(m_engine->runningCount(), 1);
    QCOMPARE(m_engine->waitingCount(), 0);
    // A skipped fire is dealt with: the store goes on from it.
    QCOMPARE(storedJob(id).lastFireAt, today(12, 10));

    QVERIFY(m_engine->cancel(running));
    QVERIFY(cancelled.wait(5000));
    QCOMPARE(cancelled.first().first().toLongLong(), running);
    QTRY_VERIFY(m_engine->isIdle());
}

void TestScheduler::overlapQueueOneLetsOneRunWaitAndSkipsTheNext()
{
    const QString id = QStringLiteral("slow");
    QVERIFY(addJob(slowJob(id, OverlapPolicy::QueueOne)));
    // One worker: the second run has to wait behind the first.
    QVERIFY(startScheduler({}, 1));
    QSignalSpy queued(m_engine.get(), &TaskEngine::taskQueued);
    QSignalSpy started(m_engine.get(), &TaskEngine::taskStarted);
    QSignalSpy cancelled(m_engine.get(), &TaskEngine::taskCancelled);

    m_clock.set(today(12, 5));
    m_scheduler->wake();
    QVERIFY(started.wait(5000));
    const qint64 running = started.first().first().toLongLong();

    m_clock.set(today(12, 10));
    m_scheduler->wake();
    QTRY_COMPARE(queued.size(), 2);
    const qint64 waiting = queued.last().first().toLongLong();
    QCOMPARE(m_engine->runningCount(), 1);
    QCOMPARE(m_engine->waitingCount(), 1);

    m_clock.set(today(12, 15));
    m_scheduler->wake();

    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires), (QStringList{
                                   summary(today(12, 5), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(12, 15), QStringLiteral("scheduled"), QStringLiteral("skipped")),
                               }));
    QCOMPARE(fires.at(0).taskId, running);
    QCOMPARE(fires.at(1).taskId, waiting);
    QCOMPARE(fires.at(1).taskState, QStringLiteral("queued"));
    QVERIFY(fires.at(1).detail.isEmpty());
    QCOMPARE(fires.at(2).taskId, 0);
    QCOMPARE(fires.at(2).detail, QStringLiteral("task %1 already waits (overlap: queue-one)").arg(waiting));
    QCOMPARE(m_engine->waitingCount(), 1);

    // The waiting one first, so that the worker does not pick it up.
    QVERIFY(m_engine->cancel(waiting));
    QVERIFY(m_engine->cancel(running));
    QTRY_COMPARE(cancelled.size(), 2);
    QTRY_VERIFY(m_engine->isIdle());
    QCOMPARE(storedTask(waiting).state, TaskState::Cancelled);
}

void TestScheduler::overlapAllowQueuesRunsSideBySide()
{
    const QString id = QStringLiteral("slow");
    QVERIFY(addJob(slowJob(id, OverlapPolicy::Allow)));
    QVERIFY(startScheduler({}, 2));
    QSignalSpy started(m_engine.get(), &TaskEngine::taskStarted);
    QSignalSpy cancelled(m_engine.get(), &TaskEngine::taskCancelled);

    m_clock.set(today(12, 5));
    m_scheduler->wake();
    QVERIFY(started.wait(5000));
    m_clock.set(today(12, 10));
    m_scheduler->wake();
    QTRY_COMPARE(started.size(), 2);
    QCOMPARE(m_engine->runningCount(), 2);
    const qint64 first = started.at(0).first().toLongLong();
    const qint64 second = started.at(1).first().toLongLong();

    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires), (QStringList{
                                   summary(today(12, 5), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("queued")),
                               }));
    QCOMPARE(fires.at(0).taskId, first);
    QCOMPARE(fires.at(1).taskId, second);
    QCOMPARE(fires.at(1).taskState, QStringLiteral("running"));
    QVERIFY(fires.at(1).detail.isEmpty());

    QVERIFY(m_engine->cancel(first));
    QVERIFY(m_engine->cancel(second));
    QTRY_COMPARE(cancelled.size(), 2);
    QTRY_VERIFY(m_engine->isIdle());
}

void TestScheduler::overlapReplaceCancelsTheRunningTaskAndQueuesANewOne()
{
    const QString id = QStringLiteral("slow");
    QVERIFY(addJob(slowJob(id, OverlapPolicy::Replace)));
    QVERIFY(startScheduler({}, 2));
    QSignalSpy started(m_engine.get(), &TaskEngine::taskStarted);
    QSignalSpy cancelled(m_engine.get(), &TaskEngine::taskCancelled);

    m_clock.set(today(12, 5));
    m_scheduler->wake();
    QVERIFY(started.wait(5000));
    const qint64 replaced = started.first().first().toLongLong();

    m_clock.set(today(12, 10));
    m_scheduler->wake();
    QVERIFY(cancelled.wait(5000));
    QCOMPARE(cancelled.first().first().toLongLong(), replaced);
    QTRY_COMPARE(started.size(), 2);
    const qint64 replacement = started.at(1).first().toLongLong();
    QVERIFY(replacement != replaced);
    QCOMPARE(m_engine->runningCount(), 1);

    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires), (QStringList{
                                   summary(today(12, 5), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("queued")),
                               }));
    QCOMPARE(fires.at(0).taskId, replaced);
    QCOMPARE(fires.at(0).taskState, QStringLiteral("cancelled"));
    QCOMPARE(fires.at(1).taskId, replacement);
    QCOMPARE(fires.at(1).detail, QStringLiteral("replaced task %1 (overlap: replace)").arg(replaced));
    QCOMPARE(storedTask(replaced).state, TaskState::Cancelled);

    QVERIFY(m_engine->cancel(replacement));
    QTRY_COMPARE(cancelled.size(), 2);
    QTRY_VERIFY(m_engine->isIdle());
}

void TestScheduler::misfireOnceRunsOneCatchUpForAllFiresMissedWhileDown()
{
    const QString id = QStringLiteral("ten");
    QVERIFY(addJob(makeJob(id, QStringLiteral("*/10 * * * *")))); // misfire "once" is the default
    // Down from 09:03 to 12:03: 09:10, 09:20, ... 12:00 were missed, 18 fires.
    QVERIFY(setLastFire(id, today(9, 3)));
    m_clock.set(today(12, 3));
    QVERIFY(startScheduler());
    QSignalSpy succeeded(m_engine.get(), &TaskEngine::taskSucceeded);

    QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires),
             QStringList{summary(today(12, 0), QStringLiteral("catch-up"), QStringLiteral("queued"))});
    QCOMPARE(fires.first().detail, QStringLiteral("18 missed fires from 2026-12-03T09:10:00+00:00 to "
                                                  "2026-12-03T12:00:00+00:00: one catch-up run"));
    QCOMPARE(fires.first().at, today(12, 3));
    QVERIFY(fires.first().taskId > 0);
    const Task task = storedTask(fires.first().taskId);
    QCOMPARE(task.spec.job, id);
    QCOMPARE(task.runAt, today(12, 3)); // now, not spread out
    QVERIFY(succeeded.wait(5000));
    QCOMPARE(succeeded.first().first().toLongLong(), fires.first().taskId);
    QCOMPARE(storedJob(id).lastFireAt, today(12, 0));
    QCOMPARE(m_scheduler->nextWake(), today(12, 10));

    // Caught up: the next fire is an ordinary one.
    m_clock.set(today(12, 10));
    m_scheduler->wake();
    fires = firesOf(id);
    QCOMPARE(fires.size(), 2);
    QCOMPARE(summary(fires.last()), summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("queued")));
    QVERIFY(fires.last().detail.isEmpty());
}

void TestScheduler::misfireSkipRecordsTheMissedFiresAsOne()
{
    const QString id = QStringLiteral("ten");
    Job job = makeJob(id, QStringLiteral("*/10 * * * *"));
    job.misfire = MisfirePolicy::Skip;
    QVERIFY(addJob(job));
    QVERIFY(setLastFire(id, today(9, 3)));
    m_clock.set(today(12, 3));
    QVERIFY(startScheduler());

    QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires),
             QStringList{summary(today(12, 0), QStringLiteral("scheduled"), QStringLiteral("missed"))});
    QCOMPARE(fires.first().detail, QStringLiteral("18 missed fires from 2026-12-03T09:10:00+00:00 to "
                                                  "2026-12-03T12:00:00+00:00 (misfire: skip)"));
    QCOMPARE(fires.first().taskId, 0);
    QCOMPARE(fires.first().at, today(12, 3));
    QVERIFY(m_engine->isIdle());
    QCOMPARE(storedJob(id).lastFireAt, today(12, 0));

    m_clock.set(today(12, 10));
    m_scheduler->wake();
    fires = firesOf(id);
    QCOMPARE(fires.size(), 2);
    QCOMPARE(summary(fires.last()), summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("queued")));
}

void TestScheduler::misfireAllRunsUpToMisfireMaxCatchUpsSpreadOut()
{
    const QString id = QStringLiteral("ten");
    Job job = makeJob(id, QStringLiteral("*/10 * * * *"));
    job.misfire = MisfirePolicy::All;
    job.misfireMax = 3;
    QVERIFY(addJob(job));
    QVERIFY(setLastFire(id, today(9, 3)));
    m_clock.set(today(12, 3));
    Scheduler::Options options;
    options.catchUpSpacingMs = 5000;
    QVERIFY(startScheduler(options));

    const QList<FireRecord> fires = firesOf(id);
    // The missed record stands just before the first catch-up run, so that it sorts before them.
    QCOMPARE(summaries(fires),
             (QStringList{
                 summary(today(11, 40).addMSecs(-1), QStringLiteral("scheduled"), QStringLiteral("missed")),
                 summary(today(11, 40), QStringLiteral("catch-up"), QStringLiteral("queued")),
                 summary(today(11, 50), QStringLiteral("catch-up"), QStringLiteral("queued")),
                 summary(today(12, 0), QStringLiteral("catch-up"), QStringLiteral("queued")),
             }));
    QCOMPARE(fires.at(0).taskId, 0);
    QCOMPARE(fires.at(0).detail, QStringLiteral("15 of 18 missed fires from 2026-12-03T09:10:00+00:00 to "
                                                "2026-12-03T12:00:00+00:00 not run (misfire: all, at most 3)"));
    for (int i = 1; i <= 3; ++i) {
        const FireRecord &fire = fires.at(i);
        QCOMPARE(fire.detail, QStringLiteral("catch-up %1 of 3").arg(i));
        QCOMPARE(fire.at, today(12, 3));
        QVERIFY(fire.taskId > 0);
        const Task task = storedTask(fire.taskId);
        QCOMPARE(task.spec.job, id);
        // Spread out by catchUpSpacingMs, the first at once.
        QCOMPARE(task.runAt, today(12, 3).addMSecs((i - 1) * options.catchUpSpacingMs));
    }
    QCOMPARE(storedJob(id).lastFireAt, today(12, 0));
    QCOMPARE(m_scheduler->nextWake(), today(12, 10));
}

void TestScheduler::missedFirePastTheStartingDeadlineIsNotCaughtUp()
{
    const QString id = QStringLiteral("ten");
    Job job = makeJob(id, QStringLiteral("*/10 * * * *"));
    job.misfire = MisfirePolicy::Once;
    job.startingDeadlineMs = 60 * 1000; // the latest missed fire, 12:00, is 3 minutes old at 12:03
    QVERIFY(addJob(job));
    QVERIFY(setLastFire(id, today(9, 3)));
    m_clock.set(today(12, 3));
    QVERIFY(startScheduler());

    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires),
             QStringList{summary(today(12, 0), QStringLiteral("scheduled"), QStringLiteral("missed"))});
    QCOMPARE(fires.first().detail, QStringLiteral("18 missed fires from 2026-12-03T09:10:00+00:00 to "
                                                  "2026-12-03T12:00:00+00:00 (past the starting deadline)"));
    QCOMPARE(fires.first().taskId, 0);
    QVERIFY(m_engine->isIdle());
    QCOMPARE(storedJob(id).lastFireAt, today(12, 0));
}

void TestScheduler::clockGoingBackNeverFiresATimeTwice()
{
    const QString id = QStringLiteral("five");
    Job job = makeJob(id, QStringLiteral("*/5 * * * *"));
    job.overlap = OverlapPolicy::Allow; // its runs are not what this is about
    QVERIFY(addJob(job));
    QVERIFY(startScheduler());
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired);

    m_clock.set(today(12, 5));
    m_scheduler->wake();
    m_clock.set(today(12, 10));
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 2);

    // Back by five minutes (an NTP correction, a hand-set clock): 12:05 is not due again.
    m_clock.set(today(12, 5));
    m_scheduler->wake();
    QCOMPARE(m_scheduler->nextWake(), today(12, 15));
    m_clock.set(today(12, 10, 30));
    m_scheduler->wake();
    m_scheduler->reloadJobs();
    m_scheduler->wake();
    QCOMPARE(m_scheduler->nextWake(), today(12, 15));
    settle();
    QCOMPARE(fired.size(), 2); // 12:10 is not fired twice
    m_clock.set(today(12, 15));
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 3);

    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires), (QStringList{
                                   summary(today(12, 5), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(12, 15), QStringLiteral("scheduled"), QStringLiteral("queued")),
                               }));
    QCOMPARE(storedJob(id).lastFireAt, today(12, 15));
}

void TestScheduler::fixedTimeJobFiresOnceAcrossDaylightSavingChanges_data()
{
    QTest::addColumn<QDateTime>("start");
    QTest::addColumn<QList<QDateTime>>("wakes");
    QTest::addColumn<QList<QDateTime>>("fires");
    QTest::addColumn<QStringList>("local");

    // 2026-03-29: at 02:00 CET the clocks go to 03:00 CEST; 02:30 does not happen. A fixed time
    // in the gap fires at the first instant after it, 03:00 CEST (01:00 UTC), once.
    QTest::newRow("spring forward") << utc(2026, 3, 28, 12, 0)
                                    << QList<QDateTime>{utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 0, 59, 59),
                                                        utc(2026, 3, 29, 1, 0),  utc(2026, 3, 29, 1, 30),
                                                        utc(2026, 3, 29, 2, 0),  utc(2026, 3, 30, 0, 29, 59),
                                                        utc(2026, 3, 30, 0, 30)}
                                    << QList<QDateTime>{utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)}
                                    << QStringList{QStringLiteral("2026-03-29T03:00:00+02:00"),
                                                   QStringLiteral("2026-03-30T02:30:00+02:00")};
    // 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET; 02:30 happens twice (00:30 and
    // 01:30 UTC). It fires in the first pass only.
    QTest::newRow("fall back") << utc(2026, 10, 24, 12, 0)
                               << QList<QDateTime>{utc(2026, 10, 25, 0, 29, 59), utc(2026, 10, 25, 0, 30),
                                                   utc(2026, 10, 25, 1, 0),      utc(2026, 10, 25, 1, 30),
                                                   utc(2026, 10, 25, 2, 0),      utc(2026, 10, 26, 1, 29, 59),
                                                   utc(2026, 10, 26, 1, 30)}
                               << QList<QDateTime>{utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)}
                               << QStringList{QStringLiteral("2026-10-25T02:30:00+02:00"),
                                              QStringLiteral("2026-10-26T02:30:00+01:00")};
}

void TestScheduler::fixedTimeJobFiresOnceAcrossDaylightSavingChanges()
{
    QFETCH(QDateTime, start);
    QFETCH(QList<QDateTime>, wakes);
    QFETCH(QList<QDateTime>, fires);
    QFETCH(QStringList, local);

    const QString id = QStringLiteral("berlin-night");
    QVERIFY(addJob(makeJob(id, QStringLiteral("30 2 * * *"), QStringLiteral("Europe/Berlin"))));
    m_clock.set(start);
    QVERIFY(startScheduler());
    QCOMPARE(m_scheduler->nextWake(), fires.first());
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired);
    QList<QDateTime> firedAt;
    for (const QDateTime &now : wakes) {
        m_clock.set(now);
        m_scheduler->wake();
        settle();
        const qsizetype before = firedAt.size();
        for (qsizetype i = before; i < fired.size(); ++i)
            firedAt.append(fired.at(i).at(1).toDateTime());
        // Each fire is handled on time, at its instant.
        for (qsizetype i = before; i < firedAt.size(); ++i)
            QCOMPARE(firedAt.at(i), now);
        const auto nextFire = std::find_if(fires.cbegin(), fires.cend(), [&](const QDateTime &t) { return t > now; });
        if (nextFire != fires.cend())
            QCOMPARE(m_scheduler->nextWake(), *nextFire);
    }
    QCOMPARE(firedAt, fires);

    const QList<FireRecord> records = firesOf(id);
    QStringList recordedLocal;
    for (const FireRecord &fire : records) {
        QCOMPARE(fire.kind, QStringLiteral("scheduled"));
        QCOMPARE(fire.outcome, QStringLiteral("queued"));
        recordedLocal.append(
            fire.scheduledAt.toTimeZone(QTimeZone(QByteArrayLiteral("Europe/Berlin"))).toString(Qt::ISODate));
    }
    QCOMPARE(recordedLocal, local);
}

void TestScheduler::pausedJobResumesByItselfWithoutCatchingUp()
{
    const QString id = QStringLiteral("ten");
    QVERIFY(addJob(makeJob(id, QStringLiteral("*/10 * * * *"))));
    QVERIFY(startScheduler());
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired);

    m_clock.set(today(12, 10));
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 1);

    m_clock.set(today(12, 11));
    QString error;
    QVERIFY2(JobStore(m_path, &m_clock).pause(id, QStringLiteral("maintenance"), today(13, 2), &error),
             qPrintable(error));
    m_scheduler->reloadJobs();
    m_scheduler->wake();
    QCOMPARE(m_scheduler->nextWake(), today(13, 2));
    for (const QDateTime &now : {today(12, 20), today(12, 30), today(12, 50), today(13, 0), today(13, 1, 59)}) {
        m_clock.set(now);
        m_scheduler->wake();
        QCOMPARE(m_scheduler->nextWake(), today(13, 2));
    }
    settle();
    QCOMPARE(fired.size(), 1);
    QVERIFY(storedJob(id).job.paused);

    m_clock.set(today(13, 2));
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 1); // 12:20 to 13:00 are not caught up
    const StoredJob resumed = storedJob(id);
    QVERIFY(!resumed.job.paused);
    QVERIFY(!resumed.job.resumeAt.isValid());
    QVERIFY(resumed.job.pauseReason.isEmpty());
    QCOMPARE(m_scheduler->nextWake(), today(13, 10));
    // Its own resume in the store is not taken for an edit.
    m_scheduler->reloadJobs();
    m_clock.set(today(13, 10));
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 2);

    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires), (QStringList{
                                   summary(today(12, 10), QStringLiteral("scheduled"), QStringLiteral("queued")),
                                   summary(today(13, 10), QStringLiteral("scheduled"), QStringLiteral("queued")),
                               }));
    QCOMPARE(storedJob(id).lastFireAt, today(13, 10));
}

void TestScheduler::fireMissedAfterAResumeTimeFollowsTheMisfirePolicy()
{
    // Paused until 13:02, and the scheduler does not wake again until 13:12 (a suspend): the
    // pause passed over 12:20 to 13:00, which are not caught up; 13:10 fell after the pause and
    // was missed like any other fire.
    const QString id = QStringLiteral("ten");
    QVERIFY(addJob(makeJob(id, QStringLiteral("*/10 * * * *"))));
    QVERIFY(startScheduler());
    m_clock.set(today(12, 11));
    QString error;
    QVERIFY2(JobStore(m_path, &m_clock).pause(id, QString(), today(13, 2), &error), qPrintable(error));
    m_scheduler->reloadJobs();
    m_scheduler->wake();

    m_clock.set(today(13, 12));
    m_scheduler->wake();
    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires),
             QStringList{summary(today(13, 10), QStringLiteral("catch-up"), QStringLiteral("queued"))});
    QCOMPARE(fires.first().detail, QStringLiteral("1 missed fire at 2026-12-03T13:10:00+00:00: one catch-up run"));
    QVERIFY(!storedJob(id).job.paused);
    QCOMPARE(storedJob(id).lastFireAt, today(13, 10));
    QCOMPARE(m_scheduler->nextWake(), today(13, 20));
}

void TestScheduler::editingAJobNeverTriggersARun()
{
    const QString id = QStringLiteral("five");
    Job job = makeJob(id, QStringLiteral("*/5 * * * *"));
    QVERIFY(addJob(job));
    QVERIFY(startScheduler());
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired);

    // At 12:03, every two minutes instead: 12:02 lies between the last fire dealt with (12:00)
    // and now, but the edit is not a reason to run it.
    m_clock.set(today(12, 3));
    job.schedule = QStringLiteral("*/2 * * * *");
    QString error;
    QVERIFY2(JobStore(m_path, &m_clock).update(job, &error), qPrintable(error));
    m_scheduler->reloadJobs();
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 0);
    QCOMPARE(firesOf(id).size(), 0);
    QCOMPARE(storedJob(id).lastFireAt, today(12, 3));
    QCOMPARE(m_scheduler->nextWake(), today(12, 4));

    // Nor does an edit that moves it to a long-past time of day (a catch-up for today's 06:00).
    m_clock.set(today(12, 3, 30));
    job.schedule = QStringLiteral("0 6 * * *");
    QVERIFY2(JobStore(m_path, &m_clock).update(job, &error), qPrintable(error));
    m_scheduler->reloadJobs();
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 0);
    QCOMPARE(m_scheduler->nextWake(), utc(2026, 12, 4, 6, 0));

    // The new schedule takes over from then on.
    job.schedule = QStringLiteral("*/2 * * * *");
    QVERIFY2(JobStore(m_path, &m_clock).update(job, &error), qPrintable(error));
    m_scheduler->reloadJobs();
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 0);
    m_clock.set(today(12, 4));
    m_scheduler->wake();
    settle();
    QCOMPARE(fired.size(), 1);
    QCOMPARE(summaries(firesOf(id)),
             QStringList{summary(today(12, 4), QStringLiteral("scheduled"), QStringLiteral("queued"))});
}

void TestScheduler::rebootJobFiresOnceAtStart()
{
    const QString id = QStringLiteral("at-boot");
    QVERIFY(addJob(makeJob(id, QStringLiteral("@reboot"))));
    Job paused = makeJob(QStringLiteral("paused-boot"), QStringLiteral("@reboot"));
    paused.paused = true;
    QVERIFY(addJob(paused));
    m_clock.set(today(12, 0, 7));
    QVERIFY(startScheduler());
    QSignalSpy succeeded(m_engine.get(), &TaskEngine::taskSucceeded);
    QVERIFY(succeeded.wait(5000));
    QSignalSpy fired(m_scheduler.get(), &Scheduler::fired); // after the @reboot fire
    QVERIFY(!m_scheduler->nextWake().isValid());            // nothing else is ever due

    for (const QDateTime &now : {today(12, 1), today(13, 0), utc(2026, 12, 4, 0, 0)}) {
        m_clock.set(now);
        m_scheduler->reloadJobs();
        m_scheduler->wake();
    }
    settle();
    QCOMPARE(fired.size(), 0);

    const QList<FireRecord> fires = firesOf(id);
    QCOMPARE(summaries(fires),
             QStringList{summary(today(12, 0, 7), QStringLiteral("reboot"), QStringLiteral("queued"))});
    QCOMPARE(fires.first().at, today(12, 0, 7));
    QCOMPARE(fires.first().taskId, succeeded.first().first().toLongLong());
    QCOMPARE(fires.first().taskState, QStringLiteral("succeeded"));
    QCOMPARE(storedTask(fires.first().taskId).spec.job, id);
    QCOMPARE(firesOf(paused.id).size(), 0);
}

void TestScheduler::planSaysWhatBecomesOfDueAndMissedFires_data()
{
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<QString>("misfire");
    QTest::addColumn<int>("misfireMax");
    QTest::addColumn<int>("deadlineSeconds");
    QTest::addColumn<bool>("paused");
    QTest::addColumn<QDateTime>("lastFireAt");
    QTest::addColumn<QDateTime>("now");
    // "scheduledAt runAt kind outcome: detail", the times as HH:mm:ss.zzz (UTC) or "-" for none.
    QTest::addColumn<QStringList>("expected");

    const QString tenMinutes = QStringLiteral("*/10 * * * *");
    const QString once = QStringLiteral("once");
    QTest::newRow("nothing due") << tenMinutes << once << 10 << 0 << false << today(12, 0) << today(12, 9, 59)
                                 << QStringList{};
    QTest::newRow("on time") << tenMinutes << once << 10 << 0 << false << today(12, 0) << today(12, 10)
                             << QStringList{QStringLiteral("12:10:00.000 12:10:00.000 scheduled run: ")};
    QTest::newRow("a minute late is still on time")
        << tenMinutes << QStringLiteral("skip") << 10 << 0 << false << today(12, 0) << today(12, 11)
        << QStringList{QStringLiteral("12:10:00.000 12:10:00.000 scheduled run: ")};
    QTest::newRow("one fire, late: once")
        << tenMinutes << once << 10 << 0 << false << today(12, 0) << today(12, 11, 0).addMSecs(1)
        << QStringList{QStringLiteral(
               "12:10:00.000 12:11:00.001 catch-up run: 1 missed fire at 2026-12-03T12:10:00+00:00: one catch-up run")};
    QTest::newRow("two fires at once: once")
        << tenMinutes << once << 10 << 0 << false << today(12, 0) << today(12, 20)
        << QStringList{QStringLiteral("12:20:00.000 12:20:00.000 catch-up run: 2 missed fires from "
                                      "2026-12-03T12:10:00+00:00 to 2026-12-03T12:20:00+00:00: one catch-up run")};
    QTest::newRow("skip") << tenMinutes << QStringLiteral("skip") << 10 << 0 << false << today(9, 3) << today(12, 3)
                          << QStringList{QStringLiteral(
                                 "12:00:00.000 - scheduled missed: 18 missed fires from 2026-12-03T09:10:00+00:00 to "
                                 "2026-12-03T12:00:00+00:00 (misfire: skip)")};
    QTest::newRow("once within the deadline")
        << tenMinutes << once << 10 << 300 << false << today(9, 3) << today(12, 3)
        << QStringList{QStringLiteral("12:00:00.000 12:03:00.000 catch-up run: 18 missed fires from "
                                      "2026-12-03T09:10:00+00:00 to 2026-12-03T12:00:00+00:00: one catch-up run")};
    QTest::newRow("once past the deadline")
        << tenMinutes << once << 10 << 179 << false << today(9, 3) << today(12, 3)
        << QStringList{QStringLiteral("12:00:00.000 - scheduled missed: 18 missed fires from "
                                      "2026-12-03T09:10:00+00:00 to 2026-12-03T12:00:00+00:00 (past the starting "
                                      "deadline)")};
    QTest::newRow("all, fewer than the most")
        << tenMinutes << QStringLiteral("all") << 10 << 0 << false << today(11, 33) << today(12, 3)
        << QStringList{QStringLiteral("11:40:00.000 12:03:00.000 catch-up run: catch-up 1 of 3"),
                       QStringLiteral("11:50:00.000 12:03:02.000 catch-up run: catch-up 2 of 3"),
                       QStringLiteral("12:00:00.000 12:03:04.000 catch-up run: catch-up 3 of 3")};
    QTest::newRow("all, capped")
        << tenMinutes << QStringLiteral("all") << 2 << 0 << false << today(9, 3) << today(12, 3)
        << QStringList{QStringLiteral("11:49:59.999 - scheduled missed: 16 of 18 missed fires from "
                                      "2026-12-03T09:10:00+00:00 to 2026-12-03T12:00:00+00:00 not run (misfire: all, "
                                      "at most 2)"),
                       QStringLiteral("11:50:00.000 12:03:00.000 catch-up run: catch-up 1 of 2"),
                       QStringLiteral("12:00:00.000 12:03:02.000 catch-up run: catch-up 2 of 2")};
    // 11:50 is 13 minutes old, 12:00 3 minutes: only the latter is within 10 minutes.
    QTest::newRow("all, within the deadline")
        << tenMinutes << QStringLiteral("all") << 5 << 600 << false << today(9, 3) << today(12, 3)
        << QStringList{QStringLiteral("11:59:59.999 - scheduled missed: 17 of 18 missed fires from "
                                      "2026-12-03T09:10:00+00:00 to 2026-12-03T12:00:00+00:00 not run (misfire: all, "
                                      "at most 5, within the starting deadline)"),
                       QStringLiteral("12:00:00.000 12:03:00.000 catch-up run: catch-up 1 of 1")};
    QTest::newRow("all, none within the deadline")
        << tenMinutes << QStringLiteral("all") << 5 << 60 << false << today(11, 33) << today(12, 3)
        << QStringList{QStringLiteral("12:00:00.000 - scheduled missed: 3 of 3 missed fires from "
                                      "2026-12-03T11:40:00+00:00 to 2026-12-03T12:00:00+00:00 not run (misfire: all, "
                                      "at most 5, within the starting deadline)")};
    QTest::newRow("paused") << tenMinutes << once << 10 << 0 << true << today(9, 3) << today(12, 3) << QStringList{};
    QTest::newRow("never fired") << tenMinutes << once << 10 << 0 << false << QDateTime() << today(12, 3)
                                 << QStringList{};
    QTest::newRow("clock went back") << tenMinutes << once << 10 << 0 << false << today(12, 10) << today(12, 5)
                                     << QStringList{};
    QTest::newRow("by hand only") << QString() << once << 10 << 0 << false << today(9, 3) << today(12, 3)
                                  << QStringList{};
    QTest::newRow("@reboot") << QStringLiteral("@reboot") << once << 10 << 0 << false << today(9, 3) << today(12, 3)
                             << QStringList{};
}

void TestScheduler::planSaysWhatBecomesOfDueAndMissedFires()
{
    QFETCH(QString, schedule);
    QFETCH(QString, misfire);
    QFETCH(int, misfireMax);
    QFETCH(int, deadlineSeconds);
    QFETCH(bool, paused);
    QFETCH(QDateTime, lastFireAt);
    QFETCH(QDateTime, now);
    QFETCH(QStringList, expected);

    Job job = makeJob(QStringLiteral("planned"), schedule);
    job.misfire = misfirePolicyFromName(misfire).value();
    job.misfireMax = misfireMax;
    job.startingDeadlineMs = qint64(deadlineSeconds) * 1000;
    job.paused = paused;
    QVERIFY(job.validate(nullptr));
    Scheduler::Options options;
    options.catchUpSpacingMs = 2000;
    options.misfireAfterMs = 60000;

    const auto time = [](const QDateTime &at) {
        return at.isValid() ? at.toTimeZone(QTimeZone::utc()).time().toString(QStringLiteral("HH:mm:ss.zzz"))
                            : QStringLiteral("-");
    };
    QStringList planned;
    for (const PlannedFire &fire : Scheduler::plan(job, lastFireAt, now, options)) {
        QCOMPARE(fire.jobId, job.id);
        planned.append(time(fire.scheduledAt) + QLatin1Char(' ') + time(fire.runAt) + QLatin1Char(' ') + fire.kind +
                       QLatin1Char(' ') + fire.outcome + QStringLiteral(": ") + fire.detail);
    }
    QCOMPARE(planned, expected);
}

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"

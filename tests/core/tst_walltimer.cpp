// The two ways the engine and the scheduler are woken without polling: a WallTimer (a timerfd on
// the real wall clock) and a ChangeWatcher (inotify on the file other processes knock on). Both
// are real kernel objects here; the tests wait on their signals.
#include "store/changesignal.h"
#include "walltimer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Taskdeck::Core;

class TestWallTimer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firesAtItsWallClockTime();
    void aTimeAlreadyPastFiresAtOnce();
    void startReplacesTheTimeAndStopCancelsIt();
    void suspendedTimeIsNeverNegative();
    void watcherHearsAKnockOnItsDatabase();
    void watcherKeepsListeningWhenTheFileIsReplaced();
};

void TestWallTimer::firesAtItsWallClockTime()
{
    WallTimer timer;
    QVERIFY(timer.isValid());
    QSignalSpy fired(&timer, &WallTimer::timeout);
    const QDateTime at = QDateTime::currentDateTimeUtc().addMSecs(150);
    timer.start(at);
    QCOMPARE(timer.target(), at);
    QVERIFY(fired.wait(5000));
    QVERIFY(QDateTime::currentDateTimeUtc() >= at);
    QCOMPARE(fired.size(), 1);
    QVERIFY(!timer.target().isValid()); // single shot
}

void TestWallTimer::aTimeAlreadyPastFiresAtOnce()
{
    WallTimer timer;
    QSignalSpy fired(&timer, &WallTimer::timeout);
    timer.start(QDateTime::currentDateTimeUtc().addSecs(-3600));
    QVERIFY(fired.wait(5000));
}

void TestWallTimer::startReplacesTheTimeAndStopCancelsIt()
{
    WallTimer timer;
    QSignalSpy fired(&timer, &WallTimer::timeout);
    timer.start(QDateTime::currentDateTimeUtc().addSecs(3600));
    timer.start(QDateTime::currentDateTimeUtc().addMSecs(50)); // sooner: replaces the hour
    QVERIFY(fired.wait(5000));
    QCOMPARE(fired.size(), 1);

    // Stopped: its time passes without a timeout. A second timer, armed later, fires after it
    // and shows that the first one's moment has gone by.
    timer.start(QDateTime::currentDateTimeUtc().addMSecs(50));
    timer.stop();
    WallTimer later;
    QSignalSpy laterFired(&later, &WallTimer::timeout);
    later.start(QDateTime::currentDateTimeUtc().addMSecs(150));
    QVERIFY(laterFired.wait(5000));
    QCOMPARE(fired.size(), 1);
}

void TestWallTimer::suspendedTimeIsNeverNegative()
{
    QVERIFY(WallTimer::suspendedMs() >= 0);
}

void TestWallTimer::watcherHearsAKnockOnItsDatabase()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString db = dir.filePath(QStringLiteral("t.db"));
    ChangeWatcher watcher(db);
    QVERIFY(watcher.isWatching());
    // The file it creates is the owner's alone.
    struct stat info
    {
    };
    QCOMPARE(::stat(QFile::encodeName(ChangeSignal::pathFor(db)).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));

    QSignalSpy changed(&watcher, &ChangeWatcher::changed);
    ChangeSignal::announce(db);
    ChangeSignal::announce(db);
    ChangeSignal::announce(db);
    QVERIFY(changed.wait(5000));
    // A burst is one signal.
    QCOMPARE(changed.size(), 1);
    ChangeSignal::announce(db);
    QVERIFY(changed.wait(5000));
    QCOMPARE(changed.size(), 2);

    // Another database's knock is not this one's.
    ChangeWatcher other(dir.filePath(QStringLiteral("other.db")));
    QSignalSpy otherChanged(&other, &ChangeWatcher::changed);
    ChangeSignal::announce(db);
    QVERIFY(changed.wait(5000));
    QCOMPARE(otherChanged.size(), 0);
}

void TestWallTimer::watcherKeepsListeningWhenTheFileIsReplaced()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("t.db"));
    ChangeWatcher watcher(db);
    QSignalSpy changed(&watcher, &ChangeWatcher::changed);
    QVERIFY(QFile::remove(ChangeSignal::pathFor(db)));
    QVERIFY(changed.wait(5000)); // the removal is news too: look again
    ChangeSignal::announce(db);  // creates it anew
    QTRY_VERIFY(watcher.isWatching());
    const qsizetype before = changed.size();
    ChangeSignal::announce(db);
    QTRY_VERIFY(changed.size() > before);
}

QTEST_GUILESS_MAIN(TestWallTimer)
#include "tst_walltimer.moc"

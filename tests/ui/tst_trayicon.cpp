// The tray icon's menu and its notifications: the first at once, a storm summed up in one.

#include "trayicon.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>

using namespace Taskdeck;
using namespace Taskdeck::Ui;

namespace {

Core::JobNotification note(const QString &job, const QString &event, qint64 task)
{
    return {
        job, job, event, task, QStringLiteral("attempt 1 of 1 failed: exit code 1"), QDateTime::currentDateTimeUtc()};
}

QAction *action(QMenu *menu, const QString &name)
{
    for (QAction *item : menu->actions()) {
        if (item->objectName() == name)
            return item;
    }
    return nullptr;
}

} // namespace

class TestTrayIcon : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theMenuAsksForWhatItSays();
    void aStormOfNotificationsBecomesOneSummary();
    void noNotificationsWhenTheyAreOff();
    void theIconFollowsTheState();
};

void TestTrayIcon::theMenuAsksForWhatItSays()
{
    TrayIcon tray;
    tray.setJobs({{QStringLiteral("backup"), QStringLiteral("Back up home")}, {QStringLiteral("sync"), QString()}});
    QSignalSpy show(&tray, &TrayIcon::showWindowRequested);
    QSignalSpy pause(&tray, &TrayIcon::pauseAllRequested);
    QSignalSpy resume(&tray, &TrayIcon::resumeAllRequested);
    QSignalSpy run(&tray, &TrayIcon::runJobRequested);
    QSignalSpy quit(&tray, &TrayIcon::quitRequested);
    action(tray.menu(), QStringLiteral("trayShowAction"))->trigger();
    action(tray.menu(), QStringLiteral("trayPauseAllAction"))->trigger();
    action(tray.menu(), QStringLiteral("trayResumeAllAction"))->trigger();
    QAction *backup = action(tray.jobsMenu(), QStringLiteral("trayRun:backup"));
    QVERIFY(backup);
    QCOMPARE(backup->text(), QStringLiteral("Back up home (backup)"));
    QCOMPARE(action(tray.jobsMenu(), QStringLiteral("trayRun:sync"))->text(), QStringLiteral("sync"));
    backup->trigger();
    action(tray.menu(), QStringLiteral("trayQuitAction"))->trigger();
    QCOMPARE(show.size(), 1);
    QCOMPARE(pause.size(), 1);
    QCOMPARE(resume.size(), 1);
    QCOMPARE(run.size(), 1);
    QCOMPARE(run.first().first().toString(), QStringLiteral("backup"));
    QCOMPARE(quit.size(), 1);

    tray.setJobs({});
    QCOMPARE(tray.jobsMenu()->actions().size(), 1);
    QVERIFY(!tray.jobsMenu()->actions().first()->isEnabled()); // "No jobs"
}

void TestTrayIcon::aStormOfNotificationsBecomesOneSummary()
{
    TrayIcon tray;
    tray.setRateLimit(300);
    QSignalSpy shown(&tray, &TrayIcon::messageShown);
    tray.notify(note(QStringLiteral("backup"), QStringLiteral("dead_letter"), 7));
    QCOMPARE(shown.size(), 1); // the first at once
    QCOMPARE(shown.at(0).at(0).toString(), QStringLiteral("backup is a dead letter"));
    for (int i = 0; i < 3; ++i)
        tray.notify(note(QStringLiteral("sync"), QStringLiteral("failure"), 10 + i));
    tray.notify(note(QStringLiteral("backup"), QStringLiteral("failure"), 20));
    QCOMPARE(shown.size(), 1); // held for the window
    QVERIFY(shown.wait(5000));
    QCOMPARE(shown.size(), 2);
    QCOMPARE(shown.at(1).at(0).toString(), QStringLiteral("4 more notification(s)"));
    QCOMPARE(shown.at(1).at(1).toString(), QStringLiteral("backup failed, sync failed (3)"));
    // A click opens the last of them.
    QSignalSpy clicked(&tray, &TrayIcon::notificationClicked);
    // (QSystemTrayIcon::messageClicked cannot be produced without a tray; the icon answers it
    // with the item it remembered.)
    QVERIFY(QMetaObject::invokeMethod(tray.findChild<QSystemTrayIcon *>(), "messageClicked"));
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.first().first().value<Core::JobNotification>().taskId, 20);
    // Quiet again: the next one shows at once.
    QTRY_VERIFY(tray.isQuiet());
    tray.notify(note(QStringLiteral("sync"), QStringLiteral("misfire"), 0));
    QCOMPARE(shown.size(), 3);
    QCOMPARE(shown.at(2).at(0).toString(), QStringLiteral("sync missed a run"));
}

void TestTrayIcon::noNotificationsWhenTheyAreOff()
{
    TrayIcon tray;
    tray.setNotificationsEnabled(false);
    QSignalSpy shown(&tray, &TrayIcon::messageShown);
    tray.notify(note(QStringLiteral("backup"), QStringLiteral("failure"), 1));
    QCOMPARE(shown.size(), 0);
}

void TestTrayIcon::theIconFollowsTheState()
{
    TrayIcon tray;
    QCOMPARE(tray.state(), TrayIcon::State::Idle);
    tray.setState(TrayIcon::State::Running, QStringLiteral("Taskdeck: 2 running"));
    QCOMPARE(tray.state(), TrayIcon::State::Running);
    QCOMPARE(tray.toolTip(), QStringLiteral("Taskdeck: 2 running"));
    tray.setState(TrayIcon::State::Failed, QStringLiteral("Taskdeck: 1 dead letter"));
    QCOMPARE(tray.state(), TrayIcon::State::Failed);
}

QTEST_MAIN(TestTrayIcon)
#include "tst_trayicon.moc"

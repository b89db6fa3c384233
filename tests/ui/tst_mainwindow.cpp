// The desktop app driven as an operator would, offscreen: the real window on a real database
// with its own engine (and, for the monitor, a real taskdeckctl serve next to it).

#include "deadlettersview.h"
#include "historymodel.h"
#include "historyview.h"
#include "jobeditordialog.h"
#include "liveview.h"
#include "mainwindow.h"
#include "overviewview.h"
#include "queue/taskstore.h"
#include "scheduler/jobstore.h"
#include "schedulesview.h"
#include "secretsdialog.h"
#include "settingsdialog.h"
#include "trayicon.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QLockFile>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace Taskdeck;
using namespace Taskdeck::Ui;

namespace {

template<typename T>
T *child(QObject *parent, const char *name)
{
    return parent->findChild<T *>(QString::fromLatin1(name));
}

Core::Job shellJob(const QString &id, const QString &command, int maxAttempts = 1)
{
    Core::Job job;
    job.id = id;
    job.title = id;
    job.task.action =
        QJsonObject{{QStringLiteral("type"), QStringLiteral("shell")}, {QStringLiteral("command"), command}};
    job.task.retry.maxAttempts = maxAttempts;
    return job;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void windowShowsTheAppNameAndIcon();
    void aboutBoxNamesTheVersionAndCloses();
    void aJobMadeInTheEditorRunsNowShowsLiveProgressAndLandsInHistory();
    void aFailingJobEndsInDeadLettersAndIsRetriedFromTheWindow();
    void trayMenuPausesResumesAndRunsJobs();
    void closingTheWindowStopsTheEngineWithoutATray();
    void settingsAreKeptAndRetentionPurgesOldRuns();
    void jobsFilesAreExportedAndImportedWholeOrNotAtAll();
    void secretsAreSetAndRemovedWithoutShowingAValue();
    void anotherProcessServingTheDatabaseMakesTheWindowAMonitor();

private:
    std::unique_ptr<MainWindow> openWindow(bool startEngine = true);
    bool waitForEngine(MainWindow &window);
    int tasksOf(const QString &job, Core::TaskState state);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestMainWindow::initTestCase()
{
    QApplication::setApplicationVersion(QStringLiteral(TASKDECK_VERSION));
    QApplication::setOrganizationName(QStringLiteral("TaskdeckTests"));
    QStandardPaths::setTestModeEnabled(true);
}

void TestMainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("taskdeck.db"));
    // Settings of a run before must not leak in (window geometry, tabs, workers).
    QSettings().clear();
}

void TestMainWindow::cleanup()
{
    m_dir.reset();
}

std::unique_ptr<MainWindow> TestMainWindow::openWindow(bool startEngine)
{
    MainWindow::Options options;
    options.databasePath = m_path;
    options.runtime.engine.workers = 2;
    options.startEngine = startEngine;
    options.useTray = false;
    options.quitApplication = false;
    return std::make_unique<MainWindow>(options);
}

bool TestMainWindow::waitForEngine(MainWindow &window)
{
    return QTest::qWaitFor([&] { return window.engine()->mode() == EngineHost::Mode::Engine; }, 10000);
}

int TestMainWindow::tasksOf(const QString &job, Core::TaskState state)
{
    Core::TaskStore store(m_path);
    QString error;
    const auto tasks = store.list(state, 0, &error);
    if (!tasks)
        return -1;
    return int(
        std::count_if(tasks->cbegin(), tasks->cend(), [&](const Core::Task &task) { return task.spec.job == job; }));
}

void TestMainWindow::windowShowsTheAppNameAndIcon()
{
    auto window = openWindow(false);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QCOMPARE(window->windowTitle(), QStringLiteral("Taskdeck"));
    QVERIFY(!window->windowIcon().isNull());
    // The SVG renders (the icon engine plugin is installed), not just a null pixmap.
    QVERIFY(!MainWindow::applicationIcon().pixmap(32, 32).isNull());
    QStringList tabs;
    for (int i = 0; i < window->tabs()->count(); ++i)
        tabs.append(window->tabs()->tabText(i).remove(QLatin1Char('&')));
    QCOMPARE(tabs, (QStringList{QStringLiteral("Overview"), QStringLiteral("Schedules"), QStringLiteral("Live"),
                                QStringLiteral("History"), QStringLiteral("Dead letters"), QStringLiteral("Events"),
                                QStringLiteral("Cron preview")}));
    // Without a tray the status bar says the notifications are off.
    QCOMPARE(child<QLabel>(window.get(), "notifyLabel")->text(), QStringLiteral("Notifications off: no system tray"));
}

void TestMainWindow::aboutBoxNamesTheVersionAndCloses()
{
    auto window = openWindow(false);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    auto *about = child<QAction>(window.get(), "aboutAction");
    QVERIFY(about);
    about->trigger();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = child<QMessageBox>(window.get(), "aboutBox")) && box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral(TASKDECK_VERSION)));
    QVERIFY(box->informativeText().contains(m_path));
    QVERIFY(!box->iconPixmap().isNull());
    QPointer<QMessageBox> guard(box);
    box->button(QMessageBox::Close)->click();
    QTRY_VERIFY(guard.isNull()); // deleted on close
}

void TestMainWindow::aJobMadeInTheEditorRunsNowShowsLiveProgressAndLandsInHistory()
{
    auto window = openWindow();
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(waitForEngine(*window));
    window->tabs()->setCurrentWidget(window->schedules());

    // New job: the editor opens.
    window->schedules()->newAction()->trigger();
    JobEditorDialog *editor = nullptr;
    QTRY_VERIFY((editor = window->findChild<JobEditorDialog *>()) && editor->isVisible());
    child<QLineEdit>(editor, "idEdit")->setText(QStringLiteral("steps"));
    child<QLineEdit>(editor, "titleEdit")->setText(QStringLiteral("Four steps"));
    auto *type = child<QComboBox>(editor, "actionTypeCombo");
    type->setCurrentIndex(type->findData(QStringLiteral("shell")));
    // Progress reaches 100 and the task then lingers, so that Live can be seen at 100%.
    child<QPlainTextEdit>(editor, "shellCommandEdit")
        ->setPlainText(QStringLiteral("for i in 1 2 3 4; do echo \"step $i\"; echo \"::progress $((i * 25)) step $i\"; "
                                      "sleep 0.1; done; sleep 1.5"));
    auto *save = child<QPushButton>(editor, "saveButton");
    auto *schedule = child<QLineEdit>(editor, "cronExpressionEdit");
    // An invalid schedule: no saving, and the error names the field.
    schedule->setText(QStringLiteral("61 * * * *"));
    QTRY_VERIFY(!save->isEnabled());
    QVERIFY2(editor->errorText().contains(QStringLiteral("minute")), qPrintable(editor->errorText()));
    // A valid one.
    schedule->setText(QStringLiteral("*/5 * * * *"));
    QTRY_VERIFY2(save->isEnabled(), qPrintable(editor->errorText()));
    QTest::mouseClick(save, Qt::LeftButton);

    // In Schedules, with its next run.
    SchedulesView *schedules = window->schedules();
    QTRY_VERIFY(schedules->selectJob(QStringLiteral("steps")));
    const auto rows = schedules->model()->rows();
    const auto it = std::find_if(rows.cbegin(), rows.cend(),
                                 [](const JobRow &row) { return row.stored.job.id == QLatin1String("steps"); });
    QVERIFY(it != rows.cend());
    QVERIFY(it->nextFire.isValid());
    QVERIFY(it->nextFire > QDateTime::currentDateTimeUtc());
    QCOMPARE(it->nextFire.time().minute() % 5, 0);

    // Run now: Live shows it, its progress reaches 100%, its output streams below.
    schedules->runNowAction()->trigger();
    LiveView *live = window->live();
    QTRY_COMPARE(window->tabs()->currentWidget(), live);
    QTRY_VERIFY_WITH_TIMEOUT(live->selectedTaskId() > 0, 10000);
    const qint64 taskId = live->selectedTaskId();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const LiveRow &row : live->model()->rows()) {
                if (row.task.id == taskId)
                    return row.task.progress == 100;
            }
            return false;
        }(),
        10000);
    QTRY_VERIFY(live->output()->toPlainText().contains(QStringLiteral("step 4")));

    // History has its attempt once it ended.
    window->showTask(taskId);
    QCOMPARE(window->tabs()->currentWidget(), window->history());
    HistoryModel *history = window->history()->model();
    QTRY_VERIFY_WITH_TIMEOUT(history->rowCount() == 1 && history->rowAt(0).outcome == QLatin1String("succeeded"),
                             10000);
    QCOMPARE(history->rowAt(0).taskId, taskId);
    QCOMPARE(history->rowAt(0).job, QStringLiteral("steps"));
}

void TestMainWindow::aFailingJobEndsInDeadLettersAndIsRetriedFromTheWindow()
{
    // The job fails until a flag file exists.
    const QString flag = m_dir->filePath(QStringLiteral("fixed"));
    Core::JobStore jobs(m_path);
    QString error;
    QVERIFY2(jobs.add(shellJob(QStringLiteral("flaky"),
                               QStringLiteral("test -f '%1' || { echo 'no flag' >&2; exit 4; }").arg(flag)),
                      &error),
             qPrintable(error));

    auto window = openWindow();
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(waitForEngine(*window));
    QSignalSpy shown(window->tray(), &TrayIcon::messageShown);

    window->schedules()->runNow(QStringLiteral("flaky"));
    DeadLettersView *dead = window->deadLetters();
    QTRY_VERIFY_WITH_TIMEOUT(dead->count() == 1, 10000);
    QTRY_VERIFY(window->tabs()->tabText(window->tabs()->indexOf(dead)).contains(QStringLiteral("(1)")));
    // The job notifies on dead letters (the default): one message, naming it.
    QTRY_VERIFY(!shown.isEmpty());
    QCOMPARE(shown.first().at(0).toString(), QStringLiteral("flaky is a dead letter"));
    QVERIFY2(shown.first().at(1).toString().contains(QStringLiteral("exit")),
             qPrintable(shown.first().at(1).toString()));
    QCOMPARE(window->tray()->state(), TrayIcon::State::Failed);

    // Its attempt and error are in the details.
    window->tabs()->setCurrentWidget(dead);
    const qint64 taskId = dead->model()->rowAt(0).task.id;
    QVERIFY(dead->selectTask(taskId));
    QTRY_COMPARE(dead->attempts()->topLevelItemCount(), 1);
    QTRY_VERIFY(dead->attemptOutput()->toPlainText().contains(QStringLiteral("no flag")));

    // Fixed, and retried from the window: it runs again and succeeds.
    QFile file(flag);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    child<QAction>(dead, "retryDeadAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(tasksOf(QStringLiteral("flaky"), Core::TaskState::Succeeded), 1, 10000);
    QTRY_COMPARE(dead->count(), 0);
    QTRY_COMPARE(window->tray()->state(), TrayIcon::State::Idle);
    Core::TaskStore store(m_path);
    const auto actions = store.operatorActions(taskId, &error);
    QVERIFY(actions && !actions->isEmpty());
    QCOMPARE(actions->last().action, QStringLiteral("retry"));
    QCOMPARE(actions->last().user, Core::TaskStore::localUser());
}

void TestMainWindow::trayMenuPausesResumesAndRunsJobs()
{
    Core::JobStore jobs(m_path);
    QString error;
    Core::Job nightly = shellJob(QStringLiteral("nightly"), QStringLiteral("true"));
    nightly.schedule = QStringLiteral("0 3 * * *");
    QVERIFY2(jobs.add(nightly, &error), qPrintable(error));
    QVERIFY2(jobs.add(shellJob(QStringLiteral("report"), QStringLiteral("true")), &error), qPrintable(error));

    auto window = openWindow();
    QVERIFY(waitForEngine(*window));
    TrayIcon *tray = window->tray();
    const auto allPaused = [&](bool paused) {
        const auto list = jobs.list(&error);
        return list && std::all_of(list->cbegin(), list->cend(),
                                   [&](const Core::StoredJob &job) { return job.job.paused == paused; });
    };

    child<QAction>(tray->menu(), "trayPauseAllAction")->trigger();
    QTRY_VERIFY(allPaused(true));
    QTRY_VERIFY(window->schedules()->model()->rowCount() == 2 &&
                window->schedules()->model()->rowAt(0).stored.job.paused);
    child<QAction>(tray->menu(), "trayResumeAllAction")->trigger();
    QTRY_VERIFY(allPaused(false));

    // Run a job ▸ lists the jobs; picking one queues a run.
    QAction *run = nullptr;
    QTRY_VERIFY((run = tray->jobsMenu()->findChild<QAction *>(QStringLiteral("trayRun:report"))) || [&] {
        for (QAction *action : tray->jobsMenu()->actions()) {
            if (action->objectName() == QLatin1String("trayRun:report"))
                return (run = action) != nullptr;
        }
        return false;
    }());
    run->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(tasksOf(QStringLiteral("report"), Core::TaskState::Succeeded), 1, 10000);

    // Show brings back a hidden window.
    window->hide();
    child<QAction>(tray->menu(), "trayShowAction")->trigger();
    QTRY_VERIFY(window->isVisible());

    // Quit stops the engine first.
    QSignalSpy ready(window.get(), &MainWindow::quitReady);
    child<QAction>(tray->menu(), "trayQuitAction")->trigger();
    QVERIFY(ready.wait(10000));
    QCOMPARE(window->engine()->mode(), EngineHost::Mode::Stopped);
}

void TestMainWindow::closingTheWindowStopsTheEngineWithoutATray()
{
    auto window = openWindow();
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(waitForEngine(*window));
    QVERIFY(!window->closesToTray()); // no tray here
    QSignalSpy ready(window.get(), &MainWindow::quitReady);
    window->close();
    QVERIFY(ready.wait(10000));
    QCOMPARE(window->engine()->mode(), EngineHost::Mode::Stopped);
    // A second engine may now take the database.
    QVERIFY(!QFile::exists(m_path + QStringLiteral(".lock")) || [&] {
        QLockFile lock(m_path + QStringLiteral(".lock"));
        return lock.tryLock(0);
    }());
}

void TestMainWindow::settingsAreKeptAndRetentionPurgesOldRuns()
{
    auto window = openWindow();
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(waitForEngine(*window));
    child<QAction>(window.get(), "settingsAction")->trigger();
    SettingsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window->findChild<SettingsDialog *>()) && dialog->isVisible());
    QCOMPARE(child<QLabel>(dialog, "databasePathLabel")->text().contains(m_path), true);
    QVERIFY(!child<QCheckBox>(dialog, "closeToTrayCheck")->isEnabled()); // no tray here
    child<QSpinBox>(dialog, "keepDaysSpin")->setValue(7);
    child<QSpinBox>(dialog, "workersSpin")->setValue(3);
    child<QCheckBox>(dialog, "notificationsCheck")->setChecked(false);
    dialog->accept();

    const AppSettings kept = AppSettings::load();
    QCOMPARE(kept.keepSucceededDays, 7);
    QCOMPARE(kept.workers, 3);
    QVERIFY(!kept.notifications);
    // The engine now runs three at once.
    QTRY_COMPARE(window->overview()->healthText().contains(QStringLiteral("of 3")), true);
    // A changed retention purges at once, as a task like any other.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            Core::TaskStore store(m_path);
            QString error;
            const auto tasks = store.list(Core::TaskState::Succeeded, 0, &error);
            return tasks && std::any_of(tasks->cbegin(), tasks->cend(), [](const Core::Task &task) {
                       return task.spec.action.value(QStringLiteral("type")).toString() ==
                                  QLatin1String("purge-history") &&
                              task.spec.action.value(QStringLiteral("older_than_days")).toInt() == 7;
                   });
        }(),
        10000);
}

void TestMainWindow::jobsFilesAreExportedAndImportedWholeOrNotAtAll()
{
    Core::JobStore jobs(m_path);
    QString error;
    Core::Job nightly = shellJob(QStringLiteral("nightly"), QStringLiteral("true"));
    nightly.schedule = QStringLiteral("0 3 * * *");
    QVERIFY2(jobs.add(nightly, &error), qPrintable(error));
    auto window = openWindow(false);
    SchedulesView *schedules = window->schedules();

    const QString file = m_dir->filePath(QStringLiteral("jobs.json"));
    schedules->exportFile(file);
    QTRY_VERIFY(QFile::exists(file));
    QTRY_VERIFY(schedules->model()->rowCount() == 1);
    QVERIFY(jobs.remove(QStringLiteral("nightly"), &error));

    // A broken file: the error names it and where, and nothing is written.
    const QString broken = m_dir->filePath(QStringLiteral("broken.json"));
    QFile out(broken);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(R"({"version": 1, "jobs": [{"id": "ok", "action": {"type": "shell", "command": "true"}},
                                         {"id": "bad", "schedule": "61 * * * *", "action": {"type": "shell", "command": "true"}}]})");
    out.close();
    schedules->importFile(broken);
    QTRY_VERIFY_WITH_TIMEOUT(!schedules->errorText().isEmpty(), 10000);
    QVERIFY2(schedules->errorText().contains(QStringLiteral("jobs[1]")) &&
                 schedules->errorText().contains(QStringLiteral("61")),
             qPrintable(schedules->errorText()));
    QCOMPARE(jobs.list(&error)->size(), 0);

    // The exported one brings the job back.
    schedules->importFile(file);
    QTRY_VERIFY(jobs.find(QStringLiteral("nightly"), &error).has_value());
    QCOMPARE(jobs.find(QStringLiteral("nightly"), &error)->job.schedule, QStringLiteral("0 3 * * *"));
    QTRY_COMPARE(schedules->model()->rowCount(), 1);
    QVERIFY(schedules->errorText().isEmpty());
}

void TestMainWindow::secretsAreSetAndRemovedWithoutShowingAValue()
{
    // The secrets file goes next to the database unless TASKDECK_SECRETS says otherwise.
    qunsetenv("TASKDECK_SECRETS");
    auto window = openWindow(false);
    child<QAction>(window.get(), "secretsAction")->trigger();
    SecretsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window->findChild<SecretsDialog *>()) != nullptr);
    auto *name = child<QLineEdit>(dialog, "secretName");
    auto *value = child<QLineEdit>(dialog, "secretValue");
    QCOMPARE(value->echoMode(), QLineEdit::Password);
    name->setText(QStringLiteral("9lives"));
    QVERIFY(dialog->errorText().startsWith(QStringLiteral("name:")));
    QVERIFY(!child<QPushButton>(dialog, "setSecretButton")->isEnabled());
    name->setText(QStringLiteral("API_TOKEN"));
    value->setText(QStringLiteral("s3cr3t-value"));
    QVERIFY(dialog->errorText().isEmpty());
    QTest::mouseClick(child<QPushButton>(dialog, "setSecretButton"), Qt::LeftButton);
    QTRY_COMPARE(dialog->names(), QStringList{QStringLiteral("API_TOKEN")});
    QVERIFY(value->text().isEmpty()); // not kept in the window
    const QString file = QFileInfo(m_path).dir().filePath(QStringLiteral("secrets.json"));
    QVERIFY(QFile::exists(file));
    QCOMPARE(QFile::permissions(file) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    QVERIFY(!child<QLabel>(dialog, "secretsMessage")->text().contains(QStringLiteral("s3cr3t")));
    QTest::mouseClick(child<QPushButton>(dialog, "removeSecretButton"), Qt::LeftButton);
    QTRY_VERIFY(dialog->names().isEmpty());
}

void TestMainWindow::anotherProcessServingTheDatabaseMakesTheWindowAMonitor()
{
    const QString ctl = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECKCTL"));
    QVERIFY2(!ctl.isEmpty(), "TASKDECKCTL must name the taskdeckctl binary (set by ctest)");
    Core::JobStore jobs(m_path);
    QString error;
    QVERIFY2(jobs.add(shellJob(QStringLiteral("hello"), QStringLiteral("echo hello")), &error), qPrintable(error));
    QProcess serve;
    serve.start(ctl, {QStringLiteral("--db"), m_path, QStringLiteral("serve"), QStringLiteral("--quiet")});
    QVERIFY(serve.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_path + QStringLiteral(".lock")), 10000);

    auto window = openWindow();
    window->show();
    QTRY_COMPARE_WITH_TIMEOUT(window->engine()->mode(), EngineHost::Mode::Monitor, 10000);
    QCOMPARE(window->engine()->monitoredPid(), serve.processId());
    QVERIFY2(window->statusText().contains(QStringLiteral("Monitor")), qPrintable(window->statusText()));

    // Run now from the monitor: the serving process runs it.
    QTRY_VERIFY(window->schedules()->model()->rowCount() == 1);
    window->schedules()->runNow(QStringLiteral("hello"));
    QTRY_COMPARE_WITH_TIMEOUT(tasksOf(QStringLiteral("hello"), Core::TaskState::Succeeded), 1, 10000);
    // ... and the window sees it in History by reading the database.
    window->tabs()->setCurrentWidget(window->history());
    QTRY_VERIFY_WITH_TIMEOUT(window->history()->model()->rowCount() == 1 &&
                                 window->history()->model()->rowAt(0).outcome == QLatin1String("succeeded"),
                             10000);

    serve.terminate();
    QVERIFY(serve.waitForFinished(15000));
    QCOMPARE(serve.exitCode(), 0);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

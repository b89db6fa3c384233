#include "mainwindow.h"

#include "cronpreviewwidget.h"
#include "deadlettersview.h"
#include "eventsview.h"
#include "historyview.h"
#include "jobeditordialog.h"
#include "liveview.h"
#include "overviewview.h"
#include "queue/taskstore.h"
#include "schedulesview.h"
#include "secretsdialog.h"
#include "settingsdialog.h"
#include "store/changesignal.h"
#include "storeclient.h"
#include "trayicon.h"
#include "uiformat.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QIcon>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

// Resources compiled into a static library are not registered until someone asks.
static void initTaskdeckResources()
{
    Q_INIT_RESOURCE(taskdeck);
}

namespace Taskdeck::Ui {

namespace {

constexpr int RefreshDelayMs = 150;  // engine news are gathered this long before the views read
constexpr int MonitorPollMs = 1500;  // another process runs the engine: read this often
constexpr int SafetyPollMs = 10'000; // our own engine: what its signals do not tell
constexpr int RetentionEveryMs = 6 * 3600 * 1000;

} // namespace

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(std::move(options))
    , m_path(m_options.databasePath.isEmpty() ? Core::TaskStore::defaultPath() : m_options.databasePath)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("Taskdeck"));
    setWindowIcon(applicationIcon());

    const AppSettings settings = AppSettings::load();
    Core::Runtime::Options runtime = m_options.runtime;
    if (runtime.engine.workers == 0)
        runtime.engine.workers = settings.workers;
    m_store = new StoreClient(m_path, this);
    m_engine = new EngineHost(m_path, runtime, this);
    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(RefreshDelayMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshAll);
    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(SafetyPollMs);
    connect(m_pollTimer, &QTimer::timeout, this, [this] {
        m_deadDirty = true;
        m_overview->refresh();
        m_schedules->refresh();
        m_events->refresh();
        refreshAll();
    });
    m_retentionTimer = new QTimer(this);
    m_retentionTimer->setInterval(RetentionEveryMs);
    connect(m_retentionTimer, &QTimer::timeout, this, &MainWindow::purgeOldRuns);

    createViews();
    createMenus();
    createTray();

    m_modeLabel = new QLabel(this);
    m_modeLabel->setObjectName(QStringLiteral("modeLabel"));
    m_healthLabel = new QLabel(this);
    m_healthLabel->setObjectName(QStringLiteral("healthLabel"));
    m_notifyLabel = new QLabel(this);
    m_notifyLabel->setObjectName(QStringLiteral("notifyLabel"));
    statusBar()->addWidget(m_modeLabel, 1);
    statusBar()->addPermanentWidget(m_healthLabel);
    statusBar()->addPermanentWidget(m_notifyLabel);

    connect(m_engine, &EngineHost::modeChanged, this, &MainWindow::onModeChanged);
    connect(m_engine, &EngineHost::taskQueued, this, &MainWindow::refreshSoon);
    connect(m_engine, &EngineHost::taskStarted, this, &MainWindow::refreshSoon);
    connect(m_engine, &EngineHost::taskEnded, this, [this](qint64, const QString &state) {
        if (state == QLatin1String("dead"))
            m_deadDirty = true;
        refreshSoon();
    });
    connect(m_engine, &EngineHost::fired, this, [this] {
        m_schedules->refresh();
        refreshSoon();
    });
    connect(m_engine, &EngineHost::eventPublished, this, [this] {
        if (m_tabs->currentWidget() == m_events)
            refreshSoon();
    });
    connect(m_engine, &EngineHost::workerCountChanged, this, [this](int workers) {
        m_workers = workers;
        updateStatus();
    });
    connect(m_engine, &EngineHost::notification, this, &MainWindow::onNotification);

    readSettings();
    resize(1100, 720);
    QSettings stored;
    if (const QByteArray geometry = stored.value(QStringLiteral("window/geometry")).toByteArray(); !geometry.isEmpty())
        restoreGeometry(geometry);
    restoreState(stored.value(QStringLiteral("window/state")).toByteArray());

    updateStatus();
    if (m_options.startEngine)
        m_engine->start();
    else
        onModeChanged(EngineHost::Mode::Stopped);
    m_pollTimer->start();
    m_schedules->refresh();
    m_overview->refresh();
    m_events->refresh();
    refreshAll();
}

MainWindow::~MainWindow()
{
    writeSettings();
    // The views' pending reads are dropped (their receivers go); the store client's thread ends
    // after the work already asked for.
}

QIcon MainWindow::applicationIcon()
{
    static const bool registered = (initTaskdeckResources(), true);
    Q_UNUSED(registered)
    return QIcon(QStringLiteral(":/taskdeck/icons/taskdeck.svg"));
}

void MainWindow::createViews()
{
    applicationIcon(); // registers the resources the views' icons come from
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_overview = new OverviewView(m_store, m_tabs);
    m_schedules = new SchedulesView(m_store, m_tabs);
    m_live = new LiveView(m_store, m_engine, m_tabs);
    m_history = new HistoryView(m_store, m_tabs);
    m_deadLetters = new DeadLettersView(m_store, m_tabs);
    m_events = new EventsView(m_store, m_tabs);
    m_cronPreview = new CronPreviewWidget(m_tabs);
    m_cronPreview->setExpression(QStringLiteral("*/15 9-17 * * MON-FRI"));
    m_tabs->addTab(m_overview, tr("&Overview"));
    m_tabs->addTab(m_schedules, tr("&Schedules"));
    m_tabs->addTab(m_live, tr("&Live"));
    m_tabs->addTab(m_history, tr("&History"));
    m_tabs->addTab(m_deadLetters, tr("&Dead letters"));
    m_tabs->addTab(m_events, tr("&Events"));
    m_tabs->addTab(m_cronPreview, tr("Cron &preview"));
    setCentralWidget(m_tabs);

    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::refreshCurrent);
    connect(m_live, &LiveView::countsChanged, this, [this](int running, int waiting) {
        m_running = running;
        m_waiting = waiting;
        m_overview->setEngineState(m_modeLabel ? m_modeLabel->text() : QString(), running, m_workers);
        updateStatus();
        updateTray();
    });
    connect(m_deadLetters, &DeadLettersView::countChanged, this, &MainWindow::setDeadCount);
    connect(m_deadLetters, &DeadLettersView::retried, this, [this] {
        m_deadDirty = true;
        refreshSoon();
    });
    connect(m_schedules, &SchedulesView::jobsChanged, this, [this](const QList<JobRow> &rows) {
        m_overview->setJobs(rows);
        QList<QPair<QString, QString>> jobs;
        for (const JobRow &row : rows)
            jobs.append({row.stored.job.id, row.stored.job.title});
        m_tray->setJobs(jobs);
    });
    connect(m_schedules, &SchedulesView::runQueued, this, [this](const QString &, qint64 taskId) {
        m_tabs->setCurrentWidget(m_live);
        selectOnceListed(m_live, &LiveView::refreshed, [this, taskId] { return m_live->selectTask(taskId); });
        m_live->refresh();
    });
    connect(m_overview, &OverviewView::failureActivated, this, &MainWindow::showTask);
    connect(m_schedules, &SchedulesView::editRequested, this, &MainWindow::editJob);
}

void MainWindow::editJob(const Core::Job &job, SchedulesView::EditMode mode)
{
    auto *dialog = new JobEditorDialog(m_store, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setJob(job, mode == SchedulesView::EditMode::New         ? JobEditorDialog::Mode::New
                        : mode == SchedulesView::EditMode::Duplicate ? JobEditorDialog::Mode::Duplicate
                                                                     : JobEditorDialog::Mode::Edit);
    connect(dialog, &JobEditorDialog::saved, this, [this](const QString &id) {
        selectOnceListed(m_schedules, &SchedulesView::refreshed, [this, id] { return m_schedules->selectJob(id); });
        m_schedules->refresh();
        statusBar()->showMessage(tr("Saved %1.").arg(id), 5000);
    });
    dialog->open();
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *settingsAction = fileMenu->addAction(UiFormat::icon(QStringLiteral("settings")), tr("&Settings…"),
                                                  QKeySequence::Preferences, this, &MainWindow::showSettings);
    settingsAction->setObjectName(QStringLiteral("settingsAction"));
    settingsAction->setMenuRole(QAction::PreferencesRole);
    fileMenu->addSeparator();
    QAction *secretsAction = fileMenu->addAction(tr("Se&crets…"), this, [this] {
        auto *dialog = new SecretsDialog(m_store, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    secretsAction->setObjectName(QStringLiteral("secretsAction"));
    QAction *importAction = fileMenu->addAction(tr("&Import jobs file…"), m_schedules, &SchedulesView::askImport);
    importAction->setObjectName(QStringLiteral("importJobsAction"));
    QAction *exportAction = fileMenu->addAction(tr("&Export jobs file…"), m_schedules, &SchedulesView::askExport);
    exportAction->setObjectName(QStringLiteral("exportJobsAction"));
    fileMenu->addSeparator();
    QAction *quitAction = fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &MainWindow::quit);
    quitAction->setObjectName(QStringLiteral("quitAction"));
    quitAction->setMenuRole(QAction::QuitRole);

    QMenu *jobsMenu = menuBar()->addMenu(tr("&Jobs"));
    for (QAction *action : m_schedules->jobActions())
        jobsMenu->addAction(action);
    jobsMenu->addSeparator();
    QAction *pauseAll = jobsMenu->addAction(UiFormat::icon(QStringLiteral("pause")), tr("Pause &all jobs"), this,
                                            [this] { m_schedules->pauseAll(tr("paused from the window")); });
    pauseAll->setObjectName(QStringLiteral("pauseAllAction"));
    QAction *resumeAll = jobsMenu->addAction(UiFormat::icon(QStringLiteral("resume")), tr("Resume a&ll jobs"), this,
                                             [this] { m_schedules->resumeAll(); });
    resumeAll->setObjectName(QStringLiteral("resumeAllAction"));

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *find = viewMenu->addAction(tr("&Find"), QKeySequence::Find, this, [this] {
        // History has a search of its own; everywhere else, the jobs' filter.
        if (m_tabs->currentWidget() == m_history) {
            m_history->focusSearch();
            return;
        }
        m_tabs->setCurrentWidget(m_schedules);
        m_schedules->focusFilter();
    });
    find->setObjectName(QStringLiteral("findAction"));
    QAction *refresh = viewMenu->addAction(tr("&Refresh"), QKeySequence::Refresh, this, [this] {
        m_deadDirty = true;
        m_overview->refresh();
        m_schedules->refresh();
        m_events->refresh();
        refreshAll();
    });
    refresh->setObjectName(QStringLiteral("refreshAction"));
    viewMenu->addSeparator();
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction *tab = viewMenu->addAction(QString(m_tabs->tabText(i)).remove(QLatin1Char('&')), this,
                                           [this, i] { m_tabs->setCurrentIndex(i); });
        tab->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
    }

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *aboutAction = helpMenu->addAction(tr("&About Taskdeck"), this, &MainWindow::showAbout);
    aboutAction->setObjectName(QStringLiteral("aboutAction"));
    aboutAction->setMenuRole(QAction::AboutRole);
    QAction *aboutQtAction = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQtAction->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::createTray()
{
    m_tray = new TrayIcon(this);
    connect(m_tray, &TrayIcon::showWindowRequested, this, &MainWindow::showAndRaise);
    connect(m_tray, &TrayIcon::pauseAllRequested, this, [this] { m_schedules->pauseAll(tr("paused from the tray")); });
    connect(m_tray, &TrayIcon::resumeAllRequested, m_schedules, &SchedulesView::resumeAll);
    connect(m_tray, &TrayIcon::runJobRequested, m_schedules, &SchedulesView::runNow);
    connect(m_tray, &TrayIcon::quitRequested, this, &MainWindow::quit);
    connect(m_tray, &TrayIcon::notificationClicked, this, [this](const Core::JobNotification &notification) {
        showAndRaise();
        if (notification.event == QLatin1String("dead_letter") && notification.taskId > 0) {
            showDeadLetter(notification.taskId);
        } else if (notification.taskId > 0) {
            showTask(notification.taskId);
        } else {
            m_tabs->setCurrentWidget(m_schedules);
            m_schedules->selectJob(notification.jobId);
        }
    });
    if (m_options.useTray && TrayIcon::isAvailable())
        m_tray->show();
}

void MainWindow::readSettings()
{
    QSettings settings;
    m_tabs->setCurrentIndex(
        std::clamp(settings.value(QStringLiteral("window/tab"), 0).toInt(), 0, m_tabs->count() - 1));
    m_schedules->restoreState(settings.value(QStringLiteral("columns/schedules")).toByteArray());
    m_live->restoreState(settings.value(QStringLiteral("columns/live")).toByteArray());
    m_deadLetters->restoreState(settings.value(QStringLiteral("columns/deadLetters")).toByteArray());
    m_events->restoreState(settings.value(QStringLiteral("columns/events")).toByteArray());
    m_history->restoreState(settings.value(QStringLiteral("columns/history")).toByteArray());
    applySettings();
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    settings.setValue(QStringLiteral("columns/schedules"), m_schedules->saveState());
    settings.setValue(QStringLiteral("columns/live"), m_live->saveState());
    settings.setValue(QStringLiteral("columns/deadLetters"), m_deadLetters->saveState());
    settings.setValue(QStringLiteral("columns/events"), m_events->saveState());
    settings.setValue(QStringLiteral("columns/history"), m_history->saveState());
}

void MainWindow::applySettings()
{
    const AppSettings settings = AppSettings::load();
    m_tray->setNotificationsEnabled(settings.notifications);
    if (!m_options.useTray || !TrayIcon::isAvailable())
        m_notifyLabel->setText(tr("Notifications off: no system tray"));
    else if (!settings.notifications)
        m_notifyLabel->setText(tr("Notifications off"));
    else
        m_notifyLabel->clear();
    if (m_engine->mode() == EngineHost::Mode::Engine && settings.keepSucceededDays > 0)
        m_retentionTimer->start();
    else
        m_retentionTimer->stop();
}

bool MainWindow::closesToTray() const
{
    return m_options.useTray && TrayIcon::isAvailable() && AppSettings::load().closeToTray;
}

void MainWindow::showSettings()
{
    const AppSettings before = AppSettings::load();
    auto *dialog = new SettingsDialog(before, m_path, m_options.useTray && TrayIcon::isAvailable(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, before] {
        const AppSettings after = dialog->settings();
        after.save();
        if (after.workers != before.workers)
            m_engine->setWorkers(after.workers > 0 ? after.workers : QThread::idealThreadCount());
        applySettings();
        if (after.keepSucceededDays != before.keepSucceededDays)
            purgeOldRuns();
    });
    dialog->open();
}

void MainWindow::purgeOldRuns()
{
    const int days = AppSettings::load().keepSucceededDays;
    if (days <= 0 || m_engine->mode() != EngineHost::Mode::Engine)
        return;
    // A task like any other (it shows in History), once at a time.
    Core::TaskSpec spec;
    spec.action = QJsonObject{{QStringLiteral("type"), QStringLiteral("purge-history")},
                              {QStringLiteral("older_than_days"), days}};
    spec.uniqueKey = QStringLiteral("taskdeck-gui-retention");
    spec.queue = QStringLiteral("maintenance");
    m_store->run([spec](Stores &stores) {
        QString error;
        stores.tasks.enqueue(spec, &error); // a purge already waiting keeps its place
    });
}

void MainWindow::onModeChanged(EngineHost::Mode mode)
{
    switch (mode) {
    case EngineHost::Mode::Starting:
        m_modeLabel->setText(tr("Opening %1…").arg(m_path));
        break;
    case EngineHost::Mode::Engine:
        m_modeLabel->setText(tr("Running jobs here"));
        m_pollTimer->setInterval(SafetyPollMs);
        // Writes by taskdeckctl knock on the change file; the engine hears them itself, the views
        // here read again.
        m_changes = std::make_unique<Core::ChangeWatcher>(m_path);
        connect(m_changes.get(), &Core::ChangeWatcher::changed, this, [this] {
            m_deadDirty = true;
            m_schedules->refresh();
            m_events->refresh();
            refreshSoon();
        });
        applySettings();
        QTimer::singleShot(60'000, this, &MainWindow::purgeOldRuns);
        break;
    case EngineHost::Mode::Monitor:
        m_modeLabel->setText(tr("Monitor: process %1 runs this database (taskdeckctl serve); your actions reach it "
                                "through the database")
                                 .arg(m_engine->monitoredPid()));
        m_pollTimer->setInterval(MonitorPollMs);
        break;
    case EngineHost::Mode::Failed:
        m_modeLabel->setText(tr("Cannot run this database: %1").arg(m_engine->detail()));
        m_pollTimer->setInterval(MonitorPollMs);
        break;
    case EngineHost::Mode::Stopped:
        m_modeLabel->setText(m_quitting ? tr("Stopped") : tr("Not running jobs (viewing %1)").arg(m_path));
        m_pollTimer->setInterval(MonitorPollMs);
        break;
    }
    m_overview->setEngineState(m_modeLabel->text(), m_running, m_workers);
    updateStatus();
    refreshSoon();
}

void MainWindow::onNotification(const Core::JobNotification &notification)
{
    if (notification.event == QLatin1String("dead_letter"))
        m_deadDirty = true;
    m_tray->notify(notification);
    statusBar()->showMessage(tr("%1: %2").arg(notification.jobTitle, notification.message), 10'000);
}

void MainWindow::refreshSoon()
{
    if (!m_refreshTimer->isActive())
        m_refreshTimer->start();
}

void MainWindow::refreshAll()
{
    // What changes with every task: the live list (the status bar's counts) and the tab in view.
    m_live->refresh();
    refreshCurrent();
    if (m_deadDirty) {
        m_deadDirty = false;
        m_deadLetters->refresh();
    }
}

void MainWindow::refreshCurrent()
{
    QWidget *current = m_tabs->currentWidget();
    if (current == m_overview)
        m_overview->refresh();
    else if (current == m_schedules)
        m_schedules->refresh();
    else if (current == m_events)
        m_events->refresh();
    else if (current == m_history)
        m_history->refresh();
    else if (current == m_deadLetters)
        m_deadLetters->refresh();
    else if (current == m_live)
        m_live->refresh();
}

void MainWindow::setDeadCount(int count)
{
    m_dead = count;
    const int index = m_tabs->indexOf(m_deadLetters);
    m_tabs->setTabText(index, count > 0 ? tr("&Dead letters (%1)").arg(count) : tr("&Dead letters"));
    updateStatus();
    updateTray();
}

QString MainWindow::statusText() const
{
    return m_modeLabel->text() + QStringLiteral(" | ") + m_healthLabel->text();
}

void MainWindow::updateStatus()
{
    QStringList parts;
    parts.append(tr("%n running", nullptr, m_running));
    parts.append(tr("%n waiting", nullptr, m_waiting));
    if (m_dead > 0)
        parts.append(tr("%n dead letter(s)", nullptr, m_dead));
    m_healthLabel->setText(parts.join(QStringLiteral(" · ")));
}

void MainWindow::updateTray()
{
    const TrayIcon::State state = m_dead > 0      ? TrayIcon::State::Failed
                                  : m_running > 0 ? TrayIcon::State::Running
                                                  : TrayIcon::State::Idle;
    m_tray->setState(state, tr("Taskdeck: %1").arg(m_healthLabel->text()));
}

void MainWindow::showAndRaise()
{
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

void MainWindow::showTask(qint64 taskId)
{
    // Its attempts, in History.
    m_tabs->setCurrentWidget(m_history);
    m_history->showTask(taskId);
}

void MainWindow::showDeadLetter(qint64 taskId)
{
    m_tabs->setCurrentWidget(m_deadLetters);
    if (!m_deadLetters->selectTask(taskId)) {
        selectOnceListed(m_deadLetters, &DeadLettersView::refreshed,
                         [this, taskId] { return m_deadLetters->selectTask(taskId); });
        m_deadLetters->refresh();
    }
}

template<typename View>
void MainWindow::selectOnceListed(View *view, void (View::*refreshed)(), std::function<bool()> select)
{
    // A read already on its way may come back without the item: a few more are waited for.
    auto tries = std::make_shared<int>(5);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(view, refreshed, this, [connection, tries, select = std::move(select)] {
        if (select() || --*tries <= 0)
            QObject::disconnect(*connection);
    });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    writeSettings();
    if (!m_quitting && closesToTray()) {
        hide();
        if (!m_trayHintShown) {
            m_trayHintShown = true;
            m_tray->notify({QString(), tr("Taskdeck"), QStringLiteral("info"), 0,
                            tr("Taskdeck keeps running your jobs in the tray. Quit from its menu."),
                            QDateTime::currentDateTimeUtc()});
        }
        event->ignore();
        return;
    }
    if (!m_quitting) {
        event->ignore();
        quit();
        return;
    }
    event->accept();
}

void MainWindow::quit()
{
    if (m_quitting)
        return;
    m_quitting = true;
    writeSettings();
    m_pollTimer->stop();
    m_refreshTimer->stop();
    if (m_running > 0)
        m_modeLabel->setText(tr("Stopping: %n running task(s) may finish first…", nullptr, m_running));
    m_engine->stop([this] {
        Q_EMIT quitReady();
        if (m_options.quitApplication)
            QApplication::quit();
    });
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Taskdeck"));
    box->setIconPixmap(applicationIcon().pixmap(64, 64));
    box->setText(tr("<h3>Taskdeck %1</h3>").arg(QApplication::applicationVersion()));
    box->setInformativeText(tr("Runs background work on this machine on time, survives failures and keeps it "
                               "visible: cron jobs with explicit DST rules, queued tasks, retries and dead letters."
                               "<p>Database: <tt>%1</tt></p><p>Built with Qt %2.</p>")
                                .arg(m_path.toHtmlEscaped(), QString::fromLatin1(qVersion())));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

} // namespace Taskdeck::Ui

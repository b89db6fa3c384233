#pragma once

#include "enginehost.h"
#include "runtime.h"
#include "schedulesview.h"

#include <QMainWindow>
#include <QPointer>

class QLabel;
class QTabWidget;
class QTimer;

namespace Taskdeck::Core {
class ChangeWatcher;
struct JobNotification;
} // namespace Taskdeck::Core

namespace Taskdeck::Ui {

class CronPreviewWidget;
class DeadLettersView;
class EventsView;
class HistoryView;
class LiveView;
class OverviewView;
class StoreClient;
class TrayIcon;

// The window operators keep open all day: Overview, Schedules, Live, History, Dead letters, Events
// and the cron calculator, a status bar with the engine's health, and the tray icon.
//
// It runs the database's engine in a thread of its own (EngineHost), unless another process
// (taskdeckctl serve) holds it: then it is a monitor that reads the database and passes operator
// actions through it. Every read and write goes through a StoreClient, off the GUI thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    struct Options
    {
        QString databasePath;           // empty: the user's data folder
        Core::Runtime::Options runtime; // workers and the like
        bool startEngine = true;        // false: only the views (tests of the shell)
        bool useTray = true;            // false: no tray icon even where one exists
        bool quitApplication = true;    // quit(): QApplication::quit() once stopped (tests: false)
    };

    explicit MainWindow(Options options, QWidget *parent = nullptr);
    ~MainWindow() override;

    static QIcon applicationIcon();

    EngineHost *engine() const { return m_engine; }
    StoreClient *store() const { return m_store; }
    TrayIcon *tray() const { return m_tray; }
    QTabWidget *tabs() const { return m_tabs; }
    CronPreviewWidget *cronPreview() const { return m_cronPreview; }
    OverviewView *overview() const { return m_overview; }
    SchedulesView *schedules() const { return m_schedules; }
    LiveView *live() const { return m_live; }
    HistoryView *history() const { return m_history; }
    DeadLettersView *deadLetters() const { return m_deadLetters; }
    EventsView *events() const { return m_events; }
    QString statusText() const;

    // Whether closing the window keeps the app in the tray (a setting, on by default where a tray
    // exists).
    bool closesToTray() const;

public Q_SLOTS:
    void showAbout();
    void showSettings();
    void showAndRaise();
    // Stops the engine (running tasks finish within the grace period) and quits.
    void quit();
    // Everything read again from the store (cheap; coalesced).
    void refreshSoon();
    void showTask(qint64 taskId);
    void showDeadLetter(qint64 taskId);

Q_SIGNALS:
    // The engine stopped and the app may quit (tests listen instead of the application).
    void quitReady();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createViews();
    void editJob(const Core::Job &job, SchedulesView::EditMode mode);
    void createMenus();
    void createTray();
    void readSettings();
    void writeSettings() const;
    void onModeChanged(EngineHost::Mode mode);
    void onNotification(const Core::JobNotification &notification);
    void refreshAll();
    void refreshCurrent(); // the tab in view
    // Selects an item in a view once a refresh lists it (`select` says whether it did).
    template<typename View>
    void selectOnceListed(View *view, void (View::*refreshed)(), std::function<bool()> select);
    void updateStatus();
    void updateTray();
    void setDeadCount(int count);
    void applySettings();
    void purgeOldRuns();

    Options m_options;
    QString m_path;
    StoreClient *m_store = nullptr;
    EngineHost *m_engine = nullptr;
    TrayIcon *m_tray = nullptr;
    QTabWidget *m_tabs = nullptr;
    OverviewView *m_overview = nullptr;
    SchedulesView *m_schedules = nullptr;
    LiveView *m_live = nullptr;
    HistoryView *m_history = nullptr;
    DeadLettersView *m_deadLetters = nullptr;
    EventsView *m_events = nullptr;
    CronPreviewWidget *m_cronPreview = nullptr;
    QLabel *m_modeLabel = nullptr;
    QLabel *m_healthLabel = nullptr;
    QLabel *m_notifyLabel = nullptr;
    QTimer *m_refreshTimer = nullptr; // coalesces refreshes
    QTimer *m_pollTimer = nullptr;    // monitor mode, and a slow safety net otherwise
    QTimer *m_retentionTimer = nullptr;
    std::unique_ptr<Core::ChangeWatcher> m_changes;
    int m_running = 0;
    int m_waiting = 0;
    int m_workers = 0;
    int m_dead = 0;
    bool m_deadDirty = true;
    bool m_quitting = false;
    bool m_trayHintShown = false;
};

} // namespace Taskdeck::Ui

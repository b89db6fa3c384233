#pragma once

#include "scheduler/jobnotifier.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

class QAction;
class QMenu;
class QSystemTrayIcon;
class QTimer;

namespace Taskdeck::Ui {

// The tray icon: its picture tells the state (idle, running, something failed), its tooltip the
// summary, its menu shows the window, pauses or resumes every job, runs a job, or quits.
// Notifications come from the jobs' notify settings (JobNotifier) and are rate-limited: the first
// shows at once, the ones that follow within the window are summed up in one message when it ends.
// Where no tray exists, nothing is shown (isAvailable() is false; the window says so) but the
// notifications are still counted and announced through messageShown().
class TrayIcon final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayIcon)

public:
    enum class State { Idle, Running, Failed };
    Q_ENUM(State)

    explicit TrayIcon(QObject *parent = nullptr);
    ~TrayIcon() override;

    static bool isAvailable();
    void show();
    void hide();

    void setState(State state, const QString &toolTip);
    State state() const { return m_state; }
    QString toolTip() const;
    // The jobs for "Run a job ▸": id and title.
    void setJobs(const QList<QPair<QString, QString>> &jobs);
    void setNotificationsEnabled(bool enabled) { m_enabled = enabled; }
    // Messages closer together than this are summed up (default 10 s).
    void setRateLimit(int ms);
    // No message shown within the rate limit: the next one shows at once.
    bool isQuiet() const;

    QMenu *menu() const { return m_menu; }
    QMenu *jobsMenu() const { return m_jobsMenu; }

public Q_SLOTS:
    void notify(const Taskdeck::Core::JobNotification &notification);

Q_SIGNALS:
    void showWindowRequested();
    void pauseAllRequested();
    void resumeAllRequested();
    void runJobRequested(const QString &jobId);
    void quitRequested();
    // The operator clicked a message: the item it was about (the last one when it summed up many).
    void notificationClicked(const Taskdeck::Core::JobNotification &notification);
    void messageShown(const QString &title, const QString &body);

private:
    void showMessage(const QString &title, const QString &body, bool critical);
    void flush();

    QSystemTrayIcon *m_tray;
    QMenu *m_menu;
    QMenu *m_jobsMenu;
    QTimer *m_window;
    State m_state = State::Idle;
    bool m_enabled = true;
    QList<Core::JobNotification> m_held; // waiting for the end of the window
    Core::JobNotification m_lastShown;
};

} // namespace Taskdeck::Ui

#include "trayicon.h"

#include "uiformat.h"

#include <QAction>
#include <QMap>
#include <QMenu>
#include <QSystemTrayIcon>
#include <QTimer>

namespace Taskdeck::Ui {

namespace {

constexpr int DefaultRateLimitMs = 10'000;

QString eventWords(const QString &event)
{
    if (event == QLatin1String("failure"))
        return TrayIcon::tr("failed");
    if (event == QLatin1String("dead_letter"))
        return TrayIcon::tr("is a dead letter");
    if (event == QLatin1String("misfire"))
        return TrayIcon::tr("missed a run");
    if (event == QLatin1String("success"))
        return TrayIcon::tr("succeeded");
    return event;
}

} // namespace

TrayIcon::TrayIcon(QObject *parent)
    : QObject(parent)
    , m_tray(new QSystemTrayIcon(this))
    , m_menu(new QMenu)
    , m_jobsMenu(new QMenu(tr("&Run a job")))
    , m_window(new QTimer(this))
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_jobsMenu->setObjectName(QStringLiteral("trayJobsMenu"));
    m_jobsMenu->setIcon(UiFormat::icon(QStringLiteral("run")));
    QAction *show = m_menu->addAction(tr("&Show Taskdeck"), this, &TrayIcon::showWindowRequested);
    show->setObjectName(QStringLiteral("trayShowAction"));
    m_menu->addSeparator();
    QAction *pause = m_menu->addAction(UiFormat::icon(QStringLiteral("pause")), tr("&Pause all jobs"), this,
                                       &TrayIcon::pauseAllRequested);
    pause->setObjectName(QStringLiteral("trayPauseAllAction"));
    QAction *resume = m_menu->addAction(UiFormat::icon(QStringLiteral("resume")), tr("Res&ume all jobs"), this,
                                        &TrayIcon::resumeAllRequested);
    resume->setObjectName(QStringLiteral("trayResumeAllAction"));
    m_menu->addMenu(m_jobsMenu);
    m_menu->addSeparator();
    QAction *quit = m_menu->addAction(tr("&Quit"), this, &TrayIcon::quitRequested);
    quit->setObjectName(QStringLiteral("trayQuitAction"));
    m_tray->setContextMenu(m_menu);
    setJobs({});
    setState(State::Idle, tr("Taskdeck"));

    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT showWindowRequested();
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { Q_EMIT notificationClicked(m_lastShown); });
    m_window->setSingleShot(true);
    m_window->setInterval(DefaultRateLimitMs);
    connect(m_window, &QTimer::timeout, this, &TrayIcon::flush);
}

TrayIcon::~TrayIcon()
{
    delete m_menu;
    delete m_jobsMenu;
}

bool TrayIcon::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayIcon::show()
{
    m_tray->show();
}

void TrayIcon::hide()
{
    m_tray->hide();
}

void TrayIcon::setState(State state, const QString &toolTip)
{
    if (state != m_state || m_tray->icon().isNull()) {
        m_state = state;
        const char *name = state == State::Failed    ? "tray-failed"
                           : state == State::Running ? "tray-running"
                                                     : "tray-idle";
        m_tray->setIcon(UiFormat::icon(QString::fromLatin1(name)));
    }
    m_tray->setToolTip(toolTip);
}

QString TrayIcon::toolTip() const
{
    return m_tray->toolTip();
}

void TrayIcon::setJobs(const QList<QPair<QString, QString>> &jobs)
{
    m_jobsMenu->clear();
    for (const auto &[id, title] : jobs) {
        QAction *action =
            m_jobsMenu->addAction(title.isEmpty() || title == id ? id : QStringLiteral("%1 (%2)").arg(title, id), this,
                                  [this, id] { Q_EMIT runJobRequested(id); });
        action->setObjectName(QStringLiteral("trayRun:") + id);
    }
    if (jobs.isEmpty())
        m_jobsMenu->addAction(tr("No jobs"))->setEnabled(false);
}

void TrayIcon::setRateLimit(int ms)
{
    m_window->setInterval(std::max(0, ms));
}

bool TrayIcon::isQuiet() const
{
    return !m_window->isActive();
}

void TrayIcon::notify(const Core::JobNotification &notification)
{
    if (!m_enabled)
        return;
    if (m_window->isActive()) {
        // Within the window of the last message: held for the summary.
        m_held.append(notification);
        return;
    }
    m_lastShown = notification;
    const QString title = notification.jobId.isEmpty()
                              ? notification.jobTitle
                              : tr("%1 %2").arg(notification.jobTitle, eventWords(notification.event));
    showMessage(title, notification.message, notification.event != QLatin1String("success"));
    m_window->start();
}

void TrayIcon::flush()
{
    if (m_held.isEmpty())
        return;
    const QList<Core::JobNotification> held = std::exchange(m_held, {});
    m_lastShown = held.last();
    if (held.size() == 1) {
        notify(held.first());
        return;
    }
    // "7 more: backup failed (3), sync is a dead letter (4)".
    QMap<QString, int> counts;
    bool critical = false;
    for (const Core::JobNotification &item : held) {
        ++counts[tr("%1 %2").arg(item.jobTitle, eventWords(item.event))];
        critical = critical || item.event != QLatin1String("success");
    }
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts.append(it.value() == 1 ? it.key() : tr("%1 (%2)").arg(it.key()).arg(it.value()));
    showMessage(tr("%n more notification(s)", nullptr, int(held.size())), parts.join(QStringLiteral(", ")), critical);
    m_window->start();
}

void TrayIcon::showMessage(const QString &title, const QString &body, bool critical)
{
    if (m_tray->isVisible())
        m_tray->showMessage(title, body, critical ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
    Q_EMIT messageShown(title, body);
}

} // namespace Taskdeck::Ui

#include "settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QThread>

namespace Taskdeck::Ui {

AppSettings AppSettings::load()
{
    QSettings settings;
    AppSettings result;
    result.workers = std::clamp(settings.value(QStringLiteral("engine/workers"), 0).toInt(), 0, 256);
    result.keepSucceededDays =
        std::clamp(settings.value(QStringLiteral("history/keepSucceededDays"), 30).toInt(), 0, 3650);
    result.notifications = settings.value(QStringLiteral("tray/notifications"), true).toBool();
    result.closeToTray = settings.value(QStringLiteral("tray/closeToTray"), true).toBool();
    result.startMinimized = settings.value(QStringLiteral("window/startMinimized"), false).toBool();
    return result;
}

void AppSettings::save() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("engine/workers"), workers);
    settings.setValue(QStringLiteral("history/keepSucceededDays"), keepSucceededDays);
    settings.setValue(QStringLiteral("tray/notifications"), notifications);
    settings.setValue(QStringLiteral("tray/closeToTray"), closeToTray);
    settings.setValue(QStringLiteral("window/startMinimized"), startMinimized);
}

SettingsDialog::SettingsDialog(const AppSettings &settings, const QString &databasePath, bool trayAvailable,
                               QWidget *parent)
    : QDialog(parent)
    , m_workers(new QSpinBox(this))
    , m_keepDays(new QSpinBox(this))
    , m_notifications(new QCheckBox(tr("Show &notifications for failures, dead letters and missed runs"), this))
    , m_closeToTray(new QCheckBox(tr("&Closing the window keeps Taskdeck running in the tray"), this))
    , m_startMinimized(new QCheckBox(tr("Start &minimized"), this))
    , m_initial(settings)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Taskdeck settings"));
    m_workers->setObjectName(QStringLiteral("workersSpin"));
    m_workers->setAccessibleName(tr("Workers"));
    m_workers->setRange(0, 256);
    m_workers->setSpecialValueText(tr("one per core (%1)").arg(QThread::idealThreadCount()));
    m_workers->setValue(settings.workers);
    m_keepDays->setObjectName(QStringLiteral("keepDaysSpin"));
    m_keepDays->setAccessibleName(tr("Keep succeeded runs for"));
    m_keepDays->setRange(0, 3650);
    m_keepDays->setSuffix(tr(" days"));
    m_keepDays->setSpecialValueText(tr("forever"));
    m_keepDays->setValue(settings.keepSucceededDays);
    m_keepDays->setToolTip(tr("Dead letters and failed runs are never removed."));
    m_notifications->setObjectName(QStringLiteral("notificationsCheck"));
    m_notifications->setChecked(settings.notifications);
    m_closeToTray->setObjectName(QStringLiteral("closeToTrayCheck"));
    m_closeToTray->setChecked(settings.closeToTray && trayAvailable);
    m_closeToTray->setEnabled(trayAvailable);
    if (!trayAvailable)
        m_closeToTray->setToolTip(tr("This desktop has no system tray."));
    m_startMinimized->setObjectName(QStringLiteral("startMinimizedCheck"));
    m_startMinimized->setChecked(settings.startMinimized);

    auto *database = new QLabel(tr("<tt>%1</tt><br><small>Start with <tt>--db PATH</tt> to open another.</small>")
                                    .arg(databasePath.toHtmlEscaped()),
                                this);
    database->setObjectName(QStringLiteral("databasePathLabel"));
    database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    database->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Workers:"), m_workers);
    form->addRow(tr("&Keep succeeded runs:"), m_keepDays);
    form->addRow(m_notifications);
    form->addRow(m_closeToTray);
    form->addRow(m_startMinimized);
    form->addRow(tr("Database:"), database);
    form->addRow(buttons);
}

SettingsDialog::~SettingsDialog() = default;

AppSettings SettingsDialog::settings() const
{
    AppSettings result = m_initial;
    result.workers = m_workers->value();
    result.keepSucceededDays = m_keepDays->value();
    result.notifications = m_notifications->isChecked();
    result.closeToTray = m_closeToTray->isChecked();
    result.startMinimized = m_startMinimized->isChecked();
    return result;
}

} // namespace Taskdeck::Ui

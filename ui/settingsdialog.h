#pragma once

#include <QDialog>

class QCheckBox;
class QSpinBox;

namespace Taskdeck::Ui {

// What the app remembers between runs (QSettings), as the window uses it.
struct AppSettings
{
    int workers = 0;            // 0: one per core
    int keepSucceededDays = 30; // succeeded runs older than this leave the history; 0: kept
    bool notifications = true;
    bool closeToTray = true;
    bool startMinimized = false;

    static AppSettings load();
    void save() const;
};

// Settings: workers, retention of succeeded runs, notifications, closing to the tray, starting
// minimized, and the database in use (another one is opened with --db).
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    SettingsDialog(const AppSettings &settings, const QString &databasePath, bool trayAvailable,
                   QWidget *parent = nullptr);
    ~SettingsDialog() override;

    AppSettings settings() const;

private:
    QSpinBox *m_workers;
    QSpinBox *m_keepDays;
    QCheckBox *m_notifications;
    QCheckBox *m_closeToTray;
    QCheckBox *m_startMinimized;
    AppSettings m_initial;
};

} // namespace Taskdeck::Ui

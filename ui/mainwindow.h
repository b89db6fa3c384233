#pragma once

#include <QMainWindow>

class QTabWidget;

namespace Taskdeck::Ui {

class CronPreviewWidget;

// The window operators keep open: for now the shell that later views plug into.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    static QIcon applicationIcon();

public Q_SLOTS:
    void showAbout();

    CronPreviewWidget *cronPreview() const { return m_cronPreview; }

private:
    void createMenus();

    QTabWidget *m_tabs = nullptr;
    CronPreviewWidget *m_cronPreview = nullptr;
};

} // namespace Taskdeck::Ui

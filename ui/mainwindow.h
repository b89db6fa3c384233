#pragma once

#include <QMainWindow>

namespace Taskdeck::Ui {

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

private:
    void createMenus();
};

} // namespace Taskdeck::Ui

// taskdeck: the desktop app. main() only wires objects together.

#include "mainwindow.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("taskdeck"));
    QApplication::setApplicationDisplayName(QStringLiteral("Taskdeck"));
    QApplication::setOrganizationName(QStringLiteral("Taskdeck"));
    QApplication::setApplicationVersion(QStringLiteral(TASKDECK_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("taskdeck"));
    QApplication::setWindowIcon(Taskdeck::Ui::MainWindow::applicationIcon());

    Taskdeck::Ui::MainWindow window;
    window.show();
    return app.exec();
}

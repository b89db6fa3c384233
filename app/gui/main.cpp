// taskdeck: the desktop app. main() reads the command line and wires objects together.

#include "mainwindow.h"

#include <QApplication>
#include <QByteArray>

#include <cstdio>

namespace {

constexpr const char *Help = "Usage: taskdeck [--help] [--version] [Qt options such as -platform NAME]\n"
                             "\n"
                             "Taskdeck runs background work on this machine: cron jobs, queued tasks, retries and\n"
                             "dead letters. For scripts and servers without a display, use taskdeckctl.\n";

bool hasArgument(int argc, char *argv[], const char *name)
{
    for (int i = 1; i < argc; ++i) {
        if (QByteArray(argv[i]) == name)
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    // Answered before QApplication exists: it needs a display, and these must work without one.
    if (hasArgument(argc, argv, "--help") || hasArgument(argc, argv, "-h")) {
        std::fputs(Help, stdout);
        return 0;
    }
    if (hasArgument(argc, argv, "--version") || hasArgument(argc, argv, "-v")) {
        std::printf("taskdeck %s\n", TASKDECK_VERSION);
        return 0;
    }
#ifdef Q_OS_LINUX
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && !hasArgument(argc, argv, "-platform")) {
        std::fputs("taskdeck: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                   "Start it in a desktop session, or use taskdeckctl, which needs none.\n",
                   stderr);
        return 1;
    }
#endif

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

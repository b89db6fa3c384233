// taskdeck: the desktop app. main() reads the command line and wires objects together.

#include "mainwindow.h"
#include "settingsdialog.h"

#include <QApplication>
#include <QByteArray>
#include <QCommandLineParser>
#include <QFileInfo>

#include <cstdio>

namespace {

constexpr const char *Help =
    "Usage: taskdeck [--db PATH] [--workers N] [--minimized] [--no-tray] [--help] [--version]\n"
    "                [Qt options such as -platform NAME]\n"
    "\n"
    "Taskdeck runs background work on this machine: cron jobs, queued tasks, retries and\n"
    "dead letters. For scripts and servers without a display, use taskdeckctl.\n"
    "\n"
    "  --db PATH      the database (default: taskdeck.db in the user's data folder); when\n"
    "                 taskdeckctl serve already runs it, the window opens as its monitor\n"
    "  --workers N    tasks run at once (default: the setting, else one per core)\n"
    "  --minimized    start in the tray (or minimized where there is no tray)\n"
    "  --no-tray      no tray icon; closing the window quits\n";

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

    QCommandLineParser parser;
    const QCommandLineOption dbOption(QStringLiteral("db"), QStringLiteral("The database."), QStringLiteral("PATH"));
    const QCommandLineOption workersOption(QStringLiteral("workers"), QStringLiteral("Tasks run at once."),
                                           QStringLiteral("N"));
    const QCommandLineOption minimizedOption(QStringLiteral("minimized"), QStringLiteral("Start in the tray."));
    const QCommandLineOption noTrayOption(QStringLiteral("no-tray"), QStringLiteral("No tray icon."));
    parser.addOptions({dbOption, workersOption, minimizedOption, noTrayOption});
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "taskdeck: %s\nRun 'taskdeck --help' for the options.\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "taskdeck: unexpected argument '%s'\nRun 'taskdeck --help' for the options.\n",
                     qPrintable(parser.positionalArguments().first()));
        return 2;
    }
    Taskdeck::Ui::MainWindow::Options options;
    if (parser.isSet(dbOption)) {
        const QString path = parser.value(dbOption);
        const QFileInfo info(path);
        if (path.isEmpty() || info.isDir() || !QFileInfo(info.absolutePath()).isDir()) {
            std::fprintf(stderr, "taskdeck: --db %s: %s\n", qPrintable(path),
                         path.isEmpty() ? "the path is empty"
                         : info.isDir() ? "is a folder, not a database file"
                                        : "its folder does not exist");
            return 2;
        }
        options.databasePath = info.absoluteFilePath();
    }
    if (parser.isSet(workersOption)) {
        bool ok = false;
        const int workers = parser.value(workersOption).toInt(&ok);
        if (!ok || workers < 1 || workers > 256) {
            std::fprintf(stderr, "taskdeck: --workers %s: a number from 1 to 256 expected\n",
                         qPrintable(parser.value(workersOption)));
            return 2;
        }
        options.runtime.engine.workers = workers;
    }
    options.useTray = !parser.isSet(noTrayOption);

    Taskdeck::Ui::MainWindow window(options);
    const bool minimized = parser.isSet(minimizedOption) || Taskdeck::Ui::AppSettings::load().startMinimized;
    if (!minimized)
        window.show();
    else if (!window.closesToTray())
        window.showMinimized();
    return app.exec();
}

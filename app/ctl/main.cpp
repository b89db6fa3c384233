// taskdeckctl: Taskdeck from the command line. Its output and exit codes are a stable interface
// (0 ok, 1 failure, 2 bad input); scripts and tests rely on them.

#include "commandline.h"
#include "croncommand.h"

#include <QCoreApplication>

using namespace Taskdeck::Ctl;

namespace {

QString mainHelp()
{
    return QStringLiteral("Usage: taskdeckctl [--help] [--version] COMMAND [ARGS...]\n\n"
                          "Taskdeck runs background work on this machine: cron jobs, queued tasks,\n"
                          "retries and dead letters. taskdeckctl is its command-line twin.\n\n"
                          "Commands:\n") +
           cronCommandSummary() +
           QStringLiteral("\nOptions:\n"
                          "  -h, --help     Show this help; COMMAND --help shows a command's options\n"
                          "  -v, --version  Show the version\n\n"
                          "Exit codes: 0 success, 1 failure, 2 bad input (the message names what is wrong).\n");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("taskdeckctl"));
    QCoreApplication::setOrganizationName(QStringLiteral("Taskdeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKDECK_VERSION));

    const QStringList arguments = QCoreApplication::arguments().mid(1);
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &word = arguments.at(i);
        if (word == QLatin1String("--help") || word == QLatin1String("-h") || word == QLatin1String("help")) {
            out() << mainHelp();
            return ExitOk;
        }
        if (word == QLatin1String("--version") || word == QLatin1String("-v")) {
            out() << "taskdeckctl " << QCoreApplication::applicationVersion() << '\n';
            return ExitOk;
        }
        if (word.startsWith(QLatin1Char('-')))
            return usageError(QStringLiteral("unknown option '%1' (see: taskdeckctl --help)").arg(word));
        const QStringList rest = arguments.mid(i + 1);
        if (word == QLatin1String("cron"))
            return runCronCommand(rest);
        return usageError(QStringLiteral("unknown command '%1' (see: taskdeckctl --help)").arg(word));
    }
    err() << mainHelp();
    return ExitUsage;
}

// taskdeckctl: Taskdeck from the command line. Its output and exit codes are a stable interface
// (0 ok, 1 failure, 2 bad input); scripts and tests rely on them.

#include "commandline.h"
#include "croncommand.h"
#include "dlqcommand.h"
#include "eventcommand.h"
#include "jobcommand.h"
#include "queue/taskstore.h"
#include "secretcommand.h"
#include "servecommand.h"
#include "taskcommand.h"

#include <QCoreApplication>

using namespace Taskdeck::Ctl;

namespace {

QString mainHelp()
{
    return QStringLiteral("Usage: taskdeckctl [--help] [--version] [--db PATH] COMMAND [ARGS...]\n\n"
                          "Taskdeck runs background work on this machine: cron jobs, queued tasks,\n"
                          "retries and dead letters. taskdeckctl is its command-line twin.\n\n"
                          "Commands:\n") +
           cronCommandSummary() + taskCommandSummary() + dlqCommandSummary() + jobCommandSummary() +
           eventsCommandSummary() + subCommandSummary() + secretCommandSummary() + serveCommandSummary() +
           QStringLiteral("\nOptions:\n"
                          "  --db PATH      The database (default: %1)\n"
                          "  -h, --help     Show this help; COMMAND --help shows a command's options\n"
                          "  -v, --version  Show the version\n\n"
                          "Exit codes: 0 success, 1 failure, 2 bad input (the message names what is wrong).\n")
               .arg(Taskdeck::Core::TaskStore::defaultPath());
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("taskdeckctl"));
    QCoreApplication::setOrganizationName(QStringLiteral("Taskdeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKDECK_VERSION));

    // --db PATH is accepted anywhere before "--" (what follows "--" belongs to the task's program).
    QStringList arguments;
    QString dbPath = Taskdeck::Core::TaskStore::defaultPath();
    const QStringList given = QCoreApplication::arguments().mid(1);
    for (qsizetype i = 0; i < given.size(); ++i) {
        const QString &word = given.at(i);
        if (word == QLatin1String("--")) {
            arguments += given.mid(i);
            break;
        }
        if (word == QLatin1String("--db") || word.startsWith(QLatin1String("--db="))) {
            const bool inline_ = word.startsWith(QLatin1String("--db="));
            if (!inline_ && i + 1 >= given.size())
                return usageError(QStringLiteral("--db: a path is missing"));
            dbPath = inline_ ? word.mid(5) : given.at(++i);
            if (dbPath.isEmpty())
                return usageError(QStringLiteral("--db: the path is empty"));
            continue;
        }
        arguments.append(word);
    }
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
        if (word == QLatin1String("task"))
            return runTaskCommand(dbPath, rest);
        if (word == QLatin1String("stats"))
            return runStatsCommand(dbPath, rest);
        if (word == QLatin1String("dlq"))
            return runDlqCommand(dbPath, rest);
        if (word == QLatin1String("job"))
            return runJobCommand(dbPath, rest);
        if (word == QLatin1String("events"))
            return runEventsCommand(dbPath, rest);
        if (word == QLatin1String("sub"))
            return runSubCommand(dbPath, rest);
        if (word == QLatin1String("secret"))
            return runSecretCommand(dbPath, rest);
        if (word == QLatin1String("serve"))
            return runServeCommand(dbPath, rest);
        return usageError(QStringLiteral("unknown command '%1' (see: taskdeckctl --help)").arg(word));
    }
    err() << mainHelp();
    return ExitUsage;
}

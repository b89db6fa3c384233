#include "dlqcommand.h"

#include "actions/actionspec.h"
#include "commandline.h"
#include "isotime.h"
#include "queue/taskstore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

namespace {

QString dlqHelp()
{
    return QStringLiteral(
        "Usage: taskdeckctl [--db PATH] dlq COMMAND [options]\n\n"
        "The dead-letter list: tasks that used up their attempts or failed in a way that must not\n"
        "retry. Nothing is ever dropped from it; an operator retries or deletes.\n\n"
        "Commands:\n"
        "  list [--json]                      List dead tasks, newest first\n"
        "  retry ID... | --all | --job JOB    Queue them again (attempts start again; history kept)\n"
        "  retry ID --payload JSON            ... one of them with a new payload (the old one is kept\n"
        "                                     in the operator's record; also --payload-file FILE)\n"
        "  delete ID...                       Delete dead tasks for good\n");
}

// Reads task ids; a usage error names the first word that is not one.
bool readIds(const QStringList &words, QList<qint64> *ids, int *exitCode)
{
    for (const QString &word : words) {
        bool ok = false;
        const qint64 id = word.toLongLong(&ok);
        if (!ok || id <= 0) {
            *exitCode = usageError(QStringLiteral("'%1' is not a task id").arg(printable(word)));
            return false;
        }
        ids->append(id);
    }
    return true;
}

int runList(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] dlq list [--json]"),
                             QStringLiteral("List dead tasks, newest first."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array of task objects.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    TaskStore store(dbPath);
    QString why;
    const auto tasks = store.list(TaskState::Dead, 0, &why);
    if (!tasks) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    if (command.parser().isSet(QStringLiteral("json"))) {
        printJson(QJsonDocument(tasksToJson(*tasks)));
        return ExitOk;
    }
    const QString row = QStringLiteral("%1  %2  %3  %4  %5\n");
    out() << row.arg(QStringLiteral("ID"), 6)
                 .arg(QStringLiteral("ATTEMPTS"), -8)
                 .arg(QStringLiteral("DIED"), -25)
                 .arg(QStringLiteral("ACTION"), -32)
                 .arg(QStringLiteral("ERROR"));
    for (const Task &task : *tasks) {
        QString action = ActionSpec::summary(ActionSpec::redacted(task.spec.action));
        if (action.size() > 32)
            action = action.left(31) + QChar(0x2026);
        out() << row.arg(task.id, 6)
                     .arg(QString::number(task.attempts), -8)
                     .arg(task.finishedAt.isValid() ? IsoTime::format(task.finishedAt.toLocalTime())
                                                    : QStringLiteral("-"),
                          -25)
                     .arg(action, -32)
                     .arg(printable(task.lastError));
    }
    out().flush();
    return ExitOk;
}

int runRetry(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] dlq retry (ID... | --all | --job JOB)"),
                             QStringLiteral("Queue dead tasks again. Their attempts start again; their history is "
                                            "kept. A running engine picks them up."));
    command.parser().addOption({QStringLiteral("all"), QStringLiteral("Every dead task.")});
    command.parser().addOption(
        {QStringLiteral("job"), QStringLiteral("Every dead task of job JOB."), QStringLiteral("JOB")});
    command.parser().addPositionalArgument(QStringLiteral("ID"), QStringLiteral("Dead task ids."),
                                           QStringLiteral("[ID...]"));
    command.parser().addOption({QStringLiteral("payload"),
                                QStringLiteral("Retry the one task ID with this payload instead (any JSON)."),
                                QStringLiteral("JSON")});
    command.parser().addOption({QStringLiteral("payload-file"),
                                QStringLiteral("The same, read from FILE (- for standard input)."),
                                QStringLiteral("FILE")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    const bool all = command.parser().isSet(QStringLiteral("all"));
    const QString job = command.parser().value(QStringLiteral("job"));
    const QStringList words = command.parser().positionalArguments();
    if (int(all) + int(!job.isEmpty()) + int(!words.isEmpty()) != 1)
        return usageError(QStringLiteral("dlq retry takes task ids, --all or --job JOB (one of them)"));
    QList<qint64> ids;
    if (!readIds(words, &ids, &exitCode))
        return exitCode;
    TaskStore store(dbPath);
    QString why;
    const bool inlinePayload = command.parser().isSet(QStringLiteral("payload"));
    const bool fromFile = command.parser().isSet(QStringLiteral("payload-file"));
    if (inlinePayload || fromFile) {
        if (inlinePayload && fromFile)
            return usageError(QStringLiteral("dlq retry takes --payload or --payload-file, not both"));
        if (ids.size() != 1)
            return usageError(QStringLiteral("a new payload goes with one task id"));
        QString text;
        QString source = QStringLiteral("--payload");
        if (fromFile) {
            const QString path = command.parser().value(QStringLiteral("payload-file"));
            source = QStringLiteral("--payload-file %1").arg(printable(path));
            if (!readTextFile(path, &text, &why))
                return usageError(source + QStringLiteral(": ") + why);
        } else {
            text = command.parser().value(QStringLiteral("payload"));
        }
        const auto payload = parseJsonValue(text, &why);
        if (!payload)
            return usageError(source + QStringLiteral(": ") + why);
        if (!store.retryDeadWithPayload(ids.first(), *payload, &why)) {
            err() << "taskdeckctl: " << why << Qt::endl;
            return ExitFailure;
        }
        out() << ids.first() << Qt::endl;
        return ExitOk;
    }
    const auto retried = store.retryDead(ids, job, all, &why);
    if (!retried) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    for (qint64 id : *retried)
        out() << id << '\n';
    out().flush();
    if (retried->isEmpty())
        err() << "no dead tasks to retry" << Qt::endl;
    return ExitOk;
}

int runDelete(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] dlq delete ID..."),
                             QStringLiteral("Delete dead tasks for good, with their history. Recorded as an operator "
                                            "action."));
    command.parser().addPositionalArgument(QStringLiteral("ID"), QStringLiteral("Dead task ids."),
                                           QStringLiteral("ID..."));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    QList<qint64> ids;
    if (command.parser().positionalArguments().isEmpty())
        return usageError(QStringLiteral("dlq delete takes the ids of dead tasks"));
    if (!readIds(command.parser().positionalArguments(), &ids, &exitCode))
        return exitCode;
    TaskStore store(dbPath);
    QString why;
    const auto deleted = store.deleteDead(ids, &why);
    if (!deleted) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    for (qint64 id : *deleted)
        out() << id << '\n';
    out().flush();
    return ExitOk;
}

} // namespace

QString dlqCommandSummary()
{
    return QStringLiteral("  dlq list|retry|delete  The dead-letter list\n");
}

int runDlqCommand(const QString &dbPath, const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    if (sub == QLatin1String("list"))
        return runList(dbPath, arguments.mid(1));
    if (sub == QLatin1String("retry"))
        return runRetry(dbPath, arguments.mid(1));
    if (sub == QLatin1String("delete"))
        return runDelete(dbPath, arguments.mid(1));
    if (sub.isEmpty()) {
        err() << dlqHelp();
        return ExitUsage;
    }
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        out() << dlqHelp();
        return ExitOk;
    }
    return usageError(QStringLiteral("dlq: unknown command '%1' (expected list, retry or delete; see: taskdeckctl dlq "
                                     "--help)")
                          .arg(printable(sub)));
}

} // namespace Taskdeck::Ctl

#include "taskcommand.h"

#include "actions/actionspec.h"
#include "commandline.h"
#include "isotime.h"
#include "queue/taskstore.h"
#include "taskoptions.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLocale>
#include <QTimeZone>

#include <cmath>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

namespace {

QString taskHelp()
{
    return QStringLiteral(
        "Usage: taskdeckctl [--db PATH] task COMMAND [options]\n\n"
        "Queue tasks and look at them.\n\n"
        "Commands:\n"
        "  enqueue      Queue a task: --exec PROG [-- ARGS...] | --shell CMD | --http URL | --handler NAME\n"
        "  list         List tasks, newest first\n"
        "  show ID      Show one task\n"
        "  cancel ID    Cancel a queued, waiting or running task\n"
        "  retry-plan   Show when the attempts of a retry policy would run\n\n"
        "Run 'taskdeckctl task COMMAND --help' for a command's options.\n");
}

int runEnqueue(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(
        QStringLiteral("taskdeckctl [--db PATH] task enqueue (--exec PROG [-- ARGS...] | --shell CMD | --http URL "
                       "[--method M] | --handler NAME) [options]"),
        QStringLiteral("Queue a task and print its id. Nothing is written when any input is wrong."));
    QCommandLineParser &parser = command.parser();
    addTaskSpecOptions(parser);
    parser.addOption(
        {QStringLiteral("not-before"), QStringLiteral("Do not start before this time."), QStringLiteral("ISO-8601")});
    parser.addOption({QStringLiteral("unique"),
                      QStringLiteral("Refuse the task while another with KEY is waiting or running."),
                      QStringLiteral("KEY")});
    parser.addPositionalArgument(QStringLiteral("ARGS"), QStringLiteral("Arguments for --exec, after --."),
                                 QStringLiteral("[-- ARGS...]"));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;

    TaskSpec spec;
    if (!readTaskSpecOptions(parser, true, &spec, &exitCode))
        return exitCode;
    QString why;
    if (parser.isSet(QStringLiteral("not-before"))) {
        const auto time = IsoTime::parse(parser.value(QStringLiteral("not-before")), QTimeZone::systemTimeZone(), &why);
        if (!time)
            return usageError(QStringLiteral("--not-before: ") + why);
        spec.notBefore = *time;
    }
    if (parser.isSet(QStringLiteral("unique"))) {
        spec.uniqueKey = parser.value(QStringLiteral("unique"));
        if (spec.uniqueKey.isEmpty())
            return usageError(QStringLiteral("--unique: the key is empty"));
    }
    if (!spec.validate(&why))
        return usageError(why);
    if (!checkSecretsOf(spec.action, dbPath, QStringLiteral("action: "), &exitCode))
        return exitCode;

    TaskStore store(dbPath);
    const auto id = store.enqueue(spec, &why);
    if (!id) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    out() << *id << '\n';
    out().flush();
    return ExitOk;
}

int runList(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] task list [--state S] [--limit N] [--json]"),
                             QStringLiteral("List tasks, newest first."));
    QCommandLineParser &parser = command.parser();
    parser.addOption({QStringLiteral("state"),
                      QStringLiteral("Only tasks in state S: queued, running, retry_wait, succeeded, dead, cancelled."),
                      QStringLiteral("S")});
    parser.addOption(
        {QStringLiteral("limit"), QStringLiteral("At most N tasks (default: 1000)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array of task objects.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("task list: unexpected '%1'").arg(parser.positionalArguments().first()));
    std::optional<TaskState> state;
    if (parser.isSet(QStringLiteral("state"))) {
        state = taskStateFromName(parser.value(QStringLiteral("state")));
        if (!state)
            return usageError(QStringLiteral("--state: '%1' is not one of queued, running, retry_wait, succeeded, "
                                             "dead, cancelled")
                                  .arg(parser.value(QStringLiteral("state"))));
    }
    int limit = 1000;
    if (!readInt(parser, QStringLiteral("limit"), 1, 10000000, &limit, &exitCode))
        return exitCode;

    TaskStore store(dbPath);
    QString why;
    const auto tasks = store.list(state, limit, &why);
    if (!tasks) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    if (parser.isSet(QStringLiteral("json"))) {
        printJson(QJsonDocument(tasksToJson(*tasks)));
        return ExitOk;
    }
    const QString row = QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n");
    out() << row.arg(QStringLiteral("ID"), 6)
                 .arg(QStringLiteral("STATE"), -10)
                 .arg(QStringLiteral("ATTEMPTS"), -8)
                 .arg(QStringLiteral("QUEUE"), -12)
                 .arg(QStringLiteral("PRIO"), 5)
                 .arg(QStringLiteral("CREATED"), -25)
                 .arg(QStringLiteral("ACTION"));
    for (const Task &task : *tasks) {
        QString action = ActionSpec::summary(task.spec.action);
        if (action.size() > 60)
            action = action.left(59) + QChar(0x2026);
        out() << row.arg(task.id, 6)
                     .arg(taskStateName(task.state), -10)
                     .arg(QStringLiteral("%1/%2").arg(task.attempts).arg(task.spec.retry.maxAttempts), -8)
                     .arg(task.spec.queue, -12)
                     .arg(task.spec.priority, 5)
                     .arg(localTime(task.createdAt), -25)
                     .arg(action);
    }
    out().flush();
    return ExitOk;
}

int runShow(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] task show ID [--json]"),
                             QStringLiteral("Show one task."));
    QCommandLineParser &parser = command.parser();
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the task as a JSON object.")});
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The task's id."));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("task show takes one task id"));
    bool ok = false;
    const qint64 id = parser.positionalArguments().first().toLongLong(&ok);
    if (!ok || id <= 0)
        return usageError(QStringLiteral("'%1' is not a task id").arg(parser.positionalArguments().first()));

    TaskStore store(dbPath);
    QString why;
    const auto task = store.find(id, &why);
    if (!task) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    const QList<AttemptRecord> history = store.attempts(id, &why).value_or(QList<AttemptRecord>());
    const QList<OperatorActionRecord> actions = store.operatorActions(id, &why).value_or(QList<OperatorActionRecord>());
    const QList<PipelineAction::StepRecord> steps =
        task->spec.action.value(QStringLiteral("type")).toString() == QLatin1String("pipeline")
            ? store.pipelineSteps(id, &why).value_or(QList<PipelineAction::StepRecord>())
            : QList<PipelineAction::StepRecord>();
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject object = task->toJson();
        QJsonArray attempts;
        for (const AttemptRecord &attempt : history)
            attempts.append(attempt.toJson());
        object.insert(QStringLiteral("history"), attempts);
        QJsonArray operatorActions;
        for (const OperatorActionRecord &action : actions)
            operatorActions.append(action.toJson());
        object.insert(QStringLiteral("operator_actions"), operatorActions);
        if (task->spec.action.value(QStringLiteral("type")).toString() == QLatin1String("pipeline")) {
            QJsonArray stepArray;
            for (const PipelineAction::StepRecord &step : steps)
                stepArray.append(step.toJson());
            object.insert(QStringLiteral("steps"), stepArray);
        }
        printJson(QJsonDocument(object));
        return ExitOk;
    }
    QTextStream &o = out();
    const auto line = [&](const char *label, const QString &value) {
        o << QStringLiteral("%1 %2\n").arg(QString::fromLatin1(label) + QLatin1Char(':'), -13).arg(value);
    };
    line("Task", QString::number(task->id));
    line("State", taskStateName(task->state));
    line("Action", ActionSpec::summary(ActionSpec::redacted(task->spec.action)));
    if (!task->spec.job.isEmpty())
        line("Job", task->spec.job);
    line("Queue", QStringLiteral("%1 (priority %2)").arg(task->spec.queue).arg(task->spec.priority));
    line("Attempts", QStringLiteral("%1 of %2").arg(task->attempts).arg(task->spec.retry.maxAttempts));
    line("Created", localTime(task->createdAt));
    line("Not before", localTime(task->runAt));
    if (task->startedAt.isValid())
        line("Started", localTime(task->startedAt));
    if (task->finishedAt.isValid())
        line("Finished", localTime(task->finishedAt));
    if (task->spec.timeoutMs > 0)
        line("Timeout", formatDuration(task->spec.timeoutMs));
    if (!task->spec.uniqueKey.isEmpty())
        line("Unique key", task->spec.uniqueKey);
    if (!task->spec.payload.isNull())
        line("Payload", QString::fromUtf8(QJsonDocument(QJsonArray{task->spec.payload}).toJson(QJsonDocument::Compact))
                            .mid(1)
                            .chopped(1));
    if (!task->lastError.isEmpty())
        line("Last error", printable(task->lastError));
    if (!steps.isEmpty())
        o << "\nSteps:\n";
    for (const PipelineAction::StepRecord &step : steps) {
        o << QStringLiteral("  %1. %2: %3").arg(step.step + 1).arg(step.key, step.state);
        if (step.backgroundTaskId > 0)
            o << QStringLiteral(" as task %1").arg(step.backgroundTaskId);
        else
            o << QStringLiteral(" (%1 attempt%2)")
                     .arg(step.attempts)
                     .arg(step.attempts == 1 ? QString() : QStringLiteral("s"));
        if (!step.error.isEmpty())
            o << ": " << printable(step.error);
        o << '\n';
    }
    for (const AttemptRecord &attempt : history) {
        o << QStringLiteral("\nAttempt %1: %2, started %3")
                 .arg(attempt.number)
                 .arg(attempt.outcome.isEmpty() ? QStringLiteral("running") : attempt.outcome,
                      localTime(attempt.startedAt));
        if (attempt.finishedAt.isValid())
            o << QStringLiteral(", took %1").arg(formatDuration(attempt.startedAt.msecsTo(attempt.finishedAt)));
        if (attempt.exitCode >= 0)
            o << QStringLiteral(", exit code %1").arg(attempt.exitCode);
        if (attempt.cpuTimeMs >= 0)
            o << QStringLiteral(", CPU %1").arg(formatDuration(attempt.cpuTimeMs));
        if (attempt.peakMemoryKiB >= 0)
            o << QStringLiteral(", peak memory %1")
                     .arg(QLocale::c().formattedDataSize(attempt.peakMemoryKiB * 1024, 1,
                                                         QLocale::DataSizeTraditionalFormat));
        o << '\n';
        if (!attempt.error.isEmpty())
            o << "  error: " << printable(attempt.error) << '\n';
        if (!attempt.output.isEmpty()) {
            // The last lines of what it printed.
            const QStringList lines = attempt.output.trimmed().split(QLatin1Char('\n'));
            for (const QString &text : lines.mid(std::max<qsizetype>(0, lines.size() - 10)))
                o << "  | " << text << '\n';
        }
    }
    if (!actions.isEmpty())
        o << "\nOperator actions:\n";
    for (const OperatorActionRecord &action : actions) {
        o << "  " << localTime(action.at) << "  " << action.user << "  " << action.action;
        const QJsonValue previous = action.detail.toObject().value(QStringLiteral("previous_payload"));
        if (!previous.isUndefined()) {
            QString text =
                QString::fromUtf8(QJsonDocument(QJsonArray{previous}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
            if (text.size() > 200)
                text = text.left(199) + QChar(0x2026);
            o << " (previous payload: " << printable(text) << ')';
        }
        o << '\n';
    }
    o.flush();
    return ExitOk;
}

int runCancel(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] task cancel ID"),
                             QStringLiteral("Cancel a queued, waiting or running task. A running one is stopped by the "
                                            "engine (SIGTERM, then SIGKILL)."));
    command.parser().addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The task's id."));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    bool ok = false;
    const qint64 id = command.parser().positionalArguments().value(0).toLongLong(&ok);
    if (command.parser().positionalArguments().size() != 1 || !ok || id <= 0)
        return usageError(QStringLiteral("task cancel takes one task id"));
    TaskStore store(dbPath);
    QString why;
    if (!store.cancel(id, &why)) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    return ExitOk;
}

int runRetryPlan(const QStringList &arguments)
{
    SubcommandParser command(
        QStringLiteral("taskdeckctl task retry-plan [--max-attempts N] [--backoff BASE_MS[:MAX_MS]] [--json]"),
        QStringLiteral("Show when each attempt of a retry policy may run: the longest wait before it (the actual "
                       "wait is picked\nat random between 0 and that, \"full jitter\") and the worst case in all."));
    QCommandLineParser &parser = command.parser();
    addRetryOptions(parser);
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the plan as JSON.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("task retry-plan: unexpected '%1'").arg(parser.positionalArguments().first()));
    RetryPolicy policy;
    if (!readRetryPolicy(parser, &policy, &exitCode))
        return exitCode;

    qint64 worstCase = 0;
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray attempts{QJsonObject{{QStringLiteral("attempt"), 1}, {QStringLiteral("max_wait_ms"), 0}}};
        for (int n = 1; n < policy.maxAttempts; ++n) {
            worstCase += policy.delayCeilingMs(n);
            attempts.append(QJsonObject{{QStringLiteral("attempt"), n + 1},
                                        {QStringLiteral("max_wait_ms"), policy.delayCeilingMs(n)},
                                        {QStringLiteral("worst_case_since_first_ms"), worstCase}});
        }
        const QJsonObject plan{{QStringLiteral("max_attempts"), policy.maxAttempts},
                               {QStringLiteral("base_ms"), policy.baseDelayMs},
                               {QStringLiteral("max_ms"), policy.maxDelayMs},
                               {QStringLiteral("jitter"), QStringLiteral("full")},
                               {QStringLiteral("attempts"), attempts}};
        printJson(QJsonDocument(plan));
        return ExitOk;
    }
    QTextStream &o = out();
    o << "Retry plan: " << policy.maxAttempts << (policy.maxAttempts == 1 ? " attempt" : " attempts")
      << ", waits doubling from " << formatDuration(policy.baseDelayMs) << " up to "
      << formatDuration(policy.maxDelayMs) << ", full jitter\n";
    o << QStringLiteral("  %1  %2  %3\n")
             .arg(QStringLiteral("ATTEMPT"), -7)
             .arg(QStringLiteral("WAITS BEFORE IT (AT MOST)"), -26)
             .arg(QStringLiteral("WORST CASE SINCE THE FIRST START"));
    o << QStringLiteral("  %1  %2  %3\n")
             .arg(1, -7)
             .arg(QStringLiteral("- (runs when due)"), -26)
             .arg(QStringLiteral("-"));
    for (int n = 1; n < policy.maxAttempts; ++n) {
        worstCase += policy.delayCeilingMs(n);
        o << QStringLiteral("  %1  %2  %3\n")
                 .arg(n + 1, -7)
                 .arg(formatDuration(policy.delayCeilingMs(n)), -26)
                 .arg(formatDuration(worstCase) + QStringLiteral(" + run times"));
    }
    o << "After attempt " << policy.maxAttempts
      << " fails the task goes to the dead-letter list, where it stays until an operator retries or deletes it.\n";
    o.flush();
    return ExitOk;
}

} // namespace

int runStatsCommand(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] stats [--json]"),
                             QStringLiteral("Counts per state, queue depth, the oldest waiting task, work done in the "
                                            "last hour,\nand how long tasks waited to start (p50/p95 of the last "
                                            "1,000)."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print the figures as a JSON object.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!command.parser().positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("stats: unexpected '%1'").arg(printable(command.parser().positionalArguments().first())));
    TaskStore store(dbPath);
    QString why;
    const auto stats = store.statistics(&why);
    if (!stats) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    if (command.parser().isSet(QStringLiteral("json"))) {
        printJson(QJsonDocument(stats->toJson()));
        return ExitOk;
    }
    QTextStream &o = out();
    const QJsonObject states = stats->toJson().value(QStringLiteral("states")).toObject();
    QStringList counts;
    for (auto it = states.begin(); it != states.end(); ++it)
        counts.append(QStringLiteral("%1 %2").arg(it.value().toInt()).arg(it.key()));
    o << "Tasks:          " << counts.join(QStringLiteral(", ")) << '\n';
    o << "Queue depth:    " << stats->waiting << " waiting";
    if (stats->oldestWaitingSince.isValid())
        o << ", the oldest due since " << localTime(stats->oldestWaitingSince);
    o << '\n';
    o << "Last hour:      " << stats->succeededLastHour << " succeeded, " << stats->failedAttemptsLastHour
      << " failed attempts\n";
    if (stats->startLatencyP50Ms >= 0)
        o << "Start latency:  p50 " << formatDuration(stats->startLatencyP50Ms) << ", p95 "
          << formatDuration(stats->startLatencyP95Ms) << " (from due to started, last 1,000 tasks)\n";
    o.flush();
    return ExitOk;
}

QString taskCommandSummary()
{
    return QStringLiteral("  task enqueue ...    Queue a task (--exec, --shell, --http or --handler)\n"
                          "  task list           List tasks\n"
                          "  task show ID        Show one task\n"
                          "  task cancel ID      Cancel a task (a running one is stopped)\n"
                          "  task retry-plan     Show when retries would run\n"
                          "  stats               Counts, queue depth, throughput and start latency\n");
}

int runTaskCommand(const QString &dbPath, const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    if (sub == QLatin1String("enqueue"))
        return runEnqueue(dbPath, arguments.mid(1));
    if (sub == QLatin1String("list"))
        return runList(dbPath, arguments.mid(1));
    if (sub == QLatin1String("show"))
        return runShow(dbPath, arguments.mid(1));
    if (sub == QLatin1String("retry-plan"))
        return runRetryPlan(arguments.mid(1));
    if (sub == QLatin1String("cancel"))
        return runCancel(dbPath, arguments.mid(1));
    if (sub.isEmpty()) {
        err() << taskHelp();
        return ExitUsage;
    }
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        out() << taskHelp();
        return ExitOk;
    }
    return usageError(
        QStringLiteral(
            "task: unknown command '%1' (expected enqueue, list, show, cancel or retry-plan; see: taskdeckctl "
            "task --help)")
            .arg(sub));
}

} // namespace Taskdeck::Ctl

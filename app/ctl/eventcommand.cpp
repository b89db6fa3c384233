#include "eventcommand.h"

#include "commandline.h"
#include "events/eventstore.h"
#include "events/topic.h"
#include "isotime.h"
#include "scheduler/jobstore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

namespace {

QString eventsHelp()
{
    return QStringLiteral(
        "Usage: taskdeckctl [--db PATH] events COMMAND [options]\n\n"
        "Events: a topic and a JSON payload, stored with a task for every subscription that matches\n"
        "(in one transaction: none is lost, none is half-delivered). `taskdeckctl serve` runs them.\n\n"
        "Commands:\n"
        "  publish TOPIC [--data JSON | --data-file FILE]   Publish an event; prints its id and deliveries\n"
        "  list [--topic PATTERN] [--limit N] [--json]     Events, newest first, with their deliveries\n"
        "  show ID [--json]                                One event, its payload and deliveries\n");
}

QString subHelp()
{
    return QStringLiteral(
        "Usage: taskdeckctl [--db PATH] sub COMMAND [options]\n\n"
        "Subscriptions: events whose topic matches a pattern run a job, with the event as its\n"
        "payload. '*' stands for one word of a dotted topic, '#' for any number (task.*, dataset.#).\n\n"
        "Commands:\n"
        "  add NAME --topic PATTERN --job JOB [--filter FIELD=VALUE] [--batch-max N [--batch-wait MS]] [--paused]\n"
        "  edit NAME [--topic PATTERN] [--job JOB] [--filter FIELD=VALUE | --no-filter] [--batch-max N]\n"
        "       [--batch-wait MS] [--no-batch]   Change only what is given\n"
        "  list [--json]             Every subscription, with the events it holds\n"
        "  show NAME [--json]        One subscription\n"
        "  remove NAME [--drop-waiting]   Remove it (refused while it holds events, unless told)\n"
        "  pause NAME                Hold what arrives (nothing is dropped)\n"
        "  resume NAME               Deliver what it held, and go on\n");
}

int fail(const QString &why)
{
    err() << "taskdeckctl: " << why << Qt::endl;
    return ExitFailure;
}

QString localTime(const QDateTime &time)
{
    return time.isValid() ? IsoTime::format(time.toLocalTime()) : QStringLiteral("-");
}

bool readOneName(SubcommandParser &command, const QStringList &arguments, const QString &what, QString *name,
                 int *exitCode)
{
    command.parser().addPositionalArgument(what, QStringLiteral("The %1.").arg(what.toLower()));
    if (!command.parse(arguments, exitCode))
        return false;
    const QStringList words = command.parser().positionalArguments();
    if (words.size() != 1) {
        *exitCode = usageError(QStringLiteral("expected one %1").arg(what.toLower()));
        return false;
    }
    *name = words.first();
    return true;
}

QString deliveriesText(const EventRecord &record)
{
    QStringList parts;
    for (const EventRecord::Delivery &delivery : record.deliveries) {
        if (delivery.taskId > 0)
            parts.append(QStringLiteral("%1 -> task %2 (%3)")
                             .arg(delivery.subscription)
                             .arg(delivery.taskId)
                             .arg(delivery.taskState.isEmpty() ? QStringLiteral("purged") : delivery.taskState));
        else
            parts.append(QStringLiteral("%1: waiting").arg(delivery.subscription));
    }
    return parts.isEmpty() ? QStringLiteral("no subscriber") : parts.join(QStringLiteral(", "));
}

QString compactJson(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

int runPublish(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] events publish TOPIC [--data JSON | --data-file "
                                            "FILE]"),
                             QStringLiteral("Publish an event: it is stored, and every subscription whose pattern "
                                            "matches gets a task (or a place in its batch) in the same write."));
    command.parser().addOption(
        {QStringLiteral("data"), QStringLiteral("The payload: any JSON (default: null)."), QStringLiteral("JSON")});
    command.parser().addOption({QStringLiteral("data-file"),
                                QStringLiteral("Read the payload from FILE ('-': standard input)."),
                                QStringLiteral("FILE")});
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print the result as JSON.")});
    QString topic;
    int exitCode = ExitOk;
    if (!readOneName(command, arguments, QStringLiteral("TOPIC"), &topic, &exitCode))
        return exitCode;
    if (const QString why = Topic::problem(topic); !why.isEmpty())
        return usageError(why);
    if (command.parser().isSet(QStringLiteral("data")) && command.parser().isSet(QStringLiteral("data-file")))
        return usageError(QStringLiteral("--data and --data-file: give one"));
    QString why;
    QJsonValue data;
    QString text;
    if (command.parser().isSet(QStringLiteral("data"))) {
        text = command.parser().value(QStringLiteral("data"));
    } else if (command.parser().isSet(QStringLiteral("data-file"))) {
        if (!readTextFile(command.parser().value(QStringLiteral("data-file")), &text, &why))
            return usageError(
                QStringLiteral("--data-file: %1: %2").arg(command.parser().value(QStringLiteral("data-file")), why));
    }
    if (!text.isNull()) {
        const auto value = parseJsonValue(text, &why);
        if (!value)
            return usageError(QStringLiteral("--data: ") + why);
        data = *value;
    }
    const auto published = EventStore(dbPath).publish(topic, data, QStringLiteral("cli"), &why);
    if (!published)
        return fail(why);
    if (command.parser().isSet(QStringLiteral("json"))) {
        QJsonArray tasks;
        for (qint64 id : published->taskIds)
            tasks.append(id);
        printJson(QJsonDocument(
            QJsonObject{{QStringLiteral("id"), published->eventId},
                        {QStringLiteral("tasks"), tasks},
                        {QStringLiteral("delivered_to"), QJsonArray::fromStringList(published->deliveredTo)},
                        {QStringLiteral("held_by"), QJsonArray::fromStringList(published->heldBy)}}));
        return ExitOk;
    }
    QTextStream &o = out();
    o << published->eventId;
    QStringList parts;
    if (!published->taskIds.isEmpty()) {
        QStringList ids;
        for (qint64 id : published->taskIds)
            ids.append(QString::number(id));
        parts.append(QStringLiteral("queued task%1 %2 for %3")
                         .arg(ids.size() == 1 ? QString() : QStringLiteral("s"), ids.join(QStringLiteral(", ")),
                              published->deliveredTo.join(QStringLiteral(", "))));
    }
    if (!published->heldBy.isEmpty())
        parts.append(QStringLiteral("held by %1").arg(published->heldBy.join(QStringLiteral(", "))));
    o << (parts.isEmpty() ? QStringLiteral(": no subscriber") : QStringLiteral(": ") + parts.join(QStringLiteral("; ")))
      << Qt::endl;
    return ExitOk;
}

int runList(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] events list [--topic PATTERN] [--limit N] "
                                            "[--json]"),
                             QStringLiteral("Events, newest first, with the task each subscription got."));
    command.parser().addOption(
        {QStringLiteral("topic"), QStringLiteral("Only topics matching PATTERN."), QStringLiteral("PATTERN")});
    command.parser().addOption(
        {QStringLiteral("limit"), QStringLiteral("At most N events (default: 50; 0: all)."), QStringLiteral("N")});
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array of events.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!command.parser().positionalArguments().isEmpty())
        return usageError(QStringLiteral("events list: unexpected '%1'")
                              .arg(printable(command.parser().positionalArguments().first())));
    const QString pattern = command.parser().value(QStringLiteral("topic"));
    if (command.parser().isSet(QStringLiteral("topic"))) {
        if (const QString why = Topic::patternProblem(pattern); !why.isEmpty())
            return usageError(QStringLiteral("--topic: ") + why);
    }
    int limit = 50;
    if (command.parser().isSet(QStringLiteral("limit"))) {
        bool ok = false;
        limit = command.parser().value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 0)
            return usageError(QStringLiteral("--limit: '%1' is not a whole number of 0 or more")
                                  .arg(printable(command.parser().value(QStringLiteral("limit")))));
    }
    QString why;
    const auto records = EventStore(dbPath).list(pattern, limit, &why);
    if (!records)
        return fail(why);
    if (command.parser().isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const EventRecord &record : *records)
            array.append(record.toJson());
        printJson(QJsonDocument(array));
        return ExitOk;
    }
    const QString row = QStringLiteral("%1  %2  %3  %4\n");
    out() << row.arg(QStringLiteral("ID"), 6)
                 .arg(QStringLiteral("PUBLISHED"), -25)
                 .arg(QStringLiteral("TOPIC"), -28)
                 .arg(QStringLiteral("DELIVERIES"));
    for (const EventRecord &record : *records)
        out() << row.arg(record.event.id, 6)
                     .arg(localTime(record.event.publishedAt), -25)
                     .arg(record.event.topic, -28)
                     .arg(deliveriesText(record));
    out().flush();
    return ExitOk;
}

int runShow(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] events show ID [--json]"),
                             QStringLiteral("One event: its topic, payload, source and deliveries."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print it as a JSON object.")});
    QString word;
    int exitCode = ExitOk;
    if (!readOneName(command, arguments, QStringLiteral("ID"), &word, &exitCode))
        return exitCode;
    bool ok = false;
    const qint64 id = word.toLongLong(&ok);
    if (!ok || id <= 0)
        return usageError(QStringLiteral("'%1' is not an event id").arg(printable(word)));
    QString why;
    const auto record = EventStore(dbPath).find(id, &why);
    if (!record)
        return fail(why);
    if (command.parser().isSet(QStringLiteral("json"))) {
        printJson(QJsonDocument(record->toJson()));
        return ExitOk;
    }
    QTextStream &o = out();
    o << QStringLiteral("Event:       %1\n").arg(record->event.id)
      << QStringLiteral("Topic:       %1\n").arg(record->event.topic)
      << QStringLiteral("Published:   %1\n").arg(localTime(record->event.publishedAt))
      << QStringLiteral("Source:      %1\n")
             .arg(record->event.source.isEmpty() ? QStringLiteral("-") : record->event.source)
      << QStringLiteral("Data:        %1\n").arg(printable(compactJson(record->event.data)))
      << QStringLiteral("Deliveries:  %1\n").arg(deliveriesText(*record));
    o.flush();
    return ExitOk;
}

// --filter FIELD=VALUE: VALUE is read as JSON when it is a JSON scalar (42, true, null, "x"),
// else as text.
bool readFilter(const QString &text, Subscription *subscription, int *exitCode)
{
    const qsizetype equals = text.indexOf(QLatin1Char('='));
    if (equals <= 0) {
        *exitCode = usageError(QStringLiteral("--filter: '%1' is not FIELD=VALUE").arg(printable(text)));
        return false;
    }
    subscription->filterField = text.left(equals);
    const QString value = text.mid(equals + 1);
    QString why;
    const auto json = parseJsonValue(value, &why);
    subscription->filterValue = json && !json->isObject() && !json->isArray() ? *json : QJsonValue(value);
    return true;
}

bool readWholeNumber(const QCommandLineParser &parser, const QString &option, qint64 min, qint64 max, qint64 *value,
                     int *exitCode)
{
    bool ok = false;
    *value = parser.value(option).toLongLong(&ok);
    if (!ok || *value < min || *value > max) {
        *exitCode = usageError(QStringLiteral("--%1: '%2' is not a whole number from %3 to %4")
                                   .arg(option, printable(parser.value(option)))
                                   .arg(min)
                                   .arg(max));
        return false;
    }
    return true;
}

int runAddOrEdit(const QString &dbPath, const QStringList &arguments, bool adding)
{
    SubcommandParser command(
        adding ? QStringLiteral("taskdeckctl [--db PATH] sub add NAME --topic PATTERN --job JOB [--filter "
                                "FIELD=VALUE] [--batch-max N [--batch-wait MS]] [--paused]")
               : QStringLiteral("taskdeckctl [--db PATH] sub edit NAME [--topic PATTERN] [--job JOB] [--filter "
                                "FIELD=VALUE | --no-filter] [--batch-max N] [--batch-wait MS] [--no-batch]"),
        adding ? QStringLiteral("Subscribe a job to a topic pattern: each matching event runs the job's action with "
                                "the event as its payload; with --batch-max, up to N events (or what arrived in "
                                "--batch-wait ms, default 60000) run as one task carrying an array.")
               : QStringLiteral("Change a subscription; only what is given changes."));
    QCommandLineParser &parser = command.parser();
    parser.addOption({QStringLiteral("topic"), QStringLiteral("Topic pattern ('*': one word, '#': any)."),
                      QStringLiteral("PATTERN")});
    parser.addOption({QStringLiteral("job"), QStringLiteral("The job to run."), QStringLiteral("JOB")});
    parser.addOption({QStringLiteral("filter"),
                      QStringLiteral("Only events whose data has FIELD (a dotted path) equal to VALUE."),
                      QStringLiteral("FIELD=VALUE")});
    parser.addOption(
        {QStringLiteral("batch-max"), QStringLiteral("Deliver up to N events as one task."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("batch-wait"),
                      QStringLiteral("... or what arrived within MS of the first (default: 60000)."),
                      QStringLiteral("MS")});
    if (adding) {
        parser.addOption({QStringLiteral("paused"), QStringLiteral("Add it paused (it holds what arrives).")});
    } else {
        parser.addOption({QStringLiteral("no-filter"), QStringLiteral("Drop the filter.")});
        parser.addOption({QStringLiteral("no-batch"), QStringLiteral("Deliver each event on its own.")});
    }
    QString name;
    int exitCode = ExitOk;
    if (!readOneName(command, arguments, QStringLiteral("NAME"), &name, &exitCode))
        return exitCode;
    QString why;
    EventStore store(dbPath);
    Subscription subscription;
    if (adding) {
        subscription.name = name;
        if (!parser.isSet(QStringLiteral("topic")))
            return usageError(QStringLiteral("--topic is missing"));
        if (!parser.isSet(QStringLiteral("job")))
            return usageError(QStringLiteral("--job is missing"));
        subscription.paused = parser.isSet(QStringLiteral("paused"));
    } else {
        const auto stored = store.findSubscription(name, &why);
        if (!stored)
            return fail(why);
        subscription = stored->subscription;
        if (parser.isSet(QStringLiteral("no-filter"))) {
            subscription.filterField.clear();
            subscription.filterValue = QJsonValue();
        }
        if (parser.isSet(QStringLiteral("no-batch"))) {
            subscription.batchMaxItems = 0;
            subscription.batchMaxWaitMs = 0;
        }
    }
    if (parser.isSet(QStringLiteral("topic")))
        subscription.pattern = parser.value(QStringLiteral("topic"));
    if (parser.isSet(QStringLiteral("job")))
        subscription.jobId = parser.value(QStringLiteral("job"));
    if (parser.isSet(QStringLiteral("filter")) &&
        !readFilter(parser.value(QStringLiteral("filter")), &subscription, &exitCode))
        return exitCode;
    if (parser.isSet(QStringLiteral("batch-max"))) {
        qint64 n = 0;
        if (!readWholeNumber(parser, QStringLiteral("batch-max"), 1, 100000, &n, &exitCode))
            return exitCode;
        subscription.batchMaxItems = int(n);
        if (subscription.batchMaxWaitMs == 0)
            subscription.batchMaxWaitMs = Subscription::DefaultBatchMaxWaitMs;
    }
    if (parser.isSet(QStringLiteral("batch-wait"))) {
        if (subscription.batchMaxItems == 0)
            return usageError(QStringLiteral("--batch-wait goes with --batch-max"));
        qint64 ms = 0;
        if (!readWholeNumber(parser, QStringLiteral("batch-wait"), 1, 7LL * 86400 * 1000, &ms, &exitCode))
            return exitCode;
        subscription.batchMaxWaitMs = ms;
    }
    if (!subscription.validate(&why))
        return usageError(why);
    // A subscription to a job that does not exist is bad input, found before anything is written.
    QString jobError;
    if (!JobStore(dbPath).find(subscription.jobId, &jobError))
        return usageError(QStringLiteral("--job: no job '%1'").arg(subscription.jobId));
    if (!(adding ? store.addSubscription(subscription, &why) : store.updateSubscription(subscription, &why)))
        return fail(why);
    out() << name << (adding ? " added" : " changed") << Qt::endl;
    return ExitOk;
}

QString batchText(const Subscription &subscription)
{
    if (!subscription.isBatched())
        return QStringLiteral("-");
    return QStringLiteral("%1/%2s").arg(subscription.batchMaxItems).arg(double(subscription.batchMaxWaitMs) / 1000.0);
}

QJsonObject storedToJson(const StoredSubscription &stored)
{
    QJsonObject object = stored.subscription.toJson();
    object.insert(QStringLiteral("revision"), stored.revision);
    object.insert(QStringLiteral("waiting"), stored.waiting);
    object.insert(QStringLiteral("delivered"), double(stored.delivered));
    object.insert(QStringLiteral("oldest_waiting_since"), stored.oldestWaitingSince.isValid()
                                                              ? QJsonValue(IsoTime::format(stored.oldestWaitingSince))
                                                              : QJsonValue());
    object.insert(QStringLiteral("created_at"), IsoTime::format(stored.createdAt));
    object.insert(QStringLiteral("updated_at"), IsoTime::format(stored.updatedAt));
    return object;
}

int runSubList(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] sub list [--json]"),
                             QStringLiteral("Every subscription, with how many events it holds and delivered."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!command.parser().positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("sub list: unexpected '%1'").arg(printable(command.parser().positionalArguments().first())));
    QString why;
    const auto list = EventStore(dbPath).subscriptions(&why);
    if (!list)
        return fail(why);
    if (command.parser().isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const StoredSubscription &stored : *list)
            array.append(storedToJson(stored));
        printJson(QJsonDocument(array));
        return ExitOk;
    }
    const QString row = QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n");
    out() << row.arg(QStringLiteral("NAME"), -24)
                 .arg(QStringLiteral("TOPIC"), -22)
                 .arg(QStringLiteral("JOB"), -24)
                 .arg(QStringLiteral("BATCH"), -10)
                 .arg(QStringLiteral("WAITING"), 7)
                 .arg(QStringLiteral("DELIVERED"), 9)
                 .arg(QStringLiteral("STATE"));
    for (const StoredSubscription &stored : *list) {
        const Subscription &s = stored.subscription;
        QString state = s.paused ? QStringLiteral("paused") : QStringLiteral("active");
        if (!s.filterField.isEmpty())
            state += QStringLiteral(", only %1=%2").arg(s.filterField, compactJson(s.filterValue));
        out() << row.arg(s.name, -24)
                     .arg(s.pattern, -22)
                     .arg(s.jobId, -24)
                     .arg(batchText(s), -10)
                     .arg(stored.waiting, 7)
                     .arg(stored.delivered, 9)
                     .arg(state);
    }
    out().flush();
    return ExitOk;
}

int runSubShow(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] sub show NAME [--json]"),
                             QStringLiteral("One subscription and what waits for it."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print it as a JSON object.")});
    QString name;
    int exitCode = ExitOk;
    if (!readOneName(command, arguments, QStringLiteral("NAME"), &name, &exitCode))
        return exitCode;
    QString why;
    const auto stored = EventStore(dbPath).findSubscription(name, &why);
    if (!stored)
        return fail(why);
    if (command.parser().isSet(QStringLiteral("json"))) {
        printJson(QJsonDocument(storedToJson(*stored)));
        return ExitOk;
    }
    const Subscription &s = stored->subscription;
    QTextStream &o = out();
    o << QStringLiteral("Subscription: %1\n").arg(s.name) << QStringLiteral("Topic:        %1\n").arg(s.pattern)
      << QStringLiteral("Job:          %1\n").arg(s.jobId)
      << QStringLiteral("Filter:       %1\n")
             .arg(s.filterField.isEmpty() ? QStringLiteral("none")
                                          : QStringLiteral("%1 = %2").arg(s.filterField, compactJson(s.filterValue)))
      << QStringLiteral("Batch:        %1\n")
             .arg(s.isBatched() ? QStringLiteral("up to %1 events, or what arrived within %2 ms of the first")
                                      .arg(s.batchMaxItems)
                                      .arg(s.batchMaxWaitMs)
                                : QStringLiteral("none (a task per event)"))
      << QStringLiteral("State:        %1\n").arg(s.paused ? QStringLiteral("paused") : QStringLiteral("active"))
      << QStringLiteral("Waiting:      %1%2\n")
             .arg(stored->waiting)
             .arg(stored->waiting > 0
                      ? QStringLiteral(" (the oldest since %1)").arg(localTime(stored->oldestWaitingSince))
                      : QString())
      << QStringLiteral("Delivered:    %1\n").arg(stored->delivered);
    o.flush();
    return ExitOk;
}

int runSubRemove(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] sub remove NAME [--drop-waiting]"),
                             QStringLiteral("Remove a subscription. Refused while it holds events not delivered, "
                                            "unless --drop-waiting (their events stay in the log)."));
    command.parser().addOption(
        {QStringLiteral("drop-waiting"), QStringLiteral("Remove it even though it holds events.")});
    QString name;
    int exitCode = ExitOk;
    if (!readOneName(command, arguments, QStringLiteral("NAME"), &name, &exitCode))
        return exitCode;
    QString why;
    if (!EventStore(dbPath).removeSubscription(name, command.parser().isSet(QStringLiteral("drop-waiting")), &why))
        return fail(why);
    out() << name << " removed" << Qt::endl;
    return ExitOk;
}

int runSubPause(const QString &dbPath, const QStringList &arguments, bool pausing)
{
    SubcommandParser command(pausing ? QStringLiteral("taskdeckctl [--db PATH] sub pause NAME")
                                     : QStringLiteral("taskdeckctl [--db PATH] sub resume NAME"),
                             pausing ? QStringLiteral("Hold the events that arrive for it; nothing is dropped.")
                                     : QStringLiteral("Deliver what it held, and go on."));
    QString name;
    int exitCode = ExitOk;
    if (!readOneName(command, arguments, QStringLiteral("NAME"), &name, &exitCode))
        return exitCode;
    QString why;
    if (!EventStore(dbPath).setSubscriptionPaused(name, pausing, &why))
        return fail(why);
    out() << name << (pausing ? " paused" : " resumed") << Qt::endl;
    return ExitOk;
}

int dispatchHelp(const QString &sub, const QString &help, const QString &command, const QString &expected)
{
    if (sub.isEmpty()) {
        err() << help;
        return ExitUsage;
    }
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        out() << help;
        return ExitOk;
    }
    return usageError(QStringLiteral("%1: unknown command '%2' (expected %3; see: taskdeckctl %1 --help)")
                          .arg(command, printable(sub), expected));
}

} // namespace

QString eventsCommandSummary()
{
    return QStringLiteral("  events publish|list|show  Events and what their subscriptions did with them\n");
}

QString subCommandSummary()
{
    return QStringLiteral("  sub add|edit|list|show|remove|pause|resume  Subscriptions of jobs to topics\n");
}

int runEventsCommand(const QString &dbPath, const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    const QStringList rest = arguments.mid(1);
    if (sub == QLatin1String("publish"))
        return runPublish(dbPath, rest);
    if (sub == QLatin1String("list"))
        return runList(dbPath, rest);
    if (sub == QLatin1String("show"))
        return runShow(dbPath, rest);
    return dispatchHelp(sub, eventsHelp(), QStringLiteral("events"), QStringLiteral("publish, list or show"));
}

int runSubCommand(const QString &dbPath, const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    const QStringList rest = arguments.mid(1);
    if (sub == QLatin1String("add") || sub == QLatin1String("edit"))
        return runAddOrEdit(dbPath, rest, sub == QLatin1String("add"));
    if (sub == QLatin1String("list"))
        return runSubList(dbPath, rest);
    if (sub == QLatin1String("show"))
        return runSubShow(dbPath, rest);
    if (sub == QLatin1String("remove"))
        return runSubRemove(dbPath, rest);
    if (sub == QLatin1String("pause") || sub == QLatin1String("resume"))
        return runSubPause(dbPath, rest, sub == QLatin1String("pause"));
    return dispatchHelp(sub, subHelp(), QStringLiteral("sub"),
                        QStringLiteral("add, edit, list, show, remove, pause or resume"));
}

} // namespace Taskdeck::Ctl

#include "taskoptions.h"

#include "actions/actionspec.h"
#include "actions/placeholders.h"
#include "actions/secrets.h"
#include "commandline.h"
#include "isotime.h"

#include <cmath>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

QString formatDuration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60 * 1000) {
        const double seconds = double(ms) / 1000.0;
        return QStringLiteral("%1 s").arg(QString::number(seconds, 'g', 4));
    }
    const qint64 totalSeconds = ms / 1000;
    const qint64 hours = totalSeconds / 3600;
    const qint64 minutes = totalSeconds / 60 % 60;
    const qint64 seconds = totalSeconds % 60;
    QStringList parts;
    if (hours > 0)
        parts.append(QStringLiteral("%1 h").arg(hours));
    if (minutes > 0)
        parts.append(QStringLiteral("%1 min").arg(minutes));
    if (seconds > 0 && hours == 0)
        parts.append(QStringLiteral("%1 s").arg(seconds));
    return parts.join(QLatin1Char(' '));
}

bool readInt(const QCommandLineParser &parser, const QString &option, int min, int max, int *value, int *exitCode)
{
    if (!parser.isSet(option))
        return true;
    const QString text = parser.value(option);
    bool ok = false;
    const int parsed = text.toInt(&ok);
    if (!ok || parsed < min || parsed > max) {
        *exitCode = usageError(
            QStringLiteral("--%1: '%2' is not a whole number from %3 to %4").arg(option, text).arg(min).arg(max));
        return false;
    }
    *value = parsed;
    return true;
}

bool readRetryPolicy(const QCommandLineParser &parser, RetryPolicy *policy, int *exitCode)
{
    if (!readInt(parser, QStringLiteral("max-attempts"), 1, 1000, &policy->maxAttempts, exitCode))
        return false;
    if (parser.isSet(QStringLiteral("backoff"))) {
        QString why;
        const auto withBackoff = RetryPolicy::withBackoff(parser.value(QStringLiteral("backoff")), *policy, &why);
        if (!withBackoff) {
            *exitCode = usageError(QStringLiteral("--backoff: ") + why);
            return false;
        }
        *policy = *withBackoff;
    }
    return true;
}

void addRetryOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("max-attempts"),
         QStringLiteral("Attempts in all, the first included (default: %1).").arg(RetryPolicy::DefaultMaxAttempts),
         QStringLiteral("N")});
    parser.addOption({QStringLiteral("backoff"),
                      QStringLiteral("Wait BASE_MS after the first failure, doubling each time up to MAX_MS "
                                     "(default: 1000:3600000); the wait is picked at random below it."),
                      QStringLiteral("BASE_MS[:MAX_MS]")});
}

QString localTime(const QDateTime &time)
{
    return time.isValid() ? IsoTime::format(time.toLocalTime()) : QStringLiteral("-");
}

bool readSeconds(const QCommandLineParser &parser, const QString &option, double min, double max, qint64 *ms,
                 int *exitCode)
{
    if (!parser.isSet(option))
        return true;
    const QString text = parser.value(option);
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < min || seconds > max) {
        *exitCode = usageError(QStringLiteral("--%1: '%2' is not a number of seconds from %3 to %4")
                                   .arg(option, printable(text))
                                   .arg(min)
                                   .arg(max));
        return false;
    }
    *ms = qint64(std::ceil(seconds * 1000));
    return true;
}

void addTaskSpecOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("exec"), QStringLiteral("Run PROG with the arguments after --, no shell."),
                      QStringLiteral("PROG")});
    parser.addOption({QStringLiteral("shell"), QStringLiteral("Run CMD with /bin/sh -c (only when you need a shell)."),
                      QStringLiteral("CMD")});
    parser.addOption({QStringLiteral("http"), QStringLiteral("Request URL."), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("method"), QStringLiteral("HTTP method (default: GET)."), QStringLiteral("M")});
    parser.addOption(
        {QStringLiteral("handler"), QStringLiteral("Run the in-process handler NAME."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("action"),
                      QStringLiteral("Run the action JSON describes, of any type: {\"type\": \"cleanup\", ...}, "
                                     "purge-history, vacuum, report, or exec, shell, http, handler."),
                      QStringLiteral("JSON")});
    parser.addOption({QStringLiteral("payload"), QStringLiteral("JSON handed to the action."), QStringLiteral("JSON")});
    parser.addOption({QStringLiteral("queue"), QStringLiteral("Named queue (default: default)."), QStringLiteral("Q")});
    parser.addOption({QStringLiteral("priority"), QStringLiteral("-1000 to 1000; higher runs first (default: 0)."),
                      QStringLiteral("N")});
    addRetryOptions(parser);
    parser.addOption(
        {QStringLiteral("timeout"), QStringLiteral("Stop an attempt after SECONDS."), QStringLiteral("SECONDS")});
}

bool readTaskSpecOptions(const QCommandLineParser &parser, bool requireAction, TaskSpec *spec, int *exitCode)
{
    const auto fail = [exitCode](const QString &why) {
        *exitCode = usageError(why);
        return false;
    };
    int actions = 0;
    for (const char *option : {"exec", "shell", "http", "handler", "action"})
        actions += parser.isSet(QString::fromLatin1(option)) ? 1 : 0;
    if (actions > 1 || (requireAction && actions != 1))
        return fail(QStringLiteral("choose one action: --exec, --shell, --http, --handler or --action"));
    if (!parser.positionalArguments().isEmpty() && !parser.isSet(QStringLiteral("exec")))
        return fail(
            QStringLiteral("'%1': arguments after -- go with --exec only").arg(parser.positionalArguments().first()));
    if (parser.isSet(QStringLiteral("method")) && !parser.isSet(QStringLiteral("http")))
        return fail(QStringLiteral("--method goes with --http only"));
    if (parser.isSet(QStringLiteral("exec")))
        spec->action = ActionSpec::exec(parser.value(QStringLiteral("exec")), parser.positionalArguments());
    else if (parser.isSet(QStringLiteral("shell")))
        spec->action = ActionSpec::shell(parser.value(QStringLiteral("shell")));
    else if (parser.isSet(QStringLiteral("http")))
        spec->action =
            ActionSpec::http(parser.value(QStringLiteral("http")),
                             parser.isSet(QStringLiteral("method")) ? parser.value(QStringLiteral("method")).toUpper()
                                                                    : QStringLiteral("GET"));
    else if (parser.isSet(QStringLiteral("handler")))
        spec->action = ActionSpec::handler(parser.value(QStringLiteral("handler")));
    QString why;
    if (parser.isSet(QStringLiteral("action"))) {
        const auto action = parseJsonValue(parser.value(QStringLiteral("action")), &why);
        if (!action)
            return fail(QStringLiteral("--action: ") + why);
        if (!action->isObject())
            return fail(QStringLiteral("--action: expected a JSON object such as {\"type\": \"vacuum\"}"));
        spec->action = action->toObject();
    }
    if (actions > 0 && !ActionSpec::validate(spec->action, &why))
        return fail(why);

    if (parser.isSet(QStringLiteral("payload"))) {
        const auto payload = parseJsonValue(parser.value(QStringLiteral("payload")), &why);
        if (!payload)
            return fail(QStringLiteral("--payload: ") + why);
        spec->payload = *payload;
    }
    if (parser.isSet(QStringLiteral("queue")))
        spec->queue = parser.value(QStringLiteral("queue"));
    if (!readInt(parser, QStringLiteral("priority"), -1000, 1000, &spec->priority, exitCode) ||
        !readRetryPolicy(parser, &spec->retry, exitCode))
        return false;
    if (parser.isSet(QStringLiteral("timeout"))) {
        const QString text = parser.value(QStringLiteral("timeout"));
        bool ok = false;
        const double seconds = text.toDouble(&ok);
        if (!ok || !std::isfinite(seconds) || seconds <= 0 || seconds > 30 * 24 * 3600)
            return fail(
                QStringLiteral("--timeout: '%1' is not a number of seconds above 0 (at most 30 days)").arg(text));
        spec->timeoutMs = qint64(std::ceil(seconds * 1000));
    }
    return true;
}

bool checkSecretsOf(const QJsonObject &action, const QString &dbPath, const QString &where, int *exitCode)
{
    if (!Placeholders::contains(action))
        return true;
    QString why;
    const QString path = Secrets::defaultPathFor(dbPath);
    const auto loaded = Secrets::load(path, &why);
    // An unreadable file checks as an empty one, so that a placeholder naming a secret says so,
    // and why the file could not be read.
    const Secrets secrets = loaded.value_or(Secrets(path, {}));
    QString problem;
    if (ActionSpec::validate(action, &problem, &secrets))
        return true;
    if (!loaded)
        problem += QStringLiteral(" (%1)").arg(why);
    *exitCode = usageError(where + problem);
    return false;
}

} // namespace Taskdeck::Ctl

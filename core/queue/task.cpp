#include "task.h"

#include "actions/actionspec.h"
#include "isotime.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <cmath>

namespace Taskdeck::Core {

namespace {

struct StateName
{
    TaskState state;
    const char *name;
};

constexpr StateName StateNames[] = {
    {TaskState::Queued, "queued"},       {TaskState::Running, "running"}, {TaskState::RetryWait, "retry_wait"},
    {TaskState::Succeeded, "succeeded"}, {TaskState::Dead, "dead"},       {TaskState::Cancelled, "cancelled"},
};

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(IsoTime::format(time)) : QJsonValue();
}

} // namespace

QString taskStateName(TaskState state)
{
    for (const StateName &entry : StateNames) {
        if (entry.state == state)
            return QString::fromLatin1(entry.name);
    }
    return {};
}

std::optional<TaskState> taskStateFromName(const QString &name)
{
    for (const StateName &entry : StateNames) {
        if (name == QLatin1String(entry.name))
            return entry.state;
    }
    return std::nullopt;
}

bool isFinalState(TaskState state)
{
    return state == TaskState::Succeeded || state == TaskState::Dead || state == TaskState::Cancelled;
}

bool isWaitingState(TaskState state)
{
    return state == TaskState::Queued || state == TaskState::RetryWait;
}

bool TaskSpec::validate(QString *error) const
{
    const auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    static const QRegularExpression queueName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
    if (!queueName.match(queue).hasMatch())
        return fail(
            QStringLiteral("queue: '%1' is not a queue name (letters, digits, '_', '.', '-'; up to 64)").arg(queue));
    if (priority < -1000 || priority > 1000)
        return fail(QStringLiteral("priority: %1 is out of range -1000 to 1000").arg(priority));
    if (retry.maxAttempts < 1 || retry.maxAttempts > 1000)
        return fail(QStringLiteral("max attempts: %1 is out of range 1-1000").arg(retry.maxAttempts));
    if (retry.baseDelayMs < 0 || retry.maxDelayMs < retry.baseDelayMs)
        return fail(QStringLiteral("backoff: the base must be 0 or more and at most the maximum"));
    if (timeoutMs < 0)
        return fail(QStringLiteral("timeout: %1 ms is negative").arg(timeoutMs));
    if (uniqueKey.size() > 512)
        return fail(QStringLiteral("unique key: longer than 512 characters"));
    if (!action.value(QStringLiteral("type")).isString())
        return fail(QStringLiteral("action: it has no type"));
    return true;
}

QJsonObject Task::toJson() const
{
    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("state"), taskStateName(state)},
        {QStringLiteral("attempts"), attempts},
        {QStringLiteral("max_attempts"), spec.retry.maxAttempts},
        {QStringLiteral("job"), spec.job.isEmpty() ? QJsonValue() : QJsonValue(spec.job)},
        {QStringLiteral("queue"), spec.queue},
        {QStringLiteral("priority"), spec.priority},
        {QStringLiteral("action"), ActionSpec::redacted(spec.action)},
        {QStringLiteral("payload"), spec.payload},
        {QStringLiteral("error"), lastError.isEmpty() ? QJsonValue() : QJsonValue(lastError)},
        {QStringLiteral("created_at"), timeOrNull(createdAt)},
        {QStringLiteral("started_at"), timeOrNull(startedAt)},
        {QStringLiteral("finished_at"), timeOrNull(finishedAt)},
        {QStringLiteral("not_before"), timeOrNull(runAt)},
        {QStringLiteral("timeout_ms"), spec.timeoutMs > 0 ? QJsonValue(spec.timeoutMs) : QJsonValue()},
        {QStringLiteral("unique_key"), spec.uniqueKey.isEmpty() ? QJsonValue() : QJsonValue(spec.uniqueKey)},
        {QStringLiteral("progress"), progress},
        {QStringLiteral("progress_message"), progressMessage.isEmpty() ? QJsonValue() : QJsonValue(progressMessage)},
        {QStringLiteral("retry_policy"), retryPolicyToJson(spec.retry)},
    };
    return object;
}

QJsonArray tasksToJson(const QList<Task> &tasks)
{
    QJsonArray array;
    for (const Task &task : tasks)
        array.append(task.toJson());
    return array;
}

QJsonObject AttemptRecord::toJson() const
{
    return {
        {QStringLiteral("number"), number},
        {QStringLiteral("started_at"), timeOrNull(startedAt)},
        {QStringLiteral("finished_at"), timeOrNull(finishedAt)},
        {QStringLiteral("outcome"), outcome.isEmpty() ? QJsonValue() : QJsonValue(outcome)},
        {QStringLiteral("exit_code"), exitCode >= 0 ? QJsonValue(exitCode) : QJsonValue()},
        {QStringLiteral("error"), error.isEmpty() ? QJsonValue() : QJsonValue(error)},
        {QStringLiteral("output"), output.isEmpty() ? QJsonValue() : QJsonValue(output)},
        {QStringLiteral("cpu_ms"), cpuTimeMs >= 0 ? QJsonValue(cpuTimeMs) : QJsonValue()},
        {QStringLiteral("peak_memory_kib"), peakMemoryKiB >= 0 ? QJsonValue(peakMemoryKiB) : QJsonValue()},
    };
}

QJsonObject OperatorActionRecord::toJson() const
{
    return {
        {QStringLiteral("at"), timeOrNull(at)},
        {QStringLiteral("user"), user},
        {QStringLiteral("action"), action},
        {QStringLiteral("detail"), detail},
    };
}

QJsonObject QueueStatistics::toJson() const
{
    QJsonObject states;
    for (const StateName &entry : StateNames)
        states.insert(QLatin1String(entry.name), perState.value(QLatin1String(entry.name)));
    const auto orNull = [](qint64 ms) { return ms >= 0 ? QJsonValue(ms) : QJsonValue(); };
    return {
        {QStringLiteral("states"), states},
        {QStringLiteral("waiting"), waiting},
        {QStringLiteral("oldest_waiting_since"), timeOrNull(oldestWaitingSince)},
        {QStringLiteral("succeeded_last_hour"), succeededLastHour},
        {QStringLiteral("failed_attempts_last_hour"), failedAttemptsLastHour},
        {QStringLiteral("start_latency_p50_ms"), orNull(startLatencyP50Ms)},
        {QStringLiteral("start_latency_p95_ms"), orNull(startLatencyP95Ms)},
    };
}

QJsonObject retryPolicyToJson(const RetryPolicy &policy)
{
    QJsonArray delays;
    for (qint64 delay : policy.explicitDelaysMs)
        delays.append(delay);
    QJsonArray codes;
    for (int code : policy.noRetryExitCodes)
        codes.append(code);
    return {
        {QStringLiteral("max_attempts"), policy.maxAttempts}, {QStringLiteral("base_ms"), policy.baseDelayMs},
        {QStringLiteral("max_ms"), policy.maxDelayMs},        {QStringLiteral("delays_ms"), delays},
        {QStringLiteral("no_retry_exit_codes"), codes},       {QStringLiteral("jitter"), policy.jitter},
    };
}

std::optional<RetryPolicy> parseRetryPolicy(const QJsonObject &object, QString *error)
{
    static const QStringList known{QStringLiteral("max_attempts"),
                                   QStringLiteral("base_ms"),
                                   QStringLiteral("max_ms"),
                                   QStringLiteral("delays_ms"),
                                   QStringLiteral("no_retry_exit_codes"),
                                   QStringLiteral("jitter")};
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(
                QStringLiteral("%1: not a field here (known: %2)").arg(it.key(), known.join(QStringLiteral(", "))));
    }
    // A whole number in [min, max], or the fallback when absent.
    const auto whole = [](const QJsonValue &value, qint64 min, qint64 max, qint64 *out) {
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || std::isnan(number) || number != std::floor(number) || number < double(min) ||
            number > double(max))
            return false;
        *out = qint64(number);
        return true;
    };
    constexpr qint64 Year = 86400000LL * 365;
    RetryPolicy policy;
    qint64 number = 0;
    const QJsonValue attempts = object.value(QStringLiteral("max_attempts"));
    if (!attempts.isUndefined() && !attempts.isNull()) {
        if (!whole(attempts, 1, 1000, &number))
            return fail(QStringLiteral("max_attempts: expected a whole number from 1 to 1000"));
        policy.maxAttempts = int(number);
    }
    for (const auto &[key, field] :
         {std::pair{"base_ms", &policy.baseDelayMs}, std::pair{"max_ms", &policy.maxDelayMs}}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            continue;
        if (!whole(value, 0, Year, &number))
            return fail(QStringLiteral("%1: expected a whole number of milliseconds from 0 to %2")
                            .arg(QLatin1String(key))
                            .arg(Year));
        *field = number;
    }
    const auto list = [&](const char *key, qint64 max, const auto &add) -> std::optional<QString> {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            return std::nullopt;
        if (!value.isArray())
            return QStringLiteral("%1: expected an array of whole numbers").arg(QLatin1String(key));
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            qint64 item = 0;
            if (!whole(array.at(i), 0, max, &item))
                return QStringLiteral("%1[%2]: expected a whole number from 0 to %3")
                    .arg(QLatin1String(key))
                    .arg(i)
                    .arg(max);
            add(item);
        }
        return std::nullopt;
    };
    if (const auto why = list("delays_ms", Year, [&](qint64 delay) { policy.explicitDelaysMs.append(delay); }))
        return fail(*why);
    if (const auto why =
            list("no_retry_exit_codes", 255, [&](qint64 code) { policy.noRetryExitCodes.append(int(code)); }))
        return fail(*why);
    const QJsonValue jitter = object.value(QStringLiteral("jitter"));
    if (!jitter.isUndefined() && !jitter.isNull()) {
        if (!jitter.isBool())
            return fail(QStringLiteral("jitter: expected true or false"));
        policy.jitter = jitter.toBool();
    }
    return policy;
}

RetryPolicy retryPolicyFromJson(const QJsonObject &object)
{
    RetryPolicy policy;
    policy.maxAttempts = object.value(QStringLiteral("max_attempts")).toInt(RetryPolicy::DefaultMaxAttempts);
    policy.baseDelayMs =
        qint64(object.value(QStringLiteral("base_ms")).toDouble(double(RetryPolicy::DefaultBaseDelayMs)));
    policy.maxDelayMs = qint64(object.value(QStringLiteral("max_ms")).toDouble(double(RetryPolicy::DefaultMaxDelayMs)));
    const QJsonArray delays = object.value(QStringLiteral("delays_ms")).toArray();
    for (const QJsonValue &delay : delays)
        policy.explicitDelaysMs.append(qint64(delay.toDouble()));
    const QJsonArray codes = object.value(QStringLiteral("no_retry_exit_codes")).toArray();
    for (const QJsonValue &code : codes)
        policy.noRetryExitCodes.append(code.toInt());
    policy.jitter = object.value(QStringLiteral("jitter")).toBool(true);
    return policy;
}

} // namespace Taskdeck::Core

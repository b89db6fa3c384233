#include "pipelineaction.h"

#include "actionrunner.h"
#include "actionspec.h"
#include "clock.h"
#include "isotime.h"
#include "placeholders.h"
#include "queue/taskrepository.h"
#include "store/storewriter.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QThreadPool>
#include <QTimeZone>

#include <atomic>
#include <cmath>
#include <vector>

namespace Taskdeck::Core::PipelineAction {

namespace {

constexpr int MaxSteps = 100;
constexpr int MaxConcurrency = 64;
constexpr int MaxItems = 100000;
constexpr qsizetype OutputCapBytes = 64 * 1024;
constexpr qsizetype PartOutputBytes = 4096; // of each step's or item's own output

struct Step
{
    QString key;
    QJsonObject action;
    bool background = false;
    RetryPolicy retry;
    qint64 timeoutMs = 0;
};

bool failWith(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

QString compact(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

QJsonValue parseValue(const QString &text)
{
    if (text.isNull())
        return QJsonValue();
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"));
    return document.isArray() && !document.array().isEmpty() ? document.array().first() : QJsonValue();
}

// The steps of a pipeline; the error names the step and its field.
std::optional<QList<Step>> parseSteps(const QJsonObject &action, QString *error)
{
    static const QStringList stepFields{QStringLiteral("key"), QStringLiteral("action"), QStringLiteral("mode"),
                                        QStringLiteral("retry"), QStringLiteral("timeout_seconds")};
    static const QRegularExpression keyPattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"));
    const auto fail = [error](const QString &why) {
        failWith(error, why);
        return std::nullopt;
    };
    for (auto it = action.begin(); it != action.end(); ++it) {
        if (it.key() != QLatin1String("type") && it.key() != QLatin1String("steps"))
            return fail(QStringLiteral("pipeline: %1: not a field here (known: steps)").arg(it.key()));
    }
    const QJsonValue stepsValue = action.value(QStringLiteral("steps"));
    if (!stepsValue.isArray() || stepsValue.toArray().isEmpty())
        return fail(QStringLiteral("pipeline: steps: expected a list of one or more steps"));
    const QJsonArray array = stepsValue.toArray();
    if (array.size() > MaxSteps)
        return fail(QStringLiteral("pipeline: steps: %1 steps; at most %2").arg(array.size()).arg(MaxSteps));
    QList<Step> steps;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array.at(i).toObject();
        const QString key = object.value(QStringLiteral("key")).toString();
        const QString where = key.isEmpty() ? QStringLiteral("pipeline: steps[%1]").arg(i)
                                            : QStringLiteral("pipeline: steps[%1] \"%2\"").arg(i).arg(key);
        if (!array.at(i).isObject())
            return fail(where + QStringLiteral(": expected a step object"));
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!stepFields.contains(it.key()))
                return fail(where + QStringLiteral(": %1: not a field here (known: %2)")
                                        .arg(it.key(), stepFields.join(QStringLiteral(", "))));
        }
        if (!keyPattern.match(key).hasMatch())
            return fail(where + QStringLiteral(": key: '%1' is not a step key (letters, digits, '_' and '-', up to "
                                               "64)")
                                    .arg(key));
        for (const Step &earlier : std::as_const(steps)) {
            if (earlier.key == key)
                return fail(where + QStringLiteral(": key: '%1' is used by an earlier step").arg(key));
        }
        Step step;
        step.key = key;
        if (!object.value(QStringLiteral("action")).isObject())
            return fail(where + QStringLiteral(": action: expected an action object"));
        step.action = object.value(QStringLiteral("action")).toObject();
        const QString mode = object.value(QStringLiteral("mode")).toString(QStringLiteral("wait"));
        if (mode != QLatin1String("wait") && mode != QLatin1String("background"))
            return fail(where + QStringLiteral(": mode: '%1' is not wait or background").arg(mode));
        step.background = mode == QLatin1String("background");
        if (object.contains(QStringLiteral("retry"))) {
            if (!object.value(QStringLiteral("retry")).isObject())
                return fail(where + QStringLiteral(": retry: expected an object"));
            QString why;
            const auto retry = parseRetryPolicy(object.value(QStringLiteral("retry")).toObject(), &why);
            if (!retry)
                return fail(where + QStringLiteral(": retry.") + why);
            step.retry = *retry;
        }
        const QJsonValue timeout = object.value(QStringLiteral("timeout_seconds"));
        if (!timeout.isUndefined() && !timeout.isNull()) {
            const double seconds = timeout.toDouble(-1);
            if (!timeout.isDouble() || seconds < 0 || seconds > 7 * 86400)
                return fail(where + QStringLiteral(": timeout_seconds: expected a number from 0 to 604800"));
            step.timeoutMs = qint64(std::llround(seconds * 1000));
        }
        steps.append(step);
    }
    return steps;
}

// The output of one part (a step, an item), indented under its header line.
void appendPart(QString *log, const QString &header, const QString &output)
{
    log->append(header + QLatin1Char('\n'));
    QString tail = output.right(PartOutputBytes).trimmed();
    if (tail.isEmpty())
        return;
    if (output.size() > PartOutputBytes)
        tail.prepend(QStringLiteral("...\n"));
    for (const QStringView line : QStringView(tail).split(QLatin1Char('\n')))
        log->append(QStringLiteral("    ") + line + QLatin1Char('\n'));
}

void capOutput(QString *log)
{
    if (log->size() > OutputCapBytes)
        log->remove(0, log->size() - OutputCapBytes);
}

QString seconds(qint64 ms)
{
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', ms < 10000 ? 2 : 0);
}

// The durable state of one pipeline task's steps, written through the database's one writer.
class StepStore
{
public:
    StepStore(StoreWriter *writer, qint64 taskId)
        : m_writer(writer)
        , m_taskId(taskId)
    {}

    std::optional<QList<StepRecord>> load(QString *error)
    {
        QList<StepRecord> records;
        const auto result = m_writer->run([&](QSqlDatabase &db, QVariant *, QString *why) {
            QString readError;
            records = steps(db, m_taskId, &readError);
            return readError.isEmpty() || failWith(why, readError);
        });
        if (!result.ok) {
            failWith(error, result.error);
            return std::nullopt;
        }
        return records;
    }

    bool markRunning(int step, const QString &key, int attempts, const QDateTime &now, QString *error)
    {
        return write(
            [&](QSqlDatabase &db, QString *why) {
                QSqlQuery query(db);
                query.prepare(QStringLiteral(
                    "INSERT INTO pipeline_steps (task_id, step, key, state, attempts, started_at) VALUES (?, ?, ?, "
                    "'running', ?, ?) ON CONFLICT (task_id, step) DO UPDATE SET key = excluded.key, state = "
                    "'running', attempts = excluded.attempts, started_at = excluded.started_at, finished_at = NULL, "
                    "error = NULL, output = NULL"));
                query.addBindValue(m_taskId);
                query.addBindValue(step);
                query.addBindValue(key);
                query.addBindValue(attempts);
                query.addBindValue(now.toMSecsSinceEpoch());
                return query.exec() || failWith(why, query.lastError().text());
            },
            error);
    }

    // Also records a step that ends without having been marked running: one whose placeholders
    // could not be filled in never started, and has no row yet.
    bool markEnded(int step, const QString &key, int attempts, bool succeeded, const QJsonValue &output,
                   const QString &stepError, const QDateTime &now, QString *error)
    {
        return write(
            [&](QSqlDatabase &db, QString *why) {
                QSqlQuery query(db);
                query.prepare(QStringLiteral(
                    "INSERT INTO pipeline_steps (task_id, step, key, state, attempts, output, error, finished_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_id, step) DO UPDATE SET key = excluded.key, "
                    "state = excluded.state, attempts = excluded.attempts, output = excluded.output, error = "
                    "excluded.error, finished_at = excluded.finished_at"));
                query.addBindValue(m_taskId);
                query.addBindValue(step);
                query.addBindValue(key);
                query.addBindValue(succeeded ? QStringLiteral("succeeded") : QStringLiteral("failed"));
                query.addBindValue(attempts);
                query.addBindValue(succeeded ? QVariant(compact(output.isUndefined() ? QJsonValue() : output))
                                             : QVariant());
                query.addBindValue(stepError.isEmpty() ? QVariant() : QVariant(stepError));
                query.addBindValue(now.toMSecsSinceEpoch());
                return query.exec() || failWith(why, query.lastError().text());
            },
            error);
    }

    // Queues a background step as a task of its own and records it, in one transaction.
    std::optional<qint64> startBackground(int step, const QString &key, const TaskSpec &spec, const QDateTime &now,
                                          QString *error)
    {
        qint64 taskId = 0;
        const bool ok = write(
            [&](QSqlDatabase &db, QString *why) {
                TaskRepository tasks(db);
                const auto id = tasks.insert(spec, now, TaskRepository::DefaultCapacity, why);
                if (!id || !tasks.announceEnqueued(*id, now, why))
                    return false;
                QSqlQuery query(db);
                query.prepare(QStringLiteral(
                    "INSERT INTO pipeline_steps (task_id, step, key, state, attempts, background_task_id, "
                    "started_at) VALUES (?, ?, ?, 'started', 1, ?, ?) ON CONFLICT (task_id, step) DO UPDATE SET "
                    "state = 'started', background_task_id = excluded.background_task_id, started_at = "
                    "excluded.started_at"));
                query.addBindValue(m_taskId);
                query.addBindValue(step);
                query.addBindValue(key);
                query.addBindValue(*id);
                query.addBindValue(now.toMSecsSinceEpoch());
                if (!query.exec())
                    return failWith(why, query.lastError().text());
                taskId = *id;
                return true;
            },
            error);
        return ok ? std::optional<qint64>(taskId) : std::nullopt;
    }

private:
    bool write(const std::function<bool(QSqlDatabase &, QString *)> &operation, QString *error)
    {
        const auto result =
            m_writer->run([&](QSqlDatabase &db, QVariant *, QString *why) { return operation(db, why); });
        return result.ok || failWith(error, result.error);
    }

    StoreWriter *m_writer;
    qint64 m_taskId;
};

void publishQuietly(const ActionEnvironment &env, const QString &topic, const QJsonObject &data,
                    const TaskContext &context, QString *log)
{
    if (!env.publish)
        return;
    QString why;
    if (const auto id = env.publish(topic, data, QStringLiteral("task:%1").arg(context.taskId()), &why))
        log->append(QStringLiteral("published %1 (event %2)\n").arg(topic).arg(*id));
    else
        log->append(QStringLiteral("could not publish %1: %2\n").arg(topic, why));
}

} // namespace

QJsonObject StepRecord::toJson() const
{
    QJsonObject object{
        {QStringLiteral("step"), step},
        {QStringLiteral("key"), key},
        {QStringLiteral("state"), state},
        {QStringLiteral("attempts"), attempts},
    };
    if (!output.isUndefined())
        object.insert(QStringLiteral("output"), output);
    object.insert(QStringLiteral("error"), error.isEmpty() ? QJsonValue() : QJsonValue(error));
    if (backgroundTaskId > 0)
        object.insert(QStringLiteral("background_task"), backgroundTaskId);
    object.insert(QStringLiteral("started_at"),
                  startedAt.isValid() ? QJsonValue(IsoTime::format(startedAt)) : QJsonValue());
    object.insert(QStringLiteral("finished_at"),
                  finishedAt.isValid() ? QJsonValue(IsoTime::format(finishedAt)) : QJsonValue());
    return object;
}

QList<StepRecord> steps(const QSqlDatabase &db, qint64 taskId, QString *error)
{
    QList<StepRecord> records;
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT step, key, state, attempts, output, error, background_task_id, started_at, "
                                 "finished_at FROM pipeline_steps WHERE task_id = ? ORDER BY step"));
    query.addBindValue(taskId);
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return records;
    }
    const auto time = [](const QVariant &value) {
        return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), QTimeZone::utc());
    };
    while (query.next()) {
        StepRecord record;
        record.step = query.value(0).toInt();
        record.key = query.value(1).toString();
        record.state = query.value(2).toString();
        record.attempts = query.value(3).toInt();
        record.output =
            query.value(4).isNull() ? QJsonValue(QJsonValue::Undefined) : parseValue(query.value(4).toString());
        record.error = query.value(5).toString();
        record.backgroundTaskId = query.value(6).toLongLong();
        record.startedAt = time(query.value(7));
        record.finishedAt = time(query.value(8));
        records.append(record);
    }
    return records;
}

bool validate(const QJsonObject &action, const PlaceholderRules &rules, QString *error)
{
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("iterate")) {
        for (auto it = action.begin(); it != action.end(); ++it) {
            static const QStringList known{QStringLiteral("type"), QStringLiteral("items"), QStringLiteral("action"),
                                           QStringLiteral("concurrency")};
            if (!known.contains(it.key()))
                return failWith(
                    error,
                    QStringLiteral("iterate: %1: not a field here (known: items, action, concurrency)").arg(it.key()));
        }
        const QJsonValue items = action.value(QStringLiteral("items"));
        if (items.isString() && Placeholders::contains(items)) {
            QString why;
            if (!Placeholders::check(items, rules, &why, QStringLiteral("items")))
                return failWith(error, QStringLiteral("iterate: ") + why);
        } else if (!items.isArray()) {
            return failWith(error, QStringLiteral("iterate: items: expected a list, or a placeholder such as "
                                                  "{{payload.files}} that names one"));
        } else if (items.toArray().size() > MaxItems) {
            return failWith(error, QStringLiteral("iterate: items: more than %1").arg(MaxItems));
        }
        const QJsonValue concurrency = action.value(QStringLiteral("concurrency"));
        if (!concurrency.isUndefined() &&
            (!concurrency.isDouble() || concurrency.toDouble() != std::floor(concurrency.toDouble()) ||
             concurrency.toInt() < 1 || concurrency.toInt() > MaxConcurrency))
            return failWith(
                error,
                QStringLiteral("iterate: concurrency: expected a whole number from 1 to %1").arg(MaxConcurrency));
        if (!action.value(QStringLiteral("action")).isObject())
            return failWith(error, QStringLiteral("iterate: action: expected an action object"));
        PlaceholderRules inner = rules;
        inner.itemAllowed = true;
        QString why;
        if (!ActionSpec::validate(action.value(QStringLiteral("action")).toObject(), inner, &why))
            return failWith(error, QStringLiteral("iterate: action: ") + why);
        return true;
    }
    const auto steps = parseSteps(action, error);
    if (!steps)
        return false;
    PlaceholderRules inner;
    inner.secrets = rules.secrets;
    inner.itemAllowed = rules.itemAllowed;
    for (qsizetype i = 0; i < steps->size(); ++i) {
        const Step &step = steps->at(i);
        QString why;
        if (!ActionSpec::validate(step.action, inner, &why))
            return failWith(error, QStringLiteral("pipeline: steps[%1] \"%2\": action: %3").arg(i).arg(step.key, why));
        (step.background ? inner.backgroundStepKeys : inner.stepKeys).append(step.key);
    }
    return true;
}

QString summary(const QJsonObject &action)
{
    if (action.value(QStringLiteral("type")).toString() == QLatin1String("iterate")) {
        const QJsonValue items = action.value(QStringLiteral("items"));
        return QStringLiteral("iterate over %1: %2")
            .arg(items.isArray() ? QStringLiteral("%1 items").arg(items.toArray().size()) : items.toString(),
                 ActionSpec::summary(action.value(QStringLiteral("action")).toObject()));
    }
    QStringList keys;
    const QJsonArray steps = action.value(QStringLiteral("steps")).toArray();
    for (const QJsonValue &step : steps) {
        const QJsonObject object = step.toObject();
        keys.append(object.value(QStringLiteral("key")).toString() +
                    (object.value(QStringLiteral("mode")).toString() == QLatin1String("background")
                         ? QStringLiteral(" (background)")
                         : QString()));
    }
    return QStringLiteral("pipeline of %1 step%2: %3")
        .arg(steps.size())
        .arg(steps.size() == 1 ? QString() : QStringLiteral("s"), keys.join(QStringLiteral(", ")));
}

AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, const ActionEnvironment &env,
                   const PlaceholderScope &outer)
{
    AttemptOutcome outcome;
    const auto steps = parseSteps(action, &outcome.error);
    if (!steps) {
        outcome.retryable = false;
        return outcome;
    }
    if (!env.writer || !env.clock) {
        outcome.error = QStringLiteral("pipeline: no store to keep its steps in");
        outcome.retryable = false;
        return outcome;
    }
    StepStore store(env.writer, context.taskId());
    const auto records = store.load(&outcome.error);
    if (!records)
        return outcome; // the store is unwell: try again later
    QHash<int, StepRecord> stored;
    for (const StepRecord &record : *records)
        stored.insert(record.step, record);

    PlaceholderScope scope;
    scope.payload = outer.payload;
    scope.secrets = outer.secrets;
    scope.item = outer.item;
    QString log;
    QElapsedTimer elapsed;
    elapsed.start();
    const int count = int(steps->size());
    const QString pipelineName =
        context.job().isEmpty() ? QStringLiteral("task %1").arg(context.taskId()) : context.job();
    const auto pipelineData = [&]() {
        return QJsonObject{
            {QStringLiteral("pipeline"), context.job().isEmpty() ? QJsonValue() : QJsonValue(context.job())},
            {QStringLiteral("task"), context.taskId()}};
    };
    // The step that used up its attempts, or could not be filled in: the pipeline stops there.
    const auto stopAt = [&](int index, const Step &step, int attempts, const QString &why) {
        QString ignored;
        store.markEnded(index, step.key, attempts, false, QJsonValue(), why, env.clock->now(), &ignored);
        QJsonObject data = pipelineData();
        data.insert(QStringLiteral("step"), step.key);
        data.insert(QStringLiteral("error"), why);
        data.insert(QStringLiteral("attempts"), attempts);
        log.append(
            QStringLiteral("step %1/%2 %3 failed; the pipeline stops\n").arg(index + 1).arg(count).arg(step.key));
        publishQuietly(env, QStringLiteral("pipeline.step_failed"), data, context, &log);
        AttemptOutcome stopped;
        stopped.error = QStringLiteral("step '%1' failed: %2").arg(step.key, why);
        stopped.retryable = false;
        stopped.output = log;
        return stopped;
    };

    for (int i = 0; i < count; ++i) {
        const Step &step = steps->at(i);
        const StepRecord record = stored.value(i);
        const QString header = QStringLiteral("step %1/%2 %3").arg(i + 1).arg(count).arg(step.key);
        if (record.key == step.key && record.state == QLatin1String("succeeded")) {
            scope.stepOutputs.insert(step.key, record.output.isUndefined() ? QJsonValue() : record.output);
            log.append(header + QStringLiteral(": succeeded in an earlier attempt\n"));
            continue;
        }
        if (record.key == step.key && step.background && record.state == QLatin1String("started")) {
            log.append(header + QStringLiteral(": queued earlier as task %1\n").arg(record.backgroundTaskId));
            continue;
        }
        if (context.isCancelled()) {
            outcome.kind = AttemptOutcome::Kind::Cancelled;
            outcome.error = QStringLiteral("cancelled before step '%1'").arg(step.key);
            outcome.output = log;
            return outcome;
        }
        QString why;
        // A background step's task is stored with its action, so its secrets are left for that task
        // to fill in when it runs (and to mask in its output, as every task's); the rest is filled
        // in now, from this pipeline's payload and steps.
        const auto resolved = step.background ? Placeholders::resolveActionLeavingSecrets(step.action, scope, &why)
                                              : Placeholders::resolveAction(step.action, scope, &why);
        if (!resolved) // it never ran: no attempt of its own
            return stopAt(i, step, record.key == step.key ? record.attempts : 0, why);
        const QDateTime now = env.clock->now();

        if (step.background) {
            TaskSpec spec;
            spec.action = resolved->value.toObject();
            spec.payload = context.payload();
            spec.job = context.job();
            spec.retry = step.retry;
            spec.timeoutMs = step.timeoutMs;
            const auto task = store.startBackground(i, step.key, spec, now, &why);
            if (!task) {
                // A full queue, say: the pipeline waits and tries again by its task's policy.
                outcome.error = QStringLiteral("step '%1': cannot queue it in the background: %2").arg(step.key, why);
                outcome.output = log;
                return outcome;
            }
            if (env.tasksQueued)
                env.tasksQueued();
            log.append(header + QStringLiteral(": queued in the background as task %1\n").arg(*task));
            continue;
        }

        const int attempts =
            (record.key == step.key && record.state != QLatin1String("failed") ? record.attempts : 0) + 1;
        if (!store.markRunning(i, step.key, attempts, now, &outcome.error)) {
            outcome.output = log;
            return outcome;
        }
        TaskContext part(context, context.payload());
        part.onProgress = [&context, i, count, key = step.key](int percent, const QString &message) {
            context.progress((i * 100 + percent) / count,
                             message.isEmpty() ? key : key + QStringLiteral(": ") + message);
        };
        part.onLog = [&context, key = step.key](const QString &line) {
            context.log(key + QStringLiteral(": ") + line);
        };
        context.progress(i * 100 / count, step.key);
        qint64 stepTimeoutMs = step.timeoutMs;
        if (timeoutMs > 0) {
            const qint64 left = timeoutMs - elapsed.elapsed();
            if (left <= 0) {
                outcome.kind = AttemptOutcome::Kind::TimedOut;
                outcome.error = QStringLiteral("timed out after %1 before step '%2'").arg(seconds(timeoutMs), step.key);
                outcome.output = log;
                return outcome;
            }
            stepTimeoutMs = stepTimeoutMs > 0 ? std::min(stepTimeoutMs, left) : left;
        }
        QElapsedTimer stepTime;
        stepTime.start();
        AttemptOutcome ran = ActionRunner::runResolved(resolved->value.toObject(), part, stepTimeoutMs, env, scope);
        // A step's output is stored (pipeline_steps, the pipeline.completed event) with its secrets
        // masked in every string of it, and the steps after it read that masked output too, in
        // this run as in one resumed after a crash: a resumed pipeline can only read the stored
        // one, and keeping the real value for this run alone would make a step behave differently
        // after a crash, and put the secret in the later step's output, which masks only the
        // secrets that step filled in itself. So {{steps.KEY.output.token}} of a secret reads
        // "***"; a step that needs the secret names it: {{secret.NAME}}.
        if (!resolved->secretValues.isEmpty()) {
            ran.output = Placeholders::mask(ran.output, resolved->secretValues);
            ran.error = Placeholders::mask(ran.error, resolved->secretValues);
            ran.result = Placeholders::maskJson(ran.result, resolved->secretValues);
        }
        if (ran.cpuTimeMs >= 0)
            outcome.cpuTimeMs = std::max<qint64>(outcome.cpuTimeMs, 0) + ran.cpuTimeMs;
        outcome.peakMemoryKiB = std::max(outcome.peakMemoryKiB, ran.peakMemoryKiB);
        const bool succeeded = ran.kind == AttemptOutcome::Kind::Succeeded;
        appendPart(&log,
                   header + QStringLiteral(" (attempt %1 of %2): %3 in %4")
                                .arg(attempts)
                                .arg(step.retry.maxAttempts)
                                .arg(succeeded ? QStringLiteral("succeeded") : ran.error, seconds(stepTime.elapsed())),
                   ran.output);
        capOutput(&log);
        if (succeeded) {
            const QJsonValue output = ran.result.isUndefined() ? QJsonValue() : ran.result;
            if (!store.markEnded(i, step.key, attempts, true, output, QString(), env.clock->now(), &outcome.error)) {
                outcome.output = log;
                return outcome; // runs the step again: at least once, as every task
            }
            scope.stepOutputs.insert(step.key, output);
            continue;
        }
        if (ran.kind == AttemptOutcome::Kind::Cancelled) {
            outcome.kind = AttemptOutcome::Kind::Cancelled;
            outcome.error = QStringLiteral("cancelled in step '%1'").arg(step.key);
            outcome.output = log;
            return outcome;
        }
        if (timeoutMs > 0 && elapsed.elapsed() >= timeoutMs) {
            outcome.kind = AttemptOutcome::Kind::TimedOut;
            outcome.error = QStringLiteral("timed out after %1 in step '%2'").arg(seconds(timeoutMs), step.key);
            outcome.output = log;
            return outcome;
        }
        const bool retryable = ran.retryable && (ran.exitCode < 0 || step.retry.retriesExitCode(ran.exitCode));
        if (retryable && step.retry.allowsAnotherAttempt(attempts)) {
            // The step's own policy says when; the pipeline resumes at this step.
            outcome.kind = ran.kind == AttemptOutcome::Kind::TimedOut ? AttemptOutcome::Kind::TimedOut
                                                                      : AttemptOutcome::Kind::Failed;
            outcome.error = QStringLiteral("step '%1' (attempt %2 of %3): %4")
                                .arg(step.key)
                                .arg(attempts)
                                .arg(step.retry.maxAttempts)
                                .arg(ran.error);
            outcome.retryAfterMs = step.retry.delayMs(attempts, *QRandomGenerator::global());
            outcome.output = log;
            return outcome;
        }
        AttemptOutcome stopped = stopAt(i, step, attempts, ran.error);
        stopped.cpuTimeMs = outcome.cpuTimeMs;
        stopped.peakMemoryKiB = outcome.peakMemoryKiB;
        return stopped;
    }

    QJsonObject outputs;
    for (auto it = scope.stepOutputs.cbegin(); it != scope.stepOutputs.cend(); ++it)
        outputs.insert(it.key(), it.value());
    QJsonObject data = pipelineData();
    data.insert(QStringLiteral("outputs"), outputs);
    log.append(QStringLiteral("pipeline %1: all %2 steps done\n").arg(pipelineName).arg(count));
    publishQuietly(env, QStringLiteral("pipeline.completed"), data, context, &log);
    context.progress(100, QStringLiteral("done"));
    outcome.kind = AttemptOutcome::Kind::Succeeded;
    outcome.error.clear();
    outcome.result = outputs;
    capOutput(&log);
    outcome.output = log;
    return outcome;
}

AttemptOutcome iterate(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, const ActionEnvironment &env,
                       const PlaceholderScope &scope)
{
    AttemptOutcome outcome;
    const QJsonValue itemsValue = action.value(QStringLiteral("items"));
    if (!itemsValue.isArray()) {
        outcome.error = QStringLiteral("iterate: items: expected a list, got %1")
                            .arg(itemsValue.isObject()   ? QStringLiteral("an object")
                                 : itemsValue.isString() ? QStringLiteral("text")
                                 : itemsValue.isNull()   ? QStringLiteral("null")
                                                         : compact(itemsValue));
        outcome.retryable = false;
        return outcome;
    }
    const QJsonArray items = itemsValue.toArray();
    const QJsonObject itemAction = action.value(QStringLiteral("action")).toObject();
    const int concurrency = std::clamp(action.value(QStringLiteral("concurrency")).toInt(1), 1, MaxConcurrency);
    const int count = int(items.size());
    std::vector<AttemptOutcome> results(static_cast<size_t>(count));
    std::atomic<int> done{0};
    QMutex logMutex;
    QElapsedTimer elapsed;
    elapsed.start();

    QThreadPool pool;
    pool.setMaxThreadCount(std::min(concurrency, std::max(1, count)));
    for (int index = 0; index < count; ++index) {
        pool.start([&, index] {
            AttemptOutcome &result = results[size_t(index)];
            if (context.isCancelled()) {
                result.kind = AttemptOutcome::Kind::Cancelled;
                result.error = QStringLiteral("cancelled");
                return;
            }
            qint64 itemTimeoutMs = 0;
            if (timeoutMs > 0) {
                itemTimeoutMs = timeoutMs - elapsed.elapsed();
                if (itemTimeoutMs <= 0) {
                    result.kind = AttemptOutcome::Kind::TimedOut;
                    result.error = QStringLiteral("timed out before it started");
                    return;
                }
            }
            PlaceholderScope itemScope = scope;
            itemScope.item = items.at(index);
            QString why;
            const auto resolved = Placeholders::resolveAction(itemAction, itemScope, &why);
            if (!resolved) {
                result.error = why;
                result.retryable = false;
            } else {
                TaskContext part(context, items.at(index));
                part.onLog = [&context, &logMutex, index](const QString &line) {
                    QMutexLocker locker(&logMutex);
                    context.log(QStringLiteral("[%1] ").arg(index) + line);
                };
                result = ActionRunner::runResolved(resolved->value.toObject(), part, itemTimeoutMs, env, itemScope);
                if (!resolved->secretValues.isEmpty()) {
                    // The items' outputs are the iterate's: stored as a step's output, for one.
                    result.output = Placeholders::mask(result.output, resolved->secretValues);
                    result.error = Placeholders::mask(result.error, resolved->secretValues);
                    result.result = Placeholders::maskJson(result.result, resolved->secretValues);
                }
            }
            const int finished = ++done;
            context.progress(finished * 100 / count, QStringLiteral("%1 of %2 items").arg(finished).arg(count));
        });
    }
    pool.waitForDone();

    QString log;
    QStringList failures;
    QJsonArray outputs;
    int failed = 0;
    bool retryable = false;
    bool cancelled = false;
    bool timedOut = false;
    for (int index = 0; index < count; ++index) {
        const AttemptOutcome &result = results[size_t(index)];
        const bool succeeded = result.kind == AttemptOutcome::Kind::Succeeded;
        outputs.append(result.result.isUndefined() ? QJsonValue() : result.result);
        appendPart(
            &log,
            QStringLiteral("item [%1]: %2").arg(index).arg(succeeded ? QStringLiteral("succeeded") : result.error),
            result.output);
        if (result.cpuTimeMs >= 0)
            outcome.cpuTimeMs = std::max<qint64>(outcome.cpuTimeMs, 0) + result.cpuTimeMs;
        outcome.peakMemoryKiB = std::max(outcome.peakMemoryKiB, result.peakMemoryKiB);
        if (succeeded)
            continue;
        ++failed;
        cancelled = cancelled || result.kind == AttemptOutcome::Kind::Cancelled;
        timedOut = timedOut || result.kind == AttemptOutcome::Kind::TimedOut;
        retryable = retryable || result.retryable;
        if (failures.size() < 5)
            failures.append(QStringLiteral("[%1] %2").arg(index).arg(result.error));
    }
    capOutput(&log);
    outcome.output = log;
    outcome.result = outputs;
    if (failed == 0) {
        outcome.kind = AttemptOutcome::Kind::Succeeded;
        return outcome;
    }
    if (cancelled && context.isCancelled()) {
        outcome.kind = AttemptOutcome::Kind::Cancelled;
        outcome.error = QStringLiteral("cancelled");
        return outcome;
    }
    outcome.kind = timedOut && timeoutMs > 0 && elapsed.elapsed() >= timeoutMs ? AttemptOutcome::Kind::TimedOut
                                                                               : AttemptOutcome::Kind::Failed;
    outcome.retryable = retryable;
    outcome.error = QStringLiteral("iterate: %1 of %2 items failed: %3%4")
                        .arg(failed)
                        .arg(count)
                        .arg(failures.join(QStringLiteral("; ")))
                        .arg(failed > failures.size() ? QStringLiteral("; ...") : QString());
    return outcome;
}

} // namespace Taskdeck::Core::PipelineAction

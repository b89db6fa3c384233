#include "taskrepository.h"

#include "store/sqlitestatement.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTimeZone>

#include <algorithm>

Q_LOGGING_CATEGORY(lcRepository, "taskdeck.core.queue.store", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

// Times are stored as milliseconds since the epoch (UTC); NULL when unset.
QDateTime fromStored(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), QTimeZone::utc());
}

QString compactJson(const QJsonValue &value)
{
    if (value.isNull())
        return QStringLiteral("null");
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    // A scalar: wrap it so that QJsonDocument can write it, then unwrap.
    const QString wrapped = QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
    return wrapped.mid(1, wrapped.size() - 2);
}

QJsonValue parseJson(const QString &text)
{
    const QJsonDocument document = QJsonDocument::fromJson((QStringLiteral("[") + text + QStringLiteral("]")).toUtf8());
    return document.array().isEmpty() ? QJsonValue() : document.array().first();
}

const QString SelectColumns = QStringLiteral(
    "SELECT id, job, action, payload, queue, priority, state, attempts, retry_policy, not_before, timeout_ms, "
    "unique_key, created_at, started_at, finished_at, progress, progress_message, last_error, interruptions "
    "FROM tasks ");

Task taskFromQuery(const QSqlQuery &query)
{
    Task task;
    task.id = query.value(0).toLongLong();
    task.spec.job = query.value(1).toString();
    task.spec.action = parseJson(query.value(2).toString()).toObject();
    task.spec.payload = parseJson(query.value(3).toString());
    task.spec.queue = query.value(4).toString();
    task.spec.priority = query.value(5).toInt();
    task.state = taskStateFromName(query.value(6).toString()).value_or(TaskState::Queued);
    task.attempts = query.value(7).toInt();
    task.spec.retry = retryPolicyFromJson(parseJson(query.value(8).toString()).toObject());
    task.runAt = fromStored(query.value(9));
    task.spec.notBefore = task.runAt;
    task.spec.timeoutMs = query.value(10).toLongLong();
    task.spec.uniqueKey = query.value(11).toString();
    task.createdAt = fromStored(query.value(12));
    task.startedAt = fromStored(query.value(13));
    task.finishedAt = fromStored(query.value(14));
    task.progress = query.value(15).toInt();
    task.progressMessage = query.value(16).toString();
    task.lastError = query.value(17).toString();
    task.interruptions = query.value(18).toInt();
    return task;
}

bool failWith(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

// Runs a prepared SELECT of SelectColumns and reads every row.
QList<Task> collectTasks(QSqlQuery &query, QString *error)
{
    QList<Task> tasks;
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return tasks;
    }
    while (query.next())
        tasks.append(taskFromQuery(query));
    return tasks;
}

} // namespace

const QString TaskRepository::AttemptColumns =
    QStringLiteral("number, started_at, finished_at, outcome, exit_code, error, output, cpu_ms, peak_memory_kb");

AttemptRecord TaskRepository::attemptFromQuery(const QSqlQuery &query)
{
    AttemptRecord record;
    record.number = query.value(0).toInt();
    record.startedAt = fromStored(query.value(1));
    record.finishedAt = fromStored(query.value(2));
    record.outcome = query.value(3).toString();
    record.exitCode = query.value(4).isNull() ? -1 : query.value(4).toInt();
    record.error = query.value(5).toString();
    record.output = query.value(6).toString();
    record.cpuTimeMs = query.value(7).isNull() ? -1 : query.value(7).toLongLong();
    record.peakMemoryKiB = query.value(8).isNull() ? -1 : query.value(8).toLongLong();
    return record;
}

QList<AttemptRecord> TaskRepository::attempts(qint64 taskId, QString *error) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT ") + AttemptColumns +
                  QStringLiteral(" FROM attempts WHERE task_id = ? ORDER BY id"));
    query.addBindValue(taskId);
    QList<AttemptRecord> records;
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return records;
    }
    while (query.next())
        records.append(attemptFromQuery(query));
    return records;
}

std::optional<QueueStatistics> TaskRepository::statistics(const QDateTime &now, QString *error) const
{
    QueueStatistics stats;
    QSqlQuery query(m_db);
    const auto run = [&](const QString &sql, const QVariantList &values) {
        query.prepare(sql);
        for (const QVariant &value : values)
            query.addBindValue(value);
        return query.exec() || failWith(error, query.lastError().text());
    };
    if (!run(QStringLiteral("SELECT state, COUNT(*) FROM tasks GROUP BY state"), {}))
        return std::nullopt;
    while (query.next()) {
        stats.perState.insert(query.value(0).toString(), query.value(1).toInt());
        if (query.value(0).toString() == QLatin1String("queued") ||
            query.value(0).toString() == QLatin1String("retry_wait"))
            stats.waiting += query.value(1).toInt();
    }
    const qint64 nowMs = now.toMSecsSinceEpoch();
    if (!run(QStringLiteral("SELECT MIN(not_before) FROM tasks WHERE state IN ('queued','retry_wait') AND not_before "
                            "<= ?"),
             {nowMs}) ||
        !query.next())
        return std::nullopt;
    stats.oldestWaitingSince = fromStored(query.value(0));
    const qint64 hourAgo = nowMs - 3600 * 1000;
    if (!run(QStringLiteral("SELECT COUNT(*) FROM tasks WHERE state = 'succeeded' AND finished_at >= ?"), {hourAgo}) ||
        !query.next())
        return std::nullopt;
    stats.succeededLastHour = query.value(0).toInt();
    if (!run(QStringLiteral(
                 "SELECT COUNT(*) FROM attempts WHERE outcome IN ('failed','timed_out') AND finished_at >= ?"),
             {hourAgo}) ||
        !query.next())
        return std::nullopt;
    stats.failedAttemptsLastHour = query.value(0).toInt();
    // Latency from when a task could start (created, or its not-before) to its first start.
    if (!run(QStringLiteral("SELECT a.started_at - MAX(t.created_at, t.not_before) FROM attempts a JOIN tasks t ON "
                            "t.id = a.task_id WHERE a.number = 1 ORDER BY a.id DESC LIMIT 1000"),
             {}))
        return std::nullopt;
    QList<qint64> latencies;
    while (query.next())
        latencies.append(std::max<qint64>(0, query.value(0).toLongLong()));
    if (!latencies.isEmpty()) {
        std::sort(latencies.begin(), latencies.end());
        stats.startLatencyP50Ms = latencies.at((latencies.size() - 1) / 2);
        stats.startLatencyP95Ms = latencies.at(qsizetype(double(latencies.size() - 1) * 0.95));
    }
    return stats;
}

int TaskRepository::countWaiting(QString *error) const
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM tasks WHERE state IN ('queued','retry_wait')")) ||
        !query.next()) {
        failWith(error, query.lastError().text());
        return -1;
    }
    return query.value(0).toInt();
}

std::optional<qint64> TaskRepository::insert(const TaskSpec &spec, const QDateTime &now, int capacity, QString *error,
                                             const EncodedSpec *encoded)
{
    if (!spec.validate(error))
        return std::nullopt;
    if (capacity != Unlimited) {
        const int waiting = countWaiting(error);
        if (waiting < 0)
            return std::nullopt;
        if (waiting >= capacity) {
            failWith(error, QStringLiteral("queue is full (%1 tasks waiting)").arg(waiting));
            return std::nullopt;
        }
    }
    if (!spec.uniqueKey.isEmpty()) {
        QSqlQuery taken(m_db);
        taken.prepare(QStringLiteral("SELECT id, state FROM tasks WHERE unique_key = ? AND state IN "
                                     "('queued','running','retry_wait') LIMIT 1"));
        taken.addBindValue(spec.uniqueKey);
        if (!taken.exec()) {
            failWith(error, taken.lastError().text());
            return std::nullopt;
        }
        if (taken.next()) {
            failWith(error, QStringLiteral("unique key '%1' is taken by task %2, which is %3")
                                .arg(spec.uniqueKey, taken.value(0).toString(), taken.value(1).toString()));
            return std::nullopt;
        }
    }
    const EncodedSpec &text = encoded ? *encoded : encode(spec);
    SqliteStatement insert(m_db, "INSERT INTO tasks (job, action, payload, queue, priority, state, attempts, "
                                 "max_attempts, retry_policy, not_before, timeout_ms, unique_key, created_at) VALUES "
                                 "(?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)");
    insert.bindIf(!spec.job.isEmpty(), spec.job)
        .bind(text.action)
        .bind(text.payload)
        .bind(spec.queue)
        .bind(spec.priority)
        .bind(spec.retry.maxAttempts)
        .bind(text.retryPolicy)
        .bind((spec.notBefore.isValid() ? spec.notBefore : now).toMSecsSinceEpoch())
        .bindIf(spec.timeoutMs > 0, spec.timeoutMs)
        .bindIf(!spec.uniqueKey.isEmpty(), spec.uniqueKey)
        .bind(now.toMSecsSinceEpoch());
    if (!insert.exec(error))
        return std::nullopt;
    return insert.lastInsertId();
}

TaskRepository::EncodedSpec TaskRepository::encode(const TaskSpec &spec, TaskEncodeCache *cache)
{
    if (!cache)
        return {compactJson(spec.action), compactJson(spec.payload), compactJson(retryPolicyToJson(spec.retry))};
    // Comparing shared QJsonObjects is a pointer comparison; equal ones are compared by value.
    if (cache->actionText.isNull() || spec.action != cache->action) {
        cache->action = spec.action;
        cache->actionText = compactJson(spec.action);
    }
    if (!cache->retry || spec.retry != *cache->retry) {
        cache->retry = spec.retry;
        cache->retryText = compactJson(retryPolicyToJson(spec.retry));
    }
    return {cache->actionText, compactJson(spec.payload), cache->retryText};
}

std::optional<Task> TaskRepository::find(qint64 id, QString *error) const
{
    QSqlQuery query(m_db);
    query.prepare(SelectColumns + QStringLiteral("WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return std::nullopt;
    }
    if (!query.next()) {
        failWith(error, QStringLiteral("no task %1").arg(id));
        return std::nullopt;
    }
    return taskFromQuery(query);
}

QList<Task> TaskRepository::list(std::optional<TaskState> state, int limit, QString *error) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    QString sql = SelectColumns;
    if (state)
        sql += QStringLiteral("WHERE state = ? ");
    sql += QStringLiteral("ORDER BY id DESC");
    if (limit > 0)
        sql += QStringLiteral(" LIMIT ?");
    query.prepare(sql);
    if (state)
        query.addBindValue(taskStateName(*state));
    if (limit > 0)
        query.addBindValue(limit);
    return collectTasks(query, error);
}

QList<Task> TaskRepository::waitingAfter(qint64 afterId, QString *error) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // "+state": walk the id range, not the state index, which would visit every waiting task.
    query.prepare(SelectColumns + QStringLiteral("WHERE id > ? AND +state IN ('queued','retry_wait') ORDER BY id"));
    query.addBindValue(afterId);
    return collectTasks(query, error);
}

bool TaskRepository::markStarted(qint64 id, int attempt, const QDateTime &at, QString *error)
{
    const qint64 atMs = at.toMSecsSinceEpoch();
    SqliteStatement task(m_db, "UPDATE tasks SET state = 'running', attempts = ?, started_at = ?, progress = 0, "
                               "progress_message = NULL WHERE id = ?");
    if (!task.bind(attempt).bind(atMs).bind(id).exec(error))
        return false;
    SqliteStatement record(m_db, "INSERT INTO attempts (task_id, number, started_at) VALUES (?, ?, ?)");
    return record.bind(id).bind(attempt).bind(atMs).exec(error);
}

bool TaskRepository::markAttemptEnded(qint64 id, int attempt, TaskState state, const QString &outcomeName,
                                      const AttemptOutcome &outcome, const QDateTime &at, const QDateTime &runAgainAt,
                                      QString *error)
{
    const qint64 atMs = at.toMSecsSinceEpoch();
    const QString stateName = taskStateName(state);
    SqliteStatement task(m_db, "UPDATE tasks SET state = ?1, finished_at = ?2, not_before = COALESCE(?3, not_before), "
                               "last_error = ?4, progress = CASE WHEN ?1 = 'succeeded' THEN 100 ELSE progress END "
                               "WHERE id = ?5");
    task.bind(stateName)
        .bindIf(isFinalState(state), atMs)
        .bindIf(runAgainAt.isValid(), runAgainAt.isValid() ? runAgainAt.toMSecsSinceEpoch() : 0)
        .bindIf(!outcome.error.isEmpty(), outcome.error)
        .bind(id);
    if (!task.exec(error))
        return false;
    SqliteStatement record(m_db, "UPDATE attempts SET finished_at = ?, outcome = ?, exit_code = ?, error = ?, "
                                 "output = ?, cpu_ms = ?, peak_memory_kb = ? WHERE task_id = ? AND number = ? AND "
                                 "finished_at IS NULL");
    return record.bind(atMs)
        .bind(outcomeName)
        .bindIf(outcome.exitCode >= 0, outcome.exitCode)
        .bindIf(!outcome.error.isEmpty(), outcome.error)
        .bindIf(!outcome.output.isEmpty(), outcome.output)
        .bindIf(outcome.cpuTimeMs >= 0, outcome.cpuTimeMs)
        .bindIf(outcome.peakMemoryKiB >= 0, outcome.peakMemoryKiB)
        .bind(id)
        .bind(attempt)
        .exec(error);
}

bool TaskRepository::markProgress(qint64 id, int percent, const QString &message, QString *error)
{
    SqliteStatement update(m_db,
                           "UPDATE tasks SET progress = ?, progress_message = ? WHERE id = ? AND state = 'running'");
    return update.bind(percent).bindIf(!message.isEmpty(), message).bind(id).exec(error);
}

int TaskRepository::apply(const std::vector<TaskWrite> &writes)
{
    // The end of each attempt whose start is in `writes` too.
    QHash<QPair<qint64, int>, size_t> ends;
    for (size_t i = 0; i < writes.size(); ++i) {
        if (writes[i].kind == TaskWrite::Kind::Ended)
            ends.insert({writes[i].taskId, writes[i].attempt}, i);
    }
    std::vector<bool> done(writes.size(), false);
    int failed = 0;
    for (size_t i = 0; i < writes.size(); ++i) {
        if (done[i])
            continue;
        const TaskWrite &write = writes[i];
        QString error;
        bool ok = true;
        const auto runAgainAt = [](const TaskWrite &w) {
            return w.runAgainAtMs >= 0 ? QDateTime::fromMSecsSinceEpoch(w.runAgainAtMs, QTimeZone::utc()) : QDateTime();
        };
        switch (write.kind) {
        case TaskWrite::Kind::Started: {
            const auto end = ends.constFind({write.taskId, write.attempt});
            if (end != ends.cend() && *end > i) {
                done[*end] = true;
                ok = markAttemptRan(write.taskId, write.attempt, write.atMs, writes[*end], &error);
            } else {
                ok = markStarted(write.taskId, write.attempt,
                                 QDateTime::fromMSecsSinceEpoch(write.atMs, QTimeZone::utc()), &error);
            }
            break;
        }
        case TaskWrite::Kind::Ended:
            ok = markAttemptEnded(write.taskId, write.attempt, write.state, write.outcomeName, write.outcome,
                                  QDateTime::fromMSecsSinceEpoch(write.atMs, QTimeZone::utc()), runAgainAt(write),
                                  &error);
            break;
        case TaskWrite::Kind::Progress:
            ok = markProgress(write.taskId, write.percent, write.message, &error);
            break;
        case TaskWrite::Kind::CancelledWhileWaiting:
            ok = markCancelledWhileWaiting(write.taskId, QDateTime::fromMSecsSinceEpoch(write.atMs, QTimeZone::utc()),
                                           &error);
            break;
        }
        if (!ok) {
            ++failed;
            qCWarning(lcRepository, "the state of task %lld was not stored: %s", static_cast<long long>(write.taskId),
                      qPrintable(error));
        }
    }
    return failed;
}

bool TaskRepository::markAttemptRan(qint64 id, int attempt, qint64 startedAtMs, const TaskWrite &end, QString *error)
{
    const QString stateName = taskStateName(end.state);
    SqliteStatement record(m_db, "INSERT INTO attempts (task_id, number, started_at, finished_at, outcome, exit_code, "
                                 "error, output, cpu_ms, peak_memory_kb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    record.bind(id)
        .bind(attempt)
        .bind(startedAtMs)
        .bind(end.atMs)
        .bind(end.outcomeName)
        .bindIf(end.outcome.exitCode >= 0, end.outcome.exitCode)
        .bindIf(!end.outcome.error.isEmpty(), end.outcome.error)
        .bindIf(!end.outcome.output.isEmpty(), end.outcome.output)
        .bindIf(end.outcome.cpuTimeMs >= 0, end.outcome.cpuTimeMs)
        .bindIf(end.outcome.peakMemoryKiB >= 0, end.outcome.peakMemoryKiB);
    if (!record.exec(error))
        return false;
    SqliteStatement task(m_db, "UPDATE tasks SET state = ?1, attempts = ?2, started_at = ?3, finished_at = ?4, "
                               "not_before = COALESCE(?5, not_before), last_error = ?6, "
                               "progress = CASE WHEN ?1 = 'succeeded' THEN 100 ELSE 0 END, progress_message = NULL "
                               "WHERE id = ?7");
    return task.bind(stateName)
        .bind(attempt)
        .bind(startedAtMs)
        .bindIf(isFinalState(end.state), end.atMs)
        .bindIf(end.runAgainAtMs >= 0, end.runAgainAtMs)
        .bindIf(!end.outcome.error.isEmpty(), end.outcome.error)
        .bind(id)
        .exec(error);
}

bool TaskRepository::markCancelledWhileWaiting(qint64 id, const QDateTime &at, QString *error)
{
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE tasks SET state = 'cancelled', finished_at = ?, last_error = 'cancelled' "
                                  "WHERE id = ? AND state IN ('queued','retry_wait')"));
    update.addBindValue(at.toMSecsSinceEpoch());
    update.addBindValue(id);
    return update.exec() || failWith(error, update.lastError().text());
}

int TaskRepository::recoverInterrupted(const QDateTime &now, int maxInterruptions, QString *error)
{
    QSqlQuery running(m_db);
    running.setForwardOnly(true);
    if (!running.exec(QStringLiteral("SELECT id, attempts, interruptions FROM tasks WHERE state = 'running'"))) {
        failWith(error, running.lastError().text());
        return -1;
    }
    struct Interrupted
    {
        qint64 id;
        int attempt;
        int interruptions;
    };
    QList<Interrupted> found;
    while (running.next())
        found.append({running.value(0).toLongLong(), running.value(1).toInt(), running.value(2).toInt() + 1});
    running.finish();
    for (const Interrupted &task : found) {
        const bool dead = task.interruptions >= maxInterruptions;
        QSqlQuery update(m_db);
        update.prepare(QStringLiteral("UPDATE tasks SET state = ?, interruptions = ?, not_before = ?, finished_at = ?, "
                                      "last_error = ? WHERE id = ?"));
        update.addBindValue(dead ? QStringLiteral("dead") : QStringLiteral("queued"));
        update.addBindValue(task.interruptions);
        update.addBindValue(now.toMSecsSinceEpoch());
        update.addBindValue(dead ? QVariant(now.toMSecsSinceEpoch()) : QVariant());
        update.addBindValue(dead ? QStringLiteral("interrupted repeatedly (%1 times): it may be what stops the engine")
                                       .arg(task.interruptions)
                                 : QStringLiteral("interrupted: the engine stopped while it ran"));
        update.addBindValue(task.id);
        QSqlQuery attempt(m_db);
        attempt.prepare(QStringLiteral("UPDATE attempts SET finished_at = ?, outcome = 'interrupted', error = "
                                       "'the engine stopped while it ran' WHERE task_id = ? AND number = ? AND "
                                       "finished_at IS NULL"));
        attempt.addBindValue(now.toMSecsSinceEpoch());
        attempt.addBindValue(task.id);
        attempt.addBindValue(task.attempt);
        if (!update.exec() || !attempt.exec()) {
            failWith(error, update.lastError().text() + attempt.lastError().text());
            return -1;
        }
    }
    return int(found.size());
}

namespace {

bool recordAction(QSqlDatabase &db, const QDateTime &now, const QString &user, const QString &action, qint64 taskId,
                  const QString &detail, QString *error)
{
    QSqlQuery insert(db);
    insert.prepare(
        QStringLiteral("INSERT INTO operator_actions (at, user, action, task_id, detail) VALUES (?, ?, ?, ?, ?)"));
    insert.addBindValue(now.toMSecsSinceEpoch());
    insert.addBindValue(user);
    insert.addBindValue(action);
    insert.addBindValue(taskId);
    insert.addBindValue(detail.isEmpty() ? QVariant() : QVariant(detail));
    return insert.exec() || failWith(error, insert.lastError().text());
}

bool addRequest(QSqlDatabase &db, const QDateTime &now, const QString &kind, qint64 taskId, QString *error)
{
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO engine_requests (at, kind, task_id) VALUES (?, ?, ?)"));
    insert.addBindValue(now.toMSecsSinceEpoch());
    insert.addBindValue(kind);
    insert.addBindValue(taskId);
    return insert.exec() || failWith(error, insert.lastError().text());
}

} // namespace

QList<qint64> TaskRepository::retryDead(const QList<qint64> &ids, const QString &job, bool all, const QDateTime &now,
                                        const QString &user, QString *error)
{
    QSqlQuery select(m_db);
    QString sql = QStringLiteral("SELECT id FROM tasks WHERE state = 'dead'");
    if (!job.isEmpty())
        sql += QStringLiteral(" AND job = ?");
    select.prepare(sql + QStringLiteral(" ORDER BY id"));
    if (!job.isEmpty())
        select.addBindValue(job);
    QList<qint64> dead;
    if (!select.exec()) {
        failWith(error, select.lastError().text());
        return {};
    }
    while (select.next())
        dead.append(select.value(0).toLongLong());
    select.finish();
    QList<qint64> chosen;
    if (all || !job.isEmpty()) {
        chosen = dead;
    } else {
        for (qint64 id : ids) {
            if (!dead.contains(id)) {
                const auto task = find(id);
                failWith(error, task ? QStringLiteral("task %1 is %2, not dead").arg(id).arg(taskStateName(task->state))
                                     : QStringLiteral("no task %1").arg(id));
                return {};
            }
            chosen.append(id);
        }
    }
    for (qint64 id : chosen) {
        QSqlQuery update(m_db);
        update.prepare(
            QStringLiteral("UPDATE tasks SET state = 'queued', attempts = 0, interruptions = 0, "
                           "not_before = ?, started_at = NULL, finished_at = NULL, last_error = NULL, progress = 0, "
                           "progress_message = NULL WHERE id = ?"));
        update.addBindValue(now.toMSecsSinceEpoch());
        update.addBindValue(id);
        if (!update.exec() || !recordAction(m_db, now, user, QStringLiteral("retry"), id, QString(), error) ||
            !addRequest(m_db, now, QStringLiteral("retry"), id, error)) {
            if (error && error->isEmpty())
                *error = update.lastError().text();
            return {};
        }
    }
    return chosen;
}

bool TaskRepository::retryDeadWithPayload(qint64 id, const QJsonValue &payload, const QDateTime &now,
                                          const QString &user, QString *error)
{
    const auto task = find(id, error);
    if (!task)
        return false;
    if (task->state != TaskState::Dead)
        return failWith(error, QStringLiteral("task %1 is %2, not dead").arg(id).arg(taskStateName(task->state)));
    // The payload it had is kept in the operator's record: an edit loses nothing.
    const QString detail = compactJson(QJsonObject{{QStringLiteral("previous_payload"), task->spec.payload}});
    QSqlQuery update(m_db);
    update.prepare(
        QStringLiteral("UPDATE tasks SET state = 'queued', attempts = 0, interruptions = 0, payload = ?, "
                       "not_before = ?, started_at = NULL, finished_at = NULL, last_error = NULL, progress = 0, "
                       "progress_message = NULL WHERE id = ?"));
    update.addBindValue(compactJson(payload));
    update.addBindValue(now.toMSecsSinceEpoch());
    update.addBindValue(id);
    if (!update.exec())
        return failWith(error, update.lastError().text());
    return recordAction(m_db, now, user, QStringLiteral("edit-payload-retry"), id, detail, error) &&
           addRequest(m_db, now, QStringLiteral("retry"), id, error);
}

QList<OperatorActionRecord> TaskRepository::operatorActions(qint64 taskId, QString *error) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(
        QStringLiteral("SELECT at, user, action, detail FROM operator_actions WHERE task_id = ? ORDER BY id"));
    query.addBindValue(taskId);
    QList<OperatorActionRecord> actions;
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return actions;
    }
    while (query.next()) {
        OperatorActionRecord record;
        record.at = fromStored(query.value(0));
        record.user = query.value(1).toString();
        record.action = query.value(2).toString();
        if (!query.value(3).isNull())
            record.detail = parseJson(query.value(3).toString());
        actions.append(record);
    }
    return actions;
}

QList<qint64> TaskRepository::deleteDead(const QList<qint64> &ids, const QDateTime &now, const QString &user,
                                         QString *error)
{
    for (qint64 id : ids) {
        const auto task = find(id, error);
        if (!task)
            return {};
        if (task->state != TaskState::Dead) {
            failWith(error, QStringLiteral("task %1 is %2, not dead").arg(id).arg(taskStateName(task->state)));
            return {};
        }
    }
    for (qint64 id : ids) {
        QSqlQuery remove(m_db);
        remove.prepare(QStringLiteral("DELETE FROM tasks WHERE id = ? AND state = 'dead'"));
        remove.addBindValue(id);
        if (!remove.exec()) {
            failWith(error, remove.lastError().text());
            return {};
        }
        if (!recordAction(m_db, now, user, QStringLiteral("delete"), id, QString(), error))
            return {};
    }
    return ids;
}

bool TaskRepository::requestCancel(qint64 id, const QDateTime &now, const QString &user, QString *error)
{
    const auto task = find(id, error);
    if (!task)
        return false;
    if (isFinalState(task->state))
        return failWith(error, QStringLiteral("task %1 is already %2").arg(id).arg(taskStateName(task->state)));
    if (task->state != TaskState::Running && !markCancelledWhileWaiting(id, now, error))
        return false;
    return recordAction(m_db, now, user, QStringLiteral("cancel"), id, QString(), error) &&
           addRequest(m_db, now, QStringLiteral("cancel"), id, error);
}

bool TaskRepository::requestPriority(qint64 id, int priority, const QDateTime &now, const QString &user, QString *error)
{
    const auto task = find(id, error);
    if (!task)
        return false;
    if (!isWaitingState(task->state) && task->state != TaskState::Running)
        return failWith(error, QStringLiteral("task %1 is already %2").arg(id).arg(taskStateName(task->state)));
    if (task->spec.priority == priority)
        return true;
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE tasks SET priority = ? WHERE id = ?"));
    update.addBindValue(priority);
    update.addBindValue(id);
    if (!update.exec())
        return failWith(error, update.lastError().text());
    return recordAction(m_db, now, user, QStringLiteral("priority"), id,
                        compactJson(QJsonObject{{QStringLiteral("previous_priority"), task->spec.priority},
                                                {QStringLiteral("priority"), priority}}),
                        error) &&
           addRequest(m_db, now, QStringLiteral("priority"), id, error);
}

QList<TaskRepository::EngineRequest> TaskRepository::requestsAfter(qint64 afterId, QString *error) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT id, kind, task_id FROM engine_requests WHERE id > ? ORDER BY id"));
    query.addBindValue(afterId);
    QList<EngineRequest> requests;
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return requests;
    }
    while (query.next())
        requests.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toLongLong()});
    return requests;
}

bool TaskRepository::announceEnqueued(qint64 id, const QDateTime &now, QString *error)
{
    return addRequest(m_db, now, QStringLiteral("enqueued"), id, error);
}

bool TaskRepository::deleteRequestsUpTo(qint64 id, QString *error)
{
    SqliteStatement remove(m_db, "DELETE FROM engine_requests WHERE id <= ?");
    return remove.bind(id).exec(error);
}

qint64 TaskRepository::lastRequestId() const
{
    QSqlQuery query(m_db);
    return query.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM engine_requests")) && query.next()
               ? query.value(0).toLongLong()
               : 0;
}

} // namespace Taskdeck::Core

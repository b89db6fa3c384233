#include "historyrepository.h"

#include "actions/actionspec.h"
#include "taskrepository.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

namespace Taskdeck::Core {

namespace {

QDateTime fromStored(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), QTimeZone::utc());
}

void setError(QString *error, const QString &why)
{
    if (error)
        *error = why;
}

// A LIKE pattern that finds `text` anywhere, its own % and _ taken literally ('!' escapes).
QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('!'), QStringLiteral("!!"));
    escaped.replace(QLatin1Char('%'), QStringLiteral("!%"));
    escaped.replace(QLatin1Char('_'), QStringLiteral("!_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace

QList<HistoryRow> HistoryRepository::page(const HistoryFilter &filter, qint64 beforeAttemptId, int limit,
                                          QString *error) const
{
    QStringList where;
    QVariantList values;
    if (beforeAttemptId > 0) {
        where.append(QStringLiteral("a.id < ?"));
        values.append(beforeAttemptId);
    }
    if (filter.taskId > 0) {
        where.append(QStringLiteral("a.task_id = ?"));
        values.append(filter.taskId);
    }
    if (filter.job == QLatin1String("-")) {
        where.append(QStringLiteral("t.job IS NULL"));
    } else if (!filter.job.isEmpty()) {
        where.append(QStringLiteral("t.job = ?"));
        values.append(filter.job);
    }
    if (!filter.outcomes.isEmpty()) {
        QStringList alternatives;
        for (const QString &outcome : filter.outcomes) {
            if (outcome == QLatin1String("running")) {
                alternatives.append(QStringLiteral("a.outcome IS NULL"));
            } else {
                alternatives.append(QStringLiteral("a.outcome = ?"));
                values.append(outcome);
            }
        }
        where.append(QLatin1Char('(') + alternatives.join(QStringLiteral(" OR ")) + QLatin1Char(')'));
    }
    if (filter.from.isValid()) {
        where.append(QStringLiteral("a.started_at >= ?"));
        values.append(filter.from.toMSecsSinceEpoch());
    }
    if (filter.to.isValid()) {
        where.append(QStringLiteral("a.started_at < ?"));
        values.append(filter.to.toMSecsSinceEpoch());
    }
    if (!filter.text.isEmpty()) {
        where.append(QStringLiteral("(a.error LIKE ? ESCAPE '!' OR a.output LIKE ? ESCAPE '!' OR t.action LIKE ? "
                                    "ESCAPE '!' OR t.job LIKE ? ESCAPE '!')"));
        const QString pattern = likePattern(filter.text);
        values << pattern << pattern << pattern << pattern;
    }
    // Bound values only; the clauses are the code's own.
    QString sql = QStringLiteral("SELECT a.id, a.task_id, t.job, a.number, a.outcome, a.started_at, a.finished_at, "
                                 "a.exit_code, a.error, a.cpu_ms, a.peak_memory_kb, t.action, t.state FROM attempts a "
                                 "JOIN tasks t ON t.id = a.task_id");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY a.id DESC LIMIT ?");
    values.append(std::max(1, limit));
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(sql);
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    QList<HistoryRow> rows;
    if (!query.exec()) {
        setError(error, query.lastError().text());
        return rows;
    }
    rows.reserve(limit);
    QString lastActionText;
    QString lastSummary;
    while (query.next()) {
        HistoryRow row;
        row.attemptId = query.value(0).toLongLong();
        row.taskId = query.value(1).toLongLong();
        row.job = query.value(2).toString();
        row.number = query.value(3).toInt();
        row.outcome = query.value(4).toString();
        row.startedAt = fromStored(query.value(5));
        row.finishedAt = fromStored(query.value(6));
        row.exitCode = query.value(7).isNull() ? -1 : query.value(7).toInt();
        row.error = query.value(8).toString();
        row.cpuTimeMs = query.value(9).isNull() ? -1 : query.value(9).toLongLong();
        row.peakMemoryKiB = query.value(10).isNull() ? -1 : query.value(10).toLongLong();
        // A job's tasks share their action: its summary is made once for a run of them.
        const QString actionText = query.value(11).toString();
        if (actionText != lastActionText) {
            lastActionText = actionText;
            lastSummary =
                ActionSpec::summary(ActionSpec::redacted(QJsonDocument::fromJson(actionText.toUtf8()).object()));
        }
        row.action = lastSummary;
        row.taskState = query.value(12).toString();
        rows.append(row);
    }
    return rows;
}

std::optional<AttemptRecord> HistoryRepository::attempt(qint64 attemptId, qint64 *taskId, QString *error) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT ") + TaskRepository::AttemptColumns +
                  QStringLiteral(", task_id FROM attempts WHERE id = ?"));
    query.addBindValue(attemptId);
    if (!query.exec()) {
        setError(error, query.lastError().text());
        return std::nullopt;
    }
    if (!query.next()) {
        setError(error, QStringLiteral("no attempt %1").arg(attemptId));
        return std::nullopt;
    }
    AttemptRecord record = TaskRepository::attemptFromQuery(query);
    if (taskId)
        *taskId = query.value(9).toLongLong();
    return record;
}

QList<ActivityBucket> HistoryRepository::activity(const QDateTime &from, const QDateTime &to, qint64 bucketMs,
                                                  QString *error) const
{
    QList<ActivityBucket> buckets;
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    if (bucketMs <= 0 || toMs <= fromMs)
        return buckets;
    const qint64 count = (toMs - fromMs + bucketMs - 1) / bucketMs;
    for (qint64 i = 0; i < count; ++i)
        buckets.append({QDateTime::fromMSecsSinceEpoch(fromMs + i * bucketMs, QTimeZone::utc()), 0, 0});
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // attempts_by_finished (schema 6) keeps this a range scan on a million rows.
    query.prepare(QStringLiteral("SELECT (finished_at - ?) / ?, SUM(outcome = 'succeeded'), SUM(outcome = 'failed' OR "
                                 "outcome = 'timed_out') FROM attempts WHERE finished_at >= ? AND finished_at < ? "
                                 "GROUP BY 1"));
    query.addBindValue(fromMs);
    query.addBindValue(bucketMs);
    query.addBindValue(fromMs);
    query.addBindValue(toMs);
    if (!query.exec()) {
        setError(error, query.lastError().text());
        return buckets;
    }
    while (query.next()) {
        const qint64 index = query.value(0).toLongLong();
        if (index < 0 || index >= buckets.size())
            continue;
        buckets[index].succeeded = query.value(1).toInt();
        buckets[index].failed = query.value(2).toInt();
    }
    return buckets;
}

qint64 HistoryRepository::count(QString *error) const
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM attempts")) || !query.next()) {
        setError(error, query.lastError().text());
        return -1;
    }
    return query.value(0).toLongLong();
}

} // namespace Taskdeck::Core

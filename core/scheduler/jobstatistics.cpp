#include "jobstatistics.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

#include <algorithm>
#include <vector>

namespace Taskdeck::Core {

namespace {

// Nearest rank at index (n - 1) * fraction of sorted values, as TaskRepository's stats do.
qint64 percentile(const std::vector<qint64> &sorted, double fraction)
{
    if (sorted.empty())
        return -1;
    return sorted.at(size_t(double(sorted.size() - 1) * fraction));
}

void finishJob(JobStatistics &statistics, std::vector<qint64> &durations)
{
    std::sort(durations.begin(), durations.end());
    statistics.p50DurationMs = percentile(durations, 0.5);
    statistics.p95DurationMs = percentile(durations, 0.95);
    durations.clear();
}

} // namespace

double JobStatistics::successRate() const
{
    const int decided = succeeded + failed;
    return decided > 0 ? double(succeeded) / double(decided) : -1.0;
}

QList<JobStatistics> JobStatistics::read(const QSqlDatabase &db, qint64 fromMs, qint64 toMs, const QString &jobId,
                                         QString *error)
{
    // The runs of the window and, for the dead-letter count, every dead task: dead letters are
    // few (an operator empties the list), so reading them whole costs little.
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT job, state, started_at, finished_at FROM tasks WHERE job IS NOT NULL") +
                  (jobId.isEmpty() ? QString() : QStringLiteral(" AND job = :job")) +
                  QStringLiteral(" AND (state = 'dead' OR (finished_at >= :from AND finished_at < :to AND "
                                 "state IN ('succeeded', 'cancelled'))) ORDER BY job, finished_at, id"));
    if (!jobId.isEmpty())
        query.bindValue(QStringLiteral(":job"), jobId);
    query.bindValue(QStringLiteral(":from"), fromMs);
    query.bindValue(QStringLiteral(":to"), toMs);
    QList<JobStatistics> result;
    if (!query.exec()) {
        if (error)
            *error = query.lastError().text();
        return result;
    }

    std::vector<qint64> durations;
    JobStatistics *current = nullptr;
    while (query.next()) {
        const QString job = query.value(0).toString();
        if (!current || current->jobId != job) {
            if (current)
                finishJob(*current, durations);
            result.append(JobStatistics());
            current = &result.last();
            current->jobId = job;
        }
        const QString state = query.value(1).toString();
        const bool dead = state == QLatin1String("dead");
        if (dead)
            ++current->deadLetters;
        const QVariant finished = query.value(3);
        const qint64 finishedAtMs = finished.toLongLong();
        if (finished.isNull() || finishedAtMs < fromMs || finishedAtMs >= toMs)
            continue; // a dead letter from before (or after) the window
        ++current->runs;
        const bool succeeded = state == QLatin1String("succeeded");
        if (dead)
            ++current->failed;
        else if (succeeded)
            ++current->succeeded;
        else
            ++current->cancelled;
        const QVariant started = query.value(2);
        if ((dead || succeeded) && !started.isNull())
            durations.push_back(std::max<qint64>(0, finishedAtMs - started.toLongLong()));
        // Rows come by finished_at, so the last one seen is the latest.
        current->lastOutcome = state;
        current->lastFinishedAt = QDateTime::fromMSecsSinceEpoch(finishedAtMs, QTimeZone::utc());
    }
    if (current)
        finishJob(*current, durations);
    return result;
}

} // namespace Taskdeck::Core

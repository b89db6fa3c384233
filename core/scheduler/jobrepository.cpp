#include "jobrepository.h"

#include "isotime.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

namespace Taskdeck::Core {

namespace {

bool failWith(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

QDateTime fromStored(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), QTimeZone::utc());
}

QVariant toStored(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch()) : QVariant();
}

// The definition as stored: the job's JSON without its pause, which has columns of its own.
QString definitionOf(const Job &job)
{
    QJsonObject object = job.toJson();
    object.remove(QStringLiteral("paused"));
    object.remove(QStringLiteral("pause_reason"));
    object.remove(QStringLiteral("resume_at"));
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

const QString SelectJobs = QStringLiteral("SELECT id, definition, paused, pause_reason, resume_at, revision, "
                                          "created_at, updated_at, last_fire_at FROM jobs ");

std::optional<StoredJob> jobFromQuery(const QSqlQuery &query, QString *error)
{
    QJsonObject object = QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object();
    object.insert(QStringLiteral("id"), query.value(0).toString());
    QString why;
    auto job = Job::fromJson(object, &why, false);
    if (!job) {
        failWith(error, QStringLiteral("job '%1' is stored damaged: %2").arg(query.value(0).toString(), why));
        return std::nullopt;
    }
    job->paused = query.value(2).toBool();
    job->pauseReason = query.value(3).toString();
    job->resumeAt = fromStored(query.value(4));
    StoredJob stored;
    stored.job = *job;
    stored.revision = query.value(5).toInt();
    stored.createdAt = fromStored(query.value(6));
    stored.updatedAt = fromStored(query.value(7));
    stored.lastFireAt = fromStored(query.value(8));
    return stored;
}

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(IsoTime::format(time.toTimeZone(QTimeZone::utc()))) : QJsonValue();
}

} // namespace

QJsonObject FireRecord::toJson() const
{
    return {
        {QStringLiteral("id"), id},
        {QStringLiteral("job"), jobId},
        {QStringLiteral("scheduled_at"), timeOrNull(scheduledAt)},
        {QStringLiteral("at"), timeOrNull(at)},
        {QStringLiteral("kind"), kind},
        {QStringLiteral("outcome"), outcome},
        {QStringLiteral("task"), taskId > 0 ? QJsonValue(taskId) : QJsonValue()},
        {QStringLiteral("task_state"), taskState.isEmpty() ? QJsonValue() : QJsonValue(taskState)},
        {QStringLiteral("started_at"), timeOrNull(taskStartedAt)},
        {QStringLiteral("finished_at"), timeOrNull(taskFinishedAt)},
        {QStringLiteral("lateness_ms"), taskStartedAt.isValid() && scheduledAt.isValid()
                                            ? QJsonValue(scheduledAt.msecsTo(taskStartedAt))
                                            : QJsonValue()},
        {QStringLiteral("detail"), detail.isEmpty() ? QJsonValue() : QJsonValue(detail)},
    };
}

bool JobRepository::add(const Job &job, const QDateTime &now, QString *error)
{
    if (find(job.id))
        return failWith(error, QStringLiteral("job '%1' exists").arg(job.id));
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO jobs (id, definition, paused, pause_reason, resume_at, revision, "
                                  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"));
    insert.addBindValue(job.id);
    insert.addBindValue(definitionOf(job));
    insert.addBindValue(job.paused ? 1 : 0);
    insert.addBindValue(job.pauseReason.isEmpty() ? QVariant() : QVariant(job.pauseReason));
    insert.addBindValue(toStored(job.resumeAt));
    insert.addBindValue(now.toMSecsSinceEpoch());
    insert.addBindValue(now.toMSecsSinceEpoch());
    return insert.exec() || failWith(error, insert.lastError().text());
}

bool JobRepository::update(const Job &job, const QDateTime &now, QString *error)
{
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE jobs SET definition = ?, paused = ?, pause_reason = ?, resume_at = ?, "
                                  "revision = revision + 1, updated_at = ? WHERE id = ?"));
    update.addBindValue(definitionOf(job));
    update.addBindValue(job.paused ? 1 : 0);
    update.addBindValue(job.pauseReason.isEmpty() ? QVariant() : QVariant(job.pauseReason));
    update.addBindValue(toStored(job.resumeAt));
    update.addBindValue(now.toMSecsSinceEpoch());
    update.addBindValue(job.id);
    if (!update.exec())
        return failWith(error, update.lastError().text());
    return update.numRowsAffected() == 1 || failWith(error, QStringLiteral("no job '%1'").arg(job.id));
}

bool JobRepository::remove(const QString &id, QString *error)
{
    QSqlQuery remove(m_db);
    remove.prepare(QStringLiteral("DELETE FROM jobs WHERE id = ?"));
    remove.addBindValue(id);
    if (!remove.exec())
        return failWith(error, remove.lastError().text());
    if (remove.numRowsAffected() != 1)
        return failWith(error, QStringLiteral("no job '%1'").arg(id));
    // Its fires go with it; its tasks stay, in the history and the dead-letter list.
    QSqlQuery fires(m_db);
    fires.prepare(QStringLiteral("DELETE FROM fires WHERE job_id = ?"));
    fires.addBindValue(id);
    return fires.exec() || failWith(error, fires.lastError().text());
}

std::optional<StoredJob> JobRepository::find(const QString &id, QString *error) const
{
    QSqlQuery query(m_db);
    query.prepare(SelectJobs + QStringLiteral("WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return std::nullopt;
    }
    if (!query.next()) {
        failWith(error, QStringLiteral("no job '%1'").arg(id));
        return std::nullopt;
    }
    return jobFromQuery(query, error);
}

QList<StoredJob> JobRepository::list(QString *error) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    QList<StoredJob> jobs;
    if (!query.exec(SelectJobs + QStringLiteral("ORDER BY id"))) {
        failWith(error, query.lastError().text());
        return jobs;
    }
    while (query.next()) {
        if (auto job = jobFromQuery(query, error))
            jobs.append(*job);
    }
    return jobs;
}

bool JobRepository::setPaused(const QString &id, bool paused, const QString &reason, const QDateTime &resumeAt,
                              const QDateTime &now, QString *error)
{
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE jobs SET paused = ?, pause_reason = ?, resume_at = ?, revision = revision + "
                                  "1, updated_at = ? WHERE id = ?"));
    update.addBindValue(paused ? 1 : 0);
    update.addBindValue(paused && !reason.isEmpty() ? QVariant(reason) : QVariant());
    update.addBindValue(paused ? toStored(resumeAt) : QVariant());
    update.addBindValue(now.toMSecsSinceEpoch());
    update.addBindValue(id);
    if (!update.exec())
        return failWith(error, update.lastError().text());
    return update.numRowsAffected() == 1 || failWith(error, QStringLiteral("no job '%1'").arg(id));
}

bool JobRepository::setLastFire(const QString &id, const QDateTime &at, QString *error)
{
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE jobs SET last_fire_at = ? WHERE id = ?"));
    update.addBindValue(toStored(at));
    update.addBindValue(id);
    return update.exec() || failWith(error, update.lastError().text());
}

std::optional<qint64> JobRepository::recordFire(const FireRecord &fire, QString *error)
{
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO fires (job_id, scheduled_at, at, kind, outcome, task_id, detail) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(fire.jobId);
    insert.addBindValue(fire.scheduledAt.toMSecsSinceEpoch());
    insert.addBindValue(fire.at.toMSecsSinceEpoch());
    insert.addBindValue(fire.kind);
    insert.addBindValue(fire.outcome);
    insert.addBindValue(fire.taskId > 0 ? QVariant(fire.taskId) : QVariant());
    insert.addBindValue(fire.detail.isEmpty() ? QVariant() : QVariant(fire.detail));
    if (!insert.exec()) {
        failWith(error, insert.lastError().text());
        return std::nullopt;
    }
    return insert.lastInsertId().toLongLong();
}

QList<FireRecord> JobRepository::fires(const QString &jobId, int limit, QString *error) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT f.id, f.job_id, f.scheduled_at, f.at, f.kind, f.outcome, f.task_id, f.detail, "
                                 "t.state, t.started_at, t.finished_at FROM fires f LEFT JOIN tasks t ON t.id = "
                                 "f.task_id WHERE f.job_id = ? ORDER BY f.scheduled_at DESC, f.id DESC LIMIT ?"));
    query.addBindValue(jobId);
    query.addBindValue(limit > 0 ? limit : -1);
    QList<FireRecord> fires;
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return fires;
    }
    while (query.next()) {
        FireRecord fire;
        fire.id = query.value(0).toLongLong();
        fire.jobId = query.value(1).toString();
        fire.scheduledAt = fromStored(query.value(2));
        fire.at = fromStored(query.value(3));
        fire.kind = query.value(4).toString();
        fire.outcome = query.value(5).toString();
        fire.taskId = query.value(6).toLongLong();
        fire.detail = query.value(7).toString();
        fire.taskState = query.value(8).toString();
        fire.taskStartedAt = fromStored(query.value(9));
        fire.taskFinishedAt = fromStored(query.value(10));
        fires.append(fire);
    }
    return fires;
}

} // namespace Taskdeck::Core

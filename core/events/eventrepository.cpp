#include "eventrepository.h"

#include "queue/taskrepository.h"
#include "scheduler/jobrepository.h"
#include "store/sqlitestatement.h"
#include "topic.h"

#include <QJsonArray>
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

QDateTime fromMs(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), QTimeZone::utc());
}

QString compact(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    // A scalar: wrapped, written, unwrapped ("[42]" -> "42").
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

QJsonValue parseValue(const QString &text)
{
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"));
    return document.isArray() && !document.array().isEmpty() ? document.array().first() : QJsonValue();
}

// The definition as stored: the subscription's JSON without its name and pause (columns).
QString definitionOf(const Subscription &subscription)
{
    QJsonObject object = subscription.toJson();
    object.remove(QStringLiteral("name"));
    object.remove(QStringLiteral("paused"));
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

std::optional<Subscription> subscriptionFrom(const QString &name, const QString &definition, bool paused,
                                             QString *error)
{
    QJsonObject object = QJsonDocument::fromJson(definition.toUtf8()).object();
    object.insert(QStringLiteral("name"), name);
    QString why;
    auto subscription = Subscription::fromJson(object, &why, false);
    if (!subscription) {
        failWith(error, QStringLiteral("subscription '%1' is stored damaged: %2").arg(name, why));
        return std::nullopt;
    }
    subscription->paused = paused;
    return subscription;
}

Event eventFrom(const QSqlQuery &query)
{
    Event event;
    event.id = query.value(0).toLongLong();
    event.topic = query.value(1).toString();
    event.data = parseValue(query.value(2).toString());
    event.publishedAt = fromMs(query.value(3));
    event.source = query.value(4).toString();
    return event;
}

const QString SelectEvents = QStringLiteral("SELECT id, topic, payload, published_at, source FROM events ");

} // namespace

// Where a delivery goes: the subscription and its job.
struct EventRepository::Target
{
    QString subscription;
    Job job;
};

bool EventRepository::addSubscription(const Subscription &subscription, const QDateTime &now, QString *error)
{
    if (!subscription.validate(error))
        return false;
    if (findSubscription(subscription.name))
        return failWith(error, QStringLiteral("subscription '%1' exists").arg(subscription.name));
    if (!JobRepository(m_db).find(subscription.jobId))
        return failWith(error, QStringLiteral("job: no job '%1'").arg(subscription.jobId));
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO subscriptions (name, job_id, definition, paused, created_at, "
                                  "updated_at) VALUES (?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(subscription.name);
    insert.addBindValue(subscription.jobId);
    insert.addBindValue(definitionOf(subscription));
    insert.addBindValue(subscription.paused ? 1 : 0);
    insert.addBindValue(now.toMSecsSinceEpoch());
    insert.addBindValue(now.toMSecsSinceEpoch());
    return insert.exec() || failWith(error, insert.lastError().text());
}

bool EventRepository::updateSubscription(const Subscription &subscription, const QDateTime &now, QString *error)
{
    if (!subscription.validate(error))
        return false;
    if (!JobRepository(m_db).find(subscription.jobId))
        return failWith(error, QStringLiteral("job: no job '%1'").arg(subscription.jobId));
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE subscriptions SET job_id = ?, definition = ?, paused = ?, revision = "
                                  "revision + 1, updated_at = ? WHERE name = ?"));
    update.addBindValue(subscription.jobId);
    update.addBindValue(definitionOf(subscription));
    update.addBindValue(subscription.paused ? 1 : 0);
    update.addBindValue(now.toMSecsSinceEpoch());
    update.addBindValue(subscription.name);
    if (!update.exec())
        return failWith(error, update.lastError().text());
    return update.numRowsAffected() == 1 ||
           failWith(error, QStringLiteral("no subscription '%1'").arg(subscription.name));
}

bool EventRepository::removeSubscription(const QString &name, bool dropWaiting, QString *error)
{
    const auto stored = findSubscription(name, error);
    if (!stored)
        return false;
    if (stored->waiting > 0 && !dropWaiting)
        return failWith(error, QStringLiteral("subscription '%1' holds %2 event(s) not delivered yet; resume it to "
                                              "deliver them, or remove it with --drop-waiting")
                                   .arg(name)
                                   .arg(stored->waiting));
    QSqlQuery remove(m_db);
    remove.prepare(QStringLiteral("DELETE FROM deliveries WHERE subscription = ? AND task_id IS NULL"));
    remove.addBindValue(name);
    if (!remove.exec())
        return failWith(error, remove.lastError().text());
    remove.prepare(QStringLiteral("DELETE FROM subscriptions WHERE name = ?"));
    remove.addBindValue(name);
    return remove.exec() || failWith(error, remove.lastError().text());
}

std::optional<StoredSubscription> EventRepository::findSubscription(const QString &name, QString *error) const
{
    for (const StoredSubscription &stored : subscriptions(error)) {
        if (stored.subscription.name == name)
            return stored;
    }
    if (error && error->isEmpty())
        *error = QStringLiteral("no subscription '%1'").arg(name);
    return std::nullopt;
}

QList<StoredSubscription> EventRepository::subscriptions(QString *error) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    QList<StoredSubscription> list;
    if (!query.exec(QStringLiteral(
            "SELECT s.name, s.definition, s.paused, s.revision, s.created_at, s.updated_at, "
            "(SELECT COUNT(*) FROM deliveries d WHERE d.subscription = s.name AND d.task_id IS NULL), "
            "(SELECT MIN(added_at) FROM deliveries d WHERE d.subscription = s.name AND d.task_id IS NULL), "
            "(SELECT COUNT(*) FROM deliveries d WHERE d.subscription = s.name AND d.task_id IS NOT NULL) "
            "FROM subscriptions s ORDER BY s.name"))) {
        failWith(error, query.lastError().text());
        return list;
    }
    while (query.next()) {
        const auto subscription =
            subscriptionFrom(query.value(0).toString(), query.value(1).toString(), query.value(2).toBool(), error);
        if (!subscription)
            continue;
        StoredSubscription stored;
        stored.subscription = *subscription;
        stored.revision = query.value(3).toInt();
        stored.createdAt = fromMs(query.value(4));
        stored.updatedAt = fromMs(query.value(5));
        stored.waiting = query.value(6).toInt();
        stored.oldestWaitingSince = fromMs(query.value(7));
        stored.delivered = query.value(8).toLongLong();
        list.append(stored);
    }
    return list;
}

QStringList EventRepository::subscriptionsOfJob(const QString &jobId, QString *error) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT name FROM subscriptions WHERE job_id = ? ORDER BY name"));
    query.addBindValue(jobId);
    QStringList names;
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return names;
    }
    while (query.next())
        names.append(query.value(0).toString());
    return names;
}

bool EventRepository::setSubscriptionPaused(const QString &name, bool paused, const QDateTime &now, QString *error)
{
    QSqlQuery update(m_db);
    update.prepare(
        QStringLiteral("UPDATE subscriptions SET paused = ?, revision = revision + 1, updated_at = ? WHERE name = ?"));
    update.addBindValue(paused ? 1 : 0);
    update.addBindValue(now.toMSecsSinceEpoch());
    update.addBindValue(name);
    if (!update.exec())
        return failWith(error, update.lastError().text());
    return update.numRowsAffected() == 1 || failWith(error, QStringLiteral("no subscription '%1'").arg(name));
}

QString EventRepository::subscriptionsFingerprint() const
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT COUNT(*), COALESCE(SUM(revision), 0), COALESCE(MAX(updated_at), 0), "
                                   "COALESCE(SUM(length(name)), 0) FROM subscriptions")) ||
        !query.next())
        return QString();
    return QStringLiteral("%1/%2/%3/%4")
        .arg(query.value(0).toLongLong())
        .arg(query.value(1).toLongLong())
        .arg(query.value(2).toLongLong())
        .arg(query.value(3).toLongLong());
}

bool EventRepository::startCounting(int capacity, QString *error)
{
    m_capacity = capacity;
    m_capacityLeft = -1;
    if (capacity == TaskRepository::Unlimited)
        return true;
    const int waiting = TaskRepository(m_db).countWaiting(error);
    if (waiting < 0)
        return false;
    m_capacityLeft = std::max(0, capacity - waiting);
    return true;
}

std::optional<qint64> EventRepository::queueTask(const Target &target, const QJsonValue &payload, const QDateTime &now,
                                                 const QString &detail, QString *error)
{
    if (m_capacityLeft == 0) {
        failWith(error, QStringLiteral("queue is full (%1 tasks waiting)").arg(m_capacity));
        return std::nullopt;
    }
    TaskSpec spec = target.job.taskSpec();
    spec.payload = payload;
    TaskRepository tasks(m_db);
    const auto id = tasks.insert(spec, now, TaskRepository::Unlimited, error);
    if (!id || !tasks.announceEnqueued(*id, now, error))
        return std::nullopt;
    FireRecord fire;
    fire.jobId = target.job.id;
    fire.scheduledAt = now;
    fire.at = now;
    fire.kind = QStringLiteral("event");
    fire.outcome = QStringLiteral("queued");
    fire.taskId = *id;
    fire.detail = detail;
    if (!JobRepository(m_db).recordFire(fire, error))
        return std::nullopt;
    if (m_capacityLeft > 0)
        --m_capacityLeft;
    return id;
}

std::optional<EventRepository::PublishResult> EventRepository::publish(const QString &topic, const QJsonValue &data,
                                                                       const QString &source, const QDateTime &now,
                                                                       int capacity, QString *error, qint64 aboutTaskId)
{
    if (const QString why = Topic::problem(topic); !why.isEmpty()) {
        failWith(error, why);
        return std::nullopt;
    }
    if (!startCounting(capacity, error))
        return std::nullopt;
    SqliteStatement insert(m_db, "INSERT INTO events (topic, payload, published_at, source) VALUES (?, ?, ?, ?)");
    if (!insert.bind(topic)
             .bind(compact(data.isUndefined() ? QJsonValue() : data))
             .bind(now.toMSecsSinceEpoch())
             .bind(source.isEmpty() ? QString() : source)
             .exec(error))
        return std::nullopt;
    PublishResult result;
    result.eventId = insert.lastInsertId();

    if (aboutTaskId > 0 && Topic::isLifecycle(topic)) {
        QSqlQuery cause(m_db);
        cause.prepare(QStringLiteral("SELECT 1 FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.task_id = "
                                     "? AND (e.topic LIKE 'task.%' OR e.topic LIKE 'job.%' OR e.topic LIKE "
                                     "'pipeline.%') LIMIT 1"));
        cause.addBindValue(aboutTaskId);
        if (cause.exec() && cause.next())
            return result; // stored, delivered to nobody: a lifecycle event made that task
    }

    Event event;
    event.id = result.eventId;
    event.topic = topic;
    event.data = data.isUndefined() ? QJsonValue() : data;
    event.publishedAt = now;
    event.source = source;
    QJsonObject envelope;

    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT name, definition, paused FROM subscriptions ORDER BY name"))) {
        failWith(error, query.lastError().text());
        return std::nullopt;
    }
    QList<Subscription> matching;
    while (query.next()) {
        QString why;
        const auto subscription =
            subscriptionFrom(query.value(0).toString(), query.value(1).toString(), query.value(2).toBool(), &why);
        if (subscription && Topic::subscriptionMatches(subscription->pattern, topic) &&
            subscription->accepts(event.data))
            matching.append(*subscription);
    }
    query.finish();

    JobRepository jobs(m_db);
    for (const Subscription &subscription : matching) {
        const auto job = subscription.paused ? std::nullopt : jobs.find(subscription.jobId);
        if (subscription.paused || subscription.isBatched() || !job) {
            // Held: in its batch, behind its pause, or until its job exists again.
            SqliteStatement hold(
                m_db, "INSERT INTO deliveries (event_id, subscription, task_id, added_at) VALUES (?, ?, NULL, ?)");
            if (!hold.bind(result.eventId).bind(subscription.name).bind(now.toMSecsSinceEpoch()).exec(error))
                return std::nullopt;
            result.heldBy.append(subscription.name);
            if (subscription.isBatched() && job) {
                const auto stored = findSubscription(subscription.name, error);
                if (!stored)
                    return std::nullopt;
                if (stored->waiting >= subscription.batchMaxItems) {
                    if (!flushBatch(*stored, subscription.batchMaxItems, now, &result.taskIds, error))
                        return std::nullopt;
                    result.heldBy.removeLast();
                    result.deliveredTo.append(subscription.name);
                }
            }
            continue;
        }
        if (envelope.isEmpty())
            envelope = event.toJson();
        const auto task = queueTask(
            {subscription.name, job->job}, envelope, now,
            QStringLiteral("event %1 (%2) via subscription %3").arg(event.id).arg(topic, subscription.name), error);
        if (!task)
            return std::nullopt;
        SqliteStatement deliver(
            m_db, "INSERT INTO deliveries (event_id, subscription, task_id, added_at) VALUES (?, ?, ?, ?)");
        if (!deliver.bind(result.eventId).bind(subscription.name).bind(*task).bind(now.toMSecsSinceEpoch()).exec(error))
            return std::nullopt;
        result.taskIds.append(*task);
        result.deliveredTo.append(subscription.name);
    }
    return result;
}

bool EventRepository::flushBatch(const StoredSubscription &stored, int maxItems, const QDateTime &now,
                                 QList<qint64> *tasks, QString *error)
{
    const Subscription &subscription = stored.subscription;
    const auto job = JobRepository(m_db).find(subscription.jobId);
    if (!job)
        return true; // held until its job exists again
    QSqlQuery waiting(m_db);
    waiting.setForwardOnly(true);
    waiting.prepare(QStringLiteral("SELECT d.id, e.id, e.topic, e.payload, e.published_at, e.source FROM deliveries d "
                                   "JOIN events e ON e.id = d.event_id WHERE d.subscription = ? AND d.task_id IS NULL "
                                   "ORDER BY d.id LIMIT ?"));
    waiting.addBindValue(subscription.name);
    waiting.addBindValue(maxItems);
    if (!waiting.exec())
        return failWith(error, waiting.lastError().text());
    QJsonArray events;
    QList<qint64> deliveryIds;
    qint64 firstEvent = 0;
    qint64 lastEvent = 0;
    while (waiting.next()) {
        deliveryIds.append(waiting.value(0).toLongLong());
        Event event;
        event.id = waiting.value(1).toLongLong();
        event.topic = waiting.value(2).toString();
        event.data = parseValue(waiting.value(3).toString());
        event.publishedAt = fromMs(waiting.value(4));
        event.source = waiting.value(5).toString();
        events.append(event.toJson());
        firstEvent = firstEvent ? firstEvent : event.id;
        lastEvent = event.id;
    }
    waiting.finish();
    if (deliveryIds.isEmpty())
        return true;
    // Held deliveries of a subscription that does not batch (it was paused) go one by one.
    const bool batched = subscription.isBatched();
    for (qsizetype i = 0; i < (batched ? 1 : deliveryIds.size()); ++i) {
        const QString detail =
            batched ? QStringLiteral("%1 event(s) of subscription %2 as one batch (events %3 to %4)")
                          .arg(deliveryIds.size())
                          .arg(subscription.name)
                          .arg(firstEvent)
                          .arg(lastEvent)
                    : QStringLiteral("event %1 (%2) via subscription %3, held while it was paused")
                          .arg(events.at(i).toObject().value(QStringLiteral("id")).toInteger())
                          .arg(events.at(i).toObject().value(QStringLiteral("topic")).toString(), subscription.name);
        const auto task =
            queueTask({subscription.name, job->job}, batched ? QJsonValue(events) : events.at(i), now, detail, error);
        if (!task)
            return false;
        QSqlQuery mark(m_db);
        if (batched) {
            mark.prepare(QStringLiteral("UPDATE deliveries SET task_id = ? WHERE subscription = ? AND task_id IS NULL "
                                        "AND id <= ?"));
            mark.addBindValue(*task);
            mark.addBindValue(subscription.name);
            mark.addBindValue(deliveryIds.last());
        } else {
            mark.prepare(QStringLiteral("UPDATE deliveries SET task_id = ? WHERE id = ?"));
            mark.addBindValue(*task);
            mark.addBindValue(deliveryIds.at(i));
        }
        if (!mark.exec())
            return failWith(error, mark.lastError().text());
        tasks->append(*task);
    }
    return true;
}

std::optional<QList<qint64>> EventRepository::deliverWaiting(const QDateTime &now, int capacity, QString *error)
{
    if (!startCounting(capacity, error))
        return std::nullopt;
    QList<qint64> tasks;
    QString why;
    const QList<StoredSubscription> list = subscriptions(&why);
    if (!why.isEmpty()) {
        failWith(error, why);
        return std::nullopt;
    }
    for (StoredSubscription stored : list) {
        const Subscription &subscription = stored.subscription;
        if (subscription.paused || stored.waiting == 0)
            continue;
        if (!subscription.isBatched()) {
            if (!flushBatch(stored, stored.waiting, now, &tasks, error))
                return std::nullopt;
            continue;
        }
        // Full batches, then the rest if its first event has waited long enough.
        while (stored.waiting > 0) {
            const bool full = stored.waiting >= subscription.batchMaxItems;
            const bool due = stored.oldestWaitingSince.isValid() &&
                             stored.oldestWaitingSince.addMSecs(subscription.batchMaxWaitMs) <= now;
            if (!full && !due)
                break;
            const qsizetype before = tasks.size();
            if (!flushBatch(stored, subscription.batchMaxItems, now, &tasks, error))
                return std::nullopt;
            if (tasks.size() == before)
                break; // its job is gone: held
            const auto again = findSubscription(subscription.name, error);
            if (!again)
                return std::nullopt;
            stored = *again;
        }
    }
    return tasks;
}

QDateTime EventRepository::nextBatchDue(QString *error) const
{
    QDateTime earliest;
    QString why;
    const QList<StoredSubscription> list = subscriptions(&why);
    if (!why.isEmpty()) {
        failWith(error, why);
        return {};
    }
    JobRepository jobs(m_db);
    for (const StoredSubscription &stored : list) {
        const Subscription &subscription = stored.subscription;
        if (subscription.paused || stored.waiting == 0 || !stored.oldestWaitingSince.isValid() ||
            !jobs.find(subscription.jobId))
            continue;
        const QDateTime due = !subscription.isBatched() || stored.waiting >= subscription.batchMaxItems
                                  ? stored.oldestWaitingSince
                                  : stored.oldestWaitingSince.addMSecs(subscription.batchMaxWaitMs);
        if (!earliest.isValid() || due < earliest)
            earliest = due;
    }
    return earliest;
}

QList<EventRecord> EventRepository::list(const QString &topicPattern, int limit, QString *error) const
{
    QList<EventRecord> records;
    const bool wildcard = topicPattern.contains(QLatin1Char('*')) || topicPattern.contains(QLatin1Char('#'));
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (topicPattern.isEmpty() || wildcard) {
        query.prepare(SelectEvents + QStringLiteral("ORDER BY id DESC"));
    } else {
        query.prepare(SelectEvents + QStringLiteral("WHERE topic = ? ORDER BY id DESC"));
        query.addBindValue(topicPattern);
    }
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return records;
    }
    while (query.next() && (limit <= 0 || records.size() < limit)) {
        EventRecord record;
        record.event = eventFrom(query);
        if (wildcard && !Topic::matches(topicPattern, record.event.topic))
            continue;
        records.append(record);
    }
    query.finish();
    QSqlQuery deliveries(m_db);
    deliveries.prepare(QStringLiteral("SELECT d.subscription, d.task_id, t.state FROM deliveries d LEFT JOIN tasks t "
                                      "ON t.id = d.task_id WHERE d.event_id = ? ORDER BY d.id"));
    for (EventRecord &record : records) {
        deliveries.addBindValue(record.event.id);
        if (!deliveries.exec()) {
            failWith(error, deliveries.lastError().text());
            return records;
        }
        while (deliveries.next())
            record.deliveries.append(
                {deliveries.value(0).toString(), deliveries.value(1).toLongLong(), deliveries.value(2).toString()});
    }
    return records;
}

std::optional<EventRecord> EventRepository::find(qint64 id, QString *error) const
{
    QSqlQuery query(m_db);
    query.prepare(SelectEvents + QStringLiteral("WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return std::nullopt;
    }
    if (!query.next()) {
        failWith(error, QStringLiteral("no event %1").arg(id));
        return std::nullopt;
    }
    EventRecord record;
    record.event = eventFrom(query);
    query.finish();
    QSqlQuery deliveries(m_db);
    deliveries.prepare(QStringLiteral("SELECT d.subscription, d.task_id, t.state FROM deliveries d LEFT JOIN tasks t "
                                      "ON t.id = d.task_id WHERE d.event_id = ? ORDER BY d.id"));
    deliveries.addBindValue(id);
    if (deliveries.exec()) {
        while (deliveries.next())
            record.deliveries.append(
                {deliveries.value(0).toString(), deliveries.value(1).toLongLong(), deliveries.value(2).toString()});
    }
    return record;
}

QList<Event> EventRepository::eventsAfter(qint64 afterId, int limit, QString *error) const
{
    QList<Event> events;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(SelectEvents + QStringLiteral("WHERE id > ? ORDER BY id LIMIT ?"));
    query.addBindValue(afterId);
    query.addBindValue(limit);
    if (!query.exec()) {
        failWith(error, query.lastError().text());
        return events;
    }
    while (query.next())
        events.append(eventFrom(query));
    return events;
}

qint64 EventRepository::lastEventId() const
{
    QSqlQuery query(m_db);
    return query.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM events")) && query.next()
               ? query.value(0).toLongLong()
               : 0;
}

} // namespace Taskdeck::Core

#pragma once

#include "event.h"
#include "subscription.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace Taskdeck::Core {

// The SQL behind events, subscriptions and their deliveries, on a connection the caller owns
// (see TaskRepository). publish() and deliverWaiting() run inside the writer's transaction: the
// event, the tasks that carry it and the engine's notice of them are written together or not
// at all (an outbox), so no event is lost and none is half-delivered.
class EventRepository
{
public:
    explicit EventRepository(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Subscriptions. The job must exist; names are unique.
    bool addSubscription(const Subscription &subscription, const QDateTime &now, QString *error);
    // Replaces the definition (and pause) of the subscription of that name.
    bool updateSubscription(const Subscription &subscription, const QDateTime &now, QString *error);
    // Refuses while events wait for it (they would be lost), unless `dropWaiting`.
    bool removeSubscription(const QString &name, bool dropWaiting, QString *error);
    std::optional<StoredSubscription> findSubscription(const QString &name, QString *error = nullptr) const;
    // By name, with what waits for each.
    QList<StoredSubscription> subscriptions(QString *error = nullptr) const;
    // The names of the subscriptions that deliver to `jobId`.
    QStringList subscriptionsOfJob(const QString &jobId, QString *error = nullptr) const;
    bool setSubscriptionPaused(const QString &name, bool paused, const QDateTime &now, QString *error);
    // Changes whenever a subscription is added, changed or removed.
    QString subscriptionsFingerprint() const;

    struct PublishResult
    {
        qint64 eventId = 0;
        QList<qint64> taskIds;   // tasks queued now (each announced to a running engine)
        QStringList deliveredTo; // subscriptions that got a task now
        QStringList heldBy;      // subscriptions that hold it (a batch, or paused)
    };
    // Stores the event and delivers it to every matching subscription in the same transaction: a
    // task of the subscription's job per event, or into its batch (flushed at once when full).
    // `capacity`: the queue's bound on waiting tasks (TaskRepository::Unlimited: the caller keeps
    // it). `aboutTaskId`: for lifecycle events, the task they tell of; if a lifecycle event made
    // that task, this one is stored but delivered to nobody (they would chase each other forever).
    std::optional<PublishResult> publish(const QString &topic, const QJsonValue &data, const QString &source,
                                         const QDateTime &now, int capacity, QString *error, qint64 aboutTaskId = 0);
    // Delivers what waits and is due at `now`: full batches, batches whose first event waited
    // max_wait, and what a subscription held while paused (now resumed). Returns the new tasks.
    std::optional<QList<qint64>> deliverWaiting(const QDateTime &now, int capacity, QString *error);
    // When the earliest batch falls due (invalid: no batch waits, or only full or paused ones).
    QDateTime nextBatchDue(QString *error = nullptr) const;

    // Newest first, with their deliveries. `topicPattern` empty: every topic. `limit` <= 0: all.
    QList<EventRecord> list(const QString &topicPattern, int limit, QString *error = nullptr) const;
    std::optional<EventRecord> find(qint64 id, QString *error = nullptr) const;
    // Oldest first: what was published after `afterId` (for in-process subscribers).
    QList<Event> eventsAfter(qint64 afterId, int limit, QString *error = nullptr) const;
    qint64 lastEventId() const;

private:
    struct Target;
    bool startCounting(int capacity, QString *error);
    std::optional<qint64> queueTask(const Target &target, const QJsonValue &payload, const QDateTime &now,
                                    const QString &detail, QString *error);
    bool flushBatch(const StoredSubscription &stored, int maxItems, const QDateTime &now, QList<qint64> *tasks,
                    QString *error);

    QSqlDatabase m_db;
    int m_capacity = -1;     // during one publish or delivery: the bound on waiting tasks
    int m_capacityLeft = -1; // ... and how many more may wait; -1: unlimited
};

} // namespace Taskdeck::Core

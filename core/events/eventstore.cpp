#include "eventstore.h"

#include "clock.h"
#include "eventrepository.h"
#include "queue/taskrepository.h"
#include "store/storeaccess.h"

namespace Taskdeck::Core {

EventStore::EventStore(const QString &path, const Clock *clock)
    : m_access(std::make_unique<StoreAccess>(path))
    , m_clock(clock ? clock : &Clock::system())
{}

EventStore::~EventStore() = default;

std::optional<EventStore::Published> EventStore::publish(const QString &topic, const QJsonValue &data,
                                                         const QString &source, QString *error)
{
    const QDateTime now = m_clock->now();
    Published published;
    const bool ok = m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            const auto result =
                EventRepository(db).publish(topic, data, source, now, TaskRepository::DefaultCapacity, why);
            if (!result)
                return false;
            published = {result->eventId, result->taskIds, result->deliveredTo, result->heldBy};
            return true;
        },
        error);
    return ok ? std::optional<Published>(published) : std::nullopt;
}

std::optional<QList<EventRecord>> EventStore::list(const QString &topicPattern, int limit, QString *error)
{
    return m_access->readList<EventRecord>(
        [&](const QSqlDatabase &reader, QString *why) {
            return EventRepository(reader).list(topicPattern, limit, why);
        },
        error);
}

std::optional<EventRecord> EventStore::find(qint64 id, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = QStringLiteral("no event %1").arg(id);
        return std::nullopt;
    }
    const QSqlDatabase reader = m_access->reader(error);
    if (!reader.isValid())
        return std::nullopt;
    return EventRepository(reader).find(id, error);
}

bool EventStore::addSubscription(const Subscription &subscription, QString *error)
{
    if (!subscription.validate(error))
        return false;
    const QDateTime now = m_clock->now();
    return m_access->write([&](QSqlDatabase &db, QVariant *,
                               QString *why) { return EventRepository(db).addSubscription(subscription, now, why); },
                           error);
}

bool EventStore::updateSubscription(const Subscription &subscription, QString *error)
{
    if (!subscription.validate(error))
        return false;
    const QDateTime now = m_clock->now();
    return m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            EventRepository events(db);
            return events.updateSubscription(subscription, now, why) &&
                   events.deliverWaiting(now, TaskRepository::DefaultCapacity, why).has_value();
        },
        error);
}

bool EventStore::removeSubscription(const QString &name, bool dropWaiting, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = QStringLiteral("no subscription '%1'").arg(name);
        return false;
    }
    return m_access->write([&](QSqlDatabase &db, QVariant *,
                               QString *why) { return EventRepository(db).removeSubscription(name, dropWaiting, why); },
                           error);
}

std::optional<StoredSubscription> EventStore::findSubscription(const QString &name, QString *error)
{
    const auto list = subscriptions(error);
    if (!list)
        return std::nullopt;
    for (const StoredSubscription &stored : *list) {
        if (stored.subscription.name == name)
            return stored;
    }
    if (error)
        *error = QStringLiteral("no subscription '%1'").arg(name);
    return std::nullopt;
}

std::optional<QList<StoredSubscription>> EventStore::subscriptions(QString *error)
{
    return m_access->readList<StoredSubscription>(
        [&](const QSqlDatabase &reader, QString *why) { return EventRepository(reader).subscriptions(why); }, error);
}

bool EventStore::setSubscriptionPaused(const QString &name, bool paused, QString *error)
{
    if (!m_access->exists()) {
        if (error)
            *error = QStringLiteral("no subscription '%1'").arg(name);
        return false;
    }
    const QDateTime now = m_clock->now();
    return m_access->write(
        [&](QSqlDatabase &db, QVariant *, QString *why) {
            EventRepository events(db);
            if (!events.setSubscriptionPaused(name, paused, now, why))
                return false;
            return paused || events.deliverWaiting(now, TaskRepository::DefaultCapacity, why).has_value();
        },
        error);
}

} // namespace Taskdeck::Core

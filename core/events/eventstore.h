#pragma once

#include "event.h"
#include "subscription.h"

#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Taskdeck::Core {

class Clock;
class StoreAccess;

// Events and subscriptions in one database file, for callers outside the engine (the command
// line, the GUI's readers); like JobStore, every write is committed before it returns and a
// running engine hears of it. Use one per thread; never on the GUI thread.
class EventStore final
{
    Q_DISABLE_COPY_MOVE(EventStore)

public:
    explicit EventStore(const QString &path, const Clock *clock = nullptr);
    ~EventStore();

    struct Published
    {
        qint64 eventId = 0;
        QList<qint64> taskIds;
        QStringList deliveredTo;
        QStringList heldBy;
    };
    // Stores the event and queues its deliveries in one write; nothing is written on failure
    // (a bad topic, a full queue).
    std::optional<Published> publish(const QString &topic, const QJsonValue &data, const QString &source,
                                     QString *error);
    // Newest first; `topicPattern` may use wildcards; `limit` <= 0: all.
    std::optional<QList<EventRecord>> list(const QString &topicPattern, int limit, QString *error);
    std::optional<EventRecord> find(qint64 id, QString *error);

    // The job must exist.
    bool addSubscription(const Subscription &subscription, QString *error);
    bool updateSubscription(const Subscription &subscription, QString *error);
    bool removeSubscription(const QString &name, bool dropWaiting, QString *error);
    std::optional<StoredSubscription> findSubscription(const QString &name, QString *error);
    std::optional<QList<StoredSubscription>> subscriptions(QString *error);
    // Resuming delivers at once what the subscription held while paused (and batches now due).
    bool setSubscriptionPaused(const QString &name, bool paused, QString *error);

private:
    std::unique_ptr<StoreAccess> m_access;
    const Clock *m_clock;
};

} // namespace Taskdeck::Core

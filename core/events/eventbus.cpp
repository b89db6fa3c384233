#include "eventbus.h"

#include "clock.h"
#include "eventrepository.h"
#include "isotime.h"
#include "queue/taskengine.h"
#include "queue/taskrepository.h"
#include "scheduler/scheduler.h"
#include "store/database.h"
#include "store/storewriter.h"
#include "topic.h"

#include <QLoggingCategory>
#include <QMetaMethod>
#include <QMutex>
#include <QSqlDatabase>
#include <QThreadPool>
#include <QTimeZone>
#include <QTimer>

#include <atomic>

Q_LOGGING_CATEGORY(lcEvents, "taskdeck.core.events", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

constexpr qint64 MaxTimerMs = 60 * 1000; // with an injected clock: look at it at least this often
constexpr int EventsReadAtOnce = 1000;

// Whether a subscription to `pattern` may receive one of core's lifecycle topics (see
// Topic::subscriptionMatches).
bool mayMatchLifecycle(const QString &pattern)
{
    const QStringView first = QStringView(pattern).left(
        pattern.indexOf(QLatin1Char('.')) < 0 ? pattern.size() : pattern.indexOf(QLatin1Char('.')));
    return first == QLatin1String("task") || first == QLatin1String("job") || first == QLatin1String("pipeline");
}

} // namespace

// What workers and the writer's completions need of the bus, safe after it is gone.
struct EventBus::Shared
{
    StoreWriter *writer = nullptr;
    const Clock *clock = nullptr;
    int capacity = TaskRepository::DefaultCapacity;
    QMutex mutex;
    EventBus *bus = nullptr; // cleared by the bus's destructor, under the mutex
    // Publications written or being written whose news has not reached the bus's thread yet
    // (isSettled() is false while there are any).
    std::atomic<int> inFlight{0};

    // Tells the bus (in its thread) that an event is committed. Counted in inFlight by the caller.
    void notify(const Event &event, bool tasksQueued, bool held, Done done)
    {
        QMutexLocker locker(&mutex);
        if (!bus) {
            --inFlight;
            return;
        }
        EventBus *target = bus;
        QMetaObject::invokeMethod(
            target,
            [target, event, tasksQueued, held, done = std::move(done)] {
                target->committed(event, tasksQueued, held);
                if (done)
                    done(event.id, QString());
                target->settleOne();
            },
            Qt::QueuedConnection);
    }
    void notifyFailure(const QString &error, Done done)
    {
        QMutexLocker locker(&mutex);
        if (!bus) {
            --inFlight;
            return;
        }
        EventBus *target = bus;
        QMetaObject::invokeMethod(
            target,
            [target, error, done = std::move(done)] {
                if (done)
                    done(0, error);
                target->settleOne();
            },
            Qt::QueuedConnection);
    }
};

EventBus::EventBus(StoreWriter *writer, TaskEngine *engine, const Clock *clock, Options options, QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_engine(engine)
    , m_clock(clock ? clock : &Clock::system())
    , m_options(options)
    , m_shared(std::make_shared<Shared>())
    , m_timer(new QTimer(this))
{
    qRegisterMetaType<Event>();
    m_shared->writer = writer;
    m_shared->clock = m_clock;
    m_shared->capacity = options.capacity;
    m_shared->bus = this;
    static std::atomic<int> serial{0};
    m_readerName = QStringLiteral("taskdeck-events-reader-%1").arg(++serial);
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &EventBus::wake);
    if (m_engine)
        connect(m_engine, &TaskEngine::lifecycle, this, &EventBus::onLifecycle);
}

EventBus::~EventBus()
{
    {
        QMutexLocker locker(&m_shared->mutex);
        m_shared->bus = nullptr;
    }
    Database::close(m_readerName);
}

bool EventBus::start(QString *error)
{
    const QSqlDatabase reader = Database::open(m_writer->path(), m_readerName, Database::Access::ReadOnly, error);
    if (!reader.isValid())
        return false;
    m_started = true;
    m_cursor = EventRepository(reader).lastEventId();
    reloadSubscriptions();
    deliverDue();
    return true;
}

void EventBus::attachLifecycle(Scheduler *scheduler)
{
    if (!scheduler)
        return;
    connect(scheduler, &Scheduler::fired, this,
            [this](const QString &jobId, const QDateTime &scheduledAt, const QString &kind, const QString &outcome,
                   qint64 taskId) {
                const QString topic = outcome == QLatin1String("queued")    ? QStringLiteral("job.fired")
                                      : outcome == QLatin1String("skipped") ? QStringLiteral("job.skipped")
                                                                            : QStringLiteral("job.missed");
                QJsonObject data{{QStringLiteral("job"), jobId},
                                 {QStringLiteral("scheduled_at"), IsoTime::format(scheduledAt)},
                                 {QStringLiteral("kind"), kind}};
                data.insert(QStringLiteral("task"), taskId > 0 ? QJsonValue(taskId) : QJsonValue());
                onLifecycle(topic, data, taskId);
            });
}

void EventBus::connectNotify(const QMetaMethod &signal)
{
    if (signal == QMetaMethod::fromSignal(&EventBus::published) && !m_listened) {
        m_listened = true;
        // connectNotify may run in the connecting thread: the engine is told in the bus's.
        QMetaObject::invokeMethod(this, &EventBus::updateLifecycleReporting, Qt::QueuedConnection);
    }
}

bool EventBus::hasListeners() const
{
    return m_listened || !m_handlers.isEmpty();
}

void EventBus::updateLifecycleReporting()
{
    if (!m_engine)
        return;
    bool subscribed = false;
    for (const QString &pattern : m_patterns)
        subscribed = subscribed || mayMatchLifecycle(pattern);
    m_engine->setLifecycleReporting(subscribed || hasListeners());
}

void EventBus::addHandler(const QString &pattern, std::function<void(const Event &)> handler)
{
    m_handlers.append({pattern, std::move(handler)});
    updateLifecycleReporting();
}

void EventBus::reloadSubscriptions()
{
    const QSqlDatabase reader = QSqlDatabase::database(m_readerName, false);
    EventRepository events(reader);
    const QString fingerprint = events.subscriptionsFingerprint();
    if (fingerprint == m_fingerprint && !fingerprint.isEmpty())
        return;
    m_fingerprint = fingerprint;
    QString error;
    const QList<StoredSubscription> list = events.subscriptions(&error);
    if (!error.isEmpty())
        qCWarning(lcEvents, "cannot read the subscriptions: %s", qPrintable(error));
    m_patterns.clear();
    for (const StoredSubscription &stored : list)
        m_patterns.append(stored.subscription.pattern);
    m_wantedTopics.clear();
    updateLifecycleReporting();
}

bool EventBus::wantsDurably(const QString &topic)
{
    const auto it = m_wantedTopics.constFind(topic);
    if (it != m_wantedTopics.cend())
        return *it;
    bool wanted = false;
    for (const QString &pattern : m_patterns)
        wanted = wanted || Topic::subscriptionMatches(pattern, topic);
    m_wantedTopics.insert(topic, wanted);
    return wanted;
}

bool EventBus::publish(const QString &topic, const QJsonValue &data, const QString &source, QString *error, Done done)
{
    if (const QString why = Topic::problem(topic); !why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    publishDurably(topic, data, source, 0, std::move(done));
    return true;
}

void EventBus::publishDurably(const QString &topic, const QJsonValue &data, const QString &source, qint64 aboutTaskId,
                              Done done)
{
    const std::shared_ptr<Shared> shared = m_shared;
    const QDateTime now = m_clock->now();
    auto result = std::make_shared<EventRepository::PublishResult>();
    ++shared->inFlight;
    m_writer->post(
        [topic, data, source, now, aboutTaskId, result, capacity = shared->capacity](QSqlDatabase &db, QVariant *,
                                                                                     QString *why) {
            const auto published = EventRepository(db).publish(topic, data, source, now, capacity, why, aboutTaskId);
            if (!published)
                return false;
            *result = *published;
            return true;
        },
        [shared, topic, data, source, now, result, done = std::move(done)](const StoreWriter::Result &written) mutable {
            if (!written.ok) {
                qCWarning(lcEvents, "event %s was not published: %s", qPrintable(topic), qPrintable(written.error));
                shared->notifyFailure(written.error, std::move(done));
                return;
            }
            Event event;
            event.id = result->eventId;
            event.topic = topic;
            event.data = data;
            event.publishedAt = now;
            event.source = source;
            shared->notify(event, !result->taskIds.isEmpty(), !result->heldBy.isEmpty(), std::move(done));
        });
}

EventBus::Publisher EventBus::publisher() const
{
    return [shared = m_shared](const QString &topic, const QJsonValue &data, const QString &source,
                               QString *error) -> std::optional<qint64> {
        const QDateTime now = shared->clock->now();
        EventRepository::PublishResult result;
        const StoreWriter::Result written = shared->writer->run([&](QSqlDatabase &db, QVariant *, QString *why) {
            const auto published = EventRepository(db).publish(topic, data, source, now, shared->capacity, why);
            if (!published)
                return false;
            result = *published;
            return true;
        });
        if (!written.ok) {
            if (error)
                *error = written.error;
            return std::nullopt;
        }
        Event event;
        event.id = result.eventId;
        event.topic = topic;
        event.data = data;
        event.publishedAt = now;
        event.source = source;
        // Counted before the worker returns, so that the engine is not seen idle (and a
        // `serve --until-idle` stopped) before the tasks this event queued reached it.
        ++shared->inFlight;
        shared->notify(event, !result.taskIds.isEmpty(), !result.heldBy.isEmpty(), {});
        return result.eventId;
    };
}

void EventBus::committed(const Event &event, bool tasksQueued, bool held)
{
    if (tasksQueued && m_engine)
        m_engine->checkRequests(); // the tasks were announced in the same transaction
    if (held)
        deliverDue();
    if (event.id > m_cursor)
        m_ownIds.insert(event.id);
    emitEvent(event);
}

void EventBus::emitEvent(const Event &event)
{
    Q_EMIT published(event);
    for (const Handler &handler : std::as_const(m_handlers)) {
        if (Topic::matches(handler.pattern, event.topic))
            QThreadPool::globalInstance()->start([run = handler.run, event] { run(event); });
    }
}

void EventBus::onLifecycle(const QString &topic, const QJsonObject &data, qint64 aboutTaskId)
{
    if (m_started && wantsDurably(topic)) {
        publishDurably(topic, data, QStringLiteral("core"), aboutTaskId, {});
        return;
    }
    if (!hasListeners())
        return;
    Event event;
    event.topic = topic;
    event.data = data;
    event.publishedAt = m_clock->now();
    event.source = QStringLiteral("core");
    emitEvent(event);
}

void EventBus::checkChanges()
{
    if (!m_started)
        return;
    reloadSubscriptions();
    if (hasListeners())
        readOthersEvents();
    deliverDue();
}

void EventBus::readOthersEvents()
{
    const QSqlDatabase reader = QSqlDatabase::database(m_readerName, false);
    QString error;
    for (;;) {
        const QList<Event> events = EventRepository(reader).eventsAfter(m_cursor, EventsReadAtOnce, &error);
        if (!error.isEmpty()) {
            qCWarning(lcEvents, "cannot read new events: %s", qPrintable(error));
            return;
        }
        for (const Event &event : events) {
            m_cursor = event.id;
            if (!m_ownIds.remove(event.id))
                emitEvent(event);
        }
        if (events.size() < EventsReadAtOnce)
            break;
    }
    // Ours that a reader has not seen yet stay; older ones are gone for good.
    for (auto it = m_ownIds.begin(); it != m_ownIds.end();) {
        if (*it <= m_cursor)
            it = m_ownIds.erase(it);
        else
            ++it;
    }
}

void EventBus::wake()
{
    deliverDue();
}

void EventBus::deliverDue()
{
    if (!m_started || m_deliveryPending)
        return;
    QString error;
    m_nextBatchDue = EventRepository(QSqlDatabase::database(m_readerName, false)).nextBatchDue(&error);
    if (!error.isEmpty())
        qCWarning(lcEvents, "cannot read the batches: %s", qPrintable(error));
    const QDateTime now = m_clock->now();
    if (!m_nextBatchDue.isValid() || m_nextBatchDue > now) {
        armTimer();
        return;
    }
    m_deliveryPending = true;
    const std::shared_ptr<Shared> shared = m_shared;
    auto tasks = std::make_shared<int>(0);
    m_writer->post(
        [now, tasks, capacity = m_options.capacity](QSqlDatabase &db, QVariant *, QString *why) {
            const auto queued = EventRepository(db).deliverWaiting(now, capacity, why);
            if (!queued)
                return false;
            *tasks = int(queued->size());
            return true;
        },
        [shared, tasks](const StoreWriter::Result &written) {
            if (!written.ok)
                qCWarning(lcEvents, "waiting events were not delivered: %s", qPrintable(written.error));
            QMutexLocker locker(&shared->mutex);
            if (!shared->bus)
                return;
            EventBus *bus = shared->bus;
            const bool ok = written.ok;
            QMetaObject::invokeMethod(
                bus,
                [bus, ok, count = *tasks] {
                    bus->m_deliveryPending = false;
                    if (count > 0 && bus->m_engine)
                        bus->m_engine->checkRequests();
                    if (ok)
                        bus->deliverDue();
                    else
                        bus->m_timer->start(1000); // a full disk, say: try again in a while
                    if (bus->isSettled())
                        Q_EMIT bus->settled();
                },
                Qt::QueuedConnection);
        });
}

bool EventBus::isSettled() const
{
    return m_shared->inFlight.load() == 0 && !m_deliveryPending;
}

void EventBus::settleOne()
{
    if (--m_shared->inFlight == 0 && isSettled())
        Q_EMIT settled();
}

void EventBus::armTimer()
{
    if (!m_nextBatchDue.isValid()) {
        m_timer->stop();
        return;
    }
    const qint64 delay = std::clamp<qint64>(m_clock->now().msecsTo(m_nextBatchDue), 0, MaxTimerMs);
    m_timer->start(int(delay));
}

} // namespace Taskdeck::Core

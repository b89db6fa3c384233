#pragma once

#include "event.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace Taskdeck::Core {

class Clock;
class Scheduler;
class StoreWriter;
class TaskEngine;

// The event bus of one database, next to its engine (in the engine's thread).
//
// publish() stores an event and, in the same transaction, a task for each matching subscription
// (or a place in its batch): no event is lost and none is half-delivered (see EventRepository).
// The tasks reach this process's engine at once; another process's engine hears of them through
// the database's change file. Batches are flushed when full, at once, or by one timer armed for the
// earliest batch's max_wait, durable across restarts.
//
// Core's own lifecycle events (task.*, job.*, pipeline.*) are stored and delivered only when a
// subscription asks for them; in-process listeners hear every one (then with id 0 when not stored).
//
// In-process subscribers: connect to published() (or listen(pattern, ...)) with a queued
// connection, or addHandler(pattern, ...) to run a function on the global thread pool. They hear
// what this process publishes and, when the change file knocks, what other processes published.
// They are not durable: a reaction that must survive a crash is a subscription to a job.
class EventBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventBus)

public:
    struct Options
    {
        int capacity = 100000; // the engine's bound on waiting tasks
    };

    EventBus(StoreWriter *writer, TaskEngine *engine, const Clock *clock, Options options, QObject *parent = nullptr);
    ~EventBus() override;

    // Reads the subscriptions, delivers what is due (batches whose time passed while nothing
    // ran, what a subscription held while paused) and arms the batch timer.
    bool start(QString *error);
    // Listens to the engine's and the scheduler's news (task.*, job.*).
    void attachLifecycle(Scheduler *scheduler);

    // From any thread; never blocks. `done` runs in the bus's thread once the event is committed:
    // with its id, or 0 and why it was not (nothing was written then). False (and nothing
    // written) on a bad topic.
    using Done = std::function<void(qint64 eventId, const QString &error)>;
    bool publish(const QString &topic, const QJsonValue &data, const QString &source, QString *error, Done done = {});
    // A publisher for worker threads (the publish action, pipelines): commits before it returns,
    // and stays safe to call after the bus is gone (it then only writes). Never the GUI thread.
    using Publisher = std::function<std::optional<qint64>(const QString &topic, const QJsonValue &data,
                                                          const QString &source, QString *error)>;
    Publisher publisher() const;

    // Another process changed the database: subscriptions, new events, batches.
    void checkChanges();
    // Looks at the clock again (the timer does; tests after moving a ManualClock).
    void wake();
    QDateTime nextBatchDue() const { return m_nextBatchDue; }
    // Nothing published is still on its way: every event written has reached the engine (its
    // tasks are known there) and no delivery of waiting events is being written.
    bool isSettled() const;

    // Runs `handler` on the global thread pool for each event whose topic matches `pattern`.
    void addHandler(const QString &pattern, std::function<void(const Event &)> handler);

Q_SIGNALS:
    // Every event this process published, or read from the store after another process did.
    void published(const Taskdeck::Core::Event &event);
    // isSettled() turned true.
    void settled();

protected:
    void connectNotify(const QMetaMethod &signal) override;

private:
    struct Shared;
    void reloadSubscriptions();
    bool wantsDurably(const QString &topic);
    void onLifecycle(const QString &topic, const QJsonObject &data, qint64 aboutTaskId);
    void publishDurably(const QString &topic, const QJsonValue &data, const QString &source, qint64 aboutTaskId,
                        Done done);
    void committed(const Event &event, bool tasksQueued, bool held);
    void settleOne();
    void emitEvent(const Event &event);
    void readOthersEvents();
    void deliverDue();
    void armTimer();
    bool hasListeners() const;
    void updateLifecycleReporting();

    StoreWriter *m_writer;
    TaskEngine *m_engine;
    const Clock *m_clock;
    Options m_options;
    std::shared_ptr<Shared> m_shared;
    QString m_readerName;
    QTimer *m_timer;
    QDateTime m_nextBatchDue;
    QString m_fingerprint;
    QStringList m_patterns;              // of every subscription (paused ones hold what they match)
    QHash<QString, bool> m_wantedTopics; // lifecycle topic -> some subscription matches it
    struct Handler
    {
        QString pattern;
        std::function<void(const Event &)> run;
    };
    QList<Handler> m_handlers;
    qint64 m_cursor = 0;     // the newest event this process has heard of
    QSet<qint64> m_ownIds;   // ours, published after the cursor: not to be heard twice
    bool m_listened = false; // someone connected to published()
    bool m_started = false;
    bool m_deliveryPending = false;
};

} // namespace Taskdeck::Core

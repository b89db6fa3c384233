#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Taskdeck::Core {

// Something that happened: a topic and a JSON payload, stored before anyone hears of it.
struct Event
{
    qint64 id = 0;
    QString topic;
    QJsonValue data; // any JSON; null when none
    QDateTime publishedAt;
    QString source; // who published it: "cli", "job:ID", "task:ID", "watch:JOB", "core"

    // What a subscriber's task receives as its payload, and `events list --json` prints:
    // {"id": 42, "topic": "...", "published_at": "...", "data": ..., "source": "..."}.
    QJsonObject toJson() const;
};

// An event as `events list` shows it: with what became of it for each subscription.
struct EventRecord
{
    Event event;
    struct Delivery
    {
        QString subscription;
        qint64 taskId = 0; // 0: waiting (in a batch, or its subscription is paused)
        QString taskState; // the task's state when read; empty when it was purged
    };
    QList<Delivery> deliveries;

    QJsonObject toJson() const;
};

} // namespace Taskdeck::Core

Q_DECLARE_METATYPE(Taskdeck::Core::Event)

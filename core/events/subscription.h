#pragma once

#include "event.h"

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace Taskdeck::Core {

// A subscription: events whose topic matches `pattern` (and whose data passes the filter) run
// `jobId`'s action with the event as the task's payload. Batched, it collects events and delivers
// them as one task carrying an array, once `batchMaxItems` wait or `batchMaxWaitMs` passed since
// the first, whichever comes first. Paused, it holds what arrives (nothing is dropped) and
// delivers it when resumed.
//
// Its JSON, the same in a jobs file and in `sub list --json`:
//   {"name": "process-datasets", "topic": "dataset.#", "job": "dataset-pipeline",
//    "filter": {"field": "format", "value": "csv"}, "batch": {"max_items": 100, "max_wait_ms": 5000},
//    "paused": false}
struct Subscription
{
    QString name;    // a slug, as job ids are
    QString pattern; // see Topic
    QString jobId;
    QString filterField;    // a dotted path into the event's data ("file.kind", "items.0"); empty: none
    QJsonValue filterValue; // the value it must have
    int batchMaxItems = 0;  // 0: not batched (each event is a task of its own)
    qint64 batchMaxWaitMs = 0;
    bool paused = false;

    static constexpr int DefaultBatchMaxItems = 1000;
    static constexpr qint64 DefaultBatchMaxWaitMs = 60000;

    bool isBatched() const { return batchMaxItems > 0; }
    // Whether the event's data passes the filter: the field's value equals the filter's, as JSON,
    // or as text when both are scalars ("10" matches 10, "true" matches true).
    bool accepts(const QJsonValue &data) const;

    // Every field checked, the error naming it; whether the job exists is the store's check.
    bool validate(QString *error) const;
    QJsonObject toJson() const;
    // Unknown fields and wrong types are refused, naming them; `check`: also validate().
    static std::optional<Subscription> fromJson(const QJsonObject &object, QString *error, bool check = true);
};

// A subscription as stored, with what waits for it.
struct StoredSubscription
{
    Subscription subscription;
    int revision = 0;
    QDateTime createdAt;
    QDateTime updatedAt;
    int waiting = 0;      // events held: in its batch, or while it is paused
    qint64 delivered = 0; // events delivered as tasks
    QDateTime oldestWaitingSince;
};

// The value at a dotted path in JSON ("a.b.0.c"); undefined when there is none.
QJsonValue jsonAtPath(const QJsonValue &root, const QString &path);

} // namespace Taskdeck::Core

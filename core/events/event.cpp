#include "event.h"

#include "isotime.h"

#include <QJsonArray>
#include <QTimeZone>

namespace Taskdeck::Core {

QJsonObject Event::toJson() const
{
    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("topic"), topic},
        {QStringLiteral("published_at"), IsoTime::format(publishedAt.toTimeZone(QTimeZone::utc()))},
        {QStringLiteral("data"), data.isUndefined() ? QJsonValue() : data},
    };
    if (!source.isEmpty())
        object.insert(QStringLiteral("source"), source);
    return object;
}

QJsonObject EventRecord::toJson() const
{
    QJsonObject object = event.toJson();
    QJsonArray list;
    for (const Delivery &delivery : deliveries) {
        QJsonObject entry{{QStringLiteral("subscription"), delivery.subscription}};
        entry.insert(QStringLiteral("task"), delivery.taskId > 0 ? QJsonValue(delivery.taskId) : QJsonValue());
        entry.insert(QStringLiteral("task_state"), delivery.taskId > 0 && !delivery.taskState.isEmpty()
                                                       ? QJsonValue(delivery.taskState)
                                                       : QJsonValue());
        list.append(entry);
    }
    object.insert(QStringLiteral("deliveries"), list);
    return object;
}

} // namespace Taskdeck::Core

#include "subscription.h"

#include "topic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

namespace Taskdeck::Core {

namespace {

const QStringList SubscriptionFields{QStringLiteral("name"),   QStringLiteral("topic"), QStringLiteral("job"),
                                     QStringLiteral("filter"), QStringLiteral("batch"), QStringLiteral("paused")};

bool failWith(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

QString scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (number == std::floor(number) && std::abs(number) < 1e15)
            return QString::number(qint64(number));
        return QString::number(number, 'g', 17);
    }
    case QJsonValue::Null:
        return QStringLiteral("null");
    default:
        return {};
    }
}

bool isScalar(const QJsonValue &value)
{
    return value.isString() || value.isBool() || value.isDouble() || value.isNull();
}

} // namespace

QJsonValue jsonAtPath(const QJsonValue &root, const QString &path)
{
    QJsonValue value = root;
    for (const QStringView segment : QStringView(path).split(QLatin1Char('.'))) {
        if (value.isObject()) {
            value = value.toObject().value(segment);
        } else if (value.isArray()) {
            bool ok = false;
            const int index = segment.toInt(&ok);
            const QJsonArray array = value.toArray();
            if (!ok || index < 0 || index >= array.size())
                return QJsonValue(QJsonValue::Undefined);
            value = array.at(index);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
        if (value.isUndefined())
            return value;
    }
    return value;
}

bool Subscription::accepts(const QJsonValue &data) const
{
    if (filterField.isEmpty())
        return true;
    const QJsonValue value = jsonAtPath(data, filterField);
    if (value.isUndefined())
        return false;
    if (value == filterValue)
        return true;
    return isScalar(value) && isScalar(filterValue) && scalarText(value) == scalarText(filterValue);
}

bool Subscription::validate(QString *error) const
{
    static const QRegularExpression slug(QStringLiteral("^[a-z0-9][a-z0-9._-]{0,63}$"));
    if (!slug.match(name).hasMatch())
        return failWith(error, QStringLiteral("name: '%1' is not a subscription name (lower-case letters, digits, "
                                              "'-', '_' and '.', starting with a letter or digit; up to 64)")
                                   .arg(name));
    if (const QString why = Topic::patternProblem(pattern); !why.isEmpty())
        return failWith(error, QStringLiteral("topic: ") + why);
    if (!slug.match(jobId).hasMatch())
        return failWith(error, QStringLiteral("job: '%1' is not a job id").arg(jobId));
    if (!filterField.isEmpty()) {
        static const QRegularExpression path(QStringLiteral("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$"));
        if (!path.match(filterField).hasMatch() || filterField.size() > 200)
            return failWith(error, QStringLiteral("filter: field '%1' is not a dotted path into the event's data "
                                                  "(such as file.kind or items.0)")
                                       .arg(filterField));
        if (filterValue.isUndefined())
            return failWith(error, QStringLiteral("filter: the value is missing"));
    }
    if (batchMaxItems < 0 || batchMaxItems > 100000)
        return failWith(error, QStringLiteral("batch: max_items: %1 is out of range 1 to 100000").arg(batchMaxItems));
    if (batchMaxWaitMs < 0 || batchMaxWaitMs > 7LL * 86400 * 1000)
        return failWith(error,
                        QStringLiteral("batch: max_wait_ms: %1 is out of range 0 to 604800000").arg(batchMaxWaitMs));
    if (batchMaxWaitMs > 0 && batchMaxItems == 0)
        return failWith(error, QStringLiteral("batch: max_wait_ms without max_items"));
    return true;
}

QJsonObject Subscription::toJson() const
{
    QJsonObject object{
        {QStringLiteral("name"), name},
        {QStringLiteral("topic"), pattern},
        {QStringLiteral("job"), jobId},
        {QStringLiteral("paused"), paused},
    };
    if (!filterField.isEmpty())
        object.insert(QStringLiteral("filter"),
                      QJsonObject{{QStringLiteral("field"), filterField}, {QStringLiteral("value"), filterValue}});
    if (isBatched())
        object.insert(QStringLiteral("batch"), QJsonObject{{QStringLiteral("max_items"), batchMaxItems},
                                                           {QStringLiteral("max_wait_ms"), double(batchMaxWaitMs)}});
    return object;
}

std::optional<Subscription> Subscription::fromJson(const QJsonObject &object, QString *error, bool check)
{
    const auto fail = [error](const QString &why) {
        failWith(error, why);
        return std::nullopt;
    };
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!SubscriptionFields.contains(it.key()))
            return fail(QStringLiteral("%1: not a field here (known: %2)")
                            .arg(it.key(), SubscriptionFields.join(QStringLiteral(", "))));
    }
    Subscription subscription;
    for (const char *key : {"name", "topic", "job"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (!value.isString())
            return fail(QStringLiteral("%1: %2").arg(QLatin1String(key), value.isUndefined()
                                                                             ? QStringLiteral("missing")
                                                                             : QStringLiteral("expected a string")));
    }
    subscription.name = object.value(QStringLiteral("name")).toString();
    subscription.pattern = object.value(QStringLiteral("topic")).toString();
    subscription.jobId = object.value(QStringLiteral("job")).toString();
    if (const QJsonValue filter = object.value(QStringLiteral("filter")); !filter.isUndefined() && !filter.isNull()) {
        if (!filter.isObject())
            return fail(QStringLiteral("filter: expected {\"field\": \"...\", \"value\": ...}"));
        const QJsonObject f = filter.toObject();
        for (auto it = f.begin(); it != f.end(); ++it) {
            if (it.key() != QLatin1String("field") && it.key() != QLatin1String("value"))
                return fail(QStringLiteral("filter.%1: not a field here (known: field, value)").arg(it.key()));
        }
        if (!f.value(QStringLiteral("field")).isString())
            return fail(QStringLiteral("filter.field: expected a string"));
        if (!f.contains(QStringLiteral("value")))
            return fail(QStringLiteral("filter.value: missing"));
        subscription.filterField = f.value(QStringLiteral("field")).toString();
        subscription.filterValue = f.value(QStringLiteral("value"));
        if (subscription.filterField.isEmpty())
            return fail(QStringLiteral("filter.field: empty"));
    }
    if (const QJsonValue batch = object.value(QStringLiteral("batch")); !batch.isUndefined() && !batch.isNull()) {
        if (!batch.isObject())
            return fail(QStringLiteral("batch: expected {\"max_items\": N, \"max_wait_ms\": MS}"));
        const QJsonObject b = batch.toObject();
        for (auto it = b.begin(); it != b.end(); ++it) {
            if (it.key() != QLatin1String("max_items") && it.key() != QLatin1String("max_wait_ms"))
                return fail(QStringLiteral("batch.%1: not a field here (known: max_items, max_wait_ms)").arg(it.key()));
        }
        const auto whole = [&](const char *key, qint64 fallback, qint64 min, qint64 max,
                               qint64 *out) -> std::optional<QString> {
            const QJsonValue value = b.value(QLatin1String(key));
            if (value.isUndefined() || value.isNull()) {
                *out = fallback;
                return std::nullopt;
            }
            const double number = value.toDouble(std::nan(""));
            if (!value.isDouble() || number != std::floor(number) || number < double(min) || number > double(max))
                return QStringLiteral("batch.%1: expected a whole number from %2 to %3")
                    .arg(QLatin1String(key))
                    .arg(min)
                    .arg(max);
            *out = qint64(number);
            return std::nullopt;
        };
        qint64 maxItems = 0;
        qint64 maxWait = 0;
        if (const auto why = whole("max_items", DefaultBatchMaxItems, 1, 100000, &maxItems))
            return fail(*why);
        if (const auto why = whole("max_wait_ms", DefaultBatchMaxWaitMs, 1, 7LL * 86400 * 1000, &maxWait))
            return fail(*why);
        subscription.batchMaxItems = int(maxItems);
        subscription.batchMaxWaitMs = maxWait;
    }
    if (const QJsonValue paused = object.value(QStringLiteral("paused")); !paused.isUndefined() && !paused.isNull()) {
        if (!paused.isBool())
            return fail(QStringLiteral("paused: expected true or false"));
        subscription.paused = paused.toBool();
    }
    QString why;
    if (check && !subscription.validate(&why))
        return fail(why);
    return subscription;
}

} // namespace Taskdeck::Core

#include "builtinhandlers.h"

#include "handlerregistry.h"

#include <QDeadlineTimer>
#include <QJsonObject>
#include <QThread>

namespace Taskdeck::Core {

void registerBuiltinHandlers(HandlerRegistry &registry)
{
    registry.add(QStringLiteral("noop"), [](TaskContext &) { return QString(); });
    registry.add(QStringLiteral("fail"), [](TaskContext &context) {
        const QString error = context.payload().toObject().value(QStringLiteral("error")).toString();
        return error.isEmpty() ? QStringLiteral("failed on purpose") : error;
    });
    registry.add(QStringLiteral("sleep"), [](TaskContext &context) {
        const QJsonObject payload = context.payload().toObject();
        const qint64 total = qint64(payload.value(QStringLiteral("ms")).toDouble(1000));
        // How often it reports progress (and looks for a cancel): every 10 ms unless told.
        const qint64 step = std::clamp<qint64>(qint64(payload.value(QStringLiteral("every_ms")).toDouble(10)), 1, 1000);
        const QDeadlineTimer deadline(std::max<qint64>(total, 0));
        while (!deadline.hasExpired() && !context.isCancelled()) {
            const qint64 done = total - deadline.remainingTime();
            context.progress(total > 0 ? int(done * 100 / total) : 100, QStringLiteral("sleeping"));
            QThread::msleep(std::min<qint64>(step, std::max<qint64>(deadline.remainingTime(), 0)));
        }
        if (!context.isCancelled())
            context.progress(100, QStringLiteral("done"));
        return QString();
    });
}

} // namespace Taskdeck::Core

#include "cronerror.h"

namespace Taskdeck::Core {

QString CronError::toString() const
{
    QString text = field + QStringLiteral(": ") + message;
    if (column > 0)
        text += QStringLiteral(" (column %1)").arg(column);
    return text;
}

} // namespace Taskdeck::Core

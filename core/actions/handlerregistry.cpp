#include "handlerregistry.h"

namespace Taskdeck::Core {

void HandlerRegistry::add(const QString &name, Handler handler)
{
    QWriteLocker locker(&m_lock);
    m_handlers.insert(name, std::move(handler));
}

bool HandlerRegistry::contains(const QString &name) const
{
    QReadLocker locker(&m_lock);
    return m_handlers.contains(name);
}

std::optional<HandlerRegistry::Handler> HandlerRegistry::find(const QString &name) const
{
    QReadLocker locker(&m_lock);
    const auto it = m_handlers.constFind(name);
    if (it == m_handlers.constEnd())
        return std::nullopt;
    return *it;
}

} // namespace Taskdeck::Core

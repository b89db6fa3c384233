#pragma once

#include "taskcontext.h"

#include <QHash>
#include <QReadWriteLock>
#include <QString>

#include <functional>
#include <optional>

namespace Taskdeck::Core {

// In-process handlers registered from C++: a name and a function run on a worker thread.
// The function returns an empty string on success, or the error. Thread-safe.
class HandlerRegistry
{
public:
    using Handler = std::function<QString(TaskContext &context)>;

    void add(const QString &name, Handler handler);
    bool contains(const QString &name) const;
    std::optional<Handler> find(const QString &name) const;

private:
    mutable QReadWriteLock m_lock;
    QHash<QString, Handler> m_handlers;
};

} // namespace Taskdeck::Core

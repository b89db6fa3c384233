#pragma once

#include "taskcontext.h"

#include <QJsonObject>

namespace Taskdeck::Core {

// Runs an exec or shell action to its end in the calling thread (a worker of the pool): the
// program with its argument vector (a shell only for "shell" actions), stdout and stderr captured
// (the last 64 KiB kept), "::progress 42 message" lines turned into progress. On timeout or
// cancel: SIGTERM, then SIGKILL after the grace period.
class ProcessAction
{
public:
    static constexpr qsizetype OutputTailBytes = 64 * 1024;
    static constexpr int DefaultGraceMs = 5000;

    static AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs,
                              int graceMs = DefaultGraceMs);
};

} // namespace Taskdeck::Core

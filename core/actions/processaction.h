#pragma once

#include "taskcontext.h"

#include <QJsonObject>

namespace Taskdeck::Core {

// Runs an exec or shell action to its end in the calling thread (a worker of the pool): the
// program with its argument vector (a shell only for "shell" actions), stdin on /dev/null, stdout
// and stderr captured (the last 64 KiB kept), "::progress 42 message" lines turned into progress.
// On timeout or cancel: SIGTERM to the process group it runs in, then SIGKILL after the grace
// period. The outcome tells the CPU time and the peak memory the process used (see ChildProcess).
// The program finds its task in its environment: TASKDECK_TASK_ID, TASKDECK_ATTEMPT and
// TASKDECK_PAYLOAD (the payload's JSON), or TASKDECK_PAYLOAD_FILE (a file holding it, removed
// afterwards) when the payload is over 64 KiB.
class ProcessAction
{
public:
    static constexpr qsizetype OutputTailBytes = 64 * 1024;
    static constexpr int DefaultGraceMs = 5000;

    static AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs,
                              int graceMs = DefaultGraceMs);
};

} // namespace Taskdeck::Core

#pragma once

#include "taskcontext.h"

#include <QJsonObject>

namespace Taskdeck::Core {

// Runs an http action to its end in the calling thread (a worker of the pool), with an event loop
// of its own: method, URL, headers and body as given; success when the status is in "accept"
// (default: any 2xx). The status line and the head of the body are recorded as the output.
// Client errors (4xx other than 408 and 429) are not retried; server and network errors are.
class HttpAction
{
public:
    static constexpr qsizetype BodyHeadBytes = 4096;

    static AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs);
};

} // namespace Taskdeck::Core

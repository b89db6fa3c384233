#pragma once

#include "taskcontext.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <optional>

namespace Taskdeck::Core {

class Clock;
class HandlerRegistry;
class StoreWriter;
struct PlaceholderScope;

// What an action may use while it runs, besides its task's context.
struct ActionEnvironment
{
    HandlerRegistry *handlers = nullptr;
    StoreWriter *writer = nullptr; // the database's one writer (maintenance actions, pipelines)
    const Clock *clock = nullptr;
    int processGraceMs = 5000; // SIGTERM -> SIGKILL
    // Publishes an event and commits it before it returns (the publish action, pipelines' events);
    // empty: there is no event bus.
    std::function<std::optional<qint64>(const QString &topic, const QJsonValue &data, const QString &source,
                                        QString *error)>
        publish;
    // Tells the engine that tasks were queued outside it (a pipeline's background steps).
    std::function<void()> tasksQueued;
    QString secretsPath; // the {{secret.NAME}} file; empty: none
};

// Runs any action to its end in the calling thread (a worker of the pool): exec, shell, http,
// handler, the maintenance actions, publish, iterate and pipeline.
namespace ActionRunner {

// Fills in the action's placeholders from the context's payload and the secrets, then runs it.
// A placeholder that names something missing fails the attempt, naming it, without retrying.
// Secrets used are masked as "***" in the output and error.
AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, const ActionEnvironment &env);

// Runs an action whose placeholders are filled in already (a pipeline's step, an iterate's item);
// `scope` is what a nested pipeline or iterate resolves its own parts against. Values that came
// from placeholders are never read as placeholders again.
AttemptOutcome runResolved(const QJsonObject &action, TaskContext &context, qint64 timeoutMs,
                           const ActionEnvironment &env, const PlaceholderScope &scope);

} // namespace ActionRunner

} // namespace Taskdeck::Core

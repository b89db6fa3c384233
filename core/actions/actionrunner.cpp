#include "actionrunner.h"

#include "handlerregistry.h"
#include "httpaction.h"
#include "maintenanceaction.h"
#include "pipelineaction.h"
#include "placeholders.h"
#include "processaction.h"
#include "secrets.h"

#include <QElapsedTimer>

namespace Taskdeck::Core {

namespace {

AttemptOutcome runHandler(const QJsonObject &action, TaskContext &context, qint64 timeoutMs,
                          const ActionEnvironment &env)
{
    AttemptOutcome outcome;
    const QString name = action.value(QStringLiteral("name")).toString();
    const auto handler = env.handlers ? env.handlers->find(name) : std::nullopt;
    if (!handler) {
        outcome.error = QStringLiteral("no handler named %1").arg(name);
        outcome.retryable = false;
        return outcome;
    }
    // An in-process handler has no process to kill: it is asked to stop (isCancelled()) at its
    // deadline, in a context of its own so that the caller's is left as it was.
    TaskContext own(context, context.payload());
    own.onProgress = context.onProgress;
    own.onLog = context.onLog;
    own.setTimeout(timeoutMs);
    const QString error = (*handler)(own);
    if (own.isCancelled()) {
        const bool timedOut = own.hasTimedOut() && !context.isCancelled();
        outcome.kind = timedOut ? AttemptOutcome::Kind::TimedOut : AttemptOutcome::Kind::Cancelled;
        outcome.error = timedOut ? QStringLiteral("timed out after %1 s").arg(double(timeoutMs) / 1000.0)
                                 : QStringLiteral("cancelled");
    } else {
        outcome.kind = error.isEmpty() ? AttemptOutcome::Kind::Succeeded : AttemptOutcome::Kind::Failed;
        outcome.error = error;
    }
    return outcome;
}

AttemptOutcome runPublish(const QJsonObject &action, TaskContext &context, const ActionEnvironment &env)
{
    AttemptOutcome outcome;
    if (!env.publish) {
        outcome.error = QStringLiteral("publish: no event bus runs here");
        return outcome;
    }
    const QString topic = action.value(QStringLiteral("topic")).toString();
    QString why;
    const auto id =
        env.publish(topic, action.value(QStringLiteral("data")), QStringLiteral("task:%1").arg(context.taskId()), &why);
    if (!id) {
        outcome.error = QStringLiteral("publish %1: %2").arg(topic, why);
        return outcome;
    }
    outcome.kind = AttemptOutcome::Kind::Succeeded;
    outcome.output = QStringLiteral("published event %1 (%2)").arg(*id).arg(topic);
    outcome.result = QJsonObject{{QStringLiteral("event"), *id}};
    return outcome;
}

} // namespace

namespace ActionRunner {

AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, const ActionEnvironment &env)
{
    PlaceholderScope scope;
    scope.payload = context.payload();
    std::optional<Secrets> secrets;
    QString secretsError;
    if (!env.secretsPath.isEmpty() && Placeholders::contains(action)) {
        secrets = Secrets::load(env.secretsPath, &secretsError);
        if (secrets)
            scope.secrets = &*secrets;
    }
    if (!Placeholders::contains(action))
        return runResolved(action, context, timeoutMs, env, scope);
    QString why;
    const auto resolved = Placeholders::resolveAction(action, scope, &why);
    if (!resolved) {
        AttemptOutcome outcome;
        outcome.error = why;
        if (!secretsError.isEmpty() && !secrets)
            outcome.error += QStringLiteral(" (%1)").arg(secretsError);
        outcome.retryable = false; // the payload will not grow the field it lacks
        return outcome;
    }
    AttemptOutcome outcome = runResolved(resolved->value.toObject(), context, timeoutMs, env, scope);
    if (!resolved->secretValues.isEmpty()) {
        outcome.output = Placeholders::mask(outcome.output, resolved->secretValues);
        outcome.error = Placeholders::mask(outcome.error, resolved->secretValues);
        outcome.result = Placeholders::maskJson(outcome.result, resolved->secretValues);
    }
    return outcome;
}

AttemptOutcome runResolved(const QJsonObject &action, TaskContext &context, qint64 timeoutMs,
                           const ActionEnvironment &env, const PlaceholderScope &scope)
{
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("exec") || type == QLatin1String("shell"))
        return ProcessAction::run(action, context, timeoutMs, env.processGraceMs);
    if (type == QLatin1String("handler"))
        return runHandler(action, context, timeoutMs, env);
    if (type == QLatin1String("http"))
        return HttpAction::run(action, context, timeoutMs);
    if (type == QLatin1String("publish"))
        return runPublish(action, context, env);
    if (type == QLatin1String("pipeline"))
        return PipelineAction::run(action, context, timeoutMs, env, scope);
    if (type == QLatin1String("iterate"))
        return PipelineAction::iterate(action, context, timeoutMs, env, scope);
    if (MaintenanceAction::isMaintenance(type) && env.clock)
        return MaintenanceAction::run(action, context, timeoutMs, env.writer, *env.clock);
    AttemptOutcome outcome;
    outcome.error = QStringLiteral("actions of type '%1' cannot run").arg(type);
    outcome.retryable = false;
    return outcome;
}

} // namespace ActionRunner

} // namespace Taskdeck::Core

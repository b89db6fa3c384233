#pragma once

#include "taskcontext.h"

#include <QJsonObject>
#include <QList>
#include <QString>

class QSqlDatabase;

namespace Taskdeck::Core {

struct ActionEnvironment;
struct PlaceholderRules;
struct PlaceholderScope;

// The composite actions, run in the worker thread like the others:
//
//   {"type": "pipeline", "steps": [
//       {"key": "validate", "action": {...}, "mode": "wait", "retry": {"max_attempts": 3}, "timeout_seconds": 60},
//       {"key": "summarize", "action": {... "{{steps.validate.output.rows}}" ...}},
//       {"key": "notify", "action": {...}, "mode": "background"}]}
//     runs its steps in order. A "wait" step (the default) must succeed before the next starts; its
//     output (the JSON a process prints on its last line, an HTTP body, a published event's id)
//     is what {{steps.KEY.output...}} names in the steps after it, with the secrets it was given
//     masked as *** (as it is stored: a step that needs a secret names {{secret.NAME}} itself).
//     A "background" step is queued as a task of its own (with its retry policy and timeout; its
//     {{secret.*}} filled in only when it runs, so the stored task holds none) and not waited
//     for, like the seed's all_background mode. Each step's state is stored as it goes, so a pipeline interrupted by a
//     crash, or retried by an operator after it died, resumes at the step that had not finished.
//     A step that fails is retried by its own policy (default: the task defaults) with backoff;
//     one that used them up stops the pipeline, publishes pipeline.step_failed {"pipeline",
//     "task", "step", "error", "attempts"} and the task becomes a dead letter naming the step. A
//     pipeline whose steps all succeeded publishes pipeline.completed {"pipeline", "task",
//     "outputs"}.
//
//   {"type": "iterate", "items": [...] or "{{payload.files}}", "action": {... "{{item.path}}" ...},
//    "concurrency": 4}
//     runs the action once per item (the item is also the process's TASKDECK_PAYLOAD), at most
//     `concurrency` at a time (default 1), and succeeds when every item did; the error names the
//     items that failed by index. Its output is the array of the items' outputs. A retry runs all
//     items again: make them idempotent.
namespace PipelineAction {

bool validate(const QJsonObject &action, const PlaceholderRules &rules, QString *error);
QString summary(const QJsonObject &action); // "pipeline of 3 steps: validate, summarize, notify (background)"

AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, const ActionEnvironment &env,
                   const PlaceholderScope &scope);
AttemptOutcome iterate(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, const ActionEnvironment &env,
                       const PlaceholderScope &scope);

// A pipeline task's steps as stored, for `task show` and the GUI.
struct StepRecord
{
    int step = 0; // 0-based position
    QString key;
    QString state; // running, succeeded, failed, started (a background step, queued as backgroundTaskId)
    int attempts = 0;
    QJsonValue output;
    QString error;
    qint64 backgroundTaskId = 0;
    QDateTime startedAt;
    QDateTime finishedAt;

    QJsonObject toJson() const;
};
QList<StepRecord> steps(const QSqlDatabase &db, qint64 taskId, QString *error = nullptr);

} // namespace PipelineAction

} // namespace Taskdeck::Core

#pragma once

#include <QString>
#include <QStringView>

namespace Taskdeck::Core {

// Topics are dotted names ("dataset.uploaded", "task.dead_lettered"): one or more words of
// lower- or upper-case letters, digits, '_' and '-', joined by single dots, up to 200 characters.
// Subscriptions match them with patterns, as AMQP topic exchanges do:
//   "*" stands for exactly one word  ("task.*" matches task.failed, not task or task.a.b)
//   "#" stands for zero or more words ("dataset.#" matches dataset, dataset.uploaded, dataset.a.b)
// A wildcard is a whole word: "task.fail*" is not a pattern.
namespace Topic {

// Why `topic` is not a topic ("topic 'a b': ' ' at column 2 is not allowed (letters, digits, '_',
// '-' and dots)"); empty when it is one.
QString problem(const QString &topic);
QString patternProblem(const QString &pattern);
inline bool isValid(const QString &topic)
{
    return problem(topic).isEmpty();
}
inline bool isValidPattern(const QString &pattern)
{
    return patternProblem(pattern).isEmpty();
}

// Whether a valid `pattern` matches a valid `topic`.
bool matches(QStringView pattern, QStringView topic);

// The topics core publishes about its own work (task.*, job.*, pipeline.*), as opposed to the
// operator's and the jobs' own events.
bool isLifecycle(QStringView topic);

// Whether a subscription to `pattern` receives `topic`: it matches, and for a lifecycle topic the
// pattern names its first word ("task.*", "job.#"), so that "#" or "*.failed" does not turn every
// task's every step into a task of its own by accident.
bool subscriptionMatches(QStringView pattern, QStringView topic);

} // namespace Topic

} // namespace Taskdeck::Core

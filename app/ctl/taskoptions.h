#pragma once

#include "queue/task.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QString>

namespace Taskdeck::Ctl {

// The options that say what a task runs and how, shared by `task enqueue`, `job add` and
// `job edit`: --exec PROG [-- ARGS] | --shell CMD | --http URL [--method M] | --handler NAME |
// --action JSON (any action spec, the maintenance types included), --payload, --queue, --priority,
// --max-attempts, --backoff, --timeout.
void addTaskSpecOptions(QCommandLineParser &parser);
// Reads those that are set into *spec (an edit starts from the stored spec). `requireAction`:
// exactly one action must be given, else at most one. A usage error is reported and its exit
// code stored in *exitCode.
bool readTaskSpecOptions(const QCommandLineParser &parser, bool requireAction, Core::TaskSpec *spec, int *exitCode);

void addRetryOptions(QCommandLineParser &parser);
bool readRetryPolicy(const QCommandLineParser &parser, Core::RetryPolicy *policy, int *exitCode);
bool readInt(const QCommandLineParser &parser, const QString &option, int min, int max, int *value, int *exitCode);
// A number of seconds from `min` to `max` (fractions allowed), as milliseconds.
bool readSeconds(const QCommandLineParser &parser, const QString &option, double min, double max, qint64 *ms,
                 int *exitCode);

// "1 s", "1.5 s", "2 min", "1 h 30 min", "0 ms".
QString formatDuration(qint64 ms);
// In the local zone with its offset; "-" when invalid.
QString localTime(const QDateTime &time);

// Checks that every {{secret.NAME}} of `action` names a secret of the database's secrets file (and
// that the file may be read, when the action uses one). A usage error starts with `where`.
bool checkSecretsOf(const QJsonObject &action, const QString &dbPath, const QString &where, int *exitCode);

} // namespace Taskdeck::Ctl

#pragma once

#include <QJsonObject>
#include <QString>

namespace Taskdeck::Core {

class Secrets;
struct PlaceholderRules;

// The JSON that says what a task runs, and its checks. One of:
//   {"type":"exec", "program":"/usr/bin/rsync", "args":["-a","src","dst"], "cwd":"/srv", "env":{"K":"V"}}
//   {"type":"shell", "command":"tar czf /tmp/x.tgz /srv/data"}          (run by /bin/sh -c)
//   {"type":"http", "url":"https://...", "method":"POST", "headers":{...}, "body":"...", "accept":[200,204]}
//   {"type":"handler", "name":"reports.weekly"}                         (registered in-process)
//   {"type":"publish", "topic":"dataset.ready", "data":{...}}           (an event; see EventBus)
//   {"type":"pipeline", ...}, {"type":"iterate", ...}                   (see PipelineAction)
//   {"type":"cleanup", ...} and the other maintenance actions           (see MaintenanceAction)
namespace ActionSpec {

QJsonObject exec(const QString &program, const QStringList &arguments);
QJsonObject shell(const QString &command);
QJsonObject http(const QString &url, const QString &method = QStringLiteral("GET"));
QJsonObject handler(const QString &name);

// Checks the shape and values; for exec also that the program exists and may be executed now.
// The error names the field: "exec: no program 'rsyncx' in PATH". Placeholders ({{payload.x}},
// {{secret.NAME}}, ...) are checked for their form; a field that holds one is checked when the
// action runs. Pipelines and iterates are checked step by step.
bool validate(const QJsonObject &action, QString *error);
// The same, and every {{secret.NAME}} must name one of `secrets` (the command line checks them
// when a job or task is written).
bool validate(const QJsonObject &action, QString *error, const Secrets *secrets);
// For composite actions: an action nested in a pipeline's step or an iterate, with what its
// placeholders may name there.
bool validate(const QJsonObject &action, const PlaceholderRules &rules, QString *error);

// The action for display: values of headers and environment variables whose names suggest a
// secret (Authorization, Cookie, *TOKEN*, *SECRET*, *PASSWORD*, *KEY*) become "***".
QJsonObject redacted(const QJsonObject &action);

// A short human summary: "exec /usr/bin/rsync -a src dst", "http POST https://...".
QString summary(const QJsonObject &action);

} // namespace ActionSpec

} // namespace Taskdeck::Core

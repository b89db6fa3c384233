#pragma once

#include <QJsonObject>
#include <QString>

namespace Taskdeck::Core {

// The JSON that says what a task runs, and its checks. One of:
//   {"type":"exec", "program":"/usr/bin/rsync", "args":["-a","src","dst"], "cwd":"/srv", "env":{"K":"V"}}
//   {"type":"shell", "command":"tar czf /tmp/x.tgz /srv/data"}          (run by /bin/sh -c)
//   {"type":"http", "url":"https://...", "method":"POST", "headers":{...}, "body":"...", "accept":[200,204]}
//   {"type":"handler", "name":"reports.weekly"}                         (registered in-process)
namespace ActionSpec {

QJsonObject exec(const QString &program, const QStringList &arguments);
QJsonObject shell(const QString &command);
QJsonObject http(const QString &url, const QString &method = QStringLiteral("GET"));
QJsonObject handler(const QString &name);

// Checks the shape and values; for exec also that the program exists and may be executed now.
// The error names the field: "exec: no program 'rsyncx' in PATH".
bool validate(const QJsonObject &action, QString *error);

// The action for display: values of headers and environment variables whose names suggest a
// secret (Authorization, Cookie, *TOKEN*, *SECRET*, *PASSWORD*, *KEY*) become "***".
QJsonObject redacted(const QJsonObject &action);

// A short human summary: "exec /usr/bin/rsync -a src dst", "http POST https://...".
QString summary(const QJsonObject &action);

} // namespace ActionSpec

} // namespace Taskdeck::Core

#pragma once

#include <QStringList>

namespace Taskdeck::Ctl {

// `taskdeckctl serve`: runs the engine headless until SIGINT/SIGTERM (or, with --until-idle,
// until nothing waits or runs).
int runServeCommand(const QString &dbPath, const QStringList &arguments);

QString serveCommandSummary();

} // namespace Taskdeck::Ctl

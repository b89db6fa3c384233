#pragma once

#include <QStringList>

namespace Taskdeck::Ctl {

// `taskdeckctl job add|edit|remove|list|show|pause|resume|run-now|history|import|export ...` on
// the database at `dbPath`. `arguments` are the words after "job". Returns the exit code.
int runJobCommand(const QString &dbPath, const QStringList &arguments);

QString jobCommandSummary();

} // namespace Taskdeck::Ctl

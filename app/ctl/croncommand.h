#pragma once

#include <QStringList>

namespace Taskdeck::Ctl {

// `taskdeckctl cron next|explain ...`: the cron engine from the command line.
// `arguments` are the words after "cron". Returns the process exit code.
int runCronCommand(const QStringList &arguments);

QString cronCommandSummary();

} // namespace Taskdeck::Ctl

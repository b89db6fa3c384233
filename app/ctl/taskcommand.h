#pragma once

#include <QStringList>

namespace Taskdeck::Ctl {

// `taskdeckctl task enqueue|list|show|retry-plan ...` on the database at `dbPath`.
// `arguments` are the words after "task". Returns the process exit code.
int runTaskCommand(const QString &dbPath, const QStringList &arguments);

// `taskdeckctl stats`: the queue's health at a glance.
int runStatsCommand(const QString &dbPath, const QStringList &arguments);

QString taskCommandSummary();

} // namespace Taskdeck::Ctl

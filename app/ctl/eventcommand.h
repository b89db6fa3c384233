#pragma once

#include <QStringList>

namespace Taskdeck::Ctl {

// `taskdeckctl events publish|list|show`: the event log.
int runEventsCommand(const QString &dbPath, const QStringList &arguments);
QString eventsCommandSummary();

// `taskdeckctl sub add|edit|list|show|remove|pause|resume`: subscriptions of jobs to topics.
int runSubCommand(const QString &dbPath, const QStringList &arguments);
QString subCommandSummary();

} // namespace Taskdeck::Ctl

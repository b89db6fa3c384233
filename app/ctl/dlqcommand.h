#pragma once

#include <QStringList>

namespace Taskdeck::Ctl {

// `taskdeckctl dlq list|retry|delete`: the dead-letter list, which nothing ever trims.
int runDlqCommand(const QString &dbPath, const QStringList &arguments);

QString dlqCommandSummary();

} // namespace Taskdeck::Ctl

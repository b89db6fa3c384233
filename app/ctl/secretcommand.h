#pragma once

#include <QStringList>

namespace Taskdeck::Ctl {

// `taskdeckctl secret set|list|remove`: the secrets {{secret.NAME}} placeholders read.
int runSecretCommand(const QString &dbPath, const QStringList &arguments);

QString secretCommandSummary();

} // namespace Taskdeck::Ctl

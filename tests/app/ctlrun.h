#pragma once

// Runs a Taskdeck binary the way a script would, for the tests in tests/app/.

#include <QProcess>
#include <QString>
#include <QStringList>

struct CtlRun
{
    int exitCode = -1; // -1: it did not finish normally within 30 s
    QString out;
    QString err;
};

inline CtlRun runProgram(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    CtlRun result;
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

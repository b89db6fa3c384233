#pragma once

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <optional>

namespace Taskdeck::Ctl {

// Exit codes every command shares; scripts rely on them.
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1, // the command ran and something went wrong
    ExitUsage = 2,   // bad input: unknown option, malformed expression, zone or time
};

QTextStream &out();
QTextStream &err();

// Text from the command line made safe to echo on one line: control characters become \n, \t
// or \xHH.
QString printable(const QString &text);

// Prints indented JSON on stdout (the --json output of every command).
void printJson(const QJsonDocument &document);

// Parses JSON of any kind (object, array, string, number, ...); the error names the character.
std::optional<QJsonValue> parseJsonValue(const QString &text, QString *error);

// A payload or data file: UTF-8, at most 16 MiB; "-" reads standard input.
bool readTextFile(const QString &path, QString *text, QString *error);

// Prints "taskdeckctl: <message>" on stderr and returns ExitUsage.
int usageError(const QString &message);

// One sub-command's argument parsing with Taskdeck's conventions: "--help" prints `usage`, the
// description and the options; an unknown option or a missing value is a usage error (exit 2).
class SubcommandParser
{
public:
    SubcommandParser(QString usage, QString description);

    QCommandLineParser &parser() { return m_parser; }
    // Parses `arguments` (without the command words). Returns false when the caller should exit
    // with *exitCode (help shown, or an error already reported).
    bool parse(const QStringList &arguments, int *exitCode);
    QString helpText() const;

private:
    QString m_usage;
    QString m_description;
    QCommandLineParser m_parser;
};

} // namespace Taskdeck::Ctl

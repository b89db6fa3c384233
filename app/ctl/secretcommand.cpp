#include "secretcommand.h"

#include "actions/secrets.h"
#include "commandline.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringDecoder>

#include <termios.h>
#include <unistd.h>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

namespace {

QString secretHelp(const QString &dbPath)
{
    return QStringLiteral(
               "Usage: taskdeckctl [--db PATH] secret COMMAND [options]\n\n"
               "Secrets: the values {{secret.NAME}} placeholders in actions read when a task runs, kept out\n"
               "of the database, the job files and the logs. They live in the file TASKDECK_SECRETS names,\n"
               "else in secrets.json next to the database (mode 0600; a file others may read is refused).\n"
               "This database's file: %1\n\n"
               "Commands:\n"
               "  set NAME          Add or replace a secret; its value is the first line of standard input\n"
               "  list [--json]     The secrets' names (never their values)\n"
               "  remove NAME       Remove a secret\n\n"
               "Run 'taskdeckctl secret COMMAND --help' for a command's options.\n")
        .arg(printable(Secrets::defaultPathFor(dbPath)));
}

bool wantsHelp(const QStringList &arguments)
{
    return arguments.contains(QLatin1String("--help")) || arguments.contains(QLatin1String("-h"));
}

// A usage error for a bad name; the name is echoed, as any other field would be.
bool checkName(const QString &name, int *exitCode)
{
    if (Secrets::isValidName(name))
        return true;
    *exitCode = usageError(
        QStringLiteral("'%1' is not a secret name (letters, digits and _, not starting with a digit, at most 64)")
            .arg(printable(name)));
    return false;
}

// The first line of standard input without its line end. On a terminal it asks, and the typing
// is not echoed.
bool readValue(const QString &name, QString *value, QString *why)
{
    constexpr qint64 MaxBytes = 64 * 1024;
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    termios saved = {};
    if (terminal && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        err() << "Value of " << name << " (not shown): " << Qt::flush;
    }
    QFile in;
    QByteArray line;
    const bool opened = in.open(stdin, QIODevice::ReadOnly);
    if (opened)
        line = in.readLine(MaxBytes + 2);
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        err() << Qt::endl;
    }
    if (!opened) {
        *why = QStringLiteral("cannot read standard input: ") + in.errorString();
        return false;
    }
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.size() > MaxBytes) {
        *why = QStringLiteral("the value of %1 is longer than 64 KiB").arg(name);
        return false;
    }
    QStringDecoder utf8(QStringDecoder::Utf8);
    *value = utf8(line);
    if (utf8.hasError()) {
        *why = QStringLiteral("the value of %1 is not UTF-8 text").arg(name);
        return false;
    }
    return true;
}

int runSet(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] secret set NAME"),
                             QStringLiteral("Add a secret, or replace its value. The value is the first line of "
                                            "standard input (its line end dropped; empty is refused), never an "
                                            "argument, where ps and the shell's history would show it:\n"
                                            "  printf '%s\\n' \"$TOKEN\" | taskdeckctl secret set API_TOKEN\n"
                                            "On a terminal it asks, without echoing what is typed."));
    command.parser().addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The secret's name."));
    int exitCode = ExitOk;
    if (wantsHelp(arguments)) {
        command.parse(arguments, &exitCode);
        return exitCode;
    }
    // Checked before the parser sees them: a second word is likely the value, and no message
    // may repeat it.
    if (arguments.size() != 1)
        return usageError(arguments.isEmpty()
                              ? QStringLiteral("secret set takes a NAME")
                              : QStringLiteral("secret set takes only a NAME: the value is read from standard input, "
                                               "never from the command line (where ps would show it)"));
    const QString name = arguments.first();
    if (!checkName(name, &exitCode))
        return exitCode;
    QString value;
    QString why;
    if (!readValue(name, &value, &why)) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    if (value.isEmpty())
        return usageError(QStringLiteral("secret set: the value of %1 is empty (it is the first line of standard "
                                         "input)")
                              .arg(name));
    const QString path = Secrets::defaultPathFor(dbPath);
    if (!Secrets::set(path, name, value, &why)) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    out() << "secret " << name << " set in " << printable(path) << Qt::endl;
    return ExitOk;
}

int runList(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] secret list [--json]"),
                             QStringLiteral("The secrets' names, sorted, one a line. Never their values."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array of names.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!command.parser().positionalArguments().isEmpty())
        return usageError(QStringLiteral("secret list takes no arguments"));
    const QString path = Secrets::defaultPathFor(dbPath);
    QString why;
    const auto secrets = Secrets::load(path, &why);
    if (!secrets) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    if (command.parser().isSet(QStringLiteral("json"))) {
        printJson(QJsonDocument(QJsonArray::fromStringList(secrets->names())));
        return ExitOk;
    }
    const QStringList names = secrets->names();
    for (const QString &name : names)
        out() << name << '\n';
    out().flush();
    if (names.isEmpty())
        err() << "no secrets in " << printable(path) << Qt::endl;
    return ExitOk;
}

int runRemove(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] secret remove NAME"),
                             QStringLiteral("Remove a secret. Actions that name it fail when they next run."));
    command.parser().addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The secret's name."));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    const QStringList words = command.parser().positionalArguments();
    if (words.size() != 1)
        return usageError(QStringLiteral("secret remove takes one NAME"));
    if (!checkName(words.first(), &exitCode))
        return exitCode;
    QString why;
    if (!Secrets::remove(Secrets::defaultPathFor(dbPath), words.first(), &why)) {
        err() << "taskdeckctl: " << why << Qt::endl;
        return ExitFailure;
    }
    out() << "secret " << words.first() << " removed" << Qt::endl;
    return ExitOk;
}

} // namespace

QString secretCommandSummary()
{
    return QStringLiteral("  secret              The secrets {{secret.NAME}} placeholders read (set, list, remove)\n");
}

int runSecretCommand(const QString &dbPath, const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    const QStringList rest = arguments.mid(1);
    if (sub == QLatin1String("set"))
        return runSet(dbPath, rest);
    if (sub == QLatin1String("list"))
        return runList(dbPath, rest);
    if (sub == QLatin1String("remove"))
        return runRemove(dbPath, rest);
    if (sub.isEmpty()) {
        err() << secretHelp(dbPath);
        return ExitUsage;
    }
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        out() << secretHelp(dbPath);
        out().flush();
        return ExitOk;
    }
    return usageError(
        QStringLiteral("secret: unknown command '%1' (expected set, list or remove; see: taskdeckctl secret --help)")
            .arg(printable(sub)));
}

} // namespace Taskdeck::Ctl

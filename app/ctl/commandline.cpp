#include "commandline.h"

#include <cstdio>

namespace Taskdeck::Ctl {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int usageError(const QString &message)
{
    err() << "taskdeckctl: " << message << Qt::endl;
    return ExitUsage;
}

SubcommandParser::SubcommandParser(QString usage, QString description)
    : m_usage(std::move(usage))
    , m_description(std::move(description))
{
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    // Not addHelpOption(): it also adds --help-all, which lists Qt's own options.
    m_parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
}

bool SubcommandParser::parse(const QStringList &arguments, int *exitCode)
{
    if (!m_parser.parse(QStringList{QStringLiteral("taskdeckctl")} + arguments)) {
        *exitCode = usageError(m_parser.errorText() + QStringLiteral(" (see: ") +
                               m_usage.section(QLatin1Char(' '), 0, 2) + QStringLiteral(" --help)"));
        return false;
    }
    if (m_parser.isSet(QStringLiteral("help"))) {
        out() << helpText();
        out().flush();
        *exitCode = ExitOk;
        return false;
    }
    return true;
}

QString SubcommandParser::helpText() const
{
    // QCommandLineParser's own text starts with a usage line naming only the program; ours names
    // the sub-command, so keep just its option table.
    QString options = m_parser.helpText();
    const qsizetype start = options.indexOf(QLatin1String("Options:"));
    options = start >= 0 ? options.mid(start) : QString();
    return QStringLiteral("Usage: ") + m_usage + QStringLiteral("\n\n") + m_description + QStringLiteral("\n\n") +
           options;
}

} // namespace Taskdeck::Ctl

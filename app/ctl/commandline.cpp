#include "commandline.h"

#include <QFile>
#include <QJsonArray>

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

QString printable(const QString &text)
{
    QString result;
    result.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('\n'))
            result += QStringLiteral("\\n");
        else if (c == QLatin1Char('\t'))
            result += QStringLiteral("\\t");
        else if (c.category() == QChar::Other_Control)
            result += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            result += c;
    }
    return result;
}

void printJson(const QJsonDocument &document)
{
    out() << QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    out().flush();
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
        QString hint = QStringLiteral(" (see: ") + m_usage.section(QLatin1Char(' '), 0, 2) + QStringLiteral(" --help)");
        // "-1 * * * *" looks like an option to the parser; say how to pass it as a value.
        for (const QString &word : arguments) {
            if (word.startsWith(QLatin1Char('-')) && word.contains(QLatin1Char(' ')))
                hint = QStringLiteral(" ('%1' starts with '-': put -- before it to pass it as a value)").arg(word);
        }
        *exitCode = usageError(printable(m_parser.errorText()) + hint);
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

std::optional<QJsonValue> parseJsonValue(const QString &text, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson((QStringLiteral("[") + text + QStringLiteral("]")).toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || document.array().size() != 1) {
        if (error)
            *error = parseError.error != QJsonParseError::NoError
                         ? QStringLiteral("malformed JSON at character %1: %2")
                               .arg(std::max(1, parseError.offset - 1)) // Qt counts past the error, and our '['
                               .arg(parseError.errorString())
                         : QStringLiteral("expected one JSON value");
        return std::nullopt;
    }
    return document.array().first();
}

bool readTextFile(const QString &path, QString *text, QString *error)
{
    constexpr qint64 MaxBytes = 16 * 1024 * 1024;
    QFile file;
    const bool opened = path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly)
                                                   : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!opened) {
        *error = file.errorString();
        return false;
    }
    const QByteArray bytes = file.read(MaxBytes + 1);
    if (bytes.size() > MaxBytes) {
        *error = QStringLiteral("larger than 16 MiB");
        return false;
    }
    *text = QString::fromUtf8(bytes);
    return true;
}

} // namespace Taskdeck::Ctl

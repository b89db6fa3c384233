#include "uiformat.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <QPalette>

namespace Taskdeck::Ui::UiFormat {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("UiFormat", text);
}

} // namespace

QString duration(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("—");
    if (ms < 1000)
        return tr("%1 ms").arg(ms);
    if (ms < 60'000) {
        if (ms % 1000 == 0) // a count of whole seconds (an elapsed time) reads as one
            return tr("%1 s").arg(ms / 1000);
        return tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', ms < 10'000 ? 2 : 1));
    }
    const qint64 seconds = ms / 1000;
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    if (seconds < 86400)
        return tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
    return tr("%1 d %2 h").arg(seconds / 86400).arg(seconds % 86400 / 3600);
}

QString countdown(const QDateTime &at, const QDateTime &now)
{
    if (!at.isValid())
        return QStringLiteral("—");
    const qint64 ms = now.msecsTo(at);
    if (ms < -1000)
        return tr("%1 late").arg(duration(-ms / 1000 * 1000));
    if (ms < 1000)
        return tr("now");
    return tr("in %1").arg(duration(ms / 1000 * 1000));
}

QString localTime(const QDateTime &at)
{
    if (!at.isValid())
        return QStringLiteral("—");
    return at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString relativeTime(const QDateTime &at, const QDateTime &now)
{
    if (!at.isValid())
        return QStringLiteral("—");
    const qint64 ms = at.msecsTo(now);
    if (ms < 0)
        return countdown(at, now);
    if (ms < 5000)
        return tr("just now");
    return tr("%1 ago").arg(duration(ms / 1000 * 1000));
}

QString firstLine(const QString &text, int maxChars)
{
    QString line = text.section(QLatin1Char('\n'), 0, 0).trimmed();
    if (line.size() > maxChars)
        line = line.left(maxChars - 1) + QChar(0x2026);
    return line;
}

QString stateText(const QString &state)
{
    if (state == QLatin1String("succeeded"))
        return tr("succeeded");
    if (state == QLatin1String("failed"))
        return tr("failed");
    if (state == QLatin1String("timed_out"))
        return tr("timed out");
    if (state == QLatin1String("dead"))
        return tr("dead letter");
    if (state == QLatin1String("cancelled"))
        return tr("cancelled");
    if (state == QLatin1String("interrupted"))
        return tr("interrupted");
    if (state == QLatin1String("running") || state.isEmpty())
        return tr("running");
    if (state == QLatin1String("queued"))
        return tr("queued");
    if (state == QLatin1String("retry_wait"))
        return tr("waiting to retry");
    if (state == QLatin1String("skipped"))
        return tr("skipped");
    if (state == QLatin1String("missed"))
        return tr("missed");
    return state;
}

QColor stateColor(const QString &state, const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    if (state == QLatin1String("succeeded"))
        return dark ? QColor(0x6f, 0xcf, 0x8f) : QColor(0x1e, 0x7a, 0x3e);
    if (state == QLatin1String("failed") || state == QLatin1String("timed_out") || state == QLatin1String("dead"))
        return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb7, 0x1c, 0x1c);
    if (state == QLatin1String("retry_wait") || state == QLatin1String("interrupted") ||
        state == QLatin1String("missed"))
        return dark ? QColor(0xff, 0xc1, 0x66) : QColor(0x9a, 0x5b, 0x00);
    if (state == QLatin1String("running") || state.isEmpty())
        return dark ? QColor(0x82, 0xb1, 0xff) : QColor(0x1f, 0x5f, 0xbf);
    return palette.color(QPalette::PlaceholderText);
}

QString parseJson(const QByteArray &text, QJsonValue *value)
{
    // Wrapped in an array, so that scalars parse too; offsets are shifted back by the bracket.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson("[" + text + "]", &parseError);
    if (parseError.error == QJsonParseError::NoError && document.array().size() == 1) {
        if (value)
            *value = document.array().at(0);
        return QString();
    }
    if (parseError.error == QJsonParseError::NoError)
        return tr("one JSON value expected");
    const int offset = std::clamp(parseError.offset - 1, 0, int(text.size()));
    const QByteArray before = text.left(offset);
    return tr("%1 at line %2, column %3")
        .arg(parseError.errorString())
        .arg(before.count('\n') + 1)
        .arg(offset - before.lastIndexOf('\n'));
}

QIcon icon(const QString &name)
{
    return QIcon(QStringLiteral(":/taskdeck/icons/%1.svg").arg(name));
}

} // namespace Taskdeck::Ui::UiFormat

#include "topic.h"

#include <QList>

#include <utility>

namespace Taskdeck::Core::Topic {

namespace {

constexpr qsizetype MaxLength = 200;

bool isWordCharacter(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
           (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') || c == QLatin1Char('-');
}

QString describe(QChar c)
{
    if (c == QLatin1Char(' '))
        return QStringLiteral("' '");
    if (c.unicode() < 0x20 || c.unicode() == 0x7f)
        return QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
    return QStringLiteral("'%1'").arg(c);
}

QString check(const QString &text, bool pattern)
{
    const QString what = pattern ? QStringLiteral("topic pattern") : QStringLiteral("topic");
    if (text.isEmpty())
        return what + QStringLiteral(": empty");
    if (text.size() > MaxLength)
        return QStringLiteral("%1 '%2...': longer than %3 characters").arg(what, text.left(20)).arg(MaxLength);
    qsizetype wordStart = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text.at(i) != QLatin1Char('.')) {
            const QChar c = text.at(i);
            if (isWordCharacter(c))
                continue;
            if (pattern && (c == QLatin1Char('*') || c == QLatin1Char('#')))
                continue;
            return QStringLiteral("%1 '%2': %3 at column %4 is not allowed (letters, digits, '_', '-' and dots%5)")
                .arg(what, text, describe(c))
                .arg(i + 1)
                .arg(pattern ? QStringLiteral("; '*' and '#' as whole words") : QString());
        }
        const QStringView word = QStringView(text).mid(wordStart, i - wordStart);
        if (word.isEmpty())
            return QStringLiteral("%1 '%2': an empty word at column %3 (two dots, or a dot at an end)")
                .arg(what, text)
                .arg(i + 1);
        if (pattern && word.size() > 1 && (word.contains(QLatin1Char('*')) || word.contains(QLatin1Char('#'))))
            return QStringLiteral("%1 '%2': '%3' at column %4: '*' and '#' stand for whole words only")
                .arg(what, text, word.toString())
                .arg(wordStart + 1);
        wordStart = i + 1;
    }
    return {};
}

// Whether pattern words match topic words, by dynamic programming over (pattern word, topic
// word): linear in their product, where backtracking on each '#' would be exponential in a
// pattern of many.
bool matchWords(const QList<QStringView> &pattern, const QList<QStringView> &topic)
{
    const qsizetype columns = topic.size() + 1;
    // next[j]: pattern words from i + 1 on match topic words from j on.
    QList<bool> next(columns, false);
    QList<bool> current(columns, false);
    next[topic.size()] = true; // no pattern words left matches no topic words left
    for (qsizetype i = pattern.size() - 1; i >= 0; --i) {
        const QStringView word = pattern.at(i);
        const bool hash = word == QLatin1String("#");
        const bool star = word == QLatin1String("*");
        current[topic.size()] = hash && next[topic.size()];
        for (qsizetype j = topic.size() - 1; j >= 0; --j) {
            if (hash)
                current[j] = next[j] || current[j + 1]; // '#' takes no word, or one more
            else
                current[j] = (star || word == topic.at(j)) && next[j + 1];
        }
        std::swap(next, current);
    }
    return next[0];
}

} // namespace

QString problem(const QString &topic)
{
    return check(topic, false);
}

QString patternProblem(const QString &pattern)
{
    return check(pattern, true);
}

bool matches(QStringView pattern, QStringView topic)
{
    // Most subscriptions name one topic: no splitting for those.
    if (!pattern.contains(QLatin1Char('*')) && !pattern.contains(QLatin1Char('#')))
        return pattern == topic;
    const QList<QStringView> patternWords = pattern.split(QLatin1Char('.'));
    const QList<QStringView> topicWords = topic.split(QLatin1Char('.'));
    return matchWords(patternWords, topicWords);
}

bool subscriptionMatches(QStringView pattern, QStringView topic)
{
    if (isLifecycle(topic) && (pattern.startsWith(QLatin1Char('*')) || pattern.startsWith(QLatin1Char('#'))))
        return false;
    return matches(pattern, topic);
}

bool isLifecycle(QStringView topic)
{
    return topic.startsWith(QLatin1String("task.")) || topic.startsWith(QLatin1String("job.")) ||
           topic.startsWith(QLatin1String("pipeline."));
}

} // namespace Taskdeck::Core::Topic

#include "placeholders.h"

#include "secrets.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QVarLengthArray>

#include <algorithm>
#include <utility>

namespace Taskdeck::Core::Placeholders {

namespace {

enum class Root { Payload, Steps, Secret, Item };

// One recognised placeholder in a string: text[begin, end) is "{{ ... }}".
struct Token
{
    qsizetype begin = 0;
    qsizetype end = 0;
    Root root = Root::Payload;
    QVarLengthArray<QStringView, 6> path; // the segments after the root
};
using Tokens = QVarLengthArray<Token, 4>;

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

bool isSpace(QChar c)
{
    return c == u' ' || c == u'\t';
}

bool isSegmentChar(QChar c)
{
    return c != u'.' && c != u'{' && c != u'}' && !c.isSpace() && c.category() != QChar::Other_Control;
}

bool isDigits(QStringView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

QString column(qsizetype begin)
{
    return QStringLiteral(" (column %1)").arg(begin + 1);
}

// The placeholder as written, for messages: up to its "}}" (or the end of a broken one's line).
QString displayed(QStringView text, qsizetype begin, qsizetype end = -1)
{
    constexpr qsizetype MaxShown = 60;
    if (end < 0) {
        const qsizetype close = text.indexOf(u"}}", begin + 2);
        const qsizetype newline = text.indexOf(u'\n', begin);
        end = close >= 0 ? close + 2 : text.size();
        if (newline >= 0 && newline < end)
            end = newline;
    }
    if (end - begin > MaxShown)
        return text.mid(begin, MaxShown - 1).toString() + QChar(0x2026);
    return text.mid(begin, end - begin).toString();
}

enum class Scan { Text, Found, Broken };

// Looks at the "{{" at `at`: plain text, a placeholder (*token), or a broken one (*why, the
// whole message).
Scan scanAt(QStringView text, qsizetype at, Token *token, QString *why)
{
    const qsizetype n = text.size();
    qsizetype i = at + 2;
    while (i < n && isSpace(text[i]))
        ++i;
    static constexpr std::pair<QStringView, Root> roots[] = {
        {u"payload", Root::Payload}, {u"steps", Root::Steps}, {u"secret", Root::Secret}, {u"item", Root::Item}};
    const auto root = std::find_if(std::begin(roots), std::end(roots), [&](const auto &candidate) {
        if (!text.mid(i).startsWith(candidate.first))
            return false;
        const qsizetype after = i + candidate.first.size();
        return after == n || text[after] == u'.' || text[after] == u'}' || isSpace(text[after]);
    });
    if (root == std::end(roots))
        return Scan::Text;
    token->begin = at;
    token->root = root->second;
    token->path.clear();
    const auto broken = [&](const QString &what) {
        *why = displayed(text, at) + QStringLiteral(": ") + what + column(at);
        return Scan::Broken;
    };
    i += root->first.size();
    while (i < n && text[i] == u'.') {
        const qsizetype start = ++i;
        while (i < n && isSegmentChar(text[i]))
            ++i;
        if (i == start)
            return i == n ? broken(QStringLiteral("unterminated placeholder"))
                          : broken(QStringLiteral("a name is missing after '.'"));
        const QStringView segment = text.mid(start, i - start);
        if (segment.contains(u'['))
            return broken(QStringLiteral("write an index as .0, not [0]"));
        token->path.append(segment);
    }
    while (i < n && isSpace(text[i]))
        ++i;
    if (i + 1 < n && text[i] == u'}' && text[i + 1] == u'}') {
        token->end = i + 2;
    } else if (i == n || (text[i] == u'}' && i + 1 == n)) {
        return broken(QStringLiteral("unterminated placeholder"));
    } else {
        return broken(QStringLiteral("unexpected '%1' where }} should be").arg(text[i]));
    }
    switch (token->root) {
    case Root::Secret:
        if (token->path.isEmpty())
            return broken(QStringLiteral("name the secret: {{secret.NAME}}"));
        if (token->path.size() > 1)
            return broken(QStringLiteral("a secret has no fields: {{secret.NAME}}"));
        if (!Secrets::isValidName(token->path.first()))
            return broken(QStringLiteral("'%1' is not a secret name (letters, digits and _, not starting with a digit)")
                              .arg(token->path.first()));
        break;
    case Root::Steps:
        if (token->path.size() < 2 || token->path.at(1) != u"output")
            return broken(QStringLiteral("name a step's output: {{steps.KEY.output}}"));
        break;
    case Root::Payload:
    case Root::Item:
        break;
    }
    return Scan::Found;
}

// The placeholders of `text`, in order; false (with *error) at the first broken one.
bool findTokens(QStringView text, Tokens *tokens, QString *error)
{
    qsizetype from = 0;
    for (;;) {
        const qsizetype at = text.indexOf(u"{{", from);
        if (at < 0)
            return true;
        Token token;
        QString why;
        switch (scanAt(text, at, &token, &why)) {
        case Scan::Text:
            from = at + 1; // "{{{payload}}}": the placeholder may start at the next brace
            break;
        case Scan::Found:
            from = token.end;
            tokens->append(std::move(token));
            break;
        case Scan::Broken:
            return fail(error, why);
        }
    }
}

bool hasToken(QStringView text)
{
    for (qsizetype at = text.indexOf(u"{{"); at >= 0; at = text.indexOf(u"{{", at + 1)) {
        Token token;
        QString why;
        if (scanAt(text, at, &token, &why) != Scan::Text)
            return true;
    }
    return false;
}

// --- Where the shell reads a placeholder ------------------------------------------------------

// A "$(...)" simple enough to follow: no quotes, escapes, nesting, comments or here-documents,
// so its content is read unquoted whatever surrounds it. The index of its ')' or -1.
qsizetype simpleSubstitutionEnd(QStringView text, qsizetype from, const Tokens &tokens, qsizetype nextToken)
{
    for (qsizetype i = from; i < text.size(); ++i) {
        while (nextToken < tokens.size() && tokens[nextToken].begin < i)
            ++nextToken;
        if (nextToken < tokens.size() && tokens[nextToken].begin == i) {
            i = tokens[nextToken].end - 1;
            continue;
        }
        const QChar c = text[i];
        if (c == u')')
            return i;
        if (c == u'\'' || c == u'"' || c == u'\\' || c == u'`' || c == u'(' || c == u'#' || c == u'\n')
            return -1;
        if (c == u'<' && i + 1 < text.size() && text[i + 1] == u'<')
            return -1;
        if (c == u'$') {
            const QChar next = i + 1 < text.size() ? text[i + 1] : QChar();
            if (!(next.isLetterOrNumber() || QStringView(u"_@*#?!-").contains(next)))
                return -1;
        }
    }
    return -1;
}

// The length of a "${NAME}" (or "${#NAME}", "${1}", "${@}") at `at`, or 0.
qsizetype simpleBracesLength(QStringView text, qsizetype at)
{
    qsizetype i = at + 2;
    if (i < text.size() && text[i] == u'#')
        ++i;
    const qsizetype start = i;
    while (i < text.size() && (text[i].isLetterOrNumber() || QStringView(u"_@*?!-").contains(text[i])))
        ++i;
    if (i == start || i >= text.size() || text[i] != u'}')
        return 0;
    return i + 1 - at;
}

// Refuses a placeholder of a shell command where a single-quoted word would not be read as one
// word, unchanged: inside quotes, in a comment, glued to a backslash or a $, or after a construct
// this does not follow. The states are those of POSIX sh and bash for the parts it follows.
bool checkShellSpots(QStringView text, const Tokens &tokens, QString *error)
{
    enum class State { Unquoted, Single, Double, Comment };
    State state = State::Unquoted;
    State outside = State::Unquoted; // the state around a simple $(...)
    qsizetype substitutionEnd = -1;
    qsizetype lostAt = -1; // from here on the quoting is not followed
    QString lostAfter;
    qsizetype next = 0;
    const qsizetype n = text.size();
    const auto tokenAt = [&](qsizetype i) { return next < tokens.size() && tokens[next].begin == i; };
    const auto refuse = [&](const Token &token, const QString &why) {
        return fail(error, displayed(text, token.begin, token.end) + QStringLiteral(": ") + why);
    };
    const auto outsideTheQuotes = [&](const Token &token) {
        return QStringLiteral("; write it outside the quotes, its value is quoted for the shell: \"text \"%1\" more\"")
            .arg(displayed(text, token.begin, token.end));
    };
    for (qsizetype i = 0; i < n;) {
        if (tokenAt(i)) {
            const Token &token = tokens[next];
            if (lostAt >= 0)
                return refuse(token,
                              QStringLiteral("after the %1 at column %2 the shell's quoting cannot be followed%3; "
                                             "set a variable at the start instead, v=%4, and use \"$v\"")
                                  .arg(lostAfter)
                                  .arg(lostAt + 1)
                                  .arg(column(token.begin), displayed(text, token.begin, token.end)));
            switch (state) {
            case State::Unquoted:
                break;
            case State::Single:
                return refuse(token,
                              QStringLiteral("inside single quotes") + column(token.begin) + outsideTheQuotes(token));
            case State::Double:
                return refuse(token,
                              QStringLiteral("inside double quotes") + column(token.begin) + outsideTheQuotes(token));
            case State::Comment:
                return refuse(token, QStringLiteral("in a comment") + column(token.begin));
            }
            i = token.end;
            ++next;
            continue;
        }
        if (lostAt >= 0) {
            i = next < tokens.size() ? tokens[next].begin : n;
            continue;
        }
        if (i == substitutionEnd) {
            state = outside;
            substitutionEnd = -1;
            ++i;
            continue;
        }
        const QChar c = text[i];
        const QChar following = i + 1 < n ? text[i + 1] : QChar();
        const auto lose = [&](const QString &construct) {
            lostAt = i;
            lostAfter = construct;
        };
        switch (state) {
        case State::Single:
            if (c == u'\'')
                state = State::Unquoted;
            ++i;
            continue;
        case State::Comment:
            if (c == u'\n')
                state = State::Unquoted;
            ++i;
            continue;
        case State::Unquoted:
        case State::Double:
            break;
        }
        if (c == u'\\') {
            if (tokenAt(i + 1))
                return refuse(tokens[next], QStringLiteral("right after a backslash") + column(i + 1));
            i += 2;
            continue;
        }
        if (c == u'`') {
            lose(QStringLiteral("`"));
            continue;
        }
        if (c == u'$') {
            if (tokenAt(i + 1)) {
                if (state == State::Unquoted)
                    return refuse(tokens[next], QStringLiteral("right after a $") + column(i + 1));
                ++i;
                continue;
            }
            if (following == u'(') {
                const qsizetype end = simpleSubstitutionEnd(text, i + 2, tokens, next);
                if (end < 0) {
                    lose(QStringLiteral("$("));
                    continue;
                }
                outside = state;
                state = State::Unquoted;
                substitutionEnd = end;
                i += 2;
                continue;
            }
            if (following == u'{') {
                const qsizetype length = simpleBracesLength(text, i);
                if (length == 0) {
                    lose(QStringLiteral("${"));
                    continue;
                }
                i += length;
                continue;
            }
            if (following == u'\'' && state == State::Unquoted) {
                lose(QStringLiteral("$'"));
                continue;
            }
            ++i;
            continue;
        }
        if (state == State::Double) {
            if (c == u'"')
                state = State::Unquoted;
            ++i;
            continue;
        }
        if (c == u'\'') {
            state = State::Single;
        } else if (c == u'"') {
            state = State::Double;
        } else if (c == u'#' && (i == 0 || QStringView(u" \t\n;&|()<>").contains(text[i - 1]))) {
            state = State::Comment;
        } else if (c == u'<' && following == u'<') {
            lose(QStringLiteral("<<"));
            continue;
        } else if (c == u'(' && following == u'(') {
            lose(QStringLiteral("(("));
            continue;
        }
        ++i;
    }
    return true;
}

// --- Values -------------------------------------------------------------------------------------

// Where in the checked or resolved value a string is, kept as a chain of frames so that the path
// is only spelt out for an error.
struct Frame
{
    const Frame *parent = nullptr;
    const QJsonObject *object = nullptr; // a member of this object, or else an item of an array
    qsizetype position = 0;
};

QString pathOf(const QString &base, const Frame *frame)
{
    QVarLengthArray<const Frame *, 16> chain;
    for (; frame; frame = frame->parent)
        chain.append(frame);
    QString path = base;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const Frame *f = *it;
        if (f->object) {
            const QString key = (f->object->constBegin() + f->position).key();
            path = path.isEmpty() ? key : path + QLatin1Char('.') + key;
        } else {
            path += QStringLiteral("[%1]").arg(f->position);
        }
    }
    return path;
}

QString located(const QString &base, const Frame *frame, const QString &why)
{
    const QString path = pathOf(base, frame);
    return path.isEmpty() ? why : path + QStringLiteral(": ") + why;
}

QString kindOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::Bool:
        return QStringLiteral("true or false");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("null");
}

QString joined(const QVarLengthArray<QStringView, 6> &path, qsizetype from, qsizetype to)
{
    QString result;
    for (qsizetype i = from; i < to; ++i) {
        if (i > from)
            result += QLatin1Char('.');
        result += path.at(i);
    }
    return result;
}

// Follows path[from...] into `value`. `subject` says what value is ("the payload").
std::optional<QJsonValue> walk(QJsonValue value, const Token &token, qsizetype from, const QString &subject,
                               QString *why)
{
    const auto named = [&](qsizetype upTo) {
        return upTo == from ? subject : subject + QStringLiteral("'s ") + joined(token.path, from, upTo);
    };
    for (qsizetype i = from; i < token.path.size(); ++i) {
        const QStringView segment = token.path.at(i);
        if (value.isObject()) {
            const QJsonObject object = value.toObject();
            const auto member = object.constFind(segment);
            if (member == object.constEnd()) {
                *why = subject + QStringLiteral(" has no field '%1'").arg(segment);
                if (i > from)
                    *why += QStringLiteral(" (at %1)").arg(joined(token.path, from, i));
                return std::nullopt;
            }
            value = member.value();
        } else if (value.isArray() && isDigits(segment)) {
            const QJsonArray array = value.toArray();
            bool ok = false;
            const qsizetype index = segment.toLongLong(&ok);
            if (!ok || index >= array.size()) {
                *why = named(i) + (array.size() == 1 ? QStringLiteral(" has 1 item")
                                                     : QStringLiteral(" has %1 items").arg(array.size()));
                return std::nullopt;
            }
            value = array.at(index);
        } else {
            *why = named(i) + QStringLiteral(" is %1, not %2")
                                  .arg(kindOf(value), isDigits(segment) ? QStringLiteral("an array or an object")
                                                                        : QStringLiteral("an object"));
            return std::nullopt;
        }
    }
    return value;
}

QString textOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double: {
        const double number = value.toDouble();
        const qint64 integer = value.toInteger();
        if (double(integer) == number)
            return QString::number(integer);
        return QString::number(number, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return QString();
}

QString shellWord(const QString &text)
{
    QString word = text;
    word.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + word + QLatin1Char('\'');
}

// One resolve() or resolveAction() call.
struct Run
{
    const PlaceholderScope &scope;
    QString base; // the `where` of the call
    QStringList secretValues;
    QString error;
    bool leaveSecrets = false; // {{secret.X}} stays as written (resolveActionLeavingSecrets)
};

// The value of one placeholder; *why (without the placeholder) when something is missing.
std::optional<QJsonValue> valueOf(const Token &token, Run &run, QString *why)
{
    switch (token.root) {
    case Root::Payload:
        return walk(run.scope.payload, token, 0, QStringLiteral("the payload"), why);
    case Root::Item:
        if (!run.scope.item) {
            *why = QStringLiteral("only inside an iterate action");
            return std::nullopt;
        }
        return walk(*run.scope.item, token, 0, QStringLiteral("the item"), why);
    case Root::Steps: {
        const QString key = token.path.first().toString();
        const auto output = run.scope.stepOutputs.constFind(key);
        if (output == run.scope.stepOutputs.constEnd()) {
            *why = QStringLiteral("step '%1' has no output: it has not finished before this one").arg(key);
            return std::nullopt;
        }
        return walk(output.value(), token, 2, QStringLiteral("step '%1' output").arg(key), why);
    }
    case Root::Secret: {
        const QString name = token.path.first().toString();
        if (!run.scope.secrets) {
            *why = QStringLiteral("no secrets are available");
            return std::nullopt;
        }
        if (!run.scope.secrets->contains(name)) {
            *why = QStringLiteral("no secret named %1").arg(name);
            return std::nullopt;
        }
        const QString secret = run.scope.secrets->value(name);
        if (!secret.isEmpty() && !run.secretValues.contains(secret)) {
            run.secretValues.append(secret);
            // In a shell command a ' of the value is written '\'': mask that form too.
            if (secret.contains(QLatin1Char('\'')))
                run.secretValues.append(shellWord(secret).mid(1).chopped(1));
        }
        return QJsonValue(secret);
    }
    }
    return std::nullopt;
}

bool anyToken(const QJsonValue &value);

// Resolves one string; *out and *changed when it held placeholders.
bool resolveString(const QString &text, Run &run, Quoting quoting, const Frame *frame, QJsonValue *out, bool *changed)
{
    if (!text.contains(u"{{"))
        return true;
    Tokens tokens;
    QString why;
    if (!findTokens(text, &tokens, &why) || (quoting == Quoting::Shell && !checkShellSpots(text, tokens, &why)))
        return fail(&run.error, located(run.base, frame, why));
    if (tokens.isEmpty())
        return true;
    const auto missing = [&](const Token &token) {
        return fail(&run.error,
                    located(run.base, frame, displayed(text, token.begin, token.end) + QStringLiteral(": ") + why));
    };
    // A secret left as written is filled in by whoever resolves the result again: nothing filled
    // in now may bring in a placeholder of its own, or a payload could reach a secret after all.
    const QString bringsInAPlaceholder =
        QStringLiteral("its value holds a placeholder, which would be filled in when the queued task runs");
    const auto leftAsWritten = [&](const Token &token) { return run.leaveSecrets && token.root == Root::Secret; };
    if (quoting == Quoting::None && tokens.size() == 1 && tokens.first().begin == 0 &&
        tokens.first().end == text.size()) {
        if (leftAsWritten(tokens.first()))
            return true;
        const auto value = valueOf(tokens.first(), run, &why);
        if (!value)
            return missing(tokens.first());
        if (run.leaveSecrets && anyToken(*value)) {
            why = bringsInAPlaceholder;
            return missing(tokens.first());
        }
        *out = *value;
        *changed = true;
        return true;
    }
    QString result;
    result.reserve(text.size() + 16 * tokens.size());
    QVarLengthArray<std::pair<qsizetype, qsizetype>, 4> kept; // where the secrets left as written are
    qsizetype copied = 0;
    for (const Token &token : tokens) {
        result += QStringView(text).mid(copied, token.begin - copied);
        copied = token.end;
        if (leftAsWritten(token)) {
            kept.append({result.size(), result.size() + token.end - token.begin});
            result += QStringView(text).mid(token.begin, token.end - token.begin);
            continue;
        }
        const auto value = valueOf(token, run, &why);
        if (!value)
            return missing(token);
        QString piece = textOf(*value);
        if (quoting == Quoting::Shell) {
            if (piece.contains(QChar(0))) {
                why = QStringLiteral("the value holds a NUL character, which a command line cannot carry");
                return missing(token);
            }
            piece = shellWord(piece);
        }
        if (run.leaveSecrets && hasToken(piece)) {
            why = bringsInAPlaceholder;
            return missing(token);
        }
        result += piece;
    }
    result += QStringView(text).mid(copied);
    if (run.leaveSecrets) {
        // No piece holds a placeholder, but one could still form where a piece meets the text
        // around it ("{" + "{{payload.x}}" with a value "{payload}}"): the placeholders of the
        // result must be exactly the secrets left as written.
        Tokens again;
        bool same = findTokens(result, &again, &why) && again.size() == kept.size();
        for (qsizetype i = 0; same && i < again.size(); ++i)
            same = again[i].begin == kept[i].first && again[i].end == kept[i].second;
        if (!same)
            return fail(&run.error, located(run.base, frame,
                                            QStringLiteral("the values filled in form a placeholder with the text "
                                                           "around them, which would be filled in when the queued "
                                                           "task runs")));
    }
    *out = result;
    *changed = true;
    return true;
}

bool mayHoldText(QJsonValue::Type type)
{
    return type == QJsonValue::String || type == QJsonValue::Array || type == QJsonValue::Object;
}

bool resolveValue(const QJsonValue &value, Run &run, Quoting quoting, const Frame *frame, QJsonValue *out,
                  bool *changed)
{
    switch (value.type()) {
    case QJsonValue::String:
        return resolveString(value.toString(), run, quoting, frame, out, changed);
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        QJsonArray result;
        bool any = false;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonValue item = array.at(i);
            if (!mayHoldText(item.type()))
                continue;
            const Frame here{frame, nullptr, i};
            QJsonValue newItem;
            bool itemChanged = false;
            if (!resolveValue(item, run, quoting, &here, &newItem, &itemChanged))
                return false;
            if (itemChanged) {
                if (!any)
                    result = array;
                any = true;
                result.replace(i, newItem);
            }
        }
        if (any) {
            *out = result;
            *changed = true;
        }
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QJsonObject result;
        bool any = false;
        qsizetype position = 0;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it, ++position) {
            if (!mayHoldText(it.value().type()))
                continue;
            const Frame here{frame, &object, position};
            QJsonValue newMember;
            bool memberChanged = false;
            if (!resolveValue(it.value(), run, quoting, &here, &newMember, &memberChanged))
                return false;
            if (memberChanged) {
                if (!any)
                    result = object;
                any = true;
                // Same keys in the same order: the position is the member's in the copy too.
                (result.begin() + position).value() = newMember;
            }
        }
        if (any) {
            *out = result;
            *changed = true;
        }
        return true;
    }
    case QJsonValue::Null:
    case QJsonValue::Bool:
    case QJsonValue::Double:
    case QJsonValue::Undefined:
        break;
    }
    return true;
}

// --- Write-time checks --------------------------------------------------------------------------

struct Check
{
    const PlaceholderRules &rules;
    QString base;
    QString *error;
};

QString stepList(const QStringList &keys)
{
    return keys.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(keys.join(QStringLiteral(", ")));
}

bool checkString(const QString &text, const Check &check, Quoting quoting, const Frame *frame)
{
    if (!text.contains(u"{{"))
        return true;
    Tokens tokens;
    QString why;
    if (!findTokens(text, &tokens, &why) || (quoting == Quoting::Shell && !checkShellSpots(text, tokens, &why)))
        return fail(check.error, located(check.base, frame, why));
    for (const Token &token : tokens) {
        switch (token.root) {
        case Root::Payload:
            break;
        case Root::Item:
            if (!check.rules.itemAllowed)
                why = QStringLiteral("only inside an iterate action");
            break;
        case Root::Steps: {
            const QStringView key = token.path.first();
            if (check.rules.backgroundStepKeys.contains(key))
                why = QStringLiteral("step '%1' runs in the background: its output is not waited for").arg(key);
            else if (!check.rules.stepKeys.contains(key))
                why = QStringLiteral("no step '%1' before this one").arg(key) + stepList(check.rules.stepKeys);
            break;
        }
        case Root::Secret: {
            const QString name = token.path.first().toString();
            if (check.rules.secrets && !check.rules.secrets->contains(name))
                why = QStringLiteral("no secret named %1 in %2").arg(name, check.rules.secrets->path());
            break;
        }
        }
        if (!why.isEmpty())
            return fail(check.error, located(check.base, frame,
                                             displayed(text, token.begin, token.end) + QStringLiteral(": ") + why));
    }
    return true;
}

bool checkValue(const QJsonValue &value, const Check &check, Quoting quoting, const Frame *frame)
{
    switch (value.type()) {
    case QJsonValue::String:
        return checkString(value.toString(), check, quoting, frame);
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonValue item = array.at(i);
            const Frame here{frame, nullptr, i};
            if (mayHoldText(item.type()) && !checkValue(item, check, quoting, &here))
                return false;
        }
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        qsizetype position = 0;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it, ++position) {
            const Frame here{frame, &object, position};
            if (mayHoldText(it.value().type()) && !checkValue(it.value(), check, quoting, &here))
                return false;
        }
        return true;
    }
    case QJsonValue::Null:
    case QJsonValue::Bool:
    case QJsonValue::Double:
    case QJsonValue::Undefined:
        break;
    }
    return true;
}

bool anyToken(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return hasToken(value.toString());
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        return std::any_of(array.begin(), array.end(),
                           [](const QJsonValue &item) { return mayHoldText(item.type()) && anyToken(item); });
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (mayHoldText(it.value().type()) && anyToken(it.value()))
                return true;
        }
        return false;
    }
    case QJsonValue::Null:
    case QJsonValue::Bool:
    case QJsonValue::Double:
    case QJsonValue::Undefined:
        break;
    }
    return false;
}

// --- Actions ------------------------------------------------------------------------------------

enum class FieldRule { Skip, Json, Text, Shell };

FieldRule ruleFor(QStringView type, QStringView field)
{
    if (field == u"type")
        return FieldRule::Skip;
    if ((type == u"pipeline" && field == u"steps") || (type == u"iterate" && field == u"action"))
        return FieldRule::Skip;
    if (type == u"shell" && field == u"command")
        return FieldRule::Shell;
    const auto textIf = [&](std::initializer_list<QStringView> textFields) {
        return std::find(textFields.begin(), textFields.end(), field) != textFields.end() ? FieldRule::Text
                                                                                          : FieldRule::Json;
    };
    if (type == u"exec" || type == u"shell")
        return textIf({u"program", u"args", u"cwd", u"env"});
    if (type == u"http")
        return textIf({u"url", u"method", u"headers", u"body"});
    if (type == u"cleanup")
        return textIf({u"dir", u"glob"});
    if (type == u"report")
        return textIf({u"dir", u"period", u"timezone"});
    return FieldRule::Json;
}

Quoting quotingFor(FieldRule rule)
{
    switch (rule) {
    case FieldRule::Text:
        return Quoting::Text;
    case FieldRule::Shell:
        return Quoting::Shell;
    case FieldRule::Skip:
    case FieldRule::Json:
        break;
    }
    return Quoting::None;
}

} // namespace

bool contains(const QJsonValue &value)
{
    return anyToken(value);
}

bool check(const QJsonValue &value, const PlaceholderRules &rules, QString *error, const QString &where,
           Quoting quoting)
{
    const Check context{rules, where, error};
    return checkValue(value, context, quoting, nullptr);
}

std::optional<Resolved> resolve(const QJsonValue &value, const PlaceholderScope &scope, QString *error, Quoting quoting,
                                const QString &where)
{
    Run run{scope, where, {}, {}, false};
    QJsonValue result;
    bool changed = false;
    if (!resolveValue(value, run, quoting, nullptr, &result, &changed)) {
        fail(error, run.error);
        return std::nullopt;
    }
    return Resolved{changed ? result : value, run.secretValues};
}

namespace {

std::optional<Resolved> resolveActionWith(const QJsonObject &action, const PlaceholderScope &scope, bool leaveSecrets,
                                          QString *error)
{
    // The common case, an action without placeholders, costs one scan and no copy.
    if (!anyToken(action))
        return Resolved{action, {}};
    const QString type = action.value(QLatin1String("type")).toString();
    Run run{scope, QString(), {}, {}, leaveSecrets};
    QJsonObject result = action;
    qsizetype position = 0;
    for (auto it = action.constBegin(); it != action.constEnd(); ++it, ++position) {
        const FieldRule rule = ruleFor(type, it.key());
        if (rule == FieldRule::Skip || !mayHoldText(it.value().type()))
            continue;
        const Frame here{nullptr, &action, position};
        QJsonValue newValue;
        bool changed = false;
        if (!resolveValue(it.value(), run, quotingFor(rule), &here, &newValue, &changed)) {
            fail(error, run.error);
            return std::nullopt;
        }
        if (changed)
            result.insert(it.key(), newValue);
    }
    return Resolved{result, run.secretValues};
}

} // namespace

std::optional<Resolved> resolveAction(const QJsonObject &action, const PlaceholderScope &scope, QString *error)
{
    return resolveActionWith(action, scope, false, error);
}

std::optional<Resolved> resolveActionLeavingSecrets(const QJsonObject &action, const PlaceholderScope &scope,
                                                    QString *error)
{
    return resolveActionWith(action, scope, true, error);
}

bool checkAction(const QJsonObject &action, const PlaceholderRules &rules, QString *error)
{
    const QString type = action.value(QLatin1String("type")).toString();
    const Check context{rules, QString(), error};
    qsizetype position = 0;
    for (auto it = action.constBegin(); it != action.constEnd(); ++it, ++position) {
        const FieldRule rule = ruleFor(type, it.key());
        if (rule == FieldRule::Skip || !mayHoldText(it.value().type()))
            continue;
        const Frame here{nullptr, &action, position};
        if (!checkValue(it.value(), context, quotingFor(rule), &here))
            return false;
    }
    return true;
}

QString mask(QString text, const QStringList &secretValues)
{
    if (text.isEmpty() || secretValues.isEmpty())
        return text;
    QVarLengthArray<std::pair<qsizetype, qsizetype>, 16> spans;
    for (const QString &secret : secretValues) {
        if (secret.isEmpty())
            continue;
        for (qsizetype at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1))
            spans.append({at, at + secret.size()});
    }
    if (spans.isEmpty())
        return text;
    std::sort(spans.begin(), spans.end());
    QString result;
    result.reserve(text.size());
    qsizetype copied = 0;
    for (qsizetype i = 0; i < spans.size();) {
        const qsizetype begin = spans[i].first;
        qsizetype end = spans[i].second;
        // Overlapping or touching occurrences are one run: masking them one by one could leave a
        // piece of the longer value between two "***".
        for (++i; i < spans.size() && spans[i].first <= end; ++i)
            end = std::max(end, spans[i].second);
        result += QStringView(text).mid(copied, begin - copied);
        result += QLatin1String("***");
        copied = end;
    }
    result += QStringView(text).mid(copied);
    return result;
}

QJsonValue maskJson(const QJsonValue &value, const QStringList &secretValues)
{
    if (secretValues.isEmpty())
        return value;
    switch (value.type()) {
    case QJsonValue::String:
        return mask(value.toString(), secretValues);
    case QJsonValue::Array: {
        QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (mayHoldText(array.at(i).type()))
                array.replace(i, maskJson(array.at(i), secretValues));
        }
        return array;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QJsonObject result;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            result.insert(mask(it.key(), secretValues), maskJson(it.value(), secretValues));
        return result;
    }
    case QJsonValue::Null:
    case QJsonValue::Bool:
    case QJsonValue::Double:
    case QJsonValue::Undefined:
        break;
    }
    return value;
}

} // namespace Taskdeck::Core::Placeholders

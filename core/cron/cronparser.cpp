#include "cronparser.h"

#include <QStringList>

#include <array>

namespace Taskdeck::Core {

namespace {

struct FieldSpec
{
    CronField field;
    const char *name;
    int min;
    int max; // day-of-week accepts 7 as Sunday; its range of meaning is 0-6
};

constexpr FieldSpec Specs[] = {
    {CronField::Second, "second", 0, 59}, {CronField::Minute, "minute", 0, 59},
    {CronField::Hour, "hour", 0, 23},     {CronField::DayOfMonth, "day-of-month", 1, 31},
    {CronField::Month, "month", 1, 12},   {CronField::DayOfWeek, "day-of-week", 0, 7},
};

constexpr std::array<const char *, 12> MonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char *, 7> DayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct Macro
{
    const char *name;
    const char *expansion; // nullptr: @reboot
};

constexpr Macro Macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"},  {"@reboot", nullptr},
};

} // namespace

class CronParser
{
public:
    CronParser(const QString &text, CronExpression &out)
        : m_text(text)
        , m_out(out)
    {}

    bool parse()
    {
        struct Token
        {
            QString text;
            int column;
        };
        QList<Token> tokens;
        for (int i = 0; i < m_text.size();) {
            if (m_text.at(i).isSpace()) {
                ++i;
                continue;
            }
            const int start = i;
            while (i < m_text.size() && !m_text.at(i).isSpace())
                ++i;
            tokens.append({m_text.mid(start, i - start), start + 1});
        }
        if (tokens.isEmpty())
            return fail(QStringLiteral("expression"), QStringLiteral("is empty"), 0);

        if (tokens.first().text.startsWith(QLatin1Char('@'))) {
            const QString name = tokens.first().text.toLower();
            const Macro *macro = nullptr;
            for (const Macro &m : Macros) {
                if (name == QLatin1String(m.name))
                    macro = &m;
            }
            if (!macro) {
                QStringList names;
                for (const Macro &m : Macros)
                    names.append(QLatin1String(m.name));
                return fail(QStringLiteral("expression"),
                            QStringLiteral("unknown macro %1; expected one of %2")
                                .arg(tokens.first().text, names.join(QStringLiteral(", "))),
                            tokens.first().column);
            }
            if (tokens.size() > 1)
                return fail(QStringLiteral("expression"),
                            QStringLiteral("%1 stands alone, but '%2' follows it").arg(name, tokens.at(1).text),
                            tokens.at(1).column);
            if (!macro->expansion) {
                m_out.m_reboot = true;
                m_out.m_valid = true;
                return true;
            }
            const QStringList fields = QString::fromLatin1(macro->expansion).split(QLatin1Char(' '));
            m_out.m_seconds = 1;
            for (int i = 0; i < 5; ++i) {
                // The expansions are known to be valid; the column points at the macro itself.
                if (!parseField(Specs[i + 1], fields.at(i), tokens.first().column, /*columnIsFixed=*/true))
                    return false;
            }
            return finish();
        }

        if (tokens.size() != 5 && tokens.size() != 6) {
            QString message = QStringLiteral("has %1 field%2; expected 5 (minute hour day-of-month month "
                                             "day-of-week) or 6 (second first)")
                                  .arg(tokens.size())
                                  .arg(tokens.size() == 1 ? QString() : QStringLiteral("s"));
            if (tokens.size() == 7)
                message += QStringLiteral("; a year field is not supported");
            return fail(QStringLiteral("expression"), message, tokens.size() > 6 ? tokens.at(6).column : 0);
        }
        m_out.m_hasSeconds = tokens.size() == 6;
        const int firstSpec = m_out.m_hasSeconds ? 0 : 1;
        if (!m_out.m_hasSeconds)
            m_out.m_seconds = 1; // second 0
        for (int i = 0; i < tokens.size(); ++i) {
            if (!parseField(Specs[firstSpec + i], tokens.at(i).text, tokens.at(i).column, false))
                return false;
        }
        return finish();
    }

    CronError error;

private:
    bool fail(const QString &field, const QString &message, int column)
    {
        error = {field, message, column};
        return false;
    }

    bool fail(const FieldSpec &spec, const QString &message, int column)
    {
        return fail(QString::fromLatin1(spec.name), message, column);
    }

    bool finish()
    {
        const auto &minutes = m_out.m_elements[int(CronField::Minute)];
        const auto &hours = m_out.m_elements[int(CronField::Hour)];
        auto fixed = [](const QList<CronElement> &elements) {
            for (const CronElement &e : elements) {
                if (e.kind == CronElement::Kind::Any || e.hasStep)
                    return false;
            }
            return true;
        };
        m_out.m_fixedTime = fixed(minutes) && fixed(hours);

        // The calendar repeats every 400 years, and every one of the 14 kinds of year (leap or
        // not, starting on each weekday) occurs in 2000-2027: if no day matches there, none ever does.
        m_out.m_canEverMatch = false;
        for (int year = 2000; year < 2028 && !m_out.m_canEverMatch; ++year) {
            for (int month = 1; month <= 12; ++month) {
                if ((m_out.m_months >> month & 1) && m_out.dayMask(year, month) != 0) {
                    m_out.m_canEverMatch = true;
                    break;
                }
            }
        }
        m_out.m_valid = true;
        return true;
    }

    // Parses a number or (month, day-of-week) a name. `column` is where `text` starts.
    bool parseValue(const FieldSpec &spec, const QString &text, int column, int *value)
    {
        if (text.isEmpty())
            return fail(spec, QStringLiteral("a value is missing"), column);
        bool allDigits = true;
        for (QChar c : text)
            allDigits = allDigits && c.isDigit() && c.unicode() < 128;
        if (allDigits) {
            bool ok = false;
            const int v = text.toInt(&ok);
            if (!ok || v < spec.min || v > spec.max)
                return fail(spec, QStringLiteral("%1 is out of range %2-%3").arg(text).arg(spec.min).arg(spec.max),
                            column);
            *value = v;
            return true;
        }
        const QString upper = text.toUpper();
        if (spec.field == CronField::Month) {
            for (int i = 0; i < 12; ++i) {
                if (upper == QLatin1String(MonthNames[i])) {
                    *value = i + 1;
                    return true;
                }
            }
            return fail(spec, QStringLiteral("'%1' is not a month (1-12 or JAN-DEC)").arg(text), column);
        }
        if (spec.field == CronField::DayOfWeek) {
            for (int i = 0; i < 7; ++i) {
                if (upper == QLatin1String(DayNames[i])) {
                    *value = i;
                    return true;
                }
            }
            return fail(spec, QStringLiteral("'%1' is not a day of the week (0-7 or SUN-SAT)").arg(text), column);
        }
        return fail(spec, QStringLiteral("'%1' is not a number").arg(text), column);
    }

    bool parseStep(const FieldSpec &spec, const QString &text, int column, int *step)
    {
        const int span = (spec.field == CronField::DayOfWeek ? 6 : spec.max) - spec.min + 1;
        bool allDigits = !text.isEmpty();
        for (QChar c : text)
            allDigits = allDigits && c.isDigit() && c.unicode() < 128;
        if (!allDigits)
            return fail(spec,
                        text.isEmpty() ? QStringLiteral("a step is missing after '/'")
                                       : QStringLiteral("step '%1' is not a number").arg(text),
                        column);
        bool ok = false;
        const int v = text.toInt(&ok);
        if (!ok || v < 1 || v > span)
            return fail(spec, QStringLiteral("step %1 is out of range 1-%2").arg(text).arg(span), column);
        *step = v;
        return true;
    }

    bool parseField(const FieldSpec &spec, const QString &text, int column, bool columnIsFixed)
    {
        const int index = int(spec.field);
        m_out.m_starred[index] = text.startsWith(QLatin1Char('*')) || text.startsWith(QLatin1Char('?'));
        int offset = 0;
        const QStringList parts = text.split(QLatin1Char(','));
        for (const QString &part : parts) {
            const int partColumn = columnIsFixed ? column : column + offset;
            offset += int(part.size()) + 1;
            if (part.isEmpty())
                return fail(spec, QStringLiteral("empty element in the list '%1'").arg(text), partColumn);
            CronElement element;
            if (!parseElement(spec, part, partColumn, columnIsFixed, &element))
                return false;
            m_out.m_elements[index].append(element);
        }
        return true;
    }

    bool parseElement(const FieldSpec &spec, const QString &text, int column, bool columnIsFixed, CronElement *out)
    {
        const auto at = [&](qsizetype i) { return columnIsFixed ? column : column + int(i); };
        const QString upper = text.toUpper();
        const bool isDay = spec.field == CronField::DayOfMonth || spec.field == CronField::DayOfWeek;

        // Day-of-month extensions: L, L-n, LW, nW.
        if (spec.field == CronField::DayOfMonth &&
            (upper.startsWith(QLatin1Char('L')) || upper.endsWith(QLatin1Char('W')))) {
            if (upper == QLatin1String("L") || upper == QLatin1String("LW")) {
                out->kind = upper == QLatin1String("L") ? CronElement::Kind::LastDay : CronElement::Kind::LastWeekday;
                if (out->kind == CronElement::Kind::LastDay)
                    m_out.m_lastDayOffsets |= 1;
                else
                    m_out.m_lastWeekday = true;
                return true;
            }
            if (upper.startsWith(QLatin1String("L-"))) {
                const QString n = text.mid(2);
                bool ok = false;
                const int v = n.toInt(&ok);
                if (n.isEmpty() || !ok || v < 0 || v > 30 || n.startsWith(QLatin1Char('+')))
                    return fail(spec,
                                n.isEmpty() ? QStringLiteral("L- needs a number of days, e.g. L-2")
                                            : QStringLiteral("L-%1: the offset is out of range 0-30").arg(n),
                                n.isEmpty() ? column : at(2));
                out->kind = CronElement::Kind::LastDay;
                out->first = v;
                m_out.m_lastDayOffsets |= quint32(1) << v;
                return true;
            }
            if (upper.endsWith(QLatin1Char('W')) && !upper.startsWith(QLatin1Char('L'))) {
                const QString n = text.left(text.size() - 1);
                if (n.contains(QLatin1Char('-')) || n.contains(QLatin1Char('/')) || n.contains(QLatin1Char('*')))
                    return fail(spec, QStringLiteral("'%1': W takes a single day, e.g. 15W").arg(text), column);
                int v = 0;
                if (!parseValue(spec, n, column, &v))
                    return false;
                out->kind = CronElement::Kind::NearestWeekday;
                out->first = v;
                m_out.m_nearestWeekdays |= quint32(1) << v;
                return true;
            }
            return fail(spec, QStringLiteral("'%1' is not a valid day: use L, L-n, LW or nW").arg(text), column);
        }

        // Day-of-week extensions: dL (last d of the month), d#n (n-th d of the month).
        if (spec.field == CronField::DayOfWeek) {
            const qsizetype hash = text.indexOf(QLatin1Char('#'));
            if (hash >= 0) {
                int day = 0;
                if (!parseValue(spec, text.left(hash), column, &day))
                    return false;
                const QString n = text.mid(hash + 1);
                bool ok = false;
                const int v = n.toInt(&ok);
                if (!ok || v < 1 || v > 5 || n.startsWith(QLatin1Char('+')))
                    return fail(spec,
                                n.isEmpty() ? QStringLiteral("'%1': # needs an occurrence 1-5, e.g. 5#2").arg(text)
                                            : QStringLiteral("occurrence %1 is out of range 1-5").arg(n),
                                n.isEmpty() ? column : at(hash + 1));
                day %= 7;
                out->kind = CronElement::Kind::NthOfWeekday;
                out->first = day;
                out->last = v;
                m_out.m_nthOfWeekday[day] |= quint8(1u << v);
                return true;
            }
            if (upper.size() > 1 && upper.endsWith(QLatin1Char('L'))) {
                int day = 0;
                if (!parseValue(spec, text.left(text.size() - 1), column, &day))
                    return false;
                day %= 7;
                out->kind = CronElement::Kind::LastOfWeekday;
                out->first = day;
                m_out.m_lastOfWeekdays |= quint8(1u << day);
                return true;
            }
            if (upper == QLatin1String("L"))
                return fail(spec, QStringLiteral("L needs a weekday before it, e.g. 5L for the last Friday"), column);
        }

        // Everything else: *, ?, a, a-b, each with an optional /step.
        QString base = text;
        int step = 1;
        const qsizetype slash = text.indexOf(QLatin1Char('/'));
        if (slash >= 0) {
            base = text.left(slash);
            if (!parseStep(spec, text.mid(slash + 1), at(slash + 1), &step))
                return false;
            out->hasStep = true;
            if (base.isEmpty())
                return fail(spec, QStringLiteral("'%1': a start is missing before '/'").arg(text), column);
        }
        out->step = step;
        const int maxValue = spec.field == CronField::DayOfWeek ? 6 : spec.max;
        if (base == QLatin1String("*") || base == QLatin1String("?")) {
            if (base == QLatin1String("?") && !isDay)
                return fail(spec, QStringLiteral("? is only allowed in day-of-month and day-of-week"), column);
            out->kind = CronElement::Kind::Any;
            out->first = spec.min;
            out->last = maxValue;
            return apply(spec, *out);
        }
        if (!isDay &&
            (upper == QLatin1String("L") || upper.startsWith(QLatin1String("L-")) || upper == QLatin1String("LW")))
            return fail(spec, QStringLiteral("L is only allowed in day-of-month and day-of-week"), column);
        if (upper.size() > 1 && upper.endsWith(QLatin1Char('W')) && upper.at(0).isDigit())
            return fail(spec, QStringLiteral("W is only allowed in day-of-month"), at(text.size() - 1));
        if (text.contains(QLatin1Char('#')))
            return fail(spec, QStringLiteral("# is only allowed in day-of-week"), at(text.indexOf(QLatin1Char('#'))));

        const qsizetype dash = base.indexOf(QLatin1Char('-'));
        if (dash >= 0) {
            int first = 0;
            int last = 0;
            if (dash == 0)
                return fail(spec, QStringLiteral("'%1': a range needs a start, e.g. 1-5").arg(text), column);
            if (!parseValue(spec, base.left(dash), column, &first) ||
                !parseValue(spec, base.mid(dash + 1), at(dash + 1), &last))
                return false;
            if (spec.field == CronField::DayOfWeek && first == 7) {
                // 7-2 means Sunday through Tuesday, and 7-7 just Sunday.
                first = 0;
                if (last == 7)
                    last = 0;
            }
            out->kind = CronElement::Kind::Range;
            out->first = first;
            out->last = last;
            return apply(spec, *out);
        }
        int value = 0;
        if (!parseValue(spec, base, column, &value))
            return false;
        if (spec.field == CronField::DayOfWeek && value == 7 && !out->hasStep)
            value = 0;
        out->kind = CronElement::Kind::Value;
        out->first = value;
        // a/n runs through the field's maximum; day-of-week's is 7 (Sunday again), as in Vixie cron.
        out->last = out->hasStep ? spec.max : value;
        return apply(spec, *out);
    }

    // Sets the bits an Any, Value or Range element stands for.
    bool apply(const FieldSpec &spec, const CronElement &e)
    {
        const bool dow = spec.field == CronField::DayOfWeek;
        const int lo = spec.min;
        const int hi = dow ? 6 : spec.max;
        quint64 bits = 0;
        if (e.first <= e.last) {
            for (int v = e.first; v <= e.last; v += e.step)
                bits |= quint64(1) << (dow ? v % 7 : v);
        } else {
            // A wrapping range such as 22-2 or FRI-MON: continue past the maximum from the minimum.
            const int span = hi - lo + 1;
            const int length = (e.last - e.first + span) % span + 1;
            for (int i = 0; i < length; i += e.step)
                bits |= quint64(1) << (lo + (e.first - lo + i) % span);
        }
        switch (spec.field) {
        case CronField::Second:
            m_out.m_seconds |= bits;
            break;
        case CronField::Minute:
            m_out.m_minutes |= bits;
            break;
        case CronField::Hour:
            m_out.m_hours |= quint32(bits);
            break;
        case CronField::DayOfMonth:
            m_out.m_daysOfMonth |= quint32(bits);
            break;
        case CronField::Month:
            m_out.m_months |= quint32(bits);
            break;
        case CronField::DayOfWeek:
            m_out.m_daysOfWeek |= quint8(bits);
            break;
        }
        return true;
    }

    const QString &m_text;
    CronExpression &m_out;
};

bool parseCronExpression(const QString &text, CronExpression &out, CronError *error)
{
    CronParser parser(text, out);
    if (parser.parse())
        return true;
    if (error)
        *error = parser.error;
    return false;
}

} // namespace Taskdeck::Core

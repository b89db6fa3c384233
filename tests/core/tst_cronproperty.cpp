// Property tests for the cron search: the engine's field-by-field search (nextLocal, previousLocal,
// nextSecs, previousSecs) must agree with slow, obviously correct steppers that walk minute by
// minute or day by day and ask a predicate. The steppers decompose time with QDate and find UTC
// offsets by sampling QTimeZone, so they share no calendar or zone code with the engine.
//
// The cases are pseudo-random but fixed by Seed; every failure message names the seed, the case,
// the expression, the zone and the start instant, so that a failure can be replayed by hand.

#include "cron/cronexpression.h"
#include "cron/cronschedule.h"

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QRandomGenerator>
#include <QTest>
#include <QTimeZone>

#include <algorithm>
#include <limits>
#include <optional>

using namespace Taskdeck::Core;

namespace {

constexpr quint32 Seed = 20240611;

constexpr qint64 SecondsPerMinute = 60;
constexpr qint64 SecondsPerHour = 3600;
constexpr qint64 SecondsPerDay = 86400;

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic for the steppers, on QDate rather than the engine's civil-time helpers.

qint64 floorDivide(qint64 a, qint64 b)
{
    const qint64 quotient = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
}

qint64 floorToMinute(qint64 seconds)
{
    return floorDivide(seconds, SecondsPerMinute) * SecondsPerMinute;
}

// The first whole minute at or after `seconds`.
qint64 ceilToMinute(qint64 seconds)
{
    return -floorToMinute(-seconds);
}

QDate dateOfDay(qint64 dayNumber)
{
    return QDate(1970, 1, 1).addDays(dayNumber);
}

qint64 dayNumberOf(const QDate &date)
{
    return QDate(1970, 1, 1).daysTo(date);
}

QString localText(std::optional<qint64> local)
{
    if (!local)
        return QStringLiteral("none");
    const QDateTime wall = QDateTime::fromSecsSinceEpoch(*local, QTimeZone::utc());
    return QStringLiteral("%1 (%2)").arg(wall.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss ddd"))).arg(*local);
}

QString instantText(std::optional<qint64> utc, const QTimeZone &zone)
{
    if (!utc)
        return QStringLiteral("none");
    const QDateTime at = QDateTime::fromSecsSinceEpoch(*utc, QTimeZone::utc());
    return QStringLiteral("%1 = %2 (%3)")
        .arg(at.toString(Qt::ISODate), at.toTimeZone(zone).toString(Qt::ISODate))
        .arg(*utc);
}

QString boolText(bool value)
{
    return value ? QStringLiteral("true") : QStringLiteral("false");
}

// Asks CronExpression::matches about a local second, decomposing it with QDate. The date of the
// last day asked about is kept, since the steppers ask about every minute of a day in turn.
class WallClockMatcher
{
public:
    explicit WallClockMatcher(const CronExpression &expression)
        : m_expression(expression)
    {}

    bool matches(qint64 local)
    {
        const qint64 dayNumber = floorDivide(local, SecondsPerDay);
        if (dayNumber != m_dayNumber) {
            dateOfDay(dayNumber).getDate(&m_year, &m_month, &m_day);
            m_dayNumber = dayNumber;
        }
        const int secondOfDay = int(local - dayNumber * SecondsPerDay);
        return m_expression.matches(m_year, m_month, m_day, secondOfDay / 3600, secondOfDay / 60 % 60,
                                    secondOfDay % 60);
    }

private:
    const CronExpression &m_expression;
    qint64 m_dayNumber = std::numeric_limits<qint64>::min();
    int m_year = 0;
    int m_month = 0;
    int m_day = 0;
};

// ---------------------------------------------------------------------------------------------
// An independent model of each generated expression: the generator writes the text and, next to
// it, the set of values each element stands for, so that the engine's parser and day rules can be
// checked against it as well.

struct DayRule
{
    enum class Kind { LastDay, NearestWeekday, LastWeekday, LastOfWeekday, NthOfWeekday };
    Kind kind = Kind::LastDay;
    int value = 0;      // L-value, valueW, weekday of valueL and value#occurrence (Sunday = 0)
    int occurrence = 0; // value#occurrence
};

struct FieldModel
{
    QString text;
    quint64 values = 0;      // bit n: the plain value n
    QList<DayRule> rules;    // day fields only
    bool wildOrStep = false; // has '*' or a step: the field is not a fixed time

    // Vixie cron: a day field whose text starts with '*' or '?' does not restrict the day.
    bool starred() const { return text.startsWith(QLatin1Char('*')) || text.startsWith(QLatin1Char('?')); }
};

struct ExpressionModel
{
    FieldModel minute;
    FieldModel hour;
    FieldModel dayOfMonth;
    FieldModel month;
    FieldModel dayOfWeek;

    QString text() const
    {
        return QStringList{minute.text, hour.text, dayOfMonth.text, month.text, dayOfWeek.text}.join(QLatin1Char(' '));
    }
    bool fixedTime() const { return !minute.wildOrStep && !hour.wildOrStep; }
};

bool ruleMatches(const DayRule &rule, const QDate &date)
{
    const int day = date.day();
    const int length = date.daysInMonth();
    const int weekday = date.dayOfWeek() % 7; // Sunday = 0
    switch (rule.kind) {
    case DayRule::Kind::LastDay:
        return day == length - rule.value;
    case DayRule::Kind::NearestWeekday: {
        if (rule.value > length)
            return false;
        // The weekday nearest to the given day, without leaving the month.
        const int isoWeekday = QDate(date.year(), date.month(), rule.value).dayOfWeek();
        int target = rule.value;
        if (isoWeekday == 6)
            target = rule.value == 1 ? 3 : rule.value - 1;
        else if (isoWeekday == 7)
            target = rule.value == length ? rule.value - 2 : rule.value + 1;
        return day == target;
    }
    case DayRule::Kind::LastWeekday: {
        QDate last(date.year(), date.month(), length);
        while (last.dayOfWeek() > 5)
            last = last.addDays(-1);
        return date == last;
    }
    case DayRule::Kind::LastOfWeekday:
        return weekday == rule.value && day + 7 > length;
    case DayRule::Kind::NthOfWeekday:
        return weekday == rule.value && (day - 1) / 7 + 1 == rule.occurrence;
    }
    return false;
}

bool fieldMatchesDay(const FieldModel &field, int plainValue, const QDate &date)
{
    if (field.values >> plainValue & 1)
        return true;
    return std::any_of(field.rules.cbegin(), field.rules.cend(),
                       [&](const DayRule &rule) { return ruleMatches(rule, date); });
}

bool referenceMatchesDay(const ExpressionModel &model, const QDate &date)
{
    if (!(model.month.values >> date.month() & 1))
        return false;
    const bool byMonthDay = fieldMatchesDay(model.dayOfMonth, date.day(), date);
    const bool byWeekday = fieldMatchesDay(model.dayOfWeek, date.dayOfWeek() % 7, date);
    if (!model.dayOfMonth.starred() && !model.dayOfWeek.starred())
        return byMonthDay || byWeekday;
    return byMonthDay && byWeekday;
}

bool referenceMatches(const ExpressionModel &model, const QDate &date, int hour, int minute, int second)
{
    return second == 0 && (model.hour.values >> hour & 1) && (model.minute.values >> minute & 1) &&
           referenceMatchesDay(model, date);
}

// ---------------------------------------------------------------------------------------------
// The generator of valid 5-field expressions.

enum class FieldKind { Minute, Hour, DayOfMonth, Month, DayOfWeek };

enum class Form { Star, StarStep, ValueStep, Value, Range, RangeStep, WrapRange, WrapRangeStep };

struct FieldRange
{
    int low;
    int high; // day-of-week: 6, though 7 may be written for Sunday
};

FieldRange rangeOf(FieldKind kind)
{
    switch (kind) {
    case FieldKind::Minute:
        return {0, 59};
    case FieldKind::Hour:
        return {0, 23};
    case FieldKind::DayOfMonth:
        return {1, 31};
    case FieldKind::Month:
        return {1, 12};
    case FieldKind::DayOfWeek:
        return {0, 6};
    }
    return {0, 0};
}

constexpr const char *MonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char *DayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

// The values from `first` to `last` (wrapping past the field's maximum when first > last), every
// `step`-th of them. On day-of-week 7 is Sunday: "5-7" is Friday to Sunday, "7-2" Sunday to
// Tuesday and "7-7" Sunday alone.
quint64 walkBits(FieldKind kind, int first, int last, int step)
{
    const FieldRange range = rangeOf(kind);
    const bool weekdays = kind == FieldKind::DayOfWeek;
    int high = range.high;
    if (weekdays && first == 7) {
        if (last == 7)
            last = 0;
        first = 0;
    } else if (weekdays && last == 7) {
        high = 7; // no wrap: first..7
    }
    quint64 bits = 0;
    int value = first;
    for (int index = 0;; ++index) {
        if (index % step == 0)
            bits |= quint64(1) << (weekdays ? value % 7 : value);
        if (value == last)
            break;
        value = value == high ? range.low : value + 1;
    }
    return bits;
}

class ExpressionGenerator
{
public:
    explicit ExpressionGenerator(quint32 seed)
        : m_rng(seed)
    {}

    int uniform(int low, int high) { return m_rng.bounded(low, high + 1); }
    qint64 uniform64(qint64 low, qint64 high) { return m_rng.bounded(low, high + 1); }
    bool chance(int percent) { return m_rng.bounded(100) < percent; }

    // Anything goes, biased towards expressions that fire within a few days: the larger
    // `starPercent`, the more often day and month fields are '*'.
    ExpressionModel frequent(int starPercent)
    {
        ExpressionModel model;
        model.minute = timeField(FieldKind::Minute, /*fixedOnly=*/false, {});
        model.hour = timeField(FieldKind::Hour, /*fixedOnly=*/false, {});
        model.dayOfMonth = dayField(FieldKind::DayOfMonth, starPercent, /*specialPercent=*/35);
        model.month = monthField(std::min(starPercent + 15, 90), {});
        model.dayOfWeek = dayField(FieldKind::DayOfWeek, starPercent, /*specialPercent=*/25);
        return model;
    }

    // Times in the hours in which clocks change (01:00-03:00 in Europe and America, 01:30-02:30
    // on Lord Howe), mostly fixed times, mostly on any day.
    ExpressionModel aroundClockChanges()
    {
        ExpressionModel model;
        const bool wallClockMinute = chance(35);
        const bool wallClockHour = !wallClockMinute && chance(10);
        model.minute = timeField(FieldKind::Minute, !wallClockMinute, {0, 1, 15, 29, 30, 31, 45, 59});
        model.hour = timeField(FieldKind::Hour, !wallClockHour, {1, 2, 2, 2});
        model.dayOfMonth = dayField(FieldKind::DayOfMonth, 90, 30);
        model.month = monthField(85, {3, 4, 10, 11});
        model.dayOfWeek = chance(10) ? fixedField(QStringLiteral("SUN"), 1) : dayField(FieldKind::DayOfWeek, 85, 30);
        return model;
    }

    // Midnight on rarely matching days: day rules, month lists and both day fields at once.
    ExpressionModel rareDays()
    {
        ExpressionModel model;
        model.minute = fixedField(QStringLiteral("0"), 1);
        model.hour = fixedField(QStringLiteral("0"), 1);
        do {
            model.dayOfMonth = dayField(FieldKind::DayOfMonth, 25, 60);
            model.month = monthField(50, {});
            model.dayOfWeek = dayField(FieldKind::DayOfWeek, 35, 60);
        } while (model.dayOfMonth.starred() && model.dayOfWeek.starred() && model.month.values == 0x1ffe);
        return model;
    }

private:
    static FieldModel fixedField(const QString &text, quint64 values)
    {
        FieldModel field;
        field.text = text;
        field.values = values;
        return field;
    }

    QString spelled(const char *name)
    {
        const QString upper = QString::fromLatin1(name);
        switch (uniform(0, 2)) {
        case 0:
            return upper;
        case 1:
            return upper.toLower();
        default:
            return upper.left(1) + upper.mid(1).toLower();
        }
    }

    // A value as written: a number, or sometimes a month or weekday name.
    QString valueText(FieldKind kind, int value)
    {
        if (kind == FieldKind::Month && chance(30))
            return spelled(MonthNames[value - 1]);
        if (kind == FieldKind::DayOfWeek && value <= 6 && chance(30))
            return spelled(DayNames[value]);
        return QString::number(value);
    }

    int randomStep(int span) { return chance(75) ? uniform(2, std::min(span, 12)) : uniform(1, span); }

    Form randomForm(bool fixedOnly)
    {
        const int roll = uniform(0, 99);
        if (fixedOnly)
            return roll < 60 ? Form::Value : roll < 85 ? Form::Range : Form::WrapRange;
        if (roll < 15)
            return Form::Star;
        if (roll < 35)
            return Form::StarStep;
        if (roll < 45)
            return Form::ValueStep;
        if (roll < 70)
            return Form::Value;
        if (roll < 80)
            return Form::Range;
        if (roll < 90)
            return Form::RangeStep;
        return roll < 95 ? Form::WrapRange : Form::WrapRangeStep;
    }

    void append(FieldModel &field, const QString &element)
    {
        field.text = field.text.isEmpty() ? element : field.text + QLatin1Char(',') + element;
    }

    void addPlain(FieldModel &field, FieldKind kind, Form form, const QList<int> &favoured)
    {
        const FieldRange range = rangeOf(kind);
        const bool weekdays = kind == FieldKind::DayOfWeek;
        const int writableHigh = weekdays ? 7 : range.high;
        int first = range.low;
        int last = range.high;
        int step = 1;
        QString text;
        switch (form) {
        case Form::Star:
            text = QStringLiteral("*");
            break;
        case Form::StarStep:
            step = randomStep(range.high - range.low + 1);
            text = QStringLiteral("*/%1").arg(step);
            break;
        case Form::ValueStep:
            // a/n runs through the maximum; on day-of-week that is 7, Sunday again ("5/1" is Fri-Sun).
            first = uniform(range.low, writableHigh);
            if (weekdays)
                last = 7;
            step = randomStep(range.high - range.low + 1);
            text = valueText(kind, first) + QStringLiteral("/%1").arg(step);
            break;
        case Form::Value:
            first = last = !favoured.isEmpty() && chance(75) ? favoured.at(uniform(0, int(favoured.size()) - 1))
                                                             : uniform(range.low, writableHigh);
            text = valueText(kind, first);
            break;
        case Form::Range:
        case Form::RangeStep:
            first = uniform(range.low, writableHigh);
            last = uniform(first, writableHigh);
            text = valueText(kind, first) + QLatin1Char('-') + valueText(kind, last);
            if (form == Form::RangeStep) {
                step = randomStep(range.high - range.low + 1);
                text += QStringLiteral("/%1").arg(step);
            }
            break;
        case Form::WrapRange:
        case Form::WrapRangeStep:
            first = uniform(range.low + 1, range.high);
            last = uniform(range.low, first - 1);
            text = valueText(kind, first) + QLatin1Char('-') + valueText(kind, last);
            if (form == Form::WrapRangeStep) {
                step = randomStep(range.high - range.low + 1);
                text += QStringLiteral("/%1").arg(step);
            }
            break;
        }
        field.values |= walkBits(kind, first, last, step);
        field.wildOrStep = field.wildOrStep || form == Form::Star || form == Form::StarStep ||
                           form == Form::ValueStep || form == Form::RangeStep || form == Form::WrapRangeStep;
        append(field, text);
    }

    FieldModel timeField(FieldKind kind, bool fixedOnly, const QList<int> &favoured)
    {
        FieldModel field;
        const int count = chance(60) ? 1 : uniform(2, 3);
        for (int i = 0; i < count; ++i)
            addPlain(field, kind, randomForm(fixedOnly), favoured);
        return field;
    }

    FieldModel monthField(int starPercent, const QList<int> &favoured)
    {
        FieldModel field;
        const int roll = uniform(0, 99);
        if (roll < starPercent) {
            addPlain(field, FieldKind::Month, Form::Star, {});
            return field;
        }
        if (roll < starPercent + 5) {
            addPlain(field, FieldKind::Month, Form::StarStep, {});
            return field;
        }
        const int count = uniform(1, 3);
        for (int i = 0; i < count; ++i) {
            const Form form = randomForm(false);
            addPlain(field, FieldKind::Month, form == Form::Star ? Form::Value : form, favoured);
        }
        return field;
    }

    void addSpecial(FieldModel &field, FieldKind kind)
    {
        DayRule rule;
        QString text;
        if (kind == FieldKind::DayOfMonth) {
            switch (uniform(0, 3)) {
            case 0:
                rule.kind = DayRule::Kind::LastDay;
                text = chance(50) ? QStringLiteral("L") : QStringLiteral("l");
                break;
            case 1:
                rule.kind = DayRule::Kind::LastDay;
                rule.value = chance(70) ? uniform(1, 5) : uniform(0, 30);
                text = QStringLiteral("L-%1").arg(rule.value);
                break;
            case 2: {
                rule.kind = DayRule::Kind::NearestWeekday;
                static const int edges[] = {1, 2, 28, 29, 30, 31};
                rule.value = chance(40) ? edges[uniform(0, 5)] : uniform(1, 31);
                text = QStringLiteral("%1W").arg(rule.value);
                break;
            }
            default:
                rule.kind = DayRule::Kind::LastWeekday;
                text = chance(50) ? QStringLiteral("LW") : QStringLiteral("lw");
                break;
            }
        } else {
            const int weekday = uniform(0, 7);
            rule.value = weekday % 7;
            const QString day = valueText(kind, weekday);
            if (chance(40)) {
                rule.kind = DayRule::Kind::LastOfWeekday;
                text = day + QLatin1Char('L');
            } else {
                rule.kind = DayRule::Kind::NthOfWeekday;
                rule.occurrence = chance(80) ? uniform(1, 4) : 5;
                text = day + QStringLiteral("#%1").arg(rule.occurrence);
            }
        }
        field.rules.append(rule);
        append(field, text);
    }

    FieldModel dayField(FieldKind kind, int starPercent, int specialPercent)
    {
        FieldModel field;
        const int roll = uniform(0, 99);
        if (roll < starPercent) {
            addPlain(field, kind, Form::Star, {});
            return field;
        }
        if (roll < starPercent + 5) {
            addPlain(field, kind, Form::Star, {});
            field.text = QStringLiteral("?");
            return field;
        }
        if (roll < starPercent + 12) {
            addPlain(field, kind, Form::StarStep, {}); // starred, so it does not count as a day rule
            return field;
        }
        const int count = chance(60) ? 1 : uniform(2, 3);
        for (int i = 0; i < count; ++i) {
            if (chance(specialPercent)) {
                addSpecial(field, kind);
            } else {
                const Form form = randomForm(false);
                addPlain(field, kind, form == Form::Star || form == Form::StarStep ? Form::Value : form, {});
            }
        }
        return field;
    }

    QRandomGenerator m_rng;
};

// Parses the model's text; on failure the message says why.
CronExpression parseModel(const ExpressionModel &model, QString *failure)
{
    CronError error;
    const CronExpression expression = CronExpression::parse(model.text(), &error);
    if (!expression.isValid())
        *failure = QStringLiteral("'%1' does not parse: %2").arg(model.text(), error.toString());
    else if (expression.isFixedTime() != model.fixedTime())
        *failure = QStringLiteral("'%1': isFixedTime() is %2").arg(model.text(), boolText(expression.isFixedTime()));
    return expression;
}

// ---------------------------------------------------------------------------------------------
// UTC offsets of a zone over a window, found by sampling QTimeZone::offsetFromUtc every hour and
// bisecting each change down to the second.

class OffsetTable
{
public:
    struct Segment
    {
        qint64 start;
        int offset;
        int previousOffset;
        bool isTransition; // false for the first segment, which starts where the table does
    };

    OffsetTable(const QTimeZone &zone, qint64 from, qint64 to)
        : m_zone(zone)
    {
        int offset = offsetAt(from);
        m_segments.append({from, offset, offset, false});
        for (qint64 at = from; at < to;) {
            // Changes in these zones are months apart; an hour cannot hide two of them.
            const qint64 probe = std::min(at + SecondsPerHour, to);
            const int probed = offsetAt(probe);
            if (probed != offset) {
                qint64 low = at;
                qint64 high = probe;
                while (high - low > 1) {
                    const qint64 middle = low + (high - low) / 2;
                    (offsetAt(middle) == offset ? low : high) = middle;
                }
                m_segments.append({high, probed, offset, true});
                offset = probed;
            }
            at = probe;
        }
    }

    const QList<Segment> &segments() const { return m_segments; }

    // Whether every change falls on a whole minute and every offset is whole minutes, as the
    // minute steppers assume.
    bool isMinuteAligned() const
    {
        return std::all_of(m_segments.cbegin(), m_segments.cend(), [](const Segment &segment) {
            return (!segment.isTransition || segment.start % SecondsPerMinute == 0) &&
                   segment.offset % SecondsPerMinute == 0;
        });
    }

    // The segment holding `utc`, which must not precede the table.
    const Segment &segmentAt(qint64 utc) const
    {
        int index = int(m_segments.size()) - 1;
        while (index > 0 && m_segments.at(index).start > utc)
            --index;
        return m_segments.at(index);
    }

    bool covers(qint64 utc) const { return utc >= m_segments.first().start; }

private:
    int offsetAt(qint64 utc) const
    {
        return m_zone.offsetFromUtc(QDateTime::fromSecsSinceEpoch(utc, QTimeZone::utc()));
    }

    QTimeZone m_zone;
    QList<Segment> m_segments;
};

// The DST rules of cron(8), stated per UTC minute. A wall-clock expression fires whenever the wall
// clock matches. A fixed-time one fires when the wall clock matches unless that wall-clock time
// already passed at an earlier instant (the second pass of a repeated stretch), and also at the
// instant the clocks jump forward if a wall-clock minute they jump over matches.
class DstStepper
{
public:
    // How often the DST rules made a difference, so that a test can tell that its cases reach them.
    struct Coverage
    {
        int gapFires = 0;               // fixed time fired at a jump forward for a skipped minute
        int secondPassSkips = 0;        // fixed time matched in a repeated stretch and did not fire
        int repeatedWallClockFires = 0; // wall-clock expression fired in a repeated stretch
    };

    DstStepper(const CronExpression &expression, const OffsetTable &table, Coverage *coverage)
        : m_matcher(expression)
        , m_fixed(expression.isFixedTime())
        , m_table(table)
        , m_coverage(coverage)
    {}

    bool firesAt(qint64 utc)
    {
        const OffsetTable::Segment &segment = m_table.segmentAt(utc);
        const qint64 local = utc + segment.offset;
        const bool matches = m_matcher.matches(local);
        if (!m_fixed) {
            if (matches && isSecondPass(utc, local))
                ++m_coverage->repeatedWallClockFires;
            return matches;
        }
        if (segment.isTransition && segment.start == utc && segment.previousOffset < segment.offset) {
            for (qint64 skipped = utc + segment.previousOffset; skipped < local; skipped += SecondsPerMinute) {
                if (m_matcher.matches(skipped)) {
                    ++m_coverage->gapFires;
                    return true;
                }
            }
        }
        if (matches && isSecondPass(utc, local)) {
            ++m_coverage->secondPassSkips;
            return false;
        }
        return matches;
    }

private:
    bool isSecondPass(qint64 utc, qint64 local) const
    {
        for (const OffsetTable::Segment &other : m_table.segments()) {
            const qint64 earlier = local - other.offset;
            if (earlier < utc && m_table.covers(earlier) && m_table.segmentAt(earlier).offset == other.offset)
                return true;
        }
        return false;
    }

    WallClockMatcher m_matcher;
    bool m_fixed;
    const OffsetTable &m_table;
    Coverage *m_coverage;
};

enum class Direction { Forward, Backward };

struct ZoneCase
{
    QTimeZone zone;
    qint64 instant; // where the search starts: after it (forward) or before it (backward)
};

} // namespace

class TestCronProperty : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesAgreesWithIndependentPredicate();
    void nextLocalAgreesWithMinuteStepper()
    {
        checkLocalSearchAgainstMinuteStepper(Direction::Forward, Seed + 1, 1000);
    }
    void previousLocalAgreesWithMinuteStepper()
    {
        checkLocalSearchAgainstMinuteStepper(Direction::Backward, Seed + 2, 1000);
    }
    void nextLocalAgreesWithDayStepperOnRareDayRules()
    {
        checkLocalSearchAgainstDayStepper(Direction::Forward, Seed + 3, 1500);
    }
    void previousLocalAgreesWithDayStepperOnRareDayRules()
    {
        checkLocalSearchAgainstDayStepper(Direction::Backward, Seed + 4, 1500);
    }
    void nextSecsAgreesWithDstAwareStepper() { checkScheduleAgainstDstStepper(Direction::Forward, Seed + 5, 2000); }
    void previousSecsAgreesWithDstAwareStepper()
    {
        checkScheduleAgainstDstStepper(Direction::Backward, Seed + 6, 1500);
    }

private:
    static void checkLocalSearchAgainstMinuteStepper(Direction direction, quint32 seed, int cases);
    static void checkLocalSearchAgainstDayStepper(Direction direction, quint32 seed, int cases);
    static void checkScheduleAgainstDstStepper(Direction direction, quint32 seed, int cases);
    static ZoneCase zoneCase(ExpressionGenerator &generator, Direction direction);
};

// Three zones in four have clock changes. Half the cases start within hours or days of a change
// between 1990 and 2060, after 2037 too, where Qt derives the changes from the zone's POSIX rule;
// the rest start anywhere in 1970-2100.
ZoneCase TestCronProperty::zoneCase(ExpressionGenerator &generator, Direction direction)
{
    static const char *const withChanges[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"};
    static const char *const withoutChanges[] = {"Asia/Kolkata", "UTC"};
    const QTimeZone zone(QByteArray(generator.chance(75) ? withChanges[generator.uniform(0, 2)]
                                                         : withoutChanges[generator.uniform(0, 1)]));
    const qint64 from1990 = dayNumberOf(QDate(1990, 1, 1)) * SecondsPerDay;
    const qint64 to2060 = dayNumberOf(QDate(2060, 1, 1)) * SecondsPerDay;
    const qint64 to2100 = dayNumberOf(QDate(2100, 1, 1)) * SecondsPerDay;
    if (generator.chance(70)) {
        const qint64 somewhen = generator.uniform64(from1990, to2060);
        const QTimeZone::OffsetData change =
            zone.nextTransition(QDateTime::fromSecsSinceEpoch(somewhen, QTimeZone::utc()));
        if (change.atUtc.isValid()) {
            const qint64 at = change.atUtc.toSecsSinceEpoch();
            // Mostly within hours of the change, so that the first few fires straddle it.
            const int roll = generator.uniform(0, 99);
            const int maxMinutes = roll < 50 ? 180 : roll < 80 ? 24 * 60 : 3 * 24 * 60;
            const qint64 distance = generator.uniform(0, maxMinutes) * SecondsPerMinute;
            // Whole minutes, the change instant among them, are the interesting starts.
            const qint64 jitter = generator.chance(50) ? 0 : generator.uniform(-59, 59);
            return {zone, (direction == Direction::Forward ? at - distance : at + distance) + jitter};
        }
    }
    return {zone, generator.uniform64(0, to2100)};
}

void TestCronProperty::matchesAgreesWithIndependentPredicate()
{
    ExpressionGenerator generator(Seed);
    const qint64 firstDay = dayNumberOf(QDate(1900, 1, 1));
    const qint64 lastDay = dayNumberOf(QDate(2100, 12, 31));
    for (int index = 0; index < 1500; ++index) {
        const ExpressionModel model = index % 3 == 0   ? generator.rareDays()
                                      : index % 3 == 1 ? generator.frequent(55)
                                                       : generator.aroundClockChanges();
        QString failure;
        const CronExpression expression = parseModel(model, &failure);
        QVERIFY2(failure.isEmpty(),
                 qPrintable(QStringLiteral("seed %1, case %2: %3").arg(Seed).arg(index).arg(failure)));
        for (int sample = 0; sample < 40; ++sample) {
            QDate date = dateOfDay(generator.uniform64(firstDay, lastDay));
            if (sample % 2 == 0) // the day rules are all about the ends of months
                date = QDate(date.year(), date.month(), date.daysInMonth() - generator.uniform(0, 7));
            const int hour = generator.uniform(0, 23);
            const int minute = generator.uniform(0, 59);
            const int second = generator.chance(90) ? 0 : generator.uniform(1, 59);
            const bool actual = expression.matches(date.year(), date.month(), date.day(), hour, minute, second);
            const bool expected = referenceMatches(model, date, hour, minute, second);
            if (actual != expected) {
                QFAIL(qPrintable(QStringLiteral("seed %1, case %2: '%3'.matches(%4 %5:%6:%7, a %8) is %9")
                                     .arg(Seed)
                                     .arg(index)
                                     .arg(model.text(), date.toString(Qt::ISODate))
                                     .arg(hour, 2, 10, QLatin1Char('0'))
                                     .arg(minute, 2, 10, QLatin1Char('0'))
                                     .arg(second, 2, 10, QLatin1Char('0'))
                                     .arg(date.toString(QStringLiteral("dddd")), boolText(actual))));
            }
        }
    }
}

// nextLocal / previousLocal against stepping minute by minute through an eight-day window from a
// random start in 1900-2100, following each search to its next three results.
void TestCronProperty::checkLocalSearchAgainstMinuteStepper(Direction direction, quint32 seed, int cases)
{
    constexpr qint64 Window = 8 * SecondsPerDay;
    const bool forward = direction == Direction::Forward;
    const qint64 step = forward ? SecondsPerMinute : -SecondsPerMinute;
    const QString searchName = forward ? QStringLiteral("nextLocal") : QStringLiteral("previousLocal");
    const qint64 from1900 = dayNumberOf(QDate(1900, 1, 1)) * SecondsPerDay;
    const qint64 to2100 = dayNumberOf(QDate(2100, 1, 1)) * SecondsPerDay;
    ExpressionGenerator generator(seed);
    for (int index = 0; index < cases; ++index) {
        const ExpressionModel model = generator.frequent(60);
        QString failure;
        const CronExpression expression = parseModel(model, &failure);
        QVERIFY2(failure.isEmpty(),
                 qPrintable(QStringLiteral("seed %1, case %2: %3").arg(seed).arg(index).arg(failure)));

        const auto search = [&](qint64 bound) {
            return forward ? expression.nextLocal(bound) : expression.previousLocal(bound);
        };
        const qint64 start = generator.uniform64(from1900, to2100);
        const qint64 limit = forward ? start + Window : start - Window;
        const auto describe = [&](qint64 bound, std::optional<qint64> actual, std::optional<qint64> expected) {
            return QStringLiteral("seed %1, case %2: '%3'.%4(%5) is %6, but stepping minutes from %7 finds %8")
                .arg(seed)
                .arg(index)
                .arg(model.text(), searchName, localText(bound), localText(actual), localText(start),
                     expected ? localText(expected) : QString(QStringLiteral("none by ") + localText(limit)));
        };

        WallClockMatcher matcher(expression);
        qint64 bound = start;
        std::optional<qint64> actual = search(bound);
        int found = 0;
        for (qint64 local = forward ? ceilToMinute(start) : floorToMinute(start);
             (forward ? local <= limit : local >= limit) && found < 3; local += step) {
            if (!matcher.matches(local))
                continue;
            QVERIFY2(actual == local, qPrintable(describe(bound, actual, local)));
            // Both searches include their bound.
            QVERIFY2(search(local) == local, qPrintable(describe(local, search(local), local)));
            ++found;
            bound = forward ? local + 1 : local - 1;
            actual = search(bound);
        }
        if (found < 3)
            QVERIFY2(!actual || (forward ? *actual > limit : *actual < limit),
                     qPrintable(describe(bound, actual, std::nullopt)));
    }
}

// The same on days, for expressions at midnight on rarely matching days, through up to thirty
// years; on every day stepped over, matchesDay must also agree with the independent model.
void TestCronProperty::checkLocalSearchAgainstDayStepper(Direction direction, quint32 seed, int cases)
{
    constexpr qint64 WindowDays = 30 * 366;
    const bool forward = direction == Direction::Forward;
    const QString searchName = forward ? QStringLiteral("nextLocal") : QStringLiteral("previousLocal");
    const qint64 firstDay = dayNumberOf(QDate(1900, 1, 1));
    const qint64 lastDay = dayNumberOf(QDate(2100, 12, 31));
    ExpressionGenerator generator(seed);
    for (int index = 0; index < cases; ++index) {
        const ExpressionModel model = generator.rareDays();
        QString failure;
        const CronExpression expression = parseModel(model, &failure);
        QVERIFY2(failure.isEmpty(),
                 qPrintable(QStringLiteral("seed %1, case %2: %3").arg(seed).arg(index).arg(failure)));

        const auto search = [&](qint64 bound) {
            return forward ? expression.nextLocal(bound) : expression.previousLocal(bound);
        };
        const qint64 startDay = generator.uniform64(firstDay, lastDay);
        const qint64 start = startDay * SecondsPerDay + (generator.chance(50) ? 0 : generator.uniform(1, 86399));
        const qint64 limitDay = forward ? startDay + WindowDays : startDay - WindowDays;
        const auto describe = [&](qint64 bound, std::optional<qint64> actual, std::optional<qint64> expectedDay) {
            return QStringLiteral("seed %1, case %2: '%3'.%4(%5) is %6, but stepping days from %7 finds %8")
                .arg(seed)
                .arg(index)
                .arg(model.text(), searchName, localText(bound), localText(actual), localText(start),
                     expectedDay ? localText(*expectedDay * SecondsPerDay)
                                 : QString(QStringLiteral("none by ") + dateOfDay(limitDay).toString(Qt::ISODate)));
        };

        qint64 bound = start;
        std::optional<qint64> actual = search(bound);
        int found = 0;
        // Forward, a start after midnight has missed that day's fire; backward it has not.
        for (qint64 day = forward ? floorDivide(start + SecondsPerDay - 1, SecondsPerDay) : startDay;
             (forward ? day <= limitDay : day >= limitDay) && found < 3; day += forward ? 1 : -1) {
            const QDate date = dateOfDay(day);
            const bool matches = expression.matchesDay(date.year(), date.month(), date.day());
            if (matches != referenceMatchesDay(model, date)) {
                QFAIL(qPrintable(QStringLiteral("seed %1, case %2: '%3'.matchesDay(%4, a %5) is %6")
                                     .arg(seed)
                                     .arg(index)
                                     .arg(model.text(), date.toString(Qt::ISODate),
                                          date.toString(QStringLiteral("dddd")), boolText(matches))));
            }
            if (!matches)
                continue;
            QVERIFY2(actual == day * SecondsPerDay, qPrintable(describe(bound, actual, day)));
            ++found;
            bound = forward ? day * SecondsPerDay + 1 : day * SecondsPerDay - 1;
            actual = search(bound);
        }
        if (found < 3) {
            const bool beyond =
                !actual || (forward ? *actual >= (limitDay + 1) * SecondsPerDay : *actual < limitDay * SecondsPerDay);
            QVERIFY2(beyond, qPrintable(describe(bound, actual, std::nullopt)));
        }
    }
}

// CronSchedule::nextSecs / previousSecs in real zones against stepping UTC minutes through a
// four-day window with DstStepper, following each search to its next five results.
void TestCronProperty::checkScheduleAgainstDstStepper(Direction direction, quint32 seed, int cases)
{
    constexpr qint64 Window = 4 * SecondsPerDay;
    constexpr int FiresPerCase = 5;
    const bool forward = direction == Direction::Forward;
    const qint64 step = forward ? SecondsPerMinute : -SecondsPerMinute;
    const QString searchName = forward ? QStringLiteral("nextSecs") : QStringLiteral("previousSecs");
    ExpressionGenerator generator(seed);
    DstStepper::Coverage coverage;
    int casesWithoutFire = 0;
    for (int index = 0; index < cases; ++index) {
        const ExpressionModel model = generator.chance(65) ? generator.aroundClockChanges() : generator.frequent(80);
        QString failure;
        const CronExpression expression = parseModel(model, &failure);
        QVERIFY2(failure.isEmpty(),
                 qPrintable(QStringLiteral("seed %1, case %2: %3").arg(seed).arg(index).arg(failure)));

        const ZoneCase situation = zoneCase(generator, direction);
        const QTimeZone &zone = situation.zone;
        QVERIFY2(zone.isValid(), zone.id().constData());
        const qint64 start = situation.instant;
        const qint64 limit = forward ? start + Window : start - Window;
        // Six hours of history: enough to tell whether a wall-clock time is being repeated.
        const OffsetTable table(zone, std::min(start, limit) - 6 * SecondsPerHour, std::max(start, limit));
        QVERIFY2(table.isMinuteAligned(),
                 qPrintable(QStringLiteral("seed %1, case %2: %3 changes offset off the minute "
                                           "near %4; the stepper assumes whole minutes")
                                .arg(seed)
                                .arg(index)
                                .arg(QString::fromLatin1(zone.id()), instantText(start, zone))));
        const CronSchedule schedule(expression, zone);
        const auto search = [&](qint64 bound) {
            return forward ? schedule.nextSecs(bound) : schedule.previousSecs(bound);
        };
        const auto describe = [&](qint64 bound, std::optional<qint64> actual, std::optional<qint64> expected) {
            return QStringLiteral("seed %1, case %2: '%3' (%4) in %5: %6(%7) is %8, but stepping minutes from %9 "
                                  "finds %10")
                .arg(seed)
                .arg(index)
                .arg(model.text(),
                     expression.isFixedTime() ? QStringLiteral("fixed time") : QStringLiteral("wall clock"),
                     QString::fromLatin1(zone.id()), searchName, instantText(bound, zone), instantText(actual, zone),
                     instantText(start, zone),
                     expected ? instantText(expected, zone)
                              : QString(QStringLiteral("none by ") + instantText(limit, zone)));
        };

        DstStepper stepper(expression, table, &coverage);
        qint64 bound = start;
        std::optional<qint64> actual = search(bound);
        int found = 0;
        // Both searches exclude their bound.
        for (qint64 utc = forward ? floorToMinute(start) + SecondsPerMinute : ceilToMinute(start) - SecondsPerMinute;
             (forward ? utc <= limit : utc >= limit) && found < FiresPerCase; utc += step) {
            if (!stepper.firesAt(utc))
                continue;
            QVERIFY2(actual == utc, qPrintable(describe(bound, actual, utc)));
            ++found;
            bound = utc;
            actual = search(bound);
        }
        if (found == 0)
            ++casesWithoutFire;
        if (found < FiresPerCase)
            QVERIFY2(!actual || (forward ? *actual > limit : *actual < limit),
                     qPrintable(describe(bound, actual, std::nullopt)));
    }

    // The cases are fixed by the seed; this guards the generator, since a DST test whose cases never
    // meet a clock change would pass whatever the engine did there.
    const QString summary = QStringLiteral("seed %1: %2 fires in skipped stretches, %3 skipped second passes, %4 "
                                           "wall-clock fires in repeated stretches, %5 of %6 cases without any fire")
                                .arg(seed)
                                .arg(coverage.gapFires)
                                .arg(coverage.secondPassSkips)
                                .arg(coverage.repeatedWallClockFires)
                                .arg(casesWithoutFire)
                                .arg(cases);
    QVERIFY2(coverage.gapFires >= 25 && coverage.secondPassSkips >= 25 && coverage.repeatedWallClockFires >= 20 &&
                 casesWithoutFire < cases / 4,
             qPrintable(summary));
}

QTEST_GUILESS_MAIN(TestCronProperty)

#include "tst_cronproperty.moc"

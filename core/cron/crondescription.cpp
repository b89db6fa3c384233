#include "crondescription.h"

#include <QStringList>

#include <functional>

namespace Taskdeck::Core {

namespace {

using Kind = CronElement::Kind;
using Namer = std::function<QString(int)>;

const char *const MonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                  "July",    "August",   "September", "October", "November", "December"};
const char *const DayNames[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
const char *const Occurrences[] = {"", "first", "second", "third", "fourth", "fifth"};

QString ordinal(int n)
{
    const int lastTwo = n % 100;
    const char *suffix = "th";
    if (lastTwo < 11 || lastTwo > 13) {
        if (n % 10 == 1)
            suffix = "st";
        else if (n % 10 == 2)
            suffix = "nd";
        else if (n % 10 == 3)
            suffix = "rd";
    }
    return QString::number(n) + QLatin1String(suffix);
}

QString twoDigits(int n)
{
    return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0'));
}

// "a", "a and b", "a, b and c" (or "or" as the last joiner).
QString joinList(const QStringList &items, const QString &last = QStringLiteral("and"))
{
    if (items.size() <= 1)
        return items.value(0);
    return QStringList(items.mid(0, items.size() - 1)).join(QStringLiteral(", ")) + QLatin1Char(' ') + last +
           QLatin1Char(' ') + items.last();
}

bool isEvery(const QList<CronElement> &elements)
{
    return elements.size() == 1 && elements.first().kind == Kind::Any && elements.first().step == 1;
}

// Only plain values (no ranges or steps): fills *values.
bool plainValues(const QList<CronElement> &elements, QList<int> *values)
{
    values->clear();
    for (const CronElement &e : elements) {
        if (e.kind != Kind::Value || e.hasStep)
            return false;
        values->append(e.first);
    }
    return true;
}

bool singleStep(const QList<CronElement> &elements, int *step)
{
    if (elements.size() != 1 || elements.first().kind != Kind::Any || !elements.first().hasStep)
        return false;
    *step = elements.first().step;
    return true;
}

// One element of a numeric-or-named field: "5", "9 through 17", "every 2nd hour from 8 through 18".
QString elementPhrase(const CronElement &e, const QString &unit, const Namer &name)
{
    // A step of 1 is no step: "5/1" is "5 through the maximum", "1-5/1" is "1-5".
    const bool stepped = e.hasStep && e.step > 1;
    const QString every = QStringLiteral("every %1 %2").arg(ordinal(e.step), unit);
    switch (e.kind) {
    case Kind::Any:
        return stepped ? every : QStringLiteral("every %1").arg(unit);
    case Kind::Value:
        if (!e.hasStep)
            return name(e.first);
        return stepped ? every + QStringLiteral(" from ") + name(e.first)
                       : name(e.first) + QStringLiteral(" through ") + name(e.last);
    case Kind::Range: {
        const QString range = name(e.first) + QStringLiteral(" through ") + name(e.last);
        return stepped ? every + QStringLiteral(" from ") + range : range;
    }
    default:
        return {};
    }
}

QString fieldPhrase(const QList<CronElement> &elements, const QString &unit, const Namer &name)
{
    QStringList parts;
    for (const CronElement &e : elements)
        parts.append(elementPhrase(e, unit, name));
    return joinList(parts);
}

// "every minute", "every 15 minutes", "at minute 5", "at minutes 0 and 30", "at minutes 10 through 20".
QString unitPhrase(const QList<CronElement> &elements, const QString &unit)
{
    int step = 0;
    if (isEvery(elements))
        return QStringLiteral("every ") + unit;
    if (singleStep(elements, &step))
        return QStringLiteral("every %1 %2s").arg(step).arg(unit);
    const auto number = [](int v) { return QString::number(v); };
    const bool plural = elements.size() > 1 || elements.first().kind != Kind::Value || elements.first().hasStep;
    if (elements.size() == 1 && elements.first().hasStep && elements.first().step > 1)
        return fieldPhrase(elements, unit, number);
    return QStringLiteral("at %1%2 ").arg(unit, plural ? QStringLiteral("s") : QString()) +
           fieldPhrase(elements, unit, number);
}

QString timePhrase(const CronExpression &expression)
{
    const auto seconds = expression.elements(CronField::Second);
    const auto minutes = expression.elements(CronField::Minute);
    const auto hours = expression.elements(CronField::Hour);
    const bool secondsMatter =
        expression.hasSecondsField() && !(seconds.size() == 1 && seconds.first().kind == Kind::Value &&
                                          !seconds.first().hasStep && seconds.first().first == 0);

    // A handful of exact times: "At 02:30", "At 09:00 and 17:30".
    QList<int> secondValues, minuteValues, hourValues;
    const bool exactSeconds = !secondsMatter || (plainValues(seconds, &secondValues) && secondValues.size() == 1);
    if (exactSeconds && plainValues(minutes, &minuteValues) && plainValues(hours, &hourValues) &&
        minuteValues.size() * hourValues.size() <= 8) {
        std::sort(minuteValues.begin(), minuteValues.end());
        std::sort(hourValues.begin(), hourValues.end());
        QStringList times;
        for (int h : hourValues) {
            for (int m : minuteValues) {
                QString time = twoDigits(h) + QLatin1Char(':') + twoDigits(m);
                if (secondsMatter)
                    time += QLatin1Char(':') + twoDigits(secondValues.first());
                times.append(time);
            }
        }
        times.removeDuplicates();
        return QStringLiteral("At ") + joinList(times);
    }

    const auto hourName = [](int h) -> QString { return twoDigits(h) + QStringLiteral(":00"); };
    QStringList parts;
    if (secondsMatter)
        parts.append(unitPhrase(seconds, QStringLiteral("second")));
    int step = 0;
    if (!secondsMatter) {
        parts.append(unitPhrase(minutes, QStringLiteral("minute")));
    } else if (isEvery(minutes)) {
        if (!isEvery(seconds) && !singleStep(seconds, &step))
            parts.last() += QStringLiteral(" of every minute");
    } else if (singleStep(minutes, &step)) {
        parts.append(QStringLiteral("during every %1 minute").arg(ordinal(step)));
    } else {
        // "at minutes 0 and 30" -> "during minutes 0 and 30": the seconds already say "at".
        QString minutePart = unitPhrase(minutes, QStringLiteral("minute"));
        if (minutePart.startsWith(QLatin1String("at ")))
            minutePart = minutePart.mid(3);
        parts.append(QStringLiteral("during ") + minutePart);
    }

    QString hourPart;
    int hourStep = 0;
    const bool singleMinute = minutes.size() == 1 && minutes.first().kind == Kind::Value && !minutes.first().hasStep;
    if (isEvery(hours)) {
        if (singleMinute || (!parts.isEmpty() && parts.last().startsWith(QLatin1String("at minute"))))
            hourPart = QStringLiteral("of every hour");
    } else if (singleStep(hours, &hourStep)) {
        hourPart = QStringLiteral("of every %1 hour").arg(ordinal(hourStep));
    } else if (hours.size() == 1 && hours.first().kind == Kind::Range && !hours.first().hasStep) {
        const CronElement &r = hours.first();
        hourPart = singleMinute
                       ? QStringLiteral("of every hour from %1 through %2").arg(hourName(r.first), hourName(r.last))
                       : QStringLiteral("between %1 and %2:59").arg(hourName(r.first), twoDigits(r.last));
    } else if (plainValues(hours, &hourValues) && hourValues.size() == 1) {
        hourPart =
            QStringLiteral("between %1 and %2:59").arg(hourName(hourValues.first()), twoDigits(hourValues.first()));
    } else {
        hourPart = QStringLiteral("during hours ") + fieldPhrase(hours, QStringLiteral("hour"), twoDigits);
    }
    QString text = parts.join(QStringLiteral(", "));
    if (!hourPart.isEmpty())
        text += QLatin1Char(' ') + hourPart;
    text[0] = text.at(0).toUpper();
    return text;
}

QString dayOfMonthPhrase(const QList<CronElement> &elements)
{
    QStringList days;     // "1", "1 through 7", "every 2nd day from 3"
    QStringList specials; // "the last day of the month", ...
    for (const CronElement &e : elements) {
        switch (e.kind) {
        case Kind::LastDay:
            specials.append(e.first == 0 ? QStringLiteral("on the last day of the month")
                                         : QStringLiteral("%1 day%2 before the last day of the month")
                                               .arg(e.first)
                                               .arg(e.first == 1 ? QString() : QStringLiteral("s")));
            break;
        case Kind::NearestWeekday:
            specials.append(QStringLiteral("on the weekday nearest day %1 of the month").arg(e.first));
            break;
        case Kind::LastWeekday:
            specials.append(QStringLiteral("on the last weekday of the month"));
            break;
        case Kind::Any:
            specials.append(e.step == 1 ? QStringLiteral("every day")
                                        : QStringLiteral("on every %1 day of the month").arg(ordinal(e.step)));
            break;
        default:
            if (e.hasStep && e.step > 1)
                specials.append(QStringLiteral("on ") +
                                elementPhrase(e, QStringLiteral("day"), [](int d) { return QString::number(d); }) +
                                QStringLiteral(" of the month"));
            else
                days.append(elementPhrase(e, QStringLiteral("day"), [](int d) { return QString::number(d); }));
        }
    }
    if (!days.isEmpty()) {
        const bool plural = days.size() > 1 || days.first().contains(QLatin1String("through"));
        specials.prepend(
            QStringLiteral("on day%1 %2 of the month").arg(plural ? QStringLiteral("s") : QString(), joinList(days)));
    }
    return joinList(specials);
}

QString dayOfWeekPhrase(const QList<CronElement> &elements, const QString &joiner)
{
    const auto dayName = [](int d) { return QString::fromLatin1(DayNames[d % 7]); };
    QStringList parts;
    bool onlyOneRange = elements.size() == 1 && elements.first().kind == Kind::Range && !elements.first().hasStep;
    for (const CronElement &e : elements) {
        switch (e.kind) {
        case Kind::LastOfWeekday:
            parts.append(QStringLiteral("the last %1 of the month").arg(dayName(e.first)));
            break;
        case Kind::NthOfWeekday:
            parts.append(
                QStringLiteral("the %1 %2 of the month").arg(QLatin1String(Occurrences[e.last]), dayName(e.first)));
            break;
        case Kind::Range:
            if (!e.hasStep && e.first == 0 && e.last == 7) {
                parts.append(QStringLiteral("every day of the week"));
                break;
            }
            [[fallthrough]];
        default:
            parts.append(elementPhrase(e, QStringLiteral("day of the week"), dayName));
        }
    }
    const QString list = joinList(parts, joiner);
    return onlyOneRange ? list : QStringLiteral("on ") + list;
}

QString dayPhrase(const CronExpression &expression)
{
    const auto dom = expression.elements(CronField::DayOfMonth);
    const auto dow = expression.elements(CronField::DayOfWeek);
    const bool everyDom = isEvery(dom);
    const bool everyDow = isEvery(dow);
    if (everyDom && everyDow)
        return QStringLiteral("every day");
    if (everyDom)
        return dayOfWeekPhrase(dow, QStringLiteral("and"));
    if (everyDow)
        return dayOfMonthPhrase(dom);
    if (expression.dayFieldsAreAlternatives())
        return dayOfMonthPhrase(dom) + QStringLiteral(" or ") + dayOfWeekPhrase(dow, QStringLiteral("or"));
    // One day field starts with '*', so cron requires both to match: name the weekdays one by one.
    QStringList weekdays;
    quint8 plainDays = 0;
    for (const CronElement &e : dow) {
        if (e.kind == Kind::LastOfWeekday || e.kind == Kind::NthOfWeekday) {
            QString special = dayOfWeekPhrase({e}, QStringLiteral("or"));
            weekdays.append(special.startsWith(QLatin1String("on ")) ? special.mid(3) : special);
            continue;
        }
        const int last = e.kind == Kind::Value && !e.hasStep ? e.first : e.last;
        const int length = e.first <= last ? last - e.first + 1 : last - e.first + 8;
        for (int i = 0; i < length; i += e.step)
            plainDays |= quint8(1u << ((e.first + i) % 7));
    }
    QStringList names;
    for (int d = 1; d <= 7; ++d) { // Monday first, Sunday last
        if (plainDays >> (d % 7) & 1)
            names.append(QLatin1String("a ") + QLatin1String(DayNames[d % 7]));
    }
    weekdays = names + weekdays;
    return dayOfMonthPhrase(dom) + QStringLiteral(", if it is ") + joinList(weekdays, QStringLiteral("or"));
}

QString monthPhrase(const CronExpression &expression)
{
    const auto months = expression.elements(CronField::Month);
    if (isEvery(months))
        return {};
    return QStringLiteral("in ") +
           fieldPhrase(months, QStringLiteral("month"), [](int m) { return QString::fromLatin1(MonthNames[m - 1]); });
}

} // namespace

QString CronDescription::describe(const CronExpression &expression)
{
    if (!expression.isValid())
        return {};
    if (expression.isReboot())
        return QStringLiteral("Once, each time the scheduler starts");
    const QString time = timePhrase(expression);
    const QString days = dayPhrase(expression);
    const QString months = monthPhrase(expression);
    const bool everyDay = days == QLatin1String("every day");
    QString text = time;
    // "Every 15 minutes" needs no "every day"; "At 02:30" does.
    if (!everyDay || (!time.contains(QLatin1String("every"), Qt::CaseInsensitive) && months.isEmpty()))
        text += QStringLiteral(", ") + days;
    else if (everyDay && !months.isEmpty() && !time.contains(QLatin1String("every"), Qt::CaseInsensitive))
        text += QStringLiteral(", every day");
    if (!months.isEmpty())
        text += (everyDay ? QStringLiteral(" ") : QStringLiteral(", ")) + months;
    return text;
}

QString CronDescription::describeDstRule(const CronExpression &expression)
{
    if (!expression.isValid() || expression.isReboot())
        return {};
    if (expression.isFixedTime())
        return QStringLiteral("fixed time: runs once in a repeated hour, and right after the change when its time "
                              "falls in a skipped hour");
    return QStringLiteral("wall clock: runs in both passes of a repeated hour and not at all in a skipped hour");
}

} // namespace Taskdeck::Core

#include "cronexpression.h"

#include "civiltime.h"
#include "cronparser.h"

#include <QStringList>

#include <array>
#include <bit>

namespace Taskdeck::Core {

namespace {

// Smallest set bit >= from, or -1.
int nextBit(quint64 mask, int from)
{
    if (from < 0)
        from = 0;
    if (from >= 64)
        return -1;
    const quint64 rest = mask >> from;
    return rest ? from + std::countr_zero(rest) : -1;
}

// Largest set bit <= from, or -1.
int previousBit(quint64 mask, int from)
{
    if (from < 0)
        return -1;
    const quint64 rest = from >= 63 ? mask : mask & ((quint64(2) << from) - 1);
    return rest ? 63 - std::countl_zero(rest) : -1;
}

} // namespace

CronExpression CronExpression::parse(const QString &text, CronError *error)
{
    CronExpression expression;
    expression.m_text = text.trimmed();
    if (!parseCronExpression(text, expression, error))
        return {};
    if (error)
        *error = {};
    return expression;
}

QString CronExpression::normalized() const
{
    if (!m_valid)
        return {};
    if (m_reboot)
        return QStringLiteral("@reboot");
    QStringList fields;
    for (int f = m_hasSeconds ? 0 : 1; f < 6; ++f) {
        QStringList parts;
        for (const CronElement &e : m_elements[f]) {
            QString part;
            switch (e.kind) {
            case CronElement::Kind::Any:
                part = QStringLiteral("*");
                break;
            case CronElement::Kind::Value:
                part = QString::number(e.first);
                break;
            case CronElement::Kind::Range:
                part = QStringLiteral("%1-%2").arg(e.first).arg(e.last);
                break;
            case CronElement::Kind::LastDay:
                part = e.first == 0 ? QStringLiteral("L") : QStringLiteral("L-%1").arg(e.first);
                break;
            case CronElement::Kind::NearestWeekday:
                part = QStringLiteral("%1W").arg(e.first);
                break;
            case CronElement::Kind::LastWeekday:
                part = QStringLiteral("LW");
                break;
            case CronElement::Kind::LastOfWeekday:
                part = QStringLiteral("%1L").arg(e.first);
                break;
            case CronElement::Kind::NthOfWeekday:
                part = QStringLiteral("%1#%2").arg(e.first).arg(e.last);
                break;
            }
            if (e.hasStep)
                part += QStringLiteral("/%1").arg(e.step);
            parts.append(part);
        }
        fields.append(parts.join(QLatin1Char(',')));
    }
    return fields.join(QLatin1Char(' '));
}

quint32 CronExpression::dayMask(qint64 year, int month) const
{
    const int length = Civil::daysInMonth(year, month);
    const quint32 valid = quint32((quint64(1) << (length + 1)) - 2);
    const int firstWeekday = Civil::weekday(year, month, 1);

    quint32 dom = m_daysOfMonth & valid;
    for (quint32 offsets = m_lastDayOffsets; offsets; offsets &= offsets - 1) {
        const int day = length - std::countr_zero(offsets);
        if (day >= 1)
            dom |= quint32(1) << day;
    }
    for (quint32 days = m_nearestWeekdays; days; days &= days - 1) {
        int day = std::countr_zero(days);
        if (day > length)
            continue;
        const int weekday = (firstWeekday + day - 1) % 7;
        if (weekday == 6) // Saturday: the Friday before, or the Monday after when the 1st
            day = day == 1 ? 3 : day - 1;
        else if (weekday == 0) // Sunday: the Monday after, or the Friday before when the last
            day = day == length ? day - 2 : day + 1;
        dom |= quint32(1) << day;
    }
    if (m_lastWeekday) {
        const int weekday = (firstWeekday + length - 1) % 7;
        dom |= quint32(1) << (length - (weekday == 6 ? 1 : weekday == 0 ? 2 : 0));
    }

    // The weekday pattern of days 1-7 repeats through the month.
    quint32 week = 0;
    for (int i = 0; i < 7; ++i) {
        if (m_daysOfWeek >> ((firstWeekday + i) % 7) & 1)
            week |= quint32(1) << (i + 1);
    }
    quint32 dow = (week | week << 7 | week << 14 | week << 21 | week << 28) & valid;
    const int lastWeekdayOfMonth = (firstWeekday + length - 1) % 7;
    for (int d = 0; d < 7; ++d) {
        if (m_lastOfWeekdays >> d & 1)
            dow |= quint32(1) << (length - (lastWeekdayOfMonth - d + 7) % 7);
        for (quint32 nths = m_nthOfWeekday[d]; nths; nths &= nths - 1) {
            const int day = 1 + (d - firstWeekday + 7) % 7 + 7 * (std::countr_zero(nths) - 1);
            if (day <= length)
                dow |= quint32(1) << day;
        }
    }
    return dayFieldsAreAlternatives() ? (dom | dow) : (dom & dow);
}

bool CronExpression::matchesDay(qint64 year, int month, int day) const
{
    return m_valid && !m_reboot && (m_months >> month & 1) && (dayMask(year, month) >> day & 1);
}

bool CronExpression::matches(qint64 year, int month, int day, int hour, int minute, int second) const
{
    return matchesDay(year, month, day) && (m_hours >> hour & 1) && (m_minutes >> minute & 1) &&
           (m_seconds >> second & 1);
}

// The day mask of the month a search is in, computed once per month visited.
class MonthMaskCache
{
public:
    explicit MonthMaskCache(const CronExpression &expression)
        : m_expression(expression)
    {}

    quint32 get(qint64 year, int month)
    {
        if (year != m_year || month != m_month) {
            m_mask = m_expression.dayMask(year, month);
            m_year = year;
            m_month = month;
        }
        return m_mask;
    }

private:
    const CronExpression &m_expression;
    qint64 m_year = 0;
    int m_month = 0;
    quint32 m_mask = 0;
};

std::optional<qint64> CronExpression::nextLocal(qint64 from) const
{
    if (!m_valid || m_reboot || !m_canEverMatch)
        return std::nullopt;
    const Civil::WallTime start = Civil::wallTimeFromSeconds(from);
    qint64 year = start.year;
    int month = start.month;
    int day = start.day;
    int hour = start.hour;
    int minute = start.minute;
    int second = start.second;
    const qint64 lastYear = year + 400;

    MonthMaskCache masks(*this);
    const auto startOfDay = [&] { hour = minute = second = 0; };
    const auto nextMonth = [&] {
        day = 1;
        startOfDay();
        if (++month > 12) {
            month = 1;
            ++year;
        }
    };
    while (year <= lastYear) {
        if (!(m_months >> month & 1)) {
            const int m = nextBit(m_months, month + 1);
            if (m < 0) {
                ++year;
                month = nextBit(m_months, 1);
            } else {
                month = m;
            }
            day = 1;
            startOfDay();
            continue;
        }
        const quint32 mask = masks.get(year, month);
        const int d = nextBit(mask, day);
        if (d < 0) {
            nextMonth();
            continue;
        }
        if (d != day) {
            day = d;
            startOfDay();
        }
        const int h = nextBit(m_hours, hour);
        if (h < 0) {
            ++day;
            startOfDay();
            continue;
        }
        if (h != hour) {
            hour = h;
            minute = second = 0;
        }
        const int m = nextBit(m_minutes, minute);
        if (m < 0) {
            ++hour;
            minute = second = 0;
            continue;
        }
        if (m != minute) {
            minute = m;
            second = 0;
        }
        const int s = nextBit(m_seconds, second);
        if (s < 0) {
            ++minute;
            second = 0;
            continue;
        }
        return Civil::secondsFromWallTime(year, month, day, hour, minute, s);
    }
    return std::nullopt;
}

std::optional<qint64> CronExpression::previousLocal(qint64 to) const
{
    if (!m_valid || m_reboot || !m_canEverMatch)
        return std::nullopt;
    const Civil::WallTime start = Civil::wallTimeFromSeconds(to);
    qint64 year = start.year;
    int month = start.month;
    int day = start.day;
    int hour = start.hour;
    int minute = start.minute;
    int second = start.second;
    const qint64 firstYear = year - 400;

    MonthMaskCache masks(*this);
    const auto endOfDay = [&] {
        hour = 23;
        minute = second = 59;
    };
    const auto previousMonth = [&] {
        if (--month < 1) {
            month = 12;
            --year;
        }
        day = Civil::daysInMonth(year, month);
        endOfDay();
    };
    while (year >= firstYear) {
        if (!(m_months >> month & 1)) {
            const int m = previousBit(m_months, month - 1);
            if (m < 1) {
                --year;
                month = previousBit(m_months, 12);
            } else {
                month = m;
            }
            day = Civil::daysInMonth(year, month);
            endOfDay();
            continue;
        }
        const quint32 mask = masks.get(year, month);
        const int d = previousBit(mask, day);
        if (d < 1) {
            previousMonth();
            continue;
        }
        if (d != day) {
            day = d;
            endOfDay();
        }
        const int h = previousBit(m_hours, hour);
        if (h < 0) {
            --day;
            endOfDay();
            continue;
        }
        if (h != hour) {
            hour = h;
            minute = second = 59;
        }
        const int m = previousBit(m_minutes, minute);
        if (m < 0) {
            --hour;
            minute = second = 59;
            continue;
        }
        if (m != minute) {
            minute = m;
            second = 59;
        }
        const int s = previousBit(m_seconds, second);
        if (s < 0) {
            --minute;
            second = 59;
            continue;
        }
        return Civil::secondsFromWallTime(year, month, day, hour, minute, s);
    }
    return std::nullopt;
}

} // namespace Taskdeck::Core

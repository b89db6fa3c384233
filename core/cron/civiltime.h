#pragma once

// Proleptic Gregorian calendar arithmetic on plain integers. The cron search runs millions of
// times a second, so it works on "local seconds" (seconds since 1970-01-01T00:00 on the wall
// clock of some zone) instead of QDate/QDateTime, which validate and convert on every step.
// The day-number conversions are the well-known era-based algorithms (400-year cycles).

#include <QtGlobal>

namespace Taskdeck::Core::Civil {

inline constexpr qint64 SecondsPerDay = 86400;

struct Date
{
    qint64 year;
    int month; // 1-12
    int day;   // 1-31
};

constexpr qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr bool isLeapYear(qint64 year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int daysInMonth(qint64 year, int month)
{
    constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && isLeapYear(year) ? 29 : lengths[month - 1];
}

// Days since 1970-01-01 of the given date.
constexpr qint64 daysFromCivil(qint64 year, int month, int day)
{
    year -= month <= 2 ? 1 : 0;
    const qint64 era = floorDiv(year, 400);
    const qint64 yearOfEra = year - era * 400;
    const qint64 dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const qint64 dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
}

constexpr Date civilFromDays(qint64 days)
{
    days += 719468;
    const qint64 era = floorDiv(days, 146097);
    const qint64 dayOfEra = days - era * 146097;
    const qint64 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 mp = (5 * dayOfYear + 2) / 153;
    const int day = int(dayOfYear - (153 * mp + 2) / 5 + 1);
    const int month = int(mp < 10 ? mp + 3 : mp - 9);
    return {yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// 0 = Sunday ... 6 = Saturday, as cron counts.
constexpr int weekdayFromDays(qint64 days)
{
    return int(floorDiv(days + 4, 7) * -7 + days + 4); // 1970-01-01 was a Thursday
}

constexpr int weekday(qint64 year, int month, int day)
{
    return weekdayFromDays(daysFromCivil(year, month, day));
}

// A wall-clock reading split into fields.
struct WallTime
{
    qint64 year;
    int month;
    int day;
    int hour;
    int minute;
    int second;
};

constexpr WallTime wallTimeFromSeconds(qint64 localSeconds)
{
    const qint64 days = floorDiv(localSeconds, SecondsPerDay);
    const int secondOfDay = int(localSeconds - days * SecondsPerDay);
    const Date date = civilFromDays(days);
    return {date.year, date.month, date.day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60};
}

constexpr qint64 secondsFromWallTime(qint64 year, int month, int day, int hour, int minute, int second)
{
    return daysFromCivil(year, month, day) * SecondsPerDay + qint64(hour) * 3600 + qint64(minute) * 60 + second;
}

static_assert(daysFromCivil(1970, 1, 1) == 0);
static_assert(wallTimeFromSeconds(-1).year == 1969 && wallTimeFromSeconds(-1).second == 59);
static_assert(secondsFromWallTime(1970, 1, 2, 0, 0, 1) == 86401);
static_assert(daysFromCivil(2000, 3, 1) == 11017);
static_assert(civilFromDays(11017).year == 2000 && civilFromDays(11017).month == 3);
static_assert(weekday(2026, 12, 3) == 4); // a Thursday
static_assert(weekday(1969, 12, 28) == 0);

} // namespace Taskdeck::Core::Civil

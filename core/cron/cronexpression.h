#pragma once

#include "cronerror.h"

#include <QList>
#include <QString>

#include <optional>

namespace Taskdeck::Core {

enum class CronField { Second, Minute, Hour, DayOfMonth, Month, DayOfWeek };

// One comma-separated element of a field, as written (after names are resolved to numbers).
struct CronElement
{
    enum class Kind {
        Any,            // * or ?, optionally with a step
        Value,          // a, or a/step (a through the field's maximum)
        Range,          // a-b, optionally with a step; a > b wraps around
        LastDay,        // L or L-n (first = n)                       day-of-month only
        NearestWeekday, // nW (first = n)                             day-of-month only
        LastWeekday,    // LW                                         day-of-month only
        LastOfWeekday,  // dL, e.g. 5L: last Friday (first = d)       day-of-week only
        NthOfWeekday,   // d#n, e.g. 5#2: second Friday (first = d, last = n)
    };
    Kind kind = Kind::Any;
    int first = 0;
    int last = 0;
    int step = 1;
    bool hasStep = false;

    friend bool operator==(const CronElement &, const CronElement &) = default;
};

// A parsed cron expression: which wall-clock times match it. It knows nothing of time zones;
// CronSchedule applies one (and the DST rules) on top. Immutable and cheap to copy, so one
// instance may be used from several threads.
class CronExpression
{
public:
    CronExpression() = default;

    // Parses 5 fields (minute hour day-of-month month day-of-week), 6 fields (seconds first)
    // or a macro. On failure returns an invalid expression and fills *error.
    static CronExpression parse(const QString &text, CronError *error = nullptr);

    bool isValid() const { return m_valid; }
    bool isReboot() const { return m_reboot; }
    bool hasSecondsField() const { return m_hasSeconds; }
    // False when no date can ever match, e.g. "0 0 30 2 *".
    bool canEverMatch() const { return m_canEverMatch; }
    // A fixed-time job has no '*' and no step in its minute and hour fields. cron(8) runs such a
    // job once when DST repeats an hour, and right after the change when DST skips its time;
    // other jobs follow the wall clock.
    bool isFixedTime() const { return m_fixedTime; }

    QString text() const { return m_text; }
    // Macros expanded, names as numbers, '?' as '*', single 7 as 0; the field count as written.
    QString normalized() const;

    QList<CronElement> elements(CronField field) const { return m_elements[int(field)]; }
    // Vixie cron's rule hangs on this: a day field whose text starts with '*' (or '?') counts as
    // unrestricted, and only when both day fields are restricted does a day match if either does.
    bool isStarred(CronField field) const { return m_starred[int(field)]; }
    bool dayFieldsAreAlternatives() const
    {
        return !isStarred(CronField::DayOfMonth) && !isStarred(CronField::DayOfWeek);
    }

    // Whether the wall-clock date and time match (year, month 1-12, day 1-31, h, m, s).
    bool matches(qint64 year, int month, int day, int hour, int minute, int second) const;
    bool matchesDay(qint64 year, int month, int day) const;

    // Search on "local seconds" (seconds since 1970-01-01T00:00 of some wall clock): the first
    // matching second at or after `from`, the last at or before `to`. nullopt when none within
    // 400 years (which, the calendar repeating every 400 years, means never).
    std::optional<qint64> nextLocal(qint64 from) const;
    std::optional<qint64> previousLocal(qint64 to) const;

private:
    // Bit n set: the day numbered n matches (bit 0 unused; 1-31).
    quint32 dayMask(qint64 year, int month) const;

    QString m_text;
    QList<CronElement> m_elements[6];
    bool m_starred[6] = {};

    quint64 m_seconds = 0;
    quint64 m_minutes = 0;
    quint32 m_hours = 0;
    quint32 m_daysOfMonth = 0;     // bits 1-31
    quint32 m_lastDayOffsets = 0;  // L-n: bit n
    quint32 m_nearestWeekdays = 0; // nW: bit n
    quint32 m_months = 0;          // bits 1-12
    quint8 m_daysOfWeek = 0;       // bits 0-6, Sunday = 0
    quint8 m_lastOfWeekdays = 0;   // dL: bit d
    quint8 m_nthOfWeekday[7] = {}; // d#n: bit n of entry d
    bool m_lastWeekday = false;    // LW

    bool m_valid = false;
    bool m_reboot = false;
    bool m_hasSeconds = false;
    bool m_canEverMatch = false;
    bool m_fixedTime = false;

    friend class CronParser;
    friend class MonthMaskCache;
};

} // namespace Taskdeck::Core

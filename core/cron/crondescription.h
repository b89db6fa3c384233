#pragma once

#include "cronexpression.h"

#include <QString>

namespace Taskdeck::Core {

// Says in English when an expression fires: "At 02:30, every day",
// "Every 15 minutes, Monday through Friday", "At 00:00, on day 13 of the month or on Friday".
// Where both day fields are restricted the text says "or", because that is what cron does.
class CronDescription
{
public:
    static QString describe(const CronExpression &expression);
    // Which cron(8) DST rule applies: fixed time or wall clock, in one sentence.
    static QString describeDstRule(const CronExpression &expression);
};

} // namespace Taskdeck::Core

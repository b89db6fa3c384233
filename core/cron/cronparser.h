#pragma once

#include "cronexpression.h"

namespace Taskdeck::Core {

// Turns text into a CronExpression, reporting the first problem with its column. Internal to
// CronExpression::parse, which is what callers use.
class CronParser;

// Fills `out` from `text`; on failure returns false and describes the first problem in *error.
bool parseCronExpression(const QString &text, CronExpression &out, CronError *error);

} // namespace Taskdeck::Core

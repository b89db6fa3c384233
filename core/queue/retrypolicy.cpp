#include "retrypolicy.h"

#include <QRandomGenerator>
#include <QStringList>

#include <algorithm>

namespace Taskdeck::Core {

qint64 RetryPolicy::delayCeilingMs(int failedAttempt) const
{
    if (failedAttempt < 1)
        return 0;
    if (!explicitDelaysMs.isEmpty())
        return explicitDelaysMs.at(std::min<qsizetype>(failedAttempt, explicitDelaysMs.size()) - 1);
    // base * 2^(n-1), without overflowing on large n.
    qint64 delay = std::max<qint64>(baseDelayMs, 0);
    for (int i = 1; i < failedAttempt && delay < maxDelayMs; ++i)
        delay *= 2;
    return std::min(delay, maxDelayMs);
}

qint64 RetryPolicy::delayMs(int failedAttempt, QRandomGenerator &random) const
{
    const qint64 ceiling = delayCeilingMs(failedAttempt);
    if (!jitter || ceiling <= 0)
        return ceiling;
    return qint64(random.bounded(double(ceiling) + 1.0)); // uniform in [0, ceiling]
}

std::optional<RetryPolicy> RetryPolicy::withBackoff(const QString &text, RetryPolicy base, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<RetryPolicy> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QStringList parts = text.split(QLatin1Char(':'));
    if (parts.size() > 2)
        return fail(QStringLiteral("'%1' is not BASE_MS or BASE_MS:MAX_MS").arg(text));
    qint64 values[2] = {0, 0};
    for (qsizetype i = 0; i < parts.size(); ++i) {
        bool ok = false;
        const QString &part = parts.at(i);
        const qint64 value = part.toLongLong(&ok);
        const bool digits = !part.isEmpty() && std::all_of(part.cbegin(), part.cend(), [](QChar c) {
            return c.unicode() >= '0' && c.unicode() <= '9';
        });
        if (!ok || !digits)
            return fail(QStringLiteral("'%1' is not a whole number of milliseconds").arg(part));
        if (value > qint64(30) * 24 * 3600 * 1000)
            return fail(QStringLiteral("%1 ms is more than 30 days").arg(part));
        values[i] = value;
    }
    base.baseDelayMs = values[0];
    if (parts.size() == 2) {
        if (values[1] < values[0])
            return fail(QStringLiteral("the maximum %1 ms is below the base %2 ms").arg(values[1]).arg(values[0]));
        base.maxDelayMs = values[1];
    } else {
        base.maxDelayMs = std::max(base.maxDelayMs, base.baseDelayMs);
    }
    base.explicitDelaysMs.clear();
    return base;
}

} // namespace Taskdeck::Core

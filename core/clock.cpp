#include "clock.h"

#include <QTimeZone>

namespace Taskdeck::Core {

namespace {

class SystemClock final : public Clock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
};

} // namespace

const Clock &Clock::system()
{
    static const SystemClock clock;
    return clock;
}

ManualClock::ManualClock(const QDateTime &start)
    : m_msecs(start.toMSecsSinceEpoch())
{}

QDateTime ManualClock::now() const
{
    return QDateTime::fromMSecsSinceEpoch(m_msecs.load(), QTimeZone::utc());
}

void ManualClock::set(const QDateTime &time)
{
    m_msecs.store(time.toMSecsSinceEpoch());
}

void ManualClock::advance(qint64 milliseconds)
{
    m_msecs.fetch_add(milliseconds);
}

} // namespace Taskdeck::Core

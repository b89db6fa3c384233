#pragma once

#include <QDateTime>

#include <atomic>

namespace Taskdeck::Core {

// Where "now" comes from. The engine and scheduler take one, so that tests can move time by hand
// instead of waiting for it.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0; // UTC

    static const Clock &system();
};

// A clock that stands still until told to move. Safe to read from any thread.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(const QDateTime &start);
    QDateTime now() const override;
    void set(const QDateTime &time);
    void advance(qint64 milliseconds);

private:
    std::atomic<qint64> m_msecs;
};

} // namespace Taskdeck::Core

#pragma once

#include <QDateTime>
#include <QObject>

class QSocketNotifier;

namespace Taskdeck::Core {

// A single-shot timer for a moment of the wall clock, where a QTimer counts a span of the
// monotonic clock. Cron times are wall-clock times: a QTimer armed for one stops counting while
// the machine sleeps and keeps its span when the clock is set. This one (a Linux timerfd on
// CLOCK_REALTIME, absolute, TFD_TIMER_CANCEL_ON_SET) fires at resume when its moment passed during
// a sleep, and tells when the wall clock was set, whether or not it is armed. No polling: between
// those events it costs nothing.
//
// Lives in the thread of its parent; isValid() is false where timerfd is missing (then the owner
// falls back to a QTimer with a cap).
class WallTimer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WallTimer)

public:
    explicit WallTimer(QObject *parent = nullptr);
    ~WallTimer() override;

    bool isValid() const { return m_fd >= 0; }
    // Fires timeout() once the wall clock reaches `at` (at once if it has). Replaces an earlier time.
    void start(const QDateTime &at);
    // No timeout() until the next start(); clockChanged() still comes.
    void stop();
    QDateTime target() const { return m_target; }

    // How long the machine has been suspended since it booted (CLOCK_BOOTTIME minus
    // CLOCK_MONOTONIC), in ms: a wake compares it with the last one to tell it slept.
    static qint64 suspendedMs();

Q_SIGNALS:
    void timeout();
    // Someone set the wall clock (date, NTP step, a time zone change does not count: UTC did not
    // move). The timer stays armed for its moment, now measured on the new clock.
    void clockChanged();

private:
    void arm();
    void onReadable();

    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QDateTime m_target; // invalid: stopped
};

} // namespace Taskdeck::Core

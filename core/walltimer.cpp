#include "walltimer.h"

#include <QLoggingCategory>
#include <QSocketNotifier>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <sys/timerfd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcWallTimer, "taskdeck.core.walltimer", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

// Armed this far ahead while stopped, only to keep hearing of clock changes.
constexpr qint64 FarAheadMs = qint64(10) * 365 * 24 * 3600 * 1000;

timespec toTimespec(qint64 ms)
{
    timespec ts{};
    ts.tv_sec = time_t(ms / 1000);
    ts.tv_nsec = long(ms % 1000) * 1000000L;
    if (ts.tv_nsec < 0) {
        ts.tv_sec -= 1;
        ts.tv_nsec += 1000000000L;
    }
    return ts;
}

qint64 clockMs(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

} // namespace

WallTimer::WallTimer(QObject *parent)
    : QObject(parent)
{
    m_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_fd < 0) {
        qCWarning(lcWallTimer, "timerfd_create: %s; wall-clock changes are noticed late", strerror(errno));
        return;
    }
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &WallTimer::onReadable);
    arm();
}

WallTimer::~WallTimer()
{
    if (m_fd >= 0) {
        delete m_notifier;
        ::close(m_fd);
    }
}

void WallTimer::start(const QDateTime &at)
{
    const QDateTime target = at.isValid() ? at : QDateTime::currentDateTimeUtc();
    if (target == m_target)
        return; // armed for it already (the engine re-arms on every wake)
    m_target = target;
    arm();
}

void WallTimer::stop()
{
    if (!m_target.isValid())
        return;
    m_target = QDateTime();
    arm();
}

void WallTimer::arm()
{
    if (m_fd < 0)
        return;
    qint64 at = m_target.isValid() ? m_target.toMSecsSinceEpoch() : clockMs(CLOCK_REALTIME) + FarAheadMs;
    if (at <= 0)
        at = 1; // an all-zero it_value would disarm it
    itimerspec spec{};
    spec.it_value = toTimespec(at);
    if (timerfd_settime(m_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr) != 0)
        qCWarning(lcWallTimer, "timerfd_settime: %s", strerror(errno));
}

void WallTimer::onReadable()
{
    std::uint64_t expirations = 0;
    const ssize_t n = ::read(m_fd, &expirations, sizeof expirations);
    if (n < 0 && errno == ECANCELED) {
        // The clock was set: the timer is disarmed until armed again.
        arm();
        Q_EMIT clockChanged();
        return;
    }
    if (n != ssize_t(sizeof expirations))
        return; // nothing to read (a spurious wake)
    const bool due = m_target.isValid();
    m_target = QDateTime();
    arm(); // far ahead again, to keep hearing of clock changes
    if (due)
        Q_EMIT timeout();
}

qint64 WallTimer::suspendedMs()
{
    return clockMs(CLOCK_BOOTTIME) - clockMs(CLOCK_MONOTONIC);
}

} // namespace Taskdeck::Core

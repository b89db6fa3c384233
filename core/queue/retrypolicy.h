#pragma once

#include <QList>
#include <QString>

#include <optional>

class QRandomGenerator;

namespace Taskdeck::Core {

// When a failed task runs again, and when it stops trying. Either exponential backoff
// (base * 2^(n-1), capped) or an explicit list of delays; either way with "full jitter": the
// actual wait is uniform in [0, delay], so that a storm of failures does not retry in lockstep.
struct RetryPolicy
{
    static constexpr int DefaultMaxAttempts = 5;
    static constexpr qint64 DefaultBaseDelayMs = 1000;
    static constexpr qint64 DefaultMaxDelayMs = 60 * 60 * 1000;

    int maxAttempts = DefaultMaxAttempts; // attempts in all, the first included
    qint64 baseDelayMs = DefaultBaseDelayMs;
    qint64 maxDelayMs = DefaultMaxDelayMs;
    QList<qint64> explicitDelaysMs; // when set: the wait after failure n; the last one repeats
    QList<int> noRetryExitCodes;    // a process exiting with one of these goes straight to dead
    bool jitter = true;

    // Whether another attempt follows a failure of attempt `failedAttempt` (1-based).
    bool allowsAnotherAttempt(int failedAttempt) const { return failedAttempt < maxAttempts; }
    bool retriesExitCode(int exitCode) const { return !noRetryExitCodes.contains(exitCode); }

    // The longest wait after attempt `failedAttempt` failed (the jitter picks in [0, this]).
    qint64 delayCeilingMs(int failedAttempt) const;
    // The wait actually used: with jitter, uniform in [0, ceiling].
    qint64 delayMs(int failedAttempt, QRandomGenerator &random) const;

    // Reads "BASE_MS" or "BASE_MS:MAX_MS" (the --backoff option). On failure returns nullopt and
    // names the problem in *error.
    static std::optional<RetryPolicy> withBackoff(const QString &text, RetryPolicy base, QString *error);

    friend bool operator==(const RetryPolicy &, const RetryPolicy &) = default;
};

} // namespace Taskdeck::Core

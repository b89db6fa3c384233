// Cron engine throughput: how many next() answers a second, for typical and rare expressions, in
// UTC and in a DST zone. Beside each figure, in the same run, the baseline many schedulers use:
// stepping minute by minute until the expression matches. Prints figures; never fails on timing.
//
//   bench_cron [--quick]

#include "cron/cronschedule.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>

using namespace Taskdeck::Core;

namespace {

struct Case
{
    const char *expression;
    const char *kind;
};

constexpr Case Cases[] = {
    {"*/5 * * * *", "typical"}, {"0 9 * * 1-5", "typical"},
    {"30 2 * * *", "typical"},  {"*/15 9-17 * * MON-FRI", "typical"},
    {"0 0 1 * *", "typical"},   {"0 0 29 2 1", "rare"},
    {"59 23 31 12 5", "rare"},  {"0 0 L 2 *", "rare"},
    {"0 0 29 2 */7", "rarest"},
};

// Random start instants between 2000 and 2100, the same for every case.
QList<qint64> randomStarts(int count)
{
    QRandomGenerator random(20261203);
    QList<qint64> starts;
    starts.reserve(count);
    for (int i = 0; i < count; ++i)
        starts.append(946684800 + qint64(random.bounded(3155760000.0)));
    return starts;
}

struct Figures
{
    double perSecond;
    double meanMicros;
    double p99Micros;
    double maxMicros;
};

Figures measureEngine(const CronSchedule &schedule, const QList<qint64> &starts, int rounds)
{
    QElapsedTimer total;
    double maxNanos = 0;
    qint64 sink = 0;
    total.start();
    for (int round = 0; round < rounds; ++round) {
        for (qint64 start : starts) {
            const auto next = schedule.nextSecs(start);
            sink += next.value_or(0);
        }
    }
    const double elapsed = double(total.nsecsElapsed());
    // Single answers timed one at a time: the 99th percentile and the slowest (which includes any
    // preemption by the OS, so read it as an upper bound).
    QElapsedTimer one;
    QList<double> singles;
    singles.reserve(starts.size());
    for (qint64 start : starts) {
        one.start();
        sink += schedule.nextSecs(start).value_or(0);
        singles.append(double(one.nsecsElapsed()));
    }
    std::sort(singles.begin(), singles.end());
    maxNanos = singles.last();
    const double p99Nanos = singles.at(qsizetype(double(singles.size() - 1) * 0.99));
    if (sink == 42)
        std::puts(""); // keeps the loop from being optimized away
    const double calls = double(starts.size()) * rounds;
    return {calls / (elapsed / 1e9), elapsed / calls / 1000.0, p99Nanos / 1000.0, maxNanos / 1000.0};
}

struct Baseline
{
    double perSecond;
    bool finished; // false: not one answer within the budget, so perSecond is an upper bound
};

// The baseline: step one minute at a time through the wall clock until the expression matches.
Baseline measureMinuteStepper(const CronExpression &expression, const QTimeZone &zone, const QList<qint64> &starts,
                              double budgetSeconds)
{
    QElapsedTimer timer;
    timer.start();
    qint64 calls = 0;
    qint64 sink = 0;
    const qint64 budgetMs = qint64(budgetSeconds * 1000);
    for (qint64 start : starts) {
        QDateTime t = QDateTime::fromSecsSinceEpoch((start / 60 + 1) * 60, zone);
        bool found = false;
        for (int steps = 0; !found; ++steps) {
            const QDate d = t.date();
            const QTime time = t.time();
            found = expression.matches(d.year(), d.month(), d.day(), time.hour(), time.minute(), 0);
            if (!found)
                t = t.addSecs(60);
            if (steps % 4096 == 0 && timer.elapsed() > budgetMs)
                break; // out of time inside one answer: count the fraction of the budget it used
        }
        sink += t.toSecsSinceEpoch();
        if (!found)
            break;
        ++calls;
        if (timer.elapsed() > budgetMs)
            break;
    }
    if (sink == 42)
        std::puts("");
    // With no answer finished inside the budget the rate is below 1/budget; report that bound.
    if (calls == 0)
        return {1.0 / budgetSeconds, false};
    return {double(calls) / (double(timer.nsecsElapsed()) / 1e9), true};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool quick = app.arguments().contains(QStringLiteral("--quick"));
    const QList<qint64> starts = randomStarts(quick ? 200 : 20000);
    const int rounds = quick ? 1 : 5;
    const double stepperBudget = quick ? 0.02 : 1.0;

    std::printf("Taskdeck cron engine: next() from %lld random instants in 2000-2100, one core%s\n",
                static_cast<long long>(starts.size()), quick ? " (quick run: figures are rough)" : "");
    std::printf("%-24s %-8s %-14s %12s %8s %8s %8s %12s %10s\n", "expression", "kind", "zone", "next/s", "mean us",
                "p99 us", "max us", "baseline/s", "speed-up");
    const QTimeZone zones[] = {QTimeZone::utc(), QTimeZone("Europe/Berlin")};
    double slowestTypical = 1e30;
    double slowestRareMean = 0;
    for (const Case &c : Cases) {
        const CronExpression expression = CronExpression::parse(QString::fromLatin1(c.expression));
        for (const QTimeZone &zone : zones) {
            const CronSchedule schedule(expression, zone);
            schedule.nextSecs(0); // warm the zone table
            const Figures f = measureEngine(schedule, starts, rounds);
            const Baseline baseline = measureMinuteStepper(expression, zone, starts, stepperBudget);
            std::printf("%-24s %-8s %-14s %12.0f %8.3f %8.2f %8.1f %12s %9.0fx%s\n", c.expression, c.kind,
                        zone.id().constData(), f.perSecond, f.meanMicros, f.p99Micros, f.maxMicros,
                        baseline.finished ? qPrintable(QString::number(baseline.perSecond, 'f', 0)) : "<1",
                        f.perSecond / baseline.perSecond, baseline.finished ? "" : " (at least)");
            if (qstrcmp(c.kind, "typical") == 0)
                slowestTypical = std::min(slowestTypical, f.perSecond);
            else
                slowestRareMean = std::max(slowestRareMean, f.meanMicros);
        }
    }
    std::printf("\nslowest typical expression: %.2f million next()/s (goal: >= 2)\n", slowestTypical / 1e6);
    std::printf("slowest rare expression:    %.2f us mean per next() (goal: < 20)\n", slowestRareMean);
    return 0;
}

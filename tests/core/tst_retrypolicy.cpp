#include "queue/retrypolicy.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Taskdeck::Core;

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exponentialBackoffDoublesUpToTheCap();
    void explicitDelaysRepeatTheLastOne();
    void fullJitterStaysWithinTheCeilingAndSpreads();
    void withoutJitterTheCeilingIsTheDelay();
    void attemptsAndExitCodesDecideWhetherToRetry();
    void backoffTextIsCheckedAndNamesTheProblem_data();
    void backoffTextIsCheckedAndNamesTheProblem();
};

void TestRetryPolicy::exponentialBackoffDoublesUpToTheCap()
{
    RetryPolicy policy;
    policy.baseDelayMs = 500;
    policy.maxDelayMs = 4000;
    const QList<qint64> expected{0, 500, 1000, 2000, 4000, 4000, 4000};
    for (int n = 0; n < expected.size(); ++n)
        QCOMPARE(policy.delayCeilingMs(n), expected.at(n));
    QCOMPARE(policy.delayCeilingMs(100000), 4000); // no overflow on absurd attempt counts
    RetryPolicy defaults;
    QCOMPARE(defaults.delayCeilingMs(1), 1000);
    QCOMPARE(defaults.delayCeilingMs(13), 3600 * 1000); // 1 s * 2^12 > 1 h: capped
}

void TestRetryPolicy::explicitDelaysRepeatTheLastOne()
{
    RetryPolicy policy;
    policy.explicitDelaysMs = {100, 5000, 60000};
    QCOMPARE(policy.delayCeilingMs(1), 100);
    QCOMPARE(policy.delayCeilingMs(2), 5000);
    QCOMPARE(policy.delayCeilingMs(3), 60000);
    QCOMPARE(policy.delayCeilingMs(9), 60000);
}

void TestRetryPolicy::fullJitterStaysWithinTheCeilingAndSpreads()
{
    RetryPolicy policy;
    policy.baseDelayMs = 1000;
    QRandomGenerator random(42);
    qint64 smallest = 1 << 30;
    qint64 largest = -1;
    for (int i = 0; i < 2000; ++i) {
        const qint64 delay = policy.delayMs(3, random);
        QVERIFY(delay >= 0 && delay <= 4000);
        smallest = std::min(smallest, delay);
        largest = std::max(largest, delay);
    }
    // Full jitter uses the whole range, not a band around the ceiling.
    QVERIFY2(smallest < 400 && largest > 3600, qPrintable(QStringLiteral("%1..%2").arg(smallest).arg(largest)));
}

void TestRetryPolicy::withoutJitterTheCeilingIsTheDelay()
{
    RetryPolicy policy;
    policy.jitter = false;
    QRandomGenerator random(1);
    QCOMPARE(policy.delayMs(2, random), 2000);
}

void TestRetryPolicy::attemptsAndExitCodesDecideWhetherToRetry()
{
    RetryPolicy policy;
    policy.maxAttempts = 3;
    policy.noRetryExitCodes = {2, 64};
    QVERIFY(policy.allowsAnotherAttempt(1));
    QVERIFY(policy.allowsAnotherAttempt(2));
    QVERIFY(!policy.allowsAnotherAttempt(3));
    QVERIFY(policy.retriesExitCode(1));
    QVERIFY(!policy.retriesExitCode(64));
}

void TestRetryPolicy::backoffTextIsCheckedAndNamesTheProblem_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("base");
    QTest::addColumn<qint64>("max");
    QTest::addColumn<QString>("error");
    QTest::newRow("base only keeps the default cap")
        << QStringLiteral("250") << qint64(250) << qint64(3600000) << QString();
    QTest::newRow("base and cap") << QStringLiteral("100:800") << qint64(100) << qint64(800) << QString();
    QTest::newRow("zero base") << QStringLiteral("0") << qint64(0) << qint64(3600000) << QString();
    QTest::newRow("negative") << QStringLiteral("-5") << qint64(0) << qint64(0)
                              << QStringLiteral("'-5' is not a whole number of milliseconds");
    QTest::newRow("words") << QStringLiteral("fast") << qint64(0) << qint64(0)
                           << QStringLiteral("'fast' is not a whole number of milliseconds");
    QTest::newRow("empty cap") << QStringLiteral("100:") << qint64(0) << qint64(0)
                               << QStringLiteral("'' is not a whole number of milliseconds");
    QTest::newRow("cap below base") << QStringLiteral("1000:10") << qint64(0) << qint64(0)
                                    << QStringLiteral("the maximum 10 ms is below the base 1000 ms");
    QTest::newRow("three parts") << QStringLiteral("1:2:3") << qint64(0) << qint64(0)
                                 << QStringLiteral("'1:2:3' is not BASE_MS or BASE_MS:MAX_MS");
    QTest::newRow("beyond 30 days") << QStringLiteral("9999999999") << qint64(0) << qint64(0)
                                    << QStringLiteral("9999999999 ms is more than 30 days");
}

void TestRetryPolicy::backoffTextIsCheckedAndNamesTheProblem()
{
    QFETCH(QString, text);
    QFETCH(qint64, base);
    QFETCH(qint64, max);
    QFETCH(QString, error);
    QString why;
    const auto policy = RetryPolicy::withBackoff(text, RetryPolicy(), &why);
    QCOMPARE(why, error);
    QCOMPARE(policy.has_value(), error.isEmpty());
    if (policy) {
        QCOMPARE(policy->baseDelayMs, base);
        QCOMPARE(policy->maxDelayMs, max);
    }
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"

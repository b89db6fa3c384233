#include "cron/cronschedule.h"
#include "isotime.h"

#include <QTest>
#include <QTimeZone>

using namespace Taskdeck::Core;
using namespace Qt::StringLiterals;

namespace {

QStringList fires(const QString &expression, const QByteArray &zoneId, const QString &from, int count)
{
    const QTimeZone zone(zoneId);
    const CronSchedule schedule(CronExpression::parse(expression), zone);
    QStringList result;
    const auto start = IsoTime::parse(from, zone);
    if (!start)
        return {QStringLiteral("bad start")};
    for (const QDateTime &fire : schedule.nextFires(*start, count))
        result.append(IsoTime::format(fire));
    return result;
}

} // namespace

class TestCronSchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nextFollowsCronDstRules_data();
    void nextFollowsCronDstRules();
    void previousFollowsTheSameRules_data();
    void previousFollowsTheSameRules();
    void nextIsStrictlyAfterAndIgnoresMilliseconds();
    void firesAreReturnedInTheSchedulesZone();
    void neverFiringSchedulesAnswerInvalidAtOnce();
    void invalidZoneOrExpressionMakesAnInvalidSchedule();
    void zoneRulesListTheChangesBetweenTwoInstants();
};

void TestCronSchedule::nextFollowsCronDstRules_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QStringList>("expected");

    // Europe/Berlin 2026: clocks go forward on 29 March at 02:00 (to 03:00) and back on
    // 25 October at 03:00 (to 02:00).
    QTest::newRow("berlin fixed time in skipped hour runs right after the change")
        << QStringLiteral("30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-28T12:00")
        << QStringList{u"2026-03-29T03:00:00+02:00"_s, u"2026-03-30T02:30:00+02:00"_s, u"2026-03-31T02:30:00+02:00"_s};
    QTest::newRow("berlin two skipped times run once")
        << QStringLiteral("0,30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-28T12:00")
        << QStringList{u"2026-03-29T03:00:00+02:00"_s, u"2026-03-30T02:00:00+02:00"_s, u"2026-03-30T02:30:00+02:00"_s};
    QTest::newRow("berlin skipped time and 03:00 collapse")
        << QStringLiteral("0 2,3 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-28T12:00")
        << QStringList{u"2026-03-29T03:00:00+02:00"_s, u"2026-03-30T02:00:00+02:00"_s, u"2026-03-30T03:00:00+02:00"_s};
    QTest::newRow("berlin time just after the gap is untouched")
        << QStringLiteral("0 3 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-28T12:00")
        << QStringList{u"2026-03-29T03:00:00+02:00"_s, u"2026-03-30T03:00:00+02:00"_s};
    QTest::newRow("berlin wall-clock job skips the missing hour")
        << QStringLiteral("*/30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-28T12:00")
        << QStringList{u"2026-03-30T02:00:00+02:00"_s, u"2026-03-30T02:30:00+02:00"_s};
    QTest::newRow("berlin hourly across spring forward")
        << QStringLiteral("0 * * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-29T00:30")
        << QStringList{u"2026-03-29T01:00:00+01:00"_s, u"2026-03-29T03:00:00+02:00"_s, u"2026-03-29T04:00:00+02:00"_s};
    QTest::newRow("berlin fixed time in repeated hour runs once, first pass")
        << QStringLiteral("30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-10-24T12:00")
        << QStringList{u"2026-10-25T02:30:00+02:00"_s, u"2026-10-26T02:30:00+01:00"_s};
    QTest::newRow("berlin wall-clock job runs in both passes")
        << QStringLiteral("*/30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-10-24T12:00")
        << QStringList{u"2026-10-25T02:00:00+02:00"_s, u"2026-10-25T02:30:00+02:00"_s, u"2026-10-25T02:00:00+01:00"_s,
                       u"2026-10-25T02:30:00+01:00"_s, u"2026-10-26T02:00:00+01:00"_s};
    QTest::newRow("berlin hourly across fall back")
        << QStringLiteral("0 * * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-10-25T01:30+02:00")
        << QStringList{u"2026-10-25T02:00:00+02:00"_s, u"2026-10-25T02:00:00+01:00"_s, u"2026-10-25T03:00:00+01:00"_s};
    QTest::newRow("berlin after tz data ends (rule-based, 2050)")
        << QStringLiteral("30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2050-03-26T12:00")
        << QStringList{u"2050-03-27T03:00:00+02:00"_s, u"2050-03-28T02:30:00+02:00"_s};
    QTest::newRow("berlin seconds field in the skipped hour")
        << QStringLiteral("*/20 30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-28T12:00")
        << QStringList{u"2026-03-29T03:00:00+02:00"_s, u"2026-03-30T02:30:00+02:00"_s, u"2026-03-30T02:30:20+02:00"_s};

    // America/New_York 2026: forward on 8 March 02:00 -> 03:00, back on 1 November 02:00 -> 01:00.
    QTest::newRow("new york fixed time in skipped hour")
        << QStringLiteral("15 2 * * *") << QByteArray("America/New_York") << QStringLiteral("2026-03-07T12:00")
        << QStringList{u"2026-03-08T03:00:00-04:00"_s, u"2026-03-09T02:15:00-04:00"_s};
    QTest::newRow("new york fixed time in repeated hour")
        << QStringLiteral("30 1 * * *") << QByteArray("America/New_York") << QStringLiteral("2026-10-31T12:00")
        << QStringList{u"2026-11-01T01:30:00-04:00"_s, u"2026-11-02T01:30:00-05:00"_s};
    QTest::newRow("new york wall clock in repeated hour")
        << QStringLiteral("*/20 1 * * *") << QByteArray("America/New_York") << QStringLiteral("2026-11-01T00:50-04:00")
        << QStringList{u"2026-11-01T01:00:00-04:00"_s, u"2026-11-01T01:20:00-04:00"_s, u"2026-11-01T01:40:00-04:00"_s,
                       u"2026-11-01T01:00:00-05:00"_s, u"2026-11-01T01:20:00-05:00"_s, u"2026-11-01T01:40:00-05:00"_s,
                       u"2026-11-02T01:00:00-05:00"_s};
    QTest::newRow("new york weekdays at 9")
        << QStringLiteral("0 9 * * 1-5") << QByteArray("America/New_York") << QStringLiteral("2026-03-06T12:00")
        << QStringList{u"2026-03-09T09:00:00-04:00"_s, u"2026-03-10T09:00:00-04:00"_s};

    // Australia/Lord_Howe moves by 30 minutes: back on 5 April 2026 at 02:00 (to 01:30), forward on
    // 4 October 2026 at 02:00 (to 02:30).
    QTest::newRow("lord howe fixed time in repeated half hour")
        << QStringLiteral("45 1 * * *") << QByteArray("Australia/Lord_Howe") << QStringLiteral("2026-04-04T12:00")
        << QStringList{u"2026-04-05T01:45:00+11:00"_s, u"2026-04-06T01:45:00+10:30"_s};
    QTest::newRow("lord howe wall clock in repeated half hour")
        << QStringLiteral("*/15 1 * * *") << QByteArray("Australia/Lord_Howe")
        << QStringLiteral("2026-04-05T01:20+11:00")
        << QStringList{u"2026-04-05T01:30:00+11:00"_s, u"2026-04-05T01:45:00+11:00"_s, u"2026-04-05T01:30:00+10:30"_s,
                       u"2026-04-05T01:45:00+10:30"_s, u"2026-04-06T01:00:00+10:30"_s};
    QTest::newRow("lord howe fixed time in skipped half hour")
        << QStringLiteral("15 2 * * *") << QByteArray("Australia/Lord_Howe") << QStringLiteral("2026-10-03T12:00")
        << QStringList{u"2026-10-04T02:30:00+11:00"_s, u"2026-10-05T02:15:00+11:00"_s};
    QTest::newRow("lord howe wall clock in skipped half hour")
        << QStringLiteral("*/10 2 * * *") << QByteArray("Australia/Lord_Howe") << QStringLiteral("2026-10-04T01:55")
        << QStringList{u"2026-10-04T02:30:00+11:00"_s, u"2026-10-04T02:40:00+11:00"_s, u"2026-10-04T02:50:00+11:00"_s,
                       u"2026-10-05T02:00:00+11:00"_s};

    // Zones without DST.
    QTest::newRow("kolkata has no dst") << QStringLiteral("30 2 * * *") << QByteArray("Asia/Kolkata")
                                        << QStringLiteral("2026-03-28T12:00")
                                        << QStringList{u"2026-03-29T02:30:00+05:30"_s, u"2026-03-30T02:30:00+05:30"_s};
    QTest::newRow("utc") << QStringLiteral("0 0 29 2 *") << QByteArray("UTC") << QStringLiteral("2026-01-01T00:00Z")
                         << QStringList{u"2028-02-29T00:00:00+00:00"_s, u"2032-02-29T00:00:00+00:00"_s,
                                        u"2036-02-29T00:00:00+00:00"_s};
    QTest::newRow("fixed offset zone") << QStringLiteral("0 12 * * *") << QByteArray("UTC+05:00")
                                       << QStringLiteral("2026-01-01T00:00Z")
                                       << QStringList{u"2026-01-01T12:00:00+05:00"_s, u"2026-01-02T12:00:00+05:00"_s};
    QTest::newRow("rare: feb 29 or a monday in february")
        << QStringLiteral("0 0 29 2 1") << QByteArray("UTC") << QStringLiteral("2027-02-23T00:00Z")
        << QStringList{u"2028-02-07T00:00:00+00:00"_s, u"2028-02-14T00:00:00+00:00"_s, u"2028-02-21T00:00:00+00:00"_s,
                       u"2028-02-28T00:00:00+00:00"_s, u"2028-02-29T00:00:00+00:00"_s};
    QTest::newRow("rare: new year's eve or a friday in december")
        << QStringLiteral("59 23 31 12 5") << QByteArray("UTC") << QStringLiteral("2026-12-26T00:00Z")
        << QStringList{u"2026-12-31T23:59:00+00:00"_s, u"2027-12-03T23:59:00+00:00"_s};
}

void TestCronSchedule::nextFollowsCronDstRules()
{
    QFETCH(QString, expression);
    QFETCH(QByteArray, zone);
    QFETCH(QString, from);
    QFETCH(QStringList, expected);
    QCOMPARE(fires(expression, zone, from, int(expected.size())), expected);
}

void TestCronSchedule::previousFollowsTheSameRules_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("expected");
    QTest::newRow("skipped time ran right after the change")
        << QStringLiteral("30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-29T12:00")
        << QStringLiteral("2026-03-29T03:00:00+02:00");
    QTest::newRow("repeated time ran in the first pass only")
        << QStringLiteral("30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-10-25T12:00")
        << QStringLiteral("2026-10-25T02:30:00+02:00");
    QTest::newRow("wall clock ran in the second pass")
        << QStringLiteral("*/30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-10-25T04:00+01:00")
        << QStringLiteral("2026-10-25T02:30:00+01:00");
    QTest::newRow("wall clock skipped the missing hour")
        << QStringLiteral("*/30 2 * * *") << QByteArray("Europe/Berlin") << QStringLiteral("2026-03-29T12:00")
        << QStringLiteral("2026-03-28T02:30:00+01:00");
    QTest::newRow("lord howe repeated half hour")
        << QStringLiteral("45 1 * * *") << QByteArray("Australia/Lord_Howe") << QStringLiteral("2026-04-05T12:00")
        << QStringLiteral("2026-04-05T01:45:00+11:00");
    QTest::newRow("leap day") << QStringLiteral("0 0 29 2 *") << QByteArray("UTC")
                              << QStringLiteral("2027-06-01T00:00Z") << QStringLiteral("2024-02-29T00:00:00+00:00");
}

void TestCronSchedule::previousFollowsTheSameRules()
{
    QFETCH(QString, expression);
    QFETCH(QByteArray, zone);
    QFETCH(QString, before);
    QFETCH(QString, expected);
    const QTimeZone tz(zone);
    const CronSchedule schedule(CronExpression::parse(expression), tz);
    const auto at = IsoTime::parse(before, tz);
    QVERIFY(at);
    const QDateTime previous = schedule.previous(*at);
    QCOMPARE(IsoTime::format(previous), expected);
    // Stepping forward from just before the previous fire finds it again.
    QCOMPARE(schedule.next(previous.addSecs(-1)), previous);
}

void TestCronSchedule::nextIsStrictlyAfterAndIgnoresMilliseconds()
{
    const CronSchedule schedule(CronExpression::parse(QStringLiteral("0 * * * *")), QTimeZone::utc());
    const QDateTime onTheHour(QDate(2026, 1, 1), QTime(10, 0), QTimeZone::utc());
    QCOMPARE(schedule.next(onTheHour), onTheHour.addSecs(3600));
    QCOMPARE(schedule.next(onTheHour.addMSecs(-1)), onTheHour);
    QCOMPARE(schedule.next(onTheHour.addMSecs(500)), onTheHour.addSecs(3600));
    QCOMPARE(schedule.previous(onTheHour), onTheHour.addSecs(-3600));
    QCOMPARE(schedule.previous(onTheHour.addMSecs(1)), onTheHour);
}

void TestCronSchedule::firesAreReturnedInTheSchedulesZone()
{
    const QTimeZone berlin("Europe/Berlin");
    const CronSchedule schedule(CronExpression::parse(QStringLiteral("0 9 * * *")), berlin);
    const QDateTime from(QDate(2026, 6, 1), QTime(0, 0), QTimeZone("America/New_York"));
    const QDateTime next = schedule.next(from);
    QCOMPARE(next.timeZone(), berlin);
    QCOMPARE(IsoTime::format(next), QStringLiteral("2026-06-01T09:00:00+02:00"));
}

void TestCronSchedule::neverFiringSchedulesAnswerInvalidAtOnce()
{
    const QDateTime from(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc());
    const CronSchedule impossible(CronExpression::parse(QStringLiteral("0 0 30 2 *")), QTimeZone::utc());
    QVERIFY(impossible.isValid());
    QVERIFY(!impossible.next(from).isValid());
    QVERIFY(!impossible.previous(from).isValid());
    QVERIFY(impossible.nextFires(from, 5).isEmpty());

    const CronSchedule reboot(CronExpression::parse(QStringLiteral("@reboot")), QTimeZone::utc());
    QVERIFY(!reboot.next(from).isValid());

    // Every match falls in the hour skipped on the last Sunday of March: never, and found quickly
    // (one 400-year cycle of the zone's rules, not a walk to the year 9999).
    const CronSchedule skipped(CronExpression::parse(QStringLiteral("*/5 2 * 3 0L")), QTimeZone("Europe/Berlin"));
    QVERIFY(skipped.expression().canEverMatch());
    QVERIFY(!skipped.next(from).isValid());

    // Years past 9999 are out of range, on the wall clock too.
    const CronSchedule kiritimati(CronExpression::parse(QStringLiteral("0 0 1 1 *")), QTimeZone("Pacific/Kiritimati"));
    QVERIFY(!kiritimati.next(QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59), QTimeZone(14 * 3600))).isValid());
    const CronSchedule yearly(CronExpression::parse(QStringLiteral("@yearly")), QTimeZone::utc());
    QVERIFY(!yearly.next(QDateTime(QDate(9999, 6, 1), QTime(0, 0), QTimeZone::utc())).isValid());
    QCOMPARE(IsoTime::format(yearly.next(QDateTime(QDate(9998, 6, 1), QTime(0, 0), QTimeZone::utc()))),
             QStringLiteral("9999-01-01T00:00:00+00:00"));
    QVERIFY(!yearly.next(QDateTime()).isValid());
}

void TestCronSchedule::invalidZoneOrExpressionMakesAnInvalidSchedule()
{
    const QDateTime from(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc());
    const CronSchedule badZone(CronExpression::parse(QStringLiteral("* * * * *")), QTimeZone("Mars/Olympus_Mons"));
    QVERIFY(!badZone.isValid());
    QVERIFY(!badZone.next(from).isValid());
    const CronSchedule badExpression(CronExpression::parse(QStringLiteral("61 * * * *")), QTimeZone::utc());
    QVERIFY(!badExpression.isValid());
    QVERIFY(!badExpression.next(from).isValid());
    QVERIFY(!CronSchedule().next(from).isValid());
}

void TestCronSchedule::zoneRulesListTheChangesBetweenTwoInstants()
{
    const auto rules = ZoneRules::forZone(QTimeZone("Europe/Berlin"));
    QCOMPARE(ZoneRules::forZone(QTimeZone("Europe/Berlin")).get(), rules.get()); // shared per zone
    const qint64 from = QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch();
    const qint64 to = QDateTime(QDate(2027, 1, 1), QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch();
    const auto changes = rules->transitionsBetween(from, to);
    QCOMPARE(changes.size(), 2);
    QCOMPARE(QDateTime::fromSecsSinceEpoch(changes.at(0).at, QTimeZone::utc()),
             QDateTime(QDate(2026, 3, 29), QTime(1, 0), QTimeZone::utc()));
    QCOMPARE(changes.at(0).offsetBefore, 3600);
    QCOMPARE(changes.at(0).offsetAfter, 7200);
    QCOMPARE(changes.at(1).offsetAfter, 3600);
    QCOMPARE(rules->offsetAt(from), 3600);

    // The table and QTimeZone agree on every day of a century, including past 2037.
    const QTimeZone zone("America/New_York");
    const auto ny = ZoneRules::forZone(zone);
    for (qint64 t = from; t < from + qint64(100) * 366 * 86400; t += 86400 + 3600 * 7) {
        const int expected = zone.offsetFromUtc(QDateTime::fromSecsSinceEpoch(t, QTimeZone::utc()));
        if (ny->offsetAt(t) != expected)
            QFAIL(qPrintable(QStringLiteral("offset differs at %1").arg(t)));
    }
}

QTEST_GUILESS_MAIN(TestCronSchedule)
#include "tst_cronschedule.moc"

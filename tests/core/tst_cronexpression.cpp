#include "cron/civiltime.h"
#include "cron/cronexpression.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

using namespace Taskdeck::Core;

namespace {

// Wall-clock "local seconds" for a naive ISO date-time such as 2026-03-29T02:30:00.
qint64 local(const QString &iso)
{
    const QDateTime dt = QDateTime::fromString(iso, Qt::ISODate);
    return QDateTime(dt.date(), dt.time(), QTimeZone::utc()).toSecsSinceEpoch();
}

QString localText(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"));
}

QStringList nextLocals(const CronExpression &expression, const QString &from, int count)
{
    QStringList result;
    qint64 at = local(from);
    for (int i = 0; i < count; ++i) {
        const auto next = expression.nextLocal(at);
        if (!next)
            break;
        result.append(localText(*next));
        at = *next + 1;
    }
    return result;
}

} // namespace

class TestCronExpression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everySyntaxFormMatchesTheRightTimes_data();
    void everySyntaxFormMatchesTheRightTimes();
    void malformedExpressionsNameFieldTextAndColumn_data();
    void malformedExpressionsNameFieldTextAndColumn();
    void impossibleDatesNeverMatch_data();
    void impossibleDatesNeverMatch();
    void rebootIsValidButHasNoTimes();
    void fixedTimeMeansNoStarOrStepInMinuteAndHour_data();
    void fixedTimeMeansNoStarOrStepInMinuteAndHour();
    void previousLocalMirrorsNextLocal_data();
    void previousLocalMirrorsNextLocal();
    void civilCalendarRoundTripsEveryDayOfFourHundredYears();
};

void TestCronExpression::everySyntaxFormMatchesTheRightTimes_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("normalized");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QStringList>("expected");

    const auto row = [](const char *name, const char *expr, const char *norm, const char *from,
                        std::initializer_list<const char *> fires) {
        QStringList expected;
        for (const char *fire : fires)
            expected.append(QString::fromLatin1(fire));
        QTest::newRow(name) << QString::fromLatin1(expr) << QString::fromLatin1(norm) << QString::fromLatin1(from)
                            << expected;
    };
    // 2026-01-01 is a Thursday; 2026-02-01 a Sunday.
    row("every minute", "* * * * *", "* * * * *", "2026-01-01T00:00:30",
        {"2026-01-01T00:01:00", "2026-01-01T00:02:00", "2026-01-01T00:03:00"});
    row("list", "0,15,45 * * * *", "0,15,45 * * * *", "2026-01-01T00:10:00",
        {"2026-01-01T00:15:00", "2026-01-01T00:45:00", "2026-01-01T01:00:00"});
    row("range", "0 9-11 * * *", "0 9-11 * * *", "2026-01-01T10:00:01",
        {"2026-01-01T11:00:00", "2026-01-02T09:00:00", "2026-01-02T10:00:00"});
    row("star step", "*/20 * * * *", "*/20 * * * *", "2026-01-01T00:00:00",
        {"2026-01-01T00:00:00", "2026-01-01T00:20:00", "2026-01-01T00:40:00"});
    row("range step", "10-40/15 * * * *", "10-40/15 * * * *", "2026-01-01T00:00:00",
        {"2026-01-01T00:10:00", "2026-01-01T00:25:00", "2026-01-01T00:40:00", "2026-01-01T01:10:00"});
    row("value step", "5/20 * * * *", "5/20 * * * *", "2026-01-01T00:00:00",
        {"2026-01-01T00:05:00", "2026-01-01T00:25:00", "2026-01-01T00:45:00", "2026-01-01T01:05:00"});
    row("wrapping hour range", "0 22-1 * * *", "0 22-1 * * *", "2026-01-01T12:00:00",
        {"2026-01-01T22:00:00", "2026-01-01T23:00:00", "2026-01-02T00:00:00", "2026-01-02T01:00:00",
         "2026-01-02T22:00:00"});
    row("month names any case", "0 0 1 jan,Jul *", "0 0 1 1,7 *", "2026-01-01T00:00:01",
        {"2026-07-01T00:00:00", "2027-01-01T00:00:00"});
    row("month name range", "0 0 1 NOV-FEB *", "0 0 1 11-2 *", "2026-03-01T00:00:00",
        {"2026-11-01T00:00:00", "2026-12-01T00:00:00", "2027-01-01T00:00:00", "2027-02-01T00:00:00",
         "2027-11-01T00:00:00"});
    row("day names", "0 0 * * mon,WED", "0 0 * * 1,3", "2026-01-01T00:00:00",
        {"2026-01-05T00:00:00", "2026-01-07T00:00:00", "2026-01-12T00:00:00"});
    row("wrapping day range", "0 0 * * FRI-MON", "0 0 * * 5-1", "2026-01-01T00:00:00",
        {"2026-01-02T00:00:00", "2026-01-03T00:00:00", "2026-01-04T00:00:00", "2026-01-05T00:00:00",
         "2026-01-09T00:00:00"});
    row("seven is sunday", "0 0 * * 7", "0 0 * * 0", "2026-01-01T00:00:00",
        {"2026-01-04T00:00:00", "2026-01-11T00:00:00"});
    row("zero is sunday", "0 0 * * 0", "0 0 * * 0", "2026-01-01T00:00:00",
        {"2026-01-04T00:00:00", "2026-01-11T00:00:00"});
    row("range to seven", "0 0 * * 5-7", "0 0 * * 5-7", "2026-01-01T00:00:00",
        {"2026-01-02T00:00:00", "2026-01-03T00:00:00", "2026-01-04T00:00:00", "2026-01-09T00:00:00"});
    row("seven to seven is just sunday", "0 0 * * 7-7", "0 0 * * 0-0", "2026-01-01T00:00:00",
        {"2026-01-04T00:00:00", "2026-01-11T00:00:00"});
    row("seven to two wraps from sunday", "0 0 * * 7-2", "0 0 * * 0-2", "2026-01-01T00:00:00",
        {"2026-01-04T00:00:00", "2026-01-05T00:00:00", "2026-01-06T00:00:00", "2026-01-11T00:00:00"});
    row("seven with a step is sunday onwards", "0 0 * * 7/1", "0 0 * * 7/1", "2026-01-01T00:00:00",
        {"2026-01-04T00:00:00", "2026-01-11T00:00:00"});
    row("friday with a step runs through sunday", "0 0 * * 5/1", "0 0 * * 5/1", "2026-01-01T00:00:00",
        {"2026-01-02T00:00:00", "2026-01-03T00:00:00", "2026-01-04T00:00:00", "2026-01-09T00:00:00"});
    row("question mark", "0 0 ? * MON", "0 0 * * 1", "2026-01-01T00:00:00",
        {"2026-01-05T00:00:00", "2026-01-12T00:00:00"});
    row("six fields", "*/20 * * * * *", "*/20 * * * * *", "2026-01-01T00:00:00",
        {"2026-01-01T00:00:00", "2026-01-01T00:00:20", "2026-01-01T00:00:40", "2026-01-01T00:01:00"});
    row("six fields fixed second", "30 0 12 * * *", "30 0 12 * * *", "2026-01-01T00:00:00",
        {"2026-01-01T12:00:30", "2026-01-02T12:00:30"});
    row("yearly", "@yearly", "0 0 1 1 *", "2026-01-01T00:00:01", {"2027-01-01T00:00:00", "2028-01-01T00:00:00"});
    row("annually", "@ANNUALLY", "0 0 1 1 *", "2026-06-01T00:00:00", {"2027-01-01T00:00:00"});
    row("monthly", "@monthly", "0 0 1 * *", "2026-01-15T00:00:00", {"2026-02-01T00:00:00", "2026-03-01T00:00:00"});
    row("weekly", "@weekly", "0 0 * * 0", "2026-01-01T00:00:00", {"2026-01-04T00:00:00", "2026-01-11T00:00:00"});
    row("daily", "@daily", "0 0 * * *", "2026-01-01T00:00:01", {"2026-01-02T00:00:00"});
    row("midnight", "@midnight", "0 0 * * *", "2026-01-01T00:00:01", {"2026-01-02T00:00:00"});
    row("hourly", "@hourly", "0 * * * *", "2026-01-01T00:00:01", {"2026-01-01T01:00:00", "2026-01-01T02:00:00"});
    // Month ends and leap years.
    row("day 31 skips short months", "0 0 31 * *", "0 0 31 * *", "2026-01-31T12:00:00",
        {"2026-03-31T00:00:00", "2026-05-31T00:00:00", "2026-07-31T00:00:00", "2026-08-31T00:00:00"});
    row("feb 29 only in leap years", "0 0 29 2 *", "0 0 29 2 *", "2026-01-01T00:00:00",
        {"2028-02-29T00:00:00", "2032-02-29T00:00:00"});
    row("2100 is not a leap year", "0 0 29 2 *", "0 0 29 2 *", "2096-03-01T00:00:00", {"2104-02-29T00:00:00"});
    row("2000 is a leap year", "0 0 29 2 *", "0 0 29 2 *", "1997-01-01T00:00:00", {"2000-02-29T00:00:00"});
    // Extensions.
    row("last day", "0 0 L * *", "0 0 L * *", "2026-01-15T00:00:00",
        {"2026-01-31T00:00:00", "2026-02-28T00:00:00", "2026-03-31T00:00:00", "2026-04-30T00:00:00"});
    row("last day in leap february", "0 0 L 2 *", "0 0 L 2 *", "2027-03-01T00:00:00",
        {"2028-02-29T00:00:00", "2029-02-28T00:00:00"});
    row("days before last", "0 0 L-2 * *", "0 0 L-2 * *", "2026-02-01T00:00:00",
        {"2026-02-26T00:00:00", "2026-03-29T00:00:00", "2026-04-28T00:00:00"});
    row("nearest weekday from sunday", "0 0 15W * *", "0 0 15W * *", "2026-02-01T00:00:00",
        {"2026-02-16T00:00:00", "2026-03-16T00:00:00", "2026-04-15T00:00:00", "2026-05-15T00:00:00"});
    row("nearest weekday from saturday", "0 0 15W 8 *", "0 0 15W 8 *", "2026-01-01T00:00:00", {"2026-08-14T00:00:00"});
    row("1W never leaves the month", "0 0 1W * *", "0 0 1W * *", "2026-07-15T00:00:00",
        {"2026-08-03T00:00:00", "2026-09-01T00:00:00", "2026-10-01T00:00:00"});
    row("31W in short months never fires", "0 0 31W * *", "0 0 31W * *", "2026-05-01T00:00:00",
        {"2026-05-29T00:00:00", "2026-07-31T00:00:00", "2026-08-31T00:00:00"});
    row("last weekday", "0 0 LW * *", "0 0 LW * *", "2026-01-01T00:00:00",
        {"2026-01-30T00:00:00", "2026-02-27T00:00:00", "2026-03-31T00:00:00"});
    row("last friday", "0 0 * * 5L", "0 0 * * 5L", "2026-01-01T00:00:00",
        {"2026-01-30T00:00:00", "2026-02-27T00:00:00", "2026-03-27T00:00:00"});
    row("last friday by name", "0 0 * * friL", "0 0 * * 5L", "2026-01-01T00:00:00", {"2026-01-30T00:00:00"});
    row("first monday", "0 0 * * 1#1", "0 0 * * 1#1", "2026-01-01T00:00:00",
        {"2026-01-05T00:00:00", "2026-02-02T00:00:00", "2026-03-02T00:00:00"});
    row("second friday by name", "0 0 * * FRI#2", "0 0 * * 5#2", "2026-01-01T00:00:00",
        {"2026-01-09T00:00:00", "2026-02-13T00:00:00", "2026-03-13T00:00:00"});
    row("fifth thursday skips months without one", "0 0 * * 4#5", "0 0 * * 4#5", "2026-01-01T00:00:00",
        {"2026-01-29T00:00:00", "2026-04-30T00:00:00", "2026-07-30T00:00:00"});
    row("extensions in a list", "0 0 1,L * *", "0 0 1,L * *", "2026-01-15T00:00:00",
        {"2026-01-31T00:00:00", "2026-02-01T00:00:00", "2026-02-28T00:00:00", "2026-03-01T00:00:00"});
    // Vixie cron's day-of-month / day-of-week rule.
    row("both restricted: either day matches", "0 0 1 * 1", "0 0 1 * 1", "2026-02-01T12:00:00",
        {"2026-02-02T00:00:00", "2026-02-09T00:00:00", "2026-02-16T00:00:00", "2026-02-23T00:00:00",
         "2026-03-01T00:00:00", "2026-03-02T00:00:00"});
    row("13th or friday", "0 0 13 * 5", "0 0 13 * 5", "2026-02-01T00:00:00",
        {"2026-02-06T00:00:00", "2026-02-13T00:00:00", "2026-02-20T00:00:00"});
    row("starred day-of-month step: both must match", "0 0 */2 * 1", "0 0 */2 * 1", "2026-02-01T00:00:00",
        {"2026-02-09T00:00:00", "2026-02-23T00:00:00", "2026-03-09T00:00:00", "2026-03-23T00:00:00"});
    row("starred day-of-week step: both must match", "0 0 13 * */7", "0 0 13 * */7", "2026-01-01T00:00:00",
        {"2026-09-13T00:00:00", "2026-12-13T00:00:00"});
    row("1-31 is restricted, so any monday or any day", "0 0 1-31 * 1", "0 0 1-31 * 1", "2026-02-01T00:00:00",
        {"2026-02-01T00:00:00", "2026-02-02T00:00:00", "2026-02-03T00:00:00"});
    row("whitespace around and between fields", "  0\t0  *  * *  ", "0 0 * * *", "2026-01-01T00:00:01",
        {"2026-01-02T00:00:00"});
}

void TestCronExpression::everySyntaxFormMatchesTheRightTimes()
{
    QFETCH(QString, expression);
    QFETCH(QString, normalized);
    QFETCH(QString, from);
    QFETCH(QStringList, expected);

    CronError error;
    const CronExpression parsed = CronExpression::parse(expression, &error);
    QVERIFY2(parsed.isValid(), qPrintable(error.toString()));
    QVERIFY(error.isNull());
    QCOMPARE(parsed.normalized(), normalized);
    QVERIFY(parsed.canEverMatch());
    QCOMPARE(nextLocals(parsed, from, int(expected.size())), expected);
    // The normalized form means the same.
    const CronExpression reparsed = CronExpression::parse(normalized);
    QVERIFY(reparsed.isValid());
    QCOMPARE(nextLocals(reparsed, from, int(expected.size())), expected);
    for (const QString &fire : expected) {
        const QDateTime dt = QDateTime::fromString(fire, Qt::ISODate);
        QVERIFY(parsed.matches(dt.date().year(), dt.date().month(), dt.date().day(), dt.time().hour(),
                               dt.time().minute(), dt.time().second()));
    }
}

void TestCronExpression::malformedExpressionsNameFieldTextAndColumn_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("message");

    const auto row = [](const char *expr, const char *message) {
        QTest::newRow(expr) << QString::fromUtf8(expr) << QString::fromUtf8(message);
    };
    row("", "expression: is empty");
    row("   ", "expression: is empty");
    row("* * * *",
        "expression: has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)");
    row("*", "expression: has 1 field; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)");
    row("0 0 0 1 1 * 2027",
        "expression: has 7 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first); "
        "a year field is not supported (column 13)");
    row("0 24 * * *", "hour: 24 is out of range 0-23 (column 3)");
    row("60 * * * *", "minute: 60 is out of range 0-59 (column 1)");
    row("60 0 * * * *", "second: 60 is out of range 0-59 (column 1)");
    row("* * 0 * *", "day-of-month: 0 is out of range 1-31 (column 5)");
    row("* * 32 * *", "day-of-month: 32 is out of range 1-31 (column 5)");
    row("* * * 13 *", "month: 13 is out of range 1-12 (column 7)");
    row("* * * 0 *", "month: 0 is out of range 1-12 (column 7)");
    row("* * * * 8", "day-of-week: 8 is out of range 0-7 (column 9)");
    row("5-70 * * * *", "minute: 70 is out of range 0-59 (column 3)");
    row("99999999999 * * * *", "minute: 99999999999 is out of range 0-59 (column 1)");
    row("*/0 * * * *", "minute: step 0 is out of range 1-60 (column 3)");
    row("*/61 * * * *", "minute: step 61 is out of range 1-60 (column 3)");
    row("0 */25 * * *", "hour: step 25 is out of range 1-24 (column 5)");
    row("*/x * * * *", "minute: step 'x' is not a number (column 3)");
    row("5/ * * * *", "minute: a step is missing after '/' (column 3)");
    row("/5 * * * *", "minute: '/5': a start is missing before '/' (column 1)");
    row("1,,2 * * * *", "minute: empty element in the list '1,,2' (column 3)");
    row("1, * * * *", "minute: empty element in the list '1,' (column 3)");
    row("a * * * *", "minute: 'a' is not a number (column 1)");
    row("0 0 1 1 1 ¼", "day-of-week: '¼' is not a day of the week (0-7 or SUN-SAT) (column 11)");
    row("-5 * * * *", "minute: '-5': a range needs a start, e.g. 1-5 (column 1)");
    row("5- * * * *", "minute: a value is missing (column 3)");
    row("* * * FOO *", "month: 'FOO' is not a month (1-12 or JAN-DEC) (column 7)");
    row("* * * * FUN", "day-of-week: 'FUN' is not a day of the week (0-7 or SUN-SAT) (column 9)");
    row("* * * * MONDAY", "day-of-week: 'MONDAY' is not a day of the week (0-7 or SUN-SAT) (column 9)");
    row("JAN * * * *", "minute: 'JAN' is not a number (column 1)");
    row("@often", "expression: unknown macro @often; expected one of @yearly, @annually, @monthly, @weekly, @daily, "
                  "@midnight, @hourly, @reboot (column 1)");
    row("@daily 5", "expression: @daily stands alone, but '5' follows it (column 8)");
    row("? * * * *", "minute: ? is only allowed in day-of-month and day-of-week (column 1)");
    row("L * * * *", "minute: L is only allowed in day-of-month and day-of-week (column 1)");
    row("0 0 * L *", "month: L is only allowed in day-of-month and day-of-week (column 7)");
    row("0 0 * * L", "day-of-week: L needs a weekday before it, e.g. 5L for the last Friday (column 9)");
    row("0 0 L-31 * *", "day-of-month: L-31: the offset is out of range 0-30 (column 7)");
    row("0 0 L- * *", "day-of-month: L- needs a number of days, e.g. L-2 (column 5)");
    row("0 0 LX * *", "day-of-month: 'LX' is not a valid day: use L, L-n, LW or nW (column 5)");
    row("0 0 L/2 * *", "day-of-month: 'L/2' is not a valid day: use L, L-n, LW or nW (column 5)");
    row("0 0 32W * *", "day-of-month: 32 is out of range 1-31 (column 5)");
    row("0 0 1-5W * *", "day-of-month: '1-5W': W takes a single day, e.g. 15W (column 5)");
    row("0 0 * * 5W", "day-of-week: W is only allowed in day-of-month (column 10)");
    row("0 0 1#2 * *", "day-of-month: # is only allowed in day-of-week (column 6)");
    row("0 0 * * 5#0", "day-of-week: occurrence 0 is out of range 1-5 (column 11)");
    row("0 0 * * 5#6", "day-of-week: occurrence 6 is out of range 1-5 (column 11)");
    row("0 0 * * 5#", "day-of-week: '5#': # needs an occurrence 1-5, e.g. 5#2 (column 9)");
    row("0 0 * * 9#1", "day-of-week: 9 is out of range 0-7 (column 9)");
    row("0 0 * * 9L", "day-of-week: 9 is out of range 0-7 (column 9)");
}

void TestCronExpression::malformedExpressionsNameFieldTextAndColumn()
{
    QFETCH(QString, expression);
    QFETCH(QString, message);
    CronError error;
    const CronExpression parsed = CronExpression::parse(expression, &error);
    QVERIFY(!parsed.isValid());
    QCOMPARE(error.toString(), message);
    QVERIFY(!parsed.nextLocal(0));
    QVERIFY(parsed.normalized().isEmpty());
}

void TestCronExpression::impossibleDatesNeverMatch_data()
{
    QTest::addColumn<QString>("expression");
    QTest::newRow("30 february") << QStringLiteral("0 0 30 2 *");
    QTest::newRow("31 april") << QStringLiteral("0 0 31 4 *");
    QTest::newRow("31 of 30-day months") << QStringLiteral("0 0 31 4,6,9,11 *");
    QTest::newRow("31W in february") << QStringLiteral("0 0 31W 2 *");
    QTest::newRow("L-30 in february") << QStringLiteral("0 0 L-30 2 *");
    QTest::newRow("starred step and february 30") << QStringLiteral("0 0 30 2 */2");
}

void TestCronExpression::impossibleDatesNeverMatch()
{
    QFETCH(QString, expression);
    const CronExpression parsed = CronExpression::parse(expression);
    QVERIFY(parsed.isValid());
    QVERIFY(!parsed.canEverMatch());
    QVERIFY(!parsed.nextLocal(local(QStringLiteral("2026-01-01T00:00:00"))));
    QVERIFY(!parsed.previousLocal(local(QStringLiteral("2026-01-01T00:00:00"))));
}

void TestCronExpression::rebootIsValidButHasNoTimes()
{
    const CronExpression reboot = CronExpression::parse(QStringLiteral("@reboot"));
    QVERIFY(reboot.isValid());
    QVERIFY(reboot.isReboot());
    QCOMPARE(reboot.normalized(), QStringLiteral("@reboot"));
    QVERIFY(!reboot.nextLocal(0));
    QVERIFY(!reboot.matchesDay(2026, 1, 1));
}

void TestCronExpression::fixedTimeMeansNoStarOrStepInMinuteAndHour_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("fixed");
    QTest::newRow("single time") << QStringLiteral("30 2 * * *") << true;
    QTest::newRow("lists and ranges") << QStringLiteral("0,30 1-3 * * *") << true;
    QTest::newRow("seconds field does not count") << QStringLiteral("*/5 30 2 * * *") << true;
    QTest::newRow("star minute") << QStringLiteral("* 2 * * *") << false;
    QTest::newRow("star hour") << QStringLiteral("0 * * * *") << false;
    QTest::newRow("step minute") << QStringLiteral("*/15 2 * * *") << false;
    QTest::newRow("range step hour") << QStringLiteral("0 1-5/2 * * *") << false;
    QTest::newRow("daily macro") << QStringLiteral("@daily") << true;
    QTest::newRow("hourly macro") << QStringLiteral("@hourly") << false;
}

void TestCronExpression::fixedTimeMeansNoStarOrStepInMinuteAndHour()
{
    QFETCH(QString, expression);
    QFETCH(bool, fixed);
    QCOMPARE(CronExpression::parse(expression).isFixedTime(), fixed);
}

void TestCronExpression::previousLocalMirrorsNextLocal_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("expected");
    QTest::newRow("same minute") << QStringLiteral("*/15 * * * *") << QStringLiteral("2026-01-01T10:15:00")
                                 << QStringLiteral("2026-01-01T10:15:00");
    QTest::newRow("previous day") << QStringLiteral("30 2 * * *") << QStringLiteral("2026-01-02T02:29:59")
                                  << QStringLiteral("2026-01-01T02:30:00");
    QTest::newRow("previous leap day") << QStringLiteral("0 12 29 2 *") << QStringLiteral("2027-01-01T00:00:00")
                                       << QStringLiteral("2024-02-29T12:00:00");
    QTest::newRow("previous last friday") << QStringLiteral("0 0 * * 5L") << QStringLiteral("2026-03-01T00:00:00")
                                          << QStringLiteral("2026-02-27T00:00:00");
    QTest::newRow("previous across year") << QStringLiteral("59 23 31 12 *") << QStringLiteral("2026-12-31T23:58:59")
                                          << QStringLiteral("2025-12-31T23:59:00");
}

void TestCronExpression::previousLocalMirrorsNextLocal()
{
    QFETCH(QString, expression);
    QFETCH(QString, to);
    QFETCH(QString, expected);
    const CronExpression parsed = CronExpression::parse(expression);
    const auto previous = parsed.previousLocal(local(to));
    QVERIFY(previous);
    QCOMPARE(localText(*previous), expected);
    const auto next = parsed.nextLocal(*previous);
    QVERIFY(next);
    QCOMPARE(*next, *previous);
}

void TestCronExpression::civilCalendarRoundTripsEveryDayOfFourHundredYears()
{
    // The search's own calendar must agree with QDate on every day of a full Gregorian cycle.
    const qint64 first = Civil::daysFromCivil(1900, 1, 1);
    const QDate qFirst(1900, 1, 1);
    for (qint64 days = first; days < first + 146097; ++days) {
        const Civil::Date date = Civil::civilFromDays(days);
        const QDate expected = qFirst.addDays(days - first);
        if (date.year != expected.year() || date.month != expected.month() || date.day != expected.day() ||
            Civil::weekdayFromDays(days) != expected.dayOfWeek() % 7 ||
            Civil::daysFromCivil(date.year, date.month, date.day) != days)
            QFAIL(qPrintable(QStringLiteral("calendar differs at %1").arg(expected.toString(Qt::ISODate))));
    }
}

QTEST_GUILESS_MAIN(TestCronExpression)
#include "tst_cronexpression.moc"

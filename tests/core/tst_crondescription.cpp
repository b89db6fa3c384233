#include "cron/crondescription.h"

#include <QTest>

using namespace Taskdeck::Core;

class TestCronDescription : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void describesInPlainEnglish_data();
    void describesInPlainEnglish();
    void invalidExpressionsHaveNoDescription();
};

void TestCronDescription::describesInPlainEnglish_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("description");
    const auto row = [](const char *expr, const char *text) {
        QTest::newRow(expr) << QString::fromLatin1(expr) << QString::fromLatin1(text);
    };
    row("30 2 * * *", "At 02:30, every day");
    row("*/15 * * * 1-5", "Every 15 minutes, Monday through Friday");
    row("* * * * *", "Every minute");
    row("0 * * * *", "At minute 0 of every hour");
    row("0 9-17 * * 1-5", "At minute 0 of every hour from 09:00 through 17:00, Monday through Friday");
    row("*/5 9-17 * * *", "Every 5 minutes between 09:00 and 17:59");
    row("0 */2 * * *", "At minute 0 of every 2nd hour");
    row("0 22-2 * * *", "At minute 0 of every hour from 22:00 through 02:00");
    row("0 9,17 * * *", "At 09:00 and 17:00, every day");
    row("0,30 8 * * *", "At 08:00 and 08:30, every day");
    row("0 0 1 * *", "At 00:00, on day 1 of the month");
    row("0 0 1,15 * *", "At 00:00, on days 1 and 15 of the month");
    row("0 0 1-7 * *", "At 00:00, on days 1 through 7 of the month");
    row("0 0 L * *", "At 00:00, on the last day of the month");
    row("0 0 L-2 * *", "At 00:00, 2 days before the last day of the month");
    row("0 0 15W * *", "At 00:00, on the weekday nearest day 15 of the month");
    row("0 0 LW * *", "At 00:00, on the last weekday of the month");
    row("0 0 * * 5L", "At 00:00, on the last Friday of the month");
    row("0 0 * * 1#2", "At 00:00, on the second Monday of the month");
    row("0 9 * * MON,FRI", "At 09:00, on Monday and Friday");
    row("0 10 * * 6,0", "At 10:00, on Saturday and Sunday");
    row("0 0 13 * 5", "At 00:00, on day 13 of the month or on Friday");
    row("0 0 */2 * 1", "At 00:00, on every 2nd day of the month, if it is Monday");
    row("0 0 1 1 *", "At 00:00, on day 1 of the month, in January");
    row("@yearly", "At 00:00, on day 1 of the month, in January");
    row("0 12 * JAN-MAR *", "At 12:00, every day in January through March");
    row("*/10 * * * * *", "Every 10 seconds");
    row("30 * * * * *", "At second 30 of every minute");
    row("15 30 2 * * *", "At 02:30:15, every day");
    row("@reboot", "Once, each time the scheduler starts");
}

void TestCronDescription::describesInPlainEnglish()
{
    QFETCH(QString, expression);
    QFETCH(QString, description);
    const CronExpression parsed = CronExpression::parse(expression);
    QVERIFY(parsed.isValid());
    QCOMPARE(CronDescription::describe(parsed), description);
}

void TestCronDescription::invalidExpressionsHaveNoDescription()
{
    QCOMPARE(CronDescription::describe(CronExpression::parse(QStringLiteral("0 24 * * *"))), QString());
    QCOMPARE(CronDescription::describe(CronExpression()), QString());
}

QTEST_GUILESS_MAIN(TestCronDescription)
#include "tst_crondescription.moc"

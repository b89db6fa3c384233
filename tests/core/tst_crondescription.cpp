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
    void everyCombinationOfFieldFormsGetsASentence();
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
    row("0 0 */2 * 1", "At 00:00, on every 2nd day of the month, if it is a Monday");
    row("0 0 13 * */2", "At 00:00, on day 13 of the month, if it is a Tuesday, a Thursday, a Saturday or a Sunday");
    row("0 0 */2 * 5L", "At 00:00, on every 2nd day of the month, if it is the last Friday of the month");
    row("*/10 */15 * * * *", "Every 10 seconds, during every 15th minute");
    row("5,35 0,30 8 * * *", "At seconds 5 and 35, during minutes 0 and 30 between 08:00 and 08:59, every day");
    row("0 0 1 1 *", "At 00:00, on day 1 of the month, in January");
    row("@yearly", "At 00:00, on day 1 of the month, in January");
    row("0 12 * JAN-MAR *", "At 12:00, every day in January through March");
    row("*/10 * * * * *", "Every 10 seconds");
    row("30 * * * * *", "At second 30 of every minute");
    row("15 30 2 * * *", "At 02:30:15, every day");
    row("@reboot", "Once, each time the scheduler starts");
    row("5/1 * * * *", "At minutes 5 through 59 of every hour");
    row("0,30 * * * *", "At minutes 0 and 30 of every hour");
    row("0 0 1/1 * *", "At 00:00, on days 1 through 31 of the month");
    row("0 0 * 3/1 *", "At 00:00, every day in March through December");
    row("0 0 * * 0-7", "At 00:00, every day of the week");
    row("0 0 * * 7/2", "At 00:00, on every 2nd day of the week from Sunday");
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

void TestCronDescription::everyCombinationOfFieldFormsGetsASentence()
{
    // Each field written in each of its forms, in every combination: no crash, never empty, always
    // a capitalized sentence without doubled separators.
    const QStringList seconds{QStringLiteral("0"), QStringLiteral("*"), QStringLiteral("*/10"), QStringLiteral("5,35"),
                              QStringLiteral("10-20")};
    const QStringList minutes{QStringLiteral("0"),    QStringLiteral("*"),     QStringLiteral("*/15"),
                              QStringLiteral("0,30"), QStringLiteral("10-20"), QStringLiteral("5/20"),
                              QStringLiteral("5/1")};
    const QStringList hours{QStringLiteral("2"),    QStringLiteral("*"),    QStringLiteral("*/3"),
                            QStringLiteral("9-17"), QStringLiteral("22-2"), QStringLiteral("8,12,18")};
    const QStringList days{QStringLiteral("*"),  QStringLiteral("1"),   QStringLiteral("1,15"),
                           QStringLiteral("L"),  QStringLiteral("L-3"), QStringLiteral("15W"),
                           QStringLiteral("LW"), QStringLiteral("*/2"), QStringLiteral("?")};
    const QStringList months{QStringLiteral("*"), QStringLiteral("2"), QStringLiteral("JAN-MAR"),
                             QStringLiteral("*/3")};
    const QStringList weekdays{QStringLiteral("*"),       QStringLiteral("1-5"), QStringLiteral("MON,FRI"),
                               QStringLiteral("5L"),      QStringLiteral("1#2"), QStringLiteral("*/2"),
                               QStringLiteral("FRI-MON"), QStringLiteral("?"),   QStringLiteral("0-7"),
                               QStringLiteral("7/2")};
    int described = 0;
    for (const QString &second : seconds) {
        for (const QString &minute : minutes) {
            for (const QString &hour : hours) {
                for (const QString &day : days) {
                    for (const QString &month : months) {
                        for (const QString &weekday : weekdays) {
                            const QString text =
                                QStringList{second, minute, hour, day, month, weekday}.join(QLatin1Char(' '));
                            const CronExpression expression = CronExpression::parse(text);
                            QVERIFY2(expression.isValid(), qPrintable(text));
                            const QString sentence = CronDescription::describe(expression);
                            if (sentence.isEmpty() || !sentence.at(0).isUpper() ||
                                sentence.contains(QLatin1String(",,")) || sentence.contains(QLatin1String(", ,")) ||
                                sentence.contains(QLatin1String("  ")) || sentence.endsWith(QLatin1Char(' ')) ||
                                sentence.contains(QLatin1String(" from ,")) ||
                                sentence.contains(QLatin1String("in  ")) ||
                                sentence.contains(QLatin1String("Sunday through Sunday")))
                                QFAIL(qPrintable(text + QStringLiteral(" -> '") + sentence + QLatin1Char('\'')));
                            ++described;
                        }
                    }
                }
            }
        }
    }
    QCOMPARE(described, 5 * 7 * 6 * 9 * 4 * 10);
}

QTEST_GUILESS_MAIN(TestCronDescription)
#include "tst_crondescription.moc"

#include "isotime.h"

#include <QTest>
#include <QTimeZone>

using namespace Taskdeck::Core;

class TestIsoTime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatAlwaysWritesSecondsAndOffset_data();
    void formatAlwaysWritesSecondsAndOffset();
    void parseReadsOffsetsOrTheGivenZone_data();
    void parseReadsOffsetsOrTheGivenZone();
    void parseRejectsWhatIsNotAnIsoTime_data();
    void parseRejectsWhatIsNotAnIsoTime();
};

void TestIsoTime::formatAlwaysWritesSecondsAndOffset_data()
{
    QTest::addColumn<QDateTime>("dateTime");
    QTest::addColumn<QString>("expected");
    QTest::newRow("utc is +00:00, not Z")
        << QDateTime(QDate(2026, 3, 29), QTime(1, 0), QTimeZone::utc()) << QStringLiteral("2026-03-29T01:00:00+00:00");
    QTest::newRow("summer time") << QDateTime(QDate(2026, 3, 29), QTime(3, 0), QTimeZone("Europe/Berlin"))
                                 << QStringLiteral("2026-03-29T03:00:00+02:00");
    QTest::newRow("negative offset") << QDateTime(QDate(2026, 11, 1), QTime(1, 30), QTimeZone(-5 * 3600))
                                     << QStringLiteral("2026-11-01T01:30:00-05:00");
    QTest::newRow("half hour") << QDateTime(QDate(2026, 1, 1), QTime(0, 0, 59), QTimeZone("Asia/Kolkata"))
                               << QStringLiteral("2026-01-01T00:00:59+05:30");
    QTest::newRow("historic offset with seconds")
        << QDateTime(QDate(1890, 1, 1), QTime(12, 0), QTimeZone("Europe/Amsterdam"))
        << QStringLiteral("1890-01-01T12:00:00+00:19:32");
    QTest::newRow("invalid") << QDateTime() << QString();
}

void TestIsoTime::formatAlwaysWritesSecondsAndOffset()
{
    QFETCH(QDateTime, dateTime);
    QFETCH(QString, expected);
    QCOMPARE(IsoTime::format(dateTime), expected);
}

void TestIsoTime::parseReadsOffsetsOrTheGivenZone_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("offset") << QStringLiteral("2026-03-29T01:00:00+02:00")
                            << QStringLiteral("2026-03-29T01:00:00+02:00");
    QTest::newRow("offset without colon")
        << QStringLiteral("2026-03-29T01:00-0330") << QStringLiteral("2026-03-29T01:00:00-03:30");
    QTest::newRow("Z") << QStringLiteral("2026-03-29T01:00Z") << QStringLiteral("2026-03-29T01:00:00+00:00");
    QTest::newRow("wall clock in zone") << QStringLiteral("2026-07-01T12:00")
                                        << QStringLiteral("2026-07-01T12:00:00+02:00");
    QTest::newRow("space separator and fraction")
        << QStringLiteral("2026-07-01 12:00:05.250") << QStringLiteral("2026-07-01T12:00:05+02:00");
    QTest::newRow("date means midnight") << QStringLiteral("2026-01-15") << QStringLiteral("2026-01-15T00:00:00+01:00");
    QTest::newRow("skipped reading moves past the change")
        << QStringLiteral("2026-03-29T02:30") << QStringLiteral("2026-03-29T03:30:00+02:00");
    QTest::newRow("repeated reading means the first pass")
        << QStringLiteral("2026-10-25T02:15") << QStringLiteral("2026-10-25T02:15:00+02:00");
    QTest::newRow("just after the repeat")
        << QStringLiteral("2026-10-25T03:00") << QStringLiteral("2026-10-25T03:00:00+01:00");
    QTest::newRow("largest offset") << QStringLiteral("2026-01-01T00:00+14:00")
                                    << QStringLiteral("2026-01-01T00:00:00+14:00");
    QTest::newRow("surrounding blanks") << QStringLiteral("  2026-01-15T08:00  ")
                                        << QStringLiteral("2026-01-15T08:00:00+01:00");
}

void TestIsoTime::parseReadsOffsetsOrTheGivenZone()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QString error;
    const auto parsed = IsoTime::parse(text, QTimeZone("Europe/Berlin"), &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(IsoTime::format(*parsed), expected);
}

void TestIsoTime::parseRejectsWhatIsNotAnIsoTime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QString()
                           << QStringLiteral("'' is not an ISO-8601 date-time such as 2026-03-29T01:30:00+01:00");
    QTest::newRow("words") << QStringLiteral("tomorrow")
                           << QStringLiteral(
                                  "'tomorrow' is not an ISO-8601 date-time such as 2026-03-29T01:30:00+01:00");
    QTest::newRow("month 13") << QStringLiteral("2026-13-01") << QStringLiteral("'2026-13-01' is not a valid date");
    QTest::newRow("february 30") << QStringLiteral("2026-02-30T10:00")
                                 << QStringLiteral("'2026-02-30' is not a valid date");
    QTest::newRow("hour 24") << QStringLiteral("2026-02-03T24:00")
                             << QStringLiteral("'24:00' is not a valid time of day");
    QTest::newRow("offset 25") << QStringLiteral("2026-02-03T10:00+25:00")
                               << QStringLiteral("'+25:00' is not a UTC offset from -14:00 to +14:00");
    QTest::newRow("offset 15") << QStringLiteral("2026-01-01T00:00+15:00")
                               << QStringLiteral("'+15:00' is not a UTC offset from -14:00 to +14:00");
    QTest::newRow("five digit year")
        << QStringLiteral("12026-02-03")
        << QStringLiteral("'12026-02-03' is not an ISO-8601 date-time such as 2026-03-29T01:30:00+01:00");
}

void TestIsoTime::parseRejectsWhatIsNotAnIsoTime()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!IsoTime::parse(text, QTimeZone("Europe/Berlin"), &why));
    QCOMPARE(why, error);
}

QTEST_GUILESS_MAIN(TestIsoTime)
#include "tst_isotime.moc"

#include "timezones.h"

#include <QTest>

using namespace Taskdeck::Core;

class TestTimeZones : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownZonesAreFound_data();
    void knownZonesAreFound();
    void wordsAndNonsenseAreRefused_data();
    void wordsAndNonsenseAreRefused();
};

void TestTimeZones::knownZonesAreFound_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("januaryOffset");
    QTest::newRow("iana") << QStringLiteral("Europe/Berlin") << 3600;
    QTest::newRow("three levels") << QStringLiteral("America/Argentina/Buenos_Aires") << -3 * 3600;
    QTest::newRow("utc") << QStringLiteral("UTC") << 0;
    QTest::newRow("legacy id with a tz file") << QStringLiteral("CET") << 3600;
    QTest::newRow("posix-style legacy id") << QStringLiteral("EST5EDT") << -5 * 3600;
    QTest::newRow("fixed offset") << QStringLiteral("UTC+05:30") << 5 * 3600 + 1800;
    QTest::newRow("negative fixed offset") << QStringLiteral("UTC-03:00") << -3 * 3600;
}

void TestTimeZones::knownZonesAreFound()
{
    QFETCH(QString, id);
    QFETCH(int, januaryOffset);
    QString error;
    const auto zone = TimeZones::find(id, &error);
    QVERIFY2(zone, qPrintable(error));
    QCOMPARE(zone->offsetFromUtc(QDateTime(QDate(2026, 1, 15), QTime(12, 0), QTimeZone::utc())), januaryOffset);
}

void TestTimeZones::wordsAndNonsenseAreRefused_data()
{
    QTest::addColumn<QString>("id");
    QTest::newRow("city without region") << QStringLiteral("Berlin");
    QTest::newRow("word") << QStringLiteral("Foo");
    QTest::newRow("region only") << QStringLiteral("Europe");
    QTest::newRow("made up") << QStringLiteral("Mars/Olympus_Mons");
    QTest::newRow("empty") << QString();
    QTest::newRow("path escape") << QStringLiteral("../../etc/passwd");
    QTest::newRow("offset too large") << QStringLiteral("UTC+15:00");
    QTest::newRow("lower case utc") << QStringLiteral("utc+1");
}

void TestTimeZones::wordsAndNonsenseAreRefused()
{
    QFETCH(QString, id);
    QString error;
    QVERIFY(!TimeZones::find(id, &error));
    QCOMPARE(
        error,
        QStringLiteral("unknown time zone '%1' (use an IANA name such as Europe/Berlin, UTC, or UTC+05:30)").arg(id));
}

QTEST_GUILESS_MAIN(TestTimeZones)
#include "tst_timezones.moc"

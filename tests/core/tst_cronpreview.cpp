#include "cron/cronpreview.h"
#include "isotime.h"

#include <QTest>
#include <QTimeZone>

using namespace Taskdeck::Core;

class TestCronPreview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void skippedTimeIsFlaggedAfterItsChange();
    void repeatedHourShowsTheChangeBetweenBothPasses();
    void zonesWithoutChangesListNone();
    void transitionsAreDescribedInWallClockTerms_data();
    void transitionsAreDescribedInWallClockTerms();
    void invalidInputGivesAnEmptyPreview();
};

void TestCronPreview::skippedTimeIsFlaggedAfterItsChange()
{
    const QTimeZone berlin("Europe/Berlin");
    const CronSchedule schedule(CronExpression::parse(QStringLiteral("30 2 * * *")), berlin);
    const auto entries = previewFires(schedule, QDateTime(QDate(2026, 3, 27), QTime(12, 0), berlin), 3);
    QCOMPARE(entries.size(), 3);
    QCOMPARE(IsoTime::format(entries.at(0).fire), QStringLiteral("2026-03-28T02:30:00+01:00"));
    QVERIFY(entries.at(0).changesBefore.isEmpty());
    QVERIFY(!entries.at(0).movedBySkippedTime);
    QCOMPARE(IsoTime::format(entries.at(1).fire), QStringLiteral("2026-03-29T03:00:00+02:00"));
    QCOMPARE(entries.at(1).changesBefore.size(), 1);
    QCOMPARE(entries.at(1).changesBefore.first().offsetAfter, 7200);
    QVERIFY(entries.at(1).movedBySkippedTime);
    QVERIFY(!entries.at(2).movedBySkippedTime);
    QVERIFY(entries.at(2).changesBefore.isEmpty());
}

void TestCronPreview::repeatedHourShowsTheChangeBetweenBothPasses()
{
    const QTimeZone berlin("Europe/Berlin");
    const CronSchedule schedule(CronExpression::parse(QStringLiteral("30 2 * * *")), berlin);
    const CronSchedule wallClock(CronExpression::parse(QStringLiteral("*/30 2 * * *")), berlin);
    const QDateTime from(QDate(2026, 10, 25), QTime(0, 0), berlin);
    const auto fixed = previewFires(schedule, from, 2);
    QCOMPARE(fixed.size(), 2);
    QVERIFY(fixed.at(0).changesBefore.isEmpty());
    QCOMPARE(fixed.at(1).changesBefore.size(), 1); // the fall-back lies between today's and tomorrow's run

    const auto both = previewFires(wallClock, from, 4);
    QCOMPARE(both.size(), 4);
    QCOMPARE(IsoTime::format(both.at(2).fire), QStringLiteral("2026-10-25T02:00:00+01:00"));
    QCOMPARE(both.at(2).changesBefore.size(), 1);
    QCOMPARE(both.at(2).changesBefore.first().offsetBefore, 7200);
    for (const auto &entry : both)
        QVERIFY(!entry.movedBySkippedTime);
}

void TestCronPreview::zonesWithoutChangesListNone()
{
    const CronSchedule schedule(CronExpression::parse(QStringLiteral("@daily")), QTimeZone("Asia/Kolkata"));
    const auto entries = previewFires(schedule, QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc()), 400);
    QCOMPARE(entries.size(), 400);
    for (const auto &entry : entries)
        QVERIFY(entry.changesBefore.isEmpty());
}

void TestCronPreview::transitionsAreDescribedInWallClockTerms_data()
{
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<QDate>("day");
    QTest::addColumn<QString>("description");
    QTest::newRow("berlin spring") << QByteArray("Europe/Berlin") << QDate(2026, 3, 29)
                                   << QStringLiteral("2026-03-29 02:00 -> 03:00: DST starts, clocks go forward 1 hour "
                                                     "(UTC+01:00 -> UTC+02:00)");
    QTest::newRow("new york fall") << QByteArray("America/New_York") << QDate(2026, 11, 1)
                                   << QStringLiteral("2026-11-01 02:00 -> 01:00: DST ends, clocks go back 1 hour "
                                                     "(UTC-04:00 -> UTC-05:00)");
    QTest::newRow("lord howe half hour") << QByteArray("Australia/Lord_Howe") << QDate(2026, 4, 5)
                                         << QStringLiteral("2026-04-05 02:00 -> 01:30: DST ends, clocks go back 30 "
                                                           "minutes (UTC+11:00 -> UTC+10:30)");
    QTest::newRow("samoa skips a day") << QByteArray("Pacific/Apia") << QDate(2011, 12, 29)
                                       << QStringLiteral(
                                              "2011-12-30 00:00 -> 2011-12-31 00:00: the zone changes its UTC "
                                              "offset, clocks go forward 24 hours (UTC-10:00 -> UTC+14:00)");
}

void TestCronPreview::transitionsAreDescribedInWallClockTerms()
{
    QFETCH(QByteArray, zone);
    QFETCH(QDate, day);
    QFETCH(QString, description);
    const QTimeZone tz(zone);
    const auto rules = ZoneRules::forZone(tz);
    const auto changes = rules->transitionsBetween(QDateTime(day, QTime(0, 0), tz).toSecsSinceEpoch(),
                                                   QDateTime(day.addDays(1), QTime(0, 0), tz).toSecsSinceEpoch());
    QCOMPARE(changes.size(), 1);
    QCOMPARE(describeTransition(changes.first()), description);
}

void TestCronPreview::invalidInputGivesAnEmptyPreview()
{
    const QDateTime from(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc());
    QVERIFY(previewFires(CronSchedule(), from, 5).isEmpty());
    QVERIFY(previewFires(CronSchedule(CronExpression::parse(QStringLiteral("0 0 30 2 *")), QTimeZone::utc()), from, 5)
                .isEmpty());
    QVERIFY(
        previewFires(CronSchedule(CronExpression::parse(QStringLiteral("@daily")), QTimeZone::utc()), QDateTime(), 5)
            .isEmpty());
}

QTEST_GUILESS_MAIN(TestCronPreview)
#include "tst_cronpreview.moc"

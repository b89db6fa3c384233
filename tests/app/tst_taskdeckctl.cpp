// taskdeckctl's output and exit codes are a stable interface: this test runs the real binary.

#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

class TestTaskdeckctl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cronNextPrintsIsoTimesWithOffsets();
    void cronNextJoinsFieldsGivenAsSeparateWords();
    void cronNextSaysNeverOnStderrAndExitsZero_data();
    void cronNextSaysNeverOnStderrAndExitsZero();
    void badInputExitsTwoWithOneLineNamingTheProblem_data();
    void badInputExitsTwoWithOneLineNamingTheProblem();
    void cronExplainDescribesAndMarksDstChanges();
    void helpAndVersionExitZero_data();
    void helpAndVersionExitZero();

private:
    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Result run(const QStringList &arguments);

    QString m_program;
};

void TestTaskdeckctl::initTestCase()
{
    m_program = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECKCTL"));
    QVERIFY2(!m_program.isEmpty(), "TASKDECKCTL must name the taskdeckctl binary (set by ctest)");
}

TestTaskdeckctl::Result TestTaskdeckctl::run(const QStringList &arguments)
{
    QProcess process;
    process.start(m_program, arguments);
    Result result;
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

void TestTaskdeckctl::cronNextPrintsIsoTimesWithOffsets()
{
    const Result r = run({QStringLiteral("cron"), QStringLiteral("next"), QStringLiteral("30 2 * * *"),
                          QStringLiteral("--tz"), QStringLiteral("Europe/Berlin"), QStringLiteral("--from"),
                          QStringLiteral("2026-03-28T12:00"), QStringLiteral("--count"), QStringLiteral("3")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out,
             QStringLiteral("2026-03-29T03:00:00+02:00\n2026-03-30T02:30:00+02:00\n2026-03-31T02:30:00+02:00\n"));
    QCOMPARE(r.err, QString());

    const Result utc =
        run({QStringLiteral("cron"), QStringLiteral("next"), QStringLiteral("@hourly"), QStringLiteral("--tz"),
             QStringLiteral("UTC"), QStringLiteral("--from"), QStringLiteral("2026-01-01T00:30:00Z")});
    QCOMPARE(utc.exitCode, 0);
    QCOMPARE(utc.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 5); // --count defaults to 5
    QVERIFY(utc.out.startsWith(QStringLiteral("2026-01-01T01:00:00+00:00\n")));
}

void TestTaskdeckctl::cronNextJoinsFieldsGivenAsSeparateWords()
{
    const Result r = run({QStringLiteral("cron"), QStringLiteral("next"), QStringLiteral("0"), QStringLiteral("9"),
                          QStringLiteral("*"), QStringLiteral("*"), QStringLiteral("1-5"), QStringLiteral("--tz"),
                          QStringLiteral("America/New_York"), QStringLiteral("--from"),
                          QStringLiteral("2026-12-04T12:00:00-05:00"), QStringLiteral("--count"), QStringLiteral("2")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("2026-12-07T09:00:00-05:00\n2026-12-08T09:00:00-05:00\n"));
}

void TestTaskdeckctl::cronNextSaysNeverOnStderrAndExitsZero_data()
{
    QTest::addColumn<QString>("expression");
    QTest::newRow("february 30") << QStringLiteral("0 0 30 2 *");
    QTest::newRow("april 31") << QStringLiteral("0 0 31 4 *");
    QTest::newRow("reboot") << QStringLiteral("@reboot");
}

void TestTaskdeckctl::cronNextSaysNeverOnStderrAndExitsZero()
{
    QFETCH(QString, expression);
    const Result r = run({QStringLiteral("cron"), QStringLiteral("next"), expression});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QString());
    QVERIFY2(r.err.startsWith(QStringLiteral("never")), qPrintable(r.err));
}

void TestTaskdeckctl::badInputExitsTwoWithOneLineNamingTheProblem_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error");
    const QString cron = QStringLiteral("cron");
    const QString next = QStringLiteral("next");
    QTest::newRow("hour out of range")
        << QStringList{cron, next, QStringLiteral("0 24 * * *")}
        << QStringLiteral(
               "taskdeckctl: invalid cron expression '0 24 * * *': hour: 24 is out of range 0-23 (column 3)");
    QTest::newRow("too few fields")
        << QStringList{cron, next, QStringLiteral("* * * *")}
        << QStringLiteral("taskdeckctl: invalid cron expression '* * * *': expression: has 4 fields; expected 5 "
                          "(minute hour day-of-month month day-of-week) or 6 (second first)");
    QTest::newRow("explain checks too")
        << QStringList{cron, QStringLiteral("explain"), QStringLiteral("0 0 * * 5#6")}
        << QStringLiteral("taskdeckctl: invalid cron expression '0 0 * * 5#6': day-of-week: occurrence 6 is out of "
                          "range 1-5 (column 11)");
    QTest::newRow("unknown zone")
        << QStringList{cron, next, QStringLiteral("@daily"), QStringLiteral("--tz"), QStringLiteral("Mars/Base")}
        << QStringLiteral("taskdeckctl: --tz: unknown time zone 'Mars/Base' (use an IANA name such as Europe/Berlin, "
                          "or UTC)");
    QTest::newRow("bad from") << QStringList{cron, next, QStringLiteral("@daily"), QStringLiteral("--from"),
                                             QStringLiteral("2026-02-30")}
                              << QStringLiteral("taskdeckctl: --from: '2026-02-30' is not a valid date");
    QTest::newRow("zero count") << QStringList{cron, next, QStringLiteral("@daily"), QStringLiteral("--count"),
                                               QStringLiteral("0")}
                                << QStringLiteral("taskdeckctl: --count: '0' is not a whole number from 1 to 100000");
    QTest::newRow("negative count") << QStringList{cron, next, QStringLiteral("@daily"), QStringLiteral("--count=-3")}
                                    << QStringLiteral(
                                           "taskdeckctl: --count: '-3' is not a whole number from 1 to 100000");
    QTest::newRow("missing expression") << QStringList{cron, next}
                                        << QStringLiteral("taskdeckctl: a cron expression is missing (see: "
                                                          "taskdeckctl cron --help)");
    QTest::newRow("unknown option") << QStringList{cron, next, QStringLiteral("@daily"), QStringLiteral("--bogus")}
                                    << QStringLiteral(
                                           "taskdeckctl: Unknown option 'bogus'. (see: taskdeckctl cron next --help)");
    QTest::newRow("option without value")
        << QStringList{cron, next, QStringLiteral("@daily"), QStringLiteral("--tz")}
        << QStringLiteral("taskdeckctl: Missing value after '--tz'. (see: taskdeckctl cron next --help)");
    QTest::newRow("unknown cron command")
        << QStringList{cron, QStringLiteral("later")}
        << QStringLiteral("taskdeckctl: cron: unknown command 'later' (expected next or explain; see: taskdeckctl "
                          "cron --help)");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")}
                                     << QStringLiteral("taskdeckctl: unknown command 'frobnicate' (see: taskdeckctl "
                                                       "--help)");
    QTest::newRow("unknown global option") << QStringList{QStringLiteral("--frob")}
                                           << QStringLiteral("taskdeckctl: unknown option '--frob' (see: taskdeckctl "
                                                             "--help)");
}

void TestTaskdeckctl::badInputExitsTwoWithOneLineNamingTheProblem()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.out, QString());
    QCOMPARE(r.err, error + QLatin1Char('\n'));
}

void TestTaskdeckctl::cronExplainDescribesAndMarksDstChanges()
{
    const Result r =
        run({QStringLiteral("cron"), QStringLiteral("explain"), QStringLiteral("30 2 * * *"), QStringLiteral("--tz"),
             QStringLiteral("Europe/Berlin"), QStringLiteral("--from"), QStringLiteral("2026-03-27T00:00")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.contains(QStringLiteral("Description: At 02:30, every day")), qPrintable(r.out));
    QVERIFY2(lines.contains(QStringLiteral("Normalized:  30 2 * * *")), qPrintable(r.out));
    // Five fires, each in the zone and in UTC, with the DST change marked before the fire it moved.
    const auto changeAt = lines.indexOf(QStringLiteral(
        "  -- 2026-03-29 02:00 -> 03:00: DST change, clocks go forward 1 hour (UTC+01:00 -> UTC+02:00)"));
    QVERIFY2(changeAt > 0, qPrintable(r.out));
    QVERIFY(
        lines.at(changeAt + 1).startsWith(QStringLiteral("  2026-03-29T03:00:00+02:00   2026-03-29T01:00:00+00:00")));
    QVERIFY(lines.at(changeAt + 1).contains(QStringLiteral("skipped")));
    QCOMPARE(lines.filter(QStringLiteral("+00:00")).size(), 5);
}

void TestTaskdeckctl::helpAndVersionExitZero_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--help") << QStringList{QStringLiteral("--help")} << QStringLiteral("Usage: taskdeckctl");
    QTest::newRow("--version") << QStringList{QStringLiteral("--version")}
                               << QStringLiteral("taskdeckctl " TASKDECK_VERSION "\n");
    QTest::newRow("cron --help") << QStringList{QStringLiteral("cron"), QStringLiteral("--help")}
                                 << QStringLiteral("Usage: taskdeckctl cron");
    QTest::newRow("cron next --help") << QStringList{QStringLiteral("cron"), QStringLiteral("next"),
                                                     QStringLiteral("--help")}
                                      << QStringLiteral("Usage: taskdeckctl cron next EXPR");
    QTest::newRow("cron explain --help") << QStringList{QStringLiteral("cron"), QStringLiteral("explain"),
                                                        QStringLiteral("--help")}
                                         << QStringLiteral("Usage: taskdeckctl cron explain EXPR");
}

void TestTaskdeckctl::helpAndVersionExitZero()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(expected), qPrintable(r.out));
    QCOMPARE(r.err, QString());
}

QTEST_GUILESS_MAIN(TestTaskdeckctl)
#include "tst_taskdeckctl.moc"

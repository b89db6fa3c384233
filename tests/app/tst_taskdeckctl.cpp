// taskdeckctl's output and exit codes are a stable interface: this test runs the real binary.

#include "ctlrun.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

class TestTaskdeckctl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cronNextPrintsIsoTimesWithOffsets();
    void cronNextReadsFromTimesInSkippedOrRepeatedHours();
    void cronNextJoinsFieldsGivenAsSeparateWords();
    void cronNextSaysNeverOnStderrAndExitsZero_data();
    void cronNextSaysNeverOnStderrAndExitsZero();
    void badInputExitsTwoWithOneLineNamingTheProblem_data();
    void badInputExitsTwoWithOneLineNamingTheProblem();
    void cronExplainDescribesAndMarksDstChanges();
    void helpAndVersionExitZero_data();
    void helpAndVersionExitZero();
    void enqueuedTasksAreListedAndShown();
    void badEnqueueInputExitsTwoAndWritesNothing_data();
    void badEnqueueInputExitsTwoAndWritesNothing();
    void uniqueKeyConflictExitsOneAndKeepsTheFirst();
    void retryPlanShowsEachAttemptsLongestWait();

private:
    using Result = CtlRun;
    Result run(const QStringList &arguments) { return runProgram(m_program, arguments); }

    QString m_program;
    QTemporaryDir m_dir;
};

void TestTaskdeckctl::initTestCase()
{
    m_program = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECKCTL"));
    QVERIFY2(!m_program.isEmpty(), "TASKDECKCTL must name the taskdeckctl binary (set by ctest)");
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

void TestTaskdeckctl::cronNextReadsFromTimesInSkippedOrRepeatedHours()
{
    const auto first = [this](const QString &from) {
        return run({QStringLiteral("cron"), QStringLiteral("next"), QStringLiteral("*/15 * * * *"),
                    QStringLiteral("--tz"), QStringLiteral("Europe/Berlin"), QStringLiteral("--from"), from,
                    QStringLiteral("--count"), QStringLiteral("1")});
    };
    // 02:30 did not exist on 29 March 2026: it reads as 03:30 (as far past the change).
    QCOMPARE(first(QStringLiteral("2026-03-29T02:30")).out, QStringLiteral("2026-03-29T03:45:00+02:00\n"));
    // 02:15 happened twice on 25 October 2026: it means the first pass.
    QCOMPARE(first(QStringLiteral("2026-10-25T02:15")).out, QStringLiteral("2026-10-25T02:30:00+02:00\n"));
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
                          "UTC, or UTC+05:30)");
    QTest::newRow("a word is not a zone")
        << QStringList{cron, next, QStringLiteral("@daily"), QStringLiteral("--tz"), QStringLiteral("Berlin")}
        << QStringLiteral("taskdeckctl: --tz: unknown time zone 'Berlin' (use an IANA name such as Europe/Berlin, "
                          "UTC, or UTC+05:30)");
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
    QTest::newRow("control characters are escaped, so the error stays one line")
        << QStringList{cron, next, QStringLiteral("0 99\n* * *")}
        << QStringLiteral(
               "taskdeckctl: invalid cron expression '0 99\\n* * *': hour: 99 is out of range 0-23 (column 3)");
    QTest::newRow("an expression starting with a dash")
        << QStringList{cron, next, QStringLiteral("-1 * * * *")}
        << QStringLiteral("taskdeckctl: Unknown option '1 * * * *'. ('-1 * * * *' starts with '-': put -- before it to "
                          "pass it as a value)");
    QTest::newRow("after --, the expression's own error")
        << QStringList{cron, next, QStringLiteral("--"), QStringLiteral("-1 * * * *")}
        << QStringLiteral(
               "taskdeckctl: invalid cron expression '-1 * * * *': minute: '-1': a range needs a start, e.g. "
               "1-5 (column 1)");
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
    QTest::newRow("bad sync") << QStringList{QStringLiteral("serve"), QStringLiteral("--sync"), QStringLiteral("off")}
                              << QStringLiteral("taskdeckctl: --sync: 'off' is not full or normal");
    const QString dlq = QStringLiteral("dlq");
    const QString retry = QStringLiteral("retry");
    const QString payload = QStringLiteral("--payload");
    QTest::newRow("malformed edited payload")
        << QStringList{dlq, retry, QStringLiteral("4"), payload, QStringLiteral("{\"a\":")}
        << QStringLiteral("taskdeckctl: --payload: malformed JSON at character 6: object is missing after a comma");
    QTest::newRow("edited payload for two tasks")
        << QStringList{dlq, retry, QStringLiteral("4"), QStringLiteral("5"), payload, QStringLiteral("{}")}
        << QStringLiteral("taskdeckctl: a new payload goes with one task id");
    QTest::newRow("edited payload for all")
        << QStringList{dlq, retry, QStringLiteral("--all"), payload, QStringLiteral("{}")}
        << QStringLiteral("taskdeckctl: a new payload goes with one task id");
    QTest::newRow("payload twice") << QStringList{dlq,
                                                  retry,
                                                  QStringLiteral("4"),
                                                  payload,
                                                  QStringLiteral("{}"),
                                                  QStringLiteral("--payload-file"),
                                                  QStringLiteral("/nonexistent")}
                                   << QStringLiteral(
                                          "taskdeckctl: dlq retry takes --payload or --payload-file, not both");
    QTest::newRow("missing payload file")
        << QStringList{dlq, retry, QStringLiteral("4"), QStringLiteral("--payload-file"),
                       QStringLiteral("/nonexistent/p.json")}
        << QStringLiteral("taskdeckctl: --payload-file /nonexistent/p.json: No such file or directory");
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
        "  -- 2026-03-29 02:00 -> 03:00: DST starts, clocks go forward 1 hour (UTC+01:00 -> UTC+02:00)"));
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

void TestTaskdeckctl::enqueuedTasksAreListedAndShown()
{
    const QString db = m_dir.filePath(QStringLiteral("roundtrip.db"));
    const Result first = run({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("enqueue"),
                              QStringLiteral("--exec"), QStringLiteral("echo"), QStringLiteral("--payload"),
                              QStringLiteral("{\"n\": 1}"), QStringLiteral("--priority"), QStringLiteral("3"),
                              QStringLiteral("--"), QStringLiteral("hello"), QStringLiteral("--db")});
    QCOMPARE(first.err, QString());
    QCOMPARE(first.exitCode, 0);
    QCOMPARE(first.out, QStringLiteral("1\n"));
    const Result second =
        run({QStringLiteral("task"), QStringLiteral("enqueue"), QStringLiteral("--shell"), QStringLiteral("exit 3"),
             QStringLiteral("--queue"), QStringLiteral("reports"), QStringLiteral("--db=") + db});
    QCOMPARE(second.out, QStringLiteral("2\n"));

    const Result list =
        run({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(list.exitCode, 0);
    const QJsonArray tasks = QJsonDocument::fromJson(list.out.toUtf8()).array();
    QCOMPARE(tasks.size(), 2);
    const QJsonObject newest = tasks.at(0).toObject();
    QCOMPARE(newest.value(QStringLiteral("id")).toInt(), 2);
    QCOMPARE(newest.value(QStringLiteral("queue")).toString(), QStringLiteral("reports"));
    const QJsonObject oldest = tasks.at(1).toObject();
    for (const char *key :
         {"id", "state", "attempts", "job", "queue", "priority", "error", "created_at", "finished_at"})
        QVERIFY2(oldest.contains(QLatin1String(key)), key);
    QCOMPARE(oldest.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
    QCOMPARE(oldest.value(QStringLiteral("priority")).toInt(), 3);
    // "--db" after "--" belongs to the program.
    QCOMPARE(oldest.value(QStringLiteral("action")).toObject().value(QStringLiteral("args")).toArray(),
             (QJsonArray{QStringLiteral("hello"), QStringLiteral("--db")}));

    const Result table = run({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("list"),
                              QStringLiteral("--state"), QStringLiteral("queued")});
    QCOMPARE(table.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 3); // header and two rows
    const Result show =
        run({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("show"), QStringLiteral("1")});
    QCOMPARE(show.exitCode, 0);
    QVERIFY2(show.out.contains(QStringLiteral("Action:       exec echo hello --db")), qPrintable(show.out));
    const Result missing =
        run({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("show"), QStringLiteral("99")});
    QCOMPARE(missing.exitCode, 1);
    QCOMPARE(missing.err, QStringLiteral("taskdeckctl: no task 99\n"));
}

void TestTaskdeckctl::badEnqueueInputExitsTwoAndWritesNothing_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("error");
    const QString exec = QStringLiteral("--exec");
    const QString echo = QStringLiteral("echo");
    QTest::newRow("no action") << QStringList{}
                               << QStringLiteral("choose one action: --exec, --shell, --http, --handler or --action");
    QTest::newRow("two actions") << QStringList{exec, echo, QStringLiteral("--shell"), QStringLiteral("true")}
                                 << QStringLiteral("choose one action: --exec, --shell, --http, --handler or --action");
    QTest::newRow("malformed payload")
        << QStringList{exec, echo, QStringLiteral("--payload"), QStringLiteral("{\"a\": }")}
        << QStringLiteral("--payload: malformed JSON at character 7: object is missing after a comma");
    QTest::newRow("missing program") << QStringList{exec, QStringLiteral("no-such-program-xyz")}
                                     << QStringLiteral("exec: no program 'no-such-program-xyz' in PATH");
    QTest::newRow("bad url") << QStringList{QStringLiteral("--http"), QStringLiteral("not a url")}
                             << QStringLiteral("http: 'not a url' is not an http or https URL with a host");
    QTest::newRow("bad method") << QStringList{QStringLiteral("--http"), QStringLiteral("https://example.org"),
                                               QStringLiteral("--method"), QStringLiteral("FETCH")}
                                << QStringLiteral("http: method 'FETCH' is not one of GET POST PUT PATCH DELETE HEAD");
    QTest::newRow("negative priority") << QStringList{exec, echo, QStringLiteral("--priority"), QStringLiteral("-5000")}
                                       << QStringLiteral(
                                              "--priority: '-5000' is not a whole number from -1000 to 1000");
    QTest::newRow("zero attempts") << QStringList{exec, echo, QStringLiteral("--max-attempts"), QStringLiteral("0")}
                                   << QStringLiteral("--max-attempts: '0' is not a whole number from 1 to 1000");
    QTest::newRow("bad backoff") << QStringList{exec, echo, QStringLiteral("--backoff"), QStringLiteral("soon")}
                                 << QStringLiteral("--backoff: 'soon' is not a whole number of milliseconds");
    QTest::newRow("negative timeout") << QStringList{exec, echo, QStringLiteral("--timeout"), QStringLiteral("-1")}
                                      << QStringLiteral(
                                             "--timeout: '-1' is not a number of seconds above 0 (at most 30 days)");
    QTest::newRow("bad not-before") << QStringList{exec, echo, QStringLiteral("--not-before"), QStringLiteral("later")}
                                    << QStringLiteral("--not-before: 'later' is not an ISO-8601 date-time such as "
                                                      "2026-03-29T01:30:00+01:00");
    QTest::newRow("queue with a space") << QStringList{exec, echo, QStringLiteral("--queue"), QStringLiteral("a b")}
                                        << QStringLiteral("queue: 'a b' is not a queue name (letters, digits, '_', "
                                                          "'.', '-'; up to 64)");
    QTest::newRow("arguments without exec")
        << QStringList{QStringLiteral("--shell"), QStringLiteral("true"), QStringLiteral("--"), QStringLiteral("x")}
        << QStringLiteral("'x': arguments after -- go with --exec only");
    QTest::newRow("unknown option") << QStringList{exec, echo, QStringLiteral("--colour")}
                                    << QStringLiteral("Unknown option 'colour'. (see: taskdeckctl [--db PATH] --help)");
}

void TestTaskdeckctl::badEnqueueInputExitsTwoAndWritesNothing()
{
    QFETCH(QStringList, options);
    QFETCH(QString, error);
    const QString db = m_dir.filePath(QStringLiteral("bad-%1.db").arg(QString::fromLatin1(QTest::currentDataTag())));
    const Result r =
        run(QStringList{QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("enqueue")} + options);
    QCOMPARE(r.err, QStringLiteral("taskdeckctl: ") + error + QLatin1Char('\n'));
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.out, QString());
    QVERIFY(!QFileInfo::exists(db));
}

void TestTaskdeckctl::uniqueKeyConflictExitsOneAndKeepsTheFirst()
{
    const QString db = m_dir.filePath(QStringLiteral("unique.db"));
    const QStringList enqueue{QStringLiteral("--db"),     db,
                              QStringLiteral("task"),     QStringLiteral("enqueue"),
                              QStringLiteral("--shell"),  QStringLiteral("true"),
                              QStringLiteral("--unique"), QStringLiteral("nightly")};
    QCOMPARE(run(enqueue).out, QStringLiteral("1\n"));
    const Result again = run(enqueue);
    QCOMPARE(again.exitCode, 1);
    QCOMPARE(again.err, QStringLiteral("taskdeckctl: unique key 'nightly' is taken by task 1, which is queued\n"));
    const Result list =
        run({QStringLiteral("--db"), db, QStringLiteral("task"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(list.out.toUtf8()).array().size(), 1);
}

void TestTaskdeckctl::retryPlanShowsEachAttemptsLongestWait()
{
    const Result r =
        run({QStringLiteral("task"), QStringLiteral("retry-plan"), QStringLiteral("--max-attempts"),
             QStringLiteral("4"), QStringLiteral("--backoff"), QStringLiteral("1500:4000"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject plan = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(plan.value(QStringLiteral("max_attempts")).toInt(), 4);
    const QJsonArray attempts = plan.value(QStringLiteral("attempts")).toArray();
    QCOMPARE(attempts.size(), 4);
    QList<int> waits;
    for (const QJsonValue &attempt : attempts)
        waits.append(attempt.toObject().value(QStringLiteral("max_wait_ms")).toInt());
    QCOMPARE(waits, (QList<int>{0, 1500, 3000, 4000}));
    QCOMPARE(attempts.last().toObject().value(QStringLiteral("worst_case_since_first_ms")).toInt(), 8500);

    const Result text = run({QStringLiteral("task"), QStringLiteral("retry-plan"), QStringLiteral("--max-attempts"),
                             QStringLiteral("3"), QStringLiteral("--backoff"), QStringLiteral("1500:4000")});
    QVERIFY2(text.out.contains(QStringLiteral("  3        3 s                         4.5 s + run times\n")),
             qPrintable(text.out));
    QVERIFY(text.out.contains(QStringLiteral("dead-letter list")));
}

QTEST_GUILESS_MAIN(TestTaskdeckctl)
#include "tst_taskdeckctl.moc"

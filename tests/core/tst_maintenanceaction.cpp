// The maintenance actions on real folders and real SQLite files: cleanup with real symlinks
// pointing out of its folder, file ages set with utimensat() against a ManualClock (no test waits
// for a file to grow old), purge-history, vacuum, report and the statistics behind it, one run
// through the real engine, and taskdeckctl's --action.

#include "actions/actionspec.h"
#include "actions/handlerregistry.h"
#include "actions/maintenanceaction.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "queue/taskstore.h"
#include "scheduler/jobstatistics.h"
#include "store/database.h"
#include "store/storewriter.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <algorithm>
#include <fcntl.h>
#include <linux/fs.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>
#include <utility>

using namespace Taskdeck::Core;

namespace {

const QDateTime Now(QDate(2026, 12, 2), QTime(10, 0), QTimeZone::utc()); // a Wednesday
constexpr qint64 Day = 24 * 3600;

QJsonObject cleanupAction(const QString &dir, const QString &glob, qint64 olderThanSeconds, bool recursive = true,
                          bool dryRun = false)
{
    return {{QStringLiteral("type"), QStringLiteral("cleanup")},
            {QStringLiteral("dir"), dir},
            {QStringLiteral("glob"), glob},
            {QStringLiteral("older_than_seconds"), olderThanSeconds},
            {QStringLiteral("recursive"), recursive},
            {QStringLiteral("dry_run"), dryRun}};
}

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

// Sets the modification time of `path` (of the link itself for a link).
bool setModified(const QString &path, const QDateTime &time)
{
    const qint64 ms = time.toMSecsSinceEpoch();
    const struct timespec times[2] = {{time_t(ms / 1000), long(ms % 1000) * 1000000},
                                      {time_t(ms / 1000), long(ms % 1000) * 1000000}};
    return ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, AT_SYMLINK_NOFOLLOW) == 0;
}

// A file of `size` bytes last changed `ageSeconds` before Now.
bool makeFile(const QString &path, qint64 ageSeconds, int size = 10)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray(size, 'x')) != size)
        return false;
    file.close();
    return setModified(path, Now.addSecs(-ageSeconds));
}

bool makeLink(const QString &target, const QString &link, qint64 ageSeconds)
{
    return QFile::link(target, link) && setModified(link, Now.addSecs(-ageSeconds));
}

// A file that even root cannot delete: immutable for root (where the file system has the flag),
// in a read-only folder for anybody else. False when neither can be had here.
bool makeUndeletable(const QString &path)
{
    if (::geteuid() != 0)
        return ::chmod(QFile::encodeName(QFileInfo(path).absolutePath()).constData(), 0555) == 0;
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    int flags = 0;
    bool ok = fd >= 0 && ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    if (ok) {
        flags |= FS_IMMUTABLE_FL;
        ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    if (fd >= 0)
        ::close(fd);
    return ok;
}

void makeDeletableAgain(const QString &path)
{
    ::chmod(QFile::encodeName(QFileInfo(path).absolutePath()).constData(), 0755);
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    int flags = 0;
    if (fd >= 0 && ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL)) {
        flags &= ~FS_IMMUTABLE_FL;
        ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
    }
    if (fd >= 0)
        ::close(fd);
}

QStringList lines(const QString &output)
{
    return output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestMaintenanceAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void badActionsAreRefusedNamingTheField_data();
    void badActionsAreRefusedNamingTheField();
    void goodActionsPassAndSaySomething();
    void aLeadingTildeIsTheHomeFolder();

    void cleanupDeletesOldMatchingFilesAndListsEach();
    void cleanupNeverEscapesItsDirectory();
    void cleanupOfALinkedFolderCleansItsTargetOnly();
    void cleanupDryRunOnlyLists();
    void cleanupWithoutRecursionStaysAtTheTop();
    void cleanupOfAMissingFolderFailsUnlessMissingIsOk();
    void cleanupGoesOnPastAFileItCannotDeleteAndFailsAtTheEnd();
    void cleanupHonoursCancelBetweenFiles();

    void purgeDeletesOldSucceededRunsAndKeepsDeadAndRecentOnes();
    void purgeCanIncludeCancelledRunsAndWorksInBatches();
    void purgeDryRunDeletesNothing();

    void vacuumOptimizesAndSaysWhatAutoVacuumAllows();
    void vacuumGivesFreePagesBackWhenIncremental();

    void reportPeriodIsTheLastWholeOneBeforeTheRun_data();
    void reportPeriodIsTheLastWholeOneBeforeTheRun();
    void statisticsCountRunsOfTheWindowAndEveryDeadLetter();
    void reportWritesHtmlAndCsvNamedByPeriod();

    void purgeDropsOldEventsThatNothingNeedsAnyMore();
    void theEngineRunsAMaintenanceActionAndKeepsItsOutput();
    void taskdeckctlTakesAnyActionAsJson();

private:
    AttemptOutcome runAction(const QJsonObject &action, TaskContext *context = nullptr);
    void openWriter();
    void sql(const QString &statement);
    qint64 scalar(const QString &statement);
    // A task row as the engine leaves it; times relative to Now, in seconds (-1: none).
    void addTask(qint64 id, const QString &job, const QString &state, qint64 startedAgo, qint64 finishedAgo,
                 qint64 durationMs = -1);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dbPath;
    std::unique_ptr<StoreWriter> m_writer;
    ManualClock m_clock{Now};
};

void TestMaintenanceAction::init()
{
    // Under the temporary folder's real path, so that the paths the actions print are the ones
    // the tests build.
    m_dir = std::make_unique<QTemporaryDir>(QFileInfo(QDir::tempPath()).canonicalFilePath() +
                                            QStringLiteral("/tst_maintenanceaction-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_dbPath = m_dir->filePath(QStringLiteral("taskdeck.db"));
    m_clock.set(Now);
}

void TestMaintenanceAction::cleanup()
{
    m_writer.reset();
    m_dir.reset();
}

void TestMaintenanceAction::openWriter()
{
    m_writer = std::make_unique<StoreWriter>(m_dbPath);
    QVERIFY2(m_writer->isOpen(), qPrintable(m_writer->openError()));
}

AttemptOutcome TestMaintenanceAction::runAction(const QJsonObject &action, TaskContext *context)
{
    TaskContext own(1, 1, QJsonValue());
    return MaintenanceAction::run(action, context ? *context : own, 0, m_writer.get(), m_clock);
}

void TestMaintenanceAction::sql(const QString &statement)
{
    const auto result = m_writer->run([statement](QSqlDatabase &db, QVariant *, QString *error) {
        QSqlQuery query(db);
        if (query.exec(statement))
            return true;
        *error = statement + QStringLiteral(": ") + query.lastError().text();
        return false;
    });
    QVERIFY2(result.ok, qPrintable(result.error));
}

qint64 TestMaintenanceAction::scalar(const QString &statement)
{
    const auto result = m_writer->run([statement](QSqlDatabase &db, QVariant *value, QString *) {
        QSqlQuery query(db);
        if (!query.exec(statement) || !query.next())
            return false;
        *value = query.value(0);
        return true;
    });
    return result.ok ? result.value.toLongLong() : -1;
}

void TestMaintenanceAction::addTask(qint64 id, const QString &job, const QString &state, qint64 startedAgo,
                                    qint64 finishedAgo, qint64 durationMs)
{
    const qint64 nowMs = Now.toMSecsSinceEpoch();
    const qint64 finishedMs = finishedAgo >= 0 ? nowMs - finishedAgo * 1000 : -1;
    const qint64 startedMs =
        durationMs >= 0 ? finishedMs - durationMs : (startedAgo >= 0 ? nowMs - startedAgo * 1000 : -1);
    const auto result = m_writer->run([=](QSqlDatabase &db, QVariant *, QString *error) {
        QSqlQuery query(db);
        query.prepare(QStringLiteral(
            "INSERT INTO tasks (id, job, action, state, attempts, max_attempts, retry_policy, not_before, created_at, "
            "started_at, finished_at) VALUES (?, ?, '{\"type\":\"handler\",\"name\":\"noop\"}', ?, 1, 3, '{}', ?, ?, "
            "?, ?)"));
        query.addBindValue(id);
        query.addBindValue(job.isEmpty() ? QVariant() : QVariant(job));
        query.addBindValue(state);
        query.addBindValue(nowMs - 100 * Day * 1000);
        query.addBindValue(nowMs - 100 * Day * 1000);
        query.addBindValue(startedMs >= 0 ? QVariant(startedMs) : QVariant());
        query.addBindValue(finishedMs >= 0 ? QVariant(finishedMs) : QVariant());
        if (!query.exec()) {
            *error = query.lastError().text();
            return false;
        }
        QSqlQuery attempt(db);
        attempt.prepare(QStringLiteral("INSERT INTO attempts (task_id, number, started_at, finished_at, outcome) "
                                       "VALUES (?, 1, ?, ?, ?)"));
        attempt.addBindValue(id);
        attempt.addBindValue(startedMs >= 0 ? startedMs : nowMs);
        attempt.addBindValue(finishedMs >= 0 ? QVariant(finishedMs) : QVariant());
        attempt.addBindValue(state == QLatin1String("dead") ? QStringLiteral("failed") : state);
        if (!attempt.exec()) {
            *error = attempt.lastError().text();
            return false;
        }
        return true;
    });
    QVERIFY2(result.ok, qPrintable(result.error));
}

void TestMaintenanceAction::badActionsAreRefusedNamingTheField_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("cleanup of /") << QByteArray(R"({"type":"cleanup","dir":"/","older_than_seconds":1})")
                                  << QStringLiteral("cleanup: dir '/' is the root folder; name the folder to clean");
    QTest::newRow("cleanup of / spelt otherwise")
        << QByteArray(R"({"type":"cleanup","dir":"/tmp/..","older_than_seconds":1})")
        << QStringLiteral("cleanup: dir '/tmp/..' is the root folder; name the folder to clean");
    QTest::newRow("cleanup without a dir")
        << QByteArray(R"({"type":"cleanup","older_than_seconds":1})") << QStringLiteral("cleanup: dir is missing");
    QTest::newRow("cleanup of an empty dir") << QByteArray(R"({"type":"cleanup","dir":"","older_than_seconds":1})")
                                             << QStringLiteral("cleanup: dir is missing");
    QTest::newRow("cleanup of a relative dir")
        << QByteArray(R"({"type":"cleanup","dir":"tmp","older_than_seconds":1})")
        << QStringLiteral("cleanup: dir 'tmp' is not an absolute path (nor one starting with ~/)");
    QTest::newRow("cleanup of a file") << QByteArray(R"({"type":"cleanup","dir":"@FILE@","older_than_seconds":1})")
                                       << QStringLiteral("cleanup: dir '@FILE@' is not a folder");
    QTest::newRow("cleanup of a missing dir")
        << QByteArray(R"({"type":"cleanup","dir":"@DIR@/nowhere","older_than_seconds":1})")
        << QStringLiteral("cleanup: dir '@DIR@/nowhere' does not exist (set missing_ok to allow that)");
    QTest::newRow("cleanup without an age") << QByteArray(R"({"type":"cleanup","dir":"@DIR@"})")
                                            << QStringLiteral("cleanup: older_than_seconds must be a whole number of "
                                                              "seconds from 0 to 3153600000");
    QTest::newRow("cleanup with a negative age")
        << QByteArray(R"({"type":"cleanup","dir":"@DIR@","older_than_seconds":-1})")
        << QStringLiteral("cleanup: older_than_seconds must be a whole number of seconds from 0 to 3153600000");
    QTest::newRow("cleanup with a fractional age")
        << QByteArray(R"({"type":"cleanup","dir":"@DIR@","older_than_seconds":1.5})")
        << QStringLiteral("cleanup: older_than_seconds must be a whole number of seconds from 0 to 3153600000");
    QTest::newRow("cleanup with an age as text")
        << QByteArray(R"({"type":"cleanup","dir":"@DIR@","older_than_seconds":"3600"})")
        << QStringLiteral("cleanup: older_than_seconds must be a whole number of seconds from 0 to 3153600000");
    QTest::newRow("cleanup with a path as glob")
        << QByteArray(R"({"type":"cleanup","dir":"@DIR@","glob":"a/*.tmp","older_than_seconds":1})")
        << QStringLiteral("cleanup: glob must be a file name pattern such as *.tmp (no '/')");
    QTest::newRow("cleanup with a misspelt dry run")
        << QByteArray(R"({"type":"cleanup","dir":"@DIR@","older_than_seconds":1,"dry-run":true})")
        << QStringLiteral("cleanup: unknown field 'dry-run'");
    QTest::newRow("cleanup with dry_run as text")
        << QByteArray(R"({"type":"cleanup","dir":"@DIR@","older_than_seconds":1,"dry_run":"yes"})")
        << QStringLiteral("cleanup: dry_run must be true or false");
    QTest::newRow("purge without days") << QByteArray(R"({"type":"purge-history"})")
                                        << QStringLiteral("purge-history: older_than_days must be a whole number of "
                                                          "days from 0 to 36500");
    QTest::newRow("purge with include_cancelled as a number")
        << QByteArray(R"({"type":"purge-history","older_than_days":3,"include_cancelled":1})")
        << QStringLiteral("purge-history: include_cancelled must be true or false");
    QTest::newRow("vacuum with a field") << QByteArray(R"({"type":"vacuum","full":true})")
                                         << QStringLiteral("vacuum: unknown field 'full'");
    QTest::newRow("report of a year") << QByteArray(R"({"type":"report","dir":"@DIR@","period":"year"})")
                                      << QStringLiteral("report: period 'year' is not one of day, week, month");
    QTest::newRow("report into a file") << QByteArray(R"({"type":"report","dir":"@FILE@","period":"day"})")
                                        << QStringLiteral("report: dir '@FILE@' is not a folder");
    QTest::newRow("report in a zone that is not")
        << QByteArray(R"({"type":"report","dir":"@DIR@","period":"day","timezone":"Berlin"})")
        << QStringLiteral("report: timezone: unknown time zone 'Berlin'");
    QTest::newRow("unknown type") << QByteArray(R"({"type":"teleport"})")
                                  << QStringLiteral(
                                         "action: unknown type 'teleport' (exec, shell, http, handler, "
                                         "publish, pipeline, iterate, cleanup, purge-history, vacuum or report)");
}

void TestMaintenanceAction::badActionsAreRefusedNamingTheField()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const QString file = m_dir->filePath(QStringLiteral("a-file"));
    QVERIFY(makeFile(file, 0));
    json.replace("@FILE@", QFile::encodeName(file));
    json.replace("@DIR@", QFile::encodeName(m_dir->path()));
    error.replace(QStringLiteral("@FILE@"), file);
    error.replace(QStringLiteral("@DIR@"), m_dir->path());
    const QJsonObject action = QJsonDocument::fromJson(json).object();
    QVERIFY(!action.isEmpty());
    QString why;
    QVERIFY(!ActionSpec::validate(action, &why));
    // The zone's message goes on with advice; its start names the field.
    QVERIFY2(why == error || (why.startsWith(error) && error.contains(QLatin1String("timezone"))), qPrintable(why));
    // And the action refuses to run, without retries: it would fail the same way each time.
    const AttemptOutcome outcome = runAction(action);
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Failed);
    QVERIFY(!outcome.retryable);
}

void TestMaintenanceAction::goodActionsPassAndSaySomething()
{
    QString why;
    QJsonObject cleanup = cleanupAction(m_dir->path(), QStringLiteral("*.tmp"), Day, true, true);
    QVERIFY2(ActionSpec::validate(cleanup, &why), qPrintable(why));
    QCOMPARE(ActionSpec::summary(cleanup),
             QStringLiteral("cleanup %1: *.tmp older than 1 d, recursive, dry run").arg(m_dir->path()));
    const QJsonObject missing = parse(R"({"type":"cleanup","dir":"/nonexistent/taskdeck","older_than_seconds":5400,
                                          "missing_ok":true})");
    QVERIFY2(ActionSpec::validate(missing, &why), qPrintable(why));
    QCOMPARE(ActionSpec::summary(missing), QStringLiteral("cleanup /nonexistent/taskdeck: * older than 90 min"));
    const QJsonObject purge = parse(R"({"type":"purge-history","older_than_days":30})");
    QVERIFY2(ActionSpec::validate(purge, &why), qPrintable(why));
    QCOMPARE(ActionSpec::summary(purge), QStringLiteral("purge-history: succeeded tasks older than 30 d"));
    const QJsonObject vacuum = parse(R"({"type":"vacuum"})");
    QVERIFY2(ActionSpec::validate(vacuum, &why), qPrintable(why));
    QCOMPARE(ActionSpec::summary(vacuum), QStringLiteral("vacuum"));
    const QJsonObject report =
        parse(R"({"type":"report","dir":"/nonexistent/reports","period":"week","timezone":"Europe/Berlin"})");
    QVERIFY2(ActionSpec::validate(report, &why), qPrintable(why)); // created when it runs
    QCOMPARE(ActionSpec::summary(report), QStringLiteral("report week into /nonexistent/reports (Europe/Berlin)"));
    QCOMPARE(ActionSpec::redacted(report), report);
}

void TestMaintenanceAction::aLeadingTildeIsTheHomeFolder()
{
    const QByteArray oldHome = qgetenv("HOME");
    qputenv("HOME", QFile::encodeName(m_dir->path()));
    const auto restore = qScopeGuard([&] { qputenv("HOME", oldHome); });
    QCOMPARE(MaintenanceAction::expandedPath(QStringLiteral("~")), m_dir->path());
    QCOMPARE(MaintenanceAction::expandedPath(QStringLiteral("~/cache")), m_dir->path() + QStringLiteral("/cache"));
    QCOMPARE(MaintenanceAction::expandedPath(QStringLiteral("~user/x")), QStringLiteral("~user/x"));
    QCOMPARE(MaintenanceAction::expandedPath(QStringLiteral("$HOME/x")), QStringLiteral("$HOME/x"));

    QVERIFY(makeFile(m_dir->filePath(QStringLiteral("cache/old.tmp")), 2 * Day));
    const AttemptOutcome outcome = runAction(cleanupAction(QStringLiteral("~/cache"), QStringLiteral("*"), Day));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("cache/old.tmp"))));
}

void TestMaintenanceAction::cleanupDeletesOldMatchingFilesAndListsEach()
{
    const QString root = m_dir->filePath(QStringLiteral("root"));
    QVERIFY(makeFile(root + QStringLiteral("/old.tmp"), 2 * Day, 100));
    QVERIFY(makeFile(root + QStringLiteral("/.hidden.tmp"), 2 * Day, 1));
    QVERIFY(makeFile(root + QStringLiteral("/new.tmp"), 3600));
    QVERIFY(makeFile(root + QStringLiteral("/edge.tmp"), Day)); // exactly as old as asked: deleted
    QVERIFY(makeFile(root + QStringLiteral("/old.log"), 2 * Day));
    QVERIFY(makeFile(root + QStringLiteral("/sub/deeper/old.tmp"), 3 * Day, 1000));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/old-folder.tmp")));
    QVERIFY(setModified(root + QStringLiteral("/old-folder.tmp"), Now.addSecs(-9 * Day)));

    TaskContext context(1, 1, QJsonValue());
    QList<int> percents;
    QStringList logged;
    context.onProgress = [&](int percent, const QString &) { percents.append(percent); };
    context.onLog = [&](const QString &line) { logged.append(line); };
    const AttemptOutcome outcome = runAction(cleanupAction(root, QStringLiteral("*.tmp"), Day), &context);
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QCOMPARE(outcome.error, QString());

    QVERIFY(!QFile::exists(root + QStringLiteral("/old.tmp")));
    QVERIFY(!QFile::exists(root + QStringLiteral("/.hidden.tmp")));
    QVERIFY(!QFile::exists(root + QStringLiteral("/edge.tmp")));
    QVERIFY(!QFile::exists(root + QStringLiteral("/sub/deeper/old.tmp")));
    QVERIFY(QFile::exists(root + QStringLiteral("/new.tmp")));
    QVERIFY(QFile::exists(root + QStringLiteral("/old.log")));
    QVERIFY(QFileInfo(root + QStringLiteral("/old-folder.tmp")).isDir()); // folders are never deleted
    QVERIFY(QFileInfo(root + QStringLiteral("/sub/deeper")).isDir());

    QStringList deleted = lines(outcome.output);
    const QString last = deleted.takeLast();
    deleted.sort();
    QCOMPARE(deleted, (QStringList{QStringLiteral("deleted %1/.hidden.tmp (1 bytes)").arg(root),
                                   QStringLiteral("deleted %1/edge.tmp (10 bytes)").arg(root),
                                   QStringLiteral("deleted %1/old.tmp (100 bytes)").arg(root),
                                   QStringLiteral("deleted %1/sub/deeper/old.tmp (1000 bytes)").arg(root)}));
    QCOMPARE(last, QStringLiteral("deleted 4 files (1111 bytes) from %1").arg(root));
    QCOMPARE(logged, lines(outcome.output)); // each line also went out as it happened
    QVERIFY(!percents.isEmpty());
    QCOMPARE(percents.last(), 100);
    QVERIFY(std::is_sorted(percents.begin(), percents.end()));
}

void TestMaintenanceAction::cleanupNeverEscapesItsDirectory()
{
    // Outside: old files that match, which nothing may touch.
    const QString outside = m_dir->filePath(QStringLiteral("outside"));
    QVERIFY(makeFile(outside + QStringLiteral("/precious.tmp"), 30 * Day));
    QVERIFY(makeFile(outside + QStringLiteral("/nested/precious.tmp"), 30 * Day));
    const QString root = m_dir->filePath(QStringLiteral("root"));
    QVERIFY(makeFile(root + QStringLiteral("/inside.tmp"), 30 * Day));
    // A linked folder pointing out, at the top and deeper; a link to an outside file; a link to
    // the root's parent; a dangling link. All old and all matching "*".
    QVERIFY(makeFile(root + QStringLiteral("/sub/inside.tmp"), 30 * Day));
    QVERIFY(makeLink(outside, root + QStringLiteral("/linked-folder.tmp"), 30 * Day));
    QVERIFY(makeLink(outside, root + QStringLiteral("/sub/linked-folder"), 30 * Day));
    QVERIFY(makeLink(outside + QStringLiteral("/precious.tmp"), root + QStringLiteral("/linked-file.tmp"), 30 * Day));
    QVERIFY(makeLink(QStringLiteral(".."), root + QStringLiteral("/parent"), 30 * Day));
    QVERIFY(makeLink(QStringLiteral("/nonexistent/x"), root + QStringLiteral("/dangling.tmp"), 30 * Day));

    const AttemptOutcome outcome = runAction(cleanupAction(root, QStringLiteral("*"), 0));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QVERIFY(QFile::exists(outside + QStringLiteral("/precious.tmp")));
    QVERIFY(QFile::exists(outside + QStringLiteral("/nested/precious.tmp")));
    // Links are neither followed nor deleted.
    for (const char *link :
         {"/linked-folder.tmp", "/sub/linked-folder", "/linked-file.tmp", "/parent", "/dangling.tmp"})
        QVERIFY2(QFileInfo(root + QLatin1String(link)).isSymLink(), link);
    QVERIFY(!QFile::exists(root + QStringLiteral("/inside.tmp")));
    QVERIFY(!QFile::exists(root + QStringLiteral("/sub/inside.tmp")));
    for (const QString &line : lines(outcome.output))
        QVERIFY2(!line.contains(QLatin1String("outside")) && !line.contains(QLatin1String("linked")), qPrintable(line));
    QCOMPARE(lines(outcome.output).last(), QStringLiteral("deleted 2 files (20 bytes) from %1").arg(root));
}

void TestMaintenanceAction::cleanupOfALinkedFolderCleansItsTargetOnly()
{
    // dir itself may be a link (the operator named it): it is resolved once, to its target.
    const QString target = m_dir->filePath(QStringLiteral("target"));
    QVERIFY(makeFile(target + QStringLiteral("/old.tmp"), 2 * Day));
    const QString link = m_dir->filePath(QStringLiteral("link"));
    QVERIFY(QFile::link(target, link));
    const AttemptOutcome outcome = runAction(cleanupAction(link, QStringLiteral("*"), Day));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QVERIFY(!QFile::exists(target + QStringLiteral("/old.tmp")));
    QVERIFY(QFileInfo(link).isSymLink());
    QCOMPARE(lines(outcome.output).first(), QStringLiteral("deleted %1/old.tmp (10 bytes)").arg(target));

    // A link to the root folder is refused when checked and when run.
    const QString toRoot = m_dir->filePath(QStringLiteral("to-root"));
    QVERIFY(QFile::link(QStringLiteral("/"), toRoot));
    QString why;
    QVERIFY(!ActionSpec::validate(cleanupAction(toRoot, QStringLiteral("*"), Day), &why));
    QCOMPARE(why, QStringLiteral("cleanup: dir '%1' is the root folder; name the folder to clean").arg(toRoot));
}

void TestMaintenanceAction::cleanupDryRunOnlyLists()
{
    const QString root = m_dir->filePath(QStringLiteral("root"));
    QVERIFY(makeFile(root + QStringLiteral("/a.tmp"), 2 * Day, 5));
    QVERIFY(makeFile(root + QStringLiteral("/sub/b.tmp"), 2 * Day, 7));
    QVERIFY(makeFile(root + QStringLiteral("/c.tmp"), 60));
    const AttemptOutcome outcome = runAction(cleanupAction(root, QStringLiteral("*.tmp"), Day, true, true));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QVERIFY(QFile::exists(root + QStringLiteral("/a.tmp")));
    QVERIFY(QFile::exists(root + QStringLiteral("/sub/b.tmp")));
    QCOMPARE(lines(outcome.output),
             (QStringList{QStringLiteral("would delete %1/a.tmp (5 bytes)").arg(root),
                          QStringLiteral("would delete %1/sub/b.tmp (7 bytes)").arg(root),
                          QStringLiteral("dry run: 2 files (12 bytes) would be deleted from %1").arg(root)}));
}

void TestMaintenanceAction::cleanupWithoutRecursionStaysAtTheTop()
{
    const QString root = m_dir->filePath(QStringLiteral("root"));
    QVERIFY(makeFile(root + QStringLiteral("/top.tmp"), 2 * Day));
    QVERIFY(makeFile(root + QStringLiteral("/sub/below.tmp"), 2 * Day));
    const AttemptOutcome outcome = runAction(cleanupAction(root, QStringLiteral("*"), Day, false));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QVERIFY(!QFile::exists(root + QStringLiteral("/top.tmp")));
    QVERIFY(QFile::exists(root + QStringLiteral("/sub/below.tmp")));
    QCOMPARE(lines(outcome.output).last(), QStringLiteral("deleted 1 file (10 bytes) from %1").arg(root));
}

void TestMaintenanceAction::cleanupOfAMissingFolderFailsUnlessMissingIsOk()
{
    const QString missing = m_dir->filePath(QStringLiteral("not-yet"));
    QJsonObject action = cleanupAction(missing, QStringLiteral("*"), Day);
    AttemptOutcome outcome = runAction(action);
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Failed);
    QCOMPARE(outcome.error,
             QStringLiteral("cleanup: dir '%1' does not exist (set missing_ok to allow that)").arg(missing));
    action.insert(QStringLiteral("missing_ok"), true);
    outcome = runAction(action);
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QCOMPARE(outcome.output, QStringLiteral("%1 does not exist: nothing to delete").arg(missing));
}

void TestMaintenanceAction::cleanupGoesOnPastAFileItCannotDeleteAndFailsAtTheEnd()
{
    const QString root = m_dir->filePath(QStringLiteral("root"));
    const QString locked = root + QStringLiteral("/a-locked/stuck.tmp");
    QVERIFY(makeFile(root + QStringLiteral("/first.tmp"), 2 * Day));
    QVERIFY(makeFile(locked, 2 * Day));
    QVERIFY(makeFile(root + QStringLiteral("/z-last/last.tmp"), 2 * Day));
    if (!makeUndeletable(locked)) {
        makeDeletableAgain(locked);
        QSKIP("this file system cannot make a file that root may not delete (no immutable flag)");
    }
    const auto unlock = qScopeGuard([&] { makeDeletableAgain(locked); });
    const AttemptOutcome outcome = runAction(cleanupAction(root, QStringLiteral("*.tmp"), Day));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Failed);
    QVERIFY(outcome.retryable);
    QVERIFY(QFile::exists(locked));
    QVERIFY(!QFile::exists(root + QStringLiteral("/first.tmp")));
    QVERIFY(!QFile::exists(root + QStringLiteral("/z-last/last.tmp"))); // the others went on
    QVERIFY2(outcome.error.startsWith(QStringLiteral("cleanup: cannot delete %1: ").arg(locked)),
             qPrintable(outcome.error));
    QVERIFY2(outcome.output.contains(QStringLiteral("cannot delete %1: ").arg(locked)), qPrintable(outcome.output));
    QCOMPARE(lines(outcome.output).last(),
             QStringLiteral("deleted 2 files (20 bytes) from %1; 1 could not be deleted").arg(root));
}

void TestMaintenanceAction::cleanupHonoursCancelBetweenFiles()
{
    const QString root = m_dir->filePath(QStringLiteral("root"));
    for (int i = 0; i < 5; ++i)
        QVERIFY(makeFile(root + QStringLiteral("/f%1.tmp").arg(i), 2 * Day));
    TaskContext context(1, 1, QJsonValue());
    context.onProgress = [&](int, const QString &message) {
        if (message == QLatin1String("deleting"))
            context.cancel(); // after the first file
    };
    const AttemptOutcome outcome = runAction(cleanupAction(root, QStringLiteral("*"), Day), &context);
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Cancelled);
    QCOMPARE(QDir(root).entryList(QDir::Files).size(), 4);
    QCOMPARE(lines(outcome.output).last(),
             QStringLiteral("deleted 1 file (10 bytes) from %1; stopped before the end").arg(root));

    // Cancelled before it starts: nothing goes.
    TaskContext early(2, 1, QJsonValue());
    early.cancel();
    QCOMPARE(runAction(cleanupAction(root, QStringLiteral("*"), Day), &early).kind, AttemptOutcome::Kind::Cancelled);
    QCOMPARE(QDir(root).entryList(QDir::Files).size(), 4);
}

void TestMaintenanceAction::purgeDeletesOldSucceededRunsAndKeepsDeadAndRecentOnes()
{
    openWriter();
    addTask(1, QStringLiteral("backup"), QStringLiteral("succeeded"), -1, 40 * Day, 1000); // old: purged
    addTask(2, QStringLiteral("backup"), QStringLiteral("succeeded"), -1, 5 * Day, 1000);  // recent
    addTask(3, QStringLiteral("backup"), QStringLiteral("dead"), -1, 100 * Day, 1000);     // never purged
    addTask(4, QString(), QStringLiteral("cancelled"), -1, 40 * Day, 1000);                // not asked for
    addTask(5, QString(), QStringLiteral("queued"), -1, -1);                               // not finished
    addTask(6, QString(), QStringLiteral("succeeded"), -1, 31 * Day, 10);                  // old: purged
    sql(QStringLiteral("INSERT INTO fires (job_id, scheduled_at, at, kind, outcome, task_id) VALUES "
                       "('backup', 1, 1, 'scheduled', 'queued', 1), ('backup', 2, 2, 'scheduled', 'queued', 2), "
                       "('backup', 3, 3, 'scheduled', 'skipped', NULL)"));

    const AttemptOutcome outcome = runAction(parse(R"({"type":"purge-history","older_than_days":30})"));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM tasks")), 4);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM tasks WHERE id IN (1, 6)")), 0);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM attempts WHERE task_id IN (1, 6)")), 0); // with them
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM attempts")), 4);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM tasks WHERE state = 'dead'")), 1);
    // The fire keeps its row and says what became of its task; the others are untouched.
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM fires")), 3);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM fires WHERE task_id IS NULL AND detail = 'task 1 succeeded; "
                                   "purged from the history'")),
             1);
    QCOMPARE(scalar(QStringLiteral("SELECT task_id FROM fires WHERE scheduled_at = 2")), 2);
    const QString cutoff = QStringLiteral("2026-11-02T10:00:00+00:00");
    QCOMPARE(lines(outcome.output),
             (QStringList{
                 QStringLiteral("purged 2 succeeded tasks that finished before %1, with their attempts").arg(cutoff),
                 QStringLiteral("1 of their jobs' fires kept in the history, marked as purged"),
                 QStringLiteral("dead letters are never purged: 1 older ones kept")}));
}

void TestMaintenanceAction::purgeDropsOldEventsThatNothingNeedsAnyMore()
{
    openWriter();
    addTask(1, QStringLiteral("backup"), QStringLiteral("succeeded"), -1, 40 * Day, 1000); // purged
    addTask(3, QStringLiteral("backup"), QStringLiteral("dead"), -1, 40 * Day, 1000);      // a dead letter
    const qint64 old = Now.toMSecsSinceEpoch() - 40 * Day * 1000;
    const qint64 recent = Now.toMSecsSinceEpoch() - Day * 1000;
    sql(QStringLiteral("INSERT INTO events (id, topic, published_at) VALUES (1, 'a', %1), (2, 'b', %1), (3, 'c', %1), "
                       "(4, 'd', %2), (5, 'e', %1)")
            .arg(old)
            .arg(recent));
    sql(QStringLiteral("INSERT INTO deliveries (event_id, subscription, task_id, added_at) VALUES "
                       "(1, 's', 1, %1), (2, 's', 3, %1), (3, 's', NULL, %1), (4, 's', 1, %1)")
            .arg(old));
    const AttemptOutcome outcome = runAction(parse(R"({"type":"purge-history","older_than_days":30})"));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    // 1: its task was purged; 5: nobody got it. 2 carries a dead letter, 3 waits in a batch, 4 is recent.
    const auto left = m_writer->run([](QSqlDatabase &db, QVariant *value, QString *) {
        QSqlQuery query(db);
        QStringList ids;
        if (!query.exec(QStringLiteral("SELECT id FROM events ORDER BY id")))
            return false;
        while (query.next())
            ids.append(query.value(0).toString());
        *value = ids.join(QLatin1Char(','));
        return true;
    });
    QCOMPARE(left.value.toString(), QStringLiteral("2,3,4"));
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM deliveries WHERE event_id = 1")), 0); // with them
    QVERIFY2(outcome.output.contains(QStringLiteral("purged 2 events published before")), qPrintable(outcome.output));
}

void TestMaintenanceAction::purgeCanIncludeCancelledRunsAndWorksInBatches()
{
    openWriter();
    // More than one batch of old succeeded tasks, beside a dead one and a cancelled one.
    sql(QStringLiteral(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234) "
        "INSERT INTO tasks (id, action, state, max_attempts, retry_policy, not_before, created_at, started_at, "
        "finished_at) SELECT i, '{}', 'succeeded', 1, '{}', 0, 0, 1000, 2000 FROM n"));
    addTask(2000, QString(), QStringLiteral("cancelled"), -1, 40 * Day, 5);
    addTask(2001, QString(), QStringLiteral("dead"), -1, 40 * Day, 5);
    TaskContext context(1, 1, QJsonValue());
    QList<int> percents;
    context.onProgress = [&](int percent, const QString &) { percents.append(percent); };
    const AttemptOutcome outcome =
        runAction(parse(R"({"type":"purge-history","older_than_days":7,"include_cancelled":true})"), &context);
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM tasks")), 1);
    QCOMPARE(scalar(QStringLiteral("SELECT id FROM tasks")), 2001);
    QVERIFY2(outcome.output.startsWith(QStringLiteral("purged 1235 succeeded and cancelled tasks")),
             qPrintable(outcome.output));
    QVERIFY(percents.size() >= 3); // one step per batch of 500
    QCOMPARE(percents.last(), 100);
}

void TestMaintenanceAction::purgeDryRunDeletesNothing()
{
    openWriter();
    addTask(1, QString(), QStringLiteral("succeeded"), -1, 40 * Day, 5);
    addTask(2, QString(), QStringLiteral("succeeded"), -1, 50 * Day, 5);
    const AttemptOutcome outcome = runAction(parse(R"({"type":"purge-history","older_than_days":30,"dry_run":true})"));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM tasks")), 2);
    QCOMPARE(lines(outcome.output).first(),
             QStringLiteral("dry run: 2 succeeded tasks that finished before 2026-11-02T10:00:00+00:00 would be "
                            "purged"));
}

void TestMaintenanceAction::vacuumOptimizesAndSaysWhatAutoVacuumAllows()
{
    openWriter();
    // Free pages: rows with big payloads written and deleted.
    sql(QStringLiteral("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
                       "INSERT INTO tasks (id, action, payload, state, max_attempts, retry_policy, not_before, "
                       "created_at) SELECT i, '{}', hex(randomblob(2000)), 'succeeded', 1, '{}', 0, 0 FROM n"));
    sql(QStringLiteral("DELETE FROM tasks"));
    const qint64 freePages = scalar(QStringLiteral("PRAGMA freelist_count"));
    QVERIFY(freePages > 0);
    const AttemptOutcome outcome = runAction(parse(R"({"type":"vacuum"})"));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    // Nothing given back (PRAGMA optimize may have taken a free page for its statistics).
    const qint64 freeAfter = scalar(QStringLiteral("PRAGMA freelist_count"));
    QVERIFY(freeAfter > 0 && freeAfter <= freePages);
    const QStringList said = lines(outcome.output);
    QCOMPARE(said.size(), 3);
    QCOMPARE(said.at(0), QStringLiteral("PRAGMA optimize: done"));
    QVERIFY2(said.at(1).startsWith(QStringLiteral("auto_vacuum is not INCREMENTAL: %1 free pages").arg(freeAfter)),
             qPrintable(said.at(1)));
    QVERIFY2(said.at(2).endsWith(QStringLiteral("%1 of them free").arg(freeAfter)), qPrintable(said.at(2)));
}

void TestMaintenanceAction::vacuumGivesFreePagesBackWhenIncremental()
{
    {
        // auto_vacuum can only be chosen before the first table: set it, then let the schema come.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("prepare"));
        db.setDatabaseName(m_dbPath);
        QVERIFY(db.open());
        QVERIFY(QSqlQuery(db).exec(QStringLiteral("PRAGMA auto_vacuum = INCREMENTAL")));
        QString why;
        QVERIFY2(Database::migrate(db, &why), qPrintable(why));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("prepare"));
    openWriter();
    QCOMPARE(scalar(QStringLiteral("PRAGMA auto_vacuum")), 2);
    sql(QStringLiteral("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
                       "INSERT INTO tasks (id, action, payload, state, max_attempts, retry_policy, not_before, "
                       "created_at) SELECT i, '{}', hex(randomblob(2000)), 'succeeded', 1, '{}', 0, 0 FROM n"));
    sql(QStringLiteral("DELETE FROM tasks"));
    const qint64 freePages = scalar(QStringLiteral("PRAGMA freelist_count"));
    const qint64 pagesBefore = scalar(QStringLiteral("PRAGMA page_count"));
    QVERIFY(freePages > 100);
    const AttemptOutcome outcome = runAction(parse(R"({"type":"vacuum"})"));
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    QCOMPARE(scalar(QStringLiteral("PRAGMA freelist_count")), 0);
    QVERIFY(scalar(QStringLiteral("PRAGMA page_count")) <= pagesBefore - freePages + 1); // +1: optimize's statistics
    const qint64 pageSize = scalar(QStringLiteral("PRAGMA page_size"));
    QCOMPARE(lines(outcome.output).at(1), QStringLiteral("incremental vacuum: %1 free pages given back (%2 bytes)")
                                              .arg(freePages)
                                              .arg(freePages * pageSize));
}

void TestMaintenanceAction::reportPeriodIsTheLastWholeOneBeforeTheRun_data()
{
    QTest::addColumn<QString>("period");
    QTest::addColumn<QString>("at");
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::newRow("yesterday") << "day"
                               << "2026-12-02T10:00:00Z"
                               << "UTC"
                               << "2026-12-01"
                               << "2026-12-01T00:00:00Z"
                               << "2026-12-02T00:00:00Z";
    QTest::newRow("a day at midnight is the day before") << "day"
                                                         << "2026-12-02T00:00:00Z"
                                                         << "UTC"
                                                         << "2026-12-01"
                                                         << "2026-12-01T00:00:00Z"
                                                         << "2026-12-02T00:00:00Z";
    QTest::newRow("the 23-hour day of spring forward") << "day"
                                                       << "2026-03-30T06:00:00Z"
                                                       << "Europe/Berlin"
                                                       << "2026-03-29"
                                                       << "2026-03-28T23:00:00Z"
                                                       << "2026-03-29T22:00:00Z";
    QTest::newRow("last week") << "week"
                               << "2026-12-02T10:00:00Z"
                               << "UTC"
                               << "2026-W48"
                               << "2026-11-23T00:00:00Z"
                               << "2026-11-30T00:00:00Z";
    QTest::newRow("on Monday morning, the week that just ended") << "week"
                                                                 << "2026-11-30T08:00:00Z"
                                                                 << "Europe/Berlin"
                                                                 << "2026-W48"
                                                                 << "2026-11-22T23:00:00Z"
                                                                 << "2026-11-29T23:00:00Z";
    QTest::newRow("ISO week 53 across the new year") << "week"
                                                     << "2027-01-04T09:00:00Z"
                                                     << "UTC"
                                                     << "2026-W53"
                                                     << "2026-12-28T00:00:00Z"
                                                     << "2027-01-04T00:00:00Z";
    QTest::newRow("week 1 that starts in December") << "week"
                                                    << "2025-01-06T09:00:00Z"
                                                    << "UTC"
                                                    << "2025-W01"
                                                    << "2024-12-30T00:00:00Z"
                                                    << "2025-01-06T00:00:00Z";
    QTest::newRow("last month") << "month"
                                << "2026-03-31T12:00:00Z"
                                << "UTC"
                                << "2026-02"
                                << "2026-02-01T00:00:00Z"
                                << "2026-03-01T00:00:00Z";
    QTest::newRow("last month across the year") << "month"
                                                << "2027-01-01T00:30:00Z"
                                                << "Europe/Berlin"
                                                << "2026-12"
                                                << "2026-11-30T23:00:00Z"
                                                << "2026-12-31T23:00:00Z";
}

void TestMaintenanceAction::reportPeriodIsTheLastWholeOneBeforeTheRun()
{
    QFETCH(QString, period);
    QFETCH(QString, at);
    QFETCH(QString, zone);
    QFETCH(QString, name);
    QFETCH(QString, from);
    QFETCH(QString, to);
    const auto found =
        MaintenanceAction::reportPeriod(period, QDateTime::fromString(at, Qt::ISODate), QTimeZone(zone.toUtf8()));
    QVERIFY(found);
    QCOMPARE(found->name, name);
    QCOMPARE(found->from.toUTC(), QDateTime::fromString(from, Qt::ISODate));
    QCOMPARE(found->to.toUTC(), QDateTime::fromString(to, Qt::ISODate));
}

void TestMaintenanceAction::statisticsCountRunsOfTheWindowAndEveryDeadLetter()
{
    openWriter();
    // The window is [Now - 10 d, Now - 1 d).
    addTask(1, QStringLiteral("sync"), QStringLiteral("succeeded"), -1, 5 * Day, 100);
    addTask(2, QStringLiteral("sync"), QStringLiteral("succeeded"), -1, 4 * Day, 300);
    addTask(3, QStringLiteral("sync"), QStringLiteral("succeeded"), -1, 3 * Day, 200);
    addTask(4, QStringLiteral("sync"), QStringLiteral("dead"), -1, 6 * Day, 1000);
    addTask(5, QStringLiteral("sync"), QStringLiteral("cancelled"), -1, 2 * Day, 99999);
    addTask(6, QStringLiteral("sync"), QStringLiteral("succeeded"), -1, 20 * Day, 5); // before the window
    addTask(7, QStringLiteral("sync"), QStringLiteral("succeeded"), -1, 1 * Day, 5);  // at its end: after it
    addTask(8, QStringLiteral("sync"), QStringLiteral("dead"), -1, 30 * Day, 5);      // an older dead letter
    addTask(9, QStringLiteral("sync"), QStringLiteral("retry_wait"), 3 * Day, -1);    // not ended
    addTask(10, QStringLiteral("mail"), QStringLiteral("dead"), -1, 40 * Day, 5);     // only a dead letter
    addTask(11, QString(), QStringLiteral("succeeded"), -1, 3 * Day, 5);              // no job
    addTask(12, QStringLiteral("idle"), QStringLiteral("succeeded"), -1, 50 * Day, 5);
    const qint64 nowMs = Now.toMSecsSinceEpoch();
    const qint64 fromMs = nowMs - 10 * Day * 1000;
    const qint64 toMs = nowMs - Day * 1000;

    const QString connection = QStringLiteral("statistics-reader");
    QString why;
    {
        const QSqlDatabase db = Database::open(m_dbPath, connection, Database::Access::ReadOnly, &why);
        QVERIFY2(db.isValid(), qPrintable(why));
        const QList<JobStatistics> all = JobStatistics::read(db, fromMs, toMs, QString(), &why);
        QCOMPARE(why, QString());
        QCOMPARE(all.size(), 2);
        const JobStatistics &mail = all.at(0);
        QCOMPARE(mail.jobId, QStringLiteral("mail"));
        QCOMPARE(mail.runs, 0);
        QCOMPARE(mail.deadLetters, 1);
        QCOMPARE(mail.successRate(), -1.0);
        QCOMPARE(mail.p50DurationMs, -1);
        QCOMPARE(mail.lastOutcome, QString());
        const JobStatistics &sync = all.at(1);
        QCOMPARE(sync.jobId, QStringLiteral("sync"));
        QCOMPARE(sync.runs, 5);
        QCOMPARE(sync.succeeded, 3);
        QCOMPARE(sync.failed, 1);
        QCOMPARE(sync.cancelled, 1);
        QCOMPARE(sync.deadLetters, 2);
        QCOMPARE(sync.successRate(), 0.75);
        QCOMPARE(sync.p50DurationMs, 200); // of 100, 200, 300, 1000
        QCOMPARE(sync.p95DurationMs, 300);
        QCOMPARE(sync.lastOutcome, QStringLiteral("cancelled"));
        QCOMPARE(sync.lastFinishedAt, Now.addSecs(-2 * Day));

        const QList<JobStatistics> one = JobStatistics::read(db, fromMs, toMs, QStringLiteral("sync"), &why);
        QCOMPARE(one.size(), 1);
        QCOMPARE(one.first().runs, 5);
        QVERIFY(JobStatistics::read(db, fromMs, toMs, QStringLiteral("nothing"), &why).isEmpty());
        QCOMPARE(why, QString());
    }
    Database::close(connection);
}

void TestMaintenanceAction::reportWritesHtmlAndCsvNamedByPeriod()
{
    openWriter();
    // Now is Wednesday 2026-12-02: last week is 2026-W48, Monday 23 to Monday 30 November (UTC).
    sql(QStringLiteral("INSERT INTO jobs (id, definition, created_at, updated_at) VALUES "
                       "('backup', '{}', 0, 0), ('never-ran', '{}', 0, 0)"));
    addTask(1, QStringLiteral("backup"), QStringLiteral("succeeded"), -1, 8 * Day, 1500); // Nov 24
    addTask(2, QStringLiteral("backup"), QStringLiteral("succeeded"), -1, 7 * Day, 500);  // Nov 25
    addTask(3, QStringLiteral("backup"), QStringLiteral("dead"), -1, 6 * Day, 61000);     // Nov 26
    addTask(4, QStringLiteral("backup"), QStringLiteral("succeeded"), -1, 1 * Day, 5);    // Dec 1: this week
    addTask(5, QStringLiteral("<script>"), QStringLiteral("succeeded"), -1, 5 * Day, 20); // a removed job
    const QString dir = m_dir->filePath(QStringLiteral("reports/deeper"));
    const QJsonObject action{{QStringLiteral("type"), QStringLiteral("report")},
                             {QStringLiteral("dir"), dir},
                             {QStringLiteral("period"), QStringLiteral("week")},
                             {QStringLiteral("timezone"), QStringLiteral("UTC")}};
    const AttemptOutcome outcome = runAction(action);
    QCOMPARE(outcome.kind, AttemptOutcome::Kind::Succeeded);
    const QString base = dir + QStringLiteral("/taskdeck-2026-W48");
    QCOMPARE(lines(outcome.output),
             (QStringList{QStringLiteral("period 2026-W48: from 2026-11-23T00:00:00+00:00 to "
                                         "2026-11-30T00:00:00+00:00 (UTC)"),
                          QStringLiteral("wrote %1.html and %1.csv").arg(base),
                          QStringLiteral("3 jobs, 4 runs: 3 succeeded, 1 failed, 0 cancelled; 1 dead letters")}));

    QFile csv(base + QStringLiteral(".csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()),
             QStringLiteral("period,job,runs,succeeded,failed,cancelled,success_rate,p50_ms,p95_ms,dead_letters,"
                            "last_outcome,last_finished_at\n"
                            "2026-W48,<script>,1,1,0,0,1.0000,20,20,0,succeeded,2026-11-27T10:00:00+00:00\n"
                            "2026-W48,backup,3,2,1,0,0.6667,1500,1500,1,dead,2026-11-26T10:00:00+00:00\n"
                            "2026-W48,never-ran,0,0,0,0,,,,0,,\n"));
    QFile html(base + QStringLiteral(".html"));
    QVERIFY(html.open(QIODevice::ReadOnly));
    const QString page = QString::fromUtf8(html.readAll());
    QVERIFY(page.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(page.contains(QStringLiteral("<title>Taskdeck report 2026-W48</title>")));
    QVERIFY(page.contains(QStringLiteral("<tr><td>backup</td><td>3</td><td>2</td><td class=\"bad\">1</td><td>0</td>"
                                         "<td>66.7%</td><td>1.5 s</td><td>1.5 s</td><td class=\"bad\">1</td>"
                                         "<td>dead</td></tr>")));
    QVERIFY(page.contains(QStringLiteral("<td>never-ran</td><td>0</td>")));
    QVERIFY(page.contains(QStringLiteral("<td>&lt;script&gt;</td>")));
    QVERIFY(!page.contains(QStringLiteral("<script>")));
    QVERIFY(page.contains(QStringLiteral("<tfoot><tr><td>All jobs</td><td>4</td><td>3</td>")));

    // Run again the same week: the same files, replaced.
    QCOMPARE(runAction(action).kind, AttemptOutcome::Kind::Succeeded);
    QCOMPARE(QDir(dir).entryList(QDir::Files),
             (QStringList{QStringLiteral("taskdeck-2026-W48.csv"), QStringLiteral("taskdeck-2026-W48.html")}));
}

void TestMaintenanceAction::theEngineRunsAMaintenanceActionAndKeepsItsOutput()
{
    openWriter();
    const QString root = m_dir->filePath(QStringLiteral("root"));
    QVERIFY(makeFile(root + QStringLiteral("/old.tmp"), 2 * Day));
    QVERIFY(makeFile(root + QStringLiteral("/new.tmp"), 60));
    HandlerRegistry handlers;
    TaskEngine::Options options;
    options.workers = 1;
    TaskEngine engine(m_writer.get(), &handlers, &m_clock, options);
    QSignalSpy succeeded(&engine, &TaskEngine::taskSucceeded);
    QString error;
    QVERIFY2(engine.start(&error), qPrintable(error));
    TaskSpec spec;
    spec.action = cleanupAction(root, QStringLiteral("*.tmp"), Day);
    QVERIFY2(engine.enqueue(spec, &error), qPrintable(error));
    TaskSpec vacuum;
    vacuum.action = parse(R"({"type":"vacuum"})");
    QVERIFY2(engine.enqueue(vacuum, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(succeeded.size(), 2, 10000);
    QVERIFY(!QFile::exists(root + QStringLiteral("/old.tmp")));
    QVERIFY(QFile::exists(root + QStringLiteral("/new.tmp")));

    m_writer->run([](QSqlDatabase &, QVariant *, QString *) { return true; }); // what the engine wrote is in
    TaskStore store(m_dbPath, &m_clock);
    const auto attempts = store.attempts(succeeded.first().first().toLongLong(), &error);
    QVERIFY2(attempts, qPrintable(error));
    QCOMPARE(attempts->size(), 1);
    QCOMPARE(attempts->first().outcome, QStringLiteral("succeeded"));
    QCOMPARE(attempts->first().output,
             QStringLiteral("deleted %1/old.tmp (10 bytes)\ndeleted 1 file (10 bytes) from %1").arg(root));
    QTRY_VERIFY(engine.isIdle());
}

void TestMaintenanceAction::taskdeckctlTakesAnyActionAsJson()
{
    const QString program = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECKCTL"));
    if (program.isEmpty())
        QSKIP("TASKDECKCTL names the taskdeckctl binary (set by ctest)");
    const auto ctl = [&](const QStringList &arguments) {
        QProcess process;
        process.start(program, QStringList{QStringLiteral("--db"), m_dbPath} + arguments);
        process.waitForFinished(30000);
        return std::make_pair(process.exitCode(), QString::fromUtf8(process.readAllStandardError()));
    };
    const QString enqueue = QStringLiteral("task");
    auto [code, err] = ctl({enqueue, QStringLiteral("enqueue"), QStringLiteral("--action"),
                            QStringLiteral(R"({"type":"purge-history","older_than_days":30})")});
    QCOMPARE(err, QString());
    QCOMPARE(code, 0);
    std::tie(code, err) = ctl({enqueue, QStringLiteral("enqueue"), QStringLiteral("--action"),
                               QStringLiteral(R"({"type":"cleanup","dir":"/","older_than_seconds":1})")});
    QCOMPARE(code, 2);
    QCOMPARE(err, QStringLiteral("taskdeckctl: cleanup: dir '/' is the root folder; name the folder to clean\n"));
    std::tie(code, err) = ctl({enqueue, QStringLiteral("enqueue"), QStringLiteral("--action"), QStringLiteral("[1]")});
    QCOMPARE(code, 2);
    QCOMPARE(err, QStringLiteral("taskdeckctl: --action: expected a JSON object such as {\"type\": \"vacuum\"}\n"));
    std::tie(code, err) =
        ctl({enqueue, QStringLiteral("enqueue"), QStringLiteral("--action"), QStringLiteral(R"({"type":"vacuum"})"),
             QStringLiteral("--shell"), QStringLiteral("true")});
    QCOMPARE(code, 2);
    QCOMPARE(err, QStringLiteral("taskdeckctl: choose one action: --exec, --shell, --http, --handler or --action\n"));
    std::tie(code, err) =
        ctl({QStringLiteral("job"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("weekly-report"),
             QStringLiteral("--schedule"), QStringLiteral("0 9 * * MON"), QStringLiteral("--action"),
             QStringLiteral(R"({"type":"report","dir":"~/TaskdeckReports","period":"week"})")});
    QCOMPARE(err, QString());
    QCOMPARE(code, 0);
}

QTEST_GUILESS_MAIN(TestMaintenanceAction)
#include "tst_maintenanceaction.moc"

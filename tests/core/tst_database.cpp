// The store's file, schema and single writer, on real SQLite files in a temporary folder.

#include "store/database.h"
#include "store/sqlitestatement.h"
#include "store/storewriter.h"

#include <QFileInfo>
#include <QFuture>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sys/stat.h>

using namespace Taskdeck::Core;

namespace {

int modeOf(const QString &path)
{
    struct stat status = {};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0)
        return -1;
    return int(status.st_mode & 0777);
}

int rowCount(const QString &path, const QString &table)
{
    const QString name = QStringLiteral("count-") + table;
    int count = -1;
    {
        QSqlDatabase db = Database::open(path, name, Database::Access::ReadOnly, nullptr);
        QSqlQuery query(db);
        if (query.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table) && query.next())
            count = query.value(0).toInt();
    }
    Database::close(name);
    return count;
}

} // namespace

class TestDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newDatabaseIsOwnerOnlyWithWalAndCurrentSchema();
    void existingWideFileIsTightened();
    void everyEarlierSchemaVersionMigrates();
    void version3KeepsTasksAttemptsAndRequests();
    void newerSchemaIsRefusedAndLeftAlone();
    void notADatabaseIsReportedByPath();
    void readersCannotWrite();
    void writerGroupsConcurrentWritesIntoFewCommits();
    void aFailingWriteRollsBackOnlyItself();
    void writerSyncIsFullUnlessAskedForNormal();
    void aReusedConnectionNameGetsFreshStatements();

private:
    QTemporaryDir m_dir;
};

void TestDatabase::newDatabaseIsOwnerOnlyWithWalAndCurrentSchema()
{
    const QString path = m_dir.filePath(QStringLiteral("fresh/sub/taskdeck.db"));
    QString error;
    {
        QSqlDatabase db = Database::open(path, QStringLiteral("fresh"), Database::Access::ReadWrite, &error);
        QVERIFY2(db.isValid(), qPrintable(error));
        QCOMPARE(Database::schemaVersion(db), Database::currentSchemaVersion());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(query.exec(QStringLiteral("PRAGMA synchronous")) && query.next());
        QCOMPARE(query.value(0).toInt(), 2); // FULL
        QVERIFY(query.exec(QStringLiteral("INSERT INTO operator_actions (at, user, action) VALUES (1, 'u', 'a')")));
        QCOMPARE(modeOf(path + QStringLiteral("-wal")), 0600);
    }
    Database::close(QStringLiteral("fresh"));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(modeOf(QFileInfo(path).absolutePath()), 0700);
}

void TestDatabase::existingWideFileIsTightened()
{
    const QString path = m_dir.filePath(QStringLiteral("wide.db"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    ::chmod(QFile::encodeName(path).constData(), 0644);
    QString error;
    QVERIFY2(Database::prepareFile(path, &error), qPrintable(error));
    QCOMPARE(modeOf(path), 0600);
    QVERIFY(!Database::prepareFile(m_dir.path(), &error));
    QCOMPARE(error, QStringLiteral("'%1' is not a file").arg(m_dir.path()));
}

void TestDatabase::everyEarlierSchemaVersionMigrates()
{
    for (int version = 0; version < Database::currentSchemaVersion(); ++version) {
        const QString path = m_dir.filePath(QStringLiteral("old-%1.db").arg(version));
        const QString name = QStringLiteral("old-%1").arg(version);
        QString error;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY2(Database::createSchemaAtVersion(db, version, &error), qPrintable(error));
            QCOMPARE(Database::schemaVersion(db), version);
        }
        Database::close(name);
        {
            QSqlDatabase db = Database::open(path, name, Database::Access::ReadWrite, &error);
            QVERIFY2(db.isValid(), qPrintable(error));
            QCOMPARE(Database::schemaVersion(db), Database::currentSchemaVersion());
        }
        Database::close(name);
    }
}

void TestDatabase::version3KeepsTasksAttemptsAndRequests()
{
    const QString path = m_dir.filePath(QStringLiteral("requests.db"));
    const QString name = QStringLiteral("requests");
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QVERIFY2(Database::createSchemaAtVersion(db, 2, &error), qPrintable(error));
        QVERIFY(QSqlQuery(db).exec(
            QStringLiteral("INSERT INTO engine_requests (id, at, kind, task_id) VALUES (7, 1, 'cancel', 3)")));
        QVERIFY(QSqlQuery(db).exec(QStringLiteral(
            "INSERT INTO tasks (id, action, state, max_attempts, retry_policy, not_before, created_at, last_error) "
            "VALUES (3, '{}', 'dead', 5, '{}', 1, 1, 'boom')")));
        QVERIFY(QSqlQuery(db).exec(
            QStringLiteral("INSERT INTO attempts (task_id, number, started_at, outcome) VALUES (3, 1, 1, 'failed')")));
    }
    Database::close(name);
    {
        QSqlDatabase db = Database::open(path, name, Database::Access::ReadWrite, &error);
        QVERIFY2(db.isValid(), qPrintable(error));
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT id, kind, task_id FROM engine_requests")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 7);
        QCOMPARE(query.value(1).toString(), QStringLiteral("cancel"));
        QCOMPARE(query.value(2).toInt(), 3);
        QVERIFY(query.exec(QStringLiteral("DELETE FROM engine_requests")));
        QVERIFY(
            query.exec(QStringLiteral("INSERT INTO engine_requests (at, kind, task_id) VALUES (2, 'enqueued', 4)")));
        QCOMPARE(query.lastInsertId().toInt(), 8);
        QVERIFY(!query.exec(QStringLiteral("INSERT INTO engine_requests (at, kind, task_id) VALUES (2, 'other', 4)")));
        // The rebuilt tasks table kept its rows, its constraints and the attempts' foreign key.
        QVERIFY(query.exec(QStringLiteral("SELECT state, last_error FROM tasks WHERE id = 3")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("dead"));
        QCOMPARE(query.value(1).toString(), QStringLiteral("boom"));
        QVERIFY(!query.exec(QStringLiteral("UPDATE tasks SET state = 'lost' WHERE id = 3")));
        QVERIFY(query.exec(QStringLiteral("PRAGMA foreign_keys")) && query.next());
        QCOMPARE(query.value(0).toInt(), 1);
        QVERIFY(query.exec(QStringLiteral("DELETE FROM tasks WHERE id = 3")));
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM attempts")) && query.next());
        QCOMPARE(query.value(0).toInt(), 0);
    }
    Database::close(name);
}

void TestDatabase::newerSchemaIsRefusedAndLeftAlone()
{
    const QString path = m_dir.filePath(QStringLiteral("future.db"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("future-setup"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version=99"));
    }
    Database::close(QStringLiteral("future-setup"));
    QString error;
    const QSqlDatabase db = Database::open(path, QStringLiteral("future"), Database::Access::ReadWrite, &error);
    QVERIFY(!db.isValid());
    QCOMPARE(error, QStringLiteral("cannot update the schema of '%1': its schema version 99 is newer than this "
                                   "build's %2; update Taskdeck")
                        .arg(path)
                        .arg(Database::currentSchemaVersion()));
}

void TestDatabase::notADatabaseIsReportedByPath()
{
    const QString path = m_dir.filePath(QStringLiteral("text.db"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is not SQLite, just some text that is long enough to have a header page\n");
    file.close();
    QString error;
    const QSqlDatabase db = Database::open(path, QStringLiteral("text"), Database::Access::ReadWrite, &error);
    QVERIFY(!db.isValid());
    QVERIFY2(error.contains(path), qPrintable(error));
    QCOMPARE(file.size(), QFileInfo(path).size()); // untouched
}

void TestDatabase::readersCannotWrite()
{
    const QString path = m_dir.filePath(QStringLiteral("readonly.db"));
    QString error;
    QVERIFY(Database::open(path, QStringLiteral("setup"), Database::Access::ReadWrite, &error).isValid());
    Database::close(QStringLiteral("setup"));
    {
        QSqlDatabase reader = Database::open(path, QStringLiteral("reader"), Database::Access::ReadOnly, &error);
        QVERIFY2(reader.isValid(), qPrintable(error));
        QSqlQuery query(reader);
        QVERIFY(!query.exec(QStringLiteral("INSERT INTO operator_actions (at, user, action) VALUES (1, 'u', 'a')")));
    }
    Database::close(QStringLiteral("reader"));
    QVERIFY(!Database::open(m_dir.filePath(QStringLiteral("missing.db")), QStringLiteral("missing"),
                            Database::Access::ReadOnly, &error)
                 .isValid());
    QCOMPARE(error, QStringLiteral("no database at '%1'").arg(m_dir.filePath(QStringLiteral("missing.db"))));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("missing.db"))));
}

void TestDatabase::writerGroupsConcurrentWritesIntoFewCommits()
{
    const QString path = m_dir.filePath(QStringLiteral("group.db"));
    constexpr int Threads = 4;
    constexpr int PerThread = 500;
    StoreWriter::Statistics statistics;
    {
        StoreWriter writer(path);
        QVERIFY2(writer.isOpen(), qPrintable(writer.openError()));
        QList<QThread *> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.append(QThread::create([&writer, t] {
                QList<QFuture<StoreWriter::Result>> futures;
                for (int i = 0; i < PerThread; ++i) {
                    futures.append(writer.submit([t, i](QSqlDatabase &db, QVariant *value, QString *error) {
                        QSqlQuery query(db);
                        query.prepare(
                            QStringLiteral("INSERT INTO operator_actions (at, user, action) VALUES (?, ?, ?)"));
                        query.addBindValue(i);
                        query.addBindValue(QStringLiteral("thread-%1").arg(t));
                        query.addBindValue(QStringLiteral("test"));
                        if (!query.exec()) {
                            *error = query.lastError().text();
                            return false;
                        }
                        *value = query.lastInsertId();
                        return true;
                    }));
                }
                for (auto &future : futures) {
                    future.waitForFinished();
                    if (!future.result().ok)
                        qFatal("write failed: %s", qPrintable(future.result().error));
                }
            }));
            threads.last()->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(60000));
            delete thread;
        }
        statistics = writer.statistics();
    }
    QCOMPARE(statistics.operations, qint64(Threads * PerThread));
    QVERIFY2(statistics.commits < statistics.operations / 4,
             qPrintable(QStringLiteral("%1 commits for %2 writes").arg(statistics.commits).arg(statistics.operations)));
    QCOMPARE(rowCount(path, QStringLiteral("operator_actions")), Threads * PerThread);
}

void TestDatabase::aFailingWriteRollsBackOnlyItself()
{
    const QString path = m_dir.filePath(QStringLiteral("partial.db"));
    StoreWriter writer(path);
    QVERIFY(writer.isOpen());
    const auto insert = [](const QString &action) {
        return [action](QSqlDatabase &db, QVariant *, QString *error) {
            QSqlQuery query(db);
            query.prepare(QStringLiteral("INSERT INTO operator_actions (at, user, action) VALUES (1, 'u', ?)"));
            query.addBindValue(action);
            if (!query.exec()) {
                *error = query.lastError().text();
                return false;
            }
            return true;
        };
    };
    QFuture<StoreWriter::Result> first = writer.submit(insert(QStringLiteral("kept")));
    QFuture<StoreWriter::Result> failing = writer.submit([](QSqlDatabase &db, QVariant *, QString *error) {
        QSqlQuery(db).exec(QStringLiteral("INSERT INTO operator_actions (at, user, action) VALUES (2, 'u', 'undone')"));
        *error = QStringLiteral("refused on purpose");
        return false;
    });
    QFuture<StoreWriter::Result> last = writer.submit(insert(QStringLiteral("kept too")));
    last.waitForFinished();
    QVERIFY(first.result().ok);
    QVERIFY(!failing.result().ok);
    QCOMPARE(failing.result().error, QStringLiteral("refused on purpose"));
    QVERIFY(last.result().ok);
    QCOMPARE(rowCount(path, QStringLiteral("operator_actions")), 2);
}

void TestDatabase::writerSyncIsFullUnlessAskedForNormal()
{
    const auto synchronous = [](StoreWriter &writer) {
        return writer
            .run([](QSqlDatabase &db, QVariant *value, QString *) {
                QSqlQuery query(db);
                if (!query.exec(QStringLiteral("PRAGMA synchronous")) || !query.next())
                    return false;
                *value = query.value(0);
                return true;
            })
            .value.toInt();
    };
    StoreWriter full(m_dir.filePath(QStringLiteral("full.db")));
    QCOMPARE(synchronous(full), 2); // FULL
    StoreWriter normal(m_dir.filePath(QStringLiteral("normal.db")), false);
    QCOMPARE(synchronous(normal), 1); // NORMAL
}

void TestDatabase::aReusedConnectionNameGetsFreshStatements()
{
    // A connection closed without Database::close, and its name reused for another file: the
    // statements kept for the old one must not write into the old file.
    const auto insert = [](const QSqlDatabase &db) {
        QString error;
        SqliteStatement statement(db, "INSERT INTO operator_actions (at, user, action) VALUES (?, 'u', 'x')");
        return statement.bind(qint64(1)).exec(&error);
    };
    const QString first = m_dir.filePath(QStringLiteral("first.db"));
    const QString second = m_dir.filePath(QStringLiteral("second.db"));
    QString error;
    {
        QSqlDatabase db = Database::open(first, QStringLiteral("reused"), Database::Access::ReadWrite, &error);
        QVERIFY2(db.isValid(), qPrintable(error));
        QVERIFY(insert(db));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("reused"));
    {
        QSqlDatabase db = Database::open(second, QStringLiteral("reused"), Database::Access::ReadWrite, &error);
        QVERIFY2(db.isValid(), qPrintable(error));
        QVERIFY(insert(db));
    }
    Database::close(QStringLiteral("reused"));
    QCOMPARE(rowCount(first, QStringLiteral("operator_actions")), 1);
    QCOMPARE(rowCount(second, QStringLiteral("operator_actions")), 1);
}

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"

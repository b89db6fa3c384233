#include "database.h"

#include "sqlitestatement.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcStore, "taskdeck.core.store", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

// Each step takes the schema from its index to index + 1. Never edit a released step: add one.
const char *const Migrations[] = {
    // 0 -> 1: tasks, their attempts, and what operators did to them.
    R"(
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    job TEXT,
    action TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT 'null',
    queue TEXT NOT NULL DEFAULT 'default',
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('queued','running','retry_wait','succeeded','dead','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    retry_policy TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    timeout_ms INTEGER,
    unique_key TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    progress INTEGER NOT NULL DEFAULT 0,
    progress_message TEXT,
    last_error TEXT,
    interruptions INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tasks_unique_key_active ON tasks(unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('queued','running','retry_wait');
CREATE INDEX tasks_by_state ON tasks(state, queue, priority DESC, not_before, id);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT,
    exit_code INTEGER,
    error TEXT,
    output TEXT,
    cpu_ms INTEGER,
    peak_memory_kb INTEGER
);
CREATE INDEX attempts_by_task ON attempts(task_id, number);
CREATE TABLE operator_actions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    task_id INTEGER,
    detail TEXT
);
)",
    // 1 -> 2: requests from other processes (taskdeckctl, the GUI as a monitor) to the running
    // engine, which reads them in order: "retry" (a dead task was queued again), "cancel".
    R"(
CREATE TABLE engine_requests (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('retry','cancel')),
    task_id INTEGER NOT NULL
);
)",
    // 2 -> 3: "enqueued": a task another process queued (the engine no longer scans tasks for new
    // ids, which SQLite may reuse after a delete); request ids are never reused, so that handled
    // requests can be deleted. And the tasks table again, its state CHECK written with OR: SQLite
    // builds a temporary b-tree for an IN list on every row written, which cost a third of the
    // engine's write throughput. (foreign_keys is off while migrations run.)
    R"(
CREATE TABLE engine_requests_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'enqueued' OR kind = 'retry' OR kind = 'cancel'),
    task_id INTEGER NOT NULL
);
INSERT INTO engine_requests_v3 (id, at, kind, task_id) SELECT id, at, kind, task_id FROM engine_requests;
DROP TABLE engine_requests;
ALTER TABLE engine_requests_v3 RENAME TO engine_requests;
CREATE TABLE tasks_v3 (
    id INTEGER PRIMARY KEY,
    job TEXT,
    action TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT 'null',
    queue TEXT NOT NULL DEFAULT 'default',
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state = 'queued' OR state = 'running' OR state = 'retry_wait' OR
                               state = 'succeeded' OR state = 'dead' OR state = 'cancelled'),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    retry_policy TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    timeout_ms INTEGER,
    unique_key TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    progress INTEGER NOT NULL DEFAULT 0,
    progress_message TEXT,
    last_error TEXT,
    interruptions INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tasks_v3 SELECT id, job, action, payload, queue, priority, state, attempts, max_attempts, retry_policy,
    not_before, timeout_ms, unique_key, created_at, started_at, finished_at, progress, progress_message, last_error,
    interruptions FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_v3 RENAME TO tasks;
CREATE UNIQUE INDEX tasks_unique_key_active ON tasks(unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('queued','running','retry_wait');
CREATE INDEX tasks_by_state ON tasks(state, queue, priority DESC, not_before, id);
)",
    // 3 -> 4: jobs (their JSON definition as in a jobs file, minus the pause, which changes at run
    // time) and their fires: every time a job was due or run by hand, and what became of it.
    // A fire that queued a task follows the task (tasks.job, fires.task_id) for its outcome.
    R"(
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    pause_reason TEXT,
    resume_at INTEGER,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_fire_at INTEGER
);
CREATE TABLE fires (
    id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    scheduled_at INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'scheduled' OR kind = 'catch-up' OR kind = 'run-now' OR kind = 'reboot'),
    outcome TEXT NOT NULL CHECK (outcome = 'queued' OR outcome = 'skipped' OR outcome = 'missed'),
    task_id INTEGER,
    detail TEXT
);
CREATE INDEX fires_by_job ON fires(job_id, scheduled_at);
CREATE INDEX tasks_by_job ON tasks(job, id) WHERE job IS NOT NULL;
)",
    // 4 -> 5: events and subscriptions. An event is stored with its deliveries in one
    // transaction (an outbox): a delivery names the task that carries the event, or none while it
    // waits in a batch or behind a paused subscription. A pipeline's steps, so that a pipeline
    // interrupted by a crash resumes at the step that had not finished. The files a folder watch
    // has seen. And the fires table again, to let event and watch deliveries count as fires of
    // their job.
    R"(
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT 'null',
    published_at INTEGER NOT NULL,
    source TEXT
);
CREATE INDEX events_by_topic ON events(topic, id);
CREATE TABLE subscriptions (
    name TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    definition TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    subscription TEXT NOT NULL,
    task_id INTEGER,
    added_at INTEGER NOT NULL
);
CREATE INDEX deliveries_by_event ON deliveries(event_id);
CREATE INDEX deliveries_by_task ON deliveries(task_id) WHERE task_id IS NOT NULL;
CREATE INDEX deliveries_by_subscription ON deliveries(subscription, task_id, id);
CREATE TABLE pipeline_steps (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state = 'running' OR state = 'succeeded' OR state = 'failed' OR
                               state = 'started'),
    attempts INTEGER NOT NULL DEFAULT 0,
    output TEXT,
    error TEXT,
    background_task_id INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (task_id, step)
);
CREATE TABLE watched_files (
    job_id TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, path)
);
CREATE TABLE fires_v5 (
    id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    scheduled_at INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'scheduled' OR kind = 'catch-up' OR kind = 'run-now' OR kind = 'reboot' OR
                              kind = 'event' OR kind = 'watch'),
    outcome TEXT NOT NULL CHECK (outcome = 'queued' OR outcome = 'skipped' OR outcome = 'missed'),
    task_id INTEGER,
    detail TEXT
);
INSERT INTO fires_v5 SELECT id, job_id, scheduled_at, at, kind, outcome, task_id, detail FROM fires;
DROP TABLE fires;
ALTER TABLE fires_v5 RENAME TO fires;
CREATE INDEX fires_by_job ON fires(job_id, scheduled_at);
)",
    // 5 -> 6: "priority": an operator raised (or lowered) a waiting task's priority from another
    // process. And an index on when attempts ended, for the overview's last-24-hours charts on a
    // history of millions.
    R"(
CREATE TABLE engine_requests_v6 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'enqueued' OR kind = 'retry' OR kind = 'cancel' OR kind = 'priority'),
    task_id INTEGER NOT NULL
);
INSERT INTO engine_requests_v6 (id, at, kind, task_id) SELECT id, at, kind, task_id FROM engine_requests;
DROP TABLE engine_requests;
ALTER TABLE engine_requests_v6 RENAME TO engine_requests;
CREATE INDEX attempts_by_finished ON attempts(finished_at) WHERE finished_at IS NOT NULL;
)",
};

constexpr int MigrationCount = int(sizeof(Migrations) / sizeof(Migrations[0]));

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    if (error)
        *error = query.lastError().text();
    return false;
}

// QSqlQuery runs one statement at a time; a migration step holds several.
bool execScript(QSqlDatabase &db, const QString &script, QString *error)
{
    const QStringList statements = script.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (const QString &statement : statements) {
        if (statement.trimmed().isEmpty())
            continue;
        if (!exec(db, statement, error))
            return false;
    }
    return true;
}

} // namespace

QString Database::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/Taskdeck/taskdeck/taskdeck.db");
}

bool Database::prepareFile(const QString &path, QString *error)
{
    const auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (path.isEmpty())
        return fail(QStringLiteral("the database path is empty"));
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return fail(QStringLiteral("'%1' is not a file").arg(path));
    const QString folder = info.absolutePath();
    if (!QFileInfo::exists(folder)) {
        if (!QDir().mkpath(folder))
            return fail(QStringLiteral("cannot create the folder '%1'").arg(folder));
        ::chmod(QFile::encodeName(folder).constData(), 0700);
    }
    const QByteArray native = QFile::encodeName(info.absoluteFilePath());
    // Created here, not by SQLite, so that it never exists with wider permissions than 0600.
    const int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(QStringLiteral("cannot open '%1': %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    struct stat status = {};
    if (::fstat(fd, &status) == 0 && (status.st_mode & 077) != 0)
        ::fchmod(fd, 0600);
    ::close(fd);
    return true;
}

QSqlDatabase Database::open(const QString &path, const QString &connectionName, Access access, QString *error,
                            Sync sync)
{
    QSqlDatabase db;
    // The local handle goes before the connection is removed (else Qt warns it is still in use).
    const auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        db = QSqlDatabase();
        close(connectionName);
        return QSqlDatabase();
    };
    if (access == Access::ReadWrite && !prepareFile(path, error))
        return QSqlDatabase();
    if (access == Access::ReadOnly && !QFileInfo(path).isFile())
        return fail(QStringLiteral("no database at '%1'").arg(path));

    db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(path);
    // Busy timeout: another process (taskdeckctl next to a running engine) may hold the write lock.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!db.open())
        return fail(QStringLiteral("cannot open the database '%1': %2").arg(path, db.lastError().text()));

    QString why;
    if (access == Access::ReadWrite) {
        if (!exec(db, QStringLiteral("PRAGMA journal_mode=WAL"), &why) ||
            !exec(db,
                  sync == Sync::Full ? QStringLiteral("PRAGMA synchronous=FULL")
                                     : QStringLiteral("PRAGMA synchronous=NORMAL"),
                  &why))
            return fail(QStringLiteral("cannot configure '%1': %2").arg(path, why));
    }
    // Readers are not opened with SQLITE_OPEN_READONLY: a WAL reader must be able to create the
    // shared-memory file. query_only keeps them from writing all the same.
    if (access == Access::ReadOnly && !exec(db, QStringLiteral("PRAGMA query_only=1"), &why))
        return fail(QStringLiteral("cannot configure '%1': %2").arg(path, why));
    if (!exec(db, QStringLiteral("PRAGMA foreign_keys=ON"), &why))
        return fail(QStringLiteral("cannot configure '%1': %2").arg(path, why));
    if (access == Access::ReadWrite) {
        if (!migrate(db, &why))
            return fail(QStringLiteral("cannot update the schema of '%1': %2").arg(path, why));
    } else if (const int version = schemaVersion(db); version != currentSchemaVersion()) {
        return fail(version == 0 ? QStringLiteral("'%1' is not a Taskdeck database").arg(path)
                                 : QStringLiteral("'%1' has schema version %2; this build reads %3")
                                       .arg(path)
                                       .arg(version)
                                       .arg(currentSchemaVersion()));
    }
    return db;
}

void Database::close(const QString &connectionName)
{
    SqliteStatement::release(connectionName);
    {
        QSqlDatabase db = QSqlDatabase::database(connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

int Database::currentSchemaVersion()
{
    return MigrationCount;
}

int Database::schemaVersion(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

bool Database::migrate(QSqlDatabase &db, QString *error)
{
    const int from = schemaVersion(db);
    if (from < 0) {
        if (error)
            *error = QStringLiteral("cannot read its schema version (is it an SQLite file?)");
        return false;
    }
    if (from == MigrationCount)
        return true;
    if (from > MigrationCount) {
        if (error)
            *error = QStringLiteral("its schema version %1 is newer than this build's %2; update Taskdeck")
                         .arg(from)
                         .arg(MigrationCount);
        return false;
    }
    // A step may rebuild a table that others refer to (SQLite's way to change a constraint):
    // foreign keys are off meanwhile (a pragma that only works outside a transaction) and checked
    // before the commit.
    QSqlQuery(db).exec(QStringLiteral("PRAGMA foreign_keys=OFF"));
    const auto done = [&db](bool ok) {
        QSqlQuery(db).exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        return ok;
    };
    if (!exec(db, QStringLiteral("BEGIN IMMEDIATE"), error))
        return done(false);
    for (int step = from; step < MigrationCount; ++step) {
        QString why;
        if (!execScript(db, QString::fromUtf8(Migrations[step]), &why) ||
            !exec(db, QStringLiteral("PRAGMA user_version=%1").arg(step + 1), &why)) {
            exec(db, QStringLiteral("ROLLBACK"), nullptr);
            if (error)
                *error = QStringLiteral("step %1 -> %2 failed: %3").arg(step).arg(step + 1).arg(why);
            return done(false);
        }
        qCDebug(lcStore, "schema of %s migrated to version %d", qPrintable(db.databaseName()), step + 1);
    }
    QSqlQuery check(db);
    if (!check.exec(QStringLiteral("PRAGMA foreign_key_check")) || check.next()) {
        exec(db, QStringLiteral("ROLLBACK"), nullptr);
        if (error)
            *error =
                QStringLiteral("the migrated schema breaks a foreign key (table %1)").arg(check.value(0).toString());
        return done(false);
    }
    check.finish();
    return done(exec(db, QStringLiteral("COMMIT"), error));
}

bool Database::createSchemaAtVersion(QSqlDatabase &db, int version, QString *error)
{
    if (version < 0 || version > MigrationCount) {
        if (error)
            *error = QStringLiteral("no schema version %1").arg(version);
        return false;
    }
    for (int step = 0; step < version; ++step) {
        if (!execScript(db, QString::fromUtf8(Migrations[step]), error))
            return false;
    }
    return exec(db, QStringLiteral("PRAGMA user_version=%1").arg(version), error);
}

} // namespace Taskdeck::Core

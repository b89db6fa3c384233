// Durable task throughput: N no-op in-process tasks through the real engine (SQLite file,
// synchronous=FULL, 2 workers), from enqueue until every one has succeeded and its state is on
// disk. Beside it, in the same run, the floor: bare SQLite making the engine's row writes per task
// with the same statements and values through SQLite's C API, in large transactions, with no
// queue logic at all; once as "5 writes" (insert the task; mark it running and insert its attempt;
// mark both finished) and once as "3 writes" (the task; then its attempt and its end at once),
// which is what the engine writes for an attempt that started and ended while the writer was busy
// with the previous group. Prints figures; never fails on timing.
//
//   bench_queue [--quick] [--tasks N]

#include "actions/actionspec.h"
#include "actions/builtinhandlers.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "queue/taskengine.h"
#include "store/database.h"
#include "store/sqlitestatement.h"
#include "store/storewriter.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSqlError>
#include <QTemporaryDir>

#include <cstdio>

using namespace Taskdeck::Core;

namespace {

double runEngine(const QString &path, int tasks, qint64 *commits)
{
    StoreWriter writer(path);
    HandlerRegistry handlers;
    registerBuiltinHandlers(handlers);
    TaskEngine::Options options;
    options.workers = 2;
    options.capacity = tasks + 1;
    TaskEngine engine(&writer, &handlers, &Clock::system(), options);
    QString error;
    if (!engine.start(&error)) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(error));
        return 0;
    }
    int succeeded = 0;
    QEventLoop loop;
    QObject::connect(&engine, &TaskEngine::taskSucceeded, &loop, [&] {
        if (++succeeded == tasks)
            loop.quit();
    });
    TaskSpec spec;
    spec.action = ActionSpec::handler(QStringLiteral("noop"));
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < tasks; ++i) {
        if (!engine.enqueue(spec, &error)) {
            std::fprintf(stderr, "enqueue: %s\n", qPrintable(error));
            return 0;
        }
    }
    loop.exec();
    // Everything the engine decided is on disk, not just in memory.
    writer.run([](QSqlDatabase &, QVariant *, QString *) { return true; });
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    *commits = writer.statistics().commits;
    return tasks / seconds;
}

// The floor: the engine's own five row writes per task (insert the task; mark it running and
// insert its attempt; mark both finished), the same statements with the same values, through
// SQLite's C API as the engine's writer makes them, in transactions of `batch` tasks, on one
// thread, with no queue logic at all.
double runFloor(const QString &path, int tasks, int batch, bool together)
{
    QString error;
    double perSecond = 0;
    {
        QSqlDatabase db = Database::open(path, QStringLiteral("floor"), Database::Access::ReadWrite, &error);
        if (!db.isValid()) {
            std::fprintf(stderr, "floor: %s\n", qPrintable(error));
            return 0;
        }
        const QString action = QStringLiteral("{\"name\":\"noop\",\"type\":\"handler\"}");
        const QString retry =
            QStringLiteral("{\"base_ms\":1000,\"delays_ms\":[],\"jitter\":true,\"max_attempts\":5,\"max_ms\":3600000,"
                           "\"no_retry_exit_codes\":[]}");
        const QString queue = QStringLiteral("default");
        const QString succeeded = QStringLiteral("succeeded");
        QElapsedTimer timer;
        timer.start();
        for (int done = 0; done < tasks; done += batch) {
            db.transaction();
            for (int i = 0; i < batch && done + i < tasks; ++i) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                SqliteStatement insert(db, "INSERT INTO tasks (job, action, payload, queue, priority, state, attempts, "
                                           "max_attempts, retry_policy, not_before, timeout_ms, unique_key, "
                                           "created_at) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)");
                insert.bindNull()
                    .bind(action)
                    .bind(QStringLiteral("null"))
                    .bind(queue)
                    .bind(0)
                    .bind(5)
                    .bind(retry)
                    .bind(now)
                    .bindNull()
                    .bindNull()
                    .bind(now)
                    .exec(&error);
                const qint64 id = insert.lastInsertId();
                if (together) {
                    SqliteStatement(db,
                                    "INSERT INTO attempts (task_id, number, started_at, finished_at, outcome, "
                                    "exit_code, error, output, cpu_ms, peak_memory_kb) VALUES (?, ?, ?, ?, ?, ?, ?, "
                                    "?, ?, ?)")
                        .bind(id)
                        .bind(1)
                        .bind(now)
                        .bind(now)
                        .bind(succeeded)
                        .bindNull()
                        .bindNull()
                        .bindNull()
                        .bindNull()
                        .bindNull()
                        .exec(&error);
                    SqliteStatement(db, "UPDATE tasks SET state = ?1, attempts = ?2, started_at = ?3, finished_at = "
                                        "?4, not_before = COALESCE(?5, not_before), last_error = ?6, progress = CASE "
                                        "WHEN ?1 = 'succeeded' THEN 100 ELSE 0 END, progress_message = NULL WHERE id "
                                        "= ?7")
                        .bind(succeeded)
                        .bind(1)
                        .bind(now)
                        .bind(now)
                        .bindNull()
                        .bindNull()
                        .bind(id)
                        .exec(&error);
                    continue;
                }
                SqliteStatement(db, "UPDATE tasks SET state = 'running', attempts = ?, started_at = ?, progress = 0, "
                                    "progress_message = NULL WHERE id = ?")
                    .bind(1)
                    .bind(now)
                    .bind(id)
                    .exec(&error);
                SqliteStatement(db, "INSERT INTO attempts (task_id, number, started_at) VALUES (?, ?, ?)")
                    .bind(id)
                    .bind(1)
                    .bind(now)
                    .exec(&error);
                SqliteStatement(db, "UPDATE tasks SET state = ?1, finished_at = ?2, not_before = COALESCE(?3, "
                                    "not_before), last_error = ?4, progress = CASE WHEN ?1 = 'succeeded' THEN 100 "
                                    "ELSE progress END WHERE id = ?5")
                    .bind(succeeded)
                    .bind(now)
                    .bindNull()
                    .bindNull()
                    .bind(id)
                    .exec(&error);
                SqliteStatement(db, "UPDATE attempts SET finished_at = ?, outcome = ?, exit_code = ?, error = ?, "
                                    "output = ?, cpu_ms = ?, peak_memory_kb = ? WHERE task_id = ? AND number = ? AND "
                                    "finished_at IS NULL")
                    .bind(now)
                    .bind(succeeded)
                    .bindNull()
                    .bindNull()
                    .bindNull()
                    .bindNull()
                    .bindNull()
                    .bind(id)
                    .bind(1)
                    .exec(&error);
            }
            db.commit();
        }
        perSecond = tasks / (double(timer.nsecsElapsed()) / 1e9);
    }
    Database::close(QStringLiteral("floor"));
    return perSecond;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    int tasks = quick ? 2000 : 100000;
    const qsizetype at = args.indexOf(QStringLiteral("--tasks"));
    if (at > 0 && at + 1 < args.size())
        tasks = args.at(at + 1).toInt();
    QTemporaryDir dir;

    std::printf("Taskdeck durable throughput: %d no-op in-process tasks, 2 workers, synchronous=FULL, WAL%s\n", tasks,
                quick ? " (quick run: figures are rough)" : "");
    qint64 commits = 0;
    const double engine = runEngine(dir.filePath(QStringLiteral("engine.db")), tasks, &commits);
    std::printf("  engine, enqueue to all succeeded on disk: %8.0f tasks/s  (%lld commits)\n", engine,
                static_cast<long long>(commits));
    for (const bool together : {false, true}) {
        for (int batch : {100, 1000}) {
            const double floor = runFloor(dir.filePath(QStringLiteral("floor-%1-%2.db").arg(batch).arg(int(together))),
                                          tasks, batch, together);
            std::printf("  bare SQLite floor, %s, %4d tasks a transaction: %8.0f tasks/s  (engine: %.2f of it)\n",
                        together ? "3 writes" : "5 writes", batch, floor, floor > 0 ? engine / floor : 0.0);
        }
    }
    return 0;
}

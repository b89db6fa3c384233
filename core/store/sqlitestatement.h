#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace Taskdeck::Core {

// A statement run through SQLite's own C API on a Qt Sql connection (the same sqlite3 handle and
// library as Qt's driver), for the writes made once or twice for every task: there Qt Sql's
// binding costs more than SQLite's own work. Prepared once per connection and thread and kept
// until Database::close. Positional binding in order:
//
//     SqliteStatement update(db, "UPDATE tasks SET progress = ? WHERE id = ?");
//     if (!update.bind(percent).bind(id).exec(error)) ...
//
// `sql` must be a string literal: its address is the cache key.
class SqliteStatement
{
public:
    SqliteStatement(const QSqlDatabase &db, const char *sql);
    ~SqliteStatement();
    Q_DISABLE_COPY_MOVE(SqliteStatement)

    SqliteStatement &bind(qint64 value);
    SqliteStatement &bind(int value) { return bind(qint64(value)); }
    SqliteStatement &bind(const QString &value); // a null QString binds NULL
    SqliteStatement &bindNull();
    // Binds `value` when `present`, else NULL.
    template<typename T>
    SqliteStatement &bindIf(bool present, const T &value)
    {
        return present ? bind(value) : bindNull();
    }

    // Runs to the end; false with SQLite's message (or why it could not be prepared) in *error.
    bool exec(QString *error);
    qint64 lastInsertId() const;

    // Finalizes the statements of a connection; Database::close calls it before closing.
    static void release(const QString &connectionName);

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    QString m_error; // why it could not be prepared or bound
    int m_next = 1;
};

} // namespace Taskdeck::Core

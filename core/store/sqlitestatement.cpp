#include "sqlitestatement.h"

#include <QHash>
#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

namespace Taskdeck::Core {

namespace {

struct Connection
{
    sqlite3 *handle = nullptr;
    QHash<const char *, sqlite3_stmt *> statements;
};

// Per thread, like the connections themselves: connection name -> its handle and statements.
QHash<QString, Connection> &connections()
{
    thread_local QHash<QString, Connection> instance;
    return instance;
}

sqlite3 *handleOf(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

} // namespace

SqliteStatement::SqliteStatement(const QSqlDatabase &db, const char *sql)
{
    Connection &connection = connections()[db.connectionName()];
    sqlite3 *const handle = handleOf(db);
    if (connection.handle != handle) {
        // The name now stands for another connection (it was closed without Database::close):
        // the old statements belong to the old handle.
        // Our statements kept Qt's sqlite3_close from closing the old handle (SQLITE_BUSY), and Qt
        // has let go of it: once they are finalized, it is ours to close. Without statements,
        // Qt's close succeeded and the handle is gone.
        const bool orphaned = connection.handle && !connection.statements.isEmpty();
        for (sqlite3_stmt *statement : std::as_const(connection.statements))
            sqlite3_finalize(statement);
        connection.statements.clear();
        if (orphaned)
            sqlite3_close(connection.handle);
        connection.handle = handle;
    }
    m_db = connection.handle;
    if (!m_db) {
        m_error = QStringLiteral("not an open SQLite connection");
        return;
    }
    sqlite3_stmt *&statement = connection.statements[sql];
    if (!statement && sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_finalize(statement);
        connection.statements.remove(sql);
        return;
    }
    m_statement = statement;
}

SqliteStatement::~SqliteStatement()
{
    if (m_statement) {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
    }
}

SqliteStatement &SqliteStatement::bind(qint64 value)
{
    if (m_statement && m_error.isEmpty() && sqlite3_bind_int64(m_statement, m_next, value) != SQLITE_OK)
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    ++m_next;
    return *this;
}

SqliteStatement &SqliteStatement::bind(const QString &value)
{
    if (value.isNull())
        return bindNull();
    if (m_statement && m_error.isEmpty() &&
        sqlite3_bind_text16(m_statement, m_next, value.utf16(), int(value.size() * sizeof(char16_t)),
                            SQLITE_TRANSIENT) != SQLITE_OK)
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    ++m_next;
    return *this;
}

SqliteStatement &SqliteStatement::bindNull()
{
    if (m_statement && m_error.isEmpty() && sqlite3_bind_null(m_statement, m_next) != SQLITE_OK)
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    ++m_next;
    return *this;
}

bool SqliteStatement::exec(QString *error)
{
    if (!m_statement || !m_error.isEmpty()) {
        if (error)
            *error = m_error;
        return false;
    }
    int status;
    while ((status = sqlite3_step(m_statement)) == SQLITE_ROW) {
    }
    const bool ok = status == SQLITE_DONE;
    if (!ok && error)
        *error = QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    m_next = 1;
    return ok;
}

qint64 SqliteStatement::lastInsertId() const
{
    return m_db ? sqlite3_last_insert_rowid(m_db) : 0;
}

void SqliteStatement::release(const QString &connectionName)
{
    const auto it = connections().constFind(connectionName);
    if (it == connections().cend())
        return;
    for (sqlite3_stmt *statement : it->statements)
        sqlite3_finalize(statement);
    connections().erase(it);
}

} // namespace Taskdeck::Core

#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

namespace Taskdeck::Core {

// Prepared statements kept per connection and thread, so that hot writes (a task started, a task
// finished) are prepared once instead of on every call. Bind with bindValue(index, value): the
// statement is reused. Database::close releases a connection's statements.
class StatementCache
{
public:
    // The statement `sql` prepared on `db`; on failure the returned query's lastError() says why
    // and isValid() is false until the next exec.
    static QSqlQuery &prepared(const QSqlDatabase &db, const QString &sql, bool *ok);
    static void release(const QString &connectionName);
};

} // namespace Taskdeck::Core

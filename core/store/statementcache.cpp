#include "statementcache.h"

#include <QHash>

#include <memory>

namespace Taskdeck::Core {

namespace {

struct Cache
{
    QHash<QString, std::shared_ptr<QSqlQuery>> queries; // connection name + '\n' + sql
};

Cache &cache()
{
    // Per thread: a connection belongs to the thread that opened it, and so do its statements.
    thread_local Cache instance;
    return instance;
}

} // namespace

QSqlQuery &StatementCache::prepared(const QSqlDatabase &db, const QString &sql, bool *ok)
{
    const QString key = db.connectionName() + QLatin1Char('\n') + sql;
    auto &slot = cache().queries[key];
    if (!slot) {
        auto query = std::make_shared<QSqlQuery>(db);
        if (!query->prepare(sql)) {
            *ok = false;
            // Kept until the next failure, so that the caller can read lastError().
            static thread_local std::shared_ptr<QSqlQuery> failed;
            failed = std::move(query);
            cache().queries.remove(key);
            return *failed;
        }
        slot = std::move(query);
    }
    *ok = true;
    return *slot;
}

void StatementCache::release(const QString &connectionName)
{
    const QString prefix = connectionName + QLatin1Char('\n');
    auto &queries = cache().queries;
    for (auto it = queries.begin(); it != queries.end();) {
        if (it.key().startsWith(prefix))
            it = queries.erase(it);
        else
            ++it;
    }
}

} // namespace Taskdeck::Core

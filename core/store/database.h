#pragma once

#include <QSqlDatabase>
#include <QString>

namespace Taskdeck::Core {

// Opening Taskdeck's SQLite file: where it lives, who may read it, and which schema it has.
// A QSqlDatabase connection belongs to the thread that opened it, so every role opens its own,
// named after the role and thread, and closes it with Database::close.
class Database
{
public:
    enum class Access { ReadWrite, ReadOnly };
    enum class Sync {
        Full,
        Normal
    }; // synchronous=FULL loses nothing acknowledged; NORMAL may lose the last commits on power loss

    // ~/.local/share/Taskdeck/taskdeck/taskdeck.db (the GUI's AppDataLocation), shared by taskdeck
    // and taskdeckctl.
    static QString defaultPath();

    // Creates the folder (0700) and an empty file (0600) when missing, and tightens an existing
    // file to owner-only. Fails, naming the path, on a folder, a non-file or no permission.
    static bool prepareFile(const QString &path, QString *error);

    // Opens `path` as connection `connectionName` in the calling thread with WAL, foreign keys and a
    // busy timeout; ReadWrite also brings the schema up to date. On failure returns an invalid
    // QSqlDatabase and says why in *error.
    static QSqlDatabase open(const QString &path, const QString &connectionName, Access access, QString *error,
                             Sync sync = Sync::Full);
    static void close(const QString &connectionName);

    // The schema version this build writes, and the one a database file has.
    static int currentSchemaVersion();
    static int schemaVersion(QSqlDatabase &db);
    // Applies every step from the file's version to currentSchemaVersion() in one transaction;
    // rolls back on failure. A file newer than this build is refused.
    static bool migrate(QSqlDatabase &db, QString *error);
    // For tests of migrations: the schema as version `version` had it.
    static bool createSchemaAtVersion(QSqlDatabase &db, int version, QString *error);
};

} // namespace Taskdeck::Core

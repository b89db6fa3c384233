#pragma once

#include "storewriter.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace Taskdeck::Core {

// What a store facade for callers outside the engine (TaskStore, JobStore) needs of one database
// file: a writer, opened on the first write and committing before it returns, and a read-only
// connection of the calling thread, opened on the first read. Core-internal (it names Qt Sql).
class StoreAccess final
{
    Q_DISABLE_COPY_MOVE(StoreAccess)

public:
    explicit StoreAccess(QString path);
    ~StoreAccess();

    const QString &path() const { return m_path; }
    bool exists() const; // a missing file reads as empty; it is created by the first write

    // Runs `operation` as one write. False with why (the operation's error, or why the file
    // could not be opened).
    bool write(const StoreWriter::Operation &operation, QString *error, QVariant *value = nullptr);
    // The thread's read-only connection; invalid (and *error says why) when it cannot be opened.
    QSqlDatabase reader(QString *error);

    // A list read with `read(reader, &why)`, which reports trouble by setting `why`. A file that
    // does not exist yet reads as an empty list.
    template<typename T, typename Read>
    std::optional<QList<T>> readList(Read read, QString *error)
    {
        if (!exists())
            return QList<T>();
        const QSqlDatabase db = reader(error);
        if (!db.isValid())
            return std::nullopt;
        QString why;
        QList<T> items = read(db, &why);
        if (!why.isEmpty()) {
            if (error)
                *error = why;
            return std::nullopt;
        }
        return items;
    }

private:
    QString m_path;
    std::unique_ptr<StoreWriter> m_writer;
    QString m_readerName;
    bool m_readerOpen = false;
};

} // namespace Taskdeck::Core

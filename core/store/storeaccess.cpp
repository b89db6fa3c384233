#include "storeaccess.h"

#include "changesignal.h"
#include "database.h"

#include <QFileInfo>
#include <QThread>

#include <atomic>

namespace Taskdeck::Core {

StoreAccess::StoreAccess(QString path)
    : m_path(std::move(path))
{
    static std::atomic<int> serial{0};
    m_readerName = QStringLiteral("taskdeck-reader-%1-%2").arg(quintptr(QThread::currentThreadId())).arg(++serial);
}

StoreAccess::~StoreAccess()
{
    if (m_readerOpen)
        Database::close(m_readerName);
}

bool StoreAccess::exists() const
{
    return QFileInfo::exists(m_path);
}

bool StoreAccess::write(const StoreWriter::Operation &operation, QString *error, QVariant *value)
{
    if (!m_writer) {
        auto writer = std::make_unique<StoreWriter>(m_path);
        if (!writer->isOpen()) {
            if (error)
                *error = writer->openError();
            return false;
        }
        m_writer = std::move(writer);
    }
    const StoreWriter::Result result = m_writer->run(operation);
    if (!result.ok && error)
        *error = result.error;
    if (result.ok && value)
        *value = result.value;
    if (result.ok)
        ChangeSignal::announce(m_path); // the engine serving this file looks again
    return result.ok;
}

QSqlDatabase StoreAccess::reader(QString *error)
{
    if (!m_readerOpen) {
        const QSqlDatabase db = Database::open(m_path, m_readerName, Database::Access::ReadOnly, error);
        m_readerOpen = db.isValid();
        if (!m_readerOpen)
            return {};
    }
    return QSqlDatabase::database(m_readerName, false);
}

} // namespace Taskdeck::Core

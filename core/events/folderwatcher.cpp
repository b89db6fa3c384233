#include "folderwatcher.h"

#include "clock.h"
#include "eventbus.h"
#include "eventrepository.h"
#include "isotime.h"
#include "queue/taskengine.h"
#include "queue/taskrepository.h"
#include "scheduler/jobrepository.h"
#include "store/database.h"
#include "store/storewriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QLoggingCategory>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <atomic>

Q_LOGGING_CATEGORY(lcWatch, "taskdeck.core.events.watch", QtWarningMsg)

namespace Taskdeck::Core {

namespace {

// The row that says a job's folder has been looked at once (its files then were not new).
const QString EstablishedMarker = QStringLiteral("."); // no file is called "."

QString expanded(const QString &dir)
{
    if (dir == QLatin1String("~") || dir.startsWith(QLatin1String("~/")))
        return QDir::cleanPath(QDir::homePath() + dir.mid(1));
    return QDir::cleanPath(dir);
}

bool recordSeen(QSqlDatabase &db, const QString &jobId, const QString &name, qint64 size, qint64 modifiedMs,
                const QDateTime &now, QString *error)
{
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT OR REPLACE INTO watched_files (job_id, path, size, modified_at, seen_at) "
                                  "VALUES (?, ?, ?, ?, ?)"));
    insert.addBindValue(jobId);
    insert.addBindValue(name);
    insert.addBindValue(size);
    insert.addBindValue(modifiedMs);
    insert.addBindValue(now.toMSecsSinceEpoch());
    if (insert.exec())
        return true;
    if (error)
        *error = insert.lastError().text();
    return false;
}

} // namespace

FolderWatcher::FolderWatcher(StoreWriter *writer, TaskEngine *engine, EventBus *events, const Clock *clock,
                             QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_engine(engine)
    , m_events(events)
    , m_clock(clock ? clock : &Clock::system())
    , m_watcher(new QFileSystemWatcher(this))
    , m_settleTimer(new QTimer(this))
    , m_debounce(new QTimer(this))
{
    static std::atomic<int> serial{0};
    m_readerName = QStringLiteral("taskdeck-watch-reader-%1").arg(++serial);
    m_settleTimer->setSingleShot(true);
    connect(m_settleTimer, &QTimer::timeout, this, &FolderWatcher::rescan);
    // A burst of changes (a copy of many files) is one look, 50 ms after the first.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(50);
    connect(m_debounce, &QTimer::timeout, this, &FolderWatcher::rescan);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        if (!m_debounce->isActive())
            m_debounce->start();
    });
}

FolderWatcher::~FolderWatcher()
{
    Database::close(m_readerName);
}

bool FolderWatcher::start(QString *error)
{
    const QSqlDatabase reader = Database::open(m_writer->path(), m_readerName, Database::Access::ReadOnly, error);
    if (!reader.isValid())
        return false;
    m_started = true;
    reload();
    return true;
}

void FolderWatcher::checkJobs()
{
    if (m_started && jobsFingerprint() != m_fingerprint)
        reload();
    else if (m_started)
        rescan(); // a job resumed elsewhere shows in the fingerprint; a folder made meanwhile does not
}

QString FolderWatcher::jobsFingerprint() const
{
    QSqlQuery query(QSqlDatabase::database(m_readerName, false));
    if (!query.exec(QStringLiteral("SELECT COUNT(*), TOTAL(revision), MAX(updated_at), MAX(created_at) FROM jobs")) ||
        !query.next())
        return QString();
    return QStringLiteral("%1/%2/%3/%4")
        .arg(query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
             query.value(3).toString());
}

void FolderWatcher::reload()
{
    m_fingerprint = jobsFingerprint();
    const QSqlDatabase reader = QSqlDatabase::database(m_readerName, false);
    QString error;
    const QList<StoredJob> jobs = JobRepository(reader).list(&error);
    if (!error.isEmpty()) {
        qCWarning(lcWatch, "cannot read the jobs: %s", qPrintable(error));
        return;
    }
    QSet<QString> active;
    for (const StoredJob &stored : jobs) {
        const Job &job = stored.job;
        // A paused job is not watched: what arrives meanwhile is new when it resumes.
        if (!job.watch.isSet() || job.paused)
            continue;
        active.insert(job.id);
        Watch &watch = m_watches[job.id];
        if (watch.loaded && watch.job.watch == job.watch) {
            watch.job = job;
            continue;
        }
        watch = Watch();
        watch.job = job;
        watch.dir = expanded(job.watch.dir);
        QSqlQuery seen(reader);
        seen.prepare(QStringLiteral("SELECT path FROM watched_files WHERE job_id = ?"));
        seen.addBindValue(job.id);
        if (seen.exec()) {
            while (seen.next())
                watch.seen.insert(seen.value(0).toString());
        }
        watch.loaded = true;
    }
    for (auto it = m_watches.begin(); it != m_watches.end();) {
        if (active.contains(it.key()))
            ++it;
        else
            it = m_watches.erase(it);
    }
    rescan();
}

QStringList FolderWatcher::watchedFolders() const
{
    return m_watcher->directories();
}

void FolderWatcher::rescan()
{
    if (!m_started)
        return;
    QSet<QString> wanted;
    m_problems.clear();
    for (Watch &watch : m_watches) {
        // An inbox that does not exist yet is made (owner-only), so that the first file dropped
        // there is seen.
        if (!QFileInfo::exists(watch.dir) && QDir().mkpath(watch.dir))
            QFile::setPermissions(watch.dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        if (QFileInfo(watch.dir).isDir()) {
            wanted.insert(watch.dir);
        } else {
            m_problems.insert(watch.job.id, QStringLiteral("folder %1 does not exist").arg(watch.dir));
            // Its parent tells when it is made.
            const QString parent = QFileInfo(watch.dir).absolutePath();
            if (QFileInfo(parent).isDir())
                wanted.insert(parent);
        }
    }
    const QStringList current = m_watcher->directories();
    for (const QString &dir : current) {
        if (!wanted.contains(dir))
            m_watcher->removePath(dir);
    }
    for (const QString &dir : std::as_const(wanted)) {
        if (!current.contains(dir) && !m_watcher->addPath(dir))
            qCWarning(lcWatch, "cannot watch %s", qPrintable(dir));
    }
    for (Watch &watch : m_watches)
        scan(watch);
    armSettleTimer();
}

void FolderWatcher::scan(Watch &watch)
{
    if (!QFileInfo(watch.dir).isDir())
        return;
    const QDir dir(watch.dir);
    const QFileInfoList files = dir.entryInfoList(
        {watch.job.watch.glob}, QDir::Files | QDir::Hidden | QDir::NoSymLinks | QDir::CaseSensitive, QDir::Name);
    const QDateTime now = m_clock->now();
    const qint64 nowMs = now.toMSecsSinceEpoch();
    const QString jobId = watch.job.id;

    if (!watch.seen.contains(EstablishedMarker)) {
        // First look at this folder for this job: what is there now is not new, unless asked.
        QList<QPair<QString, QPair<qint64, qint64>>> baseline;
        if (!watch.job.watch.includeExisting) {
            for (const QFileInfo &file : files)
                baseline.append({file.fileName(), {file.size(), file.lastModified().toMSecsSinceEpoch()}});
        }
        watch.seen.insert(EstablishedMarker);
        for (const auto &entry : std::as_const(baseline))
            watch.seen.insert(entry.first);
        m_writer->post([jobId, baseline, now](QSqlDatabase &db, QVariant *, QString *why) {
            if (!recordSeen(db, jobId, EstablishedMarker, 0, 0, now, why))
                return false;
            for (const auto &entry : baseline) {
                if (!recordSeen(db, jobId, entry.first, entry.second.first, entry.second.second, now, why))
                    return false;
            }
            return true;
        });
    }

    QSet<QString> present;
    for (const QFileInfo &file : files) {
        const QString name = file.fileName();
        present.insert(name);
        if (watch.seen.contains(name) || m_firing.contains(jobId + QLatin1Char('/') + name))
            continue;
        const qint64 size = file.size();
        const qint64 modified = file.lastModified().toMSecsSinceEpoch();
        auto it = watch.candidates.find(name);
        if (it == watch.candidates.end()) {
            it = watch.candidates.insert(name, Candidate{size, modified, nowMs});
        } else if (it->size != size || it->modifiedMs != modified) {
            *it = Candidate{size, modified, nowMs};
        }
        if (nowMs - it->stableSinceMs >= watch.job.watch.settleMs) {
            const Candidate candidate = *it;
            watch.candidates.erase(it);
            fire(watch, name, candidate);
        }
    }
    // Gone: forgotten, so that a file of the same name is new again.
    for (auto it = watch.candidates.begin(); it != watch.candidates.end();) {
        if (present.contains(it.key()))
            ++it;
        else
            it = watch.candidates.erase(it);
    }
    QStringList gone;
    for (const QString &name : std::as_const(watch.seen)) {
        if (name != EstablishedMarker && !present.contains(name))
            gone.append(name);
    }
    if (!gone.isEmpty()) {
        for (const QString &name : std::as_const(gone))
            watch.seen.remove(name);
        m_writer->post([jobId, gone](QSqlDatabase &db, QVariant *, QString *why) {
            QSqlQuery remove(db);
            remove.prepare(QStringLiteral("DELETE FROM watched_files WHERE job_id = ? AND path = ?"));
            for (const QString &name : gone) {
                remove.addBindValue(jobId);
                remove.addBindValue(name);
                if (!remove.exec()) {
                    *why = remove.lastError().text();
                    return false;
                }
            }
            return true;
        });
    }
}

void FolderWatcher::fire(Watch &watch, const QString &name, const Candidate &candidate)
{
    const QString key = watch.job.id + QLatin1Char('/') + name;
    m_firing.insert(key);
    const QString path = QDir(watch.dir).filePath(name);
    const QDateTime now = m_clock->now();
    const QJsonObject data{
        {QStringLiteral("path"), path},
        {QStringLiteral("name"), name},
        {QStringLiteral("dir"), watch.dir},
        {QStringLiteral("size"), double(candidate.size)},
        {QStringLiteral("modified_at"),
         IsoTime::format(QDateTime::fromMSecsSinceEpoch(candidate.modifiedMs, QTimeZone::utc()))},
        {QStringLiteral("job"), watch.job.id},
    };
    const Job job = watch.job;
    auto taskId = std::make_shared<qint64>(0);
    QPointer<FolderWatcher> self(this);
    m_writer->post(
        [job, name, candidate, data, now, taskId](QSqlDatabase &db, QVariant *, QString *why) {
            if (!recordSeen(db, job.id, name, candidate.size, candidate.modifiedMs, now, why))
                return false;
            if (!EventRepository(db).publish(QStringLiteral("file.created"), data, QStringLiteral("watch:") + job.id,
                                             now, TaskRepository::DefaultCapacity, why))
                return false;
            TaskSpec spec = job.taskSpec();
            spec.payload = data;
            TaskRepository tasks(db);
            const auto id = tasks.insert(spec, now, TaskRepository::DefaultCapacity, why);
            if (!id || !tasks.announceEnqueued(*id, now, why))
                return false;
            FireRecord fire;
            fire.jobId = job.id;
            fire.scheduledAt = now;
            fire.at = now;
            fire.kind = QStringLiteral("watch");
            fire.outcome = QStringLiteral("queued");
            fire.taskId = *id;
            fire.detail = QStringLiteral("file %1 (%2 bytes)")
                              .arg(data.value(QStringLiteral("path")).toString())
                              .arg(qint64(data.value(QStringLiteral("size")).toDouble()));
            if (!JobRepository(db).recordFire(fire, why))
                return false;
            *taskId = *id;
            return true;
        },
        [self, key, jobId = job.id, name, path, taskId](const StoreWriter::Result &result) {
            QMetaObject::invokeMethod(
                self,
                [self, key, jobId, name, path, taskId, ok = result.ok, error = result.error] {
                    if (!self)
                        return;
                    self->m_firing.remove(key);
                    if (!ok) {
                        // A full queue, say: the file is still new; look again in a while.
                        qCWarning(lcWatch, "%s: %s was not taken: %s", qPrintable(jobId), qPrintable(path),
                                  qPrintable(error));
                        self->m_settleTimer->start(1000);
                        return;
                    }
                    auto it = self->m_watches.find(jobId);
                    if (it != self->m_watches.end())
                        it->seen.insert(name);
                    if (self->m_engine)
                        self->m_engine->checkRequests();
                    if (self->m_events)
                        self->m_events->checkChanges();
                    Q_EMIT self->fileFired(jobId, path, *taskId);
                },
                Qt::QueuedConnection);
        });
}

void FolderWatcher::armSettleTimer()
{
    qint64 earliest = -1;
    for (const Watch &watch : std::as_const(m_watches)) {
        for (const Candidate &candidate : watch.candidates) {
            const qint64 due = candidate.stableSinceMs + watch.job.watch.settleMs;
            if (earliest < 0 || due < earliest)
                earliest = due;
        }
    }
    if (earliest < 0) {
        if (!m_settleTimer->isActive())
            m_settleTimer->stop();
        return;
    }
    const qint64 delay = std::clamp<qint64>(earliest - m_clock->now().toMSecsSinceEpoch(), 0, 60000);
    m_settleTimer->start(int(delay) + 1);
}

} // namespace Taskdeck::Core

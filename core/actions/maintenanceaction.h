#pragma once

#include "taskcontext.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QTimeZone>

#include <optional>

namespace Taskdeck::Core {

class Clock;
class StoreWriter;

// The built-in maintenance actions, run in the worker thread like the others:
//   {"type":"cleanup", "dir":"~/.cache/x", "glob":"*.tmp", "older_than_seconds":86400,
//    "recursive":true, "dry_run":false, "own_files_only":false, "missing_ok":false}
//        deletes the regular files under dir whose name matches glob (fnmatch(3), as find -name:
//        a leading dot is not special) and whose modification time is at least
//        older_than_seconds before the run. It never follows a symbolic link: links are neither
//        followed nor deleted (like find -type f), a linked folder is not entered, and every
//        folder is opened from its parent's descriptor with O_NOFOLLOW, so nothing outside dir
//        can be reached even when the tree changes meanwhile. Folders on another file system are
//        not entered (find -xdev); folders are never deleted. dir itself is resolved once (a link
//        named as dir is followed to its target, which must not be "/"). Every deleted file (or,
//        in a dry run, every file it would delete) is listed in the attempt's output with a last
//        count and bytes line. A file it cannot delete is reported, the others are still deleted,
//        and the attempt fails at the end. own_files_only skips files of other users (for /tmp);
//        missing_ok lets a dir that does not exist (yet) count as clean instead of failing.
//   {"type":"purge-history", "older_than_days":30, "include_cancelled":false, "dry_run":false}
//        deletes succeeded tasks (and cancelled ones, if asked) that finished more than
//        older_than_days ago, with their attempts. Dead letters are never purged, nor anything
//        not finished. The fires that queued a purged task keep their row: their task_id becomes
//        null and their detail says "task N succeeded; purged from the history" (the id could
//        otherwise be taken by a new task). Operator actions are kept.
//   {"type":"vacuum"}
//        PRAGMA optimize, and PRAGMA incremental_vacuum when the file's auto_vacuum is
//        INCREMENTAL. Otherwise the free pages are reported and stay in the file for reuse: a
//        full VACUUM cannot run inside the store's transactions, nor next to a running engine.
//   {"type":"report", "dir":"~/TaskdeckReports", "period":"day"|"week"|"month", "timezone":"Europe/Berlin"}
//        writes taskdeck-PERIOD.html and taskdeck-PERIOD.csv into dir (created when missing)
//        with each job's runs in the last whole period that ended at or before the run: the
//        previous day (taskdeck-2026-11-29), ISO week (taskdeck-2026-W48) or month
//        (taskdeck-2026-11), midnight to midnight in timezone (default: the system's). Files of
//        the same period are replaced. Numbers as in JobStatistics.
// A dir starting with "~/" (or being "~") means the home folder, expanded when checked and at
// run time; nothing else is expanded ("$HOME" is not).
namespace MaintenanceAction {

// "cleanup", "purge-history", "vacuum", "report".
bool isMaintenance(const QString &type);

// The checks of ActionSpec::validate for these types; the error names the type and the field:
// "cleanup: dir '/srv/x' is not a folder". Unknown fields are refused, so that a misspelt
// "dry_run" cannot delete for real.
bool validate(const QJsonObject &action, QString *error);

// "cleanup ~/.cache/x: *.tmp older than 1 d, recursive, dry run".
QString summary(const QJsonObject &action);

// "~" and "~/..." in the home folder; anything else unchanged.
QString expandedPath(const QString &path);

// The period a report covers, [from, to), and the name of its files.
struct ReportPeriod
{
    QDateTime from;
    QDateTime to;
    QString name; // "2026-11-29", "2026-W48", "2026-11"
};
// The last whole `period` ("day", "week", "month") in `zone` that ended at or before `at`.
std::optional<ReportPeriod> reportPeriod(const QString &period, const QDateTime &at, const QTimeZone &zone);

// Runs the action to its end in the calling thread. `writer` is the database's one writer (for
// purge-history and vacuum; reports read through a connection of their own, on the same file);
// `clock` says what "now" is (the age of files, the cutoff of a purge, the report's period).
// Honours context.isCancelled() and timeoutMs (0: none) between files and between batches.
AttemptOutcome run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, StoreWriter *writer,
                   const Clock &clock);

} // namespace MaintenanceAction

} // namespace Taskdeck::Core

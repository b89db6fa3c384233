#pragma once

#include "events/subscription.h"
#include "queue/task.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTimeZone>

#include <optional>

namespace Taskdeck::Core {

// What happens when a job is due while its previous run is still waiting or running.
enum class OverlapPolicy {
    Allow,    // run anyway, side by side
    Skip,     // record the fire as skipped (not failed): the default
    QueueOne, // at most one run waits behind the running one; further fires are skipped
    Replace,  // cancel the running one and start anew
};

// What happens to fire times missed while the scheduler was not running (closed, asleep, a clock
// jump).
enum class MisfirePolicy {
    Skip, // record them as missed
    Once, // one catch-up run now, for all of them (systemd's Persistent=): the default
    All,  // each missed fire runs, up to `misfireMax`, spread out
};

QString overlapPolicyName(OverlapPolicy policy); // "allow", "skip", "queue-one", "replace"
std::optional<OverlapPolicy> overlapPolicyFromName(const QString &name);
QString misfirePolicyName(MisfirePolicy policy); // "skip", "once", "all"
std::optional<MisfirePolicy> misfirePolicyFromName(const QString &name);

// A job's other trigger: a file that appears in a folder. Each new regular file whose name
// matches `glob` fires the job once its size and modification time have stood still for
// `settleMs` (so a file still being written is not taken half-way), with {"path", "name", "dir",
// "size", "modified_at", "job"} as the task's payload, and publishes file.created with the same
// data. Files present when the job is first watched are left alone unless `includeExisting`;
// files that appear while nothing runs are found at the next start. A folder that does not exist
// is made (owner-only) when the watch starts.
struct FolderWatch
{
    QString dir; // absolute; "~" and "~/..." mean the home folder
    QString glob = QStringLiteral("*");
    qint64 settleMs = 1000;
    bool includeExisting = false;

    bool isSet() const { return !dir.isEmpty(); }
    QJsonObject toJson() const;
    friend bool operator==(const FolderWatch &, const FolderWatch &) = default;
};

// A job: a task defined once, run on a cron schedule in a time zone (or only by hand), with the
// policies that say what happens when it fails, overlaps, or was missed. Its JSON is the same in
// the database and in a jobs file (see JobsFile).
struct Job
{
    QString id; // a slug: lower-case letters, digits, '-', '_' and '.', up to 64
    QString title;
    QString description;
    QString schedule;  // a cron expression; empty: run by hand only
    QString timeZone;  // an IANA zone; empty: the system's
    FolderWatch watch; // set: fired by files appearing in a folder (instead of a schedule)
    TaskSpec task;     // action, payload, queue, priority, retry, timeout (job and notBefore unused)
    OverlapPolicy overlap = OverlapPolicy::Skip;
    MisfirePolicy misfire = MisfirePolicy::Once;
    int misfireMax = 10;           // "all": at most this many catch-up runs
    qint64 startingDeadlineMs = 0; // a fire missed by more than this is skipped; 0: no limit
    int jitterSeconds = 0;         // a random delay of up to this much before each run
    QStringList notify{QStringLiteral("failure"), QStringLiteral("dead_letter"), QStringLiteral("misfire")};
    bool paused = false;
    QString pauseReason;
    QDateTime resumeAt; // invalid: paused until resumed by hand

    // Every field checked; the error names it ("schedule: minute: 61 is out of range 0-59
    // (column 1)"). Programs are looked up as the task engine does.
    bool validate(QString *error) const;

    // The job's JSON; `fromJson` refuses unknown fields and wrong types, naming them.
    QJsonObject toJson() const;
    // `check`: also validate() it; a job read back from the database is not checked again (its
    // program may have gone since, which its runs will report).
    static std::optional<Job> fromJson(const QJsonObject &object, QString *error, bool check = true);

    // The task one run of it queues.
    TaskSpec taskSpec() const;
};

// The zone a job's schedule runs in: its own, or the system's when it names none (or one this
// machine does not know).
QTimeZone zoneOf(const Job &job);
// The next time the job fires by itself after `now`; invalid when it does not (run by hand or by
// events, paused for good, @reboot, or never again). Paused until a time: the first fire after it.
QDateTime nextFire(const Job &job, const QDateTime &now);

// A job as stored: its definition and what the store keeps about it.
struct StoredJob
{
    Job job;
    int revision = 0; // bumped by every change
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime lastFireAt; // the latest fire time the scheduler has dealt with; invalid: none yet
};

// One time a job was due or run by hand, and what became of it.
struct FireRecord
{
    qint64 id = 0;
    QString jobId;
    QDateTime scheduledAt; // the cron time, or the moment of "run now"
    QDateTime at;          // when the scheduler handled it
    QString kind;          // scheduled, catch-up, run-now, reboot
    QString outcome;       // queued, skipped, missed
    qint64 taskId = 0;     // 0: no task (skipped, missed)
    QString detail;        // why it was skipped or missed
    // The task's state when read, for queued fires: queued, running, succeeded, dead, ...
    QString taskState;
    QDateTime taskStartedAt;
    QDateTime taskFinishedAt;

    QJsonObject toJson() const;
};

// A jobs file: {"version": 1, "jobs": [ ... ], "subscriptions": [ ... ]} (subscriptions optional).
namespace JobsFile {

constexpr int Version = 1;

struct Content
{
    QList<Job> jobs;
    QList<Subscription> subscriptions;
};

// Reads and validates the whole file; the error names the job (or subscription) and the field:
// `jobs[2] "sync": schedule: minute: 61 is out of range 0-59 (column 1)`. A subscription's job must
// be in the file, or (`knownJobs`) in the database it goes to.
std::optional<Content> parseContent(const QByteArray &text, QString *error, const QStringList &knownJobs = {},
                                    bool checkJobs = false);
// The jobs alone (subscriptions are checked, their jobs not).
std::optional<QList<Job>> parse(const QByteArray &text, QString *error);
QByteArray write(const QList<Job> &jobs, const QList<Subscription> &subscriptions = {});

} // namespace JobsFile

} // namespace Taskdeck::Core

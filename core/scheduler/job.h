#pragma once

#include "queue/task.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

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

// A job: a task defined once, run on a cron schedule in a time zone (or only by hand), with the
// policies that say what happens when it fails, overlaps, or was missed. Its JSON is the same in
// the database and in a jobs file (see JobsFile).
struct Job
{
    QString id; // a slug: lower-case letters, digits, '-', '_' and '.', up to 64
    QString title;
    QString description;
    QString schedule; // a cron expression; empty: run by hand only
    QString timeZone; // an IANA zone; empty: the system's
    TaskSpec task;    // action, payload, queue, priority, retry, timeout (job and notBefore unused)
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

// A jobs file: {"version": 1, "jobs": [ ... ]}.
namespace JobsFile {

constexpr int Version = 1;

// Reads and validates the whole file; the error names the job and the field:
// `jobs[2] "sync": schedule: minute: 61 is out of range 0-59 (column 1)`.
std::optional<QList<Job>> parse(const QByteArray &text, QString *error);
QByteArray write(const QList<Job> &jobs);

} // namespace JobsFile

} // namespace Taskdeck::Core

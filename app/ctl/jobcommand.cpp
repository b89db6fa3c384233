#include "jobcommand.h"

#include "actions/actionspec.h"
#include "commandline.h"
#include "cron/cronschedule.h"
#include "events/eventstore.h"
#include "isotime.h"
#include "scheduler/jobstore.h"
#include "scheduler/scheduler.h"
#include "taskoptions.h"
#include "timezones.h"

#include <QFile>
#include <QJsonArray>
#include <QSaveFile>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

namespace {

QString jobHelp()
{
    return QStringLiteral(
        "Usage: taskdeckctl [--db PATH] job COMMAND [options]\n\n"
        "Jobs: tasks defined once and run on a cron schedule in a time zone, or by hand. A running\n"
        "`taskdeckctl serve` fires them.\n\n"
        "Commands:\n"
        "  add --id ID [--schedule EXPR | --watch DIR] [--tz ZONE] ACTION [options]   Define a job\n"
        "  edit --id ID [options]        Change a job (only what is given; never triggers a run)\n"
        "  remove ID                     Remove a job (its tasks stay in the history)\n"
        "  list [--json]                 Every job with its next fire\n"
        "  show ID [--json]              One job, its next fires and its last runs\n"
        "  pause (ID|--all) [--reason TEXT] [--until ISO-8601]   Stop firing, until resumed or that time\n"
        "  resume (ID|--all)             Fire again\n"
        "  run-now ID                    Queue one run now; the schedule does not move\n"
        "  history ID [--limit N] [--json]   Fires: scheduled time, start, lateness, outcome\n"
        "  import FILE                   Add and replace jobs from a jobs file, all or nothing\n"
        "  export [FILE]                 Write every job as a jobs file (default: standard output)\n"
        "  catchup-preview [--json]      What would run, or be recorded missed, if the scheduler started now\n\n"
        "Run 'taskdeckctl job COMMAND --help' for a command's options.\n");
}

QString stateText(const Job &job)
{
    if (!job.paused)
        return QStringLiteral("active");
    QString text = QStringLiteral("paused");
    if (job.resumeAt.isValid())
        text += QStringLiteral(" until ") + localTime(job.resumeAt);
    if (!job.pauseReason.isEmpty())
        text += QStringLiteral(": ") + printable(job.pauseReason);
    return text;
}

QJsonObject storedJobToJson(const StoredJob &stored, const QDateTime &now)
{
    QJsonObject object = stored.job.toJson();
    const QDateTime next = nextFire(stored.job, now);
    object.insert(QStringLiteral("action"), ActionSpec::redacted(stored.job.task.action));
    object.insert(QStringLiteral("next_fire"), next.isValid() ? QJsonValue(IsoTime::format(next)) : QJsonValue());
    object.insert(QStringLiteral("revision"), stored.revision);
    object.insert(QStringLiteral("created_at"), IsoTime::format(stored.createdAt));
    object.insert(QStringLiteral("updated_at"), IsoTime::format(stored.updatedAt));
    return object;
}

// Per-job figures are over this window, ending now.
constexpr int StatisticsDays = 30;

QJsonObject statisticsToJson(const JobStatistics &stats)
{
    const auto duration = [](qint64 ms) { return ms >= 0 ? QJsonValue(double(ms)) : QJsonValue(); };
    const double rate = stats.successRate();
    return QJsonObject{
        {QStringLiteral("window_days"), StatisticsDays},
        {QStringLiteral("runs"), stats.runs},
        {QStringLiteral("succeeded"), stats.succeeded},
        {QStringLiteral("failed"), stats.failed},
        {QStringLiteral("cancelled"), stats.cancelled},
        {QStringLiteral("dead_letters"), stats.deadLetters},
        {QStringLiteral("success_rate"), rate >= 0 ? QJsonValue(rate) : QJsonValue()},
        {QStringLiteral("p50_duration_ms"), duration(stats.p50DurationMs)},
        {QStringLiteral("p95_duration_ms"), duration(stats.p95DurationMs)},
        {QStringLiteral("last_outcome"), stats.lastOutcome.isEmpty() ? QJsonValue() : QJsonValue(stats.lastOutcome)},
        {QStringLiteral("last_finished_at"),
         stats.lastFinishedAt.isValid() ? QJsonValue(IsoTime::format(stats.lastFinishedAt)) : QJsonValue()},
    };
}

QString rateText(const JobStatistics &stats)
{
    const double rate = stats.successRate();
    return rate < 0 ? QStringLiteral("-") : QStringLiteral("%1%").arg(qRound(rate * 100));
}

QString durationsText(const JobStatistics &stats)
{
    if (stats.p50DurationMs < 0)
        return QStringLiteral("-");
    return formatDuration(stats.p50DurationMs) + QLatin1Char('/') + formatDuration(stats.p95DurationMs);
}

// The statistics of the last StatisticsDays, by job id; empty (and a warning) when unreadable:
// the jobs themselves are still worth printing.
QHash<QString, JobStatistics> recentStatistics(JobStore &store, const QDateTime &now, const QString &id = QString())
{
    QString why;
    const auto list = store.statistics(now.addDays(-StatisticsDays), now.addMSecs(1), id, &why);
    QHash<QString, JobStatistics> byJob;
    if (!list) {
        err() << "taskdeckctl: warning: cannot read the runs' figures: " << why << Qt::endl;
        return byJob;
    }
    for (const JobStatistics &stats : *list)
        byJob.insert(stats.jobId, stats);
    return byJob;
}

int fail(const QString &why)
{
    err() << "taskdeckctl: " << why << Qt::endl;
    return ExitFailure;
}

void addJobOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("id"), QStringLiteral("The job's id: lower-case letters, digits, '-', '_', '.'."),
                      QStringLiteral("ID")});
    parser.addOption({QStringLiteral("title"), QStringLiteral("A short title."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("description"), QStringLiteral("What it is for."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("schedule"),
                      QStringLiteral("Cron expression, 5 or 6 fields or a macro (see: taskdeckctl cron explain)."),
                      QStringLiteral("EXPR")});
    parser.addOption({QStringLiteral("manual"), QStringLiteral("No schedule: run by hand only (job edit).")});
    parser.addOption({QStringLiteral("tz"), QStringLiteral("Time zone of the schedule (default: the system's)."),
                      QStringLiteral("ZONE")});
    addTaskSpecOptions(parser);
    parser.addOption({QStringLiteral("overlap"),
                      QStringLiteral("When the previous run still runs: allow, skip (default), queue-one, replace."),
                      QStringLiteral("P")});
    parser.addOption({QStringLiteral("misfire"),
                      QStringLiteral("For fires missed while not running: skip, once (default), all."),
                      QStringLiteral("P")});
    parser.addOption({QStringLiteral("misfire-max"), QStringLiteral("With --misfire all: at most N catch-up runs."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("starting-deadline"),
                      QStringLiteral("A fire missed by more than SECONDS is skipped."), QStringLiteral("SECONDS")});
    parser.addOption({QStringLiteral("jitter"), QStringLiteral("Delay each run by up to SECONDS, at random."),
                      QStringLiteral("SECONDS")});
    parser.addOption({QStringLiteral("notify"),
                      QStringLiteral("Notify on these, comma-separated: failure, dead_letter, misfire, success "
                                     "(default: failure,dead_letter,misfire); none for nothing."),
                      QStringLiteral("EVENTS")});
    parser.addOption({QStringLiteral("paused"), QStringLiteral("Add it paused.")});
    parser.addOption({QStringLiteral("watch"),
                      QStringLiteral("Fire when a file appears in DIR (instead of a schedule); the file is the "
                                     "task's payload."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("watch-glob"), QStringLiteral("Only files whose name matches GLOB (default *)."),
                      QStringLiteral("GLOB")});
    parser.addOption({QStringLiteral("settle-ms"),
                      QStringLiteral("Take a file once its size stood still this long (default 1000)."),
                      QStringLiteral("MS")});
    parser.addOption({QStringLiteral("no-watch"), QStringLiteral("Drop the folder watch.")});
    parser.addPositionalArgument(QStringLiteral("ARGS"), QStringLiteral("Arguments for --exec, after --."),
                                 QStringLiteral("[-- ARGS...]"));
}

// Applies the job options that are set to *job.
bool readJobOptions(const QCommandLineParser &parser, bool adding, Job *job, int *exitCode)
{
    const auto usage = [exitCode](const QString &why) {
        *exitCode = usageError(why);
        return false;
    };
    if (parser.isSet(QStringLiteral("title")))
        job->title = parser.value(QStringLiteral("title"));
    if (parser.isSet(QStringLiteral("description")))
        job->description = parser.value(QStringLiteral("description"));
    if (parser.isSet(QStringLiteral("schedule")) && parser.isSet(QStringLiteral("manual")))
        return usage(QStringLiteral("--schedule and --manual contradict each other"));
    if (parser.isSet(QStringLiteral("schedule"))) {
        job->schedule = parser.value(QStringLiteral("schedule")).trimmed();
        job->watch = FolderWatch(); // one trigger or the other
        CronError error;
        if (!CronExpression::parse(job->schedule, &error).isValid())
            return usage(QStringLiteral("--schedule: ") + error.toString());
    }
    if (parser.isSet(QStringLiteral("manual"))) {
        job->schedule.clear();
        job->watch = FolderWatch();
    }
    if (parser.isSet(QStringLiteral("watch")) &&
        (parser.isSet(QStringLiteral("no-watch")) || parser.isSet(QStringLiteral("schedule")))) {
        return usage(QStringLiteral("--watch and --%1 contradict each other")
                         .arg(parser.isSet(QStringLiteral("no-watch")) ? QStringLiteral("no-watch")
                                                                       : QStringLiteral("schedule")));
    }
    if (parser.isSet(QStringLiteral("no-watch")))
        job->watch = FolderWatch();
    if (parser.isSet(QStringLiteral("watch"))) {
        job->watch.dir = parser.value(QStringLiteral("watch"));
        job->schedule.clear();
    }
    if ((parser.isSet(QStringLiteral("watch-glob")) || parser.isSet(QStringLiteral("settle-ms"))) &&
        !job->watch.isSet())
        return usage(QStringLiteral("--watch-glob and --settle-ms go with --watch"));
    if (parser.isSet(QStringLiteral("watch-glob")))
        job->watch.glob = parser.value(QStringLiteral("watch-glob"));
    if (parser.isSet(QStringLiteral("settle-ms"))) {
        bool ok = false;
        job->watch.settleMs = parser.value(QStringLiteral("settle-ms")).toLongLong(&ok);
        if (!ok)
            return usage(QStringLiteral("--settle-ms: '%1' is not a whole number of milliseconds")
                             .arg(printable(parser.value(QStringLiteral("settle-ms")))));
    }
    if (parser.isSet(QStringLiteral("tz"))) {
        QString why;
        job->timeZone = parser.value(QStringLiteral("tz"));
        if (!TimeZones::find(job->timeZone, &why))
            return usage(QStringLiteral("--tz: ") + why);
    }
    if (!readTaskSpecOptions(parser, adding, &job->task, exitCode))
        return false;
    if (parser.isSet(QStringLiteral("overlap"))) {
        const auto policy = overlapPolicyFromName(parser.value(QStringLiteral("overlap")));
        if (!policy)
            return usage(QStringLiteral("--overlap: '%1' is not one of allow, skip, queue-one, replace")
                             .arg(printable(parser.value(QStringLiteral("overlap")))));
        job->overlap = *policy;
    }
    if (parser.isSet(QStringLiteral("misfire"))) {
        const auto policy = misfirePolicyFromName(parser.value(QStringLiteral("misfire")));
        if (!policy)
            return usage(QStringLiteral("--misfire: '%1' is not one of skip, once, all")
                             .arg(printable(parser.value(QStringLiteral("misfire")))));
        job->misfire = *policy;
    }
    qint64 jitterMs = qint64(job->jitterSeconds) * 1000;
    if (!readInt(parser, QStringLiteral("misfire-max"), 1, 1000, &job->misfireMax, exitCode) ||
        !readSeconds(parser, QStringLiteral("starting-deadline"), 0, 366.0 * 86400, &job->startingDeadlineMs,
                     exitCode) ||
        !readSeconds(parser, QStringLiteral("jitter"), 0, 86400, &jitterMs, exitCode))
        return false;
    job->jitterSeconds = int(jitterMs / 1000);
    if (parser.isSet(QStringLiteral("notify"))) {
        const QString events = parser.value(QStringLiteral("notify"));
        job->notify =
            events == QLatin1String("none") ? QStringList() : events.split(QLatin1Char(','), Qt::SkipEmptyParts);
    }
    if (adding && parser.isSet(QStringLiteral("paused")))
        job->paused = true;
    QString why;
    if (!job->validate(&why))
        return usage(why);
    return true;
}

int runAdd(const QString &dbPath, const QStringList &arguments, bool adding)
{
    SubcommandParser command(
        adding ? QStringLiteral("taskdeckctl [--db PATH] job add --id ID [--schedule EXPR] [--tz ZONE] (--exec PROG "
                                "[-- ARGS...] | --shell CMD | --http URL | --handler NAME) [options]")
               : QStringLiteral("taskdeckctl [--db PATH] job edit --id ID [options]"),
        adding ? QStringLiteral("Define a job. Nothing is written when any input is wrong.")
               : QStringLiteral("Change what the options say of a job; the rest stays. Never triggers a run."));
    addJobOptions(command.parser());
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    const QCommandLineParser &parser = command.parser();
    if (!parser.isSet(QStringLiteral("id")))
        return usageError(QStringLiteral("--id is missing"));
    JobStore store(dbPath);
    QString why;
    Job job;
    if (adding) {
        job.id = parser.value(QStringLiteral("id"));
    } else {
        const auto stored = store.find(parser.value(QStringLiteral("id")), &why);
        if (!stored)
            return fail(why);
        job = stored->job;
    }
    if (!readJobOptions(parser, adding, &job, &exitCode) ||
        !checkSecretsOf(job.task.action, dbPath, QStringLiteral("action: "), &exitCode))
        return exitCode;
    if (!(adding ? store.add(job, &why) : store.update(job, &why)))
        return fail(why);
    const QDateTime next = nextFire(job, QDateTime::currentDateTimeUtc());
    out() << job.id << (adding ? " added" : " changed")
          << "; next fire: " << (next.isValid() ? IsoTime::format(next) : QStringLiteral("none")) << Qt::endl;
    return ExitOk;
}

// The one job id a command takes.
bool readId(SubcommandParser &command, const QStringList &arguments, QString *id, int *exitCode)
{
    command.parser().addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The job's id."));
    if (!command.parse(arguments, exitCode))
        return false;
    const QStringList words = command.parser().positionalArguments();
    if (words.size() != 1) {
        *exitCode = usageError(QStringLiteral("expected one job id"));
        return false;
    }
    *id = words.first();
    return true;
}

int runRemove(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] job remove ID"),
                             QStringLiteral("Remove a job and its fires; its tasks stay in the history."));
    QString id;
    int exitCode = ExitOk;
    if (!readId(command, arguments, &id, &exitCode))
        return exitCode;
    QString why;
    if (!JobStore(dbPath).remove(id, &why))
        return fail(why);
    out() << id << " removed" << Qt::endl;
    return ExitOk;
}

int runList(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] job list [--json]"),
                             QStringLiteral("Every job with its schedule, state and next fire."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array of job objects.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!command.parser().positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("job list: unexpected '%1'").arg(printable(command.parser().positionalArguments().first())));
    QString why;
    JobStore store(dbPath);
    const auto jobs = store.list(&why);
    if (!jobs)
        return fail(why);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QHash<QString, JobStatistics> statistics = recentStatistics(store, now);
    const auto statsOf = [&](const QString &id) {
        JobStatistics stats = statistics.value(id);
        stats.jobId = id;
        return stats;
    };
    if (command.parser().isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const StoredJob &stored : *jobs) {
            QJsonObject object = storedJobToJson(stored, now);
            object.insert(QStringLiteral("statistics"), statisticsToJson(statsOf(stored.job.id)));
            array.append(object);
        }
        printJson(QJsonDocument(array));
        return ExitOk;
    }
    // The figures are of the last 30 days: success rate of the runs that ended, p50/p95 duration.
    const QString row = QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8\n");
    out() << row.arg(QStringLiteral("ID"), -28)
                 .arg(QStringLiteral("SCHEDULE"), -14)
                 .arg(QStringLiteral("ZONE"), -16)
                 .arg(QStringLiteral("NEXT FIRE"), -25)
                 .arg(QStringLiteral("LAST"), -9)
                 .arg(QStringLiteral("OK 30D"), 6)
                 .arg(QStringLiteral("P50/P95"), -13)
                 .arg(QStringLiteral("STATE"));
    for (const StoredJob &stored : *jobs) {
        const Job &job = stored.job;
        const JobStatistics stats = statsOf(job.id);
        out() << row.arg(job.id, -28)
                     .arg(job.watch.isSet()        ? QStringLiteral("(watch)")
                          : job.schedule.isEmpty() ? QStringLiteral("(manual)")
                                                   : job.schedule,
                          -14)
                     .arg(job.timeZone.isEmpty() ? QStringLiteral("(system)") : job.timeZone, -16)
                     .arg(localTime(nextFire(job, now)), -25)
                     .arg(stats.lastOutcome.isEmpty() ? QStringLiteral("-") : stats.lastOutcome, -9)
                     .arg(rateText(stats), 6)
                     .arg(durationsText(stats), -13)
                     .arg(stateText(job));
    }
    out().flush();
    return ExitOk;
}

int runShow(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] job show ID [--json]"),
                             QStringLiteral("One job: its definition, state, next fires and last runs."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON object.")});
    QString id;
    int exitCode = ExitOk;
    if (!readId(command, arguments, &id, &exitCode))
        return exitCode;
    JobStore store(dbPath);
    QString why;
    const auto stored = store.find(id, &why);
    if (!stored)
        return fail(why);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<FireRecord> fires = store.fires(id, 5, &why).value_or(QList<FireRecord>());
    JobStatistics stats = recentStatistics(store, now, id).value(id);
    stats.jobId = id;
    if (command.parser().isSet(QStringLiteral("json"))) {
        QJsonObject object = storedJobToJson(*stored, now);
        object.insert(QStringLiteral("statistics"), statisticsToJson(stats));
        QJsonArray recent;
        for (const FireRecord &fire : fires)
            recent.append(fire.toJson());
        object.insert(QStringLiteral("recent_fires"), recent);
        printJson(QJsonDocument(object));
        return ExitOk;
    }
    const Job &job = stored->job;
    QTextStream &o = out();
    const auto line = [&](const char *label, const QString &value) {
        o << QStringLiteral("%1 %2\n").arg(QString::fromLatin1(label) + QLatin1Char(':'), -13).arg(value);
    };
    line("Job", job.id);
    if (!job.title.isEmpty())
        line("Title", printable(job.title));
    if (!job.description.isEmpty())
        line("Description", printable(job.description));
    line("State", stateText(job));
    if (job.watch.isSet())
        line("Watch", QStringLiteral("files matching %1 appearing in %2 (taken once still for %3 ms)")
                          .arg(job.watch.glob, job.watch.dir)
                          .arg(job.watch.settleMs));
    else
        line("Schedule", job.schedule.isEmpty() ? QStringLiteral("none: run by hand") : job.schedule);
    line("Time zone", job.timeZone.isEmpty()
                          ? QStringLiteral("the system's (%1)").arg(QString::fromUtf8(QTimeZone::systemTimeZoneId()))
                          : job.timeZone);
    line("Action", ActionSpec::summary(ActionSpec::redacted(job.task.action)));
    line("Queue", QStringLiteral("%1 (priority %2)").arg(job.task.queue).arg(job.task.priority));
    line("Retries", QStringLiteral("%1 attempts, backoff %2 to %3")
                        .arg(job.task.retry.maxAttempts)
                        .arg(formatDuration(job.task.retry.baseDelayMs), formatDuration(job.task.retry.maxDelayMs)));
    if (job.task.timeoutMs > 0)
        line("Timeout", formatDuration(job.task.timeoutMs));
    line("Overlap", overlapPolicyName(job.overlap));
    line("Misfire",
         misfirePolicyName(job.misfire) +
             (job.misfire == MisfirePolicy::All ? QStringLiteral(" (at most %1)").arg(job.misfireMax) : QString()) +
             (job.startingDeadlineMs > 0 ? QStringLiteral(", deadline %1").arg(formatDuration(job.startingDeadlineMs))
                                         : QString()));
    if (job.jitterSeconds > 0)
        line("Jitter", QStringLiteral("up to %1").arg(formatDuration(qint64(job.jitterSeconds) * 1000)));
    line("Notify", job.notify.isEmpty() ? QStringLiteral("nothing") : job.notify.join(QStringLiteral(", ")));
    line("Revision", QString::number(stored->revision));
    QDateTime from = now;
    QStringList next;
    for (int i = 0; i < 3; ++i) {
        Job probe = job;
        const QDateTime fire = nextFire(probe, from);
        if (!fire.isValid())
            break;
        next.append(localTime(fire));
        from = fire;
    }
    line("Next fires", next.isEmpty() ? QStringLiteral("none") : next.join(QStringLiteral(", ")));
    if (stats.runs == 0) {
        line("Last 30 days", QStringLiteral("no runs ended"));
    } else {
        line("Last 30 days", QStringLiteral("%1 runs ended: %2 succeeded, %3 failed, %4 cancelled; success rate %5")
                                 .arg(stats.runs)
                                 .arg(stats.succeeded)
                                 .arg(stats.failed)
                                 .arg(stats.cancelled)
                                 .arg(rateText(stats)));
        if (stats.p50DurationMs >= 0)
            line("Duration", QStringLiteral("p50 %1, p95 %2")
                                 .arg(formatDuration(stats.p50DurationMs), formatDuration(stats.p95DurationMs)));
        line("Last run", QStringLiteral("%1 at %2").arg(stats.lastOutcome, localTime(stats.lastFinishedAt)));
    }
    if (stats.deadLetters > 0)
        line("Dead letters", QStringLiteral("%1 waiting (taskdeckctl dlq list)").arg(stats.deadLetters));
    for (const FireRecord &fire : fires) {
        o << QStringLiteral("\n%1  %2  %3").arg(localTime(fire.scheduledAt), fire.kind, fire.outcome);
        if (fire.taskId > 0)
            o << QStringLiteral("  task %1 %2").arg(fire.taskId).arg(fire.taskState);
        if (!fire.detail.isEmpty())
            o << "  " << printable(fire.detail);
    }
    if (!fires.isEmpty())
        o << '\n';
    o.flush();
    return ExitOk;
}

int runPause(const QString &dbPath, const QStringList &arguments, bool pausing)
{
    SubcommandParser command(
        pausing ? QStringLiteral("taskdeckctl [--db PATH] job pause (ID | --all) [--reason TEXT] [--until ISO-8601]")
                : QStringLiteral("taskdeckctl [--db PATH] job resume (ID | --all)"),
        pausing ? QStringLiteral("Stop firing the job, until resumed or the --until time. Fires while paused are "
                                 "not run. --all pauses every job not paused yet; those paused already keep "
                                 "their own reason and time.")
                : QStringLiteral("Fire the job again from its next scheduled time. --all resumes every paused "
                                 "job."));
    command.parser().addOption({QStringLiteral("all"), pausing ? QStringLiteral("Pause every job.")
                                                               : QStringLiteral("Resume every paused job.")});
    if (pausing) {
        command.parser().addOption(
            {QStringLiteral("reason"), QStringLiteral("Why, for whoever looks next."), QStringLiteral("TEXT")});
        command.parser().addOption(
            {QStringLiteral("until"), QStringLiteral("Resume by itself at this time."), QStringLiteral("ISO-8601")});
    }
    command.parser().addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The job's id."));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    const bool all = command.parser().isSet(QStringLiteral("all"));
    const QStringList words = command.parser().positionalArguments();
    if (all ? !words.isEmpty() : words.size() != 1)
        return usageError(all ? QStringLiteral("--all takes no job id") : QStringLiteral("expected one job id"));
    QString why;
    QDateTime until;
    if (pausing && command.parser().isSet(QStringLiteral("until"))) {
        const auto time =
            IsoTime::parse(command.parser().value(QStringLiteral("until")), QTimeZone::systemTimeZone(), &why);
        if (!time)
            return usageError(QStringLiteral("--until: ") + why);
        until = *time;
    }
    const QString reason = pausing ? command.parser().value(QStringLiteral("reason")) : QString();
    const QString done = pausing ? QStringLiteral(" paused") +
                                       (until.isValid() ? QStringLiteral(" until ") + localTime(until) : QString())
                                 : QStringLiteral(" resumed");
    JobStore store(dbPath);
    if (all) {
        const auto changed = pausing ? store.pauseAll(reason, until, &why) : store.resumeAll(&why);
        if (!changed)
            return fail(why);
        for (const QString &id : *changed)
            out() << id << done << '\n';
        if (changed->isEmpty())
            out() << (pausing ? "no job to pause: every job is paused already" : "no job to resume: none is paused")
                  << '\n';
        out().flush();
        return ExitOk;
    }
    const QString id = words.first();
    if (!(pausing ? store.pause(id, reason, until, &why) : store.resume(id, &why)))
        return fail(why);
    out() << id << done << Qt::endl;
    return ExitOk;
}

int runRunNow(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] job run-now ID"),
                             QStringLiteral("Queue one run of the job now and print its task id; the schedule does "
                                            "not move. A running engine starts it."));
    QString id;
    int exitCode = ExitOk;
    if (!readId(command, arguments, &id, &exitCode))
        return exitCode;
    QString why;
    const auto task = JobStore(dbPath).runNow(id, &why);
    if (!task)
        return fail(why);
    out() << *task << Qt::endl;
    return ExitOk;
}

int runHistory(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] job history ID [--limit N] [--json]"),
                             QStringLiteral("The job's fires, newest first: when each was due, when it started, how "
                                            "late, and how it ended."));
    command.parser().addOption(
        {QStringLiteral("limit"), QStringLiteral("At most N fires (default: 50)."), QStringLiteral("N")});
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array of fire objects.")});
    QString id;
    int exitCode = ExitOk;
    if (!readId(command, arguments, &id, &exitCode))
        return exitCode;
    int limit = 50;
    if (!readInt(command.parser(), QStringLiteral("limit"), 1, 1000000, &limit, &exitCode))
        return exitCode;
    QString why;
    const auto fires = JobStore(dbPath).fires(id, limit, &why);
    if (!fires)
        return fail(why);
    if (command.parser().isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const FireRecord &fire : *fires)
            array.append(fire.toJson());
        printJson(QJsonDocument(array));
        return ExitOk;
    }
    const QString row = QStringLiteral("%1  %2  %3  %4  %5\n");
    out() << row.arg(QStringLiteral("DUE"), -25)
                 .arg(QStringLiteral("KIND"), -9)
                 .arg(QStringLiteral("LATENESS"), -9)
                 .arg(QStringLiteral("OUTCOME"), -10)
                 .arg(QStringLiteral("TASK"));
    for (const FireRecord &fire : *fires) {
        const QString outcome =
            fire.outcome == QLatin1String("queued") && !fire.taskState.isEmpty() ? fire.taskState : fire.outcome;
        const QString lateness = fire.taskStartedAt.isValid()
                                     ? formatDuration(std::max<qint64>(0, fire.scheduledAt.msecsTo(fire.taskStartedAt)))
                                     : QStringLiteral("-");
        out() << row.arg(localTime(fire.scheduledAt), -25)
                     .arg(fire.kind, -9)
                     .arg(lateness, -9)
                     .arg(outcome, -10)
                     .arg(fire.taskId > 0 ? QString::number(fire.taskId) : printable(fire.detail));
    }
    out().flush();
    return ExitOk;
}

int runImport(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] job import FILE"),
                             QStringLiteral("Add the file's new jobs and replace those whose id exists. The whole "
                                            "file is checked first; any error writes nothing."));
    command.parser().addPositionalArgument(QStringLiteral("FILE"),
                                           QStringLiteral("A jobs file (- for standard input)."));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    const QStringList words = command.parser().positionalArguments();
    if (words.size() != 1)
        return usageError(QStringLiteral("job import takes one file"));
    QFile file;
    const bool opened = words.first() == QLatin1String("-")
                            ? file.open(stdin, QIODevice::ReadOnly)
                            : (file.setFileName(words.first()), file.open(QIODevice::ReadOnly));
    if (!opened)
        return usageError(QStringLiteral("%1: %2").arg(printable(words.first()), file.errorString()));
    QString why;
    JobStore store(dbPath);
    QStringList knownJobs;
    for (const StoredJob &stored : store.list(&why).value_or(QList<StoredJob>()))
        knownJobs.append(stored.job.id);
    const auto content = JobsFile::parseContent(file.read(64 * 1024 * 1024), &why, knownJobs, true);
    if (!content)
        return usageError(QStringLiteral("%1: %2").arg(printable(words.first()), why));
    for (qsizetype i = 0; i < content->jobs.size(); ++i) {
        const Job &job = content->jobs.at(i);
        if (!checkSecretsOf(
                job.task.action, dbPath,
                QStringLiteral("%1: jobs[%2] \"%3\": action: ").arg(printable(words.first())).arg(i).arg(job.id),
                &exitCode))
            return exitCode;
    }
    const auto result = store.import(content->jobs, content->subscriptions, &why);
    if (!result)
        return fail(why);
    out() << result->added.size() << " added, " << result->replaced.size() << " replaced";
    if (!content->subscriptions.isEmpty())
        out() << "; subscriptions: " << result->addedSubscriptions.size() << " added, "
              << result->replacedSubscriptions.size() << " replaced";
    out() << Qt::endl;
    return ExitOk;
}

int runExport(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl [--db PATH] job export [FILE]"),
                             QStringLiteral("Write every job as a jobs file, for `job import` here or elsewhere."));
    command.parser().addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("Where to write (default: standard output)."), QStringLiteral("[FILE]"));
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    const QStringList words = command.parser().positionalArguments();
    if (words.size() > 1)
        return usageError(QStringLiteral("job export takes at most one file"));
    QString why;
    const auto stored = JobStore(dbPath).list(&why);
    if (!stored)
        return fail(why);
    QList<Job> jobs;
    for (const StoredJob &job : *stored)
        jobs.append(job.job);
    const auto subscriptions = EventStore(dbPath).subscriptions(&why);
    if (!subscriptions)
        return fail(why);
    QList<Subscription> definitions;
    for (const StoredSubscription &subscription : *subscriptions)
        definitions.append(subscription.subscription);
    const QByteArray text = JobsFile::write(jobs, definitions);
    if (words.isEmpty()) {
        out() << QString::fromUtf8(text);
        out().flush();
        return ExitOk;
    }
    // Written whole or not at all.
    QSaveFile file(words.first());
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit())
        return fail(QStringLiteral("%1: %2").arg(printable(words.first()), file.errorString()));
    out() << jobs.size() << (jobs.size() == 1 ? " job " : " jobs ")
          << (definitions.isEmpty() ? QString()
                                    : QStringLiteral("and %1 subscription%2 ")
                                          .arg(definitions.size())
                                          .arg(definitions.size() == 1 ? QString() : QStringLiteral("s")))
          << "written to " << words.first() << Qt::endl;
    return ExitOk;
}

int runCatchUpPreview(const QString &dbPath, const QStringList &arguments)
{
    SubcommandParser command(
        QStringLiteral("taskdeckctl [--db PATH] job catchup-preview [--json]"),
        QStringLiteral("For every job, the fires missed since the scheduler last ran and what its misfire policy "
                       "makes of them if the scheduler started now. Changes nothing."));
    command.parser().addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array of planned fires.")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    if (!command.parser().positionalArguments().isEmpty())
        return usageError(QStringLiteral("job catchup-preview: unexpected '%1'")
                              .arg(printable(command.parser().positionalArguments().first())));
    QString why;
    const auto jobs = JobStore(dbPath).list(&why);
    if (!jobs)
        return fail(why);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<PlannedFire> plans;
    for (const StoredJob &stored : *jobs)
        plans += Scheduler::plan(stored.job, stored.lastFireAt, now, Scheduler::Options());
    if (command.parser().isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const PlannedFire &planned : plans)
            array.append(QJsonObject{
                {QStringLiteral("job"), planned.jobId},
                {QStringLiteral("scheduled_at"), IsoTime::format(planned.scheduledAt)},
                {QStringLiteral("run_at"),
                 planned.runAt.isValid() ? QJsonValue(IsoTime::format(planned.runAt)) : QJsonValue()},
                {QStringLiteral("kind"), planned.kind},
                {QStringLiteral("outcome"), planned.outcome},
                {QStringLiteral("detail"), planned.detail},
            });
        printJson(QJsonDocument(array));
        return ExitOk;
    }
    if (plans.isEmpty()) {
        out() << "Nothing was missed: no job would catch up now." << Qt::endl;
        return ExitOk;
    }
    const QString row = QStringLiteral("%1  %2  %3  %4\n");
    out() << row.arg(QStringLiteral("JOB"), -28)
                 .arg(QStringLiteral("DUE"), -25)
                 .arg(QStringLiteral("WOULD"), -28)
                 .arg(QStringLiteral("WHY"));
    for (const PlannedFire &planned : plans) {
        const QString would = planned.outcome == QLatin1String("run")
                                  ? QStringLiteral("run at ") + localTime(planned.runAt).mid(11, 8)
                                  : QStringLiteral("be recorded missed");
        out() << row.arg(planned.jobId, -28)
                     .arg(localTime(planned.scheduledAt), -25)
                     .arg(would, -28)
                     .arg(printable(planned.detail));
    }
    out().flush();
    return ExitOk;
}

} // namespace

QString jobCommandSummary()
{
    return QStringLiteral("  job add|edit|remove|list|show|pause|resume|run-now|history|import|export|catchup-preview\n"
                          "                    Jobs: tasks on a cron schedule\n");
}

int runJobCommand(const QString &dbPath, const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    const QStringList rest = arguments.mid(1);
    if (sub == QLatin1String("add") || sub == QLatin1String("edit"))
        return runAdd(dbPath, rest, sub == QLatin1String("add"));
    if (sub == QLatin1String("remove"))
        return runRemove(dbPath, rest);
    if (sub == QLatin1String("list"))
        return runList(dbPath, rest);
    if (sub == QLatin1String("show"))
        return runShow(dbPath, rest);
    if (sub == QLatin1String("pause") || sub == QLatin1String("resume"))
        return runPause(dbPath, rest, sub == QLatin1String("pause"));
    if (sub == QLatin1String("run-now"))
        return runRunNow(dbPath, rest);
    if (sub == QLatin1String("history"))
        return runHistory(dbPath, rest);
    if (sub == QLatin1String("import"))
        return runImport(dbPath, rest);
    if (sub == QLatin1String("export"))
        return runExport(dbPath, rest);
    if (sub == QLatin1String("catchup-preview"))
        return runCatchUpPreview(dbPath, rest);
    if (sub.isEmpty()) {
        err() << jobHelp();
        return ExitUsage;
    }
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        out() << jobHelp();
        return ExitOk;
    }
    return usageError(QStringLiteral("job: unknown command '%1' (see: taskdeckctl job --help)").arg(printable(sub)));
}

} // namespace Taskdeck::Ctl

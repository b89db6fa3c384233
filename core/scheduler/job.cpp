#include "job.h"

#include "actions/actionspec.h"
#include "cron/cronexpression.h"
#include "cron/cronschedule.h"
#include "isotime.h"
#include "timezones.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTimeZone>

#include <cmath>

namespace Taskdeck::Core {

namespace {

struct PolicyName
{
    const char *name;
    int value;
};

constexpr PolicyName OverlapNames[] = {
    {"allow", int(OverlapPolicy::Allow)},
    {"skip", int(OverlapPolicy::Skip)},
    {"queue-one", int(OverlapPolicy::QueueOne)},
    {"replace", int(OverlapPolicy::Replace)},
};
constexpr PolicyName MisfireNames[] = {
    {"skip", int(MisfirePolicy::Skip)},
    {"once", int(MisfirePolicy::Once)},
    {"all", int(MisfirePolicy::All)},
};

template<size_t N>
QString nameOf(const PolicyName (&names)[N], int value)
{
    for (const PolicyName &entry : names) {
        if (entry.value == value)
            return QString::fromLatin1(entry.name);
    }
    return {};
}

template<size_t N>
std::optional<int> valueOf(const PolicyName (&names)[N], const QString &name)
{
    for (const PolicyName &entry : names) {
        if (name == QLatin1String(entry.name))
            return entry.value;
    }
    return std::nullopt;
}

template<size_t N>
QString choices(const PolicyName (&names)[N])
{
    QStringList list;
    for (const PolicyName &entry : names)
        list.append(QString::fromLatin1(entry.name));
    return list.join(QStringLiteral(", "));
}

const QStringList NotifyEvents{QStringLiteral("failure"), QStringLiteral("dead_letter"), QStringLiteral("misfire"),
                               QStringLiteral("success")};

const QStringList JobFields{
    QStringLiteral("id"),
    QStringLiteral("title"),
    QStringLiteral("description"),
    QStringLiteral("schedule"),
    QStringLiteral("timezone"),
    QStringLiteral("watch"),
    QStringLiteral("action"),
    QStringLiteral("payload"),
    QStringLiteral("queue"),
    QStringLiteral("priority"),
    QStringLiteral("timeout_seconds"),
    QStringLiteral("retry"),
    QStringLiteral("overlap"),
    QStringLiteral("misfire"),
    QStringLiteral("misfire_max"),
    QStringLiteral("starting_deadline_seconds"),
    QStringLiteral("jitter_seconds"),
    QStringLiteral("notify"),
    QStringLiteral("paused"),
    QStringLiteral("pause_reason"),
    QStringLiteral("resume_at"),
};

// Reads typed fields of one JSON object; the first problem is kept, naming the field.
class Fields
{
public:
    Fields(const QJsonObject &object, QString prefix = QString())
        : m_object(object)
        , m_prefix(std::move(prefix))
    {}

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    void fail(const QString &field, const QString &why)
    {
        if (m_error.isEmpty())
            m_error = m_prefix + field + QStringLiteral(": ") + why;
    }

    void refuseUnknown(const QStringList &known)
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it) {
            if (!known.contains(it.key()))
                fail(it.key(), QStringLiteral("not a field here (known: %1)").arg(known.join(QStringLiteral(", "))));
        }
    }

    QString string(const QString &key, const QString &fallback = QString())
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isString())
            fail(key, QStringLiteral("expected a string"));
        return value.toString();
    }

    bool boolean(const QString &key, bool fallback)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isBool())
            fail(key, QStringLiteral("expected true or false"));
        return value.toBool();
    }

    // A whole number from `min` to `max`.
    qint64 integer(const QString &key, qint64 fallback, qint64 min, qint64 max)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return fallback;
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || std::isnan(number) || number != std::floor(number)) {
            fail(key, QStringLiteral("expected a whole number"));
            return fallback;
        }
        if (number < double(min) || number > double(max)) {
            fail(key, QStringLiteral("%1 is out of range %2 to %3").arg(number, 0, 'f', 0).arg(min).arg(max));
            return fallback;
        }
        return qint64(number);
    }

    QJsonObject object(const QString &key)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return {};
        if (!value.isObject())
            fail(key, QStringLiteral("expected an object"));
        return value.toObject();
    }

private:
    QJsonObject m_object;
    QString m_prefix;
    QString m_error;
};

QString timeText(const QDateTime &time)
{
    return IsoTime::format(time.toTimeZone(QTimeZone::utc()));
}

} // namespace

QString overlapPolicyName(OverlapPolicy policy)
{
    return nameOf(OverlapNames, int(policy));
}

std::optional<OverlapPolicy> overlapPolicyFromName(const QString &name)
{
    const auto value = valueOf(OverlapNames, name);
    return value ? std::optional<OverlapPolicy>(OverlapPolicy(*value)) : std::nullopt;
}

QString misfirePolicyName(MisfirePolicy policy)
{
    return nameOf(MisfireNames, int(policy));
}

std::optional<MisfirePolicy> misfirePolicyFromName(const QString &name)
{
    const auto value = valueOf(MisfireNames, name);
    return value ? std::optional<MisfirePolicy>(MisfirePolicy(*value)) : std::nullopt;
}

bool Job::validate(QString *error) const
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    static const QRegularExpression slug(QStringLiteral("^[a-z0-9][a-z0-9._-]{0,63}$"));
    if (!slug.match(id).hasMatch())
        return fail(QStringLiteral("id: '%1' is not a job id (lower-case letters, digits, '-', '_' and '.', "
                                   "starting with a letter or digit; up to 64)")
                        .arg(id));
    if (title.size() > 200)
        return fail(QStringLiteral("title: longer than 200 characters"));
    if (description.size() > 4000)
        return fail(QStringLiteral("description: longer than 4000 characters"));
    if (!schedule.isEmpty()) {
        CronError cronError;
        if (!CronExpression::parse(schedule, &cronError).isValid())
            return fail(QStringLiteral("schedule: ") + cronError.toString());
    }
    if (!timeZone.isEmpty()) {
        QString why;
        if (!TimeZones::find(timeZone, &why))
            return fail(QStringLiteral("timezone: ") + why);
    }
    if (watch.isSet()) {
        if (!schedule.isEmpty())
            return fail(QStringLiteral("watch: a job has a schedule or a folder watch, not both"));
        const QString dir = watch.dir == QLatin1String("~") || watch.dir.startsWith(QLatin1String("~/"))
                                ? QDir::homePath() + watch.dir.mid(1)
                                : watch.dir;
        if (!QDir::isAbsolutePath(dir))
            return fail(QStringLiteral("watch: dir: '%1' is not an absolute path").arg(watch.dir));
        if (watch.glob.isEmpty() || watch.glob.contains(QLatin1Char('/')))
            return fail(QStringLiteral("watch: glob: '%1' is not a file name pattern (such as *.csv)").arg(watch.glob));
        if (watch.settleMs < 0 || watch.settleMs > 3600 * 1000)
            return fail(QStringLiteral("watch: settle_ms: %1 is out of range 0 to 3600000").arg(watch.settleMs));
    }
    QString why;
    if (!task.validate(&why))
        return fail(why);
    if (!ActionSpec::validate(task.action, &why))
        return fail(QStringLiteral("action: ") + why);
    if (misfireMax < 1 || misfireMax > 1000)
        return fail(QStringLiteral("misfire_max: %1 is out of range 1 to 1000").arg(misfireMax));
    if (startingDeadlineMs < 0)
        return fail(QStringLiteral("starting_deadline_seconds: negative"));
    if (jitterSeconds < 0 || jitterSeconds > 86400)
        return fail(QStringLiteral("jitter_seconds: %1 is out of range 0 to 86400").arg(jitterSeconds));
    for (const QString &event : notify) {
        if (!NotifyEvents.contains(event))
            return fail(
                QStringLiteral("notify: '%1' is not one of %2").arg(event, NotifyEvents.join(QStringLiteral(", "))));
    }
    if (pauseReason.size() > 500)
        return fail(QStringLiteral("pause_reason: longer than 500 characters"));
    if (resumeAt.isValid() && !paused)
        return fail(QStringLiteral("resume_at: the job is not paused"));
    return true;
}

QJsonObject FolderWatch::toJson() const
{
    QJsonObject object{
        {QStringLiteral("dir"), dir}, {QStringLiteral("glob"), glob}, {QStringLiteral("settle_ms"), double(settleMs)}};
    if (includeExisting)
        object.insert(QStringLiteral("include_existing"), true);
    return object;
}

QJsonObject Job::toJson() const
{
    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("action"), task.action},
        {QStringLiteral("queue"), task.queue},
        {QStringLiteral("priority"), task.priority},
        {QStringLiteral("retry"), retryPolicyToJson(task.retry)},
        {QStringLiteral("overlap"), overlapPolicyName(overlap)},
        {QStringLiteral("misfire"), misfirePolicyName(misfire)},
        {QStringLiteral("misfire_max"), misfireMax},
        {QStringLiteral("jitter_seconds"), jitterSeconds},
        {QStringLiteral("notify"), QJsonArray::fromStringList(notify)},
        {QStringLiteral("paused"), paused},
    };
    if (!title.isEmpty())
        object.insert(QStringLiteral("title"), title);
    if (!description.isEmpty())
        object.insert(QStringLiteral("description"), description);
    object.insert(QStringLiteral("schedule"), schedule.isEmpty() ? QJsonValue() : QJsonValue(schedule));
    if (!timeZone.isEmpty())
        object.insert(QStringLiteral("timezone"), timeZone);
    if (watch.isSet())
        object.insert(QStringLiteral("watch"), watch.toJson());
    if (!task.payload.isNull() && !task.payload.isUndefined())
        object.insert(QStringLiteral("payload"), task.payload);
    if (task.timeoutMs > 0)
        object.insert(QStringLiteral("timeout_seconds"), double(task.timeoutMs) / 1000.0);
    if (startingDeadlineMs > 0)
        object.insert(QStringLiteral("starting_deadline_seconds"), double(startingDeadlineMs) / 1000.0);
    if (!pauseReason.isEmpty())
        object.insert(QStringLiteral("pause_reason"), pauseReason);
    if (resumeAt.isValid())
        object.insert(QStringLiteral("resume_at"), timeText(resumeAt));
    return object;
}

std::optional<Job> Job::fromJson(const QJsonObject &object, QString *error, bool check)
{
    Fields fields(object);
    fields.refuseUnknown(JobFields);
    Job job;
    job.id = fields.string(QStringLiteral("id"));
    job.title = fields.string(QStringLiteral("title"));
    job.description = fields.string(QStringLiteral("description"));
    job.schedule = fields.string(QStringLiteral("schedule")).trimmed();
    job.timeZone = fields.string(QStringLiteral("timezone"));
    if (const QJsonObject watch = fields.object(QStringLiteral("watch")); !watch.isEmpty()) {
        Fields watchFields(watch, QStringLiteral("watch."));
        watchFields.refuseUnknown({QStringLiteral("dir"), QStringLiteral("glob"), QStringLiteral("settle_ms"),
                                   QStringLiteral("include_existing")});
        job.watch.dir = watchFields.string(QStringLiteral("dir"));
        job.watch.glob = watchFields.string(QStringLiteral("glob"), QStringLiteral("*"));
        job.watch.settleMs = watchFields.integer(QStringLiteral("settle_ms"), 1000, 0, 3600 * 1000);
        job.watch.includeExisting = watchFields.boolean(QStringLiteral("include_existing"), false);
        if (job.watch.dir.isEmpty())
            watchFields.fail(QStringLiteral("dir"), QStringLiteral("missing"));
        if (!watchFields.ok())
            fields.fail(QStringLiteral("watch"), watchFields.error().mid(6)); // "watch.dir: ..." -> "dir: ..."
    }
    job.task.action = fields.object(QStringLiteral("action"));
    if (!object.contains(QStringLiteral("action")))
        fields.fail(QStringLiteral("action"), QStringLiteral("missing"));
    job.task.payload = object.value(QStringLiteral("payload"));
    if (job.task.payload.isUndefined())
        job.task.payload = QJsonValue();
    job.task.queue = fields.string(QStringLiteral("queue"), QStringLiteral("default"));
    job.task.priority = int(fields.integer(QStringLiteral("priority"), 0, -1000, 1000));
    const qint64 timeoutSeconds = fields.integer(QStringLiteral("timeout_seconds"), 0, 0, 7 * 86400);
    job.task.timeoutMs = timeoutSeconds * 1000;

    const QJsonObject retry = fields.object(QStringLiteral("retry"));
    QString retryError;
    if (const auto policy = parseRetryPolicy(retry, &retryError))
        job.task.retry = *policy;
    else
        retryError = QStringLiteral("retry.") + retryError;

    const QString overlap = fields.string(QStringLiteral("overlap"), QStringLiteral("skip"));
    if (const auto policy = overlapPolicyFromName(overlap))
        job.overlap = *policy;
    else
        fields.fail(QStringLiteral("overlap"),
                    QStringLiteral("'%1' is not one of %2").arg(overlap, choices(OverlapNames)));
    const QString misfire = fields.string(QStringLiteral("misfire"), QStringLiteral("once"));
    if (const auto policy = misfirePolicyFromName(misfire))
        job.misfire = *policy;
    else
        fields.fail(QStringLiteral("misfire"),
                    QStringLiteral("'%1' is not one of %2").arg(misfire, choices(MisfireNames)));
    job.misfireMax = int(fields.integer(QStringLiteral("misfire_max"), 10, 1, 1000));
    job.startingDeadlineMs = fields.integer(QStringLiteral("starting_deadline_seconds"), 0, 0, 366LL * 86400) * 1000;
    job.jitterSeconds = int(fields.integer(QStringLiteral("jitter_seconds"), 0, 0, 86400));
    if (object.contains(QStringLiteral("notify"))) {
        const QJsonValue notify = object.value(QStringLiteral("notify"));
        const QJsonArray events = notify.toArray();
        job.notify.clear();
        if (!notify.isArray())
            fields.fail(QStringLiteral("notify"), QStringLiteral("expected an array of event names"));
        for (const QJsonValue &event : events) {
            if (!event.isString())
                fields.fail(QStringLiteral("notify"), QStringLiteral("expected an array of event names"));
            job.notify.append(event.toString());
        }
    }
    job.paused = fields.boolean(QStringLiteral("paused"), false);
    job.pauseReason = fields.string(QStringLiteral("pause_reason"));
    const QString resumeAt = fields.string(QStringLiteral("resume_at"));
    if (!resumeAt.isEmpty()) {
        QString why;
        const auto at = IsoTime::parse(resumeAt, QTimeZone::systemTimeZone(), &why);
        if (at)
            job.resumeAt = *at;
        else
            fields.fail(QStringLiteral("resume_at"), why);
    }

    QString why;
    if (!retryError.isEmpty())
        why = retryError;
    else if (!fields.ok())
        why = fields.error();
    if (!why.isEmpty() || (check && !job.validate(&why))) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return job;
}

TaskSpec Job::taskSpec() const
{
    TaskSpec spec = task;
    spec.job = id;
    spec.notBefore = QDateTime();
    spec.uniqueKey.clear();
    return spec;
}

namespace JobsFile {

std::optional<Content> parseContent(const QByteArray &text, QString *error, const QStringList &knownJobs,
                                    bool checkJobs)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("malformed JSON at character %1: %2")
                        .arg(std::max(1, parseError.offset))
                        .arg(parseError.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("expected an object {\"version\": 1, \"jobs\": [...]}"));
    const QJsonObject root = document.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() != QLatin1String("version") && it.key() != QLatin1String("jobs") &&
            it.key() != QLatin1String("subscriptions"))
            return fail(QStringLiteral("%1: not a field here (known: version, jobs, subscriptions)").arg(it.key()));
    }
    const QJsonValue version = root.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != Version)
        return fail(QStringLiteral("version: expected %1, the only version there is").arg(Version));
    const QJsonValue jobsValue = root.value(QStringLiteral("jobs"));
    if (!jobsValue.isArray())
        return fail(QStringLiteral("jobs: expected an array of jobs"));
    const QJsonArray array = jobsValue.toArray();
    Content content;
    QSet<QString> ids;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array.at(i).toObject();
        const QString id = object.value(QStringLiteral("id")).toString();
        const QString where =
            id.isEmpty() ? QStringLiteral("jobs[%1]").arg(i) : QStringLiteral("jobs[%1] \"%2\"").arg(i).arg(id);
        if (!array.at(i).isObject())
            return fail(where + QStringLiteral(": expected a job object"));
        QString why;
        const auto job = Job::fromJson(object, &why);
        if (!job)
            return fail(where + QStringLiteral(": ") + why);
        if (ids.contains(job->id))
            return fail(where + QStringLiteral(": id: '%1' is used by an earlier job in the file").arg(job->id));
        ids.insert(job->id);
        content.jobs.append(*job);
    }
    const QJsonValue subscriptionsValue = root.value(QStringLiteral("subscriptions"));
    if (!subscriptionsValue.isUndefined() && !subscriptionsValue.isArray())
        return fail(QStringLiteral("subscriptions: expected an array of subscriptions"));
    const QJsonArray subscriptions = subscriptionsValue.toArray();
    QSet<QString> names;
    for (qsizetype i = 0; i < subscriptions.size(); ++i) {
        const QJsonObject object = subscriptions.at(i).toObject();
        const QString name = object.value(QStringLiteral("name")).toString();
        const QString where = name.isEmpty() ? QStringLiteral("subscriptions[%1]").arg(i)
                                             : QStringLiteral("subscriptions[%1] \"%2\"").arg(i).arg(name);
        if (!subscriptions.at(i).isObject())
            return fail(where + QStringLiteral(": expected a subscription object"));
        QString why;
        const auto subscription = Subscription::fromJson(object, &why);
        if (!subscription)
            return fail(where + QStringLiteral(": ") + why);
        if (names.contains(subscription->name))
            return fail(
                where +
                QStringLiteral(": name: '%1' is used by an earlier subscription in the file").arg(subscription->name));
        if (checkJobs && !ids.contains(subscription->jobId) && !knownJobs.contains(subscription->jobId))
            return fail(where +
                        QStringLiteral(": job: no job '%1' in the file or the database").arg(subscription->jobId));
        names.insert(subscription->name);
        content.subscriptions.append(*subscription);
    }
    return content;
}

std::optional<QList<Job>> parse(const QByteArray &text, QString *error)
{
    const auto content = parseContent(text, error);
    return content ? std::optional<QList<Job>>(content->jobs) : std::nullopt;
}

QByteArray write(const QList<Job> &jobs, const QList<Subscription> &subscriptions)
{
    QJsonArray array;
    for (const Job &job : jobs)
        array.append(job.toJson());
    QJsonObject root{{QStringLiteral("version"), Version}, {QStringLiteral("jobs"), array}};
    if (!subscriptions.isEmpty()) {
        QJsonArray list;
        for (const Subscription &subscription : subscriptions)
            list.append(subscription.toJson());
        root.insert(QStringLiteral("subscriptions"), list);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace JobsFile

QTimeZone zoneOf(const Job &job)
{
    if (job.timeZone.isEmpty())
        return QTimeZone::systemTimeZone();
    return TimeZones::find(job.timeZone, nullptr).value_or(QTimeZone::systemTimeZone());
}

QDateTime nextFire(const Job &job, const QDateTime &now)
{
    if (job.schedule.isEmpty() || (job.paused && !job.resumeAt.isValid()))
        return {};
    const CronExpression expression = CronExpression::parse(job.schedule);
    if (!expression.isValid() || expression.isReboot())
        return {};
    const QDateTime from = job.paused && job.resumeAt > now ? job.resumeAt : now;
    return CronSchedule(expression, zoneOf(job)).next(from);
}

} // namespace Taskdeck::Core

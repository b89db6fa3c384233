#include "croncommand.h"

#include "commandline.h"
#include "cron/crondescription.h"
#include "cron/cronpreview.h"
#include "cron/cronschedule.h"
#include "isotime.h"
#include "timezones.h"

#include <QDateTime>
#include <QTimeZone>

namespace Taskdeck::Ctl {

using namespace Taskdeck::Core;

namespace {

constexpr int MaxCount = 100000;

const QString CronUsage = QStringLiteral("taskdeckctl cron (next|explain) EXPR [options]");

QString cronHelp()
{
    return QStringLiteral("Usage: %1\n\n"
                          "Work with cron expressions.\n\n"
                          "Commands:\n"
                          "  next EXPR      Print the next fire times, one per line\n"
                          "  explain EXPR   Describe an expression and preview its next fires\n\n"
                          "EXPR has 5 fields (minute hour day-of-month month day-of-week), 6 fields\n"
                          "(second first) or is a macro such as @daily. Quote it, or pass its fields\n"
                          "as separate words. Run 'taskdeckctl cron next --help' for the options.\n")
        .arg(CronUsage);
}

void addZoneOption(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("tz"),
                      QStringLiteral("IANA time zone to read the expression in (default: the system zone)."),
                      QStringLiteral("ZONE")});
    parser.addOption({QStringLiteral("from"),
                      QStringLiteral("Start after this ISO-8601 time; without an offset it is read in --tz "
                                     "(default: now)."),
                      QStringLiteral("ISO-8601")});
    parser.addPositionalArgument(QStringLiteral("EXPR"), QStringLiteral("The cron expression."));
}

struct CommonInput
{
    CronSchedule schedule;
    QDateTime from;
};

// Reads EXPR, --tz and --from; prints the error and returns false on bad input.
bool readCommonInput(const QCommandLineParser &parser, CommonInput *input, int *exitCode)
{
    const QStringList words = parser.positionalArguments();
    if (words.isEmpty()) {
        *exitCode = usageError(QStringLiteral("a cron expression is missing (see: taskdeckctl cron --help)"));
        return false;
    }
    // Fields given as separate words are joined, so `cron next 0 9 '*' '*' 1-5` works too.
    const QString text = words.join(QLatin1Char(' '));

    QTimeZone zone = QTimeZone::systemTimeZone();
    if (parser.isSet(QStringLiteral("tz"))) {
        QString why;
        const auto found = TimeZones::find(parser.value(QStringLiteral("tz")), &why);
        if (!found) {
            *exitCode = usageError(QStringLiteral("--tz: ") + why);
            return false;
        }
        zone = *found;
    }

    CronError error;
    const CronExpression expression = CronExpression::parse(text, &error);
    if (!expression.isValid()) {
        *exitCode =
            usageError(QStringLiteral("invalid cron expression '%1': %2").arg(printable(text), error.toString()));
        return false;
    }

    QDateTime from = QDateTime::currentDateTime().toTimeZone(zone);
    if (parser.isSet(QStringLiteral("from"))) {
        QString why;
        const auto parsed = IsoTime::parse(parser.value(QStringLiteral("from")), zone, &why);
        if (!parsed) {
            *exitCode = usageError(QStringLiteral("--from: ") + why);
            return false;
        }
        from = *parsed;
    }
    input->schedule = CronSchedule(expression, zone);
    input->from = from;
    return true;
}

int runNext(const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl cron next EXPR [--from ISO-8601] [--tz ZONE] [--count N]"),
                             QStringLiteral("Print the next N fire times of EXPR, one per line, as ISO-8601 with the "
                                            "UTC offset.\nAn expression that never fires prints nothing, says "
                                            "'never' on stderr and exits 0."));
    addZoneOption(command.parser());
    command.parser().addOption(
        {QStringLiteral("count"), QStringLiteral("How many fire times to print (default: 5)."), QStringLiteral("N")});
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;

    int count = 5;
    if (command.parser().isSet(QStringLiteral("count"))) {
        const QString value = command.parser().value(QStringLiteral("count"));
        bool ok = false;
        count = value.toInt(&ok);
        if (!ok || count < 1 || count > MaxCount)
            return usageError(
                QStringLiteral("--count: '%1' is not a whole number from 1 to %2").arg(value).arg(MaxCount));
    }
    CommonInput input;
    if (!readCommonInput(command.parser(), &input, &exitCode))
        return exitCode;

    const CronExpression &expression = input.schedule.expression();
    if (expression.isReboot()) {
        err() << "never (@reboot fires once each time the scheduler starts, not at a time of day)" << Qt::endl;
        return ExitOk;
    }
    const QList<QDateTime> fires = input.schedule.nextFires(input.from, count);
    for (const QDateTime &fire : fires)
        out() << IsoTime::format(fire) << '\n';
    out().flush();
    if (fires.isEmpty())
        err() << "never" << Qt::endl;
    return ExitOk;
}

int runExplain(const QStringList &arguments)
{
    SubcommandParser command(QStringLiteral("taskdeckctl cron explain EXPR [--tz ZONE] [--from ISO-8601]"),
                             QStringLiteral("Describe EXPR in words, show its normalized form and its next 5 fires "
                                            "in the zone and in UTC,\nmarking every DST change between them."));
    addZoneOption(command.parser());
    int exitCode = ExitOk;
    if (!command.parse(arguments, &exitCode))
        return exitCode;
    CommonInput input;
    if (!readCommonInput(command.parser(), &input, &exitCode))
        return exitCode;

    const CronSchedule &schedule = input.schedule;
    const CronExpression &expression = schedule.expression();
    const QTimeZone zone = schedule.timeZone();
    QTextStream &o = out();
    o << "Expression:  " << expression.text() << '\n';
    o << "Normalized:  " << expression.normalized() << '\n';
    o << "Description: " << CronDescription::describe(expression) << '\n';
    o << "Time zone:   " << QString::fromUtf8(zone.id()) << " (UTC"
      << IsoTime::formatOffset(zone.offsetFromUtc(input.from)) << " at " << IsoTime::format(input.from.toTimeZone(zone))
      << ")\n";
    if (expression.isReboot()) {
        o << "Next fires:  none by the clock; it fires once each time the scheduler starts\n";
        o.flush();
        return ExitOk;
    }
    o << "DST rule:    " << CronDescription::describeDstRule(expression) << '\n';
    if (!schedule.next(input.from).isValid()) {
        o << (expression.canEverMatch()
                  ? "Next fires:  never (every time it matches falls in a skipped DST hour in this zone)\n"
                  : "Next fires:  never (no date matches)\n");
        o.flush();
        return ExitOk;
    }
    o << "Next fires (" << QString::fromUtf8(zone.id()) << ", then UTC):\n";
    for (const CronPreviewEntry &entry : previewFires(schedule, input.from, 5)) {
        for (const auto &change : entry.changesBefore)
            o << "  -- " << describeTransition(change) << '\n';
        o << "  " << IsoTime::format(entry.fire) << "   " << IsoTime::format(entry.fire.toTimeZone(QTimeZone::utc()));
        if (entry.movedBySkippedTime)
            o << "   (its time was skipped by the change; runs right after it)";
        o << '\n';
    }
    o.flush();
    return ExitOk;
}

} // namespace

QString cronCommandSummary()
{
    return QStringLiteral("  cron next EXPR      Print the next fire times of a cron expression\n"
                          "  cron explain EXPR   Describe a cron expression and preview it across DST\n");
}

int runCronCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    if (sub == QLatin1String("next"))
        return runNext(arguments.mid(1));
    if (sub == QLatin1String("explain"))
        return runExplain(arguments.mid(1));
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        if (sub.isEmpty()) {
            err() << cronHelp();
            err().flush();
            return ExitUsage;
        }
        out() << cronHelp();
        out().flush();
        return ExitOk;
    }
    return usageError(
        QStringLiteral("cron: unknown command '%1' (expected next or explain; see: taskdeckctl cron --help)").arg(sub));
}

} // namespace Taskdeck::Ctl

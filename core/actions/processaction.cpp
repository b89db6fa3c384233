#include "processaction.h"

#include "childprocess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryFile>

#include <algorithm>
#include <csignal>

namespace Taskdeck::Core {

namespace {

// How soon a cancel is noticed.
constexpr qint64 CancelCheckIntervalMs = 50;
constexpr qsizetype MaxPayloadInEnvironment = 64 * 1024;
constexpr qint64 MemorySampleIntervalMs = 50; // how often a running process's peak memory is read

// Keeps the last OutputTailBytes of what a process printed, and hands complete lines to a callback.
class OutputTail
{
public:
    static constexpr qsizetype MaxLineBytes = 4096;

    explicit OutputTail(std::function<void(QByteArrayView)> onLine)
        : m_onLine(std::move(onLine))
    {}

    void append(QByteArrayView data)
    {
        m_tail.append(data);
        if (m_tail.size() > ProcessAction::OutputTailBytes)
            m_tail.remove(0, m_tail.size() - ProcessAction::OutputTailBytes);
        while (!data.isEmpty()) {
            const qsizetype newline = data.indexOf('\n');
            if (!m_overlong) {
                m_partial.append(newline < 0 ? data : data.first(newline));
                if (m_partial.size() > MaxLineBytes) { // a line without end: stop collecting it
                    m_partial.clear();
                    m_overlong = true;
                }
            }
            if (newline < 0)
                break;
            if (!m_overlong)
                m_onLine(m_partial);
            m_partial.clear();
            m_overlong = false;
            data = data.sliced(newline + 1);
        }
    }

    // The last line counts even when the process did not end it.
    void finish()
    {
        if (!m_overlong && !m_partial.isEmpty())
            m_onLine(m_partial);
        m_partial.clear();
        m_overlong = false;
    }

    QString text() const { return QString::fromUtf8(m_tail); }

private:
    std::function<void(QByteArrayView)> m_onLine;
    QByteArray m_tail;
    QByteArray m_partial;
    bool m_overlong = false;
};

// An exec action's program, args, cwd and env.
bool execCommandFor(const QJsonObject &action, ChildProcess::Command *command, QString *error)
{
    const auto fail = [error](const QString &why) {
        *error = why;
        return false;
    };
    command->program = action.value(QStringLiteral("program")).toString();
    if (command->program.isEmpty())
        return fail(QStringLiteral("exec: the program is missing"));
    const QJsonValue args = action.value(QStringLiteral("args"));
    if (!args.isUndefined()) {
        const QJsonArray array = args.toArray();
        if (!args.isArray() ||
            !std::all_of(array.begin(), array.end(), [](const QJsonValue &v) { return v.isString(); }))
            return fail(QStringLiteral("exec: args must be an array of strings"));
        for (const auto &arg : array)
            command->arguments.append(arg.toString());
    }
    if (action.contains(QStringLiteral("cwd"))) {
        command->workingDirectory = action.value(QStringLiteral("cwd")).toString();
        if (command->workingDirectory.isEmpty())
            return fail(QStringLiteral("exec: the working directory '' is not a folder"));
    }
    const QJsonValue env = action.value(QStringLiteral("env"));
    if (!env.isUndefined()) {
        const QJsonObject variables = env.toObject();
        if (!env.isObject() ||
            !std::all_of(variables.begin(), variables.end(), [](const QJsonValue &v) { return v.isString(); }))
            return fail(QStringLiteral("exec: env must be an object of strings"));
        for (auto it = variables.begin(); it != variables.end(); ++it) {
            if (it.key().isEmpty() || it.key().contains(QLatin1Char('=')))
                return fail(QStringLiteral("exec: '%1' is not an environment variable name").arg(it.key()));
            command->environment.append({it.key(), it.value().toString()});
        }
    }
    return true;
}

// The command an exec or shell action describes; false and why when it describes none. The
// texts are ActionSpec::validate's: the engine runs what was validated when it was enqueued.
bool commandFor(const QJsonObject &action, ChildProcess::Command *command, QString *error)
{
    const auto fail = [error](const QString &why) {
        *error = why;
        return false;
    };
    const bool shell = action.value(QStringLiteral("type")).toString() == QLatin1String("shell");
    if (shell) {
        const QJsonValue script = action.value(QStringLiteral("command"));
        if (!script.isString())
            return fail(QStringLiteral("shell: the command is empty"));
        command->program = QStringLiteral("/bin/sh");
        command->arguments = {QStringLiteral("-c"), script.toString()};
    } else if (!execCommandFor(action, command, error)) {
        return false;
    }
    // C strings end at a NUL: such a command would run as something else than it says.
    QStringList texts = command->arguments;
    texts << command->program << command->workingDirectory;
    for (const auto &[name, value] : std::as_const(command->environment))
        texts << name << value;
    if (std::any_of(texts.cbegin(), texts.cend(), [](const QString &text) { return text.contains(QChar(0)); }))
        return fail(shell ? QStringLiteral("shell: the command contains a NUL character")
                          : QStringLiteral("exec: the command contains a NUL character"));
    return true;
}

// How a process that was not stopped by us ended.
void describeEnd(const ChildProcess::Status &status, AttemptOutcome *outcome)
{
    outcome->kind = AttemptOutcome::Kind::Failed;
    if (!status.known) {
        outcome->error = QStringLiteral("its exit status was lost (is SIGCHLD ignored?)");
    } else if (status.signal != 0) {
        const QString name = ChildProcess::signalName(status.signal);
        outcome->error = name.isEmpty() ? QStringLiteral("killed by signal %1").arg(status.signal)
                                        : QStringLiteral("killed by signal %1 (%2)").arg(status.signal).arg(name);
    } else {
        outcome->exitCode = status.exitCode;
        if (outcome->exitCode == 0)
            outcome->kind = AttemptOutcome::Kind::Succeeded;
        else
            outcome->error = QStringLiteral("exited with code %1").arg(outcome->exitCode);
    }
}

// A step's output: the last line it printed (::progress lines aside), as JSON when it is JSON.
QJsonValue lastLineResult(const QString &output)
{
    qsizetype end = output.size();
    while (end > 0) {
        const qsizetype start = output.lastIndexOf(QLatin1Char('\n'), end - 1) + 1;
        const QString line = output.mid(start, end - start).trimmed();
        end = start - 1;
        if (line.isEmpty() || line.startsWith(QLatin1String("::progress")))
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(QByteArray("[") + line.toUtf8() + QByteArray("]"));
        if (document.isArray() && document.array().size() == 1)
            return document.array().first();
        return line;
    }
    return QJsonValue(QJsonValue::Undefined);
}

} // namespace

AttemptOutcome ProcessAction::run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, int graceMs)
{
    AttemptOutcome outcome;
    ChildProcess::Command command;
    if (!commandFor(action, &command, &outcome.error)) {
        outcome.retryable = false; // it would fail the same way every time
        return outcome;
    }

    static const QRegularExpression progressLine(QStringLiteral(R"(^::progress\s+(\d{1,3})(?:\s+(.*))?$)"));
    OutputTail output([&context](QByteArrayView line) {
        const QString text = QString::fromUtf8(line).trimmed();
        const auto match = progressLine.match(text);
        if (match.hasMatch())
            context.progress(match.captured(1).toInt(), match.captured(2));
        else
            context.log(text);
    });
    const auto collect = [&output](QByteArrayView data) { output.append(data); };

    // What the program is to work on, and which task and attempt it is.
    command.environment.append({QStringLiteral("TASKDECK_TASK_ID"), QString::number(context.taskId())});
    command.environment.append({QStringLiteral("TASKDECK_ATTEMPT"), QString::number(context.attempt())});
    const QByteArray payload = QJsonDocument(QJsonArray{context.payload()}).toJson(QJsonDocument::Compact);
    const QByteArray payloadText = payload.mid(1, payload.size() - 2);
    QTemporaryFile payloadFile; // removed when the attempt ends
    if (payloadText.size() <= MaxPayloadInEnvironment) {
        command.environment.append({QStringLiteral("TASKDECK_PAYLOAD"), QString::fromUtf8(payloadText)});
    } else {
        // Too large for one environment string (Linux takes 128 KiB): handed over in a file.
        if (!payloadFile.open() || payloadFile.write(payloadText) != payloadText.size() || !payloadFile.flush()) {
            outcome.error =
                QStringLiteral("cannot write the payload for the program: %1").arg(payloadFile.errorString());
            return outcome;
        }
        command.environment.append({QStringLiteral("TASKDECK_PAYLOAD_FILE"), payloadFile.fileName()});
    }

    ChildProcess child;
    QString why;
    if (!child.start(command, &why)) {
        outcome.error = QStringLiteral("cannot start '%1': %2").arg(command.program, why);
        return outcome;
    }

    const QDeadlineTimer deadline = timeoutMs > 0 ? QDeadlineTimer(timeoutMs) : QDeadlineTimer(QDeadlineTimer::Forever);
    enum class Stop { No, TimedOut, Cancelled };
    Stop stop = Stop::No;
    QDeadlineTimer killAt(QDeadlineTimer::Forever);
    bool killed = false;
    QElapsedTimer sampled; // when the child's memory was last looked at
    // Until the child has ended; once it was told to stop, also until the rest of its process group
    // has gone, or has been killed with it.
    while (!child.hasFinished() || (stop != Stop::No && !killed && child.groupIsAlive())) {
        if (stop == Stop::No && (context.isCancelled() || deadline.hasExpired())) {
            stop = context.isCancelled() ? Stop::Cancelled : Stop::TimedOut;
            child.signalGroup(SIGTERM);
            child.signalGroup(SIGCONT); // a stopped process would not see the SIGTERM before SIGKILL
            killAt = QDeadlineTimer(std::max(graceMs, 0));
        } else if (stop != Stop::No && !killed && killAt.hasExpired()) {
            child.signalGroup(SIGKILL); // SIGTERM was ignored, or not enough
            killed = true;
            continue;
        }
        qint64 waitMs = CancelCheckIntervalMs;
        const QDeadlineTimer &next = stop == Stop::No ? deadline : killAt;
        if (!killed && !next.isForever())
            waitMs = std::clamp<qint64>(next.remainingTime(), 0, CancelCheckIntervalMs);
        if (!child.hasFinished() && (!sampled.isValid() || sampled.hasExpired(MemorySampleIntervalMs))) {
            child.samplePeakMemory();
            sampled.start();
        }
        child.waitForActivity(int(waitMs), collect);
    }
    output.finish();
    outcome.output = output.text();
    outcome.result = lastLineResult(outcome.output);
    const ChildProcess::Status &status = child.status();
    outcome.cpuTimeMs = status.cpuTimeMs;
    // A peak the child may have taken over from us at the spawn says nothing about the program;
    // then the samples taken while it ran tell (a lower bound, for a program that grew and ended
    // between two samples).
    outcome.peakMemoryKiB = std::max(status.peakMemoryKiB > status.inheritedMemoryKiB ? status.peakMemoryKiB : -1,
                                     status.sampledPeakMemoryKiB);

    if (stop == Stop::TimedOut) {
        outcome.kind = AttemptOutcome::Kind::TimedOut;
        outcome.error = QStringLiteral("timed out after %1 s").arg(double(timeoutMs) / 1000.0);
    } else if (stop == Stop::Cancelled) {
        outcome.kind = AttemptOutcome::Kind::Cancelled;
        outcome.error = QStringLiteral("cancelled");
    } else {
        describeEnd(status, &outcome);
        // What a failing program said last is usually why: the dead letter should say it too.
        const QJsonValue last = outcome.exitCode > 0 ? lastLineResult(outcome.output) : QJsonValue();
        if (last.isString() && !last.toString().isEmpty()) {
            QString line = last.toString();
            if (line.size() > 300)
                line = line.left(299) + QChar(0x2026);
            outcome.error += QStringLiteral(": ") + line;
        }
    }
    return outcome;
}

} // namespace Taskdeck::Core

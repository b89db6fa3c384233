#include "processaction.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>

namespace Taskdeck::Core {

namespace {

// Keeps the last OutputTailBytes of what a process printed, and hands complete lines to a callback.
class OutputTail
{
public:
    explicit OutputTail(std::function<void(const QByteArray &)> onLine)
        : m_onLine(std::move(onLine))
    {}

    void append(const QByteArray &data)
    {
        m_tail += data;
        if (m_tail.size() > ProcessAction::OutputTailBytes)
            m_tail.remove(0, m_tail.size() - ProcessAction::OutputTailBytes);
        m_partial += data;
        qsizetype newline;
        while ((newline = m_partial.indexOf('\n')) >= 0) {
            m_onLine(m_partial.left(newline));
            m_partial.remove(0, newline + 1);
        }
        if (m_partial.size() > 4096) // a line without end: stop collecting it
            m_partial.clear();
    }

    QString text() const { return QString::fromUtf8(m_tail); }

private:
    std::function<void(const QByteArray &)> m_onLine;
    QByteArray m_tail;
    QByteArray m_partial;
};

} // namespace

AttemptOutcome ProcessAction::run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs, int graceMs)
{
    AttemptOutcome outcome;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("shell")) {
        process.setProgram(QStringLiteral("/bin/sh"));
        process.setArguments({QStringLiteral("-c"), action.value(QStringLiteral("command")).toString()});
    } else {
        process.setProgram(action.value(QStringLiteral("program")).toString());
        QStringList arguments;
        const QJsonArray args = action.value(QStringLiteral("args")).toArray();
        for (const QJsonValue &arg : args)
            arguments.append(arg.toString());
        process.setArguments(arguments);
        if (action.contains(QStringLiteral("cwd")))
            process.setWorkingDirectory(action.value(QStringLiteral("cwd")).toString());
        const QJsonObject env = action.value(QStringLiteral("env")).toObject();
        if (!env.isEmpty()) {
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            for (auto it = env.begin(); it != env.end(); ++it)
                environment.insert(it.key(), it.value().toString());
            process.setProcessEnvironment(environment);
        }
    }
    process.setStandardInputFile(QProcess::nullDevice());

    static const QRegularExpression progressLine(QStringLiteral(R"(^::progress\s+(\d{1,3})(?:\s+(.*))?$)"));
    OutputTail output([&context](const QByteArray &line) {
        const QString text = QString::fromUtf8(line).trimmed();
        const auto match = progressLine.match(text);
        if (match.hasMatch())
            context.progress(match.captured(1).toInt(), match.captured(2));
        else
            context.log(text);
    });

    process.start();
    if (!process.waitForStarted(30000)) {
        outcome.kind = AttemptOutcome::Kind::Failed;
        outcome.error = QStringLiteral("cannot start '%1': %2").arg(process.program(), process.errorString());
        return outcome;
    }

    QDeadlineTimer deadline = timeoutMs > 0 ? QDeadlineTimer(timeoutMs) : QDeadlineTimer(QDeadlineTimer::Forever);
    bool timedOut = false;
    bool cancelled = false;
    QDeadlineTimer killAt(QDeadlineTimer::Forever);
    // Short waits so that cancel and timeout are noticed within ~50 ms.
    while (process.state() != QProcess::NotRunning) {
        if (process.waitForReadyRead(50))
            output.append(process.readAll());
        if (process.state() == QProcess::NotRunning)
            break;
        const bool stopNow = (!timedOut && !cancelled) && (context.isCancelled() || deadline.hasExpired());
        if (stopNow) {
            timedOut = deadline.hasExpired() && !context.isCancelled();
            cancelled = !timedOut;
            process.terminate(); // SIGTERM
            killAt = QDeadlineTimer(graceMs);
        } else if ((timedOut || cancelled) && killAt.hasExpired()) {
            process.kill(); // SIGKILL: it ignored SIGTERM
            killAt = QDeadlineTimer(QDeadlineTimer::Forever);
        }
    }
    process.waitForFinished(-1);
    output.append(process.readAll());
    outcome.output = output.text();

    if (timedOut) {
        outcome.kind = AttemptOutcome::Kind::TimedOut;
        outcome.error = QStringLiteral("timed out after %1 s").arg(double(timeoutMs) / 1000.0);
    } else if (cancelled) {
        outcome.kind = AttemptOutcome::Kind::Cancelled;
        outcome.error = QStringLiteral("cancelled");
    } else if (process.exitStatus() == QProcess::CrashExit) {
        outcome.kind = AttemptOutcome::Kind::Failed;
        outcome.error = QStringLiteral("killed by a signal");
    } else {
        outcome.exitCode = process.exitCode();
        outcome.kind = outcome.exitCode == 0 ? AttemptOutcome::Kind::Succeeded : AttemptOutcome::Kind::Failed;
        if (outcome.exitCode != 0)
            outcome.error = QStringLiteral("exited with code %1").arg(outcome.exitCode);
    }
    return outcome;
}

} // namespace Taskdeck::Core

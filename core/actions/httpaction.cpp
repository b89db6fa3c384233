#include "httpaction.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

namespace Taskdeck::Core {

AttemptOutcome HttpAction::run(const QJsonObject &action, TaskContext &context, qint64 timeoutMs)
{
    AttemptOutcome outcome;
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(action.value(QStringLiteral("url")).toString()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    const QJsonObject headers = action.value(QStringLiteral("headers")).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        // A line break in a value (a payload's, through a placeholder) would start a header of its own.
        const QString value = it.value().toString();
        if (value.contains(QLatin1Char('\r')) || value.contains(QLatin1Char('\n')) ||
            it.key().contains(QLatin1Char('\n'))) {
            outcome.error = QStringLiteral("http: header %1: a line break in its value is not allowed").arg(it.key());
            outcome.retryable = false;
            return outcome;
        }
        request.setRawHeader(it.key().toUtf8(), value.toUtf8());
    }
    const QByteArray method = action.value(QStringLiteral("method")).toString(QStringLiteral("GET")).toUtf8();
    const QJsonValue bodyValue = action.value(QStringLiteral("body"));
    // A body given as JSON (a placeholder that stood for an object, say) is sent as its text.
    const QByteArray requestBody =
        bodyValue.isObject()  ? QJsonDocument(bodyValue.toObject()).toJson(QJsonDocument::Compact)
        : bodyValue.isArray() ? QJsonDocument(bodyValue.toArray()).toJson(QJsonDocument::Compact)
                              : bodyValue.toString().toUtf8();

    QNetworkReply *reply = network.sendCustomRequest(request, method, requestBody);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    // Cancel and timeout are checked every 50 ms.
    const QDeadlineTimer deadline = timeoutMs > 0 ? QDeadlineTimer(timeoutMs) : QDeadlineTimer(QDeadlineTimer::Forever);
    QTimer watch;
    watch.setInterval(50);
    QObject::connect(&watch, &QTimer::timeout, &loop, [&] {
        if (context.isCancelled() || deadline.hasExpired())
            loop.quit();
    });
    watch.start();
    if (!reply->isFinished())
        loop.exec();

    if (!reply->isFinished()) {
        const bool cancelled = context.isCancelled();
        reply->abort();
        outcome.kind = cancelled ? AttemptOutcome::Kind::Cancelled : AttemptOutcome::Kind::TimedOut;
        outcome.error = cancelled ? QStringLiteral("cancelled")
                                  : QStringLiteral("timed out after %1 s").arg(double(timeoutMs) / 1000.0);
        delete reply;
        return outcome;
    }

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    // The body, up to 1 MiB, is the result a pipeline's next steps may name; its head goes into the
    // attempt's output.
    const QByteArray body = reply->read(1024 * 1024);
    const QByteArray head = body.left(BodyHeadBytes);
    if (status == 0) {
        outcome.kind = AttemptOutcome::Kind::Failed;
        outcome.error = QStringLiteral("network error: %1").arg(reply->errorString());
        delete reply;
        return outcome;
    }
    outcome.output = QStringLiteral("HTTP %1 %2\n").arg(status).arg(reason) + QString::fromUtf8(head);
    QList<int> accepted;
    const QJsonArray accept = action.value(QStringLiteral("accept")).toArray();
    for (const QJsonValue &code : accept)
        accepted.append(code.toInt());
    const bool ok = accepted.isEmpty() ? (status >= 200 && status < 300) : accepted.contains(status);
    QJsonParseError parseError;
    const QJsonDocument json = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError)
        outcome.result = json.isObject() ? QJsonValue(json.object()) : QJsonValue(json.array());
    else
        outcome.result = QString::fromUtf8(body);
    if (ok) {
        outcome.kind = AttemptOutcome::Kind::Succeeded;
    } else {
        outcome.kind = AttemptOutcome::Kind::Failed;
        outcome.error = QStringLiteral("HTTP %1 %2").arg(status).arg(reason).trimmed();
        // A client error will fail the same way again; a timeout, throttling or server error may not.
        outcome.retryable = !(status >= 400 && status < 500 && status != 408 && status != 429);
    }
    delete reply;
    return outcome;
}

} // namespace Taskdeck::Core

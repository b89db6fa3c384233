// The http action against a real HTTP server on the loopback interface, run in this test's thread.

#include "actions/httpaction.h"

#include <QJsonArray>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Taskdeck::Core;

namespace {

// Answers each request with a canned response, and remembers what it was sent.
class TinyHttpServer : public QObject
{
public:
    explicit TinyHttpServer(QByteArray response, bool answer = true)
        : m_response(std::move(response))
        , m_answer(answer)
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                    received += socket->readAll();
                    if (m_answer && received.contains("\r\n\r\n") && !m_answered) {
                        m_answered = true;
                        socket->write(m_response);
                        socket->disconnectFromHost();
                    }
                });
            }
        });
    }

    QString url(const QString &path = QStringLiteral("/hook")) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path);
    }

    QByteArray received;

private:
    QTcpServer m_server;
    QByteArray m_response;
    bool m_answer;
    bool m_answered = false;
};

QByteArray response(int status, const char *reason, const QByteArray &body)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
           "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

QJsonObject request(const QString &url, const QString &method = QStringLiteral("GET"))
{
    return {{QStringLiteral("type"), QStringLiteral("http")},
            {QStringLiteral("url"), url},
            {QStringLiteral("method"), method}};
}

} // namespace

class TestHttpAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void successRecordsStatusAndBodyHead();
    void methodHeadersAndBodyAreSent();
    void serverErrorsFailAndRetry();
    void clientErrorsFailWithoutRetry();
    void acceptListDecidesSuccess();
    void aServerThatNeverAnswersTimesOut();
    void aClosedPortIsANetworkError();
};

void TestHttpAction::successRecordsStatusAndBodyHead()
{
    TinyHttpServer server(response(200, "OK", "{\"synced\": 12}"));
    TaskContext context(1, 1, QJsonValue());
    const AttemptOutcome outcome = HttpAction::run(request(server.url()), context, 10000);
    QCOMPARE(int(outcome.kind), int(AttemptOutcome::Kind::Succeeded));
    QCOMPARE(outcome.output, QStringLiteral("HTTP 200 OK\n{\"synced\": 12}"));
    QVERIFY(server.received.startsWith("GET /hook HTTP/1.1\r\n"));
}

void TestHttpAction::methodHeadersAndBodyAreSent()
{
    TinyHttpServer server(response(204, "No Content", ""));
    QJsonObject action = request(server.url(), QStringLiteral("POST"));
    action.insert(QStringLiteral("headers"), QJsonObject{{QStringLiteral("X-Taskdeck"), QStringLiteral("yes")}});
    action.insert(QStringLiteral("body"), QStringLiteral("{\"a\":1}"));
    TaskContext context(1, 1, QJsonValue());
    const AttemptOutcome outcome = HttpAction::run(action, context, 10000);
    QCOMPARE(int(outcome.kind), int(AttemptOutcome::Kind::Succeeded));
    QTRY_VERIFY(server.received.endsWith("{\"a\":1}"));
    QVERIFY(server.received.startsWith("POST /hook HTTP/1.1\r\n"));
    QVERIFY(server.received.contains("X-Taskdeck: yes\r\n"));
}

void TestHttpAction::serverErrorsFailAndRetry()
{
    TinyHttpServer server(response(503, "Service Unavailable", "busy"));
    TaskContext context(1, 1, QJsonValue());
    const AttemptOutcome outcome = HttpAction::run(request(server.url()), context, 10000);
    QCOMPARE(int(outcome.kind), int(AttemptOutcome::Kind::Failed));
    QCOMPARE(outcome.error, QStringLiteral("HTTP 503 Service Unavailable"));
    QVERIFY(outcome.retryable);
}

void TestHttpAction::clientErrorsFailWithoutRetry()
{
    TinyHttpServer server(response(404, "Not Found", ""));
    TaskContext context(1, 1, QJsonValue());
    const AttemptOutcome outcome = HttpAction::run(request(server.url()), context, 10000);
    QCOMPARE(outcome.error, QStringLiteral("HTTP 404 Not Found"));
    QVERIFY(!outcome.retryable);
}

void TestHttpAction::acceptListDecidesSuccess()
{
    TinyHttpServer server(response(404, "Not Found", ""));
    QJsonObject action = request(server.url(), QStringLiteral("DELETE"));
    action.insert(QStringLiteral("accept"), QJsonArray{200, 404}); // deleting what is gone is fine
    TaskContext context(1, 1, QJsonValue());
    QCOMPARE(int(HttpAction::run(action, context, 10000).kind), int(AttemptOutcome::Kind::Succeeded));
}

void TestHttpAction::aServerThatNeverAnswersTimesOut()
{
    TinyHttpServer server(QByteArray(), /*answer=*/false);
    TaskContext context(1, 1, QJsonValue());
    const AttemptOutcome outcome = HttpAction::run(request(server.url()), context, 200);
    QCOMPARE(int(outcome.kind), int(AttemptOutcome::Kind::TimedOut));
    QCOMPARE(outcome.error, QStringLiteral("timed out after 0.2 s"));
}

void TestHttpAction::aClosedPortIsANetworkError()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close(); // nothing listens there now
    TaskContext context(1, 1, QJsonValue());
    const AttemptOutcome outcome =
        HttpAction::run(request(QStringLiteral("http://127.0.0.1:%1/").arg(port)), context, 10000);
    QCOMPARE(int(outcome.kind), int(AttemptOutcome::Kind::Failed));
    QVERIFY2(outcome.error.startsWith(QStringLiteral("network error: ")), qPrintable(outcome.error));
    QVERIFY(outcome.retryable);
}

QTEST_GUILESS_MAIN(TestHttpAction)
#include "tst_httpaction.moc"

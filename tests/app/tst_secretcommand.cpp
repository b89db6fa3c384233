// `taskdeckctl secret ...` as a script would use it: the real binary, a real secrets file, and
// the value only ever on standard input.

#include "ctlrun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

// runProgram with `input` written to standard input (then closed) and its own environment.
CtlRun runProgramWithInput(const QString &program, const QStringList &arguments, const QByteArray &input,
                           const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    CtlRun result;
    if (!process.waitForStarted(30000))
        return result;
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

const QString Value = QStringLiteral("v4lue-Never-Printed");

} // namespace

class TestSecretCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void aSecretSetFromStandardInputIsListedByNameOnly();
    void onlyTheFirstLineOfStandardInputIsTheValue();
    void aSecretIsRemovedAndRemovingItAgainFails();
    void badInputExitsTwo_data();
    void badInputExitsTwo();
    void aFileOthersCanReadIsRefusedWithExitOne();
    void helpIsShownForTheCommandAndEachSubcommand_data();
    void helpIsShownForTheCommandAndEachSubcommand();
    void theEnvironmentVariableChoosesTheFile();

private:
    CtlRun ctl(const QStringList &arguments, const QByteArray &input = QByteArray())
    {
        const CtlRun run =
            runProgramWithInput(m_program, QStringList{QStringLiteral("--db"), m_db} + arguments, input, m_environment);
        // Whatever happens, the value is never shown.
        if (run.out.contains(Value) || run.err.contains(Value))
            qFatal("taskdeckctl printed a secret value");
        return run;
    }
    QJsonObject secretsInFile()
    {
        QFile file(m_secrets);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("secrets")).toObject();
    }

    QString m_program;
    QProcessEnvironment m_environment;
    std::optional<QTemporaryDir> m_dir;
    QString m_db;
    QString m_secrets;
};

void TestSecretCommand::initTestCase()
{
    m_program = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECKCTL"));
    QVERIFY2(!m_program.isEmpty(), "TASKDECKCTL must name the taskdeckctl binary (set by ctest)");
    m_environment = QProcessEnvironment::systemEnvironment();
    m_environment.remove(QStringLiteral("TASKDECK_SECRETS"));
}

void TestSecretCommand::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(QStringLiteral("taskdeck.db"));
    m_secrets = m_dir->filePath(QStringLiteral("secrets.json"));
}

void TestSecretCommand::aSecretSetFromStandardInputIsListedByNameOnly()
{
    const QString secret = QStringLiteral("secret");
    CtlRun r = ctl({secret, QStringLiteral("set"), QStringLiteral("API_TOKEN")}, Value.toUtf8() + '\n');
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("secret API_TOKEN set in %1\n").arg(m_secrets));
    QCOMPARE(secretsInFile().value(QStringLiteral("API_TOKEN")).toString(), Value);
    struct stat status = {};
    QCOMPARE(::stat(QFile::encodeName(m_secrets).constData(), &status), 0);
    QCOMPARE(int(status.st_mode & 07777), 0600);

    QCOMPARE(ctl({secret, QStringLiteral("set"), QStringLiteral("DB_PASSWORD")}, "p\n").exitCode, 0);
    r = ctl({secret, QStringLiteral("list")});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("API_TOKEN\nDB_PASSWORD\n"));
    r = ctl({secret, QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array(),
             (QJsonArray{QStringLiteral("API_TOKEN"), QStringLiteral("DB_PASSWORD")}));

    // Setting it again replaces the value.
    QCOMPARE(ctl({secret, QStringLiteral("set"), QStringLiteral("API_TOKEN")}, "new\n").exitCode, 0);
    QCOMPARE(secretsInFile().value(QStringLiteral("API_TOKEN")).toString(), QStringLiteral("new"));
}

void TestSecretCommand::onlyTheFirstLineOfStandardInputIsTheValue()
{
    const QString secret = QStringLiteral("secret");
    QCOMPARE(ctl({secret, QStringLiteral("set"), QStringLiteral("A")}, Value.toUtf8() + "\r\nsecond line\n").exitCode,
             0);
    QCOMPARE(secretsInFile().value(QStringLiteral("A")).toString(), Value);
    // No line end at all is fine too; inner spaces are kept.
    QCOMPARE(ctl({secret, QStringLiteral("set"), QStringLiteral("B")}, " two words ").exitCode, 0);
    QCOMPARE(secretsInFile().value(QStringLiteral("B")).toString(), QStringLiteral(" two words "));
}

void TestSecretCommand::aSecretIsRemovedAndRemovingItAgainFails()
{
    const QString secret = QStringLiteral("secret");
    QCOMPARE(ctl({secret, QStringLiteral("set"), QStringLiteral("API_TOKEN")}, Value.toUtf8()).exitCode, 0);
    CtlRun r = ctl({secret, QStringLiteral("remove"), QStringLiteral("API_TOKEN")});
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("secret API_TOKEN removed\n"));
    QVERIFY(secretsInFile().isEmpty());

    r = ctl({secret, QStringLiteral("list")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QString());
    QCOMPARE(r.err, QStringLiteral("no secrets in %1\n").arg(m_secrets));

    r = ctl({secret, QStringLiteral("remove"), QStringLiteral("API_TOKEN")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QString());
    QCOMPARE(r.err, QStringLiteral("taskdeckctl: no secret named API_TOKEN in %1\n").arg(m_secrets));
}

void TestSecretCommand::badInputExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("err");

    const QString badName = QStringLiteral("is not a secret name (letters, digits and _, not starting with a digit, "
                                           "at most 64)\n");
    QTest::newRow("a bad name to set") << QStringList{QStringLiteral("set"), QStringLiteral("api-token")}
                                       << Value.toUtf8() << QStringLiteral("taskdeckctl: 'api-token' ") + badName;
    QTest::newRow("the value as an argument")
        << QStringList{QStringLiteral("set"), QStringLiteral("API_TOKEN"), Value} << QByteArray()
        << QStringLiteral("taskdeckctl: secret set takes only a NAME: the value is read from standard input, never "
                          "from the command line (where ps would show it)\n");
    QTest::newRow("the value as an option")
        << QStringList{QStringLiteral("set"), QStringLiteral("API_TOKEN"), QStringLiteral("--value=") + Value}
        << QByteArray()
        << QStringLiteral("taskdeckctl: secret set takes only a NAME: the value is read from standard input, never "
                          "from the command line (where ps would show it)\n");
    QTest::newRow("no name to set") << QStringList{QStringLiteral("set")} << Value.toUtf8()
                                    << QStringLiteral("taskdeckctl: secret set takes a NAME\n");
    QTest::newRow("nothing on standard input")
        << QStringList{QStringLiteral("set"), QStringLiteral("A")} << QByteArray()
        << QStringLiteral("taskdeckctl: secret set: the value of A is empty (it "
                          "is the first line of standard input)\n");
    QTest::newRow("an empty first line") << QStringList{QStringLiteral("set"), QStringLiteral("A")}
                                         << QByteArray("\r\n") + Value.toUtf8()
                                         << QStringLiteral("taskdeckctl: secret set: the value of A is empty (it is "
                                                           "the first line of standard input)\n");
    QTest::newRow("a bad name to remove") << QStringList{QStringLiteral("remove"), QStringLiteral("a.b")}
                                          << QByteArray() << QStringLiteral("taskdeckctl: 'a.b' ") + badName;
    QTest::newRow("no name to remove") << QStringList{QStringLiteral("remove")} << QByteArray()
                                       << QStringLiteral("taskdeckctl: secret remove takes one NAME\n");
    QTest::newRow("a word after list") << QStringList{QStringLiteral("list"), QStringLiteral("A")} << QByteArray()
                                       << QStringLiteral("taskdeckctl: secret list takes no arguments\n");
    QTest::newRow("an unknown command") << QStringList{QStringLiteral("show"), QStringLiteral("A")} << QByteArray()
                                        << QStringLiteral("taskdeckctl: secret: unknown command 'show' (expected set, "
                                                          "list or remove; see: taskdeckctl secret --help)\n");
}

void TestSecretCommand::badInputExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(QString, err);
    const CtlRun r = ctl(QStringList{QStringLiteral("secret")} + arguments, input);
    QCOMPARE(r.err, err);
    QCOMPARE(r.out, QString());
    QCOMPARE(r.exitCode, 2);
    QVERIFY(!QFile::exists(m_secrets));
}

void TestSecretCommand::aFileOthersCanReadIsRefusedWithExitOne()
{
    QFile file(m_secrets);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.write(R"({"version": 1, "secrets": {"A": "v4lue-Never-Printed"}})") > 0);
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                QFileDevice::ReadOther));
    const QString refused =
        QStringLiteral("taskdeckctl: secrets file %1 is readable by others (mode 0644): chmod 600 %1\n").arg(m_secrets);
    CtlRun r = ctl({QStringLiteral("secret"), QStringLiteral("list")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, refused);
    r = ctl({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("B")}, "b\n");
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, refused);
    r = ctl({QStringLiteral("secret"), QStringLiteral("remove"), QStringLiteral("A")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, refused);
}

void TestSecretCommand::helpIsShownForTheCommandAndEachSubcommand_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("usage");
    QTest::newRow("secret") << QStringList{QStringLiteral("--help")}
                            << QStringLiteral("Usage: taskdeckctl [--db PATH] secret COMMAND [options]\n");
    QTest::newRow("set") << QStringList{QStringLiteral("set"), QStringLiteral("--help")}
                         << QStringLiteral("Usage: taskdeckctl [--db PATH] secret set NAME\n");
    QTest::newRow("set with a value") << QStringList{QStringLiteral("set"), QStringLiteral("A"), Value,
                                                     QStringLiteral("-h")}
                                      << QStringLiteral("Usage: taskdeckctl [--db PATH] secret set NAME\n");
    QTest::newRow("list") << QStringList{QStringLiteral("list"), QStringLiteral("--help")}
                          << QStringLiteral("Usage: taskdeckctl [--db PATH] secret list [--json]\n");
    QTest::newRow("remove") << QStringList{QStringLiteral("remove"), QStringLiteral("--help")}
                            << QStringLiteral("Usage: taskdeckctl [--db PATH] secret remove NAME\n");
}

void TestSecretCommand::helpIsShownForTheCommandAndEachSubcommand()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, usage);
    const CtlRun r = ctl(QStringList{QStringLiteral("secret")} + arguments);
    QCOMPARE(r.err, QString());
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(usage), qPrintable(r.out));

    // The main help lists the command; with no command word, the command's help goes to stderr.
    QVERIFY(ctl({QStringLiteral("--help")}).out.contains(QLatin1String("\n  secret ")));
    const CtlRun bare = ctl({QStringLiteral("secret")});
    QCOMPARE(bare.exitCode, 2);
    QVERIFY2(bare.err.contains(QStringLiteral("This database's file: ") + m_secrets), qPrintable(bare.err));
}

void TestSecretCommand::theEnvironmentVariableChoosesTheFile()
{
    const QString elsewhere = m_dir->filePath(QStringLiteral("vault/taskdeck-secrets.json"));
    m_environment.insert(QStringLiteral("TASKDECK_SECRETS"), elsewhere);
    const CtlRun r = ctl({QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("A")}, "a\n");
    m_environment.remove(QStringLiteral("TASKDECK_SECRETS"));
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, QStringLiteral("secret A set in %1\n").arg(elsewhere));
    QVERIFY(QFile::exists(elsewhere));
    QVERIFY(!QFile::exists(m_secrets));
}

QTEST_GUILESS_MAIN(TestSecretCommand)
#include "tst_secretcommand.moc"

#include "actions/secrets.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace Taskdeck::Core;

namespace {

int modeOf(const QString &path)
{
    struct stat status = {};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0)
        return -1;
    return int(status.st_mode & 07777);
}

// Writes `contents` to `path` with exactly `mode`.
bool writeFile(const QString &path, const QByteArray &contents, int mode = 0600)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(contents) != contents.size())
        return false;
    file.close();
    return ::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void secretsAreSetReplacedListedAndRemoved();
    void theFileAndItsFolderAreCreatedPrivateAndStayPrivate();
    void aFileOthersMayReadOrWriteIsRefused_data();
    void aFileOthersMayReadOrWriteIsRefused();
    void aFileOfAnotherUserIsRefused();
    void somethingOtherThanAFileIsRefusedWithoutHanging();
    void malformedJsonNamesTheCharacter();
    void aFileOfTheWrongShapeIsRefused_data();
    void aFileOfTheWrongShapeIsRefused();
    void aMissingFileIsAnEmptySet();
    void namesFollowTheRule_data();
    void namesFollowTheRule();
    void anEmptyValueIsRefused();
    void theEnvironmentChoosesTheFileOverTheDatabaseFolder();

private:
    QString m_path;
    std::optional<QTemporaryDir> m_dir;
};

void TestSecrets::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("secrets.json"));
}

void TestSecrets::secretsAreSetReplacedListedAndRemoved()
{
    QString error;
    QVERIFY2(Secrets::set(m_path, QStringLiteral("DB_PASSWORD"), QStringLiteral("hunter2"), &error), qPrintable(error));
    QVERIFY2(Secrets::set(m_path, QStringLiteral("API_TOKEN"), QStringLiteral("first"), &error), qPrintable(error));
    QVERIFY2(Secrets::set(m_path, QStringLiteral("API_TOKEN"), QStringLiteral(u"zweite Übung \"x\""), &error),
             qPrintable(error));

    auto secrets = Secrets::load(m_path, &error);
    QVERIFY2(secrets, qPrintable(error));
    QCOMPARE(secrets->path(), m_path);
    QCOMPARE(secrets->names(), (QStringList{QStringLiteral("API_TOKEN"), QStringLiteral("DB_PASSWORD")}));
    QCOMPARE(secrets->value(QStringLiteral("API_TOKEN")), QStringLiteral(u"zweite Übung \"x\""));
    QCOMPARE(secrets->value(QStringLiteral("DB_PASSWORD")), QStringLiteral("hunter2"));
    // The documented format, so that the file can be written by hand too.
    const QJsonObject written = QJsonDocument::fromJson(readFile(m_path)).object();
    QCOMPARE(written.value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(written.value(QStringLiteral("secrets")).toObject().size(), 2);

    QVERIFY2(Secrets::remove(m_path, QStringLiteral("DB_PASSWORD"), &error), qPrintable(error));
    secrets = Secrets::load(m_path, &error);
    QVERIFY2(secrets, qPrintable(error));
    QCOMPARE(secrets->names(), QStringList{QStringLiteral("API_TOKEN")});
    QVERIFY(!secrets->contains(QStringLiteral("DB_PASSWORD")));

    QVERIFY(!Secrets::remove(m_path, QStringLiteral("DB_PASSWORD"), &error));
    QCOMPARE(error, QStringLiteral("no secret named DB_PASSWORD in ") + m_path);
}

void TestSecrets::theFileAndItsFolderAreCreatedPrivateAndStayPrivate()
{
    const QString folder = m_dir->filePath(QStringLiteral("a/b"));
    const QString path = folder + QStringLiteral("/secrets.json");
    QString error;
    QVERIFY2(Secrets::set(path, QStringLiteral("A"), QStringLiteral("1"), &error), qPrintable(error));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(modeOf(folder), 0700);
    QCOMPARE(modeOf(m_dir->filePath(QStringLiteral("a"))), 0700);

    QVERIFY2(Secrets::set(path, QStringLiteral("B"), QStringLiteral("2"), &error), qPrintable(error));
    QCOMPARE(modeOf(path), 0600);
    // Whatever narrower mode the owner gave it, the next write makes it 0600 again.
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0700) == 0);
    QVERIFY2(Secrets::remove(path, QStringLiteral("A"), &error), qPrintable(error));
    QCOMPARE(modeOf(path), 0600);
    // No temporary file is left behind.
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("secrets.json")});
}

void TestSecrets::aFileOthersMayReadOrWriteIsRefused_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("what");
    QTest::newRow("readable by everyone") << 0644 << QStringLiteral("readable by others (mode 0644)");
    QTest::newRow("readable by the group") << 0640 << QStringLiteral("readable by others (mode 0640)");
    QTest::newRow("writable by the group") << 0620 << QStringLiteral("writable by others (mode 0620)");
    QTest::newRow("writable by everyone") << 0602 << QStringLiteral("writable by others (mode 0602)");
}

void TestSecrets::aFileOthersMayReadOrWriteIsRefused()
{
    QFETCH(int, mode);
    QFETCH(QString, what);
    const QByteArray contents = R"({"version": 1, "secrets": {"A": "value-a"}})";
    QVERIFY(writeFile(m_path, contents, mode));
    const QString expected = QStringLiteral("secrets file %1 is %2: chmod 600 %1").arg(m_path, what);
    QString error;
    QVERIFY(!Secrets::load(m_path, &error));
    QCOMPARE(error, expected);
    // Writing is refused the same way, and leaves the file as it was.
    QVERIFY(!Secrets::set(m_path, QStringLiteral("B"), QStringLiteral("b"), &error));
    QCOMPARE(error, expected);
    QCOMPARE(readFile(m_path), contents);
    QCOMPARE(modeOf(m_path), mode);
}

void TestSecrets::aFileOfAnotherUserIsRefused()
{
    if (::geteuid() != 0)
        QSKIP("giving a file away takes root");
    QVERIFY(writeFile(m_path, R"({"version": 1, "secrets": {}})"));
    QVERIFY(::chown(QFile::encodeName(m_path).constData(), 65534, 65534) == 0);
    QString error;
    QVERIFY(!Secrets::load(m_path, &error));
    QCOMPARE(error, QStringLiteral("secrets file %1 belongs to uid 65534, not to this user (uid 0): chown it or use a "
                                   "file of your own")
                        .arg(m_path));
}

void TestSecrets::somethingOtherThanAFileIsRefusedWithoutHanging()
{
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("secrets.json")));
    QString error;
    QVERIFY(!Secrets::load(m_path, &error));
    QCOMPARE(error, QStringLiteral("secrets file %1 is not a regular file").arg(m_path));

    const QString fifo = m_dir->filePath(QStringLiteral("fifo.json"));
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    QVERIFY(!Secrets::load(fifo, &error));
    QCOMPARE(error, QStringLiteral("secrets file %1 is not a regular file").arg(fifo));
}

void TestSecrets::malformedJsonNamesTheCharacter()
{
    // Non-ASCII before the mistake: the position is in characters, not bytes.
    const QString text = QStringLiteral(u"{\"version\": 1, \"secrets\": {\"Ä\": \"ü\", \"B\": oops}}");
    QVERIFY(writeFile(m_path, text.toUtf8()));
    QString error;
    QVERIFY(!Secrets::load(m_path, &error));
    // Qt places this error just before the "oops"; in bytes it would be two further on.
    QCOMPARE(error, QStringLiteral("secrets file %1: malformed JSON at character %2: illegal number")
                        .arg(m_path)
                        .arg(text.indexOf(QLatin1String("oops"))));
}

void TestSecrets::aFileOfTheWrongShapeIsRefused_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("what");
    QTest::newRow("an array") << QByteArray("[]")
                              << QStringLiteral(": expected an object {\"version\": 1, \"secrets\": {...}}");
    QTest::newRow("no version") << QByteArray(R"({"secrets": {}})")
                                << QStringLiteral(": the version is missing (expected \"version\": 1)");
    QTest::newRow("a text version") << QByteArray(R"({"version": "1", "secrets": {}})")
                                    << QStringLiteral(": the version must be a number (expected \"version\": 1)");
    QTest::newRow("a later version") << QByteArray(R"({"version": 2, "secrets": {}})")
                                     << QStringLiteral(": version 2 is not supported (expected 1)");
    QTest::newRow("an unknown field") << QByteArray(R"({"version": 1, "secrets": {}, "secret": {}})")
                                      << QStringLiteral(": unknown field 'secret' (expected version and secrets)");
    QTest::newRow("secrets as an array") << QByteArray(R"({"version": 1, "secrets": ["A"]})")
                                         << QStringLiteral(": secrets must be an object of names and string values");
    QTest::newRow("a bad name") << QByteArray(R"({"version": 1, "secrets": {"my-token": "value-x"}})")
                                << QStringLiteral(": 'my-token' is not a secret name (letters, digits and _, not "
                                                  "starting with a digit, at most 64)");
    QTest::newRow("a number as a value") << QByteArray(R"({"version": 1, "secrets": {"PIN": 1234}})")
                                         << QStringLiteral(": the value of PIN is not a string");
}

void TestSecrets::aFileOfTheWrongShapeIsRefused()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, what);
    QVERIFY(writeFile(m_path, contents));
    QString error;
    QVERIFY(!Secrets::load(m_path, &error));
    QCOMPARE(error, QStringLiteral("secrets file ") + m_path + what);
    QVERIFY(!error.contains(QLatin1String("value-x")));
}

void TestSecrets::aMissingFileIsAnEmptySet()
{
    QString error;
    const auto secrets = Secrets::load(m_path, &error);
    QVERIFY2(secrets, qPrintable(error));
    QVERIFY(secrets->isEmpty());
    QCOMPARE(secrets->path(), m_path);
    QVERIFY(!QFile::exists(m_path)); // reading creates nothing
    // A file without "secrets" is empty too; the version is what matters.
    QVERIFY(writeFile(m_path, R"({"version": 1})"));
    QVERIFY2(Secrets::load(m_path, &error), qPrintable(error));
}

void TestSecrets::namesFollowTheRule_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("capitals") << QStringLiteral("API_TOKEN") << true;
    QTest::newRow("lower case and digits") << QStringLiteral("db2_pass") << true;
    QTest::newRow("an underscore alone") << QStringLiteral("_") << true;
    QTest::newRow("64 characters") << QString(64, QLatin1Char('A')) << true;
    QTest::newRow("65 characters") << QString(65, QLatin1Char('A')) << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("a leading digit") << QStringLiteral("1TOKEN") << false;
    QTest::newRow("a dash") << QStringLiteral("API-TOKEN") << false;
    QTest::newRow("a space") << QStringLiteral("API TOKEN") << false;
    QTest::newRow("a dot") << QStringLiteral("api.token") << false;
    QTest::newRow("a non-ASCII letter") << QStringLiteral(u"PASSWÖRT") << false;
}

void TestSecrets::namesFollowTheRule()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(Secrets::isValidName(name), valid);
    QString error;
    QCOMPARE(Secrets::set(m_path, name, QStringLiteral("v"), &error), valid);
    if (!valid) {
        QCOMPARE(error, QStringLiteral("'%1' is not a secret name (letters, digits and _, not starting with a digit, "
                                       "at most 64)")
                            .arg(name));
        QVERIFY(!QFile::exists(m_path));
    }
}

void TestSecrets::anEmptyValueIsRefused()
{
    QString error;
    QVERIFY(!Secrets::set(m_path, QStringLiteral("A"), QString(), &error));
    QCOMPARE(error, QStringLiteral("secret A: the value is empty"));
    QVERIFY(!QFile::exists(m_path));
}

void TestSecrets::theEnvironmentChoosesTheFileOverTheDatabaseFolder()
{
    const QString db = m_dir->filePath(QStringLiteral("data/taskdeck.db"));
    const QByteArray before = qgetenv("TASKDECK_SECRETS");
    const bool wasSet = qEnvironmentVariableIsSet("TASKDECK_SECRETS");
    qunsetenv("TASKDECK_SECRETS");
    QCOMPARE(Secrets::defaultPathFor(db), m_dir->filePath(QStringLiteral("data/secrets.json")));
    const QString elsewhere = m_dir->filePath(QStringLiteral("vault/td.json"));
    qputenv("TASKDECK_SECRETS", QFile::encodeName(elsewhere));
    QCOMPARE(Secrets::defaultPathFor(db), elsewhere);
    if (wasSet)
        qputenv("TASKDECK_SECRETS", before);
    else
        qunsetenv("TASKDECK_SECRETS");
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"

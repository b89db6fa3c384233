// The desktop app's command line: what works before (and without) a display.

#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

class TestTaskdeck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void versionAndHelpNeedNoDisplay_data();
    void versionAndHelpNeedNoDisplay();
    void withoutADisplayItSaysSoInsteadOfAborting();

private:
    QProcessEnvironment headless() const;
    QString m_program;
};

void TestTaskdeck::initTestCase()
{
    m_program = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TASKDECK"));
    QVERIFY2(!m_program.isEmpty(), "TASKDECK must name the taskdeck binary (set by ctest)");
}

QProcessEnvironment TestTaskdeck::headless() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QString::fromLatin1(name));
    return environment;
}

void TestTaskdeck::versionAndHelpNeedNoDisplay_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--version") << QStringLiteral("--version") << QStringLiteral("taskdeck " TASKDECK_VERSION "\n");
    QTest::newRow("--help") << QStringLiteral("--help") << QStringLiteral("Usage: taskdeck");
}

void TestTaskdeck::versionAndHelpNeedNoDisplay()
{
    QFETCH(QString, argument);
    QFETCH(QString, expected);
    QProcess process;
    process.setProcessEnvironment(headless());
    process.start(m_program, {argument});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(QString::fromUtf8(process.readAllStandardOutput()).startsWith(expected));
}

void TestTaskdeck::withoutADisplayItSaysSoInsteadOfAborting()
{
    QProcess process;
    process.setProcessEnvironment(headless());
    process.start(m_program, QStringList());
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(QString::fromUtf8(process.readAllStandardError()).startsWith(QStringLiteral("taskdeck: no display")));
}

QTEST_GUILESS_MAIN(TestTaskdeck)
#include "tst_taskdeck.moc"

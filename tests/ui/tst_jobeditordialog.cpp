#include "actions/actionspec.h"
#include "cronpreviewwidget.h"
#include "jobeditordialog.h"
#include "queue/retrypolicy.h"
#include "scheduler/jobstore.h"
#include "storeclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Taskdeck::Core;
using namespace Taskdeck::Ui;

namespace {

template<typename T>
T *child(const QObject &parent, const char *name)
{
    return parent.findChild<T *>(QString::fromLatin1(name));
}

// "1 s", "1.5 s", "2 min": the retry plan's way of writing a delay, for the delays these tests use.
QString seconds(qint64 ms)
{
    if (ms >= 60 * 1000 && ms % (60 * 1000) == 0)
        return QStringLiteral("%1 min").arg(ms / (60 * 1000));
    return QStringLiteral("%1 s").arg(QString::number(double(ms) / 1000.0, 'g', 4));
}

QStringList tableRows(const QTableWidget &table)
{
    QStringList rows;
    for (int row = 0; row < table.rowCount(); ++row)
        rows.append(table.item(row, 0)->text() + QStringLiteral(" | ") + table.item(row, 1)->text());
    return rows;
}

Job execJob(const QString &id)
{
    Job job;
    job.id = id;
    job.title = QStringLiteral("Nightly sync");
    job.schedule = QStringLiteral("0 3 * * *");
    job.timeZone = QStringLiteral("Europe/Berlin");
    job.task.action = ActionSpec::exec(QStringLiteral("/bin/true"), {QStringLiteral("-v")});
    return job;
}

} // namespace

class TestJobEditorDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void invalidScheduleDisablesSaveAndNamesTheMinuteField();
    void newExecJobIsSavedWithTheFieldsAsTyped();
    void editingATitleUpdatesTheStoredJob();
    void duplicatingSavesACopyUnderANewId();
    void retryPlanRowsFollowTheRetryPolicy();
    void explicitDelaysShareARowOnceTheyRepeat();
    void idInUseShowsTheStoresErrorAndKeepsTheDialogOpen();
    void missingProgramIsFoundByTheStoreNotTheGuiThread();
    void badPayloadJsonNamesTheLineAndColumn();
    void badActionJsonNamesTheLineAndColumn();
    void shellActionWarnsThatItRunsBinSh();
    void actionsTheFormsCannotSayOpenAsJson();
    void argumentsSwitchBetweenLinesAndShellSplit();
    void newJobPreviewSaysWhenItFirstFires();

private:
    // A dialog for a New job with everything valid but the id and the schedule.
    void fillNewExecJob(JobEditorDialog &dialog, const QString &id, const QString &schedule);
    bool saveAndWait(JobEditorDialog &dialog);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StoreClient> m_store;
    QString m_path;
};

void TestJobEditorDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestJobEditorDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("taskdeck.db"));
    m_store = std::make_unique<StoreClient>(m_path);
}

void TestJobEditorDialog::cleanup()
{
    m_store.reset(); // finishes its work, then closes its connections
    m_dir.reset();
}

void TestJobEditorDialog::fillNewExecJob(JobEditorDialog &dialog, const QString &id, const QString &schedule)
{
    dialog.setJob(Job(), JobEditorDialog::Mode::New);
    child<QLineEdit>(dialog, "idEdit")->setText(id);
    child<QLineEdit>(dialog, "titleEdit")->setText(QStringLiteral("Nightly sync"));
    child<QLineEdit>(dialog, "programEdit")->setText(QStringLiteral("/bin/true"));
    child<QLineEdit>(dialog, "cronExpressionEdit")->setText(schedule);
}

bool TestJobEditorDialog::saveAndWait(JobEditorDialog &dialog)
{
    QSignalSpy saved(&dialog, &JobEditorDialog::saved);
    auto *save = child<QPushButton>(dialog, "saveButton");
    if (!save || !save->isEnabled())
        return false;
    QTest::mouseClick(save, Qt::LeftButton);
    return saved.wait(10000);
}

void TestJobEditorDialog::invalidScheduleDisablesSaveAndNamesTheMinuteField()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QString());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *save = child<QPushButton>(dialog, "saveButton");
    auto *cron = child<QLineEdit>(dialog, "cronExpressionEdit");
    QVERIFY(save && cron);
    QVERIFY(!save->isEnabled());
    QVERIFY(dialog.errorText().startsWith(QLatin1String("schedule: ")));

    QTest::keyClicks(cron, QStringLiteral("61 * * * *"));
    QVERIFY(!save->isEnabled());
    QCOMPARE(dialog.errorText(), QStringLiteral("schedule: minute: 61 is out of range 0-59 (column 1)"));
    QVERIFY(child<QLabel>(dialog, "jobErrorLabel")->isVisible());

    cron->clear();
    QTest::keyClicks(cron, QStringLiteral("*/5 * * * *"));
    QVERIFY(save->isEnabled());
    QCOMPARE(dialog.errorText(), QString());
    QVERIFY(!child<QLabel>(dialog, "jobErrorLabel")->isVisible());

    // The id is checked as it is typed, too.
    child<QLineEdit>(dialog, "idEdit")->setText(QStringLiteral("Nightly Sync"));
    QVERIFY(!save->isEnabled());
    QVERIFY(dialog.errorText().startsWith(QLatin1String("id: 'Nightly Sync' is not a job id")));
}

void TestJobEditorDialog::newExecJobIsSavedWithTheFieldsAsTyped()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("*/5 * * * *"));
    QVERIFY(child<CronPreviewWidget>(dialog, "cronPreview")->setTimeZoneId("Europe/Berlin"));
    child<QPlainTextEdit>(dialog, "descriptionEdit")->setPlainText(QStringLiteral("Keeps the mirror current."));
    child<QPlainTextEdit>(dialog, "argumentsEdit")->setPlainText(QStringLiteral("-a\nwith space\n\n--verbose"));
    child<QPlainTextEdit>(dialog, "envEdit")->setPlainText(QStringLiteral("LANG=C\nOPTS=a=b"));
    child<QPlainTextEdit>(dialog, "payloadEdit")->setPlainText(QStringLiteral("{\"mirror\": \"eu\"}"));
    child<QLineEdit>(dialog, "queueEdit")->setText(QStringLiteral("sync"));
    child<QSpinBox>(dialog, "prioritySpin")->setValue(5);
    child<QSpinBox>(dialog, "timeoutSpin")->setValue(90);
    child<QSpinBox>(dialog, "maxAttemptsSpin")->setValue(3);
    auto *overlap = child<QComboBox>(dialog, "overlapCombo");
    overlap->setCurrentIndex(overlap->findData(QStringLiteral("queue-one")));
    auto *misfire = child<QComboBox>(dialog, "misfireCombo");
    misfire->setCurrentIndex(misfire->findData(QStringLiteral("all")));
    child<QSpinBox>(dialog, "misfireMaxSpin")->setValue(4);
    child<QSpinBox>(dialog, "jitterSpin")->setValue(30);
    child<QCheckBox>(dialog, "notifySuccessCheck")->setChecked(true);
    QCOMPARE(dialog.errorText(), QString());

    const Job typed = dialog.job();
    QCOMPARE(typed.timeZone, QStringLiteral("Europe/Berlin"));
    QCOMPARE(typed.task.action.value(QStringLiteral("args")).toArray(),
             (QJsonArray{QStringLiteral("-a"), QStringLiteral("with space"), QStringLiteral("--verbose")}));
    QCOMPARE(
        typed.task.action.value(QStringLiteral("env")).toObject(),
        (QJsonObject{{QStringLiteral("LANG"), QStringLiteral("C")}, {QStringLiteral("OPTS"), QStringLiteral("a=b")}}));

    dialog.show();
    QVERIFY(saveAndWait(dialog));
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(!dialog.isVisible());

    JobStore store(m_path);
    QString why;
    const auto stored = store.find(QStringLiteral("nightly"), &why);
    QVERIFY2(stored, qPrintable(why));
    QCOMPARE(stored->job.toJson(), typed.toJson());
    QCOMPARE(stored->job.title, QStringLiteral("Nightly sync"));
    QCOMPARE(stored->job.description, QStringLiteral("Keeps the mirror current."));
    QCOMPARE(stored->job.schedule, QStringLiteral("*/5 * * * *"));
    QCOMPARE(stored->job.task.action.value(QStringLiteral("program")).toString(), QStringLiteral("/bin/true"));
    QCOMPARE(stored->job.task.payload.toObject().value(QStringLiteral("mirror")).toString(), QStringLiteral("eu"));
    QCOMPARE(stored->job.task.queue, QStringLiteral("sync"));
    QCOMPARE(stored->job.task.priority, 5);
    QCOMPARE(stored->job.task.timeoutMs, 90000);
    QCOMPARE(stored->job.task.retry.maxAttempts, 3);
    QCOMPARE(stored->job.overlap, OverlapPolicy::QueueOne);
    QCOMPARE(stored->job.misfire, MisfirePolicy::All);
    QCOMPARE(stored->job.misfireMax, 4);
    QCOMPARE(stored->job.jitterSeconds, 30);
    QCOMPARE(stored->job.notify, (QStringList{QStringLiteral("failure"), QStringLiteral("dead_letter"),
                                              QStringLiteral("misfire"), QStringLiteral("success")}));
}

void TestJobEditorDialog::editingATitleUpdatesTheStoredJob()
{
    QString why;
    {
        JobStore store(m_path);
        QVERIFY2(store.add(execJob(QStringLiteral("nightly")), &why), qPrintable(why));
    }
    JobStore store(m_path);
    const auto before = store.find(QStringLiteral("nightly"), &why);
    QVERIFY2(before, qPrintable(why));

    JobEditorDialog dialog(m_store.get());
    dialog.setJob(before->job, JobEditorDialog::Mode::Edit);
    QCOMPARE(dialog.job().toJson(), before->job.toJson()); // loading and reading back change nothing
    QVERIFY(child<QLineEdit>(dialog, "idEdit")->isReadOnly());
    // Once the store has said when it last fired (never), the catch-up preview says so.
    QTRY_VERIFY(child<QLabel>(dialog, "catchUpLabel")->text().startsWith(QLatin1String("No fire handled yet")));

    child<QLineEdit>(dialog, "titleEdit")->setText(QStringLiteral("Nightly sync (EU)"));
    dialog.show();
    QSignalSpy saved(&dialog, &JobEditorDialog::saved);
    QVERIFY(saveAndWait(dialog));
    QCOMPARE(saved.count(), 1);
    QCOMPARE(saved.first().first().toString(), QStringLiteral("nightly"));

    const auto after = store.find(QStringLiteral("nightly"), &why);
    QVERIFY2(after, qPrintable(why));
    QCOMPARE(after->job.title, QStringLiteral("Nightly sync (EU)"));
    QCOMPARE(after->revision, before->revision + 1);
    Job expected = before->job;
    expected.title = QStringLiteral("Nightly sync (EU)");
    QCOMPARE(after->job.toJson(), expected.toJson());
}

void TestJobEditorDialog::duplicatingSavesACopyUnderANewId()
{
    QString why;
    JobStore store(m_path);
    QVERIFY2(store.add(execJob(QStringLiteral("nightly")), &why), qPrintable(why));
    const auto original = store.find(QStringLiteral("nightly"), &why);
    QVERIFY2(original, qPrintable(why));

    JobEditorDialog dialog(m_store.get());
    dialog.setJob(original->job, JobEditorDialog::Mode::Duplicate);
    QCOMPARE(child<QLineEdit>(dialog, "idEdit")->text(), QStringLiteral("nightly-copy"));
    QVERIFY(!child<QLineEdit>(dialog, "idEdit")->isReadOnly());
    QCOMPARE(child<QLineEdit>(dialog, "titleEdit")->text(), QStringLiteral("Nightly sync (copy)"));
    QVERIFY(child<QLabel>(dialog, "catchUpLabel")->text().contains(QLatin1String("First fire: ")));
    dialog.show();
    QVERIFY(saveAndWait(dialog));

    const auto copy = store.find(QStringLiteral("nightly-copy"), &why);
    QVERIFY2(copy, qPrintable(why));
    QCOMPARE(copy->job.title, QStringLiteral("Nightly sync (copy)"));
    QCOMPARE(copy->job.schedule, original->job.schedule);
    QCOMPARE(copy->job.timeZone, original->job.timeZone);
    QCOMPARE(copy->job.task.action, original->job.task.action);
    QVERIFY(store.find(QStringLiteral("nightly"), &why)); // the original stays
}

void TestJobEditorDialog::retryPlanRowsFollowTheRetryPolicy()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("0 3 * * *"));
    auto *table = child<QTableWidget>(dialog, "retryPlanTable");
    QVERIFY(table);
    child<QSpinBox>(dialog, "maxAttemptsSpin")->setValue(4);

    const RetryPolicy policy = dialog.job().task.retry;
    QCOMPARE(policy.maxAttempts, 4);
    QStringList expected{QStringLiteral("1 | when due")};
    for (int attempt = 2; attempt <= 4; ++attempt)
        expected.append(
            QStringLiteral("%1 | after 0 s\u2013%2").arg(attempt).arg(seconds(policy.delayCeilingMs(attempt - 1))));
    QCOMPARE(tableRows(*table), expected);
    QCOMPARE(expected.at(3), QStringLiteral("4 | after 0 s\u20134 s")); // 1 s doubling: 1, 2, 4

    // It follows every change: without jitter the wait is the ceiling itself.
    child<QCheckBox>(dialog, "retryJitterCheck")->setChecked(false);
    child<QDoubleSpinBox>(dialog, "backoffBaseSpin")->setValue(1.5);
    QCOMPARE(tableRows(*table), (QStringList{QStringLiteral("1 | when due"), QStringLiteral("2 | after 1.5 s"),
                                             QStringLiteral("3 | after 3 s"), QStringLiteral("4 | after 6 s")}));
    child<QSpinBox>(dialog, "maxAttemptsSpin")->setValue(1);
    QCOMPARE(tableRows(*table), QStringList{QStringLiteral("1 | when due")});
}

void TestJobEditorDialog::explicitDelaysShareARowOnceTheyRepeat()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("0 3 * * *"));
    child<QSpinBox>(dialog, "maxAttemptsSpin")->setValue(5);
    child<QRadioButton>(dialog, "delaysRadio")->setChecked(true);
    QVERIFY(dialog.errorText().startsWith(QLatin1String("retry: delays: ")));
    child<QLineEdit>(dialog, "delaysEdit")->setText(QStringLiteral("10s, 1min"));
    QCOMPARE(dialog.errorText(), QString());
    QCOMPARE(dialog.job().task.retry.explicitDelaysMs, (QList<qint64>{10000, 60000}));
    QCOMPARE(tableRows(*child<QTableWidget>(dialog, "retryPlanTable")),
             (QStringList{QStringLiteral("1 | when due"), QStringLiteral("2 | after 0 s\u201310 s"),
                          QStringLiteral("3\u20135 | after 0 s\u20131 min")}));
    child<QLineEdit>(dialog, "delaysEdit")->setText(QStringLiteral("10s, soon"));
    QCOMPARE(dialog.errorText(),
             QStringLiteral("retry: delays: 'soon' is not a delay such as 30s, 5min or 1h (at most a year)"));
    QVERIFY(!child<QPushButton>(dialog, "saveButton")->isEnabled());
}

void TestJobEditorDialog::idInUseShowsTheStoresErrorAndKeepsTheDialogOpen()
{
    QString why;
    {
        JobStore store(m_path);
        QVERIFY2(store.add(execJob(QStringLiteral("taken")), &why), qPrintable(why));
    }
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("taken"), QStringLiteral("*/5 * * * *"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy saved(&dialog, &JobEditorDialog::saved);
    auto *save = child<QPushButton>(dialog, "saveButton");
    QVERIFY(save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    QVERIFY(!save->isEnabled()); // while the store works
    QTRY_COMPARE(dialog.errorText(), QStringLiteral("job 'taken' exists"));
    QVERIFY(child<QLabel>(dialog, "jobErrorLabel")->isVisible());
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QCOMPARE(saved.count(), 0);
    QVERIFY(save->isEnabled());

    // A new id clears the store's error and saves.
    child<QLineEdit>(dialog, "idEdit")->setText(QStringLiteral("taken-2"));
    QCOMPARE(dialog.errorText(), QString());
    QVERIFY(saveAndWait(dialog));
}

void TestJobEditorDialog::missingProgramIsFoundByTheStoreNotTheGuiThread()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("*/5 * * * *"));
    child<QLineEdit>(dialog, "programEdit")->setText(QStringLiteral("/nonexistent/taskdeck-tool"));
    auto *save = child<QPushButton>(dialog, "saveButton");
    QVERIFY(save->isEnabled()); // the GUI thread does not look at the disk
    dialog.show();
    QTest::mouseClick(save, Qt::LeftButton);
    QTRY_COMPARE(dialog.errorText(), QStringLiteral("action: exec: no program at '/nonexistent/taskdeck-tool'"));
    QVERIFY(dialog.isVisible());
    child<QLineEdit>(dialog, "programEdit")->setText(QString());
    QCOMPARE(dialog.errorText(), QStringLiteral("action: exec: the program is missing"));
    QVERIFY(!save->isEnabled());
}

void TestJobEditorDialog::badPayloadJsonNamesTheLineAndColumn()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("*/5 * * * *"));
    auto *payload = child<QPlainTextEdit>(dialog, "payloadEdit");
    payload->setPlainText(QStringLiteral("{\n  \"mirror\": \"eu\"\n  \"depth\": 2\n}"));
    QCOMPARE(dialog.errorText(), QStringLiteral("payload: line 3, column 3: unterminated object"));
    QVERIFY(!child<QPushButton>(dialog, "saveButton")->isEnabled());
    payload->setPlainText(QStringLiteral("{\"mirror\": \"eu\""));
    QVERIFY2(dialog.errorText().startsWith(QLatin1String("payload: line 1, column ")), qPrintable(dialog.errorText()));
    // Any JSON value will do, not only objects.
    payload->setPlainText(QStringLiteral("42"));
    QCOMPARE(dialog.errorText(), QString());
    QCOMPARE(dialog.job().task.payload, QJsonValue(42));
}

void TestJobEditorDialog::badActionJsonNamesTheLineAndColumn()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("*/5 * * * *"));
    auto *type = child<QComboBox>(dialog, "actionTypeCombo");
    type->setCurrentIndex(type->findData(QStringLiteral("json")));
    auto *json = child<QPlainTextEdit>(dialog, "actionJsonEdit");
    // What the exec page said is carried over.
    QVERIFY(json->toPlainText().contains(QLatin1String("\"program\": \"/bin/true\"")));
    json->setPlainText(QStringLiteral("{\"type\": \"vacuum\",}"));
    QVERIFY2(dialog.errorText().startsWith(QLatin1String("action: line 1, column ")), qPrintable(dialog.errorText()));
    json->setPlainText(QStringLiteral("{\"type\": \"vacuum\"}"));
    QCOMPARE(dialog.errorText(), QString());
    QCOMPARE(dialog.job().task.action, (QJsonObject{{QStringLiteral("type"), QStringLiteral("vacuum")}}));
    json->setPlainText(QStringLiteral("{\"type\": \"teleport\"}"));
    QVERIFY2(dialog.errorText().startsWith(QLatin1String("action: unknown type 'teleport'")),
             qPrintable(dialog.errorText()));
}

void TestJobEditorDialog::shellActionWarnsThatItRunsBinSh()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("*/5 * * * *"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *type = child<QComboBox>(dialog, "actionTypeCombo");
    type->setCurrentIndex(type->findData(QStringLiteral("shell")));
    auto *warning = child<QLabel>(dialog, "shellWarningLabel");
    QVERIFY(warning->text().contains(QLatin1String("/bin/sh")));
    QCOMPARE(dialog.errorText(), QStringLiteral("action: shell: the command is empty"));
    child<QPlainTextEdit>(dialog, "shellCommandEdit")->setPlainText(QStringLiteral("echo $HOME | wc -c"));
    QCOMPARE(dialog.errorText(), QString());
    QCOMPARE(dialog.job().task.action, ActionSpec::shell(QStringLiteral("echo $HOME | wc -c")));
}

void TestJobEditorDialog::actionsTheFormsCannotSayOpenAsJson()
{
    JobEditorDialog dialog(m_store.get());
    Job job = execJob(QStringLiteral("hook"));
    job.task.action = ActionSpec::http(QStringLiteral("https://example.org/hook"), QStringLiteral("POST"));
    job.task.action.insert(QStringLiteral("headers"),
                           QJsonObject{{QStringLiteral("X-Source"), QStringLiteral("taskdeck")}});
    job.task.action.insert(QStringLiteral("accept"), QJsonArray{200, 204});
    dialog.setJob(job, JobEditorDialog::Mode::Edit);
    auto *type = child<QComboBox>(dialog, "actionTypeCombo");
    QCOMPARE(type->currentData().toString(), QStringLiteral("http"));
    QCOMPARE(child<QPlainTextEdit>(dialog, "httpHeadersEdit")->toPlainText(), QStringLiteral("X-Source: taskdeck"));
    QCOMPARE(child<QLineEdit>(dialog, "httpAcceptEdit")->text(), QStringLiteral("200, 204"));
    QCOMPARE(dialog.job().task.action, job.task.action);

    // A field the form has no place for: the JSON editor keeps it.
    job.task.action = ActionSpec::exec(QStringLiteral("/bin/true"), {});
    job.task.action.insert(QStringLiteral("stdin"), QStringLiteral("{{payload.text}}"));
    dialog.setJob(job, JobEditorDialog::Mode::Edit);
    QCOMPARE(type->currentData().toString(), QStringLiteral("json"));
    QCOMPARE(dialog.job().task.action, job.task.action);
}

void TestJobEditorDialog::argumentsSwitchBetweenLinesAndShellSplit()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("*/5 * * * *"));
    auto *arguments = child<QPlainTextEdit>(dialog, "argumentsEdit");
    QVERIFY(!arguments->toolTip().isEmpty());
    arguments->setPlainText(QStringLiteral("-a\nwith space\nsay \"hi\""));
    const QJsonArray expected{QStringLiteral("-a"), QStringLiteral("with space"), QStringLiteral("say \"hi\"")};
    QCOMPARE(dialog.job().task.action.value(QStringLiteral("args")).toArray(), expected);
    child<QCheckBox>(dialog, "shellSplitCheck")->setChecked(true);
    QCOMPARE(arguments->toPlainText(), QStringLiteral("-a \"with space\" \"say \"\"\"hi\"\"\"\""));
    QCOMPARE(dialog.job().task.action.value(QStringLiteral("args")).toArray(), expected);
    arguments->setPlainText(QStringLiteral("-v \"two words\" three"));
    QCOMPARE(dialog.job().task.action.value(QStringLiteral("args")).toArray(),
             (QJsonArray{QStringLiteral("-v"), QStringLiteral("two words"), QStringLiteral("three")}));
    child<QCheckBox>(dialog, "shellSplitCheck")->setChecked(false);
    QCOMPARE(arguments->toPlainText(), QStringLiteral("-v\ntwo words\nthree"));
}

void TestJobEditorDialog::newJobPreviewSaysWhenItFirstFires()
{
    JobEditorDialog dialog(m_store.get());
    fillNewExecJob(dialog, QStringLiteral("nightly"), QStringLiteral("0 3 * * *"));
    QVERIFY(child<CronPreviewWidget>(dialog, "cronPreview")->setTimeZoneId("UTC"));
    const QString text = child<QLabel>(dialog, "catchUpLabel")->text();
    QVERIFY2(text.contains(QLatin1String("First fire: ")) && text.contains(QLatin1String(" 03:00:00 +00:00")),
             qPrintable(text));
    child<QRadioButton>(dialog, "manualRadio")->setChecked(true);
    QCOMPARE(dialog.errorText(), QString());
    QCOMPARE(dialog.job().schedule, QString());
    QVERIFY(child<QLabel>(dialog, "catchUpLabel")->text().startsWith(QLatin1String("Manual only")));
}

QTEST_MAIN(TestJobEditorDialog)
#include "tst_jobeditordialog.moc"

// The History tab on real SQLite files whose attempts a real Runtime ran: in-process handlers that
// succeed or fail, a shell command with output and an exit code, and a thousand no-ops to page
// through. Reads go through a real StoreClient thread.

#include "actions/actionspec.h"
#include "actions/handlerregistry.h"
#include "clock.h"
#include "historymodel.h"
#include "historyview.h"
#include "queue/taskstore.h"
#include "runtime.h"
#include "scheduler/jobstore.h"
#include "storeclient.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSemaphore>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <atomic>
#include <memory>

using namespace Taskdeck::Core;
using namespace Taskdeck::Ui;

namespace {

constexpr qint64 TwoDaysMs = 2LL * 24 * 3600 * 1000;

// The system clock, or as it was some time ago: lets one task run "two days ago".
class ShiftedClock final : public Clock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc().addMSecs(-m_shiftMs.load()); }
    void setShift(qint64 ms) { m_shiftMs.store(ms); }

private:
    std::atomic<qint64> m_shiftMs{0};
};

TaskSpec handlerTask(const QString &handler, const QString &job = QString(), int maxAttempts = 1)
{
    TaskSpec spec;
    spec.action = ActionSpec::handler(handler);
    spec.job = job;
    spec.retry.maxAttempts = maxAttempts;
    spec.retry.explicitDelaysMs = {20};
    spec.retry.jitter = false;
    return spec;
}

std::unique_ptr<Runtime> openRuntime(const QString &path, const Clock *clock)
{
    Runtime::Options options;
    options.engine.workers = 2;
    options.engine.randomSeed = 5;
    options.engine.pollIntervalMs = 50;
    options.runScheduler = false;
    options.watchFolders = false;
    auto runtime = std::make_unique<Runtime>(path, options, clock);
    QString error;
    if (!runtime->open(&error)) {
        qWarning("open: %s", qPrintable(error));
        return nullptr;
    }
    return runtime;
}

bool settled(const HistoryModel *model)
{
    return model->hasLoaded() && !model->isLoading();
}

QList<qint64> taskIdsOf(const HistoryModel *model)
{
    QList<qint64> ids;
    for (int row = 0; row < model->rowCount(); ++row)
        ids.append(model->rowAt(row).taskId);
    return ids;
}

QSet<qint64> taskSetOf(const HistoryModel *model)
{
    const QList<qint64> ids = taskIdsOf(model);
    return QSet<qint64>(ids.cbegin(), ids.cend());
}

} // namespace

class TestHistoryView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void theListOpensWithTheNewestAttemptFirst();
    void pagesAreAppendedInOrderWithoutDuplicatesOrGaps();
    void theOutcomeFilterShowsOnlyFailures();
    void theTimeRangeLeavesOutOlderAttempts();
    void theJobFilterShowsOnlyThatJobsAttempts();
    void searchingFindsAnErrorAfterTypingPauses();
    void selectingARowFillsTheDetailsWithOutputAndError();
    void showTaskShowsOnlyThatTaskAndSelectsItsNewestAttempt();
    void theEmptyStateSaysWhetherAnythingRan();
    void aFailedReadShowsAnInlineError();
    void columnStateIsSavedAndRestored();
    void refreshPutsNewAttemptsOnTopKeepsTheSelectionAndUpdatesRunningOnes();

private:
    std::unique_ptr<HistoryView> openView(StoreClient *store);
    HistoryModel *model(HistoryView &view) { return view.model(); }

    QTemporaryDir m_dir;
    QString m_path;
    ShiftedClock m_clock;
    std::unique_ptr<Runtime> m_runtime;
    std::unique_ptr<StoreClient> m_store;
    QSemaphore m_release;
    // The tasks of the small database.
    qint64 m_oldTask = 0;     // backup, succeeded, two days ago
    qint64 m_okTask = 0;      // backup, succeeded
    qint64 m_failingTask = 0; // backup, failed twice, dead
    qint64 m_shellTask = 0;   // no job, printed and exited 3
    qint64 m_plainTask = 0;   // no job, succeeded
};

void TestHistoryView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("history.db"));

    Job backup;
    backup.id = QStringLiteral("backup");
    backup.title = QStringLiteral("Nightly backup");
    backup.task.action = ActionSpec::handler(QStringLiteral("ok"));
    QString error;
    QVERIFY2(JobStore(m_path).add(backup, &error), qPrintable(error));

    m_runtime = openRuntime(m_path, &m_clock);
    QVERIFY(m_runtime);
    HandlerRegistry *handlers = m_runtime->handlers();
    handlers->add(QStringLiteral("ok"), [](TaskContext &) { return QString(); });
    handlers->add(QStringLiteral("fail"),
                  [](TaskContext &) { return QStringLiteral("disk full on /srv/backup\nwhile writing chunk 7"); });
    handlers->add(QStringLiteral("wait"), [this](TaskContext &context) {
        while (!m_release.tryAcquire(1, 20)) {
            if (context.isCancelled())
                return QStringLiteral("cancelled");
        }
        return QString();
    });
    TaskEngine *engine = m_runtime->engine();
    QSignalSpy succeeded(engine, &TaskEngine::taskSucceeded);
    QSignalSpy dead(engine, &TaskEngine::taskDeadLettered);
    QVERIFY2(m_runtime->start(&error), qPrintable(error));

    TaskStore tasks(m_path, &m_clock); // due by the engine's clock
    const auto enqueue = [&](const TaskSpec &spec) {
        QString why;
        const auto id = tasks.enqueue(spec, &why);
        if (!id)
            qWarning("enqueue: %s", qPrintable(why));
        return id.value_or(0);
    };
    // One attempt two days old, then the others now.
    m_clock.setShift(TwoDaysMs);
    m_oldTask = enqueue(handlerTask(QStringLiteral("ok"), QStringLiteral("backup")));
    QVERIFY(m_oldTask > 0);
    QTRY_COMPARE_WITH_TIMEOUT(succeeded.size(), 1, 15000);
    m_clock.setShift(0);
    m_okTask = enqueue(handlerTask(QStringLiteral("ok"), QStringLiteral("backup")));
    m_failingTask = enqueue(handlerTask(QStringLiteral("fail"), QStringLiteral("backup"), 2));
    TaskSpec shell;
    shell.action = ActionSpec::shell(QStringLiteral("echo hello-from-shell; echo second line; exit 3"));
    shell.retry.maxAttempts = 1;
    m_shellTask = enqueue(shell);
    m_plainTask = enqueue(handlerTask(QStringLiteral("ok")));
    QVERIFY(m_okTask > 0 && m_failingTask > 0 && m_shellTask > 0 && m_plainTask > 0);
    QTRY_COMPARE_WITH_TIMEOUT(succeeded.size(), 3, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(dead.size(), 2, 15000);

    m_store = std::make_unique<StoreClient>(m_path);
}

void TestHistoryView::cleanupTestCase()
{
    m_release.release(100);
    m_store.reset();
    m_runtime.reset();
}

std::unique_ptr<HistoryView> TestHistoryView::openView(StoreClient *store)
{
    auto view = std::make_unique<HistoryView>(store);
    view->resize(1000, 700);
    view->show();
    if (!QTest::qWaitForWindowExposed(view.get()))
        qWarning("the view was not exposed");
    return view;
}

void TestHistoryView::theListOpensWithTheNewestAttemptFirst()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 6);
    QVERIFY(!history->canFetchMore(QModelIndex())); // a short page is the end
    for (int row = 1; row < history->rowCount(); ++row)
        QVERIFY(history->rowAt(row - 1).attemptId > history->rowAt(row).attemptId);
    QCOMPARE(history->rowAt(history->rowCount() - 1).taskId, m_oldTask);

    const int shellRow = int(taskIdsOf(history).indexOf(m_shellTask));
    QVERIFY(shellRow >= 0);
    const auto text = [&](int column) { return history->index(shellRow, column).data().toString(); };
    QCOMPARE(text(HistoryModel::TaskColumn), QString::number(m_shellTask));
    QCOMPARE(text(HistoryModel::AttemptColumn), QStringLiteral("1"));
    QCOMPARE(text(HistoryModel::OutcomeColumn), QStringLiteral("failed"));
    QCOMPARE(text(HistoryModel::ExitCodeColumn), QStringLiteral("3"));
    QCOMPARE(text(HistoryModel::ErrorColumn), QStringLiteral("exited with code 3: second line"));
    QVERIFY(text(HistoryModel::ActionColumn).contains(QStringLiteral("hello-from-shell")));
    QVERIFY(!text(HistoryModel::DurationColumn).isEmpty());
    QVERIFY(history->index(shellRow, HistoryModel::OutcomeColumn).data(Qt::ForegroundRole).value<QColor>().isValid());
    QVERIFY(!history->index(shellRow, HistoryModel::OutcomeColumn).data(Qt::DecorationRole).value<QIcon>().isNull());

    const int failingRow = int(taskIdsOf(history).indexOf(m_failingTask));
    QCOMPARE(history->index(failingRow, HistoryModel::ErrorColumn).data().toString(),
             QStringLiteral("disk full on /srv/backup"));
    QCOMPARE(history->index(failingRow, HistoryModel::JobColumn).data().toString(), QStringLiteral("backup"));
    QCOMPARE(history->index(failingRow, HistoryModel::AttemptColumn).data().toInt(), 2); // the newer one first

    auto *empty = view->findChild<QLabel *>(QStringLiteral("historyEmptyLabel"));
    QVERIFY(empty);
    QVERIFY(!empty->isVisible());
}

void TestHistoryView::pagesAreAppendedInOrderWithoutDuplicatesOrGaps()
{
    constexpr int TaskCount = 1000;
    const QString path = m_dir.filePath(QStringLiteral("paging.db"));
    {
        auto runtime = openRuntime(path, nullptr);
        QVERIFY(runtime);
        QSignalSpy succeeded(runtime->engine(), &TaskEngine::taskSucceeded);
        QString error;
        QVERIFY2(runtime->start(&error), qPrintable(error));
        for (int i = 0; i < TaskCount; ++i)
            QVERIFY2(runtime->engine()->enqueue(handlerTask(QStringLiteral("noop")), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(succeeded.size(), TaskCount, 120000);
        QTRY_VERIFY(runtime->engine()->isIdle());
    }

    StoreClient store(path);
    HistoryModel history(&store);
    QVERIFY(history.canFetchMore(QModelIndex())); // nothing read yet
    QCOMPARE(history.rowCount(), 0);
    QSignalSpy firstPage(&history, &HistoryModel::firstPageLoaded);
    QSignalSpy inserted(&history, &HistoryModel::rowsInserted);
    history.setFilter(HistoryFilter());
    QVERIFY(history.isLoading());
    QVERIFY(firstPage.wait(10000));
    QCOMPARE(history.rowCount(), HistoryModel::DefaultPageSize);
    QVERIFY(history.canFetchMore(QModelIndex()));

    QSet<qint64> attempts;
    QSet<qint64> tasks;
    const auto check = [&](int from) {
        for (int row = from; row < history.rowCount(); ++row) {
            const HistoryRow attempt = history.rowAt(row);
            if (row > 0 && history.rowAt(row - 1).attemptId <= attempt.attemptId)
                return false;
            attempts.insert(attempt.attemptId);
            tasks.insert(attempt.taskId);
        }
        return true;
    };
    QVERIFY(check(0));
    int pages = 1;
    QSignalSpy loaded(&history, &HistoryModel::pageLoaded);
    while (history.canFetchMore(QModelIndex())) {
        const int before = history.rowCount();
        history.fetchMore(QModelIndex());
        history.fetchMore(QModelIndex()); // one read in flight at a time: this one does nothing
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.size(), 1);
        loaded.clear();
        QVERIFY(history.rowCount() <= before + HistoryModel::DefaultPageSize);
        if (history.rowCount() > before) {
            // Appended below what was there: one insert of the new rows at the end.
            QCOMPARE(inserted.constLast().at(1).toInt(), before);
            QCOMPARE(inserted.constLast().at(2).toInt(), history.rowCount() - 1);
        }
        QVERIFY(check(before));
        ++pages;
        QVERIFY(pages <= TaskCount / HistoryModel::DefaultPageSize + 2);
    }
    QCOMPARE(history.rowCount(), TaskCount);
    QCOMPARE(attempts.size(), TaskCount); // no duplicates
    QCOMPARE(tasks.size(), TaskCount);    // no gaps: every task's attempt is there
    QCOMPARE(firstPage.size(), 1);

    // A smaller page from the start again, through the view.
    auto view = openView(&store);
    QTRY_VERIFY(settled(view->model()));
    QVERIFY(view->model()->rowCount() >= HistoryModel::DefaultPageSize);
    QVERIFY(view->model()->rowCount() < TaskCount); // the view reads only as far as it shows
    QCOMPARE(view->model()->rowAt(0).attemptId, history.rowAt(0).attemptId);
}

void TestHistoryView::theOutcomeFilterShowsOnlyFailures()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    QTRY_VERIFY(settled(history));
    auto *outcome = view->findChild<QComboBox *>(QStringLiteral("historyOutcomeCombo"));
    QVERIFY(outcome);
    QVERIFY(!outcome->accessibleName().isEmpty());
    outcome->setCurrentIndex(outcome->findData(QStringLiteral("failed")));
    QCOMPARE(history->filter().outcomes, QStringList{QStringLiteral("failed")});
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 3);
    for (int row = 0; row < history->rowCount(); ++row)
        QCOMPARE(history->index(row, 0).data(HistoryModel::OutcomeRole).toString(), QStringLiteral("failed"));
    QCOMPARE(taskSetOf(history), (QSet<qint64>{m_failingTask, m_shellTask}));

    outcome->setCurrentIndex(outcome->findData(QStringLiteral("succeeded")));
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 3);
    outcome->setCurrentIndex(outcome->findData(QStringLiteral("running")));
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 0);
}

void TestHistoryView::theTimeRangeLeavesOutOlderAttempts()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    QTRY_VERIFY(settled(history));
    auto *range = view->findChild<QComboBox *>(QStringLiteral("historyRangeCombo"));
    QVERIFY(range);
    QCOMPARE(range->currentData().toLongLong(), 0); // all time by default
    range->setCurrentIndex(range->findData(qint64(24 * 3600)));
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 5);
    QVERIFY(!taskIdsOf(history).contains(m_oldTask));
    range->setCurrentIndex(range->findData(qint64(7 * 24 * 3600)));
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 6);
}

void TestHistoryView::theJobFilterShowsOnlyThatJobsAttempts()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    auto *jobs = view->findChild<QComboBox *>(QStringLiteral("historyJobCombo"));
    QVERIFY(jobs);
    QTRY_VERIFY(jobs->findData(QStringLiteral("backup")) >= 0); // read from the job store
    QCOMPARE(jobs->itemText(0), QStringLiteral("All jobs"));
    QCOMPARE(jobs->itemText(1), QStringLiteral("No job"));

    view->setJobFilter(QStringLiteral("backup"));
    QCOMPARE(jobs->currentData().toString(), QStringLiteral("backup"));
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 4);
    for (int row = 0; row < history->rowCount(); ++row)
        QCOMPARE(history->rowAt(row).job, QStringLiteral("backup"));

    jobs->setCurrentIndex(1); // no job
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->filter().job, QStringLiteral("-"));
    QCOMPARE(taskSetOf(history), (QSet<qint64>{m_shellTask, m_plainTask}));

    view->setJobFilter(QString());
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 6);
}

void TestHistoryView::searchingFindsAnErrorAfterTypingPauses()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    QTRY_VERIFY(settled(history));
    auto *search = view->findChild<QLineEdit *>(QStringLiteral("historySearchEdit"));
    QVERIFY(search);
    QVERIFY(!search->placeholderText().isEmpty());
    view->focusSearch();
    QTRY_VERIFY(search->hasFocus());
    QSignalSpy firstPage(history, &HistoryModel::firstPageLoaded);
    QTest::keyClicks(search, QStringLiteral("DISK FULL"));
    QCOMPARE(history->filter().text, QString()); // not yet: typing goes on
    QVERIFY(firstPage.wait(5000));
    QCOMPARE(firstPage.size(), 1); // one search for the whole word, not one per key
    QCOMPARE(history->filter().text, QStringLiteral("DISK FULL"));
    QCOMPARE(history->rowCount(), 2);
    for (int row = 0; row < history->rowCount(); ++row) {
        QCOMPARE(history->rowAt(row).taskId, m_failingTask);
        QVERIFY(history->rowAt(row).error.contains(QStringLiteral("disk full")));
    }

    // The output is searched too.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("hello-from"));
    QTest::keyClick(search, Qt::Key_Return); // at once
    QCOMPARE(history->filter().text, QStringLiteral("hello-from"));
    QTRY_VERIFY(settled(history));
    QCOMPARE(taskIdsOf(history), QList<qint64>{m_shellTask});
}

void TestHistoryView::selectingARowFillsTheDetailsWithOutputAndError()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    QTRY_VERIFY(settled(history));
    auto *table = view->findChild<QTableView *>(QStringLiteral("historyTable"));
    auto *output = view->findChild<QPlainTextEdit *>(QStringLiteral("historyOutputEdit"));
    auto *error = view->findChild<QLabel *>(QStringLiteral("historyDetailError"));
    auto *exitCode = view->findChild<QLabel *>(QStringLiteral("historyDetailExitCode"));
    auto *task = view->findChild<QLabel *>(QStringLiteral("historyDetailTask"));
    auto *outcome = view->findChild<QLabel *>(QStringLiteral("historyDetailOutcome"));
    auto *job = view->findChild<QLabel *>(QStringLiteral("historyDetailJob"));
    QVERIFY(table && output && error && exitCode && task && outcome && job);
    QVERIFY(output->isReadOnly());
    QCOMPARE(view->currentAttemptId(), 0);

    QSignalSpy changed(view.get(), &HistoryView::currentAttemptChanged);
    const int shellRow = int(taskIdsOf(history).indexOf(m_shellTask));
    table->selectRow(shellRow);
    QCOMPARE(view->currentAttemptId(), history->rowAt(shellRow).attemptId);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(task->text(), QString::number(m_shellTask));
    QCOMPARE(outcome->text(), QStringLiteral("failed"));
    QCOMPARE(exitCode->text(), QStringLiteral("3"));
    QCOMPARE(error->text(), QStringLiteral("exited with code 3: second line"));
    QCOMPARE(job->text(), QStringLiteral("No job"));
    QTRY_VERIFY(output->toPlainText().contains(QStringLiteral("hello-from-shell")));
    QVERIFY(output->toPlainText().contains(QStringLiteral("second line")));

    const int failingRow = int(taskIdsOf(history).indexOf(m_failingTask));
    table->selectRow(failingRow);
    QTRY_COMPARE(error->text(), QStringLiteral("disk full on /srv/backup\nwhile writing chunk 7"));
    QCOMPARE(job->text(), QStringLiteral("backup"));
    QCOMPARE(exitCode->text(), QStringLiteral("none"));
    QTRY_VERIFY(!output->toPlainText().contains(QStringLiteral("hello-from-shell")));
    QTRY_VERIFY(!output->placeholderText().isEmpty());
}

void TestHistoryView::showTaskShowsOnlyThatTaskAndSelectsItsNewestAttempt()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    QTRY_VERIFY(settled(history));
    // Other filters that would hide the task's attempts are cleared.
    auto *outcome = view->findChild<QComboBox *>(QStringLiteral("historyOutcomeCombo"));
    outcome->setCurrentIndex(outcome->findData(QStringLiteral("succeeded")));
    QTRY_VERIFY(settled(history));

    view->showTask(m_failingTask);
    QCOMPARE(history->filter().taskId, m_failingTask);
    QVERIFY(history->filter().outcomes.isEmpty());
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 2);
    QCOMPARE(taskIdsOf(history), (QList<qint64>{m_failingTask, m_failingTask}));
    QTRY_COMPARE(view->currentAttemptId(), history->rowAt(0).attemptId);
    const qint64 newest = view->currentAttemptId();
    QCOMPARE(history->rowAt(0).number, 2);
    auto *attempt = view->findChild<QLabel *>(QStringLiteral("historyDetailAttempt"));
    QCOMPARE(attempt->text(), QStringLiteral("2"));

    auto *clearTask = view->findChild<QToolButton *>(QStringLiteral("historyTaskFilterButton"));
    QVERIFY(clearTask && clearTask->isVisible());
    QVERIFY(clearTask->text().contains(QString::number(m_failingTask)));
    clearTask->click();
    QVERIFY(!clearTask->isVisible());
    QTRY_VERIFY(settled(history));
    QCOMPARE(history->rowCount(), 6);
    // The selection stays on the attempt it was on.
    QCOMPARE(view->currentAttemptId(), newest);
    auto *table = view->findChild<QTableView *>(QStringLiteral("historyTable"));
    QVERIFY(history->rowOfAttempt(newest) >= 0);
    QCOMPARE(table->currentIndex().row(), history->rowOfAttempt(newest));
}

void TestHistoryView::theEmptyStateSaysWhetherAnythingRan()
{
    {
        StoreClient nothing(m_dir.filePath(QStringLiteral("never-created.db")));
        auto view = openView(&nothing);
        QTRY_VERIFY(settled(view->model()));
        auto *empty = view->findChild<QLabel *>(QStringLiteral("historyEmptyLabel"));
        QTRY_VERIFY(empty->isVisible());
        QCOMPARE(empty->text(), QStringLiteral("Nothing has run yet."));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never-created.db"))));
    }
    auto view = openView(m_store.get());
    auto *search = view->findChild<QLineEdit *>(QStringLiteral("historySearchEdit"));
    search->setText(QStringLiteral("no such text anywhere"));
    QTest::keyClick(search, Qt::Key_Return);
    QTRY_VERIFY(settled(view->model()));
    QCOMPARE(view->model()->rowCount(), 0);
    auto *empty = view->findChild<QLabel *>(QStringLiteral("historyEmptyLabel"));
    QTRY_VERIFY(empty->isVisible());
    QCOMPARE(empty->text(), QStringLiteral("No attempts match."));
}

void TestHistoryView::aFailedReadShowsAnInlineError()
{
    const QString path = m_dir.filePath(QStringLiteral("garbage.db"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x'));
    }
    StoreClient broken(path);
    auto view = openView(&broken);
    auto *error = view->findChild<QLabel *>(QStringLiteral("historyErrorLabel"));
    QVERIFY(error);
    QTRY_VERIFY(error->isVisible() && error->text().startsWith(QStringLiteral("The history could not be read: ")));
    QVERIFY(!view->model()->errorString().isEmpty());
    QVERIFY(!view->model()->canFetchMore(QModelIndex())); // no retry loop
    QCOMPARE(view->model()->rowCount(), 0);
    QVERIFY(QApplication::activeModalWidget() == nullptr);
}

void TestHistoryView::columnStateIsSavedAndRestored()
{
    QByteArray state;
    {
        auto view = openView(m_store.get());
        auto *table = view->findChild<QTableView *>(QStringLiteral("historyTable"));
        table->horizontalHeader()->setSectionHidden(HistoryModel::ActionColumn, true);
        table->setColumnWidth(HistoryModel::DurationColumn, 123);
        table->horizontalHeader()->moveSection(HistoryModel::JobColumn, HistoryModel::OutcomeColumn);
        state = view->saveState();
    }
    auto view = openView(m_store.get());
    auto *table = view->findChild<QTableView *>(QStringLiteral("historyTable"));
    QVERIFY(!view->restoreState(QByteArray("not a state")));
    QVERIFY(!table->horizontalHeader()->isSectionHidden(HistoryModel::ActionColumn));
    QVERIFY(view->restoreState(state));
    QVERIFY(table->horizontalHeader()->isSectionHidden(HistoryModel::ActionColumn));
    QCOMPARE(table->columnWidth(HistoryModel::DurationColumn), 123);
    QCOMPARE(table->horizontalHeader()->visualIndex(HistoryModel::JobColumn), int(HistoryModel::OutcomeColumn));
}

void TestHistoryView::refreshPutsNewAttemptsOnTopKeepsTheSelectionAndUpdatesRunningOnes()
{
    auto view = openView(m_store.get());
    HistoryModel *history = model(*view);
    QTRY_VERIFY(settled(history));
    const int count = history->rowCount();
    auto *table = view->findChild<QTableView *>(QStringLiteral("historyTable"));
    table->selectRow(2);
    const qint64 selected = view->currentAttemptId();
    QVERIFY(selected > 0);
    QSignalSpy resets(history, &HistoryModel::modelReset);

    TaskStore tasks(m_path);
    QString error;
    const auto waiting = tasks.enqueue(handlerTask(QStringLiteral("wait")), &error);
    QVERIFY2(waiting, qPrintable(error));
    // Its attempt shows, running, on top (once the engine wrote it).
    QTRY_VERIFY_WITH_TIMEOUT((view->refresh(), history->rowCount() == count + 1), 15000);
    QCOMPARE(history->rowAt(0).taskId, *waiting);
    QCOMPARE(history->rowAt(0).outcome, QString());
    QCOMPARE(history->index(0, HistoryModel::OutcomeColumn).data().toString(), QStringLiteral("running"));
    QCOMPARE(view->currentAttemptId(), selected);
    QCOMPARE(table->currentIndex().row(), 3);

    // A list of running attempts has it too...
    HistoryModel running(m_store.get());
    HistoryFilter onlyRunning;
    onlyRunning.outcomes = {QStringLiteral("running")};
    running.setFilter(onlyRunning);
    QTRY_VERIFY(settled(&running));
    QCOMPARE(taskIdsOf(&running), QList<qint64>{*waiting});
    QSignalSpy runningResets(&running, &HistoryModel::modelReset);
    QSignalSpy removed(&running, &HistoryModel::rowsRemoved);

    // It ends: the same row says so, and the list did not start over.
    QSignalSpy changed(history, &HistoryModel::dataChanged);
    m_release.release();
    QTRY_VERIFY_WITH_TIMEOUT((view->refresh(), history->rowAt(0).outcome == QLatin1String("succeeded")), 15000);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(history->rowCount(), count + 1);
    QCOMPARE(view->currentAttemptId(), selected);
    QCOMPARE(resets.size(), 0);
    // ... and it leaves that list, which did not start over either.
    QTRY_VERIFY_WITH_TIMEOUT((running.reload(), running.rowCount() == 0), 15000);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(runningResets.size(), 0);
}

QTEST_MAIN(TestHistoryView)
#include "tst_historyview.moc"

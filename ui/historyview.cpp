#include "historyview.h"

#include "historymodel.h"
#include "queue/taskstore.h"
#include "scheduler/jobstore.h"
#include "storeclient.h"
#include "uiformat.h"

#include <QAction>
#include <QComboBox>
#include <QDataStream>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace Taskdeck::Ui {

using namespace Taskdeck::Core;

namespace {

constexpr int SearchDelayMs = 250;         // typing pauses this long before the list is searched
constexpr int RefreshGapMs = 250;          // at most one reload of the newest page per this long
constexpr quint32 StateMagic = 0x54444856; // "TDHV"
constexpr quint32 StateVersion = 1;

// Error text in a red that reads on light and dark palettes alike.
QString errorStyle()
{
    return QStringLiteral("color: #d9534f;");
}

QLabel *detailLabel(const char *objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QString::fromLatin1(objectName));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setTextFormat(Qt::PlainText);
    return label;
}

} // namespace

// One attempt as the details pane shows it, read in the store's thread.
struct HistoryView::AttemptDetails
{
    qint64 attemptId = 0;
    qint64 taskId = 0;
    AttemptRecord record;
    QString error;
    bool ok = false;
};

HistoryView::HistoryView(StoreClient *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new HistoryModel(store, this))
    , m_searchTimer(new QTimer(this))
    , m_refreshTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("historyView"));

    createFilterBar();
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("historyErrorLabel"));
    m_errorLabel->setStyleSheet(errorStyle());
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setTextFormat(Qt::PlainText);
    m_errorLabel->hide();
    createTable();
    createDetails();

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("historySplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detailsStack);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);

    auto *filterBar = new QHBoxLayout;
    filterBar->addWidget(m_jobCombo);
    filterBar->addWidget(m_outcomeCombo);
    filterBar->addWidget(m_rangeCombo);
    filterBar->addWidget(m_taskFilterButton);
    filterBar->addWidget(m_searchEdit, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filterBar);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_splitter, 1);

    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(SearchDelayMs);
    connect(m_searchTimer, &QTimer::timeout, this, &HistoryView::applyFilter);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(RefreshGapMs);
    connect(m_refreshTimer, &QTimer::timeout, this, [this] {
        if (m_refreshWanted && isVisible()) {
            m_refreshWanted = false;
            m_model->reload();
            m_refreshTimer->start();
        }
    });

    connect(m_model, &HistoryModel::modelReset, this, &HistoryView::onModelReset);
    connect(m_model, &HistoryModel::firstPageLoaded, this, &HistoryView::onFirstPageLoaded);
    connect(m_model, &HistoryModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                onRowsChanged(topLeft.row(), bottomRight.row());
            });
    connect(m_model, &HistoryModel::rowsInserted, this, &HistoryView::updateEmptyState);
    connect(m_model, &HistoryModel::rowsRemoved, this, &HistoryView::updateEmptyState);
    connect(m_model, &HistoryModel::loadingChanged, this, &HistoryView::updateEmptyState);
    connect(m_model, &HistoryModel::pageLoaded, this, [this] {
        m_listError.clear();
        updateErrorLabel();
        updateEmptyState();
    });
    connect(m_model, &HistoryModel::loadFailed, this, [this](const QString &error) {
        m_listError = tr("The history could not be read: %1").arg(error);
        updateErrorLabel();
        updateEmptyState();
    });

    loadJobs();
    applyFilter();
}

HistoryView::~HistoryView() = default;

void HistoryView::createFilterBar()
{
    m_jobCombo = new QComboBox(this);
    m_jobCombo->setObjectName(QStringLiteral("historyJobCombo"));
    m_jobCombo->setAccessibleName(tr("Job"));
    m_jobCombo->setToolTip(tr("Only the attempts of this job's tasks"));
    m_jobCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_jobCombo->addItem(tr("All jobs"), QString());
    m_jobCombo->addItem(tr("No job"), QStringLiteral("-"));
    connect(m_jobCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_taskFilter = 0;
        applyFilter();
    });

    m_outcomeCombo = new QComboBox(this);
    m_outcomeCombo->setObjectName(QStringLiteral("historyOutcomeCombo"));
    m_outcomeCombo->setAccessibleName(tr("Outcome"));
    m_outcomeCombo->setToolTip(tr("Only the attempts that ended this way"));
    m_outcomeCombo->addItem(tr("Any outcome"), QString());
    m_outcomeCombo->addItem(tr("Succeeded"), QStringLiteral("succeeded"));
    m_outcomeCombo->addItem(tr("Failed"), QStringLiteral("failed"));
    m_outcomeCombo->addItem(tr("Timed out"), QStringLiteral("timed_out"));
    m_outcomeCombo->addItem(tr("Cancelled"), QStringLiteral("cancelled"));
    m_outcomeCombo->addItem(tr("Interrupted"), QStringLiteral("interrupted"));
    m_outcomeCombo->addItem(tr("Running"), QStringLiteral("running"));
    connect(m_outcomeCombo, &QComboBox::currentIndexChanged, this, &HistoryView::applyFilter);

    m_rangeCombo = new QComboBox(this);
    m_rangeCombo->setObjectName(QStringLiteral("historyRangeCombo"));
    m_rangeCombo->setAccessibleName(tr("Time range"));
    m_rangeCombo->setToolTip(tr("Only the attempts that started in this time"));
    m_rangeCombo->addItem(tr("Last hour"), qint64(3600));
    m_rangeCombo->addItem(tr("Last 24 hours"), qint64(24 * 3600));
    m_rangeCombo->addItem(tr("Last 7 days"), qint64(7 * 24 * 3600));
    m_rangeCombo->addItem(tr("All time"), qint64(0));
    m_rangeCombo->setCurrentIndex(m_rangeCombo->count() - 1);
    connect(m_rangeCombo, &QComboBox::currentIndexChanged, this, &HistoryView::applyFilter);

    m_taskFilterButton = new QToolButton(this);
    m_taskFilterButton->setObjectName(QStringLiteral("historyTaskFilterButton"));
    m_taskFilterButton->setToolTip(tr("Show the attempts of every task again"));
    m_taskFilterButton->setAutoRaise(true);
    m_taskFilterButton->hide();
    connect(m_taskFilterButton, &QToolButton::clicked, this, [this] {
        m_taskFilter = 0;
        applyFilter();
    });

    m_searchEdit = new QLineEdit(this);
    m_searchEdit->setObjectName(QStringLiteral("historySearchEdit"));
    m_searchEdit->setAccessibleName(tr("Search the history"));
    m_searchEdit->setPlaceholderText(tr("Search errors, output, actions and jobs\u2026"));
    m_searchEdit->setClearButtonEnabled(true);
    connect(m_searchEdit, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchEdit, &QLineEdit::returnPressed, this, [this] {
        m_searchTimer->stop();
        applyFilter();
    });
    // Ctrl+F is the window's Find, which comes here while History is shown.
}

void HistoryView::createTable()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("historyTable"));
    m_table->setAccessibleName(tr("Attempts"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(false); // newest first is the only order a keyset page has
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setTabKeyNavigation(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Uniform row heights: a table view then never measures its rows.
    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 8);

    QHeaderView *columns = m_table->horizontalHeader();
    columns->setObjectName(QStringLiteral("historyHeader"));
    columns->setSectionsMovable(true);
    columns->setHighlightSections(false);
    columns->setStretchLastSection(true);
    columns->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    columns->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(columns, &QHeaderView::customContextMenuRequested, this, &HistoryView::showHeaderMenu);
    // Sized from samples, not from the contents, which would mean reading them all.
    const QFontMetrics metrics(m_table->font());
    const auto fit = [&](int column, const QString &sample, int extra = 24) {
        const int header = metrics.horizontalAdvance(m_model->headerData(column, Qt::Horizontal).toString());
        m_table->setColumnWidth(column, std::max(metrics.horizontalAdvance(sample), header) + extra);
    };
    fit(HistoryModel::StartedColumn, QStringLiteral("2026-10-25 02:30:00"));
    fit(HistoryModel::JobColumn, QStringLiteral("nightly-backup-db"));
    fit(HistoryModel::TaskColumn, QStringLiteral("1000000"));
    fit(HistoryModel::AttemptColumn, QStringLiteral("10"));
    fit(HistoryModel::OutcomeColumn, UiFormat::stateText(QStringLiteral("interrupted")), 24 + 20);
    fit(HistoryModel::DurationColumn, QStringLiteral("59 min 59 s"));
    fit(HistoryModel::ExitCodeColumn, QStringLiteral("255"));
    fit(HistoryModel::ErrorColumn, QString(40, QLatin1Char('x')));

    m_emptyLabel = new QLabel(m_table->viewport());
    m_emptyLabel->setObjectName(QStringLiteral("historyEmptyLabel"));
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setEnabled(false); // the palette's quieter text colour
    m_emptyLabel->hide();
    auto *overlay = new QVBoxLayout(m_table->viewport());
    overlay->addWidget(m_emptyLabel);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &HistoryView::onCurrentRowChanged);
}

void HistoryView::createDetails()
{
    m_detailsStack = new QStackedWidget(this);
    m_detailsStack->setObjectName(QStringLiteral("historyDetails"));
    m_detailsStack->setAccessibleName(tr("Attempt details"));

    auto *placeholder = new QLabel(tr("Select an attempt to see its details and output."), m_detailsStack);
    placeholder->setObjectName(QStringLiteral("historyDetailsPlaceholder"));
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setEnabled(false);
    m_detailsStack->addWidget(placeholder);

    auto *page = new QWidget(m_detailsStack);
    m_detailTitle = detailLabel("historyDetailTitle", page);
    QFont bold = m_detailTitle->font();
    bold.setBold(true);
    m_detailTitle->setFont(bold);
    m_detailTask = detailLabel("historyDetailTask", page);
    m_detailJob = detailLabel("historyDetailJob", page);
    m_detailAttempt = detailLabel("historyDetailAttempt", page);
    m_detailOutcome = detailLabel("historyDetailOutcome", page);
    m_detailStarted = detailLabel("historyDetailStarted", page);
    m_detailFinished = detailLabel("historyDetailFinished", page);
    m_detailDuration = detailLabel("historyDetailDuration", page);
    m_detailExitCode = detailLabel("historyDetailExitCode", page);
    m_detailCpuTime = detailLabel("historyDetailCpuTime", page);
    m_detailPeakMemory = detailLabel("historyDetailPeakMemory", page);
    m_detailError = detailLabel("historyDetailError", page);
    m_detailError->setWordWrap(true);
    m_detailError->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    m_outputEdit = new QPlainTextEdit(page);
    m_outputEdit->setObjectName(QStringLiteral("historyOutputEdit"));
    m_outputEdit->setAccessibleName(tr("Output"));
    m_outputEdit->setReadOnly(true);
    m_outputEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_outputEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Task:"), m_detailTask);
    form->addRow(tr("Job:"), m_detailJob);
    form->addRow(tr("Attempt:"), m_detailAttempt);
    form->addRow(tr("Outcome:"), m_detailOutcome);
    form->addRow(tr("Started:"), m_detailStarted);
    form->addRow(tr("Finished:"), m_detailFinished);
    form->addRow(tr("Duration:"), m_detailDuration);
    form->addRow(tr("Exit code:"), m_detailExitCode);
    form->addRow(tr("CPU time:"), m_detailCpuTime);
    form->addRow(tr("Peak memory:"), m_detailPeakMemory);

    auto *errorAndOutput = new QVBoxLayout;
    auto *errorCaption = new QLabel(tr("Error:"), page);
    errorAndOutput->addWidget(errorCaption);
    errorAndOutput->addWidget(m_detailError);
    auto *outputCaption = new QLabel(tr("&Output:"), page);
    outputCaption->setBuddy(m_outputEdit);
    errorAndOutput->addWidget(outputCaption);
    errorAndOutput->addWidget(m_outputEdit, 1);

    auto *columns = new QHBoxLayout;
    columns->addLayout(form);
    columns->addLayout(errorAndOutput, 1);
    auto *pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->addWidget(m_detailTitle);
    pageLayout->addLayout(columns, 1);
    m_detailsStack->addWidget(page);
}

const HistoryFilter &HistoryView::filter() const
{
    return m_model->filter();
}

QByteArray HistoryView::saveState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << StateMagic << StateVersion << m_table->horizontalHeader()->saveState() << m_splitter->saveState();
    return state;
}

bool HistoryView::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    quint32 version = 0;
    QByteArray header;
    QByteArray splitter;
    in >> magic >> version >> header >> splitter;
    if (in.status() != QDataStream::Ok || magic != StateMagic || version != StateVersion)
        return false;
    if (!m_table->horizontalHeader()->restoreState(header))
        return false;
    m_splitter->restoreState(splitter);
    return true;
}

void HistoryView::refresh()
{
    if (!isVisible() || m_refreshTimer->isActive()) {
        m_refreshWanted = true;
        return;
    }
    m_refreshWanted = false;
    m_model->reload();
    m_refreshTimer->start();
}

void HistoryView::showTask(qint64 taskId)
{
    // The task's every attempt: the other filters would hide some.
    {
        const QSignalBlocker jobBlocker(m_jobCombo);
        const QSignalBlocker outcomeBlocker(m_outcomeCombo);
        const QSignalBlocker rangeBlocker(m_rangeCombo);
        const QSignalBlocker searchBlocker(m_searchEdit);
        m_jobCombo->setCurrentIndex(0);
        m_outcomeCombo->setCurrentIndex(0);
        m_rangeCombo->setCurrentIndex(m_rangeCombo->count() - 1);
        m_searchEdit->clear();
    }
    m_searchTimer->stop();
    m_taskFilter = taskId;
    m_selectNewest = true;
    applyFilter();
}

void HistoryView::setJobFilter(const QString &jobId)
{
    m_taskFilter = 0;
    selectJobInCombo(jobId);
    applyFilter();
}

void HistoryView::focusSearch()
{
    m_searchEdit->setFocus(Qt::ShortcutFocusReason);
    m_searchEdit->selectAll();
}

void HistoryView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_shownOnce)
        loadJobs(); // jobs may have come or gone while it was hidden (the constructor read them first)
    m_shownOnce = true;
    if (m_refreshWanted && !m_refreshTimer->isActive()) {
        m_refreshWanted = false;
        m_model->reload();
        m_refreshTimer->start();
    }
}

HistoryFilter HistoryView::filterFromControls() const
{
    HistoryFilter filter;
    filter.job = m_jobCombo->currentData().toString();
    const QString outcome = m_outcomeCombo->currentData().toString();
    if (!outcome.isEmpty())
        filter.outcomes = {outcome};
    const qint64 rangeSeconds = m_rangeCombo->currentData().toLongLong();
    if (rangeSeconds > 0)
        filter.from = QDateTime::currentDateTimeUtc().addSecs(-rangeSeconds);
    filter.text = m_searchEdit->text().trimmed();
    filter.taskId = m_taskFilter;
    return filter;
}

void HistoryView::applyFilter()
{
    m_searchTimer->stop();
    m_model->setFilter(filterFromControls());
    m_taskFilterButton->setVisible(m_taskFilter > 0);
    if (m_taskFilter > 0) {
        m_taskFilterButton->setText(tr("Task #%1 \u2715").arg(m_taskFilter));
        m_taskFilterButton->setAccessibleName(tr("Showing task %1 only; show every task").arg(m_taskFilter));
    }
    updateEmptyState();
}

void HistoryView::selectJobInCombo(const QString &jobId)
{
    const QSignalBlocker blocker(m_jobCombo);
    int index = m_jobCombo->findData(jobId);
    if (index < 0) {
        // A job the list has not read yet (or one removed since): shown all the same.
        m_jobCombo->addItem(jobId, jobId);
        index = m_jobCombo->count() - 1;
    }
    m_jobCombo->setCurrentIndex(index);
}

void HistoryView::loadJobs()
{
    struct JobIds
    {
        QList<QPair<QString, QString>> jobs; // id, title
        QString error;
        bool ok = false;
    };
    m_store->run<JobIds>(
        this,
        [](Stores &stores) {
            JobIds result;
            const auto jobs = stores.jobs.list(&result.error);
            if (jobs) {
                result.ok = true;
                for (const StoredJob &stored : *jobs)
                    result.jobs.append({stored.job.id, stored.job.title});
            }
            return result;
        },
        [this](const JobIds &result) {
            if (!result.ok) {
                m_jobsError = tr("The jobs could not be read: %1").arg(result.error);
                updateErrorLabel();
                return;
            }
            m_jobsError.clear();
            updateErrorLabel();
            const QString current = m_jobCombo->currentData().toString();
            const QSignalBlocker blocker(m_jobCombo);
            while (m_jobCombo->count() > 2)
                m_jobCombo->removeItem(2);
            for (const auto &[id, title] : std::as_const(result.jobs)) {
                m_jobCombo->addItem(id, id);
                if (!title.isEmpty())
                    m_jobCombo->setItemData(m_jobCombo->count() - 1, title, Qt::ToolTipRole);
            }
            selectJobInCombo(current);
        });
}

void HistoryView::updateEmptyState()
{
    QString text;
    if (m_model->rowCount() == 0) {
        if (m_model->hasLoaded())
            text = m_model->filter().isEmpty() ? tr("Nothing has run yet.") : tr("No attempts match.");
        else if (m_model->isLoading())
            text = tr("Loading\u2026");
    }
    m_emptyLabel->setText(text);
    m_emptyLabel->setVisible(!text.isEmpty());
}

void HistoryView::updateErrorLabel()
{
    QStringList errors;
    for (const QString *error : {&m_listError, &m_detailsError, &m_jobsError}) {
        if (!error->isEmpty())
            errors.append(*error);
    }
    m_errorLabel->setText(errors.join(QLatin1Char('\n')));
    m_errorLabel->setVisible(!errors.isEmpty());
}

void HistoryView::selectRow(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void HistoryView::onCurrentRowChanged()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid()) {
        clearDetails();
        return;
    }
    showDetails(m_model->rowAt(current.row()));
}

void HistoryView::onModelReset()
{
    // A reset keeps no selection: put it back on the same attempt when the new rows have it.
    const int row = m_currentAttemptId > 0 ? m_model->rowOfAttempt(m_currentAttemptId) : -1;
    if (row >= 0)
        selectRow(row);
    else
        clearDetails();
    updateEmptyState();
}

void HistoryView::onFirstPageLoaded()
{
    if (m_selectNewest) {
        m_selectNewest = false;
        if (m_model->rowCount() > 0)
            selectRow(0);
    }
    updateEmptyState();
}

void HistoryView::onRowsChanged(int first, int last)
{
    // A running attempt that ended, say: its details (and output) are read again.
    const int row = m_currentAttemptId > 0 ? m_model->rowOfAttempt(m_currentAttemptId) : -1;
    if (row >= first && row <= last)
        showDetails(m_model->rowAt(row));
}

void HistoryView::showDetails(const HistoryRow &row)
{
    const bool sameAttempt = row.attemptId == m_currentAttemptId;
    m_currentAttemptId = row.attemptId;
    m_detailsStack->setCurrentIndex(1);
    m_detailTitle->setText(tr("Attempt %1 of task %2").arg(row.number).arg(row.taskId));
    m_detailTask->setText(QString::number(row.taskId));
    m_detailJob->setText(row.job.isEmpty() ? tr("No job") : row.job);
    AttemptRecord record;
    record.number = row.number;
    record.startedAt = row.startedAt;
    record.finishedAt = row.finishedAt;
    record.outcome = row.outcome;
    record.exitCode = row.exitCode;
    record.error = row.error;
    record.cpuTimeMs = row.cpuTimeMs;
    record.peakMemoryKiB = row.peakMemoryKiB;
    AttemptDetails details;
    details.attemptId = row.attemptId;
    details.taskId = row.taskId;
    details.record = record;
    details.ok = true;
    applyDetails(details);
    if (!sameAttempt) {
        m_outputEdit->clear();
        m_outputEdit->setPlaceholderText(tr("Reading the output\u2026"));
    }
    loadDetails(row.attemptId);
    if (!sameAttempt)
        Q_EMIT currentAttemptChanged(row.attemptId);
}

void HistoryView::loadDetails(qint64 attemptId)
{
    // One read at a time: arrowing down a long list reads the attempt it stops at, not every one.
    if (m_detailsInFlight) {
        m_detailsWanted = attemptId;
        return;
    }
    m_detailsWanted = 0;
    m_detailsInFlight = true;
    m_store->run<AttemptDetails>(
        this,
        [attemptId](Stores &stores) {
            AttemptDetails details;
            details.attemptId = attemptId;
            const auto record = stores.tasks.attempt(attemptId, &details.taskId, &details.error);
            if (record) {
                details.record = *record;
                details.ok = true;
            }
            return details;
        },
        [this](const AttemptDetails &details) {
            m_detailsInFlight = false;
            if (details.attemptId == m_currentAttemptId && m_detailsWanted == 0) {
                if (details.ok) {
                    m_detailsError.clear();
                    applyDetails(details);
                    m_outputEdit->setPlainText(details.record.output);
                    m_outputEdit->setPlaceholderText(tr("The attempt printed nothing."));
                } else {
                    m_detailsError = tr("The attempt's details could not be read: %1").arg(details.error);
                    m_outputEdit->setPlaceholderText(QString());
                }
                updateErrorLabel();
            }
            if (m_detailsWanted != 0)
                loadDetails(m_detailsWanted);
        });
}

void HistoryView::applyDetails(const AttemptDetails &details)
{
    const AttemptRecord &record = details.record;
    const QLocale locale;
    m_detailAttempt->setText(QString::number(record.number));
    m_detailOutcome->setText(UiFormat::stateText(record.outcome));
    QPalette palette = m_detailOutcome->palette();
    palette.setColor(QPalette::WindowText, UiFormat::stateColor(record.outcome, palette));
    m_detailOutcome->setPalette(palette);
    m_detailStarted->setText(UiFormat::localTime(record.startedAt));
    m_detailFinished->setText(record.finishedAt.isValid() ? UiFormat::localTime(record.finishedAt)
                                                          : tr("still running"));
    m_detailDuration->setText(
        record.finishedAt.isValid() ? UiFormat::duration(record.startedAt.msecsTo(record.finishedAt)) : QString());
    m_detailExitCode->setText(record.exitCode >= 0 ? QString::number(record.exitCode) : tr("none"));
    m_detailCpuTime->setText(record.cpuTimeMs >= 0 ? UiFormat::duration(record.cpuTimeMs) : tr("not known"));
    m_detailPeakMemory->setText(record.peakMemoryKiB >= 0 ? locale.formattedDataSize(record.peakMemoryKiB * 1024)
                                                          : tr("not known"));
    m_detailError->setText(record.error.isEmpty() ? tr("none") : record.error);
}

void HistoryView::clearDetails()
{
    const bool had = m_currentAttemptId != 0;
    m_currentAttemptId = 0;
    m_detailsStack->setCurrentIndex(0);
    m_outputEdit->clear();
    if (!m_detailsError.isEmpty()) {
        m_detailsError.clear();
        updateErrorLabel();
    }
    if (had)
        Q_EMIT currentAttemptChanged(0);
}

void HistoryView::showHeaderMenu(const QPoint &position)
{
    QHeaderView *columns = m_table->horizontalHeader();
    QMenu menu(this);
    for (int column = 0; column < HistoryModel::ColumnCount; ++column) {
        QAction *action = menu.addAction(m_model->headerData(column, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!columns->isSectionHidden(column));
        // The last visible column stays: a table without any is a blank box.
        action->setEnabled(columns->isSectionHidden(column) || columns->hiddenSectionCount() < columns->count() - 1);
        connect(action, &QAction::toggled, columns,
                [columns, column](bool shown) { columns->setSectionHidden(column, !shown); });
    }
    menu.exec(columns->viewport()->mapToGlobal(position));
}

} // namespace Taskdeck::Ui

#pragma once

#include "queue/history.h"

#include <QByteArray>
#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTimer;
class QToolButton;

namespace Taskdeck::Ui {

class HistoryModel;
class StoreClient;

// The History tab: every attempt of every task, newest first, filtered by job, outcome, time and
// text, with the selected attempt's details and output below. Everything it reads goes through
// the StoreClient, so the GUI thread never waits on the database, and a read that fails shows as
// a line of text above the list.
class HistoryView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryView)

public:
    // `store` must outlive the view; the first page is asked for at once.
    explicit HistoryView(StoreClient *store, QWidget *parent = nullptr);
    ~HistoryView() override;

    HistoryModel *model() const { return m_model; }
    // The filter the list shows now.
    const Core::HistoryFilter &filter() const;
    // The attempt whose details are shown; 0 when none.
    qint64 currentAttemptId() const { return m_currentAttemptId; }

    // The columns' order, widths and visibility, and the split between list and details.
    QByteArray saveState() const;
    // False (and nothing changes) for a state this version did not save.
    bool restoreState(const QByteArray &state);

public Q_SLOTS:
    // Something ran: reads the newest attempts again (at most a few times a second, and only
    // while the view is visible; a hidden view catches up when it is shown).
    void refresh();
    // Only this task's attempts, whatever the other filters said, its newest one selected.
    void showTask(qint64 taskId);
    // Only this job's attempts ("-": those without a job; empty: every job's).
    void setJobFilter(const QString &jobId);
    void focusSearch();

Q_SIGNALS:
    // The selection moved to another attempt (0: none).
    void currentAttemptChanged(qint64 attemptId);

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct AttemptDetails;

    void createFilterBar();
    void createTable();
    void createDetails();
    Core::HistoryFilter filterFromControls() const;
    void applyFilter();
    void selectJobInCombo(const QString &jobId);
    void loadJobs();
    void updateEmptyState();
    void updateErrorLabel();
    void selectRow(int row);
    void onCurrentRowChanged();
    void onModelReset();
    void onFirstPageLoaded();
    void onRowsChanged(int first, int last);
    void showDetails(const Core::HistoryRow &row);
    void loadDetails(qint64 attemptId);
    void applyDetails(const AttemptDetails &details);
    void clearDetails();
    void showHeaderMenu(const QPoint &position);

    StoreClient *m_store;
    HistoryModel *m_model;

    QComboBox *m_jobCombo = nullptr;
    QComboBox *m_outcomeCombo = nullptr;
    QComboBox *m_rangeCombo = nullptr;
    QToolButton *m_taskFilterButton = nullptr;
    QLineEdit *m_searchEdit = nullptr;
    QLabel *m_errorLabel = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_emptyLabel = nullptr;

    QStackedWidget *m_detailsStack = nullptr;
    QLabel *m_detailTitle = nullptr;
    QLabel *m_detailTask = nullptr;
    QLabel *m_detailJob = nullptr;
    QLabel *m_detailAttempt = nullptr;
    QLabel *m_detailOutcome = nullptr;
    QLabel *m_detailStarted = nullptr;
    QLabel *m_detailFinished = nullptr;
    QLabel *m_detailDuration = nullptr;
    QLabel *m_detailExitCode = nullptr;
    QLabel *m_detailCpuTime = nullptr;
    QLabel *m_detailPeakMemory = nullptr;
    QLabel *m_detailError = nullptr;
    QPlainTextEdit *m_outputEdit = nullptr;

    QTimer *m_searchTimer = nullptr;
    QTimer *m_refreshTimer = nullptr;

    qint64 m_taskFilter = 0;
    bool m_refreshWanted = false; // a refresh came while hidden or throttled
    bool m_selectNewest = false;  // showTask(): select the first row of the page to come
    bool m_shownOnce = false;
    qint64 m_currentAttemptId = 0;
    bool m_detailsInFlight = false;
    qint64 m_detailsWanted = 0; // asked for while a read of details was in flight
    QString m_listError;
    QString m_detailsError;
    QString m_jobsError;
};

} // namespace Taskdeck::Ui

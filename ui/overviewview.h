#pragma once

#include "queue/history.h"
#include "queue/task.h"
#include "scheduler/jobstatistics.h"
#include "schedulesview.h"
#include "viewsupport.h"

#include <QElapsedTimer>
#include <QWidget>

class QBarSet;
class QChart;
class QChartView;
class QLabel;
class QTimer;
class QTreeWidget;

namespace Taskdeck::Ui {

class StoreClient;

// What the Overview tab shows, read in one go off the GUI thread.
struct OverviewData
{
    Core::QueueStatistics queue;
    QList<Core::ActivityBucket> hours; // the last 24 hours, oldest first
    QList<Core::JobStatistics> jobs;   // over the last 24 hours
    QList<Core::HistoryRow> recentFailures;
};

// The Overview tab: health (scheduler, workers, queue depth, oldest waiting task), tasks per
// minute and the success rate over 24 hours, the next five fires and the recent failures, with
// charts of throughput and failures per hour and of the duration per job.
class OverviewView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewView)

public:
    explicit OverviewView(StoreClient *store, QWidget *parent = nullptr);
    ~OverviewView() override;

    // What the window knows: whether this process runs the engine (or who does), and the workers.
    void setEngineState(const QString &scheduler, int busyWorkers, int totalWorkers);
    const OverviewData &data() const { return m_data; }
    QString healthText() const;

public Q_SLOTS:
    void refresh();
    void setJobs(const QList<Taskdeck::Ui::JobRow> &rows);

Q_SIGNALS:
    void refreshed();
    void failureActivated(qint64 taskId);

private:
    void show(const OverviewData &data);
    void showHealth();

    StoreClient *m_store;
    QLabel *m_health;
    QLabel *m_figures;
    QTreeWidget *m_nextFires;
    QTreeWidget *m_failures;
    QChartView *m_throughputView;
    QChartView *m_durationView;
    OverviewData m_data;
    QString m_scheduler;
    int m_busy = 0;
    int m_total = 0;
    ReadGate m_reads;
    // Its reads (24 hours of statistics) run at most every couple of seconds, however busy the
    // engine is: a refresh asked for sooner runs when the interval is over.
    QElapsedTimer m_lastRead;
    QTimer *m_later;
};

} // namespace Taskdeck::Ui

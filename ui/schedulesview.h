#pragma once

#include "rowlistmodel.h"
#include "scheduler/job.h"
#include "scheduler/jobstatistics.h"
#include "storeclient.h"
#include "viewsupport.h"

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace Taskdeck::Ui {

// One line of the Schedules tab: a job with what the store knows of its runs.
struct JobRow
{
    Core::StoredJob stored;
    Core::JobStatistics stats; // over the last 30 days
    QDateTime nextFire;        // invalid: does not fire by itself
    QString scheduleWords;     // "every 15 minutes, 09:00-17:59, Monday to Friday"
    QString zone;              // the zone it fires in
};

// The Schedules tab: every job with its schedule in words and as written, its zone, the next run
// with a live countdown, the last outcome, the success rate, and whether (and why) it is paused.
// Actions: new, edit, duplicate, delete, pause (reason, until), resume, run now; sort and filter.
// New, edit and duplicate are asked of the window (editRequested), which owns the job editor.
class SchedulesView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchedulesView)

public:
    enum class EditMode { New, Edit, Duplicate };
    Q_ENUM(EditMode)

    explicit SchedulesView(StoreClient *store, QWidget *parent = nullptr);
    ~SchedulesView() override;

    using Model = RowListModel<JobRow>;
    Model *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QString selectedJobId() const;
    bool selectJob(const QString &id);
    // Actions for the window's menus and shortcuts.
    QList<QAction *> jobActions() const;
    QAction *runNowAction() const { return m_runNow; }
    QAction *deleteAction() const { return m_delete; }
    QAction *newAction() const { return m_new; }
    QString errorText() const;

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

public Q_SLOTS:
    void refresh();
    void focusFilter();
    void runNow(const QString &jobId);
    void pauseAll(const QString &reason);
    void resumeAll();
    // Jobs files (the format of `taskdeckctl job import/export`): all or nothing, checked first.
    void importFile(const QString &path);
    void exportFile(const QString &path);
    void askImport();
    void askExport();

Q_SIGNALS:
    void editRequested(const Taskdeck::Core::Job &job, Taskdeck::Ui::SchedulesView::EditMode mode);
    void jobsChanged(const QList<Taskdeck::Ui::JobRow> &rows);
    // A run was queued from here (run now): the window may show it in Live.
    void runQueued(const QString &jobId, qint64 taskId);
    void refreshed();

private:
    void createActions();
    void updateActions();
    void askPause();
    void confirmDelete();
    void tick();
    // Runs a write through the store, then refreshes; errors show inline.
    void write(std::function<QString(Stores &)> work, const QString &done);

    StoreClient *m_store;
    Model *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    MessageLine *m_message;
    QLabel *m_empty;
    QTimer *m_tick;
    QAction *m_new = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_duplicate = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_resume = nullptr;
    QAction *m_runNow = nullptr;
    ReadGate m_reads;
};

} // namespace Taskdeck::Ui

Q_DECLARE_METATYPE(Taskdeck::Ui::JobRow)

#pragma once

#include "queue/task.h"
#include "rowlistmodel.h"
#include "viewsupport.h"

#include <QHash>
#include <QWidget>

class QAction;
class QLabel;
class QPlainTextEdit;
class QTableView;
class QTimer;

namespace Taskdeck::Ui {

class EngineHost;
class StoreClient;
struct ProgressUpdate;

// One line of the Live tab: a running or waiting task.
struct LiveRow
{
    Core::Task task;
    QString action; // its action in a few words, secrets masked
};

// The Live tab: running and waiting tasks with a progress bar, the progress message, the attempt
// and the elapsed time; the selected task's output streams below it. Cancel and raise priority
// go through the database, so they work the same when another process runs the engine.
class LiveView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveView)

public:
    LiveView(StoreClient *store, EngineHost *engine, QWidget *parent = nullptr);
    ~LiveView() override;

    using Model = RowListModel<LiveRow>;
    Model *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *output() const { return m_output; }
    bool selectTask(qint64 taskId);
    qint64 selectedTaskId() const;
    int runningCount() const;
    QString errorText() const { return m_message->error(); }

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    // How many times the progress column was told to repaint (one per frame at most); for the
    // responsiveness benchmark.
    int progressRepaints() const { return m_progressRepaints; }

public Q_SLOTS:
    void refresh();
    void applyProgress(const QList<Taskdeck::Ui::ProgressUpdate> &updates);
    void appendOutput(qint64 taskId, const QStringList &lines);

Q_SIGNALS:
    void refreshed();
    void countsChanged(int running, int waiting);

private:
    void updateActions();
    void showSelectedOutput();
    void cancelSelected();
    void raiseSelected();
    void rebuildIndex();

    StoreClient *m_store;
    EngineHost *m_engine;
    Model *m_model;
    QTableView *m_table;
    QPlainTextEdit *m_output;
    QLabel *m_outputTitle;
    MessageLine *m_message;
    QLabel *m_empty;
    QTimer *m_tick;
    QAction *m_cancel;
    QAction *m_raise;
    QHash<qint64, int> m_rowOf;
    // The last lines of each task this window's engine ran, newest tasks kept.
    QHash<qint64, QStringList> m_lines;
    QList<qint64> m_lineOrder;
    qint64 m_shownTask = 0;
    ReadGate m_reads;
    int m_progressRepaints = 0;
};

} // namespace Taskdeck::Ui

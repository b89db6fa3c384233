#pragma once

#include "queue/task.h"
#include "rowlistmodel.h"
#include "viewsupport.h"

#include <QWidget>

class QAction;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QTableView;
class QTreeWidget;

namespace Taskdeck::Ui {

class StoreClient;

// One dead letter: the task and every attempt it made.
struct DeadRow
{
    Core::Task task;
    QList<Core::AttemptRecord> attempts; // read for the first rows only (see DeadLettersView)
    QString action;
};

// The Dead letters tab: what used up its attempts, never dropped. Job, error, attempts, first and
// last failure; the details list every attempt with its error and output. Retry the selected ones,
// all, or all of a job; edit the payload and retry; delete after a confirmation. Every action is
// recorded with time and user by the store and reaches the running engine through the database.
class DeadLettersView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeadLettersView)

public:
    explicit DeadLettersView(StoreClient *store, QWidget *parent = nullptr);
    ~DeadLettersView() override;

    using Model = RowListModel<DeadRow>;
    Model *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QTreeWidget *attempts() const { return m_attempts; }
    QPlainTextEdit *attemptOutput() const { return m_output; }
    int count() const { return m_model->rowCount(); }
    bool selectTask(qint64 taskId);
    QString errorText() const { return m_message->error(); }
    QString messageText() const { return m_message->shown(); }

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

public Q_SLOTS:
    void refresh();
    void retrySelected();
    void retryAll();
    void retryJob(const QString &jobId);
    void editPayloadAndRetry();
    void deleteSelected(); // asks first

Q_SIGNALS:
    void countChanged(int count);
    void refreshed();
    void retried(const QList<qint64> &taskIds);

private:
    void updateActions();
    void showDetails();
    QList<qint64> selectedIds() const;
    void retry(const QList<qint64> &ids, const QString &job, bool all);

    StoreClient *m_store;
    Model *m_model;
    QTableView *m_table;
    QTreeWidget *m_attempts;
    QPlainTextEdit *m_output;
    QPlainTextEdit *m_payload;
    MessageLine *m_message;
    QLabel *m_empty;
    QAction *m_retry;
    QAction *m_retryAll;
    QAction *m_edit;
    QAction *m_delete;
    QMenu *m_jobMenu;
    ReadGate m_reads;
};

} // namespace Taskdeck::Ui

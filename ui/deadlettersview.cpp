#include "deadlettersview.h"

#include "actions/actionspec.h"
#include "queue/taskstore.h"
#include "storeclient.h"
#include "uiformat.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Taskdeck::Ui {

namespace {

constexpr int ListLimit = 10000;  // dead letters listed (the store keeps them all)
constexpr int AttemptsRead = 200; // rows whose attempts (first failure) are read with the list; the
                                  // others' when selected

enum Column { Id, Job, Error, Attempts, FirstFailure, LastFailure, Action, ColumnCount };

QDateTime firstFailure(const DeadRow &row)
{
    for (const Core::AttemptRecord &attempt : row.attempts) {
        if (attempt.outcome != QLatin1String("succeeded") && attempt.finishedAt.isValid())
            return attempt.finishedAt;
    }
    return {};
}

QList<DeadLettersView::Model::Column> columns()
{
    using Row = DeadRow;
    const auto text = [](auto get) {
        return [get](const Row &row, int role) -> QVariant {
            if (role == Qt::DisplayRole)
                return get(row);
            return {};
        };
    };
    return {
        {DeadLettersView::tr("Task"), text([](const Row &row) { return QString::number(row.task.id); })},
        {DeadLettersView::tr("Job"),
         text([](const Row &row) { return row.task.spec.job.isEmpty() ? QStringLiteral("—") : row.task.spec.job; })},
        {DeadLettersView::tr("Error"),
         [](const Row &row, int role) -> QVariant {
             if (role == Qt::DisplayRole)
                 return UiFormat::firstLine(row.task.lastError);
             if (role == Qt::ToolTipRole)
                 return row.task.lastError;
             if (role == Qt::ForegroundRole)
                 return UiFormat::stateColor(QStringLiteral("dead"), QPalette());
             return {};
         }},
        {DeadLettersView::tr("Attempts"), text([](const Row &row) { return QString::number(row.task.attempts); })},
        {DeadLettersView::tr("First failure"),
         text([](const Row &row) { return UiFormat::localTime(firstFailure(row)); })},
        {DeadLettersView::tr("Last failure"),
         text([](const Row &row) { return UiFormat::localTime(row.task.finishedAt); })},
        {DeadLettersView::tr("Action"), text([](const Row &row) { return row.action; })},
    };
}

} // namespace

DeadLettersView::DeadLettersView(StoreClient *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new Model(
          columns(), [](const DeadRow &row) { return QVariant(row.task.id); }, this))
    , m_table(new QTableView(this))
    , m_attempts(new QTreeWidget(this))
    , m_output(new QPlainTextEdit(this))
    , m_payload(new QPlainTextEdit(this))
    , m_message(new MessageLine(QStringLiteral("deadLettersMessage"), this))
    , m_empty(new QLabel(this))
    , m_retry(new QAction(UiFormat::icon(QStringLiteral("retry")), tr("&Retry"), this))
    , m_retryAll(new QAction(UiFormat::icon(QStringLiteral("retry")), tr("Retry &all"), this))
    , m_edit(new QAction(UiFormat::icon(QStringLiteral("edit")), tr("&Edit payload and retry…"), this))
    , m_delete(new QAction(UiFormat::icon(QStringLiteral("delete")), tr("&Delete…"), this))
    , m_jobMenu(new QMenu(tr("Retry all of a &job"), this))
{
    setObjectName(QStringLiteral("deadLettersView"));
    setUpTable(m_table, QStringLiteral("deadLettersTable"), tr("Dead letters"));
    m_table->setModel(m_model);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setColumnWidth(Id, 70);
    m_table->setColumnWidth(Job, 140);
    m_table->setColumnWidth(Error, 320);
    m_table->setColumnWidth(Attempts, 70);
    m_table->setColumnWidth(FirstFailure, 150);
    m_table->setColumnWidth(LastFailure, 150);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_attempts->setObjectName(QStringLiteral("deadLetterAttempts"));
    m_attempts->setAccessibleName(tr("Attempts of the selected dead letter"));
    m_attempts->setHeaderLabels(
        {tr("Attempt"), tr("Outcome"), tr("Started"), tr("Duration"), tr("Exit code"), tr("Error")});
    m_attempts->setRootIsDecorated(false);
    m_attempts->setUniformRowHeights(true);
    m_output->setObjectName(QStringLiteral("deadLetterOutput"));
    m_output->setAccessibleName(tr("Output of the selected attempt"));
    m_output->setReadOnly(true);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setPlaceholderText(tr("The selected attempt's output"));
    m_payload->setObjectName(QStringLiteral("deadLetterPayload"));
    m_payload->setAccessibleName(tr("Payload of the selected dead letter"));
    m_payload->setReadOnly(true);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_payload->setMaximumHeight(90);

    m_empty->setObjectName(QStringLiteral("deadLettersEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setText(tr("No dead letters. Tasks that use up their attempts wait here until you retry or delete "
                        "them."));
    m_empty->hide();

    m_retry->setObjectName(QStringLiteral("retryDeadAction"));
    m_retry->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_retry->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_retryAll->setObjectName(QStringLiteral("retryAllDeadAction"));
    m_edit->setObjectName(QStringLiteral("editPayloadAction"));
    m_delete->setObjectName(QStringLiteral("deleteDeadAction"));
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_jobMenu->setObjectName(QStringLiteral("retryJobMenu"));
    m_jobMenu->setIcon(UiFormat::icon(QStringLiteral("retry")));
    connect(m_retry, &QAction::triggered, this, &DeadLettersView::retrySelected);
    connect(m_retryAll, &QAction::triggered, this, &DeadLettersView::retryAll);
    connect(m_edit, &QAction::triggered, this, &DeadLettersView::editPayloadAndRetry);
    connect(m_delete, &QAction::triggered, this, &DeadLettersView::deleteSelected);
    for (QAction *action : {m_retry, m_edit, m_delete})
        m_table->addAction(action);

    QHBoxLayout *bar = actionBar({m_retry, m_retryAll, m_jobMenu->menuAction(), m_edit, m_delete}, this);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(bar);
    topLayout->addWidget(m_message);
    topLayout->addWidget(m_table, 1);
    topLayout->addWidget(m_empty);
    auto *details = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(new QLabel(tr("Payload:"), details));
    detailsLayout->addWidget(m_payload);
    auto *attemptSplit = new QSplitter(Qt::Horizontal, details);
    attemptSplit->addWidget(m_attempts);
    attemptSplit->addWidget(m_output);
    detailsLayout->addWidget(attemptSplit, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("deadLettersSplitter"));
    splitter->addWidget(top);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        showDetails();
    });
    connect(m_attempts, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        m_output->setPlainText(item ? item->data(0, Qt::UserRole).toString() : QString());
    });
    updateActions();
}

DeadLettersView::~DeadLettersView() = default;

void DeadLettersView::refresh()
{
    if (!m_reads.begin())
        return;
    struct Result
    {
        QList<DeadRow> rows;
        QString error;
    };
    m_store->run<Result>(
        this,
        [](Stores &stores) {
            Result result;
            const auto tasks = stores.tasks.list(Core::TaskState::Dead, ListLimit, &result.error);
            if (!tasks)
                return result;
            for (const Core::Task &task : *tasks) {
                DeadRow row;
                row.task = task;
                row.action = Core::ActionSpec::summary(Core::ActionSpec::redacted(task.spec.action));
                if (result.rows.size() < AttemptsRead) {
                    QString why;
                    if (const auto attempts = stores.tasks.attempts(task.id, &why))
                        row.attempts = *attempts;
                }
                result.rows.append(row);
            }
            return result;
        },
        [this](Result result) {
            if (!result.error.isEmpty()) {
                m_message->showError(tr("Cannot read the dead letters: %1").arg(result.error));
            } else {
                const QVariantList keys = selectedKeys(m_table, Model::KeyRole);
                const int before = m_model->rowCount();
                m_model->setRows(result.rows);
                if (m_table->selectionModel()->selectedRows().isEmpty())
                    selectKeys(m_table, keys, Model::KeyRole);
                m_empty->setVisible(result.rows.isEmpty());
                // The jobs that have dead letters, for "retry all of a job".
                m_jobMenu->clear();
                QStringList jobs;
                for (const DeadRow &row : std::as_const(result.rows)) {
                    if (!row.task.spec.job.isEmpty() && !jobs.contains(row.task.spec.job))
                        jobs.append(row.task.spec.job);
                }
                std::sort(jobs.begin(), jobs.end());
                for (const QString &job : std::as_const(jobs)) {
                    QAction *action = m_jobMenu->addAction(job, this, [this, job] { retryJob(job); });
                    action->setObjectName(QStringLiteral("retryJob:") + job);
                }
                updateActions();
                showDetails();
                if (before != m_model->rowCount() || before == 0)
                    Q_EMIT countChanged(m_model->rowCount());
            }
            Q_EMIT refreshed();
            if (m_reads.end())
                refresh();
        });
}

QList<qint64> DeadLettersView::selectedIds() const
{
    QList<qint64> ids;
    for (const QVariant &key : selectedKeys(m_table, Model::KeyRole))
        ids.append(key.toLongLong());
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool DeadLettersView::selectTask(qint64 taskId)
{
    selectKeys(m_table, {QVariant(taskId)}, Model::KeyRole);
    return selectedIds() == QList<qint64>{taskId};
}

void DeadLettersView::updateActions()
{
    const QList<qint64> ids = selectedIds();
    m_retry->setEnabled(!ids.isEmpty());
    m_edit->setEnabled(ids.size() == 1);
    m_delete->setEnabled(!ids.isEmpty());
    m_retryAll->setEnabled(m_model->rowCount() > 0);
    m_jobMenu->menuAction()->setEnabled(!m_jobMenu->isEmpty());
}

void DeadLettersView::showDetails()
{
    const QList<qint64> ids = selectedIds();
    m_attempts->clear();
    m_output->clear();
    m_payload->clear();
    if (ids.size() != 1)
        return;
    const qint64 id = ids.first();
    const auto show = [this](const Core::Task &task, const QList<Core::AttemptRecord> &attempts) {
        if (task.spec.payload.isObject() || task.spec.payload.isArray())
            m_payload->setPlainText(QString::fromUtf8(task.spec.payload.isObject()
                                                          ? QJsonDocument(task.spec.payload.toObject()).toJson()
                                                          : QJsonDocument(task.spec.payload.toArray()).toJson()));
        else if (task.spec.payload.isNull() || task.spec.payload.isUndefined())
            m_payload->setPlainText(QStringLiteral("null"));
        else
            m_payload->setPlainText(
                QString::fromUtf8(QJsonDocument(QJsonArray{task.spec.payload}).toJson(QJsonDocument::Compact))
                    .mid(1)
                    .chopped(1));
        for (const Core::AttemptRecord &attempt : attempts) {
            auto *item = new QTreeWidgetItem(m_attempts);
            item->setText(0, QString::number(attempt.number));
            item->setText(1, UiFormat::stateText(attempt.outcome));
            item->setForeground(1, UiFormat::stateColor(attempt.outcome, palette()));
            item->setText(2, UiFormat::localTime(attempt.startedAt));
            item->setText(3, attempt.finishedAt.isValid()
                                 ? UiFormat::duration(attempt.startedAt.msecsTo(attempt.finishedAt))
                                 : QStringLiteral("—"));
            item->setText(4, attempt.exitCode >= 0 ? QString::number(attempt.exitCode) : QStringLiteral("—"));
            item->setText(5, UiFormat::firstLine(attempt.error));
            item->setToolTip(5, attempt.error);
            QString details = attempt.error.isEmpty() ? QString() : tr("Error: %1\n\n").arg(attempt.error);
            details += attempt.output.isEmpty() ? tr("(no output)") : attempt.output;
            item->setData(0, Qt::UserRole, details);
        }
        if (m_attempts->topLevelItemCount() > 0)
            m_attempts->setCurrentItem(m_attempts->topLevelItem(m_attempts->topLevelItemCount() - 1));
    };
    for (const DeadRow &row : m_model->rows()) {
        if (row.task.id == id && !row.attempts.isEmpty()) {
            show(row.task, row.attempts);
            return;
        }
    }
    struct Result
    {
        Core::Task task;
        QList<Core::AttemptRecord> attempts;
    };
    m_store->run<Result>(
        this,
        [id](Stores &stores) {
            Result result;
            QString why;
            if (const auto task = stores.tasks.find(id, &why))
                result.task = *task;
            if (const auto attempts = stores.tasks.attempts(id, &why))
                result.attempts = *attempts;
            return result;
        },
        [this, id, show](Result result) {
            if (selectedIds() == QList<qint64>{id})
                show(result.task, result.attempts);
        });
}

void DeadLettersView::retry(const QList<qint64> &ids, const QString &job, bool all)
{
    struct Result
    {
        QList<qint64> ids;
        QString error;
    };
    m_store->run<Result>(
        this,
        [ids, job, all](Stores &stores) {
            Result result;
            if (const auto changed = stores.tasks.retryDead(ids, job, all, &result.error))
                result.ids = *changed;
            return result;
        },
        [this](Result result) {
            if (!result.error.isEmpty()) {
                m_message->showError(tr("Cannot retry: %1").arg(result.error));
            } else {
                m_message->showMessage(tr("Queued again: %n task(s). Their attempts start over; the history is kept.",
                                          nullptr, int(result.ids.size())));
                Q_EMIT retried(result.ids);
            }
            refresh();
        });
}

void DeadLettersView::retrySelected()
{
    const QList<qint64> ids = selectedIds();
    if (!ids.isEmpty())
        retry(ids, QString(), false);
}

void DeadLettersView::retryAll()
{
    retry({}, QString(), true);
}

void DeadLettersView::retryJob(const QString &jobId)
{
    retry({}, jobId, true);
}

void DeadLettersView::editPayloadAndRetry()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 1)
        return;
    const qint64 id = ids.first();
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("editPayloadDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Edit the payload of task %1 and retry").arg(id));
    auto *edit = new QPlainTextEdit(dialog);
    edit->setObjectName(QStringLiteral("payloadEdit"));
    edit->setAccessibleName(tr("Payload (JSON)"));
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setPlainText(m_payload->toPlainText());
    auto *problem = new QLabel(dialog);
    problem->setObjectName(QStringLiteral("payloadProblem"));
    problem->setWordWrap(true);
    useErrorColour(problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Retry with this payload"));
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(new QLabel(tr("The old payload stays in the task's record."), dialog));
    layout->addWidget(edit, 1);
    layout->addWidget(problem);
    layout->addWidget(buttons);
    dialog->resize(560, 380);
    const auto check = [edit, problem, ok] {
        const QByteArray text = edit->toPlainText().toUtf8();
        const QString why = text.trimmed().isEmpty() ? tr("The payload is empty; write null for none.")
                                                     : UiFormat::parseJson(text, nullptr);
        if (!why.isEmpty()) {
            problem->setText(tr("Not JSON: %1").arg(why));
            ok->setEnabled(false);
            return;
        }
        problem->clear();
        ok->setEnabled(true);
    };
    connect(edit, &QPlainTextEdit::textChanged, dialog, check);
    check();
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, edit, id] {
        QJsonValue payload;
        UiFormat::parseJson(edit->toPlainText().toUtf8(), &payload);
        m_store->run<QString>(
            this,
            [id, payload](Stores &stores) {
                QString error;
                return stores.tasks.retryDeadWithPayload(id, payload, &error) ? QString() : error;
            },
            [this, id](const QString &error) {
                if (error.isEmpty()) {
                    m_message->showMessage(tr("Task %1 is queued again with the new payload.").arg(id));
                    Q_EMIT retried({id});
                } else {
                    m_message->showError(tr("Cannot retry task %1: %2").arg(id).arg(error));
                }
                refresh();
            });
        dialog->accept();
    });
    dialog->open();
}

void DeadLettersView::deleteSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty())
        return;
    auto *box =
        new QMessageBox(QMessageBox::Warning, tr("Delete dead letters"),
                        tr("Delete %n dead letter(s) for good?", nullptr, int(ids.size())), QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteDeadBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("Their attempts and output go too. This cannot be undone."));
    QPushButton *remove = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmDeleteDeadButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, remove, ids](QAbstractButton *button) {
        if (button != remove)
            return;
        m_store->run<QString>(
            this,
            [ids](Stores &stores) {
                QString error;
                return stores.tasks.deleteDead(ids, &error) ? QString() : error;
            },
            [this, ids](const QString &error) {
                if (error.isEmpty())
                    m_message->showMessage(tr("Deleted %n dead letter(s).", nullptr, int(ids.size())));
                else
                    m_message->showError(tr("Cannot delete: %1").arg(error));
                refresh();
            });
    });
    box->open();
}

QByteArray DeadLettersView::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

bool DeadLettersView::restoreState(const QByteArray &state)
{
    return m_table->horizontalHeader()->restoreState(state);
}

} // namespace Taskdeck::Ui

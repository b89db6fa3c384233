#include "liveview.h"

#include "actions/actionspec.h"
#include "enginehost.h"
#include "queue/taskstore.h"
#include "storeclient.h"
#include "uiformat.h"

#include <QAction>
#include <QApplication>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Taskdeck::Ui {

namespace {

constexpr int ListLimit = 1000;  // per state: running, queued, waiting to retry
constexpr int KeptLines = 2000;  // output lines kept per task
constexpr int KeptTasks = 200;   // tasks whose output is kept
constexpr int PriorityStep = 10; // "raise priority" adds this much

enum Column { Id, Job, State, Progress, Message, Attempt, Elapsed, Priority, Action, ColumnCount };

constexpr int ProgressRole = Qt::UserRole + 1;

QList<LiveView::Model::Column> columns()
{
    using Row = LiveRow;
    const auto text = [](auto get) {
        return [get](const Row &row, int role) -> QVariant {
            if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
                return get(row);
            return {};
        };
    };
    return {
        {LiveView::tr("Task"), text([](const Row &row) { return QString::number(row.task.id); })},
        {LiveView::tr("Job"),
         text([](const Row &row) { return row.task.spec.job.isEmpty() ? QStringLiteral("—") : row.task.spec.job; })},
        {LiveView::tr("State"),
         [](const Row &row, int role) -> QVariant {
             const QString state = Core::taskStateName(row.task.state);
             if (role == Qt::DisplayRole)
                 return row.task.state == Core::TaskState::RetryWait && row.task.runAt.isValid()
                            ? LiveView::tr("retry %1")
                                  .arg(UiFormat::countdown(row.task.runAt, QDateTime::currentDateTimeUtc()))
                            : UiFormat::stateText(state);
             if (role == Qt::ForegroundRole)
                 return UiFormat::stateColor(state, QPalette());
             if (role == Qt::ToolTipRole && !row.task.lastError.isEmpty())
                 return LiveView::tr("Last error: %1").arg(row.task.lastError);
             return {};
         }},
        {LiveView::tr("Progress"),
         [](const Row &row, int role) -> QVariant {
             if (role == ProgressRole)
                 return row.task.state == Core::TaskState::Running ? row.task.progress : -1;
             if (role == Qt::AccessibleTextRole || role == Qt::ToolTipRole)
                 return QStringLiteral("%1%").arg(row.task.progress);
             return {};
         }},
        {LiveView::tr("Message"), text([](const Row &row) { return row.task.progressMessage; })},
        {LiveView::tr("Attempt"), text([](const Row &row) {
             const int attempt = row.task.state == Core::TaskState::Running ? row.task.attempts : row.task.attempts + 1;
             return LiveView::tr("%1 of %2").arg(attempt).arg(row.task.spec.retry.maxAttempts);
         })},
        {LiveView::tr("Elapsed"), text([](const Row &row) {
             const QDateTime now = QDateTime::currentDateTimeUtc();
             if (row.task.state == Core::TaskState::Running && row.task.startedAt.isValid())
                 return UiFormat::duration(row.task.startedAt.msecsTo(now) / 1000 * 1000);
             return LiveView::tr("waiting %1").arg(UiFormat::duration(row.task.createdAt.msecsTo(now) / 1000 * 1000));
         })},
        {LiveView::tr("Priority"), text([](const Row &row) { return QString::number(row.task.spec.priority); })},
        {LiveView::tr("Action"), text([](const Row &row) { return row.action; })},
    };
}

// A progress bar in the Progress column, drawn by the style (so it follows the palette).
class ProgressDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const int percent = index.data(ProgressRole).toInt();
        if (percent < 0) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionViewItem background = option;
        initStyleOption(&background, index);
        const QWidget *widget = option.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        style->drawPrimitive(QStyle::PE_PanelItemViewItem, &background, painter, widget);
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(3, 3, -3, -3);
        bar.minimum = 0;
        bar.maximum = 100;
        bar.progress = percent;
        bar.text = QStringLiteral("%1%").arg(percent);
        bar.textVisible = true;
        bar.textAlignment = Qt::AlignCenter;
        bar.state = option.state | QStyle::State_Horizontal;
        bar.palette = option.palette;
        bar.fontMetrics = option.fontMetrics;
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    }
};

} // namespace

LiveView::LiveView(StoreClient *store, EngineHost *engine, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_engine(engine)
    , m_model(new Model(
          columns(), [](const LiveRow &row) { return QVariant(row.task.id); }, this))
    , m_table(new QTableView(this))
    , m_output(new QPlainTextEdit(this))
    , m_outputTitle(new QLabel(this))
    , m_message(new MessageLine(QStringLiteral("liveMessage"), this))
    , m_empty(new QLabel(this))
    , m_tick(new QTimer(this))
    , m_cancel(new QAction(UiFormat::icon(QStringLiteral("cancel")), tr("&Cancel task"), this))
    , m_raise(new QAction(UiFormat::icon(QStringLiteral("priority")), tr("Raise &priority"), this))
{
    setObjectName(QStringLiteral("liveView"));
    setUpTable(m_table, QStringLiteral("liveTable"), tr("Running and waiting tasks"));
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(Progress, new ProgressDelegate(m_table));
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->setColumnWidth(Id, 70);
    m_table->setColumnWidth(Job, 150);
    m_table->setColumnWidth(State, 130);
    m_table->setColumnWidth(Progress, 140);
    m_table->setColumnWidth(Message, 200);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_output->setObjectName(QStringLiteral("liveOutput"));
    m_output->setAccessibleName(tr("Output of the selected task"));
    m_output->setReadOnly(true);
    m_output->setMaximumBlockCount(KeptLines);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setPlaceholderText(tr("Select a task to see what it prints."));
    m_outputTitle->setObjectName(QStringLiteral("liveOutputTitle"));

    m_empty->setObjectName(QStringLiteral("liveEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setText(tr("Nothing is running or waiting."));
    m_empty->hide();

    m_cancel->setObjectName(QStringLiteral("cancelTaskAction"));
    m_cancel->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_cancel->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_raise->setObjectName(QStringLiteral("raisePriorityAction"));
    m_raise->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Up));
    m_raise->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_raise->setToolTip(tr("Run it before others waiting in its queue (priority +%1)").arg(PriorityStep));
    m_table->addAction(m_cancel);
    m_table->addAction(m_raise);
    connect(m_cancel, &QAction::triggered, this, &LiveView::cancelSelected);
    connect(m_raise, &QAction::triggered, this, &LiveView::raiseSelected);

    QHBoxLayout *bar = actionBar({m_cancel, m_raise}, this);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(bar);
    topLayout->addWidget(m_message);
    topLayout->addWidget(m_table, 1);
    topLayout->addWidget(m_empty);
    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_outputTitle);
    bottomLayout->addWidget(m_output, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("liveSplitter"));
    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        showSelectedOutput();
    });
    // Elapsed times and retry countdowns tick once a second.
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        if (isVisible()) {
            m_model->touchColumn(Elapsed);
            m_model->touchColumn(State);
        }
    });
    m_tick->start();
    if (m_engine) {
        connect(m_engine, &EngineHost::progressed, this, &LiveView::applyProgress);
        connect(m_engine, &EngineHost::output, this, &LiveView::appendOutput);
    }
    updateActions();
    showSelectedOutput();
}

LiveView::~LiveView() = default;

void LiveView::refresh()
{
    if (!m_reads.begin())
        return;
    struct Result
    {
        QList<LiveRow> rows;
        QString error;
    };
    m_store->run<Result>(
        this,
        [](Stores &stores) {
            Result result;
            QList<Core::Task> tasks;
            for (const Core::TaskState state :
                 {Core::TaskState::Running, Core::TaskState::Queued, Core::TaskState::RetryWait}) {
                const auto list = stores.tasks.list(state, ListLimit, &result.error);
                if (!list)
                    return result;
                tasks.append(*list);
            }
            // Running first (longest running on top), then in the order they will run.
            std::stable_sort(tasks.begin(), tasks.end(), [](const Core::Task &a, const Core::Task &b) {
                const bool aRunning = a.state == Core::TaskState::Running;
                const bool bRunning = b.state == Core::TaskState::Running;
                if (aRunning != bRunning)
                    return aRunning;
                if (aRunning)
                    return a.startedAt < b.startedAt;
                if (a.spec.priority != b.spec.priority)
                    return a.spec.priority > b.spec.priority;
                const QDateTime aAt = a.runAt.isValid() ? a.runAt : a.createdAt;
                const QDateTime bAt = b.runAt.isValid() ? b.runAt : b.createdAt;
                return aAt != bAt ? aAt < bAt : a.id < b.id;
            });
            for (const Core::Task &task : std::as_const(tasks)) {
                LiveRow row;
                row.task = task;
                row.action = Core::ActionSpec::summary(Core::ActionSpec::redacted(task.spec.action));
                result.rows.append(row);
            }
            return result;
        },
        [this](Result result) {
            if (!result.error.isEmpty()) {
                m_message->showError(tr("Cannot read the tasks: %1").arg(result.error));
            } else {
                m_message->showError(QString());
                const QVariantList keys = selectedKeys(m_table, Model::KeyRole);
                m_model->setRows(result.rows);
                rebuildIndex();
                if (m_table->selectionModel()->selectedRows().isEmpty())
                    selectKeys(m_table, keys, Model::KeyRole);
                m_empty->setVisible(result.rows.isEmpty());
                updateActions();
                int running = 0;
                for (const LiveRow &row : std::as_const(result.rows))
                    running += row.task.state == Core::TaskState::Running ? 1 : 0;
                Q_EMIT countsChanged(running, int(result.rows.size()) - running);
            }
            Q_EMIT refreshed();
            if (m_reads.end())
                refresh();
        });
}

void LiveView::rebuildIndex()
{
    m_rowOf.clear();
    const QList<LiveRow> &rows = m_model->rows();
    m_rowOf.reserve(rows.size());
    for (int i = 0; i < rows.size(); ++i)
        m_rowOf.insert(rows.at(i).task.id, i);
}

void LiveView::applyProgress(const QList<ProgressUpdate> &updates)
{
    // One batch a frame: the rows change in place and the view hears of one span of them, so it
    // repaints once.
    int first = std::numeric_limits<int>::max();
    int last = -1;
    for (const ProgressUpdate &update : updates) {
        const auto it = m_rowOf.constFind(update.taskId);
        if (it == m_rowOf.cend())
            continue;
        LiveRow &row = m_model->mutableRowAt(*it);
        row.task.progress = update.percent;
        row.task.progressMessage = update.message;
        if (row.task.state != Core::TaskState::Running) {
            // Started since the list was read.
            row.task.state = Core::TaskState::Running;
        }
        first = std::min(first, *it);
        last = std::max(last, *it);
    }
    if (last >= 0) {
        ++m_progressRepaints;
        m_model->rowsChanged(first, last, State, Message);
    }
}

void LiveView::appendOutput(qint64 taskId, const QStringList &lines)
{
    auto it = m_lines.find(taskId);
    if (it == m_lines.end()) {
        it = m_lines.insert(taskId, {});
        m_lineOrder.append(taskId);
        while (m_lineOrder.size() > KeptTasks)
            m_lines.remove(m_lineOrder.takeFirst());
    }
    it->append(lines);
    if (it->size() > KeptLines)
        it->remove(0, it->size() - KeptLines);
    if (taskId == m_shownTask) {
        QScrollBar *scroll = m_output->verticalScrollBar();
        const bool atEnd = scroll->value() == scroll->maximum();
        m_output->appendPlainText(lines.join(QLatin1Char('\n')));
        if (atEnd)
            scroll->setValue(scroll->maximum());
    }
}

void LiveView::showSelectedOutput()
{
    const qint64 id = selectedTaskId();
    if (id == m_shownTask && id != 0)
        return;
    m_shownTask = id;
    m_output->clear();
    if (id == 0) {
        m_outputTitle->setText(tr("Output"));
        return;
    }
    m_outputTitle->setText(tr("Output of task %1").arg(id));
    const auto it = m_lines.constFind(id);
    if (it != m_lines.cend()) {
        m_output->setPlainText(it->join(QLatin1Char('\n')));
        m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
    } else if (m_engine && m_engine->mode() == EngineHost::Mode::Monitor) {
        m_output->setPlaceholderText(tr("Another process runs this database; a task's output shows in History "
                                        "when its attempt ends."));
    } else {
        m_output->setPlaceholderText(tr("Nothing printed yet."));
    }
}

qint64 LiveView::selectedTaskId() const
{
    const QVariantList keys = selectedKeys(m_table, Model::KeyRole);
    return keys.isEmpty() ? 0 : keys.first().toLongLong();
}

bool LiveView::selectTask(qint64 taskId)
{
    selectKeys(m_table, {QVariant(taskId)}, Model::KeyRole);
    return selectedTaskId() == taskId;
}

int LiveView::runningCount() const
{
    int running = 0;
    for (const LiveRow &row : m_model->rows())
        running += row.task.state == Core::TaskState::Running ? 1 : 0;
    return running;
}

void LiveView::updateActions()
{
    const bool any = !selectedKeys(m_table, Model::KeyRole).isEmpty();
    m_cancel->setEnabled(any);
    m_raise->setEnabled(any);
}

void LiveView::cancelSelected()
{
    const QVariantList keys = selectedKeys(m_table, Model::KeyRole);
    m_store->run<QString>(
        this,
        [keys](Stores &stores) {
            QStringList errors;
            for (const QVariant &key : keys) {
                QString error;
                if (!stores.tasks.cancel(key.toLongLong(), &error))
                    errors.append(error);
            }
            return errors.join(QStringLiteral("; "));
        },
        [this](const QString &error) {
            m_message->showError(error);
            refresh();
        });
}

void LiveView::raiseSelected()
{
    QList<QPair<qint64, int>> changes;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        const LiveRow &row = m_model->rowAt(index.row());
        changes.append({row.task.id, std::min(1000, row.task.spec.priority + PriorityStep)});
    }
    m_store->run<QString>(
        this,
        [changes](Stores &stores) {
            QStringList errors;
            for (const auto &[id, priority] : changes) {
                QString error;
                if (!stores.tasks.setPriority(id, priority, &error))
                    errors.append(error);
            }
            return errors.join(QStringLiteral("; "));
        },
        [this](const QString &error) {
            m_message->showError(error);
            refresh();
        });
}

QByteArray LiveView::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

bool LiveView::restoreState(const QByteArray &state)
{
    return m_table->horizontalHeader()->restoreState(state);
}

} // namespace Taskdeck::Ui

#include "schedulesview.h"

#include "actions/actionspec.h"
#include "actions/secrets.h"
#include "cron/crondescription.h"
#include "cron/cronexpression.h"
#include "events/eventstore.h"
#include "scheduler/jobstore.h"
#include "uiformat.h"

#include <QAction>
#include <QCheckBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Taskdeck::Ui {

namespace {

constexpr int StatisticsDays = 30;

enum Column { Title, Schedule, Expression, Zone, Next, LastOutcome, SuccessRate, State, ColumnCount };

QString scheduleWords(const Core::Job &job)
{
    if (job.watch.isSet())
        return SchedulesView::tr("when a file matching %1 appears in %2").arg(job.watch.glob, job.watch.dir);
    if (job.schedule.isEmpty())
        return SchedulesView::tr("by hand or by events");
    const Core::CronExpression expression = Core::CronExpression::parse(job.schedule);
    return expression.isValid() ? Core::CronDescription::describe(expression) : job.schedule;
}

QString pausedText(const Core::Job &job)
{
    if (!job.paused)
        return SchedulesView::tr("active");
    QString text = job.resumeAt.isValid() ? SchedulesView::tr("paused until %1").arg(UiFormat::localTime(job.resumeAt))
                                          : SchedulesView::tr("paused");
    if (!job.pauseReason.isEmpty())
        text += QStringLiteral(": ") + job.pauseReason;
    return text;
}

QList<SchedulesView::Model::Column> columns()
{
    using Row = JobRow;
    const auto display = [](auto text) {
        return [text](const Row &row, int role) -> QVariant {
            if (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == SchedulesView::Model::SortRole)
                return text(row);
            return {};
        };
    };
    return {
        {SchedulesView::tr("Job"),
         [](const Row &row, int role) -> QVariant {
             const Core::Job &job = row.stored.job;
             if (role == Qt::DisplayRole || role == SchedulesView::Model::SortRole)
                 return job.title.isEmpty() ? job.id : job.title;
             if (role == Qt::ToolTipRole)
                 return job.description.isEmpty() ? job.id : job.id + QStringLiteral("\n") + job.description;
             if (role == Qt::DecorationRole && job.paused)
                 return UiFormat::icon(QStringLiteral("pause"));
             return {};
         }},
        {SchedulesView::tr("Schedule"), display([](const Row &row) { return row.scheduleWords; })},
        {SchedulesView::tr("As written"), display([](const Row &row) {
             return row.stored.job.schedule.isEmpty() ? QStringLiteral("—") : row.stored.job.schedule;
         })},
        {SchedulesView::tr("Time zone"), display([](const Row &row) { return row.zone; })},
        {SchedulesView::tr("Next run"),
         [](const Row &row, int role) -> QVariant {
             if (role == SchedulesView::Model::SortRole)
                 return row.nextFire.isValid() ? row.nextFire.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max();
             if (role == Qt::DisplayRole) {
                 if (!row.nextFire.isValid())
                     return QStringLiteral("—");
                 return SchedulesView::tr("%1 (%2)").arg(
                     UiFormat::countdown(row.nextFire, QDateTime::currentDateTimeUtc()),
                     row.nextFire.toTimeZone(Core::zoneOf(row.stored.job)).toString(QStringLiteral("ddd HH:mm")));
             }
             if (role == Qt::ToolTipRole)
                 return UiFormat::localTime(row.nextFire);
             return {};
         }},
        {SchedulesView::tr("Last outcome"),
         [](const Row &row, int role) -> QVariant {
             if (role == Qt::DisplayRole || role == SchedulesView::Model::SortRole)
                 return row.stats.lastOutcome.isEmpty() ? QStringLiteral("—")
                                                        : UiFormat::stateText(row.stats.lastOutcome);
             if (role == Qt::ToolTipRole && row.stats.lastFinishedAt.isValid())
                 return SchedulesView::tr("ended %1").arg(UiFormat::localTime(row.stats.lastFinishedAt));
             if (role == Qt::ForegroundRole && !row.stats.lastOutcome.isEmpty())
                 return UiFormat::stateColor(row.stats.lastOutcome, QPalette());
             return {};
         }},
        {SchedulesView::tr("Success"),
         [](const Row &row, int role) -> QVariant {
             const double rate = row.stats.successRate();
             if (role == SchedulesView::Model::SortRole)
                 return rate;
             if (role == Qt::DisplayRole)
                 return rate < 0 ? QStringLiteral("—") : QStringLiteral("%1%").arg(qRound(rate * 100));
             if (role == Qt::ToolTipRole)
                 return SchedulesView::tr("%1 succeeded, %2 failed, %3 dead letters now (last %4 days)")
                     .arg(row.stats.succeeded)
                     .arg(row.stats.failed)
                     .arg(row.stats.deadLetters)
                     .arg(StatisticsDays);
             if (role == Qt::TextAlignmentRole)
                 return int(Qt::AlignRight | Qt::AlignVCenter);
             return {};
         },
         SchedulesView::tr("Runs that succeeded of those that ended, over the last 30 days")},
        {SchedulesView::tr("State"), display([](const Row &row) { return pausedText(row.stored.job); })},
    };
}

// Sorts by SortRole and filters on every column's text.
class JobsProxy final : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        const QRegularExpression pattern = filterRegularExpression();
        if (pattern.pattern().isEmpty())
            return true;
        for (int column = 0; column < sourceModel()->columnCount(); ++column) {
            if (sourceModel()->index(row, column, parent).data().toString().contains(pattern))
                return true;
        }
        const QModelIndex first = sourceModel()->index(row, 0, parent);
        return first.data(SchedulesView::Model::KeyRole).toString().contains(pattern);
    }
};

} // namespace

SchedulesView::SchedulesView(StoreClient *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new Model(
          columns(), [](const JobRow &row) { return QVariant(row.stored.job.id); }, this))
    , m_proxy(new JobsProxy(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_message(new MessageLine(QStringLiteral("schedulesMessage"), this))
    , m_empty(new QLabel(this))
    , m_tick(new QTimer(this))
{
    setObjectName(QStringLiteral("schedulesView"));
    qRegisterMetaType<JobRow>();
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Model::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);

    setUpTable(m_table, QStringLiteral("schedulesTable"), tr("Jobs"));
    m_table->setModel(m_proxy);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(Next, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->setColumnWidth(Title, 200);
    m_table->setColumnWidth(Schedule, 240);
    m_table->setColumnWidth(Expression, 120);
    m_table->setColumnWidth(Zone, 130);
    m_table->setColumnWidth(Next, 170);

    m_filter->setObjectName(QStringLiteral("schedulesFilter"));
    m_filter->setPlaceholderText(tr("Filter jobs (Ctrl+F)"));
    m_filter->setAccessibleName(tr("Filter jobs"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterRegularExpression(
            QRegularExpression(QRegularExpression::escape(text), QRegularExpression::CaseInsensitiveOption));
    });

    m_empty->setObjectName(QStringLiteral("schedulesEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setText(tr("No jobs yet. Press New (Ctrl+N) to make one, or import a jobs file with "
                        "<tt>taskdeckctl job import FILE</tt>."));
    m_empty->setWordWrap(true);
    m_empty->hide();

    createActions();
    QHBoxLayout *bar = actionBar({m_new, m_edit, m_duplicate, m_delete, m_pause, m_resume, m_runNow}, this);
    bar->addWidget(m_filter, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_message);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_empty);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SchedulesView::updateActions);
    connect(m_table, &QTableView::doubleClicked, m_edit, &QAction::trigger);
    // The countdowns tick every second; once a fire time has passed, the jobs are read again.
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &SchedulesView::tick);
    m_tick->start();
    updateActions();
}

SchedulesView::~SchedulesView() = default;

void SchedulesView::createActions()
{
    const auto make = [this](const QString &icon, const QString &text, const QString &name, const QKeySequence &keys) {
        auto *action = new QAction(UiFormat::icon(icon), text, this);
        action->setObjectName(name);
        if (!keys.isEmpty()) {
            action->setShortcut(keys);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
            action->setToolTip(QStringLiteral("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')),
                                                             keys.toString(QKeySequence::NativeText)));
        }
        m_table->addAction(action);
        return action;
    };
    m_new = make(QStringLiteral("new"), tr("&New"), QStringLiteral("newJobAction"), QKeySequence::New);
    m_new->setShortcutContext(Qt::WindowShortcut); // a new job from any tab
    m_edit = make(QStringLiteral("edit"), tr("&Edit"), QStringLiteral("editJobAction"), QKeySequence(Qt::Key_F2));
    m_duplicate = make(QStringLiteral("duplicate"), tr("Du&plicate"), QStringLiteral("duplicateJobAction"),
                       QKeySequence(Qt::CTRL | Qt::Key_D));
    m_delete = make(QStringLiteral("delete"), tr("&Delete"), QStringLiteral("deleteJobAction"), QKeySequence::Delete);
    m_pause = make(QStringLiteral("pause"), tr("&Pause…"), QStringLiteral("pauseJobAction"), QKeySequence());
    m_resume = make(QStringLiteral("resume"), tr("Res&ume"), QStringLiteral("resumeJobAction"), QKeySequence());
    m_runNow =
        make(QStringLiteral("run"), tr("&Run now"), QStringLiteral("runNowAction"), QKeySequence(Qt::CTRL | Qt::Key_R));

    connect(m_new, &QAction::triggered, this, [this] {
        Core::Job job;
        job.schedule = QStringLiteral("0 * * * *");
        job.task.action = QJsonObject{{QStringLiteral("type"), QStringLiteral("exec")},
                                      {QStringLiteral("program"), QStringLiteral("/bin/true")}};
        Q_EMIT editRequested(job, EditMode::New);
    });
    const auto emitFor = [this](EditMode mode) {
        const QModelIndex current = m_table->currentIndex();
        if (!current.isValid())
            return;
        Q_EMIT editRequested(m_model->rowAt(m_proxy->mapToSource(current).row()).stored.job, mode);
    };
    connect(m_edit, &QAction::triggered, this, [emitFor] { emitFor(EditMode::Edit); });
    connect(m_duplicate, &QAction::triggered, this, [emitFor] { emitFor(EditMode::Duplicate); });
    connect(m_delete, &QAction::triggered, this, &SchedulesView::confirmDelete);
    connect(m_pause, &QAction::triggered, this, &SchedulesView::askPause);
    connect(m_resume, &QAction::triggered, this, [this] {
        const QVariantList ids = selectedKeys(m_table, Model::KeyRole);
        write(
            [ids](Stores &stores) {
                QString error;
                for (const QVariant &id : ids) {
                    if (!stores.jobs.resume(id.toString(), &error))
                        return error;
                }
                return QString();
            },
            tr("Resumed."));
    });
    connect(m_runNow, &QAction::triggered, this, [this] {
        const QString id = selectedJobId();
        if (!id.isEmpty())
            runNow(id);
    });
}

QList<QAction *> SchedulesView::jobActions() const
{
    return {m_new, m_edit, m_duplicate, m_delete, m_pause, m_resume, m_runNow};
}

void SchedulesView::updateActions()
{
    const QVariantList ids = selectedKeys(m_table, Model::KeyRole);
    bool anyPaused = false;
    bool anyActive = false;
    for (const JobRow &row : m_model->rows()) {
        if (!ids.contains(QVariant(row.stored.job.id)))
            continue;
        (row.stored.job.paused ? anyPaused : anyActive) = true;
    }
    m_new->setEnabled(true);
    m_edit->setEnabled(ids.size() == 1);
    m_duplicate->setEnabled(ids.size() == 1);
    m_delete->setEnabled(!ids.isEmpty());
    m_pause->setEnabled(anyActive);
    m_resume->setEnabled(anyPaused);
    m_runNow->setEnabled(ids.size() == 1);
}

QString SchedulesView::selectedJobId() const
{
    const QModelIndex current = m_table->currentIndex();
    if (current.isValid() && m_table->selectionModel()->isRowSelected(current.row(), current.parent()))
        return current.siblingAtColumn(0).data(Model::KeyRole).toString();
    const QVariantList ids = selectedKeys(m_table, Model::KeyRole);
    return ids.isEmpty() ? QString() : ids.first().toString();
}

bool SchedulesView::selectJob(const QString &id)
{
    selectKeys(m_table, {QVariant(id)}, Model::KeyRole);
    return selectedJobId() == id;
}

QString SchedulesView::errorText() const
{
    return m_message->error();
}

void SchedulesView::refresh()
{
    if (!m_reads.begin())
        return;
    struct Result
    {
        QList<JobRow> rows;
        QString error;
    };
    m_store->run<Result>(
        this,
        [](Stores &stores) {
            Result result;
            const auto jobs = stores.jobs.list(&result.error);
            if (!jobs)
                return result;
            const QDateTime now = QDateTime::currentDateTimeUtc();
            QHash<QString, Core::JobStatistics> stats;
            QString why;
            if (const auto list = stores.jobs.statistics(now.addDays(-StatisticsDays), now, QString(), &why)) {
                for (const Core::JobStatistics &item : *list)
                    stats.insert(item.jobId, item);
            }
            for (const Core::StoredJob &stored : *jobs) {
                JobRow row;
                row.stored = stored;
                row.stats = stats.value(stored.job.id);
                // Zone tables and cron parsing happen here, off the GUI thread.
                row.nextFire = Core::nextFire(stored.job, now);
                row.scheduleWords = scheduleWords(stored.job);
                row.zone = stored.job.timeZone.isEmpty()
                               ? SchedulesView::tr("system (%1)").arg(QString::fromUtf8(QTimeZone::systemTimeZoneId()))
                               : stored.job.timeZone;
                result.rows.append(row);
            }
            return result;
        },
        [this](Result result) {
            if (!result.error.isEmpty()) {
                m_message->showError(tr("Cannot read the jobs: %1").arg(result.error));
            } else {
                const QVariantList keys = selectedKeys(m_table, Model::KeyRole);
                const int before = m_model->rowCount();
                m_model->setRows(result.rows);
                if (m_model->rowCount() != before || m_table->selectionModel()->selectedRows().isEmpty())
                    selectKeys(m_table, keys, Model::KeyRole);
                m_empty->setVisible(result.rows.isEmpty());
                m_table->setVisible(!result.rows.isEmpty());
                updateActions();
                Q_EMIT jobsChanged(result.rows);
            }
            Q_EMIT refreshed();
            if (m_reads.end())
                refresh();
        });
}

void SchedulesView::tick()
{
    if (!isVisible())
        return;
    m_model->touchColumn(Next);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const JobRow &row : m_model->rows()) {
        // A fire time passed: its next one (and the outcome) are worth reading again.
        if (row.nextFire.isValid() && row.nextFire.addSecs(2) < now) {
            refresh();
            return;
        }
    }
}

void SchedulesView::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void SchedulesView::write(std::function<QString(Stores &)> work, const QString &done)
{
    m_store->run<QString>(this, std::move(work), [this, done](const QString &error) {
        if (error.isEmpty())
            m_message->showMessage(done);
        else
            m_message->showError(error);
        refresh();
    });
}

void SchedulesView::runNow(const QString &jobId)
{
    struct Result
    {
        qint64 taskId = 0;
        QString error;
    };
    m_store->run<Result>(
        this,
        [jobId](Stores &stores) {
            Result result;
            if (const auto id = stores.jobs.runNow(jobId, &result.error))
                result.taskId = *id;
            return result;
        },
        [this, jobId](Result result) {
            if (result.taskId == 0) {
                m_message->showError(tr("Cannot run %1: %2").arg(jobId, result.error));
                return;
            }
            m_message->showMessage(tr("Queued task %1 for %2.").arg(result.taskId).arg(jobId));
            Q_EMIT runQueued(jobId, result.taskId);
            refresh();
        });
}

void SchedulesView::pauseAll(const QString &reason)
{
    write(
        [reason](Stores &stores) {
            QString error;
            return stores.jobs.pauseAll(reason, QDateTime(), &error) ? QString() : error;
        },
        tr("Every job is paused."));
}

void SchedulesView::resumeAll()
{
    write(
        [](Stores &stores) {
            QString error;
            return stores.jobs.resumeAll(&error) ? QString() : error;
        },
        tr("Every job is active again."));
}

void SchedulesView::importFile(const QString &path)
{
    write(
        [path](Stores &stores) -> QString {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return tr("%1: %2").arg(path, file.errorString());
            QString why;
            QStringList known;
            for (const Core::StoredJob &stored : stores.jobs.list(&why).value_or(QList<Core::StoredJob>()))
                known.append(stored.job.id);
            const auto content = Core::JobsFile::parseContent(file.read(64 * 1024 * 1024), &why, known, true);
            if (!content)
                return tr("%1: %2").arg(path, why);
            // The secrets the actions name must exist, as the command line checks.
            const QString secretsPath = Core::Secrets::defaultPathFor(stores.path);
            const Core::Secrets secrets =
                Core::Secrets::load(secretsPath, &why).value_or(Core::Secrets(secretsPath, {}));
            for (qsizetype i = 0; i < content->jobs.size(); ++i) {
                const Core::Job &job = content->jobs.at(i);
                QString problem;
                if (!Core::ActionSpec::validate(job.task.action, &problem, &secrets))
                    return tr("%1: jobs[%2] \"%3\": action: %4").arg(path).arg(i).arg(job.id, problem);
            }
            const auto result = stores.jobs.import(content->jobs, content->subscriptions, &why);
            return result ? QString() : why;
        },
        tr("Imported %1.").arg(path));
}

void SchedulesView::exportFile(const QString &path)
{
    write(
        [path](Stores &stores) -> QString {
            QString why;
            const auto stored = stores.jobs.list(&why);
            const auto subscriptions = stored ? stores.events.subscriptions(&why) : std::nullopt;
            if (!stored || !subscriptions)
                return why;
            QList<Core::Job> jobs;
            for (const Core::StoredJob &job : *stored)
                jobs.append(job.job);
            QList<Core::Subscription> definitions;
            for (const Core::StoredSubscription &subscription : *subscriptions)
                definitions.append(subscription.subscription);
            const QByteArray text = Core::JobsFile::write(jobs, definitions);
            QSaveFile file(path); // whole or not at all
            if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit())
                return tr("%1: %2").arg(path, file.errorString());
            return QString();
        },
        tr("Wrote every job and subscription to %1.").arg(path));
}

void SchedulesView::askImport()
{
    auto *dialog = new QFileDialog(this, tr("Import a jobs file"), QString(), tr("Jobs files (*.json);;All files (*)"));
    dialog->setObjectName(QStringLiteral("importDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &SchedulesView::importFile);
    dialog->open();
}

void SchedulesView::askExport()
{
    auto *dialog =
        new QFileDialog(this, tr("Export the jobs"), QStringLiteral("taskdeck-jobs.json"), tr("Jobs files (*.json)"));
    dialog->setObjectName(QStringLiteral("exportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("json"));
    connect(dialog, &QFileDialog::fileSelected, this, &SchedulesView::exportFile);
    dialog->open();
}

void SchedulesView::askPause()
{
    const QVariantList ids = selectedKeys(m_table, Model::KeyRole);
    if (ids.isEmpty())
        return;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("pauseDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(ids.size() == 1 ? tr("Pause %1").arg(ids.first().toString())
                                           : tr("Pause %n jobs", nullptr, int(ids.size())));
    auto *reason = new QLineEdit(dialog);
    reason->setObjectName(QStringLiteral("pauseReason"));
    reason->setPlaceholderText(tr("Why (shown beside the job)"));
    reason->setAccessibleName(tr("Reason"));
    auto *untilBox = new QCheckBox(tr("Resume by itself at"), dialog);
    untilBox->setObjectName(QStringLiteral("pauseUntilEnabled"));
    auto *until = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), dialog);
    until->setObjectName(QStringLiteral("pauseUntil"));
    until->setCalendarPopup(true);
    until->setMinimumDateTime(QDateTime::currentDateTime());
    until->setEnabled(false);
    until->setAccessibleName(tr("Resume at"));
    connect(untilBox, &QCheckBox::toggled, until, &QWidget::setEnabled);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Pause"));
    auto *form = new QFormLayout(dialog);
    form->addRow(tr("Reason:"), reason);
    form->addRow(untilBox, until);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, ids, reason, untilBox, until] {
        const QString why = reason->text().trimmed();
        const QDateTime at = untilBox->isChecked() ? until->dateTime().toUTC() : QDateTime();
        write(
            [ids, why, at](Stores &stores) {
                QString error;
                for (const QVariant &id : ids) {
                    if (!stores.jobs.pause(id.toString(), why, at, &error))
                        return error;
                }
                return QString();
            },
            at.isValid() ? tr("Paused until %1.").arg(UiFormat::localTime(at)) : tr("Paused until resumed."));
        dialog->accept();
    });
    dialog->open();
}

void SchedulesView::confirmDelete()
{
    const QVariantList ids = selectedKeys(m_table, Model::KeyRole);
    if (ids.isEmpty())
        return;
    QStringList names;
    for (const QVariant &id : ids)
        names.append(id.toString());
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Delete jobs"),
        ids.size() == 1 ? tr("Delete the job %1?").arg(names.first())
                        : tr("Delete %n jobs: %1?", nullptr, int(ids.size())).arg(names.join(QStringLiteral(", "))),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteJobsBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("Its schedule stops. Tasks it queued stay in History and Dead letters."));
    QPushButton *remove = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmDeleteButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, remove, names](QAbstractButton *button) {
        if (button != remove)
            return;
        write(
            [names](Stores &stores) {
                QString error;
                for (const QString &id : names) {
                    if (!stores.jobs.remove(id, &error))
                        return QStringLiteral("%1: %2").arg(id, error);
                }
                return QString();
            },
            tr("Deleted %1.").arg(names.join(QStringLiteral(", "))));
    });
    box->open();
}

QByteArray SchedulesView::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

bool SchedulesView::restoreState(const QByteArray &state)
{
    return m_table->horizontalHeader()->restoreState(state);
}

} // namespace Taskdeck::Ui

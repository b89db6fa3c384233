#include "historymodel.h"

#include "queue/taskstore.h"
#include "storeclient.h"
#include "uiformat.h"

#include <QGuiApplication>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QTimeZone>

namespace Taskdeck::Ui {

using namespace Taskdeck::Core;

namespace {

bool sameRow(const HistoryRow &a, const HistoryRow &b)
{
    return a.attemptId == b.attemptId && a.taskId == b.taskId && a.job == b.job && a.number == b.number &&
           a.outcome == b.outcome && a.startedAt == b.startedAt && a.finishedAt == b.finishedAt &&
           a.exitCode == b.exitCode && a.error == b.error && a.cpuTimeMs == b.cpuTimeMs &&
           a.peakMemoryKiB == b.peakMemoryKiB && a.action == b.action && a.taskState == b.taskState;
}

// Error and action text come from the tasks: shown as they are, never as rich text.
QString plainToolTip(const QString &text)
{
    return QStringLiteral("<p style='white-space:pre-wrap'>%1</p>").arg(text.toHtmlEscaped());
}

} // namespace

HistoryModel::HistoryModel(StoreClient *store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{}

HistoryModel::~HistoryModel() = default;

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HistoryRow &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StartedColumn:
            return UiFormat::localTime(row.startedAt);
        case JobColumn:
            return row.job;
        case TaskColumn:
            return row.taskId;
        case AttemptColumn:
            return row.number;
        case OutcomeColumn:
            return UiFormat::stateText(row.outcome);
        case DurationColumn:
            return row.finishedAt.isValid() && row.startedAt.isValid()
                       ? UiFormat::duration(row.startedAt.msecsTo(row.finishedAt))
                       : QString();
        case ExitCodeColumn:
            return row.exitCode >= 0 ? QVariant(row.exitCode) : QVariant(QString());
        case ErrorColumn:
            return UiFormat::firstLine(row.error);
        case ActionColumn:
            return row.action;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case StartedColumn:
            return row.startedAt.toTimeZone(QTimeZone::utc()).toString(Qt::ISODateWithMs);
        case JobColumn:
            return row.job.isEmpty() ? tr("No job") : plainToolTip(row.job);
        case OutcomeColumn:
            return tr("%1 (the task is %2 now)")
                .arg(UiFormat::stateText(row.outcome), UiFormat::stateText(row.taskState));
        case ErrorColumn:
            return row.error.isEmpty() ? QVariant() : QVariant(plainToolTip(row.error.left(2000)));
        case ActionColumn:
            return plainToolTip(row.action);
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == OutcomeColumn)
            return UiFormat::stateColor(row.outcome, QGuiApplication::palette());
        return {};
    case Qt::DecorationRole:
        if (index.column() == OutcomeColumn)
            return outcomeIcon(row.outcome);
        return {};
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case TaskColumn:
        case AttemptColumn:
        case DurationColumn:
        case ExitCodeColumn:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case AttemptIdRole:
        return row.attemptId;
    case TaskIdRole:
        return row.taskId;
    case OutcomeRole:
        return row.outcome;
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StartedColumn:
        return tr("Started");
    case JobColumn:
        return tr("Job");
    case TaskColumn:
        return tr("Task #");
    case AttemptColumn:
        return tr("Attempt");
    case OutcomeColumn:
        return tr("Outcome");
    case DurationColumn:
        return tr("Duration");
    case ExitCodeColumn:
        return tr("Exit code");
    case ErrorColumn:
        return tr("Error");
    case ActionColumn:
        return tr("Action");
    default:
        return {};
    }
}

bool HistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_atEnd && !m_failed;
}

void HistoryModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_inFlight || m_atEnd || m_failed)
        return;
    startRead(m_loaded ? Read::Next : Read::First);
}

void HistoryModel::setFilter(const HistoryFilter &filter)
{
    m_filter = filter;
    ++m_generation;
    m_atEnd = false;
    m_failed = false;
    m_loaded = false;
    m_reloadPending = false;
    if (m_inFlight)
        m_resetPending = true; // asked for when the read in flight is back
    else
        startRead(Read::First);
}

void HistoryModel::reload()
{
    m_failed = false;
    if (!m_loaded) {
        // Nothing to merge into yet: the first page it is.
        if (m_inFlight)
            m_resetPending = true;
        else
            startRead(Read::First);
        return;
    }
    if (m_inFlight)
        m_reloadPending = true;
    else
        startRead(Read::Newest);
}

void HistoryModel::setPageSize(int rows)
{
    m_pageSize = std::max(1, rows);
}

HistoryRow HistoryModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : HistoryRow();
}

int HistoryModel::rowOfAttempt(qint64 attemptId) const
{
    // Rows go by attempt id, descending.
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), attemptId,
                                     [](const HistoryRow &row, qint64 id) { return row.attemptId > id; });
    return it != m_rows.cend() && it->attemptId == attemptId ? int(it - m_rows.cbegin()) : -1;
}

void HistoryModel::startRead(Read read)
{
    const bool wasLoading = m_inFlight;
    m_inFlight = true;
    if (read == Read::First)
        m_resetPending = false;
    if (read == Read::Newest)
        m_reloadPending = false;
    const qint64 before = read == Read::Next && !m_rows.isEmpty() ? m_rows.constLast().attemptId : 0;
    const quint64 generation = m_generation;
    const HistoryFilter filter = m_filter;
    const int limit = m_pageSize;
    m_store->run<Page>(
        this,
        [filter, before, limit](Stores &stores) {
            Page page;
            auto rows = stores.tasks.history(filter, before, limit, &page.error);
            if (rows) {
                page.rows = std::move(*rows);
                page.ok = true;
            }
            return page;
        },
        [this, read, generation, before, limit](const Page &page) {
            applyPage(read, generation, before, limit, page);
        });
    if (!wasLoading)
        Q_EMIT loadingChanged(true);
}

void HistoryModel::applyPage(Read read, quint64 generation, qint64 before, int limit, const Page &page)
{
    // Still "in flight" while the rows go in: a view that asks for more meanwhile is told to wait.
    if (generation == m_generation) {
        if (!page.ok) {
            m_failed = true;
            m_error = page.error.isEmpty() ? tr("The history could not be read.") : page.error;
            Q_EMIT loadFailed(m_error);
        } else {
            m_error.clear();
            const bool complete = page.rows.size() < limit;
            switch (read) {
            case Read::First:
                replaceRows(page.rows);
                m_atEnd = complete;
                m_loaded = true;
                break;
            case Read::Next:
                // Only one read is in flight, so nothing moved the last row meanwhile.
                Q_ASSERT(before == (m_rows.isEmpty() ? 0 : m_rows.constLast().attemptId));
                appendRows(page.rows);
                m_atEnd = complete;
                break;
            case Read::Newest:
                mergeNewest(page.rows, complete);
                break;
            }
            if (read == Read::First)
                Q_EMIT firstPageLoaded();
            Q_EMIT pageLoaded();
        }
    }
    if (m_resetPending) {
        startRead(Read::First);
    } else if (m_reloadPending) {
        startRead(Read::Newest);
    } else {
        m_inFlight = false;
        Q_EMIT loadingChanged(false);
    }
}

void HistoryModel::replaceRows(const QList<HistoryRow> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

void HistoryModel::appendRows(const QList<HistoryRow> &rows)
{
    if (rows.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + int(rows.size()) - 1);
    m_rows.append(rows);
    endInsertRows();
}

void HistoryModel::mergeNewest(const QList<HistoryRow> &rows, bool complete)
{
    if (m_rows.isEmpty()) {
        appendRows(rows);
        m_atEnd = complete;
        return;
    }
    // The page is the truth for every attempt id down to its last (all of them when it is short).
    const qint64 lowest = complete ? 0 : rows.constLast().attemptId;
    if (lowest > m_rows.constFirst().attemptId) {
        // More than a page is new: what lies between is unknown, so start from this page.
        replaceRows(rows);
        m_atEnd = false;
        return;
    }
    // Both lists go by descending id: walk them together, updating, inserting and removing runs.
    int i = 0;
    int j = 0;
    const auto oldInRange = [&](int at) { return at < m_rows.size() && m_rows.at(at).attemptId >= lowest; };
    while (j < rows.size() || oldInRange(i)) {
        const bool haveOld = oldInRange(i);
        if (haveOld && j < rows.size() && m_rows.at(i).attemptId == rows.at(j).attemptId) {
            if (!sameRow(m_rows.at(i), rows.at(j))) {
                m_rows[i] = rows.at(j);
                Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1));
            }
            ++i;
            ++j;
        } else if (j < rows.size() && (!haveOld || rows.at(j).attemptId > m_rows.at(i).attemptId)) {
            const qint64 below = haveOld ? m_rows.at(i).attemptId : -1;
            int k = j;
            while (k < rows.size() && rows.at(k).attemptId > below)
                ++k;
            beginInsertRows(QModelIndex(), i, i + (k - j) - 1);
            for (int n = j; n < k; ++n)
                m_rows.insert(i + (n - j), rows.at(n));
            endInsertRows();
            i += k - j;
            j = k;
        } else {
            const qint64 above = j < rows.size() ? rows.at(j).attemptId : -1;
            int k = i;
            while (oldInRange(k) && m_rows.at(k).attemptId > above)
                ++k;
            beginRemoveRows(QModelIndex(), i, k - 1);
            m_rows.remove(i, k - i);
            endRemoveRows();
        }
    }
    if (complete)
        m_atEnd = true;
}

QIcon HistoryModel::outcomeIcon(const QString &outcome) const
{
    // A dot in the outcome's colour; the text next to it says the same for those who cannot tell.
    const QColor color = UiFormat::stateColor(outcome, QGuiApplication::palette());
    const bool running = outcome.isEmpty();
    const QString key = color.name(QColor::HexArgb) + (running ? QLatin1String("/running") : QLatin1String());
    auto it = m_icons.constFind(key);
    if (it != m_icons.constEnd())
        return *it;
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(running ? QRectF(4, 4, 8, 8) : QRectF(2, 2, 12, 12)); // running: a smaller dot
    }
    QIcon icon(pixmap);
    m_icons.insert(key, icon);
    return icon;
}

} // namespace Taskdeck::Ui

#pragma once

#include <QAbstractItemView>
#include <QAbstractTableModel>
#include <QItemSelectionModel>
#include <QList>
#include <QSortFilterProxyModel>
#include <QVariant>

#include <functional>

namespace Taskdeck::Ui {

// A table of value rows whose columns are described by functions: what the Schedules, Live, Dead
// letters and Events tabs show. setRows() swaps the rows for new ones read from the store; when the
// same keys come back in the same order only the cells change (no reset, so selection, scrolling
// and editors stay), otherwise the model resets and views restore their selection by key.
template<typename Row>
class RowListModel : public QAbstractTableModel
{
public:
    struct Column
    {
        QString title;
        // The cell's data for a role; an invalid QVariant for roles it does not answer.
        std::function<QVariant(const Row &row, int role)> data;
        QString toolTip = {};
    };
    using Key = std::function<QVariant(const Row &row)>;

    RowListModel(QList<Column> columns, Key key, QObject *parent = nullptr)
        : QAbstractTableModel(parent)
        , m_columns(std::move(columns))
        , m_key(std::move(key))
    {}

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_columns.size());
    }
    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_columns.size())
            return {};
        if (role == KeyRole)
            return m_key(m_rows.at(index.row()));
        return m_columns.at(index.column()).data(m_rows.at(index.row()), role);
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || section < 0 || section >= m_columns.size())
            return {};
        if (role == Qt::DisplayRole)
            return m_columns.at(section).title;
        if (role == Qt::ToolTipRole && !m_columns.at(section).toolTip.isEmpty())
            return m_columns.at(section).toolTip;
        return {};
    }

    void setRows(QList<Row> rows)
    {
        bool sameKeys = rows.size() == m_rows.size();
        for (qsizetype i = 0; sameKeys && i < rows.size(); ++i)
            sameKeys = m_key(rows.at(i)) == m_key(m_rows.at(i));
        if (sameKeys) {
            m_rows = std::move(rows);
            if (!m_rows.isEmpty())
                Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
            return;
        }
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }
    // Changes one row in place (found by key); false when it is not there.
    bool updateRow(const QVariant &key, const std::function<void(Row &)> &change, int firstColumn = 0,
                   int lastColumn = -1)
    {
        for (qsizetype i = 0; i < m_rows.size(); ++i) {
            if (m_key(m_rows.at(i)) == key) {
                change(m_rows[i]);
                Q_EMIT dataChanged(index(int(i), firstColumn),
                                   index(int(i), lastColumn < 0 ? columnCount() - 1 : lastColumn));
                return true;
            }
        }
        return false;
    }
    // Tells views that a column's cells changed (a countdown ticking).
    void touchColumn(int column)
    {
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, column), index(rowCount() - 1, column), {Qt::DisplayRole});
    }

    // For changes made in place to many rows at once, announced with rowsChanged() afterwards.
    Row &mutableRowAt(int row) { return m_rows[row]; }
    void rowsChanged(int first, int last, int firstColumn, int lastColumn)
    {
        if (first <= last)
            Q_EMIT dataChanged(index(first, firstColumn), index(last, lastColumn));
    }

    const QList<Row> &rows() const { return m_rows; }
    const Row &rowAt(int row) const { return m_rows.at(row); }

    static constexpr int KeyRole = Qt::UserRole + 100;
    static constexpr int SortRole = Qt::UserRole + 101;

private:
    QList<Column> m_columns;
    Key m_key;
    QList<Row> m_rows;
};

// The keys of the rows selected in a view (through any proxy), and selecting them again after a
// reset.
inline QVariantList selectedKeys(const QAbstractItemView *view, int keyRole)
{
    QVariantList keys;
    if (!view->selectionModel())
        return keys;
    const QModelIndexList rows = view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        keys.append(index.data(keyRole));
    return keys;
}

inline void selectKeys(QAbstractItemView *view, const QVariantList &keys, int keyRole)
{
    QAbstractItemModel *model = view->model();
    if (!model || !view->selectionModel() || keys.isEmpty())
        return;
    QItemSelection selection;
    QModelIndex current;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (keys.contains(index.data(keyRole))) {
            selection.select(index, model->index(row, model->columnCount() - 1));
            if (!current.isValid())
                current = index;
        }
    }
    if (current.isValid()) {
        view->selectionModel()->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
        view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    }
}

} // namespace Taskdeck::Ui

#pragma once

#include "queue/history.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>
#include <QList>
#include <QString>

namespace Taskdeck::Ui {

class StoreClient;

// Every attempt of every task, newest first, read a page at a time through the StoreClient: it
// opens on a million rows as fast as on ten, since nothing is ever counted or read in full. The
// next page comes when the view scrolls near the end (canFetchMore/fetchMore); one read is in flight
// at a time, and its rows are appended when they arrive.
class HistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryModel)

public:
    enum Column {
        StartedColumn,
        JobColumn,
        TaskColumn,
        AttemptColumn,
        OutcomeColumn,
        DurationColumn,
        ExitCodeColumn,
        ErrorColumn,
        ActionColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        AttemptIdRole = Qt::UserRole, // qint64
        TaskIdRole,                   // qint64
        OutcomeRole,                  // as stored: succeeded, failed, ...; empty while it runs
    };

    static constexpr int DefaultPageSize = 200;

    // Reads nothing until setFilter(), reload() or fetchMore() asks. `store` must outlive it.
    explicit HistoryModel(StoreClient *store, QObject *parent = nullptr);
    ~HistoryModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    // Asks for the page after the last row (the first page when there are none); a no-op while a
    // read is in flight.
    void fetchMore(const QModelIndex &parent) override;

    const Core::HistoryFilter &filter() const { return m_filter; }
    // Starts over with this filter: the rows shown so far stay until its first page replaces them.
    void setFilter(const Core::HistoryFilter &filter);
    // Reads the newest page again with the same filter: attempts newer than the first row are
    // inserted on top, rows that changed (a running attempt that ended) are updated in place and
    // rows that no longer match are removed, so a selection survives. When more than a page is new,
    // the page replaces everything.
    void reload();

    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows); // from the next read on; at least 1

    // The row's attempt; a default HistoryRow for a row out of range.
    Core::HistoryRow rowAt(int row) const;
    // The row that shows this attempt, or -1 when it is not loaded.
    int rowOfAttempt(qint64 attemptId) const;

    // A read is in flight (or waits behind one).
    bool isLoading() const { return m_inFlight; }
    // The first page of the current filter has arrived.
    bool hasLoaded() const { return m_loaded; }
    // Why the last read failed; empty after one that worked.
    const QString &errorString() const { return m_error; }

Q_SIGNALS:
    // The first page of the current filter arrived (after setFilter(), or the first fetchMore()).
    void firstPageLoaded();
    // Any read arrived and was applied (first page, next page or reload).
    void pageLoaded();
    void loadingChanged(bool loading);
    // A read failed; the rows stay as they were and no more pages are asked for until setFilter()
    // or reload().
    void loadFailed(const QString &error);

private:
    enum class Read {
        First,  // the first page of the filter: replaces the rows
        Next,   // the page after the last row: appended
        Newest, // the newest page again: merged on top
    };
    struct Page
    {
        QList<Core::HistoryRow> rows;
        QString error;
        bool ok = false;
    };

    void startRead(Read read);
    void applyPage(Read read, quint64 generation, qint64 before, int limit, const Page &page);
    void replaceRows(const QList<Core::HistoryRow> &rows);
    void appendRows(const QList<Core::HistoryRow> &rows);
    void mergeNewest(const QList<Core::HistoryRow> &rows, bool complete);
    QIcon outcomeIcon(const QString &outcome) const;

    StoreClient *m_store;
    Core::HistoryFilter m_filter;
    QList<Core::HistoryRow> m_rows;
    int m_pageSize = DefaultPageSize;
    // Bumped by setFilter(): a page of an older filter that arrives is dropped.
    quint64 m_generation = 0;
    bool m_inFlight = false;
    bool m_resetPending = false;  // the first page of the current filter is wanted
    bool m_reloadPending = false; // reload() was asked while a read was in flight
    bool m_atEnd = false;         // the last page came back short: there is nothing older
    bool m_failed = false;
    bool m_loaded = false;
    QString m_error;
    mutable QHash<QString, QIcon> m_icons; // per colour
};

} // namespace Taskdeck::Ui

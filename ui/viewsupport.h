#pragma once

#include <QLabel>
#include <QList>

#include <utility>

class QAction;
class QHBoxLayout;
class QTableView;

namespace Taskdeck::Ui {

// What the tabs share: the line that reports how an action went, the row of tool buttons above a
// table, the tables' common look, and the guard that keeps one read in flight per view.

// A line above a view's table: an error (in the palette's error colour) or a message; hidden when
// empty. Never a modal dialog.
class MessageLine final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageLine)

public:
    explicit MessageLine(const QString &objectName, QWidget *parent = nullptr);
    ~MessageLine() override;

    void showError(const QString &error);
    void showMessage(const QString &message);
    const QString &error() const { return m_error; }
    // What it shows now; empty when hidden.
    QString shown() const;

private:
    QString m_error;
};

// Makes a label read in the error colour.
void useErrorColour(QLabel *label);

// Tool buttons for `actions` (text beside the icon; a menu's action pops its menu), then a stretch.
QHBoxLayout *actionBar(const QList<QAction *> &actions, QWidget *parent);

// Whole rows selected, alternating colours, one line a row, no row numbers, the last column
// stretched.
void setUpTable(QTableView *table, const QString &objectName, const QString &accessibleName);

// One read in flight per view: a refresh asked for meanwhile runs once the read is back.
class ReadGate
{
public:
    // False (and one more read is due) when a read is in flight.
    bool begin()
    {
        if (m_loading) {
            m_again = true;
            return false;
        }
        m_loading = true;
        return true;
    }
    // The read is back: true when another one was asked for meanwhile.
    bool end()
    {
        m_loading = false;
        return std::exchange(m_again, false);
    }

private:
    bool m_loading = false;
    bool m_again = false;
};

} // namespace Taskdeck::Ui

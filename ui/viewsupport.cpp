#include "viewsupport.h"

#include "uiformat.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QTableView>
#include <QToolButton>

namespace Taskdeck::Ui {

MessageLine::MessageLine(const QString &objectName, QWidget *parent)
    : QLabel(parent)
{
    setObjectName(objectName);
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    hide();
}

MessageLine::~MessageLine() = default;

void MessageLine::showError(const QString &error)
{
    m_error = error;
    setText(error);
    useErrorColour(this);
    setVisible(!error.isEmpty());
}

void MessageLine::showMessage(const QString &message)
{
    m_error.clear();
    setText(message);
    setPalette(QPalette());
    setVisible(!message.isEmpty());
}

QString MessageLine::shown() const
{
    return isVisible() ? text() : QString();
}

void useErrorColour(QLabel *label)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, UiFormat::stateColor(QStringLiteral("failed"), palette));
    label->setPalette(palette);
}

QHBoxLayout *actionBar(const QList<QAction *> &actions, QWidget *parent)
{
    auto *bar = new QHBoxLayout;
    for (QAction *action : actions) {
        auto *button = new QToolButton(parent);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setAutoRaise(true);
        if (action->menu())
            button->setPopupMode(QToolButton::InstantPopup);
        bar->addWidget(button);
    }
    bar->addStretch();
    return bar;
}

void setUpTable(QTableView *table, const QString &objectName, const QString &accessibleName)
{
    table->setObjectName(objectName);
    table->setAccessibleName(accessibleName);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
}

} // namespace Taskdeck::Ui

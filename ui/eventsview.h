#pragma once

#include "events/event.h"
#include "events/subscription.h"
#include "rowlistmodel.h"
#include "viewsupport.h"

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace Taskdeck::Ui {

class StoreClient;

// The Events tab: subscriptions (pause, resume) with what they hold and delivered, the recent
// events with where each went, and a form to publish a test event.
class EventsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsView)

public:
    explicit EventsView(StoreClient *store, QWidget *parent = nullptr);
    ~EventsView() override;

    using SubscriptionModel = RowListModel<Core::StoredSubscription>;
    using EventModel = RowListModel<Core::EventRecord>;
    SubscriptionModel *subscriptions() const { return m_subscriptionModel; }
    EventModel *events() const { return m_eventModel; }
    QTableView *subscriptionTable() const { return m_subscriptionTable; }
    QString errorText() const { return m_message->error(); }
    QString messageText() const { return m_message->shown(); }

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

public Q_SLOTS:
    void refresh();
    void publish(); // the form's topic and data
    void setSelectedPaused(bool paused);

Q_SIGNALS:
    void refreshed();
    void published(qint64 eventId);

private:
    void updateActions();
    void checkForm();

    StoreClient *m_store;
    SubscriptionModel *m_subscriptionModel;
    EventModel *m_eventModel;
    QTableView *m_subscriptionTable;
    QTableView *m_eventTable;
    QLineEdit *m_topic;
    QPlainTextEdit *m_data;
    QPushButton *m_publish;
    QLabel *m_formProblem;
    MessageLine *m_message;
    QAction *m_pause;
    QAction *m_resume;
    ReadGate m_reads;
};

} // namespace Taskdeck::Ui

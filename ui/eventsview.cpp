#include "eventsview.h"

#include "events/eventstore.h"
#include "events/topic.h"
#include "storeclient.h"
#include "uiformat.h"

#include <QAction>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Taskdeck::Ui {

namespace {

constexpr int RecentEvents = 500;

QString compactJson(const QJsonValue &value, int maxChars = 200)
{
    QByteArray text;
    if (value.isObject())
        text = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    else if (value.isArray())
        text = QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    else
        text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    return UiFormat::firstLine(QString::fromUtf8(text), maxChars);
}

QList<EventsView::SubscriptionModel::Column> subscriptionColumns()
{
    using Row = Core::StoredSubscription;
    const auto text = [](auto get) {
        return [get](const Row &row, int role) -> QVariant {
            if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
                return get(row);
            return {};
        };
    };
    return {
        {EventsView::tr("Subscription"),
         [](const Row &row, int role) -> QVariant {
             if (role == Qt::DisplayRole)
                 return row.subscription.name;
             if (role == Qt::DecorationRole && row.subscription.paused)
                 return UiFormat::icon(QStringLiteral("pause"));
             return {};
         }},
        {EventsView::tr("Topic"), text([](const Row &row) { return row.subscription.pattern; })},
        {EventsView::tr("Job"), text([](const Row &row) { return row.subscription.jobId; })},
        {EventsView::tr("Filter"), text([](const Row &row) {
             return row.subscription.filterField.isEmpty()
                        ? QStringLiteral("—")
                        : QStringLiteral("%1 = %2").arg(row.subscription.filterField,
                                                        compactJson(row.subscription.filterValue));
         })},
        {EventsView::tr("Batch"), text([](const Row &row) {
             return row.subscription.isBatched() ? EventsView::tr("%1 events or %2")
                                                       .arg(row.subscription.batchMaxItems)
                                                       .arg(UiFormat::duration(row.subscription.batchMaxWaitMs))
                                                 : EventsView::tr("each event");
         })},
        {EventsView::tr("State"), text([](const Row &row) {
             return row.subscription.paused ? EventsView::tr("paused") : EventsView::tr("active");
         })},
        {EventsView::tr("Waiting"), text([](const Row &row) {
             return row.waiting == 0 ? QStringLiteral("0")
                                     : EventsView::tr("%1 since %2")
                                           .arg(row.waiting)
                                           .arg(UiFormat::localTime(row.oldestWaitingSince));
         })},
        {EventsView::tr("Delivered"), text([](const Row &row) { return QString::number(row.delivered); })},
    };
}

QList<EventsView::EventModel::Column> eventColumns()
{
    using Row = Core::EventRecord;
    const auto text = [](auto get) {
        return [get](const Row &row, int role) -> QVariant {
            if (role == Qt::DisplayRole)
                return get(row);
            return {};
        };
    };
    return {
        {EventsView::tr("Event"), text([](const Row &row) { return QString::number(row.event.id); })},
        {EventsView::tr("Published"), text([](const Row &row) { return UiFormat::localTime(row.event.publishedAt); })},
        {EventsView::tr("Topic"), text([](const Row &row) { return row.event.topic; })},
        {EventsView::tr("Source"), text([](const Row &row) { return row.event.source; })},
        {EventsView::tr("Delivered to"),
         [](const Row &row, int role) -> QVariant {
             if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
                 return {};
             QStringList parts;
             for (const auto &delivery : row.deliveries) {
                 parts.append(delivery.taskId == 0 ? EventsView::tr("%1 (waiting)").arg(delivery.subscription)
                                                   : EventsView::tr("%1 → task %2 %3")
                                                         .arg(delivery.subscription)
                                                         .arg(delivery.taskId)
                                                         .arg(UiFormat::stateText(delivery.taskState)));
             }
             return parts.isEmpty() ? EventsView::tr("no subscriber") : parts.join(QStringLiteral("; "));
         }},
        {EventsView::tr("Data"),
         [](const Row &row, int role) -> QVariant {
             if (role == Qt::DisplayRole)
                 return compactJson(row.event.data);
             if (role == Qt::ToolTipRole)
                 return compactJson(row.event.data, 4000);
             return {};
         }},
    };
}

QTableView *makeTable(QAbstractItemModel *model, const QString &name, const QString &accessibleName, QWidget *parent)
{
    auto *table = new QTableView(parent);
    setUpTable(table, name, accessibleName);
    table->setModel(model);
    return table;
}

} // namespace

EventsView::EventsView(StoreClient *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_subscriptionModel(new SubscriptionModel(
          subscriptionColumns(), [](const Core::StoredSubscription &row) { return QVariant(row.subscription.name); },
          this))
    , m_eventModel(new EventModel(
          eventColumns(), [](const Core::EventRecord &row) { return QVariant(row.event.id); }, this))
    , m_topic(new QLineEdit(this))
    , m_data(new QPlainTextEdit(this))
    , m_publish(new QPushButton(UiFormat::icon(QStringLiteral("publish")), tr("&Publish"), this))
    , m_formProblem(new QLabel(this))
    , m_message(new MessageLine(QStringLiteral("eventsMessage"), this))
    , m_pause(new QAction(UiFormat::icon(QStringLiteral("pause")), tr("&Pause"), this))
    , m_resume(new QAction(UiFormat::icon(QStringLiteral("resume")), tr("&Resume"), this))
{
    setObjectName(QStringLiteral("eventsView"));
    m_subscriptionTable =
        makeTable(m_subscriptionModel, QStringLiteral("subscriptionsTable"), tr("Subscriptions"), this);
    m_subscriptionTable->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_subscriptionTable->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_subscriptionTable->addAction(m_pause);
    m_subscriptionTable->addAction(m_resume);
    for (const auto &[column, width] : {std::pair{0, 150}, {1, 150}, {2, 130}, {3, 160}, {4, 110}, {5, 70}, {6, 150}})
        m_subscriptionTable->setColumnWidth(column, width);
    m_eventTable = makeTable(m_eventModel, QStringLiteral("eventsTable"), tr("Recent events"), this);
    m_eventTable->setColumnWidth(1, 150);
    m_eventTable->setColumnWidth(2, 170);
    m_eventTable->setColumnWidth(4, 300);

    m_pause->setObjectName(QStringLiteral("pauseSubscriptionAction"));
    m_resume->setObjectName(QStringLiteral("resumeSubscriptionAction"));
    m_pause->setToolTip(tr("Hold its events until resumed (nothing is dropped)"));
    connect(m_pause, &QAction::triggered, this, [this] { setSelectedPaused(true); });
    connect(m_resume, &QAction::triggered, this, [this] { setSelectedPaused(false); });

    m_topic->setObjectName(QStringLiteral("publishTopic"));
    m_topic->setAccessibleName(tr("Topic"));
    m_topic->setPlaceholderText(tr("e.g. orders.created"));
    m_data->setObjectName(QStringLiteral("publishData"));
    m_data->setAccessibleName(tr("Data (JSON)"));
    m_data->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_data->setPlaceholderText(QStringLiteral("{\"id\": 42}"));
    m_data->setMaximumHeight(80);
    m_publish->setObjectName(QStringLiteral("publishButton"));
    m_formProblem->setObjectName(QStringLiteral("publishProblem"));
    m_formProblem->setWordWrap(true);
    useErrorColour(m_formProblem);
    connect(m_topic, &QLineEdit::textChanged, this, &EventsView::checkForm);
    connect(m_data, &QPlainTextEdit::textChanged, this, &EventsView::checkForm);
    connect(m_topic, &QLineEdit::returnPressed, this, &EventsView::publish);
    connect(m_publish, &QPushButton::clicked, this, &EventsView::publish);

    QHBoxLayout *bar = actionBar({m_pause, m_resume}, this);

    auto *subscriptionsBox = new QGroupBox(tr("Subscriptions"), this);
    auto *subscriptionsLayout = new QVBoxLayout(subscriptionsBox);
    subscriptionsLayout->addLayout(bar);
    subscriptionsLayout->addWidget(m_subscriptionTable);
    auto *eventsBox = new QGroupBox(tr("Recent events"), this);
    auto *eventsLayout = new QVBoxLayout(eventsBox);
    eventsLayout->addWidget(m_eventTable);
    auto *publishBox = new QGroupBox(tr("Publish a test event"), this);
    auto *form = new QFormLayout(publishBox);
    form->addRow(tr("&Topic:"), m_topic);
    form->addRow(tr("&Data:"), m_data);
    auto *publishRow = new QHBoxLayout;
    publishRow->addWidget(m_formProblem, 1);
    publishRow->addWidget(m_publish);
    form->addRow(publishRow);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("eventsSplitter"));
    splitter->addWidget(subscriptionsBox);
    splitter->addWidget(eventsBox);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);
    layout->addWidget(publishBox);

    connect(m_subscriptionTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &EventsView::updateActions);
    updateActions();
    checkForm();
}

EventsView::~EventsView() = default;

void EventsView::refresh()
{
    if (!m_reads.begin())
        return;
    struct Result
    {
        QList<Core::StoredSubscription> subscriptions;
        QList<Core::EventRecord> events;
        QString error;
    };
    m_store->run<Result>(
        this,
        [](Stores &stores) {
            Result result;
            if (const auto list = stores.events.subscriptions(&result.error))
                result.subscriptions = *list;
            else
                return result;
            if (const auto list = stores.events.list(QString(), RecentEvents, &result.error))
                result.events = *list;
            return result;
        },
        [this](Result result) {
            if (!result.error.isEmpty()) {
                m_message->showError(tr("Cannot read the events: %1").arg(result.error));
            } else {
                const QVariantList keys = selectedKeys(m_subscriptionTable, SubscriptionModel::KeyRole);
                m_subscriptionModel->setRows(result.subscriptions);
                if (m_subscriptionTable->selectionModel()->selectedRows().isEmpty())
                    selectKeys(m_subscriptionTable, keys, SubscriptionModel::KeyRole);
                m_eventModel->setRows(result.events);
                updateActions();
            }
            Q_EMIT refreshed();
            if (m_reads.end())
                refresh();
        });
}

void EventsView::checkForm()
{
    const QString topic = m_topic->text().trimmed();
    QString problem = topic.isEmpty() ? QString() : Core::Topic::problem(topic);
    const QByteArray text = m_data->toPlainText().toUtf8();
    if (!problem.isEmpty())
        problem = tr("topic: %1").arg(problem);
    else if (!text.trimmed().isEmpty())
        if (const QString why = UiFormat::parseJson(text, nullptr); !why.isEmpty())
            problem = tr("data: not JSON: %1").arg(why);
    m_formProblem->setText(problem);
    m_publish->setEnabled(!topic.isEmpty() && problem.isEmpty());
}

void EventsView::publish()
{
    if (!m_publish->isEnabled())
        return;
    const QString topic = m_topic->text().trimmed();
    const QByteArray text = m_data->toPlainText().toUtf8();
    QJsonValue payload;
    if (!text.trimmed().isEmpty())
        UiFormat::parseJson(text, &payload);
    struct Result
    {
        Core::EventStore::Published published;
        QString error;
    };
    m_publish->setEnabled(false);
    m_store->run<Result>(
        this,
        [topic, payload](Stores &stores) {
            Result result;
            if (const auto published = stores.events.publish(topic, payload, QStringLiteral("gui"), &result.error))
                result.published = *published;
            return result;
        },
        [this, topic](Result result) {
            checkForm();
            if (result.published.eventId == 0) {
                m_message->showError(tr("Cannot publish %1: %2").arg(topic, result.error));
            } else {
                const QStringList to = result.published.deliveredTo + result.published.heldBy;
                m_message->showMessage(to.isEmpty() ? tr("Published event %1 on %2; no subscription matched.")
                                                          .arg(result.published.eventId)
                                                          .arg(topic)
                                                    : tr("Published event %1 on %2 to %3.")
                                                          .arg(result.published.eventId)
                                                          .arg(topic, to.join(QStringLiteral(", "))));
                Q_EMIT published(result.published.eventId);
            }
            refresh();
        });
}

void EventsView::setSelectedPaused(bool paused)
{
    const QVariantList keys = selectedKeys(m_subscriptionTable, SubscriptionModel::KeyRole);
    if (keys.isEmpty())
        return;
    m_store->run<QString>(
        this,
        [keys, paused](Stores &stores) {
            for (const QVariant &key : keys) {
                QString error;
                if (!stores.events.setSubscriptionPaused(key.toString(), paused, &error))
                    return QStringLiteral("%1: %2").arg(key.toString(), error);
            }
            return QString();
        },
        [this, paused](const QString &error) {
            if (error.isEmpty())
                m_message->showMessage(paused ? tr("Paused: its events wait until it is resumed.")
                                              : tr("Resumed: what it held is delivered now."));
            else
                m_message->showError(error);
            refresh();
        });
}

void EventsView::updateActions()
{
    bool anyPaused = false;
    bool anyActive = false;
    for (const QModelIndex &index : m_subscriptionTable->selectionModel()->selectedRows())
        (m_subscriptionModel->rowAt(index.row()).subscription.paused ? anyPaused : anyActive) = true;
    m_pause->setEnabled(anyActive);
    m_resume->setEnabled(anyPaused);
}

QByteArray EventsView::saveState() const
{
    return m_eventTable->horizontalHeader()->saveState();
}

bool EventsView::restoreState(const QByteArray &state)
{
    return m_eventTable->horizontalHeader()->restoreState(state);
}

} // namespace Taskdeck::Ui

#include "overviewview.h"

#include "queue/taskstore.h"
#include "scheduler/jobstore.h"
#include "storeclient.h"
#include "uiformat.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFont>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>

namespace Taskdeck::Ui {

namespace {

constexpr int HourMs = 3600 * 1000;
constexpr int RecentFailures = 8;
constexpr int NextFires = 5;
constexpr int MinReadIntervalMs = 2000;
constexpr int ChartJobs = 8; // the slowest jobs in the duration chart

QTreeWidget *makeList(const QStringList &headers, const QString &name, QWidget *parent)
{
    auto *list = new QTreeWidget(parent);
    list->setObjectName(name);
    list->setHeaderLabels(headers);
    list->setRootIsDecorated(false);
    list->setUniformRowHeights(true);
    list->setAlternatingRowColors(true);
    list->header()->setStretchLastSection(true);
    return list;
}

QChartView *makeChartView(const QString &name, const QString &accessibleName, QWidget *parent)
{
    auto *chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *view = new QChartView(chart, parent);
    view->setObjectName(name);
    view->setAccessibleName(accessibleName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(200);
    return view;
}

// The chart follows the window's palette, light or dark.
void applyPalette(QChart *chart, const QPalette &palette)
{
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setTitleBrush(palette.color(QPalette::Text));
    chart->legend()->setLabelColor(palette.color(QPalette::Text));
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsColor(palette.color(QPalette::Text));
        axis->setGridLineColor(palette.color(QPalette::Mid));
        axis->setLinePenColor(palette.color(QPalette::Mid));
    }
}

} // namespace

OverviewView::OverviewView(StoreClient *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_health(new QLabel(this))
    , m_figures(new QLabel(this))
    , m_nextFires(makeList({tr("When"), tr("In"), tr("Job")}, QStringLiteral("overviewNextFires"), this))
    , m_failures(makeList({tr("Ended"), tr("Job"), tr("Task"), tr("Error")}, QStringLiteral("overviewFailures"), this))
    , m_throughputView(makeChartView(QStringLiteral("throughputChart"),
                                     tr("Attempts that succeeded and failed per hour, last 24 hours"), this))
    , m_durationView(makeChartView(QStringLiteral("durationChart"), tr("Median duration per job, last 24 hours"), this))
    , m_later(new QTimer(this))
{
    m_later->setSingleShot(true);
    connect(m_later, &QTimer::timeout, this, &OverviewView::refresh);
    setObjectName(QStringLiteral("overviewView"));
    m_health->setObjectName(QStringLiteral("overviewHealth"));
    m_health->setWordWrap(true);
    m_health->setTextFormat(Qt::RichText);
    m_figures->setObjectName(QStringLiteral("overviewFigures"));
    m_figures->setWordWrap(true);
    m_figures->setTextFormat(Qt::RichText);
    m_nextFires->setAccessibleName(tr("The next five fires"));
    m_failures->setAccessibleName(tr("Recent failures"));
    m_nextFires->setColumnWidth(0, 150);
    m_nextFires->setColumnWidth(1, 110);
    m_failures->setColumnWidth(0, 150);
    m_failures->setColumnWidth(1, 120);
    m_failures->setColumnWidth(2, 60);
    connect(m_failures, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem *item) { Q_EMIT failureActivated(item->data(0, Qt::UserRole).toLongLong()); });
    m_throughputView->chart()->setTitle(tr("Attempts per hour (last 24 h)"));
    m_durationView->chart()->setTitle(tr("Median duration per job (last 24 h)"));

    auto *healthBox = new QGroupBox(tr("Health"), this);
    auto *healthLayout = new QVBoxLayout(healthBox);
    healthLayout->addWidget(m_health);
    healthLayout->addWidget(m_figures);
    auto *firesBox = new QGroupBox(tr("Next fires"), this);
    (new QVBoxLayout(firesBox))->addWidget(m_nextFires);
    auto *failuresBox = new QGroupBox(tr("Recent failures"), this);
    (new QVBoxLayout(failuresBox))->addWidget(m_failures);

    auto *grid = new QGridLayout(this);
    grid->addWidget(healthBox, 0, 0);
    grid->addWidget(firesBox, 0, 1);
    grid->addWidget(m_throughputView, 1, 0);
    grid->addWidget(m_durationView, 1, 1);
    grid->addWidget(failuresBox, 2, 0, 1, 2);
    grid->setRowStretch(1, 2);
    grid->setRowStretch(2, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    showHealth();
}

OverviewView::~OverviewView() = default;

void OverviewView::setEngineState(const QString &scheduler, int busyWorkers, int totalWorkers)
{
    m_scheduler = scheduler;
    m_busy = busyWorkers;
    m_total = totalWorkers;
    showHealth();
}

QString OverviewView::healthText() const
{
    return m_health->text();
}

void OverviewView::showHealth()
{
    const Core::QueueStatistics &queue = m_data.queue;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList lines;
    lines.append(tr("<b>Scheduler:</b> %1").arg(m_scheduler.isEmpty() ? tr("starting…") : m_scheduler.toHtmlEscaped()));
    lines.append(m_total > 0 ? tr("<b>Workers:</b> %1 busy of %2").arg(m_busy).arg(m_total)
                             : tr("<b>Workers:</b> %1 busy").arg(m_busy));
    lines.append(tr("<b>Queue:</b> %n task(s) waiting", nullptr, queue.waiting));
    if (queue.oldestWaitingSince.isValid())
        lines.append(tr("<b>Oldest waiting:</b> due %1").arg(UiFormat::relativeTime(queue.oldestWaitingSince, now)));
    const int dead = queue.perState.value(QStringLiteral("dead"));
    if (dead > 0)
        lines.append(tr("<b style='color:%1'>Dead letters:</b> %2")
                         .arg(UiFormat::stateColor(QStringLiteral("dead"), palette()).name())
                         .arg(dead));
    m_health->setText(lines.join(QStringLiteral("<br>")));
}

void OverviewView::setJobs(const QList<JobRow> &rows)
{
    QList<const JobRow *> next;
    for (const JobRow &row : rows) {
        if (row.nextFire.isValid())
            next.append(&row);
    }
    std::sort(next.begin(), next.end(), [](const JobRow *a, const JobRow *b) { return a->nextFire < b->nextFire; });
    m_nextFires->clear();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const JobRow *row : next.mid(0, NextFires)) {
        auto *item = new QTreeWidgetItem(m_nextFires);
        item->setText(0, UiFormat::localTime(row->nextFire));
        item->setText(1, UiFormat::countdown(row->nextFire, now));
        item->setText(2, row->stored.job.title.isEmpty() ? row->stored.job.id : row->stored.job.title);
        item->setToolTip(2, row->scheduleWords);
    }
    if (next.isEmpty()) {
        auto *item = new QTreeWidgetItem(m_nextFires);
        item->setText(2, tr("No job fires by itself."));
    }
}

void OverviewView::refresh()
{
    if (m_lastRead.isValid() && m_lastRead.elapsed() < MinReadIntervalMs) {
        if (!m_later->isActive())
            m_later->start(int(MinReadIntervalMs - m_lastRead.elapsed()));
        return;
    }
    if (!m_reads.begin())
        return;
    m_lastRead.start();
    m_store->run<OverviewData>(
        this,
        [](Stores &stores) {
            OverviewData data;
            QString error;
            if (const auto queue = stores.tasks.statistics(&error))
                data.queue = *queue;
            const QDateTime now = QDateTime::currentDateTimeUtc();
            // Whole hours, the current one last.
            const qint64 end = (now.toMSecsSinceEpoch() / HourMs + 1) * HourMs;
            const QDateTime to = QDateTime::fromMSecsSinceEpoch(end, QTimeZone::utc());
            if (const auto hours = stores.tasks.activity(to.addMSecs(-24LL * HourMs), to, HourMs, &error))
                data.hours = *hours;
            if (const auto jobs = stores.jobs.statistics(now.addDays(-1), now, QString(), &error))
                data.jobs = *jobs;
            Core::HistoryFilter failures;
            failures.outcomes = {QStringLiteral("failed"), QStringLiteral("timed_out")};
            if (const auto rows = stores.tasks.history(failures, 0, RecentFailures, &error))
                data.recentFailures = *rows;
            return data;
        },
        [this](OverviewData data) {
            show(data);
            Q_EMIT refreshed();
            if (m_reads.end())
                refresh();
        });
}

void OverviewView::show(const OverviewData &data)
{
    m_data = data;
    showHealth();

    int succeeded = 0;
    int failed = 0;
    for (const Core::ActivityBucket &bucket : data.hours) {
        succeeded += bucket.succeeded;
        failed += bucket.failed;
    }
    const int attempts = succeeded + failed;
    m_figures->setText(
        tr("<b>Last 24 hours:</b> %1 attempts, %2 per minute; success rate %3. <b>Last hour:</b> %4 succeeded, "
           "%5 failed attempts. <b>Start latency:</b> p50 %6, p95 %7.")
            .arg(attempts)
            .arg(QLocale().toString(attempts / (24.0 * 60.0), 'f', 2))
            .arg(attempts > 0 ? QStringLiteral("%1%").arg(QLocale().toString(100.0 * succeeded / attempts, 'f', 1))
                              : tr("—"))
            .arg(data.queue.succeededLastHour)
            .arg(data.queue.failedAttemptsLastHour)
            .arg(UiFormat::duration(data.queue.startLatencyP50Ms), UiFormat::duration(data.queue.startLatencyP95Ms)));

    // Throughput: succeeded and failed attempts per hour, stacked.
    QChart *chart = m_throughputView->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis); // hands it back: it is ours to delete
        delete axis;
    }
    auto *ok = new QBarSet(tr("succeeded"));
    auto *bad = new QBarSet(tr("failed"));
    ok->setColor(UiFormat::stateColor(QStringLiteral("succeeded"), palette()));
    bad->setColor(UiFormat::stateColor(QStringLiteral("failed"), palette()));
    QStringList hours;
    int highest = 4; // an empty chart still reads 0 to 4
    QList<Core::ActivityBucket> buckets = data.hours;
    if (buckets.isEmpty()) {
        // Nothing read (no database yet): the same 24 empty hours.
        const qint64 end = (QDateTime::currentMSecsSinceEpoch() / HourMs + 1) * HourMs;
        for (int i = 24; i > 0; --i)
            buckets.append({QDateTime::fromMSecsSinceEpoch(end - qint64(i) * HourMs, QTimeZone::utc()), 0, 0});
    }
    for (const Core::ActivityBucket &bucket : std::as_const(buckets)) {
        *ok << bucket.succeeded;
        *bad << bucket.failed;
        highest = std::max(highest, bucket.succeeded + bucket.failed);
        hours.append(bucket.start.toLocalTime().toString(QStringLiteral("HH:mm")));
    }
    auto *throughput = new QStackedBarSeries;
    throughput->append(ok);
    throughput->append(bad);
    throughput->setBarWidth(0.9);
    chart->addSeries(throughput);
    auto *hourAxis = new QBarCategoryAxis;
    hourAxis->append(hours);
    hourAxis->setTitleText(tr("hour (local time)"));
    hourAxis->setLabelsAngle(-90);
    QFont small = hourAxis->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    hourAxis->setLabelsFont(small);
    auto *countAxis = new QValueAxis;
    countAxis->setRange(0, highest);
    countAxis->setTickCount(5);
    countAxis->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(hourAxis, Qt::AlignBottom);
    chart->addAxis(countAxis, Qt::AlignLeft);
    throughput->attachAxis(hourAxis);
    throughput->attachAxis(countAxis);
    applyPalette(chart, palette());

    // Duration per job: the median of the last 24 hours, slowest first.
    QList<Core::JobStatistics> jobs;
    for (const Core::JobStatistics &job : data.jobs) {
        if (job.p50DurationMs >= 0)
            jobs.append(job);
    }
    std::sort(jobs.begin(), jobs.end(), [](const Core::JobStatistics &a, const Core::JobStatistics &b) {
        return a.p50DurationMs > b.p50DurationMs;
    });
    jobs = jobs.mid(0, ChartJobs);
    std::reverse(jobs.begin(), jobs.end()); // a horizontal chart draws its first category at the bottom
    chart = m_durationView->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis); // hands it back: it is ours to delete
        delete axis;
    }
    auto *durations = new QBarSet(tr("median (s)"));
    durations->setColor(UiFormat::stateColor(QStringLiteral("running"), palette()));
    QStringList names;
    double longest = 0.001;
    for (const Core::JobStatistics &job : std::as_const(jobs)) {
        const double seconds = double(job.p50DurationMs) / 1000.0;
        *durations << seconds;
        longest = std::max(longest, seconds);
        names.append(job.jobId);
    }
    auto *series = new QHorizontalBarSeries;
    series->append(durations);
    chart->addSeries(series);
    auto *jobAxis = new QBarCategoryAxis;
    jobAxis->append(names.isEmpty() ? QStringList{tr("no runs")} : names);
    auto *secondsAxis = new QValueAxis;
    secondsAxis->setRange(0, longest * 1.1);
    secondsAxis->setTitleText(tr("seconds"));
    chart->addAxis(jobAxis, Qt::AlignLeft);
    chart->addAxis(secondsAxis, Qt::AlignBottom);
    series->attachAxis(jobAxis);
    series->attachAxis(secondsAxis);
    chart->legend()->hide();
    applyPalette(chart, palette());

    m_failures->clear();
    for (const Core::HistoryRow &row : data.recentFailures) {
        auto *item = new QTreeWidgetItem(m_failures);
        item->setText(0, UiFormat::localTime(row.finishedAt.isValid() ? row.finishedAt : row.startedAt));
        item->setText(1, row.job.isEmpty() ? QStringLiteral("—") : row.job);
        item->setText(2, QString::number(row.taskId));
        item->setText(3, UiFormat::firstLine(row.error));
        item->setToolTip(3, row.error);
        item->setForeground(3, UiFormat::stateColor(QStringLiteral("failed"), palette()));
        item->setData(0, Qt::UserRole, row.taskId);
    }
    if (data.recentFailures.isEmpty())
        (new QTreeWidgetItem(m_failures))->setText(3, tr("No failures. Everything that ran succeeded."));
}

} // namespace Taskdeck::Ui

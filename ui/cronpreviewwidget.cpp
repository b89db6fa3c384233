#include "cronpreviewwidget.h"

#include "cron/crondescription.h"
#include "cron/cronpreview.h"
#include "isotime.h"
#include "timezones.h"

#include <QComboBox>
#include <QCompleter>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTimeZone>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Taskdeck::Ui {

using namespace Taskdeck::Core;

namespace {

enum FireColumn { LocalColumn, UtcColumn, NoteColumn, FireColumnCount };

// Error text in a red that reads on light and dark palettes alike.
QString errorStyle()
{
    return QStringLiteral("color: #d9534f;");
}

} // namespace

CronPreviewWidget::CronPreviewWidget(QWidget *parent)
    : QWidget(parent)
    , m_expressionEdit(new QLineEdit(this))
    , m_zoneCombo(new QComboBox(this))
    , m_errorLabel(new QLabel(this))
    , m_descriptionLabel(new QLabel(this))
    , m_ruleLabel(new QLabel(this))
    , m_fires(new QTreeWidget(this))
    , m_clockTimer(new QTimer(this))
{
    m_expressionEdit->setObjectName(QStringLiteral("cronExpressionEdit"));
    m_expressionEdit->setPlaceholderText(tr("for example  */15 9-17 * * MON-FRI"));
    m_expressionEdit->setAccessibleName(tr("Cron expression"));
    m_expressionEdit->setClearButtonEnabled(true);
    QFont mono = m_expressionEdit->font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    m_expressionEdit->setFont(mono);

    m_zoneCombo->setObjectName(QStringLiteral("timeZoneCombo"));
    m_zoneCombo->setAccessibleName(tr("Time zone"));
    m_zoneCombo->setEditable(true);
    m_zoneCombo->setInsertPolicy(QComboBox::NoInsert);
    m_zoneCombo->setMaxVisibleItems(20);
    const QList<QByteArray> ids = QTimeZone::availableTimeZoneIds();
    for (const QByteArray &id : ids)
        m_zoneCombo->addItem(QString::fromUtf8(id));
    m_zoneCombo->completer()->setFilterMode(Qt::MatchContains);
    m_zoneCombo->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    m_zoneCombo->completer()->setCompletionMode(QCompleter::PopupCompletion);
    const QByteArray systemZone = QTimeZone::systemTimeZoneId();
    m_zoneCombo->setCurrentText(QString::fromUtf8(systemZone.isEmpty() ? QByteArray("UTC") : systemZone));

    m_errorLabel->setObjectName(QStringLiteral("cronErrorLabel"));
    m_errorLabel->setStyleSheet(errorStyle());
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_descriptionLabel->setObjectName(QStringLiteral("cronDescriptionLabel"));
    QFont bold = m_descriptionLabel->font();
    bold.setBold(true);
    m_descriptionLabel->setFont(bold);
    m_descriptionLabel->setWordWrap(true);
    m_ruleLabel->setObjectName(QStringLiteral("cronRuleLabel"));
    m_ruleLabel->setWordWrap(true);
    m_ruleLabel->setEnabled(false); // the palette's quieter text colour

    m_fires->setObjectName(QStringLiteral("cronFireList"));
    m_fires->setAccessibleName(tr("Next fire times"));
    m_fires->setColumnCount(FireColumnCount);
    m_fires->setHeaderLabels({tr("Next fires (in the zone)"), tr("UTC"), tr("Note")});
    m_fires->setRootIsDecorated(false);
    m_fires->setUniformRowHeights(true);
    m_fires->setSelectionMode(QAbstractItemView::NoSelection);
    m_fires->header()->setStretchLastSection(true);
    // Sized from a sample, not from the contents: the DST rows span all columns.
    const QFontMetrics metrics(m_fires->font());
    m_fires->setColumnWidth(LocalColumn,
                            metrics.horizontalAdvance(QStringLiteral("Wed 2026-10-25 02:30:00 +05:30")) + 24);
    m_fires->setColumnWidth(UtcColumn, metrics.horizontalAdvance(QStringLiteral("2026-10-25 02:30:00")) + 24);

    auto *form = new QFormLayout;
    form->addRow(tr("&Schedule:"), m_expressionEdit);
    form->addRow(QString(), m_errorLabel);
    form->addRow(tr("Time &zone:"), m_zoneCombo);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_descriptionLabel);
    layout->addWidget(m_ruleLabel);
    layout->addWidget(m_fires, 1);

    connect(m_expressionEdit, &QLineEdit::textChanged, this, &CronPreviewWidget::refresh);
    connect(m_zoneCombo, &QComboBox::currentTextChanged, this, &CronPreviewWidget::refresh);
    // "Now" moves on: keep the list current without recomputing more than twice a minute.
    m_clockTimer->setInterval(30 * 1000);
    connect(m_clockTimer, &QTimer::timeout, this, &CronPreviewWidget::showFires);
    m_clockTimer->start();
    refresh();
}

CronPreviewWidget::~CronPreviewWidget() = default;

QString CronPreviewWidget::expression() const
{
    return m_expressionEdit->text();
}

void CronPreviewWidget::setExpression(const QString &expression)
{
    m_expressionEdit->setText(expression);
}

QByteArray CronPreviewWidget::timeZoneId() const
{
    return m_zoneCombo->currentText().trimmed().toUtf8();
}

bool CronPreviewWidget::setTimeZoneId(const QByteArray &id)
{
    if (!TimeZones::find(QString::fromUtf8(id), nullptr))
        return false;
    m_zoneCombo->setCurrentText(QString::fromUtf8(id));
    return true;
}

void CronPreviewWidget::setReferenceTime(const QDateTime &time)
{
    m_referenceTime = time;
    if (time.isValid())
        m_clockTimer->stop();
    else
        m_clockTimer->start();
    showFires();
}

void CronPreviewWidget::setFireCount(int count)
{
    m_fireCount = qBound(1, count, 1000);
    showFires();
}

QString CronPreviewWidget::errorText() const
{
    return m_errorLabel->text();
}

void CronPreviewWidget::refresh()
{
    const QString text = m_expressionEdit->text();
    QString zoneError;
    const std::optional<QTimeZone> zone = TimeZones::find(QString::fromUtf8(timeZoneId()), &zoneError);
    QString error;
    CronExpression expression;
    if (text.trimmed().isEmpty()) {
        error = tr("Enter a cron expression: 5 fields (minute hour day-of-month month day-of-week), "
                   "6 with seconds first, or a macro such as @daily.");
    } else {
        CronError cronError;
        expression = CronExpression::parse(text, &cronError);
        if (!expression.isValid())
            error = cronError.toString();
    }
    if (error.isEmpty() && !zone)
        error = tr("time zone: %1").arg(zoneError);

    m_errorLabel->setText(error);
    m_errorLabel->setVisible(!error.isEmpty());
    m_expressionEdit->setToolTip(error);
    m_schedule = error.isEmpty() ? CronSchedule(expression, *zone) : CronSchedule();
    m_descriptionLabel->setText(m_schedule.isValid() ? CronDescription::describe(expression) : QString());
    const QString rule = m_schedule.isValid() ? CronDescription::describeDstRule(expression) : QString();
    m_ruleLabel->setText(rule.isEmpty() ? QString() : tr("Daylight saving: %1.").arg(rule));
    m_descriptionLabel->setVisible(!m_descriptionLabel->text().isEmpty());
    m_ruleLabel->setVisible(!rule.isEmpty());
    showFires();
    if (m_valid != m_schedule.isValid()) {
        m_valid = m_schedule.isValid();
        Q_EMIT validityChanged(m_valid);
    }
}

void CronPreviewWidget::showFires()
{
    m_fires->clear();
    if (!m_schedule.isValid())
        return;
    const CronExpression &expression = m_schedule.expression();
    if (expression.isReboot()) {
        auto *item = new QTreeWidgetItem(m_fires, {tr("Once, each time the scheduler starts")});
        item->setFirstColumnSpanned(true);
        return;
    }
    const QDateTime from = m_referenceTime.isValid() ? m_referenceTime : QDateTime::currentDateTime();
    const QList<CronPreviewEntry> entries = previewFires(m_schedule, from, m_fireCount);
    if (entries.isEmpty()) {
        auto *item = new QTreeWidgetItem(
            m_fires,
            {expression.canEverMatch() ? tr("Never: every time it matches falls in a skipped DST hour in this zone")
                                       : tr("Never: no date matches this expression")});
        item->setFirstColumnSpanned(true);
        item->setForeground(LocalColumn, QColor(0xd9, 0x53, 0x4f));
        return;
    }
    QFont italic = m_fires->font();
    italic.setItalic(true);
    for (const CronPreviewEntry &entry : entries) {
        for (const auto &change : entry.changesBefore) {
            auto *item = new QTreeWidgetItem(m_fires, {QStringLiteral("\u21c5 ") + describeTransition(change)});
            item->setFirstColumnSpanned(true);
            item->setFont(LocalColumn, italic);
            item->setData(LocalColumn, Qt::AccessibleTextRole, describeTransition(change));
        }
        auto *item = new QTreeWidgetItem(m_fires);
        item->setText(LocalColumn, entry.fire.toString(QStringLiteral("ddd yyyy-MM-dd HH:mm:ss")) + QLatin1Char(' ') +
                                       IsoTime::formatOffset(entry.fire.offsetFromUtc()));
        item->setText(UtcColumn,
                      entry.fire.toTimeZone(QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        if (entry.movedBySkippedTime)
            item->setText(NoteColumn, tr("its time was skipped by the change; runs right after it"));
    }
}

} // namespace Taskdeck::Ui

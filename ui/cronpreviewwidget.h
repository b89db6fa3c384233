#pragma once

#include "cron/cronschedule.h"

#include <QDateTime>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTimer;
class QTreeWidget;

namespace Taskdeck::Ui {

// A cron expression field with everything an operator needs to trust it: validation as you type
// (the field, the problem and its column), the schedule in words, which DST rule applies, and the
// next fires in the chosen zone and in UTC with every DST change between them marked.
// The job editor embeds it; on its own it is the window's cron calculator.
class CronPreviewWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CronPreviewWidget)

public:
    explicit CronPreviewWidget(QWidget *parent = nullptr);
    ~CronPreviewWidget() override;

    QString expression() const;
    void setExpression(const QString &expression);
    QByteArray timeZoneId() const;
    // Returns false (and changes nothing) for an unknown zone.
    bool setTimeZoneId(const QByteArray &id);
    // Fires are listed after this time; an invalid QDateTime (the default) means "now", kept current.
    void setReferenceTime(const QDateTime &time);
    void setFireCount(int count);

    bool isValid() const { return m_schedule.isValid(); }
    const Core::CronSchedule &schedule() const { return m_schedule; }
    QString errorText() const;

Q_SIGNALS:
    void validityChanged(bool valid);

private:
    void refresh();
    void showFires();

    QLineEdit *m_expressionEdit = nullptr;
    QComboBox *m_zoneCombo = nullptr;
    QLabel *m_errorLabel = nullptr;
    QLabel *m_descriptionLabel = nullptr;
    QLabel *m_ruleLabel = nullptr;
    QTreeWidget *m_fires = nullptr;
    QTimer *m_clockTimer = nullptr;

    Core::CronSchedule m_schedule;
    QDateTime m_referenceTime;
    int m_fireCount = 10;
    bool m_valid = false;
};

} // namespace Taskdeck::Ui

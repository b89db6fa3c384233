#pragma once

#include "scheduler/job.h"

#include <QDateTime>
#include <QDialog>

#include <optional>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;
class QTimer;

namespace Taskdeck::Ui {

class CronPreviewWidget;
class StoreClient;

// Adds, edits or duplicates one job: what it runs, when, and its policies, with the retry plan and
// the catch-up preview beside them. Every change is checked at once in the GUI thread by pure
// computation only (cron, JSON, ranges); what needs the disk (an exec program on PATH, a working
// folder, the secrets) is checked by the store when saving, in its worker thread, and a refusal is
// shown inline with the dialog kept open.
class JobEditorDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobEditorDialog)

public:
    enum class Mode { New, Edit, Duplicate };

    explicit JobEditorDialog(StoreClient *store, QWidget *parent = nullptr);
    ~JobEditorDialog() override;

    // New: `job` is the starting point (a default Job for an empty form); Edit: the id is fixed;
    // Duplicate: a new job with the id suffixed "-copy" and the title "… (copy)".
    void setJob(const Core::Job &job, Mode mode);
    // The job as the fields say (fields the dialog does not show, such as the pause, are kept from
    // the job given to setJob()).
    Core::Job job() const;
    // The inline error shown, empty when none.
    QString errorText() const;

Q_SIGNALS:
    // After the store committed the job.
    void saved(const QString &jobId);

private:
    QWidget *createGeneralPage();
    QWidget *createActionPage();
    QWidget *createPoliciesPage();
    QWidget *createExecPage();
    QWidget *createShellPage();
    QWidget *createHttpPage();
    QWidget *createHandlerPage();
    QWidget *createPublishPage();
    QWidget *createJsonPage();
    void connectChanges();

    // What could not be read from the fields, by section (a JSON syntax error, say).
    struct ReadErrors
    {
        QString action;
        QString payload;
        QString retry;
    };
    Core::Job buildJob(ReadErrors *errors) const;

    // The page whose fields say exactly what `action` says; the JSON page when none does.
    int pageFor(const QJsonObject &action) const;
    void fillPage(int page, const QJsonObject &action);
    // The action as `page` says; nullopt with *error when a field cannot be read.
    std::optional<QJsonObject> actionFromPage(int page, QString *error) const;
    void actionTypeChanged(int index);
    void argumentModeChanged(bool shellSplit);

    // Re-checks everything, updates the previews and enables Save accordingly.
    void revalidate();
    // The first problem, in the order of the form; empty when the job can be saved.
    QString problem(const Core::Job &job, const ReadErrors &read) const;
    void showError(const QString &error);
    void updateRetryPlan(const Core::RetryPolicy &policy, bool readable);
    void updateCatchUpPreview(const Core::Job &job);
    void updateDependentFields();
    void requestLastFire();
    void save();

    StoreClient *m_store;
    Mode m_mode = Mode::New;
    Core::Job m_base;                      // the fields the dialog does not show come from here
    std::optional<QDateTime> m_lastFireAt; // Edit: read from the store; unset while reading
    int m_generation = 0;                  // setJob() calls, so that late answers are dropped
    bool m_saving = false;
    bool m_loading = false;

    // General
    QLineEdit *m_idEdit = nullptr;
    QLabel *m_idHint = nullptr;
    QLineEdit *m_titleEdit = nullptr;
    QPlainTextEdit *m_descriptionEdit = nullptr;
    QButtonGroup *m_triggerGroup = nullptr;
    QRadioButton *m_scheduleRadio = nullptr;
    QRadioButton *m_manualRadio = nullptr;
    QRadioButton *m_watchRadio = nullptr;
    QStackedWidget *m_triggerStack = nullptr;
    CronPreviewWidget *m_cron = nullptr;
    QLineEdit *m_watchDirEdit = nullptr;
    QLineEdit *m_watchGlobEdit = nullptr;
    QSpinBox *m_settleSpin = nullptr;
    QCheckBox *m_includeExistingCheck = nullptr;

    // Action
    QComboBox *m_actionTypeCombo = nullptr;
    QStackedWidget *m_actionStack = nullptr;
    QLineEdit *m_programEdit = nullptr;
    QPlainTextEdit *m_argumentsEdit = nullptr;
    QCheckBox *m_shellSplitCheck = nullptr;
    QLineEdit *m_cwdEdit = nullptr;
    QPlainTextEdit *m_envEdit = nullptr;
    QPlainTextEdit *m_shellCommandEdit = nullptr;
    QComboBox *m_httpMethodCombo = nullptr;
    QLineEdit *m_httpUrlEdit = nullptr;
    QPlainTextEdit *m_httpHeadersEdit = nullptr;
    QPlainTextEdit *m_httpBodyEdit = nullptr;
    QLineEdit *m_httpAcceptEdit = nullptr;
    QLineEdit *m_handlerNameEdit = nullptr;
    QLineEdit *m_publishTopicEdit = nullptr;
    QPlainTextEdit *m_publishDataEdit = nullptr;
    QPlainTextEdit *m_actionJsonEdit = nullptr;
    QPlainTextEdit *m_payloadEdit = nullptr;
    int m_actionPage = 0;

    // Policies
    QLineEdit *m_queueEdit = nullptr;
    QSpinBox *m_prioritySpin = nullptr;
    QSpinBox *m_timeoutSpin = nullptr;
    QSpinBox *m_maxAttemptsSpin = nullptr;
    QRadioButton *m_backoffRadio = nullptr;
    QRadioButton *m_delaysRadio = nullptr;
    QDoubleSpinBox *m_backoffBaseSpin = nullptr;
    QDoubleSpinBox *m_backoffMaxSpin = nullptr;
    QLineEdit *m_delaysEdit = nullptr;
    QCheckBox *m_retryJitterCheck = nullptr;
    QLineEdit *m_noRetryCodesEdit = nullptr;
    QComboBox *m_overlapCombo = nullptr;
    QLabel *m_overlapExplanation = nullptr;
    QComboBox *m_misfireCombo = nullptr;
    QLabel *m_misfireExplanation = nullptr;
    QSpinBox *m_misfireMaxSpin = nullptr;
    QSpinBox *m_startingDeadlineSpin = nullptr;
    QSpinBox *m_jitterSpin = nullptr;
    QList<QCheckBox *> m_notifyChecks;
    QTableWidget *m_retryPlan = nullptr;
    QLabel *m_retrySummary = nullptr;
    QLabel *m_catchUpLabel = nullptr;

    QLabel *m_errorLabel = nullptr;
    QPushButton *m_saveButton = nullptr;
    QTimer *m_clockTimer = nullptr;
};

} // namespace Taskdeck::Ui

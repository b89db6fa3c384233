#include "jobeditordialog.h"

#include "actions/actionspec.h"
#include "actions/maintenanceaction.h"
#include "actions/placeholders.h"
#include "actions/secrets.h"
#include "cronpreviewwidget.h"
#include "isotime.h"
#include "scheduler/jobstore.h"
#include "scheduler/scheduler.h"
#include "storeclient.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace Taskdeck::Ui {

using namespace Taskdeck::Core;

namespace {

// The pages of the action stack, in the order of the type combo.
enum ActionPage { ExecPage, ShellPage, HttpPage, HandlerPage, PublishPage, JsonPage, ActionPageCount };
enum Trigger { ScheduleTrigger, ManualTrigger, WatchTrigger };
enum RetryColumn { AttemptColumn, StartsColumn, RetryColumnCount };

const QStringList HttpMethods{QStringLiteral("GET"),   QStringLiteral("POST"),   QStringLiteral("PUT"),
                              QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD")};
const QStringList NotifyEvents{QStringLiteral("failure"), QStringLiteral("dead_letter"), QStringLiteral("misfire"),
                               QStringLiteral("success")};
constexpr qint64 DayMs = 86400LL * 1000;
constexpr qint64 YearMs = 365 * DayMs; // the longest retry delay a job may store

// Error text in a red that reads on light and dark palettes alike (as the cron preview's).
QString errorStyle()
{
    return QStringLiteral("color: #d9534f;");
}

void useMonospace(QWidget *widget)
{
    QFont mono = widget->font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    widget->setFont(mono);
}

QPlainTextEdit *textEdit(const QString &objectName, const QString &accessibleName, int lines, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setTabChangesFocus(true);
    const int lineHeight = edit->fontMetrics().lineSpacing();
    edit->setMinimumHeight(lineHeight * std::min(lines, 2) + 12);
    edit->setMaximumHeight(lineHeight * lines + 12);
    return edit;
}

// A form at the top of a page of the action stack, its rows not spread over the page's height.
QFormLayout *topAlignedForm(QWidget *page)
{
    auto *layout = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    layout->addStretch(1);
    return form;
}

QLabel *hintLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setEnabled(false); // the palette's quieter text colour
    return label;
}

QString systemZoneName()
{
    const QByteArray id = QTimeZone::systemTimeZoneId();
    return QString::fromUtf8(id.isEmpty() ? QByteArray("UTC") : id);
}

// "line 2, column 7" for a byte offset into UTF-8 text.
QString positionText(const QByteArray &utf8, qsizetype byteOffset)
{
    const QString before = QString::fromUtf8(utf8.left(std::clamp<qsizetype>(byteOffset, 0, utf8.size())));
    const qsizetype line = before.count(QLatin1Char('\n')) + 1;
    const qsizetype column = before.size() - before.lastIndexOf(QLatin1Char('\n'));
    return JobEditorDialog::tr("line %1, column %2").arg(line).arg(column);
}

// Any JSON value (an object, an array, a string, a number...); the error gives its position.
std::optional<QJsonValue> parseJson(const QString &text, QString *error)
{
    const QByteArray utf8 = text.toUtf8();
    // QJsonDocument reads objects and arrays only: the value goes inside one.
    QByteArray wrapped;
    wrapped.reserve(utf8.size() + 2);
    wrapped.append('[').append(utf8).append(']');
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Qt's offset is just past the character in error, and counts the '[' in front.
        *error = JobEditorDialog::tr("%1: %2").arg(positionText(utf8, parseError.offset - 2), parseError.errorString());
        return std::nullopt;
    }
    if (document.array().size() != 1) {
        *error = JobEditorDialog::tr("expected one JSON value");
        return std::nullopt;
    }
    return document.array().first();
}

QString jsonText(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    if (value.isNull() || value.isUndefined())
        return QString();
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

// A duration for people: "500 ms", "1.5 s", "1 min 30 s", "2 h", "1 d 6 h".
QString durationText(qint64 ms)
{
    if (ms <= 0)
        return JobEditorDialog::tr("0 s");
    if (ms < 1000)
        return JobEditorDialog::tr("%1 ms").arg(ms);
    if (ms < 60 * 1000)
        return JobEditorDialog::tr("%1 s").arg(QString::number(double(ms) / 1000.0, 'g', 4));
    const qint64 seconds = ms / 1000;
    const qint64 days = seconds / 86400;
    const qint64 hours = seconds / 3600 % 24;
    const qint64 minutes = seconds / 60 % 60;
    QStringList parts;
    if (days > 0)
        parts.append(JobEditorDialog::tr("%1 d").arg(days));
    if (hours > 0)
        parts.append(JobEditorDialog::tr("%1 h").arg(hours));
    if (minutes > 0 && days == 0)
        parts.append(JobEditorDialog::tr("%1 min").arg(minutes));
    if (seconds % 60 > 0 && days == 0 && hours == 0)
        parts.append(JobEditorDialog::tr("%1 s").arg(seconds % 60));
    return parts.join(QLatin1Char(' '));
}

// One delay of the explicit list as it is written back: the largest unit that says it exactly.
QString delayToken(qint64 ms)
{
    if (ms == 0)
        return QStringLiteral("0s");
    if (ms % DayMs == 0)
        return QStringLiteral("%1d").arg(ms / DayMs);
    if (ms % (3600 * 1000) == 0)
        return QStringLiteral("%1h").arg(ms / (3600 * 1000));
    if (ms % (60 * 1000) == 0)
        return QStringLiteral("%1min").arg(ms / (60 * 1000));
    if (ms % 1000 == 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1ms").arg(ms);
}

// "30", "30s", "1.5 min", "500ms", "2h", "1d"; a bare number is seconds.
std::optional<qint64> parseDelay(const QString &token)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?$)"),
                                            QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = pattern.match(token.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const QString unit = match.captured(2).toLower();
    double factor = 1000;
    if (unit == QLatin1String("ms"))
        factor = 1;
    else if (unit == QLatin1String("m") || unit == QLatin1String("min"))
        factor = 60 * 1000;
    else if (unit == QLatin1String("h"))
        factor = 3600 * 1000;
    else if (unit == QLatin1String("d"))
        factor = double(DayMs);
    const double ms = match.captured(1).toDouble() * factor;
    if (ms > double(YearMs))
        return std::nullopt;
    return qint64(std::llround(ms));
}

QStringList splitList(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral(R"([,;\s]+)"));
    return text.split(separators, Qt::SkipEmptyParts);
}

// The lines of a "one per line" field, numbered from 1; blank lines are left out.
QList<std::pair<int, QString>> numberedLines(const QString &text)
{
    QList<std::pair<int, QString>> lines;
    const QStringList all = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < all.size(); ++i) {
        QString line = all.at(i);
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        if (!line.trimmed().isEmpty())
            lines.append({int(i + 1), line});
    }
    return lines;
}

QStringList argumentLines(const QString &text)
{
    QStringList arguments;
    for (const auto &[number, line] : numberedLines(text))
        arguments.append(line);
    return arguments;
}

// One word as QProcess::splitCommand() reads it back: double quotes around spaces, and a literal
// quote written as three.
QString quotedArgument(const QString &argument)
{
    static const QRegularExpression plain(QStringLiteral(R"(^[^\s"]+$)"));
    if (plain.match(argument).hasMatch())
        return argument;
    QString quoted = argument;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

bool isStringArray(const QJsonValue &value)
{
    const QJsonArray array = value.toArray();
    return value.isArray() && std::all_of(array.begin(), array.end(), [](const QJsonValue &v) { return v.isString(); });
}

bool isStringObject(const QJsonValue &value)
{
    const QJsonObject object = value.toObject();
    return value.isObject() &&
           std::all_of(object.begin(), object.end(), [](const QJsonValue &v) { return v.isString(); });
}

bool hasOnlyKeys(const QJsonObject &object, const QStringList &keys)
{
    const QStringList present = object.keys();
    return std::all_of(present.begin(), present.end(),
                       [&keys](const QString &key) { return key == QLatin1String("type") || keys.contains(key); });
}

// Lines of "key<separator>value" written back into a field; false when the text could not say
// the same (a line break in a value, the separator in a key).
bool pairsText(const QJsonObject &object, QChar separator, const QString &joiner, QString *text)
{
    QStringList lines;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QString value = it.value().toString();
        if (key.isEmpty() || key != key.trimmed() || key.contains(separator) || key.contains(QLatin1Char('\n')) ||
            value.contains(QLatin1Char('\n')) || (separator == QLatin1Char(':') && value != value.trimmed()))
            return false;
        lines.append(key + joiner + value);
    }
    *text = lines.join(QLatin1Char('\n'));
    return true;
}

// The checks of ActionSpec::validate that need no disk: an exec program is looked up on PATH and a
// working folder on disk there, and composite and maintenance actions may name both, so those are
// left to the store's check when saving.
bool checkActionWithoutDisk(const QJsonObject &action, QString *error)
{
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("pipeline") || type == QLatin1String("iterate") || MaintenanceAction::isMaintenance(type))
        return true;
    if (type != QLatin1String("exec"))
        return ActionSpec::validate(action, error);
    if (Placeholders::contains(action) && !Placeholders::checkAction(action, PlaceholderRules(), error))
        return false;
    const auto fail = [error](const QString &why) {
        *error = why;
        return false;
    };
    if (action.value(QStringLiteral("program")).toString().trimmed().isEmpty())
        return fail(QStringLiteral("exec: the program is missing"));
    if (action.contains(QStringLiteral("args")) && !isStringArray(action.value(QStringLiteral("args"))))
        return fail(QStringLiteral("exec: args must be an array of strings"));
    if (action.contains(QStringLiteral("cwd")) && action.value(QStringLiteral("cwd")).toString().isEmpty())
        return fail(QStringLiteral("exec: the working directory '' is not a folder"));
    if (action.contains(QStringLiteral("env")) && !isStringObject(action.value(QStringLiteral("env"))))
        return fail(QStringLiteral("exec: env must be an object of strings"));
    return true;
}

QString fireText(const QDateTime &time, const QTimeZone &zone)
{
    if (!time.isValid())
        return JobEditorDialog::tr("never");
    const QDateTime local = time.toTimeZone(zone);
    return local.toString(QStringLiteral("ddd yyyy-MM-dd HH:mm:ss")) + QLatin1Char(' ') +
           IsoTime::formatOffset(local.offsetFromUtc());
}

QString overlapExplanation(OverlapPolicy policy)
{
    switch (policy) {
    case OverlapPolicy::Allow:
        return JobEditorDialog::tr("Runs anyway, side by side with the previous run.");
    case OverlapPolicy::Skip:
        return JobEditorDialog::tr("Records the fire as skipped (not failed) while the previous run waits or runs.");
    case OverlapPolicy::QueueOne:
        return JobEditorDialog::tr("At most one run waits behind the running one; further fires are skipped.");
    case OverlapPolicy::Replace:
        return JobEditorDialog::tr("Cancels the running one and starts anew.");
    }
    return QString();
}

QString misfireExplanation(MisfirePolicy policy)
{
    switch (policy) {
    case MisfirePolicy::Skip:
        return JobEditorDialog::tr("Fires missed while the scheduler was not running are recorded as missed.");
    case MisfirePolicy::Once:
        return JobEditorDialog::tr("One catch-up run now for all the missed fires (systemd's Persistent=).");
    case MisfirePolicy::All:
        return JobEditorDialog::tr("Each missed fire runs, up to the maximum, spread out.");
    }
    return QString();
}

// What the store reads back of an edited job.
struct LastFireRead
{
    QDateTime at; // invalid: none handled yet
    QString error;
};

} // namespace

JobEditorDialog::JobEditorDialog(StoreClient *store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_errorLabel(new QLabel(this))
    , m_clockTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("JobEditorDialog"));

    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("jobEditorTabs"));
    tabs->addTab(createGeneralPage(), tr("&Job"));
    tabs->addTab(createActionPage(), tr("&Action"));
    tabs->addTab(createPoliciesPage(), tr("&Policies"));

    m_errorLabel->setObjectName(QStringLiteral("jobErrorLabel"));
    m_errorLabel->setAccessibleName(tr("Problem"));
    m_errorLabel->setStyleSheet(errorStyle());
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextFormat(Qt::PlainText);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    buttons->setObjectName(QStringLiteral("jobEditorButtons"));
    m_saveButton = buttons->button(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    m_saveButton->setAccessibleName(tr("Save the job"));
    // Saving is asynchronous: the dialog closes once the store has committed, not on the click.
    connect(m_saveButton, &QPushButton::clicked, this, &JobEditorDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &JobEditorDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs, 1);
    layout->addWidget(m_errorLabel);
    layout->addWidget(buttons);

    connectChanges();
    // "Now" moves on: the catch-up preview and first fire follow it, twice a minute.
    m_clockTimer->setInterval(30 * 1000);
    connect(m_clockTimer, &QTimer::timeout, this, [this] { updateCatchUpPreview(job()); });
    m_clockTimer->start();

    resize(900, 650);
    setJob(Job(), Mode::New);
}

JobEditorDialog::~JobEditorDialog() = default;

QWidget *JobEditorDialog::createGeneralPage()
{
    auto *page = new QWidget(this);
    m_idEdit = new QLineEdit(page);
    m_idEdit->setObjectName(QStringLiteral("idEdit"));
    m_idEdit->setAccessibleName(tr("Job id"));
    m_idEdit->setPlaceholderText(tr("for example  nightly-backup"));
    m_idHint = hintLabel(QString(), page);
    m_idHint->setObjectName(QStringLiteral("idHintLabel"));
    m_titleEdit = new QLineEdit(page);
    m_titleEdit->setObjectName(QStringLiteral("titleEdit"));
    m_titleEdit->setAccessibleName(tr("Title"));
    m_titleEdit->setPlaceholderText(tr("a short title for lists"));
    m_descriptionEdit = textEdit(QStringLiteral("descriptionEdit"), tr("Description"), 3, page);
    m_descriptionEdit->setPlaceholderText(tr("what it is for, whom to ask"));

    auto *idColumn = new QVBoxLayout;
    idColumn->setSpacing(2);
    idColumn->addWidget(m_idEdit);
    idColumn->addWidget(m_idHint);
    auto *form = new QFormLayout;
    form->addRow(tr("&Id:"), idColumn);
    form->addRow(tr("&Title:"), m_titleEdit);
    form->addRow(tr("&Description:"), m_descriptionEdit);
    qobject_cast<QLabel *>(form->labelForField(idColumn))->setBuddy(m_idEdit);

    auto *trigger = new QGroupBox(tr("Trigger"), page);
    trigger->setObjectName(QStringLiteral("triggerGroup"));
    m_scheduleRadio = new QRadioButton(tr("On a &schedule"), trigger);
    m_scheduleRadio->setObjectName(QStringLiteral("scheduleRadio"));
    m_manualRadio = new QRadioButton(tr("&Manual only"), trigger);
    m_manualRadio->setObjectName(QStringLiteral("manualRadio"));
    m_watchRadio = new QRadioButton(tr("When a file appears in a &folder"), trigger);
    m_watchRadio->setObjectName(QStringLiteral("watchRadio"));
    m_triggerGroup = new QButtonGroup(this);
    m_triggerGroup->addButton(m_scheduleRadio, ScheduleTrigger);
    m_triggerGroup->addButton(m_manualRadio, ManualTrigger);
    m_triggerGroup->addButton(m_watchRadio, WatchTrigger);

    m_triggerStack = new QStackedWidget(trigger);
    m_triggerStack->setObjectName(QStringLiteral("triggerStack"));
    m_cron = new CronPreviewWidget(m_triggerStack);
    m_cron->setObjectName(QStringLiteral("cronPreview"));
    m_cron->setFireCount(10);
    m_triggerStack->addWidget(m_cron);
    auto *manual = hintLabel(tr("Runs only when started by hand: Run now in the window, or "
                                "taskdeckctl job run-now."),
                             m_triggerStack);
    manual->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_triggerStack->addWidget(manual);

    auto *watch = new QWidget(m_triggerStack);
    m_watchDirEdit = new QLineEdit(watch);
    m_watchDirEdit->setObjectName(QStringLiteral("watchDirEdit"));
    m_watchDirEdit->setAccessibleName(tr("Folder to watch"));
    m_watchDirEdit->setPlaceholderText(tr("an absolute path; ~ is the home folder"));
    m_watchGlobEdit = new QLineEdit(watch);
    m_watchGlobEdit->setObjectName(QStringLiteral("watchGlobEdit"));
    m_watchGlobEdit->setAccessibleName(tr("File name pattern"));
    m_watchGlobEdit->setPlaceholderText(tr("for example  *.csv"));
    m_settleSpin = new QSpinBox(watch);
    m_settleSpin->setObjectName(QStringLiteral("settleSpin"));
    m_settleSpin->setAccessibleName(tr("Settle time"));
    m_settleSpin->setRange(0, 3600 * 1000);
    m_settleSpin->setSingleStep(250);
    m_settleSpin->setSuffix(tr(" ms"));
    m_settleSpin->setToolTip(tr("A file is taken once its size and modification time stood still this long, so "
                                "that a file still being written is not taken half-way."));
    m_includeExistingCheck = new QCheckBox(tr("Also the files there when the watch starts"), watch);
    m_includeExistingCheck->setObjectName(QStringLiteral("includeExistingCheck"));
    auto *watchForm = new QFormLayout(watch);
    watchForm->addRow(tr("F&older:"), m_watchDirEdit);
    watchForm->addRow(tr("&Names:"), m_watchGlobEdit);
    watchForm->addRow(tr("S&ettle:"), m_settleSpin);
    watchForm->addRow(QString(), m_includeExistingCheck);
    watchForm->addRow(QString(), hintLabel(tr("Each new file fires the job once, with its path, name, size and "
                                              "time as the task's payload."),
                                           watch));
    m_triggerStack->addWidget(watch);

    auto *radios = new QHBoxLayout;
    radios->addWidget(m_scheduleRadio);
    radios->addWidget(m_manualRadio);
    radios->addWidget(m_watchRadio);
    radios->addStretch();
    auto *triggerLayout = new QVBoxLayout(trigger);
    triggerLayout->addLayout(radios);
    triggerLayout->addWidget(m_triggerStack, 1);

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(trigger, 1);
    return page;
}

QWidget *JobEditorDialog::createActionPage()
{
    auto *page = new QWidget(this);
    m_actionTypeCombo = new QComboBox(page);
    m_actionTypeCombo->setObjectName(QStringLiteral("actionTypeCombo"));
    m_actionTypeCombo->setAccessibleName(tr("Action type"));
    m_actionTypeCombo->addItem(tr("Run a program (exec)"), QStringLiteral("exec"));
    m_actionTypeCombo->addItem(tr("Shell command (shell)"), QStringLiteral("shell"));
    m_actionTypeCombo->addItem(tr("HTTP request (http)"), QStringLiteral("http"));
    m_actionTypeCombo->addItem(tr("In-process handler (handler)"), QStringLiteral("handler"));
    m_actionTypeCombo->addItem(tr("Publish an event (publish)"), QStringLiteral("publish"));
    m_actionTypeCombo->addItem(tr("Other, as JSON (pipeline, iterate, cleanup, …)"), QStringLiteral("json"));

    m_actionStack = new QStackedWidget(page);
    m_actionStack->setObjectName(QStringLiteral("actionStack"));
    m_actionStack->addWidget(createExecPage());
    m_actionStack->addWidget(createShellPage());
    m_actionStack->addWidget(createHttpPage());
    m_actionStack->addWidget(createHandlerPage());
    m_actionStack->addWidget(createPublishPage());
    m_actionStack->addWidget(createJsonPage());
    connect(m_actionTypeCombo, &QComboBox::currentIndexChanged, this, &JobEditorDialog::actionTypeChanged);

    auto *typeForm = new QFormLayout;
    typeForm->addRow(tr("&Type:"), m_actionTypeCombo);
    auto *actionBox = new QGroupBox(tr("Action"), page);
    auto *actionLayout = new QVBoxLayout(actionBox);
    actionLayout->addLayout(typeForm);
    actionLayout->addWidget(m_actionStack, 1);

    auto *payloadBox = new QGroupBox(tr("Payload"), page);
    m_payloadEdit = textEdit(QStringLiteral("payloadEdit"), tr("Payload JSON"), 5, payloadBox);
    m_payloadEdit->setPlaceholderText(tr("{\"report\": \"weekly\"}"));
    m_payloadEdit->setTabChangesFocus(false);
    useMonospace(m_payloadEdit);
    auto *payloadLayout = new QVBoxLayout(payloadBox);
    payloadLayout->addWidget(m_payloadEdit);
    payloadLayout->addWidget(hintLabel(tr("Any JSON value, handed to every run; the action's fields may name "
                                          "parts of it as {{payload.name}}. Empty: none."),
                                       payloadBox));

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(actionBox, 1);
    layout->addWidget(payloadBox);
    return page;
}

QWidget *JobEditorDialog::createExecPage()
{
    auto *page = new QWidget(m_actionStack);
    m_programEdit = new QLineEdit(page);
    m_programEdit->setObjectName(QStringLiteral("programEdit"));
    m_programEdit->setAccessibleName(tr("Program"));
    m_programEdit->setPlaceholderText(tr("/usr/bin/rsync, or a name found on PATH"));
    m_programEdit->setToolTip(tr("Run directly, without a shell. Whether it exists is checked when saving."));

    const QString argumentsHelp =
        tr("One argument per line, exactly as written: spaces and quotes are part of the argument; blank lines "
           "are left out.\n\nWith \"Split like a shell\", the arguments are words on one line: spaces separate "
           "them, \"double quotes\" keep spaces inside a word, and three quotes (\"\"\") stand for one literal "
           "quote. No shell runs either way: $VARIABLES, globs, ~ and backslashes are passed as they are.");
    m_argumentsEdit = textEdit(QStringLiteral("argumentsEdit"), tr("Arguments"), 5, page);
    m_argumentsEdit->setPlaceholderText(tr("-a\n/srv/data\nbackup:/srv/data"));
    m_argumentsEdit->setToolTip(argumentsHelp);
    useMonospace(m_argumentsEdit);
    m_shellSplitCheck = new QCheckBox(tr("Split like a shell"), page);
    m_shellSplitCheck->setObjectName(QStringLiteral("shellSplitCheck"));
    m_shellSplitCheck->setToolTip(argumentsHelp);
    connect(m_shellSplitCheck, &QCheckBox::toggled, this, &JobEditorDialog::argumentModeChanged);

    m_cwdEdit = new QLineEdit(page);
    m_cwdEdit->setObjectName(QStringLiteral("cwdEdit"));
    m_cwdEdit->setAccessibleName(tr("Working folder"));
    m_cwdEdit->setPlaceholderText(tr("default: the engine's"));
    m_envEdit = textEdit(QStringLiteral("envEdit"), tr("Environment"), 3, page);
    m_envEdit->setPlaceholderText(tr("NAME=value, one a line"));
    m_envEdit->setToolTip(tr("Variables added to the engine's environment, one NAME=value a line."));
    useMonospace(m_envEdit);

    auto *arguments = new QVBoxLayout;
    arguments->setSpacing(2);
    arguments->addWidget(m_argumentsEdit);
    arguments->addWidget(m_shellSplitCheck);
    QFormLayout *form = topAlignedForm(page);
    form->addRow(tr("P&rogram:"), m_programEdit);
    form->addRow(tr("A&rguments:"), arguments);
    form->addRow(tr("&Working folder:"), m_cwdEdit);
    form->addRow(tr("&Environment:"), m_envEdit);
    qobject_cast<QLabel *>(form->labelForField(arguments))->setBuddy(m_argumentsEdit);
    return page;
}

QWidget *JobEditorDialog::createShellPage()
{
    auto *page = new QWidget(m_actionStack);
    auto *warning = new QLabel(tr("\u26a0 Runs with /bin/sh -c: quoting, globs, $variables, ; | && and > apply, "
                                  "and so do their surprises with odd file names or payload values. Prefer "
                                  "\"Run a program\" unless the job needs a shell."),
                               page);
    warning->setObjectName(QStringLiteral("shellWarningLabel"));
    warning->setWordWrap(true);
    warning->setStyleSheet(errorStyle());
    m_shellCommandEdit = textEdit(QStringLiteral("shellCommandEdit"), tr("Shell command"), 6, page);
    m_shellCommandEdit->setPlaceholderText(tr("tar czf /tmp/data.tgz /srv/data"));
    m_shellCommandEdit->setTabChangesFocus(false);
    m_shellCommandEdit->setMaximumHeight(QWIDGETSIZE_MAX);
    useMonospace(m_shellCommandEdit);
    auto *form = new QFormLayout(page); // the command takes the height
    form->addRow(warning);
    form->addRow(tr("&Command:"), m_shellCommandEdit);
    return page;
}

QWidget *JobEditorDialog::createHttpPage()
{
    auto *page = new QWidget(m_actionStack);
    m_httpMethodCombo = new QComboBox(page);
    m_httpMethodCombo->setObjectName(QStringLiteral("httpMethodCombo"));
    m_httpMethodCombo->setAccessibleName(tr("HTTP method"));
    m_httpMethodCombo->addItems(HttpMethods);
    m_httpUrlEdit = new QLineEdit(page);
    m_httpUrlEdit->setObjectName(QStringLiteral("httpUrlEdit"));
    m_httpUrlEdit->setAccessibleName(tr("URL"));
    m_httpUrlEdit->setPlaceholderText(tr("https://example.org/hooks/nightly"));
    m_httpHeadersEdit = textEdit(QStringLiteral("httpHeadersEdit"), tr("Headers"), 3, page);
    m_httpHeadersEdit->setPlaceholderText(tr("Name: value, one a line"));
    useMonospace(m_httpHeadersEdit);
    m_httpBodyEdit = textEdit(QStringLiteral("httpBodyEdit"), tr("Body"), 4, page);
    m_httpBodyEdit->setTabChangesFocus(false);
    useMonospace(m_httpBodyEdit);
    m_httpAcceptEdit = new QLineEdit(page);
    m_httpAcceptEdit->setObjectName(QStringLiteral("httpAcceptEdit"));
    m_httpAcceptEdit->setAccessibleName(tr("Accepted statuses"));
    m_httpAcceptEdit->setPlaceholderText(tr("default: any 2xx; or a list such as 200, 204, 409"));
    QFormLayout *form = topAlignedForm(page);
    form->addRow(tr("&Method:"), m_httpMethodCombo);
    form->addRow(tr("&URL:"), m_httpUrlEdit);
    form->addRow(tr("&Headers:"), m_httpHeadersEdit);
    form->addRow(tr("&Body:"), m_httpBodyEdit);
    form->addRow(tr("A&ccepted statuses:"), m_httpAcceptEdit);
    return page;
}

QWidget *JobEditorDialog::createHandlerPage()
{
    auto *page = new QWidget(m_actionStack);
    m_handlerNameEdit = new QLineEdit(page);
    m_handlerNameEdit->setObjectName(QStringLiteral("handlerNameEdit"));
    m_handlerNameEdit->setAccessibleName(tr("Handler name"));
    m_handlerNameEdit->setPlaceholderText(tr("for example  reports.weekly"));
    QFormLayout *form = topAlignedForm(page);
    form->addRow(tr("&Name:"), m_handlerNameEdit);
    form->addRow(QString(), hintLabel(tr("A handler registered in the process that runs the engine."), page));
    return page;
}

QWidget *JobEditorDialog::createPublishPage()
{
    auto *page = new QWidget(m_actionStack);
    m_publishTopicEdit = new QLineEdit(page);
    m_publishTopicEdit->setObjectName(QStringLiteral("publishTopicEdit"));
    m_publishTopicEdit->setAccessibleName(tr("Topic"));
    m_publishTopicEdit->setPlaceholderText(tr("for example  dataset.ready"));
    m_publishDataEdit = textEdit(QStringLiteral("publishDataEdit"), tr("Event data JSON"), 6, page);
    m_publishDataEdit->setPlaceholderText(tr("{\"dataset\": \"sales\"}"));
    m_publishDataEdit->setTabChangesFocus(false);
    useMonospace(m_publishDataEdit);
    QFormLayout *form = topAlignedForm(page);
    form->addRow(tr("T&opic:"), m_publishTopicEdit);
    form->addRow(tr("&Data:"), m_publishDataEdit);
    form->addRow(QString(), hintLabel(tr("Publishes an event; the jobs subscribed to the topic run with it."), page));
    return page;
}

QWidget *JobEditorDialog::createJsonPage()
{
    auto *page = new QWidget(m_actionStack);
    m_actionJsonEdit = new QPlainTextEdit(page);
    m_actionJsonEdit->setObjectName(QStringLiteral("actionJsonEdit"));
    m_actionJsonEdit->setAccessibleName(tr("Action JSON"));
    m_actionJsonEdit->setPlaceholderText(tr("{\"type\": \"vacuum\"}"));
    useMonospace(m_actionJsonEdit);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_actionJsonEdit, 1);
    layout->addWidget(hintLabel(tr("The action as a JSON object with its \"type\": pipeline, iterate, cleanup, "
                                   "purge-history, vacuum, report, or any other. Its syntax is checked as you "
                                   "type; programs and folders it names when saving."),
                                page));
    return page;
}

QWidget *JobEditorDialog::createPoliciesPage()
{
    auto *page = new QWidget(this);

    // Queue and retries.
    auto *queueBox = new QGroupBox(tr("Queue and retries"), page);
    m_queueEdit = new QLineEdit(queueBox);
    m_queueEdit->setObjectName(QStringLiteral("queueEdit"));
    m_queueEdit->setAccessibleName(tr("Queue"));
    m_prioritySpin = new QSpinBox(queueBox);
    m_prioritySpin->setObjectName(QStringLiteral("prioritySpin"));
    m_prioritySpin->setAccessibleName(tr("Priority"));
    m_prioritySpin->setRange(-1000, 1000);
    m_prioritySpin->setToolTip(tr("Higher runs first."));
    m_timeoutSpin = new QSpinBox(queueBox);
    m_timeoutSpin->setObjectName(QStringLiteral("timeoutSpin"));
    m_timeoutSpin->setAccessibleName(tr("Timeout"));
    m_timeoutSpin->setRange(0, 7 * 86400);
    m_timeoutSpin->setSuffix(tr(" s"));
    m_timeoutSpin->setSpecialValueText(tr("none"));
    m_timeoutSpin->setToolTip(tr("An attempt still running after this long is stopped and counts as failed."));
    m_maxAttemptsSpin = new QSpinBox(queueBox);
    m_maxAttemptsSpin->setObjectName(QStringLiteral("maxAttemptsSpin"));
    m_maxAttemptsSpin->setAccessibleName(tr("Maximum attempts"));
    m_maxAttemptsSpin->setRange(1, 1000);
    m_maxAttemptsSpin->setToolTip(tr("Attempts in all, the first included; after the last a failed task becomes a "
                                     "dead letter."));

    m_backoffRadio = new QRadioButton(tr("&Backoff"), queueBox);
    m_backoffRadio->setObjectName(QStringLiteral("backoffRadio"));
    m_delaysRadio = new QRadioButton(tr("E&xplicit"), queueBox);
    m_delaysRadio->setObjectName(QStringLiteral("delaysRadio"));
    auto *retryKind = new QButtonGroup(queueBox);
    retryKind->addButton(m_backoffRadio);
    retryKind->addButton(m_delaysRadio);
    const auto secondsSpin = [queueBox](const QString &name, const QString &accessible) {
        auto *spin = new QDoubleSpinBox(queueBox);
        spin->setObjectName(name);
        spin->setAccessibleName(accessible);
        spin->setRange(0, double(YearMs) / 1000.0);
        spin->setDecimals(3);
        spin->setSuffix(tr(" s"));
        return spin;
    };
    m_backoffBaseSpin = secondsSpin(QStringLiteral("backoffBaseSpin"), tr("Backoff base"));
    m_backoffBaseSpin->setToolTip(tr("The wait after the first failure; it doubles after each further one."));
    m_backoffMaxSpin = secondsSpin(QStringLiteral("backoffMaxSpin"), tr("Backoff maximum"));
    m_backoffMaxSpin->setToolTip(tr("The doubling stops here."));
    m_delaysEdit = new QLineEdit(queueBox);
    m_delaysEdit->setObjectName(QStringLiteral("delaysEdit"));
    m_delaysEdit->setAccessibleName(tr("Explicit retry delays"));
    m_delaysEdit->setPlaceholderText(tr("for example  10s, 1min, 5min, 30min"));
    m_delaysEdit->setToolTip(tr("The wait after failure 1, 2, 3...; the last one repeats. Units: ms, s, min, h, d "
                                "(a bare number is seconds)."));
    m_retryJitterCheck = new QCheckBox(tr("Wait a random time up to each delay (full jitter)"), queueBox);
    m_retryJitterCheck->setObjectName(QStringLiteral("retryJitterCheck"));
    m_retryJitterCheck->setToolTip(tr("So that many tasks failing together do not retry in lockstep."));
    m_noRetryCodesEdit = new QLineEdit(queueBox);
    m_noRetryCodesEdit->setObjectName(QStringLiteral("noRetryCodesEdit"));
    m_noRetryCodesEdit->setAccessibleName(tr("Exit codes that are not retried"));
    m_noRetryCodesEdit->setPlaceholderText(tr("for example  2, 64"));
    m_noRetryCodesEdit->setToolTip(tr("A process exiting with one of these goes straight to the dead letters."));

    auto *backoff = new QHBoxLayout;
    backoff->addWidget(m_backoffRadio);
    backoff->addWidget(m_backoffBaseSpin, 1);
    backoff->addWidget(new QLabel(tr("up to"), queueBox));
    backoff->addWidget(m_backoffMaxSpin, 1);
    auto *delays = new QHBoxLayout;
    delays->addWidget(m_delaysRadio);
    delays->addWidget(m_delaysEdit, 1);
    auto *queueForm = new QFormLayout(queueBox);
    queueForm->addRow(tr("&Queue:"), m_queueEdit);
    queueForm->addRow(tr("P&riority:"), m_prioritySpin);
    queueForm->addRow(tr("&Timeout:"), m_timeoutSpin);
    queueForm->addRow(tr("Max &attempts:"), m_maxAttemptsSpin);
    queueForm->addRow(tr("Retry waits:"), backoff);
    queueForm->addRow(QString(), delays);
    queueForm->addRow(QString(), m_retryJitterCheck);
    queueForm->addRow(tr("No retry on e&xit:"), m_noRetryCodesEdit);

    // When due.
    auto *dueBox = new QGroupBox(tr("When due"), page);
    m_overlapCombo = new QComboBox(dueBox);
    m_overlapCombo->setObjectName(QStringLiteral("overlapCombo"));
    m_overlapCombo->setAccessibleName(tr("Overlap policy"));
    m_overlapCombo->addItem(tr("Allow"), overlapPolicyName(OverlapPolicy::Allow));
    m_overlapCombo->addItem(tr("Skip"), overlapPolicyName(OverlapPolicy::Skip));
    m_overlapCombo->addItem(tr("Queue one"), overlapPolicyName(OverlapPolicy::QueueOne));
    m_overlapCombo->addItem(tr("Replace"), overlapPolicyName(OverlapPolicy::Replace));
    m_overlapExplanation = hintLabel(QString(), dueBox);
    m_overlapExplanation->setObjectName(QStringLiteral("overlapExplanationLabel"));
    m_misfireCombo = new QComboBox(dueBox);
    m_misfireCombo->setObjectName(QStringLiteral("misfireCombo"));
    m_misfireCombo->setAccessibleName(tr("Misfire policy"));
    m_misfireCombo->addItem(tr("Skip"), misfirePolicyName(MisfirePolicy::Skip));
    m_misfireCombo->addItem(tr("Once"), misfirePolicyName(MisfirePolicy::Once));
    m_misfireCombo->addItem(tr("All"), misfirePolicyName(MisfirePolicy::All));
    m_misfireExplanation = hintLabel(QString(), dueBox);
    m_misfireExplanation->setObjectName(QStringLiteral("misfireExplanationLabel"));
    m_misfireMaxSpin = new QSpinBox(dueBox);
    m_misfireMaxSpin->setObjectName(QStringLiteral("misfireMaxSpin"));
    m_misfireMaxSpin->setAccessibleName(tr("Most catch-up runs"));
    m_misfireMaxSpin->setRange(1, 1000);
    m_misfireMaxSpin->setPrefix(tr("at most "));
    m_startingDeadlineSpin = new QSpinBox(dueBox);
    m_startingDeadlineSpin->setObjectName(QStringLiteral("startingDeadlineSpin"));
    m_startingDeadlineSpin->setAccessibleName(tr("Starting deadline"));
    m_startingDeadlineSpin->setRange(0, 366 * 86400);
    m_startingDeadlineSpin->setSuffix(tr(" s"));
    m_startingDeadlineSpin->setSpecialValueText(tr("no limit"));
    m_startingDeadlineSpin->setToolTip(tr("A fire missed by more than this is skipped instead of caught up."));
    m_jitterSpin = new QSpinBox(dueBox);
    m_jitterSpin->setObjectName(QStringLiteral("jitterSpin"));
    m_jitterSpin->setAccessibleName(tr("Start jitter"));
    m_jitterSpin->setRange(0, 86400);
    m_jitterSpin->setSuffix(tr(" s"));
    m_jitterSpin->setSpecialValueText(tr("none"));
    m_jitterSpin->setToolTip(tr("Each run starts after a random delay of up to this much, so that many jobs due at "
                                "the same minute do not start together."));

    auto *misfire = new QHBoxLayout;
    misfire->addWidget(m_misfireCombo, 1);
    misfire->addWidget(m_misfireMaxSpin);
    auto *dueForm = new QFormLayout(dueBox);
    dueForm->addRow(tr("&Overlap:"), m_overlapCombo);
    dueForm->addRow(QString(), m_overlapExplanation);
    dueForm->addRow(tr("&Misfire:"), misfire);
    dueForm->addRow(QString(), m_misfireExplanation);
    dueForm->addRow(tr("Starting &deadline:"), m_startingDeadlineSpin);
    dueForm->addRow(tr("&Jitter:"), m_jitterSpin);
    qobject_cast<QLabel *>(dueForm->labelForField(misfire))->setBuddy(m_misfireCombo);

    // Notify.
    auto *notifyBox = new QGroupBox(tr("Notify"), page);
    auto *notifyLayout = new QHBoxLayout(notifyBox);
    const QStringList notifyLabels{tr("On &failure"), tr("On dead &letter"), tr("On m&isfire"), tr("On s&uccess")};
    const QStringList notifyNames{QStringLiteral("notifyFailureCheck"), QStringLiteral("notifyDeadLetterCheck"),
                                  QStringLiteral("notifyMisfireCheck"), QStringLiteral("notifySuccessCheck")};
    for (qsizetype i = 0; i < NotifyEvents.size(); ++i) {
        auto *check = new QCheckBox(notifyLabels.at(i), notifyBox);
        check->setObjectName(notifyNames.at(i));
        notifyLayout->addWidget(check);
        m_notifyChecks.append(check);
    }
    notifyLayout->addStretch();

    auto *policies = new QWidget(page);
    auto *policiesLayout = new QVBoxLayout(policies);
    policiesLayout->setContentsMargins(0, 0, 0, 0);
    policiesLayout->addWidget(queueBox);
    policiesLayout->addWidget(dueBox);
    policiesLayout->addWidget(notifyBox);
    policiesLayout->addStretch();
    // A small screen or a large font still reaches every field.
    auto *scroll = new QScrollArea(page);
    scroll->setObjectName(QStringLiteral("policiesScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(policies);

    // Beside them: what the policies mean for this job.
    auto *planBox = new QGroupBox(tr("Retry plan"), page);
    m_retryPlan = new QTableWidget(0, RetryColumnCount, planBox);
    m_retryPlan->setObjectName(QStringLiteral("retryPlanTable"));
    m_retryPlan->setAccessibleName(tr("Retry plan"));
    m_retryPlan->setHorizontalHeaderLabels({tr("Attempt"), tr("Starts")});
    m_retryPlan->horizontalHeaderItem(StartsColumn)->setToolTip(tr("After the previous attempt failed"));
    m_retryPlan->verticalHeader()->hide();
    m_retryPlan->verticalHeader()->setDefaultSectionSize(m_retryPlan->fontMetrics().height() + 8);
    m_retryPlan->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_retryPlan->horizontalHeader()->setStretchLastSection(true);
    m_retryPlan->horizontalHeader()->setSectionResizeMode(AttemptColumn, QHeaderView::ResizeToContents);
    m_retryPlan->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_retryPlan->setSelectionMode(QAbstractItemView::NoSelection);
    m_retryPlan->setFocusPolicy(Qt::NoFocus);
    m_retrySummary = hintLabel(QString(), planBox);
    m_retrySummary->setObjectName(QStringLiteral("retrySummaryLabel"));
    auto *planLayout = new QVBoxLayout(planBox);
    planLayout->addWidget(m_retryPlan, 1);
    planLayout->addWidget(m_retrySummary);

    auto *catchUpBox = new QGroupBox(tr("Catch-up preview"), page);
    catchUpBox->setToolTip(tr("What would run, or be recorded missed, if the scheduler started now."));
    m_catchUpLabel = new QLabel(catchUpBox);
    m_catchUpLabel->setObjectName(QStringLiteral("catchUpLabel"));
    m_catchUpLabel->setAccessibleName(tr("Catch-up preview"));
    m_catchUpLabel->setWordWrap(true);
    m_catchUpLabel->setTextFormat(Qt::PlainText);
    m_catchUpLabel->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_catchUpLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *catchUpLayout = new QVBoxLayout(catchUpBox);
    catchUpLayout->addWidget(m_catchUpLabel, 1);

    auto *side = new QVBoxLayout;
    side->addWidget(planBox, 3);
    side->addWidget(catchUpBox, 2);
    auto *layout = new QHBoxLayout(page);
    layout->addWidget(scroll, 3);
    layout->addLayout(side, 2);
    return page;
}

void JobEditorDialog::connectChanges()
{
    // Every field, whatever it is: a change re-checks the whole job (pure computation, cheap).
    for (auto *edit : findChildren<QLineEdit *>()) {
        if (!qobject_cast<QAbstractSpinBox *>(edit->parent())) // spin boxes report their value instead
            connect(edit, &QLineEdit::textChanged, this, &JobEditorDialog::revalidate);
    }
    for (auto *edit : findChildren<QPlainTextEdit *>())
        connect(edit, &QPlainTextEdit::textChanged, this, &JobEditorDialog::revalidate);
    for (auto *spin : findChildren<QSpinBox *>())
        connect(spin, &QSpinBox::valueChanged, this, &JobEditorDialog::revalidate);
    for (auto *spin : findChildren<QDoubleSpinBox *>())
        connect(spin, &QDoubleSpinBox::valueChanged, this, &JobEditorDialog::revalidate);
    for (auto *combo : findChildren<QComboBox *>())
        connect(combo, &QComboBox::currentIndexChanged, this, &JobEditorDialog::revalidate);
    for (auto *button : findChildren<QAbstractButton *>()) {
        if (button->isCheckable())
            connect(button, &QAbstractButton::toggled, this, &JobEditorDialog::revalidate);
    }
}

void JobEditorDialog::setJob(const Job &job, Mode mode)
{
    ++m_generation;
    m_mode = mode;
    m_base = job;
    if (mode == Mode::Duplicate) {
        m_base.id = job.id + QStringLiteral("-copy");
        m_base.title = (job.title.isEmpty() ? job.id : job.title) + tr(" (copy)");
    }
    m_lastFireAt.reset();
    m_loading = true;

    switch (mode) {
    case Mode::New:
        setWindowTitle(tr("New Job"));
        break;
    case Mode::Edit:
        setWindowTitle(tr("Edit Job \u201c%1\u201d").arg(job.id));
        break;
    case Mode::Duplicate:
        setWindowTitle(tr("Duplicate Job \u201c%1\u201d").arg(job.id));
        break;
    }
    m_idEdit->setText(m_base.id);
    m_idEdit->setReadOnly(mode == Mode::Edit);
    m_titleEdit->setText(m_base.title);
    m_descriptionEdit->setPlainText(m_base.description);

    const Trigger trigger = m_base.watch.isSet()         ? WatchTrigger
                            : !m_base.schedule.isEmpty() ? ScheduleTrigger
                            : mode == Mode::New          ? ScheduleTrigger // a new job most likely wants one
                                                         : ManualTrigger;
    m_triggerGroup->button(trigger)->setChecked(true);
    m_cron->setExpression(m_base.schedule);
    if (m_base.timeZone.isEmpty() || !m_cron->setTimeZoneId(m_base.timeZone.toUtf8()))
        m_cron->setTimeZoneId(systemZoneName().toUtf8());
    const FolderWatch watch = m_base.watch.isSet() ? m_base.watch : FolderWatch();
    m_watchDirEdit->setText(watch.dir);
    m_watchGlobEdit->setText(watch.glob);
    m_settleSpin->setValue(int(watch.settleMs));
    m_includeExistingCheck->setChecked(watch.includeExisting);

    for (int page = 0; page < ActionPageCount; ++page)
        fillPage(page, QJsonObject());
    const int page = pageFor(m_base.task.action);
    fillPage(page, m_base.task.action);
    m_actionTypeCombo->setCurrentIndex(page);
    m_actionStack->setCurrentIndex(page);
    m_actionPage = page;
    m_payloadEdit->setPlainText(jsonText(m_base.task.payload));

    const TaskSpec &task = m_base.task;
    m_queueEdit->setText(task.queue);
    m_prioritySpin->setValue(task.priority);
    m_timeoutSpin->setValue(int(std::min<qint64>((task.timeoutMs + 999) / 1000, m_timeoutSpin->maximum())));
    m_maxAttemptsSpin->setValue(task.retry.maxAttempts);
    m_backoffBaseSpin->setValue(double(task.retry.baseDelayMs) / 1000.0);
    m_backoffMaxSpin->setValue(double(task.retry.maxDelayMs) / 1000.0);
    QStringList delays;
    for (qint64 delay : task.retry.explicitDelaysMs)
        delays.append(delayToken(delay));
    m_delaysEdit->setText(delays.join(QStringLiteral(", ")));
    (task.retry.explicitDelaysMs.isEmpty() ? m_backoffRadio : m_delaysRadio)->setChecked(true);
    m_retryJitterCheck->setChecked(task.retry.jitter);
    QStringList codes;
    for (int code : task.retry.noRetryExitCodes)
        codes.append(QString::number(code));
    m_noRetryCodesEdit->setText(codes.join(QStringLiteral(", ")));

    m_overlapCombo->setCurrentIndex(m_overlapCombo->findData(overlapPolicyName(m_base.overlap)));
    m_misfireCombo->setCurrentIndex(m_misfireCombo->findData(misfirePolicyName(m_base.misfire)));
    m_misfireMaxSpin->setValue(m_base.misfireMax);
    m_startingDeadlineSpin->setValue(
        int(std::min<qint64>((m_base.startingDeadlineMs + 999) / 1000, m_startingDeadlineSpin->maximum())));
    m_jitterSpin->setValue(m_base.jitterSeconds);
    for (qsizetype i = 0; i < NotifyEvents.size(); ++i)
        m_notifyChecks.at(i)->setChecked(m_base.notify.contains(NotifyEvents.at(i)));

    m_loading = false;
    m_saving = false;
    if (mode == Mode::Edit)
        requestLastFire();
    revalidate();
}

Job JobEditorDialog::job() const
{
    ReadErrors ignored;
    return buildJob(&ignored);
}

QString JobEditorDialog::errorText() const
{
    return m_errorLabel->text();
}

Job JobEditorDialog::buildJob(ReadErrors *errors) const
{
    Job job = m_base; // the pause and what else the dialog does not show
    job.id = m_idEdit->text();
    job.title = m_titleEdit->text();
    job.description = m_descriptionEdit->toPlainText();
    job.schedule.clear();
    job.watch = FolderWatch();
    switch (m_triggerGroup->checkedId()) {
    case ScheduleTrigger:
        job.schedule = m_cron->expression().trimmed();
        break;
    case WatchTrigger:
        job.watch.dir = m_watchDirEdit->text().trimmed();
        job.watch.glob = m_watchGlobEdit->text().trimmed();
        job.watch.settleMs = m_settleSpin->value();
        job.watch.includeExisting = m_includeExistingCheck->isChecked();
        break;
    default:
        break;
    }
    // A job without a zone follows the system's, wherever it runs: it keeps none unless another is
    // chosen.
    const QString zone = QString::fromUtf8(m_cron->timeZoneId());
    job.timeZone = m_base.timeZone.isEmpty() && zone == systemZoneName() ? QString() : zone;

    QString why;
    if (const auto action = actionFromPage(m_actionStack->currentIndex(), &why)) {
        job.task.action = *action;
    } else {
        job.task.action = QJsonObject();
        errors->action = QStringLiteral("action: ") + why;
    }
    job.task.payload = QJsonValue();
    const QString payload = m_payloadEdit->toPlainText();
    if (!payload.trimmed().isEmpty()) {
        if (const auto value = parseJson(payload, &why))
            job.task.payload = *value;
        else
            errors->payload = QStringLiteral("payload: ") + why;
    }

    TaskSpec &task = job.task;
    task.queue = m_queueEdit->text();
    task.priority = m_prioritySpin->value();
    task.timeoutMs = qint64(m_timeoutSpin->value()) * 1000;
    RetryPolicy &retry = task.retry;
    retry.maxAttempts = m_maxAttemptsSpin->value();
    retry.baseDelayMs = std::llround(m_backoffBaseSpin->value() * 1000.0);
    retry.maxDelayMs = std::llround(m_backoffMaxSpin->value() * 1000.0);
    retry.explicitDelaysMs.clear();
    if (m_delaysRadio->isChecked()) {
        const QStringList tokens = m_delaysEdit->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &token : tokens) {
            const auto delay = parseDelay(token);
            if (!delay) {
                errors->retry = QStringLiteral("retry: delays: '%1' is not a delay such as 30s, 5min or 1h (at most "
                                               "a year)")
                                    .arg(token.trimmed());
                break;
            }
            retry.explicitDelaysMs.append(*delay);
        }
        if (errors->retry.isEmpty() && retry.explicitDelaysMs.isEmpty())
            errors->retry = QStringLiteral("retry: delays: enter at least one, such as 10s, 1min, 5min");
    }
    retry.jitter = m_retryJitterCheck->isChecked();
    retry.noRetryExitCodes.clear();
    const QStringList codes = splitList(m_noRetryCodesEdit->text());
    for (const QString &text : codes) {
        bool ok = false;
        const int code = text.toInt(&ok);
        if (!ok || code < 0 || code > 255) {
            if (errors->retry.isEmpty())
                errors->retry =
                    QStringLiteral("retry: no retry on exit: '%1' is not an exit code from 0 to 255").arg(text);
            break;
        }
        retry.noRetryExitCodes.append(code);
    }

    job.overlap = overlapPolicyFromName(m_overlapCombo->currentData().toString()).value_or(OverlapPolicy::Skip);
    job.misfire = misfirePolicyFromName(m_misfireCombo->currentData().toString()).value_or(MisfirePolicy::Once);
    job.misfireMax = m_misfireMaxSpin->value();
    job.startingDeadlineMs = qint64(m_startingDeadlineSpin->value()) * 1000;
    job.jitterSeconds = m_jitterSpin->value();
    job.notify.clear();
    for (qsizetype i = 0; i < NotifyEvents.size(); ++i) {
        if (m_notifyChecks.at(i)->isChecked())
            job.notify.append(NotifyEvents.at(i));
    }
    return job;
}

int JobEditorDialog::pageFor(const QJsonObject &action) const
{
    if (action.isEmpty())
        return ExecPage;
    const QString type = action.value(QStringLiteral("type")).toString();
    QString text;
    if (type == QLatin1String("exec")) {
        const QJsonValue args = action.value(QStringLiteral("args"));
        const QJsonArray list = args.toArray();
        const bool argsFit = args.isUndefined() ||
                             (isStringArray(args) && std::all_of(list.begin(), list.end(), [](const QJsonValue &v) {
                                  return !v.toString().trimmed().isEmpty() && !v.toString().contains(QLatin1Char('\n'));
                              }));
        const QJsonValue cwd = action.value(QStringLiteral("cwd"));
        const QJsonValue env = action.value(QStringLiteral("env"));
        if (hasOnlyKeys(action, {QStringLiteral("program"), QStringLiteral("args"), QStringLiteral("cwd"),
                                 QStringLiteral("env")}) &&
            action.value(QStringLiteral("program")).isString() && argsFit &&
            (cwd.isUndefined() || (cwd.isString() && !cwd.toString().isEmpty())) &&
            (env.isUndefined() ||
             (isStringObject(env) && pairsText(env.toObject(), QLatin1Char('='), QStringLiteral("="), &text))))
            return ExecPage;
    } else if (type == QLatin1String("shell")) {
        if (hasOnlyKeys(action, {QStringLiteral("command")}) && action.value(QStringLiteral("command")).isString())
            return ShellPage;
    } else if (type == QLatin1String("http")) {
        const QJsonValue method = action.value(QStringLiteral("method"));
        const QJsonValue headers = action.value(QStringLiteral("headers"));
        const QJsonValue body = action.value(QStringLiteral("body"));
        const QJsonValue accept = action.value(QStringLiteral("accept"));
        const QJsonArray codes = accept.toArray();
        if (hasOnlyKeys(action, {QStringLiteral("url"), QStringLiteral("method"), QStringLiteral("headers"),
                                 QStringLiteral("body"), QStringLiteral("accept")}) &&
            action.value(QStringLiteral("url")).isString() &&
            (method.isUndefined() || HttpMethods.contains(method.toString())) &&
            (headers.isUndefined() || (isStringObject(headers) &&
                                       pairsText(headers.toObject(), QLatin1Char(':'), QStringLiteral(": "), &text))) &&
            (body.isUndefined() || body.isString()) &&
            (accept.isUndefined() ||
             (accept.isArray() && std::all_of(codes.begin(), codes.end(), [](const QJsonValue &v) {
                  return v.isDouble() && v.toDouble() == v.toInt();
              }))))
            return HttpPage;
    } else if (type == QLatin1String("handler")) {
        if (hasOnlyKeys(action, {QStringLiteral("name")}) && action.value(QStringLiteral("name")).isString())
            return HandlerPage;
    } else if (type == QLatin1String("publish")) {
        if (hasOnlyKeys(action, {QStringLiteral("topic"), QStringLiteral("data")}) &&
            action.value(QStringLiteral("topic")).isString())
            return PublishPage;
    }
    return JsonPage;
}

void JobEditorDialog::fillPage(int page, const QJsonObject &action)
{
    const auto string = [&action](const char *key) { return action.value(QLatin1String(key)).toString(); };
    QString text;
    switch (page) {
    case ExecPage: {
        m_programEdit->setText(string("program"));
        QStringList arguments;
        const QJsonArray args = action.value(QStringLiteral("args")).toArray();
        for (const QJsonValue &arg : args)
            arguments.append(arg.toString());
        const QSignalBlocker blocker(m_shellSplitCheck); // the text is written for one argument per line
        m_shellSplitCheck->setChecked(false);
        m_argumentsEdit->setPlainText(arguments.join(QLatin1Char('\n')));
        m_cwdEdit->setText(string("cwd"));
        pairsText(action.value(QStringLiteral("env")).toObject(), QLatin1Char('='), QStringLiteral("="), &text);
        m_envEdit->setPlainText(text);
        break;
    }
    case ShellPage:
        m_shellCommandEdit->setPlainText(string("command"));
        break;
    case HttpPage: {
        const int method = HttpMethods.indexOf(action.value(QStringLiteral("method")).toString(QStringLiteral("GET")));
        m_httpMethodCombo->setCurrentIndex(std::max(method, 0));
        m_httpUrlEdit->setText(string("url"));
        pairsText(action.value(QStringLiteral("headers")).toObject(), QLatin1Char(':'), QStringLiteral(": "), &text);
        m_httpHeadersEdit->setPlainText(text);
        m_httpBodyEdit->setPlainText(string("body"));
        QStringList codes;
        const QJsonArray accept = action.value(QStringLiteral("accept")).toArray();
        for (const QJsonValue &code : accept)
            codes.append(QString::number(code.toInt()));
        m_httpAcceptEdit->setText(codes.join(QStringLiteral(", ")));
        break;
    }
    case HandlerPage:
        m_handlerNameEdit->setText(string("name"));
        break;
    case PublishPage:
        m_publishTopicEdit->setText(string("topic"));
        m_publishDataEdit->setPlainText(jsonText(action.value(QStringLiteral("data"))));
        break;
    case JsonPage:
        m_actionJsonEdit->setPlainText(action.isEmpty() ? QString() : jsonText(action));
        break;
    default:
        break;
    }
}

std::optional<QJsonObject> JobEditorDialog::actionFromPage(int page, QString *error) const
{
    const auto fail = [error](const QString &why) {
        *error = why;
        return std::nullopt;
    };
    switch (page) {
    case ExecPage: {
        const QString arguments = m_argumentsEdit->toPlainText();
        QJsonObject action = ActionSpec::exec(m_programEdit->text().trimmed(), m_shellSplitCheck->isChecked()
                                                                                   ? QProcess::splitCommand(arguments)
                                                                                   : argumentLines(arguments));
        if (const QString cwd = m_cwdEdit->text().trimmed(); !cwd.isEmpty())
            action.insert(QStringLiteral("cwd"), cwd);
        QJsonObject env;
        for (const auto &[number, line] : numberedLines(m_envEdit->toPlainText())) {
            const qsizetype equals = line.indexOf(QLatin1Char('='));
            const QString name = line.left(equals).trimmed();
            if (equals < 0 || name.isEmpty())
                return fail(QStringLiteral("exec: environment line %1: expected NAME=value").arg(number));
            env.insert(name, line.mid(equals + 1));
        }
        if (!env.isEmpty())
            action.insert(QStringLiteral("env"), env);
        return action;
    }
    case ShellPage:
        return ActionSpec::shell(m_shellCommandEdit->toPlainText());
    case HttpPage: {
        QJsonObject action = ActionSpec::http(m_httpUrlEdit->text().trimmed(), m_httpMethodCombo->currentText());
        QJsonObject headers;
        for (const auto &[number, line] : numberedLines(m_httpHeadersEdit->toPlainText())) {
            const qsizetype colon = line.indexOf(QLatin1Char(':'));
            const QString name = line.left(colon).trimmed();
            if (colon < 0 || name.isEmpty())
                return fail(QStringLiteral("http: headers line %1: expected Name: value").arg(number));
            headers.insert(name, line.mid(colon + 1).trimmed());
        }
        if (!headers.isEmpty())
            action.insert(QStringLiteral("headers"), headers);
        if (const QString body = m_httpBodyEdit->toPlainText(); !body.isEmpty())
            action.insert(QStringLiteral("body"), body);
        QJsonArray accept;
        const QStringList codes = splitList(m_httpAcceptEdit->text());
        for (const QString &text : codes) {
            bool ok = false;
            const int code = text.toInt(&ok);
            if (!ok)
                return fail(QStringLiteral("http: accepted statuses: '%1' is not a status code").arg(text));
            accept.append(code);
        }
        if (!accept.isEmpty())
            action.insert(QStringLiteral("accept"), accept);
        return action;
    }
    case HandlerPage:
        return ActionSpec::handler(m_handlerNameEdit->text().trimmed());
    case PublishPage: {
        QJsonObject action{{QStringLiteral("type"), QStringLiteral("publish")},
                           {QStringLiteral("topic"), m_publishTopicEdit->text().trimmed()}};
        const QString dataText = m_publishDataEdit->toPlainText();
        if (!dataText.trimmed().isEmpty()) {
            QString why;
            const auto value = parseJson(dataText, &why);
            if (!value)
                return fail(QStringLiteral("publish: data: ") + why);
            action.insert(QStringLiteral("data"), *value);
        }
        return action;
    }
    case JsonPage: {
        const QString text = m_actionJsonEdit->toPlainText();
        if (text.trimmed().isEmpty())
            return fail(QStringLiteral("enter the action as a JSON object, such as {\"type\": \"vacuum\"}"));
        QString why;
        const auto value = parseJson(text, &why);
        if (!value)
            return fail(why);
        if (!value->isObject() || !value->toObject().value(QStringLiteral("type")).isString())
            return fail(QStringLiteral("expected a JSON object with its \"type\", such as {\"type\": \"vacuum\"}"));
        return value->toObject();
    }
    default:
        return fail(QStringLiteral("no action chosen"));
    }
}

void JobEditorDialog::actionTypeChanged(int index)
{
    if (!m_loading && index != m_actionPage) {
        // Carry what was written over, where the other page can say it.
        QString ignored;
        if (index == JsonPage) {
            if (const auto action = actionFromPage(m_actionPage, &ignored))
                fillPage(JsonPage, *action);
        } else if (m_actionPage == JsonPage) {
            if (const auto action = actionFromPage(JsonPage, &ignored); action && pageFor(*action) == index)
                fillPage(index, *action);
        }
    }
    m_actionPage = index;
    m_actionStack->setCurrentIndex(index);
}

void JobEditorDialog::argumentModeChanged(bool shellSplit)
{
    // The same arguments, written the other way.
    const QString text = m_argumentsEdit->toPlainText();
    if (shellSplit) {
        QStringList words;
        for (const QString &argument : argumentLines(text))
            words.append(quotedArgument(argument));
        m_argumentsEdit->setPlainText(words.join(QLatin1Char(' ')));
    } else {
        m_argumentsEdit->setPlainText(QProcess::splitCommand(text).join(QLatin1Char('\n')));
    }
}

void JobEditorDialog::revalidate()
{
    if (m_loading)
        return;
    updateDependentFields();
    ReadErrors read;
    const Job job = buildJob(&read);
    const QString error = problem(job, read);
    showError(error);
    const bool idProblem = error.startsWith(QLatin1String("id:"));
    m_idHint->setStyleSheet(idProblem ? errorStyle() : QString());
    m_idHint->setEnabled(idProblem);
    m_idHint->setText(m_mode == Mode::Edit ? tr("A job's id stays; duplicate the job for another one.")
                                           : tr("Lower-case letters, digits, '-', '_' and '.', starting with a "
                                                "letter or digit; up to 64."));
    m_saveButton->setEnabled(error.isEmpty() && !m_saving);
    updateRetryPlan(job.task.retry, read.retry.isEmpty());
    updateCatchUpPreview(job);
}

void JobEditorDialog::updateDependentFields()
{
    m_triggerStack->setCurrentIndex(std::max(m_triggerGroup->checkedId(), 0));
    const bool explicitDelays = m_delaysRadio->isChecked();
    m_backoffBaseSpin->setEnabled(!explicitDelays);
    m_backoffMaxSpin->setEnabled(!explicitDelays);
    m_delaysEdit->setEnabled(explicitDelays);
    const auto overlap = overlapPolicyFromName(m_overlapCombo->currentData().toString());
    m_overlapExplanation->setText(overlap ? overlapExplanation(*overlap) : QString());
    const auto misfire = misfirePolicyFromName(m_misfireCombo->currentData().toString());
    m_misfireExplanation->setText(misfire ? misfireExplanation(*misfire) : QString());
    m_misfireMaxSpin->setEnabled(misfire == MisfirePolicy::All);
}

QString JobEditorDialog::problem(const Job &job, const ReadErrors &read) const
{
    if (job.id.isEmpty())
        return QStringLiteral("id: enter the job's id (lower-case letters, digits, '-', '_' and '.')");
    const int trigger = m_triggerGroup->checkedId();
    if (trigger == ScheduleTrigger && job.schedule.isEmpty())
        return QStringLiteral("schedule: enter a cron expression, or choose Manual only");
    if (trigger == WatchTrigger && job.watch.dir.isEmpty())
        return QStringLiteral("watch: dir: enter the folder to watch");
    // Job::validate would look an exec program up on PATH and a working folder on disk, which the GUI
    // thread must not wait for: it checks everything else here, on a stand-in action, and the action
    // is checked below without the disk (the store checks it in full when saving).
    Job standIn = job;
    standIn.task.action = ActionSpec::handler(QStringLiteral("job-editor.stand-in"));
    QString jobError;
    standIn.validate(&jobError);
    // The first problem in the order of the form: the job and its trigger, the action, the payload,
    // the policies.
    static const QStringList generalFields{QStringLiteral("id"),          QStringLiteral("title"),
                                           QStringLiteral("description"), QStringLiteral("schedule"),
                                           QStringLiteral("timezone"),    QStringLiteral("watch")};
    if (!jobError.isEmpty() && generalFields.contains(jobError.section(QLatin1Char(':'), 0, 0)))
        return jobError;
    if (!read.action.isEmpty())
        return read.action;
    QString actionError;
    if (!checkActionWithoutDisk(job.task.action, &actionError))
        return actionError.startsWith(QLatin1String("action: ")) ? actionError
                                                                 : QStringLiteral("action: ") + actionError;
    if (!read.payload.isEmpty())
        return read.payload;
    if (!read.retry.isEmpty())
        return read.retry;
    return jobError;
}

void JobEditorDialog::showError(const QString &error)
{
    m_errorLabel->setText(error);
    m_errorLabel->setVisible(!error.isEmpty());
}

void JobEditorDialog::updateRetryPlan(const RetryPolicy &policy, bool readable)
{
    m_retryPlan->setRowCount(0);
    if (!readable) {
        m_retrySummary->setText(tr("The plan shows once the retry fields are right."));
        return;
    }
    const auto addRow = [this](const QString &attempts, const QString &starts) {
        const int row = m_retryPlan->rowCount();
        m_retryPlan->insertRow(row);
        m_retryPlan->setItem(row, AttemptColumn, new QTableWidgetItem(attempts));
        m_retryPlan->setItem(row, StartsColumn, new QTableWidgetItem(starts));
    };
    addRow(QStringLiteral("1"), tr("when due"));
    qint64 totalMs = 0;
    // Attempts that wait alike (the backoff at its cap, the last explicit delay) share a row.
    for (int attempt = 2; attempt <= policy.maxAttempts;) {
        const qint64 ceiling = policy.delayCeilingMs(attempt - 1);
        int last = attempt;
        while (last < policy.maxAttempts && policy.delayCeilingMs(last) == ceiling)
            ++last;
        totalMs += ceiling * (last - attempt + 1);
        QString starts;
        if (ceiling <= 0)
            starts = tr("at once");
        else if (policy.jitter) // full jitter: uniform in [0, ceiling]
            starts = tr("after %1\u2013%2").arg(durationText(0), durationText(ceiling));
        else
            starts = tr("after %1").arg(durationText(ceiling));
        addRow(last == attempt ? QString::number(attempt) : tr("%1\u2013%2").arg(attempt).arg(last), starts);
        attempt = last + 1;
    }
    QString summary = policy.maxAttempts == 1 ? tr("One attempt: a failed run becomes a dead letter at once.")
                                              : tr("%1 attempts in all, with at most %2 of waiting between them.")
                                                    .arg(policy.maxAttempts)
                                                    .arg(durationText(totalMs));
    if (!policy.noRetryExitCodes.isEmpty()) {
        QStringList codes;
        for (int code : policy.noRetryExitCodes)
            codes.append(QString::number(code));
        summary += QLatin1Char(' ') + tr("Exit codes %1 are not retried.").arg(codes.join(QStringLiteral(", ")));
    }
    m_retrySummary->setText(summary);
}

void JobEditorDialog::updateCatchUpPreview(const Job &job)
{
    QString text;
    const QTimeZone zone = zoneOf(job);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool isNew = m_mode != Mode::Edit;
    switch (m_triggerGroup->checkedId()) {
    case ManualTrigger:
        text = tr("Manual only: it runs when started by hand, so nothing is ever caught up.");
        break;
    case WatchTrigger:
        text = tr("Folder watch: files that appeared while the scheduler was not running are taken when it "
                  "starts.");
        break;
    default: {
        if (!m_cron->isValid()) {
            text = tr("Shown once the schedule is right.");
            break;
        }
        if (m_cron->schedule().expression().isReboot()) {
            text = tr("@reboot: runs once each time the scheduler starts; nothing is caught up.");
            break;
        }
        const QString next = fireText(nextFire(job, now), zone);
        if (job.paused) {
            text = tr("Paused: nothing runs, and nothing is caught up, until it is resumed.");
        } else if (isNew) {
            text = tr("A new job: nothing to catch up.\nFirst fire: %1").arg(next);
        } else if (!m_lastFireAt) {
            text = tr("Reading its last fire…");
        } else if (!m_lastFireAt->isValid()) {
            text = tr("No fire handled yet: nothing to catch up.\nFirst fire: %1").arg(next);
        } else {
            const QList<PlannedFire> plans = Scheduler::plan(job, *m_lastFireAt, now, Scheduler::Options());
            QStringList lines{tr("Last fire handled: %1").arg(fireText(*m_lastFireAt, zone))};
            if (plans.isEmpty())
                lines.append(tr("Nothing missed: if the scheduler started now, nothing would run before the next "
                                "fire, %1.")
                                 .arg(next));
            else
                lines.append(tr("If the scheduler started now:"));
            constexpr int MaxLines = 12;
            for (qsizetype i = 0; i < plans.size() && i < MaxLines; ++i) {
                const PlannedFire &plan = plans.at(i);
                const QString detail = plan.detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(plan.detail);
                lines.append(
                    plan.outcome == QLatin1String("run")
                        ? tr("\u2022 %1 fire of %2 runs at %3%4")
                              .arg(plan.kind, fireText(plan.scheduledAt, zone), fireText(plan.runAt, zone), detail)
                        : tr("\u2022 missed: %1").arg(plan.detail));
            }
            if (plans.size() > MaxLines)
                lines.append(tr("… and %1 more").arg(plans.size() - MaxLines));
            text = lines.join(QLatin1Char('\n'));
        }
        break;
    }
    }
    m_catchUpLabel->setText(text);
}

void JobEditorDialog::requestLastFire()
{
    if (!m_store)
        return;
    const int generation = m_generation;
    const QString id = m_base.id;
    m_store->run<LastFireRead>(
        this,
        [id](Stores &stores) {
            LastFireRead read;
            if (const auto stored = stores.jobs.find(id, &read.error))
                read.at = stored->lastFireAt;
            return read;
        },
        [this, generation](LastFireRead read) {
            if (generation != m_generation)
                return;
            m_lastFireAt = read.at;
            updateCatchUpPreview(job());
            if (!read.error.isEmpty())
                m_catchUpLabel->setText(tr("Its last fire cannot be read: %1").arg(read.error));
        });
}

void JobEditorDialog::save()
{
    ReadErrors read;
    const Job job = buildJob(&read);
    if (m_saving || !problem(job, read).isEmpty())
        return;
    if (!m_store) {
        showError(tr("Not saved: no database is open."));
        return;
    }
    m_saving = true;
    m_saveButton->setEnabled(false);
    const bool adding = m_mode != Mode::Edit;
    const int generation = m_generation;
    m_store->run<QString>(
        this,
        [job, adding](Stores &stores) -> QString {
            // As the command line does: the secrets the action names must exist (read from disk here,
            // in the store's thread).
            if (Placeholders::contains(job.task.action)) {
                QString why;
                const QString path = Secrets::defaultPathFor(stores.path);
                const auto loaded = Secrets::load(path, &why);
                // An unreadable file checks as an empty one, saying why it could not be read.
                const Secrets secrets = loaded.value_or(Secrets(path, {}));
                QString problem;
                if (!ActionSpec::validate(job.task.action, &problem, &secrets))
                    return QStringLiteral("action: ") + problem +
                           (loaded ? QString() : QStringLiteral(" (%1)").arg(why));
            }
            QString error;
            if (!(adding ? stores.jobs.add(job, &error) : stores.jobs.update(job, &error)))
                return error.isEmpty() ? QStringLiteral("the store did not save the job") : error;
            return QString();
        },
        [this, generation, id = job.id](QString error) {
            m_saving = false;
            if (generation != m_generation) { // another job was loaded meanwhile
                revalidate();
                return;
            }
            if (!error.isEmpty()) {
                revalidate();
                // The fields may have been changed meanwhile: their own problem comes first.
                if (errorText().isEmpty())
                    showError(error);
                return;
            }
            Q_EMIT saved(id);
            accept();
        });
}

} // namespace Taskdeck::Ui

#include "actionspec.h"

#include "events/topic.h"
#include "maintenanceaction.h"
#include "pipelineaction.h"
#include "placeholders.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

namespace Taskdeck::Core::ActionSpec {

namespace {

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

bool isStringArray(const QJsonValue &value)
{
    if (!value.isArray())
        return false;
    const QJsonArray array = value.toArray();
    return std::all_of(array.begin(), array.end(), [](const QJsonValue &v) { return v.isString(); });
}

bool isStringObject(const QJsonValue &value)
{
    if (!value.isObject())
        return false;
    const QJsonObject object = value.toObject();
    return std::all_of(object.begin(), object.end(), [](const QJsonValue &v) { return v.isString(); });
}

// Whether a field is filled in when the action runs: then only its run can check it.
bool isTemplate(const QJsonValue &value)
{
    return Placeholders::contains(value);
}

bool validateExec(const QJsonObject &action, QString *error)
{
    const QString program = action.value(QStringLiteral("program")).toString();
    if (program.isEmpty())
        return fail(error, QStringLiteral("exec: the program is missing"));
    if (isTemplate(program)) {
        // A program named by the payload: found (or not) when it runs.
    } else if (program.contains(QLatin1Char('/'))) {
        const QFileInfo info(program);
        if (!info.exists())
            return fail(error, QStringLiteral("exec: no program at '%1'").arg(program));
        if (!info.isFile() || !info.isExecutable())
            return fail(error, QStringLiteral("exec: '%1' is not an executable file").arg(program));
    } else if (QStandardPaths::findExecutable(program).isEmpty()) {
        return fail(error, QStringLiteral("exec: no program '%1' in PATH").arg(program));
    }
    if (action.contains(QStringLiteral("args")) && !isStringArray(action.value(QStringLiteral("args"))))
        return fail(error, QStringLiteral("exec: args must be an array of strings"));
    if (action.contains(QStringLiteral("cwd"))) {
        const QString cwd = action.value(QStringLiteral("cwd")).toString();
        if (cwd.isEmpty() || (!isTemplate(cwd) && !QFileInfo(cwd).isDir()))
            return fail(error, QStringLiteral("exec: the working directory '%1' is not a folder").arg(cwd));
    }
    if (action.contains(QStringLiteral("env")) && !isStringObject(action.value(QStringLiteral("env"))))
        return fail(error, QStringLiteral("exec: env must be an object of strings"));
    return true;
}

bool validateHttp(const QJsonObject &action, QString *error)
{
    const QString text = action.value(QStringLiteral("url")).toString();
    const QUrl url(text, QUrl::StrictMode);
    if (text.isEmpty())
        return fail(error, QStringLiteral("http: the URL is missing"));
    if (!isTemplate(text) &&
        (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
         url.host().isEmpty()))
        return fail(error, QStringLiteral("http: '%1' is not an http or https URL with a host").arg(text));
    static const QStringList methods{QStringLiteral("GET"),   QStringLiteral("POST"),   QStringLiteral("PUT"),
                                     QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD")};
    const QString method = action.value(QStringLiteral("method")).toString(QStringLiteral("GET"));
    if (!methods.contains(method))
        return fail(error,
                    QStringLiteral("http: method '%1' is not one of %2").arg(method, methods.join(QLatin1Char(' '))));
    if (action.contains(QStringLiteral("headers")) && !isStringObject(action.value(QStringLiteral("headers"))))
        return fail(error, QStringLiteral("http: headers must be an object of strings"));
    if (action.contains(QStringLiteral("body")) && !action.value(QStringLiteral("body")).isString())
        return fail(error, QStringLiteral("http: body must be a string"));
    const QJsonArray accept = action.value(QStringLiteral("accept")).toArray();
    for (const QJsonValue &code : accept) {
        if (!code.isDouble() || code.toInt() < 100 || code.toInt() > 599 || code.toDouble() != code.toInt())
            return fail(error, QStringLiteral("http: accept must list status codes 100-599"));
    }
    return true;
}

bool validatePublish(const QJsonObject &action, QString *error)
{
    for (auto it = action.begin(); it != action.end(); ++it) {
        if (it.key() != QLatin1String("type") && it.key() != QLatin1String("topic") &&
            it.key() != QLatin1String("data"))
            return fail(error, QStringLiteral("publish: %1: not a field here (known: topic, data)").arg(it.key()));
    }
    const QJsonValue topic = action.value(QStringLiteral("topic"));
    if (!topic.isString())
        return fail(error, QStringLiteral("publish: the topic is missing"));
    if (!isTemplate(topic)) {
        if (const QString why = Topic::problem(topic.toString()); !why.isEmpty())
            return fail(error, QStringLiteral("publish: ") + why);
    }
    return true;
}

} // namespace

QJsonObject exec(const QString &program, const QStringList &arguments)
{
    return {{QStringLiteral("type"), QStringLiteral("exec")},
            {QStringLiteral("program"), program},
            {QStringLiteral("args"), QJsonArray::fromStringList(arguments)}};
}

QJsonObject shell(const QString &command)
{
    return {{QStringLiteral("type"), QStringLiteral("shell")}, {QStringLiteral("command"), command}};
}

QJsonObject http(const QString &url, const QString &method)
{
    return {{QStringLiteral("type"), QStringLiteral("http")},
            {QStringLiteral("url"), url},
            {QStringLiteral("method"), method}};
}

QJsonObject handler(const QString &name)
{
    return {{QStringLiteral("type"), QStringLiteral("handler")}, {QStringLiteral("name"), name}};
}

bool validate(const QJsonObject &action, QString *error)
{
    return validate(action, PlaceholderRules(), error);
}

bool validate(const QJsonObject &action, QString *error, const Secrets *secrets)
{
    PlaceholderRules rules;
    rules.secrets = secrets;
    return validate(action, rules, error);
}

bool validate(const QJsonObject &action, const PlaceholderRules &rules, QString *error)
{
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("pipeline") || type == QLatin1String("iterate"))
        return PipelineAction::validate(action, rules, error);
    if (Placeholders::contains(action) && !Placeholders::checkAction(action, rules, error))
        return false;
    if (type == QLatin1String("exec"))
        return validateExec(action, error);
    if (type == QLatin1String("shell")) {
        if (action.value(QStringLiteral("command")).toString().trimmed().isEmpty())
            return fail(error, QStringLiteral("shell: the command is empty"));
        return true;
    }
    if (type == QLatin1String("http"))
        return validateHttp(action, error);
    if (type == QLatin1String("handler")) {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"));
        const QString handlerName = action.value(QStringLiteral("name")).toString();
        if (!name.match(handlerName).hasMatch())
            return fail(error, QStringLiteral("handler: '%1' is not a handler name").arg(handlerName));
        return true;
    }
    if (type == QLatin1String("publish"))
        return validatePublish(action, error);
    if (MaintenanceAction::isMaintenance(type))
        return MaintenanceAction::validate(action, error);
    return fail(error, type.isEmpty() ? QStringLiteral("action: the type is missing")
                                      : QStringLiteral("action: unknown type '%1' (exec, shell, http, handler, "
                                                       "publish, pipeline, iterate, cleanup, purge-history, vacuum "
                                                       "or report)")
                                            .arg(type));
}

QJsonObject redacted(const QJsonObject &action)
{
    static const QRegularExpression secretName(
        QStringLiteral("^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|passw|key|credential"),
        QRegularExpression::CaseInsensitiveOption);
    QJsonObject result = action;
    for (const char *field : {"headers", "env"}) {
        const QString name = QString::fromLatin1(field);
        if (!result.value(name).isObject())
            continue;
        QJsonObject values = result.value(name).toObject();
        for (auto it = values.begin(); it != values.end(); ++it) {
            if (secretName.match(it.key()).hasMatch())
                it.value() = QStringLiteral("***");
        }
        result.insert(name, values);
    }
    // Nested actions are shown the same way.
    if (result.value(QStringLiteral("action")).isObject())
        result.insert(QStringLiteral("action"), redacted(result.value(QStringLiteral("action")).toObject()));
    if (result.value(QStringLiteral("steps")).isArray()) {
        QJsonArray steps = result.value(QStringLiteral("steps")).toArray();
        for (qsizetype i = 0; i < steps.size(); ++i) {
            QJsonObject step = steps.at(i).toObject();
            if (step.value(QStringLiteral("action")).isObject())
                step.insert(QStringLiteral("action"), redacted(step.value(QStringLiteral("action")).toObject()));
            steps[i] = step;
        }
        result.insert(QStringLiteral("steps"), steps);
    }
    return result;
}

QString summary(const QJsonObject &action)
{
    const QString type = action.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("exec")) {
        QStringList words{action.value(QStringLiteral("program")).toString()};
        const QJsonArray args = action.value(QStringLiteral("args")).toArray();
        for (const QJsonValue &arg : args)
            words.append(arg.toString());
        return QStringLiteral("exec ") + words.join(QLatin1Char(' '));
    }
    if (type == QLatin1String("shell"))
        return QStringLiteral("shell ") + action.value(QStringLiteral("command")).toString();
    if (type == QLatin1String("http"))
        return QStringLiteral("http %1 %2")
            .arg(action.value(QStringLiteral("method")).toString(QStringLiteral("GET")),
                 action.value(QStringLiteral("url")).toString());
    if (type == QLatin1String("handler"))
        return QStringLiteral("handler ") + action.value(QStringLiteral("name")).toString();
    if (type == QLatin1String("publish"))
        return QStringLiteral("publish ") + action.value(QStringLiteral("topic")).toString();
    if (type == QLatin1String("pipeline") || type == QLatin1String("iterate"))
        return PipelineAction::summary(action);
    if (MaintenanceAction::isMaintenance(type))
        return MaintenanceAction::summary(action);
    return type;
}

} // namespace Taskdeck::Core::ActionSpec

#pragma once

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

namespace Taskdeck::Core {

class Secrets;

// Placeholders in the strings of an action's JSON, filled in when the action runs:
//   {{payload}}  {{payload.dataset.path}}  {{payload.files.0.name}}    the task's payload
//   {{steps.KEY.output}}  {{steps.KEY.output.rows}}                   a finished pipeline step's output
//   {{secret.NAME}}                                                   a value from the secrets file
//   {{item}}  {{item.name}}                                           the current item of an iterate
// Spaces inside the braces are allowed ({{ payload.x }}). A path is made of ".name" segments; a
// segment of digits indexes an array (on an object it is a field name). A segment is any run of
// characters but '.', '{', '}' and white space.
//
// Only these four roots are placeholders: "{{" followed (after optional spaces) by payload, steps,
// secret or item and then ".", "}", a space or the end of the text. Any other "{{" is plain text
// and passes through untouched, so `docker ps --format '{{.Names}}'`, `{{json .}}` or `{{items}}`
// need no escaping. A recognised root with a broken tail is an error naming the column of its
// "{{" (1-based): `{{payload.x` is unterminated, `{{payload..x}}` and `{{payload.}}` miss a name,
// `{{secret}}` names no secret, `{{steps.a}}` names no output.
//
// Substitution is one pass over the action's own text: what a placeholder brings in (a payload
// string, a step's output, a secret) is never scanned for placeholders again, so a payload cannot
// reach a secret by containing "{{secret.X}}".
//
// How a value becomes text, inside a longer string (or always, with Quoting::Text and Shell):
// a string as it is, a number or true/false as JSON writes it (3, 0.5, 1e+20), an object or an
// array as compact JSON, null as empty text (an optional field left out of a payload should not
// stop a task, and "null" in a command line or a URL is never what was meant).
//
// Quoting::Shell, for the command of a "shell" action, makes every substitution exactly one shell
// word: single-quoted, with ' written as '\'' (a payload of `x'; rm -rf ~; '` stays one argument).
// That is only sound where the shell reads the placeholder unquoted, so a placeholder inside '...'
// or "...", in a comment, right after a backslash or a $, or after a construct whose quoting this
// does not follow (backquotes, a here-document, $'...', ((...)), and $(...) or ${...} other than
// the simplest ones such as "$(date +%F)" and ${HOME}) is refused, with the advice to write it
// unquoted or to set a variable first: v={{payload.x}}; echo "$v". A value with a NUL character
// is refused (a command line cannot carry it). Commands that hand their words to another shell
// (eval, sh -c, ssh HOST CMD, su -c) parse the value a second time: quote it for them yourself.
struct PlaceholderScope
{
    QJsonValue payload;
    QHash<QString, QJsonValue> stepOutputs; // step key -> output JSON of the steps finished so far
    std::optional<QJsonValue> item;         // set inside an iterate action
    const Secrets *secrets = nullptr;       // null: {{secret.X}} fails with "no secrets are available"
};

// What a write-time check knows about where the action will run.
struct PlaceholderRules
{
    QStringList stepKeys;             // earlier steps whose output is waited for ("wait" mode)
    QStringList backgroundStepKeys;   // earlier steps in "background" mode: naming their output is an error
    bool itemAllowed = false;         // inside an iterate action
    const Secrets *secrets = nullptr; // null: secret names are checked for their form only
};

namespace Placeholders {

// How a substitution is written.
enum class Quoting {
    None,  // a string that is exactly one placeholder becomes that JSON value itself (an array, a
           // number, an object...); inside a longer string, its text
    Text,  // always its text: the result is a string (for fields that are read as text)
    Shell, // always its text, as one single-quoted shell word (see above)
};

// Whether any string in `value` holds a recognised placeholder (broken ones too: resolving them
// reports the error). Strings without "{{" cost one search and no allocation beyond reading them.
bool contains(const QJsonValue &value);

// The write-time check of every string in `value`, recursively (object keys are not templates).
// The error names the placeholder and where it is, as a JSON path from `where`:
//   "args[1]: {{steps.sumary.output}}: no step 'sumary' before this one (validate, summarize)"
//   "headers.Authorization: {{secret.API_TOKEN}}: no secret named API_TOKEN in /x/secrets.json"
//   "command: {{payload.x: unterminated placeholder (column 5)"
//   "args[0]: {{item}}: only inside an iterate action"
bool check(const QJsonValue &value, const PlaceholderRules &rules, QString *error, const QString &where = QString(),
           Quoting quoting = Quoting::None);

struct Resolved
{
    QJsonValue value;
    QStringList secretValues; // the secrets it substituted (and their shell-quoted forms): for mask()
};

// The run-time substitution of every placeholder in `value`. Something missing fails, naming the
// placeholder (as written), what is missing and, when given, where:
//   "{{payload.dataset.path}}: the payload has no field 'path' (at dataset)"
//   "{{payload.files.3}}: the payload's files has 2 items"
//   "{{steps.validate.output.rows}}: step 'validate' output has no field 'rows'"
//   "{{secret.TOKEN}}: no secret named TOKEN"
// Values without placeholders are returned shared, not copied.
std::optional<Resolved> resolve(const QJsonValue &value, const PlaceholderScope &scope, QString *error,
                                Quoting quoting = Quoting::None, const QString &where = QString());

// Resolves an action object by its type's rules. "type" is never touched. A "pipeline"'s "steps"
// and an "iterate"'s "action" are left alone: their runner resolves each step and each item with
// the scope of that moment; an iterate's "items" is resolved ("{{payload.files}}" becomes the array).
// A "shell" action's "command" uses Quoting::Shell. The fields its runner reads as text use
// Quoting::Text, so that "args": ["{{payload.count}}"] stays an array of strings and
// "body": "{{payload}}" becomes JSON text: exec and shell program, args, cwd and env; http url,
// method, headers and body; cleanup dir and glob; report dir, period and timezone. Every other
// field uses Quoting::None and keeps the JSON type ("older_than_days": "{{payload.days}}" -> 30).
std::optional<Resolved> resolveAction(const QJsonObject &action, const PlaceholderScope &scope, QString *error);

// As resolveAction(), but every {{secret.NAME}} is left as written (and none is in secretValues),
// for an action queued as a task of its own that fills in its secrets when it runs: the stored
// action never holds a secret, and that task masks its output as every task does. Since the task
// resolves the action once more, nothing filled in now may bring in a placeholder (that would let
// a payload reach a secret); such a value is an error:
//   "args[0]: {{payload.note}}: its value holds a placeholder, which would be filled in when the
//    queued task runs"
std::optional<Resolved> resolveActionLeavingSecrets(const QJsonObject &action, const PlaceholderScope &scope,
                                                    QString *error);

// The write-time check of a whole action with the same rules (for a pipeline or an iterate, only
// the fields outside "steps" / "action"; their checks give each step and the inner action rules
// of their own). Errors name the field: "args[1]: {{payload.x: unterminated placeholder (column 1)".
bool checkAction(const QJsonObject &action, const PlaceholderRules &rules, QString *error);

// `text` with every occurrence of any of the values replaced by "***". Occurrences that overlap or
// touch are masked as one run, so no part of a longer or overlapping value shows; empty values are
// ignored. Mask whole lines: a value split across two chunks is not found.
QString mask(QString text, const QStringList &secretValues);

// `value` with mask() applied to every string in it, recursively, object keys too (members whose
// masked keys coincide keep the last one): for JSON results such as a process's last line.
QJsonValue maskJson(const QJsonValue &value, const QStringList &secretValues);

} // namespace Placeholders

} // namespace Taskdeck::Core

#include "actions/placeholders.h"
#include "actions/secrets.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Taskdeck::Core;

namespace {

// Any JSON value from text (QJsonDocument alone takes only objects and arrays).
QJsonValue json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray("[") + text + QByteArray("]"), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in a test: %s", text);
    return document.array().first();
}

QJsonObject object(const char *text)
{
    return json(text).toObject();
}

QString compact(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

PlaceholderScope scopeWith(const QJsonValue &payload)
{
    PlaceholderScope scope;
    scope.payload = payload;
    return scope;
}

struct ShellRun
{
    int exitCode = -1;
    QString out;
};

// Runs `command` with /bin/sh -c in `folder`, as the shell action does.
ShellRun runShell(const QString &command, const QString &folder)
{
    QProcess process;
    process.setWorkingDirectory(folder);
    process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), command});
    ShellRun result;
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit)
        return result;
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    return result;
}

// A shell function that prints how many words it got, then its first word between brackets.
const QString CountWords = QStringLiteral("words() { printf '%s[%s]' \"$#\" \"$1\"; }; words ");

} // namespace

class TestPlaceholders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void payloadPathsResolve_data();
    void payloadPathsResolve();
    void stepOutputsAndItemsResolve();
    void secretsResolveAndAreReportedForMasking();
    void substitutedTextIsNeverScannedAgain();
    void missingValuesNameThePlaceholderAndWhatIsMissing_data();
    void missingValuesNameThePlaceholderAndWhatIsMissing();
    void otherDoubleBracesPassThroughUntouched_data();
    void otherDoubleBracesPassThroughUntouched();
    void brokenPlaceholdersAreErrorsAtCheckAndRun_data();
    void brokenPlaceholdersAreErrorsAtCheckAndRun();
    void containsLooksAtEveryStringButNotAtKeys();
    void textModeAlwaysGivesAString();
    void shellQuotingKeepsEveryValueOneUnchangedWord_data();
    void shellQuotingKeepsEveryValueOneUnchangedWord();
    void shellPlaceholdersThatQuotingCannotProtectAreRefused_data();
    void shellPlaceholdersThatQuotingCannotProtectAreRefused();
    void shellPlaceholdersInFollowableSpotsAreAccepted_data();
    void shellPlaceholdersInFollowableSpotsAreAccepted();
    void aWholeShellCommandPlaceholderIsQuotedToo();
    void aNulCharacterCannotReachAShellCommand();
    void resolveActionLeavesPipelineStepsAndIterateActionsAlone();
    void resolveActionKeepsTextFieldsText();
    void resolveActionErrorsNameTheField();
    void anActionWithoutPlaceholdersComesBackAsItWas();
    void checkMessagesNameTheJsonPath_data();
    void checkMessagesNameTheJsonPath();
    void checkAcceptsWhatTheRulesAllow();
    void maskHidesEveryPieceOfEverySecret_data();
    void maskHidesEveryPieceOfEverySecret();
    void maskCoversTheShellQuotedFormOfASecret();

private:
    QTemporaryDir m_dir;
};

void TestPlaceholders::payloadPathsResolve_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected"); // compact JSON of the result

    QTest::newRow("the whole payload keeps its type") << QStringLiteral("{{payload}}")
                                                      << QStringLiteral(R"({"1":"one","dataset":{"path":"/srv/d",)"
                                                                        R"("rows":12},"empty":null,"files":[{"name":)"
                                                                        R"("a.csv"},{"name":"b.csv"}],"flag":true,)"
                                                                        R"("half":0.5,"huge":1e+20})");
    QTest::newRow("a field") << QStringLiteral("{{payload.dataset.path}}") << QStringLiteral(R"("/srv/d")");
    QTest::newRow("spaces inside the braces")
        << QStringLiteral("{{  payload.dataset.path }}") << QStringLiteral(R"("/srv/d")");
    QTest::newRow("an array index") << QStringLiteral("{{payload.files.1.name}}") << QStringLiteral(R"("b.csv")");
    QTest::newRow("a whole number stays a number")
        << QStringLiteral("{{payload.dataset.rows}}") << QStringLiteral("12");
    QTest::newRow("true stays true") << QStringLiteral("{{payload.flag}}") << QStringLiteral("true");
    QTest::newRow("null stays null") << QStringLiteral("{{payload.empty}}") << QStringLiteral("null");
    QTest::newRow("an array stays an array")
        << QStringLiteral("{{payload.files}}") << QStringLiteral(R"([{"name":"a.csv"},{"name":"b.csv"}])");
    QTest::newRow("digits name a field of an object") << QStringLiteral("{{payload.1}}") << QStringLiteral(R"("one")");
    QTest::newRow("inside text a number is its JSON text")
        << QStringLiteral("rows={{payload.dataset.rows}} half={{payload.half}} huge={{payload.huge}}")
        << QStringLiteral(R"("rows=12 half=0.5 huge=1e+20")");
    QTest::newRow("inside text true is true")
        << QStringLiteral("--force={{payload.flag}}") << QStringLiteral(R"("--force=true")");
    QTest::newRow("inside text null is empty") << QStringLiteral("[{{payload.empty}}]") << QStringLiteral(R"("[]")");
    QTest::newRow("inside text an object is compact JSON")
        << QStringLiteral("data: {{payload.dataset}}")
        << QStringLiteral(R"("data: {\"path\":\"/srv/d\",\"rows\":12}")");
    QTest::newRow("two placeholders side by side")
        << QStringLiteral("{{payload.files.0.name}}{{payload.files.1.name}}") << QStringLiteral(R"("a.csvb.csv")");
    QTest::newRow("a placeholder inside a third brace")
        << QStringLiteral("{{{payload.flag}}}") << QStringLiteral(R"("{true}")");
    QTest::newRow("a space around makes it text")
        << QStringLiteral(" {{payload.dataset.rows}}") << QStringLiteral(R"(" 12")");
}

void TestPlaceholders::payloadPathsResolve()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const PlaceholderScope scope =
        scopeWith(json(R"({"dataset": {"path": "/srv/d", "rows": 12}, "files": [{"name": "a.csv"}, {"name": "b.csv"}],
                          "flag": true, "empty": null, "half": 0.5, "huge": 1e20, "1": "one"})"));
    QVERIFY(Placeholders::contains(text));
    QString error;
    const auto resolved = Placeholders::resolve(text, scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(compact(resolved->value), expected);
    QVERIFY(resolved->secretValues.isEmpty());
}

void TestPlaceholders::stepOutputsAndItemsResolve()
{
    PlaceholderScope scope;
    scope.stepOutputs.insert(QStringLiteral("validate"), json(R"({"rows": 3, "bad": ["r2"]})"));
    scope.stepOutputs.insert(QStringLiteral("count"), json("42"));
    scope.item = json(R"({"name": "a.csv", "size": 10})");
    QString error;
    auto resolved = Placeholders::resolve(json(R"(["{{steps.validate.output}}", "{{steps.validate.output.bad.0}}",
                                                   "n={{steps.count.output}}", "{{item}}", "{{item.name}}"])"),
                                          scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(compact(resolved->value),
             QStringLiteral(R"([{"bad":["r2"],"rows":3},"r2","n=42",{"name":"a.csv","size":10},"a.csv"])"));

    scope.item = json(R"("plain")");
    resolved = Placeholders::resolve(QStringLiteral("cat {{ item }}"), scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value.toString(), QStringLiteral("cat plain"));
}

void TestPlaceholders::secretsResolveAndAreReportedForMasking()
{
    const Secrets secrets(QStringLiteral("/x/secrets.json"),
                          {{QStringLiteral("API_TOKEN"), QStringLiteral("t0k3n")}, {QStringLiteral("USER"), {}}});
    PlaceholderScope scope;
    scope.secrets = &secrets;
    QString error;
    const auto resolved = Placeholders::resolve(
        json(
            R"({"Authorization": "Bearer {{secret.API_TOKEN}}", "again": "{{secret.API_TOKEN}}", "u": "{{secret.USER}}"})"),
        scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(compact(resolved->value), QStringLiteral(R"({"Authorization":"Bearer t0k3n","again":"t0k3n","u":""})"));
    // Each value once; the empty one is nothing to mask.
    QCOMPARE(resolved->secretValues, QStringList{QStringLiteral("t0k3n")});
}

void TestPlaceholders::substitutedTextIsNeverScannedAgain()
{
    const Secrets secrets(QString(), {{QStringLiteral("TOKEN"), QStringLiteral("s3cr3t")}});
    PlaceholderScope scope = scopeWith(json(R"({"note": "{{secret.TOKEN}}", "self": "{{payload}}"})"));
    scope.secrets = &secrets;
    QString error;
    const auto resolved =
        Placeholders::resolve(QStringLiteral("echo {{payload.note}} {{payload.self}}"), scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value.toString(), QStringLiteral("echo {{secret.TOKEN}} {{payload}}"));
    QVERIFY(resolved->secretValues.isEmpty());
}

void TestPlaceholders::missingValuesNameThePlaceholderAndWhatIsMissing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("withSecrets");
    QTest::addColumn<QString>("expected");

    QTest::newRow("a field of a field") << QStringLiteral("{{payload.dataset.path}}") << true
                                        << QStringLiteral("{{payload.dataset.path}}: the payload has no field 'path' "
                                                          "(at dataset)");
    QTest::newRow("a top-level field") << QStringLiteral("{{payload.nope}}") << true
                                       << QStringLiteral("{{payload.nope}}: the payload has no field 'nope'");
    QTest::newRow("an index past the end") << QStringLiteral("cp {{payload.files.3}} /tmp") << true
                                           << QStringLiteral("{{payload.files.3}}: the payload's files has 2 items");
    QTest::newRow("one item") << QStringLiteral("{{payload.one.1}}") << true
                              << QStringLiteral("{{payload.one.1}}: the payload's one has 1 item");
    QTest::newRow("a field of a string") << QStringLiteral("{{payload.files.0.x}}") << true
                                         << QStringLiteral("{{payload.files.0.x}}: the payload's files.0 is a string, "
                                                           "not an object");
    QTest::newRow("a name on an array") << QStringLiteral("{{payload.files.name}}") << true
                                        << QStringLiteral("{{payload.files.name}}: the payload's files is an array, "
                                                          "not an object");
    QTest::newRow("an index on a number") << QStringLiteral("{{payload.n.0}}") << true
                                          << QStringLiteral("{{payload.n.0}}: the payload's n is a number, not an "
                                                            "array or an object");
    QTest::newRow("a field of a step's output") << QStringLiteral("{{steps.validate.output.rows}}") << true
                                                << QStringLiteral("{{steps.validate.output.rows}}: step 'validate' "
                                                                  "output has no field 'rows'");
    QTest::newRow("a step that has not run") << QStringLiteral("{{ steps.load.output }}") << true
                                             << QStringLiteral("{{ steps.load.output }}: step 'load' has no output: "
                                                               "it has not finished before this one");
    QTest::newRow("a secret that is not there") << QStringLiteral("Bearer {{secret.TOKEN}}") << true
                                                << QStringLiteral("{{secret.TOKEN}}: no secret named TOKEN");
    QTest::newRow("no secrets at all") << QStringLiteral("{{secret.TOKEN}}") << false
                                       << QStringLiteral("{{secret.TOKEN}}: no secrets are available");
    QTest::newRow("an item outside an iterate")
        << QStringLiteral("{{item.name}}") << true << QStringLiteral("{{item.name}}: only inside an iterate action");
}

void TestPlaceholders::missingValuesNameThePlaceholderAndWhatIsMissing()
{
    QFETCH(QString, text);
    QFETCH(bool, withSecrets);
    QFETCH(QString, expected);
    const Secrets secrets(QStringLiteral("/x/secrets.json"), {{QStringLiteral("OTHER"), QStringLiteral("v")}});
    PlaceholderScope scope = scopeWith(json(R"({"dataset": {}, "files": ["a", "b"], "one": [1], "n": 5})"));
    scope.stepOutputs.insert(QStringLiteral("validate"), json(R"({"ok": true})"));
    if (withSecrets)
        scope.secrets = &secrets;
    QString error;
    QVERIFY(!Placeholders::resolve(text, scope, &error));
    QCOMPARE(error, expected);
    // With a place to name, the message starts with it.
    QVERIFY(!Placeholders::resolve(text, scope, &error, Placeholders::Quoting::None, QStringLiteral("args[2]")));
    QCOMPARE(error, QStringLiteral("args[2]: ") + expected);
}

void TestPlaceholders::otherDoubleBracesPassThroughUntouched_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("docker's Go template") << QStringLiteral("docker ps --format '{{.Names}}'");
    QTest::newRow("a Go function") << QStringLiteral("docker inspect -f '{{json .}}' web");
    QTest::newRow("a Go range") << QStringLiteral("{{range .Items}}{{.Name}}{{end}}");
    QTest::newRow("a longer word than a root") << QStringLiteral("{{payloads}} {{items}} {{secrets.X}}");
    QTest::newRow("a root glued to another character") << QStringLiteral("{{payload-x}} {{item_1}}");
    QTest::newRow("a capitalised root") << QStringLiteral("{{ Payload.x }}");
    QTest::newRow("braces alone") << QStringLiteral("{{ }} {{");
    QTest::newRow("closing braces alone") << QStringLiteral("}} }");
}

void TestPlaceholders::otherDoubleBracesPassThroughUntouched()
{
    QFETCH(QString, text);
    QVERIFY(!Placeholders::contains(text));
    QString error;
    QVERIFY2(Placeholders::check(text, {}, &error, QString(), Placeholders::Quoting::Shell), qPrintable(error));
    for (const auto quoting :
         {Placeholders::Quoting::None, Placeholders::Quoting::Text, Placeholders::Quoting::Shell}) {
        const auto resolved = Placeholders::resolve(text, {}, &error, quoting);
        QVERIFY2(resolved, qPrintable(error));
        QCOMPARE(resolved->value.toString(), text);
    }
    // Next to a real placeholder too.
    const auto resolved =
        Placeholders::resolve(QString(text + QStringLiteral(" {{payload}}")), scopeWith(json("7")), &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value.toString(), text + QStringLiteral(" 7"));
}

void TestPlaceholders::brokenPlaceholdersAreErrorsAtCheckAndRun_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("unterminated") << QStringLiteral("cat {{payload.x")
                                  << QStringLiteral("{{payload.x: unterminated placeholder (column 5)");
    QTest::newRow("one brace short") << QStringLiteral("{{payload}")
                                     << QStringLiteral("{{payload}: unterminated placeholder (column 1)");
    QTest::newRow("a root at the end") << QStringLiteral("echo {{ item")
                                       << QStringLiteral("{{ item: unterminated placeholder (column 6)");
    QTest::newRow("a dot at the end") << QStringLiteral("{{payload.")
                                      << QStringLiteral("{{payload.: unterminated placeholder (column 1)");
    QTest::newRow("two dots") << QStringLiteral("{{payload..x}}")
                              << QStringLiteral("{{payload..x}}: a name is missing after '.' (column 1)");
    QTest::newRow("a trailing dot") << QStringLiteral("a {{payload.}}")
                                    << QStringLiteral("{{payload.}}: a name is missing after '.' (column 3)");
    QTest::newRow("a word after the path") << QStringLiteral("{{payload.x y}}")
                                           << QStringLiteral("{{payload.x y}}: unexpected 'y' where }} should be "
                                                             "(column 1)");
    QTest::newRow("an index in brackets") << QStringLiteral("{{payload.files[0]}}")
                                          << QStringLiteral("{{payload.files[0]}}: write an index as .0, not [0] "
                                                            "(column 1)");
    QTest::newRow("a secret without a name") << QStringLiteral("{{secret}}")
                                             << QStringLiteral("{{secret}}: name the secret: {{secret.NAME}} "
                                                               "(column 1)");
    QTest::newRow("a field of a secret") << QStringLiteral("{{secret.A.b}}")
                                         << QStringLiteral("{{secret.A.b}}: a secret has no fields: {{secret.NAME}} "
                                                           "(column 1)");
    QTest::newRow("a bad secret name") << QStringLiteral("{{secret.9lives}}")
                                       << QStringLiteral("{{secret.9lives}}: '9lives' is not a secret name (letters, "
                                                         "digits and _, not starting with a digit) (column 1)");
    QTest::newRow("steps alone") << QStringLiteral("{{steps}}")
                                 << QStringLiteral("{{steps}}: name a step's output: {{steps.KEY.output}} (column 1)");
    QTest::newRow("a step alone") << QStringLiteral("{{steps.a}}")
                                  << QStringLiteral("{{steps.a}}: name a step's output: {{steps.KEY.output}} "
                                                    "(column 1)");
    QTest::newRow("a step's other field") << QStringLiteral("{{steps.a.status}}")
                                          << QStringLiteral("{{steps.a.status}}: name a step's output: "
                                                            "{{steps.KEY.output}} (column 1)");
    QTest::newRow("the second placeholder") << QStringLiteral("{{payload}} {{payload..x}}")
                                            << QStringLiteral("{{payload..x}}: a name is missing after '.' (column "
                                                              "13)");
}

void TestPlaceholders::brokenPlaceholdersAreErrorsAtCheckAndRun()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QVERIFY(Placeholders::contains(text));
    QString error;
    QVERIFY(!Placeholders::check(text, {}, &error, QStringLiteral("command")));
    QCOMPARE(error, QStringLiteral("command: ") + expected);
    error.clear();
    QVERIFY(!Placeholders::resolve(text, scopeWith(json(R"({"x": 1})")), &error));
    QCOMPARE(error, expected);
}

void TestPlaceholders::containsLooksAtEveryStringButNotAtKeys()
{
    QVERIFY(Placeholders::contains(json(R"({"a": [1, true, null, {"b": "x {{payload}}"}]})")));
    QVERIFY(Placeholders::contains(json(R"(["{{secret.X}}"])")));
    QVERIFY(!Placeholders::contains(json(R"({"{{payload}}": 1, "a": ["{{.Names}}", 2]})")));
    QVERIFY(!Placeholders::contains(json("12")));
    QVERIFY(!Placeholders::contains(QJsonValue()));
}

void TestPlaceholders::textModeAlwaysGivesAString()
{
    QString error;
    const auto resolved = Placeholders::resolve(json(R"(["{{payload.n}}", "{{payload.o}}", "{{payload.z}}"])"),
                                                scopeWith(json(R"({"n": 5, "o": {"a": [1]}, "z": null})")), &error,
                                                Placeholders::Quoting::Text);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(compact(resolved->value), QStringLiteral(R"(["5","{\"a\":[1]}",""])"));
}

void TestPlaceholders::shellQuotingKeepsEveryValueOneUnchangedWord_data()
{
    QTest::addColumn<QString>("value");
    QTest::newRow("a plain word") << QStringLiteral("plain");
    QTest::newRow("spaces") << QStringLiteral("two  words ");
    QTest::newRow("an apostrophe") << QStringLiteral("it's");
    QTest::newRow("only quotes") << QStringLiteral("''\"'");
    QTest::newRow("an injection attempt") << QStringLiteral("x'; touch PWNED; echo '");
    QTest::newRow("a command substitution") << QStringLiteral("$(touch PWNED)");
    QTest::newRow("backquotes") << QStringLiteral("`touch PWNED`");
    QTest::newRow("a variable") << QStringLiteral("$HOME ${PATH}");
    QTest::newRow("newlines") << QStringLiteral("line 1\nline 2\n; touch PWNED");
    QTest::newRow("a glob") << QStringLiteral("*");
    QTest::newRow("a backslash") << QStringLiteral("back\\slash\\");
    QTest::newRow("an option") << QStringLiteral("--help");
    QTest::newRow("a tilde") << QStringLiteral("~");
    QTest::newRow("a comment sign") << QStringLiteral("# not a comment");
    QTest::newRow("empty") << QString();
    QTest::newRow("unicode") << QStringLiteral(u"Grüße, 世界");
}

void TestPlaceholders::shellQuotingKeepsEveryValueOneUnchangedWord()
{
    QFETCH(QString, value);
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QString error;
    const QJsonObject action{{QStringLiteral("type"), QStringLiteral("shell")},
                             {QStringLiteral("command"), QString(CountWords + QStringLiteral("{{payload.v}}"))}};
    QVERIFY2(Placeholders::checkAction(action, {}, &error), qPrintable(error));
    const auto resolved =
        Placeholders::resolveAction(action, scopeWith(QJsonObject{{QStringLiteral("v"), value}}), &error);
    QVERIFY2(resolved, qPrintable(error));
    const ShellRun run =
        runShell(resolved->value.toObject().value(QStringLiteral("command")).toString(), folder.path());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("1[%1]").arg(value));
    QVERIFY(!QFile::exists(folder.filePath(QStringLiteral("PWNED"))));
}

void TestPlaceholders::shellPlaceholdersThatQuotingCannotProtectAreRefused_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("expected");

    const QString outside = QStringLiteral("; write it outside the quotes, its value is quoted for the shell: "
                                           "\"text \"{{payload.v}}\" more\"");
    QTest::newRow("inside double quotes") << QStringLiteral("echo \"{{payload.v}}\"")
                                          << QStringLiteral("{{payload.v}}: inside double quotes (column 7)") + outside;
    QTest::newRow("inside single quotes") << QStringLiteral("echo 'a {{payload.v}}'")
                                          << QStringLiteral("{{payload.v}}: inside single quotes (column 9)") + outside;
    QTest::newRow("inside double quotes after a quoted quote")
        << QStringLiteral("echo \"a\\\" {{payload.v}}\"")
        << QStringLiteral("{{payload.v}}: inside double quotes (column 11)") + outside;
    QTest::newRow("in a comment") << QStringLiteral("true # {{payload.v}}")
                                  << QStringLiteral("{{payload.v}}: in a comment (column 8)");
    QTest::newRow("after a backslash") << QStringLiteral("echo \\{{payload.v}}")
                                       << QStringLiteral("{{payload.v}}: right after a backslash (column 7)");
    QTest::newRow("after a dollar") << QStringLiteral("echo ${{payload.v}}")
                                    << QStringLiteral("{{payload.v}}: right after a $ (column 7)");
    const QString variable = QStringLiteral("; set a variable at the start instead, v={{payload.v}}, and use \"$v\"");
    QTest::newRow("in backquotes") << QStringLiteral("echo `echo {{payload.v}}`")
                                   << QStringLiteral("{{payload.v}}: after the ` at column 6 the shell's quoting "
                                                     "cannot be followed (column 12)") +
                                          variable;
    QTest::newRow("in a here-document") << QStringLiteral("cat <<EOF\n{{payload.v}}\nEOF")
                                        << QStringLiteral("{{payload.v}}: after the << at column 5 the shell's "
                                                          "quoting cannot be followed (column 11)") +
                                               variable;
    QTest::newRow("after an ANSI-C string") << QStringLiteral("echo $'a\\'' {{payload.v}}")
                                            << QStringLiteral("{{payload.v}}: after the $' at column 6 the shell's "
                                                              "quoting cannot be followed (column 13)") +
                                                   variable;
    QTest::newRow("in quotes inside a substitution inside quotes")
        << QStringLiteral("echo \"$(echo \"{{payload.v}}\")\"")
        << QStringLiteral("{{payload.v}}: after the $( at column 7 the shell's quoting cannot be followed (column "
                          "15)") +
               variable;
    QTest::newRow("after a parameter expansion with a word")
        << QStringLiteral("echo ${x:-a} {{payload.v}}")
        << QStringLiteral("{{payload.v}}: after the ${ at column 6 the shell's quoting cannot be followed (column "
                          "14)") +
               variable;
    QTest::newRow("after arithmetic") << QStringLiteral("echo $((1+2)) {{payload.v}}")
                                      << QStringLiteral("{{payload.v}}: after the $( at column 6 the shell's quoting "
                                                        "cannot be followed (column 15)") +
                                             variable;
}

void TestPlaceholders::shellPlaceholdersThatQuotingCannotProtectAreRefused()
{
    QFETCH(QString, command);
    QFETCH(QString, expected);
    const QJsonObject action{{QStringLiteral("type"), QStringLiteral("shell")}, {QStringLiteral("command"), command}};
    QString error;
    QVERIFY(!Placeholders::checkAction(action, {}, &error));
    QCOMPARE(error, QStringLiteral("command: ") + expected);
    error.clear();
    QVERIFY(!Placeholders::resolveAction(action, scopeWith(json(R"({"v": "x"})")), &error));
    QCOMPARE(error, QStringLiteral("command: ") + expected);
    // The same text is fine where no shell reads it.
    const QJsonObject exec{{QStringLiteral("type"), QStringLiteral("exec")},
                           {QStringLiteral("program"), QStringLiteral("echo")},
                           {QStringLiteral("args"), QJsonArray{command}}};
    QVERIFY2(Placeholders::checkAction(exec, {}, &error), qPrintable(error));
}

void TestPlaceholders::shellPlaceholdersInFollowableSpotsAreAccepted_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("expected"); // what the shell prints, with v = the value below

    QTest::newRow("unquoted") << CountWords + QStringLiteral("{{payload.v}}") << QStringLiteral("1[a 'b\" $(c)]");
    QTest::newRow("between closed double quotes")
        << CountWords + QStringLiteral("\"<\"{{payload.v}}\">\"") << QStringLiteral("1[<a 'b\" $(c)>]");
    QTest::newRow("after closed single quotes")
        << CountWords + QStringLiteral("'it''s'{{payload.v}}") << QStringLiteral("1[itsa 'b\" $(c)]");
    QTest::newRow("in a variable used quoted")
        << QStringLiteral("v={{payload.v}}; ") + CountWords + QStringLiteral("\"$v\"")
        << QStringLiteral("1[a 'b\" $(c)]");
    QTest::newRow("after a simple substitution in quotes")
        << QStringLiteral("d=\"$(echo x)\"; ") + CountWords + QStringLiteral("{{payload.v}}")
        << QStringLiteral("1[a 'b\" $(c)]");
    QTest::newRow("inside a simple substitution in quotes")
        << CountWords + QStringLiteral("\"$(printf %s {{payload.v}})\"") << QStringLiteral("1[a 'b\" $(c)]");
    QTest::newRow("after a simple variable in braces")
        << QStringLiteral(": ${HOME} $1; ") + CountWords + QStringLiteral("{{payload.v}}")
        << QStringLiteral("1[a 'b\" $(c)]");
    QTest::newRow("before a comment") << CountWords + QStringLiteral("{{payload.v}} # it's fine")
                                      << QStringLiteral("1[a 'b\" $(c)]");
    QTest::newRow("a hash inside a word")
        << CountWords + QStringLiteral("a#{{payload.v}}") << QStringLiteral("1[a#a 'b\" $(c)]");
    QTest::newRow("a Go template in single quotes next to it")
        << CountWords + QStringLiteral("'{{.Names}}'{{payload.v}}") << QStringLiteral("1[{{.Names}}a 'b\" $(c)]");
}

void TestPlaceholders::shellPlaceholdersInFollowableSpotsAreAccepted()
{
    QFETCH(QString, command);
    QFETCH(QString, expected);
    const QJsonObject action{{QStringLiteral("type"), QStringLiteral("shell")}, {QStringLiteral("command"), command}};
    QString error;
    QVERIFY2(Placeholders::checkAction(action, {}, &error), qPrintable(error));
    const auto resolved =
        Placeholders::resolveAction(action, scopeWith(json(R"json({"v": "a 'b\" $(c)"})json")), &error);
    QVERIFY2(resolved, qPrintable(error));
    const ShellRun run = runShell(resolved->value.toObject().value(QStringLiteral("command")).toString(), m_dir.path());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, expected);
}

void TestPlaceholders::aWholeShellCommandPlaceholderIsQuotedToo()
{
    QString error;
    const auto resolved = Placeholders::resolve(QStringLiteral("{{payload}}"), scopeWith(json("3")), &error,
                                                Placeholders::Quoting::Shell);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value, QJsonValue(QStringLiteral("'3'")));
}

void TestPlaceholders::aNulCharacterCannotReachAShellCommand()
{
    QString error;
    const QString nul = QStringLiteral("a") + QChar(0) + QStringLiteral("b");
    QVERIFY(!Placeholders::resolve(QStringLiteral("echo {{payload}}"), scopeWith(nul), &error,
                                   Placeholders::Quoting::Shell, QStringLiteral("command")));
    QCOMPARE(error, QStringLiteral("command: {{payload}}: the value holds a NUL character, which a command line "
                                   "cannot carry"));
}

void TestPlaceholders::resolveActionLeavesPipelineStepsAndIterateActionsAlone()
{
    const PlaceholderScope scope = scopeWith(json(R"({"files": ["a", "b"], "name": "nightly"})"));
    QString error;
    const QJsonObject pipeline = object(R"({"type": "pipeline", "name": "{{payload.name}}",
        "steps": [{"key": "a", "action": {"type": "shell", "command": "echo {{payload.name}} {{steps.x.output}}"}}]})");
    auto resolved = Placeholders::resolveAction(pipeline, scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QJsonObject expected = pipeline;
    expected.insert(QStringLiteral("name"), QStringLiteral("nightly"));
    QCOMPARE(resolved->value.toObject(), expected);

    const QJsonObject iterate = object(R"({"type": "iterate", "items": "{{payload.files}}",
        "action": {"type": "exec", "program": "cat", "args": ["{{item}}"]}})");
    resolved = Placeholders::resolveAction(iterate, scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    expected = iterate;
    expected.insert(QStringLiteral("items"), QJsonArray{QStringLiteral("a"), QStringLiteral("b")});
    QCOMPARE(resolved->value.toObject(), expected);

    // The type is never a template, whatever it holds.
    const QJsonObject odd = object(R"({"type": "{{payload.name}}", "x": "{{payload.name}}"})");
    resolved = Placeholders::resolveAction(odd, scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value.toObject().value(QStringLiteral("type")).toString(), QStringLiteral("{{payload.name}}"));
    QCOMPARE(resolved->value.toObject().value(QStringLiteral("x")).toString(), QStringLiteral("nightly"));
}

void TestPlaceholders::resolveActionKeepsTextFieldsText()
{
    const Secrets secrets(QString(), {{QStringLiteral("TOKEN"), QStringLiteral("t")}});
    PlaceholderScope scope = scopeWith(json(R"({"n": 5, "days": 30, "doc": {"a": 1}, "dir": "/srv"})"));
    scope.secrets = &secrets;
    QString error;
    auto resolved = Placeholders::resolveAction(
        object(R"({"type": "exec", "program": "/bin/echo", "args": ["--count", "{{payload.n}}"],
                   "cwd": "{{payload.dir}}", "env": {"TOKEN": "{{secret.TOKEN}}", "N": "{{payload.n}}"}})"),
        scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(compact(resolved->value), QStringLiteral(R"({"args":["--count","5"],"cwd":"/srv","env":{"N":"5",)"
                                                      R"("TOKEN":"t"},"program":"/bin/echo","type":"exec"})"));
    QCOMPARE(resolved->secretValues, QStringList{QStringLiteral("t")});

    resolved = Placeholders::resolveAction(
        object(R"({"type": "http", "url": "https://x/{{payload.n}}", "body": "{{payload.doc}}"})"), scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value.toObject().value(QStringLiteral("body")), QJsonValue(QStringLiteral(R"({"a":1})")));

    // Fields that are not text keep the JSON type.
    resolved = Placeholders::resolveAction(
        object(R"({"type": "purge-history", "older_than_days": "{{payload.days}}"})"), scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value.toObject().value(QStringLiteral("older_than_days")), QJsonValue(30));
    resolved = Placeholders::resolveAction(object(R"({"type": "cleanup", "dir": "{{payload.dir}}",
                                                      "older_than_seconds": "{{payload.n}}"})"),
                                           scope, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(compact(resolved->value), QStringLiteral(R"({"dir":"/srv","older_than_seconds":5,"type":"cleanup"})"));
}

void TestPlaceholders::resolveActionErrorsNameTheField()
{
    QString error;
    QVERIFY(!Placeholders::resolveAction(
        object(R"({"type": "exec", "program": "cp", "args": ["-a", "{{payload.missing}}"]})"), scopeWith(json("{}")),
        &error));
    QCOMPARE(error, QStringLiteral("args[1]: {{payload.missing}}: the payload has no field 'missing'"));
    QVERIFY(!Placeholders::resolveAction(
        object(R"({"type": "http", "url": "https://x", "headers": {"Authorization": "Bearer {{secret.API}}"}})"),
        scopeWith(json("{}")), &error));
    QCOMPARE(error, QStringLiteral("headers.Authorization: {{secret.API}}: no secrets are available"));
}

void TestPlaceholders::anActionWithoutPlaceholdersComesBackAsItWas()
{
    const QJsonObject action = object(R"({"type": "shell", "command": "docker ps --format '{{.Names}}'",
                                          "env": {"A": "b"}})");
    QString error;
    const auto resolved = Placeholders::resolveAction(action, {}, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(resolved->value.toObject(), action);
    QVERIFY(resolved->secretValues.isEmpty());
}

void TestPlaceholders::checkMessagesNameTheJsonPath_data()
{
    QTest::addColumn<QJsonObject>("action");
    QTest::addColumn<QString>("expected");

    QTest::newRow("a misspelt step") << object(R"({"type": "exec", "program": "report",
                                                  "args": ["--in", "{{steps.sumary.output}}"]})")
                                     << QStringLiteral("args[1]: {{steps.sumary.output}}: no step 'sumary' before "
                                                       "this one (validate, summarize)");
    QTest::newRow("a background step") << object(R"({"type": "shell", "command": "cat {{steps.fetch.output.file}}"})")
                                       << QStringLiteral("command: {{steps.fetch.output.file}}: step 'fetch' runs in "
                                                         "the background: its output is not waited for");
    QTest::newRow("a secret the file lacks")
        << object(
               R"({"type": "http", "url": "https://x", "headers": {"Authorization": "Bearer {{secret.API_TOKEN}}"}})")
        << QStringLiteral("headers.Authorization: {{secret.API_TOKEN}}: no secret named API_TOKEN in "
                          "/path/secrets.json");
    QTest::newRow("unterminated") << object(R"({"type": "shell", "command": "cat {{payload.x"})")
                                  << QStringLiteral("command: {{payload.x: unterminated placeholder (column 5)");
    QTest::newRow("an item outside an iterate") << object(R"({"type": "exec", "program": "cat", "args": ["{{item}}"]})")
                                                << QStringLiteral("args[0]: {{item}}: only inside an iterate action");
    QTest::newRow("deep in some data") << object(R"({"type": "publish", "data": {"a": [1, {"b": "x {{item.y}}"}]}})")
                                       << QStringLiteral("data.a[1].b: {{item.y}}: only inside an iterate action");
    QTest::newRow("an iterate's items") << object(R"({"type": "iterate", "items": "{{item}}", "action": {}})")
                                        << QStringLiteral("items: {{item}}: only inside an iterate action");
}

void TestPlaceholders::checkMessagesNameTheJsonPath()
{
    QFETCH(QJsonObject, action);
    QFETCH(QString, expected);
    const Secrets secrets(QStringLiteral("/path/secrets.json"), {{QStringLiteral("OTHER"), QStringLiteral("v")}});
    PlaceholderRules rules;
    rules.stepKeys = {QStringLiteral("validate"), QStringLiteral("summarize")};
    rules.backgroundStepKeys = {QStringLiteral("fetch")};
    rules.secrets = &secrets;
    QString error;
    QVERIFY(!Placeholders::checkAction(action, rules, &error));
    QCOMPARE(error, expected);
}

void TestPlaceholders::checkAcceptsWhatTheRulesAllow()
{
    const Secrets secrets(QStringLiteral("/path/secrets.json"), {{QStringLiteral("API_TOKEN"), QStringLiteral("v")}});
    PlaceholderRules rules;
    rules.stepKeys = {QStringLiteral("validate")};
    rules.itemAllowed = true;
    rules.secrets = &secrets;
    const QJsonValue value = json(R"(["{{payload.anything.0}}", "{{steps.validate.output.rows}}", "{{item.name}}",
                                      "Bearer {{secret.API_TOKEN}}"])");
    QString error;
    QVERIFY2(Placeholders::check(value, rules, &error), qPrintable(error));
    // Without the file at hand, a secret's name is only checked for its form.
    rules.secrets = nullptr;
    QVERIFY2(Placeholders::check(QStringLiteral("{{secret.ANY_NAME}}"), rules, &error), qPrintable(error));
    // A pipeline's steps and an iterate's action are checked by their own rules, not here.
    QVERIFY2(Placeholders::checkAction(object(R"({"type": "iterate", "items": [1],
                                                  "action": {"type": "exec", "args": ["{{item}}"]}})"),
                                       {}, &error),
             qPrintable(error));
    QVERIFY2(Placeholders::checkAction(object(R"({"type": "pipeline",
                                                  "steps": [{"key": "b", "args": ["{{steps.a.output}}"]}]})"),
                                       {}, &error),
             qPrintable(error));
    // An empty list of earlier steps says so without a list.
    QVERIFY(!Placeholders::check(QStringLiteral("{{steps.a.output}}"), {}, &error));
    QCOMPARE(error, QStringLiteral("{{steps.a.output}}: no step 'a' before this one"));
}

void TestPlaceholders::maskHidesEveryPieceOfEverySecret_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QString>("expected");

    QTest::newRow("one value") << QStringLiteral("token abc123 used twice: abc123")
                               << QStringList{QStringLiteral("abc123")} << QStringLiteral("token *** used twice: ***");
    QTest::newRow("overlapping values") << QStringLiteral("xx abcdefgh yy")
                                        << QStringList{QStringLiteral("abcdef"), QStringLiteral("cdefgh")}
                                        << QStringLiteral("xx *** yy");
    QTest::newRow("one value inside another")
        << QStringLiteral("pass=secret12 and secret")
        << QStringList{QStringLiteral("secret"), QStringLiteral("secret12")} << QStringLiteral("pass=*** and ***");
    QTest::newRow("a value overlapping itself")
        << QStringLiteral("aaa") << QStringList{QStringLiteral("aa")} << QStringLiteral("***");
    QTest::newRow("two values side by side")
        << QStringLiteral("[onetwo]") << QStringList{QStringLiteral("one"), QStringLiteral("two")}
        << QStringLiteral("[***]");
    QTest::newRow("a value of stars") << QStringLiteral("a**b") << QStringList{QStringLiteral("*")}
                                      << QStringLiteral("a***b");
    QTest::newRow("empty values are ignored")
        << QStringLiteral("abc") << QStringList{QString()} << QStringLiteral("abc");
    QTest::newRow("no values") << QStringLiteral("abc") << QStringList() << QStringLiteral("abc");
}

void TestPlaceholders::maskHidesEveryPieceOfEverySecret()
{
    QFETCH(QString, text);
    QFETCH(QStringList, values);
    QFETCH(QString, expected);
    QCOMPARE(Placeholders::mask(text, values), expected);
}

void TestPlaceholders::maskCoversTheShellQuotedFormOfASecret()
{
    const Secrets secrets(QString(), {{QStringLiteral("PASS"), QStringLiteral("it's me")}});
    PlaceholderScope scope;
    scope.secrets = &secrets;
    QString error;
    const auto resolved = Placeholders::resolve(QStringLiteral("login --password {{secret.PASS}}"), scope, &error,
                                                Placeholders::Quoting::Shell);
    QVERIFY2(resolved, qPrintable(error));
    const QString command = resolved->value.toString();
    QCOMPARE(command, QStringLiteral("login --password 'it'\\''s me'"));
    QCOMPARE(Placeholders::mask(command, resolved->secretValues), QStringLiteral("login --password '***'"));
    QCOMPARE(Placeholders::mask(QStringLiteral("error: bad password it's me"), resolved->secretValues),
             QStringLiteral("error: bad password ***"));
}

QTEST_GUILESS_MAIN(TestPlaceholders)
#include "tst_placeholders.moc"

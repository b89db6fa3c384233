#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Taskdeck::Core {

// The values {{secret.NAME}} placeholders read, kept out of the database, the job files and the
// logs. One JSON file per database:
//   {"version": 1, "secrets": {"API_TOKEN": "abc", "DB_PASSWORD": "..."}}
// Names match [A-Za-z_][A-Za-z0-9_]{0,63}; values are strings. The file must belong to the user
// and be private to them (no read or write bits for group or others), like ~/.ssh keys: a file
// that others could read has leaked already, and one they could write lets them choose what a
// task sends where. Nothing here logs or prints a value; errors name the file and the secret.
class Secrets
{
public:
    Secrets() = default;
    // A set that is not read from a file (tests, or values a caller has already).
    Secrets(QString path, QMap<QString, QString> values);

    // Where a database's secrets live: the environment variable TASKDECK_SECRETS if set, else
    // "secrets.json" in the database's folder.
    static QString defaultPathFor(const QString &dbPath);

    // A missing file is an empty set. Refuses (nullopt, *error says why and names the file) a file
    // that group or others may read or write ("secrets file /x/secrets.json is readable by others
    // (mode 0644): chmod 600 /x/secrets.json"), one not owned by this user, anything but a regular
    // file, malformed JSON (naming the character), another version, bad names and values that are
    // not strings. Ownership and mode come from the opened descriptor, so a file swapped in after
    // the check cannot be read instead.
    static std::optional<Secrets> load(const QString &path, QString *error);

    QString path() const { return m_path; }
    bool isEmpty() const { return m_values.isEmpty(); }
    bool contains(const QString &name) const { return m_values.contains(name); }
    QString value(const QString &name) const { return m_values.value(name); }
    QStringList names() const { return m_values.keys(); } // sorted

    static bool isValidName(QStringView name);

    // Adds or replaces one secret (an empty value is refused), or removes one ("no secret named X
    // in /x/secrets.json"): a read-modify-write of the whole file, which is refused as load()
    // refuses it, and replaced atomically, with mode 0600 from its first byte. Missing folders are
    // created with mode 0700. Two writers at the same moment: the last one wins, and may drop the
    // other's change (the command line is the only writer).
    static bool set(const QString &path, const QString &name, const QString &value, QString *error);
    static bool remove(const QString &path, const QString &name, QString *error);

private:
    QString m_path;
    QMap<QString, QString> m_values;
};

} // namespace Taskdeck::Core

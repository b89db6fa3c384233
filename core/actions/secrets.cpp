#include "secrets.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Taskdeck::Core {

namespace {

constexpr qint64 MaxFileBytes = 1024 * 1024;

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

QString systemError(int number)
{
    return QString::fromLocal8Bit(std::strerror(number));
}

QString nameRule()
{
    return QStringLiteral("letters, digits and _, not starting with a digit, at most 64");
}

// Closes a descriptor on every way out.
class Descriptor
{
public:
    explicit Descriptor(int fd)
        : m_fd(fd)
    {}
    ~Descriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Descriptor(const Descriptor &) = delete;
    Descriptor &operator=(const Descriptor &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

// Creates `folder` and its missing parents with mode 0700: they hold secrets.
bool makeFolder(const QString &folder, QString *error)
{
    const QFileInfo info(folder);
    if (info.isDir())
        return true;
    const QString parent = info.absolutePath();
    if (parent != info.absoluteFilePath() && !makeFolder(parent, error))
        return false;
    if (::mkdir(QFile::encodeName(folder).constData(), 0700) != 0 && errno != EEXIST)
        return fail(error, QStringLiteral("cannot create the folder %1: %2").arg(folder, systemError(errno)));
    return true;
}

// Writes the whole set to `path`, replacing the file in one rename. The new file never has more
// than mode 0600: QSaveFile gives its temporary file the mode of the file it replaces, and 0600
// when there is one, so a missing file is first created empty with 0600 (and removed again if
// the write fails).
bool writeFile(const QString &path, const QMap<QString, QString> &values, QString *error)
{
    if (!makeFolder(QFileInfo(path).absolutePath(), error))
        return false;
    bool created = false;
    const QByteArray nativePath = QFile::encodeName(path);
    if (!QFileInfo::exists(path)) {
        const int fd = ::open(nativePath.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return fail(error, QStringLiteral("cannot create the secrets file %1: %2").arg(path, systemError(errno)));
        ::close(fd);
        created = true;
    }
    const auto undo = [&](const QString &why) {
        if (created)
            ::unlink(nativePath.constData());
        return fail(error, QStringLiteral("cannot write the secrets file %1: %2").arg(path, why));
    };
    QJsonObject secrets;
    for (auto it = values.constBegin(); it != values.constEnd(); ++it)
        secrets.insert(it.key(), it.value());
    const QJsonObject document{{QStringLiteral("version"), 1}, {QStringLiteral("secrets"), secrets}};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return undo(file.errorString());
    // Whatever mode the old file had (load() refused anything wider), the new one is 0600.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return undo(file.errorString());
    if (file.write(QJsonDocument(document).toJson(QJsonDocument::Indented)) < 0 || !file.commit())
        return undo(file.errorString());
    return true;
}

} // namespace

Secrets::Secrets(QString path, QMap<QString, QString> values)
    : m_path(std::move(path))
    , m_values(std::move(values))
{}

QString Secrets::defaultPathFor(const QString &dbPath)
{
    const QString fromEnvironment = qEnvironmentVariable("TASKDECK_SECRETS");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QFileInfo(dbPath).absolutePath() + QStringLiteral("/secrets.json");
}

bool Secrets::isValidName(QStringView name)
{
    if (name.isEmpty() || name.size() > 64)
        return false;
    const auto isLetter = [](QChar c) { return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || c == u'_'; };
    if (!isLetter(name.front()))
        return false;
    return std::all_of(name.begin() + 1, name.end(), [&](QChar c) { return isLetter(c) || (c >= u'0' && c <= u'9'); });
}

std::optional<Secrets> Secrets::load(const QString &path, QString *error)
{
    const auto refuse = [&](const QString &why) {
        fail(error, why);
        return std::optional<Secrets>();
    };
    const QString file = QStringLiteral("secrets file ") + path;
    // O_NONBLOCK: opening a FIFO put in its place must not hang; it is refused below.
    const Descriptor fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        if (errno == ENOENT)
            return Secrets(path, {});
        return refuse(file + QStringLiteral(": ") + systemError(errno));
    }
    // The checks are on the opened file, so the file read is the file checked.
    struct stat status = {};
    if (::fstat(fd.get(), &status) != 0)
        return refuse(file + QStringLiteral(": ") + systemError(errno));
    if (!S_ISREG(status.st_mode))
        return refuse(file + QStringLiteral(" is not a regular file"));
    if (status.st_uid != ::geteuid())
        return refuse(file + QStringLiteral(" belongs to uid %1, not to this user (uid %2): chown it or use a file "
                                            "of your own")
                                 .arg(status.st_uid)
                                 .arg(::geteuid()));
    const QString mode = QStringLiteral("%1").arg(status.st_mode & 07777, 4, 8, QLatin1Char('0'));
    if (status.st_mode & (S_IRGRP | S_IROTH))
        return refuse(file + QStringLiteral(" is readable by others (mode %1): chmod 600 %2").arg(mode, path));
    if (status.st_mode & (S_IWGRP | S_IWOTH))
        return refuse(file + QStringLiteral(" is writable by others (mode %1): chmod 600 %2").arg(mode, path));
    if (status.st_size > MaxFileBytes)
        return refuse(file + QStringLiteral(" is larger than 1 MiB"));

    QByteArray bytes;
    char buffer[8192];
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return refuse(file + QStringLiteral(": ") + systemError(errno));
        if (got == 0)
            break;
        bytes.append(buffer, got);
        if (bytes.size() > MaxFileBytes)
            return refuse(file + QStringLiteral(" is larger than 1 MiB"));
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Qt's offset is in bytes and points at the offending one (counting from 1); say it in characters.
        const qsizetype character = std::max<qsizetype>(1, QString::fromUtf8(bytes.left(parseError.offset)).size());
        return refuse(
            file + QStringLiteral(": malformed JSON at character %1: %2").arg(character).arg(parseError.errorString()));
    }
    if (!document.isObject())
        return refuse(file + QStringLiteral(": expected an object {\"version\": 1, \"secrets\": {...}}"));
    const QJsonObject top = document.object();
    for (auto it = top.constBegin(); it != top.constEnd(); ++it) {
        if (it.key() != QLatin1String("version") && it.key() != QLatin1String("secrets"))
            return refuse(file + QStringLiteral(": unknown field '%1' (expected version and secrets)").arg(it.key()));
    }
    const QJsonValue version = top.value(QLatin1String("version"));
    if (version.isUndefined())
        return refuse(file + QStringLiteral(": the version is missing (expected \"version\": 1)"));
    if (!version.isDouble())
        return refuse(file + QStringLiteral(": the version must be a number (expected \"version\": 1)"));
    if (version.toDouble() != 1)
        return refuse(file + QStringLiteral(": version %1 is not supported (expected 1)")
                                 .arg(QString::number(version.toDouble(), 'g', QLocale::FloatingPointShortest)));
    const QJsonValue secrets = top.value(QLatin1String("secrets"));
    if (!secrets.isObject() && !secrets.isUndefined())
        return refuse(file + QStringLiteral(": secrets must be an object of names and string values"));
    QMap<QString, QString> values;
    const QJsonObject entries = secrets.toObject();
    for (auto it = entries.constBegin(); it != entries.constEnd(); ++it) {
        if (!isValidName(it.key()))
            return refuse(file + QStringLiteral(": '%1' is not a secret name (%2)").arg(it.key(), nameRule()));
        if (!it.value().isString())
            return refuse(file + QStringLiteral(": the value of %1 is not a string").arg(it.key()));
        values.insert(it.key(), it.value().toString());
    }
    return Secrets(path, std::move(values));
}

bool Secrets::set(const QString &path, const QString &name, const QString &value, QString *error)
{
    if (!isValidName(name))
        return fail(error, QStringLiteral("'%1' is not a secret name (%2)").arg(name, nameRule()));
    if (value.isEmpty())
        return fail(error, QStringLiteral("secret %1: the value is empty").arg(name));
    auto current = load(path, error);
    if (!current)
        return false;
    current->m_values.insert(name, value);
    return writeFile(path, current->m_values, error);
}

bool Secrets::remove(const QString &path, const QString &name, QString *error)
{
    if (!isValidName(name))
        return fail(error, QStringLiteral("'%1' is not a secret name (%2)").arg(name, nameRule()));
    auto current = load(path, error);
    if (!current)
        return false;
    if (!current->m_values.remove(name))
        return fail(error, QStringLiteral("no secret named %1 in %2").arg(name, path));
    return writeFile(path, current->m_values, error);
}

} // namespace Taskdeck::Core

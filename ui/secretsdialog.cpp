#include "secretsdialog.h"

#include "actions/secrets.h"
#include "storeclient.h"
#include "viewsupport.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace Taskdeck::Ui {

namespace {

struct Listing
{
    QString path;
    QStringList names;
    QString error;
};

Listing list(const Stores &stores)
{
    Listing listing;
    listing.path = Core::Secrets::defaultPathFor(stores.path);
    if (const auto secrets = Core::Secrets::load(listing.path, &listing.error))
        listing.names = secrets->names();
    return listing;
}

} // namespace

SecretsDialog::SecretsDialog(StoreClient *store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_names(new QListWidget(this))
    , m_name(new QLineEdit(this))
    , m_value(new QLineEdit(this))
    , m_set(new QPushButton(tr("&Set"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_path(new QLabel(this))
    , m_message(new MessageLine(QStringLiteral("secretsMessage"), this))
{
    setObjectName(QStringLiteral("secretsDialog"));
    setWindowTitle(tr("Secrets"));
    m_names->setObjectName(QStringLiteral("secretNames"));
    m_names->setAccessibleName(tr("Secret names"));
    m_name->setObjectName(QStringLiteral("secretName"));
    m_name->setAccessibleName(tr("Name"));
    m_name->setPlaceholderText(tr("API_TOKEN"));
    m_value->setObjectName(QStringLiteral("secretValue"));
    m_value->setAccessibleName(tr("Value"));
    m_value->setEchoMode(QLineEdit::Password);
    m_value->setPlaceholderText(tr("never shown again"));
    m_set->setObjectName(QStringLiteral("setSecretButton"));
    m_remove->setObjectName(QStringLiteral("removeSecretButton"));
    m_path->setObjectName(QStringLiteral("secretsPath"));
    m_path->setWordWrap(true);
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Value:"), m_value);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_set);
    buttons->addWidget(m_remove);
    buttons->addStretch();
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Jobs use these as {{secret.NAME}}; logs, history and this window show *** "
                                    "instead of a value."),
                                 this));
    layout->addWidget(m_names, 1);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(m_path);
    layout->addWidget(close);
    resize(460, 420);

    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &SecretsDialog::checkForm);
    connect(m_value, &QLineEdit::textChanged, this, &SecretsDialog::checkForm);
    connect(m_names, &QListWidget::currentTextChanged, m_name, &QLineEdit::setText);
    connect(m_set, &QPushButton::clicked, this, [this] { setSecret(m_name->text().trimmed(), m_value->text()); });
    connect(m_remove, &QPushButton::clicked, this, [this] { removeSecret(m_name->text().trimmed()); });
    checkForm();
    refresh();
}

SecretsDialog::~SecretsDialog() = default;

QStringList SecretsDialog::names() const
{
    QStringList names;
    for (int i = 0; i < m_names->count(); ++i)
        names.append(m_names->item(i)->text());
    return names;
}

QString SecretsDialog::errorText() const
{
    return m_message->error();
}

void SecretsDialog::checkForm()
{
    const QString name = m_name->text().trimmed();
    const bool validName = Core::Secrets::isValidName(name);
    m_set->setEnabled(validName && !m_value->text().isEmpty());
    m_remove->setEnabled(validName && names().contains(name));
    if (!name.isEmpty() && !validName)
        m_message->showError(tr("name: letters, digits and '_', starting with a letter or '_'"));
    else if (m_message->error().startsWith(QLatin1String("name:")))
        m_message->showError(QString());
}

void SecretsDialog::refresh()
{
    m_store->run<Listing>(
        this, [](Stores &stores) { return list(stores); },
        [this](const Listing &listing) {
            m_names->clear();
            m_names->addItems(listing.names);
            m_path->setText(tr("Kept in %1 (owner-only).").arg(listing.path));
            if (!listing.error.isEmpty())
                m_message->showError(listing.error);
            checkForm();
            Q_EMIT refreshed();
        });
}

void SecretsDialog::setSecret(const QString &name, const QString &value)
{
    m_value->clear(); // the value leaves the window at once
    m_store->run<QString>(
        this,
        [name, value](Stores &stores) {
            QString error;
            return Core::Secrets::set(Core::Secrets::defaultPathFor(stores.path), name, value, &error) ? QString()
                                                                                                       : error;
        },
        [this, name](const QString &error) {
            if (error.isEmpty())
                m_message->showMessage(tr("%1 is set.").arg(name));
            else
                m_message->showError(error);
            refresh();
        });
}

void SecretsDialog::removeSecret(const QString &name)
{
    m_store->run<QString>(
        this,
        [name](Stores &stores) {
            QString error;
            return Core::Secrets::remove(Core::Secrets::defaultPathFor(stores.path), name, &error) ? QString() : error;
        },
        [this, name](const QString &error) {
            if (error.isEmpty())
                m_message->showMessage(tr("%1 is removed.").arg(name));
            else
                m_message->showError(error);
            refresh();
        });
}

} // namespace Taskdeck::Ui

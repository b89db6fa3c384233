#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace Taskdeck::Ui {

class MessageLine;
class StoreClient;

// The secrets that {{secret.NAME}} placeholders read (the owner-only file next to the database, as
// `taskdeckctl secret` keeps it): their names, setting one and removing one. A value is typed in a
// password field and never shown or read back.
class SecretsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretsDialog)

public:
    explicit SecretsDialog(StoreClient *store, QWidget *parent = nullptr);
    ~SecretsDialog() override;

    QStringList names() const;
    QString errorText() const;

public Q_SLOTS:
    void refresh();
    void setSecret(const QString &name, const QString &value);
    void removeSecret(const QString &name);

Q_SIGNALS:
    void refreshed();

private:
    void checkForm();

    StoreClient *m_store;
    QListWidget *m_names;
    QLineEdit *m_name;
    QLineEdit *m_value;
    QPushButton *m_set;
    QPushButton *m_remove;
    QLabel *m_path;
    MessageLine *m_message;
};

} // namespace Taskdeck::Ui

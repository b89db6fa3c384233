#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QIcon>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QVBoxLayout>

// Resources compiled into a static library are not registered until someone asks.
static void initTaskdeckResources()
{
    Q_INIT_RESOURCE(taskdeck);
}

namespace Taskdeck::Ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("Taskdeck"));
    setWindowIcon(applicationIcon());

    auto *placeholder =
        new QLabel(tr("No jobs yet.\nSchedules, live tasks, history and dead letters will appear here."), this);
    placeholder->setObjectName(QStringLiteral("emptyStateLabel"));
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setEnabled(false);
    setCentralWidget(placeholder);

    createMenus();
    statusBar()->showMessage(tr("Ready"));
    resize(960, 640);
}

MainWindow::~MainWindow() = default;

QIcon MainWindow::applicationIcon()
{
    static const bool registered = (initTaskdeckResources(), true);
    Q_UNUSED(registered)
    return QIcon(QStringLiteral(":/taskdeck/icons/taskdeck.svg"));
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *quitAction = fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    quitAction->setObjectName(QStringLiteral("quitAction"));
    quitAction->setMenuRole(QAction::QuitRole);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *aboutAction = helpMenu->addAction(tr("&About Taskdeck"), this, &MainWindow::showAbout);
    aboutAction->setObjectName(QStringLiteral("aboutAction"));
    aboutAction->setMenuRole(QAction::AboutRole);
    QAction *aboutQtAction = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQtAction->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Taskdeck"));
    box->setIconPixmap(applicationIcon().pixmap(64, 64));
    box->setText(tr("<h3>Taskdeck %1</h3>").arg(QApplication::applicationVersion()));
    box->setInformativeText(tr("Runs background work on this machine on time, survives failures and keeps it "
                               "visible: cron jobs with explicit DST rules, queued tasks, retries and dead letters."
                               "<p>Built with Qt %1.</p>")
                                .arg(QString::fromLatin1(qVersion())));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

} // namespace Taskdeck::Ui

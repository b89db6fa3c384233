#include "mainwindow.h"

#include "cronpreviewwidget.h"

#include <QAction>
#include <QApplication>
#include <QIcon>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
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

    // The operational views (schedules, live, history, dead letters, events) join as tabs as the
    // engine grows; the cron calculator is useful from day one.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_cronPreview = new CronPreviewWidget(m_tabs);
    m_cronPreview->setExpression(QStringLiteral("*/15 9-17 * * MON-FRI"));
    m_tabs->addTab(m_cronPreview, tr("Cron &preview"));
    setCentralWidget(m_tabs);

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

#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QTest>

using namespace Taskdeck::Ui;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void windowShowsTheAppNameAndIcon();
    void aboutBoxNamesTheVersionAndCloses();
};

void TestMainWindow::initTestCase()
{
    QApplication::setApplicationVersion(QStringLiteral(TASKDECK_VERSION));
}

void TestMainWindow::windowShowsTheAppNameAndIcon()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), QStringLiteral("Taskdeck"));
    QVERIFY(!window.windowIcon().isNull());
    // The SVG renders (the icon engine plugin is installed), not just a null pixmap.
    QVERIFY(!MainWindow::applicationIcon().pixmap(32, 32).isNull());
}

void TestMainWindow::aboutBoxNamesTheVersionAndCloses()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *about = window.findChild<QAction *>(QStringLiteral("aboutAction"));
    QVERIFY(about);
    about->trigger();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox *>(QStringLiteral("aboutBox"))) && box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral(TASKDECK_VERSION)));
    QVERIFY(!box->iconPixmap().isNull());
    QPointer<QMessageBox> guard(box);
    box->button(QMessageBox::Close)->click();
    QTRY_VERIFY(guard.isNull()); // deleted on close
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

#include "cronpreviewwidget.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>
#include <QTreeWidget>

using namespace Taskdeck::Ui;

namespace {

QStringList rows(const CronPreviewWidget &widget)
{
    QStringList result;
    const auto *list = widget.findChild<QTreeWidget *>(QStringLiteral("cronFireList"));
    for (int i = 0; list && i < list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = list->topLevelItem(i);
        QString row = item->text(0);
        if (!item->text(1).isEmpty())
            row += QStringLiteral(" | ") + item->text(1);
        if (!item->text(2).isEmpty())
            row += QStringLiteral(" | ") + item->text(2);
        result.append(row);
    }
    return result;
}

} // namespace

class TestCronPreviewWidget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typingAnInvalidThenValidScheduleShowsErrorThenFires();
    void dstChangesAreMarkedBetweenFires();
    void unknownZoneIsReportedInline();
    void impossibleDateSaysNever();
};

void TestCronPreviewWidget::typingAnInvalidThenValidScheduleShowsErrorThenFires()
{
    CronPreviewWidget widget;
    widget.setTimeZoneId("UTC");
    widget.setReferenceTime(QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc()));
    widget.setFireCount(3);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    QSignalSpy validity(&widget, &CronPreviewWidget::validityChanged);

    auto *edit = widget.findChild<QLineEdit *>(QStringLiteral("cronExpressionEdit"));
    QVERIFY(edit);
    edit->clear();
    QTest::keyClicks(edit, QStringLiteral("0 24 * * *"));
    QVERIFY(!widget.isValid());
    QCOMPARE(widget.errorText(), QStringLiteral("hour: 24 is out of range 0-23 (column 3)"));
    QVERIFY(widget.findChild<QLabel *>(QStringLiteral("cronErrorLabel"))->isVisible());
    QVERIFY(rows(widget).isEmpty());

    edit->setCursorPosition(4);
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, QStringLiteral("9"));
    QCOMPARE(edit->text(), QStringLiteral("0 9 * * *"));
    QVERIFY(widget.isValid());
    // "0 2 * * *" is valid, "0  * * *" (four fields) is not, "0 9 * * *" is again.
    QCOMPARE(validity.count(), 3);
    QCOMPARE(validity.at(0).first().toBool(), true);
    QCOMPARE(validity.at(1).first().toBool(), false);
    QCOMPARE(validity.at(2).first().toBool(), true);
    QVERIFY(widget.errorText().isEmpty());
    QVERIFY(!widget.findChild<QLabel *>(QStringLiteral("cronErrorLabel"))->isVisible());
    QCOMPARE(widget.findChild<QLabel *>(QStringLiteral("cronDescriptionLabel"))->text(),
             QStringLiteral("At 09:00, every day"));
    QCOMPARE(rows(widget), (QStringList{QStringLiteral("Thu 2026-01-01 09:00:00 +00:00 | 2026-01-01 09:00:00"),
                                        QStringLiteral("Fri 2026-01-02 09:00:00 +00:00 | 2026-01-02 09:00:00"),
                                        QStringLiteral("Sat 2026-01-03 09:00:00 +00:00 | 2026-01-03 09:00:00")}));
}

void TestCronPreviewWidget::dstChangesAreMarkedBetweenFires()
{
    CronPreviewWidget widget;
    widget.setExpression(QStringLiteral("30 2 * * *"));
    QVERIFY(widget.setTimeZoneId("Europe/Berlin"));
    widget.setReferenceTime(QDateTime(QDate(2026, 3, 28), QTime(12, 0), QTimeZone("Europe/Berlin")));
    widget.setFireCount(2);
    const QStringList shown = rows(widget);
    QCOMPARE(shown.size(), 3);
    QVERIFY2(shown.at(0).contains(QStringLiteral("2026-03-29 02:00 -> 03:00: DST starts, clocks go forward 1 hour")),
             qPrintable(shown.at(0)));
    QCOMPARE(shown.at(1), QStringLiteral("Sun 2026-03-29 03:00:00 +02:00 | 2026-03-29 01:00:00 | its time was skipped "
                                         "by the change; runs right after it"));
    QVERIFY(widget.findChild<QLabel *>(QStringLiteral("cronRuleLabel"))
                ->text()
                .startsWith(QStringLiteral("Daylight saving: fixed time")));
}

void TestCronPreviewWidget::unknownZoneIsReportedInline()
{
    CronPreviewWidget widget;
    widget.setExpression(QStringLiteral("@daily"));
    QVERIFY(!widget.setTimeZoneId("Mars/Olympus"));
    auto *combo = widget.findChild<QComboBox *>(QStringLiteral("timeZoneCombo"));
    QVERIFY(combo);
    combo->setCurrentText(QStringLiteral("Mars/Olympus"));
    QVERIFY(!widget.isValid());
    QCOMPARE(widget.errorText(), QStringLiteral("time zone: unknown time zone 'Mars/Olympus' (use an IANA name such "
                                                "as Europe/Berlin, UTC, or UTC+05:30)"));
    // A single word is not a zone, though QTimeZone would read it as a POSIX rule meaning UTC.
    combo->setCurrentText(QStringLiteral("Berlin"));
    QVERIFY(!widget.isValid());
    QVERIFY(!widget.setTimeZoneId("Foo"));
    combo->setCurrentText(QStringLiteral("America/New_York"));
    QVERIFY(widget.isValid());
    QCOMPARE(widget.schedule().timeZone(), QTimeZone("America/New_York"));
}

void TestCronPreviewWidget::impossibleDateSaysNever()
{
    CronPreviewWidget widget;
    widget.setExpression(QStringLiteral("0 0 30 2 *"));
    QVERIFY(widget.isValid());
    QCOMPARE(rows(widget), QStringList{QStringLiteral("Never: no date matches this expression")});
}

QTEST_MAIN(TestCronPreviewWidget)
#include "tst_cronpreviewwidget.moc"

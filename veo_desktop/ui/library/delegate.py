"""How a library card is painted: the thumbnail letterboxed in a 16:9 frame, the prompt, model · length ·
resolution, and the date in the locale's short format."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from veo_desktop.ui.library.model import Index, ItemRole, LibraryItem


class LibraryDelegate(QStyledItemDelegate):
    """A card: the thumbnail letterboxed in a 16:9 frame, two lines of prompt, then model · length · date."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = option.fontMetrics.height()
        width = line * 12  # two cards side by side in a ~360 px library
        return QSize(width, width * 9 // 16 + line * 5)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(ItemRole)
        if not isinstance(item, LibraryItem):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        card = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(option.rect.adjusted(1, 1, -1, -1), 8, 8)
        line = option.fontMetrics.height()
        thumb = QRect(card.left(), card.top(), card.width(), card.width() * 9 // 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 20, 24))
        painter.drawRoundedRect(thumb, 6, 6)
        image = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(image, QImage) and not image.isNull():
            size = image.size().scaled(thumb.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(thumb.center())
            painter.drawImage(target, image)
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        text_rect = QRect(card.left(), thumb.bottom() + line // 3, card.width(), line * 2)
        painter.setPen(text_color)
        prompt = option.fontMetrics.elidedText(
            item.prompt.replace("\n", " "), Qt.TextElideMode.ElideRight, card.width() * 2 - line
        )
        painter.drawText(text_rect, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop, prompt)
        meta_color = QColor(text_color)
        meta_color.setAlphaF(0.65)
        painter.setPen(meta_color)
        when = QLocale().toString(QDateTime.fromMSecsSinceEpoch(item.finished_at_ms), QLocale.FormatType.ShortFormat)
        details = f"{item.model_label} · {item.duration_s} s · {item.resolution}"
        for row, text in enumerate((details, when)):
            rect = QRect(card.left(), text_rect.bottom() + 2 + row * line, card.width(), line)
            elided = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, card.width())
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()

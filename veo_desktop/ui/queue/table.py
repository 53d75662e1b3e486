"""The queue table's view side: how its cells are painted (the prompt over its settings, the thumbnail or a
placeholder in the job's shape), the filter proxy, and the table's set-up (fixed row heights, so 10,000
rows are never measured)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from veo_desktop.engine.api import DisplayState, JobView
from veo_desktop.ui.queue.model import (
    COL_COST,
    COL_PROMPT,
    COL_SETTINGS,
    COL_STATUS,
    COL_THUMB,
    STATUS_COLOURS,
    FilterRole,
    JobViewRole,
    QueueTableModel,
)
from veo_desktop.ui.queue.status_text import ACTIVE_DISPLAY, tr
from veo_desktop.ui.queue.thumbnails import ROW_THUMB_SIZE
from veo_desktop.ui.support.i18n import money_text

ROW_HEIGHT = 64
_PROBLEMS = frozenset({DisplayState.FAILED, DisplayState.FILTERED, DisplayState.UNKNOWN_START})
_DONE = frozenset({DisplayState.COMPLETED, DisplayState.CANCELLED})
_GROUPS = {"active": ACTIVE_DISPLAY | {DisplayState.PAUSED}, "done": _DONE, "problems": _PROBLEMS}
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class _CellDelegate(QStyledItemDelegate):
    def _background(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QStyleOptionViewItem:
        """Draw the item's background and selection, without its text or icon; returns the full option."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        bare = QStyleOptionViewItem(opt)
        bare.text = ""
        bare.icon = QIcon()
        bare.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, bare, painter, opt.widget)
        return opt


class PromptDelegate(_CellDelegate):
    """The prompt on the first line and the model/ratio/duration/resolution, muted, on the second."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = self._background(painter, option, index)
        prompt = opt.text
        settings = index.sibling(index.row(), COL_SETTINGS).data() or ""
        rect = opt.rect.adjusted(8, 8, -8, -8)
        half = rect.height() // 2
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        bold = QFont(opt.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(opt.palette.color(QPalette.ColorRole.Text))
        line1 = QFontMetrics(bold).elidedText(prompt, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.adjusted(0, 0, 0, -half), int(_ALIGN_LEFT), line1)
        painter.setFont(opt.font)
        muted = QPalette.ColorRole.Text if selected else QPalette.ColorRole.PlaceholderText
        painter.setPen(opt.palette.color(muted))
        line2 = QFontMetrics(opt.font).elidedText(settings, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.adjusted(0, half, 0, 0), int(_ALIGN_LEFT), line2)
        painter.restore()


def split_status(text: str) -> tuple[str, str]:
    """ "Generating · 0:42 · ~3 min left" -> ("Generating", "0:42 · ~3 min left"); "Failed: why" -> ("Failed",
    "why"). The headline is what the state is; the rest, muted on a second line, is its detail."""
    cuts = [(i, len(sep)) for sep in (" · ", ": ", " — ") if (i := text.find(sep)) > 0]
    if not cuts:
        return text, ""
    at, width = min(cuts)
    return text[:at], text[at + width :]


class StatusDelegate(_CellDelegate):
    """A dot in the state's colour, the state on the first line and its detail, muted, on the second; the
    cost column uses it without the dot, right-aligned ("$0.80" over "refunded")."""

    def __init__(self, parent: Any = None, *, dot: bool = True) -> None:
        super().__init__(parent)
        self._dot = dot

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = self._background(painter, option, index)
        opt.palette = option.palette  # initStyleOption put the state colour in Text; it is the dot's only
        headline, detail = split_status(opt.text)
        rect = opt.rect.adjusted(8, 8, -10, -8)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._dot:
            brush = index.data(Qt.ItemDataRole.ForegroundRole)
            colour = brush.color() if isinstance(brush, QBrush) else opt.palette.color(QPalette.ColorRole.Mid)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            y = rect.top() + (rect.height() // 2 if not detail else rect.height() // 4)
            painter.drawEllipse(QPointF(rect.left() + 4, y), 4, 4)
            rect.setLeft(rect.left() + 16)
        align = opt.displayAlignment & Qt.AlignmentFlag.AlignHorizontal_Mask | Qt.AlignmentFlag.AlignVCenter
        bold = QFont(opt.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(opt.palette.color(QPalette.ColorRole.Text))
        top = rect if not detail else rect.adjusted(0, 0, 0, -rect.height() // 2)
        painter.drawText(
            top, int(align), QFontMetrics(bold).elidedText(headline, Qt.TextElideMode.ElideRight, rect.width())
        )
        if detail:
            selected = bool(opt.state & QStyle.StateFlag.State_Selected)
            painter.setFont(opt.font)
            painter.setPen(
                opt.palette.color(QPalette.ColorRole.Text if selected else QPalette.ColorRole.PlaceholderText)
            )
            line2 = QFontMetrics(opt.font).elidedText(detail, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(rect.adjusted(0, rect.height() // 2, 0, 0), int(align), line2)
        painter.restore()


def aspect_of(ratio: str) -> QSizeF:
    """ "16:9" -> QSizeF(16, 9); anything unreadable is taken as 16:9."""
    try:
        w, h = (float(x) for x in ratio.split(":"))
    except ValueError:
        return QSizeF(16, 9)
    return QSizeF(w, h) if w > 0 and h > 0 else QSizeF(16, 9)


def thumb_rect(cell: QRect, aspect: QSizeF, box: QSize = ROW_THUMB_SIZE) -> QRectF:
    """The largest rectangle of the shape `aspect` inside `box`, centred in `cell`."""
    size = aspect.scaled(QSizeF(box), Qt.AspectRatioMode.KeepAspectRatio)
    centre = QRectF(cell).center()
    return QRectF(centre.x() - size.width() / 2, centre.y() - size.height() / 2, size.width(), size.height())


class ThumbnailDelegate(_CellDelegate):
    """The start frame or the video's first frame, rounded; without one, a placeholder in the job's shape
    (16:9 or 9:16) tinted by its state, with a play mark."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = self._background(painter, option, index)
        view = index.data(JobViewRole)
        ratio = view.job.request.aspect_ratio if isinstance(view, JobView) else "16:9"
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            self._draw_picture(painter, opt.rect, pixmap)
        else:
            colour = QColor(STATUS_COLOURS.get(view.display, "#9aa4b8") if isinstance(view, JobView) else "#9aa4b8")
            self._draw_placeholder(painter, thumb_rect(opt.rect, aspect_of(ratio)), colour)
        if isinstance(view, JobView) and view.job.request.batch:
            self._draw_batch_tag(painter, opt, view.job.request.batch)
        painter.restore()

    @staticmethod
    def _draw_batch_tag(painter: QPainter, opt: QStyleOptionViewItem, name: str) -> None:
        """The batch's name on a small dark tag at the foot of the thumbnail cell, elided to its width (the
        same place for a 16:9 and a 9:16 picture)."""
        font = QFont(opt.font)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        metrics = QFontMetrics(font)
        cell = QRectF(opt.rect).adjusted(8, 4, -8, -5)
        text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(cell.width()) - 8)
        height = metrics.height() + 2
        tag = QRectF(cell.left(), cell.bottom() - height, metrics.horizontalAdvance(text) + 8, height)
        painter.setClipping(False)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 24, 33, 200))
        painter.drawRoundedRect(tag, 3, 3)
        painter.setFont(font)
        painter.setPen(QColor("#f2f4f8"))
        painter.drawText(tag, int(Qt.AlignmentFlag.AlignCenter), text)

    @staticmethod
    def _draw_picture(painter: QPainter, cell: QRect, pixmap: QPixmap) -> None:
        target = thumb_rect(cell, pixmap.deviceIndependentSize())
        path = QPainterPath()
        path.addRoundedRect(target, 4, 4)
        painter.setClipPath(path)
        painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))

    @staticmethod
    def _draw_placeholder(painter: QPainter, target: QRectF, colour: QColor) -> None:
        gradient = QLinearGradient(target.topLeft(), target.bottomRight())
        top, bottom = QColor(colour), QColor(colour)
        top.setAlpha(70)
        bottom.setAlpha(22)
        gradient.setColorAt(0, top)
        gradient.setColorAt(1, bottom)
        edge = QColor(colour)
        edge.setAlpha(120)
        painter.setPen(edge)
        painter.setBrush(gradient)
        painter.drawRoundedRect(target.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        side = min(target.width(), target.height()) * 0.34
        c = target.center()
        mark = QColor(colour)
        mark.setAlpha(210)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(mark)
        painter.drawPolygon(
            [
                QPointF(c.x() - side * 0.38, c.y() - side / 2),
                QPointF(c.x() - side * 0.38, c.y() + side / 2),
                QPointF(c.x() + side * 0.5, c.y()),
            ]
        )


class QueueFilterProxy(QSortFilterProxyModel):
    """Text filter over prompt/settings/status plus a state group (all, active, finished, problems) and a
    batch (None: every video). It only hides rows: a row's position is still its place in the whole queue."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.group = "all"
        self.batch: str | None = None
        self.setFilterRole(FilterRole)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_group(self, group: str) -> None:
        self.beginFilterChange()
        self.group = group
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_batch(self, batch: str | None) -> None:
        self.beginFilterChange()
        self.batch = batch or None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if isinstance(model, QueueTableModel) and not self._in_group_and_batch(model, source_row):
            return False
        if not self.filterRegularExpression().pattern():
            return True
        return super().filterAcceptsRow(source_row, source_parent)

    def _in_group_and_batch(self, model: QueueTableModel, source_row: int) -> bool:
        if self.group != "all" and model.display_at(source_row) not in _GROUPS[self.group]:
            return False
        if self.batch is None:
            return True
        view = model.view_at(source_row)  # another creator's place belongs to no batch of ours
        return isinstance(view, JobView) and view.job.request.batch == self.batch


class QueueTable(QTableView):
    """The queue's table: the status column takes about a third of the width (between 150 and 220 px), so
    the prompt keeps its share on a small screen and the status keeps its words on a big one. With no row
    to show, it says why in the middle (`set_placeholder`)."""

    _placeholder = ""

    def set_placeholder(self, text: str) -> None:
        if text != self._placeholder:
            self._placeholder = text
            self.viewport().update()

    def placeholder(self) -> str:
        return self._placeholder

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setColumnWidth(COL_STATUS, max(150, min(220, self.viewport().width() // 3)))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if not self._placeholder or model is None or model.rowCount() > 0:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self._placeholder)
        painter.end()


def cost_column_width(table: QTableView) -> int:
    """Wide enough for a price and "refunded" in the person's language (longer in Portuguese)."""
    metrics = QFontMetrics(table.font())
    refunded = tr(" · refunded").replace("·", "").strip()
    widest = max(metrics.horizontalAdvance(text) for text in (money_text(99_990_000), refunded, tr("Cost")))
    return max(84, widest + 28)


def setup_queue_table(table: QTableView) -> None:
    """Selection, drag-to-reorder, fixed row heights, column sizes and the delegates."""
    t = table
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
    t.setDefaultDropAction(Qt.DropAction.MoveAction)
    t.setDragDropOverwriteMode(False)
    t.setDropIndicatorShown(True)
    t.setWordWrap(False)
    t.setTextElideMode(Qt.TextElideMode.ElideRight)
    t.setShowGrid(False)
    t.setAlternatingRowColors(True)
    t.setIconSize(ROW_THUMB_SIZE)
    t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    t.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vh = t.verticalHeader()
    vh.hide()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure 10,000 rows
    vh.setDefaultSectionSize(ROW_HEIGHT)
    hh = t.horizontalHeader()
    hh.setHighlightSections(False)
    hh.setDefaultAlignment(_ALIGN_LEFT)
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    hh.setSectionResizeMode(COL_PROMPT, QHeaderView.ResizeMode.Stretch)
    hh.setSectionResizeMode(COL_THUMB, QHeaderView.ResizeMode.Fixed)
    for col, width in {COL_THUMB: 112, COL_STATUS: 196, COL_COST: cost_column_width(t)}.items():
        t.setColumnWidth(col, width)
    t.setColumnHidden(COL_SETTINGS, True)  # shown under the prompt by PromptDelegate
    t.setItemDelegateForColumn(COL_PROMPT, PromptDelegate(t))
    t.setItemDelegateForColumn(COL_THUMB, ThumbnailDelegate(t))
    t.setItemDelegateForColumn(COL_STATUS, StatusDelegate(t))
    t.setItemDelegateForColumn(COL_COST, StatusDelegate(t, dot=False))

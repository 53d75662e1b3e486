"""The other creators' waiting jobs on a team store, as rows of the queue table beside one's own: who,
which model and where ("bia · Veo 3.1 Fast · 3"), in queue order, never a prompt (prompts stay private to
their creator). Pure functions over the snapshot's immutable views."""

from __future__ import annotations

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.engine.api import JobView, PlaceView, QueueSnapshot
from veo_desktop.ui.queue import status_text as st
from veo_desktop.ui.queue.status_text import tr
from veo_desktop.ui.support.i18n import number_text

Row = JobView | PlaceView  # one's own job, or another creator's waiting place (team stores; no prompt)


def row_id(row: Row) -> str:
    """A row's identity for the diff: the job id, or the place's creator, position and model."""
    if isinstance(row, JobView):
        return row.id
    return f"place:{row.creator}:{row.position}:{row.model_id}"


def merged_rows(snapshot: QueueSnapshot) -> tuple[Row, ...]:
    """One's waiting jobs and the other creators' places in queue order (by team-wide position; one's own
    first on a tie), then one's other jobs as the snapshot orders them."""
    if not snapshot.others:
        return snapshot.jobs
    placed: list[Row] = [v for v in snapshot.jobs if v.position is not None]
    rest = [v for v in snapshot.jobs if v.position is None]
    waiting = sorted([*placed, *snapshot.others], key=_queue_position)  # stable: own rows keep their order
    return (*waiting, *rest)


def _queue_position(row: Row) -> int:
    return row.position or 0


def place_cells(place: PlaceView, catalogue: Catalogue) -> tuple[str, ...]:
    model = catalogue.get(place.model_id)
    name = model.display_name if model is not None else place.model_id
    status = tr("Another creator's video — position %1").replace("%1", number_text(place.position))
    if place.eta_start_s is not None and place.eta_start_s >= 1:
        status += tr(" · starts in %1").replace("%1", st.about_text(place.eta_start_s))
    return ("", f"{place.creator} · {name} · {number_text(place.position)}", name, status, "")

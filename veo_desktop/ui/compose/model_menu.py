"""The model menu's entries: each model's name with its status (preview, retired, unverified price), a tooltip
with what the status means and the model's limits, and whether it can be chosen (retired ones cannot).

Limits are the provider's dialect's (`ModelInfo.rules(provider)`): the same model may allow other
resolutions or sample counts on another provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from veo_desktop.core.catalogue import ModelInfo
from veo_desktop.ui.support.i18n import number_text


def tr(text: str) -> str:
    """lupdate files module-level `tr("...")` calls under the empty context, so they are looked up there."""
    return QCoreApplication.translate("", text)


@dataclass(frozen=True, slots=True)
class ModelEntry:
    label: str
    tooltip: str
    selectable: bool


def model_entry(model: ModelInfo, provider: str) -> ModelEntry:
    marks: list[str] = []
    notes: list[str] = []
    said = model.display_name.casefold()  # the catalogue's names may say "(preview)" or "(retired)" already

    def mark(word: str, translated: str) -> None:
        if word not in said:
            marks.append(translated)

    if model.retired:
        mark("retired", tr("retired"))
        notes.append(tr("Google has retired this model; choose a current one."))
    elif model.status == "preview":
        mark("preview", tr("preview"))
        notes.append(tr("A preview model: Google may change or withdraw it without notice."))
    if not model.retired and not model.price_verified:
        mark("unverified price", tr("unverified price"))
        notes.append(tr("Google has not confirmed this price: the cost shown is an estimate."))
    label = model.display_name
    if marks:
        label = tr("%1 (%2)").replace("%1", model.display_name).replace("%2", ", ".join(marks))
    notes.append(limits_text(model, provider))
    return ModelEntry(label, "\n".join(notes), not model.retired)


def limits_text(model: ModelInfo, provider: str) -> str:
    """`4–8 s · 720p, 1080p, 4k · up to 4 videos per job`."""
    rules = model.rules(provider)
    shortest, longest = min(model.durations_s), max(model.durations_s)
    length = (
        tr("%1 s").replace("%1", number_text(longest))
        if shortest == longest
        else tr("%1–%2 s").replace("%1", number_text(shortest)).replace("%2", number_text(longest))
    )
    parts = [length, ", ".join(rules.resolutions)]
    if rules.sample_count_max > 1:
        parts.append(tr("up to %1 videos per job").replace("%1", number_text(rules.sample_count_max)))
    return " · ".join(parts)

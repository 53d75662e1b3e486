"""Keeping the catalogue current without an app update: the account's model listing and the user's file.

- `merge_remote`: ids the account lists that the catalogue lacks appear with the constraints of their closest
  sibling (same provider, most id words in common) and `price_verified=False`; ids that answered 404 / "no
  longer available" become retired (`mark_retired`). A listed id is never retired by its absence: listings
  can be partial.
- `apply_user_catalogue`: the user's `models.json` (config folder) overrides fields of shipped models or adds
  models. A bad file never stops the app: the shipped catalogue is kept and `Catalogue.warnings` says why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from veo_desktop.core.catalogue import DIALECT_OF_PROVIDER, Catalogue, CatalogueError, ModelInfo
from veo_desktop.core.catalogue_parse import parse_document

_RETIRE_ONLY = {"id", "status", "retired_on", "status_note"}
USER_FILE_EXAMPLE = '{"version": 2, "models": [{"id": "veo-3.1-fast-generate-001", "typical_duration_s": 45}]}'


def mark_retired(catalogue: Catalogue, model_ids: Iterable[str], now_ms: int) -> Catalogue:
    """The catalogue with these models retired as of `now_ms` (UTC date); unknown ids are ignored."""
    gone = set(model_ids)
    if not gone:
        return catalogue
    day = _iso_day(now_ms)
    models = tuple(
        replace(m, status="retired", retired_on=m.retired_on or day) if m.id in gone and not m.retired else m
        for m in catalogue.models
    )
    return replace(catalogue, models=models)


def merge_remote(
    catalogue: Catalogue,
    remote_ids: Iterable[str],
    now_ms: int,
    *,
    provider: str,
    gone_ids: Iterable[str] = (),
    display_names: Mapping[str, str] | None = None,
) -> Catalogue:
    """The catalogue merged with what `provider`'s account lists now (pure; `now_ms` dates retirements)."""
    names = display_names or {}
    added: list[ModelInfo] = []
    for model_id in dict.fromkeys(remote_ids):
        if not model_id or catalogue.get(model_id) is not None or any(m.id == model_id for m in added):
            continue
        sibling = closest_sibling(catalogue, model_id, provider)
        if sibling is not None:
            added.append(_from_sibling(sibling, model_id, names.get(model_id) or model_id, provider))
    merged = replace(catalogue, models=catalogue.models + tuple(added))
    return mark_retired(merged, gone_ids, now_ms)


def closest_sibling(catalogue: Catalogue, model_id: str, provider: str) -> ModelInfo | None:
    """The model of `provider` and of the id's family (a `veo` or `omni` word) sharing most words with
    `model_id`, live before retired, current first; None when the id names no known family (e.g. a text model)."""
    words = set(model_id.lower().split("-"))
    candidates = [m for m in catalogue.for_provider(provider) if m.family in words]  # "veo-…", "gemini-omni-…"
    if not candidates:
        return None

    def score(m: ModelInfo) -> tuple[int, int, int]:
        shared = len(words & set(m.id.lower().split("-")))
        return (shared, 0 if m.retired else 1, 1 if m.status == "current" else 0)

    best = max(candidates, key=score)  # max keeps the first of equals: the catalogue's order
    return best if score(best)[0] > 0 else None


def _from_sibling(sibling: ModelInfo, model_id: str, display_name: str, provider: str) -> ModelInfo:
    dialect = DIALECT_OF_PROVIDER.get(provider, provider)
    providers = tuple(p for p in sibling.providers if DIALECT_OF_PROVIDER.get(p) == dialect) or (provider,)
    return replace(
        sibling,
        id=model_id,
        display_name=display_name,
        providers=providers,
        status="preview",
        retired_on=None,
        price_verified=False,
        status_note=f"Listed by the account; constraints and prices copied from {sibling.id}.",
        source="account",
    )


def apply_user_catalogue(
    shipped_text: str, user_text: str | None, *, user_source: str, read_error: str | None = None
) -> Catalogue:
    """The shipped catalogue with the user's file applied; a bad user file is ignored with a warning.

    The shipped file must be valid (CatalogueError otherwise: a packaging fault). `user_text` None = no file;
    `read_error` = the file exists but could not be read (the reason, e.g. "Permission denied").
    """
    shipped = parse_document(shipped_text, source="resources/models.json")
    if read_error is not None:
        warning = (
            f"The user catalogue {user_source} cannot be read ({read_error}); "
            "until then the app uses its built-in catalogue."
        )
        return replace(shipped, warnings=(*shipped.warnings, warning))
    if user_text is None:
        return shipped
    try:
        return _apply(shipped_text, user_text, user_source)
    except CatalogueError as exc:
        warning = str(exc).rstrip(".") + "; until then the app uses its built-in catalogue."
        return replace(shipped, warnings=(*shipped.warnings, warning))


def _apply(shipped_text: str, user_text: str, source: str) -> Catalogue:
    base: dict[str, Any] = json.loads(shipped_text)
    try:
        user = json.loads(user_text)
    except (ValueError, RecursionError) as exc:
        raise CatalogueError(f"The user catalogue {source} is not valid JSON ({exc}); fix or remove it.") from None
    if not isinstance(user, dict) or not isinstance(user.get("models"), list):
        raise CatalogueError(
            f"The user catalogue {source} is not valid: it must be an object with a 'models' list, "
            f"for example {USER_FILE_EXAMPLE}; fix it."
        )
    by_id = {m["id"]: m for m in base["models"]}
    for entry in user["models"]:
        _merge_entry(by_id, entry, source)
    doc = {**base, "models": list(by_id.values())}
    for key in ("prompt_max_chars", "default_max_generation_s"):
        if key in user:
            doc[key] = user[key]
    if "version" in user:
        doc["version"] = max(int(base.get("version", 1)), _int_version(user["version"], source))
    return parse_document(json.dumps(doc), source=source)


def _merge_entry(by_id: dict[str, dict[str, Any]], entry: Any, source: str) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise CatalogueError(f"The user catalogue {source} is not valid: every model needs an 'id'; add it.")
    model_id = entry["id"]
    based_on = entry.get("based_on")
    if model_id in by_id:
        start = by_id[model_id]
    elif based_on is not None:
        if based_on not in by_id:
            raise CatalogueError(
                f"The user catalogue {source} is not valid: model {model_id!r} is based on {based_on!r}, "
                "which the catalogue does not have; name a listed model."
            )
        start = {**by_id[based_on], "price_verified": False, "status": "current", "retired_on": None}
        start["display_name"] = model_id
        start["status_note"] = f"Added by the user catalogue, based on {based_on}."
    elif set(entry) <= _RETIRE_ONLY and entry.get("status") == "retired":
        return  # retiring a model the catalogue does not know: nothing to do
    else:
        start = {"price_verified": False}
    fields = {k: v for k, v in entry.items() if k != "based_on"}
    by_id[model_id] = {**_deep_merge(start, fields), "id": model_id, "source": "user"}


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _int_version(value: Any, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogueError(f"The user catalogue {source} is not valid: 'version' must be a whole number; fix it.")
    return value


def _iso_day(now_ms: int) -> str:
    return datetime.fromtimestamp(now_ms / 1000, tz=UTC).date().isoformat()


def provider_of_job(catalogue: Catalogue, model_id: str, stored_provider: str) -> str:
    """The provider a stored job belongs to. Jobs queued before the Gemini API's Veo models were retired say
    `gemini` for a Veo model: they are `gemini-veo` jobs (history only), never Omni jobs."""
    model = catalogue.get(model_id)
    if stored_provider == "gemini" and (model is None or model.family == "veo") and model_id.startswith("veo-"):
        return "gemini-veo"
    return stored_provider


def suggest_replacement(catalogue: Catalogue, model_id: str, provider: str) -> ModelInfo | None:
    """A current model of `provider` to move jobs of a retired model to: its closest live sibling of the same
    family, else the provider's default model; None when the provider has no live model."""
    live = Catalogue(
        models=tuple(m for m in catalogue.models if not m.retired and m.id != model_id),
        prompt_max_chars=catalogue.prompt_max_chars,
    )
    sibling = closest_sibling(live, model_id, provider)
    if sibling is not None:
        return sibling
    try:
        return live.default_model(provider)
    except LookupError:
        return None


def user_catalogue_retiring(user_text: str | None, model_ids: Iterable[str], now_ms: int) -> str:
    """The user catalogue file's new text with `model_ids` marked retired as of `now_ms`, so a model Google
    answered 404 / "no longer available" for stays retired after a restart. Other entries are kept as they are;
    a missing or unparsable file is started afresh (the caller decides whether to replace a bad file)."""
    try:
        doc = json.loads(user_text) if user_text else {}
    except (ValueError, RecursionError):
        doc = {}
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        doc = {"version": 2, "models": []}
    day = _iso_day(now_ms)
    entries: list[Any] = doc["models"]
    for model_id in dict.fromkeys(model_ids):
        entry = next((e for e in entries if isinstance(e, dict) and e.get("id") == model_id), None)
        if entry is None:
            entries.append({"id": model_id, "status": "retired", "retired_on": day})
        elif entry.get("status") != "retired":
            entry.update(status="retired", retired_on=entry.get("retired_on") or day)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

"""Switches: one per behaviour docs/veo-api.md marks UNCONFIRMED (`[sw: name]` there), so a test can
run the client against either side. Settable per simulator (`Simulator(switches={...})`,
`sim.set_switch(name, value)`) and per prompt with the keyword `[sw:name=value]` anywhere in the prompt text,
which wins for that prompt's calls (its start, polls, files and downloads)."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

# name -> allowed values; the first is the default.
SWITCHES: dict[str, tuple[str, ...]] = {
    # Vertex express mode (provider a)
    "express_veo": ("ok", "resource_project_invalid", "credentials_missing"),
    "express_poll": ("both", "project", "projectless"),
    "op_name_project": ("number", "id"),
    # Vertex project mode (provider b)
    "v1beta1_project": ("ok", "resource_project_invalid"),
    # Vertex request rules
    "vertex_4k": ("on", "off"),
    "vertex_8s_hires": ("off", "on"),
    "vertex_webp": ("reject", "accept"),
    "vertex_429_retryinfo": ("off", "on"),
    "person_all": ("allowAll", "allow_all", "both"),
    "ref_16x9_only": ("off", "on"),
    "extension_output": ("whole", "continuation"),
    # Gemini Omni over the Interactions API (provider c)
    "omni_get_after_uri": ("data", "uri"),
    "omni_error_envelope": ("google", "schema"),
    "omni_safety": ("create_400", "failed"),
    "omni_duration": ("honoured", "model_chooses"),
    "omni_1_2": ("off", "on"),
    "omni_create_user_input": ("on", "off"),
    "omni_queued": ("off", "on"),
    "omni_download": ("redirect", "direct"),
    "file_processing_download": ("refuse", "serve"),
}

_KEYWORD = re.compile(r"\[sw:(?P<name>[a-z0-9_]+)=(?P<value>[A-Za-z0-9_]+)\]")


def check(name: str, value: str) -> None:
    if name not in SWITCHES:
        raise ValueError(f"Unknown simulator switch {name!r}; known: {', '.join(sorted(SWITCHES))}.")
    if value not in SWITCHES[name]:
        raise ValueError(f"Switch {name} takes {' | '.join(SWITCHES[name])}, not {value!r}.")


def prompt_switches(prompt: str | None) -> dict[str, str]:
    """The `[sw:name=value]` keywords of a prompt (unknown names or values are just prompt text)."""
    found: dict[str, str] = {}
    for match in _KEYWORD.finditer(prompt or ""):
        name, value = match["name"], match["value"]
        if name in SWITCHES and value in SWITCHES[name]:
            found[name] = value
    return found


class Switches:
    """The simulator-wide settings; `resolve(prompt)` adds that prompt's keywords on top."""

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self._values = {name: values[0] for name, values in SWITCHES.items()}
        self._lock = threading.Lock()
        for name, value in (initial or {}).items():
            self.set(name, value)

    def set(self, name: str, value: str) -> None:
        check(name, value)
        with self._lock:
            self._values[name] = value

    def reset(self) -> None:
        with self._lock:
            self._values = {name: values[0] for name, values in SWITCHES.items()}

    def resolve(self, prompt: str | None = None) -> dict[str, str]:
        with self._lock:
            values = dict(self._values)
        values.update(prompt_switches(prompt))
        return values

    def get(self, name: str, prompt: str | None = None) -> str:
        return self.resolve(prompt)[name]

"""The providers offered in Settings and on the welcome panel, named by what the person has.

People know which key they hold, not which API it belongs to: "an AI Studio key" is the Gemini API (which
now makes videos with Gemini Omni Flash, not Veo), "a Vertex API key" is Vertex AI express mode, "a Google
Cloud project" is Vertex AI in that project (`vertex-project`). Only providers the settings accept are offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from veo_desktop.settings import PROVIDERS

AI_STUDIO_URL = "https://aistudio.google.com/apikey"
VERTEX_EXPRESS_URL = "https://cloud.google.com/vertex-ai/generative-ai/docs/start/express-mode/overview"
VERTEX_PROJECT_URL = "https://cloud.google.com/vertex-ai/docs/start/cloud-environment"


def tr(text: str) -> str:
    """lupdate files module-level `tr("...")` calls under the empty context, so they are looked up there."""
    return QCoreApplication.translate("", text)


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    provider: str  # Settings.provider
    title: str  # what the person has
    explanation: str  # what it makes, and why
    link: str  # where to get such a key, as rich text


def provider_choices() -> tuple[ProviderChoice, ...]:
    choices = (
        ProviderChoice(
            "gemini",
            tr("An AI Studio key"),
            tr(
                "Makes videos with Gemini Omni Flash, not Veo: Google shut down Veo on the Gemini API on "
                "22 October 2026, and Omni Flash is the video model AI Studio keys make videos with now."
            ),
            tr('Get a key from <a href="%1">Google AI Studio</a>.').replace("%1", AI_STUDIO_URL),
        ),
        ProviderChoice(
            "vertex",
            tr("A Vertex API key"),
            tr(
                "Makes videos with Veo 3.1 through Vertex AI express mode (a key, no project). Google does not "
                "offer Veo in express mode to every account."
            ),
            tr('Get a key from <a href="%1">Vertex AI express mode</a>.').replace("%1", VERTEX_EXPRESS_URL),
        ),
        ProviderChoice(
            "vertex-project",
            tr("A Google Cloud project"),
            tr(
                "Makes videos with Veo 3.1 through Vertex AI in your own project and region, signed in with a "
                "service account's JSON key file (kept in your system keyring) or Application Default Credentials."
            ),
            tr('How to <a href="%1">set up a project for Vertex AI</a>.').replace("%1", VERTEX_PROJECT_URL),
        ),
    )
    return tuple(c for c in choices if c.provider in PROVIDERS)


def choice_for(provider: str) -> ProviderChoice:
    """The choice of `provider`, or the first one for a provider this window does not offer."""
    choices = provider_choices()
    return next((c for c in choices if c.provider == provider), choices[0])

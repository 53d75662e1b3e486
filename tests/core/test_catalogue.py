"""The shipped catalogue against the contract's model table (§5), its parse errors, the account merge and
the user's catalogue file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from veo_desktop.core.catalogue import (
    CATALOGUE_VERSION,
    RESOLUTIONS,
    Catalogue,
    CatalogueError,
    ModelInfo,
    parse_catalogue,
)
from veo_desktop.core.catalogue_sources import (
    apply_user_catalogue,
    closest_sibling,
    mark_retired,
    merge_remote,
    provider_of_job,
    suggest_replacement,
    user_catalogue_retiring,
)
from veo_desktop.paths import resources_dir

SHIPPED = (resources_dir() / "models.json").read_text(encoding="utf-8")
CAT = parse_catalogue(SHIPPED)
NOW_MS = 1_796_000_000_000  # 2026-11-30 UTC
TODAY = "2026-11-30"


def get(model_id: str, catalogue: Catalogue = CAT) -> ModelInfo:
    model = catalogue.get(model_id)
    assert model is not None, model_id
    return model


MODEL_TABLE = [
    # id, providers, status, retired_on, durations, vertex-or-own resolutions, audio, refs, extension step, samples
    ("veo-3.1-generate-001", ("vertex", "vertex-project"), "current", None, (4, 6, 8), ("720p", "1080p", "4k"),
     "switch", 3, 7, 4),
    ("veo-3.1-fast-generate-001", ("vertex", "vertex-project"), "current", None, (4, 6, 8), ("720p", "1080p", "4k"),
     "switch", 3, 7, 4),
    ("veo-3.1-lite-generate-001", ("vertex", "vertex-project"), "preview", None, (4, 6, 8), ("720p", "1080p"),
     "switch", 0, None, 4),
    ("gemini-omni-1.1-flash", ("gemini",), "current", None, tuple(range(3, 11)), ("360p", "720p", "1080p", "4k"),
     "always", 3, None, 1),
    ("gemini-omni-1.2-flash", ("gemini",), "preview", None, tuple(range(3, 16)), ("360p", "720p", "1080p", "4k"),
     "always", 3, None, 1),
    ("gemini-omni-flash-preview", ("gemini",), "retired", "2026-09-30", tuple(range(3, 11)),
     ("360p", "720p", "1080p", "4k"), "always", 3, None, 1),
    ("veo-3.1-generate-preview", ("gemini-veo", "vertex", "vertex-project"), "retired", "2026-10-22", (4, 6, 8),
     ("720p", "1080p", "4k"), "always", 3, 7, 1),
    ("veo-3.1-fast-generate-preview", ("gemini-veo", "vertex", "vertex-project"), "retired", "2026-10-22",
     (4, 6, 8), ("720p", "1080p", "4k"), "always", 3, 7, 1),
    ("veo-3.1-lite-generate-preview", ("gemini-veo", "vertex", "vertex-project"), "retired", "2026-10-22",
     (4, 6, 8), ("720p", "1080p"), "always", 0, 7, 1),
    ("veo-3.0-generate-001", ("vertex", "vertex-project", "gemini-veo"), "retired", "2026-06-30", (4, 6, 8),
     ("720p", "1080p"), "switch", 0, None, 1),
    ("veo-3.0-fast-generate-001", ("vertex", "vertex-project", "gemini-veo"), "retired", "2026-06-30", (4, 6, 8),
     ("720p", "1080p"), "switch", 0, None, 1),
    ("veo-2.0-generate-001", ("vertex", "vertex-project", "gemini-veo"), "retired", "2026-06-30", (5, 6, 7, 8),
     ("720p",), "none", 0, None, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("model_id", "providers", "status", "retired_on", "durations", "resolutions", "audio", "refs", "step", "samples"),
    MODEL_TABLE,
)
def test_model_table(
    model_id: str,
    providers: tuple[str, ...],
    status: str,
    retired_on: str | None,
    durations: tuple[int, ...],
    resolutions: tuple[str, ...],
    audio: str,
    refs: int,
    step: int | None,
    samples: int,
) -> None:
    m = get(model_id)
    assert (m.providers, m.status, m.retired, m.retired_on) == (providers, status, status == "retired", retired_on)
    assert m.durations_s == durations and m.aspect_ratios[:2] in (("16:9", "9:16"), ("16:9",))
    assert m.resolutions == resolutions and set(resolutions) <= set(RESOLUTIONS)
    assert m.rules().audio == audio
    assert m.reference_images_max == refs
    assert (m.reference_duration_s == 8) == (refs > 0 and m.family == "veo")
    extension = m.rules(providers[0]).extension
    assert (None if extension is None else extension.step_s) == step
    assert (m.rules().sample_count_min, m.max_samples) == (1, samples)
    assert m.max_generation_s == 600
    assert m.typical_duration_s > 0
    assert m.source == "shipped"


def test_catalogue_file_basics() -> None:
    assert CAT.version == CATALOGUE_VERSION == 2
    assert CAT.warnings == ()
    assert CAT.prompt_max_chars == 4096
    assert len({m.id for m in CAT.models}) == len(CAT.models) == len(MODEL_TABLE)


def test_vertex_dialect_rules() -> None:
    rules = get("veo-3.1-generate-001").rules("vertex-project")
    assert rules.dialect == "vertex"
    assert rules.person_generation == ("dont_allow", "allow_adult", "allowAll")
    assert rules.person_generation_default == "allow_adult"
    assert rules.input_mime_types == ("image/png", "image/jpeg")
    assert rules.requires_8s == ()
    assert rules.resize_modes == ("pad", "crop") and rules.compression_qualities == ("optimized", "lossless")
    assert rules.seed and rules.prompt_rewriting and rules.negative_prompt and rules.audio_switch
    ext = rules.extension
    assert ext is not None
    assert (ext.input_min_s, ext.input_max_s, ext.input_fps) == (1, 30, 24)
    assert ext.input_resolutions == ("720p", "1080p") and ext.input_aspect_ratios == ("16:9", "9:16")


def test_omni_rules_and_tokens() -> None:
    omni = get("gemini-omni-1.1-flash")
    rules = omni.rules("gemini")
    assert omni.is_omni and omni.family == "omni"
    assert rules.person_generation == () and rules.person_generation_default is None
    assert rules.input_mime_types == ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif")
    assert not rules.negative_prompt and rules.seed and not rules.audio_switch and not rules.prompt_rewriting
    assert omni.refine is not None and omni.refine.total_max_s == 40 and omni.refine.durations_s == tuple(range(3, 11))
    assert omni.start_frame and not omni.end_frame
    tokens = omni.tokens
    assert tokens is not None and not tokens.duration_honoured
    assert dict(tokens.video_tokens_per_s) == {"360p": 1931, "720p": 5792, "1080p": 8688, "4k": 17376}
    assert (tokens.output_micros_per_mtok, tokens.input_micros_per_mtok) == (17_500_000, 1_500_000)
    assert (tokens.input_tokens_per_image, tokens.input_chars_per_token) == (2000, 4)


def test_gemini_veo_dialect() -> None:
    rules = get("veo-3.1-generate-preview").rules("gemini-veo")
    assert rules.requires_8s == ("1080p", "4k")
    assert rules.extension is not None and rules.extension.input_resolutions == ("720p",)
    assert rules.extension.input_max_s == 141


@pytest.mark.parametrize(
    ("provider", "expected"),
    [("vertex", "veo-3.1-fast-generate-001"), ("vertex-project", "veo-3.1-fast-generate-001"),
     ("gemini", "gemini-omni-1.1-flash")],
)  # fmt: skip
def test_default_model(provider: str, expected: str) -> None:
    assert CAT.default_model(provider).id == expected


def test_no_live_model_for_the_retired_dialect() -> None:
    assert all(m.retired for m in CAT.for_provider("gemini-veo"))
    with pytest.raises(LookupError):
        CAT.default_model("gemini-veo")


def test_verified_prices() -> None:
    verified = {m.id for m in CAT.models if m.price_verified}
    assert {"veo-3.1-generate-001", "veo-3.1-fast-generate-001", "veo-3.1-lite-generate-001"} <= verified
    assert not any(m.price_verified for m in CAT.models if m.is_omni)  # the contract marks them UNCONFIRMED


def _doc(**model_changes: Any) -> str:
    model = json.loads(SHIPPED)["models"][1]
    model.update(model_changes)
    return json.dumps({"version": 2, "models": [model]})


BAD_DOCUMENTS = [
    ("{", "is not valid JSON"),
    ("[]", "the top level must be an object"),
    ('{"version": 3, "models": []}', "has version 3, newer than this app reads (2)"),
    ('{"models": {}}', "field 'models' must be a list of models"),
    (_doc(providers=["vertex", "bing"]), "field 'providers' must be a list of vertex, vertex-project, gemini"),
    (_doc(providers=[]), "non-empty list of providers"),
    (_doc(status="beta"), "field 'status' must be one of current, preview, retired"),
    (_doc(durations_s=[]), "non-empty list of whole numbers of seconds"),
    (_doc(durations_s=["8"]), "durations_s"),
    (_doc(max_generation_s=0), "field 'max_generation_s' must be a number of at least 1"),
    (_doc(price_usd_per_s={}), "'audio' and/or 'silent' prices"),
    (_doc(price_usd_per_s={"audio": {"720p": "cheap"}}), "resolution to US dollars per second"),
    (_doc(dialects={}), "the rules of the 'vertex' dialect"),
    (_doc(dialects={"vertex": {"resolutions": ["720p"]}, "bing": {"resolutions": []}}), "not a known dialect"),
    (_doc(dialects={"vertex": {"resolutions": ["720p"], "requires_8s": ["4k"]}}), "'requires_8s' must be a list of"),
    (_doc(dialects={"vertex": {"resolutions": ["720p"], "audio": "loud"}}), "switch, always, none"),
    (_doc(family="omni"), "'tokens' must be the token prices of an Omni model"),
    (_doc(id=""), "field 'id' must be a non-empty string"),
    (
        _doc(dialects={"vertex": {"resolutions": ["720p"], "person_generation": {"values": ["a"], "default": "b"}}}),
        "whose default is one of its values",
    ),
    (json.dumps({"models": [json.loads(SHIPPED)["models"][0]] * 2}), "lists 'veo-3.1-generate-001' twice"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_DOCUMENTS)
def test_parse_errors_are_one_sentence(text: str, fragment: str) -> None:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(text, source="test.json")
    message = str(info.value)
    assert fragment in message, message
    assert message.startswith("The model catalogue test.json ") and message.endswith(".")
    assert message.count(". ") == 0, message
    assert "\n" not in message


def test_merge_adds_new_ids_from_a_sibling() -> None:
    merged = merge_remote(
        CAT,
        ["veo-3.1-fast-generate-001", "veo-3.2-fast-generate-001", "veo-4.0-generate-001"],
        NOW_MS,
        provider="vertex",
        display_names={"veo-3.2-fast-generate-001": "Veo 3.2 Fast"},
    )
    new = get("veo-3.2-fast-generate-001", merged)
    sibling = get("veo-3.1-fast-generate-001")
    assert (new.display_name, new.status, new.source, new.price_verified) == (
        "Veo 3.2 Fast",
        "preview",
        "account",
        False,
    )
    assert new.providers == ("vertex", "vertex-project")
    assert (new.dialects, new.durations_s, new.price_micros_per_s) == (
        sibling.dialects,
        sibling.durations_s,
        sibling.price_micros_per_s,
    )
    other = get("veo-4.0-generate-001", merged)
    assert other.display_name == "veo-4.0-generate-001"
    assert other.status_note.endswith("copied from veo-3.1-generate-001.")
    assert len(merged.models) == len(CAT.models) + 2
    assert merged.get("veo-3.1-fast-generate-001") == sibling  # known ids are untouched


def test_merge_omni_sibling_and_retired_ids() -> None:
    merged = merge_remote(
        CAT,
        ["gemini-omni-1.3-flash", "gemini-omni-1.1-flash"],
        NOW_MS,
        provider="gemini",
        gone_ids=["gemini-omni-1.2-flash"],
    )
    assert closest_sibling(CAT, "gemini-omni-1.3-flash", "gemini") == get("gemini-omni-1.1-flash")
    new = get("gemini-omni-1.3-flash", merged)
    assert new.is_omni and new.providers == ("gemini",) and not new.price_verified
    gone = get("gemini-omni-1.2-flash", merged)
    assert (gone.status, gone.retired_on, gone.retired) == ("retired", TODAY, True)
    assert merged.default_model("gemini").id == "gemini-omni-1.1-flash"


def test_merge_never_retires_by_absence_and_keeps_old_dates() -> None:
    merged = merge_remote(CAT, [], NOW_MS, provider="vertex", gone_ids=["veo-3.0-generate-001", "not-a-model"])
    assert [m.status for m in merged.models] == [m.status for m in CAT.models]
    assert get("veo-3.0-generate-001", merged).retired_on == "2026-06-30"
    assert mark_retired(CAT, [], NOW_MS) is CAT


def test_merge_skips_ids_without_a_sibling() -> None:
    merged = merge_remote(
        CAT, ["imagen-4.0", "gemini-2.5-flash", "", "veo-3.1-generate-001"], NOW_MS, provider="gemini"
    )
    assert merged.get("imagen-4.0") is None and merged.get("gemini-2.5-flash") is None
    assert len(merged.models) == len(CAT.models)
    assert merge_remote(CAT, ["veo-9"], NOW_MS, provider="nobody").get("veo-9") is None


def user(entries: list[dict[str, Any]], **top: Any) -> str:
    return json.dumps({"version": 2, "models": entries, **top})


def test_no_user_file_is_the_shipped_catalogue() -> None:
    assert apply_user_catalogue(SHIPPED, None, user_source="cfg/models.json") == CAT


def test_user_file_overrides_fields_of_a_shipped_model() -> None:
    text = user(
        [
            {
                "id": "veo-3.1-fast-generate-001",
                "typical_duration_s": 45,
                "price_usd_per_s": {"audio": {"720p": 0.11}},
                "dialects": {"vertex": {"resolutions": ["720p", "1080p"]}},
            }
        ],
        prompt_max_chars=2000,
    )
    cat = apply_user_catalogue(SHIPPED, text, user_source="cfg/models.json")
    assert cat.warnings == ()
    fast, shipped = get("veo-3.1-fast-generate-001", cat), get("veo-3.1-fast-generate-001")
    assert (fast.typical_duration_s, fast.price_micros_per_s["720p"], fast.price_micros_per_s["4k"]) == (
        45,
        110_000,
        300_000,
    )
    assert fast.price_silent_micros_per_s == shipped.price_silent_micros_per_s
    assert fast.resolutions == ("720p", "1080p")
    assert fast.rules().person_generation == shipped.rules().person_generation  # deep merge keeps the rest
    assert fast.source == "user" and fast.price_verified
    assert cat.prompt_max_chars == 2000
    assert len(cat.models) == len(CAT.models)


def test_user_file_adds_models() -> None:
    text = user(
        [
            {"id": "veo-3.2-generate-001", "based_on": "veo-3.1-generate-001", "display_name": "Veo 3.2"},
            {
                "id": "my-veo",
                "providers": ["vertex"],
                "aspect_ratios": ["16:9"],
                "durations_s": [8],
                "dialects": {"vertex": {"resolutions": ["720p"], "audio": "switch"}},
                "price_usd_per_s": {"audio": {"720p": 0.3}, "silent": {"720p": 0.1}},
            },
        ]
    )
    cat = apply_user_catalogue(SHIPPED, text, user_source="cfg/models.json")
    assert cat.warnings == ()
    added = get("veo-3.2-generate-001", cat)
    assert (added.display_name, added.status, added.price_verified, added.source) == (
        "Veo 3.2",
        "current",
        False,
        "user",
    )
    assert added.dialects == get("veo-3.1-generate-001").dialects
    mine = get("my-veo", cat)
    assert (mine.price_verified, mine.max_samples, mine.rules().seed, mine.max_generation_s) == (False, 1, False, 600)
    assert mine.price_table(generate_audio=False)["720p"] == 100_000


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "is not valid JSON"),
        ('["a"]', "must be an object with a 'models' list"),
        (user([{"typical_duration_s": 3}]), "every model needs an 'id'"),
        (user([{"id": "x", "based_on": "veo-9"}]), "based on 'veo-9', which the catalogue does not have"),
        (user([{"id": "x"}]), "field 'providers' must be a list of strings"),
        (user([{"id": "veo-3.1-fast-generate-001", "status": "gone"}]), "'status' must be one of"),
        (user([], version=9), "has version 9, newer than this app reads"),
        (user([], version="2"), "'version' must be a whole number"),
    ],
)
def test_bad_user_file_is_ignored_with_one_sentence(text: str, fragment: str) -> None:
    cat = apply_user_catalogue(SHIPPED, text, user_source="cfg/models.json")
    assert cat.models == CAT.models
    (warning,) = cat.warnings
    assert fragment in warning, warning
    assert "cfg/models.json" in warning
    assert warning.endswith("until then the app uses its built-in catalogue.")
    assert warning.count(". ") == 0 and "\n" not in warning


def test_unreadable_user_file_is_ignored() -> None:
    cat = apply_user_catalogue(SHIPPED, None, user_source="cfg/models.json", read_error="Permission denied")
    assert cat.models == CAT.models
    assert cat.warnings == (
        "The user catalogue cfg/models.json cannot be read (Permission denied); "
        "until then the app uses its built-in catalogue.",
    )


def test_a_bad_shipped_file_is_an_error() -> None:
    with pytest.raises(CatalogueError, match=r"resources/models\.json"):
        apply_user_catalogue("{}", None, user_source="cfg/models.json")


@pytest.mark.parametrize(
    ("model_id", "stored", "expected"),
    [
        ("veo-3.1-fast-generate-preview", "gemini", "gemini-veo"),
        ("veo-3.0-generate-001", "gemini", "gemini-veo"),
        ("veo-9-unknown", "gemini", "gemini-veo"),
        ("gemini-omni-1.1-flash", "gemini", "gemini"),
        ("veo-3.1-fast-generate-001", "vertex", "vertex"),
        ("veo-3.1-fast-generate-001", "vertex-project", "vertex-project"),
    ],
)
def test_provider_of_legacy_jobs(model_id: str, stored: str, expected: str) -> None:
    assert provider_of_job(CAT, model_id, stored) == expected


@pytest.mark.parametrize(
    ("model_id", "provider", "expected"),
    [
        ("veo-3.1-fast-generate-preview", "vertex", "veo-3.1-fast-generate-001"),
        ("veo-3.1-generate-preview", "vertex-project", "veo-3.1-generate-001"),
        ("veo-3.1-lite-generate-preview", "vertex", "veo-3.1-lite-generate-001"),
        ("veo-3.0-fast-generate-001", "vertex", "veo-3.1-fast-generate-001"),
        ("veo-3.1-fast-generate-preview", "gemini", "gemini-omni-1.1-flash"),  # a Gemini key now means Omni
        ("gemini-omni-flash-preview", "gemini", "gemini-omni-1.1-flash"),
        ("veo-3.1-fast-generate-preview", "gemini-veo", None),
    ],
)
def test_suggest_replacement(model_id: str, provider: str, expected: str | None) -> None:
    found = suggest_replacement(CAT, model_id, provider)
    assert (None if found is None else found.id) == expected


def test_retirements_persist_through_the_user_file() -> None:
    first = user_catalogue_retiring(None, ["gemini-omni-1.2-flash"], NOW_MS)
    again = user_catalogue_retiring(first, ["gemini-omni-1.2-flash", "veo-3.1-lite-generate-001"], NOW_MS + 86_400_000)
    cat = apply_user_catalogue(SHIPPED, again, user_source="cfg/models.json")
    assert cat.warnings == ()
    assert (get("gemini-omni-1.2-flash", cat).status, get("gemini-omni-1.2-flash", cat).retired_on) == (
        "retired",
        TODAY,
    )
    assert get("veo-3.1-lite-generate-001", cat).retired_on == "2026-12-01"
    kept = user_catalogue_retiring(user([{"id": "veo-3.1-fast-generate-001", "typical_duration_s": 45}]), ["x"], NOW_MS)
    assert json.loads(kept)["models"][0] == {"id": "veo-3.1-fast-generate-001", "typical_duration_s": 45}
    fresh = user_catalogue_retiring("{broken", ["x"], NOW_MS)
    assert json.loads(fresh)["models"] == [{"id": "x", "status": "retired", "retired_on": TODAY}]
    unknown = apply_user_catalogue(SHIPPED, fresh, user_source="cfg/models.json")
    assert (unknown.warnings, unknown.models) == ((), CAT.models)  # retiring an unknown id is a no-op

"""Google's verdict on a finished operation without a video, in one readable sentence (`outcomes.done_failure`)."""

from __future__ import annotations

import pytest

from veo_desktop.client.base import OperationStatus
from veo_desktop.core.states import FailureKind
from veo_desktop.engine.outcomes import done_failure


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (
            13,
            "Internal error while generating the video.",
            "Google could not make this video (internal error): Internal error while generating the video "
            "(refunded here; billing unconfirmed: Google may still bill it).",
        ),
        (
            13,
            "",
            "Google could not make this video (internal error) (refunded here; billing unconfirmed: "
            "Google may still bill it).",
        ),
        (3, "The prompt was blocked.", "Google could not make this video (invalid argument): The prompt was blocked."),
    ],
)
def test_an_operation_error_reads_as_one_sentence(code: int, message: str, expected: str) -> None:
    verdict = done_failure(OperationStatus(name="op", done=True, error_code=code, error_message=message))
    assert verdict is not None and verdict.kind is FailureKind.OPERATION_ERROR
    assert verdict.message == expected
    assert ". (" not in verdict.message and ".." not in verdict.message


def test_a_finished_operation_with_videos_has_no_verdict() -> None:
    from pathlib import Path

    from veo_desktop.client.base import VideoRef

    video = VideoRef(staged_path=Path("v.mp4"))
    assert done_failure(OperationStatus(name="op", done=True, videos=(video,))) is None

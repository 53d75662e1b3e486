"""Batch files: text and CSV rows with their own line numbers, every bad line reported, nothing guessed."""

from __future__ import annotations

import pytest

from veo_desktop.core.batch import (
    MAX_ROWS,
    BatchRefused,
    BatchRow,
    LineError,
    apply_row,
    default_batch_name,
    looks_like_csv,
    parse_batch,
)
from veo_desktop.core.request import GenerationRequest


def test_text_is_one_prompt_per_line_skipping_blanks_and_comments() -> None:
    parsed = parse_batch("\ufeffa fox\n\n# a note\n  a heron at dusk  \r\nlast\n", csv_format=False)
    assert parsed.errors == ()
    assert [(r.line, r.prompt) for r in parsed.rows] == [(1, "a fox"), (4, "a heron at dusk"), (5, "last")]


def test_an_empty_file_is_refused() -> None:
    assert parse_batch("\n# only a note\n", csv_format=False).errors == (
        LineError(1, "the file has no prompts; write one prompt per line"),
    )


def test_csv_columns_become_row_values() -> None:
    text = (
        "prompt,negative_prompt,model,ratio,duration,resolution,seed,audio,start_frame,end_frame\n"
        'a fox,"blur, text",veo-3.1-generate-001,9:16,6s,1080p,42,no,a.png,b.jpg\n'
        "a heron,,,,,,,,,\n"
    )
    rows = parse_batch(text, csv_format=True).rows
    assert rows[0] == BatchRow(
        line=2,
        prompt="a fox",
        negative_prompt="blur, text",
        model="veo-3.1-generate-001",
        ratio="9:16",
        duration_s=6,
        resolution="1080p",
        seed=42,
        audio=False,
        start_frame="a.png",
        end_frame="b.jpg",
    )
    assert rows[1] == BatchRow(line=3, prompt="a heron")


def test_csv_line_numbers_follow_quoted_newlines() -> None:
    text = 'prompt,seed\n"two\nlines",1\nnext,x\n'
    parsed = parse_batch(text, csv_format=True)
    assert [(r.line, r.prompt) for r in parsed.rows] == [(2, "two\nlines")]
    assert parsed.errors == (LineError(4, "seed 'x' is not a whole number; write it like 8"),)


@pytest.mark.parametrize(
    "text,error",
    [
        (
            "prompt,colour\na,b\n",
            LineError(
                1,
                "unknown column 'colour'; the columns are "
                + ", ".join(
                    (
                        "prompt",
                        "negative_prompt",
                        "model",
                        "ratio",
                        "duration",
                        "resolution",
                        "seed",
                        "audio",
                        "start_frame",
                        "end_frame",
                    )
                ),
            ),
        ),
        ("seed,duration\n1,8\n", LineError(1, "the header has no 'prompt' column; add one")),
        ("prompt,seed,seed\na,1,2\n", LineError(1, "the column 'seed' appears twice; keep one")),
        ("prompt,seed\na,1,9\n", LineError(2, "the row has 3 cells but the header names 2 columns")),
        ("prompt,audio\na,maybe\n", LineError(2, "audio 'maybe' is not on or off; write yes or no")),
        ("prompt,duration\na,eight\n", LineError(2, "duration 'eight' is not a whole number; write it like 8")),
        ("prompt,seed\n,4\n", LineError(2, "the prompt is empty; describe the video you want")),
        ("prompt,seed\na,-1\n", LineError(2, "seed '-1' is not a whole number; write it like 8")),
    ],
)
def test_csv_errors_name_their_line(text: str, error: LineError) -> None:
    parsed = parse_batch(text, csv_format=True)
    assert error in parsed.errors


def test_every_bad_line_is_reported_and_good_rows_are_kept_for_the_count() -> None:
    parsed = parse_batch("prompt,seed\na,1\nb,x\nc,2\nd,y\n", csv_format=True)
    assert [e.line for e in parsed.errors] == [3, 5]
    assert len(parsed.rows) == 2


def test_too_many_rows() -> None:
    parsed = parse_batch("\n".join(f"p{i}" for i in range(MAX_ROWS + 1)), csv_format=False)
    assert parsed.errors == (LineError(MAX_ROWS + 1, f"a batch holds at most {MAX_ROWS} jobs; split the file"),)


def test_the_refusal_is_one_sentence_with_the_line_numbers() -> None:
    refused = BatchRefused([LineError(7, "seed 'x' is not a whole number."), LineError(3, "bad")])
    assert refused.field == "batch"
    assert [e.line for e in refused.errors] == [3, 7]
    assert str(refused) == (
        "The batch file was not queued (nothing stored or charged); fix line 3: bad; "
        "line 7: seed 'x' is not a whole number, then try again."
    )
    many = BatchRefused([LineError(n, "bad") for n in range(1, 13)])
    assert str(many).endswith("line 10: bad; and 2 more, then try again.")


def test_csv_is_told_by_suffix_or_header() -> None:
    assert looks_like_csv("shots.CSV", "anything")
    assert looks_like_csv("shots.txt", "prompt,seed\na,1\n")
    assert not looks_like_csv("shots.txt", "a fox, running\n")
    assert not looks_like_csv("shots.txt", "prompt\n")


def test_batch_names_come_from_the_file() -> None:
    assert default_batch_name("/tmp/shots for monday.csv") == "shots for monday"
    assert default_batch_name("x" * 300 + ".txt") == "x" * 100


def test_a_row_goes_over_the_command_lines_request() -> None:
    base = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="", seed=7, generate_audio=True, batch="b")
    row = BatchRow(line=2, prompt="a fox", duration_s=4, audio=False)
    assert apply_row(row, base) == base.with_changes(prompt="a fox", duration_s=4, generate_audio=False)
    assert apply_row(BatchRow(line=3, prompt="x", seed=0), base).seed == 0

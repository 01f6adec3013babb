"""The rule that ties a tool call's fragments together, shared by the accumulator and the
normalizer: `continues_unindexed` (Gemini) and `opens_call` (Ollama)."""

from typing import Optional

import pytest

from chatchunk._tool_calls import continues_unindexed, opens_call


@pytest.mark.parametrize(
    ("call_id", "name", "last_id", "expected"),
    [
        ("call_1", None, "call_1", True),  # the same id again
        (None, None, "call_1", True),  # neither id nor name: more arguments
        ("", "", "call_1", True),
        ("call_2", "f", "call_1", False),  # Gemini's next whole call
        (None, "f", "call_1", False),  # a name without id: a call of its own
    ],
)
def test_a_fragment_without_index_continues_only_what_it_does_not_contradict(
    call_id: Optional[str], name: Optional[str], last_id: str, expected: bool
) -> None:
    assert continues_unindexed(call_id, name, last_id) is expected


@pytest.mark.parametrize(
    ("call_id", "name", "known_id", "known_name", "repeated", "expected"),
    [
        (None, None, "call_1", "f", False, False),  # OpenAI's continuation fragment
        (None, None, "call_1", "f", True, False),
        ("call_1", "g", "call_1", "f", True, False),  # the same id always continues
        ("call_2", None, "call_1", "f", False, True),  # a second id
        (None, "g", "call_1", "f", False, True),  # another name
        (None, "f", "call_1", "f", False, False),  # the name repeated in a later delta
        (None, "f", "call_1", "f", True, True),  # ... or again in one delta (Ollama)
        ("call_2", None, "", "f", False, False),  # an id for a call that had none yet
    ],
)
def test_a_fragment_at_a_used_index_opens_a_call_when_it_names_another(
    call_id: Optional[str],
    name: Optional[str],
    known_id: str,
    known_name: str,
    repeated: bool,
    expected: bool,
) -> None:
    assert opens_call(call_id, name, known_id, known_name, repeated) is expected

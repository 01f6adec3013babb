"""Which tool call a streamed fragment belongs to: the one rule the accumulator and the
normalizer share.

Providers disagree on how a call's fragments are tied together. OpenAI gives each call an
`index` and sends its `id` and name once. Gemini sends each call whole and without
`index`. Ollama sends several whole calls under one index. Both predicates read only
what the fragment and the call it might continue say, so that both callers keep their
own state and their own hot paths.
"""

from typing import Any

__all__ = ["continues_unindexed", "opens_call"]


def continues_unindexed(call_id: Any, name: Any, last_id: Any) -> bool:
    """Whether a fragment without `index` continues the last call that came without one:
    it repeats that call's id, or has neither id nor name (Gemini sends each call whole)."""
    return bool((call_id and call_id == last_id) or (not call_id and not name))


def opens_call(call_id: Any, name: Any, known_id: Any, known_name: Any, repeated: bool) -> bool:
    """Whether a fragment at an index already in use opens a call of its own.

    The same id always continues its call. Otherwise a second id, another name, or a
    name again for an index this delta already used (Ollama) opens another; `repeated`
    says the index was used earlier in the same delta.
    """
    if call_id and call_id == known_id:
        return False
    return (
        bool(call_id and known_id)
        or bool(name and known_name and name != known_name)
        or (repeated and bool(name))
    )

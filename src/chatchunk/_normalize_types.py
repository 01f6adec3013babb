"""The types the per-chunk rules (`_normalize`) and the stream (`_normalize_stream`) share.

`NormalizeOptions` chooses the rules; each change a rule makes is a `Change`, and
`normalize_chunk` returns a `Normalized`; `ToolCalls` is the tool-call state of one
choice, which a stream keeps from chunk to chunk. Each `Change` has a stable ``kind``:

============================  ===============================================================
``reasoning_renamed``         ``reasoning_content`` or ``reasoning`` renamed to the chosen name
``reasoning_duplicate``       both names held the same text; the other one is dropped
``finish_reason_mapped``      ``eos``, ``eos_token`` -> ``stop``; ``model_length``,
                              ``max_tokens`` -> ``length``; ``""`` -> ``null`` (the table is
                              `CANONICAL_FINISH_REASONS`, which ``finish_reasons`` extends)
``finish_reason_unknown``     a value no table maps: kept as sent (``old == new``), reported
``object_set``                ``object`` set to ``"chat.completion.chunk"``
``usage_from_x_groq``         Groq's ``x_groq.usage`` copied to ``usage``
``usage_removed``             with ``usage="last"``: a usage on a chunk with choices set to
                              ``null``, as OpenAI writes it on every chunk but the last
``usage_chunk_added``         with ``usage="last"``: the last usage written in a chunk of its
                              own, ``"choices": []``, at the end of the stream
``tool_index_filled``         a tool call without ``index`` (Gemini) given one, in stream order
``tool_call_split``           a new call under an index already used (Ollama) moved to its own
``tool_type_set``             a call's first fragment without ``type`` given ``"function"``
``header_dropped``            Azure's prompt-filter chunk dropped (``old`` is the chunk)
``header_merged``             its extras (``prompt_filter_results``) moved to the next chunk
``null_added``                ``logprobs`` or ``finish_reason`` written ``null`` as OpenAI does
``null_removed``              a ``null`` ``logprobs`` or ``finish_reason`` left out
``delta_added``               an empty ``delta`` given to a choice without one (Azure)
============================  ===============================================================

Lossless by default: a value that is replaced or renamed is kept beside the new one,
in an extra named for it, so that the normalized chunk still says all the provider
said. ``native_finish_reason`` on the choice (as OpenRouter sends it), ``native_object``
on the chunk, ``native_index`` on a tool call moved to another index, and
``native_reasoning_field`` on the delta (the field names the text came under, comma
separated); Groq's ``x_groq.usage`` stays where it was. A field that was absent or
``null`` and is filled in needs no extra. ``lossless=False`` writes none of these.
"""

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Set, Tuple

from typing_extensions import Literal

from ._chunk import ChatCompletionChunk
from ._tool_calls import continues_unindexed, opens_call
from ._unset import UNSET

__all__ = [
    "DEFAULT_OPTIONS",
    "Change",
    "NormalizeOptions",
    "Normalized",
    "ToolCalls",
]

ReasoningName = Literal["reasoning", "reasoning_content", "keep"]
UsageRule = Literal["keep", "last"]
HeaderRule = Literal["keep", "drop", "merge"]
NullProfile = Literal["keep", "openai", "omit"]


class Change(NamedTuple):
    """One change the normalizer made, or one value it kept but reports.

    ``old`` and ``new`` are plain JSON values (a usage is a dict); `UNSET` means the
    key was, or is now, absent.
    """

    kind: str
    """What, as a stable name (see the table in this module's documentation)."""
    path: str
    """Where, as field names and list indices joined with dots (``choices.0.finish_reason``);
    for a renamed field, the name it had."""
    old: Any
    """The value as the provider sent it (for a rename, the old field name)."""
    new: Any
    """The value now (for a rename, the new field name)."""
    chunk: int = 0
    """Which chunk of the stream, counting from 1; 0 from `normalize_chunk`."""


class Normalized(NamedTuple):
    """What `normalize_chunk` returns: the chunk in the OpenAI shape, and what changed."""

    chunk: ChatCompletionChunk
    """The normalized chunk; the very chunk given when nothing changed."""
    changes: Tuple[Change, ...]
    """Every change made, in order; empty when none."""


_NO_REASONS: Mapping[str, Optional[str]] = MappingProxyType({})


def _check(name: str, value: object, allowed: Tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


@dataclass(frozen=True)
class NormalizeOptions:
    """How to normalize: which rules, and which of their choices.

    The defaults change only what has one OpenAI form and keep the rest as sent.
    """

    reasoning: ReasoningName = "reasoning"
    """The one field name for reasoning text; ``"keep"`` leaves both names as sent."""
    finish_reasons: Mapping[str, Optional[str]] = field(default_factory=lambda: _NO_REASONS)
    """More finish reasons to map (say ``{"STOP": "stop"}``), over
    `CANONICAL_FINISH_REASONS`."""
    usage: UsageRule = "keep"
    """``"last"``: keep only the stream's last usage, in a chunk of its own at the end
    (for servers that send a running usage on every chunk, or usage beside choices);
    the chunks with choices get ``"usage": null``, as OpenAI writes it. Needs the
    stream."""
    header: HeaderRule = "keep"
    """Azure's prompt-filter chunk (empty ``id`` and ``model``, ``created`` 0, no choices):
    kept as a chunk, dropped, or merged into the next chunk. ``drop`` and ``merge``
    need the stream."""
    nulls: NullProfile = "keep"
    """``"openai"``: write ``"logprobs": null`` and ``"finish_reason": null`` where a
    choice leaves them out, and ``"delta": {}`` where it has none, as OpenAI does;
    ``"omit"``: leave out a ``null`` ``logprobs`` and ``finish_reason``, and the nulls the
    specification forbids (``system_fingerprint``, a delta's ``role``, ``tool_calls``,
    ``function_call``); ``"keep"``: as sent."""
    lossless: bool = True
    """Keep each replaced value in its ``native_*`` extra (and ``x_groq.usage`` where it
    was); False writes the OpenAI shape alone."""

    def __post_init__(self) -> None:
        _check("reasoning", self.reasoning, ("reasoning", "reasoning_content", "keep"))
        _check("usage", self.usage, ("keep", "last"))
        _check("header", self.header, ("keep", "drop", "merge"))
        _check("nulls", self.nulls, ("keep", "openai", "omit"))
        if not isinstance(self.lossless, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"lossless must be True or False, got {self.lossless!r}")
        for key, value in self.finish_reasons.items():
            if not isinstance(key, str) or not (value is None or isinstance(value, str)):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise ValueError(
                    f"finish_reasons must map strings to strings or None, got {key!r}: {value!r}"
                )
        # A read-only copy: the rules built from it are kept on this object.
        object.__setattr__(self, "finish_reasons", MappingProxyType(dict(self.finish_reasons)))

    @property
    def needs_stream(self) -> bool:
        """Whether a rule chosen here holds chunks back, so that only a stream can apply it."""
        return self.usage == "last" or self.header != "keep"

    def __hash__(self) -> int:
        return hash(
            (
                self.reasoning,
                tuple(sorted(self.finish_reasons.items())),
                self.usage,
                self.header,
                self.nulls,
                self.lossless,
            )
        )

    def __getstate__(self) -> Dict[str, Any]:
        # The rules kept on the object are rebuilt on first use; a mapping proxy has no
        # pickle, its dict does.
        state = {k: v for k, v in self.__dict__.items() if k != "_rules"}
        state["finish_reasons"] = dict(self.finish_reasons)
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "finish_reasons", MappingProxyType(state["finish_reasons"]))


DEFAULT_OPTIONS = NormalizeOptions()

# --- tool calls ----------------------------------------------------------------------------


class ToolCalls:
    """The tool calls of one choice so far: which index each provider index now has."""

    __slots__ = ("by_index", "last_unindexed", "next", "taken")

    def __init__(self) -> None:
        self.by_index: Dict[int, List[Any]] = {}
        """The provider's index -> [our index, id, name] of the call it last opened."""
        self.taken: Set[int] = set()
        self.next = 0
        self.last_unindexed: Optional[List[Any]] = None
        """[our index, id] of the last call that came without an index."""

    def place(self, index: Any, call_id: Any, name: Any, used_here: Set[int]) -> Tuple[int, bool]:
        """The index a fragment belongs at, and whether it opens a call."""
        if index is None or index is UNSET:
            last = self.last_unindexed
            # Gemini sends each call whole; a fragment that repeats the last call's id,
            # or has neither id nor name, continues that call.
            if last is not None and continues_unindexed(call_id, name, last[1]):
                return last[0], False
            ours = self._new()
            self.last_unindexed = [ours, call_id]
            return ours, True
        entry = self.by_index.get(index)
        # The accumulator's rule, so that a normalized stream assembles the same calls.
        opens = entry is None or opens_call(call_id, name, entry[1], entry[2], index in used_here)
        used_here.add(index)
        if not opens:
            assert entry is not None
            if call_id and not entry[1]:
                entry[1] = call_id
            if name and not entry[2]:
                entry[2] = name
            return entry[0], False
        ours = index if index not in self.taken else self._new()
        self.taken.add(ours)
        self.next = max(self.next, ours + 1)
        self.by_index[index] = [ours, call_id, name]
        return ours, True

    def _new(self) -> int:
        ours = self.next
        self.taken.add(ours)
        self.next = ours + 1
        return ours

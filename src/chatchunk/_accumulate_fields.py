"""How the accumulator merges provider fields of a delta, and usage, over a stream.

Provider fields of a delta (``delta.model_extra``) go onto the assembled message:

- ``reasoning_details`` (OpenRouter): a list of objects merged by ``index``: their
  ``text``, ``summary`` and ``data`` strings joined, any other field (``signature``,
  ``format``, ``id``) the last non-null value. An object of another ``type`` at a used
  index starts an entry of its own; one without ``index`` is an entry of its own.
- ``audio``: ``data`` and ``transcript`` joined, ``id``, ``expires_at`` and any other
  field the last non-null value.
- ``annotations``: the lists appended, in order.
- ``moderation``: the last non-null value.
- Any other field: strings joined, any other value the last non-null one, and one
  ``unknown_delta_field`` anomaly per field name, since the rule is a guess.

A ``null`` never wipes an earlier value; a field only ever ``null`` stays ``null``.

Usage is merged field by field, the last non-null value of each count (`merge_usage`).
"""

from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Set, Union

from pydantic import BaseModel
from pydantic_core import to_json

from ._unset import UNSET
from ._usage import CompletionUsage

__all__ = ["Log", "StreamAnomaly", "Text", "extra_values", "merge_delta_extras", "merge_usage"]

# Fragments are joined into one block every this many: a list of a million
# one-token strings costs about ten times the text it holds.
_BLOCK = 256


class StreamAnomaly(NamedTuple):
    """Something odd the accumulator saw in a stream, reported instead of raised."""

    kind: str
    """A stable name: ``id_changed``, ``model_changed``, ``created_changed``,
    ``tool_fragment_before_id``, ``tool_name_changed``, ``tool_index_reused``,
    ``unknown_delta_field`` (a delta field merged by the default rule),
    ``not_a_chunk`` (an in-band error) or ``invalid_payload`` (an `InvalidPayload`)."""
    message: str
    """What was seen, for a person."""
    position: int
    """Which item of the stream it was seen at, counting from 1."""


class Log:
    """Where the merge code reports anomalies, with the position of the current item."""

    __slots__ = ("anomalies", "position", "reported")

    def __init__(self) -> None:
        self.anomalies: List[StreamAnomaly] = []
        self.position = 0
        # Field names already reported as unknown: once per name, not per chunk.
        self.reported: Set[str] = set()

    def note(self, kind: str, message: str) -> None:
        """Record one anomaly at the current position."""
        self.anomalies.append(StreamAnomaly(kind, message, self.position))


class Text:
    """An append-only string that costs about its own size in memory."""

    __slots__ = ("blocks", "parts")

    def __init__(self) -> None:
        self.blocks: List[str] = []
        self.parts: List[str] = []

    def append(self, text: str) -> None:
        """Add a fragment at the end."""
        parts = self.parts
        parts.append(text)
        if len(parts) >= _BLOCK:
            self.blocks.append("".join(parts))
            parts.clear()

    def value(self) -> str:
        """The text so far."""
        # Joined once and kept as the only block: the text is never held
        # three times over, and the next call starts from this one's work.
        blocks = self.blocks
        if self.parts:
            blocks.append("".join(self.parts))
            self.parts.clear()
        if len(blocks) > 1:
            blocks[:] = ["".join(blocks)]
        return blocks[0] if blocks else ""


class _Fields:
    """A JSON object merged over fragments: some string fields joined, the rest last non-null."""

    __slots__ = ("joined", "values")

    def __init__(self, joined: FrozenSet[str]) -> None:
        self.joined = joined
        self.values: Dict[str, Any] = {}

    def merge(self, fragment: Dict[str, Any]) -> None:
        values = self.values
        for key, value in fragment.items():
            if value is None:
                values.setdefault(key, None)
                continue
            if key in self.joined and isinstance(value, str):
                old = values.get(key)
                if not isinstance(old, Text):
                    old = values[key] = Text()
                old.append(value)
            else:
                values[key] = value

    def value(self) -> Dict[str, Any]:
        return {k: v.value() if isinstance(v, Text) else v for k, v in self.values.items()}


_DETAIL_TEXT = frozenset({"text", "summary", "data"})
_AUDIO_TEXT = frozenset({"data", "transcript"})


class _Details:
    """OpenRouter's ``reasoning_details``: entries merged by ``index``."""

    __slots__ = ("by_index", "entries")

    def __init__(self) -> None:
        self.entries: List[Union[_Fields, Any]] = []
        self.by_index: Dict[int, _Fields] = {}

    def merge(self, items: List[Any]) -> None:
        for item in items:
            if not isinstance(item, dict):
                self.entries.append(item)  # not an object: kept as it came
                continue
            fields: Dict[str, Any] = item  # pyright: ignore[reportUnknownVariableType]
            index = fields.get("index")
            if not isinstance(index, int) or isinstance(index, bool):
                entry = _Fields(_DETAIL_TEXT)
                self.entries.append(entry)
            else:
                found = self.by_index.get(index)
                kind = fields.get("type")
                if found is None or (
                    kind is not None and found.values.get("type") not in (None, kind)
                ):
                    found = self.by_index[index] = _Fields(_DETAIL_TEXT)
                    self.entries.append(found)
                entry = found
            entry.merge(fields)

    def value(self) -> List[Any]:
        return [e.value() if isinstance(e, _Fields) else e for e in self.entries]


class _Appended:
    """A list field whose lists are appended (``annotations``)."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: List[Any] = []

    def value(self) -> List[Any]:
        return list(self.items)


_LAST_NON_NULL = frozenset({"moderation"})


def merge_delta_extras(merged: Dict[str, Any], extras: Dict[str, Any], log: Log) -> None:
    """Merge a delta's provider fields into `merged`, by the rules of this module."""
    for key, value in extras.items():
        if value is None:
            merged.setdefault(key, None)
            continue
        old = merged.get(key)
        if key == "reasoning_details" and isinstance(value, list):
            if not isinstance(old, _Details):
                old = merged[key] = _Details()
            old.merge(value)  # pyright: ignore[reportUnknownArgumentType]
        elif key == "audio" and isinstance(value, dict):
            if not isinstance(old, _Fields):
                old = merged[key] = _Fields(_AUDIO_TEXT)
            old.merge(value)  # pyright: ignore[reportUnknownArgumentType]
        elif key == "annotations" and isinstance(value, list):
            if not isinstance(old, _Appended):
                old = merged[key] = _Appended()
            old.items.extend(value)  # pyright: ignore[reportUnknownArgumentType]
        elif key in _LAST_NON_NULL or key in _KNOWN_SHAPES:
            merged[key] = value
        else:
            if key not in log.reported:
                log.reported.add(key)
                log.note(
                    "unknown_delta_field",
                    f"delta field {key!r} has no merge rule of its own: "
                    "strings are joined, other values keep the last non-null",
                )
            if isinstance(value, str):
                if not isinstance(old, Text):
                    old = merged[key] = Text()
                old.append(value)
            else:
                merged[key] = value


# Known names sent in a shape their rule does not expect (say, `audio` as a string):
# the last non-null value, without an anomaly.
_KNOWN_SHAPES = frozenset({"reasoning_details", "audio", "annotations"})


def extra_values(extras: Dict[str, Any]) -> Dict[str, Any]:
    """The merged provider fields as plain JSON values."""
    return {
        key: value.value() if isinstance(value, (Text, _Fields, _Details, _Appended)) else value
        for key, value in extras.items()
    }


# -- usage --------------------------------------------------------------------------------------


def merge_usage(old: Optional[CompletionUsage], new: CompletionUsage) -> CompletionUsage:
    """The usage after `new` arrives: field by field, the last non-null value.

    A usage that has every count the earlier one had (the common case) is taken as it
    is; a partial one (a proxy that sends only some counts later) fills in around the
    earlier counts instead of wiping them.
    """
    if old is None or _model_covers(new, old):
        return new
    merged = _merge_dicts(old.model_dump(exclude_unset=True), new.model_dump(exclude_unset=True))
    return CompletionUsage.__pydantic_validator__.validate_json(to_json(merged))  # type: ignore[no-any-return]


def _model_covers(new: BaseModel, old: BaseModel) -> bool:
    """Whether `new` has a non-null value wherever `old` has one."""
    for name in type(old).model_fields:
        value = getattr(old, name)
        if value is None or value is UNSET:
            continue
        other = getattr(new, name)
        if other is None or other is UNSET:
            return False
        if isinstance(value, BaseModel) and (
            not isinstance(other, BaseModel) or not _model_covers(other, value)
        ):
            return False
    old_extra = old.__pydantic_extra__
    if old_extra:
        return _dict_covers(new.__pydantic_extra__ or {}, old_extra)
    return True


def _dict_covers(new: Dict[str, Any], old: Dict[str, Any]) -> bool:
    for key, value in old.items():
        if value is None:
            continue
        other = new.get(key)
        if other is None:
            return False
        if isinstance(value, dict) and (
            not isinstance(other, dict) or not _dict_covers(other, value)  # pyright: ignore[reportUnknownArgumentType]
        ):
            return False
    return True


def _merge_dicts(old: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    merged = dict(old)
    for key, value in new.items():
        before = merged.get(key)
        if value is None:
            merged.setdefault(key, None)
        elif isinstance(value, dict) and isinstance(before, dict):
            merged[key] = _merge_dicts(before, value)  # pyright: ignore[reportUnknownArgumentType]
        else:
            merged[key] = value
    return merged

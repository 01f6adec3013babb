"""The per-chunk rules that normalize a chunk to the OpenAI shape, and `normalize_chunk`.

The rules that need the stream (`Normalizer`) are in ``_normalize_stream``; the
options, the `Change` records (with the table of their kinds) and the tool-call state
both share, in ``_normalize_types``.

The no-change path reads the few fields the rules look at and returns the chunk
itself; a change copies only the objects on its path. The caller's chunk is never
changed.
"""

from typing import Any, Callable, Dict, List, Optional, Set, cast

from pydantic import ValidationError

from ._base import Model
from ._chunk import (
    CANONICAL_FINISH_REASONS,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkDelta,
    ChatCompletionChunkDeltaToolCall,
    FinishReason,
    _AbsentDelta,  # pyright: ignore[reportPrivateUsage]
    known_values,
)
from ._normalize_types import (
    DEFAULT_OPTIONS,
    Change,
    Normalized,
    NormalizeOptions,
    ToolCalls,
)
from ._unset import UNSET
from ._usage import CompletionUsage

__all__ = [
    "CANONICAL_FINISH_REASONS",
    "Change",
    "NormalizeOptions",
    "Normalized",
    "normalize_chunk",
]

OBJECT = "chat.completion.chunk"
# Where the OpenAI specification allows no null, but servers send one.
_NOT_NULL_IN_DELTA = ("role", "tool_calls", "function_call")
_KNOWN_REASONS = known_values(FinishReason)


# --- copying -------------------------------------------------------------------------------


def copy_model(model: Any) -> Any:
    """A shallow copy with its own field dict, extras and fields set, so that the
    caller's object is never written to.

    What pydantic's `__copy__` makes, without its generic steps: half the cost of a
    change, when a change copies a chunk, a choice and a delta.
    """
    new = _new_object(model.__class__)
    _set_slot(new, "__dict__", model.__dict__.copy())
    extra = model.__pydantic_extra__
    _set_slot(new, "__pydantic_extra__", None if extra is None else extra.copy())
    _set_slot(new, "__pydantic_fields_set__", model.__pydantic_fields_set__.copy())
    private = model.__pydantic_private__
    _set_slot(new, "__pydantic_private__", None if private is None else private.copy())
    return new


_new_object = object.__new__
_set_slot = object.__setattr__


def _set(model: Model, name: str, value: Any) -> None:
    if type(model) is _AbsentDelta:
        # Filled in, an absent delta is written like any other.
        object.__setattr__(model, "__class__", ChatCompletionChunkDelta)
    object.__setattr__(model, name, value)
    model.__pydantic_fields_set__.add(name)


def unset_field(model: Model, name: str) -> None:
    object.__setattr__(model, name, UNSET)
    model.__pydantic_fields_set__.discard(name)


def set_extra(model: Model, name: str, value: Any) -> None:
    model.__pydantic_extra__[name] = value


def plain(model: Any) -> Any:
    """A model as plain JSON values, for a `Change`."""
    return model.__pydantic_serializer__.to_python(model, mode="json")


# --- the rules -----------------------------------------------------------------------------


class _Rules:
    """The per-chunk rules, with the state the stream needs (tool calls per choice)."""

    def __init__(self, options: NormalizeOptions) -> None:
        self.options = options
        self.lossless = options.lossless
        reasons: Dict[str, Optional[str]] = dict(CANONICAL_FINISH_REASONS)
        reasons.update(options.finish_reasons)
        # An extension may map a value OpenAI knows (say "stop" to itself): drop it.
        self.reasons = {k: v for k, v in reasons.items() if k != v}
        self.fine: Set[Any] = {UNSET, None}
        self.fine.update(r for r in _KNOWN_REASONS if r not in self.reasons)
        self.rename_from = {
            "reasoning": "reasoning_content",
            "reasoning_content": "reasoning",
        }.get(options.reasoning)
        self.nulls = options.nulls
        self.drop_reasoning_content = self.rename_from == "reasoning_content"
        self.drop_reasoning = self.rename_from == "reasoning"
        self.unchanged = _unchanged_check(self, stateless=True)
        """Whether no rule applies to a chunk on its own: the few reads of the common case."""
        self.unchanged_in_stream = _unchanged_check(self, stateless=False)
        """The same inside a stream, where every tool call goes to the stream's state."""

    def apply(
        self,
        chunk: ChatCompletionChunk,
        number: int,
        out: List[Change],
        calls: Dict[int, "ToolCalls"],
    ) -> ChatCompletionChunk:
        """The chunk normalized, or the same chunk when no rule applies; changes in ``out``.

        ``calls`` is the tool-call state of the stream, per choice index.
        """
        new: Optional[ChatCompletionChunk] = None
        if chunk.object != OBJECT:
            new = copy_model(chunk)
            assert new is not None
            out.append(Change("object_set", "object", chunk.object, OBJECT, number))
            if self.lossless:
                set_extra(new, "native_object", chunk.object)
            object.__setattr__(new, "object", OBJECT)
        extra = chunk.__pydantic_extra__
        if extra and "x_groq" in extra and chunk.usage is UNSET:
            new = self._groq_usage(chunk, new, extra, number, out)
        if chunk.system_fingerprint is None and self.nulls == "omit":
            if new is None:
                new = copy_model(chunk)
                assert new is not None
            unset_field(new, "system_fingerprint")
            out.append(Change("null_removed", "system_fingerprint", None, UNSET, number))
        original = chunk.choices
        fine = self.fine
        drop_rc = self.drop_reasoning_content
        drop_r = self.drop_reasoning
        nulls_kept = self.nulls == "keep"
        # The common case first, a few attribute reads per choice; any choice a rule
        # applies to sends the chunk's choices down the full path.
        for choice in original:
            if choice.finish_reason in fine:
                delta = choice.delta
                if (
                    not delta.tool_calls
                    and not (drop_rc and delta.reasoning_content is not UNSET)
                    and not (drop_r and delta.reasoning is not UNSET)
                    and (nulls_kept or self._nulls_fine(choice))
                ):
                    continue
            break
        else:
            return chunk if new is None else new
        choices: Optional[List[ChatCompletionChunkChoice]] = None
        for i, choice in enumerate(original):
            changed = self._choice(choice, f"choices.{i}", number, out, calls)
            if changed is not choice:
                if choices is None:
                    choices = list(original)
                choices[i] = changed
        if choices is not None:
            if new is None:
                new = copy_model(chunk)
                assert new is not None
            object.__setattr__(new, "choices", choices)
        return chunk if new is None else new

    def _nulls_fine(self, choice: ChatCompletionChunkChoice) -> bool:
        """Whether the null profile leaves ``choice`` as it is."""
        delta = choice.delta
        if self.nulls == "openai":
            present = choice.__pydantic_fields_set__
            return (
                type(delta) is not _AbsentDelta
                and "logprobs" in present
                and "finish_reason" in present
            )
        if delta.role is None or delta.tool_calls is None or delta.function_call is None:
            return False
        return choice.logprobs is not None and choice.finish_reason is not None

    def _groq_usage(
        self,
        chunk: ChatCompletionChunk,
        new: Optional[ChatCompletionChunk],
        extra: Dict[str, Any],
        number: int,
        out: List[Change],
    ) -> Optional[ChatCompletionChunk]:
        value = extra["x_groq"]
        if not isinstance(value, dict):
            return new
        groq = cast(Dict[str, Any], value)
        sent = groq.get("usage")
        if not isinstance(sent, dict):
            return new
        try:
            usage = CompletionUsage.model_validate(sent)
        except ValidationError:
            # Not a usage the models can read: it stays where Groq put it, untouched.
            return new
        if new is None:
            new = copy_model(chunk)
            assert new is not None
        out.append(Change("usage_from_x_groq", "usage", chunk.usage, sent, number))
        _set(new, "usage", usage)
        if not self.lossless:
            rest = {k: v for k, v in groq.items() if k != "usage"}
            out.append(Change("usage_from_x_groq", "x_groq.usage", sent, UNSET, number))
            new_extra = new.__pydantic_extra__
            if rest:
                new_extra["x_groq"] = rest
            else:
                del new_extra["x_groq"]
        return new

    def _choice(
        self,
        choice: ChatCompletionChunkChoice,
        path: str,
        number: int,
        out: List[Change],
        calls: Dict[int, "ToolCalls"],
    ) -> ChatCompletionChunkChoice:
        new: Optional[ChatCompletionChunkChoice] = None
        reason = choice.finish_reason
        if reason not in self.fine:
            assert isinstance(reason, str)
            where = path + ".finish_reason"
            if reason in self.reasons:
                mapped = self.reasons[reason]
                out.append(Change("finish_reason_mapped", where, reason, mapped, number))
                new = copy_model(choice)
                assert new is not None
                object.__setattr__(new, "finish_reason", mapped)
                extra = choice.__pydantic_extra__
                # OpenRouter's own native_finish_reason already says what the model said.
                if self.lossless and not (extra and "native_finish_reason" in extra):
                    set_extra(new, "native_finish_reason", reason)
            else:
                out.append(Change("finish_reason_unknown", where, reason, reason, number))
        delta = self._delta(choice, choice.delta, path + ".delta", number, out, calls)
        if delta is not choice.delta:
            if new is None:
                new = copy_model(choice)
                assert new is not None
            object.__setattr__(new, "delta", delta)
        nulls = self.nulls
        if nulls != "keep":
            target = new if new is not None else choice
            if nulls == "openai":
                for name in ("logprobs", "finish_reason"):
                    if name not in target.__pydantic_fields_set__:
                        if new is None:
                            new = target = copy_model(choice)
                            assert new is not None
                        _set(target, name, None)
                        out.append(Change("null_added", f"{path}.{name}", UNSET, None, number))
                if type(target.delta) is _AbsentDelta:
                    if new is None:
                        new = target = copy_model(choice)
                        assert new is not None
                    _set(target, "delta", ChatCompletionChunkDelta())
                    out.append(Change("delta_added", path + ".delta", UNSET, {}, number))
            else:
                for name in ("logprobs", "finish_reason"):
                    if name in target.__pydantic_fields_set__ and getattr(target, name) is None:
                        if new is None:
                            new = target = copy_model(choice)
                            assert new is not None
                        unset_field(target, name)
                        out.append(Change("null_removed", f"{path}.{name}", None, UNSET, number))
        return choice if new is None else new

    def _delta(
        self,
        choice: ChatCompletionChunkChoice,
        delta: ChatCompletionChunkDelta,
        path: str,
        number: int,
        out: List[Change],
        states: Dict[int, "ToolCalls"],
    ) -> ChatCompletionChunkDelta:
        new: Optional[ChatCompletionChunkDelta] = None
        other = self.rename_from
        if other is not None:
            text = getattr(delta, other)
            if text is not UNSET:
                target = self.options.reasoning
                present = getattr(delta, target)
                new = copy_model(delta)
                assert new is not None
                if present is UNSET:
                    out.append(
                        Change("reasoning_renamed", f"{path}.{other}", other, target, number)
                    )
                    unset_field(new, other)
                    _set(new, target, text)
                    if self.lossless:
                        set_extra(new, "native_reasoning_field", other)
                elif present == text:
                    out.append(
                        Change("reasoning_duplicate", f"{path}.{other}", text, UNSET, number)
                    )
                    unset_field(new, other)
                    if self.lossless:
                        # In the models' field order, as the dump writes them.
                        set_extra(new, "native_reasoning_field", "reasoning_content,reasoning")
                else:
                    new = None  # two different texts: neither is dropped, both stay as sent
        calls = delta.tool_calls
        if calls:
            state = states.get(choice.index)
            if state is None:
                state = states[choice.index] = ToolCalls()
            fixed = self._tool_calls(state, calls, path + ".tool_calls", number, out)
            if fixed is not calls:
                if new is None:
                    new = copy_model(delta)
                    assert new is not None
                object.__setattr__(new, "tool_calls", fixed)
        if self.nulls == "omit":
            for name in _NOT_NULL_IN_DELTA:
                if getattr(delta, name) is None:
                    if new is None:
                        new = copy_model(delta)
                        assert new is not None
                    unset_field(new, name)
                    out.append(Change("null_removed", f"{path}.{name}", None, UNSET, number))
        return delta if new is None else new

    def _tool_calls(
        self,
        state: "ToolCalls",
        calls: List[ChatCompletionChunkDeltaToolCall],
        path: str,
        number: int,
        out: List[Change],
    ) -> List[ChatCompletionChunkDeltaToolCall]:
        fixed: Optional[List[ChatCompletionChunkDeltaToolCall]] = None
        used_here: Set[int] = set()
        for j, call in enumerate(calls):
            index = call.index
            function = call.function
            name = function.name if function else None
            ours, opens = state.place(index, call.id, name, used_here)
            new: Optional[ChatCompletionChunkDeltaToolCall] = None
            needs_type = bool(opens and call.id and (call.type is UNSET or call.type is None))
            if ours == index and not needs_type:
                continue  # the common case: nothing to change, no path to write
            where = f"{path}.{j}"
            if ours != index:
                new = copy_model(call)
                assert new is not None
                if index is UNSET or index is None:
                    out.append(Change("tool_index_filled", where + ".index", index, ours, number))
                else:
                    out.append(Change("tool_call_split", where + ".index", index, ours, number))
                    if self.lossless:
                        set_extra(new, "native_index", index)
                _set(new, "index", ours)
            if needs_type:
                if new is None:
                    new = copy_model(call)
                    assert new is not None
                out.append(Change("tool_type_set", where + ".type", call.type, "function", number))
                _set(new, "type", "function")
            if new is not None:
                if fixed is None:
                    fixed = list(calls)
                fixed[j] = new
        return calls if fixed is None else fixed


def _calls_fine(calls: List[ChatCompletionChunkDeltaToolCall]) -> bool:
    """Whether the tool calls of one chunk, read on their own, need no rule: each has an
    index of its own, and each first fragment (with an id) its type."""
    seen: Set[int] = set()
    for call in calls:
        index = call.index
        if not isinstance(index, int) or index in seen:
            return False
        seen.add(index)
        if call.id and (call.type is UNSET or call.type is None):
            return False
    return True


def _unchanged_check(rules: _Rules, stateless: bool) -> Callable[[ChatCompletionChunk], bool]:
    """A check, specialised to ``rules``' options, that no rule applies to a chunk.

    It may say False for a chunk that `_Rules.apply` then leaves as it is (a Groq chunk
    that has its usage already); never True for one a rule changes. In a stream
    (``stateless=False``) a chunk with tool calls always goes to `_Rules.apply`, which
    keeps the stream's count of them.
    """
    finish_reasons = frozenset(r for r in _KNOWN_REASONS if r not in rules.reasons)
    drop_rc = rules.drop_reasoning_content
    drop_r = rules.drop_reasoning
    nulls_kept = rules.nulls == "keep"
    omit = rules.nulls == "omit"
    nulls_fine = rules._nulls_fine  # pyright: ignore[reportPrivateUsage]

    def unchanged(chunk: ChatCompletionChunk) -> bool:
        if chunk.object != OBJECT:
            return False
        extra = chunk.__pydantic_extra__
        if extra and "x_groq" in extra:
            return False
        if omit and chunk.system_fingerprint is None:
            return False
        for choice in chunk.choices:
            reason = choice.finish_reason
            # `is` first: hashing UNSET, an enum member, is a Python call.
            if reason is not None and reason is not UNSET and reason not in finish_reasons:
                return False
            delta = choice.delta
            calls = delta.tool_calls
            if calls and not (stateless and _calls_fine(calls)):
                return False
            if drop_rc and delta.reasoning_content is not UNSET:
                return False
            if drop_r and delta.reasoning is not UNSET:
                return False
            if not nulls_kept and not nulls_fine(choice):
                return False
        return True

    return unchanged


def normalize_chunk(
    chunk: ChatCompletionChunk, options: NormalizeOptions = DEFAULT_OPTIONS
) -> Normalized:
    """Return ``chunk`` in the OpenAI shape, with the list of changes made.

    Applies the rules one chunk can take on its own; tool calls without ``index`` are
    numbered within this chunk, as if it were the stream's first. For a stream use a
    `Normalizer` (or `normalize_stream`), which numbers them across chunks. The given
    chunk is never changed: when nothing changes it comes back itself, otherwise a
    copy does. Raises `ValueError` for options that need the stream (``usage="last"``,
    ``header`` other than ``"keep"``) and `TypeError` for anything but a chunk.
    """
    if type(chunk) is not ChatCompletionChunk and not isinstance(chunk, ChatCompletionChunk):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"chunk must be a ChatCompletionChunk, got {type(chunk).__name__}")
    if options is DEFAULT_OPTIONS:
        rules = _DEFAULT_RULES
    else:
        if not isinstance(options, NormalizeOptions):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"options must be NormalizeOptions, got {type(options).__name__}")
        if options.needs_stream:
            raise ValueError(
                "usage='last' and header='drop'/'merge' need the whole stream:"
                " use Normalizer or normalize_stream"
            )
        rules = rules_for(options)
    # `tuple.__new__` directly: the named tuple's own `__new__` is a Python call.
    if rules.unchanged(chunk):
        return _new_tuple(Normalized, (chunk, ()))
    out: List[Change] = []
    result = rules.apply(chunk, 0, out, {})
    return _new_tuple(Normalized, (result, tuple(out)))


_new_tuple = tuple.__new__  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def rules_for(options: NormalizeOptions) -> _Rules:
    """The rules of ``options``, built once and kept on the (frozen) options object."""
    rules: Optional[_Rules] = options.__dict__.get("_rules")
    if rules is None:
        rules = _Rules(options)
        object.__setattr__(options, "_rules", rules)
    return rules


_DEFAULT_RULES = rules_for(DEFAULT_OPTIONS)

"""The models of one streamed chunk: ``{"object": "chat.completion.chunk", ...}``.

Every model keeps the fields it does not know (provider extras) and writes
them back. Enumerations are open: the known values are typed as ``Literal``
for readers and checkers, and any other string is accepted too.
"""

from types import MappingProxyType
from typing import Any, List, Mapping, Optional, Tuple, Union, get_args

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from typing_extensions import Annotated, Literal, Self, TypeAlias

from ._base import Model, Number, OneError
from ._unset import UNSET, OptionalNullable
from ._usage import CompletionUsage

__all__ = [
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionChunkChoiceLogprobs",
    "ChatCompletionChunkDelta",
    "ChatCompletionChunkDeltaFunctionCall",
    "ChatCompletionChunkDeltaToolCall",
    "ChatCompletionChunkDeltaToolCallFunction",
    "ChatCompletionChunkTokenLogprob",
    "ChatCompletionChunkTopLogprob",
    "FinishReason",
    "Role",
    "ServiceTier",
    "StopReason",
    "ToolCallType",
]


class _OpenEnum:
    """Validate and write an open enumeration as a plain string.

    Checkers and readers see ``Literal[...] | str``; at run time a plain
    ``str`` schema is faster than a union and accepts the same values.
    """

    known: Tuple[str, ...] = ()

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        self.known = _literal_values(source)
        return core_schema.str_schema(strict=True)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [{"enum": list(self.known), "type": "string"}, {"type": "string"}]}


def _literal_values(union: Any) -> Tuple[str, ...]:
    return tuple(value for member in get_args(union) for value in get_args(member))


def known_values(alias: Any) -> Tuple[str, ...]:
    """The values an open enumeration alias such as `FinishReason` names as ``Literal``."""
    return _literal_values(get_args(alias)[0])


FinishReason: TypeAlias = Annotated[
    Union[Literal["stop", "length", "tool_calls", "content_filter", "function_call"], str],
    _OpenEnum(),
]
"""Why a choice stopped: an OpenAI value, or whatever string a provider sends."""

Role: TypeAlias = Annotated[
    Union[Literal["developer", "system", "user", "assistant", "tool"], str],
    _OpenEnum(),
]
"""The author of a message: an OpenAI value, or whatever string a provider sends."""

ServiceTier: TypeAlias = Annotated[
    Union[Literal["auto", "default", "flex", "scale", "priority", "fast"], str],
    _OpenEnum(),
]
"""The processing tier that served the request."""

StopReason: TypeAlias = Annotated[
    Union[int, str], OneError("Input should be an integer or a string")
]
"""The stop token id (int) or stop string that ended a choice (vLLM)."""

ToolCallType: TypeAlias = Annotated[Union[Literal["function"], str], _OpenEnum()]
"""The kind of a tool call; OpenAI only sends ``"function"``."""

CANONICAL_FINISH_REASONS: Mapping[str, Optional[str]] = MappingProxyType(
    {
        # the end of the sequence, as text-generation servers name it
        "eos": "stop",
        "eos_token": "stop",
        # the length limit under other names (Anthropic's is max_tokens)
        "model_length": "length",
        "max_tokens": "length",
        # Anthropic's reasons, passed through by some gateways
        "end_turn": "stop",
        "stop_sequence": "stop",
        "tool_use": "tool_calls",
        # an empty string is no reason at all
        "": None,
    }
)
"""Finish reasons providers send in place of an OpenAI value, and the OpenAI value each means."""


class ChatCompletionChunkDeltaToolCallFunction(Model):
    """A fragment of the function a tool call invokes."""

    name: OptionalNullable[str] = UNSET
    """The function's name; usually sent once, on the call's first fragment."""
    arguments: OptionalNullable[str] = UNSET
    """A fragment of the JSON arguments; the fragments concatenate."""


class ChatCompletionChunkDeltaToolCall(Model):
    """A fragment of one tool call; fragments with the same ``index`` belong together."""

    index: OptionalNullable[int] = UNSET
    """Which call this fragment belongs to; some providers (Gemini) leave it out."""
    id: OptionalNullable[str] = UNSET
    """The call's id; usually sent once, on its first fragment."""
    type: OptionalNullable[ToolCallType] = UNSET
    """The kind of tool; ``"function"``."""
    function: OptionalNullable[ChatCompletionChunkDeltaToolCallFunction] = UNSET
    """The function being called."""


class ChatCompletionChunkDeltaFunctionCall(Model):
    """A fragment of a function call, the deprecated form of tool calls."""

    name: OptionalNullable[str] = UNSET
    """The function's name."""
    arguments: OptionalNullable[str] = UNSET
    """A fragment of the JSON arguments."""


class ChatCompletionChunkDelta(Model):
    """What one chunk adds to a choice's message."""

    role: OptionalNullable[Role] = UNSET
    """The author of the message, usually on the first chunk only."""
    content: OptionalNullable[str] = UNSET
    """A fragment of the message text."""
    reasoning_content: OptionalNullable[str] = UNSET
    """A fragment of the model's reasoning (DeepSeek, older vLLM, llama.cpp)."""
    reasoning: OptionalNullable[str] = UNSET
    """A fragment of the model's reasoning (vLLM 0.11 and later, Ollama, OpenRouter)."""
    refusal: OptionalNullable[str] = UNSET
    """A fragment of the model's refusal message."""
    tool_calls: OptionalNullable[List[ChatCompletionChunkDeltaToolCall]] = UNSET
    """Fragments of the tool calls the model is making."""
    function_call: OptionalNullable[ChatCompletionChunkDeltaFunctionCall] = UNSET
    """A fragment of a function call (deprecated; replaced by ``tool_calls``)."""

    @property
    def reasoning_text(self) -> Optional[str]:
        """The reasoning fragment of this delta, whichever field the provider put it in.

        `reasoning_content` first, then `reasoning`; None when neither holds a string.
        Read-only and computed: the delta itself, and its dump, stay as they came.
        """
        text = self.reasoning_content
        if isinstance(text, str):
            return text
        text = self.reasoning
        return text if isinstance(text, str) else None


class _AbsentDelta(ChatCompletionChunkDelta):
    """The delta of a choice that came without one (Azure's content-filter choices).

    It reads like an empty delta. Its own class lets the dump leave the key out
    again, with a C-level ``isinstance`` check rather than a Python predicate,
    while ``"delta": {}`` (OpenAI's last chunk) stays in. Filled in, by
    assignment or by ``model_copy(update=...)``, it becomes a plain delta and
    is written like any other.
    """

    def __repr_name__(self) -> str:
        return "ChatCompletionChunkDelta"

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, "__class__", ChatCompletionChunkDelta)
        ChatCompletionChunkDelta.__setattr__(self, name, value)

    def model_copy(self, *, update: Optional[Mapping[str, Any]] = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        if update:
            object.__setattr__(copied, "__class__", ChatCompletionChunkDelta)
        return copied


def _absent_delta() -> ChatCompletionChunkDelta:
    return _AbsentDelta()


class ChatCompletionChunkTopLogprob(Model):
    """One of the most likely tokens at a position, with its log probability.

    llama.cpp's server, asked for ``post_sampling_probs``, sends the probability
    itself as ``prob`` in place of ``logprob``: it is kept as an extra.
    """

    token: str
    """The token."""
    logprob: OptionalNullable[Number] = UNSET
    """Its log probability; ``-9999.0`` means very unlikely. Absent from
    llama.cpp's ``post_sampling_probs`` entries, which have ``prob``."""
    bytes: OptionalNullable[List[int]] = UNSET
    """The token's UTF-8 bytes, or ``null`` when it has none."""


class ChatCompletionChunkTokenLogprob(Model):
    """A generated token with its log probability and the likeliest alternatives.

    llama.cpp's server, asked for ``post_sampling_probs``, sends ``prob`` and
    ``top_probs`` in place of ``logprob`` and ``top_logprobs``: both are kept
    as extras, and ``top_probs`` as plain JSON.
    """

    token: str
    """The token."""
    logprob: OptionalNullable[Number] = UNSET
    """Its log probability; ``-9999.0`` means very unlikely. Absent from
    llama.cpp's ``post_sampling_probs`` entries, which have ``prob``."""
    bytes: OptionalNullable[List[int]] = UNSET
    """The token's UTF-8 bytes, or ``null`` when it has none."""
    top_logprobs: OptionalNullable[List[ChatCompletionChunkTopLogprob]] = UNSET
    """The most likely tokens at this position; llama.cpp's ``post_sampling_probs``
    entries have ``top_probs`` instead."""


class ChatCompletionChunkChoiceLogprobs(Model):
    """Log probabilities of the tokens a chunk carries."""

    content: OptionalNullable[List[ChatCompletionChunkTokenLogprob]] = UNSET
    """Log probabilities of the content tokens."""
    refusal: OptionalNullable[List[ChatCompletionChunkTokenLogprob]] = UNSET
    """Log probabilities of the refusal tokens."""


class ChatCompletionChunkChoice(Model):
    """One choice of a chunk: its index, what it adds, and why it stopped."""

    index: int
    """Which choice this is (0 unless ``n`` > 1)."""
    delta: ChatCompletionChunkDelta = Field(
        # pydantic's model metaclass makes this `type.__instancecheck__`: C code.
        default_factory=_absent_delta,
        exclude_if=_AbsentDelta.__instancecheck__,
    )
    """What this chunk adds; an empty delta when the provider left the key out."""
    logprobs: OptionalNullable[ChatCompletionChunkChoiceLogprobs] = UNSET
    """Log probabilities of the tokens in this chunk."""
    finish_reason: OptionalNullable[FinishReason] = UNSET
    """Why the choice stopped, on its last chunk; ``null`` before."""
    stop_reason: OptionalNullable[StopReason] = UNSET
    """The stop token id or string that ended the choice (vLLM)."""

    @property
    def canonical_finish_reason(self) -> Optional[str]:
        """The finish reason as an OpenAI value: `"eos"` reads `"stop"`, `""` reads None.

        Values in `CANONICAL_FINISH_REASONS` are mapped; any other string is returned
        as sent, never guessed; None when the key is absent or null. Read-only: the
        stored `finish_reason` is unchanged.
        """
        reason = self.finish_reason
        if reason is UNSET or reason is None:
            return None
        return CANONICAL_FINISH_REASONS.get(reason, reason)


class ChatCompletionChunk(Model):
    """One chunk of a streamed chat completion."""

    id: str
    """The completion's id; the same on every chunk of a stream."""
    choices: List[ChatCompletionChunkChoice]
    """The choices this chunk updates; empty on a usage-only last chunk."""
    created: int
    """When the completion was created, in Unix seconds."""
    model: str
    """The model that generates the completion."""
    object: str
    """Always ``"chat.completion.chunk"`` from OpenAI; some providers send ``""``."""
    system_fingerprint: OptionalNullable[str] = UNSET
    """The backend configuration that served the request."""
    service_tier: OptionalNullable[ServiceTier] = UNSET
    """The processing tier that served the request."""
    usage: OptionalNullable[CompletionUsage] = UNSET
    """Token usage; ``null`` on every chunk but the last when usage is requested."""
    obfuscation: OptionalNullable[str] = UNSET
    """Random padding that hides the length of each chunk."""

"""The models of an assembled, non-streamed completion: ``{"object": "chat.completion", ...}``.

`ChunkAccumulator` builds these from a stream of chunks. They follow the
same rules as the chunk models: tri-state fields, extras kept, exact dump.
"""

from typing import List

from ._base import Model
from ._chunk import (
    ChatCompletionChunkTokenLogprob,
    FinishReason,
    Role,
    ServiceTier,
    StopReason,
    ToolCallType,
)
from ._unset import UNSET, Nullable, OptionalNullable
from ._usage import CompletionUsage

__all__ = [
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChoiceLogprobs",
    "ChatCompletionMessage",
    "ChatCompletionMessageFunctionCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallFunction",
]


class ChatCompletionMessageToolCallFunction(Model):
    """The function a tool call invokes, with its complete arguments."""

    name: str
    """The function's name."""
    arguments: str
    """The arguments as the model wrote them: JSON text, not always valid."""


class ChatCompletionMessageToolCall(Model):
    """One complete tool call of a message."""

    id: str
    """The call's id; ``""`` when the provider sent none."""
    type: ToolCallType
    """The kind of tool; ``"function"``."""
    function: ChatCompletionMessageToolCallFunction
    """The function being called."""


class ChatCompletionMessageFunctionCall(Model):
    """A complete function call (deprecated; replaced by tool calls)."""

    name: str
    """The function's name."""
    arguments: str
    """The arguments as the model wrote them."""


class ChatCompletionMessage(Model):
    """The message a choice produced."""

    role: Role
    """The author of the message, ``"assistant"`` unless the stream said otherwise."""
    content: Nullable[str]
    """The text, or ``None`` when the stream carried no content."""
    refusal: Nullable[str]
    """The refusal message, or ``None``."""
    reasoning_content: OptionalNullable[str] = UNSET
    """The model's reasoning, from ``reasoning_content`` or ``reasoning`` deltas."""
    tool_calls: OptionalNullable[List[ChatCompletionMessageToolCall]] = UNSET
    """The tool calls, in the order they were first seen."""
    function_call: OptionalNullable[ChatCompletionMessageFunctionCall] = UNSET
    """The deprecated function call, when one was streamed."""


class ChatCompletionChoiceLogprobs(Model):
    """Log probabilities of a choice's tokens, concatenated over the stream."""

    content: Nullable[List[ChatCompletionChunkTokenLogprob]]
    """Log probabilities of the content tokens."""
    refusal: Nullable[List[ChatCompletionChunkTokenLogprob]]
    """Log probabilities of the refusal tokens."""


class ChatCompletionChoice(Model):
    """One assembled choice."""

    index: int
    """Which choice this is."""
    message: ChatCompletionMessage
    """The message it produced."""
    finish_reason: Nullable[FinishReason]
    """Why it stopped; ``None`` (or the ``""`` some servers send) if it did not finish."""
    logprobs: Nullable[ChatCompletionChoiceLogprobs]
    """Log probabilities, or ``None`` when the stream carried none."""
    stop_reason: OptionalNullable[StopReason] = UNSET
    """The stop token id or string that ended the choice (vLLM)."""


class ChatCompletion(Model):
    """A completion assembled from a stream of chunks."""

    id: str
    """The completion's id."""
    choices: List[ChatCompletionChoice]
    """The choices, ordered by index."""
    created: int
    """When the completion was created, in Unix seconds."""
    model: str
    """The model that generated it."""
    object: str = "chat.completion"
    """Always ``"chat.completion"``."""
    system_fingerprint: OptionalNullable[str] = UNSET
    """The backend configuration that served the request."""
    service_tier: OptionalNullable[ServiceTier] = UNSET
    """The processing tier that served the request."""
    usage: OptionalNullable[CompletionUsage] = UNSET
    """Token usage, when the stream reported it."""

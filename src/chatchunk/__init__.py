"""chatchunk: typed models for the streamed chunks of OpenAI-compatible chat APIs.

Read a chunk with `parse_chunk`, write it back with `dump_chunk`: what was
absent stays absent, ``null`` stays ``null``, provider extras are kept.
Read a whole Server-Sent-Events stream with `iter_chunks`, and merge it into
the final message with `accumulate`, or follow it live with `stream_events`; turn any
provider's chunks into the OpenAI shape with `normalize_stream`; write a stream with
`encode_stream`, or pass one on, changed, with `relay`.
"""

from ._accumulate import (
    ChunkAccumulator,
    IncompleteStreamError,
    StreamAnomaly,
    aaccumulate,
    accumulate,
    astream_events,
    stream_events,
)
from ._chunk import (
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkChoiceLogprobs,
    ChatCompletionChunkDelta,
    ChatCompletionChunkDeltaFunctionCall,
    ChatCompletionChunkDeltaToolCall,
    ChatCompletionChunkDeltaToolCallFunction,
    ChatCompletionChunkTokenLogprob,
    ChatCompletionChunkTopLogprob,
    FinishReason,
    Role,
    ServiceTier,
    StopReason,
    ToolCallType,
)
from ._completion import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChoiceLogprobs,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionCall,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallFunction,
)
from ._conformance import Finding, StreamConformance, check_conformance
from ._encode import aencode_stream, encode_chunk, encode_error, encode_stream
from ._events import InvalidPayload, StreamEnd, StreamError, StreamErrorEvent, StreamItem
from ._json import chunk_to_dict, dump, dump_chunk, parse, parse_chunk, to_dict
from ._live import (
    ChoiceFinished,
    ContentDelta,
    ErrorReceived,
    FunctionCallDelta,
    ReasoningDelta,
    RefusalDelta,
    StreamEnded,
    StreamEvent,
    ToolArgumentsDelta,
    ToolArgumentsError,
    ToolCallDone,
    ToolCallStarted,
    ToolCallView,
    UsageReceived,
)
from ._normalize import (
    CANONICAL_FINISH_REASONS,
    Change,
    Normalized,
    NormalizeOptions,
    normalize_chunk,
)
from ._normalize_stream import (
    AsyncNormalizedStream,
    NormalizedStream,
    Normalizer,
    anormalize_stream,
    normalize_stream,
)
from ._openai import from_openai, to_openai
from ._partial import PartialJSON, PartialJSONError, parse_partial, validate_partial
from ._relay import arelay, relay
from ._sse import ServerSentEvent, SSEDecoder, SSEError
from ._sse_encode import DONE_FRAME, encode_comment, encode_event
from ._sse_stream import EmptyStreamError, NotAnEventStreamError, aiter_sse, iter_sse
from ._stream import (
    AsyncChunkStream,
    ChunkStream,
    aiter_chunks,
    aiter_events,
    iter_chunks,
    iter_events,
    parse_event,
)
from ._unset import UNSET, Nullable, OptionalNullable, Unset, UnsetFieldError
from ._usage import (
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
)
from ._writer import ChunkWriter

__version__ = "0.1.0"
"""The version of this package."""

__all__ = [
    "CANONICAL_FINISH_REASONS",
    "DONE_FRAME",
    "UNSET",
    "AsyncChunkStream",
    "AsyncNormalizedStream",
    "Change",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChoiceLogprobs",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionChunkChoiceLogprobs",
    "ChatCompletionChunkDelta",
    "ChatCompletionChunkDeltaFunctionCall",
    "ChatCompletionChunkDeltaToolCall",
    "ChatCompletionChunkDeltaToolCallFunction",
    "ChatCompletionChunkTokenLogprob",
    "ChatCompletionChunkTopLogprob",
    "ChatCompletionMessage",
    "ChatCompletionMessageFunctionCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallFunction",
    "ChoiceFinished",
    "ChunkAccumulator",
    "ChunkStream",
    "ChunkWriter",
    "CompletionUsage",
    "CompletionUsageCompletionTokensDetails",
    "CompletionUsagePromptTokensDetails",
    "ContentDelta",
    "EmptyStreamError",
    "ErrorReceived",
    "Finding",
    "FinishReason",
    "FunctionCallDelta",
    "IncompleteStreamError",
    "InvalidPayload",
    "NormalizeOptions",
    "Normalized",
    "NormalizedStream",
    "Normalizer",
    "NotAnEventStreamError",
    "Nullable",
    "OptionalNullable",
    "PartialJSON",
    "PartialJSONError",
    "ReasoningDelta",
    "RefusalDelta",
    "Role",
    "SSEDecoder",
    "SSEError",
    "ServerSentEvent",
    "ServiceTier",
    "StopReason",
    "StreamAnomaly",
    "StreamConformance",
    "StreamEnd",
    "StreamEnded",
    "StreamError",
    "StreamErrorEvent",
    "StreamEvent",
    "StreamItem",
    "ToolArgumentsDelta",
    "ToolArgumentsError",
    "ToolCallDone",
    "ToolCallStarted",
    "ToolCallType",
    "ToolCallView",
    "Unset",
    "UnsetFieldError",
    "UsageReceived",
    "__version__",
    "aaccumulate",
    "accumulate",
    "aencode_stream",
    "aiter_chunks",
    "aiter_events",
    "aiter_sse",
    "anormalize_stream",
    "arelay",
    "astream_events",
    "check_conformance",
    "chunk_to_dict",
    "dump",
    "dump_chunk",
    "encode_chunk",
    "encode_comment",
    "encode_error",
    "encode_event",
    "encode_stream",
    "from_openai",
    "iter_chunks",
    "iter_events",
    "iter_sse",
    "normalize_chunk",
    "normalize_stream",
    "parse",
    "parse_chunk",
    "parse_event",
    "parse_partial",
    "relay",
    "stream_events",
    "to_dict",
    "to_openai",
    "validate_partial",
]

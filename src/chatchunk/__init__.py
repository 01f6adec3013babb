"""chatchunk: typed models for the streamed chunks of OpenAI-compatible chat APIs.

Read a chunk with `parse_chunk`, write it back with `dump_chunk`: what was
absent stays absent, ``null`` stays ``null``, provider extras are kept.
Read a whole Server-Sent-Events stream with `iter_chunks`, and merge it into
the final message with `accumulate`; write one with `encode_stream`, or pass one on,
changed, with `relay`.
"""

from ._accumulate import (
    ChunkAccumulator,
    IncompleteStreamError,
    StreamAnomaly,
    aaccumulate,
    accumulate,
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
from ._openai import from_openai, to_openai
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
from ._unset import UNSET, Nullable, OptionalNullable, Unset
from ._usage import (
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
)
from ._writer import ChunkWriter

__version__ = "0.1.0"
"""The version of this package."""

__all__ = [
    "DONE_FRAME",
    "UNSET",
    "AsyncChunkStream",
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
    "ChunkAccumulator",
    "ChunkStream",
    "ChunkWriter",
    "CompletionUsage",
    "CompletionUsageCompletionTokensDetails",
    "CompletionUsagePromptTokensDetails",
    "EmptyStreamError",
    "Finding",
    "FinishReason",
    "IncompleteStreamError",
    "InvalidPayload",
    "NotAnEventStreamError",
    "Nullable",
    "OptionalNullable",
    "Role",
    "SSEDecoder",
    "SSEError",
    "ServerSentEvent",
    "ServiceTier",
    "StopReason",
    "StreamAnomaly",
    "StreamConformance",
    "StreamEnd",
    "StreamError",
    "StreamErrorEvent",
    "StreamItem",
    "ToolCallType",
    "Unset",
    "__version__",
    "aaccumulate",
    "accumulate",
    "aencode_stream",
    "aiter_chunks",
    "aiter_events",
    "aiter_sse",
    "arelay",
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
    "parse",
    "parse_chunk",
    "parse_event",
    "relay",
    "to_dict",
    "to_openai",
]

"""chatchunk: typed models for the streamed chunks of OpenAI-compatible chat APIs.

Read a chunk with `parse_chunk`, write it back with `dump_chunk`: what was
absent stays absent, ``null`` stays ``null``, provider extras are kept.
"""

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
    ToolCallType,
)
from ._json import chunk_to_dict, dump, dump_chunk, parse, parse_chunk, to_dict
from ._unset import UNSET, Nullable, OptionalNullable, Unset
from ._usage import (
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
)

__version__ = "0.1.0"

__all__ = [
    "UNSET",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionChunkChoiceLogprobs",
    "ChatCompletionChunkDelta",
    "ChatCompletionChunkDeltaFunctionCall",
    "ChatCompletionChunkDeltaToolCall",
    "ChatCompletionChunkDeltaToolCallFunction",
    "ChatCompletionChunkTokenLogprob",
    "ChatCompletionChunkTopLogprob",
    "CompletionUsage",
    "CompletionUsageCompletionTokensDetails",
    "CompletionUsagePromptTokensDetails",
    "FinishReason",
    "Nullable",
    "OptionalNullable",
    "Role",
    "ServiceTier",
    "ToolCallType",
    "Unset",
    "__version__",
    "chunk_to_dict",
    "dump",
    "dump_chunk",
    "parse",
    "parse_chunk",
    "to_dict",
]

"""Peer models of the chunk, written for the benchmarks, and loaders of the installed peers.

Two hand-written peers model the same fields as `chatchunk.ChatCompletionChunk`,
each with its library's own way of telling an absent key from ``null``:

- `MsgspecChunk`: msgspec ``Struct`` classes, every optional field
  ``T | UnsetType | None = UNSET``, ``omit_defaults=True`` (UNSET fields are left
  out of the output) and ``forbid_unknown_fields=False`` (unknown keys are
  ignored: unlike chatchunk, provider extras are dropped).
- `MissingChunk`: plain pydantic models using pydantic's own ``MISSING``
  sentinel (pydantic 2.12+), every optional field ``T | MISSING | None =
  MISSING``, ``extra="allow"``, lax mode (pydantic's default).

The loaders return the third-party peers, or the reason they cannot be used.
"""

import importlib
from typing import Any, List, NamedTuple, Optional, Tuple, Union

__all__ = [
    "AtomaPeer",
    "MissingChunk",
    "MsgspecChunk",
    "OpenAIPeer",
    "PeerError",
    "load_atoma",
    "load_missing",
    "load_msgspec",
    "load_openai",
    "optional",
]


class PeerError(Exception):
    """A peer is not installed or does not import; the message says why."""


def _import(module: str, dist: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise PeerError(f"{dist} unavailable ({type(exc).__name__}: {exc})") from None


# -- msgspec ---------------------------------------------------------------------------------

try:
    import msgspec
    from msgspec import UNSET, UnsetType
except ImportError:  # pragma: no cover - the peer is optional
    msgspec = None  # type: ignore[assignment]
else:

    class _Struct(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=False):
        """Base of the msgspec peer: UNSET fields are omitted, unknown keys ignored."""

    class MsgspecTopLogprob(_Struct):
        token: str
        logprob: float
        bytes: Union[List[int], UnsetType, None] = UNSET

    class MsgspecTokenLogprob(_Struct):
        token: str
        logprob: float
        bytes: Union[List[int], UnsetType, None] = UNSET
        top_logprobs: Union[List[MsgspecTopLogprob], UnsetType, None] = UNSET

    class MsgspecChoiceLogprobs(_Struct):
        content: Union[List[MsgspecTokenLogprob], UnsetType, None] = UNSET
        refusal: Union[List[MsgspecTokenLogprob], UnsetType, None] = UNSET

    class MsgspecToolCallFunction(_Struct):
        name: Union[str, UnsetType, None] = UNSET
        arguments: Union[str, UnsetType, None] = UNSET

    class MsgspecToolCall(_Struct):
        index: Union[int, UnsetType, None] = UNSET
        id: Union[str, UnsetType, None] = UNSET
        type: Union[str, UnsetType, None] = UNSET
        function: Union[MsgspecToolCallFunction, UnsetType, None] = UNSET

    class MsgspecFunctionCall(_Struct):
        name: Union[str, UnsetType, None] = UNSET
        arguments: Union[str, UnsetType, None] = UNSET

    class MsgspecDelta(_Struct):
        role: Union[str, UnsetType, None] = UNSET
        content: Union[str, UnsetType, None] = UNSET
        reasoning_content: Union[str, UnsetType, None] = UNSET
        reasoning: Union[str, UnsetType, None] = UNSET
        refusal: Union[str, UnsetType, None] = UNSET
        tool_calls: Union[List[MsgspecToolCall], UnsetType, None] = UNSET
        function_call: Union[MsgspecFunctionCall, UnsetType, None] = UNSET

    class MsgspecChoice(_Struct):
        index: int
        delta: Union[MsgspecDelta, UnsetType] = UNSET
        logprobs: Union[MsgspecChoiceLogprobs, UnsetType, None] = UNSET
        finish_reason: Union[str, UnsetType, None] = UNSET
        stop_reason: Union[int, str, UnsetType, None] = UNSET

    class MsgspecPromptTokensDetails(_Struct):
        cached_tokens: Union[int, UnsetType, None] = UNSET
        audio_tokens: Union[int, UnsetType, None] = UNSET
        text_tokens: Union[int, UnsetType, None] = UNSET
        image_tokens: Union[int, UnsetType, None] = UNSET
        cache_write_tokens: Union[int, UnsetType, None] = UNSET

    class MsgspecCompletionTokensDetails(_Struct):
        reasoning_tokens: Union[int, UnsetType, None] = UNSET
        audio_tokens: Union[int, UnsetType, None] = UNSET
        text_tokens: Union[int, UnsetType, None] = UNSET
        accepted_prediction_tokens: Union[int, UnsetType, None] = UNSET
        rejected_prediction_tokens: Union[int, UnsetType, None] = UNSET

    class MsgspecUsage(_Struct):
        prompt_tokens: int
        completion_tokens: int
        total_tokens: int
        prompt_tokens_details: Union[MsgspecPromptTokensDetails, UnsetType, None] = UNSET
        completion_tokens_details: Union[MsgspecCompletionTokensDetails, UnsetType, None] = UNSET

    class MsgspecChunk(_Struct):
        id: str
        choices: List[MsgspecChoice]
        created: int
        model: str
        object: str
        system_fingerprint: Union[str, UnsetType, None] = UNSET
        service_tier: Union[str, UnsetType, None] = UNSET
        usage: Union[MsgspecUsage, UnsetType, None] = UNSET
        obfuscation: Union[str, UnsetType, None] = UNSET


def load_msgspec() -> Tuple[Any, Any]:
    """A ``(decoder, encoder)`` pair for `MsgspecChunk`."""
    if msgspec is None:
        raise PeerError("msgspec not installed")
    return msgspec.json.Decoder(MsgspecChunk), msgspec.json.Encoder()


# -- pydantic MISSING ------------------------------------------------------------------------

try:
    from pydantic import MISSING
except ImportError:  # pragma: no cover - pydantic < 2.12
    MISSING = None
else:
    from pydantic import BaseModel, ConfigDict

    class _Model(BaseModel):
        model_config = ConfigDict(extra="allow")

    class MissingTopLogprob(_Model):
        token: str
        logprob: float
        bytes: Union[List[int], MISSING, None] = MISSING

    class MissingTokenLogprob(_Model):
        token: str
        logprob: float
        bytes: Union[List[int], MISSING, None] = MISSING
        top_logprobs: Union[List[MissingTopLogprob], MISSING, None] = MISSING

    class MissingChoiceLogprobs(_Model):
        content: Union[List[MissingTokenLogprob], MISSING, None] = MISSING
        refusal: Union[List[MissingTokenLogprob], MISSING, None] = MISSING

    class MissingToolCallFunction(_Model):
        name: Union[str, MISSING, None] = MISSING
        arguments: Union[str, MISSING, None] = MISSING

    class MissingToolCall(_Model):
        index: Union[int, MISSING, None] = MISSING
        id: Union[str, MISSING, None] = MISSING
        type: Union[str, MISSING, None] = MISSING
        function: Union[MissingToolCallFunction, MISSING, None] = MISSING

    class MissingFunctionCall(_Model):
        name: Union[str, MISSING, None] = MISSING
        arguments: Union[str, MISSING, None] = MISSING

    class MissingDelta(_Model):
        role: Union[str, MISSING, None] = MISSING
        content: Union[str, MISSING, None] = MISSING
        reasoning_content: Union[str, MISSING, None] = MISSING
        reasoning: Union[str, MISSING, None] = MISSING
        refusal: Union[str, MISSING, None] = MISSING
        tool_calls: Union[List[MissingToolCall], MISSING, None] = MISSING
        function_call: Union[MissingFunctionCall, MISSING, None] = MISSING

    class MissingChoice(_Model):
        index: int
        delta: Union[MissingDelta, MISSING] = MISSING
        logprobs: Union[MissingChoiceLogprobs, MISSING, None] = MISSING
        finish_reason: Union[str, MISSING, None] = MISSING
        stop_reason: Union[int, str, MISSING, None] = MISSING

    class MissingPromptTokensDetails(_Model):
        cached_tokens: Union[int, MISSING, None] = MISSING
        audio_tokens: Union[int, MISSING, None] = MISSING
        text_tokens: Union[int, MISSING, None] = MISSING
        image_tokens: Union[int, MISSING, None] = MISSING
        cache_write_tokens: Union[int, MISSING, None] = MISSING

    class MissingCompletionTokensDetails(_Model):
        reasoning_tokens: Union[int, MISSING, None] = MISSING
        audio_tokens: Union[int, MISSING, None] = MISSING
        text_tokens: Union[int, MISSING, None] = MISSING
        accepted_prediction_tokens: Union[int, MISSING, None] = MISSING
        rejected_prediction_tokens: Union[int, MISSING, None] = MISSING

    class MissingUsage(_Model):
        prompt_tokens: int
        completion_tokens: int
        total_tokens: int
        prompt_tokens_details: Union[MissingPromptTokensDetails, MISSING, None] = MISSING
        completion_tokens_details: Union[MissingCompletionTokensDetails, MISSING, None] = MISSING

    class MissingChunk(_Model):
        id: str
        choices: List[MissingChoice]
        created: int
        model: str
        object: str
        system_fingerprint: Union[str, MISSING, None] = MISSING
        service_tier: Union[str, MISSING, None] = MISSING
        usage: Union[MissingUsage, MISSING, None] = MISSING
        obfuscation: Union[str, MISSING, None] = MISSING


def load_missing() -> Any:
    """`MissingChunk`, the pydantic model built on ``pydantic.MISSING``."""
    if MISSING is None:
        raise PeerError("pydantic.MISSING needs pydantic 2.12 or later")
    return MissingChunk


# -- openai-python ---------------------------------------------------------------------------


class OpenAIPeer(NamedTuple):
    openai: Any
    ChatCompletionChunk: Any
    ChatCompletionStreamState: Any
    http: Any
    """The HTTP module whose ``Response`` `openai.Stream` reads (httpx, or httpx2 in 3.x)."""


def load_openai() -> OpenAIPeer:
    openai = _import("openai", "openai")
    chunk = _import("openai.types.chat", "openai").ChatCompletionChunk
    state = _import("openai.lib.streaming.chat", "openai").ChatCompletionStreamState
    streaming = _import("openai._streaming", "openai")
    # openai 1.x/2.x stream from httpx; 3.x from its fork httpx2.
    http = getattr(streaming, "httpx2", None) or getattr(streaming, "httpx", None)
    if http is None:
        raise PeerError("openai: cannot tell which HTTP library openai.Stream reads")
    return OpenAIPeer(openai, chunk, state, http)


# -- atoma-sdk (Speakeasy-generated) ---------------------------------------------------------


class AtomaPeer(NamedTuple):
    models: Any
    utils: Any
    eventstreaming: Any
    httpx: Any


def load_atoma() -> AtomaPeer:
    """atoma-sdk, installed with ``--no-deps`` (it pins pydantic<2.11).

    Importing ``atoma_sdk.models`` runs the package's ``__init__``, which needs
    its other dependencies (typing-inspect, jsonpath-python, python-dateutil,
    eval-type-backport, cryptography): the error says which one is missing.
    """
    models = _import("atoma_sdk.models", "atoma-sdk")
    utils = _import("atoma_sdk.utils", "atoma-sdk")
    eventstreaming = _import("atoma_sdk.utils.eventstreaming", "atoma-sdk")
    httpx = _import("httpx", "httpx (for atoma-sdk)")
    return AtomaPeer(models, utils, eventstreaming, httpx)


def optional(loader: Any) -> Tuple[Optional[Any], Optional[str]]:
    """``(peer, None)`` when the loader succeeds, ``(None, reason)`` when it fails."""
    try:
        return loader(), None
    except PeerError as exc:
        return None, str(exc)

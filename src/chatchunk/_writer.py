"""Write the frames of one streamed response: `ChunkWriter`, for servers.

A server sends a chunk per token, and every chunk repeats the same envelope
(``id``, ``created``, ``model``, ...). `ChunkWriter` renders that envelope once,
with the models' own serializer, and per step only escapes the new text into a
template: the frame for a token costs about one string escape and one encode,
where building openai-python's model per token and dumping it costs thirty times
more (``docs/performance.md``).

Every frame is byte-for-byte ``b"data: " + dump_chunk(chunk).encode() + b"\\n\\n"``
for the chunk it stands for (``tests/test_writer.py`` proves it), so a reader sees
no difference between the two. Strings are escaped by the standard library's C
``json.encoder.encode_basestring``, proved there to escape exactly as
pydantic-core's serializer does; a lone surrogate cannot be encoded as UTF-8 and
raises a `ValueError` naming the argument.
"""

from json.encoder import encode_basestring as _escape
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union, cast

import pydantic_core
from pydantic import TypeAdapter
from typing_extensions import Literal

from ._chunk import (
    ChatCompletionChunk,
    ChatCompletionChunkTokenLogprob,
    FinishReason,
    Role,
    ServiceTier,
    StopReason,
)
from ._encode import encode_error
from ._json import dump_chunk
from ._sse_encode import DONE_FRAME
from ._unset import UNSET, OptionalNullable
from ._usage import (
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
)

__all__ = ["ChunkWriter", "LogprobsInput", "WriterProfile"]

WriterProfile = Literal["openai", "minimal"]
"""``"openai"``: the nulls OpenAI writes on every chunk; ``"minimal"``: no nulls."""

LogprobsInput = Sequence[Union[ChatCompletionChunkTokenLogprob, Mapping[str, Any]]]
"""Log probabilities of a fragment's tokens: models, or dicts of their fields."""

_OBJECT = "chat.completion.chunk"
_logprob_list = TypeAdapter(List[ChatCompletionChunkTokenLogprob])
_validate_logprobs = _logprob_list.validator.validate_python
_dump_logprobs = _logprob_list.serializer.to_json


def _check_text(name: str, value: object) -> str:
    """Escape ``value`` as a JSON string, or raise naming the argument."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    try:
        value.encode()
    except UnicodeEncodeError as error:
        raise ValueError(
            f"{name} holds a lone surrogate ({value[error.start]!r} at {error.start}),"
            " which JSON text cannot carry"
        ) from None
    return _escape(value)


def _check_int(name: str, value: object) -> int:
    if type(value) is not int:  # not a bool either
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, not {value}")
    return value


class ChunkWriter:
    """The frames of one streamed chat completion, rendered from a fixed envelope.

    Make one per response, with what every chunk of it repeats; each method
    returns the bytes of one SSE frame, ``data: <chunk JSON>`` and a blank line,
    ready to write to the response.

    - ``system_fingerprint``, ``service_tier``: left out when not given (`UNSET`),
      ``null`` for ``None``.
    - ``choices``: how many choices the request asked for (``n``); each step's
      ``index`` must be below it.
    - ``include_usage``: the request's ``stream_options.include_usage``; with the
      ``"openai"`` profile every chunk then carries ``"usage": null``, as OpenAI's do.
    - ``profile``: ``"openai"`` writes OpenAI's nulls (``"logprobs": null,
      "finish_reason": null`` on every choice, ``"refusal": null`` on the role chunk);
      ``"minimal"`` leaves every null out.
    - ``reasoning_field``: the delta key of `reasoning` fragments.

    Wrong arguments raise a `TypeError` or `ValueError` naming them.
    """

    __slots__ = (
        "_arguments_end",
        "_calls",
        "_choices",
        "_content",
        "_envelope",
        "_head",
        "_index",
        "_logprob_nulls",
        "_nulls",
        "_reasoning",
        "_refusal",
        "_tail",
        "_text_end",
        "_text_tail",
        "_tool_call",
    )

    def __init__(
        self,
        id: str,
        model: str,
        created: int,
        *,
        system_fingerprint: OptionalNullable[str] = UNSET,
        service_tier: OptionalNullable[ServiceTier] = UNSET,
        choices: int = 1,
        include_usage: bool = False,
        profile: WriterProfile = "openai",
        reasoning_field: Literal["reasoning_content", "reasoning"] = "reasoning_content",
    ) -> None:
        if profile not in ("openai", "minimal"):
            raise ValueError(f"profile must be 'openai' or 'minimal', not {profile!r}")
        if reasoning_field not in ("reasoning_content", "reasoning"):
            raise ValueError(
                "reasoning_field must be 'reasoning_content' or 'reasoning',"
                f" not {reasoning_field!r}"
            )
        if _check_int("choices", choices) == 0:
            raise ValueError("choices must be 1 or more, not 0")
        if type(include_usage) is not bool:
            raise TypeError(f"include_usage must be a bool, not {type(include_usage).__name__}")
        openai = profile == "openai"
        for name, value in (
            ("id", id),
            ("model", model),
            ("system_fingerprint", system_fingerprint),
            ("service_tier", service_tier),
        ):
            if isinstance(value, str):
                _check_text(name, value)
        # Validated and rendered by the model itself: the envelope is dump_chunk's.
        self._envelope: Dict[str, Any] = {
            "id": id,
            "choices": [],
            "created": created,
            "model": model,
            "object": _OBJECT,
            "system_fingerprint": system_fingerprint,
            "service_tier": service_tier,
        }
        usage = None if openai and include_usage else UNSET
        envelope = dump_chunk(ChatCompletionChunk(**self._envelope, usage=usage))
        # The id comes first and, escaped, cannot hold this text: the split is exact.
        head, _, tail = envelope.partition('"choices":[]')
        self._tail = "]" + tail + "\n\n"
        self._head = "data: " + head + '"choices":['
        self._choices = choices
        self._nulls = openai
        self._logprob_nulls = ',"refusal":null}' if openai else "}"
        self._text_tail = (
            '},"logprobs":null,"finish_reason":null}' if openai else "}}"
        ) + self._tail
        # The hot paths join bytes: encoding only the new text costs the same whatever
        # its characters, where a whole str frame holding one non-ASCII character is
        # re-encoded whole (about 1.5 times the cost on the benchmark's tokens).
        self._text_end = self._text_tail.encode()
        self._arguments_end = b"}}]" + self._text_end
        self._index = [f'{self._head}{{"index":{i},' for i in range(choices)]
        self._content = self._heads('"delta":{"content":')
        self._reasoning = self._heads(f'"delta":{{"{reasoning_field}":')
        self._refusal = self._heads('"delta":{"refusal":')
        self._tool_call = self._heads('"delta":{"tool_calls":[{"index":')
        self._calls: Dict[int, bytes] = {}
        """``{call},"function":{"arguments":`` for each call number seen, as bytes."""

    def _heads(self, delta: str) -> Dict[int, bytes]:
        return {i: f"{head}{delta}".encode() for i, head in enumerate(self._index)}

    # -- checks, off the fast path ------------------------------------------------------

    def _choice(self, index: object) -> int:
        checked = _check_int("index", index)
        if checked >= self._choices:
            raise ValueError(
                f"index must be below choices={self._choices}, not {checked}"
                if self._choices > 1
                else f"index must be 0 (the writer has one choice), not {checked}"
            )
        return checked

    def _text_frame(
        self, heads: Dict[int, bytes], text: str, index: int, logprobs: Any, key: str
    ) -> bytes:
        if logprobs is None and type(index) is int:
            try:
                return heads[index] + _escape(text).encode() + self._text_end
            except (KeyError, TypeError, UnicodeEncodeError):
                pass
        head = heads[self._choice(index)]
        body = _check_text("text", text)
        if logprobs is None:  # pragma: no cover - the fast path wrote it or a check raised
            return head + body.encode() + self._text_end
        lists = self._logprobs(logprobs)
        if key == "content":
            logprobs_json = f'{{"content":{lists}{self._logprob_nulls}'
        else:
            logprobs_json = ('{"content":null,' if self._nulls else "{") + f'"refusal":{lists}}}'
        nulls = ',"finish_reason":null}' if self._nulls else "}"
        return head + f'{body}}},"logprobs":{logprobs_json}{nulls}{self._tail}'.encode()

    @staticmethod
    def _logprobs(logprobs: object) -> str:
        kind = type(logprobs).__name__
        if isinstance(logprobs, (str, bytes)) or not isinstance(logprobs, Sequence):
            raise TypeError(f"logprobs must be a sequence of token logprobs, not {kind}")
        entries = list(cast(Sequence[object], logprobs))
        try:
            return _dump_logprobs(_validate_logprobs(entries)).decode()
        except pydantic_core.PydanticSerializationError as error:
            raise ValueError(f"logprobs cannot be written as JSON: {error}") from None

    # -- the steps ----------------------------------------------------------------------

    def role(self, index: int = 0, role: Role = "assistant") -> bytes:
        """The first chunk of a choice: ``{"role": "assistant", "content": ""}``.

        The ``"openai"`` profile adds ``"refusal": null``, as OpenAI does.
        """
        self._choice(index)
        written = _check_text("role", role)
        refusal = ',"refusal":null' if self._nulls else ""
        return (
            f'{self._index[index]}"delta":{{"role":{written},"content":""{refusal}'
            f"{self._text_tail}".encode()
        )

    def content(
        self, text: str, index: int = 0, *, logprobs: Optional[LogprobsInput] = None
    ) -> bytes:
        """A fragment of the message text, with its tokens' ``logprobs`` if given."""
        if logprobs is None and type(index) is int:  # the hot path, inlined
            try:
                return self._content[index] + _escape(text).encode() + self._text_end
            except (KeyError, TypeError, UnicodeEncodeError):
                pass
        return self._text_frame(self._content, text, index, logprobs, "content")

    def reasoning(self, text: str, index: int = 0) -> bytes:
        """A fragment of the model's reasoning, under the writer's ``reasoning_field``."""
        return self._text_frame(self._reasoning, text, index, None, "content")

    def refusal(
        self, text: str, index: int = 0, *, logprobs: Optional[LogprobsInput] = None
    ) -> bytes:
        """A fragment of a refusal, with its tokens' ``logprobs`` if given."""
        return self._text_frame(self._refusal, text, index, logprobs, "refusal")

    def tool_call(
        self, call: int, id: str, name: str, arguments: str = "", index: int = 0
    ) -> bytes:
        """The first fragment of tool call number ``call``: its id, type and name."""
        self._choice(index)
        _check_int("call", call)
        parts = (_check_text("id", id), _check_text("name", name))
        return self._tool_call[index] + (
            f'{call},"id":{parts[0]},"type":"function",'
            f'"function":{{"name":{parts[1]},"arguments":{_check_text("arguments", arguments)}'
            f"}}}}]{self._text_tail}".encode()
        )

    def tool_arguments(self, call: int, fragment: str, index: int = 0) -> bytes:
        """A fragment of the JSON arguments of tool call number ``call``."""
        if type(call) is int and type(index) is int:
            try:
                return (
                    self._tool_call[index]
                    + self._calls[call]
                    + _escape(fragment).encode()
                    + self._arguments_end
                )
            except (KeyError, TypeError, UnicodeEncodeError):
                pass
        self._choice(index)
        _check_int("call", call)
        _check_text("fragment", fragment)
        # The call's first fragment: its part of the frame is rendered once.
        self._calls[call] = f'{call},"function":{{"arguments":'.encode()
        return self.tool_arguments(call, fragment, index)

    def finish(
        self,
        reason: FinishReason,
        index: int = 0,
        *,
        stop_reason: OptionalNullable[StopReason] = UNSET,
    ) -> bytes:
        """The last chunk of a choice: an empty delta and why it stopped.

        ``stop_reason`` (vLLM's stop token id or stop string) is written when given,
        ``null`` for ``None``.
        """
        self._choice(index)
        written = _check_text("reason", reason)
        if stop_reason is UNSET:
            stop = ""
        elif stop_reason is None:
            stop = ',"stop_reason":null'
        elif type(stop_reason) is int:
            stop = f',"stop_reason":{stop_reason}'
        elif isinstance(stop_reason, str):
            stop = f',"stop_reason":{_check_text("stop_reason", stop_reason)}'
        else:
            raise TypeError(
                f"stop_reason must be an int, a str or None, not {type(stop_reason).__name__}"
            )
        logprobs = '"logprobs":null,' if self._nulls else ""
        return (
            f'{self._index[index]}"delta":{{}},{logprobs}"finish_reason":{written}{stop}}}'
            f"{self._tail}".encode()
        )

    def usage(
        self,
        prompt_tokens: int,
        completion_tokens: int,
        total_tokens: Optional[int] = None,
        *,
        prompt_tokens_details: Union[
            CompletionUsagePromptTokensDetails, Mapping[str, Any], None
        ] = None,
        completion_tokens_details: Union[
            CompletionUsageCompletionTokensDetails, Mapping[str, Any], None
        ] = None,
        **extra: Any,
    ) -> bytes:
        """The usage trailer: ``"choices": []`` and the request's token counts.

        ``total_tokens`` defaults to the sum of the two counts. The details, given as
        models or dicts, and provider extras such as ``cost=0.0012`` are written when
        given.
        """
        _check_int("prompt_tokens", prompt_tokens)
        _check_int("completion_tokens", completion_tokens)
        if total_tokens is None:
            total_tokens = prompt_tokens + completion_tokens
        _check_int("total_tokens", total_tokens)
        fields: Dict[str, Any] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": total_tokens,
            **extra,
        }
        if prompt_tokens_details is not None:
            fields["prompt_tokens_details"] = prompt_tokens_details
        if completion_tokens_details is not None:
            fields["completion_tokens_details"] = completion_tokens_details
        counts = CompletionUsage.model_validate(fields)
        chunk = ChatCompletionChunk(**self._envelope, usage=counts)
        try:
            return f"data: {dump_chunk(chunk)}\n\n".encode()
        except pydantic_core.PydanticSerializationError as error:
            raise ValueError(f"usage cannot be written as JSON: {error}") from None

    def error(
        self,
        message: str,
        type: Optional[str] = "server_error",
        *,
        code: Union[str, int, None] = None,
        param: Optional[str] = None,
    ) -> bytes:
        """An in-band error: ``{"error": {"message", "type", "param", "code"}}``.

        OpenAI's shape: `iter_events` yields it as a `StreamErrorEvent` and the
        ``openai`` client raises ``APIError`` with its message. The ``"minimal"``
        profile leaves the fields that are ``None`` out.
        """
        _check_text("message", message)
        for name, value in (("type", type), ("param", param)):
            if value is not None:
                _check_text(name, value)
        if isinstance(code, str):
            _check_text("code", code)
        if self._nulls:  # OpenAI's four keys, null when not given
            return encode_error(message, type=type, code=code, param=param)
        given = {"message": message, "type": type, "param": param, "code": code}
        return encode_error({key: value for key, value in given.items() if value is not None})

    def done(self) -> bytes:
        """``data: [DONE]``: the stream ended as it should. Send nothing after it."""
        return DONE_FRAME

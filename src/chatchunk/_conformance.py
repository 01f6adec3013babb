"""How far a chunk, or a whole stream, strays from the OpenAI specification.

The models accept what OpenAI-compatible servers really send: provider extras, open
enumerations, ``null`` where the specification wants a value, a choice without
``delta``. `check_conformance` lists those liberties for one chunk and
`StreamConformance` the ones that only show across a stream (an id that changes, a
choice that never finishes). Each is a `Finding` with a stable ``kind``:

========================  ==================================================================
``unknown_field``         a key the specification does not define (``provider`` says who
                          usually sends it, when known); ``reasoning_content``,
                          ``reasoning`` and ``stop_reason`` count, though the models
                          declare them
``unknown_enum_value``    ``finish_reason``, ``role``, ``service_tier``, a tool call's
                          ``type`` or a moderation ``type`` outside the specified values
``object_value``          ``object`` other than ``"chat.completion.chunk"``
``missing_field``         a key the specification requires is absent (a choice's
                          ``delta`` or ``finish_reason``, a tool call's ``index``, a
                          logprob's ``logprob``, ``bytes`` or ``top_logprobs``, a usage
                          count, ...)
``null_value``            ``null`` where the specification allows no ``null`` (say
                          ``system_fingerprint``, ``delta.role``, ``tool_calls``)
``wrong_type``            a value of the wrong JSON type where the models take any JSON
                          (only inside ``moderation``, which the models keep as an extra)
``id_changed``            the stream's ``id`` changed (once per change)
``created_changed``       its ``created`` changed (once per change)
``model_changed``         its ``model`` changed (once per change)
``usage_total_mismatch``  ``usage.total_tokens`` is not ``prompt_tokens +
                          completion_tokens`` (checked when all three are numbers)
``usage_with_choices``    the chunk that carries the stream's final usage also carries
                          choices (the specification sends it alone, with ``"choices": []``)
``choice_not_finished``   a choice never got a ``finish_reason``
``no_done``               a Server-Sent-Events stream ended without ``data: [DONE]``
========================  ==================================================================

Inside a logprobs list (``choices.N.logprobs.content`` and ``refusal``, and each entry's
``top_logprobs``) a finding is about every entry alike, so its path has ``*`` for the
position (``choices.0.logprobs.content.*.top_logprobs.*.id``) and a chunk reports it
once, not once per token: a report that keeps one finding per ``(kind, path, message)``,
as ``chatchunk validate --strict`` does, then says it once per stream.

What the specification says is written into this module (from OpenAI's OpenAPI
description of ``CreateChatCompletionStreamResponse``); nothing is read at run time.
"""

from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Tuple, Type, Union, cast

from ._base import Model
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
    known_values,
)
from ._events import StreamErrorEvent
from ._unset import UNSET, OptionalNullable
from ._usage import (
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
)

__all__ = ["Finding", "StreamConformance", "check_conformance"]

OBJECT = "chat.completion.chunk"
"""The only ``object`` value the specification allows on a chunk."""
# The specified values of the open enumerations are the `Literal`s of their aliases.
FINISH_REASONS = known_values(FinishReason)
ROLES = known_values(Role)
SERVICE_TIERS = known_values(ServiceTier)
TOOL_CALL_TYPES = known_values(ToolCallType)
MODERATION_TYPES = ("moderation_results", "error")
"""The specified values of ``moderation.input.type`` and ``moderation.output.type``."""


class Finding(NamedTuple):
    """One way a chunk or a stream departs from the OpenAI specification.

    A finding is not an error: the models read the payload fine. It tells what a
    client written against the specification alone might not expect.
    """

    path: str
    """Where, as field names and list indices joined with dots
    (``choices.0.delta.reasoning_content``); ``""`` for the stream as a whole. A position
    in a logprobs list is ``*`` (``choices.0.logprobs.content.*.top_logprobs.*.id``)."""
    kind: str
    """What, as a stable name: ``unknown_field``, ``unknown_enum_value``,
    ``object_value``, ``missing_field``, ``null_value``, ``wrong_type``,
    ``id_changed``, ``created_changed``, ``model_changed``,
    ``usage_total_mismatch``, ``usage_with_choices``, ``choice_not_finished`` or
    ``no_done``."""
    message: str
    """The same, for a person."""
    provider: Optional[str] = None
    """For an ``unknown_field``: who usually sends that field
    (``"Groq"``, ``"DeepSeek/vLLM/llama.cpp"``, ``"LiteLLM (Gemini)"``), or None when
    not known."""


class _Spec(NamedTuple):
    """What the specification says about the keys of one object."""

    fields: FrozenSet[str]
    """Every key it defines."""
    required: Tuple[str, ...]
    """Keys it requires that the model lets a payload leave out."""
    not_null: Tuple[str, ...]
    """Keys whose value may not be ``null`` but that the model reads as ``None``."""
    non_spec: Tuple[str, ...]
    """Fields the model declares that the specification does not define."""
    providers: Dict[str, str]
    """Who usually sends a key the specification does not define."""
    prefixes: Tuple[Tuple[str, str], ...]
    """The same for families of keys: a name prefix and who sends keys that start so
    (written ``"vertex_ai_*"`` in ``providers``)."""


def _spec(
    model: Type[Model],
    fields: str,
    *,
    required: str = "",
    not_null: str = "",
    providers: Optional[Dict[str, str]] = None,
) -> _Spec:
    names = frozenset(fields.split())
    declared = model.model_fields
    optional = tuple(
        name for name in required.split() if not declared[name].is_required()
    )  # a field the model requires is always there
    nullable_in_model = tuple(name for name in not_null.split() if name in declared)
    providers = providers or {}
    return _Spec(
        fields=names,
        required=optional,
        not_null=nullable_in_model,
        non_spec=tuple(name for name in declared if name not in names),
        providers={name: who for name, who in providers.items() if not name.endswith("*")},
        prefixes=tuple((name[:-1], who) for name, who in providers.items() if name.endswith("*")),
    )


_REASONING_CONTENT = "DeepSeek/vLLM/llama.cpp"
_REASONING = "vLLM/Ollama/OpenRouter/Groq"
_LITELLM_GEMINI = "LiteLLM (Gemini)"
_LITELLM_ANTHROPIC = "LiteLLM (Anthropic)"
# The extras where `normalize_chunk` keeps what it replaced (`native_finish_reason`
# is OpenRouter's own name, and stays theirs).
_NORMALIZE = "chatchunk normalize"

_CHUNK = _spec(
    ChatCompletionChunk,
    "id choices created model object obfuscation service_tier system_fingerprint usage moderation",
    required="id choices created model object",
    not_null="obfuscation system_fingerprint",
    providers={
        "x_groq": "Groq",
        "timings": "llama.cpp",
        "prompt_progress": "llama.cpp",
        # LiteLLM's Gemini translation: grounding, URL context, safety and citation
        # metadata as `vertex_ai_grounding_metadata` and the like.
        "vertex_ai_*": _LITELLM_GEMINI,
        "prompt_filter_results": "Azure OpenAI",
        "provider": "OpenRouter",
        "error": "OpenRouter",
        "prompt_token_ids": "vLLM",
        "citations": "Perplexity",
        "search_results": "Perplexity",
        "native_object": _NORMALIZE,
    },
)
_CHOICE = _spec(
    ChatCompletionChunkChoice,
    "delta finish_reason index logprobs",
    required="delta finish_reason index",
    not_null="delta index",
    providers={
        "content_filter_results": "Azure OpenAI",
        "content_filter_offsets": "Azure OpenAI",
        "stop_reason": "vLLM",
        "token_ids": "vLLM",
        "matched_stop": "SGLang",
        "native_finish_reason": "OpenRouter",
        "text": "Together",
        "seed": "Together",
    },
)
_DELTA = _spec(
    ChatCompletionChunkDelta,
    "content function_call tool_calls role refusal",
    not_null="function_call tool_calls role",
    providers={
        "reasoning_content": _REASONING_CONTENT,
        "reasoning": _REASONING,
        "reasoning_details": "OpenRouter",
        "token_id": "Together",
        "native_reasoning_field": _NORMALIZE,
    },
)
_TOOL_CALL = _spec(
    ChatCompletionChunkDeltaToolCall,
    "index id type function",
    required="index",
    not_null="index id type function",
    providers={"extra_content": "Gemini", "native_index": _NORMALIZE},
)
_TOOL_FUNCTION = _spec(
    ChatCompletionChunkDeltaToolCallFunction, "name arguments", not_null="name arguments"
)
_FUNCTION_CALL = _spec(
    ChatCompletionChunkDeltaFunctionCall, "name arguments", not_null="name arguments"
)
_LOGPROBS = _spec(ChatCompletionChunkChoiceLogprobs, "content refusal", required="content refusal")
_TOKEN_LOGPROB = _spec(
    ChatCompletionChunkTokenLogprob,
    "token logprob bytes top_logprobs",
    required="token logprob bytes top_logprobs",
    not_null="token logprob top_logprobs",
    # llama.cpp's post_sampling_probs entries: `prob` and `top_probs` stand in for
    # `logprob` and `top_logprobs`, which are then missing.
    providers={"id": "llama.cpp", "prob": "llama.cpp", "top_probs": "llama.cpp"},
)
_TOP_LOGPROB = _spec(
    ChatCompletionChunkTopLogprob,
    "token logprob bytes",
    required="token logprob bytes",
    not_null="token logprob",
    providers={"id": "llama.cpp", "prob": "llama.cpp"},
)
_USAGE = _spec(
    CompletionUsage,
    "prompt_tokens completion_tokens total_tokens prompt_tokens_details completion_tokens_details",
    required="prompt_tokens completion_tokens total_tokens",
    not_null="prompt_tokens completion_tokens total_tokens prompt_tokens_details"
    " completion_tokens_details",
    providers={
        "cost": "OpenRouter/LiteLLM",
        # Anthropic's prompt-cache counts, which LiteLLM passes through beside its own.
        "cache_creation_input_tokens": _LITELLM_ANTHROPIC,
        "cache_read_input_tokens": _LITELLM_ANTHROPIC,
        "cost_details": "OpenRouter",
        "is_byok": "OpenRouter",
        "prompt_cache_hit_tokens": "DeepSeek",
        "prompt_cache_miss_tokens": "DeepSeek",
        "queue_time": "Groq",
        "prompt_time": "Groq",
        "completion_time": "Groq",
        "total_time": "Groq",
    },
)
_PROMPT_DETAILS = _spec(
    CompletionUsagePromptTokensDetails,
    "audio_tokens cached_tokens text_tokens image_tokens cache_write_tokens",
    not_null="audio_tokens cached_tokens text_tokens image_tokens cache_write_tokens",
    providers={"cache_creation_tokens": _LITELLM_ANTHROPIC},
)
_COMPLETION_DETAILS = _spec(
    CompletionUsageCompletionTokensDetails,
    "accepted_prediction_tokens audio_tokens reasoning_tokens text_tokens"
    " rejected_prediction_tokens",
    not_null="accepted_prediction_tokens audio_tokens reasoning_tokens text_tokens"
    " rejected_prediction_tokens",
    providers={"image_tokens": "OpenRouter"},
)

# `moderation` is in the specification but not declared by the models: it arrives as an
# extra and is checked here as plain JSON.
_MODERATION_FIELDS = frozenset(("input", "output"))
_MODERATION_RESULTS_FIELDS = ("type", "model", "results")
_MODERATION_ERROR_FIELDS = ("type", "code", "message")


def _at(path: str, name: Union[str, int]) -> str:
    return f"{path}.{name}" if path else str(name)


def _check_keys(out: List[Finding], model: Model, spec: _Spec, path: str) -> None:
    """Unknown keys, absent required keys and forbidden nulls of one object."""
    present = model.model_fields_set
    for name in spec.non_spec:
        if name in present:
            _unknown(out, spec, path, name)
    extra = model.model_extra
    if extra:
        for name in extra:
            if name not in spec.fields:
                _unknown(out, spec, path, name)
    for name in spec.required:
        if name not in present:
            out.append(
                Finding(
                    _at(path, name),
                    "missing_field",
                    f"{name!r} is required by the OpenAI specification but absent",
                )
            )
    for name in spec.not_null:
        if name in present and getattr(model, name) is None:
            out.append(
                Finding(
                    _at(path, name),
                    "null_value",
                    f"{name!r} is null; the OpenAI specification allows no null here",
                )
            )


def _provider(spec: _Spec, name: str) -> Optional[str]:
    provider = spec.providers.get(name)
    if provider is None:
        for prefix, who in spec.prefixes:
            if name.startswith(prefix):
                return who
    return provider


def _unknown(out: List[Finding], spec: _Spec, path: str, name: str) -> None:
    provider = _provider(spec, name)
    sent = f" (sent by {provider})" if provider else ""
    out.append(
        Finding(
            _at(path, name),
            "unknown_field",
            f"{name!r} is not in the OpenAI specification{sent}",
            provider,
        )
    )


def _enum(out: List[Finding], value: object, path: str, known: Tuple[str, ...], what: str) -> None:
    """Report a string outside ``known``; UNSET and None are not values."""
    if isinstance(value, str) and value not in known:
        out.append(
            Finding(
                path,
                "unknown_enum_value",
                f"{what} {value!r} is not one of the OpenAI values ({', '.join(known)})",
            )
        )


def check_conformance(chunk: ChatCompletionChunk) -> List[Finding]:
    """List what the models accepted in ``chunk`` that the OpenAI specification does not.

    Looks at every level: the chunk, its choices, deltas, tool calls, logprobs and
    usage. Returns an empty list for a chunk that follows the specification to the
    letter. Stream-wide matters (ids that change, choices that never finish) are
    `StreamConformance`'s.
    """
    out: List[Finding] = []
    _check_keys(out, chunk, _CHUNK, "")
    if chunk.object != OBJECT:
        out.append(
            Finding(
                "object",
                "object_value",
                f"object is {chunk.object!r}; the OpenAI specification says {OBJECT!r}",
            )
        )
    _enum(out, chunk.service_tier, "service_tier", SERVICE_TIERS, "service_tier")
    usage = chunk.usage
    if usage:
        _check_usage(out, usage)
    extra = chunk.model_extra
    if extra and "moderation" in extra:
        _check_moderation(out, extra["moderation"])
    for i, choice in enumerate(chunk.choices):
        _check_choice(out, choice, f"choices.{i}")
    return out


def _check_choice(out: List[Finding], choice: ChatCompletionChunkChoice, path: str) -> None:
    _check_keys(out, choice, _CHOICE, path)
    _enum(out, choice.finish_reason, path + ".finish_reason", FINISH_REASONS, "finish_reason")
    if "delta" in choice.model_fields_set:
        _check_delta(out, choice.delta, path + ".delta")
    logprobs = choice.logprobs
    if logprobs:
        lp_path = path + ".logprobs"
        _check_keys(out, logprobs, _LOGPROBS, lp_path)
        # Every entry of a token list is checked, but a finding is about the list, with
        # `*` for the position, and said once per chunk (in the order first found).
        found: List[Finding] = []
        for name, tokens in (("content", logprobs.content), ("refusal", logprobs.refusal)):
            token_path = f"{lp_path}.{name}.*"
            for token in tokens or ():
                _check_keys(found, token, _TOKEN_LOGPROB, token_path)
                for top in token.top_logprobs or ():
                    _check_keys(found, top, _TOP_LOGPROB, token_path + ".top_logprobs.*")
        out.extend(dict.fromkeys(found))


def _check_delta(out: List[Finding], delta: ChatCompletionChunkDelta, path: str) -> None:
    _check_keys(out, delta, _DELTA, path)
    _enum(out, delta.role, path + ".role", ROLES, "role")
    for i, call in enumerate(delta.tool_calls or ()):
        call_path = f"{path}.tool_calls.{i}"
        _check_keys(out, call, _TOOL_CALL, call_path)
        _enum(out, call.type, call_path + ".type", TOOL_CALL_TYPES, "type")
        if call.function:
            _check_keys(out, call.function, _TOOL_FUNCTION, call_path + ".function")
    if delta.function_call:
        _check_keys(out, delta.function_call, _FUNCTION_CALL, path + ".function_call")


def _check_usage(out: List[Finding], usage: CompletionUsage) -> None:
    _check_keys(out, usage, _USAGE, "usage")
    if usage.prompt_tokens_details:
        _check_keys(
            out, usage.prompt_tokens_details, _PROMPT_DETAILS, "usage.prompt_tokens_details"
        )
    if usage.completion_tokens_details:
        _check_keys(
            out,
            usage.completion_tokens_details,
            _COMPLETION_DETAILS,
            "usage.completion_tokens_details",
        )


def _check_moderation(out: List[Finding], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        out.append(Finding("moderation", "wrong_type", "moderation should be an object or null"))
        return
    moderation = cast(Dict[str, Any], value)
    for name in moderation:
        if name not in _MODERATION_FIELDS:
            out.append(
                Finding(
                    f"moderation.{name}",
                    "unknown_field",
                    f"{name!r} is not in the OpenAI specification",
                )
            )
    for name in sorted(_MODERATION_FIELDS):
        path = f"moderation.{name}"
        if name not in moderation:
            out.append(
                Finding(
                    path,
                    "missing_field",
                    f"{name!r} is required by the OpenAI specification but absent",
                )
            )
            continue
        part = moderation[name]
        if not isinstance(part, dict):
            out.append(Finding(path, "wrong_type", f"moderation {name} should be an object"))
            continue
        part = cast(Dict[str, Any], part)
        kind = part.get("type")
        if kind == "moderation_results":
            required = _MODERATION_RESULTS_FIELDS
        elif kind == "error":
            required = _MODERATION_ERROR_FIELDS
        else:
            if kind is None:
                out.append(
                    Finding(
                        path + ".type",
                        "missing_field",
                        "'type' is required by the OpenAI specification but absent",
                    )
                )
            else:
                _enum(out, kind, path + ".type", MODERATION_TYPES, "type")
                if not isinstance(kind, str):
                    out.append(Finding(path + ".type", "wrong_type", "type should be a string"))
            continue
        for field in required:
            if field not in part:
                out.append(
                    Finding(
                        f"{path}.{field}",
                        "missing_field",
                        f"{field!r} is required by the OpenAI specification but absent",
                    )
                )
        for field in part:
            if field not in required:
                out.append(
                    Finding(
                        f"{path}.{field}",
                        "unknown_field",
                        f"{field!r} is not in the OpenAI specification",
                    )
                )


def _usage_counts(usage: OptionalNullable[CompletionUsage]) -> Optional[Tuple[int, int, int]]:
    """``usage``'s prompt, completion and total counts, or None when it has no sum to check.

    A count that is absent or null (SGLang, older vLLM) is `check_conformance`'s
    ``missing_field`` or ``null_value``, not a mismatch.
    """
    if not usage:
        return None
    prompt, completion, total = usage.prompt_tokens, usage.completion_tokens, usage.total_tokens
    if isinstance(prompt, int) and isinstance(completion, int) and isinstance(total, int):
        return prompt, completion, total
    return None


class StreamConformance:
    """Check what only shows across a stream: feed it every item with `add`, then `finish`.

    Reports an ``id``, ``created`` or ``model`` that changes (once per change, not once
    per chunk; an empty id or model and a ``created`` of 0, as in Azure's prompt-filter
    chunk, are no values and change nothing), a usage whose ``total_tokens`` is not
    ``prompt_tokens + completion_tokens`` (a usage missing one of them has no sum to
    check), a final usage that shares its chunk with choices (``usage_with_choices``, see
    below), choices that never finish (their path is ``choices.N.finish_reason`` with N
    the choice's ``index``), and, for a Server-Sent-Events stream, a missing
    ``data: [DONE]``. Memory stays constant: a few values per choice.

    With ``stream_options.include_usage`` the specification sends the usage once, in
    a last chunk of its own whose ``choices`` is empty, and ``null`` on every chunk
    before it. What counts for ``usage_with_choices`` is the last chunk of the stream
    whose ``usage`` is an object: when its ``choices`` is not empty (usage on the
    finishing chunk, as LiteLLM, Groq or llama.cpp send it) `finish` reports it, once.
    Earlier chunks with a usage (vLLM's ``continuous_usage_stats``) are running counts
    and are not judged.
    """

    def __init__(self) -> None:
        self._count = 0
        self._id = ""
        self._model = ""
        self._created = 0
        self._finished: Dict[int, bool] = {}
        self._last_usage: Optional[Tuple[int, int, int]] = None
        self._usage_at: Optional[Tuple[int, int]] = None
        """The number of the last chunk with a usage, and how many choices it had."""
        self._findings: List[Finding] = []

    @property
    def chunk_count(self) -> int:
        """How many chunks were added."""
        return self._count

    @property
    def findings(self) -> List[Finding]:
        """What `add` found so far, in order."""
        return list(self._findings)

    def add(self, item: Union[ChatCompletionChunk, StreamErrorEvent]) -> List[Finding]:
        """Take the next item of the stream; return what it revealed (usually nothing).

        A `StreamErrorEvent` is ignored: an in-band error is not a matter of
        conformance. Findings of ``check_conformance`` are not repeated here.
        """
        if isinstance(item, StreamErrorEvent):
            return []
        chunk = item
        self._count += 1
        found: List[Finding] = []
        where = f"at chunk {self._count}"
        if chunk.id:
            if not self._id:
                self._id = chunk.id
            elif chunk.id != self._id:
                found.append(
                    Finding(
                        "id", "id_changed", f"id changed from {self._id!r} to {chunk.id!r} {where}"
                    )
                )
                self._id = chunk.id
        if chunk.created:
            if not self._created:
                self._created = chunk.created
            elif chunk.created != self._created:
                found.append(
                    Finding(
                        "created",
                        "created_changed",
                        f"created changed from {self._created} to {chunk.created} {where}",
                    )
                )
                self._created = chunk.created
        if chunk.model:
            if not self._model:
                self._model = chunk.model
            elif chunk.model != self._model:
                found.append(
                    Finding(
                        "model",
                        "model_changed",
                        f"model changed from {self._model!r} to {chunk.model!r} {where}",
                    )
                )
                self._model = chunk.model
        if chunk.usage:
            self._usage_at = (self._count, len(chunk.choices))
        counts = _usage_counts(chunk.usage)
        if counts is not None:
            prompt, completion, total = counts
            if prompt + completion != total and counts != self._last_usage:
                found.append(
                    Finding(
                        "usage.total_tokens",
                        "usage_total_mismatch",
                        f"total_tokens is {total}, but prompt_tokens + completion_tokens"
                        f" = {prompt} + {completion} = {prompt + completion} {where}",
                    )
                )
            self._last_usage = counts
        finished = self._finished
        for choice in chunk.choices:
            reason = choice.finish_reason
            if reason is not UNSET and reason:
                finished[choice.index] = True
            elif choice.index not in finished:
                finished[choice.index] = False
        self._findings.extend(found)
        return found

    def finish(self, *, done: Optional[bool] = None) -> List[Finding]:
        """End the stream; return every stream finding, those `add` returned included.

        ``done`` tells whether the stream ended with ``data: [DONE]``
        (`SSEDecoder.done`); leave it None for input that has no such marker, such as
        JSON Lines, and no ``no_done`` is reported. It may be called again; it changes
        nothing.
        """
        found = list(self._findings)
        if self._usage_at is not None and self._usage_at[1]:
            number, choices = self._usage_at
            found.append(
                Finding(
                    "choices",
                    "usage_with_choices",
                    f"the final usage came in chunk {number} with {choices}"
                    f" choice{'s' if choices != 1 else ''}; the OpenAI specification sends it"
                    " in a chunk of its own, with empty choices",
                )
            )
        for index, finished in sorted(self._finished.items()):
            if not finished:
                found.append(
                    Finding(
                        f"choices.{index}.finish_reason",
                        "choice_not_finished",
                        f"choice {index} never received a finish_reason",
                    )
                )
        if done is False:
            found.append(Finding("", "no_done", "the stream ended without a 'data: [DONE]' event"))
        return found

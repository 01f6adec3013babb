"""Benchmark chatchunk against its peers, all measured in one process.

Run:  pip install -e '.[bench]' && python benchmarks/bench.py > report.md
      (atoma-sdk, the Speakeasy-generated peer, installs apart: see benchmarks/README.md)

The corpus is generated (benchmarks/corpus.py): realistic streams of 1k and 10k
chunks by default. Per size, every case of a group runs in interleaved rounds,
so that a burst of noise on a shared machine hits all of them alike; each
round times enough whole passes over the stream to last ``--min-time``. The
report gives the median time per operation (a chunk, an event, a file), the
spread of the rounds, and the ratios against each peer with the targets next
to them. Setup objects (the corpus, parsed chunks) are frozen out of the
garbage collector (``gc.freeze()``) before the rounds. The accumulator's
linearity and memory are measured in fresh subprocesses, one per size.

Peers that are not installed are left out with a note. ``--quick`` runs tiny
sizes and few rounds: CI uses it to keep the script working, and its numbers
mean nothing.
"""

import argparse
import contextlib
import gc
import importlib.util
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

import bench_events
import bench_normalize
import chatchunk
import corpus
import peers
import scaling

GROUPS = ("parse", "dump", "stream", "accumulate", "linearity", "memory", "cli", "write", "relay")
GROUPS += ("normalize",)  # benchmarks/bench_normalize.py
GROUPS += ("events",)  # benchmarks/bench_events.py
# Run only when named with --only: minutes of subprocesses (benchmarks/scaling.py).
OPT_IN = ("scaling",)
GROUPS += OPT_IN

OURS = {
    "parse": "chatchunk parse_chunk",
    "dump": "chatchunk dump_chunk",
    "stream": "chatchunk iter_events",
    "accumulate": "chatchunk ChunkAccumulator",
    "write": "chatchunk ChunkWriter.content",
    "relay": "chatchunk relay loop (transform + frame)",
    "normalize": bench_normalize.NO_CHANGE,
    "events": bench_events.FEED,
}
DECODER = "chatchunk iter_sse (decoder only)"
OPENAI_DECODER = "openai SSEDecoder (decoder only)"

# Peers too slow to run on every size: per-event or quadratic costs that would
# make a round last minutes. They are skipped above these sizes, with a note.
CAPS = {
    "atoma-sdk EventStream": 2_000,  # ~0.5 ms an event: pydantic create_model per event
    "openai ChatCompletionStreamState": 10_000,  # quadratic: re-dumps the message per chunk
}

SEED = 0
X = "\u00d7"  # the multiplication sign, spelled out for the linter


# -- cases -----------------------------------------------------------------------------------


class Case(NamedTuple):
    group: str
    name: str
    call: str
    """The exact call measured, for the legend."""
    run: Callable[[Any], int]
    """One pass over the stream; gets what ``setup`` made, returns the operations done."""
    ops: int
    """Operations in one pass: chunks, events or files."""
    setup: Optional[Callable[[], Any]] = None
    """Untimed, before each pass, for cases that consume or change their input."""


class Data:
    """The corpus at one size: payloads, the SSE body and its network-sized pieces."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.payloads = corpus.make_stream(n, seed)
        self.body = corpus.sse_body(self.payloads)
        self.pieces = corpus.split_body(self.body, seed)


class Env:
    """The peers found, and the notes for the report."""

    def __init__(self) -> None:
        self.notes: List[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.openai, why_openai = peers.optional(peers.load_openai)
            self.atoma, why_atoma = peers.optional(peers.load_atoma)
            self.msgspec, why_msgspec = peers.optional(peers.load_msgspec)
            self.missing, why_missing = peers.optional(peers.load_missing)
            try:
                import orjson

                self.orjson: Any = orjson
            except ImportError:
                self.orjson = None
        for why in (why_openai, why_atoma, why_msgspec, why_missing):
            if why:
                self.note(f"skipped: {why}")
        if self.orjson is None:
            self.note("skipped: orjson not installed")
        for w in caught:
            self.note(f"warning while importing peers: {w.category.__name__}: {w.message}")
        self.client = None
        if self.openai is not None:
            self.client = self.openai.openai.OpenAI(api_key="x", base_url="http://localhost/")

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _loop(func: Callable[[Any], Any], items: Sequence[Any]) -> Callable[[Any], int]:
    def run(_: Any) -> int:
        for item in items:
            func(item)
        return len(items)

    return run


def _drain(make: Callable[[Any], Iterable[Any]]) -> Callable[[Any], int]:
    def run(arg: Any) -> int:
        count = 0
        for _ in make(arg):
            count += 1
        return count

    return run


def parse_cases(data: Data, env: Env) -> List[Case]:
    p = data.payloads
    n = data.n
    cases = [
        Case(
            "parse",
            OURS["parse"],
            "chatchunk.parse_chunk(payload)",
            _loop(chatchunk.parse_chunk, p),
            n,
        ),
    ]
    if env.orjson is not None:
        cases.append(
            Case(
                "parse",
                "orjson.loads (no validation)",
                "orjson.loads(payload)",
                _loop(env.orjson.loads, p),
                n,
            )
        )
    cases.append(
        Case("parse", "json.loads (no validation)", "json.loads(payload)", _loop(json.loads, p), n)
    )
    if env.msgspec is not None:
        decoder = env.msgspec[0]
        cases.append(
            Case(
                "parse",
                "msgspec Struct decode",
                "msgspec.json.Decoder(peers.MsgspecChunk).decode(payload)",
                _loop(decoder.decode, p),
                n,
            )
        )
    if env.openai is not None:
        model = env.openai.ChatCompletionChunk
        cases.append(
            Case(
                "parse",
                "openai model_validate_json",
                "openai.types.chat.ChatCompletionChunk.model_validate_json(payload)",
                _loop(model.model_validate_json, p),
                n,
            )
        )
    if env.atoma is not None:
        model = env.atoma.models.ChatCompletionChunk
        cases.append(
            Case(
                "parse",
                "atoma-sdk model_validate_json",
                "atoma_sdk.models.ChatCompletionChunk.model_validate_json(payload)",
                _loop(model.model_validate_json, p),
                n,
            )
        )
    if env.missing is not None:
        cases.append(
            Case(
                "parse",
                "pydantic MISSING model_validate_json",
                "peers.MissingChunk.model_validate_json(payload)",
                _loop(env.missing.model_validate_json, p),
                n,
            )
        )
    return cases


def dump_cases(data: Data, env: Env) -> List[Case]:
    p = data.payloads
    n = data.n
    ours = [chatchunk.parse_chunk(x) for x in p]
    cases = [
        Case(
            "dump",
            OURS["dump"],
            "chatchunk.dump_chunk(chunk)",
            _loop(chatchunk.dump_chunk, ours),
            n,
        )
    ]
    exact: Dict[str, Tuple[Callable[[Any], Any], List[Any]]] = {
        OURS["dump"]: (chatchunk.dump_chunk, ours)
    }
    if env.openai is not None:
        model = env.openai.ChatCompletionChunk
        chunks = [model.model_validate_json(x) for x in p]

        def dump_unset(c: Any) -> str:
            return c.model_dump_json(exclude_unset=True)  # type: ignore[no-any-return]

        def to_json(c: Any) -> str:
            return c.to_json()  # type: ignore[no-any-return]

        cases.append(
            Case(
                "dump",
                "openai model_dump_json(exclude_unset)",
                "chunk.model_dump_json(exclude_unset=True)",
                _loop(dump_unset, chunks),
                n,
            )
        )
        cases.append(
            Case(
                "dump",
                "openai to_json()",
                "chunk.to_json()  (its defaults: indent=2, by_alias, exclude_unset)",
                _loop(to_json, chunks),
                n,
            )
        )
        exact["openai model_dump_json(exclude_unset)"] = (dump_unset, chunks)
        exact["openai to_json()"] = (to_json, chunks)
    if env.atoma is not None:
        model = env.atoma.models.ChatCompletionChunk
        chunks = [model.model_validate_json(x) for x in p]

        def dump_atoma(c: Any) -> str:
            return c.model_dump_json()  # type: ignore[no-any-return]

        cases.append(
            Case(
                "dump",
                "atoma-sdk model_dump_json",
                "chunk.model_dump_json()",
                _loop(dump_atoma, chunks),
                n,
            )
        )
        exact["atoma-sdk model_dump_json"] = (dump_atoma, chunks)
    if env.msgspec is not None:
        decoder, encoder = env.msgspec
        structs = [decoder.decode(x) for x in p]
        cases.append(
            Case(
                "dump",
                "msgspec encode",
                "msgspec.json.Encoder().encode(struct)  (bytes)",
                _loop(encoder.encode, structs),
                n,
            )
        )
        exact["msgspec encode"] = (encoder.encode, structs)
    if env.orjson is not None:
        dicts = [env.orjson.loads(x) for x in p]
        cases.append(
            Case(
                "dump",
                "orjson.dumps (dict)",
                "orjson.dumps(dict)  (bytes, no model)",
                _loop(env.orjson.dumps, dicts),
                n,
            )
        )
    if env.missing is not None:
        chunks = [env.missing.model_validate_json(x) for x in p]

        def dump_missing(c: Any) -> str:
            return c.model_dump_json()  # type: ignore[no-any-return]

        cases.append(
            Case(
                "dump",
                "pydantic MISSING model_dump_json",
                "chunk.model_dump_json()",
                _loop(dump_missing, chunks),
                n,
            )
        )
        exact["pydantic MISSING model_dump_json"] = (dump_missing, chunks)
    # Does each writer give back the payload it read (as JSON values, key order aside)?
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (func, objs) in exact.items():
            same = sum(json.loads(func(o)) == json.loads(x) for o, x in zip(objs, p))
            EXACT[name] = (same, n)
    return cases


EXACT: Dict[str, Tuple[int, int]] = {}


HAND_LOOP = "chatchunk SSEDecoder + validate_json loop (no stream state)"


def _hand_loop(pieces: Sequence[bytes]) -> Iterator[Any]:
    # What iter_events does without its end state, its checks of the body's start and
    # of invalid UTF-8: the baseline that says what they cost per event.
    decoder = chatchunk.SSEDecoder()
    validate = chatchunk.ChatCompletionChunk.__pydantic_validator__.validate_json
    for piece in pieces:
        for event in decoder.feed(piece):
            if event.data == "[DONE]":
                return
            yield validate(event.data)


def stream_cases(data: Data, env: Env) -> List[Case]:
    pieces = data.pieces
    n = data.n
    cases = [
        Case(
            "stream",
            OURS["stream"],
            "for item in chatchunk.iter_events(iter(pieces))",
            _drain(lambda _: chatchunk.iter_events(iter(pieces))),
            n,
        ),
        Case(
            "stream",
            DECODER,
            "for event in chatchunk.iter_sse(iter(pieces))",
            _drain(lambda _: chatchunk.iter_sse(iter(pieces))),
            n,
        ),
        Case(
            "stream",
            HAND_LOOP,
            "SSEDecoder().feed(piece) and validate_json(event.data), in a plain loop",
            _drain(lambda _: _hand_loop(pieces)),
            n,
        ),
    ]
    if env.openai is not None:
        oa = env.openai
        http = oa.http
        client = env.client

        def response() -> Any:
            return http.Response(
                200,
                content=iter(pieces),
                headers={"content-type": "text/event-stream"},
                request=http.Request("GET", "http://localhost/"),
            )

        cases.append(
            Case(
                "stream",
                "openai Stream",
                "for chunk in openai.Stream(cast_to=ChatCompletionChunk, response="
                f"{http.__name__}.Response(200, content=iter(pieces), ...), "
                "client=openai.OpenAI(...))",
                _drain(
                    lambda resp: oa.openai.Stream(
                        cast_to=oa.ChatCompletionChunk, response=resp, client=client
                    )
                ),
                n,
                setup=response,
            )
        )
        cases.append(
            Case(
                "stream",
                OPENAI_DECODER,
                "for sse in client._make_sse_decoder().iter_bytes(iter(pieces))  (private API)",
                _drain(lambda _: client._make_sse_decoder().iter_bytes(iter(pieces))),  # type: ignore[union-attr]
                n + 1,  # it yields the [DONE] event too
            )
        )
    if env.atoma is not None:
        if n > CAPS["atoma-sdk EventStream"]:
            env.note(
                f"atoma-sdk EventStream skipped above {CAPS['atoma-sdk EventStream']} chunks"
                " (~0.5 ms an event; see the smaller size)"
            )
        else:
            at = env.atoma

            def decode(raw: str) -> Any:
                # What atoma_sdk.Chat.create_stream hands to EventStream.
                return at.utils.unmarshal_json(raw, at.models.ChatCompletionStreamResponse)

            def atoma_response() -> Any:
                return at.httpx.Response(
                    200,
                    content=iter(pieces),
                    headers={"content-type": "text/event-stream"},
                    request=at.httpx.Request("GET", "http://localhost/"),
                )

            cases.append(
                Case(
                    "stream",
                    "atoma-sdk EventStream",
                    "for event in atoma_sdk.utils.eventstreaming.EventStream(httpx.Response(200, "
                    "content=iter(pieces), ...), lambda raw: utils.unmarshal_json(raw, "
                    'models.ChatCompletionStreamResponse), sentinel="[DONE]")',
                    _drain(
                        lambda resp: at.eventstreaming.EventStream(resp, decode, sentinel="[DONE]")
                    ),
                    n,
                    setup=atoma_response,
                )
            )
    return cases


def accumulate_cases(data: Data, env: Env) -> List[Case]:
    p = data.payloads
    n = data.n
    # Parsed once, before the rounds: only the merging is timed. Neither accumulator
    # changes the chunks it is given, so the same ones serve every pass.
    chunks = [chatchunk.parse_chunk(x) for x in p]

    def ours(_: Any) -> int:
        acc = chatchunk.ChunkAccumulator()
        for chunk in chunks:
            acc.add(chunk)
        acc.result()
        return len(chunks)

    cases = [
        Case(
            "accumulate",
            OURS["accumulate"],
            "acc = ChunkAccumulator(); acc.add(chunk) for each chunk; acc.result()",
            ours,
            n,
        )
    ]
    if env.openai is not None:
        if n > CAPS["openai ChatCompletionStreamState"]:
            env.note(
                "openai ChatCompletionStreamState skipped above "
                f"{CAPS['openai ChatCompletionStreamState']} chunks"
                " (quadratic; see the smaller sizes)"
            )
            return cases
        oa = env.openai
        openai_chunks = [oa.ChatCompletionChunk.model_validate_json(x) for x in p]

        def theirs(_: Any) -> int:
            state = oa.ChatCompletionStreamState()
            for chunk in openai_chunks:
                state.handle_chunk(chunk)
            state.get_final_completion()
            return len(openai_chunks)

        cases.append(
            Case(
                "accumulate",
                "openai ChatCompletionStreamState",
                "state = ChatCompletionStreamState(); state.handle_chunk(chunk) for each chunk; "
                "state.get_final_completion()",
                theirs,
                n,
            )
        )
        _check_same_result(chunks, openai_chunks, env)
    return cases


def _check_same_result(ours: List[Any], theirs: List[Any], env: Env) -> None:
    acc = chatchunk.ChunkAccumulator()
    for chunk in ours:
        acc.add(chunk)
    mine = acc.result().choices[0].message
    state = env.openai.ChatCompletionStreamState()  # type: ignore[union-attr]
    for chunk in theirs:
        state.handle_chunk(chunk)
    other = state.get_final_completion().choices[0].message
    same = mine.content == other.content and [
        (c.id, c.function.name, c.function.arguments) for c in mine.tool_calls or ()
    ] == [(c.id, c.function.name, c.function.arguments) for c in other.tool_calls or ()]
    if not same:
        env.note("accumulate: chatchunk and openai disagree on the final message")


WRITE_CONTENT = "chatchunk ChunkWriter.content"
WRITE_ARGUMENTS = "chatchunk ChunkWriter.tool_arguments"
WRITE_FINISH = "chatchunk ChunkWriter.finish"
VLLM_STYLE = "openai models + model_dump_json (vLLM-style)"
MSGSPEC_BUILT = "msgspec Struct built + encode"


def _steps(payloads: Sequence[bytes]) -> Tuple[List[str], List[Tuple[int, str]], List[str]]:
    """The corpus's content tokens, tool-argument fragments and finish reasons."""
    texts: List[str] = []
    arguments: List[Tuple[int, str]] = []
    finishes: List[str] = []
    for payload in payloads:
        for choice in json.loads(payload)["choices"]:
            delta = choice.get("delta", {})
            if isinstance(delta.get("content"), str) and delta["content"] and not delta.get("role"):
                texts.append(delta["content"])
            for call in delta.get("tool_calls") or ():
                if "id" not in call:
                    arguments.append((call["index"], call["function"]["arguments"]))
            if choice.get("finish_reason"):
                finishes.append(choice["finish_reason"])
    # A stream has one finish per choice: repeat them to time as many frames as tokens.
    finishes = (finishes * len(texts))[: len(texts)]
    return texts, arguments, finishes


def _peer_steps(
    frame: Callable[..., bytes], delta: Any, tool_call: Any, function: Any
) -> Dict[str, Callable[[Any], bytes]]:
    """The three steps with one peer's classes; ``frame(delta, finish_reason)`` writes one."""
    return {
        "content": lambda text: frame(delta(content=text)),
        "tool arguments": lambda step: frame(
            delta(tool_calls=[tool_call(index=step[0], function=function(arguments=step[1]))])
        ),
        "finish": lambda reason: frame(delta(), reason),
    }


def writer_cases(data: Data, env: Env) -> List[Case]:
    """A server's frames, one per step: the writer against building a chunk per token."""
    from chatchunk._writer import ChunkWriter

    texts, arguments, finishes = _steps(data.payloads)
    envelope = {
        "id": corpus.STREAM_ID,
        "created": corpus.CREATED,
        "model": corpus.MODEL,
        "system_fingerprint": corpus.FINGERPRINT,
        "service_tier": "default",
    }
    # The corpus is OpenAI's stream with include_usage: `"usage": null` on every chunk.
    writer = ChunkWriter(**envelope, include_usage=True)  # type: ignore[arg-type]
    content, tool_arguments, finish = writer.content, writer.tool_arguments, writer.finish
    ours: Dict[str, Tuple[Callable[[Any], bytes], List[Any]]] = {
        "content": (content, texts),
        "tool arguments": (lambda step: tool_arguments(*step), arguments),
        "finish": (finish, finishes),
    }
    peers_: Dict[str, Dict[str, Callable[[Any], bytes]]] = {}
    if env.openai is not None:
        from openai.types.chat import chat_completion_chunk as oa

        head = {**envelope, "object": "chat.completion.chunk", "usage": None}

        def vllm(delta: Any, finish_reason: Any = None) -> bytes:
            # vLLM's serving_chat: a model per token, exclude_unset, an f-string frame.
            chunk = env.openai.ChatCompletionChunk(  # type: ignore[union-attr]
                **head,
                choices=[
                    oa.Choice(index=0, delta=delta, logprobs=None, finish_reason=finish_reason)
                ],
            )
            return f"data: {chunk.model_dump_json(exclude_unset=True)}\n\n".encode()

        peers_[VLLM_STYLE] = _peer_steps(
            vllm, oa.ChoiceDelta, oa.ChoiceDeltaToolCall, oa.ChoiceDeltaToolCallFunction
        )
    if env.msgspec is not None:
        encode = env.msgspec[1].encode
        ms = peers

        def built(delta: Any, finish_reason: Any = None) -> bytes:
            chunk = ms.MsgspecChunk(
                id=corpus.STREAM_ID,
                choices=[
                    ms.MsgspecChoice(
                        index=0, delta=delta, logprobs=None, finish_reason=finish_reason
                    )
                ],
                created=corpus.CREATED,
                model=corpus.MODEL,
                object="chat.completion.chunk",
                system_fingerprint=corpus.FINGERPRINT,
                service_tier="default",
                usage=None,
            )
            return b"data: " + encode(chunk) + b"\n\n"  # type: ignore[no-any-return]

        peers_[MSGSPEC_BUILT] = _peer_steps(
            built, ms.MsgspecDelta, ms.MsgspecToolCall, ms.MsgspecToolCallFunction
        )
    names = {
        "content": WRITE_CONTENT,
        "tool arguments": WRITE_ARGUMENTS,
        "finish": WRITE_FINISH,
    }
    calls = {
        "content": "writer.content(text)",
        "tool arguments": "writer.tool_arguments(call, fragment)",
        "finish": "writer.finish(reason)",
    }
    peer_calls = {
        VLLM_STYLE: 'f"data: {ChatCompletionChunk(..., choices=[Choice(index=0, delta='
        "ChoiceDelta(...), logprobs=None, finish_reason=...)]).model_dump_json("
        'exclude_unset=True)}\\n\\n".encode()',
        MSGSPEC_BUILT: 'b"data: " + encoder.encode(peers.MsgspecChunk(..., choices=['
        'MsgspecChoice(index=0, delta=MsgspecDelta(...), ...)])) + b"\\n\\n"',
    }
    cases = []
    for kind, (func, items) in ours.items():
        if not items:
            env.note(f"write: the corpus has no {kind} steps at {data.n} chunks")
            continue
        cases.append(
            Case(
                "write",
                names[kind],
                f"{calls[kind]}  (ChunkWriter(id, model, created, ..., include_usage=True))",
                _loop(func, items),
                len(items),
            )
        )
        for peer, funcs in peers_.items():
            # The same JSON, or the comparison would not be like for like.
            if any(json.loads(funcs[kind](x)[6:]) != json.loads(func(x)[6:]) for x in items):
                env.note(f"write: {peer} writes other JSON than the writer for {kind} frames")
            cases.append(
                Case(
                    "write",
                    f"{peer}, {kind}",
                    f"{peer_calls[peer]}  ({kind})",
                    _loop(funcs[kind], items),
                    len(items),
                )
            )
    return cases


# HOOK(cli): `chatchunk validate` is measured when src/chatchunk/_cli.py exists and has
# `main(argv) -> int`; otherwise the cli group is skipped with a note.
def cli_main(env: Env) -> Optional[Callable[[List[str]], Any]]:
    if importlib.util.find_spec("chatchunk._cli") is None:
        env.note("cli: skipped, chatchunk._cli does not exist yet (hook `cli_cases` is ready)")
        return None
    try:
        from chatchunk import _cli  # type: ignore[attr-defined]
    except Exception as exc:
        env.note(f"cli: skipped, chatchunk._cli does not import ({type(exc).__name__}: {exc})")
        return None
    main = getattr(_cli, "main", None)
    if main is None:
        env.note("cli: skipped, chatchunk._cli has no main()")
    return main


def _run_cli(main: Callable[[List[str]], Any], argv: List[str], out: Any, err: Any) -> int:
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return 0 if code is None else int(code) if isinstance(code, int) else 1


def cli_cases(data: Data, env: Env, workdir: Path) -> List[Case]:
    main = cli_main(env)
    if main is None:
        return []
    jsonl = workdir / f"stream-{data.n}.jsonl"
    sse = workdir / f"stream-{data.n}.sse"
    jsonl.write_bytes(b"\n".join(data.payloads) + b"\n")
    sse.write_bytes(data.body)
    variants = [
        ("JSON Lines", "JSON Lines", ["validate", str(jsonl)]),
        ("SSE", "SSE", ["validate", str(sse)]),
        ("SSE, --strict", "SSE", ["validate", "--strict", str(sse)]),
    ]
    cases = []
    for kind, fmt, argv in variants:
        err = io.StringIO()
        code = _run_cli(main, argv, io.StringIO(), err)
        if code != 0:
            env.note(
                f"cli: `chatchunk {' '.join(argv[:-1])}` exited {code} on the {kind} file: "
                f"{err.getvalue()[:200]!r}"
            )
            continue

        def run(_: Any, argv: List[str] = argv) -> int:
            # Opening devnull costs microseconds; a run costs milliseconds.
            with open(os.devnull, "w") as devnull:
                _run_cli(main, argv, devnull, devnull)
            return 1

        name = f"chatchunk validate ({kind})"
        CLI_SIZES[name, data.n] = Path(argv[-1]).stat().st_size
        shown = ", ".join(repr(a) for a in argv[:-1])
        cases.append(
            Case(
                "cli",
                name,
                f"chatchunk._cli.main([{shown}, path]), stdout to devnull; {fmt} file",
                run,
                1,
            )
        )
    return cases


CLI_SIZES: Dict[Tuple[str, int], int] = {}


# -- measuring -------------------------------------------------------------------------------


class Timing(NamedTuple):
    group: str
    name: str
    size: int
    times: List[float]
    """Microseconds per operation, one per round."""
    passes: int


def _one_pass(case: Case) -> Tuple[int, int]:
    arg = case.setup() if case.setup is not None else None
    if case.setup is not None:
        gc.freeze()  # the fresh input leaves the collector like the rest of the setup
    start = time.perf_counter_ns()
    done = case.run(arg)
    elapsed = time.perf_counter_ns() - start
    return done, elapsed


def measure(cases: List[Case], size: int, rounds: int, min_time: float, env: Env) -> List[Timing]:
    """Warm each case up, then time them all in interleaved rounds."""
    kept: List[Tuple[Case, int]] = []
    for case in cases:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            done, elapsed = _one_pass(case)
        if caught:
            kinds = sorted(
                {f"{w.category.__name__}: {str(w.message).split('. ')[0]}" for w in caught}
            )
            env.note(
                f"{case.name}: {len(caught) / case.ops:.0f} warnings per operation "
                f"(timed with warnings ignored): {'; '.join(kinds)}"
            )
        if done != case.ops:
            env.note(f"{case.name}: dropped, did {done} operations instead of {case.ops}")
            continue
        passes = max(1, math.ceil(min_time * 1e9 / max(elapsed, 1)))
        kept.append((case, passes))
    # Everything made so far lives to the end: keep the collector from walking it.
    gc.collect()
    gc.freeze()
    times: Dict[str, List[float]] = {case.name: [] for case, _ in kept}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for r in range(rounds):
                # Rotate the order, so that no case always runs first or last.
                shift = r % len(kept) if kept else 0
                for case, passes in kept[shift:] + kept[:shift]:
                    total = 0
                    for _ in range(passes):
                        total += _one_pass(case)[1]
                    times[case.name].append(total / passes / case.ops / 1000.0)
    finally:
        gc.unfreeze()
        gc.collect()
    return [Timing(c.group, c.name, size, times[c.name], p) for c, p in kept]


RELAY_MODEL = "gateway-model"


def relay_cases(data: Data, env: Env) -> List[Case]:
    """A gateway's per-chunk work: change ``model`` on a parsed chunk and write its frame."""
    from chatchunk._encode import frames
    from chatchunk._relay import relay

    n = data.n
    pieces = data.pieces
    chunks = [chatchunk.parse_chunk(x) for x in data.payloads]
    dump_chunk = chatchunk.dump_chunk

    def rename(chunk: Any) -> Any:
        chunk.model = RELAY_MODEL
        return chunk

    def hand(chunk: Any) -> bytes:
        chunk.model = RELAY_MODEL
        return b"data: " + dump_chunk(chunk).encode() + b"\n\n"

    def hand_relay(_: Any) -> Iterator[bytes]:
        for item in chatchunk.iter_events(pieces):
            yield hand(item)

    def chunk_frames(make: Callable[[Any], Iterable[bytes]]) -> Callable[[Any], int]:
        def run(arg: Any) -> int:
            count = -1  # the [DONE] frame is no chunk
            for _ in make(arg):
                count += 1
            return count

        return run

    return [
        Case(
            "relay",
            OURS["relay"],
            "for frame in chatchunk._encode.frames(chunks, 'end', rename)  (relay's loop after "
            "iter_events; rename sets chunk.model)",
            chunk_frames(lambda _: frames(chunks, "end", rename)),
            n,
        ),
        Case(
            "relay",
            "chatchunk dump_chunk + framing (hand loop)",
            'chunk.model = ...; b"data: " + dump_chunk(chunk).encode() + b"\\n\\n"',
            _loop(hand, chunks),
            n,
        ),
        Case(
            "relay",
            "chatchunk relay (bytes in, bytes out)",
            "for frame in relay(iter(pieces), rename)",
            chunk_frames(lambda _: relay(pieces, rename)),
            n,
        ),
        Case(
            "relay",
            "chatchunk iter_events + dump_chunk + framing",
            "for chunk in iter_events(pieces): hand(chunk)",
            _drain(hand_relay),
            n,
        ),
    ]


BUILDERS = {
    "parse": parse_cases,
    "dump": dump_cases,
    "stream": stream_cases,
    "accumulate": accumulate_cases,
    "write": writer_cases,
    "relay": relay_cases,
    "normalize": lambda data, env: bench_normalize.cases(data, Case),
    "events": lambda data, env: bench_events.cases(data, Case),
}


# The read side's two targets are in every report, whichever groups run: no change on
# the write side may slow parse_chunk or dump_chunk down unseen.
READ_SIDE = {
    ("parse", OURS["parse"]),
    ("parse", "openai model_validate_json"),
    ("dump", OURS["dump"]),
    ("dump", "openai model_dump_json(exclude_unset)"),
}


def read_side_cases(data: Data, env: Env, cases: List[Case]) -> List[Case]:
    """The cases of `READ_SIDE` that ``cases`` lacks."""
    have = {(c.group, c.name) for c in cases}
    found: List[Case] = []
    for group, build in (("parse", parse_cases), ("dump", dump_cases)):
        if {key for key in READ_SIDE if key[0] == group} <= have:
            continue
        found.extend(c for c in build(data, env) if (group, c.name) in READ_SIDE - have)
    return found


def run_sizes(
    groups: List[str], sizes: List[int], rounds: int, min_time: float, env: Env
) -> Tuple[List[Timing], List[Case]]:
    timings: List[Timing] = []
    legend: List[Case] = []
    for n in sizes:
        data = Data(n, SEED)
        cases: List[Case] = []
        for group in groups:
            if group in BUILDERS:
                cases.extend(BUILDERS[group](data, env))
        if "stream" in groups and "parse" not in groups:
            # The decoder's share is measured against parse_chunk on the same payloads.
            cases.extend(c for c in parse_cases(data, env) if c.name == OURS["parse"])
        cases.extend(read_side_cases(data, env, cases))
        with tempfile.TemporaryDirectory() as tmp:
            if "cli" in groups:
                cases.extend(cli_cases(data, env, Path(tmp)))
            if not cases:
                continue
            print(f"measuring {len(cases)} cases at {n} chunks...", file=sys.stderr)
            timings.extend(measure(cases, n, rounds, min_time, env))
        known = {c.name for c in legend}
        legend.extend(c for c in cases if c.name not in known)
        del data, cases
    return timings, legend


# -- linearity and memory, each size in a fresh subprocess ----------------------------------


def child_linearity(n: int, repeat: int) -> Dict[str, Any]:
    """Seconds to add ``n`` parsed chunks to a fresh accumulator and take the result."""
    chunks = [chatchunk.parse_chunk(p) for p in corpus.make_stream(n, SEED)]
    gc.collect()
    gc.freeze()
    seconds = []
    for i in range(repeat + 1):
        start = time.perf_counter_ns()
        acc = chatchunk.ChunkAccumulator()
        for chunk in chunks:
            acc.add(chunk)
        acc.result()
        if i:  # the first run warms up
            seconds.append((time.perf_counter_ns() - start) / 1e9)
    return {"seconds": seconds}


def child_memory(n: int, logprobs: bool, fill: int) -> Dict[str, Any]:
    """Peak traced memory of ``accumulate(iter_events(pieces))`` against the final text."""
    payloads = corpus.make_stream(n, SEED, logprobs=logprobs)
    pieces = corpus.split_body(corpus.sse_body(payloads), SEED)
    del payloads
    tracemalloc.start()
    # pydantic-core keeps the short strings it parses in a process-wide cache of
    # 16384 entries (about 1 MiB here): fill it first, with another stream, so that
    # this bounded constant is not counted against the accumulator. (Traced, so that
    # the entries the stream below evicts are counted as freed.)
    for payload in corpus.make_stream(fill, SEED + 1) if fill >= 3 else ():
        chatchunk.parse_chunk(payload)
    gc.collect()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    acc = chatchunk.ChunkAccumulator()
    for item in chatchunk.iter_events(iter(pieces)):
        acc.add(item)
    result = acc.result()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    texts: List[str] = []
    tokens = 0
    for choice in result.choices:
        message = choice.message
        for text in (message.content, message.refusal, message.reasoning_content):
            if isinstance(text, str):
                texts.append(text)
        for call in message.tool_calls or ():
            texts.extend((call.function.name, call.function.arguments))
        if choice.logprobs:
            tokens += len(choice.logprobs.content or ())
    return {
        "peak": peak - base,
        "retained": current - base,
        "text_memory": sum(sys.getsizeof(t) for t in texts),
        "text_utf8": sum(len(t.encode()) for t in texts),
        "text_chars": sum(len(t) for t in texts),
        "logprob_tokens": tokens,
    }


STRING_CACHE_FILL = 20_000


def _child(kind: str, n: int, repeat: int, fill: int = 0) -> Dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        str(n),
        "--repeat",
        str(repeat),
        "--fill",
        str(fill),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr}")
    return json.loads(out.stdout)  # type: ignore[no-any-return]


class Linearity(NamedTuple):
    small: int
    large: int
    small_s: List[float]
    large_s: List[float]

    @property
    def ratio(self) -> float:
        """The fastest large run over the fastest small one.

        The question is how the accumulator's own cost grows, and a run can only be
        slowed by the rest of a shared machine, never sped up: each size's best run is the
        one least disturbed. Medians moved from 6.7x to 12.1x between runs of the same code.
        """
        return min(self.large_s) / min(self.small_s)

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.large_s) / statistics.median(self.small_s)


def run_linearity(small: int, large: int, alternations: int, repeat: int) -> Linearity:
    # Alternate the sizes, so that noise does not fall on one of them only.
    small_s: List[float] = []
    large_s: List[float] = []
    for _ in range(alternations):
        print(f"linearity: {small} and {large} chunks in subprocesses...", file=sys.stderr)
        small_s += _child("linearity", small, repeat)["seconds"]
        large_s += _child("linearity", large, repeat)["seconds"]
    return Linearity(small, large, small_s, large_s)


def run_memory(sizes: Sequence[int], fill: int) -> Dict[Tuple[str, int], Dict[str, Any]]:
    """Per corpus variant (``text``: no logprobs; ``logprobs``: the default corpus) and size."""
    found = {}
    for variant in ("text", "logprobs"):
        for n in sizes:
            print(f"memory: {n} chunks ({variant}) in a subprocess...", file=sys.stderr)
            found[variant, n] = _child(f"memory-{variant}", n, 1, fill)
    return found


# -- report ----------------------------------------------------------------------------------


class Target(NamedTuple):
    group: str
    ours: str
    peer: str
    form: str
    """``time``: ours / peer, lower is better; ``speedup``: peer / ours, higher is better."""
    limit: Optional[float]


TARGETS = [
    Target("events", bench_events.FEED, bench_events.ADD, "time", 1.3),
    Target("events", bench_events.STREAM, bench_events.ACCUMULATE, "time", 1.3),
    # Per chunk: ten times the chunks in at most eleven times the time.
    Target("events", bench_events.LONGER, bench_events.STREAM, "time", 1.1),
    Target("normalize", OURS["normalize"], bench_normalize.BASELINE, "time", 0.3),
    Target("normalize", bench_normalize.CHANGED, bench_normalize.BASELINE, "time", None),
    Target("normalize", bench_normalize.STREAM, bench_normalize.BASELINE, "time", None),
    Target("relay", OURS["relay"], "chatchunk dump_chunk + framing (hand loop)", "time", 1.05),
    Target(
        "relay",
        "chatchunk relay (bytes in, bytes out)",
        "chatchunk iter_events + dump_chunk + framing",
        "time",
        None,
    ),
    Target("parse", OURS["parse"], "openai model_validate_json", "time", 1.0),
    Target("dump", OURS["dump"], "openai model_dump_json(exclude_unset)", "time", 0.85),
    Target("dump", OURS["dump"], "atoma-sdk model_dump_json", "time", 0.15),
    Target("stream", OURS["stream"], "openai Stream", "speedup", 15.0),
    Target("stream", OURS["stream"], "atoma-sdk EventStream", "speedup", 40.0),
    Target("stream", DECODER, OPENAI_DECODER, "speedup", None),
    # What the end state and the checks of iter_events cost per event: about 1.0.
    Target("stream", OURS["stream"], HAND_LOOP, "time", None),
    Target("write", WRITE_CONTENT, f"{VLLM_STYLE}, content", "time", 0.06),
    Target("write", WRITE_CONTENT, f"{MSGSPEC_BUILT}, content", "time", 0.6),
    Target("write", WRITE_ARGUMENTS, f"{VLLM_STYLE}, tool arguments", "time", None),
    Target("write", WRITE_ARGUMENTS, f"{MSGSPEC_BUILT}, tool arguments", "time", None),
    Target("write", WRITE_FINISH, f"{VLLM_STYLE}, finish", "time", None),
    Target("write", WRITE_FINISH, f"{MSGSPEC_BUILT}, finish", "time", None),
]
DECODER_SHARE_LIMIT = 0.25
LINEARITY_LIMIT = 11.0
MEMORY_LIMIT = 3.0


def _ratio(
    timings: Dict[Tuple[str, str, int], Timing],
    a: Tuple[str, str],
    b: Tuple[str, str],
    size: int,
) -> Optional[float]:
    """The median over rounds of time(a) / time(b), each pair timed in the same round.

    Pairing by round keeps a slow stretch of a shared machine, which falls on both
    cases of a round, out of the ratio better than a ratio of the two medians does.
    """
    ta, tb = timings.get((*a, size)), timings.get((*b, size))
    if ta is None or tb is None:
        return None
    return statistics.median(x / y for x, y in zip(ta.times, tb.times))


def _num(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}" if x < 1000 else f"{x:.0f}"


def _fmt_size(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _verdict(values: List[float], ok: Callable[[float], bool]) -> str:
    if not values:
        return "n/a"
    return "met" if all(ok(v) for v in values) else "**not met**"


def ratio_rows(timings: List[Timing], sizes: List[int], groups: List[str]) -> List[List[str]]:
    by_key = {(t.group, t.name, t.size): t for t in timings}
    names = {(t.group, t.name) for t in timings}
    pairs: List[Target] = list(TARGETS)
    targeted = {(t.group, t.peer) for t in TARGETS}
    for group, ours in OURS.items():
        for g, name in sorted(names):
            if g == group and not name.startswith("chatchunk") and (group, name) not in targeted:
                pairs.append(Target(group, ours, name, "time", None))
    groups_run = {t.group for t in timings} & (set(groups) | {g for g, _ in READ_SIDE})
    rows = []
    for pair in sorted(pairs, key=lambda p: list(OURS).index(p.group)):
        if (pair.group, pair.peer) not in names:
            if pair.limit is not None and pair.group in groups_run:
                # A target whose peer is missing: say so rather than drop it.
                target = (
                    f"≤ {pair.limit:g}{X}" if pair.form == "time" else f"≥ {pair.limit:g}{X} faster"
                )
                rows.append(
                    [f"{pair.ours} vs {pair.peer}", "peer not measured", target, "—", "n/a"]
                )
            continue
        cells, values = [], []
        for n in sizes:
            value = _ratio(by_key, (pair.group, pair.ours), (pair.group, pair.peer), n)
            if value is None:
                continue
            if pair.form != "time":
                value = 1 / value
            values.append(value)
            cells.append(f"{_fmt_size(n)}: {value:.2f}{X}")
        if pair.form == "time":
            measure_ = "time ours / peer (lower is better)"
            target = f"≤ {pair.limit:g}{X}" if pair.limit else "—"
            verdict = _verdict(values, lambda v, lim=pair.limit: v <= lim) if pair.limit else ""
        else:
            measure_ = "speedup peer / ours (higher is better)"
            target = f"≥ {pair.limit:g}{X} faster" if pair.limit else "—"
            verdict = _verdict(values, lambda v, lim=pair.limit: v >= lim) if pair.limit else ""
        rows.append(
            [f"{pair.ours} vs {pair.peer}", measure_, target, " · ".join(cells) or "—", verdict]
        )
    # The decoder's share of the work: iter_sse per event over parse_chunk per chunk.
    shares = []
    for n in sizes:
        share = _ratio(by_key, ("stream", DECODER), ("parse", OURS["parse"]), n)
        if share is not None:
            shares.append((n, share))
    if shares:
        rows.append(
            [
                "decoder overhead: chatchunk iter_sse / parse_chunk",
                "share of parse_chunk's time",
                f"≤ {DECODER_SHARE_LIMIT:.0%}",
                " · ".join(f"{_fmt_size(n)}: {v:.1%}" for n, v in shares),
                _verdict([v for _, v in shares], lambda v: v <= DECODER_SHARE_LIMIT),
            ]
        )
    return rows


def table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> List[str]:
    align = align or "l" * len(header)
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines(args: argparse.Namespace) -> List[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    dists = [
        "pydantic",
        "pydantic-core",
        "openai",
        "httpx",
        "httpx2",
        "atoma-sdk",
        "msgspec",
        "orjson",
    ]
    return [
        f"- platform: {platform.platform()} ({platform.machine()})",
        f"- CPU: {_cpu_model()}, {os.cpu_count()} logical CPUs; load average at start: {load}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- chatchunk {chatchunk.__version__}; " + ", ".join(f"{d} {_version(d)}" for d in dists),
        f"- settings: sizes {', '.join(map(str, args.sizes))} chunks; {args.rounds} rounds; "
        f"≥ {args.min_time:g} s per case per round; seed {SEED}"
        + ("; **--quick: numbers mean nothing**" if args.quick else ""),
    ]


def corpus_lines(sizes: List[int]) -> List[str]:
    rows = []
    for n in sizes:
        payloads = corpus.make_stream(n, SEED)
        s = corpus.stream_stats(payloads)
        pieces = corpus.split_body(corpus.sse_body(payloads), SEED)
        rows.append(
            [
                str(n),
                f"{s.body_bytes / 1e6:.2f} MB",
                f"{s.mean_payload:.0f} B",
                str(s.content_chunks),
                str(s.tool_fragments),
                str(s.logprob_chunks),
                f"{len(pieces)} {X} {s.body_bytes / len(pieces) / 1024:.1f} KiB",
            ]
        )
    return table(
        [
            "chunks",
            "SSE body",
            "mean payload",
            "content",
            "tool fragments",
            "with logprobs",
            "pieces",
        ],
        rows,
        "rrrrrrr",
    )


def report(
    args: argparse.Namespace,
    env: Env,
    timings: List[Timing],
    legend: List[Case],
    linearity: Optional[Linearity],
    memory: Optional[Dict[Tuple[str, int], Dict[str, Any]]],
) -> str:
    out = ["# chatchunk benchmarks", "", "## Machine", "", *machine_lines(args), ""]
    out += ["## Corpus", "", *corpus_lines(args.sizes), ""]
    if timings:
        out += ["## Time per operation", ""]
        out.append(
            "µs per chunk (parse, dump, accumulate), per event (stream) or per file (cli); "
            "median of the rounds, spread = min-max of the rounds and (max - min) / median."
        )
        out.append("")
        order = {g: i for i, g in enumerate(GROUPS)}
        rows = []
        for t in sorted(
            timings, key=lambda t: (order[t.group], t.size, statistics.median(t.times))
        ):
            med = statistics.median(t.times)
            lo, hi = min(t.times), max(t.times)
            rows.append(
                [
                    t.group,
                    t.name,
                    str(t.size),
                    _num(med),
                    f"{_num(lo)}-{_num(hi)}",
                    f"{(hi - lo) / med:.0%}",
                    f"{len(t.times)}{X}{t.passes}",
                ]
            )
        out += table(
            ["group", "case", "chunks", "median µs/op", "spread µs", "±", f"rounds{X}passes"],
            rows,
            "llrrrrr",
        )
        out.append("")
    rows = ratio_rows(timings, args.sizes, args.groups)
    if linearity is not None:
        per = [
            f"{_fmt_size(n)}: {min(s) / n * 1e6:.2f} µs/chunk"
            for n, s in ((linearity.small, linearity.small_s), (linearity.large, linearity.large_s))
        ]
        rows.append(
            [
                f"accumulator linearity: time {_fmt_size(linearity.large)}"
                f" / {_fmt_size(linearity.small)} chunks",
                "ratio of each size's fastest run (fresh subprocesses)",
                f"≤ {LINEARITY_LIMIT:g}{X}",
                f"{linearity.ratio:.2f}{X} ({'; '.join(per)}; "
                f"ratio of medians {linearity.median_ratio:.2f}{X})",
                _verdict([linearity.ratio], lambda v: v <= LINEARITY_LIMIT),
            ]
        )
    if memory:
        small, large = min(n for _, n in memory), max(n for _, n in memory)
        m, m0 = memory["text", large], memory["text", small]
        ratio = m["peak"] / m["text_memory"]
        cell = f"{ratio:.2f}{X} at {_fmt_size(large)}"
        values = [ratio]
        if small != large:
            slope = (m["peak"] - m0["peak"]) / (m["text_memory"] - m0["text_memory"])
            const = m0["peak"] - slope * m0["text_memory"]
            values = [slope]
            cell += (
                f"; slope {slope:.2f}{X} + {const / 1024:.0f} KiB"
                f" ({_fmt_size(small)}→{_fmt_size(large)})"
            )
        rows.append(
            [
                "accumulator memory: peak / final text (corpus without logprobs)",
                "tracemalloc peak of accumulate(iter_events(...)) / in-memory size of the text",
                f"≤ {MEMORY_LIMIT:g}{X} text + a constant",
                cell,
                _verdict(values, lambda v: v <= MEMORY_LIMIT),
            ]
        )
    if rows:
        out += [
            "## Ratios and targets",
            "",
            "Each ratio is the median of the per-round ratios of the two cases.",
            "",
        ]
        out += table(["comparison", "measure", "target", "value", "verdict"], rows)
        out.append("")
    if linearity is not None:
        out += ["## Accumulator linearity", ""]
        out += table(
            ["chunks", "median s", "min-max s", "runs"],
            [
                [str(n), f"{statistics.median(s):.4f}", f"{min(s):.4f}-{max(s):.4f}", str(len(s))]
                for n, s in (
                    (linearity.small, linearity.small_s),
                    (linearity.large, linearity.large_s),
                )
            ],
            "rrrr",
        )
        out.append("")
    if memory:
        out += ["## Accumulator memory", ""]
        out.append(
            "Peak = tracemalloc peak while `ChunkAccumulator` takes every item of "
            "`iter_events(iter(pieces))` and returns `result()`; the pieces exist beforehand "
            "and are not counted. Text = the final strings (content, tool names and "
            "arguments) as CPython holds them (`sys.getsizeof`): one emoji makes a whole "
            "string 4 bytes a character, so the UTF-8 size is shown too. The target is "
            "checked on the corpus without logprobs: with them, the result keeps every "
            "token's logprob objects (token, bytes, top_logprobs), which is data the "
            "result holds, not text."
        )
        out.append("")
        rows = []
        for (variant, n), m in sorted(memory.items()):
            rows.append(
                [
                    "no logprobs" if variant == "text" else "default (logprobs)",
                    str(n),
                    f"{m['peak'] / 1024:.0f} KiB",
                    f"{m['retained'] / 1024:.0f} KiB",
                    f"{m['text_memory'] / 1024:.0f} KiB",
                    f"{m['text_utf8'] / 1024:.0f} KiB",
                    str(m["logprob_tokens"]),
                    f"{m['peak'] / m['text_memory']:.2f}{X}",
                ]
            )
        out += table(
            [
                "corpus",
                "chunks",
                "peak",
                "retained",
                "text in memory",
                "text UTF-8",
                "logprob tokens",
                "peak / text",
            ],
            rows,
            "lrrrrrrr",
        )
        out.append("")
    cli = [t for t in timings if t.group == "cli"]
    if cli:
        out += ["## CLI throughput", ""]
        rows = []
        for t in cli:
            size = CLI_SIZES[t.name, t.size]
            seconds = statistics.median(t.times) / 1e6
            rows.append(
                [
                    t.name,
                    str(t.size),
                    f"{size / 1e6:.2f} MB",
                    f"{seconds * 1000:.1f}",
                    f"{size / 1e6 / seconds:.1f}",
                ]
            )
        out += table(["case", "chunks", "file", "median ms", "MB/s"], rows, "lrrrr")
        out.append("")
    if EXACT:
        out += ["## Round trip", ""]
        out.append(
            "Chunks whose dump is the payload read, compared as JSON values (key order aside):"
        )
        out.append("")
        out += table(
            ["writer", "same as input"], [[k, f"{a}/{b}"] for k, (a, b) in EXACT.items()], "lr"
        )
        out.append("")
    if legend:
        out += ["## Cases: the exact call measured", ""]
        out += table(["case", "call"], [[c.name, f"`{c.call}`"] for c in legend])
        out.append("")
    if env.notes:
        out += ["## Notes", ""]
        out += [f"- {n}" for n in env.notes]
        out.append("")
    return "\n".join(out)


# -- command line ----------------------------------------------------------------------------


def _ints(text: str) -> List[int]:
    return [int(x.replace("_", "").replace("k", "000")) for x in text.split(",") if x]


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, few rounds: checks it runs"
    )
    parser.add_argument(
        "--sizes", type=_ints, help="stream sizes in chunks, e.g. 1k,10k (default 1k,10k)"
    )
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 11)")
    parser.add_argument(
        "--min-time", type=float, help="seconds each case runs per round (default 0.1)"
    )
    parser.add_argument(
        "--only",
        action="append",
        help=f"run these groups only (repeat or comma-separate): {', '.join(GROUPS)}",
    )
    parser.add_argument(
        "--linearity-sizes",
        type=_ints,
        help="the two sizes of the linearity and memory runs (default 10k,100k)",
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--fill", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    if args.sizes is None:
        args.sizes = [300] if quick else [1_000, 10_000]
    if args.rounds is None:
        args.rounds = 3 if quick else 11
    if args.min_time is None:
        args.min_time = 0.0 if quick else 0.1
    if args.linearity_sizes is None:
        args.linearity_sizes = [300, 3_000] if quick else [10_000, 100_000]
    if len(args.linearity_sizes) != 2:
        parser.error("--linearity-sizes takes two sizes")
    groups = [g for item in args.only or [] for g in item.split(",") if g]
    for g in groups:
        if g not in GROUPS:
            parser.error(f"unknown group {g!r}; choose from {', '.join(GROUPS)}")
    args.groups = groups or [g for g in GROUPS if g not in OPT_IN]
    if min(args.sizes + args.linearity_sizes) < 3:
        parser.error("a stream has at least 3 chunks")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.child:
        kind, n = args.child[0], int(args.child[1])
        if kind == "linearity":
            found = child_linearity(n, args.repeat)
        else:
            found = child_memory(n, logprobs=kind == "memory-logprobs", fill=args.fill)
        print(json.dumps(found))
        return 0
    EXACT.clear()
    CLI_SIZES.clear()
    env = Env()
    timings, legend = run_sizes(args.groups, args.sizes, args.rounds, args.min_time, env)
    small, large = args.linearity_sizes
    linearity = memory = None
    if "linearity" in args.groups:
        alternations, repeat = (1, 2) if args.quick else (3, 5)
        linearity = run_linearity(small, large, alternations, repeat)
    if "memory" in args.groups:
        memory = run_memory([small, large], 0 if args.quick else STRING_CACHE_FILL)
    print(report(args, env, timings, legend, linearity, memory))
    if "scaling" in args.groups:
        print("\n".join(scaling.lines(scaling.run(quick=args.quick), quick=args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

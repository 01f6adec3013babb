"""Read and write chunks as JSON, on pydantic-core's compiled paths.

The functions call the models' compiled validator and serializer directly:
``model_validate_json`` and ``model_dump_json`` add a Python layer of keyword
handling that costs about a fifth of the work on a small chunk.
"""

from typing import Any, Dict, Optional, Type, TypeVar, Union

from pydantic_core import PydanticSerializationError

from ._base import Model, find_unset
from ._chunk import ChatCompletionChunk

__all__ = ["chunk_to_dict", "dump", "dump_chunk", "parse", "parse_chunk", "to_dict"]

_M = TypeVar("_M", bound=Model)

JsonInput = Union[str, bytes, bytearray, memoryview]

_validate_chunk = ChatCompletionChunk.__pydantic_validator__.validate_json
_serializer = ChatCompletionChunk.__pydantic_serializer__
_to_json = _serializer.to_json


def _unset_error(model: Model, error: Exception) -> Exception:
    """The error a failed dump raises: the field an UNSET was put in, when that is why."""
    found = find_unset(model)
    return error if found is None else found


def parse_chunk(data: JsonInput) -> ChatCompletionChunk:
    """Parse one chunk from JSON text or UTF-8 bytes.

    Raises `pydantic.ValidationError` (a `ValueError`) naming the field path
    and the input when the payload is not JSON or not a chunk.
    """
    if type(data) is memoryview:
        data = data.tobytes()
    return _validate_chunk(data)  # type: ignore[no-any-return]


def dump_chunk(chunk: ChatCompletionChunk, *, indent: Optional[int] = None) -> str:
    """Write a chunk as JSON: compact by default, ``indent`` spaces otherwise.

    Absent fields stay absent, ``None`` is written as ``null``, extras are kept.
    """
    try:
        if indent is None:  # a keyword costs pydantic-core's argument parsing about 1%
            return _to_json(chunk).decode()
        return _to_json(chunk, indent=indent).decode()
    except PydanticSerializationError as exc:
        raise _unset_error(chunk, exc) from None


def chunk_to_dict(chunk: ChatCompletionChunk) -> Dict[str, Any]:
    """Return a chunk as plain JSON-compatible Python data (what `json.loads` gives)."""
    try:
        return _serializer.to_python(chunk, mode="json")  # type: ignore[no-any-return]
    except (PydanticSerializationError, AttributeError) as exc:
        raise _unset_error(chunk, exc) from None


def parse(model_type: Type[_M], data: JsonInput) -> _M:
    """Parse any model of the package from JSON, e.g. ``parse(CompletionUsage, b"{...}")``."""
    if type(data) is memoryview:
        data = data.tobytes()
    return model_type.__pydantic_validator__.validate_json(data)  # type: ignore[no-any-return]


def dump(model: Model, *, indent: Optional[int] = None) -> str:
    """Write any model of the package as JSON, with the same rules as `dump_chunk`."""
    try:
        if indent is None:
            return model.__pydantic_serializer__.to_json(model).decode()
        return model.__pydantic_serializer__.to_json(model, indent=indent).decode()
    except PydanticSerializationError as exc:
        raise _unset_error(model, exc) from None


def to_dict(model: Model) -> Dict[str, Any]:
    """Return any model of the package as plain JSON-compatible Python data."""
    try:
        return model.__pydantic_serializer__.to_python(model, mode="json")  # type: ignore[no-any-return]
    except (PydanticSerializationError, AttributeError) as exc:
        raise _unset_error(model, exc) from None

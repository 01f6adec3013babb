"""Bridges to the official ``openai`` SDK's chat models, both ways.

`from_openai` turns the SDK's ``ChatCompletionChunk`` or ``ChatCompletion`` into
chatchunk's, `to_openai` turns chatchunk's back into the SDK's. Both carry the
payload as the server sent it: a key left out stays left out (chatchunk's `UNSET`,
a field the SDK does not count as set), a ``null`` stays ``None``, and provider
extras are kept at every level. Nothing is coerced on the way: the SDK's own
types are not re-checked on the way back, and chatchunk's strict validator checks
what the SDK holds on the way in.

The SDK is an optional dependency (``pip install 'chatchunk[openai]'``): it is
imported only by `to_openai`, which needs its classes. `from_openai` and the
accumulator only look for it among the modules already imported, because an SDK
object cannot exist without them.
"""

import sys
import types
import typing
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Optional,
    Set,
    Tuple,
    Type,
    Union,
    cast,
    get_args,
    get_origin,
    overload,
)

import typing_extensions
from pydantic import BaseModel
from typing_extensions import Annotated

from ._chunk import ChatCompletionChunk
from ._completion import ChatCompletion
from ._json import chunk_to_dict, to_dict

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion as OpenAIChatCompletion
    from openai.types.chat import ChatCompletionChunk as OpenAIChatCompletionChunk

__all__ = ["chunk_from_foreign", "from_openai", "to_openai"]

_INSTALL = "pip install 'chatchunk[openai]'"

# The SDK's classes live here; the module is in `sys.modules` whenever an SDK object exists.
_SDK_CHAT = "openai.types.chat"

_validate_chunk = ChatCompletionChunk.__pydantic_validator__.validate_python
_validate_completion = ChatCompletion.__pydantic_validator__.validate_python


def _imported_sdk() -> Any:
    """The SDK's chat types if the SDK is already imported, else None: no import is started."""
    return sys.modules.get(_SDK_CHAT)


def _sdk_dict(model: BaseModel) -> Dict[str, Any]:
    # The fields the SDK marks as set, recursively, and its extras: the keys the server
    # sent. `warnings=False`: the SDK builds objects from the wire without validation,
    # so a field can hold a value its annotation does not name (`"finish_reason":
    # "eos"`), which is written as it is either way.
    serializer = type(model).__pydantic_serializer__
    try:
        return serializer.to_python(  # type: ignore[no-any-return]
            model, by_alias=True, exclude_unset=True, warnings=False
        )
    except TypeError:
        # Before pydantic 2.14, a union member the SDK never built (a tool call of a type
        # it does not declare) leaves a mock serializer inside: walk the objects instead.
        return cast(Dict[str, Any], _set_fields(model))


def _set_fields(value: Any) -> Any:
    """What `_sdk_dict` returns, found by walking: set fields in declared order, then extras."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        found: Dict[str, Any] = {}
        for name, field in fields.items():
            if name in value.model_fields_set:
                found[field.alias or name] = _set_fields(getattr(value, name))
        for key, extra in (value.model_extra or {}).items():
            found[key] = _set_fields(extra)
        return found
    if isinstance(value, list):
        return [_set_fields(item) for item in cast(List[Any], value)]  # type: ignore[redundant-cast]
    if isinstance(value, dict):
        return {key: _set_fields(item) for key, item in cast(Dict[str, Any], value).items()}
    return value


@overload
def from_openai(model: "OpenAIChatCompletionChunk") -> ChatCompletionChunk: ...


@overload
def from_openai(model: "OpenAIChatCompletion") -> ChatCompletion: ...


def from_openai(
    model: Union["OpenAIChatCompletionChunk", "OpenAIChatCompletion"],
) -> Union[ChatCompletionChunk, ChatCompletion]:
    """Turn the openai SDK's ``ChatCompletionChunk`` or ``ChatCompletion`` into chatchunk's.

    Only what the server sent is carried over: a field the SDK did not mark as set
    stays `UNSET`, a ``None`` it holds is ``None``, and its extras (unknown keys it keeps
    as attributes) are kept. chatchunk's strict validator checks the values; the
    SDK's own conversions (it reads a JSON ``0`` in a ``float`` field as ``0.0``)
    were made before and are not undone.

    Raises `TypeError` for anything else, and `pydantic.ValidationError` when the SDK
    object holds what chatchunk's model does not accept.
    """
    sdk = _imported_sdk()
    if sdk is not None:
        if isinstance(model, sdk.ChatCompletionChunk):
            return _validate_chunk(_sdk_dict(model))  # type: ignore[no-any-return]
        if isinstance(model, sdk.ChatCompletion):
            return _validate_completion(_sdk_dict(model))  # type: ignore[no-any-return]
    raise TypeError(
        "from_openai() takes the openai SDK's ChatCompletionChunk or ChatCompletion,"
        f" not {_type_name(model)}"
    )


def chunk_from_foreign(item: object) -> ChatCompletionChunk:
    """An SDK chunk as chatchunk's, for `ChunkAccumulator.add`; a `TypeError` for anything else."""
    sdk = _imported_sdk()
    if sdk is not None and isinstance(item, sdk.ChatCompletionChunk):
        return _validate_chunk(_sdk_dict(item))  # type: ignore[no-any-return]
    raise TypeError(
        "ChunkAccumulator.add() takes a ChatCompletionChunk (chatchunk's or the openai"
        f" SDK's), a StreamErrorEvent or an InvalidPayload, not {_type_name(item)}"
    )


def _type_name(value: object) -> str:
    cls = type(value)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


@overload
def to_openai(model: ChatCompletionChunk) -> "OpenAIChatCompletionChunk": ...


@overload
def to_openai(model: ChatCompletion) -> "OpenAIChatCompletion": ...


def to_openai(
    model: Union[ChatCompletionChunk, ChatCompletion],
) -> Union["OpenAIChatCompletionChunk", "OpenAIChatCompletion"]:
    """Turn chatchunk's `ChatCompletionChunk` or `ChatCompletion` into the openai SDK's.

    The SDK object is built without validation, as the SDK builds the objects it
    reads from the wire, and with exactly the fields set that chatchunk would write:
    its ``to_json()`` and ``model_dump(exclude_unset=True)`` give the same JSON as
    `dump_chunk`. Values are not converted: an int stays an int in a ``float``
    field, an unknown ``finish_reason`` stays the string it is. Keys the SDK does not
    declare are its extras; objects the SDK declares and chatchunk keeps as extras
    (``delta.audio``) become the SDK's models.

    Raises `ImportError` when the openai package is not installed, and `TypeError`
    for anything but the two models.
    """
    if isinstance(model, ChatCompletionChunk):
        chunk: OpenAIChatCompletionChunk = _build(_sdk().ChatCompletionChunk, chunk_to_dict(model))
        return chunk
    if isinstance(model, ChatCompletion):  # pyright: ignore[reportUnnecessaryIsInstance]
        completion: OpenAIChatCompletion = _build(_sdk().ChatCompletion, to_dict(model))
        return completion
    raise TypeError(
        f"to_openai() takes chatchunk's ChatCompletionChunk or ChatCompletion,"
        f" not {_type_name(model)}"
    )


def _sdk() -> Any:
    try:
        import openai.types.chat as chat
    except ImportError as error:
        raise ImportError(
            f"to_openai() needs the openai package: {_INSTALL}", name="openai"
        ) from error
    return chat


# --- Building SDK objects without validation ----------------------------------------------
#
# What the SDK's own `construct` does for wire data, minus its conversions: it turns an
# int into a float in a `float` field and validates `Optional[Model]` fields in lax mode.
# Here a value is only ever wrapped in the SDK model its annotation names.

_Convert = Callable[[Any], Any]

# `typing_extensions` has its own `Literal` on Python 3.9; `X | Y` is a `types.UnionType`.
_LITERALS = {typing.Literal, typing_extensions.Literal}
_UNIONS = {Union, getattr(types, "UnionType", Union)}


class _Plan:
    """How to build one SDK model class from JSON data."""

    __slots__ = ("by_key", "defaults", "factories")

    def __init__(self, cls: Type[BaseModel]) -> None:
        self.by_key: Dict[str, Tuple[str, Optional[_Convert]]] = {}
        self.defaults: Dict[str, Any] = {}
        self.factories: List[Tuple[str, Callable[[], Any]]] = []
        for name, field in cls.model_fields.items():
            self.by_key[field.alias or name] = (name, _converter(field.annotation))
            factory = field.default_factory
            if factory is not None:
                self.factories.append((name, factory))  # type: ignore[arg-type]
            else:
                # A required field the data leaves out holds None, as in the SDK's own
                # `construct`; it is not marked as set, so it is not written.
                default = field.get_default()
                self.defaults[name] = None if field.is_required() else default


_PLANS: Dict[type, _Plan] = {}


def _build(cls: Type[BaseModel], data: Dict[str, Any]) -> Any:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    values = dict(plan.defaults)
    for name, factory in plan.factories:
        values[name] = factory()
    fields_set: Set[str] = set()
    extra: Dict[str, Any] = {}
    by_key = plan.by_key
    for key, value in data.items():
        entry = by_key.get(key)
        if entry is None:
            extra[key] = value
            continue
        name, convert = entry
        values[name] = value if convert is None or value is None else convert(value)
        fields_set.add(name)
    model = cls.__new__(cls)
    # What pydantic's `model_construct` (and the SDK's) sets.
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_extra__", extra)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def _converter(annotation: Any) -> Optional[_Convert]:
    """What turns JSON data into a value of ``annotation``; None when it stays as it is."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _converter(get_args(annotation)[0])
    if origin in _UNIONS:
        return _union_converter([arg for arg in get_args(annotation) if arg is not type(None)])
    if origin is list:
        (item_type,) = get_args(annotation) or (Any,)
        item = _converter(item_type)
        if item is None:
            return None

        def convert_list(value: Any) -> Any:
            if type(value) is not list:
                return value
            return [item(v) for v in cast(List[Any], value)]  # type: ignore[redundant-cast]

        return convert_list
    if origin is dict:
        args = get_args(annotation)
        entry = _converter(args[1]) if len(args) == 2 else None
        if entry is None:
            return None

        def convert_dict(value: Any) -> Any:
            if type(value) is not dict:
                return value
            return {k: entry(v) for k, v in cast(Dict[str, Any], value).items()}

        return convert_dict
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        cls = annotation

        def convert_model(value: Any) -> Any:
            return _build(cls, cast(Dict[str, Any], value)) if type(value) is dict else value

        return convert_model
    # A scalar, a Literal, Any: the value is kept as it is.
    return None


def _union_converter(members: List[Any]) -> Optional[_Convert]:
    if len(members) == 1:
        return _converter(members[0])
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if not models:
        return None
    tags = [(model, _literal_fields(model)) for model in models]

    def convert(value: Any) -> Any:
        if type(value) is not dict:
            return value
        data = cast(Dict[str, Any], value)
        # A tagged union (tool calls: `"type": "function"` or `"custom"`): the member
        # whose Literal fields the data matches; else the first.
        for model, literals in tags:
            if all(data.get(key) in allowed for key, allowed in literals.items()):
                return _build(model, data)
        return _build(models[0], data)

    return convert


def _literal_fields(model: Type[BaseModel]) -> Dict[str, Tuple[Any, ...]]:
    return {
        field.alias or name: get_args(field.annotation)
        for name, field in model.model_fields.items()
        if get_origin(field.annotation) in _LITERALS
    }

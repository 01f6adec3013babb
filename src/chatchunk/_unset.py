"""The UNSET sentinel and the field aliases built on it.

A JSON object can leave a key out, set it to ``null`` or give it a value.
``OptionalNullable[T]`` keeps those three states apart: ``UNSET`` (the key was
absent), ``None`` (an explicit ``null``) or a ``T``.

``UNSET`` is the only member of an enum because that is what both mypy and
pyright narrow with ``x is UNSET``; a plain ``object()`` sentinel is not
narrowed by either.
"""

import enum
from typing import Any, Callable, Dict, Tuple, TypeVar, Union, cast, get_args

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticSerializationError, SchemaSerializer, core_schema
from typing_extensions import Annotated, Final, Literal, TypeAlias

__all__ = ["UNSET", "Nullable", "OptionalNullable", "Unset", "UnsetFieldError"]

_T = TypeVar("_T")


class _NoValue:
    """The enum value behind UNSET: a type no serializer knows, so none writes it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


def _no_json_form(value: object) -> object:
    # What writing `UNSET` anywhere but in an `OptionalNullable` field comes to, on a
    # path that does not know the field (the wrapping of `Model.model_dump_json`
    # does, and names it).
    raise PydanticSerializationError(
        "UNSET has no JSON form: it is only for OptionalNullable fields, which leave"
        " it out; a required field, a list item or an extra holds it"
    )


# pydantic-core writes an object of a type it does not know by this serializer, if
# the type has one: a bare UNSET reaches it through its enum value.
_NoValue.__pydantic_serializer__ = SchemaSerializer(  # type: ignore[attr-defined]
    core_schema.any_schema(
        serialization=core_schema.plain_serializer_function_ser_schema(_no_json_form)
    )
)


class UnsetFieldError(ValueError):
    """`UNSET` was put where it cannot be: a required field, a list item or an extra.

    Raised on assignment, by `model_construct` and `model_copy`, and when such a
    model is written; `path` is the field's place, such as `"choices.0.index"`.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class Unset(enum.Enum):
    """The type of `UNSET`: the value of a field whose key was absent."""

    # Not a string or number: serializing a bare UNSET by inference (say,
    # `pydantic_core.to_json({"a": UNSET})`) fails instead of writing a marker.
    UNSET = _NoValue()

    def __reduce_ex__(self, protocol: object) -> Tuple[Any, ...]:
        # Pickle by name: the enum default would pickle the value, which has no pickle.
        return getattr, (Unset, "UNSET")

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    __str__ = __repr__

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Only the object itself is accepted, and never from JSON: no string,
        # number or dict in a payload can turn into UNSET.
        return core_schema.json_or_python_schema(
            json_schema=core_schema.no_info_plain_validator_function(_never_from_json),
            python_schema=core_schema.is_instance_schema(cls),
            serialization=core_schema.plain_serializer_function_ser_schema(_unset_serializer),
        )


UNSET: Final = Unset.UNSET
"""The value of an `OptionalNullable` field whose key was absent from the payload."""


def _never_from_json(value: object) -> object:
    raise ValueError("UNSET cannot be given in JSON; leave the key out instead")


def _unset_serializer(value: object) -> object:
    # Reached only if a caller turns our field exclusion off (for example by
    # serializing a bare `Unset` value); refuse rather than write a marker.
    raise ValueError("UNSET has no JSON form; leave the key out instead")


# The error of a plain scalar schema that fails on a value of the wrong type.
_TYPE_ERRORS = {"str": "string_type", "int": "int_type", "float": "float_type", "bool": "bool_type"}


def _python_schema(nullable: core_schema.CoreSchema) -> core_schema.CoreSchema:
    """`T | None` from Python, with `UNSET` accepted too and one error per bad value.

    A bare union with an `Unset` member would report a failure once per member
    (`content.nullable[str]: ...` and `content.is-instance[Unset]: ...`). A scalar
    `T` can fail in one way only, so the union stays (it is the fastest) and gives
    that one error; any other `T` (a model, a list) is checked by a wrap validator,
    which passes `UNSET` through and leaves the errors of `T`, and their paths, as
    they are.
    """
    if nullable["type"] != "nullable":  # `T` itself takes None: nothing to tell apart
        return core_schema.no_info_wrap_validator_function(_unset_or, nullable)
    inner = cast(Dict[str, Any], nullable["schema"])
    kind = inner.get("type")
    error: Dict[str, Any] = {}
    if kind in _TYPE_ERRORS and set(inner) <= {"type", "strict", "metadata"}:
        error = {"custom_error_type": _TYPE_ERRORS[kind]}
    elif kind == "union" and inner.get("custom_error_type"):
        error = {
            "custom_error_type": inner["custom_error_type"],
            "custom_error_message": inner.get("custom_error_message"),
            "custom_error_context": inner.get("custom_error_context"),
        }
    if error:
        return core_schema.union_schema([nullable, core_schema.is_instance_schema(Unset)], **error)
    # Inside the nullable, so that `None` (OpenAI's `"logprobs": null` on every
    # chunk) is still taken in compiled code without a call to Python.
    wrapped = core_schema.no_info_wrap_validator_function(_unset_or, nullable["schema"])
    return core_schema.nullable_schema(wrapped)


def _unset_or(value: object, validate: Callable[[object], object]) -> object:
    return value if value is UNSET else validate(value)


class _OptionalNullableSchema:
    """Pydantic metadata for `OptionalNullable`.

    From JSON the field reads as plain `T | None`, so errors name only the
    real type; from Python the `UNSET` object is accepted as well, and any
    other value is checked as `T | None` alone, with the same errors.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        members = tuple(arg for arg in get_args(source) if arg is not Unset)
        nullable = handler.generate_schema(Union[members])
        return core_schema.json_or_python_schema(
            json_schema=nullable, python_schema=_python_schema(nullable)
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        assert schema["type"] == "json-or-python"
        return handler(schema["json_schema"])


# `type.__instancecheck__`, bound: C code, no Python frame per field on the dump path.
_is_unset = Unset.__instancecheck__

Nullable: TypeAlias = Union[_T, None]
"""A value that may be an explicit JSON ``null``."""

OptionalNullable: TypeAlias = Annotated[
    Union[_T, Unset, None],
    Field(exclude_if=_is_unset),
    _OptionalNullableSchema(),
]
"""A field that is `UNSET` (key absent), ``None`` (``null``) or a value."""

"""The UNSET sentinel and the field aliases built on it.

A JSON object can leave a key out, set it to ``null`` or give it a value.
``OptionalNullable[T]`` keeps those three states apart: ``UNSET`` (the key was
absent), ``None`` (an explicit ``null``) or a ``T``.

``UNSET`` is the only member of an enum because that is what both mypy and
pyright narrow with ``x is UNSET``; a plain ``object()`` sentinel is not
narrowed by either.
"""

import enum
from typing import Any, Tuple, TypeVar, Union, get_args

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from typing_extensions import Annotated, Final, Literal, TypeAlias

__all__ = ["UNSET", "Nullable", "OptionalNullable", "Unset"]

_T = TypeVar("_T")


class _NoValue:
    """The enum value behind UNSET: a type no serializer knows, so none writes it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


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


class _OptionalNullableSchema:
    """Pydantic metadata for `OptionalNullable`.

    From JSON the field reads as plain ``T | None``, so errors name only the
    real type; from Python the ``UNSET`` object is accepted as well.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        members = tuple(arg for arg in get_args(source) if arg is not Unset)
        nullable = handler.generate_schema(Union[members])
        return core_schema.json_or_python_schema(
            json_schema=nullable,
            python_schema=core_schema.union_schema(
                [nullable, core_schema.is_instance_schema(Unset)]
            ),
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

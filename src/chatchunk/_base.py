"""The base of every model: strict types, extras kept, finite numbers only."""

import math
from decimal import Decimal
from numbers import Rational
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    Type,
    Union,
    cast,
    get_args,
)

import pydantic.main as _pydantic_main
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, NoDefault
from pydantic_core import (
    PydanticCustomError,
    PydanticSerializationError,
    ValidationError,
    core_schema,
)
from typing_extensions import Annotated, Final, Self, TypeAlias, TypeAliasType

from ._unset import UNSET, Unset, UnsetFieldError

if TYPE_CHECKING:
    from pydantic._internal._repr import ReprArgs

__all__ = ["NOT_FINITE", "JsonValue", "Model", "Number", "OneError", "find_unset"]


class OneError:
    """Report a failed union as one error with ``message``, not one per member."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = cast(Dict[str, Any], handler(source))
        if schema["type"] == "union":
            schema["custom_error_type"] = "union_type"
            schema["custom_error_message"] = self.message
        return cast(core_schema.CoreSchema, schema)


NOT_FINITE: Final = "Input should be a JSON value with finite numbers (no NaN or Infinity)"
"""The error of an extra that holds NaN or an infinity (JSON's `1e400` reads as one)."""

# The type of every extra field. `Any` would let NaN, Infinity and 1e400 (read
# as inf) through, which pydantic's JSON parser accepts and which come back out
# as null. The float branch is finite because the models set allow_inf_nan=False.
if TYPE_CHECKING:
    JsonValue: TypeAlias = Any
else:
    JsonValue = TypeAliasType(
        "JsonValue",
        Union[
            Annotated[
                Union[str, bool, int, float, Dict[str, "JsonValue"], List["JsonValue"]],
                OneError(NOT_FINITE),
            ],
            None,
        ],
    )


class _ExtraSchema:
    """Say where an extra given from Python is not JSON, and what it holds there.

    From JSON the only way to fail is a number that is not finite, which
    `NOT_FINITE` says. From Python any object can come, and the union's one
    error would not say which: on a failure, the value is walked to find the
    first place that is not JSON. A tuple is not taken for a list: what comes
    back out would not be the value that went in.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        return core_schema.json_or_python_schema(
            json_schema=schema,
            python_schema=core_schema.no_info_wrap_validator_function(_check_extra, schema),
        )


_Loc = Tuple[Union[str, int], ...]


def _check_extra(value: object, validate: Callable[[object], object]) -> object:
    try:
        return validate(value)
    except ValidationError as error:
        found = _not_json(value)
        if found is None:  # nothing found by the walk: the validator's own error stands
            raise
        loc, got, bad = found
        if got is None:  # not finite: the type and message the JSON path gives
            detail = PydanticCustomError("union_type", NOT_FINITE)
        else:
            detail = PydanticCustomError(
                "json_value_type",
                "Input should be a JSON value (str, int, float, bool, None, list, or dict"
                " with str keys), got {got}",
                {"got": got},
            )
        raise ValidationError.from_exception_data(
            error.title, [{"type": detail, "loc": loc, "input": bad}]
        ) from None


def _not_json(value: object) -> Optional[Tuple[_Loc, Optional[str], object]]:
    """The path of the first place in `value` that is not JSON, what is there (None
    for a number that is not finite) and the value there."""
    # A stack, not recursion: a value nested deeper than Python's recursion limit
    # is reported, not a RecursionError.
    stack: List[Tuple[_Loc, object]] = [((), value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return loc, None, item
        elif item is None or isinstance(item, (str, int, Rational)):
            pass  # a Fraction is taken as a float, as pydantic's float takes it
        elif isinstance(item, Decimal):  # taken as a float too, when finite
            if not item.is_finite():
                return loc, None, item
        elif isinstance(item, list):
            members = list(enumerate(cast(List[object], item)))
            stack.extend(((*loc, index), member) for index, member in reversed(members))
        elif isinstance(item, dict):
            entries = list(cast(Dict[object, object], item).items())
            for key, _ in entries:
                if not isinstance(key, str):
                    return loc, f"a dict with a key that is not a str: {key!r}", cast(object, item)
            stack.extend(((*loc, cast(str, key)), member) for key, member in reversed(entries))
        else:
            return loc, type(item).__name__, item
    return None


class _NumberSchema:
    """Keep a JSON number's type: ``0`` stays an int, ``0.0`` a float.

    A strict ``float`` field would turn ``0`` into ``0.0`` and change the
    payload on the way back out.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Float first: most log probabilities are floats, which then match at the first
        # try. An int matches the float branch only loosely, so the union goes on to
        # the int branch, which matches it exactly and keeps it an int.
        return core_schema.union_schema(
            [
                core_schema.float_schema(strict=True, allow_inf_nan=False),
                core_schema.int_schema(strict=True),
            ],
            custom_error_type="number_type",
            custom_error_message="Input should be a finite number",
            # Written as what it is: the union's serializer would try the float branch
            # first and make an int a float in `to_python`.
            serialization=core_schema.simple_ser_schema("any"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "number"}


Number: TypeAlias = Annotated[float, _NumberSchema]
"""A finite JSON number, int or float, kept as it came."""


class _SchemaGenerator(GenerateJsonSchema):
    """The default JSON schema generator, told that UNSET is no default at all."""

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        default = super().get_default_value(schema)
        return NoDefault if default is UNSET else default


# Values that are data, not schema: a "description" key in them is the data's own.
_DATA_KEYWORDS = frozenset({"default", "examples", "const", "enum"})


def _markdown_descriptions(schema: Any) -> None:
    """Turn the reStructuredText literals (double backticks) of the docstrings that
    became descriptions into Markdown code (single backticks), in place."""
    if isinstance(schema, dict):
        mapping = cast(Dict[str, Any], schema)
        for key, value in mapping.items():
            if key == "description" and isinstance(value, str):
                mapping[key] = value.replace("``", "`")
            elif key not in _DATA_KEYWORDS:
                _markdown_descriptions(value)
    elif isinstance(schema, list):
        items = cast(List[object], schema)
        for item in items:
            _markdown_descriptions(item)


# pydantic's handler for an assignment to a field, memoized per class and name; a
# required field gets `_checked_setattr` in its place. If a version of pydantic has
# no such handler, nothing is replaced and UNSET is caught when the model is written.
_FIELD_SETATTR = getattr(_pydantic_main, "_SIMPLE_SETATTR_HANDLERS", {}).get("model_field")


def _refusal(model: Type[BaseModel], name: str) -> str:
    """Why the field `name` of `model` cannot hold UNSET."""
    if model.model_fields[name].is_required():
        return "UNSET is not allowed for a required field; give it a value"
    return f"UNSET is not allowed here: {model.__name__}.{name} is not an OptionalNullable field"


def _takes_unset(field: FieldInfo) -> bool:
    """Whether the field is `OptionalNullable`: UNSET in it is left out of the dump."""
    return Unset in get_args(field.annotation)


def _checked_setattr(model: BaseModel, name: str, value: Any) -> None:
    if value is UNSET:
        raise UnsetFieldError(name, _refusal(type(model), name))
    # pydantic's own handler (`_FIELD_SETATTR`), inline: no second call per assignment.
    model.__dict__[name] = value  # pyright: ignore[reportIndexIssue]
    model.__pydantic_fields_set__.add(name)


def _check_values(model: Type[BaseModel], values: Mapping[str, Any]) -> None:
    """Raise `UnsetFieldError` if `values`, given to `model` without validation,
    put UNSET where it cannot be written."""
    fields = model.model_fields
    for name, value in values.items():
        field = fields.get(name)
        if value is UNSET and (field is None or not _takes_unset(field)):
            message = _refusal(model, name) if field else _EXTRA_REFUSAL
            raise UnsetFieldError(name, message)
        if isinstance(value, list):
            for index, item in enumerate(cast(List[object], value)):
                if item is UNSET:
                    raise UnsetFieldError(f"{name}.{index}", _ITEM_REFUSAL)


_EXTRA_REFUSAL = "UNSET is not allowed for an extra field; delete the key instead"
_ITEM_REFUSAL = "UNSET is not allowed as a list item"


def find_unset(value: Any, path: str = "") -> Optional[UnsetFieldError]:
    """The error for the first UNSET in `value` (a model, or what its fields hold)
    that would be written, or None: where a failed dump went wrong."""
    # A stack, not recursion: no RecursionError from a deeply nested extra.
    stack: List[Tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        at = f"{where}." if where else ""
        if isinstance(item, BaseModel):
            fields = type(item).model_fields
            extra = item.__pydantic_extra__ or {}
            found: List[Tuple[str, Any]] = []
            for name in [*fields, *extra]:
                member = extra[name] if name in extra else item.__dict__.get(name, UNSET)
                field = fields.get(name)
                if member is UNSET:
                    if field is None:
                        return UnsetFieldError(at + name, _EXTRA_REFUSAL)
                    if not _takes_unset(field) and name in item.__dict__:
                        return UnsetFieldError(at + name, _refusal(type(item), name))
                else:
                    found.append((at + name, member))
            stack.extend(reversed(found))
        elif isinstance(item, (list, tuple)):
            sequence: List[Any] = list(cast(List[Any], item))
            members = [(f"{at}{index}", member) for index, member in enumerate(sequence)]
            for where_, member in members:
                if member is UNSET:
                    return UnsetFieldError(where_, _ITEM_REFUSAL)
            stack.extend(reversed(members))
        elif isinstance(item, dict):
            mapping = cast(Dict[object, Any], item)
            entries = [(f"{at}{key}", member) for key, member in mapping.items()]
            for where_, member in entries:
                if member is UNSET:
                    return UnsetFieldError(where_, _EXTRA_REFUSAL)
            stack.extend(reversed(entries))
    return None


def _raise_unset(model: BaseModel) -> None:
    """After a failed dump: raise the error naming the misplaced UNSET, if that was it."""
    found = find_unset(model)
    if found is not None:
        raise found from None


class Model(BaseModel):
    """Base of the package's models: strict, open to extras, exact on output."""

    model_config = ConfigDict(
        extra="allow",
        strict=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        """The model's JSON Schema; `OptionalNullable` fields show as optional and nullable."""
        kwargs.setdefault("schema_generator", _SchemaGenerator)
        return super().model_json_schema(*args, **kwargs)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The model's JSON Schema, its descriptions in Markdown rather than reStructuredText.

        Here and not in `model_json_schema`: frameworks (FastAPI, `TypeAdapter`) build
        schemas with pydantic's own generator, which calls this hook too.
        """
        json_schema = super().__get_pydantic_json_schema__(schema, handler)
        _markdown_descriptions(handler.resolve_ref_schema(json_schema))
        return json_schema

    @classmethod
    def model_construct(cls, _fields_set: Optional[Set[str]] = None, **values: Any) -> Self:
        """Build the model without validation, as pydantic does; UNSET in a field that
        cannot be left out raises `UnsetFieldError` here rather than at the dump."""
        _check_values(cls, values)
        return super().model_construct(_fields_set, **values)

    def model_copy(self, *, update: Optional[Mapping[str, Any]] = None, deep: bool = False) -> Self:
        """A copy, as pydantic makes it; `update` is checked for UNSET as in `model_construct`."""
        if update:
            _check_values(type(self), update)
        return super().model_copy(update=update, deep=deep)

    # Hidden from type checkers, which keep seeing pydantic's own signatures (pydantic
    # hides `_setattr_handler` the same way).
    if not TYPE_CHECKING:

        def model_dump_json(self, *args, **kwargs):
            """The model as JSON, as pydantic writes it; a misplaced UNSET is named by its path."""
            try:
                return super().model_dump_json(*args, **kwargs)
            except PydanticSerializationError:
                _raise_unset(self)
                raise

        def model_dump(self, *args, **kwargs):
            """The model as a dict, as pydantic makes it; a misplaced UNSET is named by its path."""
            try:
                return super().model_dump(*args, **kwargs)
            # pydantic-core's model serializer, given UNSET for a model, fails on an attribute.
            except (PydanticSerializationError, AttributeError):
                _raise_unset(self)
                raise

        def _setattr_handler(self, name, value):
            # Called once per class and field name, and what it returns used from then
            # on; called on every assignment to an extra, which nothing memoizes.
            field = type(self).model_fields.get(name)
            if field is None and value is UNSET and not name.startswith("_"):
                raise UnsetFieldError(name, _EXTRA_REFUSAL)
            handler = super()._setattr_handler(name, value)
            if handler is _FIELD_SETATTR and field is not None and not _takes_unset(field):
                return _checked_setattr
            return handler

    def __repr_args__(self) -> "ReprArgs":
        # An unset field is noise in a repr: show what the payload held.
        return [(name, value) for name, value in super().__repr_args__() if value is not UNSET]

    # pydantic reads this annotation as the type of every extra field.
    __pydantic_extra__: Dict[str, Annotated[JsonValue, _ExtraSchema()]] = Field(init=False)  # pyright: ignore[reportIncompatibleVariableOverride]

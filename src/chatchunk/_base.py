"""The base of every model: strict types, extras kept, finite numbers only."""

from typing import TYPE_CHECKING, Any, Dict, List, Union, cast

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, NoDefault
from pydantic_core import core_schema
from typing_extensions import Annotated, TypeAlias, TypeAliasType

from ._unset import UNSET

if TYPE_CHECKING:
    from pydantic._internal._repr import ReprArgs

__all__ = ["JsonValue", "Model", "Number", "OneError"]


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
                OneError("Input should be a JSON value with finite numbers (no NaN or Infinity)"),
            ],
            None,
        ],
    )


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

    def __repr_args__(self) -> "ReprArgs":
        # An unset field is noise in a repr: show what the payload held.
        return [(name, value) for name, value in super().__repr_args__() if value is not UNSET]

    # pydantic reads this annotation as the type of every extra field.
    __pydantic_extra__: Dict[str, JsonValue] = Field(init=False)  # pyright: ignore[reportIncompatibleVariableOverride]

"""The JSON Schema's descriptions are plain text or Markdown, never reStructuredText.

The docstrings the descriptions come from write code as ``x`` (reStructuredText);
a JSON Schema reader (an editor, a documentation generator) shows Markdown, so the
schema gives it as `x`, whichever generator builds it.
"""

import json
import warnings
from typing import Any, Dict, Iterator, List, Tuple, Type, cast

import pydantic
import pytest
from pydantic import BaseModel

import chatchunk
from chatchunk._base import _markdown_descriptions  # pyright: ignore[reportPrivateUsage]
from chatchunk._cli import main

PUBLIC_MODELS: List[Type[BaseModel]] = [
    obj
    for obj in (getattr(chatchunk, name) for name in chatchunk.__all__)
    if isinstance(obj, type) and issubclass(obj, BaseModel)
]


def _strings(value: Any, path: str = "$") -> Iterator[Tuple[str, str]]:
    """Every string in a JSON value, keys included, with its place."""
    if isinstance(value, dict):
        for key, member in cast(Dict[str, Any], value).items():
            yield f"{path} (key)", key
            yield from _strings(member, f"{path}.{key}")
    elif isinstance(value, list):
        for index, member in enumerate(cast(List[Any], value)):
            yield from _strings(member, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def _no_double_backticks(schema: Any) -> None:
    found = [(path, text) for path, text in _strings(schema) if "``" in text]
    assert found == [], found[:3]


def _schemas(model: Type[BaseModel]) -> Iterator[Any]:
    for mode in ("validation", "serialization"):
        yield model.model_json_schema(mode=mode)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        # pydantic's own generator warns that the UNSET default has no JSON form
        # (tested in test_unset); the schema it builds is what counts here.
        warnings.simplefilter("ignore", pydantic.json_schema.PydanticJsonSchemaWarning)
        yield pydantic.TypeAdapter(model).json_schema()
        yield pydantic.json_schema.models_json_schema([(model, "validation")])[1]


def test_there_are_models_with_markdown_descriptions() -> None:
    assert len(PUBLIC_MODELS) >= 19
    text = json.dumps(chatchunk.ChatCompletionChunk.model_json_schema())
    assert '`\\"chat.completion.chunk\\"`' in text  # converted, not dropped


@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_no_description_in_any_schema_has_double_backticks(model: Type[BaseModel]) -> None:
    for schema in _schemas(model):
        _no_double_backticks(schema)
        described = [text for path, text in _strings(schema) if path.endswith(".description")]
        assert described, model.__name__  # the descriptions are still there


@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_every_field_keeps_its_description(model: Type[BaseModel]) -> None:
    schema = model.model_json_schema()
    for name, field in model.model_fields.items():
        assert field.description is not None
        assert schema["properties"][name]["description"] == field.description.replace("``", "`")


@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_the_schema_command_prints_no_double_backticks(
    model: Type[BaseModel], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", model.__name__]) == 0
    printed = json.loads(capsys.readouterr().out)
    _no_double_backticks(printed)
    assert printed == model.model_json_schema()


def test_values_that_are_data_are_left_as_they_are() -> None:
    schema = {
        "description": "Use ``x``.",
        "properties": {
            "description": {"description": "A ``field`` named description.", "type": "string"},
            "a": {"default": {"description": "``kept``"}, "enum": ["``kept``"]},
        },
        "examples": [{"description": "``kept``"}],
        "anyOf": [{"description": "``y``"}],
    }
    _markdown_descriptions(schema)
    assert schema == {
        "description": "Use `x`.",
        "properties": {
            "description": {"description": "A `field` named description.", "type": "string"},
            "a": {"default": {"description": "``kept``"}, "enum": ["``kept``"]},
        },
        "examples": [{"description": "``kept``"}],
        "anyOf": [{"description": "`y`"}],
    }

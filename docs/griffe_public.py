"""A griffe extension that keeps the package's private names out of the rendered reference.

mkdocstrings renders signatures, annotations and values as they are written in the source,
where runtime machinery lives: `Annotated[..., _OpenEnum()]`, `Field(exclude_if=_is_unset)`,
type variables named `_M`, module constants such as `DEFAULT_MAX_EVENT_SIZE`. A reader needs
none of it. After griffe has loaded `chatchunk`, this extension rewrites every expression of
the package's objects, without touching the source:

- `Annotated[X, ...]` becomes `X`: the metadata only tells pydantic how to validate.
- A private type variable (`_M = TypeVar("_M", ...)`) is shown without its underscore, `M`.
- A private alias (`_Item = Union[...]`) is replaced by what it stands for.
- A name the reader cannot import, a module constant or alias outside `chatchunk.__all__`,
  is replaced by its value: `max_event_size: int = 4 * 1024 * 1024`, not
  `DEFAULT_MAX_EVENT_SIZE`; `on_cut: Literal["end", "error"]`, not `OnCut`. `Number` stays:
  its value is an `Annotated` float whose metadata keeps ints ints (the reference says so).
- A name from the openai SDK is written in full (`openai.types.chat.ChatCompletionChunk`), so
  that it is not taken for chatchunk's class of the same name.
- A name the reference has no heading for (`Model`, the base of the models, or `Number`) is
  written as plain text: no link, and no hover title naming its private module.
- A pydantic `Field(default=X, ...)` value becomes `X`; a value that still names a private
  object after all this (a `default_factory`, an expression computed in `__init__`) is
  dropped, and the docstring says what the default is; so is an instance attribute's value
  that only repeats a parameter's name (`self.body = body`).

It is loaded by mkdocs.yml (`extensions: - docs/griffe_public.py:PublicSignatures`).
tests/test_site.py checks the outcome on the built pages.
"""

import dataclasses
import re
from typing import Any, Dict, List, Optional, Set, Union

import griffe

PACKAGE = "chatchunk"

# Aliases shown by name: the reference explains them, and their values would say less.
KEPT = {"chatchunk._base.Number"}

_Value = Union[str, griffe.Expr]


# One leading underscore and a letter, not preceded by a word character: `_is_unset`,
# `chatchunk._chunk`; not `__init__`, nor `max_event_size`.
_PRIVATE = re.compile(r"(?<!\w)_[A-Za-z]")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def has_private_name(value: Optional[_Value]) -> bool:
    """Tell whether an expression, as it would be rendered, names a private object."""
    if value is None:
        return False
    parts = value.iterate(flat=True) if isinstance(value, griffe.Expr) else [value]
    for part in parts:
        text = part.path if isinstance(part, griffe.ExprName) else str(part)
        if _PRIVATE.search(text):
            return True
    return False


class _Rewriter:
    """Rewrite the expressions of one package, with the package's objects to resolve names."""

    def __init__(self, package: griffe.Module) -> None:
        self.package = package
        exported = package.members.get("__all__")
        self.public: Set[str] = set()
        if isinstance(exported, griffe.Attribute) and isinstance(exported.value, griffe.ExprList):
            self.public = {str(e).strip("'\"") for e in exported.value.elements}

    def _target(self, name: griffe.ExprName) -> Optional[griffe.Object]:
        path = name.canonical_path
        if not path.startswith(PACKAGE + "."):
            return None
        try:
            target = self.package.modules_collection.get_member(path)
        except (KeyError, ValueError, griffe.AliasResolutionError):
            return None
        if isinstance(target, griffe.Alias):
            try:
                return target.final_target
            except griffe.AliasResolutionError:
                return None
        return target  # type: ignore[no-any-return]

    def expr(
        self, value: Optional[_Value], *, scope: Optional[griffe.Object] = None
    ) -> Optional[_Value]:
        """Return `value` rewritten; `scope` resolves the forward references it holds."""
        if isinstance(value, str):
            return self._string(value, scope)
        if value is None:
            return None
        if isinstance(value, griffe.ExprSubscript) and value.canonical_path in (
            "typing.Annotated",
            "typing_extensions.Annotated",
        ):
            inner = value.slice
            if isinstance(inner, griffe.ExprTuple):
                inner = inner.elements[0]
            return self.expr(inner, scope=scope)
        if isinstance(value, griffe.ExprName):
            return self._name(value)
        changes: Dict[str, Any] = {}
        for field in dataclasses.fields(value):
            if field.name == "parent":
                continue
            old = getattr(value, field.name)
            if isinstance(old, (griffe.Expr, str)):
                changes[field.name] = self.expr(old, scope=scope)
            elif isinstance(old, list):
                items: List[Any] = list(old)  # pyright: ignore[reportUnknownArgumentType]
                changes[field.name] = [
                    self.expr(item, scope=scope) if isinstance(item, (griffe.Expr, str)) else item
                    for item in items
                ]
        return dataclasses.replace(value, **changes) if changes else value

    def _name(self, name: griffe.ExprName) -> _Value:
        path = name.canonical_path
        if path.startswith("openai."):
            return path
        target = self._target(name)
        if target is None:
            return name
        if isinstance(target, griffe.Attribute) and isinstance(target.value, griffe.Expr):
            value = target.value
            typevar = isinstance(value, griffe.ExprCall) and str(value.function).endswith("TypeVar")
            if typevar and _is_private(name.name):
                return griffe.ExprName(name.name.lstrip("_"))
            module_level = isinstance(target.parent, griffe.Module)
            if module_level and path not in KEPT and not self._linkable(target):
                return self.expr(value, scope=target.parent) or name
        if self._linkable(target):
            return name
        # An object the reference does not show (`Model`, `Number`, an enum member without
        # a docstring): its name as plain text, with no link and no hover title, which
        # would show the private module it lives in.
        return name.name

    def _linkable(self, obj: griffe.Object) -> bool:
        """Tell whether the reference has a heading for `obj`, so a link to it works."""
        parent = obj.parent
        if isinstance(parent, griffe.Module):
            return obj.name in self.public and parent.path.startswith(PACKAGE)
        return (
            parent is not None
            and not _is_private(obj.name)
            and obj.docstring is not None
            and self._linkable(parent)
        )

    def _string(self, value: str, scope: Optional[griffe.Object]) -> str:
        # A forward reference inside an alias's value, such as "OpenAIChatCompletionChunk"
        # in a Union, is a plain string to griffe: resolve it the way a checker would.
        name = value.strip("'\"")
        if scope is None or name == value or not name.isidentifier():
            return value
        member = scope.members.get(name)
        if isinstance(member, griffe.Alias) and member.target_path.startswith("openai."):
            return member.target_path
        return value

    def attribute(self, attr: griffe.Attribute) -> None:
        attr.annotation = self.expr(attr.annotation)
        value = self.expr(attr.value)
        if isinstance(value, griffe.ExprCall) and str(value.function).endswith("Field"):
            value = next(
                (
                    arg.value
                    for arg in value.arguments
                    if isinstance(arg, griffe.ExprKeyword) and arg.name == "default"
                ),
                None,
            )
        echo = "class-attribute" not in attr.labels and isinstance(value, griffe.ExprName)
        attr.value = None if echo or has_private_name(value) else value

    def function(self, func: griffe.Function) -> None:
        for parameter in func.parameters:
            parameter.annotation = self.expr(parameter.annotation)
            parameter.default = self.expr(parameter.default)
        func.returns = self.expr(func.returns)
        for overload in func.overloads or ():
            self.function(overload)

    def walk(self, obj: griffe.Object, seen: Set[str]) -> None:
        if obj.path in seen or (_is_private(obj.name) and not isinstance(obj, griffe.Module)):
            # A private object is not rendered, and its value is read as it is written
            # when a public signature names it.
            return
        seen.add(obj.path)
        if isinstance(obj, griffe.Attribute):
            self.attribute(obj)
        elif isinstance(obj, griffe.Function):
            self.function(obj)
        elif isinstance(obj, griffe.TypeAlias):
            obj.value = self.expr(obj.value)
        members: List[Any] = list(obj.members.values())
        for member in members:
            if not isinstance(member, griffe.Alias):
                self.walk(member, seen)


class PublicSignatures(griffe.Extension):
    """Rewrite `chatchunk`'s signatures and values so that no private name is rendered."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the package once griffe has loaded all of it."""
        if pkg.name == PACKAGE:
            _Rewriter(pkg).walk(pkg, set())

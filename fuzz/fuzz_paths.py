"""Where an error or a finding says it is: does that place exist in the payload?

`parse_chunk`'s errors name the field path (pydantic's ``loc``) and `check_conformance`'s
findings a dotted path; the oracles check that each names a place the payload has, so
that a message never sends a reader to a field that is not there.
"""

from typing import Any, Dict, Sequence, Union, cast

__all__ = ["dotted_path_exists", "loc_exists"]


def loc_exists(value: Any, loc: Sequence[Union[str, int]]) -> bool:
    """Whether pydantic's ``loc`` leads somewhere in the JSON ``value``."""
    for part in loc:
        if isinstance(value, dict):
            mapping = cast(Dict[str, Any], value)
            if not isinstance(part, str) or part not in mapping:
                return False
            value = mapping[part]
        elif isinstance(value, list):
            items = cast(Sequence[Any], value)
            if isinstance(part, str) or not 0 <= part < len(items):
                return False
            value = items[part]
        else:
            return False
    return True


def dotted_path_exists(value: Any, path: str) -> bool:
    """Whether a finding's path (``choices.0.delta.x``, ``*`` for any index) leads into ``value``.

    A key may hold a dot itself (a provider sent ``"a.b"``), so every way to read the
    path is tried.
    """
    if path == "":
        return True
    if isinstance(value, list):
        items = cast(Sequence[Any], value)
        head, _, rest = path.partition(".")
        if head == "*":
            return any(dotted_path_exists(item, rest) for item in items)
        if head.isdigit() and int(head) < len(items):
            return dotted_path_exists(items[int(head)], rest)
        return False
    if isinstance(value, dict):
        for key, item in cast(Dict[str, Any], value).items():
            if path == key:
                return True
            if path.startswith(key + ".") and dotted_path_exists(item, path[len(key) + 1 :]):
                return True
    return False

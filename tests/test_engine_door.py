"""The engine is a door a reader can follow: every public method is written on the class,
typed and documented, and none is another object's method re-bound in ``__init__``."""

from __future__ import annotations

import inspect

import pytest

from matcher import public
from matcher.engine import Engine

METHODS = [n for n, v in vars(Engine).items() if callable(v) and not n.startswith("_")]


def test_no_method_is_a_part_rebound_on_the_instance(engine: Engine) -> None:
    rebound = [n for n, v in vars(engine).items() if inspect.ismethod(v) or inspect.isfunction(v)]
    assert not rebound, f"write these on Engine instead of re-binding them: {rebound}"


@pytest.mark.parametrize("name", METHODS)
def test_every_public_method_is_typed_and_documented(name: str) -> None:
    fn = vars(Engine)[name]
    sig = inspect.signature(fn)
    assert fn.__doc__ and fn.__doc__.strip(), f"Engine.{name} has no docstring"
    assert sig.return_annotation is not inspect.Signature.empty, f"Engine.{name}: return type"
    untyped = [p for p in list(sig.parameters)[1:] if sig.parameters[p].annotation is sig.empty]
    assert not untyped, f"Engine.{name}: untyped {untyped}"


def test_the_door_keeps_the_methods_callers_use() -> None:
    used = {"get", "put", "delete", "list_records", "load_files", "load_records",
            "record_outcomes", "id_warnings", "read_text", "snapshot", "cached_suggestions",
            "cached_rendering", "train", "evaluate", "model_versions", "batch",
            "select_schools", "rank", "rank_table", "allocate", "allocate_selection",
            "add_user", "ensure_demo_users", "state"}  # fmt: skip
    assert used <= set(METHODS)


def test_state_changes_with_the_data(engine: Engine) -> None:
    before = engine.state()
    assert before[0] is None  # no model yet
    engine.load_sample()
    assert engine.state()[1] != before[1]


def test_public_names_come_from_their_owners() -> None:
    for name in public.__all__:
        value = getattr(public, name)
        owner = getattr(value, "__module__", None)
        assert owner != "matcher.public", f"{name} must be defined in its owner, not here"

"""Sorting in slices gives exactly what ``sorted`` gives, ties and reverse included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtui.tui import sliced
from gtui.tui.sliced import merge_runs, sort_in_slices


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    # Slices of 3 make every path (many runs, odd counts, block merges) run on small inputs.
    monkeypatch.setattr(sliced, "SLICE", 3)


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.integers(0, 5), max_size=60), reverse=st.booleans())
def test_the_order_is_sorteds_order_with_ties_kept_in_place(keys: list[int], reverse: bool) -> None:
    items = list(range(len(keys)))
    assert list(sort_in_slices(items, keys.__getitem__, reverse=reverse)) == sorted(
        items, key=keys.__getitem__, reverse=reverse
    )


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.text(alphabet="abAB", max_size=3), max_size=50),
    split=st.integers(0, 50),
    reverse=st.booleans(),
)
def test_merging_a_later_run_equals_sorting_the_whole(
    keys: list[str], split: int, reverse: bool
) -> None:
    """How a listing grows: the earlier entries' order merged with the new page's."""
    items = list(range(len(keys)))
    split = min(split, len(items))
    key = keys.__getitem__
    earlier = sorted(items[:split], key=key, reverse=reverse)
    later = sorted(items[split:], key=key, reverse=reverse)
    assert list(merge_runs(earlier, later, key, reverse=reverse)) == sorted(
        items, key=key, reverse=reverse
    )


def test_flags_and_picks_in_slices_match_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sliced, "FLAG_SLICE", 4)
    words = ["apple", "Banana", "cherry", "date", "elder", "fig", "grape", "kiwi", "lime"]
    flags = sliced.flags_in_slices(str.__contains__, words, "e")
    assert list(flags) == [int("e" in word) for word in words]
    picked = sliced.compress_in_slices(range(len(words)), flags.__getitem__)
    assert [words[i] for i in picked] == [word for word in words if "e" in word]
    positions = sliced.pick_in_slices(range(10, 10 + len(words)), flags)
    assert list(positions) == [10 + i for i in picked]

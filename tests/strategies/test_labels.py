"""A strategy keeps its registered name; the sweep's label (a preset's file name) is its own field."""

from __future__ import annotations

from strategies import STRATEGIES, get_strategy, strategy_names


def test_a_preset_label_does_not_overwrite_the_registered_name() -> None:
    preset = get_strategy("budget_forcing", "budget_forcing_no_wait", max_waits=0)
    assert (preset.name, preset.label) == ("budget_forcing", "budget_forcing_no_wait")
    assert STRATEGIES.get(preset.name) is type(preset)  # the name still finds its class
    plain = get_strategy("majority")
    assert (plain.name, plain.label) == ("majority", "majority")


def test_every_registered_strategy_is_registered_under_its_own_name() -> None:
    for name in strategy_names():
        assert STRATEGIES.get(name).name == name

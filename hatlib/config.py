"""Cross-field checks of a workflow configuration, after JSON-schema validation.

The schema checks each field on its own (types, ranges, names); the checks
here relate fields to each other. Errors name the fields and values at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Hidden units a localised activation needs per unit of frequency for its
#: features to resolve ``sin(2 pi k x)`` (about ``k <~ n / 5`` for ``n`` hats).
UNITS_PER_FREQUENCY = 5


class ConfigError(ValueError):
    """A configuration whose fields contradict each other."""


def check_config(config: Mapping[str, Any]) -> list[str]:
    """Check relations between fields; return warnings, raise :class:`ConfigError` on errors."""
    warnings: list[str] = []
    data, train = config["data"], config["train"]
    num_points = data["num_points"]
    highest = max(train["frequencies"])
    if 2 * highest >= num_points:
        raise ConfigError(
            f"train.frequencies contains {highest}, not below the Nyquist limit "
            f"{num_points / 2} of data.num_points = {num_points}"
        )
    if train["width"] < UNITS_PER_FREQUENCY * highest:
        warnings.append(
            f"train.width = {train['width']} may not resolve the highest frequency "
            f"{highest} of train.frequencies with localised activations (Hat): "
            f"about {UNITS_PER_FREQUENCY * highest} units are needed"
        )
    for activation in train["activations"]:
        for optimizer in train["optimizers"]:
            try:
                train["learning_rates"][activation][optimizer]
            except KeyError:
                raise ConfigError(
                    f"train.learning_rates has no entry for activation {activation!r} "
                    f"with optimizer {optimizer!r}"
                ) from None
    return warnings

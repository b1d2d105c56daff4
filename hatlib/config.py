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
    """A configuration that is malformed or whose fields contradict each other."""


def _field_name(path) -> str:
    name = "config"
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else f".{part}"
    return name.removeprefix("config.")


def validate_config(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Validate ``config`` against the JSON ``schema``, then :func:`check_config`.

    Raises :class:`ConfigError` whose message names the field (as a dotted
    path, e.g. ``train.learning_rates.relu.sgd``) and its bad value, for the
    first violation in a stable order. Returns the warnings of
    :func:`check_config`.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.path])
    if errors:
        error = errors[0]
        field = _field_name(error.path) or "config"
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            raise ConfigError(
                f"unknown key(s) {extra} in {field}; valid keys: "
                f"{sorted(error.schema.get('properties', {}))}"
            )
        if error.validator == "required":
            raise ConfigError(f"{field}: {error.message}")
        raise ConfigError(f"{field} = {error.instance!r}: {error.message}")
    return check_config(config)


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
    selection = train["learning_rate_selection"]["frequency"]
    if 2 * selection >= num_points:
        raise ConfigError(
            f"train.learning_rate_selection.frequency = {selection} is not below the Nyquist "
            f"limit {num_points / 2} of data.num_points = {num_points}"
        )
    for activation in train["ablation"]["activations"]:
        if activation not in train["activations"]:
            raise ConfigError(
                f"train.ablation.activations contains {activation!r}, not in train.activations"
            )
    if train["initialisation"] in train["ablation"]["initialisations"]:
        raise ConfigError(
            f"train.ablation.initialisations contains {train['initialisation']!r}, "
            "the main initialisation (train.initialisation)"
        )
    _check_multifrequency(config["multifrequency"])
    digits = config["digits"]
    if (digits["images"] is None) != (digits["labels"] is None):
        raise ConfigError(
            f"digits.images = {digits['images']!r} and digits.labels = {digits['labels']!r}: "
            "give both IDX files or neither"
        )
    _check_classic(config["classic"])
    _check_pde(config["pde"])
    _check_fem(config["fem"])
    _check_theory(config["theory"])
    _check_claims(config["claims"])
    return warnings


def _check_claims(claims: Mapping[str, Any]) -> None:
    """The "no bias" and "bias" tests must leave a gap: no result may pass both."""
    if claims["flat_exponent"] >= claims["bias_exponent"]:
        raise ConfigError(
            f"claims.flat_exponent = {claims['flat_exponent']} must be below "
            f"claims.bias_exponent = {claims['bias_exponent']}"
        )
    if claims["flat_ratio"] >= claims["bias_ratio"]:
        raise ConfigError(
            f"claims.flat_ratio = {claims['flat_ratio']} must be below "
            f"claims.bias_ratio = {claims['bias_ratio']}"
        )


def _check_classic(classic: Mapping[str, Any]) -> None:
    count = len(classic["frequencies"])
    for case, amplitudes in classic["cases"].items():
        if len(amplitudes) != count:
            raise ConfigError(
                f"classic.cases.{case} has {len(amplitudes)} amplitudes but classic.frequencies "
                f"has {count} frequencies"
            )
    for frequency in classic["frequencies"]:
        if 2 * frequency >= classic["num_points"]:
            raise ConfigError(
                f"classic.frequencies contains {frequency}, not below the Nyquist limit "
                f"{classic['num_points'] / 2} of classic.num_points = {classic['num_points']}"
            )
    models = [(m["activation"], m["initialisation"]) for m in classic["models"]]
    if len(set(models)) != len(models):
        raise ConfigError(f"classic.models lists a model twice: {models}")


def _check_pde(pde: Mapping[str, Any]) -> None:
    if len(pde["coefficients"]) != len(pde["modes"]):
        raise ConfigError(
            f"pde.coefficients has {len(pde['coefficients'])} entries but pde.modes "
            f"has {len(pde['modes'])}"
        )
    if any(c == 0 for c in pde["coefficients"]):
        raise ConfigError(f"pde.coefficients = {pde['coefficients']} contains a zero")


def _check_multifrequency(multi: Mapping[str, Any]) -> None:
    one_d, two_d = multi["one_d"], multi["two_d"]
    for frequency in one_d["frequencies"]:
        if 2 * frequency >= one_d["num_points"]:
            raise ConfigError(
                f"multifrequency.one_d.frequencies contains {frequency}, not below the Nyquist "
                f"limit {one_d['num_points'] / 2} of num_points = {one_d['num_points']}"
            )
    for vector in two_d["frequencies"]:
        if max(vector) * 2 >= two_d["points_per_side"] or max(vector) == 0:
            raise ConfigError(
                f"multifrequency.two_d.frequencies contains {vector}: each needs a nonzero "
                f"component and all below {two_d['points_per_side'] / 2} "
                f"(points_per_side = {two_d['points_per_side']})"
            )
    from hatlib.ridge_grid import ridge_grid

    try:
        ridge_grid(
            two_d["directions"],
            two_d["frequencies"],
            two_d["width"],
            two_d["elements_per_period"],
        )
    except ValueError as error:
        raise ConfigError(f"multifrequency.two_d.width = {two_d['width']}: {error}") from error


def _check_fem(fem: Mapping[str, Any]) -> None:
    sizes = set(fem["grid_sizes"])
    for size in fem["spectrum_grids"]:
        if size not in sizes:
            raise ConfigError(f"fem.spectrum_grids contains {size}, not in fem.grid_sizes")
    if fem["eigenfunction_grid"] not in sizes:
        raise ConfigError(
            f"fem.eigenfunction_grid = {fem['eigenfunction_grid']} is not in fem.grid_sizes"
        )
    if 1 not in fem["mesh_ratios"]:
        raise ConfigError("fem.mesh_ratios must contain 1, the uniform reference grid")


def _check_theory(theory: Mapping[str, Any]) -> None:
    if not theory["frequencies"] and not theory["modes"]:
        raise ConfigError("theory.frequencies and theory.modes are both empty: nothing to measure")
    for frequency in theory["frequencies"]:
        if 2 * frequency >= theory["num_points"]:
            raise ConfigError(
                f"theory.frequencies contains {frequency}, not below the Nyquist limit "
                f"{theory['num_points'] / 2} of theory.num_points = {theory['num_points']}"
            )
    for mode in theory["modes"]:
        if mode > theory["width"]:
            raise ConfigError(
                f"theory.modes contains {mode}, but theory.width = {theory['width']} "
                "features have only that many modes"
            )

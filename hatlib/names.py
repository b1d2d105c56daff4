"""Registries of names: a lookup whose error lists the valid choices, and the names that
figures and the paper print (no heavy imports)."""

#: Display names of activations, bases and optimizers, in figures and the paper.
DISPLAY_NAMES = {
    "relu": "ReLU",
    "hat": "Hat",
    "tanh": "Tanh",
    "bspline2": "B-spline, $p = 2$",
    "bspline3": "B-spline, $p = 3$",
    "sgd": "GD",
    "adam": "Adam",
}


class UnknownNameError(KeyError):
    """A name that is not in a registry; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def lookup(registry: dict, kind: str, name: str):
    """Return ``registry[name]``, or raise :class:`UnknownNameError` naming the choices."""
    try:
        return registry[name]
    except KeyError:
        valid = ", ".join(sorted(registry))
        raise UnknownNameError(f"unknown {kind} {name!r}; valid choices: {valid}") from None

"""Registries of names: a lookup whose error lists the valid choices (no heavy imports)."""


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

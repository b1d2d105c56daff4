"""A LeNet-5-like convolutional network with any registered activation.

Used by the image-classification experiment (:mod:`hatlib.experiments.images`);
every weight comes from an explicit generator, so ReLU and Hat networks of the
same seed start from the same draw.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import torch
from torch import nn

from hatlib.activations import get_activation

CLASSES = 10


class Activation(nn.Module):
    """``function(z + offset)`` of a registered activation (offset 0, or its centre)."""

    def __init__(self, name: str, centred: bool) -> None:
        super().__init__()
        spec = get_activation(name)
        self.name, self.function = name, spec.function
        self.offset = float(spec.centre) if centred else 0.0

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.function(z + self.offset if self.offset else z)


class LeNet(nn.Module):
    """A LeNet-5-like CNN for 28x28 grey images, ten classes.

    conv 5x5 (padding 2, ``channels[0]``) -> [BN] -> act -> max-pool 2 -> conv 5x5
    (``channels[1]``) -> [BN] -> act -> max-pool 2 -> linear (``hidden[0]``) -> [BN] ->
    act -> linear (``hidden[1]``) -> [BN] -> act -> linear (10 logits). ``activation``
    is a registry name, applied as :class:`Activation` (``centred``: Hat's peak at 0);
    the BN layers are there when ``batch_norm``. A ``torch.Generator`` seeded with
    ``seed`` draws every weight and bias from PyTorch's default distribution
    ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: the global RNG plays no part, and every
    activation gets the same draw for a seed.
    """

    def __init__(
        self,
        activation: str,
        batch_norm: bool,
        channels: Sequence[int] = (6, 16),
        hidden: Sequence[int] = (120, 84),
        centred: bool = False,
        seed: int = 0,
    ) -> None:
        super().__init__()
        first, second = channels
        widths = [second * 25, *hidden]

        def block(layer: nn.Module, size: int, norm: type[nn.Module]) -> list[nn.Module]:
            return [layer, *([norm(size)] if batch_norm else []), Activation(activation, centred)]

        self.features = nn.Sequential(
            *block(nn.Conv2d(1, first, 5, padding=2), first, nn.BatchNorm2d),
            nn.MaxPool2d(2),
            *block(nn.Conv2d(first, second, 5), second, nn.BatchNorm2d),
            nn.MaxPool2d(2),
            nn.Flatten(),
        )
        layers = []
        for fan_in, size in itertools.pairwise(widths):
            layers += block(nn.Linear(fan_in, size), size, nn.BatchNorm1d)
        self.classifier = nn.Sequential(*layers, nn.Linear(widths[-1], CLASSES))
        if activation == "hat":
            from hatlib.kernels import cpu_kernel

            cpu_kernel()  # Hat's fused values and slopes (hatlib.activations), same bits
        generator = torch.Generator().manual_seed(int(seed))
        with torch.no_grad():
            for module in self.modules():
                if isinstance(module, nn.Conv2d | nn.Linear):
                    bound = 1.0 / math.sqrt(module.weight[0].numel())
                    module.weight.uniform_(-bound, bound, generator=generator)
                    module.bias.uniform_(-bound, bound, generator=generator)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(images))

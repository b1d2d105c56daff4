"""Training steps in blocks without host synchronisation, captured as CUDA graphs on CUDA.

A training step of a small network on a GPU is dozens of tiny kernels, each
costing more to launch than to run, and the engine's per-step read of the
losses makes the host wait for the device every step. :class:`StepBlocks`
runs the steps between two records as one block: each step is the replay of
one captured CUDA graph (the update with the previous step's gradients, then
the loss, outputs and gradients at the updated parameters, and the step's
losses written into a device buffer), and the host reads the block's losses
once at its end. The engine (:func:`hatlib.training.train`) checks them as it
checks every step's loss: tolerance crossings, convergence and divergence.
When a member stops inside a block, the block is rewound to its start and
replayed up to that step, so every record, crossing and status is that of
the step-by-step engine.

On the CPU the same steps run eagerly (no capture): the engine in blocks is
then the step-by-step engine's arithmetic, operation for operation, which
``tests/test_capture.py`` checks bitwise.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import torch

logger = logging.getLogger(__name__)

#: Steps whose losses one device buffer holds; longer blocks read it once per this many.
BLOCK_CAPACITY = 1024

#: Set to 1 to compile the explicit loss and gradients (shallow networks) with
#: ``torch.compile`` before capture on CUDA: an opt-in, measured in the README.
COMPILE_VARIABLE = "HATLIB_COMPILE_STEP"


def loss_gradients_output(model, x, y, parameters, explicit=None):
    """Per-member losses ``(S,)``, the gradients of ``parameters`` and the outputs ``(S, N)``.

    Models with ``loss_and_gradients(x, y)`` (explicit formulas) are used as
    they are; others through autograd on the summed per-member losses, whose
    gradient with respect to member ``s``'s parameters is member ``s``'s own.
    """
    if hasattr(model, "loss_and_gradients"):
        loss, gradients, output = (explicit or model.loss_and_gradients)(x, y)
        by_parameter = dict(zip(map(id, model.parameters()), gradients, strict=True))
        return loss, [by_parameter[id(p)] for p in parameters], output
    with torch.enable_grad():
        output = model(x)
        loss = torch.mean((output - y) ** 2, dim=1)  # (S,)
        gradients = torch.autograd.grad(loss.sum(), parameters)
    return loss.detach(), list(gradients), output.detach()


def capturable(optimizer) -> bool:
    """Whether ``optimizer``'s update can be captured: no host-side scalars that change per step."""
    name = type(optimizer).__name__
    return name == "GradientDescent" or (name == "Adam" and getattr(optimizer, "fused", False))


class StepBlocks:
    """The training steps of one batched run, in blocks the host reads once.

    The interface is that of :class:`hatlib.kernels.FusedShallowStep`
    (:meth:`compute`, :meth:`step`, :meth:`flush`: the update is deferred to
    the next computation) plus :meth:`advance`, :meth:`snapshot` and
    :meth:`rewind` for blocks. ``capture`` records the steps as CUDA graphs
    (CUDA only, and only for an optimizer that :func:`capturable` accepts);
    without it the same operations run eagerly.
    """

    def __init__(self, model, parameters, optimizer, x, y, capture: bool) -> None:
        self.model, self.parameters, self.optimizer = model, list(parameters), optimizer
        self.x, self.y = x, y
        if capture and (x.device.type != "cuda" or not capturable(optimizer)):
            raise ValueError(
                f"capture needs CUDA and gradient descent or fused Adam, got device "
                f"{x.device.type} and {type(optimizer).__name__}"
            )
        self.captured = capture
        self.explicit = None
        if (
            capture
            and os.environ.get(COMPILE_VARIABLE) == "1"
            and hasattr(model, "loss_and_gradients")
        ):
            self.explicit = torch.compile(model.loss_and_gradients, dynamic=False)
        members = y.shape[0]
        with torch.no_grad():
            loss, gradients, output = loss_gradients_output(model, x, y, self.parameters)
        self.loss = torch.empty_like(loss)
        self.out = torch.empty_like(output)
        self.gradients = [torch.empty_like(g) for g in gradients]
        self.losses = torch.zeros(members, BLOCK_CAPACITY, dtype=loss.dtype, device=x.device)
        self.slot = torch.zeros(1, dtype=torch.int64, device=x.device)
        self.pending = False
        self._saved = [torch.empty_like(t) for t in self._state()]
        self._saved_host: tuple[bool, int] = (False, 0)
        self.graphs: dict[str, torch.cuda.CUDAGraph] = {}
        if capture:
            self._capture()

    # -- the operations of one step, writing into the static buffers ------------------
    def _compute(self) -> None:
        loss, gradients, output = loss_gradients_output(
            self.model, self.x, self.y, self.parameters, self.explicit
        )
        with torch.no_grad():
            self.loss.copy_(loss)
            self.out.copy_(output)
            torch._foreach_copy_(self.gradients, gradients)

    def _update_and_compute(self) -> None:
        self.optimizer.step(self.gradients)
        self._compute()
        with torch.no_grad():
            self.losses.index_copy_(1, self.slot, self.loss[:, None])
            self.slot.add_(1)

    def _state(self) -> list[torch.Tensor]:
        """Every tensor a step changes: parameters, optimizer state, pending gradients."""
        state = [p.data for p in self.parameters] + list(self.gradients)
        for name in ("first_moments", "second_moments", "_step_tensors"):
            state += list(getattr(self.optimizer, name, []))
        return state

    def _steps(self) -> int:
        return int(getattr(self.optimizer, "steps", 0))

    def _set_steps(self, steps: int) -> None:
        if hasattr(self.optimizer, "steps"):
            self.optimizer.steps = steps

    def _capture(self) -> None:
        """Record the two graphs: computation alone, and update then computation."""
        self.snapshot()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm-up: allocator, cuBLAS handles, autograd
            for _ in range(2):
                self._compute()
                self._update_and_compute()
        torch.cuda.current_stream().wait_stream(side)
        self.rewind()
        steps = self._steps()
        self.graphs["compute"] = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graphs["compute"]):
            self._compute()
        self.graphs["step"] = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graphs["step"], pool=self.graphs["compute"].pool()):
            self._update_and_compute()
        self._set_steps(steps)  # capture ran the Python side of the update once
        torch.cuda.synchronize()
        logger.info("training step captured as CUDA graphs on %s", torch.cuda.get_device_name())

    def _run(self, name: str) -> None:
        if not self.captured:
            (self._compute if name == "compute" else self._update_and_compute)()
            return
        self.graphs[name].replay()
        if name == "step":
            self._set_steps(self._steps() + 1)

    # -- the engine's interface ---------------------------------------------------------
    def compute(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Apply the pending update, then return the losses ``(S,)`` and outputs ``(S, N)``."""
        if self.pending:
            self.slot.zero_()
            self._run("step")
        else:
            self._run("compute")
        self.pending = False
        return self.loss, self.out

    def step(self) -> None:
        """Update the parameters with this step's gradients (applied by the next call)."""
        self.pending = True

    def flush(self) -> None:
        """Apply a pending update now."""
        if self.pending:
            self.optimizer.step(self.gradients)
            self.pending = False

    def advance(self, steps: int) -> np.ndarray:
        """Run ``steps`` steps after a :meth:`step`: losses ``(steps, S)`` of each, in float64.

        Each step applies the pending update and computes at the new
        parameters; the last step's update is left pending, as after
        :meth:`step`.
        """
        if not self.pending:
            raise RuntimeError("advance follows a step(): an update must be pending")
        losses = np.empty((steps, self.loss.shape[0]), dtype=np.float64)
        done = 0
        while done < steps:
            count = min(BLOCK_CAPACITY, steps - done)
            self.slot.zero_()
            for _ in range(count):
                self._run("step")
            losses[done : done + count] = self.losses[:, :count].T.cpu().numpy()
            done += count
        return losses

    def snapshot(self) -> None:
        """Keep the current state, to :meth:`rewind` to."""
        with torch.no_grad():
            torch._foreach_copy_(self._saved, self._state())
        self._saved_host = (self.pending, self._steps())

    def rewind(self) -> None:
        """Return to the state of the last :meth:`snapshot`."""
        with torch.no_grad():
            torch._foreach_copy_(self._state(), self._saved)
        self.pending, steps = self._saved_host
        self._set_steps(steps)

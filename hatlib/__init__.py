"""hatlib: the library behind the hatpaper workflow.

One module per concept:

- :mod:`hatlib.activations` -- activation functions and their registry,
- :mod:`hatlib.models` -- shallow networks and their named initialisations,
- :mod:`hatlib.targets` -- sample grids and target functions,
- :mod:`hatlib.training` -- the training engine,
- :mod:`hatlib.spectral` -- per-frequency error metrics (DFT),
- :mod:`hatlib.fem` -- exact finite element Gram matrices and their spectra,
- :mod:`hatlib.analysis` -- summaries of training runs,
- :mod:`hatlib.plotting` -- the figure theme and plot functions,
- :mod:`hatlib.latex` -- LaTeX macro and table writers,
- :mod:`hatlib.config` -- cross-field checks of a workflow configuration,
- :mod:`hatlib.io` -- atomic file output and checked table input,
- :mod:`hatlib.runtime` -- logging, device selection and run metadata.

Importing :mod:`hatlib` imports nothing heavy; import the submodule you need.
"""

__version__ = "0.1.0"

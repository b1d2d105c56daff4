"""The experiments, one module each.

- :mod:`~hatlib.experiments.common`: settings, networks, learning-rate search, a probed run
- :mod:`~hatlib.experiments.single_frequency`: the single-frequency grid
- :mod:`~hatlib.experiments.learning_rates`: its learning-rate selection
- :mod:`~hatlib.experiments.gd_steps`: gradient-descent steps on frozen features
- :mod:`~hatlib.experiments.multifrequency`: several frequencies, 1-D and 2-D
- :mod:`~hatlib.experiments.digits`: low and high frequencies of digit classification
- :mod:`~hatlib.experiments.poisson`: the Poisson problem by the Ritz method
- :mod:`~hatlib.experiments.images`: Hat against ReLU CNNs on MNIST (generalisation)
- :mod:`~hatlib.experiments.classic`: the spectral-bias protocol of Rahaman et al. (2019)
"""

"""Shared code of *Mathematical Foundations of Deep Learning*.

Each module holds one idea and is imported by name, for example::

    from helpers import plotting, widgets, exercises, data

Modules
-------
validation  argument checks whose errors say what was expected and what arrived
plotting    the book's figure style and small drawing helpers
widgets     sliders that redraw a figure in place (with a static fallback)
exercises   checkers that answer correct / wrong with a hint / not attempted yet
data        MNIST from ``data/mnist.npz`` and small deterministic synthetic data sets

Later series add their own modules (linear algebra, autodiff, losses, optimizers, networks).
"""

__version__ = "0.1.0"

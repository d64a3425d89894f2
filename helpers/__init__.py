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
linalg      identities checked with justified tolerances, projections, 2x2 maps drawn, low rank,
            PCA, the cost of a matrix product and its threads (series 1)
gradcheck   numerical gradients and Jacobians, gradient checks (series 2)
autodiff    a small reverse-mode automatic differentiation engine on numpy arrays (series 2)
surfaces    functions of two variables on a grid: surfaces, contours, gradient fields (series 2)
probability densities, sampling, covariance ellipses, checks within standard errors (series 3)
losses      stable log-sum-exp, softmax, sigmoid, cross-entropy, MSE, entropy and KL (series 3)
optim       SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, schedules, divergence checks (series 4)
landscapes  test functions for optimizers (quadratics, Rosenbrock) and their pictures (series 4)
nn          layers and the multilayer perceptron, with its loss and gradients (series 5)
training    the training loop, live progress, the MNIST recipe, accuracy, confusion (series 5)
"""

__version__ = "0.1.0"

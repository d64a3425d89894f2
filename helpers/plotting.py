"""The book's figure style and small drawing helpers.

Call :func:`use_book_style` once in a notebook's setup cell. Colours come from the Okabe-Ito
palette, which stays distinguishable for the common forms of colour blindness; refer to them as
``plotting.COLORS["blue"]`` or by position in ``plotting.PALETTE`` (the default colour cycle).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from cycler import cycler

from .validation import as_array

__all__ = ["COLORS", "PALETTE", "use_book_style", "set_plane", "draw_vectors", "show_image",
           "show_images"]

COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
PALETTE = list(COLORS.values())

BOOK_STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.prop_cycle": cycler(color=PALETTE),
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's house style to matplotlib (figure size 6 x 4 in at 100 dpi, palette,
    fonts, light grid, no top/right spines, constrained layout)."""
    mpl.rcParams.update(BOOK_STYLE)


def set_plane(ax, lim: float | tuple[float, float, float, float] = 3.0, *, grid: bool = True,
              axes_lines: bool = True) -> None:
    """Prepare ``ax`` for drawing in the plane: equal scales, limits, axes through the origin.

    Parameters
    ----------
    ax : matplotlib Axes
    lim : float or (xmin, xmax, ymin, ymax)
        A single number ``L`` means the square [-L, L] x [-L, L].
    grid : bool
        Show the light background grid.
    axes_lines : bool
        Draw the coordinate axes x = 0 and y = 0 as thin black lines.
    """
    if np.isscalar(lim):
        if not lim > 0:
            raise ValueError(f"lim must be a positive number or (xmin, xmax, ymin, ymax), got {lim!r}")
        lim = (-lim, lim, -lim, lim)
    xmin, xmax, ymin, ymax = as_array(lim, "lim", shape=(4,))
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.grid(grid)
    if axes_lines:
        ax.axhline(0.0, color="black", lw=0.8, zorder=0)
        ax.axvline(0.0, color="black", lw=0.8, zorder=0)


def draw_vectors(ax, vectors, origin=(0.0, 0.0), *, colors=None, labels=None, width: float = 0.012,
                 alpha: float = 1.0):
    """Draw 2-D vectors as arrows from ``origin``.

    Parameters
    ----------
    ax : matplotlib Axes
    vectors : array_like, shape (2,) or (k, 2)
        One vector, or one vector per row.
    origin : array_like, shape (2,) or (k, 2)
        Where the arrows start (one point for all, or one per vector).
    colors : sequence of colours, optional
        One per vector; defaults to the palette in order.
    labels : sequence of str, optional
        One per vector; written next to each arrow's tip (LaTeX allowed, e.g. ``r"$\\mathbf{v}$"``).

    Returns
    -------
    matplotlib.quiver.Quiver
    """
    V = as_array(vectors, "vectors", ndim=(1, 2))
    V = V.reshape(1, 2) if V.shape == (2,) else V
    if V.ndim != 2 or V.shape[1] != 2:
        raise ValueError(f"vectors must have shape (2,) or (k, 2), got shape {np.shape(vectors)}")
    O = as_array(origin, "origin", ndim=(1, 2))
    O = np.broadcast_to(O, V.shape) if O.shape in {(2,), V.shape} else None
    if O is None:
        raise ValueError(f"origin must have shape (2,) or {V.shape} (one per vector), "
                         f"got shape {np.shape(origin)}")
    k = len(V)
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(k)]
    if len(colors) != k:
        raise ValueError(f"got {len(colors)} colours for {k} vectors")
    q = ax.quiver(O[:, 0], O[:, 1], V[:, 0], V[:, 1], color=colors, angles="xy",
                  scale_units="xy", scale=1, width=width, alpha=alpha, zorder=3)
    if labels is not None:
        labels = list(labels)
        if len(labels) != k:
            raise ValueError(f"got {len(labels)} labels for {k} vectors")
        for (ox, oy), (vx, vy), text, c in zip(O, V, labels, colors):
            ax.annotate(text, (ox + vx, oy + vy), xytext=(4, 4), textcoords="offset points",
                        color=c, fontsize=12)
    return q


def _as_image(image, name="image") -> np.ndarray:
    img = as_array(image, name, ndim=(1, 2))
    if img.ndim == 1:
        side = int(round(np.sqrt(img.size)))
        if side * side != img.size:
            raise ValueError(f"{name} has shape {img.shape}: a flat image needs a square number of "
                             "pixels (784 = 28 x 28 for MNIST)")
        img = img.reshape(side, side)
    return img


def show_image(ax, image, *, title: str | None = None, cmap: str = "gray_r", vmin=None, vmax=None):
    """Show one grey-scale image (an MNIST digit, say) without axes.

    Parameters
    ----------
    ax : matplotlib Axes
    image : array_like, shape (h, w) or (h*w,) with h == w
        Pixel values; a flat vector of 784 entries is shown as 28 x 28.
    title : str, optional
    cmap : str
        Colour map; ``"gray_r"`` shows ink as dark on white.
    """
    img = _as_image(image)
    im = ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title is not None:
        ax.set_title(title)
    return im


def show_images(images, labels=None, *, ncols: int = 10, size: float = 1.0, cmap: str = "gray_r"):
    """Show a grid of grey-scale images with optional labels as titles.

    Parameters
    ----------
    images : array_like, shape (n, h, w) or (n, h*w)
    labels : sequence, optional
        One title per image (numbers or strings).
    ncols : int
        Images per row.
    size : float
        Width and height of one image in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    imgs = as_array(images, "images", ndim=(2, 3))
    n = len(imgs)
    if n == 0:
        raise ValueError("images is empty: nothing to show")
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {len(labels)} labels for {n} images")
    ncols = max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < n:
            show_image(ax, imgs[i], cmap=cmap,
                       title=None if labels is None else str(labels[i]))
        else:
            ax.axis("off")
    return fig

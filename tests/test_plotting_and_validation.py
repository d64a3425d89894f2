"""The plot style, the drawing helpers and the argument checks they rely on."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plotting, validation  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_use_book_style_sets_palette_and_size():
    with matplotlib.rc_context():
        plotting.use_book_style()
        assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.0, 4.0)
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [c.lower() for c in colors] == [c.lower() for c in plotting.PALETTE]
        assert len(set(plotting.PALETTE)) == 8


def test_set_plane(ax):
    plotting.set_plane(ax, 2.0)
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-2.0, 2.0)
    assert ax.get_aspect() == 1.0
    plotting.set_plane(ax, (0, 4, -1, 1), axes_lines=False)
    assert ax.get_xlim() == (0.0, 4.0)
    with pytest.raises(ValueError, match="lim must be a positive number"):
        plotting.set_plane(ax, -1)
    with pytest.raises(ValueError, match=r"shape \(4,\), got shape \(3,\)"):
        plotting.set_plane(ax, (0, 1, 2))


def test_draw_vectors_draws_one_arrow_per_row(ax):
    q = plotting.draw_vectors(ax, [[1, 2], [3, -1]], labels=["a", "b"])
    np.testing.assert_array_equal(q.U, [1, 3])
    np.testing.assert_array_equal(q.V, [2, -1])
    assert [t.get_text() for t in ax.texts] == ["a", "b"]
    single = plotting.draw_vectors(ax, [1.0, 1.0], origin=[1.0, 2.0])
    np.testing.assert_array_equal(single.X, [1.0]) and np.testing.assert_array_equal(single.Y, [2.0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(vectors=[[1, 2, 3]]), r"shape \(2,\) or \(k, 2\), got shape \(1, 3\)"),
    (dict(vectors=[[1, 2], [3, 4]], origin=[[0, 0], [0, 0], [0, 0]]), r"origin must have shape \(2,\) or \(2, 2\)"),
    (dict(vectors=[[1, 2], [3, 4]], labels=["only one"]), "1 labels for 2 vectors"),
    (dict(vectors=[[1, 2], [3, 4]], colors=["red"]), "1 colours for 2 vectors"),
    (dict(vectors="north"), "numeric array"),
])
def test_draw_vectors_bad_input(ax, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        plotting.draw_vectors(ax, **kwargs)


def test_show_image_accepts_flat_and_square(ax):
    im = plotting.show_image(ax, np.arange(784), title="x")
    assert im.get_array().shape == (28, 28)
    assert ax.get_title() == "x" and not ax.get_xticks().size
    with pytest.raises(ValueError, match="square number of pixels"):
        plotting.show_image(ax, np.arange(10))


def test_show_images_grid():
    fig = plotting.show_images(np.zeros((7, 28, 28)), labels=list("abcdefg"), ncols=3)
    try:
        assert len(fig.axes) == 9
        assert [a.get_title() for a in fig.axes[:7]] == list("abcdefg")
        assert not fig.axes[8].axison
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="2 labels for 3 images"):
        plotting.show_images(np.zeros((3, 4, 4)), labels=[1, 2])
    with pytest.raises(ValueError, match="empty"):
        plotting.show_images(np.zeros((0, 4, 4)))


def test_as_array_checks_rank_and_shape():
    assert validation.as_array([1, 2], "v", shape=(2,)).dtype == np.float64
    assert validation.as_array(np.ones((3, 2)), "X", shape=(None, 2)).shape == (3, 2)
    with pytest.raises(ValueError, match=r"X must have shape \(any, 2\), got shape \(3, 4\)"):
        validation.as_array(np.ones((3, 4)), "X", shape=(None, 2))
    with pytest.raises(ValueError, match=r"v must have 1 or 2 dimension\(s\), got shape \(\)"):
        validation.as_array(3.0, "v", ndim=(1, 2))
    with pytest.raises(TypeError, match="v must be a numeric array, got str"):
        validation.as_array("abc", "v")
    with pytest.raises(TypeError, match="numeric array"):
        validation.as_array([1, [2, 3]], "v")


def test_require_same_shape_names_both():
    validation.require_same_shape(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"y_hat has shape \(3,\) but y has shape \(3, 1\)"):
        validation.require_same_shape(np.ones(3), np.ones((3, 1)), ("y_hat", "y"))


@pytest.mark.parametrize("bad", [0, -3, 2.0, True, "4", None])
def test_require_positive_int(bad):
    assert validation.require_positive_int(np.int64(5)) == 5
    with pytest.raises(ValueError, match="must be a positive integer"):
        validation.require_positive_int(bad, "n")


def test_as_generator_passes_generators_and_seeds_integers():
    g = np.random.default_rng(3)
    assert validation.as_generator(g) is g
    assert validation.as_generator(7).random() == np.random.default_rng(7).random()
    for bad in (-1, 1.5, True, "seed", None):
        with pytest.raises(TypeError, match=r"rng must be a numpy Generator .*default_rng"):
            validation.as_generator(bad)


def test_as_batch_converts_floats_and_explains_everything_else():
    X = validation.as_batch(np.ones((3, 4)), 4, np.float32)
    assert X.dtype == np.float32 and X.shape == (3, 4)
    with pytest.raises(ValueError, match=r"X has shape \(3, 5\) but the network expects shape \(N, 4\)"):
        validation.as_batch(np.ones((3, 5)), 4)
    with pytest.raises(ValueError, match=r"batch has shape \(4,\)"):
        validation.as_batch(np.ones(4), 4, name="batch")
    with pytest.raises(TypeError, match=r"uint8.*X / 255"):
        validation.as_batch(np.ones((3, 4), np.uint8), 4)
    with pytest.raises(TypeError, match="numeric"):
        validation.as_batch([["a"] * 4], 4)


def test_as_labels_checks_dtype_shape_count_and_range():
    y = validation.as_labels(np.array([0, 2, 1], np.int32), 3, n=3)
    assert y.dtype == np.int64 and y.tolist() == [0, 2, 1]
    assert validation.as_labels([1, 1], 2).tolist() == [1, 1]       # any length when n is None
    with pytest.raises(TypeError, match=r"integers \(class labels 0..2\), got dtype float64 "
                                        r"\(convert with .astype\(int\)"):
        validation.as_labels([0.0, 1.0], 3)
    with pytest.raises(ValueError, match=r"shape \(N,\)"):
        validation.as_labels([[0, 1]], 3)
    with pytest.raises(ValueError, match=r"shape \(2,\) but there are 3 examples"):
        validation.as_labels([0, 1], 3, n=3)
    with pytest.raises(ValueError, match=r"labels\[1\] = 5 is out of range.*\[0, 3\) \(1 out"):
        validation.as_labels([0, 5, 2], 3, name="labels")


@pytest.mark.parametrize("bad, error, message", [
    ([1.0, 2.0], ValueError, "2 dimension"),
    (np.zeros((0, 3)), ValueError, r"at least one row and one column, got shape \(0, 3\)"),
    ([[1.0, np.nan]], ValueError, "NaN or infinity"),
    ([[1.0, np.inf]], ValueError, "NaN or infinity"),
    ([["a", "b"]], TypeError, "numeric"),
])
def test_as_finite_matrix_names_what_is_wrong(bad, error, message):
    with pytest.raises(error, match=message):
        validation.as_finite_matrix(bad, "M")
    assert validation.as_finite_matrix([[1, 2], [3, 4]]).dtype == np.float64


def test_as_mean_and_cov_checks_shapes_finiteness_and_symmetry():
    from helpers.validation import as_mean_and_cov
    mu, S = as_mean_and_cov([1, 2], [[2, 0.5], [0.5, 1]])
    assert mu.shape == (2,) and S.shape == (2, 2) and mu.dtype == S.dtype == np.float64
    mu, S = as_mean_and_cov([0.0, 0.0], [[1.0, 1.0], [1.0, 1.0]])     # singular is the caller's call
    assert np.array_equal(S, [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match=r"mean has shape \(2,\) so cov must have shape \(2, 2\)"):
        as_mean_and_cov([0.0, 0.0], np.eye(3))
    with pytest.raises(ValueError, match="finite"):
        as_mean_and_cov([0.0, np.nan], np.eye(2))
    with pytest.raises(ValueError, match="symmetric"):
        as_mean_and_cov([0.0, 0.0], [[1.0, 0.3], [0.0, 1.0]])

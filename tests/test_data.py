"""MNIST loading (checksums, shapes, clear errors) and the synthetic data sets."""

import shutil
import zipfile

import numpy as np
import pytest

from helpers import data
from helpers.data import DataError


@pytest.fixture(scope="module")
def mnist():
    return data.load_mnist()


def test_mnist_shapes_dtypes_and_known_statistics(mnist):
    x_train, y_train, x_test, y_test = mnist
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    # Label counts published with the data (data/README.md), independent of this code.
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.min() == 0 and x_train.max() == 255
    assert abs(x_train.mean() - 33.318) < 1e-3


def test_mnist_flatten_and_normalize(mnist):
    flat = data.load_mnist(flatten=True, normalize=True)
    assert flat.x_train.shape == (60000, 784) and flat.x_test.shape == (10000, 784)
    assert flat.x_train.dtype == np.float32
    assert 0.0 <= flat.x_train.min() and flat.x_train.max() <= 1.0
    np.testing.assert_allclose(flat.x_train[7].reshape(28, 28) * 255, mnist.x_train[7], atol=1e-4)
    assert flat.y_train is not mnist.y_train and np.array_equal(flat.y_train, mnist.y_train)


def test_missing_file_says_how_to_fix(tmp_path, monkeypatch):
    # The book's own file missing: the remedy restores it from the repository.
    monkeypatch.setattr(data, "__file__", str(tmp_path / "pkg" / "helpers" / "data.py"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    with pytest.raises(DataError, match="not found") as info:
        data.load_mnist()
    assert "git checkout -- data/mnist.npz" in str(info.value)
    assert str(tmp_path / "pkg" / "data" / "mnist.npz") in str(info.value)


def test_a_custom_path_gets_a_remedy_for_that_path(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    with pytest.raises(DataError, match="not found") as info:
        data.load_mnist(tmp_path / "mine.npz")
    assert str(tmp_path / "mine.npz") in str(info.value)
    assert "git checkout" not in str(info.value)
    monkeypatch.setenv(data.MNIST_ENV, str(tmp_path / "elsewhere.npz"))
    with pytest.raises(DataError, match=r"\$MFDL_MNIST") as info:
        data.load_mnist()
    assert str(tmp_path / "elsewhere.npz") in str(info.value)


def test_a_folder_in_the_files_place_is_named_as_such(tmp_path):
    (tmp_path / "mnist.npz").mkdir()
    with pytest.raises(DataError, match="is a folder"):
        data.load_mnist(tmp_path / "mnist.npz", verify=False)


def test_found_however_helpers_is_installed(tmp_path, monkeypatch):
    """A non-editable install puts helpers in site-packages, far from data/: the file is then
    found from the folder the notebook runs in (inside the repository), or from $MFDL_MNIST."""
    book = data.default_mnist_path()
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.setattr(data, "__file__", str(tmp_path / "site-packages" / "helpers" / "data.py"))
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    (repo / "notebooks" / "05_neural_networks").mkdir(parents=True)
    (repo / "data" / "mnist.npz").symlink_to(book)
    monkeypatch.chdir(repo / "notebooks" / "05_neural_networks")
    assert data.default_mnist_path() == repo / "data" / "mnist.npz"
    assert data.load_mnist().x_test.shape == (10000, 28, 28)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.MNIST_ENV, str(book))
    assert data.default_mnist_path() == book
    assert data.load_mnist().y_train.shape == (60000,)


def test_corrupt_file_is_detected_by_checksum(tmp_path):
    bad = tmp_path / "mnist.npz"
    shutil.copy(data.default_mnist_path(), bad)
    with open(bad, "r+b") as fh:  # flip one byte in the middle
        fh.seek(5_000_000)
        byte = fh.read(1)
        fh.seek(5_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(DataError, match="sha256") as info:
        data.load_mnist(bad)
    assert data.MNIST_SHA256 in str(info.value)


def test_lfs_pointer_is_reported_as_damaged(tmp_path):
    pointer = tmp_path / "mnist.npz"
    pointer.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 11490519\n")
    with pytest.raises(DataError, match="damaged"):
        data.load_mnist(pointer)


def test_unverified_garbage_is_still_a_clear_error(tmp_path):
    junk = tmp_path / "mnist.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(DataError, match="not a readable .npz"):
        data.load_mnist(junk, verify=False)


def test_unverified_damage_is_always_a_data_error(tmp_path):
    """With verify=False nothing checks the sha256 first: a truncated archive, a damaged member and
    a .npy saved under the .npz name must still give DataError naming the file."""
    good = tmp_path / "good.npz"
    arrays = {"x_train": np.arange(60000 * 784, dtype=np.uint8).reshape(60000, 28, 28),
              "y_train": np.zeros(60000, np.uint8), "x_test": np.zeros((10000, 28, 28), np.uint8),
              "y_test": np.zeros(10000, np.uint8)}
    np.savez_compressed(good, **arrays)
    raw = good.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(raw[: len(raw) // 2])
    damaged = tmp_path / "damaged.npz"
    middle = bytearray(raw)
    for i in range(len(raw) // 3, len(raw) // 3 + 64):
        middle[i] ^= 0x5A
    damaged.write_bytes(bytes(middle))
    npy = tmp_path / "array.npz"
    with open(npy, "wb") as fh:
        np.save(fh, arrays["y_test"])
    assert data.load_mnist(good, verify=False).x_train.shape == (60000, 28, 28)
    for path in (truncated, damaged, npy):
        with pytest.raises(DataError) as info:
            data.load_mnist(path, verify=False)
        assert str(path) in str(info.value)


def _npy_header_only(header: str) -> bytes:
    """The first bytes of a .npy file whose header text is ``header`` (no data follows)."""
    text = header.encode("latin1")
    text += b" " * (64 - (10 + len(text) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


@pytest.mark.parametrize("case", ["unclosed header", "huge shape", "zip version"])
def test_unverified_damage_of_any_kind_is_a_data_error(tmp_path, case):
    """Damage that numpy and zipfile report as TokenError, MemoryError or NotImplementedError (found
    by flipping single bytes of a saved archive) is a DataError naming the file, too."""
    path = tmp_path / "mnist.npz"
    names = ("x_train", "y_train", "x_test", "y_test")
    if case == "zip version":
        np.savez(path, **{k: np.zeros(3, np.uint8) for k in names})
        raw = bytearray(path.read_bytes())
        entry = raw.find(b"PK\x01\x02")         # central directory: version needed to extract
        raw[entry + 6] = 0xFF
        path.write_bytes(bytes(raw))
    else:
        shape = "(60000, 28, 28" if case == "unclosed header" else "(10000000000000, 28, 28), }"
        member = _npy_header_only("{'descr': '|u1', 'fortran_order': False, 'shape': " + shape)
        with zipfile.ZipFile(path, "w") as archive:
            for k in names:
                archive.writestr(k + ".npy", member)
    with pytest.raises(DataError, match="not a readable .npz") as info:
        data.load_mnist(path, verify=False)
    assert str(path) in str(info.value) and "git checkout" not in str(info.value)


def test_the_default_path_is_a_folder(tmp_path, monkeypatch):
    """A folder where the book's file belongs is reported as a folder (not 'not found'), with the
    remedy for the book's own file; a folder found from the working folder upwards, too."""
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.setattr(data, "__file__", str(tmp_path / "pkg" / "helpers" / "data.py"))
    (tmp_path / "pkg" / "data" / "mnist.npz").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError, match="is a folder") as info:
        data.load_mnist(verify=False)
    assert "git checkout -- data/mnist.npz" in str(info.value)
    (tmp_path / "pkg" / "data" / "mnist.npz").rmdir()
    (tmp_path / "work" / "data" / "mnist.npz").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work")
    with pytest.raises(DataError, match="is a folder") as info:
        data.load_mnist()
    assert str(tmp_path / "work" / "data" / "mnist.npz") in str(info.value)
    assert "git checkout -- data/mnist.npz" in str(info.value)


def test_wrong_arrays_are_reported(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, x_train=np.zeros((5, 28, 28), np.uint8))
    with pytest.raises(DataError, match="lacks the arrays"):
        data.load_mnist(other, verify=False)
    wrong_shape = tmp_path / "wrong.npz"
    np.savez(wrong_shape, x_train=np.zeros((5, 28, 28), np.uint8), y_train=np.zeros(5, np.uint8),
             x_test=np.zeros((5, 28, 28), np.uint8), y_test=np.zeros(5, np.uint8))
    with pytest.raises(DataError, match=r"x_train has shape \(5, 28, 28\)"):
        data.load_mnist(wrong_shape, verify=False)


@pytest.mark.parametrize("make", [data.make_moons, data.make_spirals, data.make_blobs])
def test_synthetic_sets_are_deterministic_and_shaped(make):
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.ndim == 2 and X1.shape[1] == 2 and X1.dtype == np.float64
    assert y1.shape == (len(X1),) and y1.dtype == np.int64


def test_moons_geometry_without_noise():
    X, y = data.make_moons(n=101, noise=0.0)
    assert (y == 0).sum() == 51 and (y == 1).sum() == 50
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)                        # unit half circle
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= 0 and lower[:, 1].max() <= 0.5


def test_spirals_arms_are_rotated_copies():
    X, y = data.make_spirals(n_per_class=50, n_classes=3, noise=0.0)
    rot = 2 * np.pi / 3
    R = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]])
    np.testing.assert_allclose(X[y == 0] @ R.T, X[y == 1], atol=1e-12)
    assert np.bincount(y).tolist() == [50, 50, 50]


def test_blobs_centres_are_recovered():
    centers = np.array([[-3.0, 1.0], [2.0, 2.0], [0.0, -4.0]])
    X, y = data.make_blobs(n_per_class=4000, centers=centers, std=0.5)
    for k, c in enumerate(centers):
        # the sample mean's standard error is 0.5 / sqrt(4000) ~ 0.008; allow 5 standard errors
        np.testing.assert_allclose(X[y == k].mean(axis=0), c, atol=5 * 0.5 / np.sqrt(4000))


@pytest.mark.parametrize("call, message", [
    (lambda: data.make_moons(n=0), "n must be a positive integer"),
    (lambda: data.make_moons(n=2.5), "n must be a positive integer"),
    (lambda: data.make_moons(noise=-1), "noise must be"),
    (lambda: data.make_spirals(n_classes=0), "n_classes must be a positive integer"),
    (lambda: data.make_spirals(turns=0), "turns must be"),
    (lambda: data.make_blobs(centers=[1.0, 2.0]), r"centers must have shape \(k, 2\)"),
    (lambda: data.make_blobs(std=float("nan")), "noise must be"),
])
def test_synthetic_sets_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_word_list_is_the_books_corpus():
    words = data.load_words()
    assert len(words) == 63875
    assert all(w.isascii() and w.isalpha() and w.islower() for w in words)
    assert words[0] < words[-1] and "zebra" in set(words)


def test_a_damaged_word_list_says_how_to_restore_it(tmp_path, monkeypatch):
    bad = tmp_path / "words.txt"
    bad.write_text("aardvark\nzebra\n")
    with pytest.raises(data.DataError, match="sha256") as info:     # a path of the reader's own
        data.load_words(bad)
    assert str(bad) in str(info.value) and "git checkout" not in str(info.value)
    with pytest.raises(data.DataError, match="not found at"):
        data.load_words(tmp_path / "missing.txt")
    with pytest.raises(data.DataError, match="is a folder"):
        data.load_words(tmp_path)
    # The book's own file damaged: the remedy restores it from the repository.
    monkeypatch.setattr(data, "__file__", str(tmp_path / "pkg" / "helpers" / "data.py"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg" / "data").mkdir(parents=True)
    (tmp_path / "pkg" / "data" / "words.txt").write_text("aardvark\n")
    with pytest.raises(data.DataError, match="sha256.*git checkout -- data/words.txt"):
        data.load_words()
    (tmp_path / "pkg" / "data" / "words.txt").unlink()
    (tmp_path / "pkg" / "data" / "words.txt").mkdir()
    with pytest.raises(data.DataError, match="is a folder.*git checkout -- data/words.txt"):
        data.load_words()

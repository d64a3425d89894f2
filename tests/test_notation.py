"""The book's notation, checked mechanically over every notebook (read-only).

The convention is stated once, in the introduction's "## Notation" section: a dense layer from d
inputs to k outputs has weights W in R^{d x k}, stored exactly as in code (``W.shape == (d, k)``),
and acts as z = W^T x + b on one example and as Z = X W + 1 b^T (``X @ W + b``) on a batch.

What can be checked without reading the prose:

1. the introduction has the "## Notation" section, and it states the layer, the Jacobian and
   gradient conventions, probability, optimization and logarithms;
2. no markdown cell multiplies a weight matrix W from the left with a layer's input or activation
   (``\\mathbf{W}\\mathbf{x}``, ``\\mathbf{W}\\mathbf{a}``, ``\\mathbf{W}\\mathbf{h}``): with W of
   shape (d, k) that product is undefined (generic linear maps are written A x; a W that maps a
   latent code, W z, is such a map and is not checked);
3. every markdown statement "W in R^{a x b}" or "`W` of shape `(a, b)`" agrees with the shape of
   the W that the nearest code cells build, whenever both shapes are comparable (the same symbols,
   or integers once the code's integer variables are substituted).

The fixtures at the end are the wording these checks exist to catch (the introduction's and the
chain-rule notebook's earlier text); the tests prove that each of them is flagged.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
INTRODUCTION = ROOT / "notebooks" / "00_introduction.ipynb"

# --------------------------------------------------------------------------------- parsing

_BOLD_W = r"\\mathbf\s*\{?\s*W\s*\}?"
_SUB = r"(?:_\s*\{?\s*(?P<sub>[A-Za-z0-9]+)\s*\}?)?"
# W (optionally with a subscript) immediately followed by a layer's input or activation: W x, W_1 a, W h
W_TIMES_VECTOR = re.compile(_BOLD_W + r"(?:_\s*\{?\s*[A-Za-z0-9]+\s*\}?)?"
                            r"(?:\s|\\,|\\;|\\!)*\\mathbf\s*\{?\s*[xah]\b")
# W_sub \in \mathbb{R}^{a \times b}
W_IN_R = re.compile(_BOLD_W + _SUB + r"\s*\\in\s*\\mathbb\s*\{?\s*R\s*\}?\s*\^\s*\{(?P<a>[^{}]+?)\\times(?P<b>[^{}]+?)\}")
# `W_sub` of shape `(a, b)`
W_OF_SHAPE = re.compile(r"`W(?P<sub>_?[A-Za-z0-9]*)`\s+of\s+shape\s+`\((?P<a>[^,()`]+),\s*(?P<b>[^,()`]+)\)`")


def cells_of(nb: dict) -> list[tuple[str, str]]:
    """(cell_type, source) for every cell of a notebook given as a dict (nbformat JSON)."""
    out = []
    for cell in nb["cells"]:
        src = cell.get("source", "")
        out.append((cell["cell_type"], "".join(src) if isinstance(src, list) else src))
    return out


def load(path: Path) -> list[tuple[str, str]]:
    return cells_of(json.loads(path.read_text(encoding="utf-8")))


def token(text: str):
    """A shape entry reduced to a comparable token: an int, or a symbol name such as 'd' or 'nin'."""
    t = re.sub(r"\\(?:mathrm|text|mathit)\s*", "", text)
    t = re.sub(r"[\\{}\s_$`]", "", t)
    if re.fullmatch(r"\d+", t):
        return int(t)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", t):
        return t
    return None                                   # an expression: not comparable


def _ints_assigned(code: str, known: dict) -> None:
    """Record simple integer assignments (``d = 784``, ``N, d, K = 20, 4, 3``) into ``known``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        pairs = []
        if isinstance(target, ast.Name):
            pairs = [(target, value)]
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) \
                and len(target.elts) == len(value.elts):
            pairs = list(zip(target.elts, value.elts))
        for t, v in pairs:
            if isinstance(t, ast.Name) and isinstance(v, ast.Constant) and type(v.value) is int:
                known[t.id] = v.value


def _shape_args(call: ast.Call):
    """The two shape entries of a call that builds a matrix, or None."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    for kw in call.keywords:
        if kw.arg == "size" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
            return kw.value.elts
    if name in {"zeros", "ones", "empty", "full"} and call.args and isinstance(call.args[0], ast.Tuple) \
            and len(call.args[0].elts) == 2:
        return call.args[0].elts
    if name == "Matrix" and len(call.args) >= 2:              # sympy: Matrix(rows, cols, entries)
        return call.args[:2]
    return None


def built_shapes(code: str) -> dict[str, tuple]:
    """Variable name -> (entry, entry) for each matrix the code builds with an explicit shape.

    Entries are ast nodes' source text; the caller reduces them with :func:`token`.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            for sub in ast.walk(node.value):
                if isinstance(sub, ast.Call):
                    args = _shape_args(sub)
                    if args is not None:
                        found[node.targets[0].id] = tuple(ast.unparse(a) for a in args)
                        break
    return found


def _code_names(sub: str | None) -> set[str]:
    """Code names that a maths W with subscript ``sub`` may have: W1, W_1 for W_1; W for W."""
    sub = (sub or "").lstrip("_")
    return {f"W{sub}", f"W_{sub}"} if sub else {"W"}


# ------------------------------------------------------------------------------- the checks

def layer_written_as_W_times_vector(cells) -> list[str]:
    """Every markdown snippet that multiplies a weight matrix W by a vector from the left."""
    problems = []
    for i, (kind, src) in enumerate(cells):
        if kind != "markdown":
            continue
        for m in W_TIMES_VECTOR.finditer(src):
            problems.append(f"cell {i}: {src[max(0, m.start() - 30):m.end() + 10]!r}")
    return problems


def shape_disagreements(cells, lookahead: int = 6) -> list[str]:
    """Markdown 'W in R^{a x b}' / '`W` of shape `(a, b)`' that contradicts the W the code builds.

    The code searched is the next ``lookahead`` code cells after the statement; its integer
    variables (from every code cell up to there) are substituted, so '784 x 100' is compared with
    ``size=(d, h)`` when ``d, h = 784, 100`` was assigned. Pairs that cannot be compared (an
    expression, or a symbol against a number) are skipped.
    """
    problems = []
    for i, (kind, src) in enumerate(cells):
        if kind != "markdown":
            continue
        statements = [(m.group("sub"), m.group("a"), m.group("b")) for m in W_IN_R.finditer(src)]
        statements += [(m.group("sub"), m.group("a"), m.group("b")) for m in W_OF_SHAPE.finditer(src)]
        if not statements:
            continue
        known: dict[str, int] = {}
        for kind_j, src_j in cells[:i]:
            if kind_j == "code":
                _ints_assigned(src_j, known)
        following = []
        for kind_j, src_j in cells[i + 1:]:
            if kind_j == "code":
                following.append(src_j)
                if len(following) == lookahead:
                    break
        for sub, a, b in statements:
            stated = (token(a), token(b))
            if None in stated:
                continue
            ints = dict(known)
            for code in following:
                shapes = built_shapes(code)
                _ints_assigned(code, ints)
                hits = [shapes[n] for n in _code_names(sub) if n in shapes]
                if not hits:
                    continue
                built = tuple(token(e) for e in hits[0])
                if None in built:
                    break
                candidates = [built, tuple(ints.get(t, t) if isinstance(t, str) else t for t in built)]
                stated_forms = [stated, tuple(ints.get(t, t) if isinstance(t, str) else t for t in stated)]
                comparable = [(s, c) for s in stated_forms for c in candidates
                              if all(type(x) is type(y) for x, y in zip(s, c))]
                if comparable and not any(s == c for s, c in comparable):
                    problems.append(f"cell {i}: W{'_' + sub if sub else ''} stated as {a.strip()} x {b.strip()}, "
                                    f"but the code builds shape {hits[0]}")
                break
    return problems


def notation_section_problems(cells) -> list[str]:
    """What the introduction's '## Notation' section must state."""
    sections = [src for kind, src in cells if kind == "markdown" and src.startswith("## Notation\n")]
    if len(sections) != 1:
        return [f"expected exactly one markdown cell starting with '## Notation', found {len(sections)}"]
    text = re.sub(r"\s+", " ", sections[0])
    required = {
        "the layer's weights W in R^{d x k}": r"\\mathbf\{W\} \\in \\mathbb\{R\}\^\{d \\times k\}",
        "stored exactly as in code": r"W\.shape == \(d, k\)",
        "one example: z = W^T x + b": r"\\mathbf\{z\} = \\mathbf\{W\}\^\\top \\mathbf\{x\} \+ \\mathbf\{b\}",
        "a batch: Z = X W + 1 b^T": r"\\mathbf\{Z\} = \\mathbf\{X\}\\mathbf\{W\} \+ \\mathbf\{1\}\\mathbf\{b\}\^\\top",
        "code: X @ W + b": r"`X @ W \+ b`",
        "a batch stacks examples as rows": r"\\mathbf\{X\} \\in \\mathbb\{R\}\^\{N \\times d\}.*\*\*row\*\*",
        "vectors are columns": r"\*\*column\*\*",
        "the Jacobian: rows are outputs": r"\*\*rows are outputs\*\*",
        "the gradient is a column": r"gradient of a scalar .*\*\*column\*\*",
        "probability P, p, E, Var, Cov, N": r"P\(A\).*p\(x\).*\\mathbb\{E\}.*\\operatorname\{Var\}.*\\operatorname\{Cov\}.*\\mathcal\{N\}",
        "learning rate eta and steps t": r"\\eta\$.*learning rate.*\$t,",
        "the natural logarithm": r"\\log.*\*\*natural\*\*",
    }
    return [f"the notation section does not state {what}" for what, pattern in required.items()
            if not re.search(pattern, text)]


# ----------------------------------------------------------------------------------- tests

def _id(path: Path) -> str:
    return str(path.relative_to(ROOT / "notebooks"))


def test_the_introduction_states_the_notation():
    assert notation_section_problems(load(INTRODUCTION)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_no_layer_is_written_W_times_x(path):
    problems = layer_written_as_W_times_vector(load(path))
    assert problems == [], (f"{_id(path)} multiplies a weight matrix W by a vector from the left; the book "
                            "writes a layer as W^T x + b (W in R^{d x k}, as in code), see the introduction's "
                            "Notation:\n" + "\n".join(problems))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_stated_shapes_of_W_match_the_code(path):
    problems = shape_disagreements(load(path))
    assert problems == [], f"{_id(path)}:\n" + "\n".join(problems)


def test_there_are_notebooks_to_check():
    assert INTRODUCTION in NOTEBOOKS and len(NOTEBOOKS) >= 10


# ------------------------------------------------------- fixtures: the wording the checks catch

OLD_INTRODUCTION = [("markdown", """## Notation

| Symbol | Meaning | In code |
|---|---|---|
| $\\mathbf{W} \\in \\mathbb{R}^{m \\times n}$ | a matrix with $m$ rows and $n$ columns, bold upper-case | array of shape `(m, n)` |
| $\\log$ | the natural logarithm (base $e$) | `np.log` |

Vectors are columns in the maths, but a batch of examples in code stores one example per *row*. So
a layer that maps a $d$-dimensional input to $k$ outputs is written $\\mathbf{W}\\mathbf{x} +
\\mathbf{b}$ for one column vector $\\mathbf{x}$, and `X @ W + b` in code for a batch `X` of shape
`(N, d)`, with `W` of shape `(d, k)`.""")]

OLD_CHAIN_RULE = [
    ("markdown", """### 2. The linear layer $\\mathbf z = \\mathbf W \\mathbf x$

With $\\mathbf W \\in \\mathbb{R}^{m \\times n}$, $z_i = \\sum_k W_{ik} x_k$."""),
    ("code", 'W_s = sp.Matrix(2, 3, sp.symbols("W0:6"))\nx_s = sp.Matrix(sp.symbols("x0:3"))'),
    ("markdown", """In code a batch of $N$ inputs is stored as the rows of $\\mathbf X \\in \\mathbb{R}^{N \\times n}$ and a
dense layer computes $\\mathbf Z = \\mathbf X \\mathbf W + \\mathbf b$ with $\\mathbf W \\in
\\mathbb{R}^{n \\times m}$ (the book's convention: one example per row)."""),
    ("code", "N, n, m = 8, 5, 3\nW = rng.normal(size=(n, m))"),
]

# A statement whose shape is the transpose of what the code builds (symbols, and numbers).
TRANSPOSED_SHAPE = [
    ("code", "d, h = 784, 100"),
    ("markdown", "A layer with weights $\\mathbf{W} \\in \\mathbb{R}^{h \\times d}$ and `W1` of shape `(100, 784)`."),
    ("code", "W = rng.normal(0, 0.05, size=(d, h))\nW1 = np.zeros((d, h))"),
]

AGREEING_SHAPE = [
    ("code", "d, h = 784, 100"),
    ("markdown", "Weights $\\mathbf{W} \\in \\mathbb{R}^{784 \\times 100}$, $\\mathbf{z} = \\mathbf{W}^\\top \\mathbf{x} + "
                 "\\mathbf{b}$, and $\\mathbf{W}_1 \\in \\mathbb{R}^{d \\times h}$."),
    ("code", "W = rng.normal(0, 0.05, size=(d, h))\nW1 = rng.normal(size=(d, h))"),
]


def test_the_old_introduction_wording_is_caught():
    assert layer_written_as_W_times_vector(OLD_INTRODUCTION)
    problems = notation_section_problems(OLD_INTRODUCTION)
    assert any("W^T x + b" in p for p in problems) and any("rows are outputs" in p for p in problems)


def test_the_old_chain_rule_wording_is_caught():
    assert layer_written_as_W_times_vector(OLD_CHAIN_RULE)


def test_a_transposed_shape_statement_is_caught():
    problems = shape_disagreements(TRANSPOSED_SHAPE)
    assert len(problems) == 2, problems           # the symbolic statement and the numeric one


def test_agreeing_statements_pass():
    assert shape_disagreements(AGREEING_SHAPE) == []
    assert layer_written_as_W_times_vector(AGREEING_SHAPE) == []


def test_transpose_is_not_flagged_but_W_h_is():
    ok = [("markdown", "$\\mathbf{W}^\\top \\mathbf{x} + \\mathbf{b}$ and $\\mathbf W_2^\\top\\mathbf h$")]
    bad = [("markdown", "$\\mathbf W_2 \\mathbf h + \\mathbf b_2$")]
    assert layer_written_as_W_times_vector(ok) == []
    assert len(layer_written_as_W_times_vector(bad)) == 1

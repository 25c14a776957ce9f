"""Text tables and the CSV loader: separators, header rule, quoting, every error named with
its file and line; the columnar reader agrees with reading line by line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import csv_table, datasets
from nnviz.core.csv_table import read_table
from nnviz.core.datasets import DatasetError, load_csv, load_dataset
from nnviz.core.resources import resource_path

# --------------------------------------------------------------------------------------------
# CSV loader: happy paths


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_header_and_target_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "x1,label,x2\n1,a,2\n\n3,b,4\n5,c,6\n7,a,8\n")
    ds = load_csv(path, target="label", standardize=False)
    assert ds.feature_names == ("x1", "x2")
    assert ds.class_names == ("a", "b", "c")
    assert np.array_equal(ds.X_train, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert np.array_equal(ds.Y_train, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
    assert ds.name == "data" and "label" in ds.description


def test_csv_no_header_target_by_index(tmp_path: Path) -> None:
    path = _write(tmp_path, "0,1.5,2.5\n1,3.5,4.5\n0,5.5,6.5\n1,7.5,8.5\n")
    ds = load_csv(path, target=0, standardize=False)
    assert ds.feature_names == ("column 2", "column 3")
    assert ds.class_names == ("0", "1")
    assert np.array_equal(ds.Y_train, [[0], [1], [0], [1]])
    assert np.array_equal(ds.X_train[:, 0], [1.5, 3.5, 5.5, 7.5])
    same = load_csv(path, target=-3, standardize=False)
    assert np.array_equal(same.Y_train, ds.Y_train)
    # header=False forces the first row to be data even when detection is skipped.
    assert len(load_csv(path, target=0, header=False).X_train) == 4


def test_csv_binary_string_labels_and_features_subset(tmp_path: Path) -> None:
    path = _write(tmp_path, "a;b;c;y\n1,5;2;3;yes\n2,5;3;4;no\n3,5;5;1;yes\n")
    ds = load_csv(path, target="y", features=["c", 0], standardize=False)
    assert ds.feature_names == ("c", "a")
    assert np.array_equal(ds.X_train, [[3, 1.5], [4, 2.5], [1, 3.5]])  # decimal commas
    assert ds.class_names == ("no", "yes") and np.array_equal(ds.Y_train, [[1], [0], [1]])


def test_csv_whitespace_tabs_and_regression(tmp_path: Path) -> None:
    path = _write(tmp_path, "size\tcolour code\tprice\n1\t\t2\t10.25\n2\t3\t11.5\n3\t4\t12.75\n")
    ds = load_csv(path, standardize=False)
    assert ds.feature_names == ("size", "colour code")
    assert ds.class_names == () and np.array_equal(ds.Y_train, [[10.25], [11.5], [12.75]])
    spaced = _write(tmp_path, "1 2   0\n3 4 1\n  5 6 0\n", name="spaced.txt")
    ds = load_csv(spaced, standardize=False)
    assert ds.X_train.shape == (3, 2) and ds.Y_train[:, 0].tolist() == [0, 1, 0]


def test_csv_uci_iris_file_loads_like_builtin(tmp_path: Path) -> None:
    ds = load_csv(resource_path("datasets", "iris.data"), test_ratio=0.2, seed=9)
    builtin = load_dataset("iris", test_ratio=0.2, seed=9)
    assert np.array_equal(ds.X_train, builtin.X_train)
    assert np.array_equal(ds.Y_test, builtin.Y_test)
    assert ds.class_names == ("Iris-setosa", "Iris-versicolor", "Iris-virginica")
    seeds = load_csv(resource_path("datasets", "seeds_dataset.txt"))
    assert seeds.Y_train.shape == (210, 3) and seeds.class_names == ("1", "2", "3")


def test_csv_is_standardized_and_deterministic(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    lines = ["f1,f2,cls"] + [f"{a:.6f},{b:.6f},{int(a > b)}" for a, b in rng.normal(size=(60, 2))]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    a = load_csv(path, test_ratio=0.25, seed=2)
    b = load_csv(path, test_ratio=0.25, seed=2)
    assert a.X_train.tobytes() == b.X_train.tobytes() and a.X_test.tobytes() == b.X_test.tobytes()
    assert len(a.X_test) == 15
    assert np.allclose(a.X_train.mean(axis=0), 0.0) and np.allclose(a.X_train.std(axis=0), 1.0)


# --------------------------------------------------------------------------------------------
# CSV loader: every error names file, line and problem


def _error(path: Path, **kwargs: object) -> str:
    with pytest.raises(DatasetError) as info:
        load_csv(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    return message


def test_csv_empty_file(tmp_path: Path) -> None:
    assert "line 1: file is empty" in _error(_write(tmp_path, ""))
    assert "line 1: file is empty" in _error(_write(tmp_path, "\n  \n\n", name="blank.csv"))
    assert "line 2: only a header" in _error(_write(tmp_path, "\na,b,c\n", name="h.csv"))


def test_csv_ragged_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,y\n1,2,0\n\n3,4\n5,6,1\n")
    assert "line 4 has 2 fields, expected 3 (as on line 1)" in _error(path)
    path = _write(tmp_path, "1,2,0\n3,4,1,9\n", name="nohead.csv")
    assert "line 2 has 4 fields, expected 3" in _error(path)


def test_csv_non_numeric_feature(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,y\n1,2,0\n3,abc,1\n")
    message = _error(path)
    assert "line 3 column 2 ('b'): 'abc' is not a number" in message
    path = _write(tmp_path, "1,2,0\n3,,1\n4,5,0\n", name="gap.csv")
    assert "line 2 column 2" in _error(path) and "empty" in _error(path)
    path = _write(tmp_path, "1,2,0\n3,nan,1\n", name="nan.csv")
    assert "line 2 column 2: 'nan' is not a finite number" in _error(path)


def test_csv_only_one_class(tmp_path: Path) -> None:
    path = _write(tmp_path, "x,y\n1,a\n2,a\n3,a\n")
    assert "lines 2-4: target 'y' has only one class ('a')" in _error(path)
    path = _write(tmp_path, "1,0\n2,0\n", name="zeros.csv")
    assert "lines 1-2" in _error(path) and "only one class" in _error(path)


def test_csv_missing_target_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n")
    assert "line 1: target column 'label' is not in the header (columns: a, b, y)" in _error(
        path, target="label"
    )
    assert "line 1: target column index 3 is out of range for 3 columns" in _error(path, target=3)
    assert "index -4 is out of range" in _error(path, target=-4)
    nohead = _write(tmp_path, "1,2,0\n3,4,1\n", name="nohead.csv")
    assert "line 1: target column 'y' given by name but the file has no header" in _error(
        nohead, target="y"
    )
    assert "feature column 'zz' is not in the header" in _error(path, features=["zz"])
    assert "both the target and a feature" in _error(path, features=["a", "y"])


def test_csv_target_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,y\n1,0\n2,\n3,1\n")
    assert "line 3 column 2 ('y'): empty target" in _error(path)
    path = _write(tmp_path, "a,y\n1,0\n2,1\n3,?\n4,1\n", name="q.csv")
    assert "line 4 column 2 ('y'): target '?' is not a number" in _error(path)


def test_csv_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    assert "cannot read file" in _error(missing)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"a,b\n1,2\n\xff\xfe,3\n")
    assert "line 3: not UTF-8 text" in _error(binary)


def test_read_table_splits_and_guesses_the_header_like_the_loader(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a;b;label\n1,5;2;x\n\n3;4;y\n", encoding="utf-8")
    t = read_table(p)
    assert t.separator == ";" and t.header and len(t) == 3
    assert t.head == [(1, ["a", "b", "label"]), (2, ["1,5", "2", "x"]), (4, ["3", "4", "y"])]
    assert t.lines.tolist() == [1, 2, 4] and t.first == ["a", "b", "label"]
    assert t.numbers(0, header=True).tolist() == [1.5, 3.0]  # decimal comma
    assert t.text(0, header=True) is None and t.text(2, header=True) == ["x", "y"]
    q = tmp_path / "n.txt"
    q.write_text("1 2 0\n3 4 1\n", encoding="utf-8")
    t = read_table(q)
    assert t.separator is None and not t.header and len(t) == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n\xff,1\n")
    with pytest.raises(datasets.DatasetError, match="line 2: not UTF-8"):
        read_table(bad)


# --------------------------------------------------------------------------------------------
# The columnar reader agrees with reading the file line by line


def reference_rows(path: Path) -> tuple[list[tuple[int, list[str]]], str | None]:
    """The loader's rules written the plain way: every line split on its own (the reader's
    specification; the columnar reader must give the same cells)."""
    import csv
    import re

    text = path.read_bytes().decode("utf-8-sig")
    lines = [(i, s) for i, s in enumerate(text.splitlines(), start=1) if s.strip()]
    sep = csv_table._sniff([s for _, s in lines[:20]])
    rows = []
    for i, s in lines:
        if sep is None:
            cells = [c.strip("\"'") for c in s.split()]
        elif sep == "\t":
            cells = [c.strip().strip("\"'") for c in re.split(r"\t+", s.strip())]
        else:
            cells = [c.strip() for c in next(csv.reader([s], delimiter=sep))]
        rows.append((i, cells))
    return rows, sep


def assert_reads_like_reference(path: Path) -> None:
    table = read_table(path)
    rows, sep = reference_rows(path)
    assert table.separator == sep and table.lines.tolist() == [i for i, _ in rows]
    assert table.head == rows[: csv_table.HEAD_ROWS]
    widths = [len(cells) for _, cells in rows]
    width = widths[0]
    assert (table.widths is None) == (set(widths) == {width})
    if table.widths is not None:
        assert table.widths.tolist() == widths
    for j in range(width):
        cells = [cells[j] if j < len(cells) else None for _, cells in rows[1:]]
        expected = [np.nan if c is None or csv_table._to_float(c, sep) is None
                    else csv_table._to_float(c, sep) for c in cells]
        assert np.array_equal(table.columns[j].numbers, expected, equal_nan=True), j
        text = table.columns[j].text
        if all(not np.isnan(v) for v in expected):
            assert text is None, j
        else:
            assert text == cells, j


ODD_FILES = {
    "plain.csv": "a,b,y\n1,2,0\n3,4,1\n",
    "spaces.csv": "a , b ,y\n 1 , 2,0\n3,4 , 1 \n",
    "quoted.csv": 'a,b,y\n"1",2,0\n"x, y",4,1\n5,6,"no"\n',
    "decimal.csv": "a;b;y\n1,5;2;0\n3;4,25;1\n",
    "tabs.tsv": "size\tcolour code\tprice\n1\t\t2\t10.25\n2\t3\t11.5\n 3\t4\t12.75 \n",
    "quoted_tabs.tsv": "a\tb\n'1'\t\"2\"\n3\t4\n",
    "spaced.txt": "1 2   0\n3 4 1\n  5 6 0\n",
    "ragged.csv": "a,b,y\n1,2,0\n\n3,4\n5,6,1,7\n",
    "odd_cells.csv": "a,b,y\n1,nan,0\n,inf,1\n2,3,\n1_000,-0,TRUE\n",
    "crlf_bom.csv": "\ufeffa,b,y\r\n1,2,0\r\n\r\n3,4,1\r\n",
    # float() takes underscores and other scripts' digits; NumPy's C reader does not.
    "float_rules.csv": "a,b\n1_000,.5\n\u0663,5.\n+1.5e3 ,-0\n 7 , 1e-5\n",
    "overflow.csv": "a,b\n1e308,2\n1e309,3\n",
}


@pytest.mark.parametrize("name", sorted(ODD_FILES))
@pytest.mark.parametrize("block", [1, 2, 3, csv_table.BLOCK_ROWS])
def test_columns_match_the_line_by_line_reading(tmp_path, monkeypatch, name, block):
    monkeypatch.setattr(csv_table, "BLOCK_ROWS", block)
    path = tmp_path / name
    path.write_text(ODD_FILES[name], encoding="utf-8", newline="")
    assert_reads_like_reference(path)


CELLS = ["1", "-2.5", " 3 ", "4e2", "nan", "inf", "", "x", "yes", '"5"', '"a,b"', "'q'",
         "1,5", "7.", "1_0", " "]
SEPARATORS = [",", ";", "\t", "  ", "\t\t"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=1, max_size=4), min_size=1,
                     max_size=12),
       sep=st.sampled_from(SEPARATORS), block=st.integers(1, 5),
       blank=st.booleans())
def test_any_small_table_reads_like_the_reference(tmp_path, monkeypatch, rows, sep, block, blank):
    monkeypatch.setattr(csv_table, "BLOCK_ROWS", block)
    lines = [sep.join(r) for r in rows]
    if blank:
        lines.insert(len(lines) // 2, "   ")
    path = tmp_path / "any.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not any(line.strip() for line in lines):
        assert len(read_table(path)) == 0
        return
    assert_reads_like_reference(path)


def test_numbers_are_bit_for_bit_those_of_float(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_table, "BLOCK_ROWS", 500)
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(size=900) * 10.0 ** rng.integers(-300, 300, 900),
                             rng.normal(size=900), [-0.0, 0.0, 5e-324, 1.7976931348623157e308]])
    cells = [repr(float(v)) for v in values] + [f"{v:.6f}" for v in values[:200]]
    path = tmp_path / "numbers.csv"
    path.write_text("x,y\n" + "".join(f"{c},{c}\n" for c in cells))
    table = read_table(path)
    assert table.columns[0].text is None
    expected = np.array([float(c) for c in cells])
    assert table.numbers(0, header=True).tobytes() == expected.tobytes()


def test_a_bad_cell_in_a_late_block_keeps_the_whole_column_as_text(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_table, "BLOCK_ROWS", 4)
    rows = [f"{i},{i % 2}" for i in range(20)]
    rows[17] = "oops,1"
    path = tmp_path / "late.csv"
    path.write_text("x,y\n" + "\n".join(rows) + "\n")
    assert_reads_like_reference(path)
    table = read_table(path)
    assert table.columns[0].text[17] == "oops" and table.columns[1].text is None
    with pytest.raises(DatasetError, match="line 19 column 1 \\('x'\\): 'oops' is not a number"):
        load_csv(path)


def test_the_first_bad_cell_is_named_by_row_then_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c,y\n1,2,3,0\n4,x,z,1\n5,6,w,0\n")
    assert "line 3 column 2 ('b'): 'x'" in _error(path)
    assert "line 3 column 3 ('c'): 'z'" in _error(path, features=["c", "b"])
    assert "line 3 column 2" in _error(path, features=["b", "c"])


def test_a_first_row_forced_to_data_is_named_when_it_is_not_a_number(tmp_path):
    path = tmp_path / "named.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(300)))
    assert "line 1 column 1: 'x' is not a number" in _error(path, header=False)
    path.write_text("0,y\n" + "".join(f"{i},{i % 2}\n" for i in range(300)))
    assert read_table(path).header
    assert "line 1 column 2 ('column 2'): target 'y' is not a number, but most" in _error(
        path, header=False)


def test_a_million_row_table_is_columns_of_numbers(tmp_path):
    # Not timed (the figure is in README, Speed, from `nnviz bench gui`): what makes it fast is
    # checked instead: numeric columns keep no text, so no cell string outlives its block.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 2)).round(4)
    path = tmp_path / "tall.csv"
    path.write_text("x1,x2,label\n" + "".join(
        f"{a},{b},{'yes' if a > 0 else 'no'}\n" for a, b in x.tolist()))
    table = read_table(path)
    assert [c.text is None for c in table.columns] == [True, True, False]
    assert np.array_equal(table.numbers(0, header=True), x[:, 0])
    ds = load_csv(path, table=table, standardize=False)
    assert ds.class_names == ("no", "yes") and np.array_equal(ds.X_train, x)

"""Text tables: a CSV, tab- or space-separated file read once into columns of numbers.

The rules (separator, header line, quoted fields, decimal commas, what counts as a number, how a
target column becomes classes) are those of README, "Data sets" (your own CSV) and "Limits and
failures" (Files and targets); the CSV loader (`nnviz.core.datasets.load_csv`) and the CSV
dialog's preview both read files through `read_table`, so they split every cell alike.

The table is kept by columns: every cell below the first row as a float64 (NaN where the cell is
not a finite number), and the text of a column only when some of its cells are not finite
numbers (text labels, a stray word, an empty cell), which is what error messages and class names
need. The first HEAD_ROWS rows are kept as text for the preview. Lines are split and converted
in blocks of BLOCK_ROWS, so a file of a million rows holds a block's cell strings at a time, not
all of them; columns of plain numbers go through NumPy's C reader (`np.loadtxt`), whose numbers
are float()'s, and whatever it refuses is read cell by cell by the rules above.
"""

from __future__ import annotations

import csv
import itertools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nnviz.core import limits

__all__ = [
    "DatasetError",
    "Selection",
    "Table",
    "labels",
    "numeric_matrix",
    "read_head",
    "read_table",
    "select_columns",
]

#: Rows kept as text from the top of the file (more than any preview shows).
HEAD_ROWS = 200
#: Lines split and converted at a time.
BLOCK_ROWS = 65_536
#: Integer-valued numeric targets with at most this many distinct values are class labels.
MAX_NUMERIC_CLASSES = 20
_BOOLEANS = {"true": "True", "false": "False"}


class DatasetError(ValueError):
    """A data set could not be built; for files the message names the file, line and problem.

    Defined here, the lowest layer that raises it, and exported by `nnviz.core.datasets`."""


@dataclass(frozen=True, eq=False)
class Column:
    """One column of the rows below the first: numbers, and text where some cells are not."""

    numbers: np.ndarray  # float64 per row, NaN where the cell is not a finite number
    text: list[str | None] | None  # stripped cells (None past a short row's end), or None


@dataclass(frozen=True, eq=False)
class Table:
    """A text table as the CSV loader reads it (see `read_table`)."""

    separator: str | None  # ';', ',', '\t' or None (runs of whitespace)
    header: bool  # whether the first row names the columns (the loader's own rule)
    header_note: str  # why, in one sentence, for the preview
    lines: np.ndarray  # 1-based line number of every non-blank line (the table's rows)
    head: list[tuple[int, list[str]]]  # the first HEAD_ROWS rows: (line number, cells)
    columns: list[Column]  # one per cell of the first row, for the rows below it
    widths: np.ndarray | None  # cells per row when rows differ in length, else None
    complete: bool = True  # False: the first rows of a longer file (`read_head`)

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def first(self) -> list[str]:
        """The first row's cells (the column names when it is a header)."""
        return self.head[0][1] if self.head else []

    @property
    def width(self) -> int:
        return len(self.first)

    def data_lines(self, header: bool) -> np.ndarray:
        return self.lines[1:] if header else self.lines

    def width_mismatch(self, width: int) -> tuple[int, int] | None:
        """(line, cells) of the first row without `width` cells, or None."""
        if self.width != width:
            return int(self.lines[0]), self.width
        if self.widths is None:
            return None
        bad = np.flatnonzero(self.widths != width)
        return (int(self.lines[bad[0]]), int(self.widths[bad[0]])) if len(bad) else None

    def numbers(self, j: int, header: bool) -> np.ndarray:
        """Column j of the data rows as numbers (NaN where a cell is not a finite number)."""
        body = self.columns[j].numbers
        if header:
            return body
        first = _to_float(self.first[j], self.separator)
        return np.concatenate([[np.nan if first is None else first], body])

    def text(self, j: int, header: bool) -> list[str] | None:
        """Column j of the data rows as text, or None when every cell is a finite number.

        A column of numbers only keeps no text; where its text is asked for anyway (a number
        below a non-numeric first row read as data) the head's text serves tables that fit in
        it, and longer ones get the numbers written shortest."""
        body = self.columns[j].text
        if header:
            return None if body is None else [c or "" for c in body]
        first = self.first[j]
        if body is None:
            if _to_float(first, self.separator) is not None:
                return None
            if len(self) <= len(self.head):
                return [cells[j] if j < len(cells) else "" for _, cells in self.head]
            body = [_number_label(v) for v in self.columns[j].numbers]
        return [first, *(c or "" for c in body)]


def read_table(path: str | os.PathLike[str]) -> Table:
    """Read a text table once: separator sniffed, cells split, columns converted to numbers and
    the header guessed by the loader's rules. Raises DatasetError for unreadable or non-UTF-8
    files and for NUL bytes, naming the line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    return _table(_decode(raw, path))


def read_head(path: str | os.PathLike[str], rows: int = HEAD_ROWS) -> Table:
    """The first `rows` rows of the file as a table, reading no further than they need (a
    preview while `read_table` reads the rest). Its header guess sees only these rows;
    `complete` says whether they are the whole file."""
    path = Path(path)
    raw, chunk = b"", 1 << 16
    try:
        with open(path, "rb") as f:
            while True:
                more = f.read(chunk)
                raw += more
                if len(more) < chunk:
                    return _table(_decode(raw, path))
                # Whole lines only: a line (or a character) may go on in the next chunk.
                text = _decode(raw[: raw.rfind(b"\n") + 1], path)
                if sum(1 for s in text.splitlines() if s.strip()) > rows:
                    return replace(_table(text, limit=rows), complete=False)
                chunk *= 2
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read file: {exc.strerror or exc}") from None


def _table(text: str, limit: int | None = None) -> Table:
    """The table of a file's text (its first `limit` rows)."""
    quote_marks = ('"' in text, "'" in text)
    lines = text.splitlines()
    del text
    if all(map(str.strip, lines)):
        rows, numbers = lines, np.arange(1, len(lines) + 1)
    else:
        rows = [s for s in lines if s.strip()]
        numbers = np.array([i for i, s in enumerate(lines, start=1) if s.strip()], dtype=np.int64)
    del lines
    if limit is not None:
        rows, numbers = rows[:limit], numbers[:limit]
    sep = _sniff(rows[:20])
    head = [(int(line), _split_line(s, sep)) for line, s in zip(numbers, rows[:HEAD_ROWS],
                                                                 strict=False)]
    if not rows:
        return Table(sep, False, "the file has no rows", numbers, [], [], None)
    # Quote marks that `_split_line` treats as quoting (tab files: single ones too).
    quotes = quote_marks[0] or (sep == "\t" and quote_marks[1])
    columns, widths = _read_columns(rows, sep, len(head[0][1]), quotes)
    header, note = _header_rule(head, columns, sep)
    return Table(sep, header, note, numbers, head, columns, widths)


# ---------------------------------------------------------------------------------------------
# Splitting lines into cells


def _decode(raw: bytes, path: Path) -> str:
    """UTF-8 text of the file's first bytes; DatasetError naming the line of a byte that is not
    UTF-8 or of a NUL."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DatasetError(
            f"{path}: line {line}: not UTF-8 text (byte {raw[exc.start]:#04x}); "
            "save it as UTF-8 CSV"
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DatasetError(
            f"{path}: line {line}: contains a NUL byte, so this is not a text table (a binary "
            "file, or text saved as UTF-16?); save it as UTF-8 CSV"
        )
    return text


def _sniff(sample: list[str]) -> str | None:
    """';' or ',' when every sampled line has the same non-zero count of it (';' first, so
    decimal commas in ';' files do not fool it), or when most lines have it (ragged files);
    else tabs when every line has one; else runs of whitespace (None)."""
    for candidate in (";", ","):
        counts = {s.count(candidate) for s in sample}
        if len(counts) == 1 and counts != {0}:
            return candidate
    # Ragged rows: keep the separator most lines use, so the ragged-row check can say where.
    for candidate in (";", ","):
        if 2 * sum(candidate in s for s in sample) > len(sample):
            return candidate
    if sample and all("\t" in s for s in sample):
        return "\t"
    return None


def _split_line(s: str, sep: str | None) -> list[str]:
    """One line's cells, stripped (and unquoted: csv quoting for ',' and ';', surrounding quote
    marks for tabs and whitespace)."""
    if sep is None:
        return [c.strip("\"'") for c in s.split()]
    if sep == "\t":
        # Runs of tabs count as one separator (UCI's seeds file has doubled tabs); names in a
        # tab-separated header may contain spaces.
        return [c.strip().strip("\"'") for c in re.split(r"\t+", s.strip())]
    if '"' not in s:
        return [c.strip() for c in s.split(sep)]  # what csv.reader gives without quotes
    return [c.strip() for c in next(csv.reader([s], delimiter=sep))]


def _splits_on_one_char(block: list[str], sep: str | None, width: int, quotes: bool) -> bool:
    """Whether every line splits on `sep` into `width` cells that are `_split_line`'s once
    stripped (no quotes, no runs of tabs). `quotes`: the file has quote marks somewhere."""
    if sep in (",", ";"):
        if quotes and any('"' in s for s in block):
            return False
    elif sep == "\t":
        if any("\t\t" in s or s != s.strip() for s in block) or (
                quotes and any('"' in s or "'" in s for s in block)):
            return False  # runs of tabs, blanks at the ends, quote marks: split line by line
    else:
        return False
    return set(map(str.count, block, itertools.repeat(sep))) == {width - 1}


def _numbers_of(block: list[str], sep: str, columns: list[int]) -> dict[int, np.ndarray]:
    """The columns by NumPy's C reader, {} unless every cell is a finite number. It converts with
    Python's own PyOS_string_to_double, accepting a subset of what float() does (no underscores,
    ASCII only), so whatever it accepts has float()'s value."""
    if not columns:
        return {}
    try:
        values = np.loadtxt(block, delimiter=sep, comments=None, quotechar=None,
                            dtype=np.float64, ndmin=2, usecols=columns)
    except (ValueError, TypeError):
        return {}
    if not bool(np.isfinite(values).all()):
        return {}
    return {j: values[:, k] for k, j in enumerate(columns)}


def _read_columns(rows: list[str], sep: str | None, width: int,
                  quotes: bool) -> tuple[list[Column], np.ndarray | None]:
    """The rows below the first, by column, in blocks; a column whose cells are all finite
    numbers keeps no text. `quotes`: the file has quote marks somewhere."""
    body = rows[1:]
    n = len(body)
    numbers = [np.empty(n) for _ in range(width)]
    texts: list[list[list[str | None] | None]] = [[] for _ in range(width)]
    widths: list[np.ndarray] = []
    numeric = list(range(width))  # the columns of numbers only so far
    blocks = [(a, min(a + BLOCK_ROWS, n)) for a in range(0, n, BLOCK_ROWS)]
    for a, b in blocks:
        block = body[a:b]
        if _splits_on_one_char(block, sep, width, quotes):
            assert sep is not None
            widths.append(np.full(len(block), width))
            fast = _numbers_of(block, sep, numeric)
            flat: list[str] = []
            for j in range(width):
                if j in fast:
                    numbers[j][a:b], text = fast[j], None
                else:
                    flat = flat or sep.join(block).split(sep)
                    numbers[j][a:b], text = _convert(flat[j::width], sep, stripped=False)
                texts[j].append(text)
        else:
            split = [_split_line(s, sep) for s in block]
            widths.append(np.array([len(r) for r in split]))
            for j in range(width):
                cells = [r[j] if j < len(r) else None for r in split]
                numbers[j][a:b], text = _convert(cells, sep, stripped=True)
                texts[j].append(text)
        numeric = [j for j in numeric if texts[j][-1] is None]
    columns = []
    for j in range(width):
        text = None
        if any(t is not None for t in texts[j]):
            # Some block has text in this column: the others give theirs too (split again).
            text = []
            for (a, b), t in zip(blocks, texts[j], strict=True):
                if t is None:
                    t = [r[j] if j < len(r) else None
                         for r in (_split_line(s, sep) for s in body[a:b])]
                text.extend(t)
        columns.append(Column(numbers[j], text))
    all_widths = np.concatenate([[width], *widths]) if widths else np.array([width])
    return columns, None if bool(np.all(all_widths == width)) else all_widths


def _convert(cells: Sequence[str | None], sep: str | None,
             stripped: bool) -> tuple[np.ndarray, list[str | None] | None]:
    """Numbers of the cells (NaN where not a finite number), and their stripped text when some
    cell is not a finite number. float() ignores the blanks around a number itself."""
    values = _floats(cells)
    if values is not None and bool(np.isfinite(values).all()):
        return values, None
    text = list(cells) if stripped else [None if c is None else c.strip() for c in cells]
    if sep == ";":
        values = _floats([None if c is None else _decimal_point(c) for c in text])
        if values is not None and bool(np.isfinite(values).all()):
            return values, None
    lookup = {c: _to_float(c, sep) for c in set(text) if c is not None}
    numbers = np.array([np.nan if c is None or lookup[c] is None else lookup[c] for c in text],
                       dtype=np.float64)
    return numbers, text


def _floats(cells: Sequence[str | None]) -> np.ndarray | None:
    """Every cell through float() (Python's own rules), or None if one refuses."""
    try:
        return np.fromiter(map(float, cells), np.float64, count=len(cells))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None


def _decimal_point(cell: str) -> str:
    # Decimal commas, as European spreadsheets write ';' files.
    return cell.replace(",", ".") if "," in cell and "." not in cell else cell


def _to_float(cell: str, sep: str | None) -> float | None:
    """The number in a cell, or None if it is not a finite number."""
    value = _to_float_any(cell, sep)
    return value if value is not None and math.isfinite(value) else None


def _to_float_any(cell: str, sep: str | None) -> float | None:
    """The number in a cell, nan and inf included, or None if it does not parse."""
    text = cell.strip()
    if sep == ";":
        text = _decimal_point(text)
    try:
        return float(text)
    except ValueError:
        return None


def _number_label(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(float(value))


# ---------------------------------------------------------------------------------------------
# The header rule


def _header_rule(head: list[tuple[int, list[str]]], columns: list[Column],
                 sep: str | None) -> tuple[bool, str]:
    """Whether the first row is a header, and the reason in words (the CSV dialog shows it).

    A row with a text cell above a number is a header. A row of numbers only is data, unless it
    cannot be: some column holds text in every other row, so a number on top of it is a name.
    """
    first = head[0][1]
    numeric = [_to_float(c, sep) is not None for c in first]
    if len(head) == 1:
        if not any(numeric):
            return True, "the only row is all text, so it is read as a header (no data rows)"
        return False, "the only row has numbers, so it is read as data"
    second = head[1][1]
    for j, (a, b) in enumerate(zip(first, second, strict=False)):
        if _to_float(a, sep) is None and _to_float(b, sep) is not None:
            return True, (f"the first row is a header: column {j + 1} has the text {a!r} above "
                          "numbers")
    if not all(numeric):
        return False, "the first row is read as data: it is shaped like the rows below it"
    for j, column in enumerate(columns):
        if column.text is None:
            continue  # numbers only
        below = {c for c in column.text if c is not None}
        if below and all(c and _to_float_any(c, sep) is None for c in below):
            return True, (
                f"the first row is all numbers but is read as a header: column {j + 1} holds "
                f"text in every other row, so {first[j]!r} cannot be one of its values"
            )
    return False, ("the first row is all numbers, so it is read as data (tick 'First row holds "
                   "the column names' if it names the columns)")


# ---------------------------------------------------------------------------------------------
# Choosing columns


@dataclass(frozen=True, eq=False)
class Selection:
    """The arrays of the chosen columns (see `select_columns`)."""

    X: np.ndarray  # (rows, features)
    Y: np.ndarray  # (rows, outputs): 0/1 column, one-hot columns or numbers
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    class_names: tuple[str, ...]  # () for numbers to predict

    @property
    def kind(self) -> str:
        if len(self.target_names) > 1:
            return f"{len(self.target_names)} regression targets"
        return f"{len(self.class_names)} classes" if self.class_names else "regression target"


def select_columns(
    table: Table,
    path: Path,
    *,
    target: str | int | Sequence[str | int],
    header: bool,
    features: Sequence[str | int] | None,
    task: str | None,
) -> Selection:
    """Feature and target arrays of the table's data rows; DatasetError names the file, line,
    column and problem (see `nnviz.core.datasets.load_csv` for the options)."""
    if not len(table):
        raise DatasetError(f"{path}: line 1: file is empty (no data rows)")
    ref_line = int(table.lines[0])
    if header and len(table) == 1:
        raise DatasetError(f"{path}: line {ref_line}: only a header, no data rows")
    width = table.width
    bad = table.width_mismatch(width)
    if bad is not None:
        raise DatasetError(f"{path}: line {bad[0]} has {bad[1]} fields, expected {width} "
                           f"(as on line {ref_line})")
    names_row = table.first if header else None
    column_names = tuple(names_row) if names_row is not None else tuple(
        f"column {j + 1}" for j in range(width))
    if task not in (None, "classify", "regress"):
        raise DatasetError(f"{path}: task must be classify or regress, got {task!r}")
    targets = [target] if isinstance(target, str | int | np.integer) else list(target)
    t_cols = [_column_index(path, ref_line, c, names_row, width, "target") for c in targets]
    if not t_cols or len(set(t_cols)) != len(t_cols):
        raise DatasetError(f"{path}: line {ref_line}: give each target column once")
    if features is None:
        f_cols = [j for j in range(width) if j not in t_cols]
    else:
        f_cols = [_column_index(path, ref_line, f, names_row, width, "feature") for f in features]
        both = [j for j in t_cols if j in f_cols]
        if both:
            raise DatasetError(
                f"{path}: line {ref_line}: column {column_names[both[0]]!r} is both the target "
                "and a feature"
            )
        if len(set(f_cols)) != len(f_cols):
            raise DatasetError(f"{path}: line {ref_line}: a feature column is listed twice")
    if not f_cols:
        raise DatasetError(f"{path}: line {ref_line}: no feature columns besides the target")

    X = numeric_matrix(table, path, f_cols, header=header, names=names_row)
    class_names: tuple[str, ...] = ()
    if len(t_cols) > 1 or task == "regress":
        if task == "classify":
            raise DatasetError(
                f"{path}: several target columns are numbers to predict (task regress); "
                "classify takes one target column"
            )
        Y = numeric_matrix(table, path, t_cols, header=header, names=column_names)
    else:
        Y, class_names = _encode_target(table, path, t_cols[0], header,
                                        column_names[t_cols[0]], classes=task == "classify")
    return Selection(X, Y, tuple(column_names[j] for j in f_cols),
                     tuple(column_names[j] for j in t_cols), class_names)


def numeric_matrix(
    table: Table,
    path: Path,
    columns: Sequence[int] | range,
    *,
    header: bool,
    names: Sequence[str] | None = None,
    missing: str | None = None,
) -> np.ndarray:
    """The data rows' cells of `columns` as numbers; cells equal to `missing` become NaN. The
    first cell (by row, then in the order of `columns`) that is not a finite number raises
    DatasetError naming its line and column."""
    columns = list(columns)
    lines = table.data_lines(header)
    out = np.empty((len(lines), len(columns)))
    first_bad: tuple[int, int] | None = None  # (row, position in columns)
    for k, j in enumerate(columns):
        out[:, k] = table.numbers(j, header)
        text = table.text(j, header)
        if text is None:
            continue
        bad = np.isnan(out[:, k])
        if missing is not None:
            bad &= np.array([c != missing for c in text])
        rows = np.flatnonzero(bad)
        if len(rows) and (first_bad is None or rows[0] < first_bad[0]):
            first_bad = (int(rows[0]), k)
    if first_bad is not None:
        r, k = first_bad
        j = columns[k]
        cell = table.text(j, header)[r]  # type: ignore[index]
        where = f"column {j + 1}"
        if names is not None:
            where += f" ({names[j]!r})"
        if not cell:
            problem = "empty cell"
        elif _to_float_any(cell, table.separator):
            problem = f"{cell!r} is not a finite number"
        else:
            problem = f"{cell!r} is not a number"
        raise DatasetError(f"{path}: line {lines[r]} {where}: {problem}")
    return out


def labels(table: Table, j: int, header: bool) -> list[str]:
    """Column j of the data rows as text; a column of numbers only is written shortest."""
    text = table.text(j, header)
    if text is not None:
        return text
    return [_number_label(v) for v in table.numbers(j, header)]


def _column_index(
    path: Path,
    line: int,
    column: str | int,
    names_row: list[str] | None,
    width: int,
    role: str,
) -> int:
    if isinstance(column, str):
        if names_row is None:
            raise DatasetError(
                f"{path}: line {line}: {role} column {column!r} given by name but the file has "
                "no header; give its index instead or pass header=True"
            )
        if column not in names_row:
            raise DatasetError(
                f"{path}: line {line}: {role} column {column!r} is not in the header "
                f"(columns: {', '.join(names_row)})"
            )
        return names_row.index(column)
    if isinstance(column, bool) or not isinstance(column, int | np.integer):
        raise DatasetError(f"{path}: {role} column must be a name or an index, got {column!r}")
    if not -width <= column < width:
        raise DatasetError(
            f"{path}: line {line}: {role} column index {column} is out of range for {width} "
            f"columns (use 0..{width - 1} or -{width}..-1)"
        )
    return int(column) % width


def _encode_target(
    table: Table,
    path: Path,
    t: int,
    header: bool,
    column_name: str,
    classes: bool = False,
) -> tuple[np.ndarray, tuple[str, ...]]:
    lines = table.data_lines(header)
    numbers = table.numbers(t, header)
    text = table.text(t, header)
    if text is not None:
        empty = next((r for r, c in enumerate(text) if not c), None)
        if empty is not None:
            raise DatasetError(
                f"{path}: line {lines[empty]} column {t + 1} ({column_name!r}): empty target"
            )
    valid = ~np.isnan(numbers)
    span = f"lines {lines[0]}-{lines[-1]}"
    if valid.all():
        distinct = np.unique(numbers)
        if len(distinct) == 1:
            raise DatasetError(
                f"{path}: {span}: target {column_name!r} has only one class "
                f"({_number_label(distinct[0])}); need at least two"
            )
        is_integer = bool(np.all(distinct == np.round(distinct)))
        if not classes and not (is_integer and len(distinct) <= MAX_NUMERIC_CLASSES):
            return numbers[:, None], ()
        index = np.searchsorted(distinct, numbers)
        class_names = tuple(_number_label(v) for v in distinct)
    else:
        assert text is not None  # a cell that is not a finite number keeps its column's text
        if int(valid.sum()) * 2 > len(numbers):
            # Mostly numbers with a few odd cells is missing data, not a set of string labels.
            r = int(np.flatnonzero(~valid)[0])
            raise DatasetError(
                f"{path}: line {lines[r]} column {t + 1} ({column_name!r}): target {text[r]!r} "
                "is not a number, but most target values are"
            )
        # Spreadsheets and pandas write booleans as TRUE, True or true: one class each.
        cells = [_BOOLEANS.get(c.lower(), c) for c in text]
        names = sorted(set(cells))
        if len(names) > limits.MAX_CLASSES:
            try:
                limits.check_classes(len(names), column_name)
            except limits.SizeError as exc:
                raise DatasetError(f"{path}: {span}: {exc}") from None
        if len(names) == 1:
            raise DatasetError(
                f"{path}: {span}: target {column_name!r} has only one class ({names[0]!r}); "
                "need at least two"
            )
        lookup = {label: i for i, label in enumerate(names)}
        index = np.array([lookup[c] for c in cells])
        class_names = tuple(names)
    if len(class_names) == 2:
        return index.astype(np.float64)[:, None], class_names
    return np.eye(len(class_names))[index], class_names

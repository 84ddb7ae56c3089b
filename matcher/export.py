"""Exports that cannot attack their readers: the one rule for text in CSV and Excel.

A school or partner named ``=HYPERLINK(...)`` or ``+cmd|'/C calc'!A0`` must reach a
spreadsheet as the text it is, never as a formula. In Excel files every text cell is
written with the string type (a formula is never inferred from a leading ``=``); in CSV,
where the reader decides, a text value that begins with ``= + - @``, a tab or a carriage
return gets a leading apostrophe, as OWASP's CSV-injection guidance recommends (the
apostrophe shows the value as text in Excel, LibreOffice and Google Sheets), and a
carriage return inside a value becomes a line feed (which the CSV writer quotes), so no
value can start a row of its own. Numbers stay numbers: a negative score is not text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

# Characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` made safe for a CSV cell: text starting like a formula gets a leading
    apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def _safe_text(value: Any) -> Any:
    """One value as :func:`csv_safe` writes it: formula-like text gets the apostrophe,
    a carriage return inside text becomes a line feed; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if value[:1] in FORMULA_START:
        value = "'" + value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are :func:`neutralise`-d (numeric and
    boolean columns are untouched). Each distinct value is checked once: a province's
    assignments repeat the same names and ids many times."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype != object and not pd.api.types.is_string_dtype(s):
            continue
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind not in ("string", "mixed", "mixed-integer"):
            continue  # booleans, numbers, dates, empty: nothing a spreadsheet could run
        try:
            codes, uniq = pd.factorize(s)
            values = np.asarray(uniq, dtype=object)
        except TypeError:  # unhashable values (lists): each one on its own
            codes, values = np.arange(len(s)), s.to_numpy(dtype=object)
        safe = np.array([_safe_text(v) for v in values], dtype=object)
        changed = np.array([a is not b for a, b in zip(values, safe, strict=True)], dtype=bool)
        if changed.any():
            hit = (codes >= 0) & changed[np.maximum(codes, 0)]
            fixed = pd.Series(safe[np.maximum(codes, 0)], index=s.index)
            out[col] = s.mask(pd.Series(hit, index=s.index), fixed)
    return out


def to_csv(frame: pd.DataFrame, fh: IO[str] | None = None, header: bool = True) -> str | None:
    """``frame`` as CSV (no index) with text neutralised; returns the text if ``fh`` is
    None, else writes to ``fh``."""
    return csv_safe(frame).to_csv(fh, index=False, header=header)


def text_cell(ws: Any, value: Any) -> Cell:
    """A cell for ``value``; text is always of the string type, never a formula."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl would otherwise read a leading "=" as a formula
        return cell
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return WriteOnlyCell(ws, value=value)


def write_table(
    ws: Any,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] | None = None,
    filters: bool = True,
) -> int:
    """Write a header row and ``rows`` to a write-only sheet with the header frozen,
    filters on the columns and column widths; returns the number of data rows.

    Frozen panes, filters and widths are set before the rows (write-only sheets are
    streamed)."""
    ws.freeze_panes = "A2"
    for j, w in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.append([text_cell(ws, h) for h in headers])
    n = 0
    for row in rows:
        ws.append([text_cell(ws, v) for v in row])
        n += 1
    if filters and headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    return n


def frame_rows(frame: pd.DataFrame) -> Iterable[Sequence[Any]]:
    """Rows of ``frame`` as plain tuples (no pandas row objects)."""
    cols = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    return zip(*cols, strict=True) if cols else iter(())

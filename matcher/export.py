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


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are :func:`neutralise`-d (vectorised per
    column; numeric and boolean columns are untouched)."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype != object and not pd.api.types.is_string_dtype(s):
            continue
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind not in ("string", "mixed", "mixed-integer"):
            continue  # booleans, numbers, dates, empty: nothing a spreadsheet could run
        first = s.map(lambda v: v[:1] if isinstance(v, str) else "")
        risky = first.isin(FORMULA_START).to_numpy(dtype=bool)
        if risky.any():
            s = s.mask(pd.Series(risky, index=s.index), "'" + s.astype(str))
        # a carriage return inside a value would end the row for a spreadsheet (the CSV
        # writer quotes values with a line feed, not with a lone CR): write it as a LF
        has_cr = s.map(lambda v: isinstance(v, str) and "\r" in v).to_numpy(dtype=bool)
        if has_cr.any():
            fixed = s.astype(str).str.replace("\r\n", "\n").str.replace("\r", "\n")
            s = s.mask(pd.Series(has_cr, index=s.index), fixed)
        if risky.any() or has_cr.any():
            out[col] = s
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

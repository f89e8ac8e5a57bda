"""Observations in and out: upload a CSV file, download the observations as CSV.

The plot itself downloads as PNG with the save tool in its toolbar (Bokeh's own ``SaveTool``).
"""

from __future__ import annotations

import io
import math
import re

import numpy as np
import panel as pn
import param

import mle_core
from mle_core._observations import MAX_MAGNITUDE, MAX_MAGNITUDE_TEXT

from .controls import held
from .numbers import number as shown_number
from .parsing import read_number
from .state import ExplorerState, family_needs
from .upstream import SizeLimitedFileDropper

#: The largest file accepted (checked in the browser before anything is sent, and again here).
MAX_FILE_MB = 20
#: The most observations a file may hold: the likelihood works from sufficient statistics, and the
#: plot draws a histogram past 1,000 points, so a million stays interactive.
MAX_FILE_POINTS = 1_000_000
#: The browser sends a file in pieces of this size, each one websocket message (Panel's default is 10 MB):
#: so the server's websocket message limit can stay a few MB (``mle_explorer.cli``).
UPLOAD_CHUNK_BYTES = 1_000_000


def parse_csv(text: str, limit: int = MAX_FILE_POINTS) -> np.ndarray:
    """Return the numbers of a one-column CSV: one number per row, an optional header in the first row.

    Blank rows are skipped. Raises ``ValueError`` naming the first bad row (1-based, as a
    spreadsheet shows it): text, a row with several values, nan or ±inf; or an empty file or more
    than ``limit`` numbers.
    """
    fast = _parse_plain_column(text, limit)
    if fast is not None:
        return fast
    rows = text.splitlines()
    values = []
    for number, row in enumerate(rows, start=1):
        cell = row.strip().strip('"').strip()
        if not cell:
            continue
        try:
            value = _read_cell(cell)
        except ValueError:
            if not values and number == _first_nonblank(rows) and _is_header(cell):
                continue  # a header such as "hours"
            parts = [part for part in re.split(r"[,;\s]+", cell) if part]
            if len(parts) > 1 and all(_is_number(part) for part in parts):
                raise ValueError(
                    f"row {number} ({row.strip()[:30]!r}) has more than one value: use one number per row"
                ) from None
            raise ValueError(f"row {number} ({cell[:30]!r}) is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"row {number} ({cell[:30]!r}) is not a finite number")
        values.append(value)
        if len(values) > limit:
            raise ValueError(f"the file holds more than {limit:,} numbers")
    if not values:
        raise ValueError("the file holds no numbers")
    return np.array(values)


def _decode_and_parse(content: bytes | str) -> tuple[str, np.ndarray]:
    """The file's text and its numbers (``parse_csv``). Bytes are read as UTF-8 or else as Windows-1252, the
    encoding Excel on Windows saves a plain "CSV" in (only a header such as "Größe (µm)" tells them apart).

    Raises ``ValueError`` for a file that is not text, or whose text is not a column of numbers (``parse_csv``).
    """
    if isinstance(content, str):
        return content, parse_csv(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = None
        # Windows-1252 reads almost any bytes: control characters tell a binary file (or UTF-16) from text.
        if text is None or _CONTROL_CHARACTERS.search(text):
            raise ValueError("the file is not text (UTF-8 or Windows-1252): save it as CSV UTF-8") from None
    return text, parse_csv(text)


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _parse_plain_column(text: str, limit: int) -> np.ndarray | None:
    """The common case in one vectorised step: one plain finite number per row, maybe under a header.

    None when anything looks unusual, so that the row-by-row reading can name the problem.
    """
    if any(character in text for character in (",", ";", "\t", '"', " ", "\u2212", "_")):
        return None  # separators, quotes, padding or digit groups (refused): read row by row
    cells = text.split()  # the rows, unless a row holds other white space (a non-breaking space, an em space)
    if len(cells) != sum(1 for row in text.splitlines() if row.strip()):
        return None
    if cells and not _is_number(cells[0]):
        if not _is_header(cells[0]):
            return None
        cells = cells[1:]
    if not cells or len(cells) > limit:
        return None
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None


def _read_cell(cell: str) -> float:
    """The number in a row's cell; empty cells after it (``1200,`` or ``1200;;`` from a spreadsheet whose next
    column is empty) are ignored. Raises ``ValueError`` if it is not one number."""
    try:
        return read_number(cell.replace("\u2212", "-"))
    except ValueError:
        trimmed = _TRAILING_SEPARATORS.sub("", cell)
        if trimmed == cell or not trimmed:
            raise
        return read_number(trimmed.replace("\u2212", "-"))


_TRAILING_SEPARATORS = re.compile(r"[,;\s]+$")


def _is_header(cell: str) -> bool:
    """A column name, not a mistyped number: it holds no digit ("hours", "x") or starts with a letter ("x1",
    "CO2", "Week 1"); "12a" or "1.2.3" in the first row are refused as numbers gone wrong, not skipped."""
    return not any(character.isdigit() for character in cell) or cell[0].isalpha()


def _is_number(cell: str) -> bool:
    try:
        read_number(cell)
    except ValueError:
        return False
    return True


def _first_nonblank(rows: list[str]) -> int:
    return next((i for i, row in enumerate(rows, start=1) if row.strip()), 0)


def _row_numbers(text: str) -> list[int]:
    """The row number of each value ``parse_csv`` reads from ``text``, in order."""
    numbers, header_skipped = [], False
    for number, row in enumerate(text.splitlines(), start=1):
        cell = row.strip().strip('"').strip()
        if not cell:
            continue
        try:
            _read_cell(cell)
        except ValueError:
            if not header_skipped and not numbers and _is_header(cell):
                header_skipped = True
                continue
        numbers.append(number)
    return numbers


def _rows_listed(text: str, values: np.ndarray, indices: np.ndarray, limit: int = 5) -> str:
    """E.g. "row 3 (-1), row 7 (-2)": the first few of ``values[indices]`` named by their rows in the file ``text``."""
    rows = _row_numbers(text)
    listed = ", ".join(f"row {rows[i]} ({shown_number(values[i])})" for i in indices[:limit])
    return listed + (f" and {indices.size - limit} more" if indices.size > limit else "")


def observations_csv(observations: np.ndarray) -> str:
    """The observations as a one-column CSV with header ``x`` (exact: each number written with ``repr``)."""
    return "x\n" + "".join(f"{value!r}\n" for value in observations.tolist())


class DataFiles(pn.viewable.Viewer):
    """Upload a CSV of observations (replacing the current ones; Undo brings them back) or download them."""

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state, shared with the other views.")

    def __init__(self, **params):
        super().__init__(**params)
        self.upload = SizeLimitedFileDropper(
            accepted_filetypes=["text/csv", "text/plain", ".csv", ".txt"],
            max_file_size=f"{MAX_FILE_MB}MB",  # checked in the browser before anything is sent…
            max_bytes=MAX_FILE_MB * 1_000_000,  # …and on the server, for a client that sends it anyway
            chunk_size=UPLOAD_CHUNK_BYTES,
            multiple=False,
            layout="compact",
            sizing_mode="stretch_width",
        )
        self.download = pn.widgets.FileDownload(
            callback=self._csv, filename="observations.csv", label="Download observations (CSV)", color="light"
        )
        self.upload.param.watch(held(self._on_upload), "value")
        self.upload.param.watch(held(self._on_refused), "refused")

    def __panel__(self):
        return pn.Column(
            pn.pane.Markdown(
                f"**Data files.** Upload a CSV with one number per row (a header row is fine; up to "
                f"{MAX_FILE_MB} MB and {MAX_FILE_POINTS:,} numbers) to replace the observations. "
                "The plot's toolbar saves it as PNG.",
                sizing_mode="stretch_width",
            ),
            self.upload,
            self.download,
            sizing_mode="stretch_width",
        )

    def _csv(self):
        return io.StringIO(observations_csv(self.state.observations))

    def _on_upload(self, event):
        files = event.new or {}
        if not files:
            return
        # The file that just arrived: Panel keeps every file dropped in ``value`` (the first is not the newest).
        name = self.upload.latest if self.upload.latest in files else next(reversed(files))
        content = files[name]
        files.clear()  # loaded or refused, it is not needed again: a session does not keep every upload
        self.load_file(name, content)

    def _on_refused(self, event):
        reason = f"the file is larger than {MAX_FILE_MB} MB"
        self.state.notice = f"Nothing loaded from {event.new}: {reason}. The observations are unchanged."

    def load_file(self, name: str, content: bytes | str) -> bool:
        """Replace the observations with those of a file; on any problem say what and change nothing."""
        try:
            if len(content) > MAX_FILE_MB * 1_000_000:  # bytes, or text already decoded (no fewer characters)
                raise ValueError(f"the file is larger than {MAX_FILE_MB} MB")
            content, values = _decode_and_parse(content)
            family = self.state.family_spec
            too_large = np.flatnonzero(np.abs(values) > MAX_MAGNITUDE)
            if too_large.size:
                rows = _rows_listed(content, values, too_large)
                raise ValueError(f"observations must lie within ±{MAX_MAGNITUDE_TEXT}: {rows}")
            outside = mle_core.outside_support(family, values, **self.state.constants)
            if outside.size:
                rows = _rows_listed(content, values, outside)
                raise ValueError(f"{family_needs(family, self.state.constants)}: {rows}")
            self.state.set_observations(values)
        except ValueError as error:
            self.state.notice = f"Nothing loaded from {name}: {error}. The observations are unchanged."
            return False
        what = f"{values.size:,} observation{'' if values.size == 1 else 's'}"
        self.state.notice = f"Loaded {what} from {name}; Undo brings back the previous ones."
        return True

"""Column widths that make a table short: the table's height is the sum over its rows of the tallest cell.

Three passes over a sample of the rows, all in whole STEP_MM steps above each column's minimum:
1. the smallest uniform target (every column wide enough for nine cells in ten to take T lines or fewer);
2. greedy widening with what is left, where it saves the most lines per step;
3. exchanges: a few steps move from a column that hardly needs them to one whose rows they shorten.
Lines per width are memoised per distinct cell (a month repeats its dates, kinds and units), so each is
measured once per width it is tried at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

STEP_MM = 1.0
SHARE = 0.9  # the uniform start fits nine cells in ten of each column to the target
MOVES = (1, 2, 4, 8)  # step counts tried by the greedy and the exchanges
MAX_ROUNDS = 200


def lines_needed(widths: Sequence[float], capacity: float) -> int:
    """Lines a cell takes when filled greedily (a piece wider than a line gets a line of its own)."""
    if sum(widths) <= capacity:  # the usual case, at C speed: every running total is below the sum
        return 1
    lines, used = 1, 0.0
    for width in widths:
        if used + width > capacity + 1e-9 and used > 0:
            lines, used = lines + 1, 0.0
        used += width
    return lines


def capacity_for(widths: Sequence[float], target: int) -> float:
    """The narrowest capacity (in characters, to a quarter character) at which a cell takes ``target`` lines."""
    if not widths:
        return 0.0
    capacity = max(max(widths), sum(widths) / target)
    for _ in range(64):
        if lines_needed(widths, capacity) <= target:
            break
        capacity += 0.25
    return capacity


class ColumnFitter:
    """Widths for cells ``cells[row][column]`` (each a list of piece widths in characters) in ``total_mm``.

    Lines are kept per column and width as one list over the rows, computed once per distinct cell: the
    passes then compare columns with ``map(max, …)`` over whole lists instead of a Python call per cell."""

    def __init__(self, cells: Sequence[Sequence[Sequence[float]]], minimum: list[float], total_mm: float, *,
                 char_mm: float, pad_mm: float) -> None:
        self.cells, self.minimum, self.char_mm, self.pad_mm = cells, minimum, char_mm, pad_mm
        self.count = len(minimum)
        self.rows = len(cells)
        self.budget = int((total_mm - sum(minimum)) // STEP_MM)
        self._distinct: list[list[tuple[float, ...]]] = []  # per column: its distinct cells
        self._kind: list[list[int]] = []  # per column: each row's index among them
        for column in range(self.count):
            index: dict[tuple[float, ...], int] = {}
            self._kind.append([index.setdefault(tuple(row[column]), len(index)) for row in cells])
            self._distinct.append(list(index))
        self._lines: dict[tuple[int, int], list[int]] = {}

    def column(self, column: int, steps: int) -> list[int]:
        """Lines of every row's cell in ``column`` when it is ``steps`` above its minimum."""
        found = self._lines.get((column, steps))
        if found is None:
            capacity = max(1.0, (self.minimum[column] + steps * STEP_MM - self.pad_mm) / self.char_mm)
            per_cell = [lines_needed(cell, capacity) for cell in self._distinct[column]]
            found = self._lines[(column, steps)] = list(map(per_cell.__getitem__, self._kind[column]))
        return found

    def at(self, row: int, column: int, steps: int) -> int:
        """Lines of one cell when its column is ``steps`` above its minimum."""
        return self.column(column, steps)[row]

    def height(self, steps: list[int]) -> int:
        return _row_maxima_sum([self.column(c, steps[c]) for c in range(self.count)])

    def fit(self) -> list[float]:
        """Widths in millimetres (before rounding), adding up to the minimum plus the whole budget."""
        steps = self._uniform_start()
        steps = self._widen(steps, self.budget - sum(steps))
        steps = self._exchange(steps)
        return [m + s * STEP_MM for m, s in zip(self.minimum, steps)]

    def _steps_for(self, column: int, target: int) -> int:
        """Steps at which SHARE of the column's cells take ``target`` lines or fewer."""
        per_cell = [max(0, math.ceil(((capacity_for(cell, target) * self.char_mm + self.pad_mm)
                                      - self.minimum[column]) / STEP_MM - 1e-9)) for cell in self._distinct[column]]
        needed = sorted(map(per_cell.__getitem__, self._kind[column]))
        return needed[min(len(needed) - 1, math.ceil(SHARE * len(needed)) - 1)] if needed else 0

    def _uniform_start(self) -> list[int]:
        if not self.cells:
            return [0] * self.count
        tallest = max(max(self.column(c, 0)) for c in range(self.count))
        low, high = 1, max(1, tallest)  # the smallest target whose widths fit the budget (monotone in target)
        best = [0] * self.count
        while low <= high:
            target = (low + high) // 2
            steps = [self._steps_for(c, target) for c in range(self.count)]
            if sum(steps) <= self.budget:
                best, high = steps, target - 1
            else:
                low = target + 1
        return best

    def _rows_and_tops(self, steps: list[int]) -> tuple[list[tuple[int, ...]], list[tuple[int, int, int]]]:
        lines = list(zip(*(self.column(c, steps[c]) for c in range(self.count))))
        return lines, [_top_two(row) for row in lines]

    def _others(self, lines: list[tuple[int, ...]], tops: list[tuple[int, int, int]], column: int) -> list[int]:
        """Each row's tallest cell outside ``column``."""
        return [second if row[column] == first and ties == 1 else first
                for row, (first, ties, second) in zip(lines, tops)]

    def _total(self, others: list[int], column: int, steps: int) -> int:
        """The table's lines with ``column`` at ``steps`` and the other columns as in ``others``."""
        return sum(map(max, others, self.column(column, steps)))

    def _widen(self, steps: list[int], budget: int) -> list[int]:
        steps = list(steps)
        while budget > 0:
            lines, tops = self._rows_and_tops(steps)
            best: tuple[float, int, int] | None = None
            for column in range(self.count):
                others = self._others(lines, tops, column)
                now = self._total(others, column, steps[column])
                for delta in (d for d in MOVES if d <= budget):
                    saved = now - self._total(others, column, steps[column] + delta)
                    if saved > 0 and (best is None or saved / delta > best[0]):
                        best = (saved / delta, column, delta)
            if best is None:  # no single column shortens a row: widen the one tallest in the most rows
                column = max(range(self.count), key=lambda c: (sum(1 for r in lines if r[c] == max(r) > 1), -steps[c]))
                best = (0.0, column, 1)
            steps[best[1]] += best[2]
            budget -= best[2]
        return steps

    def _exchange(self, steps: list[int]) -> list[int]:
        steps = list(steps)
        current = self.height(steps)
        for _ in range(MAX_ROUNDS):
            lines, tops = self._rows_and_tops(steps)
            gains: dict[tuple[int, int], int] = {}
            losses: dict[tuple[int, int], int] = {}
            for c in range(self.count):
                others = self._others(lines, tops, c)
                now = self._total(others, c, steps[c])
                for d in MOVES:
                    gains[(c, d)] = now - self._total(others, c, steps[c] + d)
                    if steps[c] >= d:
                        losses[(c, d)] = self._total(others, c, steps[c] - d) - now
            candidates = sorted(((gains[(b, d)] - losses[(a, d)], a, b, d) for (a, d) in losses
                                 for b in range(self.count) if b != a and gains[(b, d)] > losses[(a, d)]), reverse=True)
            for _, a, b, d in candidates[:8]:  # columns interact within a row: check the real height
                trial = list(steps)
                trial[a], trial[b] = trial[a] - d, trial[b] + d
                height = self.height(trial)
                if height < current:
                    steps, current = trial, height
                    break
            else:
                return steps
        return steps


def _row_maxima_sum(columns: list[list[int]]) -> int:
    """Sum over the rows of the largest value across ``columns`` (lists of equal length)."""
    if len(columns) == 1:
        return sum(columns[0])
    return sum(map(max, *columns))


def _top_two(row: list[int]) -> tuple[int, int, int]:
    """The largest value, how many cells have it, and the largest value below it."""
    first = max(row)
    return first, row.count(first), max((v for v in row if v < first), default=0)

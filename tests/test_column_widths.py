"""Column widths that make a table short (docgen.doctypes.column_widths), on generated tables."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from docgen.doctypes.column_widths import STEP_MM, ColumnFitter, lines_needed

CHAR_MM, PAD_MM = 3.7, 2.4
piece_widths = st.sampled_from([0.5, 0.55, 1.0, 1.0, 1.0, 3.2, 4.0, 9.0])
cell_pool = st.lists(st.lists(piece_widths, max_size=30), min_size=1, max_size=12)


@st.composite
def tables(draw):  # type: ignore[no-untyped-def]
    columns = draw(st.integers(1, 8))
    pool = draw(cell_pool)  # cells repeat, as a month's dates and units do
    rows = draw(st.lists(st.lists(st.sampled_from(pool), min_size=columns, max_size=columns), max_size=40))
    minimum = draw(st.lists(st.floats(6, 20), min_size=columns, max_size=columns))
    spare = draw(st.floats(0, 120))
    return rows, minimum, sum(minimum) + spare


def _naive_height(fitter: ColumnFitter, rows: list, steps: list[int]) -> int:
    def lines(cell: list[float], column: int) -> int:
        capacity = max(1.0, (fitter.minimum[column] + steps[column] * STEP_MM - PAD_MM) / CHAR_MM)
        return lines_needed(cell, capacity)
    return sum(max(lines(cell, c) for c, cell in enumerate(row)) for row in rows)


@settings(max_examples=200, deadline=None)
@given(table=tables(), data=st.data())
def test_the_height_of_any_widths_is_the_sum_of_each_rows_tallest_cell(table, data):
    rows, minimum, total = table
    fitter = ColumnFitter(rows, minimum, total, char_mm=CHAR_MM, pad_mm=PAD_MM)
    for _ in range(3):
        steps = data.draw(st.lists(st.integers(0, 40), min_size=len(minimum), max_size=len(minimum)))
        assert fitter.height(steps) == _naive_height(fitter, rows, steps)
        for row in range(len(rows)):
            for column in range(len(minimum)):
                assert fitter.at(row, column, steps[column]) == _naive_height(
                    ColumnFitter([[rows[row][column]]], [minimum[column]], total, char_mm=CHAR_MM, pad_mm=PAD_MM),
                    [[rows[row][column]]], [steps[column]])


@settings(max_examples=200, deadline=None)
@given(table=tables())
def test_fitted_widths_use_the_whole_width_and_are_no_taller_than_the_uniform_start(table):
    rows, minimum, total = table
    fitter = ColumnFitter(rows, minimum, total, char_mm=CHAR_MM, pad_mm=PAD_MM)
    widths = fitter.fit()
    steps = [round((w - m) / STEP_MM) for w, m in zip(widths, minimum)]
    assert all(s >= 0 for s in steps)
    assert sum(steps) == max(0, fitter.budget)
    start = fitter._uniform_start()
    assert sum(start) <= max(0, fitter.budget)
    assert fitter.height(steps) <= fitter.height(start)
    assert fitter.height(steps) == _naive_height(fitter, rows, steps)

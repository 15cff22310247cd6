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


# The widths the fitter chose before its rewrite into whole-column lists (docgen 9829576), for 300 seeded
# random tables: the rewrite was to be faster, not different.
SEEDED_DIGEST = "ee406e99b7dcaa87cd39a7b6f42748890e704d58a3921e07b3099b6262d56184"


def test_widths_are_those_the_fitter_chose_before_it_was_made_faster():
    import hashlib
    import json
    import random
    rng = random.Random(20261128)
    results = []
    for _ in range(300):
        columns, rows = rng.randint(1, 9), rng.randint(0, 60)
        pool = [[rng.choice([1.0, 1.0, 1.0, 0.5, 0.55, 3.2, 4.0, 9.0]) for _ in range(rng.randint(0, 30))]
                for _ in range(25)]
        cells = [[list(rng.choice(pool)) for _ in range(columns)] for _ in range(rows)]
        minimum = [round(rng.uniform(6, 20), 3) for _ in range(columns)]
        total = sum(minimum) + round(rng.uniform(0, 150), 3)
        results.append([round(w, 6) for w in ColumnFitter(cells, minimum, total, char_mm=3.7, pad_mm=2.4).fit()])
    assert hashlib.sha256(json.dumps(results).encode()).hexdigest() == SEEDED_DIGEST


def test_the_samples_keep_their_column_widths():
    import json
    from pathlib import Path

    from docgen.generate import prepare
    samples = Path(__file__).resolve().parent.parent / "samples"
    widths = {name: prepare("disclosure", json.loads((samples / name).read_text("utf-8")))[1]["docx_table"]["widths_mm"]
              for name in ("disclosure.json", "disclosure-long.json")}
    assert widths == {"disclosure.json": [9.9, 26.6, 9.9, 41.4, 13.6, 34.3, 17.9, 9.9, 36.1, 15.5, 9.9],
                      "disclosure-long.json": [9.9, 26.5, 14.9, 40.5, 13.6, 38.1, 24.9, 9.9, 31.3, 15.4]}

"""Grading by 生产安全事故报告和调查处理条例 art. 3: every boundary, the highest figure wins, monotone."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.rules.severity import SEVERITY_RANK, grade, highest, is_higher
from resources_db.enums import Severity

OR, MA, SE, ES = Severity.ordinary, Severity.major, Severity.serious, Severity.especially_serious


@pytest.mark.parametrize(
    ("deaths", "expected"), [(0, OR), (2, OR), (3, MA), (9, MA), (10, SE), (29, SE), (30, ES), (500, ES)]
)
def test_deaths_boundaries(deaths, expected):
    assert grade(deaths, 0, 0) is expected


@pytest.mark.parametrize(("injuries", "expected"), [(9, OR), (10, MA), (49, MA), (50, SE), (99, SE), (100, ES)])
def test_serious_injuries_boundaries(injuries, expected):
    assert grade(0, injuries, 0) is expected


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        (9_999_999, OR),
        (10_000_000, MA),
        (49_999_999, MA),
        (50_000_000, SE),
        (99_999_999, SE),
        (100_000_000, ES),
    ],
)
def test_direct_loss_boundaries(loss, expected):
    assert grade(0, 0, loss) is expected


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ((1, 0, 60_000_000), SE),
        ((3, 0, 0), MA),
        ((2, 9, 9_999_999), OR),
        ((0, 100, 10_000_000), ES),
        ((10, 10, 0), SE),
    ],
)
def test_highest_figure_wins(figures, expected):
    assert grade(*figures) is expected


@pytest.mark.parametrize("figures", [(-1, 0, 0), (0, -1, 0), (0, 0, -1)])
def test_negative_figures_are_rejected(figures):
    with pytest.raises(ValueError, match="negative"):
        grade(*figures)


def test_rank_orders_grades_lowest_first():
    assert [SEVERITY_RANK[s] for s in (OR, MA, SE, ES)] == [0, 1, 2, 3]
    assert is_higher(SE, OR)
    assert not is_higher(OR, SE)
    assert not is_higher(MA, MA)
    assert highest(MA, ES, OR) is ES
    assert highest() is OR


figure = st.integers(min_value=0, max_value=200_000_000)


@given(base=st.tuples(figure, figure, figure), which=st.integers(0, 2), bump=figure)
def test_raising_any_figure_never_lowers_the_grade(base, which, bump):
    raised = list(base)
    raised[which] += bump
    assert SEVERITY_RANK[grade(*raised)] >= SEVERITY_RANK[grade(*base)]

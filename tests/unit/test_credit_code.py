"""GB 32100-2015 unified social credit codes: the check character, against codes published on business licences."""

import pytest

from resources_db.credit_code import ALPHABET, WEIGHTS, check_character, problem

# Published on the companies' licences and annual reports.
PUBLISHED_VALID = [
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


def test_weights_are_powers_of_three_mod_31_as_the_standard_tabulates() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_published_codes_are_valid(code: str) -> None:
    assert problem(code) is None
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_every_other_check_character_is_refused(code: str) -> None:
    wrong = [c for c in ALPHABET if c != code[17]]
    assert len(wrong) == 30
    for c in wrong:
        why = problem(code[:17] + c)
        assert why is not None
        assert f"give {code[17]!r}" in why


def test_a_swapped_pair_of_characters_is_caught() -> None:
    code = PUBLISHED_VALID[0]
    swapped = code[:10] + code[11] + code[10] + code[12:]
    assert swapped != code
    assert problem(swapped) is not None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91440300708461136", "18 characters"),
        ("91440300708461136TT", "18 characters"),
        ("9144030070846113OT", "not allowed"),  # letter O
        ("91440300708461136t", "not allowed"),  # lower case is normalised by the schema, not here
        ("9144A300708461136T", "division code"),
    ],
)
def test_malformed_codes_say_why(code: str, reason: str) -> None:
    why = problem(code)
    assert why is not None
    assert reason in why


def test_check_character_zero_is_written_as_0_not_31() -> None:
    # Find a body whose weighted sum is a multiple of 31: its check character must be "0".
    body = next(
        f"9144030070846{n:04d}"
        for n in range(10_000)
        if sum(ALPHABET.index(c) * w for c, w in zip(f"9144030070846{n:04d}", WEIGHTS, strict=True)) % 31 == 0
    )
    assert check_character(body) == "0"
    assert problem(body + "0") is None

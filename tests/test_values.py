from datetime import date

import pytest

from loaders.values import parse_bool, parse_date, split_list


@pytest.mark.parametrize("text, expected", [
    ("2023-03-01", date(2023, 3, 1)),
    ("2024/2/29", date(2024, 2, 29)),
    ("令和5年3月1日", date(2023, 3, 1)),
    ("R5.3.1", date(2023, 3, 1)),
    ("r05.03.01", date(2023, 3, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("Ｒ５．３．１", date(2023, 3, 1)),
    ("平成31年4月30日", date(2019, 4, 30)),
    ("H28.2.29", date(2016, 2, 29)),
    ("昭和64年1月7日", date(1989, 1, 7)),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, message", [
    ("平成31年5月1日", "outside the 平成 era"),
    ("R1.4.30", "outside the 令和 era"),
    ("令和0年1月1日", "invalid era year"),
    ("2023-02-29", "no such date"),
    ("R5.2.30", "no such date"),
    ("next tuesday", "not a date"),
])
def test_bad_dates(text, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text)


@pytest.mark.parametrize("text, expected", [("true", True), ("1", True), ("yes", True), ("○", True),
                                            ("FALSE", False), ("0", False), ("no", False), ("×", False)])
def test_booleans(text, expected):
    assert parse_bool(text) is expected


def test_bad_boolean():
    with pytest.raises(ValueError, match="not a boolean"):
        parse_bool("maybe")


def test_lists():
    assert split_list("ISMS; PMARK;;") == ["ISMS", "PMARK"]
    assert split_list("personal；my_number") == ["personal", "my_number"]

import datetime as dt

import pytest
from stdnum.cn import ric

from app.domain.idnumber import IdNumberError, is_valid_id_number, mask_id_number, parse_id_number


def _make(area: str, birth: str, seq: str) -> str:
    body = area + birth + seq
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def test_valid_number_gives_birth_date_and_sex():
    number = _make("220102", "19600501", "123")  # 3: odd -> male
    info = parse_id_number(number)
    assert info.birth_date == dt.date(1960, 5, 1)
    assert info.sex == "男"
    info = parse_id_number(_make("220102", "20240229", "124"))
    assert info.sex == "女" and info.birth_date == dt.date(2024, 2, 29)


def test_bad_checksum_names_the_problem():
    good = _make("220102", "19600501", "123")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(IdNumberError, match="校验位"):
        parse_id_number(bad)


@pytest.mark.parametrize("text, words", [
    ("", "为空"), ("2201021960", "18位"), (_make("220102", "19601301", "123"), "出生日期"),
    ("22010A196005011231", "格式"),
])
def test_other_errors_are_chinese(text, words):
    with pytest.raises(IdNumberError, match=words):
        parse_id_number(text)


def test_lower_case_x_accepted_and_upper_cased():
    number = None
    for seq in range(100, 200):
        candidate = _make("220102", "19800101", str(seq))
        if candidate.endswith("X"):
            number = candidate
            break
    assert number
    assert parse_id_number(number.lower()).number == number
    assert is_valid_id_number(number)


def test_mask():
    assert mask_id_number("220102196005011231") == "2201**********1231"


def test_county_codes_newer_than_the_birth_year_are_accepted():
    # 140405 屯留区 exists since 2018; a resident born 1960 may still carry it
    assert parse_id_number(_make("140405", "19600501", "123")).birth_date == dt.date(1960, 5, 1)


def test_unknown_province_and_future_birth_refused():
    with pytest.raises(IdNumberError, match="地区码"):
        parse_id_number(_make("990101", "19600501", "123"))
    with pytest.raises(IdNumberError, match="晚于今天"):
        parse_id_number(_make("220102", "20991231", "123"), today=dt.date(2026, 1, 1))


def test_masks_show_only_what_a_clerk_needs_to_tell_people_apart():
    from app.domain.idnumber import mask_fields, mask_phone

    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0431-8888123") == "********8123"
    assert mask_phone("") == ""
    assert mask_id_number("H1234567") == "******67"
    masked = mask_fields({"id_number": "220102196005011231", "phone": "13912345678", "name": "张三"})
    assert masked == {"id_number": "2201**********1231", "phone": "139****5678", "name": "张三"}


def test_the_demo_area_code_is_valid_for_the_program_and_issued_nowhere():
    from app.domain.idnumber import demo_area_code, is_demo_number

    number = _make(demo_area_code("22"), "19600501", "123")
    assert parse_id_number(number).birth_date == dt.date(1960, 5, 1)
    assert is_demo_number(number) and not is_demo_number("220102196005011231")

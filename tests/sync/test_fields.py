"""What a clash shows of its two versions (window and terminal alike): no derived search keys, no record's own
number, and a reference id only where the versions differ — a member moved to two different households on two
laptops shows 所在户; the same household on both sides is already named in the heading."""

from app.sync.fields import shown_keys, value_text


def test_a_household_move_on_both_sides_is_shown_and_the_same_household_is_not():
    moved = shown_keys({"household_id": 7, "member_id": 3, "phone_rev": "1", "phone": "139"},
                       {"household_id": 9, "member_id": 3, "phone_rev": "2", "phone": "138"})
    assert moved == ["household_id", "phone"]


def test_a_double_payment_shows_amount_date_and_receipt_not_its_row_number():
    a = {"payment_item_id": 1, "receipt_no": "220112-001-2025-000001", "amount_fen": 41000, "paid_on": "2024-10-08",
         "member_id": 5, "household_id": 1}
    b = {**a, "payment_item_id": 2, "receipt_no": "220112-000-2025-000001", "paid_on": "2024-10-09"}
    assert shown_keys(a, b) == ["receipt_no", "amount_fen", "paid_on"]
    assert value_text("amount_fen", 41000) == "410.00 元" and value_text("phone", None) == "（空）"



def test_a_version_that_is_no_record_is_said_and_an_emptied_field_is_not_taken_for_one():
    from app.sync.fields import ABSENT, absent

    assert absent(None) and absent({}) and ABSENT == "（本台账没有这条记录）"
    assert not absent({"status_date": None})  # a 两处修改 where one side emptied the field


def test_bookkeeping_values_read_as_the_clerk_knows_them():
    assert value_text("student", 0) == "否" and value_text("student", 1) == "是"
    shown = value_text("created_at", "2026-11-30T06:55:21+00:00")
    assert "T" not in shown and len(shown) == 16  # local time to the minute, not ISO UTC text

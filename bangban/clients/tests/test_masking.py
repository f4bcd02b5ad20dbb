"""Tests for masked display of personal data."""

import pytest

from bangban.clients.masking import (
    mask_address,
    mask_credit_code,
    mask_mobile,
    mask_name,
    mask_resident_id,
)

ALL = [mask_resident_id, mask_mobile, mask_credit_code, mask_name, mask_address]


def test_a_resident_id_keeps_the_first_six_and_last_four_characters():
    assert mask_resident_id("11010519491231002X") == "110105********002X"


def test_a_resident_id_with_lower_case_x_and_spaces_is_masked_the_same_way():
    assert mask_resident_id(" 110105 19491231 002x") == "110105********002X"


def test_a_mobile_number_keeps_the_first_three_and_last_four_digits():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"


def test_a_number_that_is_not_a_mobile_is_still_masked():
    assert mask_mobile("0571-88886666") == "057*****6666"
    assert mask_mobile("12345") == "*****"


def test_a_credit_code_keeps_the_first_six_and_last_four_characters():
    assert mask_credit_code("91350100M000100Y43") == "913501********0Y43"
    assert mask_credit_code("91350100m000100y43") == "913501********0Y43"


def test_a_two_character_name_keeps_the_surname():
    assert mask_name("张三") == "张*"


def test_a_longer_name_keeps_the_first_and_last_characters():
    assert mask_name("王小明") == "王*明"
    assert mask_name("欧阳娜娜") == "欧**娜"


def test_a_one_character_name_is_masked_completely():
    assert mask_name("张") == "*"


def test_an_address_keeps_the_part_up_to_the_district():
    assert mask_address("浙江省杭州市西湖区文三路90号") == "浙江省杭州市西湖区****"
    assert mask_address("北京市朝阳区建国路88号院3号楼") == "北京市朝阳区****"


def test_an_address_keeps_the_county_or_town_when_there_is_no_district():
    assert mask_address("江苏省昆山市周市镇青阳北路1号") == "江苏省昆山市周市镇****"
    assert mask_address("广东省东莞市南城街道宏图路8号") == "广东省东莞市南城街道****"
    assert mask_address("云南省丽江市玉龙纳西族自治县黄山镇") == "云南省丽江市玉龙纳西族自治县****"
    assert (
        mask_address("内蒙古自治区呼和浩特市土默特左旗察素齐镇")
        == "内蒙古自治区呼和浩特市土默特左旗****"
    )


def test_an_autonomous_region_is_not_taken_for_a_district():
    assert mask_address("新疆维吾尔自治区乌鲁木齐市天山区人民路1号") == (
        "新疆维吾尔自治区乌鲁木齐市天山区****"
    )


def test_a_housing_estate_is_not_taken_for_a_district():
    assert mask_address("阳光小区5号楼2单元301室") == "阳光小区****"
    assert mask_address("阳光小区5号楼，北京市海淀区") == "阳光小区****"


def test_an_address_without_an_administrative_name_keeps_only_a_short_start():
    assert mask_address("人民路100号") == "人民路****"
    assert mask_address("5号楼301室") == "****"
    assert mask_address("人民路") == "人****"


@pytest.mark.parametrize("mask", ALL)
def test_empty_values_give_an_empty_string(mask):
    assert mask(None) == ""
    assert mask("") == ""


@pytest.mark.parametrize("mask", ALL)
def test_masking_never_shows_a_short_value_in_full(mask):
    assert mask("12") != "12"

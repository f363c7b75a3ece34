"""Normalisation of names."""

import pytest

from gazetteer.normalize import normalize, strip_admin_suffix


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  忠县　新生港（一期） ", "忠县新生港(一期)"),
        ("Ｇ３５０忠县至南溪", "G350忠县至南溪"),
        ("政 府 工 作 报 告", "政府工作报告"),
        ("梁平—忠县", "梁平—忠县"),
        ("梁平－忠县", "梁平—忠县"),
        ("新\u200b生\x00港", "新生港"),
        ("Chongqing  Wanzhou", "Chongqing Wanzhou"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "name, stem, suffix",
    [
        ("石柱土家族自治县", "石柱", "土家族自治县"),
        ("秀山土家族苗族自治县", "秀山", "土家族苗族自治县"),
        ("新生街道", "新生", "街道"),
        ("磨子土家族乡", "磨子", "土家族乡"),
        ("开州区", "开州", "区"),
        ("重庆市", "重庆", "市"),
        ("四川省", "四川", "省"),
        ("双河口街道办事处", "双河口", "街道办事处"),
        ("竹山村", "竹山", "村"),
        ("汉丰湖", "汉丰湖", ""),
    ],
)
def test_strip_admin_suffix(name, stem, suffix):
    assert strip_admin_suffix(name) == (stem, suffix)

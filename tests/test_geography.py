"""Geography: 63 pre-2025 provinces, 34 post-2025 units, the mapping of Resolution 202/2025/QH15."""

import pytest

from evalutils import geography as geo
from evalutils.errors import GeographyError

# The 23 merged units as listed in issue 2 (Resolution 202/2025/QH15): new unit <- old provinces.
MERGED = {
    "tuyen-quang": {"Tuyên Quang", "Hà Giang"},
    "lao-cai": {"Lào Cai", "Yên Bái"},
    "thai-nguyen": {"Thái Nguyên", "Bắc Kạn"},
    "phu-tho": {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"},
    "bac-ninh": {"Bắc Ninh", "Bắc Giang"},
    "hung-yen": {"Hưng Yên", "Thái Bình"},
    "hai-phong": {"Hải Phòng", "Hải Dương"},
    "ninh-binh": {"Ninh Bình", "Hà Nam", "Nam Định"},
    "quang-tri": {"Quảng Trị", "Quảng Bình"},
    "da-nang": {"Đà Nẵng", "Quảng Nam"},
    "quang-ngai": {"Quảng Ngãi", "Kon Tum"},
    "gia-lai": {"Gia Lai", "Bình Định"},
    "khanh-hoa": {"Khánh Hòa", "Ninh Thuận"},
    "lam-dong": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    "dak-lak": {"Đắk Lắk", "Phú Yên"},
    "ho-chi-minh": {"TP. Hồ Chí Minh", "Bình Dương", "Bà Rịa–Vũng Tàu"},
    "dong-nai": {"Đồng Nai", "Bình Phước"},
    "tay-ninh": {"Tây Ninh", "Long An"},
    "can-tho": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "vinh-long": {"Vĩnh Long", "Bến Tre", "Trà Vinh"},
    "dong-thap": {"Đồng Tháp", "Tiền Giang"},
    "ca-mau": {"Cà Mau", "Bạc Liêu"},
    "an-giang": {"An Giang", "Kiên Giang"},
}
UNCHANGED = {"ha-noi": "Hà Nội", "hue": "Thừa Thiên Huế", "lai-chau": "Lai Châu", "dien-bien": "Điện Biên",
             "son-la": "Sơn La", "lang-son": "Lạng Sơn", "quang-ninh": "Quảng Ninh", "thanh-hoa": "Thanh Hóa",
             "nghe-an": "Nghệ An", "ha-tinh": "Hà Tĩnh", "cao-bang": "Cao Bằng"}


def test_63_provinces_with_unique_keys():
    p = geo.provinces()
    assert len(p) == 63
    for col in ("code", "slug", "name_vi", "name_en"):
        assert p[col].is_unique, col
    assert p["code"].str.fullmatch(r"\d{2}").all()
    assert set(p["region"]) == set(geo.REGIONS)
    assert p.groupby("region").size().to_dict() == {
        "red_river_delta": 11, "northern_midlands_mountains": 14, "north_central_central_coast": 14,
        "central_highlands": 5, "southeast": 6, "mekong_river_delta": 13}


def test_34_units_and_every_old_province_mapped_once():
    units = geo.units_2025()
    assert len(units) == 34 and units["slug"].is_unique
    assert units["merged"].sum() == 23
    m = geo.mapping_pre2025_to_2025()
    assert len(m) == 63 and m["code"].is_unique and m["unit_2025_name_vi"].notna().all()
    groups = m.groupby("unit_2025")["name_vi"].apply(set).to_dict()
    assert set(groups) == set(MERGED) | set(UNCHANGED)
    for unit, members in MERGED.items():
        assert groups[unit] == members, unit
    for unit, old in UNCHANGED.items():
        assert groups[unit] == {old}, unit


@pytest.mark.parametrize("query,code", [("95", "95"), (95, "95"), ("bac-lieu", "95"), ("Bạc Liêu", "95"),
                                        ("bac lieu", "95"), ("Tỉnh Khánh Hòa", "56"), ("Ho Chi Minh City", "79"),
                                        ("1", "01"), ("Đắk Lắk", "66")])
def test_resolve_province(query, code):
    assert geo.resolve_province(query)["code"] == code


def test_unknown_province_suggests_closest():
    with pytest.raises(GeographyError) as err:
        geo.resolve_province("Khanh Hoaa")
    assert "khanh-hoa" in str(err.value) and "did you mean" in str(err.value)


def test_to_2025_unit_and_codes():
    import pandas as pd

    assert list(geo.to_2025_unit(pd.Series(["95", "74", "01"]))) == ["ca-mau", "ho-chi-minh", "ha-noi"]
    assert sorted(geo.province_codes("2025", "ho-chi-minh")) == ["74", "77", "79"]
    with pytest.raises(GeographyError):
        geo.to_2025_unit(pd.Series(["99"]))

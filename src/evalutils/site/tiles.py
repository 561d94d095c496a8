"""Tile positions (row, column) of Viet Nam's provinces for the overview map, in both geographies.

Written by hand for this project: one square per province, placed at its approximate position (north at the top,
the coast on the right), so the S-shape of the country is recognisable. No boundary data is used; the map says so.
"""

from __future__ import annotations

# the 63 provinces before 1 July 2025 (slug -> (row, column))
TILES_PRE2025: dict[str, tuple[int, int]] = {
    "lao-cai": (0, 2), "ha-giang": (0, 3), "cao-bang": (0, 4),
    "lai-chau": (1, 0), "yen-bai": (1, 2), "tuyen-quang": (1, 3), "bac-kan": (1, 4), "lang-son": (1, 5),
    "dien-bien": (2, 0), "son-la": (2, 1), "phu-tho": (2, 2), "thai-nguyen": (2, 3), "bac-giang": (2, 4),
    "quang-ninh": (2, 5),
    "hoa-binh": (3, 1), "vinh-phuc": (3, 2), "ha-noi": (3, 3), "bac-ninh": (3, 4), "hai-duong": (3, 5),
    "hai-phong": (3, 6),
    "ha-nam": (4, 3), "hung-yen": (4, 4), "thai-binh": (4, 5),
    "thanh-hoa": (5, 2), "ninh-binh": (5, 3), "nam-dinh": (5, 4),
    "nghe-an": (6, 2),
    "ha-tinh": (7, 3),
    "quang-binh": (8, 3),
    "quang-tri": (9, 4),
    "thua-thien-hue": (10, 4), "da-nang": (10, 5),
    "quang-nam": (11, 5),
    "kon-tum": (12, 4), "quang-ngai": (12, 5),
    "gia-lai": (13, 4), "binh-dinh": (13, 5),
    "dak-lak": (14, 4), "phu-yen": (14, 5),
    "dak-nong": (15, 3), "lam-dong": (15, 4), "khanh-hoa": (15, 5),
    "binh-phuoc": (16, 2), "dong-nai": (16, 3), "binh-thuan": (16, 4), "ninh-thuan": (16, 5),
    "tay-ninh": (17, 1), "binh-duong": (17, 2), "ho-chi-minh": (17, 3), "ba-ria-vung-tau": (17, 4),
    "an-giang": (18, 0), "dong-thap": (18, 1), "long-an": (18, 2), "tien-giang": (18, 3),
    "kien-giang": (19, 0), "can-tho": (19, 1), "vinh-long": (19, 2), "ben-tre": (19, 3),
    "hau-giang": (20, 1), "soc-trang": (20, 2), "tra-vinh": (20, 3),
    "ca-mau": (21, 0), "bac-lieu": (21, 1),
}

# the 34 provincial units from 1 July 2025 (Resolution 202/2025/QH15)
TILES_2025: dict[str, tuple[int, int]] = {
    "lai-chau": (0, 0), "lao-cai": (0, 1), "tuyen-quang": (0, 2), "cao-bang": (0, 3),
    "dien-bien": (1, 0), "son-la": (1, 1), "phu-tho": (1, 2), "thai-nguyen": (1, 3), "lang-son": (1, 4),
    "ha-noi": (2, 2), "bac-ninh": (2, 3), "quang-ninh": (2, 4),
    "ninh-binh": (3, 2), "hung-yen": (3, 3), "hai-phong": (3, 4),
    "thanh-hoa": (4, 1),
    "nghe-an": (5, 1),
    "ha-tinh": (6, 2),
    "quang-tri": (7, 2),
    "hue": (8, 3),
    "da-nang": (9, 3),
    "quang-ngai": (10, 3),
    "gia-lai": (11, 3),
    "dak-lak": (12, 3),
    "lam-dong": (13, 2), "khanh-hoa": (13, 3),
    "tay-ninh": (14, 1), "dong-nai": (14, 2),
    "an-giang": (15, 0), "dong-thap": (15, 1), "ho-chi-minh": (15, 2),
    "can-tho": (16, 1), "vinh-long": (16, 2),
    "ca-mau": (17, 1),
}

TILES = {"pre2025": TILES_PRE2025, "2025": TILES_2025}

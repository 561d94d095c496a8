"""Message catalogue for the reports (Vietnamese and English).

Every piece of report text lives here, keyed by a message id, never as strings
scattered through notebooks. ``t(key, lang, **values)`` formats a message;
a missing key or language is an error so that gaps show up in tests, not in
published reports.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "synthetic_banner": {
        "vi": "DỮ LIỆU MINH HỌA TỔNG HỢP (synthetic) — không phải số liệu thật về doanh nghiệp. "
              "Mọi con số trong báo cáo này chỉ để trình diễn phương pháp.",
        "en": "SYNTHETIC DEMONSTRATION DATA — not real enterprise data. "
              "Every number in this report only demonstrates the method.",
    },
    "report_title": {
        "vi": "Đánh giá chương trình nâng cao năng suất và chất lượng: {province}",
        "en": "Evaluation of the productivity and quality programme: {province}",
    },
    "subtitle": {
        "vi": "Quyết định 1322/QĐ-TTg và 36/QĐ-TTg · dữ liệu {years} · mã tỉnh (GSO) {code} · vùng {region}",
        "en": "Decisions 1322/QĐ-TTg and 36/QĐ-TTg · data {years} · GSO province code {code} · {region}",
    },
    "unit_2025": {
        "vi": "Từ 1/7/2025 thuộc đơn vị hành chính cấp tỉnh: {unit} (Nghị quyết 202/2025/QH15).",
        "en": "Since 1 July 2025 part of the provincial unit: {unit} (Resolution 202/2025/QH15).",
    },
    "unit_members": {
        "vi": "Đơn vị hành chính cấp tỉnh từ 1/7/2025 (Nghị quyết 202/2025/QH15), gồm các tỉnh cũ: {members}. "
              "Kế hoạch 2021–2025 là của các tỉnh cũ và được đánh giá riêng.",
        "en": "Provincial unit since 1 July 2025 (Resolution 202/2025/QH15), made of the former provinces: {members}. "
              "The 2021–2025 plans belong to the former provinces and are scored separately.",
    },
    "plans_heading": {"vi": "Kế hoạch của tỉnh", "en": "The province's plans"},
    "no_plans": {
        "vi": "Chưa có kế hoạch hay chỉ tiêu nào của tỉnh được nhập vào tham số (params/provinces/{slug}.yml). "
              "Báo cáo không đánh giá chỉ tiêu cho tỉnh này.",
        "en": "No plan or target of this province has been entered in its parameter file "
              "(params/provinces/{slug}.yml), so this report scores no targets.",
    },
    "scorecard_heading": {"vi": "Bảng theo dõi chỉ tiêu", "en": "Targets scorecard"},
    "trend_heading": {"vi": "Năng suất lao động", "en": "Labour productivity"},
    "trend_caption": {
        "vi": "Giá trị tăng thêm thực tế bình quân một lao động (triệu đồng, giá 2015): {province} so với cả nước. "
              "Đường chấm: tăng 7%/năm từ {base_year}.",
        "en": "Real value added per worker (million VND, 2015 prices): {province} against the whole country. "
              "Dotted line: 7% a year growth from {base_year}.",
    },
    "effect_heading": {"vi": "Tác động của hỗ trợ tới năng suất", "en": "Effect of support on productivity"},
    "effect_text": {
        "vi": "Hồi quy hiệu ứng cố định hai chiều (doanh nghiệp và năm), sai số chuẩn cụm theo doanh nghiệp: "
              "hỗ trợ đi kèm thay đổi {pct} trong giá trị tăng thêm thực tế trên một lao động "
              "(khoảng tin cậy 95%: {lo} đến {hi}; {n_treated} doanh nghiệp được hỗ trợ, {n_firms} doanh nghiệp).",
        "en": "Two-way fixed-effects regression (firm and year effects), standard errors clustered by firm: "
              "support goes with a change of {pct} in real value added per worker "
              "(95% confidence interval {lo} to {hi}; {n_treated} supported firms out of {n_firms}).",
    },
    "effect_caveat": {
        "vi": "Lưu ý: hồi quy TWFE có thể sai lệch khi hỗ trợ bắt đầu vào các năm khác nhau và tác động tăng dần; "
              "các ước lượng bền vững (Callaway–Sant'Anna) sẽ được bổ sung.",
        "en": "Caveat: TWFE can be biased when support starts in different years and its effect grows over time; "
              "heterogeneity-robust estimates (Callaway–Sant'Anna) are to be added.",
    },
    "effect_unavailable": {
        "vi": "Không ước lượng tác động: {reason}",
        "en": "No effect estimated: {reason}",
    },
    "provenance_heading": {"vi": "Nguồn gốc báo cáo", "en": "Provenance"},
    "col_target": {"vi": "Chỉ tiêu", "en": "Target"},
    "col_period": {"vi": "Giai đoạn", "en": "Period"},
    "col_goal": {"vi": "Mục tiêu", "en": "Goal"},
    "col_observed": {"vi": "Thực hiện", "en": "Observed"},
    "col_status": {"vi": "Tình trạng", "en": "Status"},
    "col_source": {"vi": "Trích nguyên văn kế hoạch", "en": "The plan's words"},
    "col_year": {"vi": "Năm", "en": "Year"},
    "col_firms": {"vi": "Số doanh nghiệp", "en": "Firms"},
    "col_estimate": {"vi": "Ước lượng", "en": "Estimate"},
    "col_se": {"vi": "Sai số chuẩn", "en": "Std. error"},
    "col_ci": {"vi": "KTC 95%", "en": "95% CI"},
    "col_p": {"vi": "Giá trị p", "en": "p-value"},
    "status_met": {"vi": "Đạt", "en": "Met"},
    "status_on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "status_behind": {"vi": "Chưa đạt", "en": "Behind"},
    "status_no_data": {"vi": "Không có dữ liệu", "en": "No data"},
    "cmp_at_least": {"vi": "≥ {v}", "en": "≥ {v}"},
    "cmp_more_than": {"vi": "> {v}", "en": "> {v}"},
    "cmp_at_most": {"vi": "≤ {v}", "en": "≤ {v}"},
    "cmp_between": {"vi": "{lo}–{hi}", "en": "{lo}–{hi}"},
    "cmp_about": {"vi": "khoảng {v}", "en": "about {v}"},
    "agg_cumulative": {"vi": "cộng dồn", "en": "cumulative"},
    "agg_per_year": {"vi": "mỗi năm", "en": "every year"},
    "agg_annual_average": {"vi": "bình quân năm", "en": "annual average"},
    "agg_final_year": {"vi": "năm cuối", "en": "final year"},
    "agg_annual_growth": {"vi": "tăng bình quân/năm", "en": "average annual growth"},
    "suppressed": {
        "vi": "ô bị ẩn: ít hơn {k} doanh nghiệp",
        "en": "cell suppressed: fewer than {k} firms",
    },
    "unit_enterprises": {"vi": "doanh nghiệp", "en": "enterprises"},
    "unit_persons": {"vi": "người", "en": "persons"},
    "unit_person_times": {"vi": "lượt người", "en": "person-times"},
    "unit_tasks": {"vi": "nhiệm vụ", "en": "tasks"},
    "unit_organisations": {"vi": "tổ chức", "en": "organisations"},
    "unit_centres": {"vi": "trung tâm", "en": "centres"},
    "unit_districts": {"vi": "huyện, thị xã, thành phố", "en": "districts"},
    "unit_institutions": {"vi": "trường", "en": "institutions"},
    "national": {"vi": "Cả nước", "en": "Whole country"},
    "target_7pct": {"vi": "Mục tiêu 7%/năm", "en": "7% a year target"},
    "lp_axis": {"vi": "Triệu đồng / lao động (giá 2015)", "en": "Million VND per worker (2015 prices)"},
}


def t(key: str, lang: Lang, **values: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``values``."""
    try:
        template = MESSAGES[key][lang]
    except KeyError:
        raise KeyError(f"message {key!r} has no {lang!r} text in evalutils.i18n.MESSAGES") from None
    return template.format(**values)


def fmt_number(x: float, lang: Lang, decimals: int = 0) -> str:
    """Thousands separators as each language writes them (vi: 1.234,5; en: 1,234.5)."""
    s = f"{x:,.{decimals}f}"
    if lang == "vi":
        s = s.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return s

"""Every word the website shows, in Vietnamese first and English second.

The report pages have their own wording (:mod:`evalutils.i18n`); these are the site's pages, navigation, overview,
map and search.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "site_title": {"vi": "Đánh giá chương trình năng suất cấp tỉnh",
                   "en": "Provincial productivity programme evaluations"},
    "report_title": {"vi": "Đánh giá chương trình nâng cao năng suất và chất lượng",
                     "en": "Evaluation of the productivity and quality programme"},
    "national_name": {"vi": "Toàn quốc", "en": "Viet Nam"},
    "national_title": {"vi": "Tổng hợp toàn quốc", "en": "National synthesis"},
    "skip": {"vi": "Bỏ qua đến nội dung chính", "en": "Skip to main content"},
    "nav_label": {"vi": "Điều hướng trang", "en": "Site navigation"},
    "report_nav_label": {"vi": "Điều hướng báo cáo", "en": "Report navigation"},
    "home": {"vi": "Trang chủ", "en": "Home"},
    "overview": {"vi": "Tổng quan và bản đồ", "en": "Overview and map"},
    "methods": {"vi": "Phương pháp", "en": "Methods"},
    "figures": {"vi": "Nguồn của hình và bảng", "en": "Where figures come from"},
    "search": {"vi": "Tìm kiếm", "en": "Search"},
    "search_label": {"vi": "Tìm trong tất cả báo cáo và trang", "en": "Search every report and page"},
    "search_button": {"vi": "Tìm", "en": "Search"},
    "search_placeholder": {"vi": "ví dụ: Bac Lieu, năng suất", "en": "e.g. Bac Lieu, productivity"},
    "search_intro": {"vi": "Tìm không phân biệt dấu: “Bac Lieu” tìm thấy “Bạc Liêu”. Kết quả bằng tiếng Việt "
                           "được liệt kê trước.",
                     "en": "Accents are optional: “Bac Lieu” finds “Bạc Liêu”. Results in English are listed "
                           "first."},
    "search_none": {"vi": "Không tìm thấy trang nào.", "en": "No page found."},
    "search_count": {"vi": "{n} trang", "en": "{n} page(s)"},
    "search_nojs": {"vi": "Tìm kiếm cần JavaScript. Danh sách mọi báo cáo có ở trang chủ.",
                    "en": "Search needs JavaScript. Every report is listed on the home page."},
    "switch_to": {"vi": "English", "en": "Tiếng Việt"},
    "switch_label": {"vi": "Xem trang này bằng tiếng Anh", "en": "Read this page in Vietnamese"},
    "previous": {"vi": "Tỉnh trước", "en": "Previous"},
    "next": {"vi": "Tỉnh sau", "en": "Next"},
    "not_available": {"vi": "chưa có", "en": "not yet available"},
    "not_available_long": {"vi": "Báo cáo này chưa có.", "en": "This report is not yet available."},
    "intro": {"vi": "Đánh giá kế hoạch của các tỉnh theo Chương trình quốc gia hỗ trợ doanh nghiệp nâng cao "
                    "năng suất và chất lượng (Quyết định 1322/QĐ-TTg) và Đề án tổng thể nâng cao năng suất "
                    "(Quyết định 36/QĐ-TTg). Mỗi báo cáo có bằng tiếng Việt và tiếng Anh.",
              "en": "Evaluation of the provinces' plans under the National Programme to support enterprises in "
                    "raising productivity and quality (Decision 1322/QĐ-TTg) and the productivity master plan "
                    "(Decision 36/QĐ-TTg). Each report is in Vietnamese and English."},
    "synthetic": {"vi": "Các báo cáo này được lập từ DỮ LIỆU MINH HỌA TỔNG HỢP. Không con số nào mô tả một tỉnh "
                        "hay doanh nghiệp có thật.",
                  "en": "These reports are built from SYNTHETIC demonstration data. No figure describes a real "
                        "province or enterprise."},
    "none_built": {"vi": "Chưa có báo cáo nào: hãy chạy evalutils run.",
                   "en": "No report has been built yet: run evalutils run."},
    "geo_pre2025": {"vi": "63 tỉnh, thành phố (trước 1/7/2025)", "en": "The 63 provinces (before 1 July 2025)"},
    "geo_2025": {"vi": "34 đơn vị hành chính cấp tỉnh (Nghị quyết 202/2025/QH15)",
                 "en": "The 34 provincial units (Resolution 202/2025/QH15)"},
    "unit": {"vi": "Tỉnh / đơn vị", "en": "Province / unit"},
    "effect": {"vi": "Tác động của chương trình, thay đổi % [KTC 95%]", "en": "Programme effect, change in % [95% CI]"},
    "effect_on": {"vi": "Tác động lên {outcome}, thay đổi % [KTC 95%]", "en": "Effect on {outcome}, change in % [95% CI]"},
    "outcome_log_va_per_worker": {"vi": "năng suất lao động (giá trị tăng thêm thực tế / lao động)",
                                  "en": "labour productivity (real value added per worker)"},
    "outcome_log_tfp": {"vi": "năng suất các nhân tố tổng hợp (TFP)", "en": "total factor productivity (TFP)"},
    "estimator": {"vi": "Phương pháp ước lượng", "en": "Estimator"},
    "targets": {"vi": "Chỉ tiêu đạt / tổng số", "en": "Targets met / total"},
    "attainment": {"vi": "Tỷ lệ chỉ tiêu đạt", "en": "Share of targets met"},
    "supported": {"vi": "Doanh nghiệp được hỗ trợ", "en": "Supported firms"},
    "mde": {"vi": "Tác động nhỏ nhất phát hiện được, %", "en": "Minimum detectable effect, %"},
    "reports": {"vi": "Báo cáo", "en": "Reports"},
    "report_here": {"vi": "Báo cáo", "en": "Report"},
    "pdf": {"vi": "PDF", "en": "PDF"},
    "other_lang_report": {"vi": "bản tiếng Anh", "en": "Vietnamese version"},
    "not_estimated": {"vi": "chưa ước lượng", "en": "not estimated"},
    "national_pooled": {"vi": "Tác động gộp của chương trình [KTC 95%]", "en": "Pooled programme effect [95% CI]"},
    "national_units": {"vi": "Số tỉnh có ước lượng", "en": "Provinces with an estimate"},
    "synthesis": {"vi": "{n} đơn vị có kết quả. Chỉ tiêu đạt: {met} trên {total} chỉ tiêu lấy từ các kế hoạch. "
                        "Tác động của chương trình được ước lượng ở {k} đơn vị: khoảng tin cậy 95% nằm trên 0 ở "
                        "{pos}, dưới 0 ở {neg}, và chứa 0 ở {zero}.",
                  "en": "{n} unit(s) with results. Targets met: {met} of the {total} targets entered from the "
                        "plans. Programme effect estimated in {k} unit(s): the 95% confidence interval lies above "
                        "zero in {pos}, below zero in {neg}, and includes zero in {zero}."},
    "index_footer": {"vi": "Số liệu lấy từ kết quả máy đọc được mà mỗi báo cáo xuất ra.",
                     "en": "Figures come from the machine-readable results each report emits."},
    "overview_intro": {"vi": "So sánh các tỉnh: bấm vào tiêu đề cột để sắp xếp, gõ để lọc. Bản đồ ô tô màu "
                             "theo chỉ số bạn chọn; mỗi ô dẫn đến báo cáo của tỉnh.",
                       "en": "Compare provinces: select a column heading to sort, type to filter. The tile map "
                             "is coloured by the indicator you choose; each tile links to the province's report."},
    "filter": {"vi": "Lọc theo tên", "en": "Filter by name"},
    "table_caption": {"vi": "Kết quả chính theo {geo}", "en": "Headline results: {geo}"},
    "sort_hint": {"vi": "sắp xếp", "en": "sort"},
    "map": {"vi": "Bản đồ ô", "en": "Tile map"},
    "map_caption": {"vi": "Mỗi ô là một tỉnh, đặt gần đúng vị trí địa lý (không phải ranh giới thật).",
                    "en": "Each tile is a province, placed at its approximate position (not real boundaries)."},
    "indicator": {"vi": "Chỉ số tô màu", "en": "Colour by"},
    "legend": {"vi": "Chú giải", "en": "Legend"},
    "no_value": {"vi": "không có số liệu", "en": "no value"},
    "low": {"vi": "thấp", "en": "low"},
    "high": {"vi": "cao", "en": "high"},
    "download_csv": {"vi": "Tải bảng này (CSV)", "en": "Download this table (CSV)"},
    "download_json": {"vi": "Kết quả (JSON)", "en": "Results (JSON)"},
    "exhibit_csv": {"vi": "Tải dữ liệu (CSV)", "en": "Download the data (CSV)"},
    "exhibit_json": {"vi": "Toàn bộ kết quả của báo cáo (JSON)", "en": "All the report's results (JSON)"},
    "csv_targets": {"vi": "Bảng chỉ tiêu (CSV)", "en": "Targets (CSV)"},
    "csv_effects": {"vi": "Ước lượng tác động (CSV)", "en": "Effect estimates (CSV)"},
    "data_note": {"vi": "Dữ liệu tải về chỉ chứa những gì trang hiển thị (cùng quy tắc bảo mật).",
                  "en": "Downloads hold only what the page shows (the same disclosure control)."},
    "methods_title": {"vi": "Phương pháp", "en": "Methods"},
    "figures_title": {"vi": "Nguồn của mỗi hình và bảng", "en": "Where each figure and table comes from"},
    "index_title": {"vi": "Trang chủ", "en": "Home"},
    "search_title": {"vi": "Tìm kiếm", "en": "Search"},
    "redirect": {"vi": "Đang mở trang tiếng Việt…", "en": "Opening the Vietnamese pages…"},
    "status_text": {"vi": "{met}/{total} đạt", "en": "{met}/{total} met"},
}


def s(key: str, lang: str, **values: object) -> str:
    """The site string ``key`` in ``lang``."""
    text = STRINGS[key][lang]
    return text.format(**values) if values else text

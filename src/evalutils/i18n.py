"""Message catalogue for the reports (Vietnamese and English).

Every piece of report text lives here, keyed by a message id, never as strings
scattered through notebooks. ``t(key, lang, **values)`` formats a message;
a missing key or language is an error so that gaps show up in tests, not in
published reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "synthetic_banner": {
        "vi": "DỮ LIỆU MINH HỌA TỔNG HỢP — không phải số liệu thật của doanh nghiệp. Mọi con số trong báo cáo này "
              "chỉ nhằm minh họa phương pháp.",
        "en": "SYNTHETIC DEMONSTRATION DATA — not real enterprise data. Every number in this report only "
              "demonstrates the method.",
    },
    "report_title": {
        "vi": "Đánh giá chương trình nâng cao năng suất và chất lượng: {province}",
        "en": "Evaluation of the productivity and quality programme: {province}",
    },
    "subtitle": {
        "vi": "Quyết định 1322/QĐ-TTg và 36/QĐ-TTg · dữ liệu {years} · mã tỉnh {code} · vùng {region}",
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
    "vintage_synthetic": {"vi": "Dữ liệu: bộ dữ liệu minh họa tổng hợp (số khởi tạo ngẫu nhiên {seed}, quy mô {scale}).",
                          "en": "Data: synthetic demonstration set (seed {seed}, scale {scale})."},
    "vintage_delivered": {"vi": "Dữ liệu: {description} (bàn giao {date}).",
                          "en": "Data: {description} (delivered {date})."},
    "plans_heading": {"vi": "Kế hoạch của tỉnh", "en": "The province's plans"},
    "no_plans": {
        "vi": "Chưa có kế hoạch nào của tỉnh được nhập vào tệp tham số (params/provinces/{slug}.yml).",
        "en": "No plan of this province has been entered in its parameter file (params/provinces/{slug}.yml).",
    },
    "no_targets": {
        "vi": "Các kế hoạch đã nhập không có chỉ tiêu định lượng nào được nhập vào tệp tham số "
              "(params/provinces/{slug}.yml).",
        "en": "No quantitative target of the plans above has been entered in the parameter file "
              "(params/provinces/{slug}.yml).",
    },
    "scorecard_heading": {"vi": "Bảng theo dõi chỉ tiêu", "en": "Targets scorecard"},
    "scorecard_chart_caption": {
        "vi": "Mức thực hiện của từng chỉ tiêu so với mục tiêu (1 = đạt mục tiêu; chỉ tiêu đặt cho từng năm: tỷ lệ "
              "số năm đạt), kèm kết quả đánh giá ghi bằng chữ bên cạnh mỗi thanh.",
        "en": "How far each target has got towards its goal (1 = goal reached; a target set for every year: the share "
              "of years that met it), with its status in words beside each bar.",
    },
    "trend_heading": {"vi": "Năng suất lao động", "en": "Labour productivity"},
    "trend_caption": {
        "vi": "Giá trị tăng thêm thực tế bình quân một lao động (triệu đồng, giá so sánh năm 2015) của mọi doanh "
              "nghiệp trong dữ liệu bảng doanh nghiệp: {province} so với cả nước.",
        "en": "Real value added per worker (million VND, 2015 prices) of all the enterprises in the enterprise panel: "
              "{province} against the whole country.",
    },
    "scope_whole_panel": {
        "vi": "Phần này tính trên mọi doanh nghiệp trong dữ liệu bảng doanh nghiệp của tỉnh; tác động của hỗ trợ ở "
              "phần sau chỉ ước lượng trên một phần trong số đó ({sample}).",
        "en": "This section covers every enterprise in the province's enterprise panel; the effects of support "
              "further on are estimated on part of them only ({sample}).",
    },
    "scope_ga": {
        "vi": "Như xu hướng ở trên, phần này tính trên mọi doanh nghiệp, không chỉ các doanh nghiệp dùng để ước lượng "
              "tác động ({sample}).",
        "en": "Like the trend above, it covers all the enterprises, not only those the effects are estimated on "
              "({sample}).",
    },
    "trend_target_line": {
        "vi": "Đường chấm: tăng {rate}%/năm từ {base_year}, theo chỉ tiêu tăng năng suất lao động {goal}/năm trong "
              "kế hoạch của tỉnh {src}.",
        "en": "Dotted line: {rate}% a year growth from {base_year}, the province's own plan target of labour-productivity "
              "growth {goal} a year {src}.",
    },
    "target_line": {"vi": "Chỉ tiêu của tỉnh: tăng {rate}%/năm", "en": "Province's target: {rate}% a year"},
    "effect_heading": {"vi": "Tác động của hỗ trợ tới năng suất", "en": "Effect of support on productivity"},
    "effect_unavailable": {
        "vi": "Không ước lượng tác động: {reason}.",
        "en": "No effect estimated: {reason}.",
    },
    "vsic_A": {"vi": "Nông, lâm nghiệp và thủy sản", "en": "Agriculture, forestry and fishing"},
    "vsic_B": {"vi": "Khai khoáng", "en": "Mining and quarrying"},
    "vsic_C": {"vi": "Công nghiệp chế biến, chế tạo", "en": "Manufacturing"},
    "vsic_D": {"vi": "Sản xuất và phân phối điện, khí đốt", "en": "Electricity and gas"},
    "vsic_E": {"vi": "Cung cấp nước; xử lý rác thải", "en": "Water supply and waste"},
    "vsic_F": {"vi": "Xây dựng", "en": "Construction"},
    "vsic_G": {"vi": "Bán buôn và bán lẻ; sửa chữa ô tô, mô tô", "en": "Wholesale and retail trade"},
    "vsic_H": {"vi": "Vận tải kho bãi", "en": "Transport and storage"},
    "vsic_I": {"vi": "Dịch vụ lưu trú và ăn uống", "en": "Accommodation and food services"},
    "vsic_J": {"vi": "Thông tin và truyền thông", "en": "Information and communication"},
    "vsic_K": {"vi": "Hoạt động tài chính, ngân hàng và bảo hiểm", "en": "Finance and insurance"},
    "vsic_L": {"vi": "Hoạt động kinh doanh bất động sản", "en": "Real estate"},
    "vsic_M": {"vi": "Hoạt động chuyên môn, khoa học và công nghệ", "en": "Professional, scientific and technical activities"},
    "vsic_N": {"vi": "Hoạt động hành chính và dịch vụ hỗ trợ", "en": "Administrative and support services"},
    "vsic_O": {"vi": "Quản lý nhà nước, an ninh quốc phòng", "en": "Public administration and defence"},
    "vsic_P": {"vi": "Giáo dục và đào tạo", "en": "Education"},
    "vsic_Q": {"vi": "Y tế và hoạt động trợ giúp xã hội", "en": "Health and social work"},
    "vsic_R": {"vi": "Nghệ thuật, vui chơi và giải trí", "en": "Arts and recreation"},
    "vsic_S": {"vi": "Hoạt động dịch vụ khác", "en": "Other services"},
    "vsic_T": {"vi": "Hoạt động làm thuê trong hộ gia đình", "en": "Activities of households"},
    "vsic_U": {"vi": "Hoạt động của các tổ chức quốc tế", "en": "Extraterritorial organisations"},
    "kf_heading": {"vi": "Phát hiện chính", "en": "Key findings"},
    "kf_effect_dir": {
        "vi": "So với khi không được hỗ trợ, {what} của {n} doanh nghiệp được hỗ trợ ước tính {direction} {pct} "
              "(phương pháp {method}; khoảng tin cậy 95%: từ {lo} đến {hi}); {sig}.",
        "en": "Compared with no support, {what} of the {n} supported firms is estimated {pct} {direction} ({method} "
              "estimate; 95% confidence interval {lo} to {hi}); {sig}.",
    },
    "kf_higher": {"vi": "cao hơn", "en": "higher"},
    "kf_n_of_total": {"vi": "{n} trong số {total}", "en": "{n} (of {total})"},
    "kf_what_log_va_per_worker": {"vi": "giá trị tăng thêm thực tế bình quân một lao động",
                                  "en": "real value added per worker"},
    "kf_what_log_tfp": {"vi": "năng suất các nhân tố tổng hợp (TFP)", "en": "total factor productivity (TFP)"},
    "kf_method_twfe": {"vi": "hồi quy hiệu ứng cố định hai chiều (TWFE)", "en": "two-way fixed effects (TWFE)"},
    "kf_method_callaway_santanna": {"vi": "Callaway–Sant'Anna", "en": "Callaway–Sant'Anna"},
    "kf_method_imputation": {"vi": "điền khuyết Borusyak–Jaravel–Spiess", "en": "Borusyak–Jaravel–Spiess imputation"},
    "kf_lower": {"vi": "thấp hơn", "en": "lower"},
    "kf_lp_panel": {
        "vi": "Năng suất lao động của mọi doanh nghiệp trong dữ liệu bảng doanh nghiệp (giá trị tăng thêm thực tế "
              "trên một lao động, giá so sánh năm 2015) tăng bình quân {g}%/năm giai đoạn {y0}–{y1}.",
        "en": "Labour productivity of all the enterprises in the enterprise panel (real value added per worker, 2015 "
              "prices) grew {g}% a year on average in {y0}–{y1}.",
    },
    "kf_lp_target": {
        "vi": "Chỉ tiêu của kế hoạch tỉnh {src} là tăng năng suất lao động {goal}/năm; theo số liệu theo dõi do tỉnh "
              "báo cáo, bình quân {years} đạt {returns}%/năm, nên bảng theo dõi chỉ tiêu đánh giá là {status}. Hai "
              "con số khác nhau vì số liệu theo dõi là con số tỉnh báo cáo cho toàn nền kinh tế của tỉnh, còn dữ "
              "liệu bảng doanh nghiệp chỉ gồm các doanh nghiệp, theo giá so sánh.",
        "en": "The province's plan {src} targets labour-productivity growth of {goal} a year; its monitoring returns "
              "report {returns}% a year on average over {years}, so the scorecard has it as {status}. The two figures "
              "differ because the returns are the figure the province reports for its whole economy, while the "
              "enterprise panel covers enterprises only, at constant prices.",
    },
    "kf_sig": {
        "vi": "có ý nghĩa thống kê ở mức 5%",
        "en": "statistically different from zero at 5%",
    },
    "kf_not_sig": {
        "vi": "không có ý nghĩa thống kê ở mức 5%",
        "en": "not statistically different from zero at 5%",
    },
    "kf_no_effect": {"vi": "Chưa ước lượng được tác động: {reason}.", "en": "No effect could be estimated: {reason}."},
    "kf_kept": {"vi": " Tỉnh có {total} doanh nghiệp được hỗ trợ; mục tác động nêu lý do chỉ phân tích được số này.",
                "en": " The province has {total} supported firms; the effects section says why only these can be "
                      "analysed."},
    "kf_targets": {
        "vi": "Chỉ tiêu: {n} chỉ tiêu — {met} đạt, {on_track} đúng tiến độ, {behind} chưa đạt, {no_data} không có dữ liệu.",
        "en": "Targets: {n} in all — {met} met, {on_track} on track, {behind} behind, {no_data} without data.",
    },
    "kf_no_targets": {"vi": "Chưa có chỉ tiêu nào được nhập cho địa bàn này, nên báo cáo không đánh giá chỉ tiêu.",
                      "en": "No target has been entered for this area, so the report scores none."},
    "progress_axis": {"vi": "Thực hiện / mục tiêu (1 = đạt; cắt ở 2)", "en": "Observed / target (1 = reached; capped at 2)"},
    "landscape_heading": {"vi": "Bức tranh doanh nghiệp", "en": "Enterprise landscape"},
    "landscape_text": {
        "vi": "Doanh nghiệp năm {year} theo ngành (VSIC), quy mô lao động và loại hình sở hữu. Ô có ít hơn {k} "
              "doanh nghiệp hoặc bị một doanh nghiệp chi phối được ẩn.",
        "en": "Firms in {year} by sector (VSIC), employment size and ownership. Cells with fewer than {k} firms, or"
              " dominated by one firm, are suppressed.",
    },
    "suppression_marks": {
        "vi": "Ký hiệu: <{k} ít hơn {k} doanh nghiệp; ‡ một doanh nghiệp chi phối; × ẩn để không suy ra được ô bị ẩn khác.",
        "en": "Marks: <{k} fewer than {k} firms; ‡ dominated by one firm; × hidden so that another hidden cell cannot be derived.",
    },
    "dim_sector": {"vi": "Ngành", "en": "Sector"},
    "dim_size": {"vi": "Quy mô (lao động)", "en": "Size (workers)"},
    "dim_ownership": {"vi": "Sở hữu", "en": "Ownership"},
    "own_state": {"vi": "Nhà nước", "en": "State"},
    "own_private": {"vi": "Ngoài nhà nước", "en": "Private"},
    "own_foreign": {"vi": "Có vốn đầu tư nước ngoài", "en": "Foreign-invested"},
    "col_dimension": {"vi": "Phân tổ", "en": "By"},
    "col_group": {"vi": "Nhóm", "en": "Group"},
    "col_emp_share": {"vi": "Tỷ trọng lao động", "en": "Share of employment"},
    "tfp_heading": {"vi": "Năng suất các nhân tố tổng hợp (TFP)", "en": "Total factor productivity (TFP)"},
    "tfp_caption": {
        "vi": "TFP đo phần sản lượng không do tăng vốn hay lao động mà nhờ công nghệ, quản lý và tổ chức sản xuất. "
              "Hình: TFP bình quân của doanh nghiệp (hàm sản xuất Cobb–Douglas ước lượng theo từng ngành), thay đổi "
              "so với năm đầu, tính bằng điểm log: {province} so với cả nước.",
        "en": "TFP measures the output that more capital or labour does not explain: better technology, management "
              "and organisation. Figure: average firm TFP (Cobb–Douglas production function estimated for each "
              "sector), change since the first year in log points: {province} against the whole country.",
    },
    "tfp_axis": {"vi": "Thay đổi so với {y0} (điểm log)", "en": "Change since {y0} (log points)"},
    "ga_heading": {"vi": "Hạch toán tăng trưởng", "en": "Growth accounting"},
    "ga_unavailable": {"vi": "Không tính được: {reason}", "en": "Not available: {reason}"},
    "ga_component": {"vi": "Thành phần", "en": "Component"},
    "ga_output": {"vi": "Tăng trưởng giá trị tăng thêm thực tế", "en": "Real value-added growth"},
    "ga_capital": {"vi": "Đóng góp của vốn", "en": "Capital contribution"},
    "ga_labour": {"vi": "Đóng góp của lao động", "en": "Labour contribution"},
    "ga_tfp": {"vi": "Đóng góp của TFP", "en": "TFP contribution"},
    "ga_tfp_share": {"vi": "Tỷ trọng đóng góp của TFP", "en": "TFP's share of growth"},
    "ga_text": {
        "vi": "Tăng trưởng {start}–{end} của mọi doanh nghiệp trong dữ liệu bảng doanh nghiệp ({n0} doanh nghiệp "
              "năm {start}, {n1} năm {end}); "
              "hệ số co giãn ước lượng: vốn {bk}, lao động {bl}.",
        "en": "Growth in {start}–{end} of all the enterprises in the enterprise panel ({n0} firms in {start}, {n1} "
              "in {end}); "
              "estimated elasticities: capital {bk}, labour {bl}.",
    },
    "ga_target": {
        "vi": "Chỉ tiêu của kế hoạch {src}: TFP đóng góp {goal} tăng trưởng kinh tế của tỉnh. Số liệu theo dõi do "
              "tỉnh báo cáo: {returns} (bình quân {years}; bảng theo dõi chỉ tiêu: {status}); mọi doanh nghiệp trong "
              "dữ liệu bảng doanh nghiệp: {share}. Hai con số đo khác nhau: số liệu theo dõi là con số tỉnh báo cáo "
              "cho toàn nền kinh tế của tỉnh, bảng trên chỉ tính các doanh nghiệp trong dữ liệu bảng doanh nghiệp, "
              "với hệ số co giãn ước lượng trên số liệu "
              "cả nước.",
        "en": "The plan's target {src}: TFP contributes {goal} of the province's economic growth. The province's "
              "monitoring returns: {returns} (average of {years}; scorecard: {status}); all the enterprises in "
              "the enterprise panel: {share}. The two measure different things: the returns are the figure the "
              "province reports for its whole economy, the table above covers only the enterprises in the enterprise "
              "panel, with elasticities "
              "estimated on the national data.",
    },
    "ga_intro": {
        "vi": "Hạch toán tăng trưởng chia mức tăng giá trị tăng thêm thành phần do tăng vốn, phần do tăng lao động "
              "và phần còn lại do TFP.",
        "en": "Growth accounting splits the growth of value added into the part due to more capital, the part due "
              "to more labour and the rest, due to TFP.",
    },
    "ga_growth": {
        "vi": "Giá trị tăng thêm thực tế tăng {pct}% trong giai đoạn {start}–{end} ({lp} điểm log). Các thành phần "
              "tính bằng điểm log (100 × chênh lệch logarit; cộng lại bằng tổng; 1 điểm log xấp xỉ 1%).",
        "en": "Real value added grew {pct}% over {start}–{end} ({lp} log points). Components are in log points (100 × "
              "the change in logs; they add up to the total; one log point is about 1%).",
    },
    "col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "unit_log_points": {"vi": "điểm log", "en": "log points"},
    "unit_share_of_growth": {"vi": "tỷ trọng trong tăng trưởng", "en": "share of growth"},
    "ga_negative": {
        "vi": "Giá trị tăng thêm giảm trong giai đoạn, nên tỷ trọng đóng góp không có ý nghĩa thông thường.",
        "en": "Value added fell over the period, so shares of growth lose their usual meaning.",
    },
    "support_heading": {"vi": "Doanh nghiệp được hỗ trợ", "en": "Who was supported"},
    "support_none": {"vi": "Không có doanh nghiệp nào được hỗ trợ trong dữ liệu.", "en": "No supported firm in the data."},
    "support_text": {
        "vi": "{n} doanh nghiệp được hỗ trợ, theo loại hỗ trợ và theo năm bắt đầu được hỗ trợ. Để không công bố nhóm "
              "nào dưới {k} doanh nghiệp, các loại hỗ trợ có ít doanh nghiệp được gộp lại và các năm liền kề được gộp "
              "thành giai đoạn; không ô nào bị ẩn.",
        "en": "{n} supported firms, by type of support and by the year support began. So that no group of fewer "
              "than {k} firms is published, types with few firms are pooled and neighbouring years grouped; no cell "
              "is hidden.",
    },
    "support_pooled": {"vi": "Gộp: {names}", "en": "Pooled: {names}"},
    "col_start_year": {"vi": "Năm bắt đầu được hỗ trợ", "en": "Year support began"},
    "col_support_type": {"vi": "Loại hỗ trợ", "en": "Type of support"},
    "col_total": {"vi": "Tổng", "en": "Total"},
    "balance_heading": {"vi": "So sánh trước khi hỗ trợ", "en": "Before support: supported versus other firms"},
    "balance_text": {
        "vi": "Trước khi được hỗ trợ, doanh nghiệp được hỗ trợ có khác các doanh nghiệp khác không? Giá trị bình quân "
              "năm trước khi bắt đầu hỗ trợ (doanh nghiệp khác: năm 2020). Báo cáo coi hai nhóm "
              "là khác nhau khi chênh lệch chuẩn hóa từ {threshold} trở lên (về giá trị tuyệt đối) và khác biệt đáng kể khi "
              "lớn hơn 0,25.",
        "en": "Before support, did supported firms differ from the others? Means in the year before support began "
              "(other firms: 2020). The report calls the two groups "
              "different from a normalised difference of {threshold} in absolute value, and markedly different above "
              "0.25.",
    },
    "col_variable": {"vi": "Biến", "en": "Variable"},
    "col_supported": {"vi": "Được hỗ trợ", "en": "Supported"},
    "col_others": {"vi": "Doanh nghiệp khác", "en": "Others"},
    "col_norm_diff": {"vi": "Chênh lệch chuẩn hóa", "en": "Normalised difference"},
    "bal_log_employment": {"vi": "Log lao động", "en": "Log employment"},
    "bal_log_va_per_worker": {"vi": "Log giá trị tăng thêm thực tế / lao động", "en": "Log real value added per worker"},
    "bal_log_capital_per_worker": {"vi": "Log vốn thực tế / lao động", "en": "Log real capital per worker"},
    "bal_foreign_share": {
        "vi": "Tỷ lệ doanh nghiệp có vốn đầu tư nước ngoài (FDI)",
        "en": "Foreign-invested share",
    },
    "effects_intro": {
        "vi": "Hỗ trợ có làm tăng năng suất của doanh nghiệp được hỗ trợ không? Báo cáo so sánh giá trị tăng thêm "
              "trên một lao động của các doanh nghiệp này trước và sau khi được hỗ trợ với {control}. Biến kết quả: "
              "log giá trị tăng thêm thực tế trên một lao động; {n} doanh nghiệp được hỗ trợ trong tổng số {N} doanh "
              "nghiệp{sample}.",
        "en": "Did support raise the productivity of the firms that got it? The report compares their value added "
              "per worker before and after support with that of {control}. Outcome: log real value added per "
              "worker; {n} supported firms among {N}{sample}.",
    },
    "col_estimator": {"vi": "Phương pháp", "en": "Estimator"},
    "col_pct": {"vi": "Thay đổi (%)", "en": "Change (%)"},
    "col_p_holm": {"vi": "p (Holm)", "en": "p (Holm)"},
    "est_twfe": {
        "vi": "Hồi quy hiệu ứng cố định hai chiều (TWFE)",
        "en": "Two-way fixed effects (TWFE)",
    },
    "est_cs": {
        "vi": "Phương pháp Callaway–Sant'Anna (so với doanh nghiệp chưa từng được hỗ trợ)",
        "en": "Callaway–Sant'Anna (never-supported comparison group)",
    },
    "est_cs_not_yet_treated": {
        "vi": "Phương pháp Callaway–Sant'Anna (so với doanh nghiệp chưa được hỗ trợ tại thời điểm so sánh)",
        "en": "Callaway–Sant'Anna (not-yet-supported comparison group)",
    },
    "est_cs_log_va_per_worker": {
        "vi": "Phương pháp Callaway–Sant'Anna, kết quả: log giá trị tăng thêm thực tế trên một lao động",
        "en": "Callaway–Sant'Anna, outcome: log real value added per worker",
    },
    "est_bjs": {
        "vi": "Phương pháp điền khuyết Borusyak–Jaravel–Spiess",
        "en": "Borusyak–Jaravel–Spiess imputation",
    },
    "est_cs_log_tfp": {
        "vi": "Phương pháp Callaway–Sant'Anna, kết quả: log TFP của doanh nghiệp",
        "en": "Callaway–Sant'Anna, outcome: firm log TFP",
    },
    "effects_intro_log_tfp": {
        "vi": "Hỗ trợ có làm tăng năng suất của doanh nghiệp được hỗ trợ không? Báo cáo so sánh năng suất các nhân "
              "tố tổng hợp (TFP) của các doanh nghiệp này trước và sau khi được hỗ trợ với {control}. Biến kết quả: "
              "log TFP của doanh nghiệp; {n} doanh nghiệp được hỗ trợ trong tổng số {N} doanh nghiệp{sample}.",
        "en": "Did support raise the productivity of the firms that got it? The report compares their total factor "
              "productivity (TFP) before and after support with that of {control}. Outcome: firm log TFP; {n} "
              "supported firms among {N}{sample}.",
    },
    "effects_sample": {"vi": " ({sample})", "en": " ({sample})"},
    "effects_rows_twfe_first": {
        "vi": "Dòng đầu là hồi quy hiệu ứng cố định hai chiều (TWFE) thường dùng; các dòng sau ({names}) là các "
              "phương pháp vẫn cho kết quả đúng khi doanh nghiệp bắt đầu được hỗ trợ vào những năm khác nhau.",
        "en": "The first row is the common two-way fixed effects (TWFE) regression; the rows after it ({names}) stay "
              "valid when firms start being supported in different years.",
    },
    "effects_rows_twfe_only": {
        "vi": "Bảng chỉ gồm hồi quy hiệu ứng cố định hai chiều (TWFE) thường dùng (lựa chọn phân tích của báo cáo "
              "này); hồi quy này có thể sai lệch khi doanh nghiệp bắt đầu được hỗ trợ vào những năm khác nhau và tác "
              "động thay đổi theo thời gian.",
        "en": "The table shows only the common two-way fixed effects (TWFE) regression (this report's analysis "
              "choice); it can be biased when firms start being supported in different years and effects change "
              "over time.",
    },
    "effects_rows_robust": {
        "vi": "Các phương pháp trong bảng ({names}) vẫn cho kết quả đúng khi doanh nghiệp bắt đầu được hỗ trợ vào "
              "những năm khác nhau.",
        "en": "The estimators in the table ({names}) stay valid when firms start being supported in different "
              "years.",
    },
    "effects_rows_robust_one": {
        "vi": "Phương pháp trong bảng ({names}) vẫn cho kết quả đúng khi doanh nghiệp bắt đầu được hỗ trợ vào "
              "những năm khác nhau.",
        "en": "The estimator in the table ({names}) stays valid when firms start being supported in different "
              "years.",
    },
    "effects_rows_secondary": {
        "vi": "Dòng cuối là phương pháp Callaway–Sant'Anna với biến kết quả còn lại: {what}.",
        "en": "The last row is Callaway–Sant'Anna on the other outcome: {what}.",
    },
    "effects_control_never_treated": {"vi": "các doanh nghiệp chưa từng được hỗ trợ",
                                      "en": "firms never supported"},
    "effects_control_not_yet_treated": {"vi": "các doanh nghiệp chưa được hỗ trợ vào thời điểm đó",
                                        "en": "firms not yet supported at the time"},
    "effects_control_any": {"vi": "các doanh nghiệp chưa được hỗ trợ (chưa từng, hoặc chưa tới lúc được hỗ trợ)",
                            "en": "firms not supported (never, or not yet at the time)"},
    "stars_note_vsic_section": {
        "vi": "* p<0,1; ** p<0,05; *** p<0,01. Sai số chuẩn theo cụm ngành VSIC.",
        "en": "* p<0.1; ** p<0.05; *** p<0.01. Standard errors clustered by VSIC section.",
    },
    "stars_note": {
        "vi": "* p<0,1; ** p<0,05; *** p<0,01. Sai số chuẩn theo cụm doanh nghiệp.",
        "en": "* p<0.1; ** p<0.05; *** p<0.01. Standard errors clustered by firm.",
    },
    "reason_estimator_error": {"vi": "bộ ước lượng báo lỗi (chi tiết kỹ thuật bằng tiếng Anh: “{detail}”)",
                               "en": "{detail}"},
    "estimator_missing": {"vi": "{name}: không ước lượng được ({reason}).", "en": "{name}: not estimated ({reason})."},
    "diff_large": {
        "vi": "Hồi quy TWFE ({twfe}) và phương pháp Callaway–Sant'Anna ({cs}) chênh nhau hơn một sai số chuẩn. Hồi "
              "quy TWFE còn so sánh doanh nghiệp được hỗ trợ sớm với doanh nghiệp được hỗ trợ muộn; khi tác động tăng "
              "dần theo thời gian, các so sánh này làm sai lệch kết quả (chi tiết ở phụ lục phương pháp). Nên dựa "
              "vào các phương pháp ở các dòng sau.",
        "en": "TWFE ({twfe}) and Callaway–Sant'Anna ({cs}) differ by more than one standard error. TWFE also "
              "compares early-supported with later-supported firms; when effects grow over time those "
              "comparisons bias it (details in the method appendix). Rely on the estimates in the rows below it.",
    },
    "diff_small": {
        "vi": "Hồi quy TWFE ({twfe}) và phương pháp Callaway–Sant'Anna ({cs}) chênh nhau chưa tới một sai số "
              "chuẩn{end}",
        "en": "TWFE ({twfe}) and Callaway–Sant'Anna ({cs}) differ by less than one standard error{end}",
    },
    "diff_same_conclusion": {
        "vi": ": ở mức 5%, hai cách ước lượng cho cùng một kết luận.",
        "en": ": at 5%, the two lead to the same conclusion.",
    },
    "pretest_trend": {
        "vi": "Kiểm định xu hướng trước hỗ trợ (trước khi được hỗ trợ, doanh nghiệp được hỗ trợ và doanh nghiệp "
              "khác có diễn biến như nhau không?): trước khi được hỗ trợ, tốc độ tăng hằng năm của hai nhóm chênh "
              "nhau {est} (khoảng tin cậy 95%: {lo} đến {hi}), p = {p}; {verdict}",
        "en": "Pre-trend test (before support began, did supported and other firms move alike?): before support, "
              "their yearly growth differed by {est} (95% confidence interval {lo} to {hi}), p = {p}; {verdict}",
    },
    "pretest_no_diff": {"vi": "không phát hiện khác biệt.", "en": "no difference detected."},
    "pretest_diff": {
        "vi": "có khác biệt: một phần tác động ước lượng ở trên có thể do khác biệt này; phân tích độ nhạy dưới đây "
              "cho biết kết luận đứng vững đến mức nào.",
        "en": "they differed: part of the estimated effect may reflect that difference; the sensitivity analysis "
              "below shows how far the conclusion holds.",
    },
    "pretest_power": {
        "vi": "Kiểm định này phát hiện được chênh lệch tăng trưởng {trend}/năm với xác suất {power}; chênh lệch từ "
              "{detect}/năm trở lên được phát hiện với xác suất 80%.",
        "en": "This test detects a gap in yearly growth of {trend} with probability {power}; a gap of {detect} a year "
              "or more is detected with probability 80%.",
    },
    "kf_mde": {
        "vi": "Với số doanh nghiệp được hỗ trợ và số năm quan sát hiện có, tác động nhỏ nhất có thể phát hiện (xác "
              "suất 80%, kiểm định mức 5%) là {mde}.",
        "en": "With the supported firms and years available, the smallest effect the analysis can detect (80% "
              "probability, 5% test) is {mde}.",
    },
    "kf_mde_missed": {
        "vi": "Ước lượng không có ý nghĩa thống kê: một tác động nhỏ hơn {mde} có thể đã không được phát hiện.",
        "en": "The estimate is not statistically significant: an effect smaller than {mde} could have gone undetected.",
    },
    "sens_text": {
        "vi": "Kết luận có đứng vững không nếu, ngay cả khi không được hỗ trợ, doanh nghiệp được hỗ trợ vẫn tăng "
              "trưởng khác các doanh nghiệp khác? Độ nhạy với vi phạm giả định xu hướng song song (hình dưới; Rambachan và Roth, 2023): tác động bình "
              "quân trong năm năm đầu kể từ khi được hỗ trợ có khoảng tin cậy 95% từ {lo} đến {hi} nếu xu hướng song "
              "song đúng; các khoảng bên phải vẫn đúng khi, sau hỗ trợ, xu hướng của hai nhóm chênh nhau tới M̄ lần "
              "mức chênh lệch lớn nhất trước hỗ trợ.",
        "en": "Would the conclusion hold if supported firms would have grown differently from the others even "
              "without support? Sensitivity to violations of parallel trends (figure below; Rambachan and Roth, 2023): the average "
              "effect over the first five years of support has a 95% confidence interval of {lo} to {hi} if trends "
              "are parallel; the intervals to the right stay valid when trends after support diverge up to M̄ times "
              "the largest divergence before support.",
    },
    "sens_breakdown": {
        "vi": "Tác động bình quân này vẫn khác 0 trừ khi, sau hỗ trợ, xu hướng của hai nhóm doanh nghiệp chênh nhau "
              "hơn {m} lần mức chênh lệch lớn nhất trước hỗ trợ.",
        "en": "This average effect stays different from zero unless trends after support diverge more than {m} "
              "times the largest divergence before support.",
    },
    "sens_breakdown_over": {
        "vi": "Tác động bình quân này vẫn khác 0 ngay cả khi, sau hỗ trợ, xu hướng của hai nhóm doanh nghiệp chênh "
              "nhau gấp {m} lần mức chênh lệch lớn nhất trước hỗ trợ.",
        "en": "This average effect stays different from zero even if trends after support diverge {m} times the "
              "largest divergence before support.",
    },
    "sens_alt": {"vi": "Độ nhạy của tác động với vi phạm giả định xu hướng song song",
                 "en": "Sensitivity of the effect to violations of parallel trends"},
    "sens_caption": {
        "vi": "Độ nhạy của tác động bình quân tới {what}, tính bằng phần trăm thay đổi, với vi phạm giả định xu hướng "
              "song song: "
              "khoảng tin cậy thông thường ở bên trái, bên phải là các khoảng vẫn đúng khi xu hướng chênh nhau tới M̄ "
              "lần mức trước hỗ trợ.",
        "en": "Sensitivity of the average effect on {what}, as a percent change, to violations of parallel trends: the "
              "usual confidence interval at the left, to the right the intervals that stay valid when trends diverge "
              "up to M̄ times as much as before support.",
    },
    "sens_axis": {"vi": "Tác động bình quân tới {what} (thay đổi, %)", "en": "Average effect on {what} (change, %)"},
    "es_caption": {
        "vi": "Tác động của hỗ trợ tới {what} theo từng năm trước và sau khi bắt đầu được hỗ trợ, tính bằng phần trăm "
              "thay đổi; thanh dọc là khoảng tin cậy.",
        "en": "Effect of support on {what}, year by year before and after support began, as a percent change; the "
              "vertical bars are confidence intervals.",
    },
    "es_axis": {"vi": "Tác động tới {what} (thay đổi, %)", "en": "Effect on {what} (change, %)"},
    "es_what_log_va_per_worker": {"vi": "năng suất lao động", "en": "labour productivity"},
    "es_what_log_tfp": {"vi": "TFP", "en": "TFP"},
    "sens_no_conclusion": {
        "vi": "Vì khoảng tin cậy này đã chứa giá trị 0, không có kết luận nào cần kiểm tra độ vững.",
        "en": "As that interval already includes zero, there is no conclusion whose robustness to test.",
    },
    "kf_breakdown": {
        "vi": "Kết luận vẫn đứng vững trừ khi, sau hỗ trợ, xu hướng của hai nhóm doanh nghiệp chênh nhau hơn {m} lần "
              "mức chênh lệch lớn nhất trước hỗ trợ.",
        "en": "The conclusion holds unless trends after support diverge more than {m} times the largest divergence "
              "before support.",
    },
    "kf_breakdown_over": {
        "vi": "Kết luận vẫn đứng vững ngay cả khi, sau hỗ trợ, xu hướng của hai nhóm doanh nghiệp chênh nhau gấp {m} "
              "lần mức chênh lệch lớn nhất trước hỗ trợ.",
        "en": "The conclusion holds even if trends after support diverge {m} times the largest divergence before "
              "support.",
    },
    "by_type_heading": {"vi": "Tác động theo loại hỗ trợ", "en": "Effects by type of support"},
    "by_type_unavailable": {"vi": "Không ước lượng theo loại hỗ trợ: {reason}.", "en": "No effects by type: {reason}."},
    "by_type_text": {
        "vi": "Loại hỗ trợ nào làm tăng năng suất nhiều hơn? Bảng dưới cho tác động của từng loại hỗ trợ (phương "
              "pháp Callaway–Sant'Anna, so với {control}); giá trị p được điều chỉnh theo phương pháp Holm vì kiểm "
              "định nhiều nhóm cùng lúc.",
        "en": "Did some types of support raise productivity more than others? The table gives the effect of each "
              "type (Callaway–Sant'Anna, compared with {control}); Holm-adjusted p-values correct for testing many "
              "subgroups.",
    },
    "by_type_equality": {"vi": "Kiểm định các tác động bằng nhau: p = {p}; {verdict}",
                         "en": "Test that all types have the same effect: p = {p}; {verdict}"},
    "by_type_differ": {"vi": "tác động khác nhau giữa các loại hỗ trợ (mức 5%).",
                       "en": "the effects differ between types (at 5%)."},
    "by_type_no_diff": {"vi": "không phát hiện khác biệt giữa các loại hỗ trợ (mức 5%).",
                        "en": "no difference between types detected (at 5%)."},
    "limitations_heading": {"vi": "Độ tin cậy và hạn chế", "en": "Robustness and limitations"},
    "lim_selection_intro": {"vi": "Doanh nghiệp được chọn hỗ trợ không ngẫu nhiên",
                            "en": "Supported firms were not chosen at random"},
    "lim_selection_before": {
        "vi": "trước khi được hỗ trợ, so với doanh nghiệp khác, các doanh nghiệp này {what} (bảng so sánh trước khi "
              "hỗ trợ{scope}).",
        "en": "before support, compared with other firms, they were {what} (balance table{scope}).",
    },
    "lim_selection_all_firms": {"vi": ", tính trên mọi doanh nghiệp của tỉnh, không chỉ mẫu được phân tích",
                                "en": ", over all the province's firms, not only the sample analysed"},
    "lim_selection_rest": {
        "vi": "So sánh dựa trên hiệu ứng cố định doanh nghiệp và giả định xu hướng song song, không loại trừ được "
              "việc chọn doanh nghiệp theo biến động tạm thời.",
        "en": "The comparison rests on firm fixed effects and parallel trends and cannot rule out selection on "
              "temporary shocks.",
    },
    "and": {"vi": " và ", "en": " and "},
    "sel_size_more": {"vi": "có quy mô lớn hơn (chênh lệch chuẩn hóa về lao động {nd})",
                      "en": "larger (normalised difference in employment {nd})"},
    "sel_size_less": {"vi": "có quy mô nhỏ hơn (chênh lệch chuẩn hóa về lao động {nd})",
                      "en": "smaller (normalised difference in employment {nd})"},
    "sel_size_similar": {"vi": "có quy mô tương đương (chênh lệch chuẩn hóa về lao động {nd})",
                         "en": "of similar size (normalised difference in employment {nd})"},
    "sel_productivity_more": {"vi": "có năng suất cao hơn (chênh lệch chuẩn hóa về năng suất {nd})",
                              "en": "more productive (normalised difference in productivity {nd})"},
    "sel_productivity_less": {"vi": "có năng suất thấp hơn (chênh lệch chuẩn hóa về năng suất {nd})",
                              "en": "less productive (normalised difference in productivity {nd})"},
    "sel_productivity_similar": {"vi": "có năng suất tương đương (chênh lệch chuẩn hóa về năng suất {nd})",
                                 "en": "about as productive (normalised difference in productivity {nd})"},
    "lim_synthetic": {
        "vi": "Đây là dữ liệu minh họa tổng hợp: kết quả không phản ánh doanh nghiệp thật.",
        "en": "The data are synthetic: the results say nothing about real enterprises.",
    },
    "lim_pretrend": {"vi": "Xu hướng trước hỗ trợ khác nhau (p = {p}): giả định xu hướng song song đáng ngờ.",
                     "en": "Pre-support trends differ (p = {p}): the parallel-trends assumption is in doubt."},
    "lim_few_supported": {"vi": "Chỉ có {n} doanh nghiệp được hỗ trợ: ước lượng kém chính xác.",
                          "en": "Only {n} supported firms: estimates are imprecise."},
    "lim_wide": {"vi": "Khoảng tin cậy rộng ({lo} đến {hi}): dữ liệu không phân biệt được tác động nhỏ và lớn.",
                 "en": "The confidence interval is wide ({lo} to {hi}): the data cannot tell small from large effects."},
    "lim_disagree": {
        "vi": "Hồi quy TWFE và các phương pháp còn lại không thống nhất: kết luận dựa trên các phương pháp còn lại.",
        "en": "TWFE and the robust estimators disagree: conclusions rest on the robust estimators.",
    },
    "lim_no_data": {"vi": "{n} chỉ tiêu không có dữ liệu theo dõi.", "en": "{n} target(s) have no monitoring data."},
    "lim_missing_estimate": {"vi": "Thiếu một ước lượng: {reason}.", "en": "An estimate is missing: {reason}."},
    "methods_heading": {"vi": "Phụ lục phương pháp", "en": "Method appendix"},
    "m_outcome": {
        "vi": "Biến kết quả: log giá trị tăng thêm thực tế (đã loại trừ yếu tố giá) trên một lao động. Tác động b "
              "(chênh lệch logarit) được đổi ra phần trăm theo công thức 100 × (exp(b) − 1).",
        "en": "Outcome: log of real (deflated) value added per worker. An effect b (difference in logs) is shown as "
              "the percent change 100 × (exp(b) − 1).",
    },
    "m_outcome_log_tfp": {
        "vi": "Biến kết quả: log năng suất các nhân tố tổng hợp (TFP) của doanh nghiệp. Tác động b (chênh lệch "
              "logarit) được đổi ra phần trăm theo công thức 100 × (exp(b) − 1).",
        "en": "Outcome: firm log total factor productivity (TFP). An effect b (difference in logs) is shown as the "
              "percent change 100 × (exp(b) − 1).",
    },
    "m_choices": {"vi": "Lựa chọn phân tích: {choices}.", "en": "Analysis choices: {choices}."},
    "m_choices_text": {
        "vi": "biến kiểm soát: {covariates}; mẫu: {sample}; phương pháp hiển thị: {estimators}; số năm phản ứng "
              "trước hỗ trợ: {anticipation}; năm gốc: {base_period}",
        "en": "covariates: {covariates}; sample: {sample}; estimators shown: {estimators}; anticipation: "
              "{anticipation} year(s); base period: {base_period}",
    },
    "m_none": {"vi": "không có", "en": "none"},
    "m_all_firms": {"vi": "mọi doanh nghiệp", "en": "all firms"},
    "m_sample_vsic_section": {"vi": "ngành VSIC", "en": "VSIC section"},
    "m_sample_size_class": {"vi": "quy mô", "en": "size class"},
    "m_sample_ownership": {"vi": "loại hình sở hữu", "en": "ownership"},
    "m_base_varying": {"vi": "năm liền trước (thay đổi)", "en": "varying (the year before)"},
    "m_base_universal": {"vi": "cố định (năm trước khi được hỗ trợ)", "en": "universal (the year before support)"},
    "control_never_treated": {"vi": "doanh nghiệp chưa từng được hỗ trợ", "en": "never-supported firms"},
    "control_not_yet_treated": {"vi": "doanh nghiệp chưa được hỗ trợ tại thời điểm so sánh",
                                "en": "firms not yet supported at the time"},
    "m_twfe": {
        "vi": "Hồi quy hiệu ứng cố định hai chiều (TWFE): linearmodels PanelOLS, hiệu ứng doanh nghiệp và năm, "
              "{controls}, sai số chuẩn theo cụm {cluster}, hiệu chỉnh mẫu nhỏ như fixest/reghdfe.",
        "en": "TWFE: linearmodels PanelOLS with firm and year effects, {controls}, standard errors clustered by "
              "{cluster}, fixest/reghdfe small-sample convention.",
    },
    "m_twfe_no_controls": {"vi": "không có biến kiểm soát", "en": "no control variables"},
    "m_twfe_controls": {"vi": "biến kiểm soát thay đổi theo thời gian: {names}",
                        "en": "time-varying controls: {names}"},
    "cluster_firm_id": {"vi": "doanh nghiệp", "en": "firm"},
    "cov_log_employment": {"vi": "log lao động", "en": "log employment"},
    "cov_log_capital_per_worker": {"vi": "log vốn trên một lao động", "en": "log capital per worker"},
    "cov_ownership": {"vi": "loại hình sở hữu", "en": "ownership"},
    "cov_vsic_section": {"vi": "ngành VSIC", "en": "VSIC section"},
    "size_micro": {"vi": "siêu nhỏ", "en": "micro"},
    "size_small": {"vi": "nhỏ", "en": "small"},
    "size_medium": {"vi": "vừa", "en": "medium"},
    "size_large": {"vi": "lớn", "en": "large"},
    "sens_cs_not_shown": {
        "vi": "Phân tích này dùng ước lượng Callaway–Sant'Anna, không có trong bảng tác động theo lựa chọn phân tích "
              "của báo cáo.",
        "en": "This analysis uses the Callaway–Sant'Anna estimates, which this report's analysis choices leave out "
              "of the effects table.",
    },
    "cluster_vsic_section": {"vi": "ngành VSIC", "en": "VSIC section"},
    "m_cs_covariates": {"vi": " có điều kiện theo {names} (giá trị năm gốc)",
                        "en": " conditional on {names} (values in the base period)"},
    "m_bjs_no_covariates": {
        "vi": " Phương pháp này không dùng biến kiểm soát ({names}): phiên bản có biến kiểm soát chưa được xây "
              "dựng.",
        "en": " This estimator does not use the covariates ({names}): its covariate version is not implemented.",
    },
    "m_cs_not_shown": {
        "vi": " Ước lượng này không có trong bảng tác động (lựa chọn phân tích của báo cáo); nó chỉ dùng cho kiểm "
              "định xu hướng trước hỗ trợ và phân tích độ nhạy.",
        "en": " This estimate is not in the effects table (this report's analysis choice); it serves only the "
              "pre-trend test and the sensitivity analysis.",
    },
    "m_inference_vsic_section": {
        "vi": "Suy luận ({names}): sai số chuẩn theo cụm ngành VSIC; mỗi ngành gồm doanh nghiệp của nhiều nhóm "
              "năm bắt đầu hỗ trợ, nên phương sai là phương sai theo cụm có hệ số G/(G − 1) và khoảng tin cậy 95% "
              "dùng phân phối Student với G − 1 bậc tự do (G: số ngành). Kiểm định xu hướng trước hỗ trợ là kiểm "
              "định t cho chênh lệch tốc độ tăng hằng năm trước hỗ trợ, kèm xác suất phát hiện chênh lệch 1%/năm. "
              "Tác động nhỏ nhất có thể phát hiện (xác suất 80%, mức 5%) được tính từ thiết kế trước khi xem kết "
              "quả ước lượng.",
        "en": "Inference ({names}): standard errors clustered by VSIC section; each section holds firms of several "
              "support cohorts, so the variance is the clustered one with a G/(G − 1) factor and the 95% intervals "
              "use Student t with G − 1 degrees of freedom (G: the number of sections). The pre-trend test is a t "
              "test of the difference in yearly growth before support, with its probability of detecting a gap of "
              "1% a year. The smallest detectable effect (80% probability, 5% level) is computed from the design "
              "before looking at the estimate.",
    },
    "m_cs": {
        "vi": "Callaway–Sant'Anna (2021): tác động theo nhóm cùng năm bắt đầu hỗ trợ và theo năm, ATT(g,t), ước "
              "lượng bằng hồi quy biến kết quả{covs}, nhóm so sánh: {control}, dữ liệu bảng không cân đối (so sánh từng "
              "cặp năm), bootstrap bằng nhân tử ngẫu nhiên {n_boot} lần lặp theo cụm {cluster} (số khởi tạo ngẫu "
              "nhiên {seed}), tổng hợp chung và theo số năm kể từ khi được hỗ trợ.{shown}",
        "en": "Callaway–Sant'Anna (2021): outcome-regression group-time effects ATT(g,t){covs}, "
              "compared with {control}, unbalanced panel (pairwise), multiplier bootstrap with {n_boot} draws "
              "clustered by {cluster} (seed {seed}), simple and event-time aggregations.{shown}",
    },
    "m_bjs": {
        "vi": "Borusyak–Jaravel–Spiess (2024): phương pháp điền khuyết — kết quả của doanh nghiệp được hỗ trợ nếu "
              "không được hỗ trợ được ước lượng từ các quan sát chưa được hỗ trợ.",
        "en": "Borusyak–Jaravel–Spiess (2024): imputation from not-yet-supported observations.",
    },
    "m_inference": {
        "vi": "Suy luận khi có ít doanh nghiệp được hỗ trợ: khoảng tin cậy 95% của tác động chung ({names}) dùng phương sai phân tầng theo nhóm cùng năm bắt đầu hỗ trợ, có hiệu chỉnh "
              "mẫu nhỏ, và phân phối Student với số bậc tự do Welch–Satterthwaite. Kiểm định xu hướng trước hỗ trợ là "
              "kiểm định t cho chênh lệch tốc độ tăng hằng năm trước hỗ trợ, kèm xác suất phát hiện chênh lệch 1%/năm. "
              "Tác động nhỏ nhất có thể phát hiện (xác suất 80%, mức 5%) được tính từ thiết kế (số doanh nghiệp, nhóm, "
              "năm, độ dao động và tương quan theo thời gian của năng suất) trước khi xem kết quả ước lượng. Các "
              "phương pháp này đã được kiểm chứng bằng mô phỏng ở quy mô một tỉnh.",
        "en": "Inference with few supported firms: the 95% intervals of the overall effect ({names}) use a variance stratified by support cohort with a small-sample correction "
              "and Student t with Welch–Satterthwaite degrees of freedom. The pre-trend test is a t test of the "
              "difference in yearly growth before support, with its probability of detecting a gap of 1% a year. "
              "The smallest detectable effect (80% probability, 5% level) is computed from the design (firms, "
              "cohorts, years, the variability and persistence of productivity) before looking at the estimate. "
              "These methods were checked by simulation at the scale of a province.",
    },
    "m_weights": {
        "vi": "Chẩn đoán hồi quy TWFE (de Chaisemartin–D'Haultfœuille, 2020): ước lượng TWFE là bình quân gia quyền "
              "tác động tại các quan sát được hỗ trợ (doanh nghiệp – năm); {neg} trong {n} quan sát có trọng số âm. "
              "Trọng số âm xuất hiện khi doanh nghiệp được hỗ trợ sớm làm nhóm so sánh cho doanh nghiệp được hỗ trợ "
              "muộn; khi tác động thay đổi theo thời gian, chúng có thể kéo ước lượng TWFE ra xa tác động thật.",
        "en": "TWFE diagnostic (de Chaisemartin–D'Haultfœuille, 2020): the TWFE estimate is a weighted average of the "
              "effects at the supported firm-year observations; {neg} of the {n} carry a negative weight. Negative "
              "weights arise where early-supported firms serve as the comparison for later-supported ones; when "
              "effects change over time they can pull the TWFE estimate away from the true effects.",
    },
    "m_weights_missing": {
        "vi": "Chẩn đoán hồi quy TWFE (de Chaisemartin–D'Haultfœuille, 2020): không tính được ({reason}).",
        "en": "TWFE diagnostic (de Chaisemartin–D'Haultfœuille, 2020): not available ({reason}).",
    },
    "m_tfp": {
        "vi": "TFP: hàm sản xuất Cobb–Douglas theo giá trị tăng thêm, ước lượng theo phương pháp "
              "Ackerberg–Caves–Frazer (2015) cho từng ngành cấp 1 của VSIC, dùng chi phí trung gian làm biến đại "
              "diện, ước lượng một lần trên số liệu cả nước.",
        "en": "TFP: value-added Cobb–Douglas, Ackerberg–Caves–Frazer (2015) by VSIC section with intermediate "
              "inputs as the proxy, estimated once on the national panel.",
    },
    "m_targets": {"vi": "Chỉ tiêu: 'khoảng X' được coi là đạt từ X·(1 − {tol}%); 'từ A đến B' đạt từ A; chỉ tiêu cộng dồn "
                        "đã đạt trước khi hết kỳ được tính là đạt, chưa đạt thì so với phần chỉ tiêu tương ứng thời gian đã qua; "
                        "chỉ tiêu hằng năm chỉ đạt khi năm nào cũng đạt (báo cáo ghi số năm đạt); kế hoạch không nêu thời hạn "
                        "được đánh giá theo các năm có số liệu. Cách đánh giá từng chỉ tiêu ghi cạnh tình trạng.",
                  "en": "Targets: 'about X' counts as met from X·(1 − {tol}%); 'A to B' from A; a cumulative target "
                        "reached before its period ends is met, one not yet reached is compared with the share of the "
                        "target for the years elapsed; a per-year target is met only when every year meets it (the "
                        "number of years that did is shown); a plan without a stated period is judged over the years "
                        "observed. Each target's rule is printed beside its status."},
    "m_disclosure": {
        "vi": "Bảo mật thông tin thống kê: không công bố ô nào tính từ ít hơn {k} doanh nghiệp hoặc có một doanh "
              "nghiệp chiếm trên {share}% tổng; chỉ ước lượng tác động khi có ít nhất {min_sup} doanh nghiệp được "
              "hỗ trợ; không công bố mã doanh nghiệp.",
        "en": "Disclosure control: no cell from fewer than {k} firms or with one firm above {share}% of its total; "
              "effect estimates need at least {min_sup} supported firms; no firm identifier is published.",
    },
    "national_title": {"vi": "Tổng hợp toàn quốc: chương trình nâng cao năng suất và chất lượng",
                       "en": "National synthesis: the productivity and quality programme"},
    "national_subtitle": {"vi": "Quyết định 1322/QĐ-TTg và 36/QĐ-TTg · dữ liệu {y0}–{y1} · {n} doanh nghiệp",
                          "en": "Decisions 1322/QĐ-TTg and 36/QĐ-TTg · data {y0}–{y1} · {n} enterprises"},
    "forest_heading": {"vi": "Tác động theo tỉnh (63 tỉnh trước 1/7/2025)",
                       "en": "Effects by province (the 63 provinces before 1 July 2025)"},
    "forest_units_heading": {"vi": "Tác động theo 34 đơn vị hành chính cấp tỉnh (từ 1/7/2025)",
                             "en": "Effects by the 34 provincial units (since 1 July 2025)"},
    "forest_text": {
        "vi": "Mỗi dòng là tác động ước tính của hỗ trợ tới giá trị tăng thêm thực tế trên một lao động của các doanh "
              "nghiệp được hỗ trợ trong tỉnh, với khoảng tin cậy 95%, theo phương pháp Callaway–Sant'Anna như trong báo "
              "cáo của từng tỉnh. Tác động b (chênh lệch logarit) được đổi ra phần trăm theo công thức 100 × (exp(b) "
              "− 1), hai đầu khoảng tin cậy cũng đổi như vậy; cột TWFE là hồi quy "
              "hiệu ứng cố định hai chiều, để đối chiếu. Tỉnh có ít hơn {k} doanh nghiệp được hỗ trợ không được ước "
              "lượng và chỉ được liệt kê trong bảng.",
        "en": "Each row is the estimated effect of support on the real value added per worker of the province's "
              "supported firms, with its 95% confidence interval, from the Callaway–Sant'Anna estimator as in each "
              "province's report. An effect b (difference in logs) is shown as the percent change 100 × (exp(b) − 1), "
              "and so is each end of its interval; the TWFE column is the "
              "two-way fixed effects regression, for comparison. Provinces with fewer than {k} supported firms are "
              "not estimated and are only listed in the table.",
    },
    "forest_axis": {"vi": "Tác động ước lượng (thay đổi, %)", "en": "Estimated effect (change, %)"},
    "col_cs_pct": {"vi": "Callaway–Sant'Anna: thay đổi (%)", "en": "Callaway–Sant'Anna: change (%)"},
    "col_twfe_pct": {"vi": "TWFE: thay đổi (%)", "en": "TWFE: change (%)"},
    "col_area": {"vi": "Địa bàn", "en": "Area"},
    "col_targets": {"vi": "Số chỉ tiêu", "en": "Targets"},
    "attainment_heading": {"vi": "Mức độ đạt chỉ tiêu", "en": "Target attainment across provinces"},
    "attainment_note": {
        "vi": "{n} tỉnh có chỉ tiêu định lượng trong tệp tham số; các tỉnh khác chưa có chỉ tiêu nào được nhập. Tình "
              "trạng của từng chỉ tiêu được đánh giá theo số liệu theo dõi do tỉnh báo cáo, với cùng quy tắc như bảng "
              "theo dõi chỉ tiêu trong báo cáo của tỉnh.",
        "en": "{n} provinces have quantitative targets in their parameter files; the others have none entered yet. "
              "Each target is judged on the province's monitoring returns, by the same rules as the targets "
              "scorecard of its own report.",
    },
    "pooled_heading": {"vi": "Ước lượng gộp toàn quốc", "en": "Pooled national estimate"},
    "nat_kf_units": {
        "vi": "Tác động của hỗ trợ được ước lượng cho {n_est} trong {n} tỉnh{why}: khoảng tin cậy 95% nằm hoàn toàn "
              "trên 0 ở {above} tỉnh, hoàn toàn dưới 0 ở {below} tỉnh và chứa 0 ở {zero} tỉnh.",
        "en": "The effect of support was estimated for {n_est} of the {n} provinces{why}: the 95% confidence interval "
              "lies wholly above zero in {above}, wholly below zero in {below} and includes zero in {zero}.",
    },
    "nat_why_few": {"vi": " (các tỉnh còn lại có ít hơn {k} doanh nghiệp được hỗ trợ)",
                    "en": " (the others have fewer than {k} supported firms)"},
    "nat_why_table": {"vi": " (lý do các tỉnh còn lại không được ước lượng ghi trong bảng)",
                      "en": " (the table gives the reason for each of the others)"},
    "nat_kf_chance": {
        "vi": "Với {n_est} ước lượng, riêng yếu tố ngẫu nhiên cũng có thể làm chừng {chance} khoảng tin cậy không "
              "chứa 0.",
        "en": "With {n_est} estimates, about {chance} intervals would exclude zero by chance alone.",
    },
    "nat_kf_pooled": {
        "vi": "Tính chung cả nước, giá trị tăng thêm thực tế trên một lao động của doanh nghiệp được hỗ trợ ước tính "
              "{direction} {pct} so với khi không được hỗ trợ (khoảng tin cậy 95%: từ {lo} đến {hi}); {sig}.",
        "en": "Taking the whole country together, real value added per worker of supported firms is estimated {pct} "
              "{direction} than without support (95% confidence interval {lo} to {hi}); {sig}.",
    },
    "nat_kf_targets": {
        "vi": "Chỉ tiêu: {n_prov} tỉnh có chỉ tiêu định lượng được nhập, tổng cộng {n} chỉ tiêu — {met} đạt, "
              "{on_track} đúng tiến độ, {behind} chưa đạt, {no_data} không có dữ liệu.",
        "en": "Targets: {n_prov} provinces have quantitative targets entered, {n} in all — {met} met, {on_track} on "
              "track, {behind} behind, {no_data} without data.",
    },
    "interval_wild": {"vi": "bootstrap theo cụm tỉnh với trọng số ngẫu nhiên", "en": "wild cluster bootstrap by province"},
    "interval_analytic": {"vi": "sai số chuẩn theo cụm tỉnh", "en": "standard errors clustered by province"},
    "pooled_one": {
        "vi": "Khi gộp doanh nghiệp của cả nước vào một hồi quy hiệu ứng cố định hai chiều (TWFE; hiệu ứng doanh "
              "nghiệp và hiệu ứng năm), giá trị tăng thêm thực tế trên một lao động của doanh nghiệp được hỗ trợ ước "
              "tính {direction} {pct} so với khi không được hỗ trợ, khoảng tin cậy 95% từ {lo_pct} đến {hi_pct}. "
              "Theo chênh lệch logarit: ước lượng {est}, khoảng tin cậy [{lo}; {hi}], p {p}; khoảng tin cậy và giá "
              "trị p tính bằng {method}{extra}.",
        "en": "With the firms of the whole country in one two-way fixed effects (TWFE) regression (firm and year "
              "effects), real value added per worker of supported firms is estimated {pct} {direction} than without "
              "support, with a 95% confidence interval of {lo_pct} to {hi_pct}. As a difference in logs: estimate "
              "{est}, interval [{lo}; {hi}], p {p}; the interval and the p-value are from the {method}{extra}.",
    },
    "pooled_extra_wild": {
        "vi": " ({b} lần lặp, trọng số Webb; đáng tin cậy hơn công thức khi chỉ có {g} cụm); để tham khảo, sai số "
              "chuẩn theo công thức: {se}",
        "en": " ({b} draws, Webb weights; more reliable than the formula with only {g} clusters); for reference, the "
              "analytic clustered standard error is {se}",
    },
    "pooled_caveat": {
        "vi": "Hồi quy gộp này coi tác động là như nhau ở mọi tỉnh và mọi năm sau hỗ trợ; khi tác động thay đổi theo "
              "thời gian hay theo nhóm doanh nghiệp bắt đầu được hỗ trợ cùng năm, ước lượng có thể bị lệch. Các ước "
              "lượng theo tỉnh ở trên dùng phương pháp Callaway–Sant'Anna, không bị sai lệch này; nên đọc ước lượng "
              "gộp cùng với chúng.",
        "en": "This pooled regression treats the effect as the same in every province and every year after support; "
              "when the effect changes over time or between support cohorts, the estimate can be biased. The "
              "provinces' estimates above use the Callaway–Sant'Anna estimator, which does not have this bias; read "
              "the pooled estimate together with them.",
    },
    "forest_units_text": {
        "vi": "Cùng cách tính như trên, với doanh nghiệp được xếp theo 34 đơn vị hành chính cấp tỉnh sau khi sắp xếp "
              "theo Nghị quyết 202/2025/QH15.",
        "en": "The same estimates as above, with firms grouped by the 34 provincial units formed under Resolution "
              "202/2025/QH15.",
    },
    "pooled_text": {
        "vi": "Hồi quy hiệu ứng cố định hai chiều (TWFE) trên số liệu cả nước (hiệu ứng doanh nghiệp và năm): {est}"
              " (sai số chuẩn theo cụm {g} tỉnh: {se}; p = {p}).",
        "en": "National TWFE (firm and year effects): {est} (standard error clustered by {g} provinces: {se}; p = "
              "{p}).",
    },
    "wild_text": {
        "vi": "Bootstrap theo cụm với trọng số ngẫu nhiên (trọng số Webb, {b} lần lặp): p = {p}, khoảng tin cậy 95%"
              " [{lo}; {hi}].",
        "en": "Wild cluster bootstrap (Webb weights, {b} draws): p = {p}, 95% confidence interval [{lo}; {hi}].",
    },
    "wild_unavailable": {
        "vi": "Không chạy được bootstrap theo cụm với trọng số ngẫu nhiên: {reason}.",
        "en": "Wild cluster bootstrap not available: {reason}.",
    },
    "note_singleton": {
        "vi": "{n} doanh nghiệp được hỗ trợ bị loại: mỗi doanh nghiệp là duy nhất trong nhóm cùng năm bắt đầu hỗ "
              "trợ nên không tính được sai số chuẩn.",
        "en": "{n} supported firm(s) dropped: alone in their support cohort, so their effects have no usable "
              "standard error.",
    },
    "reason_few_supported": {"vi": "{n} doanh nghiệp được hỗ trợ; cần ít nhất {k} (chỉ tính doanh nghiệp đưa được "
                                   "vào phân tích)",
                             "en": "{n} supported firms; at least {k} are needed (counting only the firms the "
                                   "analysis can use)"},
    "reason_all_supported": {"vi": "mọi doanh nghiệp đều được hỗ trợ: không có nhóm so sánh",
                             "en": "every firm was supported: there is no comparison group"},
    "reason_few_types": {"vi": "ít hơn hai loại hỗ trợ có từ {k} doanh nghiệp trở lên",
                         "en": "fewer than two support types with at least {k} supported firms"},
    "prov_item": {"vi": "Mục", "en": "Item"},
    "prov_value": {"vi": "Giá trị", "en": "Value"},
    "provenance_heading": {"vi": "Nguồn gốc báo cáo", "en": "Provenance"},
    "prov_revision": {"vi": "phiên bản mã nguồn (git)", "en": "code revision (git)"},
    "prov_data": {"vi": "dữ liệu", "en": "data"},
    "prov_synthetic": {"vi": "dữ liệu minh họa tổng hợp", "en": "synthetic demonstration data"},
    "prov_data_hash": {"vi": "mã băm các tệp dữ liệu (sha256)", "en": "data files (sha256)"},
    "prov_params_hash": {"vi": "mã băm các tệp tham số (sha256)", "en": "parameter files (sha256)"},
    "prov_parameters": {"vi": "tham số của báo cáo", "en": "report parameters"},
    "prov_seed": {"vi": "số khởi tạo ngẫu nhiên", "en": "random seed"},
    "prov_packages": {"vi": "gói phần mềm", "en": "software packages"},
    "prov_run_at": {"vi": "thời điểm chạy (giờ UTC)", "en": "run at (UTC)"},
    "param_province": {"vi": "tỉnh", "en": "province"},
    "param_lang": {"vi": "ngôn ngữ", "en": "language"},
    "param_geography": {"vi": "địa giới", "en": "geography"},
    "param_analysis": {"vi": "lựa chọn phân tích", "en": "analysis choices"},
    "geo_pre2025": {"vi": "63 tỉnh trước 1/7/2025", "en": "63 provinces before 1 July 2025"},
    "geo_2025": {"vi": "34 đơn vị từ 1/7/2025", "en": "34 units since 1 July 2025"},
    "pdf_subtitle": {"vi": "Quyết định 1322/QĐ-TTg · 36/QĐ-TTg", "en": "Decisions 1322/QĐ-TTg · 36/QĐ-TTg"},
    "pdf_footer_synthetic": {"vi": "DỮ LIỆU MINH HỌA", "en": "SYNTHETIC DATA"},
    "col_target": {"vi": "Chỉ tiêu", "en": "Target"},
    "col_period": {"vi": "Giai đoạn", "en": "Period"},
    "col_goal": {"vi": "Mục tiêu", "en": "Goal"},
    "col_observed": {"vi": "Thực hiện", "en": "Observed"},
    "col_status": {"vi": "Tình trạng", "en": "Status"},
    "col_source": {"vi": "Trích nguyên văn kế hoạch", "en": "The plan's words"},
    "col_year": {"vi": "Năm", "en": "Year"},
    "col_firms": {"vi": "Số doanh nghiệp", "en": "Firms"},
    "col_estimate": {"vi": "Ước lượng (log)", "en": "Estimate (log)"},
    "effects_units": {
        "vi": "Ước lượng, sai số chuẩn và khoảng tin cậy tính bằng chênh lệch logarit; cột “Thay đổi (%)” là cùng "
              "tác động đó tính theo phần trăm (phụ lục phương pháp nêu công thức).",
        "en": "Estimates, standard errors and intervals are differences in logs; column “Change (%)” gives the same "
              "effect as a percent change (the method appendix gives the formula).",
    },
    "col_se": {"vi": "Sai số chuẩn", "en": "Std. error"},
    "col_ci": {"vi": "KTC 95%", "en": "95% CI"},
    "col_p": {"vi": "Giá trị p", "en": "p-value"},
    "status_met": {"vi": "Đạt", "en": "Met"},
    "status_on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "status_behind": {"vi": "Chưa đạt", "en": "Behind"},
    "status_no_data": {"vi": "Không có dữ liệu", "en": "No data"},
    "col_rule": {"vi": "Cách đánh giá", "en": "How it is judged"},
    "scorecard_intro": {
        "vi": "Mỗi chỉ tiêu trong kế hoạch của tỉnh được so với số liệu theo dõi do tỉnh báo cáo hằng năm (cột "
              "“Thực hiện”); cột “Cách đánh giá” ghi quy tắc xác định tình trạng.",
        "en": "Each target of the province's plan is compared with the monitoring returns the province reports every "
              "year (column “Observed”); column “How it is judged” gives the rule behind the status.",
    },
    "sources_heading": {"vi": "Nguồn:", "en": "Sources:"},
    "issued_on": {"vi": "ban hành ngày {date}", "en": "issued {date}"},
    "no_period": {"vi": "không nêu", "en": "not stated"},
    "cite_no_publisher": {"vi": "không rõ cơ quan đăng tải", "en": "publisher not given"},
    "cite_no_date": {"vi": "không ghi ngày", "en": "date not given"},
    "cite_based_on": {"vi": "theo {doc}", "en": "based on: {doc}"},
    "obs_years": {"vi": "{k}/{n} năm", "en": "{k} of {n} years"},
    "rule_period_total": {"vi": "tổng {y0}–{y1} so với chỉ tiêu", "en": "total {y0}–{y1} against the target"},
    "rule_reached_early": {"vi": "tổng {y0}–{y1} đã đạt chỉ tiêu trước khi hết kỳ ({end})",
                           "en": "total {y0}–{y1} already reaches the target before the period ends ({end})"},
    "rule_pro_rata": {"vi": "tổng {y0}–{y1} so với {share}% chỉ tiêu (phần thời gian đã qua của kỳ, hết kỳ năm {end})",
                      "en": "total {y0}–{y1} against {share}% of the target (the share of the period elapsed; "
                            "it ends in {end})"},
    "rule_ceiling_exceeded": {"vi": "tổng {y0}–{y1} đã vượt mức trần", "en": "total {y0}–{y1} already above the ceiling"},
    "rule_ceiling_so_far": {"vi": "tổng {y0}–{y1} chưa vượt mức trần (hết kỳ năm {end})",
                            "en": "total {y0}–{y1} within the ceiling so far (the period ends in {end})"},
    "rule_every_year": {"vi": "đạt trong {k}/{n} năm ({y0}–{y1}); chỉ tính là đạt khi năm nào cũng đạt",
                        "en": "met in {k} of {n} years ({y0}–{y1}); met only when every year meets it"},
    "rule_average": {"vi": "bình quân các năm {y0}–{y1}", "en": "yearly average {y0}–{y1}"},
    "rule_final_year": {"vi": "giá trị năm {y1}", "en": "value in {y1}"},
    "rule_growth": {"vi": "tốc độ tăng bình quân năm {y0}–{y1}", "en": "average yearly growth {y0}–{y1}"},
    "rule_growth_short": {"vi": "cần ít nhất hai năm có giá trị dương để tính tốc độ tăng",
                          "en": "growth needs at least two years of positive values"},
    "rule_not_started": {"vi": "số liệu chưa tới kỳ {y0}–{y1}", "en": "the data do not reach the period {y0}–{y1} yet"},
    "rule_no_monitoring": {"vi": "không có số liệu theo dõi của chỉ tiêu này trong kỳ",
                           "en": "no monitoring return for this indicator in the period"},
    "rule_no_period": {"vi": "kế hoạch không nêu thời hạn: đánh giá theo các năm có số liệu, {y0}–{y1}",
                       "en": "the plan states no period: judged over the years observed, {y0}–{y1}"},
    "rule_no_period_no_data": {"vi": "kế hoạch không nêu thời hạn", "en": "the plan states no period"},
    "rule_missing_years": {"vi": "không có số liệu năm {years}", "en": "no return for {years}"},
    "rule_above_range": {"vi": "vượt cận trên của khoảng", "en": "above the upper end of the range"},
    "cmp_at_least": {"vi": "≥ {v}", "en": "≥ {v}"},
    "cmp_more_than": {"vi": "> {v}", "en": "> {v}"},
    "cmp_at_most": {"vi": "≤ {v}", "en": "≤ {v}"},
    "cmp_between": {"vi": "{lo}–{hi}", "en": "{lo}–{hi}"},
    "cmp_about": {"vi": "khoảng {v}", "en": "about {v}"},
    "cmp_at_least_word": {"vi": "ít nhất {v}", "en": "at least {v}"},
    "cmp_more_than_word": {"vi": "trên {v}", "en": "more than {v}"},
    "cmp_at_most_word": {"vi": "không quá {v}", "en": "at most {v}"},
    "cmp_about_word": {"vi": "khoảng {v}", "en": "about {v}"},
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
    "lp_axis": {"vi": "Triệu đồng / lao động (giá 2015)", "en": "Million VND per worker (2015 prices)"},
}


@dataclass(frozen=True)
class Message:
    """A message kept by key and values, translated when displayed: results computed once serve every language."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values: object) -> Message:
        if key not in MESSAGES:
            raise KeyError(f"message {key!r} is not in evalutils.i18n.MESSAGES")
        return cls(key, tuple(sorted(values.items())))

    def text(self, lang: Lang) -> str:
        return t(self.key, lang, **dict(self.values))


def text(message: Message | str, lang: Lang) -> str:
    """``message`` in ``lang``; plain strings (estimator errors, always in English) are returned as they are."""
    return message.text(lang) if isinstance(message, Message) else str(message)


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

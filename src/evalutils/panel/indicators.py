"""The catalogue of monitoring indicators that plan targets speak of.

Each indicator has one unit of measurement. A target may be stated on the
indicator's own unit, or, for ``annual_growth`` targets on count indicators,
in percent per year. :func:`allowed_units` is the single rule used by the
parameter schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Aggregation = Literal["cumulative", "per_year", "annual_average", "final_year", "annual_growth"]


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    kind: Literal["count", "rate"]
    label_vi: str
    label_en: str
    lower: float | None = None   # bounds of a rate's values (a count is a whole number >= 0)
    upper: float | None = None

    @property
    def bounds_text(self) -> str:
        if self.lower is not None and self.upper is not None:
            return f"from {self.lower:g} to {self.upper:g}"
        return f"from {self.lower:g} up" if self.lower is not None else f"up to {self.upper:g}"


_CATALOGUE = [
    Indicator("enterprises_supported", "enterprises", "count",
              "Số doanh nghiệp được hỗ trợ nâng cao năng suất, chất lượng",
              "Enterprises supported to raise productivity and quality"),
    Indicator("enterprises_guided", "enterprises", "count",
              "Số doanh nghiệp được phổ biến, đào tạo, hướng dẫn áp dụng giải pháp",
              "Enterprises informed, trained or guided in applying solutions"),
    Indicator("enterprises_qms_certified", "enterprises", "count",
              "Số doanh nghiệp được hỗ trợ chứng nhận hệ thống quản lý tiên tiến",
              "Enterprises supported to certify advanced management systems"),
    Indicator("enterprises_model_sites", "enterprises", "count",
              "Số doanh nghiệp áp dụng đồng bộ giải pháp, làm mô hình điểm",
              "Enterprises applying a full set of solutions as pilot models"),
    Indicator("large_enterprises_with_plan", "enterprises", "count",
              "Số doanh nghiệp quy mô lớn xây dựng và thực hiện kế hoạch năng suất",
              "Large enterprises with their own productivity plan"),
    Indicator("sme_pilot_projects", "enterprises", "count",
              "Số doanh nghiệp nhỏ và vừa triển khai dự án điểm cải tiến năng suất",
              "SMEs running pilot productivity-improvement projects"),
    Indicator("quality_award_participants", "enterprises", "count",
              "Số doanh nghiệp tham gia Giải thưởng chất lượng quốc gia",
              "Enterprises entering the National Quality Award"),
    Indicator("quality_award_winners", "enterprises", "count",
              "Số doanh nghiệp đạt Giải thưởng chất lượng quốc gia",
              "Enterprises winning the National Quality Award"),
    Indicator("quality_award_gold", "enterprises", "count",
              "Số doanh nghiệp đạt Giải Vàng chất lượng quốc gia",
              "Enterprises winning the National Quality Gold Award"),
    Indicator("experts_trained", "persons", "count",
              "Số chuyên gia năng suất, chất lượng được đào tạo",
              "Productivity and quality experts trained"),
    Indicator("staff_expert_courses", "person_times", "count",
              "Số lượt cán bộ tham gia khóa đào tạo chuyên gia năng suất, chất lượng",
              "Staff attendances at productivity-expert courses"),
    Indicator("officials_trained", "persons", "count",
              "Số cán bộ, công chức, viên chức được đào tạo về năng suất, chất lượng",
              "Public officials trained in productivity and quality"),
    Indicator("people_trained", "person_times", "count",
              "Số lượt người được đào tạo, tập huấn về năng suất, chất lượng",
              "Person-times trained in productivity and quality"),
    Indicator("managers_trained", "person_times", "count",
              "Số lượt cán bộ lãnh đạo, quản lý doanh nghiệp được đào tạo chuyên sâu",
              "Person-times of enterprise managers given in-depth training"),
    Indicator("research_tasks", "tasks", "count",
              "Số nhiệm vụ nghiên cứu, ứng dụng khoa học và công nghệ về năng suất, chất lượng",
              "Research and technology-application tasks on productivity"),
    Indicator("conformity_bodies_strengthened", "organisations", "count",
              "Số tổ chức đánh giá sự phù hợp được tăng cường năng lực hoặc hình thành",
              "Conformity-assessment bodies strengthened or established"),
    Indicator("innovation_centres", "centres", "count",
              "Số trung tâm hỗ trợ khởi nghiệp đổi mới sáng tạo",
              "Innovation and start-up support centres"),
    Indicator("districts_with_plan", "districts", "count",
              "Số huyện, thị xã, thành phố có kế hoạch nâng cao năng suất",
              "Districts with a productivity plan"),
    Indicator("university_clubs", "institutions", "count",
              "Số trường có câu lạc bộ cải tiến năng suất cho sinh viên",
              "Universities or colleges with a student productivity club"),
    Indicator("ocop_trademark_share", "percent", "rate",
              "Tỷ lệ sản phẩm OCOP được đăng ký bảo hộ nhãn hiệu",
              "Share of OCOP products with a registered trademark", lower=0, upper=100),
    Indicator("labour_productivity_growth", "percent", "rate",
              "Tốc độ tăng năng suất lao động",
              "Labour-productivity growth", lower=-100),
    Indicator("tfp_contribution_share", "percent", "rate",
              "Tỷ trọng đóng góp của TFP vào tăng trưởng",
              "TFP's contribution to growth"),
]

INDICATORS: dict[str, Indicator] = {i.name: i for i in _CATALOGUE}


def allowed_units(indicator: str, aggregation: Aggregation) -> set[str]:
    """Units in which a target on ``indicator`` with ``aggregation`` may be stated."""
    ind = INDICATORS[indicator]
    if aggregation == "annual_growth":
        return {"percent"} if ind.kind == "count" else set()
    return {ind.unit}

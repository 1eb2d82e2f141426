"""REST API of the reports (thin: shared_apps.reports.dashboard does the work).

At the city address (city administrators): /api/v1/reports/{ii06a,indicators,compliance,dashboard,
dossiers}/?scope=thanh-pho|nhom:<group>|co-quan:<slug>&period=2025|2025-Q1|03/2025.
In an agency's workspace (its members): /<slug>/api/v1/reports/{ii06a,indicators,dashboard,dossiers}/,
the scope being the agency."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .dashboard import dashboard_get, period_get, report_dossiers, report_scope_get, report_table
from .indicators import indicators_766
from .scopes import update_compliance
from .selectors import COLUMNS

SCOPE = OpenApiParameter(
    "scope",
    str,
    description="thanh-pho (mặc định), nhom:xa-phuong | nhom:so-nganh | "
    "nhom:phuong | nhom:xa, co-quan:<slug> (chỉ ở địa chỉ thành phố)",
)
PERIOD = OpenApiParameter("period", str, description="2025 | 2025-Q1 | 03/2025 (mặc định: năm nay)")
BY = OpenApiParameter("by", str, enum=["agency", "procedure", "sector"])
SORT = OpenApiParameter("sort", str, description="một cột II.06a, '-' phía trước: giảm dần")


class FiguresSerializer(serializers.Serializer):
    received_total = serializers.IntegerField()
    received_online = serializers.IntegerField()
    received_offline = serializers.IntegerField()
    carried_over = serializers.IntegerField()
    received_transferred = serializers.IntegerField(
        help_text="Nhận từ cơ quan sáp nhập, điều chuyển trong kỳ"
    )
    settled = serializers.IntegerField()
    settled_early = serializers.IntegerField()
    settled_on_time = serializers.IntegerField()
    settled_late = serializers.IntegerField()
    closed_other = serializers.IntegerField()
    transferred_out = serializers.IntegerField(
        help_text="Chuyển sang cơ quan khác (sáp nhập, điều chuyển) trong kỳ"
    )
    in_progress = serializers.IntegerField()
    in_progress_within = serializers.IntegerField()
    in_progress_overdue = serializers.IntegerField()


class RowSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    label = serializers.CharField()
    slug = serializers.CharField(allow_blank=True)
    merged = serializers.BooleanField()
    figures = FiguresSerializer()


class TableSerializer(serializers.Serializer):
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    period = serializers.CharField()
    period_label = serializers.CharField()
    by = serializers.CharField()
    as_of = serializers.DateTimeField()
    totals = FiguresSerializer()
    rows = RowSerializer(many=True)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()
    max_points = serializers.FloatField()
    threshold = serializers.FloatField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    missing = serializers.CharField(allow_null=True)


class ProcessingSerializer(serializers.Serializer):
    procedure_id = serializers.IntegerField()
    procedure = serializers.CharField()
    settled = serializers.IntegerField()
    average_days = serializers.FloatField()


class IndicatorsSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = serializers.CharField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    indicators = IndicatorSerializer(many=True)
    average_processing = ProcessingSerializer(many=True, allow_null=True)


class ComplianceRowSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    overdue_open = serializers.IntegerField()
    complies = serializers.BooleanField()


class ComplianceSerializer(serializers.Serializer):
    communes = serializers.IntegerField()
    communes_complying = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    rows = ComplianceRowSerializer(many=True)


class TrendSerializer(serializers.Serializer):
    month = serializers.DateField()
    received = serializers.IntegerField()
    received_online = serializers.IntegerField()
    settled_in_time = serializers.IntegerField()
    settled_late = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    table = TableSerializer()
    trend = TrendSerializer(many=True)
    indicators = IndicatorsSerializer()
    compliance = ComplianceSerializer(allow_null=True)


class DossierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    agency_id = serializers.IntegerField()
    procedure_name = serializers.CharField()
    state = serializers.CharField()
    channel = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    timeliness = serializers.CharField(allow_blank=True)


class DossiersSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = DossierSerializer(many=True)


# -- plain data ------------------------------------------------------------------------------------
def table_data(table):
    return {
        "scope": table.scope.code,
        "scope_label": table.scope.label,
        "period": table.period.code,
        "period_label": table.period.label,
        "by": table.by,
        "as_of": table.as_of,
        "totals": table.totals.as_dict(),
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "slug": r.slug,
                "merged": r.merged,
                "figures": r.figures.as_dict(),
            }
            for r in table.rows
        ],
    }


def indicators_data(scope, result):
    return {
        "scope": scope.code,
        "period": result["period"].code,
        "points": result["points"],
        "max_points": result["max_points"],
        "indicators": [i.as_dict() for i in result["indicators"]],
        "average_processing": result["average_processing"],
    }


def compliance_data(result):
    if result is None:
        return None
    return {
        "communes": result["communes"],
        "communes_complying": result["communes_complying"],
        "share": result["share"],
        "rows": [
            {
                "slug": r.agency.slug,
                "name": r.agency.name,
                "kind": r.agency.kind,
                "overdue_open": r.overdue_open,
                "complies": r.complies,
            }
            for r in result["rows"]
        ],
    }


def table_json(table):
    """TableSerializer's output, with the rows (1,000 for the city) written directly: they hold only
    ints, strings and booleans, which the field serializers would return unchanged — and cost more
    than the figures themselves (tests pin both to the same JSON)."""
    data = table_data(table)
    rows, data["rows"] = data["rows"], []
    out = TableSerializer(data).data
    out["rows"] = rows
    return out


def compliance_json(result):
    """ComplianceSerializer's output, rows written directly (as in `table_json`)."""
    data = compliance_data(result)
    if data is None:
        return None
    rows, data["rows"] = data["rows"], []
    out = ComplianceSerializer(data).data
    out["rows"] = [{**r, "kind": str(r["kind"])} for r in rows]
    return out


def trend_data(trend):
    return [
        {"month": m, "received": a, "received_online": b, "settled_in_time": c, "settled_late": d}
        for m, a, b, c, d in trend
    ]


class _ReportApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def scope(self, request):
        agency = getattr(request._request, "agency", None)
        return report_scope_get(
            acting_user=request.user,
            code=request.query_params.get("scope", ""),
            agency=agency,
            membership=getattr(request._request, "membership", None),
        )

    def period(self, request):
        return period_get(request.query_params.get("period", ""))


class II06aApi(_ReportApi):
    @extend_schema(
        parameters=[SCOPE, PERIOD, BY, SORT],
        responses=TableSerializer,
        summary="Báo cáo II.06a (tình hình giải quyết TTHC)",
    )
    def get(self, request):
        scope = self.scope(request)
        by = request.query_params.get("by", "procedure" if scope.agency else "agency")
        table = report_table(
            scope=scope, period=self.period(request), by=by, sort=request.query_params.get("sort", "")
        )
        return Response(table_json(table))


class IndicatorsApi(_ReportApi):
    @extend_schema(
        parameters=[SCOPE, PERIOD],
        responses=IndicatorsSerializer,
        summary="Chỉ số theo Quyết định 766/QĐ-TTg",
    )
    def get(self, request):
        scope = self.scope(request)
        result = indicators_766(period=self.period(request), agency_ids=scope.agency_ids, kinds=scope.kinds)
        return Response(IndicatorsSerializer(indicators_data(scope, result)).data)


class ComplianceApi(_ReportApi):
    @extend_schema(
        responses=ComplianceSerializer, summary="Cập nhật hồ sơ đúng hạn (tỷ lệ xã, phường tuân thủ)"
    )
    def get(self, request):
        self.scope(request)  # city administrators only
        return Response(compliance_json(update_compliance()))


class DashboardApi(_ReportApi):
    @extend_schema(
        parameters=[SCOPE, PERIOD, SORT], responses=DashboardSerializer, summary="Số liệu bảng điều khiển"
    )
    def get(self, request):
        scope = self.scope(request)
        data = dashboard_get(
            scope=scope, period=self.period(request), sort=request.query_params.get("sort", "")
        )
        return Response(
            {  # DashboardSerializer's output, part by part (see table_json)
                "table": table_json(data["table"]),
                "trend": TrendSerializer(trend_data(data["trend"]), many=True).data,
                "indicators": IndicatorsSerializer(indicators_data(scope, data["indicators"])).data,
                "compliance": compliance_json(data["compliance"]),
            }
        )


class DossiersApi(_ReportApi):
    @extend_schema(
        parameters=[
            SCOPE,
            PERIOD,
            OpenApiParameter("column", str, enum=list(COLUMNS), required=True),
            OpenApiParameter("procedure", OpenApiTypes.INT),
        ],
        responses=DossiersSerializer,
        summary="Các hồ sơ sau một con số (tối đa 200)",
    )
    def get(self, request):
        scope = self.scope(request)
        procedure = request.query_params.get("procedure") or None
        rows, total = report_dossiers(
            scope=scope,
            period=self.period(request),
            column=request.query_params.get("column", ""),
            procedure_id=int(procedure) if procedure and procedure.isdigit() else None,
        )
        return Response(DossiersSerializer({"count": total, "results": rows}).data)

"""Dashboards (server-rendered): the city's at /thong-ke/ (city administrators), an agency's at
/<slug>/thong-ke/ (its leaders, unit heads and administrators); drill-down to the dossiers behind a
number; every table exports to CSV and xlsx (?xuat=csv|xlsx&bang=...). Thin views over dashboard.py."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from core.errors import DomainError, PermissionRefused
from tenants.directory import directory

from . import exports
from .charts import dashboard_charts
from .dashboard import (
    dashboard_get,
    is_city_admin,
    period_get,
    report_dossiers,
    report_scope_get,
    report_table,
)
from .periods import Period
from .scopes import GROUPS, agencies
from .selectors import COLUMN_LABELS, COLUMNS


def _scope(request):
    if not request.user.is_authenticated:
        return None
    try:
        return report_scope_get(
            acting_user=request.user,
            code=request.GET.get("pham-vi", ""),
            agency=getattr(request, "agency", None),
            membership=getattr(request, "membership", None),
        )
    except PermissionRefused as exc:
        raise PermissionDenied(exc.message) from None


def _period(request):
    try:
        return period_get(request.GET.get("ky", "")), ""
    except DomainError as exc:
        return Period.current_year(), exc.message


def _period_choices(period):
    current = Period.current_year()
    years = [Period.year(current.start.year - i) for i in range(4)]
    quarters = [Period.quarter(y.start.year, q) for y in years[:2] for q in (4, 3, 2, 1)]
    choices = [p for p in years + quarters if p.start <= current.end]
    return choices if period in choices else [period, *choices]


def dashboard_page(request):
    scope = _scope(request)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    period, error = _period(request)
    sort = request.GET.get("sap-xep", "")
    export = request.GET.get("xuat", "")
    if export in ("csv", "xlsx"):
        bang = request.GET.get("bang", "ii06a")
        by = request.GET.get("theo", "procedure" if scope.agency else "agency")
        try:
            table = report_table(scope=scope, period=period, by=by, sort=sort, monthly=export == "xlsx")
        except DomainError as exc:
            raise PermissionDenied(exc.message) from None
        if bang == "ii06a":
            charts = []
            if export == "xlsx":  # the dashboard's charts, drawn by the same code, on a second sheet
                charts = [
                    (c["caption"], c["chart"])
                    for c in dashboard_charts(trend=table.trend, totals=table.totals, fmt="png")
                ]
            return exports.export(
                exports.table_rows(table),
                fmt=export,
                filename=f"ii06a-{period.code.replace('/', '-')}",
                title="II.06a",
                charts=charts,
            )
    data = dashboard_get(scope=scope, period=period, sort=sort)
    table, ind = data["table"], data["indicators"]
    t = table.totals
    context = {
        "scope": scope,
        "period": period,
        "error": error,
        "sort": sort,
        "data": data,
        "table": table,
        "columns": [(c, COLUMN_LABELS[c]) for c in COLUMNS],
        "period_choices": _period_choices(period),
        "in_agency": getattr(request, "agency", None) is not None,
        "is_city_admin": is_city_admin(request.user),
        "groups": [(f"nhom:{k}", v[0]) for k, v in GROUPS.items()],
        "agencies": sorted(agencies(), key=lambda a: a.name) if is_city_admin(request.user) else [],
        "indicators": ind,
    }
    if request.GET.get("xuat") in ("csv", "xlsx"):  # the other tables: indicators, compliance
        bang = request.GET.get("bang")
        if bang == "chi-so":
            lines = [["Chỉ số", "Nhóm", "Giá trị", "Đơn vị", "Điểm tối đa", "Ngưỡng", "Điểm", "Ghi chú"]]
            lines += [
                [i.name, i.group, i.value, i.unit, i.max_points, i.threshold, i.points, i.missing]
                for i in ind["indicators"]
            ]
            return exports.export(lines, fmt=request.GET["xuat"], filename="chi-so-766", title="766")
        if bang == "tuan-thu" and data["compliance"]:
            lines = [["Cơ quan", "Hồ sơ có bước xử lý quá hạn chưa cập nhật", "Tuân thủ"]]
            lines += [
                [r.agency.name, r.overdue_open, "Có" if r.complies else "Không"]
                for r in data["compliance"]["rows"]
            ]
            return exports.export(lines, fmt=request.GET["xuat"], filename="tuan-thu", title="Tuân thủ")
    context["charts"] = dashboard_charts(trend=data["trend"], totals=t)
    return render(request, "reports/dashboard.html", context)


def dossiers_page(request):
    scope = _scope(request)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    period, error = _period(request)
    column = request.GET.get("chi-tieu", "")
    procedure = request.GET.get("thu-tuc", "")
    try:
        rows, total = report_dossiers(
            scope=scope,
            period=period,
            column=column,
            procedure_id=int(procedure) if procedure.isdigit() else None,
        )
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None
    names = {a.pk: a.name for a in directory.all()}
    for r in rows:
        r["agency_name"] = names.get(r["agency_id"], "")
    if request.GET.get("xuat") in ("csv", "xlsx"):
        lines = [
            ["Mã hồ sơ", "Cơ quan", "Thủ tục", "Trạng thái", "Kênh", "Tiếp nhận", "Hẹn trả", "Có kết quả"]
        ]

        def local(value):
            return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""

        lines += [
            [
                r["code"] or "",
                r["agency_name"],
                r["procedure_name"],
                r["state"],
                r["channel"],
                local(r["received_at"]),
                local(r["due_at"]),
                local(r["finished_at"]),
            ]
            for r in rows
        ]
        return exports.export(lines, fmt=request.GET["xuat"], filename="ho-so", title="Hồ sơ")
    return render(
        request,
        "reports/dossiers.html",
        {
            "scope": scope,
            "period": period,
            "error": error,
            "rows": rows,
            "total": total,
            "column": column,
            "column_label": COLUMN_LABELS.get(column, column),
            "procedure": procedure,
            "in_agency": getattr(request, "agency", None) is not None,
        },
    )

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import HourMinuteField, VnDateField
from core.errors import DomainError
from tenants.api import IsCityAdmin
from tenants.directory import directory

from . import deadlines
from .models import DayKind
from .selectors import calendar_days, city_calendar, office_hours_by_weekday, work_calendar_for
from .services import calendar_city_ensure, calendar_day_remove, calendar_day_set, office_hours_set

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class CalendarDaySerializer(serializers.Serializer):
    date = VnDateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name = serializers.CharField(max_length=200)
    source = serializers.CharField(read_only=True)


class IntervalField(serializers.ListField):
    """[start, end] as two hh:mm times."""

    child = HourMinuteField()

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault("max_length", 2)
        super().__init__(**kwargs)


class OfficeHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    intervals = serializers.ListField(child=IntervalField(), max_length=4)


class CalendarSerializer(serializers.Serializer):
    office_hours = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    )
    days = CalendarDaySerializer(many=True)


class CalendarApi(APIView):
    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "GET" else [IsCityAdmin()]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="1900–2200")], responses=CalendarSerializer
    )
    def get(self, request):
        calendar = city_calendar()
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            year = 0
        if not 1900 <= year <= 2200:
            raise DomainError(_("Năm không hợp lệ (1900–2200)."), field="year")
        hours = office_hours_by_weekday(calendar=calendar)
        return Response(
            {
                "office_hours": {
                    str(wd): [[f"{s:%H:%M}", f"{e:%H:%M}"] for s, e in hours.get(wd, [])] for wd in range(7)
                },
                "days": CalendarDaySerializer(calendar_days(calendar=calendar, year=year), many=True).data,
            }
        )

    @extend_schema(request=CalendarDaySerializer, responses={201: CalendarDaySerializer})
    def post(self, request):
        data = CalendarDaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        day = calendar_day_set(
            calendar=calendar_city_ensure(), acting_user=request.user, **data.validated_data
        )
        return Response(CalendarDaySerializer(day).data, status=201)


class CalendarDayApi(APIView):
    permission_classes = [IsCityAdmin]

    @extend_schema(responses={204: None})
    def delete(self, request, day):
        try:
            parsed = datetime.strptime(day, "%Y-%m-%d").date()
        except ValueError:
            raise DomainError("Ngày phải theo dạng yyyy-mm-dd.", field="day") from None
        calendar_day_remove(calendar=calendar_city_ensure(), date=parsed, acting_user=request.user)
        return Response(status=204)


class OfficeHoursApi(APIView):
    permission_classes = [IsCityAdmin]

    @extend_schema(request=OfficeHoursSerializer, responses=OfficeHoursSerializer)
    def put(self, request):
        data = OfficeHoursSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        office_hours_set(
            calendar=calendar_city_ensure(),
            weekday=data.validated_data["weekday"],
            intervals=[tuple(i) for i in data.validated_data["intervals"]],
            acting_user=request.user,
        )
        return Response(data.data)


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(input_formats=["%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M", "iso-8601"])

    def validate_start(self, value):
        # the calendar holds years 1900–2200; earlier dates would also carry Hà Nội's local mean time
        if not 1900 <= value.year <= 2200:
            raise serializers.ValidationError(_("Thời điểm phải trong khoảng năm 1900–2200."))
        return value

    amount = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    unit = serializers.ChoiceField(choices=[u.value for u in deadlines.Unit])
    cutoff = HourMinuteField(required=False)
    agency = serializers.SlugField(required=False)


class ShiftReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class DeadlineSerializer(serializers.Serializer):
    due = serializers.DateTimeField()
    due_display = serializers.CharField()
    counted_from = serializers.DateTimeField()
    reasons = ShiftReasonSerializer(many=True)


class DeadlineApi(APIView):
    """When is a dossier received at `start` due? With every shift explained."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[DeadlineQuerySerializer], responses=DeadlineSerializer)
    def get(self, request):
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        agency = directory.by_slug(q["agency"]) if q.get("agency") else None
        if q.get("agency") and agency is None:
            raise DomainError("Không có cơ quan này.", field="agency")
        amount = q["amount"]
        amount = int(amount) if amount == int(amount) else float(amount)
        try:
            result = deadlines.deadline_compute(
                calendar=work_calendar_for(agency=agency),
                start=timezone.localtime(q["start"]),
                amount=amount,
                unit=q["unit"],
                cutoff=q.get("cutoff"),
            )
        except ValueError as exc:
            raise DomainError(str(exc), field="amount") from exc
        return Response(
            DeadlineSerializer(
                {
                    "due": result.due,
                    "due_display": f"{timezone.localtime(result.due):%H:%M %d/%m/%Y}",
                    "counted_from": result.counted_from,
                    "reasons": [{"code": str(r.code), "text": r.text} for r in result.reasons],
                }
            ).data
        )

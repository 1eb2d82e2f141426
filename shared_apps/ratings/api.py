from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.tracking.throttle import throttle_exceeded

from .models import Channel, Value
from .services import rating_submit
from .views import rate_limit


class RatingSubmitSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="dossier code (on the appointment slip)")
    value = serializers.ChoiceField(choices=Value.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="optional, at most 1000 characters",
    )
    proof = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="the applicant's full phone or ID number (not needed by the logged-in owner)",
    )


class RatingSerializer(serializers.Serializer):
    code = serializers.CharField()
    value = serializers.ChoiceField(choices=Value.choices)
    comment = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    created_at = serializers.DateTimeField()


class RatingErrorSerializer(serializers.Serializer):
    """Refusals (invalid input is documented by the generic 400 answer, config/openapi.py)."""

    detail = serializers.CharField()
    code = serializers.CharField(
        help_text="not_found, not_returned, proof_refused, already_rated, throttled, ..."
    )
    field = serializers.CharField(required=False)


class RatingCreateApi(APIView):
    """The applicant rates the service once, after the result was returned."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="rating_create",
        request=RatingSubmitSerializer,
        responses={
            201: RatingSerializer,
            403: OpenApiResponse(RatingErrorSerializer, description="proof does not match"),
            404: OpenApiResponse(RatingErrorSerializer, description="no dossier with this code"),
            409: OpenApiResponse(RatingErrorSerializer, description="not yet returned, or already rated"),
            429: OpenApiResponse(RatingErrorSerializer, description="too many attempts"),
        },
    )
    def post(self, request):
        if throttle_exceeded(scope="rating", request=request._request, limit=rate_limit()):
            return Response(
                {"detail": "Bạn thử quá nhiều lần; vui lòng thử lại sau một phút.", "code": "throttled"},
                status=429,
            )
        data = RatingSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = rating_submit(**data.validated_data, channel=Channel.API)
        return Response(
            RatingSerializer(
                {
                    "code": rating.entry.code,
                    "value": rating.value,
                    "comment": rating.comment,
                    "channel": rating.channel,
                    "created_at": rating.created_at,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )

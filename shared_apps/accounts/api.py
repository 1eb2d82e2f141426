"""Citizen accounts over the API (``/api/v1/accounts/...``): sign up, verify, resend, profile.
Thin: every rule is in citizens.py / otp.py; DomainErrors become 4xx through config.api."""

from django.contrib.auth import login
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.tracking.throttle import client_address

from .citizens import PROFILE_FIELDS, citizen_signup, profile_update, verification_confirm
from .contacts import contact_mask
from .otp import otp_resend
from .selectors import profile_get

BACKEND = "shared_apps.accounts.backends.CachedModelBackend"


def _verification(row):
    kind = "phone" if row.channel == "sms" else "email"
    return {
        "verification": str(row.public_id),
        "purpose": row.purpose,
        "channel": row.channel,
        "sent_to": contact_mask(kind, row.recipient),
        "expires_at": row.expires_at,
    }


class VerificationSerializer(serializers.Serializer):
    verification = serializers.UUIDField()
    purpose = serializers.CharField()
    channel = serializers.CharField()
    sent_to = serializers.CharField(help_text="masked phone or e-mail")
    expires_at = serializers.DateTimeField()


class SignupSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=255)
    contact = serializers.CharField(max_length=254, help_text="phone (0xxxxxxxxx / +84…) or e-mail")
    password = serializers.CharField(write_only=True, trim_whitespace=False)


class VerifySerializer(serializers.Serializer):
    verification = serializers.UUIDField()
    code = serializers.CharField(max_length=12)


class ResendSerializer(serializers.Serializer):
    verification = serializers.UUIDField()


class ProfileSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(max_length=255, required=False)
    id_number = serializers.CharField(max_length=12, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone_verified = serializers.BooleanField(read_only=True)
    email_verified = serializers.BooleanField(read_only=True)
    id_number_verified = serializers.BooleanField(read_only=True)


class SignupApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=SignupSerializer,
        responses={201: VerificationSerializer},
        description="Create an inactive citizen account and send a 6-digit code to the phone/e-mail.",
    )
    def post(self, request):
        s = SignupSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        row = citizen_signup(**s.validated_data, client_ip=client_address(request._request))
        return Response(VerificationSerializer(_verification(row)).data, status=status.HTTP_201_CREATED)


class VerifyApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=VerifySerializer,
        responses=ProfileSerializer,
        description="Enter the code. A sign-up becomes active and the session is logged in; a "
        "change of phone/e-mail (logged-in owner only) takes effect.",
    )
    def post(self, request):
        if not request.user.is_authenticated:  # it logs the session in: no login CSRF
            SessionAuthentication().enforce_csrf(request)
        s = VerifySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = verification_confirm(
            public_id=s.validated_data["verification"],
            code=s.validated_data["code"],
            acting_user=request.user,
        )
        if user.pk != request.user.pk:  # a sign-up: the session is now the new account
            login(request._request, user, backend=BACKEND)
        return Response(ProfileSerializer(profile_get(user=user)).data)


class ResendApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=ResendSerializer, responses=VerificationSerializer)
    def post(self, request):
        s = ResendSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        row = otp_resend(
            public_id=s.validated_data["verification"], client_ip=client_address(request._request)
        )
        return Response(VerificationSerializer(_verification(row)).data)


class ProfileResponseSerializer(serializers.Serializer):
    profile = ProfileSerializer()
    verifications = VerificationSerializer(many=True)


class ProfileApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        return Response(ProfileSerializer(profile_get(user=request.user)).data)

    @extend_schema(
        request=ProfileSerializer,
        responses=ProfileResponseSerializer,
        description="Change profile fields. A new phone/e-mail is sent a code (see verifications) "
        "and changes when it is entered at /api/v1/accounts/verify/.",
    )
    def patch(self, request):
        s = ProfileSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        values = {k: v for k, v in s.validated_data.items() if k in PROFILE_FIELDS}
        issued = profile_update(
            user=request.user, acting_user=request.user, client_ip=client_address(request._request), **values
        )
        return Response(
            {
                "profile": ProfileSerializer(profile_get(user=request.user)).data,
                "verifications": [VerificationSerializer(_verification(r)).data for r in issued],
            }
        )

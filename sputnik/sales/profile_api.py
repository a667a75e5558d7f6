"""`/api/v1/sales-profile/`: the caller's own reminder lead and morning digest, and
`…/calendar-token/` to issue (POST) or revoke (DELETE) their calendar feed address.
Always the caller's own settings: there is no way to name another employee."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import feeds
from .models import SalesProfile


class SalesProfileSerializer(serializers.Serializer):
    reminder_lead_minutes = serializers.IntegerField(
        help_text=f"How long before a planned contact its reminder comes, minutes "
        f"(0–{feeds.MAX_LEAD_MINUTES})."
    )
    morning_digest = serializers.BooleanField(
        help_text="An e-mail each morning with the day's and the overdue contacts."
    )
    calendar_url = serializers.SerializerMethodField(
        help_text="The private address of the calendar feed; null until one is issued."
    )

    def get_calendar_url(self, profile) -> str | None:
        if not profile.calendar_token:
            return None
        feed = reverse("sales:calendar_feed", args=[profile.calendar_token])
        return self.context["request"].build_absolute_uri(feed)


class ProfileAnswer:
    def answer(self, profile, code=status.HTTP_200_OK) -> Response:
        serializer = SalesProfileSerializer(profile, context={"request": self.request})
        return Response(serializer.data, status=code)


class SalesProfileView(ProfileAnswer, APIView):
    """The caller's own sales settings."""

    @extend_schema(operation_id="sales_profile_retrieve", responses=SalesProfileSerializer)
    def get(self, request):
        return self.answer(SalesProfile.of(request.user))

    @extend_schema(
        operation_id="sales_profile_update",
        request=SalesProfileSerializer,
        responses=SalesProfileSerializer,
    )
    def patch(self, request):
        data = SalesProfileSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self.answer(feeds.sales_profile_update(user=request.user, **data.validated_data))


class CalendarTokenView(ProfileAnswer, APIView):
    """Issue a new calendar feed address (the previous one stops working), or revoke it."""

    @extend_schema(
        operation_id="sales_profile_calendar_token_issue",
        description="Issue a new calendar feed address; the previous one stops working.",
        request=None,
        responses={201: SalesProfileSerializer},
    )
    def post(self, request):
        feeds.calendar_token_issue(user=request.user, request=request)
        return self.answer(SalesProfile.of(request.user), status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="sales_profile_calendar_token_revoke",
        description="Revoke the calendar feed address: it answers 404 from then on.",
        responses={204: None},
    )
    def delete(self, request):
        feeds.calendar_token_revoke(user=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("sales-profile/", SalesProfileView.as_view(), name="sales_profile"),
    path(
        "sales-profile/calendar-token/",
        CalendarTokenView.as_view(),
        name="sales_profile_calendar_token",
    ),
]

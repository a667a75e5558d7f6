from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("deals/", views.DealListView.as_view(), name="deal_list"),
    path("deals/<int:pk>/", views.DealDetailView.as_view(), name="deal"),
    path("deals/<int:pk>/move/", views.DealMoveView.as_view(), name="deal_move"),
]

"""URLs of the oversight area, mounted at /oversight/."""

from django.urls import path

from .exchange_views import haochaping_download
from .figures import published, reports, views
from .records import views as records

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("breakdown/<str:by>/", views.breakdown_page, name="breakdown"),
    path("list/<str:code>/", views.metric_list, name="list"),
    path("volume/<str:code>/", views.volume_list, name="volume"),
    path("reason/<str:kind>/<str:reason>/", views.reason_list, name="reason"),
    path("disclosure/", views.disclosure_page, name="disclosure"),
    path("published/", published.published_page, name="published"),  # public: 评价结果公开
    path("report/<int:site_id>/<str:month>.<str:fmt>", reports.report_download, name="report"),
    path("haochaping/<int:site_id>.<str:fmt>", haochaping_download, name="haochaping"),
    path("rectifications/", records.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", records.rectification_detail, name="rectification"),
    path(
        "rectifications/<int:pk>/<str:action>/",
        records.rectification_action,
        name="rectification-action",
    ),
    path("complaints/", records.complaint_list, name="complaints"),
    path("complaints/new/", records.complaint_new, name="complaint-new"),
    path("complaints/<int:pk>/", records.complaint_detail, name="complaint"),
    path(
        "complaints/<int:pk>/<str:action>/",
        records.complaint_action,
        name="complaint-action",
    ),
    path("ratings/new/", records.rating_new, name="rating-new"),
    path("visits/", records.visit_list, name="visits"),
    path("visits/plan/", records.visit_plan, name="visit-plan"),
    path("visits/<int:pk>/", records.visit_record, name="visit-record"),
    path("inspections/", records.inspection_list, name="inspections"),
    path("inspections/new/", records.inspection_new, name="inspection-new"),
    path("inspections/<int:pk>/", records.inspection_detail, name="inspection"),
    path(
        "inspections/<int:pk>/findings/<int:finding_pk>/",
        records.finding_rectified,
        name="finding-rectified",
    ),
]

"""URLs of the oversight area, mounted at /oversight/."""

from django.urls import path

from . import reports, views, views_records

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("breakdown/<str:by>/", views.breakdown_page, name="breakdown"),
    path("list/<str:code>/", views.metric_list, name="list"),
    path("volume/<str:code>/", views.volume_list, name="volume"),
    path("reason/<str:kind>/<str:reason>/", views.reason_list, name="reason"),
    path("disclosure/", views.disclosure_page, name="disclosure"),
    path("report/<int:site_id>/<str:month>.<str:fmt>", reports.report_download, name="report"),
    path("rectifications/", views_records.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views_records.rectification_detail, name="rectification"),
    path(
        "rectifications/<int:pk>/<str:action>/",
        views_records.rectification_action,
        name="rectification-action",
    ),
    path("complaints/", views_records.complaint_list, name="complaints"),
    path("complaints/new/", views_records.complaint_new, name="complaint-new"),
    path("complaints/<int:pk>/", views_records.complaint_detail, name="complaint"),
    path(
        "complaints/<int:pk>/<str:action>/",
        views_records.complaint_action,
        name="complaint-action",
    ),
    path("visits/", views_records.visit_list, name="visits"),
    path("visits/plan/", views_records.visit_plan, name="visit-plan"),
    path("visits/<int:pk>/", views_records.visit_record, name="visit-record"),
    path("inspections/", views_records.inspection_list, name="inspections"),
    path("inspections/new/", views_records.inspection_new, name="inspection-new"),
    path("inspections/<int:pk>/", views_records.inspection_detail, name="inspection"),
    path(
        "inspections/<int:pk>/findings/<int:finding_pk>/",
        views_records.finding_rectified,
        name="finding-rectified",
    ),
]

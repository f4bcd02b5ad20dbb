"""Public catalogue and disclosure pages; included at the site root by the portal."""

from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("items/", views.item_list, name="item-list"),
    path("items/bundles/<str:code>/", views.bundle_detail, name="bundle-detail"),
    path("items/materials/<int:pk>/<str:field>/", views.material_file, name="material-file"),
    path("items/<str:code>/", views.item_detail, name="item-detail"),
    path("items/<str:code>/versions/<int:number>/", views.item_version_detail, name="item-version"),
    path("disclosure/", views.disclosure_list, name="disclosure-list"),
    path("disclosure/<str:code>/", views.disclosure_site, name="disclosure-site"),
]

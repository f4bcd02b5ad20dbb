from django.contrib import admin

from .models import Department, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "phone", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code", "address"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "county", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["county"]

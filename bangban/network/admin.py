from django.contrib import admin
from django.db.models import Count, Q

from bangban.network.staffing import MIN_AGENTS_PER_SITE

from .models import Department, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "phone", "agents", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code", "address"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_agents=Count("staff", filter=Q(staff__is_active=True, staff__is_agent=True))
            )
        )

    @admin.display(description="在岗帮办代办员", ordering="active_agents")
    def agents(self, site):
        if site.active_agents < MIN_AGENTS_PER_SITE:
            return f"{site.active_agents} 人（不足{MIN_AGENTS_PER_SITE}人，请补充）"
        return f"{site.active_agents} 人"


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "county", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["county"]

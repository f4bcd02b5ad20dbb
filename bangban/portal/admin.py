"""The portal's records in the admin: reading (not editing) the delivery choices people made
online, with addresses masked. Time slots, appointments and home visits are the visits
area's (``bangban/visits/admin.py``).
"""

from django.contrib import admin

from .models import DeliveryChoice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeliveryChoice)
class DeliveryChoiceAdmin(ReadOnlyAdmin):
    list_display = ["case", "method", "address_masked", "chosen_at"]
    list_filter = ["method"]
    search_fields = ["case__number"]
    fields = ["case", "method", "address_masked", "chosen_at"]

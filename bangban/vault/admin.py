from django.contrib import admin

from .models import VaultConsent, VaultMaterial, VaultUse


class ReadOnly(admin.ModelAdmin):
    """Written by the vault's services only: the admin reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VaultConsent)
class VaultConsentAdmin(ReadOnly):
    list_display = ["client", "channel", "given_at", "withdrawn_at"]
    raw_id_fields = ["client"]


@admin.register(VaultMaterial)
class VaultMaterialAdmin(ReadOnly):
    list_display = ["client", "kind", "level", "state", "valid_until", "verified_at", "check_due"]
    list_filter = ["level", "state", "check_result", "kind"]
    exclude = ["licence_number_cipher", "stored_name"]


@admin.register(VaultUse)
class VaultUseAdmin(ReadOnly):
    list_display = ["vault_material", "case", "used_at"]

"""Clients and the record of who saw their personal data, in the admin.

Clients are registered through ``services.client_register`` (identity checks, encryption,
reuse of an existing client), so the admin cannot add them, and shows ID numbers, credit
codes, mobiles and addresses masked and read-only. The ciphertext and lookup hashes are
never shown; seeing a value in full is ``bangban.cases.clients.client_reveal``, which records a reason.
The access record and the correction history are read-only everywhere.
"""

from django.contrib import admin

from . import identity, pii
from .models import Client, ClientCorrection, ClientKind, PersonalDataAccess


class PersonalDataAccessInline(admin.TabularInline):
    model = PersonalDataAccess
    fields = ["at", "field", "staff", "case", "reason"]
    readonly_fields = fields
    ordering = ["-at", "-id"]
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "个人信息查看记录"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _hash_lookup(term: str) -> dict | None:
    """A filter on a keyed hash when the search term is a whole ID number, code or mobile."""
    for kind, validate, field in (
        ("resident_id", identity.validate_resident_id, "id_number_hash"),
        ("credit_code", identity.validate_credit_code, "id_number_hash"),
    ):
        try:
            hashes = pii.lookups(kind, validate(term).number)
            return {"kind": _kind_of(kind), f"{field}__in": hashes}
        except identity.IdentityError:
            continue
    try:
        return {"mobile_hash__in": pii.lookups("mobile", identity.validate_mobile(term))}
    except identity.IdentityError:
        return None


def _kind_of(id_kind: str) -> str:
    return ClientKind.ORGANISATION if id_kind == "credit_code" else ClientKind.PERSON


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "id_number_masked",
        "mobile_masked",
        "is_elderly",
        "is_disabled",
        "created_at",
    ]
    list_filter = ["kind", "is_elderly", "is_disabled"]
    search_fields = ["name"]
    search_help_text = (
        "按姓名或名称搜索；输入完整的身份证号码、统一社会信用代码或手机号码可精确查找"
    )
    ordering = ["-created_at", "-id"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "legal_representative", "contact_person"]}),
        (
            "个人信息（脱敏显示）",
            {
                "fields": [
                    "id_number_masked",
                    "credit_code_override",
                    "mobile_masked",
                    "address_masked",
                ],
                "description": "完整信息须在业务页面填写理由后查看，查看行为将被记录。",
            },
        ),
        ("特殊群体", {"fields": ["is_elderly", "is_disabled"]}),
        (None, {"fields": ["created_at"]}),
    ]
    readonly_fields = [
        "kind",
        "id_number_masked",
        "credit_code_override",
        "mobile_masked",
        "address_masked",
        "created_at",
    ]
    inlines = [PersonalDataAccessInline]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        lookup = _hash_lookup(term) if term else None
        if lookup is not None:
            return queryset.filter(**lookup), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecordAdmin(admin.ModelAdmin):
    """A record of something done (a reveal, a correction): shown, never added, changed or
    deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(RecordAdmin):
    list_display = ["at", "client", "field", "staff", "case", "reason"]
    list_filter = ["field", "at"]
    search_fields = ["client__name", "staff__name", "reason"]
    list_select_related = ["client", "staff", "case"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    fields = ["at", "client", "field", "staff", "case", "reason"]
    readonly_fields = fields


@admin.register(ClientCorrection)
class ClientCorrectionAdmin(RecordAdmin):
    list_display = ["at", "client", "field", "old_masked", "new_masked", "staff", "site", "reason"]
    list_filter = ["field", "at"]
    search_fields = ["client__name", "staff__name", "reason"]
    list_select_related = ["client", "staff", "site"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    fields = ["at", "client", "field", "old_masked", "new_masked", "staff", "site", "reason"]
    readonly_fields = fields

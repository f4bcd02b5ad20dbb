from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "bangban.staff"
    label = "staff"
    verbose_name = "工作人员"

    def ready(self):
        from . import lockout  # noqa: F401  (connects the per-address failure count)

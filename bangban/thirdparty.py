"""Third-party apps under Chinese names in the admin.

The strings django-axes marks for translation (its models, fields, filters, actions) are
translated in ``bangban/locale`` (``LOCALE_PATHS``). What it does not mark is named here:
its app's name, which Django takes from the label ("Axes"), and the list columns it
computes without a title ("Status", "Expiration").
"""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes (the login lockout, ``staff/lockout.py``) as 登录安全 in the admin."""

    verbose_name = "登录安全"

    def ready(self) -> None:
        super().ready()
        from axes import admin as axes_admin

        axes_admin.AccessAttemptAdmin.status.short_description = "锁定状态"  # type: ignore[attr-defined]
        axes_admin.AccessAttemptAdmin.expiration.short_description = "失效时间"  # type: ignore[attr-defined]

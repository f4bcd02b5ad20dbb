from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bangban.portal"
    label = "portal"
    verbose_name = "公众门户"

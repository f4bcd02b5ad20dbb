from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "bangban.clients"
    label = "clients"
    verbose_name = "服务对象"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the key and suite checks)

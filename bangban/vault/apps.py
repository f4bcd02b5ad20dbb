from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "bangban.vault"
    label = "vault"
    verbose_name = "材料库"

    def ready(self) -> None:
        from . import subscribers

        subscribers.subscribe()

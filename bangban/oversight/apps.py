from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "bangban.oversight"
    label = "oversight"
    verbose_name = "监督评价"

    def ready(self) -> None:
        from . import subscribers

        subscribers.subscribe()

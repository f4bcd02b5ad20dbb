from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "bangban.documents"
    label = "documents"
    verbose_name = "文书"

    def ready(self) -> None:
        from . import subscribers

        subscribers.subscribe()

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "bangban.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from . import changes  # noqa: F401  (the change counters listen to saves)

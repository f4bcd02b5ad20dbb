from django.apps import AppConfig


class PreparednessConfig(AppConfig):
    name = "bangban.preparedness"
    label = "preparedness"
    verbose_name = "应急预案与高峰期"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the yearly review reminder with huey)

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "bangban.oversight"
    label = "oversight"
    verbose_name = "监督评价"

    def ready(self) -> None:
        from . import subscribers, tasks
        from .figures import subscribers as figures

        subscribers.subscribe()
        # A change queues the figures job after its commit. The tasks import the figures'
        # jobs, so the figures are handed the task here rather than importing it back.
        figures.provide_count_task(tasks.count_soon)

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "bangban.oversight"
    label = "oversight"
    verbose_name = "监督评价"

    def ready(self) -> None:
        from bangban.documents.fields import provide_return_visit_reader

        from . import subscribers, tasks
        from .figures import live  # noqa: F401 (its receivers: the live counters)
        from .figures import subscribers as figures
        from .records.selectors import last_return_visit

        subscribers.subscribe()
        # the printed evaluation form's 回访人 and 回访日期 (documents sits below oversight)
        provide_return_visit_reader(last_return_visit)
        # A change queues the figures job after its commit. The tasks import the figures'
        # jobs, so the figures are handed the task here rather than importing it back.
        figures.provide_count_task(tasks.count_soon)

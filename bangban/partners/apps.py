from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "bangban.partners"
    label = "partners"
    verbose_name = "对接系统"

    def ready(self) -> None:
        from . import outbox, subscribers, tasks

        subscribers.subscribe()
        # The outbox queues the delivery task after a commit that wrote deliveries; the task
        # imports the delivery job, so it is handed over here (as in the notifications area).
        outbox.provide_delivery(tasks.deliver_soon)

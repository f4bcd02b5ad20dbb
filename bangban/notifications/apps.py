from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bangban.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from . import outbox, subscribers, tasks

        subscribers.subscribe()
        # The outbox queues the delivery task after a commit that wrote messages; the tasks
        # import the jobs, which write through the outbox, so the task is handed over here.
        outbox.provide_delivery(tasks.deliver_soon)

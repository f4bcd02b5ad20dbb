from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bangban.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from bangban.cases import messaging

        from . import outbox, sms, subscribers, tasks

        subscribers.subscribe()
        # The other areas send through the core's ports, never importing this area.
        messaging.provide_sms_sender(sms.send_sms)
        messaging.provide_notifier(outbox.notify)
        # The outbox queues the delivery task after a commit that wrote messages; the tasks
        # import the jobs, which write through the outbox, so the task is handed over here.
        outbox.provide_delivery(tasks.deliver_soon)

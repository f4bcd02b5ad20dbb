from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "bangban.consultations"
    label = "consultations"
    verbose_name = "咨询登记"

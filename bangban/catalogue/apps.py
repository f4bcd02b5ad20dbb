from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "bangban.catalogue"
    label = "catalogue"
    verbose_name = "事项清单"

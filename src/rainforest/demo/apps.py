from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "rainforest.demo"
    verbose_name = "Demo city"

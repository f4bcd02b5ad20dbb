from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_seed_categories")]

    operations = [
        migrations.CreateModel(
            name="Synonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phrase",
                    models.CharField(
                        help_text="如：卖房子、看病报销",
                        max_length=30,
                        unique=True,
                        verbose_name="群众常用说法",
                    ),
                ),
                (
                    "means",
                    models.CharField(
                        help_text="以空格或顿号分隔，可写事项名称的一部分；排在前面的优先显示，如：不动产转移登记、二手房",
                        max_length=300,
                        verbose_name="对应的事项名称或关键词",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={
                "verbose_name": "常用说法（同义词）",
                "verbose_name_plural": "常用说法（同义词）",
                "ordering": ["phrase"],
            },
        ),
    ]

# The centre's rating scale (cases.ratings) and the paper evaluation form's channel.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0003_uncountedchange_factstate_no_watermark"),
    ]

    operations = [
        migrations.AddField(
            model_name="centrepolicy",
            name="rating_scale",
            field=models.CharField(
                choices=[
                    ("gbt39734", "五级（GB/T 39734：非常满意/满意/基本满意/不满意/非常不满意）"),
                    ("four_level", "四级（评价表附件4：很满意/较满意/一般/不满意）"),
                ],
                default="gbt39734",
                help_text="短信、门户、纸质评价表和接口提供的等级；四级按 很满意→非常满意、较满意→满意、"
                "一般→基本满意、不满意→不满意 计入五级",
                max_length=16,
                verbose_name="评价等级",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="channel",
            field=models.CharField(
                choices=[
                    ("portal", "网上（门户）"),
                    ("sms", "短信评价链接"),
                    ("window_device", "窗口评价器"),
                    ("paper_form", "纸质评价表"),
                    ("return_visit", "回访评价"),
                ],
                max_length=16,
                verbose_name="评价渠道",
            ),
        ),
    ]

"""Common everyday phrases for the guide's search (an administrator edits them in the admin).

Each meaning is a piece of an item's name or keyword in the catalogue (the demo catalogue's
names were checked; a meaning no item has simply finds nothing). The earlier meanings come
first in the results.
"""

from django.db import migrations

SYNONYMS = [
    ("卖房子", "不动产转移登记 二手房"),
    ("买房子", "不动产转移登记 二手房"),
    ("房子过户", "不动产转移登记 二手房"),
    ("新房办证", "不动产首次登记"),
    ("看病报销", "医保报销 门诊费用报销 门诊慢特病 门诊报销 异地就医"),
    ("医药费报销", "医保报销 门诊费用报销 门诊慢特病 门诊报销 异地就医"),
    ("住院报销", "医保报销 异地就医 住院"),
    ("开饭店", "食品经营许可 个体工商户设立登记"),
    ("开餐馆", "食品经营许可 个体工商户设立登记"),
    ("办准生证", "生育登记"),
    ("准生证", "生育登记"),
    ("退休", "退休待遇核定 养老保险"),
    ("领养老金", "退休待遇核定 养老保险"),
    ("办营业执照", "个体工商户设立登记 有限责任公司设立登记"),
    ("上户口", "出生登记 户口迁移"),
    ("领结婚证", "结婚登记"),
    ("农村盖房子", "乡村建设规划许可"),
    ("老人补贴", "高龄津贴 老年人优待证"),
    ("办残疾证", "残疾人证核发"),
    ("补身份证", "居民身份证换领、补领"),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("catalogue", "Synonym")
    for phrase, means in SYNONYMS:
        Synonym.objects.get_or_create(phrase=phrase, defaults={"means": means})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_synonyms")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

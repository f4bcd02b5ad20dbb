"""Demo service network: one county centre, three towns, two villages each, the departments."""

from .models import Department, Site, SiteLevel

COUNTY = ("示范县政务服务中心", "C01", "示范县人民路88号政务服务中心一楼", "0571-88000001")
TOWNS = [
    ("城关镇便民服务中心", "T01", ["东街社区便民服务站", "西湖村便民服务站"]),
    ("青山镇便民服务中心", "T02", ["青山村便民服务站", "石桥村便民服务站"]),
    ("河口镇便民服务中心", "T03", ["河口社区便民服务站", "柳树村便民服务站"]),
]
DEPARTMENTS = [
    ("SCJG", "县市场监督管理局"),
    ("ZJ", "县住房和城乡建设局"),
    ("ZRZY", "县自然资源和规划局（不动产登记中心）"),
    ("WJ", "县卫生健康委员会"),
    ("CL", "县残疾人联合会"),
    ("MZ", "县民政局"),
    ("RS", "县人力资源和社会保障局"),
    ("YB", "县医疗保障局"),
    ("GA", "县公安局"),
    ("SW", "国家税务总局示范县税务局"),
    ("FG", "县发展和改革局"),
    ("WL", "县文化广电和旅游局"),
]


def load() -> Site:
    name, code, address, phone = COUNTY
    county = Site.objects.create(
        name=name,
        code=code,
        level=SiteLevel.COUNTY,
        address=address,
        phone=phone,
        complaint_phone="12345",
        service_area="一楼大厅东侧帮办代办专区（3-6号窗口）",
        opening_hours="周一至周五 8:30-12:00，13:30-17:30；周六上午 9:00-12:00 延时服务",
    )
    for t_index, (town_name, town_code, villages) in enumerate(TOWNS, start=1):
        town = Site.objects.create(
            name=town_name,
            code=town_code,
            level=SiteLevel.TOWN,
            parent=county,
            address=f"示范县{town_name[:3]}人民路{t_index * 10}号",
            phone=f"0571-8800{t_index:02d}10",
            complaint_phone="12345",
            service_area="便民服务中心帮办代办窗口",
        )
        for v_index, village_name in enumerate(villages, start=1):
            Site.objects.create(
                name=village_name,
                code=f"{town_code}V{v_index:02d}",
                level=SiteLevel.VILLAGE,
                parent=town,
                address=f"示范县{town_name[:3]}{village_name[:-5]}村委会",
                phone=f"1390000{t_index}{v_index:03d}",
                service_area="村（社区）党群服务中心一楼",
                opening_hours="周一至周五 8:30-11:30，14:00-17:00",
            )
    for code, dept_name in DEPARTMENTS:
        Department.objects.create(
            name=dept_name, code=code, county=county, phone="0571-880" + str(10000 + len(code))
        )
    return county

"""The awareness survey's schema: collection modes, PR channels, policy dimensions, respondent
groups, the KR target and the columns the files must have (also used by the sample-data
generator).
"""

from __future__ import annotations

__all__ = [
    "AGE_GROUPS",
    "AWARENESS_TARGET",
    "CHANNELS",
    "DEFAULT_RAKE_VARIABLES",
    "DIMENSIONS",
    "KPI_CODE",
    "MODES",
    "NAME_TH",
    "OFFLINE_CHANNELS",
    "ONLINE_CHANNELS",
    "SEXES",
]


# The awareness survey's schema (also used by the sample-data generator).
#: Collection modes named in the seed: code → Thai label.
MODES: dict[str, str] = {
    "field": "ลงพื้นที่",
    "online": "สำรวจผ่านช่องทางออนไลน์",
    "focus_group": "Focus Group",
}

#: PR channels named in the seed: column → Thai label (offline: TV, radio, print; online:
#: Facebook, TikTok, Instagram, website, YouTube).
CHANNELS: dict[str, str] = {
    "ch_tv": "โทรทัศน์",
    "ch_radio": "วิทยุ",
    "ch_print": "สื่อสิ่งพิมพ์",
    "ch_facebook": "Facebook",
    "ch_tiktok": "TikTok",
    "ch_instagram": "Instagram",
    "ch_website": "Website",
    "ch_youtube": "YouTube",
}

#: The nine dimensions of the BMA policy "9 ดี 9 ด้าน" (the seed names the policy and the
#: dimension บริหารจัดการดี; the nine names are those of the Governor's policy).
DIMENSIONS: dict[str, str] = {
    "dim_travel": "เดินทางดี",
    "dim_safety": "ปลอดภัยดี",
    "dim_transparency": "โปร่งใสดี",
    "dim_environment": "สิ่งแวดล้อมดี",
    "dim_health": "สุขภาพดี",
    "dim_learning": "เรียนดี",
    "dim_economy": "เศรษฐกิจดี",
    "dim_society": "สังคมดี",
    "dim_management": "บริหารจัดการดี",
}

#: Age groups of respondents (adults 18+).
AGE_GROUPS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-59", "60+")
SEXES: dict[str, str] = {"male": "ชาย", "female": "หญิง"}


#: The KR target: 80 % of citizens aware (ร้อยละ ๘๐).
AWARENESS_TARGET = 80.0
KPI_CODE = "awareness-pr"
NAME_TH = "ร้อยละการรับรู้ข่าวสารการดำเนินงานของกรุงเทพมหานครของประชาชนผ่านช่องทางสื่อประชาสัมพันธ์ต่าง ๆ"
OFFLINE_CHANNELS = ("ch_tv", "ch_radio", "ch_print")
ONLINE_CHANNELS = ("ch_facebook", "ch_tiktok", "ch_instagram", "ch_website", "ch_youtube")
DEFAULT_RAKE_VARIABLES = ("sex", "age_group", "district_code")
_FLAG_COLUMNS = ("aware", *CHANNELS, *DIMENSIONS)
_REQUIRED = ("respondent_id", "round", "mode", "interview_date", "district_code", "district_th",
             "sex", "age_group", "focus_group_id", "design_weight", *_FLAG_COLUMNS)

"""Vietnamese dates and numbers on the pages: "15 tháng 1 năm 2026", "1.234", "+0,50".

Inputs keep ISO dates (2026-01-15), as in English: the admin's calendar writes them and every
help text gives one as the example.
"""

DATE_FORMAT = r"j \t\há\n\g n \nă\m Y"
SHORT_DATE_FORMAT = r"j \t\há\n\g n \nă\m Y"
DATETIME_FORMAT = r"j \t\há\n\g n \nă\m Y, H:i"
SHORT_DATETIME_FORMAT = r"j \t\há\n\g n \nă\m Y, H:i"
MONTH_DAY_FORMAT = r"j \t\há\n\g n"
YEAR_MONTH_FORMAT = r"\t\há\n\g n \nă\m Y"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
